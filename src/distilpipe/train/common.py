"""What SFT and DPO share: device and precision, trl arguments, checkpoints, logs, metrics.

Promises:
- One place chooses the hardware's precision: fp32 on a CPU (trl turns bf16 on by default; it
  is switched off there), bf16 on a GPU that has it, unless params name one.
- A run checkpoints into a folder of its own outside the stage's outputs, stamped with a
  fingerprint of everything that decides the result (params, data, starting model). A killed
  run started again with the same fingerprint resumes from its last checkpoint (weights,
  optimizer, scheduler, RNG states, data position) and ends with the weights an uninterrupted
  run would have on the same CPU; a different fingerprint starts afresh. The folder is removed
  once the run completes.
- Training curves go to dvclive as they happen; the final curves and figures are rebuilt from
  the trainer's own log history, which a resumed run restores whole, so they do not depend on
  whether the run was interrupted.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import resource
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    TrainerCallback,
    TrainingArguments,
)
from transformers.trainer_utils import get_last_checkpoint
from trl.chat_template_utils import has_generation_markers

from distilpipe import io
from distilpipe.errors import DistilpipeError
from distilpipe.llm.context import load_error
from distilpipe.params import LoRA, TrainSFT

MARKED_CHATML = Path(__file__).with_name("chatml_generation.jinja")
FINGERPRINT_FILE = "fingerprint.json"
Conversation = list[dict[str, str]]


def training_device() -> str:
    """This process's GPU (`cuda:<LOCAL_RANK>`) when one is visible, else `cpu` (the one place
    that decides)."""
    if torch.cuda.is_available():
        return f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}"
    return "cpu"


def resolve_precision(precision: str, device: str) -> str:
    """`fp32`, `bf16` or `fp16` for `device`: `auto` is bf16 on a GPU that supports it, else
    fp32; a CPU always trains in fp32 (bf16 there is slow and changes the numbers)."""
    if device == "cpu":
        return "fp32"
    if precision != "auto":
        return precision
    return "bf16" if torch.cuda.is_bf16_supported() else "fp32"


def model_dtype(precision: str) -> torch.dtype:
    """The dtype to load weights in: fp32 for fp32 and for fp16 (mixed precision keeps fp32
    master weights), bf16 for bf16."""
    return torch.bfloat16 if precision == "bf16" else torch.float32


def trainer_arguments(
    params: TrainSFT | Any, output_dir: Path, device: str, precision: str
) -> dict[str, Any]:
    """The TrainingArguments fields both trl configs take, from a train params section."""
    return {
        "output_dir": str(output_dir),
        "num_train_epochs": params.epochs,
        "max_steps": params.max_steps or -1,
        "learning_rate": params.lr,
        "lr_scheduler_type": params.lr_scheduler,
        "warmup_steps": params.warmup_ratio,  # a float below 1 is a share of the steps
        "per_device_train_batch_size": params.batch_size,
        "per_device_eval_batch_size": params.batch_size,
        "gradient_accumulation_steps": params.grad_accum,
        "weight_decay": params.weight_decay,
        "max_grad_norm": params.max_grad_norm,
        **_checkpointing(params.gradient_checkpointing),
        "seed": params.seed,
        "data_seed": params.seed,
        "bf16": precision == "bf16",
        "fp16": precision == "fp16",
        "use_cpu": device == "cpu",
        "logging_steps": params.logging_steps,
        "save_strategy": "steps",
        "save_steps": params.save_steps,
        "save_total_limit": 2,
        "eval_strategy": "no",
        "report_to": "none",  # dvclive is added as a callback, with a folder of our choosing
        "disable_tqdm": not sys.stderr.isatty(),
        "dataloader_num_workers": 0,
        "include_num_input_tokens_seen": True,
    }


def _checkpointing(enabled: bool) -> dict[str, Any]:
    # transformers 5 renamed gradient_checkpointing to activation_checkpointing (trl still
    # defaults the old name to True, which warns); set whichever this version has.
    if "activation_checkpointing" in TrainingArguments.__dataclass_fields__:
        return {"activation_checkpointing": enabled, "gradient_checkpointing": None}
    return {"gradient_checkpointing": enabled}


# The package each flash attention implementation loads when it is installed (a CUDA build)
FLASH_PACKAGES = {"flash_attention_2": "flash_attn", "flash_attention_3": "flash_attn_interface"}


def attention_error(attn: str | None, cuda: bool | None = None) -> str | None:
    """Why the attention implementation `attn` cannot train here, in one line, or None.

    `flash_attention_2`/`_3` need a CUDA GPU, and either the flash-attn package or the
    `kernels` package, through which transformers loads the same kernel from the Hub
    (kernels-community/flash-attn2; downloaded once, then read from the Hugging Face cache).
    A Hub kernel named outright (`kernels-community/flash-attn2`) needs `kernels`. Anything
    else (sdpa, eager) is left to transformers. `cuda`: whether a GPU is visible (default:
    ask torch)."""
    if not attn:
        return None
    install = "pip install -e '.[train]'"
    if "/" in attn:
        if importlib.util.find_spec("kernels") is None:
            return f"attn_implementation {attn} is a Hub kernel and needs kernels: {install}"
        return None
    if not attn.startswith("flash_attention_"):
        return None
    if not (torch.cuda.is_available() if cuda is None else cuda):
        return f"attn_implementation {attn} needs a CUDA GPU; on a CPU use sdpa (or null)"
    package = FLASH_PACKAGES.get(attn)
    if package is not None and importlib.util.find_spec(package) is not None:
        return None
    if importlib.util.find_spec("kernels") is not None and _hub_fallback(attn):
        return None
    return (
        f"attn_implementation {attn} needs the kernels package ({install}; transformers then "
        "loads it from the Hub) or flash-attn (pip install flash-attn --no-build-isolation)"
    )


def _hub_fallback(attn: str) -> bool:
    """Whether this transformers loads `attn` from the Hub through kernels when its package is
    missing (transformers 5 does)."""
    try:
        from transformers.modeling_flash_attention_utils import FLASH_ATTN_KERNEL_FALLBACK
    except ImportError:
        return False
    return attn in FLASH_ATTN_KERNEL_FALLBACK


def model_init_kwargs(params: TrainSFT | Any, precision: str) -> dict[str, Any]:
    """from_pretrained's keyword arguments for the trained model; an attention implementation
    that cannot load here stops it in one line (see `attention_error`)."""
    kwargs: dict[str, Any] = {"dtype": model_dtype(precision)}
    if params.revision:
        kwargs["revision"] = params.revision
    if params.attn_implementation:
        error = attention_error(params.attn_implementation)
        if error is not None:
            raise DistilpipeError(error)
        kwargs["attn_implementation"] = params.attn_implementation
    return kwargs


def load_tokenizer(model: str, revision: str | None) -> Any:
    """The tokenizer of `model` (folder or Hub id); one line saying why when it cannot be
    loaded (the first thing a training stage loads, so a wrong model name stops it here)."""
    try:
        return AutoTokenizer.from_pretrained(model, revision=revision)
    except (OSError, ValueError) as exc:
        raise DistilpipeError(load_error(model, "tokenizer", exc)) from None


def load_model(params: TrainSFT | Any, model: str, precision: str, device: str) -> Any:
    """The causal LM at `model` (folder or Hub id) in the precision's dtype, on `device`."""
    loaded: Any = AutoModelForCausalLM.from_pretrained(
        model, **model_init_kwargs(params, precision)
    )
    return loaded.to(device)


def lora_config(lora: LoRA) -> Any:
    """A peft LoraConfig for a causal LM."""
    from peft import LoraConfig

    return LoraConfig(
        r=lora.r,
        lora_alpha=lora.alpha,
        lora_dropout=lora.dropout,
        target_modules=lora.target_modules,
        task_type="CAUSAL_LM",
    )


def fingerprint(*parts: Any) -> str:
    """SHA-256 of the JSON of `parts` (params dumps, data, model identities)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def checkpoint_to_resume(folder: Path, stamp: str) -> str | None:
    """The last complete checkpoint in `folder` if it was written by a run with the same
    fingerprint; otherwise the folder is emptied and stamped, and None is returned."""
    stamp_file = folder / FINGERPRINT_FILE
    if stamp_file.is_file() and json.loads(stamp_file.read_text())["fingerprint"] == stamp:
        return get_last_checkpoint(str(folder))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    stamp_file.write_text(json.dumps({"fingerprint": stamp}) + "\n")
    return None


def checkpoint_to_resume_once(folder: Path, stamp: str) -> str | None:
    """`checkpoint_to_resume` with the main process first (it empties and stamps the folder),
    so the other processes of a launched run find the same checkpoint, or none."""
    from accelerate import PartialState

    with PartialState().main_process_first():
        return checkpoint_to_resume(folder, stamp)


def live_callback(folder: Path, resume: bool) -> TrainerCallback:
    """transformers' DVCLiveCallback writing to `folder` (continued when resuming), without
    touching dvc.yaml or making a DVC experiment: the stage's outputs are written by the stage."""
    from dvclive import Live
    from transformers.integrations import DVCLiveCallback

    class CurvesOnly(Live):
        """dvclive's logging without its DVC integration, which reads the git revision and
        fails in a repository with no commit yet (where a new project's first `dvc repro`
        runs); the stage writes what DVC tracks itself."""

        def _init_dvc(self) -> None:
            return None

    live = CurvesOnly(dir=str(folder), resume=resume, save_dvc_exp=False, dvcyaml=None)
    return DVCLiveCallback(live=live)


def curves(log_history: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> list[dict[str, Any]]:
    """One point per logged training step: `step` and each of `keys` that was logged."""
    points = []
    for entry in log_history:
        if "step" not in entry or "loss" not in entry:
            continue
        point: dict[str, Any] = {"step": entry["step"]}
        for key in keys:
            if key in entry:
                point[key.replace("/", "_")] = round(float(entry[key]), 6)
        points.append(point)
    return points


def peak_memory_bytes(device: str) -> int:
    """Peak accelerator memory allocated by this process, or on a CPU its peak resident set."""
    if device.startswith("cuda"):
        return int(torch.cuda.max_memory_allocated(device))
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024  # Linux: KiB


def ensure_generation_template(tokenizer: PreTrainedTokenizerBase, template: str | None) -> None:
    """Give `tokenizer` a chat template with `{% generation %}` markers, which trl needs to
    mask everything but the assistant's tokens: the file `template` if given, else its own if
    it has markers, else the shipped marked ChatML (Qwen2's template, default system prompt
    included, which renders the same text but has no markers)."""
    if template is not None:
        tokenizer.chat_template = Path(template).read_text(encoding="utf-8").rstrip("\n")
    elif not has_generation_markers(tokenizer.chat_template or ""):
        tokenizer.chat_template = MARKED_CHATML.read_text(encoding="utf-8").rstrip("\n")


def assistant_tokens(
    tokenizer: PreTrainedTokenizerBase, conversation: Conversation, max_length: int
) -> tuple[list[int], list[int]]:
    """(token ids, assistant mask) of `conversation` as trl's SFT makes them for
    `assistant_only_loss` (the chat template's generation markers), truncated to
    `max_length` as its packing truncates."""
    out: Any = tokenizer.apply_chat_template(
        conversation, tokenize=True, return_dict=True, return_assistant_tokens_mask=True
    )
    return list(out["input_ids"])[:max_length], list(out["assistant_masks"])[:max_length]


def assistant_batch(
    tokenizer: PreTrainedTokenizerBase, conversations: Sequence[Conversation], max_length: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Right-padded `input_ids`, `attention_mask` and `labels` (-100 outside the assistant's
    tokens) for `conversations`, each truncated to `max_length` tokens."""
    rows = []
    for conversation in conversations:
        ids, mask = assistant_tokens(tokenizer, conversation, max_length)
        rows.append((ids, [t if m else -100 for t, m in zip(ids, mask, strict=True)]))
    width = max(len(ids) for ids, _ in rows)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    input_ids = torch.full((len(rows), width), pad, dtype=torch.long)
    attention = torch.zeros((len(rows), width), dtype=torch.long)
    labels = torch.full((len(rows), width), -100, dtype=torch.long)
    for i, (ids, labs) in enumerate(rows):
        input_ids[i, : len(ids)] = torch.tensor(ids)
        attention[i, : len(ids)] = 1
        labels[i, : len(labs)] = torch.tensor(labs)
    return input_ids, attention, labels


def assistant_loss(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    conversations: Sequence[Conversation],
    max_length: int,
    batch_size: int = 8,
) -> float:
    """Mean loss per assistant token (what SFT trains) of `model` on `conversations`."""
    total, count = 0.0, 0
    device = next(model.parameters()).device
    model.eval()
    with torch.inference_mode():
        for start in range(0, len(conversations), batch_size):
            ids, attention, labels = assistant_batch(
                tokenizer, conversations[start : start + batch_size], max_length
            )
            logits = model(input_ids=ids.to(device), attention_mask=attention.to(device)).logits
            targets = labels[:, 1:].to(device)
            total += float(
                torch.nn.functional.cross_entropy(
                    logits[:, :-1].flatten(0, 1).float(),
                    targets.flatten(),
                    ignore_index=-100,
                    reduction="sum",
                )
            )
            count += int((targets != -100).sum())
    return total / max(count, 1)


def mean_generated_tokens(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompts: Sequence[Conversation],
    max_new_tokens: int,
) -> float:
    """Mean number of tokens `model` writes (greedy, up to its stop token) for `prompts`."""
    device = next(model.parameters()).device
    stop = model.generation_config.eos_token_id
    stops = set(stop if isinstance(stop, list) else [stop])
    lengths = []
    model.eval()
    with torch.inference_mode():
        for prompt in prompts:
            encoded: Any = tokenizer.apply_chat_template(
                prompt, add_generation_prompt=True, tokenize=True, return_dict=True
            )
            inputs = torch.tensor([list(encoded["input_ids"])], device=device)
            generate: Any = model.generate
            out = generate(
                input_ids=inputs,
                attention_mask=torch.ones_like(inputs),
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=tokenizer.pad_token_id,
            )[0, inputs.shape[1] :].tolist()
            n = next((i + 1 for i, t in enumerate(out) if t in stops), len(out))
            lengths.append(n)
    return sum(lengths) / max(len(lengths), 1)


def is_main_process() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def save_trained(
    trainer: Any, tokenizer: PreTrainedTokenizerBase, lora: LoRA | None, out_dir: Path
) -> Any:
    """Write the trained model to `out_dir` whole (built beside it, then renamed in): the
    model folder, or under LoRA the adapter folder, or with `lora.merge` the merged model with
    the adapter in `adapter/`. Call it on every process: under FSDP or ZeRO-3 the weights are
    gathered collectively (trainer.save_model). Returns, on the main process, the model the
    folder holds (loaded back from it when the weights were sharded); None elsewhere."""
    main = trainer.accelerator.is_main_process
    sharded = trainer.is_deepspeed_enabled or trainer.is_fsdp_enabled
    if sharded and lora is not None and lora.merge:
        raise DistilpipeError("lora.merge under FSDP/ZeRO-3 is not supported: merge after")
    tmp = out_dir.with_name(f".{out_dir.name}.new")
    if main:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
    trainer.accelerator.wait_for_everyone()
    model = trainer.model
    if sharded:
        trainer.save_model(str(tmp))  # collective: the full state dict, written by rank 0
    elif main:
        if lora is not None and lora.merge:
            model.save_pretrained(tmp / "adapter")
            tokenizer.save_pretrained(tmp / "adapter")
            model = model.merge_and_unload()
        # model.save_pretrained, not trainer.save_model: no training_args.bin in the output
        model.save_pretrained(tmp)
    if not main:
        return None
    (tmp / "training_args.bin").unlink(missing_ok=True)
    tokenizer.save_pretrained(tmp)
    io.replace_dir(tmp, out_dir)
    if sharded:
        return _load_saved(out_dir, lora is not None, next(model.parameters()).dtype)
    return model


def _load_saved(folder: Path, adapter: bool, dtype: torch.dtype) -> Any:
    if adapter:
        from peft import AutoPeftModelForCausalLM

        loaded: Any = AutoPeftModelForCausalLM.from_pretrained(folder, dtype=dtype)
    else:
        loaded = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype)
    return loaded.to(training_device())


def checkpoint_step(checkpoint: str | None) -> int | None:
    """The step of a `checkpoint-N` folder, or None."""
    return int(checkpoint.rsplit("-", 1)[1]) if checkpoint else None
