"""OpenAIBackend.token_logprobs against a loopback server shaped like vLLM's completions
endpoint: the token ids go as the prompt with prompt_logprobs: k, the answer is the top k at
each requested position (never the extra prompt token vLLM adds when it ranks below k),
transient errors are retried, and a server without prompt_logprobs stops in one line."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from distilpipe.errors import DistilpipeError
from distilpipe.llm.openai_backend import OpenAIBackend
from distilpipe.llm.types import Failure, TokenLogprobs, TokenLogprobsRequest
from distilpipe.params import ModelSpec
from tests.serving import LoopbackServer

VOCAB = 50
MESSAGES = ({"role": "user", "content": "unused: the ids are the request"},)


def next_logprobs(context: list[int]) -> list[float]:
    """The fake's model: a next-token log distribution fixed by the context."""
    rng = random.Random(repr(context))
    logits = [rng.gauss(0.0, 3.0) for _ in range(VOCAB)]
    top = max(logits)
    norm = top + math.log(sum(math.exp(x - top) for x in logits))
    return [x - norm for x in logits]


def ranked(context: list[int]) -> list[int]:
    logprobs = next_logprobs(context)
    return sorted(range(VOCAB), key=lambda t: (-logprobs[t], t))


class FakeVLLMCompletions(LoopbackServer):
    """`vllm serve`'s /v1/completions with prompt_logprobs, as JSON sends them: None first,
    then per prompt token {"<id>": {"logprob", "rank", "decoded_token"}} for the top k and the
    prompt token itself. `failures` 503s are sent before the first answer;
    `prompt_logprobs=False` is a server (a hosted API) that leaves them out."""

    def __init__(self, prompt_logprobs: bool = True, failures: int = 0) -> None:
        super().__init__(_Handler)
        self.prompt_logprobs = prompt_logprobs
        self.failures = failures
        self.requests: list[tuple[str, dict[str, Any]]] = []

    def reply(self, body: dict[str, Any]) -> dict[str, Any]:
        ids, k = body["prompt"], body["prompt_logprobs"]
        rows: list[Any] = [None]
        for j in range(1, len(ids)):
            logprobs, order = next_logprobs(ids[:j]), ranked(ids[:j])
            row = {ids[j]: 1 + order.index(ids[j])}
            row.update({t: rank for rank, t in enumerate(order[:k], start=1)})
            rows.append(
                {
                    str(t): {"logprob": logprobs[t], "rank": rank, "decoded_token": f"<{t}>"}
                    for t, rank in row.items()
                }
            )
        choice: dict[str, Any] = {"index": 0, "text": "x", "finish_reason": "length"}
        if self.prompt_logprobs:
            choice["prompt_logprobs"] = rows
        return {"id": "x", "object": "text_completion", "choices": [choice]}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        fake: FakeVLLMCompletions = self.server.fake  # type: ignore[attr-defined]
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with fake.lock:
            fake.requests.append((self.path, body))
            fail, fake.failures = fake.failures > 0, max(0, fake.failures - 1)
        code, payload = (503, {"error": "busy"}) if fail else (200, fake.reply(body))
        raw = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def serve() -> Iterator[Any]:
    started: list[tuple[FakeVLLMCompletions, OpenAIBackend]] = []

    def _serve(fake: FakeVLLMCompletions) -> OpenAIBackend:
        fake.start()
        spec = ModelSpec(backend="openai", model="m", base_url=fake.base_url, max_concurrency=4)
        backend = OpenAIBackend(spec, sleep=lambda s: None)
        started.append((fake, backend))
        return backend

    yield _serve
    for fake, backend in started:
        backend.close()
        fake.stop()


def sequence(seed: int, n: int) -> list[int]:
    rng = random.Random(seed)
    return [rng.randrange(VOCAB) for _ in range(n)]


def ask(ids: list[int], positions: list[int], k: int) -> TokenLogprobsRequest:
    return TokenLogprobsRequest(MESSAGES, tuple(ids), tuple(positions), k)


def test_sends_the_ids_as_the_prompt_and_reads_the_top_k(serve: Any) -> None:
    fake = FakeVLLMCompletions()
    backend = serve(fake)
    ids = sequence(0, 10)
    ids[4] = ranked(ids[:4])[1]  # the second most likely: in the top k there
    cases = [(ids, [1, 4, 9], 3), (sequence(1, 6), [5], 5)]
    results = backend.token_logprobs([ask(*case) for case in cases])
    for (seq, positions, k), result in zip(cases, results, strict=True):
        assert isinstance(result, TokenLogprobs)
        assert result.prompt_tokens == len(seq)
        for j, top_ids, top_logprobs in zip(
            positions, result.top_ids, result.top_logprobs, strict=True
        ):
            assert top_ids == ranked(seq[:j])[:k]
            assert top_logprobs == [next_logprobs(seq[:j])[t] for t in top_ids]
            assert (seq[j] in top_ids) == (seq[j] in ranked(seq[:j])[:k])
    assert results[0].top_ids[1][1] == ids[4]
    # position 1's token ranks below 3: the server sent it, the answer leaves it out
    assert ids[1] not in results[0].top_ids[0]
    bodies = sorted((b for _, b in fake.requests), key=lambda b: len(b["prompt"]))
    assert {path for path, _ in fake.requests} == {"/v1/completions"}
    assert bodies[1] == {
        "model": "m",
        "prompt": ids,
        "max_tokens": 1,
        "temperature": 0.0,
        "n": 1,
        "prompt_logprobs": 3,
    }
    assert bodies[0]["prompt_logprobs"] == 5


def test_a_busy_server_is_retried(serve: Any) -> None:
    fake = FakeVLLMCompletions(failures=2)
    backend = serve(fake)
    [result] = backend.token_logprobs([ask(sequence(2, 5), [1, 2], 2)])
    assert isinstance(result, TokenLogprobs) and len(fake.requests) == 3


def test_malformed_or_short_prompt_logprobs_fail_that_request(
    serve: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeVLLMCompletions()
    backend = serve(fake)
    reply = fake.reply

    def broken(body: dict[str, Any]) -> dict[str, Any]:
        data = reply(body)
        rows = data["choices"][0]["prompt_logprobs"]
        if len(body["prompt"]) == 4:
            rows[2] = {"7": {"logprob": "high"}}  # a logprob that is no number, no rank
        elif len(body["prompt"]) == 5:
            rows.pop()  # does not cover the prompt
        return data

    monkeypatch.setattr(fake, "reply", broken)
    results = backend.token_logprobs(
        [ask(sequence(3, 4), [2], 2), ask(sequence(4, 5), [1], 2), ask(sequence(5, 6), [1], 2)]
    )
    assert isinstance(results[0], Failure) and "malformed prompt_logprobs" in results[0].reason
    assert isinstance(results[1], Failure) and "cover 4 tokens of 5" in results[1].reason
    assert isinstance(results[2], TokenLogprobs)


def test_server_without_prompt_logprobs_fails_with_one_line(serve: Any) -> None:
    backend = serve(FakeVLLMCompletions(prompt_logprobs=False))
    with pytest.raises(DistilpipeError) as info:
        backend.token_logprobs([ask(sequence(6, 5), [1], 2)])
    message = str(info.value)
    assert "\n" not in message
    assert "token_logprobs" in message and "train_sft.kd" in message
    assert "vLLM's OpenAI-compatible server" in message and "hosted API" in message
