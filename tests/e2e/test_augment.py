"""End-to-end: expand and multiturn on the default params. Both run and account for every
row and call, and records appended to a default source cost calls only for the rows they
bring (and those derived from them). (How many rows they add on the defaults is
tests/e2e/test_default_world.py; a stage killed mid-run resuming from its calls is the kill
suite's, tests/reliability/test_kill_every_stage.py.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from distilpipe.ops.multiturn import chosen, user_turns
from distilpipe.schema import validate_rows
from tests.e2e.conftest import Appended, params_of


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


def test_expand_and_multiturn_on_the_defaults(golden: Path) -> None:
    # the session's default run, from a cold cache
    repo = golden / "repo"
    translated = pl.read_parquet(repo / "data/translated.parquet")
    expanded = validate_rows(pl.read_parquet(repo / "data/expanded.parquet"), "expanded")
    augmented = validate_rows(pl.read_parquet(repo / "data/augmented.parquet"), "augmented")
    assert expanded.head(translated.height).equals(translated)  # rows only ever added
    assert augmented.head(expanded.height).equals(expanded)

    e, m, s = (_metrics(repo, stage) for stage in ("expand", "multiturn", "sample"))
    # what each type still lacks of its quota once the translated rows are in
    present = translated["task_type"].value_counts()
    lacking = sum(
        max(0, share["target_rows"] - present.filter(pl.col("task_type") == task)["count"].sum())
        for task, share in s["task_share"].items()
    )
    assert e["rows_wanted"] == lacking > 0
    assert lacking <= s["shortfall_rows"]
    assert e["rows_out"] == expanded.height == translated.height + e["rows_added"]
    assert e["tries"] == e["rows_added"] + sum(e["rejects"].values())
    steps = e["by_step"]
    assert steps["synthesis"]["calls"] == e["tries"]
    assert steps["answer"]["calls"] == e["rows_added"] + sum(
        n for r, n in e["rejects"].items() if r.startswith("answer_")
    )
    # every try that reached the type-back check asked the classifier role once
    assert steps["type_check"]["calls"] == e["tries"] - sum(
        e["rejects"][r]
        for r in ("too_long", "failed", "cut_off", "untagged", "empty", "wrong_lang")
    )
    assert e["calls"]["calls"] == sum(step["calls"] for step in steps.values())
    assert e["calls"]["failed"] == 0
    assert sum(e["seed_modes"].values()) == e["rows_wanted"]
    new = expanded.slice(translated.height)
    assert set(new["origin"]) <= {"expanded"} and new.height == e["rows_added"]

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


def test_appended_records_cost_expand_and_multiturn_calls_only_for_what_they_change(
    appended: Appended,
) -> None:
    before, repo = appended.before, appended.repo
    for stage in ("expand", "multiturn"):  # the new rows reach both
        assert f"Running stage '{stage}'" in appended.out, stage
    old_tries = _tries(before)
    e2 = _metrics(repo, "expand")
    fresh = [k for k, seeds in _tries(repo).items() if old_tries.get(k) != seeds]
    assert e2["by_step"]["synthesis"]["cache_misses"] <= len(fresh)
    assert e2["by_step"]["answer"]["cache_misses"] <= len(fresh)

    m2 = _metrics(repo, "multiturn")
    old_ids = set(pl.read_parquet(before / "data/expanded.parquet")["id"])
    expanded2 = pl.read_parquet(repo / "data/expanded.parquet")
    new_rows = expanded2.filter(~pl.col("id").is_in(list(old_ids)))
    fraction, max_turns = (params_of(repo)["multiturn"][k] for k in ("fraction", "max_turns"))
    chosen_new = int(chosen(new_rows["id"], fraction).sum())
    assert m2["calls"]["cache_misses"] <= 2 * (max_turns - 1) * chosen_new
    assert m2["rows_chosen"] >= chosen_new
    if m2["rows_chosen"] > chosen_new:  # old rows chosen again: their calls are hits
        assert m2["calls"]["cache_hits"] > 0
