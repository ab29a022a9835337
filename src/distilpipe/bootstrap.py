"""Tiny offline chat models: a byte-level BPE tokenizer and two small Qwen2 models.

The default pipeline plays teacher, student and judge with these, so it runs with no download.
They are trained for a few seconds on a fixed corpus of their own (`bootstrap.corpus`, never a
distillation source, as a real teacher does not change when the data being distilled does):
enough that their output is text-like rather than uniform noise, not enough to be any good.
Everything is seeded and the files are written byte-identically on a re-run (same library
versions, same machine; floating point differs across CPU models, so another machine may
build slightly different models).
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypedDict

import numpy as np
import polars as pl
import torch
from safetensors.torch import save as safetensors_bytes
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from transformers import (
    GenerationConfig,
    PreTrainedTokenizerFast,
    Qwen2Config,
    Qwen2ForCausalLM,
)

from distilpipe.errors import DistilpipeError, InputError
from distilpipe.params import Bootstrap
from distilpipe.sources import ingest_records, read_path

PAD_TOKEN = "<|endoftext|>"
IM_START = "<|im_start|>"
EOS_TOKEN = "<|im_end|>"
SPECIAL_TOKENS = (PAD_TOKEN, IM_START, EOS_TOKEN)
HEAD_DIM = 64  # vLLM's CPU backend supports only some head sizes (32, 64, 80, ...)
MAX_POSITIONS = 2048
TRAIN_THREADS = 2  # fixed, so a run's float reductions (and so its weights) do not vary
# Qwen2's pre-tokenizer split: every digit is its own piece, so "0".."9" are always single
# tokens (the judge reads scores as next-token probabilities over them). Keeping Qwen2's exact
# normalizer/pre-tokenizer/decoder also means transformers' Qwen2Tokenizer, which rebuilds that
# pipeline around the saved vocab and merges, loads this tokenizer unchanged.
PRETOKENIZE_REGEX = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
# ChatML. `generation` marks what the assistant says (with its <|im_end|>, so the model learns
# to stop) for `return_assistant_tokens_mask`, which trl uses to train on answers only.
CHAT_TEMPLATE = """\
{%- for message in messages %}
    {%- if message['role'] == 'assistant' %}
        {{- '<|im_start|>assistant\\n' }}
        {%- generation %}{{- message['content'] + '<|im_end|>' }}{%- endgeneration %}
        {{- '\\n' }}
    {%- else %}
        {{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\\n' }}
{%- endif %}"""
# The class transformers records for Qwen2 checkpoints: 4.x loads tokenizer.json with
# Qwen2TokenizerFast, 5.x rebuilds the same pipeline; "TokenizersBackend" exists only in 5.x.
TOKENIZER_CLASS = "Qwen2Tokenizer"
EVAL_CONVERSATIONS = 32
Conversation = list[dict[str, str]]


class ModelReport(TypedDict):
    parameters: int
    loss_initial: float  # mean token loss on the evaluation conversations, before training
    loss_final: float  # the same, after training
    losses: list[float]  # training loss per step
    seconds: float


class BootstrapReport(TypedDict):
    conversations: int
    vocab_size: int
    tokenizer_seconds: float
    teacher: ModelReport
    student: ModelReport


def conversations_from_rows(frames: Iterable[pl.DataFrame]) -> list[Conversation]:
    """The `messages` of every row (row schema), frame by frame, in row order."""
    conversations: list[Conversation] = []
    for frame in frames:
        conversations.extend(frame["messages"].to_list())
    return conversations


def read_corpus(path: str | Path) -> list[Conversation]:
    """The conversations of a `messages`-format JSON Lines (or JSON, Parquet) corpus, in order.

    Read and validated like an ingested source; a line that does not parse, or a record that
    is not a usable conversation, raises InputError naming the file, line and reason.
    """
    result = ingest_records(read_path(str(path), "fail"), "messages", "bootstrap")
    if result.rejects:
        bad = result.rejects[0]
        line = bad.get("line", bad.get("record"))
        raise InputError(
            str(path), f"{bad['reason']} ({bad.get('field')}): not a usable conversation", line
        )
    return conversations_from_rows([result.rows])


def train_tokenizer(
    texts: Iterable[str], vocab_size: int, min_frequency: int = 2
) -> PreTrainedTokenizerFast:
    """Train a byte-level BPE on `texts`; ChatML special tokens, template, eos and pad.

    The vocabulary holds the three special tokens, all 256 byte symbols and the learned merges,
    up to `vocab_size` (fewer if the texts run out of pairs seen `min_frequency` times).
    Training is deterministic: the same texts give the same tokenizer.json.
    """
    floor = len(SPECIAL_TOKENS) + len(pre_tokenizers.ByteLevel.alphabet())
    if vocab_size < floor:
        raise ValueError(f"vocab_size must be at least {floor} (special tokens + 256 bytes)")
    tokenizer = Tokenizer(models.BPE())
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(PRETOKENIZE_REGEX), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        eos_token=EOS_TOKEN,
        pad_token=PAD_TOKEN,
        chat_template=CHAT_TEMPLATE,
        model_max_length=MAX_POSITIONS,
    )


def build_model(
    vocab_size: int,
    hidden_size: int,
    num_layers: int,
    num_heads: int,
    intermediate_size: int,
    seed: int,
    *,
    eos_token_id: int,
    pad_token_id: int,
    num_key_value_heads: int | None = None,
) -> Qwen2ForCausalLM:
    """A randomly initialised Qwen2 (head dimension 64, tied embeddings), seeded.

    `hidden_size` must be `num_heads * 64`. As in Qwen2-Instruct, bos is the pad token
    (`<|endoftext|>`) and generation stops at eos (`<|im_end|>`) or pad.
    """
    if hidden_size != num_heads * HEAD_DIM:
        raise ValueError(f"hidden_size must be num_heads * {HEAD_DIM} = {num_heads * HEAD_DIM}")
    kv_heads = num_heads if num_key_value_heads is None else num_key_value_heads
    if num_heads % kv_heads:
        raise ValueError(f"num_heads ({num_heads}) must be a multiple of num_key_value_heads")
    config = Qwen2Config(
        vocab_size=vocab_size,
        hidden_size=hidden_size,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        num_key_value_heads=kv_heads,
        intermediate_size=intermediate_size,
        max_position_embeddings=MAX_POSITIONS,
        tie_word_embeddings=True,
        bos_token_id=pad_token_id,
        eos_token_id=eos_token_id,
        pad_token_id=pad_token_id,
        dtype="float32",
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = Qwen2ForCausalLM(config)
    model.generation_config = GenerationConfig(
        bos_token_id=pad_token_id,
        eos_token_id=[eos_token_id, pad_token_id],
        pad_token_id=pad_token_id,
    )
    return model


def train_briefly(
    model: Qwen2ForCausalLM,
    tokenizer: PreTrainedTokenizerFast,
    conversations: Sequence[Conversation],
    steps: int,
    batch_size: int,
    max_length: int,
    lr: float,
    seed: int,
) -> list[float]:
    """Train `model` in place for `steps` AdamW steps; return the loss of each step.

    The loss is causal LM loss over every token of the chat-templated conversations, each
    truncated to `max_length` tokens. Batches are drawn in a seeded shuffled order (reshuffled
    each pass over the data); the learning rate warms up over the first tenth of the steps and
    then decays on a cosine. Deterministic for a given seed, on a given machine.
    """
    if max_length < 2:
        raise ValueError("max_length must be at least 2 (one token in, one to predict)")
    encoded = _encode(tokenizer, conversations, max_length)
    if not encoded:
        raise ValueError("no conversations to train on")
    pad_id = _token_id(tokenizer, PAD_TOKEN)
    losses: list[float] = []
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    with _fixed_threads():
        order = _batch_order(len(encoded), steps * batch_size, seed)
        optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
        warmup = max(1, steps // 10)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: _lr_factor(step, warmup, steps)
        )
        model.train()
        for step in range(steps):
            batch = [encoded[i] for i in order[step * batch_size : (step + 1) * batch_size]]
            input_ids, attention_mask, labels = _collate(batch, pad_id)
            loss = model(input_ids=input_ids, attention_mask=attention_mask, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(float(loss.item()))
        model.eval()
    return losses


def mean_loss(
    model: Qwen2ForCausalLM,
    tokenizer: PreTrainedTokenizerFast,
    conversations: Sequence[Conversation],
    max_length: int,
    batch_size: int = 8,
) -> float:
    """Mean causal LM loss per predicted token over the chat-templated conversations."""
    encoded = _encode(tokenizer, conversations, max_length)
    pad_id = _token_id(tokenizer, PAD_TOKEN)
    total, count = 0.0, 0
    with _fixed_threads(), torch.inference_mode():
        model.eval()
        for start in range(0, len(encoded), batch_size):
            input_ids, attention_mask, labels = _collate(
                encoded[start : start + batch_size], pad_id
            )
            logits = model(input_ids=input_ids, attention_mask=attention_mask).logits
            targets = labels[:, 1:]
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


def save_model(model: Qwen2ForCausalLM, tokenizer: PreTrainedTokenizerFast, path: Path) -> None:
    """Write a Hugging Face model folder (config, generation config, weights, tokenizer).

    The weights are written with safetensors directly, under fixed metadata and with the tied
    `lm_head.weight` left out as transformers does, so equal weights give equal bytes.
    """
    path.mkdir(parents=True, exist_ok=True)
    # `transformers serve` and vLLM pick the model class from config.json's `architectures`,
    # which only the model's own save_pretrained fills in.
    model.config.architectures = [type(model).__name__]
    model.config.save_pretrained(path)
    model.generation_config.save_pretrained(path)
    state = {
        name: tensor.detach().contiguous()
        for name, tensor in model.state_dict().items()
        if not (model.config.tie_word_embeddings and name == "lm_head.weight")
    }
    # safetensors' save_file creates the file 0600; bytes written here get the usual mode.
    (path / "model.safetensors").write_bytes(safetensors_bytes(state, metadata={"format": "pt"}))
    tokenizer.save_pretrained(path)
    config_path = path / "tokenizer_config.json"
    tokenizer_config = json.loads(config_path.read_text(encoding="utf-8"))
    tokenizer_config["tokenizer_class"] = TOKENIZER_CLASS
    config_path.write_text(
        json.dumps(tokenizer_config, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )


def bootstrap(
    conversations: Sequence[Conversation], out_dir: str | Path, params: Bootstrap
) -> BootstrapReport:
    """Train the tokenizer and both models on `conversations`; save them.

    Writes `out_dir/teacher` and `out_dir/student`, each a folder that `AutoTokenizer` and
    `AutoModelForCausalLM.from_pretrained` load. Returns parameter counts, losses and timings.
    """
    out_dir = Path(out_dir)
    if not conversations:
        raise DistilpipeError("bootstrap: the corpus holds no conversations")
    start = time.perf_counter()
    tokenizer = train_tokenizer(_tokenizer_texts(conversations), params.vocab_size)
    tokenizer_seconds = time.perf_counter() - start
    # An evenly spread, fixed subset, so before/after losses compare the same texts.
    stride = max(1, len(conversations) // EVAL_CONVERSATIONS)
    evaluation = conversations[::stride][:EVAL_CONVERSATIONS]
    reports: dict[str, ModelReport] = {}
    for role, size in (("teacher", params.teacher), ("student", params.student)):
        start = time.perf_counter()
        model = build_model(
            len(tokenizer),
            size.hidden_size,
            size.num_layers,
            size.num_heads,
            size.intermediate_size,
            params.seed,
            eos_token_id=_token_id(tokenizer, EOS_TOKEN),
            pad_token_id=_token_id(tokenizer, PAD_TOKEN),
            num_key_value_heads=size.num_key_value_heads,
        )
        before = mean_loss(model, tokenizer, evaluation, params.max_length)
        losses = train_briefly(
            model,
            tokenizer,
            conversations,
            steps=params.steps,
            batch_size=params.batch_size,
            max_length=params.max_length,
            lr=params.lr,
            seed=params.seed,
        )
        after = mean_loss(model, tokenizer, evaluation, params.max_length)
        save_model(model, tokenizer, out_dir / role)
        reports[role] = ModelReport(
            parameters=sum(p.numel() for p in model.parameters()),
            loss_initial=round(before, 4),
            loss_final=round(after, 4),
            losses=[round(loss, 4) for loss in losses],
            seconds=time.perf_counter() - start,
        )
    return BootstrapReport(
        conversations=len(conversations),
        vocab_size=len(tokenizer),
        tokenizer_seconds=tokenizer_seconds,
        teacher=reports["teacher"],
        student=reports["student"],
    )


def _tokenizer_texts(conversations: Iterable[Conversation]) -> Iterator[str]:
    # Role names go in too: they follow <|im_start|> in every templated turn.
    for conversation in conversations:
        for message in conversation:
            yield message["role"] + "\n" + message["content"]


def _token_id(tokenizer: PreTrainedTokenizerFast, token: str) -> int:
    token_id = tokenizer.convert_tokens_to_ids(token)
    if not isinstance(token_id, int):
        raise ValueError(f"token {token!r} is not in the vocabulary")
    return token_id


def _encode(
    tokenizer: PreTrainedTokenizerFast, conversations: Sequence[Conversation], max_length: int
) -> list[list[int]]:
    texts = [
        str(tokenizer.apply_chat_template(list(conversation), tokenize=False))
        for conversation in conversations
    ]
    encoded = tokenizer(texts, add_special_tokens=False, truncation=True, max_length=max_length)
    return [list(ids) for ids in encoded["input_ids"]]


def _collate(
    batch: Sequence[list[int]], pad_id: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    width = max(len(ids) for ids in batch)
    input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    attention_mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, ids in enumerate(batch):
        input_ids[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
        attention_mask[row, : len(ids)] = 1
    labels = input_ids.masked_fill(attention_mask == 0, -100)
    return input_ids, attention_mask, labels


def _batch_order(n: int, length: int, seed: int) -> list[int]:
    generator = torch.Generator().manual_seed(seed)
    order: list[int] = []
    while len(order) < length:
        order.extend(torch.randperm(n, generator=generator).tolist())
    return order[:length]


def _lr_factor(step: int, warmup: int, steps: int) -> float:
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return 0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * progress))


@contextmanager
def _fixed_threads() -> Iterator[None]:
    """Fix torch's thread count and insist on deterministic kernels; restore both after."""
    threads = torch.get_num_threads()
    strict = torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(TRAIN_THREADS)
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(strict)
        torch.set_num_threads(threads)
