"""Bad input to every stage after ingest: a file that is no Parquet, a column missing or of
the wrong type, a null where the row schema allows none. Each stops the stage with one
`error:` line naming the file and the column, before any model is loaded; no traceback."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest

from distilpipe import io
from distilpipe.ops.classify import CLASSIFY_COLUMNS
from distilpipe.ops.judge import JUDGE_COLUMNS
from distilpipe.ops.rewrite import REWRITE_COLUMNS
from distilpipe.ops.sample import SAMPLE_COLUMNS
from distilpipe.schema import MESSAGES, ROW_SCHEMA
from tests.project import ROOT, run_stage_script

SAMPLED = {**ROW_SCHEMA, **JUDGE_COLUMNS, **CLASSIFY_COLUMNS, **SAMPLE_COLUMNS}
# stage -> (the input it reads first, that file's columns as the stage before writes them)
INPUTS = {
    "pool": ("data/ingested/magpie.parquet", dict(ROW_SCHEMA)),
    "judge": ("data/pool.parquet", dict(ROW_SCHEMA)),
    "classify": ("data/judged.parquet", {**ROW_SCHEMA, **JUDGE_COLUMNS}),
    "sample": ("data/classified.parquet", {**ROW_SCHEMA, **JUDGE_COLUMNS, **CLASSIFY_COLUMNS}),
    "translate": ("data/sampled.parquet", SAMPLED),
    "expand": ("data/translated.parquet", SAMPLED),
    "multiturn": ("data/expanded.parquet", SAMPLED),
    "rewrite": ("data/augmented.parquet", SAMPLED),
    "self_distill": ("data/rewritten.parquet", {**SAMPLED, **REWRITE_COLUMNS}),
    "train_sft": ("data/sft.parquet", {"id": pl.String, "messages": MESSAGES}),
    "train_dpo": (
        "data/dpo.parquet",
        {"id": pl.String, "prompt": MESSAGES, "chosen": MESSAGES, "rejected": MESSAGES},
    ),
}
# stage -> a column the stage needs: dropped in one case, given another type in the next
NEEDED = {
    "pool": "lang",
    "judge": "messages",
    "classify": "mfd",
    "sample": "task_type",
    "translate": "instruction_length",
    "expand": "task_conf",
    "multiturn": "messages",
    "rewrite": "lang",
    "self_distill": "original_messages",
    "train_sft": "messages",
    "train_dpo": "chosen",
}


def _run_stage(tmp_path: Path, stage: str) -> subprocess.CompletedProcess[str]:
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    return run_stage_script(tmp_path, stage)


def _assert_one_line(proc: subprocess.CompletedProcess[str], expected: str) -> None:
    assert proc.returncode == 1, proc.stderr[-2000:]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: {expected}"], proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("stage", list(INPUTS))
def test_a_file_that_is_no_parquet(tmp_path: Path, stage: str) -> None:
    path, _ = INPUTS[stage]
    (tmp_path / path).parent.mkdir(parents=True)
    (tmp_path / path).write_text('{"id": "not parquet"}\n')
    proc = _run_stage(tmp_path, stage)
    assert proc.returncode == 1
    assert f"error: {path}: not a readable Parquet file (" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("stage", list(INPUTS))
def test_a_column_missing_then_of_the_wrong_type(tmp_path: Path, stage: str) -> None:
    path, columns = INPUTS[stage]
    column = NEEDED[stage]
    assert column in columns
    full = pl.DataFrame(schema=columns)
    io.write_parquet(full.drop(column), tmp_path / path)
    _assert_one_line(_run_stage(tmp_path, stage), f"{path}: column '{column}' is missing")

    wrong = pl.Int64 if columns[column] != pl.Int64 else pl.String
    io.write_parquet(full.with_columns(pl.lit(None, wrong).alias(column)), tmp_path / path)
    _assert_one_line(
        _run_stage(tmp_path, stage),
        f"{path}: column '{column}' is {wrong}, not {columns[column]}",
    )


def test_a_null_where_the_row_schema_allows_none(tmp_path: Path) -> None:
    row = {
        "id": None,
        "source": "magpie",
        "source_id": None,
        "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}],
        "lang": "en",
        "origin": "source",
        "parent_id": None,
        "meta": "{}",
    }
    io.write_parquet(pl.DataFrame([row], schema=ROW_SCHEMA), tmp_path / "data/pool.parquet")
    _assert_one_line(_run_stage(tmp_path, "judge"), "data/pool.parquet: column 'id' has 1 nulls")
