"""A stand-in for vLLM's offline API (`LLM`, `SamplingParams`): just enough of it for the vllm
backend's replica tests on a machine with neither vLLM nor a GPU (tests/llm/test_vllm_replicas.py
puts this folder first on sys.path).

Answers are a pure function of the prompt and the request's seed, as vLLM's are meant to be
with per-request seeds. Every prompt answered is appended to the JSON Lines file
$FAKE_VLLM_LOG with the process id and the GPUs the process was given, so a test can see
which replica answered what. A prompt containing REJECT makes the whole call raise
ValueError, as vLLM does for a prompt longer than max_model_len. An engine whose
CUDA_VISIBLE_DEVICES equals $FAKE_VLLM_FAIL_ON fails to load.

`generate` takes token-id prompts and answers `prompt_logprobs=k` as vLLM does: None first,
then per prompt token the top k ranked 1..k and the prompt token with its own rank, from a
fixed, context-dependent distribution (`next_token_logprobs`). A token id outside the
vocabulary makes the whole call raise ValueError, as in vLLM.
"""

from __future__ import annotations

import json
import math
import os
import random
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from transformers import AutoTokenizer


@dataclass
class SamplingParams:
    max_tokens: int = 16
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int | None = None
    logprobs: int | None = None
    prompt_logprobs: int | None = None


@dataclass
class Logprob:
    logprob: float
    rank: int | None = None


@dataclass
class CompletionOutput:
    text: str
    token_ids: list[int]
    finish_reason: str
    logprobs: list[dict[int, Logprob]] | None = None


@dataclass
class RequestOutput:
    prompt_token_ids: list[int]
    outputs: list[CompletionOutput]
    prompt_logprobs: list[dict[int, Logprob] | None] | None = None


def next_token_logprobs(context: list[int], vocab: int) -> list[float]:
    """The fake model: a next-token log distribution fixed by the context."""
    rng = random.Random(repr(context))
    logits = [rng.gauss(0.0, 3.0) for _ in range(vocab)]
    top = max(logits)
    norm = top + math.log(sum(math.exp(x - top) for x in logits))
    return [x - norm for x in logits]


class LLM:
    def __init__(self, model: str, **kwargs: Any):
        if os.environ.get("CUDA_VISIBLE_DEVICES") == os.environ.get("FAKE_VLLM_FAIL_ON"):
            raise RuntimeError("CUDA out of memory\n(fake)")
        self.tokenizer = AutoTokenizer.from_pretrained(model)
        self.kwargs = kwargs
        self.llm_engine = SimpleNamespace(model_config=SimpleNamespace(max_logprobs=20))

    def get_tokenizer(self) -> Any:
        return self.tokenizer

    def chat(
        self,
        conversations: list[list[dict[str, str]]],
        sampling_params: SamplingParams | list[SamplingParams],
        use_tqdm: bool = True,
    ) -> list[RequestOutput]:
        if isinstance(sampling_params, SamplingParams):
            sampling_params = [sampling_params] * len(conversations)
        if any("REJECT" in c[-1]["content"] for c in conversations):
            raise ValueError("the prompt is longer than max_model_len")
        return [self._answer(c, p) for c, p in zip(conversations, sampling_params, strict=True)]

    def _answer(self, conversation: list[dict[str, str]], params: SamplingParams) -> RequestOutput:
        prompt = self.tokenizer.apply_chat_template(
            conversation, add_generation_prompt=True, tokenize=False
        )
        ids = list(self.tokenizer.encode(prompt, add_special_tokens=False))
        content = conversation[-1]["content"]
        with open(os.environ["FAKE_VLLM_LOG"], "a", encoding="utf-8") as log:
            record = {"pid": os.getpid(), "gpus": os.environ.get("CUDA_VISIBLE_DEVICES")}
            log.write(json.dumps({**record, "prompt": content}) + "\n")
        text = f"{content} (seed {params.seed})"
        top = None
        if params.logprobs:
            digits = [self.tokenizer.encode(str(d), add_special_tokens=False)[0] for d in range(10)]
            top = [{t: Logprob(-1.0 - (d + len(ids)) % 10) for d, t in enumerate(digits)}]
        return RequestOutput(ids, [CompletionOutput(text, ids[:3], "stop", top)])

    def generate(
        self,
        prompts: list[dict[str, list[int]]],
        sampling_params: SamplingParams | list[SamplingParams],
        use_tqdm: bool = True,
    ) -> list[RequestOutput]:
        if isinstance(sampling_params, SamplingParams):
            sampling_params = [sampling_params] * len(prompts)
        vocab = len(self.tokenizer)
        if any(not 0 <= t < vocab for p in prompts for t in p["prompt_token_ids"]):
            raise ValueError("token id out of vocabulary")
        return [
            self._score(list(p["prompt_token_ids"]), params, vocab)
            for p, params in zip(prompts, sampling_params, strict=True)
        ]

    def _score(self, ids: list[int], params: SamplingParams, vocab: int) -> RequestOutput:
        with open(os.environ["FAKE_VLLM_LOG"], "a", encoding="utf-8") as log:
            record = {"pid": os.getpid(), "gpus": os.environ.get("CUDA_VISIBLE_DEVICES")}
            log.write(json.dumps({**record, "prompt_token_ids": ids}) + "\n")
        prompt_logprobs: list[dict[int, Logprob] | None] | None = None
        if params.prompt_logprobs is not None:
            prompt_logprobs = [None]
            for j in range(1, len(ids)):
                logprobs = next_token_logprobs(ids[:j], vocab)
                order = sorted(range(vocab), key=lambda t: (-logprobs[t], t))
                actual = ids[j]
                row = {actual: Logprob(logprobs[actual], 1 + order.index(actual))}
                for rank, t in enumerate(order[: params.prompt_logprobs], start=1):
                    row[t] = Logprob(logprobs[t], rank)
                prompt_logprobs.append(row)
        return RequestOutput(ids, [CompletionOutput("", ids[:1], "length")], prompt_logprobs)
