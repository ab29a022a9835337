"""Training tests run on what the pipeline builds: the tiny student (models/tiny/student) and
the judge's rows (data/judged.parquet) of the session's default run (tests/conftest.py
`golden`), from which the SFT and DPO sets are made as `sets_from_judged` makes them.

They train with the default params' learning rates and schedules (params.yaml), for a few
steps on a few rows: they test how training works (answer-only loss, packing, resuming,
LoRA, the files written), not whether it learns. Whether the default run's own training
lowers the held-out loss and ranks chosen answers first is asserted on that run
(tests/e2e/test_default_world.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from distilpipe.llm import RoleModels, open_cache
from distilpipe.params import Params, TrainDPO, TrainSFT
from distilpipe.train import common, data, kd
from distilpipe.train.sft import train_sft

ROOT = Path(__file__).resolve().parents[2]
_DEFAULTS = yaml.safe_load((ROOT / "params.yaml").read_text())
# The defaults, but a few steps on a few rows: quick on a CPU. Plain SFT: test_kd.py and
# test_resume.py train with the teacher's targets (KD_SFT), as the default run does.
SFT = TrainSFT.model_validate(
    {
        **_DEFAULTS["train_sft"],
        "kd": {**_DEFAULTS["train_sft"]["kd"], "alpha": 0.0},
        "max_steps": 6,
        "batch_size": 4,
        "max_length": 256,
        "save_steps": 2,
        "eval_size": 16,
        "seed": 0,
    }
)
# SFT as the default run trains it: with the teacher's targets (train_sft.kd).
KD_SFT = SFT.model_copy(update={"kd": TrainSFT.model_validate(_DEFAULTS["train_sft"]).kd})
DPO = TrainDPO.model_validate(
    {
        **_DEFAULTS["train_dpo"],
        "model": None,
        "max_steps": 4,
        "batch_size": 4,
        "max_length": 256,
        "save_steps": 2,
        "eval_size": 8,
        "seed": 0,
        "gen_max_new_tokens": 16,
    }
)


@pytest.fixture(scope="session")
def pipeline(golden: Path) -> Path:
    """The session's default run (read only)."""
    return golden / "repo"


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


def teacher_targets(
    student: str, rows: list[Any], cache_dir: Path
) -> tuple[tuple[str, kd.Targets], dict[str, Any], Any]:
    """The tiny teacher's (`student`'s sibling folder) targets for `rows`, as the train_sft
    stage collects them, through a call cache at `cache_dir`: ((its identity, the targets),
    their figures, the teacher's client)."""
    from transformers import AutoTokenizer

    teacher = str(Path(student).with_name("teacher"))
    params = Params.model_validate(
        {"models": {"teacher": {"model": teacher}}, "llm": {"cache_dir": str(cache_dir)}}
    )
    tokenizer = AutoTokenizer.from_pretrained(student)
    common.ensure_generation_template(tokenizer, None)
    with open_cache(params) as cache, RoleModels(params, cache) as roles:
        client = roles.client("teacher")
        targets, figures = kd.teacher_targets(
            client, tokenizer, rows, KD_SFT.max_length, KD_SFT.kd.top_k
        )
        return (client.backend.identity, targets), figures, client
