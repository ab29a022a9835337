"""The experiment workflow over the whole pipeline, on the default params, as people drive
it: `dvc repro` after new data, `dvc exp run -S` to try a knob, `dvc exp show` and
`dvc metrics diff` to compare, queued experiments sharing one call cache.

Every test starts from a copy of the session's finished default run (conftest `golden`)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from distilpipe import plots as dvc_plots
from distilpipe import status
from tests.e2e.conftest import Appended, Experimented, copy_of, params_of, run
from tests.e2e.test_augment import _tries as expand_tries
from tests.e2e.test_translate import _attempts as translate_attempts

# What each LLM stage reads, and the most calls one new input row can cost there (per-turn
# stages: a row of the samples has at most 3 user turns). Translate and expand are held to
# their attempts and tries never made before, which a grown quota can reach on old rows.
LLM_STAGES = {
    "judge": ("data/pool.parquet", 4),
    "classify": ("data/judged.parquet", 1),
    "translate": ("data/sampled.parquet", 0),
    "expand": ("data/translated.parquet", 0),
    "multiturn": ("data/expanded.parquet", 4),
    "rewrite": ("data/augmented.parquet", 6),
    "self_distill": ("data/rewritten.parquet", 6),  # restatement, student answer, grades
}


def _ran(out: str) -> set[str]:
    return set(re.findall(r"Running stage '([^']+)'", out))


def _calls(repo: Path) -> dict[str, dict[str, int]]:
    return {s.name: s.calls for s in status.read_status(repo) if s.calls.get("calls")}


def _ids(repo: Path, path: str) -> set[str]:
    return set(pl.read_parquet(repo / path)["id"].to_list())


def _conversations(repo: Path) -> set[str]:
    """The SFT set's conversations, by content: what the teacher's KD calls are keyed by."""
    messages = pl.read_parquet(repo / "data/sft.parquet")["messages"].to_list()
    return {json.dumps(m, sort_keys=True) for m in messages}


def _metrics(repo: Path, name: str) -> dict[str, Any]:
    return dict(json.loads((repo / f"metrics/{name}.json").read_text()))


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_a_finished_pipeline_is_up_to_date_and_reruns_nothing(
    golden: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_of(golden, tmp_path / "copy", monkeypatch)
    assert "Data and pipelines are up to date." in run(repo, "dvc", "status").stdout
    out = run(repo, "dvc", "repro").stdout
    assert _ran(out) == set(), out
    stages = yaml.safe_load((repo / "dvc.yaml").read_text())["stages"]
    lock = yaml.safe_load((repo / "dvc.lock").read_text())["stages"]
    for name, stage in stages.items():  # every stage ran and is locked, training included
        if "foreach" not in stage:  # (ingest_hub loops over no Hub source by default)
            assert name in lock, name
    assert {f"ingest@{source}" for source in params_of(repo)["sources"]} <= set(lock)
    for folder in ("models/student-sft", "models/student-dpo"):
        assert (repo / folder / "config.json").is_file()
    figures = json.loads((repo / "metrics/eval.json").read_text())
    assert {"base", "sft", "dpo"} <= set(figures)


def test_appended_records_cost_calls_only_for_new_and_derived_rows(appended: Appended) -> None:
    """Records appended to the default magpie source, the default params, `dvc repro`: the
    new rows reach the judge, pass it and reach the sample, every stage after it runs again,
    each LLM stage pays only for rows new to it, and the base student's evaluation is all
    cache hits."""
    before, repo = appended.before, appended.repo
    ran = _ran(appended.out)
    assert "bootstrap" not in ran and "ingest@magpie" in ran
    assert not {"ingest@openhermes", "ingest@mammoth2"} & ran
    new_pool = _ids(repo, "data/pool.parquet") - _ids(before, "data/pool.parquet")
    assert len(new_pool) == len(appended.records)
    judge = _metrics(repo, "judge")
    too_long = judge["dropped"]["too_long"] - _metrics(before, "judge")["dropped"]["too_long"]
    assert too_long == 1  # the long Chinese instruction: dropped, uncalled
    assert judge["calls"]["cache_misses"] == 4 * (len(new_pool) - too_long)
    # new rows pass the judge and reach the sample, so every LLM stage has new input and runs
    assert _ids(repo, "data/judged.parquet") & new_pool
    assert _ids(repo, "data/sampled.parquet") & new_pool
    assert set(LLM_STAGES) | {"train_sft", "train_dpo", "evaluate"} <= ran

    attempts, tries = translate_attempts(before), expand_tries(before)
    before_calls, after = _calls(before), _calls(repo)
    for name, (path, per_row) in LLM_STAGES.items():
        old_rows = _ids(before, path)
        fresh = _ids(repo, path) - old_rows
        made = after[name]["calls"] - after[name]["cache_hits"] if name in after else 0
        if name == "translate":  # a grown quota also reaches old rows: attempts never made
            new_attempts = {k: v for k, v in translate_attempts(repo).items() if k not in attempts}
            assert made == sum(new_attempts.values()), (made, new_attempts)
        elif name == "expand":  # slots whose seeds changed are tried afresh
            new_tries = [k for k, v in expand_tries(repo).items() if tries.get(k) != v]
            assert made <= 2 * len(new_tries), (made, new_tries)
        else:
            assert made <= per_row * len(fresh), (name, made, len(fresh))
        if name in before_calls and _ids(repo, path) & old_rows:  # old rows in the input again
            assert after[name]["cache_hits"] > 0, name

    # white-box distillation: the teacher scores only conversations it has not scored before,
    # the new ones (and held-out ones the new rows pushed into training); the rest are hits
    sft_fresh = _conversations(repo) - _conversations(before)
    eval_size = params_of(repo)["train_sft"]["eval_size"]
    kd = after["train_sft"]
    assert 0 < kd["calls"] - kd["cache_hits"] <= len(sft_fresh) + eval_size, (kd, len(sft_fresh))
    assert kd["cache_hits"] >= before_calls["train_sft"]["calls"] - eval_size - len(sft_fresh)

    # the base student is unchanged: its evaluation is all cache hits, with the same figures
    base = _metrics(repo, "eval")["calls"]["by_model"]["base"]
    assert base["cache_misses"] == 0 and base["calls"] == base["cache_hits"]
    assert _metrics(repo, "eval")["base"] == _metrics(before, "eval")["base"]


def test_experiments_run_only_what_they_change_queue_and_diff(experimented: Experimented) -> None:
    """Two experiments queued and run at once on one call cache, one of them again on its
    own, compared with `dvc exp show`, then made the new baseline and diffed against the
    default run (the run, shared with tests/e2e/test_plots.py, is the `experimented`
    fixture's)."""
    e = experimented
    assert e.queue_status.count("Success") == 2 and "Failed" not in e.queue_status
    # each runs the stage its param feeds and what is downstream of it, nothing upstream
    upstream = {
        "stricter": {"pool", "bootstrap", "ingest@magpie"},
        "beta": {"judge", "self_distill", "train_sft"},
    }
    first = {"stricter": "judge", "beta": "train_dpo"}
    for name, log in e.queue_logs.items():
        ran = _ran(log)
        assert first[name] in ran and "evaluate" in ran, (name, ran)
        assert not upstream[name] & ran, (name, ran)
    assert {"train_sft", "train_dpo"} <= _ran(e.queue_logs["stricter"])
    # a keep rule costs no judge call: all of them come from the default run's cache
    judged = e.shown["queued-stricter"]["metrics"]["metrics/judge.json"]["data"]["calls"]
    golden_judge = json.loads((e.before / "metrics/judge.json").read_text())["calls"]
    assert judged["cache_hits"] == judged["calls"] == golden_judge["calls"]

    # run again on its own, the stricter experiment gives the same data, models and metrics,
    # byte for byte: its LLM stages from the cache the queued run filled, its training anew
    ran = _ran(e.sequential_out)
    assert {"judge", "train_sft", "train_dpo"} <= ran and "pool" not in ran
    assert e.results["stricter"] == e.results["queued-stricter"]
    assert e.results["queued-beta"] != e.results["queued-stricter"]

    rows = e.shown
    for name in ("stricter", "queued-beta"):
        assert rows[name]["metrics"]["metrics/judge.json"]["data"]["rows_in"] > 0
        assert rows[name]["metrics"]["metrics/eval.json"]["data"]["dpo"]
    assert rows["stricter"]["params"]["params.yaml"]["data"]["judge"]["min_mfd"] == 0.05
    beta = params_of(e.before)["train_dpo"]["beta"]
    assert rows["queued-beta"]["params"]["params.yaml"]["data"]["train_dpo"]["beta"] == 2 * beta

    # the stricter experiment made the new baseline: the diffs against the commit before
    changed = e.params_diff["params.yaml"]["judge.min_mfd"]
    assert (changed["old"], changed["new"]) == (0.0, 0.05)
    assert "rows_kept" in e.metrics_diff["metrics/judge.json"]
    specs = dvc_plots.vega_specs(e.plots_diff)
    assert set(dvc_plots.revisions(specs["judge_mfd"])) == {"HEAD~1", "workspace"}
