"""End-to-end: the evaluate stage under `dvc repro` on the tiny models, on an empty call cache:
its outputs, a forced re-run that costs no LLM call, more prompts that cost only their own
calls, and `dvc metrics diff` between two commits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import copy_of, params_of, run, set_params


def _eval(repo: Path) -> dict[str, Any]:
    return dict(json.loads((repo / "metrics/eval.json").read_text()))


def _figures(metrics: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in metrics.items() if k != "calls"}


def _calls(metrics: dict[str, Any]) -> dict[str, int]:
    stats = [*metrics["calls"]["by_model"].values(), *metrics["calls"]["by_role"].values()]
    return {key: sum(s[key] for s in stats) for key in ("calls", "cache_hits", "cache_misses")}


@pytest.mark.timeout(1800)
def test_evaluate_writes_the_table_reruns_from_cache_and_diffs(
    golden: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_of(golden, tmp_path / "copy", monkeypatch)
    # an empty call cache, so that what each run computes shows
    monkeypatch.setenv("DISTILPIPE_CACHE_DIR", str(tmp_path / "empty-cache"))
    params = params_of(repo)
    evaluate = params["evaluate"]
    # Limits keep the stage to a few hundred tiny calls: this test is about wiring.
    evaluate["ifeval"]["limit"] = 10
    evaluate["mt_bench"]["limit"] = 2  # per language: 4 questions, 8 turns
    evaluate["alpaca_eval"]["limit"] = 6
    set_params(repo, evaluate=evaluate)

    out = run(repo, "dvc", "repro", "evaluate")
    assert "Running stage 'pool'" not in out.stdout  # only its own inputs run
    first = _eval(repo)
    assert set(first) == {"base", "sft", "dpo", "teacher", "calls"}
    base = first["base"]
    assert set(base) == {"ifeval", "mt_bench", "alpaca_eval"}
    assert base["ifeval"]["n_prompts"] + base["ifeval"]["too_long"] == 10
    assert 0.0 <= base["ifeval"]["prompt_loose"] <= 100.0
    assert base["ifeval"]["prompt_strict"] <= base["ifeval"]["prompt_loose"]
    assert base["mt_bench"]["n_graded"] + base["mt_bench"]["judge_too_long"] == 8
    assert base["mt_bench"]["n_unparsed"] == 0  # the default reads the judge's probabilities
    assert 1.0 <= base["mt_bench"]["overall"] <= 10.0
    alpaca = base["alpaca_eval"]
    assert alpaca["n_pairs"] + alpaca["n_unparsed"] + alpaca["judge_too_long"] == 6
    calls = _calls(first)
    assert calls["cache_misses"] > 0  # an empty cache (a prompt asked twice is then a hit)
    report = (repo / "reports/eval.md").read_text()
    assert "| Model | AlpacaEval LC | MT-Bench | MT-Bench single | IFEval loose |" in report
    assert "| base |" in report
    for kind, label in (("mt_bench", "category"), ("ifeval", "instruction")):
        rows = json.loads((repo / f"plots/evaluate/{kind}.json").read_text())
        assert rows and all(set(row) == {label, "base", "sft", "dpo", "teacher"} for row in rows)
        assert all(isinstance(row[label], str) for row in rows)
    mt_rows = json.loads((repo / "plots/evaluate/mt_bench.json").read_text())
    assert {row["category"]: row["base"] for row in mt_rows} == {
        key.removeprefix("category/"): value
        for key, value in base["mt_bench"].items()
        if key.startswith("category/")
    }

    # nothing changed: every call is a cache hit, and the figures are the same (hits and
    # misses count distinct prompts per batch of calls: two models that answer alike send the
    # judge one prompt twice)
    run(repo, "dvc", "repro", "--force", "--single-item", "evaluate")
    again = _eval(repo)
    assert _figures(again) == _figures(first)
    assert _calls(again) == {
        "calls": calls["calls"],
        "cache_hits": calls["cache_hits"] + calls["cache_misses"],
        "cache_misses": 0,
    }

    # a param change between two commits shows in `dvc metrics diff`
    run(repo, "git", "add", "-A")
    run(repo, "git", "commit", "-qm", "evaluate: first run")
    evaluate["ifeval"]["limit"] = 12
    evaluate["mt_bench"]["enabled"] = False
    set_params(repo, evaluate=evaluate)
    run(repo, "dvc", "repro", "evaluate")
    third = _eval(repo)
    assert "mt_bench" not in third["base"]
    assert json.loads((repo / "plots/evaluate/mt_bench.json").read_text()) == []
    # only the two new IFEval prompts, answered by each model (IFEval needs no judge)
    assert _calls(third)["cache_misses"] == 2 * len(evaluate["models"])
    run(repo, "git", "add", "-A")
    run(repo, "git", "commit", "-qm", "evaluate: more IFEval, no MT-Bench")
    diff = json.loads(run(repo, "dvc", "metrics", "diff", "HEAD~1", "--json").stdout)
    changed = diff["metrics/eval.json"]
    assert changed["base.ifeval.n_prompts"]["old"] + base["ifeval"]["too_long"] == 10
    assert changed["base.ifeval.n_prompts"]["new"] + third["base"]["ifeval"]["too_long"] == 12
    graded = changed["base.mt_bench.n_graded"]
    assert (graded["old"], graded.get("new")) == (8, None)
