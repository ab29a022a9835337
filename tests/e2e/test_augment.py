"""End-to-end: expand and multiturn under `dvc repro`. On the default params both run and
write rows, and records appended to a default source cost calls only for the rows they bring
(and those derived from them); killed mid-stage, each resumes from its cached calls and
writes the same bytes as a run never interrupted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from distilpipe.ops.multiturn import chosen, user_turns
from distilpipe.schema import validate_rows
from tests.cache_db import cached_calls
from tests.conftest import magpie_record
from tests.e2e.conftest import copy_of, params_of, run, set_params
from tests.e2e.test_judge import EXTRA_QUESTIONS, NEW_QUESTIONS, _append_jsonl, _small

# enough new records that some pass the judge (it keeps about a fifth on the defaults)
APPENDED = [
    *NEW_QUESTIONS,
    *EXTRA_QUESTIONS,
    "What if the Roman Empire had never fallen? Describe Europe in the year 1500.",
    "如果人类从未发明印刷术，今天的教育会是什么样子？",
    "Imagine the Moon were twice as close to Earth. How would the tides change?",
    "假如恐龙没有灭绝，人类文明会如何发展？",
    "What would happen to daily life if electricity stopped working for a week?",
]


def _metrics(repo: Path, stage: str) -> dict[str, Any]:
    return dict(json.loads((repo / f"metrics/{stage}.json").read_text()))


def _tries(repo: Path) -> dict[tuple[str, int], tuple[str, ...]]:
    """Every synthesis try of the last expand run: (slot, attempt) -> its seed ids."""
    tries = {
        (r["slot"], r["attempt"]): tuple(r["seed_ids"])
        for r in pl.read_parquet(repo / "data/rejects/expand.parquet").iter_rows(named=True)
    }
    expanded = pl.read_parquet(repo / "data/expanded.parquet")
    for meta in expanded.filter(pl.col("origin") == "expanded")["meta"]:
        m = json.loads(meta)
        tries[(m["slot"], m["attempt"])] = tuple(m["seed_ids"])
    return tries


@pytest.mark.slow
@pytest.mark.timeout(1800)  # the default pipeline up to multiturn from a cold cache, twice
def test_expand_and_multiturn_on_the_defaults_and_appended_records(
    golden: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the session's default run, from a cold cache
    repo = copy_of(golden, tmp_path / "copy", monkeypatch)
    run(repo, "dvc", "repro", "multiturn")
    translated = pl.read_parquet(repo / "data/translated.parquet")
    expanded = validate_rows(pl.read_parquet(repo / "data/expanded.parquet"), "expanded")
    augmented = validate_rows(pl.read_parquet(repo / "data/augmented.parquet"), "augmented")
    assert expanded.head(translated.height).equals(translated)  # rows only ever added
    assert augmented.head(expanded.height).equals(expanded)

    e, m, s = (_metrics(repo, stage) for stage in ("expand", "multiturn", "sample"))
    # translation fills languages within a type's quota: the types' shortfall stays
    assert e["rows_wanted"] == s["shortfall_rows"] > 0
    assert e["rows_out"] == expanded.height == translated.height + e["rows_added"]
    assert e["tries"] == e["rows_added"] + sum(e["rejects"].values())
    steps = e["by_step"]
    assert steps["synthesis"]["calls"] == e["tries"]
    assert steps["answer"]["calls"] == e["rows_added"] + sum(
        n for r, n in e["rejects"].items() if r.startswith("answer_")
    )
    assert e["calls"]["calls"] == steps["synthesis"]["calls"] + steps["answer"]["calls"]
    assert e["calls"]["failed"] == 0
    # the tiny teacher rarely writes the tags: its failures are counted, not hidden
    assert sum(e["rejects"].values()) > 0
    assert sum(e["seed_modes"].values()) == e["rows_wanted"]

    # multiturn adds rows on the defaults
    assert m["rows_added"] > 0 and m["rows_out"] == augmented.height
    new = augmented.slice(expanded.height)
    assert set(new["origin"]) == {"multiturn"}
    assert set(new["parent_id"]) <= set(expanded["id"])
    assert all(user_turns(x) >= 2 for x in new["messages"].to_list())
    assert m["rows_chosen"] == int(
        chosen(expanded["id"], params_of(repo)["multiturn"]["fraction"]).sum()
    )
    assert m["calls"]["failed"] == 0
    for name in ("expand/added", "expand/languages", "multiturn/added", "multiturn/languages"):
        assert json.loads((repo / f"plots/{name}.json").read_text())

    # records appended to the default magpie source: calls only for what they change
    old_ids, old_tries = set(expanded["id"]), _tries(repo)
    judged = (repo / "data/judged.parquet").read_bytes()
    records = [magpie_record(9000 + i, q) for i, q in enumerate(APPENDED)]
    _append_jsonl(repo / "data/samples/magpie.jsonl", records)
    out = run(repo, "dvc", "repro", "multiturn")
    assert "Running stage 'bootstrap'" not in out.stdout
    ran = {stage: f"Running stage '{stage}'" in out.stdout for stage in ("expand", "multiturn")}
    if (repo / "data/judged.parquet").read_bytes() == judged:
        # the judge dropped every new row: nothing downstream changed, so nothing re-ran
        assert not ran["expand"] and not ran["multiturn"]
        return
    if ran["expand"]:
        e2 = _metrics(repo, "expand")
        fresh = [k for k, seeds in _tries(repo).items() if old_tries.get(k) != seeds]
        assert e2["by_step"]["synthesis"]["cache_misses"] <= len(fresh)
        assert e2["by_step"]["answer"]["cache_misses"] <= len(fresh)
    if ran["multiturn"]:
        m2 = _metrics(repo, "multiturn")
        expanded2 = pl.read_parquet(repo / "data/expanded.parquet")
        new_rows = expanded2.filter(~pl.col("id").is_in(list(old_ids)))
        fraction, max_turns = (params_of(repo)["multiturn"][k] for k in ("fraction", "max_turns"))
        chosen_new = int(chosen(new_rows["id"], fraction).sum())
        assert m2["calls"]["cache_misses"] <= 2 * (max_turns - 1) * chosen_new
        if m2["rows_chosen"] > chosen_new:  # old rows chosen again: their calls are hits
            assert m2["calls"]["cache_hits"] > 0


def _kill_mid_stage(repo: Path, stage: str, cache: Path, after_calls: int) -> int:
    """Run stages/<stage>.py, SIGKILL it once `after_calls` new calls are cached; return how
    many calls it had finished."""
    before = cached_calls(cache)
    proc = subprocess.Popen(
        [sys.executable, f"stages/{stage}.py"],
        cwd=repo,
        env={**os.environ, "DISTILPIPE_CACHE_DIR": str(cache)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while cached_calls(cache) < before + after_calls and time.monotonic() < deadline:
        assert proc.poll() is None, f"{stage} finished before it could be killed"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return cached_calls(cache) - before


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_expand_and_multiturn_killed_mid_stage_resume_from_their_cached_calls(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small(repo, magpie=10, openhermes=10, mammoth2=10)
    params = params_of(repo)
    # sampled synthesis calls run one at a time: 16 rows and one try keep them few
    set_params(
        repo,
        llm={**params["llm"], "batch_size": 4},
        sample={**params["sample"], "n": 16},
        expand={**params["expand"], "attempts": 1},
        multiturn={**params["multiturn"], "fraction": 1.0},
    )
    run(repo, "dvc", "repro", "translate")  # expand's input
    cache = repo.parent / "llm-cache"
    for n, (stage, output) in enumerate(
        (("expand", "data/expanded.parquet"), ("multiturn", "data/augmented.parquet"))
    ):
        finished = _kill_mid_stage(repo, stage, cache, after_calls=4)
        assert finished >= 4
        assert not (repo / output).exists()  # nothing half-written

        run(repo, "dvc", "repro", stage)
        resumed = _metrics(repo, stage)["calls"]
        assert resumed["cache_hits"] >= finished
        assert resumed["cache_misses"] < resumed["calls"]
        written = (repo / output).read_bytes()

        monkeypatch.setenv("DISTILPIPE_CACHE_DIR", str(repo.parent / f"fresh-cache-{n}"))
        run(repo, "dvc", "repro", "--force", "--single-item", stage)
        monkeypatch.setenv("DISTILPIPE_CACHE_DIR", str(cache))
        assert _metrics(repo, stage)["calls"]["cache_hits"] < resumed["cache_hits"]
        assert (repo / output).read_bytes() == written  # as if never interrupted
