"""End-to-end: every plot declared in dvc.yaml, drawn from the session's default run the way
`dvc plots show` gives it and from `dvc plots diff HEAD~1` against a stricter judge (the
`experimented` fixture's two commits), renders offline and reads as it declares.

The PNGs are kept: in $DISTILPIPE_PLOTS_OUT when set, else in a pytest temp folder; the
path is printed (`pytest -s` shows it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from distilpipe import plots
from tests.e2e.conftest import ROOT, Experimented, run

DECLARED = plots.declared_plots(yaml.safe_load((ROOT / "dvc.yaml").read_text()))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
REVS = ("HEAD~1", "workspace")  # what `dvc plots diff HEAD~1` names the two revisions


@pytest.fixture(scope="module")
def runs(
    experimented: Experimented, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """`dvc plots show --json` of the default run, `dvc plots diff HEAD~1 --json` of the
    stricter judge's commit after it, the repo, and the PNG folder."""
    out = Path(os.environ.get("DISTILPIPE_PLOTS_OUT") or tmp_path_factory.mktemp("png"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"\nrendered plots: {out}")
    yield {
        "repo": experimented.repo,
        "show": experimented.plots_show,
        "diff": experimented.plots_diff,
        "out": out,
    }


@pytest.mark.timeout(1800)  # the first test waits for the session's runs, on 2 cores
def test_dvc_shows_every_declared_plot(runs: dict[str, Any]) -> None:
    assert DECLARED, "dvc.yaml declares no plots"
    assert set(plots.vega_specs(runs["show"])) == set(DECLARED)


@pytest.mark.parametrize("plot_id", list(DECLARED))
def test_plot_renders_and_reads_as_declared(runs: dict[str, Any], plot_id: str) -> None:
    spec = plots.vega_specs(runs["show"])[plot_id]
    png = plots.render_png(spec)
    assert png.startswith(PNG_MAGIC)
    (runs["out"] / plots.png_name(plot_id)).write_bytes(png)
    assert plots.revisions(spec) == ["workspace"]
    assert plots.check_plot(spec, DECLARED[plot_id]) == []


@pytest.mark.parametrize("plot_id", list(DECLARED))
def test_plots_diff_draws_both_revisions_in_one_chart(runs: dict[str, Any], plot_id: str) -> None:
    spec = plots.vega_specs(runs["diff"])[plot_id]
    (runs["out"] / f"diff_{plots.png_name(plot_id)}").write_bytes(plots.render_png(spec))
    assert sorted(plots.revisions(spec)) == list(REVS)
    # both revisions' bars or lines are drawn and named in the legend
    assert plots.check_plot(spec, DECLARED[plot_id]) == []


def test_the_diff_is_of_two_different_runs(runs: dict[str, Any]) -> None:
    """With the stricter keep rule the judge keeps fewer rows, so the second revision's
    classified rows (plots/classify/labels.json, the rows per task type) are fewer."""
    values = plots.vega_specs(runs["diff"])["plots/classify/labels.json"]["data"]["values"]
    rows = {rev: sum(v["rows"] for v in values if v["rev"] == rev) for rev in REVS}
    assert 0 < rows["workspace"] < rows["HEAD~1"]


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


def test_report_of_a_diff_and_default_folder(runs: dict[str, Any]) -> None:
    run(runs["repo"], "distilpipe", "report", "HEAD~1")
    index = (runs["repo"] / "reports/plots/index.md").read_text(encoding="utf-8")
    assert index.count("revisions: workspace, HEAD~1") == len(DECLARED)
