"""Training tests run on what the pipeline builds: the tiny student (models/tiny/student) and
the judge's rows (data/judged.parquet), from which the SFT and DPO sets are made as
`sets_from_judged` makes them until the self-distillation stage writes the real ones. The
session builds both once with `dvc repro judge` in a temporary copy of the project (the
default params: about 90 judged rows), so the tests run the same on a fresh clone and in CI."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from distilpipe.params import TrainDPO, TrainSFT
from distilpipe.train import data
from distilpipe.train.sft import train_sft
from tests.e2e.conftest import make_repo

ROOT = Path(__file__).resolve().parents[2]
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
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy where `dvc repro judge` has run on the default params."""
    repo = make_repo(tmp_path_factory.mktemp("pipeline") / "repo")
    cache = repo.parent / "llm-cache"
    env = {**os.environ, "DISTILPIPE_CACHE_DIR": str(cache)}
    proc = subprocess.run(
        ["dvc", "repro", "judge"], cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return repo


@pytest.fixture(scope="session")
def student(pipeline: Path) -> str:
    return str(pipeline / "models/tiny/student")


@pytest.fixture(scope="session")
def judged(pipeline: Path) -> pl.DataFrame:
    return pl.read_parquet(pipeline / "data/judged.parquet")


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
