"""Tiny offline chat models: a byte-level BPE tokenizer and two small Qwen2 models.

The default pipeline plays every role with these, so it runs with no download. The teacher
(Qwen2-72B-Instruct's stand-in) and the student (Qwen2-1.5B's) train on conversations drawn
from the tiny world (distilpipe.world, distilpipe.world_corpus), never on a distillation
source, as a real teacher does not change when the data being distilled does: the teacher
on the world's instructions and the pipeline's own prompts answered from the world's truth,
the student on terse answers to the part of the world outside the evaluation sets. Both
learn only the assistant's turns (the loss is on answer tokens), in batches of conversations
of similar length up to a token budget.

Everything is seeded and runs on a fixed number of threads with deterministic kernels, so a
re-run on one machine writes the same bytes. Floating point differs across CPU models, so
another machine may train slightly different weights: the project commits the trained pair
(models/tiny/) and the pipeline freezes the stage, so every machine runs the same bytes.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypedDict

import torch
from safetensors.torch import save as safetensors_bytes
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from transformers import (
    GenerationConfig,
    PreTrainedTokenizerFast,
    Qwen2Config,
    Qwen2ForCausalLM,
)

from distilpipe.params import Bootstrap, StudentCorpus, TeacherCorpus
from distilpipe.world import World
from distilpipe.world_corpus import student_corpus, teacher_corpus

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
Conversation = list[dict[str, str]]


class ModelReport(TypedDict):
    parameters: int
    conversations: int  # in its corpus
    tokens: int  # in its corpus, prompts included
    loss_initial: float  # mean answer-token loss on held-out conversations, before training
    loss_final: float  # the same, after training
    losses: list[float]  # training loss per step
    seconds: float


class BootstrapReport(TypedDict):
    vocab_size: int
    tokenizer_seconds: float
    teacher: ModelReport
    student: ModelReport


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


Encoded = list[tuple[list[int], list[int]]]  # (token ids, 1 where the assistant speaks)


def encode(
    tokenizer: PreTrainedTokenizerFast,
    conversations: Sequence[Conversation],
    max_length: int = MAX_POSITIONS,
) -> Encoded:
    """Each conversation chat-templated into token ids and its assistant mask (the answers
    and their <|im_end|>, from the template's generation markers), cut at `max_length`."""
    out: Encoded = []
    for conversation in conversations:
        enc: Any = tokenizer.apply_chat_template(
            list(conversation), tokenize=True, return_dict=True, return_assistant_tokens_mask=True
        )
        ids, mask = list(enc["input_ids"]), list(enc["assistant_masks"])
        out.append((ids[:max_length], mask[:max_length]))
    return out


def length_batches(lengths: Sequence[int], tokens_per_batch: int, seed: int) -> list[list[int]]:
    """Indices grouped into batches of similar length, each at most `tokens_per_batch` tokens
    once padded (a longer sequence alone), in a seeded order."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    width = 0
    for i in order:
        if current and max(width, lengths[i]) * (len(current) + 1) > tokens_per_batch:
            batches.append(current)
            current, width = [], 0
        current.append(i)
        width = max(width, lengths[i])
    if current:
        batches.append(current)
    random.Random(seed).shuffle(batches)
    return batches


def train(
    model: Qwen2ForCausalLM,
    encoded: Encoded,
    *,
    steps: int,
    tokens_per_batch: int,
    lr: float,
    seed: int,
    pad_id: int,
    log: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Train `model` in place for `steps` AdamW steps on the answer tokens of `encoded`;
    return the loss of each step.

    Batches come from `length_batches`, reshuffled (with the seed and the pass) each pass over
    the data. The learning rate warms up over the first twentieth of the steps, then decays on
    a cosine to a tenth. Deterministic for a given seed, on a given machine. `log(step, loss)`
    is called every 100 steps.
    """
    if not encoded:
        raise ValueError("no conversations to train on")
    lengths = [len(ids) for ids, _ in encoded]
    losses: list[float] = []
    torch.manual_seed(seed)
    with _fixed_threads():
        optimizer = torch.optim.AdamW(
            model.parameters(), lr=lr, weight_decay=0.0, betas=(0.9, 0.95)
        )
        warmup = max(1, steps // 20)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: _lr_factor(step, warmup, steps)
        )
        model.train()
        batches: list[list[int]] = []
        passes = 0
        for step in range(steps):
            if not batches:
                batches = length_batches(lengths, tokens_per_batch, seed + passes)
                passes += 1
            loss = answer_loss(model, [encoded[i] for i in batches.pop()], pad_id)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(float(loss.item()))
            if log is not None and (step + 1) % 100 == 0:
                log(step + 1, sum(losses[-100:]) / 100)
        model.eval()
    return losses


def answer_loss(model: Qwen2ForCausalLM, batch: Encoded, pad_id: int) -> torch.Tensor:
    """Mean next-token cross-entropy over the batch's answer tokens. The output projection
    runs only where an answer token is predicted, not over every position."""
    input_ids, attention_mask, labels = _collate(batch, pad_id)
    hidden = model.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
    targets = labels[:, 1:]
    wanted = targets != -100
    logits = model.lm_head(hidden[:, :-1][wanted])
    return torch.nn.functional.cross_entropy(logits.float(), targets[wanted])


def mean_loss(model: Qwen2ForCausalLM, encoded: Encoded, pad_id: int, batch_size: int = 8) -> float:
    """Mean cross-entropy per answer token over `encoded`."""
    total, count = 0.0, 0
    with _fixed_threads(), torch.inference_mode():
        model.eval()
        for start in range(0, len(encoded), batch_size):
            batch = encoded[start : start + batch_size]
            n = sum(sum(mask[1:]) for _, mask in batch)
            total += float(answer_loss(model, batch, pad_id)) * n
            count += n
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
    world: World, out_dir: str | Path, params: Bootstrap, log: Callable[[str], None] | None = None
) -> BootstrapReport:
    """Draw both corpora from `world`, train the tokenizer on both and each model on its own;
    save them to `out_dir/teacher` and `out_dir/student`, folders that `AutoTokenizer` and
    `AutoModelForCausalLM.from_pretrained` load. Returns sizes, losses and timings."""
    out_dir = Path(out_dir)
    say = log or (lambda _: None)
    start = time.perf_counter()
    corpora = {
        "teacher": teacher_corpus(world, params.teacher_corpus, params.seed),
        "student": student_corpus(world, params.student_corpus, params.seed),
    }
    held_out = {
        "teacher": teacher_corpus(world, _few(params.teacher_corpus), params.seed + 1),
        "student": student_corpus(world, _few(params.student_corpus), params.seed + 1),
    }
    every = [c for corpus in corpora.values() for c in corpus]
    tokenizer = train_tokenizer(_tokenizer_texts(every), params.vocab_size)
    tokenizer_seconds = time.perf_counter() - start
    say(f"corpora: {len(every):,} conversations, tokenizer in {tokenizer_seconds:.1f}s")
    pad_id = _token_id(tokenizer, PAD_TOKEN)
    reports: dict[str, ModelReport] = {}
    for role, size in (("teacher", params.teacher), ("student", params.student)):
        start = time.perf_counter()
        encoded = encode(tokenizer, corpora[role])
        evaluation = encode(tokenizer, held_out[role])
        model = build_model(
            len(tokenizer),
            size.hidden_size,
            size.num_layers,
            size.num_heads,
            size.intermediate_size,
            params.seed,
            eos_token_id=_token_id(tokenizer, EOS_TOKEN),
            pad_token_id=pad_id,
            num_key_value_heads=size.num_key_value_heads,
        )
        before = mean_loss(model, evaluation, pad_id)
        losses = train(
            model,
            encoded,
            steps=size.steps,
            tokens_per_batch=params.tokens_per_batch,
            lr=size.lr,
            seed=params.seed,
            pad_id=pad_id,
            log=lambda step, loss, role=role, total=size.steps: say(  # type: ignore[misc]
                f"{role}: step {step:,}/{total:,}, loss {loss:.3f}"
            ),
        )
        after = mean_loss(model, evaluation, pad_id)
        save_model(model, tokenizer, out_dir / role)
        reports[role] = ModelReport(
            parameters=sum(p.numel() for p in model.parameters()),
            conversations=len(encoded),
            tokens=sum(len(ids) for ids, _ in encoded),
            loss_initial=round(before, 4),
            loss_final=round(after, 4),
            losses=[round(loss, 4) for loss in losses],
            seconds=time.perf_counter() - start,
        )
    return BootstrapReport(
        vocab_size=len(tokenizer),
        tokenizer_seconds=tokenizer_seconds,
        teacher=reports["teacher"],
        student=reports["student"],
    )


def _few(sizes: TeacherCorpus | StudentCorpus, total: int = 64) -> Any:
    """The same mix of conversation kinds as `sizes`, about `total` in all: a held-out set."""
    counts = {k: v for k, v in sizes.model_dump().items() if isinstance(v, int)}
    scale = total / max(1, sum(counts.values()))
    return sizes.model_copy(
        update={k: max(1, round(v * scale)) if v else 0 for k, v in counts.items()}
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


def _collate(batch: Encoded, pad_id: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Right-padded ids, attention mask, and labels that are the ids on answer tokens only."""
    width = max(len(ids) for ids, _ in batch)
    input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    attention_mask = torch.zeros((len(batch), width), dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    for row, (ids, mask) in enumerate(batch):
        tokens = torch.tensor(ids, dtype=torch.long)
        input_ids[row, : len(ids)] = tokens
        attention_mask[row, : len(ids)] = 1
        labels[row, : len(ids)] = tokens.masked_fill(torch.tensor(mask) == 0, -100)
    return input_ids, attention_mask, labels


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
