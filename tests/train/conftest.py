"""Training tests run on what `make run` builds: the tiny student (models/tiny/student) and
the judge's rows (data/judged.parquet), from which the SFT and DPO sets are made as
`sets_from_judged` makes them until the self-distillation stage writes the real ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from distilpipe.params import TrainDPO, TrainSFT
from distilpipe.train import data
from distilpipe.train.sft import train_sft

ROOT = Path(__file__).resolve().parents[2]
STUDENT = ROOT / "models/tiny/student"
JUDGED = ROOT / "data/judged.parquet"
# A few steps on a few rows: enough to move the loss, quick on a CPU.
SFT = TrainSFT(
    max_steps=6,
    batch_size=4,
    lr=2e-3,
    max_length=256,
    save_steps=2,
    eval_size=16,
    warmup_ratio=0.0,
    seed=0,
)
DPO = TrainDPO(
    model=None,
    max_steps=4,
    batch_size=4,
    lr=1e-3,
    max_length=256,
    save_steps=2,
    eval_size=8,
    warmup_ratio=0.0,
    seed=0,
    gen_max_new_tokens=16,
)


@pytest.fixture(scope="session")
def student() -> str:
    if not (STUDENT / "config.json").is_file():
        pytest.skip("models/tiny/student is missing: run `make run` first")
    return str(STUDENT)


@pytest.fixture(scope="session")
def judged() -> pl.DataFrame:
    if not JUDGED.is_file():
        pytest.skip("data/judged.parquet is missing: run `make run` first")
    return pl.read_parquet(JUDGED)


@pytest.fixture(scope="session")
def sft_rows(judged: pl.DataFrame) -> list[Any]:
    sft, _ = data.sets_from_judged(judged)
    return data.conversations(sft.head(64))


@pytest.fixture(scope="session")
def dpo_frame(judged: pl.DataFrame) -> pl.DataFrame:
    _, dpo = data.sets_from_judged(judged)
    return dpo.head(40)


@pytest.fixture(scope="session")
def sft_run(student: str, sft_rows: list[Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("sft")
    train, held_out = sft_rows[:48], sft_rows[48:]
    metrics = train_sft(student, train, held_out, SFT, tmp / "out", tmp / "work", tmp / "live")
    return tmp, metrics
