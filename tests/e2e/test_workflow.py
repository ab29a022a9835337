"""The experiment workflow over the whole pipeline, on the default params, as people drive
it: `dvc repro` after new data, `dvc exp run -S` to try a knob, `dvc exp show` and
`dvc metrics diff` to compare, queued experiments sharing one call cache.

Every test starts from a copy of the session's finished default run (conftest `golden`)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from distilpipe import plots as dvc_plots
from distilpipe import status
from tests.conftest import magpie_record
from tests.e2e.conftest import CALL_KEYS, MEASUREMENTS, copy_of, params_of, run
from tests.e2e.test_augment import _tries as expand_tries
from tests.e2e.test_translate import _attempts as translate_attempts
from tests.project import tool_env

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
NEW_QUESTIONS = [
    "How do I merge two sorted lists in Python without using sort()?",
    "请解释一下什么是复利，并举一个简单的例子。",
    "What is the difference between a list and a tuple in Python?",
    "写一首关于秋天的四行短诗。",
    "Explain why the sky looks blue during the day but red at sunset.",
    "如何用二分查找在有序数组中找到一个数？请给出步骤。",
]


def _ran(out: str) -> set[str]:
    return set(re.findall(r"Running stage '([^']+)'", out))


def _calls(repo: Path) -> dict[str, dict[str, int]]:
    return {s.name: s.calls for s in status.read_status(repo) if s.calls.get("calls")}


def _ids(repo: Path, path: str) -> set[str]:
    return set(pl.read_parquet(repo / path)["id"].to_list())


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


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_appended_records_cost_calls_only_for_new_and_derived_rows(
    golden: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_of(golden, tmp_path / "copy", monkeypatch)
    inputs = {name: _ids(repo, path) for name, (path, _) in LLM_STAGES.items()}
    attempts, tries = translate_attempts(repo), expand_tries(repo)
    before = _calls(repo)
    eval_before = _metrics(repo, "eval")

    records = [magpie_record(9500 + i, q) for i, q in enumerate(NEW_QUESTIONS)]
    with (repo / "data/samples/magpie.jsonl").open("a", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    out = run(repo, "dvc", "repro").stdout
    ran = _ran(out)
    assert "bootstrap" not in ran and "ingest@magpie" in ran
    assert not {"ingest@openhermes", "ingest@mammoth2"} & ran
    after = _calls(repo)
    new_pool = _ids(repo, "data/pool.parquet") - inputs["judge"]
    assert len(new_pool) == len(NEW_QUESTIONS)
    assert after["judge"]["calls"] - after["judge"]["cache_hits"] == 4 * len(new_pool)

    for name, (path, per_row) in LLM_STAGES.items():
        if name not in ran:
            continue
        fresh = _ids(repo, path) - inputs[name]
        made = after[name]["calls"] - after[name]["cache_hits"] if name in after else 0
        if name == "translate":  # a grown quota also reaches old rows: attempts never made
            new_attempts = {k: v for k, v in translate_attempts(repo).items() if k not in attempts}
            assert made == sum(new_attempts.values()), (made, new_attempts)
        elif name == "expand":  # slots whose seeds changed are tried afresh
            new_tries = [k for k, v in expand_tries(repo).items() if tries.get(k) != v]
            assert made <= 2 * len(new_tries), (made, new_tries)
        else:
            assert made <= per_row * len(fresh), (name, made, len(fresh))
        if name in before and fresh != _ids(repo, path):  # old rows in the input again
            assert after[name]["cache_hits"] > 0, name

    # the base student is unchanged: its evaluation is all cache hits
    if "evaluate" in ran:
        base = _metrics(repo, "eval")["calls"]["by_model"]["base"]
        assert base["cache_misses"] == 0 and base["calls"] == base["cache_hits"]
        assert _metrics(repo, "eval")["base"] == eval_before["base"]


@pytest.mark.slow
@pytest.mark.timeout(2400)
def test_experiments_run_only_what_they_change_queue_and_diff(
    golden: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_of(golden, tmp_path / "copy", monkeypatch)
    judge_calls = _metrics(repo, "judge")["calls"]["calls"]
    n = params_of(repo)["sample"]["n"]
    experiments = {"stricter": "judge.min_mfd=0.05", "smaller": f"sample.n={n // 2}"}

    # two experiments queued and run at once, sharing the call cache
    for name, change in experiments.items():
        run(repo, "dvc", "exp", "run", "--queue", "-n", f"queued-{name}", "-S", change)
    _run_queue(repo, workers=2)
    tasks = run(repo, "dvc", "queue", "status").stdout
    assert tasks.count("Success") == 2 and "Failed" not in tasks, tasks
    queued = _results(repo, tuple(f"queued-{name}" for name in experiments))

    # the same experiments one after the other: the same results, and each runs only the
    # stage its param feeds and what is downstream of it
    upstream = {
        "stricter": {"pool", "bootstrap", "ingest@magpie"},
        "smaller": {"judge", "classify"},
    }
    for name, change in experiments.items():
        out = run(repo, "dvc", "exp", "run", "-n", name, "-S", change).stdout
        ran = _ran(out)
        assert name.replace("stricter", "judge").replace("smaller", "sample") in ran, out
        assert not upstream[name] & ran, (name, ran)
        assert "train_dpo" in ran and "evaluate" in ran  # what is downstream runs
        if name == "stricter":  # a keep rule: the judge's calls are all cached
            judged = _metrics(repo, "judge")["calls"]
            assert judged["cache_hits"] == judged["calls"] == judge_calls
        assert _results(repo, (name,))[name] == queued[f"queued-{name}"], name
        run(repo, "git", "checkout", "--", ".")

    shown = json.loads(run(repo, "dvc", "exp", "show", "--json").stdout)
    rows = {e["name"]: e["data"] for e in _experiments(shown)}
    for name in experiments:
        assert rows[name]["metrics"]["metrics/judge.json"]["data"]["rows_in"] > 0
        assert rows[name]["metrics"]["metrics/eval.json"]["data"]["dpo"]
    params = {name: rows[name]["params"]["params.yaml"]["data"] for name in experiments}
    assert params["stricter"]["judge"]["min_mfd"] == 0.05
    assert params["smaller"]["sample"]["n"] == n // 2

    # an experiment made the new baseline: the diffs against the commit before show it
    run(repo, "dvc", "exp", "apply", "stricter")
    run(repo, "git", "add", "-A")
    run(repo, "git", "commit", "-qm", "judge.min_mfd 0.05")
    params_diff = json.loads(run(repo, "dvc", "params", "diff", "HEAD~1", "--json").stdout)
    changed = params_diff["params.yaml"]["judge.min_mfd"]
    assert (changed["old"], changed["new"]) == (0.0, 0.05)
    metrics_diff = json.loads(run(repo, "dvc", "metrics", "diff", "HEAD~1", "--json").stdout)
    assert "rows_kept" in metrics_diff["metrics/judge.json"]
    specs = dvc_plots.vega_specs(
        json.loads(run(repo, "dvc", "plots", "diff", "HEAD~1", "--json").stdout)
    )
    assert set(dvc_plots.revisions(specs["judge_mfd"])) == {"HEAD~1", "workspace"}


def _experiments(shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for baseline in shown:
        for exp in baseline.get("experiments") or []:
            out += [r for r in exp.get("revs") or [] if r.get("name")]
    return out


def _run_queue(repo: Path, workers: int, deadline_s: float = 1500.0) -> None:
    """`dvc queue start -j N`, then wait until no queued experiment is queued or running.

    The workers run in the background holding the streams `dvc queue start` had, so its
    output goes to a file: a pipe would stay open as long as they live. And a worker can
    outlive the queue (kombu's filesystem broker lets two workers read one message file;
    the loser logs a JSONDecodeError and never shuts down), so the workers still up when the
    queue is done are stopped here."""
    log = repo.parent / "queue-start.log"
    with log.open("w") as out:
        subprocess.run(
            ["dvc", "queue", "start", "-j", str(workers)],
            cwd=repo,
            env=tool_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    try:
        start = time.monotonic()
        while time.monotonic() - start < deadline_s:
            tasks = run(repo, "dvc", "queue", "status").stdout
            if not re.search(r"\b(Queued|Running)\b", tasks):
                return
            time.sleep(2)  # a poll of the queue's own state, not a guess at how long it takes
        raise AssertionError(f"the queue did not finish in {deadline_s:.0f} s:\n{tasks}")
    finally:
        for info in (repo / ".dvc/tmp/exps/celery").glob("dvc-exp-worker-*.json"):
            worker = json.loads(info.read_text())  # dvc-task's record of the process
            if worker["returncode"] is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker["pid"], signal.SIGTERM)


def _results(repo: Path, names: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """What each named experiment produced, from `dvc exp show`: the hash of every data and
    model file it depends on, and its metrics without the call counts (a run on a warm
    cache makes fewer calls for the same results) or the machine's measurements."""
    shown = json.loads(run(repo, "dvc", "exp", "show", "--json").stdout)
    found = {}
    for e in _experiments(shown):
        if e["name"] in names:
            data = e["data"]
            hashes = {
                path: dep.get("hash")
                for path, dep in data["deps"].items()
                if path.startswith(("data/", "models/"))
            }
            metrics = {
                path: {k: v for k, v in m["data"].items() if k not in CALL_KEYS + MEASUREMENTS}
                for path, m in data["metrics"].items()
            }
            found[e["name"]] = {"deps": hashes, "metrics": metrics}
    assert set(found) == set(names), (names, set(found))
    return found
