"""A stand-in for vLLM's offline API (`LLM`, `SamplingParams`): just enough of it for the vllm
backend's replica tests on a machine with neither vLLM nor a GPU (tests/llm/test_vllm_replicas.py
puts this folder first on sys.path).

Answers are a pure function of the prompt and the request's seed, as vLLM's are meant to be
with per-request seeds. Every prompt answered is appended to the JSON Lines file
$FAKE_VLLM_LOG with the process id and the GPUs the process was given, so a test can see
which replica answered what. A prompt containing REJECT makes the whole call raise
ValueError, as vLLM does for a prompt longer than max_model_len. An engine whose
CUDA_VISIBLE_DEVICES equals $FAKE_VLLM_FAIL_ON fails to load.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
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


class LLM:
    def __init__(self, model: str, **kwargs: Any):
        if os.environ.get("CUDA_VISIBLE_DEVICES") == os.environ.get("FAKE_VLLM_FAIL_ON"):
            raise RuntimeError("CUDA out of memory\n(fake)")
        self.tokenizer = AutoTokenizer.from_pretrained(model)
        self.kwargs = kwargs

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
