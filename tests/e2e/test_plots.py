"""End-to-end: every plot declared in dvc.yaml, drawn from a real pipeline run the way
`dvc plots show` and `dvc plots diff` give it, renders offline and reads as it declares.

The pipeline runs once for the module, on fewer rows and a shorter bootstrap (a plot's
shape does not depend on the amounts). The PNGs are kept: in $DISTILPIPE_PLOTS_OUT when
set, else in a pytest temp folder; the path is printed (`pytest -s` shows it)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from distilpipe import plots
from tests.e2e.conftest import ROOT, make_repo, params_of, run, set_params

DECLARED = plots.declared_plots(yaml.safe_load((ROOT / "dvc.yaml").read_text()))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_CHARS = 1000  # the second run's pool.max_chars
REVS = ("HEAD~1", "workspace")  # what `dvc plots diff HEAD~1` names the two revisions


def _shrink(repo: Path) -> None:
    """Fewer rows, a shorter bootstrap and fewer evaluation prompts: seconds, not minutes."""
    params = params_of(repo)
    for source in params["sources"].values():
        source["limit"] = 15
    params["bootstrap"]["steps"] = 12
    evaluate = params["evaluate"]
    for bench in ("ifeval", "mt_bench", "alpaca_eval"):
        evaluate[bench] = {**evaluate[bench], "limit": 8}
    set_params(repo, sources=params["sources"], bootstrap=params["bootstrap"], evaluate=evaluate)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The pipeline run and committed twice, the second time with long conversations
    dropped (`pool.max_chars`): `dvc plots show --json` of the first commit and
    `dvc plots diff HEAD~1 --json` of the second, the repo, and the PNG folder."""
    tmp = tmp_path_factory.mktemp("plots")
    out = Path(os.environ.get("DISTILPIPE_PLOTS_OUT") or tmp / "png")
    out.mkdir(parents=True, exist_ok=True)
    print(f"\nrendered plots: {out}")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DISTILPIPE_CACHE_DIR", str(tmp / "llm-cache"))
        repo = make_repo(tmp / "repo")
        _shrink(repo)
        run(repo, "dvc", "repro")
        run(repo, "git", "add", "-A")
        run(repo, "git", "commit", "-qm", "first run")
        show = json.loads(run(repo, "dvc", "plots", "show", "--json").stdout)

        pool = params_of(repo)["pool"]
        assert pool["max_chars"] > MAX_CHARS
        set_params(repo, pool={**pool, "max_chars": MAX_CHARS})
        run(repo, "dvc", "repro")
        run(repo, "git", "commit", "-qam", "shorter conversations only")
        diff = json.loads(run(repo, "dvc", "plots", "diff", "HEAD~1", "--json").stdout)
        yield {"repo": repo, "show": show, "diff": diff, "out": out}


@pytest.mark.slow
@pytest.mark.timeout(1800)  # the first test runs the module's two pipeline runs, on 2 cores
def test_dvc_shows_every_declared_plot(runs: dict[str, Any]) -> None:
    assert DECLARED, "dvc.yaml declares no plots"
    assert set(plots.vega_specs(runs["show"])) == set(DECLARED)


@pytest.mark.slow
@pytest.mark.parametrize("plot_id", list(DECLARED))
def test_plot_renders_and_reads_as_declared(runs: dict[str, Any], plot_id: str) -> None:
    spec = plots.vega_specs(runs["show"])[plot_id]
    png = plots.render_png(spec)
    assert png.startswith(PNG_MAGIC)
    (runs["out"] / plots.png_name(plot_id)).write_bytes(png)
    assert plots.revisions(spec) == ["workspace"]
    assert plots.check_plot(spec, DECLARED[plot_id]) == []


@pytest.mark.slow
@pytest.mark.parametrize("plot_id", list(DECLARED))
def test_plots_diff_draws_both_revisions_in_one_chart(runs: dict[str, Any], plot_id: str) -> None:
    spec = plots.vega_specs(runs["diff"])[plot_id]
    (runs["out"] / f"diff_{plots.png_name(plot_id)}").write_bytes(plots.render_png(spec))
    assert sorted(plots.revisions(spec)) == list(REVS)
    # both revisions' bars or lines are drawn and named in the legend
    assert plots.check_plot(spec, DECLARED[plot_id]) == []


@pytest.mark.slow
def test_the_diff_is_of_two_different_runs(runs: dict[str, Any]) -> None:
    """With long conversations dropped, the second revision's length histogram holds fewer
    rows and none from 1024 characters up."""
    values = plots.vega_specs(runs["diff"])["plots/pool/lengths.json"]["data"]["values"]
    rows = {rev: sum(v["rows"] for v in values if v["rev"] == rev) for rev in REVS}
    assert 0 < rows["workspace"] < rows["HEAD~1"]
    long_bins = [v for v in values if int(v["chars"].split("–")[0]) >= 1024]
    assert long_bins and all(v["rows"] == 0 for v in long_bins if v["rev"] == "workspace")


@pytest.mark.slow
def test_report_writes_every_plot_as_png_and_a_markdown_page(runs: dict[str, Any]) -> None:
    out = runs["out"] / "report"
    proc = run(runs["repo"], "distilpipe", "report", "--out", str(out))
    assert f"{len(DECLARED)} plots, 0 reading wrong" in proc.stdout
    index = (out / "index.md").read_text(encoding="utf-8")
    for plot_id, declared in DECLARED.items():
        name = plots.png_name(plot_id)
        assert (out / name).read_bytes().startswith(PNG_MAGIC)
        assert f"## {declared.title}" in index and f"]({name})" in index
    assert "reads wrong" not in index


@pytest.mark.slow
def test_report_of_a_diff_and_default_folder(runs: dict[str, Any]) -> None:
    run(runs["repo"], "distilpipe", "report", "HEAD~1")
    index = (runs["repo"] / "reports/plots/index.md").read_text(encoding="utf-8")
    assert index.count("revisions: workspace, HEAD~1") == len(DECLARED)
