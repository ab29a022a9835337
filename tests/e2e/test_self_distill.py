"""End-to-end on the default params: the session's default run writes non-empty SFT and DPO
sets that trl's SFTTrainer and DPOTrainer take as they are, and records appended to a default
source cost rewrite and self_distill calls only for the rows new to them. (How many rewrites
and restatements are accepted on the defaults is tests/e2e/test_default_world.py; a stage
killed mid-run resuming from its calls is the kill suite's,
tests/reliability/test_kill_every_stage.py.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from distilpipe.ops.rewrite import family_of
from distilpipe.ops.self_distill import DPO_COLUMNS, SFT_COLUMNS
from distilpipe.params import TrainDPO
from distilpipe.train import common, data
from distilpipe.train.dpo import dpo_config, preference_dataset
from distilpipe.train.sft import sft_config
from tests.e2e.conftest import Appended, run
from tests.train.conftest import DPO, SFT


def _metrics(repo: Path, stage: str) -> dict[str, Any]:
    return dict(json.loads((repo / f"metrics/{stage}.json").read_text()))


def test_the_sets_are_non_empty_and_trl_takes_them_as_written(golden: Path, tmp_path: Path) -> None:
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import DPOTrainer, SFTTrainer

    repo = golden / "repo"
    sft = pl.read_parquet(repo / "data/sft.parquet")
    dpo = pl.read_parquet(repo / "data/dpo.parquet")
    rewritten = pl.read_parquet(repo / "data/rewritten.parquet")
    augmented = pl.read_parquet(repo / "data/augmented.parquet")
    assert sft.columns == list(SFT_COLUMNS) and dpo.columns == list(DPO_COLUMNS)
    assert sft.height == rewritten.height == augmented.height > 0
    assert 0 < dpo.height <= sft.height
    m = _metrics(repo, "self_distill")
    r = _metrics(repo, "rewrite")
    assert m["sft_rows"] == sft.height and m["dpo_pairs"] == dpo.height
    assert m["dpo_pairs"] + sum(m["pairs_dropped"].values()) == m["rows_in"] == sft.height
    restated = m["restatement"]
    assert restated["accepted"] + sum(restated["kept_teacher"].values()) == sft.height
    assert r["turns_rewritten"] + sum(r["kept_original"].values()) == r["turns"]
    assert r["calls"]["calls"] == r["turns"] and r["calls"]["failed"] == 0
    # the judge answered every sampled row's first turn: rows of one user turn with the judge
    # stage's student answer reuse it; multi-turn rows and rows the augmentation stages added
    # (no judge columns) get a fresh student call
    users = augmented["messages"].list.eval(pl.element().struct.field("role") == "user").list.sum()
    fresh = int(((users > 1) | augmented["student_response"].is_null()).sum())
    assert m["rejected_from"] == {"judge_stage": sft.height - fresh, "fresh_call": fresh}
    assert m["by_role"].get("student", {"calls": 0})["calls"] == fresh

    student = str(repo / "models/tiny/student")
    tokenizer = AutoTokenizer.from_pretrained(student)
    common.ensure_generation_template(tokenizer, None)
    conversations = data.conversations(sft)
    sft_trainer = SFTTrainer(
        model=common.load_model(SFT, student, "fp32", "cpu"),
        args=sft_config(SFT, tmp_path / "sft-work", "cpu", "fp32"),
        train_dataset=Dataset.from_list([{"messages": c} for c in conversations]),
        processing_class=tokenizer,
    )
    # tokenized with the loss on the answers only, packed best-fit: every conversation is
    # one sequence of some packed row
    prepared = sft_trainer.train_dataset
    assert {"input_ids", "labels", "seq_lengths"} <= set(prepared.column_names)
    assert sum(len(lengths) for lengths in prepared["seq_lengths"]) == len(conversations)
    batch = next(iter(sft_trainer.get_train_dataloader()))
    assert (batch["labels"] != -100).any() and (batch["labels"] == -100).any()

    pairs = data.pairs(dpo)
    params = TrainDPO.model_validate({**DPO.model_dump(), "max_length": 2048})
    dpo_trainer = DPOTrainer(
        model=AutoModelForCausalLM.from_pretrained(student),
        args=dpo_config(params, tmp_path / "dpo-work", "cpu", "fp32"),
        train_dataset=preference_dataset(pairs),
        processing_class=AutoTokenizer.from_pretrained(student),
    )
    assert len(dpo_trainer.train_dataset) == len(pairs)
    first = dpo_trainer.train_dataset[0]
    assert first["chosen_ids"] != first["rejected_ids"]
    batch = next(iter(dpo_trainer.get_train_dataloader()))
    assert batch["input_ids"].shape[0] == 2 * min(DPO.batch_size, len(pairs))

    shown = json.loads(run(repo, "dvc", "plots", "show", "--json").stdout)
    assert not shown.get("errors")
    for plot in ("origins", "tasks", "languages", "lengths", "acceptance"):
        (spec,) = shown["data"][f"self_distill_{plot}"]
        assert spec["content"]["data"]["values"], plot


def test_appended_records_cost_rewrite_and_self_distill_calls_only_for_new_rows(
    appended: Appended,
) -> None:
    before_repo, repo = appended.before, appended.repo
    for stage in ("rewrite", "self_distill"):  # the new rows reach both
        assert f"Running stage '{stage}'" in appended.out, stage
    before = pl.read_parquet(before_repo / "data/rewritten.parquet")
    seen_rewrite = {(i, family_of(t)) for i, t in before.select("id", "task_type").iter_rows()}
    seen_final = {(i, m[-1]["content"]) for i, m in before.select("id", "messages").iter_rows()}
    after = pl.read_parquet(repo / "data/rewritten.parquet")
    new = after.filter(
        [
            (i, family_of(t)) not in seen_rewrite
            for i, t in after.select("id", "task_type").iter_rows()
        ]
    )
    assert new.height > 0
    statuses = [s for row in new["rewrite_status"].to_list() for s in row]
    # only rows new to rewrite cost teacher calls: one per assistant turn, except a turn too
    # long for the teacher, which is never sent (neither a hit nor a miss)
    r = _metrics(repo, "rewrite")
    assert r["calls"]["cache_misses"] == len(statuses) - statuses.count("too_long")
    assert r["calls"]["cache_hits"] > 0  # the rows rewrite had seen
    n_new = sum(
        (i, m[-1]["content"]) not in seen_final
        for i, m in after.select("id", "messages").iter_rows()
    )
    m = _metrics(repo, "self_distill")
    distiller = m["by_role"]["self_distiller"]
    assert n_new - distiller["too_long"] <= distiller["cache_misses"] <= n_new
    # the judge grades at most a new row's teacher answer, restatement and fresh student answer
    assert m["by_role"]["judge"]["cache_misses"] <= 3 * n_new
    assert m["calls"]["failed"] == 0
