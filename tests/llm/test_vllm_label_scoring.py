"""The vllm backend's label scoring against a fake `vllm` module (no vLLM needed): the trie
walk (`logprob_token_ids`) and the older prompt_logprobs path give every label the probability
a full teacher-forced pass gives, the walk sends one 1-token request per trie node, and with
a prefix cache that never serves prompt_logprobs requests (as vLLM V1's) it computes about one
prompt's prefill where the older path computes one per label."""

from __future__ import annotations

import math
import random
import sys
import types
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from distilpipe.errors import DistilpipeError
from distilpipe.llm import make_backend
from distilpipe.llm.types import Backend, Failure, LabelProbs, LabelRequest
from distilpipe.llm.vllm_backend import MAX_LOGPROB_TOKEN_IDS, label_trie
from distilpipe.params import ModelSpec

CODES = tuple(f"{i:02d}" for i in range(1, 34))  # the classifier's 33 labels
VOCAB = 512  # the fake tokenizer's ids: code points modulo this
BLOCK = 16  # the fake prefix cache's block size (vLLM's default on a GPU)
MAX_MODEL_LEN = 200


@cache
def next_logprobs(context: tuple[int, ...]) -> tuple[float, ...]:
    """The fake model: a fixed, context-dependent next-token log distribution."""
    rng = random.Random(repr(context))
    logits = [rng.gauss(0.0, 3.0) for _ in range(VOCAB)]
    top = max(logits)
    norm = top + math.log(sum(math.exp(x - top) for x in logits))
    return tuple(x - norm for x in logits)


def sequence_logprob(prompt: list[int], label: list[int]) -> float:
    """What teacher forcing gives (the transformers backend's definition)."""
    return sum(next_logprobs(tuple(prompt + label[:j]))[t] for j, t in enumerate(label))


class CharTokenizer:
    def apply_chat_template(
        self, messages: list[dict[str, str]], add_generation_prompt: bool, tokenize: bool
    ) -> str:
        assert add_generation_prompt and not tokenize
        return "".join(f"<{m['role']}>{m['content']}" for m in messages) + "<assistant>"

    def encode(self, text: str, add_special_tokens: bool = True) -> list[int]:
        return [ord(c) % VOCAB for c in text]


@dataclass
class Logprob:
    logprob: float


@dataclass
class Completion:
    token_ids: list[int]
    logprobs: list[dict[int, Logprob]] | None


@dataclass
class RequestOutput:
    prompt_token_ids: list[int]
    prompt_logprobs: list[dict[int, Logprob] | None] | None
    outputs: list[Completion]
    num_cached_tokens: int


class SamplingParams:
    def __init__(
        self,
        max_tokens: int = 16,
        temperature: float = 1.0,
        logprobs: int | None = None,
        prompt_logprobs: int | None = None,
        logprob_token_ids: list[int] | None = None,
    ) -> None:
        if logprob_token_ids is not None and len(logprob_token_ids) > MAX_LOGPROB_TOKEN_IDS:
            raise ValueError("too many logprob_token_ids")
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.logprobs = logprobs
        self.prompt_logprobs = prompt_logprobs
        self.logprob_token_ids = logprob_token_ids


class OldSamplingParams(SamplingParams):
    """A vLLM from before `logprob_token_ids`."""

    def __init__(
        self,
        max_tokens: int = 16,
        temperature: float = 1.0,
        logprobs: int | None = None,
        prompt_logprobs: int | None = None,
    ) -> None:
        super().__init__(max_tokens, temperature, logprobs, prompt_logprobs)


@dataclass
class Call:
    prompts: list[list[int]]
    params: list[SamplingParams]
    computed: list[int]  # prompt tokens each request computed (not read from the cache)


@dataclass
class FakeLLM:
    calls: list[Call] = field(default_factory=list)
    blocks: set[tuple[int, ...]] = field(default_factory=set)  # the prefix cache

    def get_tokenizer(self) -> CharTokenizer:
        return CharTokenizer()

    def reset(self) -> None:
        self.calls.clear()
        self.blocks.clear()

    def _cached(self, prompt: list[int], params: SamplingParams) -> int:
        """Prompt tokens read from the cache: whole blocks, never the last token, and none
        for a prompt_logprobs request (vLLM V1's skip_reading_prefix_cache)."""
        if params.prompt_logprobs is not None:
            return 0
        n = 0
        while n + BLOCK < len(prompt) and tuple(prompt[: n + BLOCK]) in self.blocks:
            n += BLOCK
        return n

    def generate(
        self, inputs: list[dict[str, list[int]]], sampling_params: Any, use_tqdm: bool
    ) -> list[RequestOutput]:
        prompts = [list(x["prompt_token_ids"]) for x in inputs]
        params = (
            sampling_params
            if isinstance(sampling_params, list)
            else [sampling_params] * len(prompts)
        )
        if any(len(p) + 1 > MAX_MODEL_LEN for p in prompts):
            raise ValueError("prompt longer than max_model_len")
        outs = [self._one(p, sp) for p, sp in zip(prompts, params, strict=True)]
        self.calls.append(
            Call(
                prompts,
                params,
                [len(p) - o.num_cached_tokens for p, o in zip(prompts, outs, strict=True)],
            )
        )
        for prompt in prompts:  # computed blocks land in the cache after the step
            for end in range(BLOCK, len(prompt) + 1, BLOCK):
                self.blocks.add(tuple(prompt[:end]))
        return outs

    def _one(self, prompt: list[int], params: SamplingParams) -> RequestOutput:
        nxt = next_logprobs(tuple(prompt))
        sampled = max(range(VOCAB), key=lambda t: nxt[t])
        asked = list(params.logprob_token_ids or [])
        logprobs = None
        if asked or params.logprobs is not None:
            logprobs = [{t: Logprob(nxt[t]) for t in [sampled, *asked]}]
        prompt_logprobs = None
        if params.prompt_logprobs is not None:
            prompt_logprobs = [None] + [
                {t: Logprob(next_logprobs(tuple(prompt[:k]))[t])}
                for k, t in enumerate(prompt)
                if k > 0
            ]
        return RequestOutput(
            prompt, prompt_logprobs, [Completion([sampled], logprobs)], self._cached(prompt, params)
        )


def fake_vllm(params_type: type) -> types.ModuleType:
    module = types.ModuleType("vllm")
    module.LLM = lambda **kwargs: FakeLLM()  # type: ignore[attr-defined]
    module.SamplingParams = params_type  # type: ignore[attr-defined]
    return module


def _backend(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, params_type: type) -> Backend:
    monkeypatch.setitem(sys.modules, "vllm", fake_vllm(params_type))
    return make_backend(ModelSpec(backend="vllm", model="fake/model"), cache_dir=tmp_path)


def _llm(backend: Backend) -> FakeLLM:
    return backend.engine.llm  # type: ignore[attr-defined]


def _ask(text: str, labels: tuple[str, ...] = CODES) -> LabelRequest:
    return LabelRequest(({"role": "user", "content": text},), labels)


def _prompt(text: str) -> list[int]:
    return CharTokenizer().encode(f"<user>{text}<assistant>")


QUESTIONS = ("Sort these numbers: 3, 1, 2.", "写一首关于秋天的诗。", "What is 7 plus 7?")


@pytest.mark.parametrize("params_type", [SamplingParams, OldSamplingParams])
def test_label_probs_are_teacher_forced_sequence_probs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, params_type: type
) -> None:
    backend = _backend(monkeypatch, tmp_path, params_type)
    results = backend.label_logprobs([_ask(q) for q in QUESTIONS])
    for question, result in zip(QUESTIONS, results, strict=True):
        assert isinstance(result, LabelProbs)
        assert result.prompt_tokens == len(_prompt(question))
        assert list(result.probs) == list(CODES)
        for code in CODES:
            want = sequence_logprob(_prompt(question), [ord(c) for c in code])
            assert math.log(result.probs[code]) == pytest.approx(want, abs=1e-12)
        assert sum(result.probs.values()) <= 1.0


def test_trie_walk_sends_one_request_per_trie_node_and_no_prompt_logprobs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    backend = _backend(monkeypatch, tmp_path, SamplingParams)
    backend.label_logprobs([_ask(q) for q in QUESTIONS])
    calls = _llm(backend).calls
    assert len(calls) == 2  # one generate call per trie depth: codes are two tokens
    depth0, depth1 = calls
    assert depth0.prompts == [_prompt(q) for q in QUESTIONS]
    assert [p.logprob_token_ids for p in depth0.params] == [[ord(d) for d in "0123"]] * 3
    # codes 01-09, 10-19, 20-29, 30-33: the second digits after each first digit
    expected = {"0": "123456789", "1": "0123456789", "2": "0123456789", "3": "0123"}
    assert len(depth1.prompts) == 3 * 4
    for prompt, params in zip(depth1.prompts, depth1.params, strict=True):
        first = chr(prompt[-1])
        assert params.logprob_token_ids == [ord(d) for d in expected[first]]
    for call in calls:
        for params in call.params:
            assert params.max_tokens == 1 and params.temperature == 0.0
            assert params.prompt_logprobs is None


def test_trie_walk_computes_about_one_prefill_where_prompt_logprobs_compute_one_per_label(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    question = "Classify this instruction. " * 5
    prompt_len = len(_prompt(question))
    computed = {}
    for params_type in (SamplingParams, OldSamplingParams):
        backend = _backend(monkeypatch, tmp_path, params_type)
        backend.label_logprobs([_ask(question)])
        computed[params_type] = sum(sum(c.computed) for c in _llm(backend).calls)
    assert computed[OldSamplingParams] == sum(prompt_len + len(code) for code in CODES)
    # the prompt once, then 4 nodes that each recompute at most a block
    assert prompt_len < computed[SamplingParams] <= prompt_len + 4 * BLOCK


def test_labels_of_any_length_and_shared_prefixes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    labels = ("7", "14 is the answer", "14 is not", "plus")
    with pytest.raises(DistilpipeError, match="prefix-free"):  # "pl" begins "plus"
        _backend(monkeypatch, tmp_path, SamplingParams).label_logprobs([_ask("x", (*labels, "pl"))])
    backend = _backend(monkeypatch, tmp_path, SamplingParams)
    (result,) = backend.label_logprobs([_ask("What is 7 plus 7?", labels)])
    assert isinstance(result, LabelProbs)
    for label in labels:
        want = sequence_logprob(_prompt("What is 7 plus 7?"), [ord(c) for c in label])
        assert math.log(result.probs[label]) == pytest.approx(want, abs=1e-12)
    # one request per trie node: the prompt, and each proper prefix with a single next token
    trie = label_trie([[ord(c) for c in label] for label in labels])
    assert sum(len(c.prompts) for c in _llm(backend).calls) == len(trie)
    assert len(_llm(backend).calls) == max(len(label) for label in labels)


def test_more_next_tokens_than_vllm_takes_are_asked_in_chunks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    labels = tuple(chr(c) for c in range(200, 200 + MAX_LOGPROB_TOKEN_IDS + 72))
    backend = _backend(monkeypatch, tmp_path, SamplingParams)
    (result,) = backend.label_logprobs([_ask("pick one", labels)])
    assert isinstance(result, LabelProbs)
    nxt = next_logprobs(tuple(_prompt("pick one")))
    for label in labels:
        assert math.log(result.probs[label]) == pytest.approx(nxt[ord(label)], abs=1e-12)
    (call,) = _llm(backend).calls
    assert [len(p.logprob_token_ids or []) for p in call.params] == [MAX_LOGPROB_TOKEN_IDS, 72]


@pytest.mark.parametrize("params_type", [SamplingParams, OldSamplingParams])
def test_overlong_prompt_fails_that_request_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, params_type: type
) -> None:
    backend = _backend(monkeypatch, tmp_path, params_type)
    alone = backend.label_logprobs([_ask(QUESTIONS[0])])
    mixed = backend.label_logprobs([_ask("x" * MAX_MODEL_LEN), _ask(QUESTIONS[0])])
    assert isinstance(mixed[0], Failure) and "rejected" in mixed[0].reason
    assert mixed[1] == alone[0]


def test_vllm_that_drops_logprob_token_ids_fails_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    class Ignored(SamplingParams):
        def __init__(self, **kwargs: Any) -> None:
            kwargs.pop("logprob_token_ids", None)
            super().__init__(**kwargs)

    backend = _backend(monkeypatch, tmp_path, Ignored)
    with pytest.raises(DistilpipeError) as info:
        backend.label_logprobs([_ask(QUESTIONS[0])])
    assert "logprob_token_ids" in str(info.value) and "\n" not in str(info.value)
