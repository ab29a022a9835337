"""label_logprobs: each label's whole token sequence scored as the assistant's reply, on the
transformers backend (the tiny model, checked against a plain full forward pass), through the
client and its cache, and on the openai backend against a loopback server that answers like
vLLM's (prompt_logprobs with continue_final_message)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from distilpipe.errors import DistilpipeError
from distilpipe.llm.cache import CallCache, call_key
from distilpipe.llm.client import LLMClient
from distilpipe.llm.openai_backend import OpenAIBackend
from distilpipe.llm.transformers_backend import TransformersBackend, label_token_ids
from distilpipe.llm.types import ChoiceRequest, Failure, LabelProbs, LabelRequest
from distilpipe.params import ModelSpec
from tests.serving import LoopbackServer

CODES = tuple(f"{i:02d}" for i in range(1, 34))  # the classifier's 33 labels


def _ask(text: str, labels: tuple[str, ...] = CODES) -> LabelRequest:
    return LabelRequest(({"role": "user", "content": text},), labels, "tmpl")


@pytest.fixture(scope="module")
def tiny(tiny_model_dir: Path) -> Iterator[TransformersBackend]:
    backend = TransformersBackend(ModelSpec(model=str(tiny_model_dir), device="cpu"))
    yield backend
    backend.close()


def _full_forward_logprob(backend: TransformersBackend, request: LabelRequest, label: str) -> float:
    """log p(label | prompt) from one forward pass over prompt + label: no KV cache reuse."""
    import torch

    prompt = backend._prompt_ids([request])[0]
    ids = label_token_ids(backend.tokenizer, [label])[0]
    with torch.inference_mode():
        logits = backend.model(input_ids=torch.tensor([prompt + ids])).logits[0].float()
    logp = torch.log_softmax(logits, dim=-1)
    return sum(float(logp[len(prompt) - 1 + j, t]) for j, t in enumerate(ids))


def test_transformers_labels_are_whole_sequences_and_sum_to_at_most_one(
    tiny: TransformersBackend,
) -> None:
    requests = [_ask("What is 7 plus 7?"), _ask("What is 30 plus 30?")]
    assert all(len(ids) == 2 for ids in label_token_ids(tiny.tokenizer, CODES))  # two digits
    results = tiny.label_logprobs(requests)
    for request, result in zip(requests, results, strict=True):
        assert isinstance(result, LabelProbs)
        assert set(result.probs) == set(CODES)
        assert all(0.0 < p < 1.0 for p in result.probs.values())
        assert sum(result.probs.values()) <= 1.0 + 1e-6
        assert result.prompt_tokens == len(tiny._prompt_ids([request])[0])
        # the cached-prompt batch gives what a plain forward over prompt + label gives
        for label in ("01", "17", "33"):
            expected = _full_forward_logprob(tiny, request, label)
            assert math.log(result.probs[label]) == pytest.approx(expected, abs=1e-4)
    # the tiny model was trained on sums: its two prompts do not get the same distribution
    assert isinstance(results[0], LabelProbs) and isinstance(results[1], LabelProbs)
    assert results[0].probs != results[1].probs


def test_transformers_labels_of_different_lengths_and_prefix_labels(
    tiny: TransformersBackend,
) -> None:
    labels = ("7", "14 is the answer", "plus")
    (result,) = tiny.label_logprobs([_ask("What is 7 plus 7?", labels)])
    assert isinstance(result, LabelProbs)
    for label in labels:
        expected = _full_forward_logprob(tiny, _ask("What is 7 plus 7?", labels), label)
        assert math.log(result.probs[label]) == pytest.approx(expected, abs=1e-4)
    with pytest.raises(DistilpipeError, match="prefix-free"):
        tiny.label_logprobs([_ask("What is 7 plus 7?", ("1", "12"))])


def test_transformers_prompt_over_the_context_fails_that_row_only(
    tiny: TransformersBackend,
) -> None:
    long = " ".join(["plus"] * (tiny.context or 0))
    results = tiny.label_logprobs([_ask(long), _ask("What is 2 plus 2?")])
    assert isinstance(results[0], Failure) and "context" in results[0].reason
    assert isinstance(results[1], LabelProbs)


def test_client_caches_label_calls_under_their_own_kind(
    tiny: TransformersBackend, tmp_path: Path
) -> None:
    with CallCache(tmp_path) as cache:
        client = LLMClient(tiny, cache, batch_size=2, name="classifier")
        requests = [_ask("What is 3 plus 3?"), _ask("What is 5 plus 5?"), _ask("What is 3 plus 3?")]
        first = client.label_logprobs(requests)
        assert client.stats.cache_misses == 2 and client.stats.cache_hits == 0
        again = client.label_logprobs(requests)
        assert again == first
        assert client.stats.cache_hits == 2 and client.stats.cache_misses == 2
        assert cache.stats()["per_kind"] == {"label_logprobs": 2}
    # the judge's single-token kind keeps its keys: same inputs, different kinds, different keys
    messages = requests[0].messages
    label_key = call_key(tiny.identity, "label_logprobs", messages, {"labels": list(CODES)}, "t")
    choice_key = call_key(tiny.identity, "choice_logprobs", messages, {"choices": list(CODES)}, "t")
    assert label_key != choice_key
    assert ChoiceRequest(messages, CODES).choices == CODES


# --- the openai backend against a vLLM-shaped loopback server --------------------------------

# The fake's "model": a distribution over labels per question; its tokens are characters, and
# the chat template puts "<|im_start|>assistant\n" before the open assistant turn.
DISTRIBUTIONS = {
    "sum": {"01": 0.5, "02": 0.25, "33": 0.125},
    "poem": {"05": 0.9},
}


class FakeVLLM(LoopbackServer):
    def __init__(self, prompt_logprobs: bool = True, merge_newline: bool = False) -> None:
        super().__init__(_Handler)
        self.prompt_logprobs = prompt_logprobs
        self.merge_newline = merge_newline  # "\n0" as one token, across the label's boundary
        self.bodies: list[dict[str, Any]] = []

    def reply(self, body: dict[str, Any]) -> dict[str, Any]:
        messages = body["messages"]
        label = messages[-1]["content"]
        question = messages[-2]["content"]
        p = DISTRIBUTIONS[question].get(label, 1e-6)
        tokens = ["<|im_start|>", "user", "\n", *question, "<|im_end|>", "\n"]
        tokens += ["<|im_start|>", "assistant"]
        if self.merge_newline:
            tokens += ["\n" + label[0], *label[1:]]
        else:
            tokens += ["\n", *label]
        # the label's first token carries log p(label); the rest follow with certainty
        n_label = len(label)  # tokens that hold the label's characters
        logprobs: list[Any] = [None]
        for k, token in enumerate(tokens[1:], start=1):
            first_label_token = k == len(tokens) - n_label
            value = (
                math.log(p) if first_label_token else (0.0 if k > len(tokens) - n_label else -2.0)
            )
            logprobs.append({str(1000 + k): {"logprob": value, "rank": 1, "decoded_token": token}})
        data: dict[str, Any] = {
            "id": "x",
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "x"}}],
            "usage": {"prompt_tokens": len(tokens), "completion_tokens": 1},
        }
        if self.prompt_logprobs:
            data["prompt_logprobs"] = logprobs
        return data


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        fake: FakeVLLM = self.server.fake  # type: ignore[attr-defined]
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with fake.lock:
            fake.bodies.append(body)
        payload = json.dumps(fake.reply(body)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _serve(fake: FakeVLLM) -> Iterator[OpenAIBackend]:
    fake.start()
    spec = ModelSpec(backend="openai", model="m", base_url=fake.base_url, max_concurrency=4)
    backend = OpenAIBackend(spec, sleep=lambda s: None)
    try:
        yield backend
    finally:
        backend.close()
        fake.stop()


@pytest.mark.parametrize("merge_newline", [False, True])
def test_openai_label_logprobs_read_vllm_prompt_logprobs(merge_newline: bool) -> None:
    fake = FakeVLLM(merge_newline=merge_newline)
    for backend in _serve(fake):
        results = backend.label_logprobs([_ask("sum"), _ask("poem")])
        assert [type(r) for r in results] == [LabelProbs, LabelProbs]
        assert isinstance(results[0], LabelProbs) and isinstance(results[1], LabelProbs)
        for result, question in zip(results, ("sum", "poem"), strict=True):
            for label in CODES:
                want = DISTRIBUTIONS[question].get(label, 1e-6)
                assert result.probs[label] == pytest.approx(want, rel=1e-9)
            assert sum(result.probs.values()) <= 1.0
        # the tokens before the label's: 7 of the template, the question's, then "\n" unless
        # it merged into the label's first token
        assert results[0].prompt_tokens == 7 + len("sum") + (0 if merge_newline else 1)
        assert len(fake.bodies) == 2 * len(CODES)
        body = fake.bodies[0]
        assert body["continue_final_message"] is True
        assert body["add_generation_prompt"] is False
        assert body["prompt_logprobs"] == 0 and body["max_tokens"] == 1
        assert body["messages"][-1]["role"] == "assistant"
        assert {b["messages"][-1]["content"] for b in fake.bodies} == set(CODES)


def test_openai_server_without_prompt_logprobs_fails_with_one_line() -> None:
    for backend in _serve(FakeVLLM(prompt_logprobs=False)):
        with pytest.raises(DistilpipeError) as info:
            backend.label_logprobs([_ask("sum")])
        message = str(info.value)
        assert "\n" not in message
        assert "prompt_logprobs" in message and "classify.mode: generate" in message
