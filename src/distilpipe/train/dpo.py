"""Preference optimisation on trl's DPOTrainer: (prompt, chosen, rejected) pairs in, a model
folder out.

Pairs are conversational, as trl takes them: `prompt` is the conversation up to the last
user turn, `chosen` and `rejected` one assistant message each (teacher and student answers
in the DistilQwen2 recipe). The loss is trl's, named by params: `sigmoid_norm` (DPO on
length-normalised log-probabilities), `sigmoid` (plain DPO), LD-DPO through `ld_alpha`, or a
weighted mix such as `[sigmoid_norm, sft]`. The reference is the starting model (kept in
memory, or, under LoRA, the same weights with the adapter disabled), or its log-probabilities
computed once before training (`reference: precompute`) to save memory.
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
from distilpipe.params import TrainDPO
from distilpipe.train import common

REWARD_KEYS = (
    "rewards/margins",
    "rewards/chosen",
    "rewards/rejected",
    "rewards/accuracies",
    "logps/chosen",
    "logps/rejected",
)
CURVE_KEYS = ("loss", "learning_rate", "grad_norm", *REWARD_KEYS)
Pair = dict[str, list[dict[str, str]]]


def dpo_config(params: TrainDPO, work_dir: Path, device: str, precision: str) -> Any:
    """trl's DPOConfig for `params`, checkpointing into `work_dir`."""
    from trl import DPOConfig

    return DPOConfig(
        **common.trainer_arguments(params, work_dir, device, precision),
        max_length=params.max_length,
        beta=params.beta,
        loss_type=list(params.loss_type),
        loss_weights=list(params.loss_weights) if params.loss_weights else None,
        ld_alpha=params.ld_alpha,
        precompute_ref_log_probs=params.reference == "precompute",
        model_init_kwargs=common.model_init_kwargs(params, precision),
    )


def preference_dataset(pairs: Sequence[Pair]) -> Dataset:
    """The pairs as trl's conversational preference dataset (`prompt`, `chosen`, `rejected`)."""
    return Dataset.from_list(
        [{"prompt": p["prompt"], "chosen": p["chosen"], "rejected": p["rejected"]} for p in pairs]
    )


def train_dpo(
    model: str,
    train: Sequence[Pair],
    held_out: Sequence[Pair],
    params: TrainDPO,
    out_dir: str | Path,
    work_dir: str | Path,
    live_dir: str | Path | None = None,
    callbacks: Sequence[TrainerCallback] = (),
) -> dict[str, Any]:
    """DPO from `model` (the SFT folder) on `train`; write the result to `out_dir`.

    Checkpoints and logs as in `train_sft`. Returns the metrics: the last logged training
    figures and the held-out ones (reward margin, chosen/rejected rewards and log-probs,
    accuracy), the mean greedy answer length on held-out prompts before and after, steps,
    tokens seen, wall time, peak memory, and the curves under `curves`.
    """
    from trl import DPOTrainer

    out_dir, work_dir = Path(out_dir), Path(work_dir)
    device = common.training_device()
    precision = common.resolve_precision(params.precision, device)
    stamp = common.fingerprint(
        "dpo",
        params.model_dump(exclude={"checkpoint_dir", "live_dir"}),
        model_identity(model, params.revision),
        list(train),
        list(held_out),
    )
    resume = common.checkpoint_to_resume_once(work_dir, stamp)
    start = time.perf_counter()

    tokenizer = common.load_tokenizer(model, params.revision)
    policy = common.load_model(params, model, precision, device)
    prompts = [p["prompt"] for p in held_out]
    length_before = common.mean_generated_tokens(
        policy, tokenizer, prompts, params.gen_max_new_tokens
    )

    cbs = list(callbacks)
    if live_dir is not None and common.is_main_process():
        cbs.append(common.live_callback(Path(live_dir), resume=resume is not None))
    trainer = DPOTrainer(
        model=policy,
        args=dpo_config(params, work_dir, device, precision),
        train_dataset=preference_dataset(train),
        eval_dataset=preference_dataset(held_out),
        processing_class=tokenizer,
        peft_config=common.lora_config(params.lora) if params.lora else None,
        callbacks=cbs,
    )
    trainer.train(resume_from_checkpoint=resume)
    held_out_figures = trainer.evaluate()
    metrics: dict[str, Any] = {}
    trained = common.save_trained(trainer, tokenizer, params.lora, out_dir)
    kept: Any = trainer.train_dataset
    if trainer.accelerator.is_main_process:
        length_after = common.mean_generated_tokens(
            trained, tokenizer, prompts, params.gen_max_new_tokens
        )
        points = common.curves(trainer.state.log_history, CURVE_KEYS)
        metrics = {
            "device": device,
            "precision": precision,
            "lora": params.lora is not None,
            "loss_type": list(params.loss_type),
            "beta": params.beta,
            "ld_alpha": params.ld_alpha,
            "pairs": len(train),
            # trl drops pairs whose prompt alone fills max_length; counted, not silent
            "pairs_dropped_too_long": len(train) - len(kept),
            "held_out": len(held_out),
            "steps": trainer.state.global_step,
            "tokens_seen": int(trainer.state.num_input_tokens_seen),
            "loss_final": points[-1]["loss"] if points else None,
            "train": {k.replace("/", "_"): points[-1].get(k.replace("/", "_")) for k in REWARD_KEYS}
            if points
            else {},
            "eval": {
                k.replace("/", "_"): round(float(held_out_figures[f"eval_{k}"]), 6)
                for k in REWARD_KEYS
                if f"eval_{k}" in held_out_figures
            },
            "mean_generated_tokens_before": round(length_before, 3),
            "mean_generated_tokens": round(length_after, 3),
            "resumed_from_step": common.checkpoint_step(resume),
            "wall_seconds": round(time.perf_counter() - start, 2),
            "peak_memory_bytes": common.peak_memory_bytes(device),
            "curves": points,
        }
    trainer.accelerator.wait_for_everyone()
    if trainer.accelerator.is_main_process:
        shutil.rmtree(work_dir, ignore_errors=True)
    return metrics
