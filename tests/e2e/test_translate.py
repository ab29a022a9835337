"""End-to-end: the translate stage on the default params. It translates the rows the sample's
quota asks for (or counts why not), and records appended to a default source cost translate
calls only for attempts never made before. (How much of its quota it fills on the defaults is
tests/e2e/test_default_world.py; a translate killed mid-stage resuming from its calls is the
kill suite's, tests/reliability/test_kill_every_stage.py.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from distilpipe.ops.translate import REASONS
from distilpipe.schema import validate_rows
from tests.e2e.conftest import Appended


def _metrics(repo: Path) -> dict[str, Any]:
    return dict(json.loads((repo / "metrics/translate.json").read_text()))


def _attempts(repo: Path) -> dict[tuple[str, str, int], int]:
    """Every attempt of the last run, (parent id, target language, attempt) -> the turns it
    sent to the teacher: the rejected ones from the rejects file, the accepted ones from the
    translated rows (each after as many rejected attempts as its rejects)."""
    rejects = pl.read_parquet(repo / "data/rejects/translate.parquet")
    out = {
        (r["parent_id"], r["lang"], r["attempt"]): r["calls"] for r in rejects.iter_rows(named=True)
    }
    rows = pl.read_parquet(repo / "data/translated.parquet")
    for r in rows.filter(pl.col("origin") == "translated").iter_rows(named=True):
        tries = sum(1 for key in out if key[:2] == (r["parent_id"], r["lang"]))
        out[(r["parent_id"], r["lang"], tries)] = len(r["messages"])
    return out


def test_translate_on_the_defaults_accounts_for_every_row_and_call(golden: Path) -> None:
    # the session's default run, from a cold cache: its translate metrics are a cold run's
    repo = golden / "repo"
    sampled = pl.read_parquet(repo / "data/sampled.parquet")
    out = validate_rows(pl.read_parquet(repo / "data/translated.parquet"), "translated")
    quota = json.loads((repo / "data/translate_quota.json").read_text())["quota"]
    m = _metrics(repo)
    # the default sample lacks rows of a language, so there is work, and every row is
    # accounted for: added, or short with its attempts rejected by reason
    assert m["quota_rows"] == sum(q["rows"] for q in quota) > 0
    assert out.head(sampled.height).equals(sampled)
    added = out.slice(sampled.height)
    assert m["rows_in"] == sampled.height and m["rows_out"] == out.height > 0
    assert m["rows_added"] == added.height == m["quota_rows"] - m["shortfall_rows"]
    assert set(added["origin"]) <= {"translated"}
    assert set(added["parent_id"]) <= set(sampled["id"])
    assert m["attempts"] == m["rows_added"] + sum(m["rejects"].values())
    assert list(m["rejects"]) == list(REASONS)
    assert m["calls"]["failed"] == 0 and m["calls"]["cache_misses"] > 0
    first = _attempts(repo)
    assert len(first) == m["attempts"]
    sent = sum(first.values())
    assert m["calls"]["calls"] == sent + m["calls"]["too_long"]
    assert m["calls"]["cache_misses"] == sent  # a cold cache: every call sent was computed


def test_appended_records_cost_calls_only_for_new_attempts(appended: Appended) -> None:
    """Chinese and English records appended to the default magpie source: the translate calls
    made are those of attempts never made before (new rows, or rows a changed quota now
    reaches); every earlier attempt made again is a cache hit, with the same turns."""
    before, repo = appended.before, appended.repo
    assert "Running stage 'translate'" in appended.out
    first, second = _attempts(before), _attempts(repo)
    again = _metrics(repo)
    fresh = {k: v for k, v in second.items() if k not in first}
    repeated = {k: v for k, v in second.items() if k in first}
    assert again["calls"]["cache_misses"] == sum(fresh.values())
    assert again["calls"]["cache_hits"] == sum(repeated.values())
    assert all(first[k] == v for k, v in repeated.items())
    new_rows = set(pl.read_parquet(repo / "data/sampled.parquet")["id"]) - set(
        pl.read_parquet(before / "data/sampled.parquet")["id"]
    )
    # appended rows reached the sample (which keeps its size n, so others left it)
    sampled = pl.read_parquet(repo / "data/sampled.parquet")
    assert new_rows and again["rows_in"] == sampled.height
