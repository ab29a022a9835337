"""End-to-end on the default params: `dvc repro self_distill` writes non-empty SFT and DPO
sets that trl's SFTTrainer and DPOTrainer take as they are; records appended to a default
source cost rewrite and self_distill calls only for the rows new to them; a self_distill
killed mid-stage resumes from its cached calls and writes the same bytes.

One pipeline run for the module (the tiny models, judge, classify, sample from a cold
cache); the tests after the first change the repo, so they run in file order."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from distilpipe.ops.rewrite import family_of
from distilpipe.ops.self_distill import DPO_COLUMNS, SFT_COLUMNS
from distilpipe.params import TrainDPO
from distilpipe.train import common, data
from distilpipe.train.dpo import dpo_config, preference_dataset
from distilpipe.train.sft import sft_config
from tests.cache_db import cached_calls
from tests.conftest import magpie_record
from tests.e2e.conftest import copy_of, run
from tests.train.conftest import DPO, SFT

NEW_QUESTIONS = [
    "A bakery sells 14 muffins an hour for 6 hours. How many muffins is that?",
    "What is the sum of the first 20 positive odd numbers?",
    "Convert 3.5 hours into minutes and seconds.",
    "一个长方形长 9 厘米，宽 4 厘米，它的面积是多少？",
    "小红每天读 12 页书，读完一本 180 页的书需要几天？",
    "If 5 pens cost 35 yuan, how much do 8 pens cost?",
]


def _metrics(repo: Path, stage: str) -> dict[str, Any]:
    return dict(json.loads((repo / f"metrics/{stage}.json").read_text()))


@pytest.fixture(scope="module")
def distilled(golden: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the session's default run (`dvc repro` on the default params, from a cold
    LLM cache), with that run's call cache in use."""
    tmp = tmp_path_factory.mktemp("distill")
    with pytest.MonkeyPatch.context() as monkeypatch:
        repo = copy_of(golden, tmp / "copy", monkeypatch)
        assert "Running stage" not in run(repo, "dvc", "repro", "self_distill").stdout
        yield repo


@pytest.mark.slow
@pytest.mark.timeout(1800)  # the default pipeline up to self_distill from a cold LLM cache
def test_the_sets_are_non_empty_and_trl_takes_them_as_written(distilled: Path) -> None:
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import DPOTrainer, SFTTrainer

    repo = distilled
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
        args=sft_config(SFT, repo.parent / "sft-work", "cpu", "fp32"),
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
        args=dpo_config(params, repo.parent / "dpo-work", "cpu", "fp32"),
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


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_new_records_cost_only_their_calls_and_a_killed_stage_resumes(
    distilled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = distilled
    before = pl.read_parquet(repo / "data/rewritten.parquet")
    seen_rewrite = {(i, family_of(t)) for i, t in before.select("id", "task_type").iter_rows()}
    seen_final = {(i, m[-1]["content"]) for i, m in before.select("id", "messages").iter_rows()}

    with (repo / "data/samples/magpie.jsonl").open("a", encoding="utf-8") as fh:
        for k, question in enumerate(NEW_QUESTIONS):
            record = magpie_record(9500 + k, question, f"Worked answer {k}: the answer is {k}.")
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    out = run(repo, "dvc", "repro", "self_distill")
    assert "Running stage 'bootstrap'" not in out.stdout
    after = pl.read_parquet(repo / "data/rewritten.parquet")
    new = after.filter(
        [
            (i, family_of(t)) not in seen_rewrite
            for i, t in after.select("id", "task_type").iter_rows()
        ]
    )
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
    print(f"rows new to rewrite: {new.height}, to self_distill: {n_new}")
    sft = (repo / "data/sft.parquet").read_bytes()
    dpo = (repo / "data/dpo.parquet").read_bytes()

    # killed mid-stage on an empty cache: nothing half-written; the re-run finds every
    # finished call cached, and writes what a run never interrupted writes, byte for byte
    cache = repo.parent / "fresh-cache"
    monkeypatch.setenv("DISTILPIPE_CACHE_DIR", str(cache))
    proc = subprocess.Popen(
        [sys.executable, "stages/self_distill.py"],
        cwd=repo,
        env={**os.environ},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while cached_calls(cache) < 32 and time.monotonic() < deadline:  # one batch finished
        assert proc.poll() is None, "self_distill finished before it could be killed"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished = cached_calls(cache)
    assert finished >= 32
    assert (repo / "data/sft.parquet").read_bytes() == sft
    assert (repo / "data/dpo.parquet").read_bytes() == dpo

    run(repo, "dvc", "repro", "--force", "--single-item", "self_distill")
    resumed = _metrics(repo, "self_distill")
    assert resumed["calls"]["cache_hits"] >= finished
    assert 0 < resumed["calls"]["cache_misses"] < resumed["calls"]["calls"]
    kept = {name: (repo / f"data/{name}.parquet").read_bytes() for name in ("sft", "dpo")}

    # A run never interrupted, on another empty cache. (Not compared with the run above on
    # the first cache: there the new rows' calls were batched apart from the cached ones,
    # and a batch's padding may move a tiny model's greedy choice.)
    monkeypatch.setenv("DISTILPIPE_CACHE_DIR", str(repo.parent / "fresh-cache-2"))
    run(repo, "dvc", "repro", "--force", "--single-item", "self_distill")
    assert _metrics(repo, "self_distill")["calls"]["cache_hits"] < resumed["calls"]["cache_hits"]
    for name, content in kept.items():
        assert (repo / f"data/{name}.parquet").read_bytes() == content, name
