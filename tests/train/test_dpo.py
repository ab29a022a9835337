from pathlib import Path
from typing import Any

import polars as pl
import pytest
from transformers import AutoModelForCausalLM

from distilpipe import io
from distilpipe.params import TrainDPO
from distilpipe.train import data
from distilpipe.train.dpo import REWARD_KEYS, dpo_config, preference_dataset, train_dpo
from tests.train.conftest import DPO


def test_sets_from_judged_are_the_first_turn_with_teacher_and_student_answers(
    judged: pl.DataFrame,
) -> None:
    sft, dpo = data.sets_from_judged(judged)
    assert sft.height == judged.height
    first = judged.row(0, named=True)
    conversation = data.conversations(sft.head(1))[0]
    assert conversation[-1] == {"role": "assistant", "content": first["teacher_response"]}
    assert [m["role"] for m in conversation[:-1]][-1] == "user"
    assert conversation[:-1] == [
        m for m in first["messages"][: len(conversation) - 1] if m["role"] != "assistant"
    ]
    pair = data.pairs(dpo.head(1))[0]
    row = judged.filter(pl.col("id") == dpo["id"][0]).row(0, named=True)
    assert pair["chosen"] == [{"role": "assistant", "content": row["teacher_response"]}]
    assert pair["rejected"] == [{"role": "assistant", "content": row["student_response"]}]
    assert (
        dpo.height == judged.filter(pl.col("teacher_response") != pl.col("student_response")).height
    )


def test_trl_accepts_the_dpo_set_as_written_to_parquet(
    student: str, dpo_frame: pl.DataFrame, tmp_path: Path
) -> None:
    from transformers import AutoTokenizer
    from trl import DPOTrainer

    io.write_parquet(dpo_frame, tmp_path / "dpo.parquet")
    pairs = data.pairs(io.read_parquet(tmp_path / "dpo.parquet"))
    params = TrainDPO.model_validate({**DPO.model_dump(), "max_length": 2048})
    trainer = DPOTrainer(
        model=AutoModelForCausalLM.from_pretrained(student),
        args=dpo_config(params, tmp_path / "work", "cpu", "fp32"),
        train_dataset=preference_dataset(pairs),
        processing_class=AutoTokenizer.from_pretrained(student),
    )
    assert len(trainer.train_dataset) == len(pairs)  # every pair fits 2,048 tokens
    batch = next(iter(trainer.get_train_dataloader()))
    # chosen and rejected of each pair, one after the other half
    assert batch["input_ids"].shape[0] == 2 * DPO.batch_size


@pytest.mark.parametrize(
    "update",
    [
        {"loss_type": ["sigmoid_norm"]},
        {"loss_type": ["sigmoid"], "ld_alpha": 0.5, "reference": "precompute"},
        {
            "loss_type": ["sigmoid_norm", "sft"],
            "loss_weights": [1.0, 0.5],
            "lora": {"r": 4, "alpha": 8},
        },
    ],
    ids=["sigmoid_norm", "ld_dpo_precomputed_reference", "mix_with_sft_under_lora"],
)
def test_dpo_trains_from_the_sft_model_and_reports_rewards(
    sft_run: Any, dpo_frame: pl.DataFrame, update: dict[str, Any], tmp_path: Path
) -> None:
    sft_dir, _ = sft_run
    params = TrainDPO.model_validate({**DPO.model_dump(), **update})
    pairs = data.pairs(dpo_frame)
    metrics = train_dpo(
        str(sft_dir / "out"), pairs[:32], pairs[32:36], params, tmp_path / "out", tmp_path / "work"
    )
    assert metrics["steps"] == DPO.max_steps
    assert 0 <= metrics["pairs_dropped_too_long"] < 32
    for key in REWARD_KEYS:
        name = key.replace("/", "_")
        assert isinstance(metrics["train"][name], float), name
        assert isinstance(metrics["eval"][name], float), name
    assert metrics["mean_generated_tokens"] > 0
    assert not (tmp_path / "work").exists()
    if params.lora is None:
        AutoModelForCausalLM.from_pretrained(tmp_path / "out")
    else:
        assert (tmp_path / "out/adapter_config.json").is_file()
