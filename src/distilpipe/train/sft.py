"""Supervised fine-tuning on trl's SFTTrainer: conversations in, a Hugging Face folder out.

The loss covers the assistant's tokens only (each answer and the `<|im_end|>` that ends it,
so the model learns to stop), through trl's `assistant_only_loss`, which reads the chat
template's `{% generation %}` markers; a tokenizer without them (a real Qwen2's) gets the
shipped marked ChatML. Conversations are packed best-fit into `max_length` rows without
padding (trl's `bfd` packing; transformers keeps attention inside each conversation from the
position ids). The result is a normal model folder (weights, config, tokenizer, chat
template) that `AutoModelForCausalLM.from_pretrained` loads; under LoRA it is an adapter
folder, or with `lora.merge` the merged model with the adapter in `adapter/`.

With teacher targets (`train_sft.kd.alpha > 0`, see `kd.py`) the trainer is trl's with a
KD term added to its loss; without them it is trl's, untouched.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from datasets import Dataset
from transformers import TrainerCallback

from distilpipe.llm.cache import model_identity
from distilpipe.params import TrainSFT
from distilpipe.train import common, kd
from distilpipe.train.common import Conversation

CURVE_KEYS = (
    "loss",
    "learning_rate",
    "grad_norm",
    "mean_token_accuracy",
    "num_tokens",
    "ce_loss",  # with KD: the two terms of the loss apart
    "kd_loss",
)


def sft_config(params: TrainSFT, work_dir: Path, device: str, precision: str) -> Any:
    """trl's SFTConfig for `params`, checkpointing into `work_dir`."""
    from trl import SFTConfig

    return SFTConfig(
        **common.trainer_arguments(params, work_dir, device, precision),
        max_length=params.max_length,
        packing=params.packing,
        packing_strategy="bfd",
        assistant_only_loss=params.assistant_only_loss,
        model_init_kwargs=common.model_init_kwargs(params, precision),
        dataset_num_proc=None,
    )


def train_sft(
    model: str,
    train: Sequence[Conversation],
    held_out: Sequence[Conversation],
    params: TrainSFT,
    out_dir: str | Path,
    work_dir: str | Path,
    live_dir: str | Path | None = None,
    callbacks: Sequence[TrainerCallback] = (),
    teacher: tuple[str, kd.Targets] | None = None,
) -> dict[str, Any]:
    """Fine-tune `model` (folder or Hub id) on `train`; write the result to `out_dir`.

    `teacher`, (its cache identity, its targets from `kd.teacher_targets`), adds the KD term
    of `params.kd`.

    Checkpoints go to `work_dir` (resumed from when a killed run with the same inputs is run
    again, removed on success); dvclive's running logs to `live_dir`. Returns the metrics:
    final train loss, held-out assistant-token loss before and after, tokens seen, steps,
    wall time, peak memory, and the per-step curves under `curves`.
    """
    from trl import SFTTrainer

    if params.kd.alpha > 0 and teacher is None:
        raise ValueError("train_sft.kd.alpha > 0 needs the teacher's targets (kd.teacher_targets)")
    out_dir, work_dir = Path(out_dir), Path(work_dir)
    device = common.training_device()
    precision = common.resolve_precision(params.precision, device)
    stamp = common.fingerprint(
        "sft",
        params.model_dump(exclude={"checkpoint_dir", "live_dir"}),
        model_identity(model, params.revision),
        list(train),
        teacher[0] if teacher else None,
    )
    resume = common.checkpoint_to_resume_once(work_dir, stamp)
    start = time.perf_counter()

    tokenizer = common.load_tokenizer(model, params.revision)
    common.ensure_generation_template(tokenizer, params.chat_template)
    base = common.load_model(params, model, precision, device)
    eval_loss_base = common.assistant_loss(base, tokenizer, held_out, params.max_length)

    cbs = list(callbacks)
    if live_dir is not None and common.is_main_process():
        cbs.append(common.live_callback(Path(live_dir), resume=resume is not None))
    arguments: dict[str, Any] = {
        "model": base,
        "args": sft_config(params, work_dir, device, precision),
        "train_dataset": Dataset.from_list([{"messages": c} for c in train]),
        "processing_class": tokenizer,
        "peft_config": common.lora_config(params.lora) if params.lora else None,
        "callbacks": cbs,
    }
    if teacher is None:
        trainer = SFTTrainer(**arguments)
    else:
        trainer = kd.KDSFTTrainer(**arguments, kd=params.kd, targets=teacher[1])
    trainer.train(resume_from_checkpoint=resume)
    metrics: dict[str, Any] = {}
    trained = common.save_trained(trainer, tokenizer, params.lora, out_dir)
    if trainer.accelerator.is_main_process:
        eval_loss = common.assistant_loss(trained, tokenizer, held_out, params.max_length)
        history = trainer.state.log_history
        points = common.curves(history, CURVE_KEYS)
        metrics = {
            "device": device,
            "precision": precision,
            "lora": params.lora is not None,
            "conversations": len(train),
            "held_out": len(held_out),
            "steps": trainer.state.global_step,
            "tokens_seen": int(trainer.state.num_input_tokens_seen),
            "loss_final": points[-1]["loss"] if points else None,
            "eval_loss_base": round(eval_loss_base, 6),
            "eval_loss": round(eval_loss, 6),
            "resumed_from_step": common.checkpoint_step(resume),
            "wall_seconds": round(time.perf_counter() - start, 2),
            "peak_memory_bytes": common.peak_memory_bytes(device),
            "curves": points,
        }
    trainer.accelerator.wait_for_everyone()
    if trainer.accelerator.is_main_process:
        shutil.rmtree(work_dir, ignore_errors=True)
    return metrics
