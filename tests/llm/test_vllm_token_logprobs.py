"""The vllm backend's token_logprobs against tests/llm/fake_vllm (no vLLM, no GPU): at each
requested position the top k of vLLM's prompt logprobs, most likely first, never the extra
prompt token vLLM adds when it ranks below k; one SamplingParams per k; top_k above the
engine's max_logprobs stops the call in one line; and replicas answer in request order."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from distilpipe.errors import DistilpipeError
from distilpipe.llm.types import Failure, TokenLogprobs, TokenLogprobsRequest
from distilpipe.llm.vllm_backend import VLLMBackend, VLLMReplicas, top_k_logprobs
from distilpipe.params import ModelSpec

MESSAGES = ({"role": "user", "content": "unused: the ids are the request"},)


@pytest.fixture
def engine(fake_vllm: Path, tiny_model_dir: Path) -> Iterator[VLLMBackend]:
    backend = VLLMBackend(ModelSpec(backend="vllm", model=str(tiny_model_dir)))
    try:
        yield backend
    finally:
        backend.close()


class Recorder:
    """Wraps the fake LLM's generate to keep each call's prompts, SamplingParams and
    outputs (what vLLM sent, before the backend reads it)."""

    def __init__(self, llm: Any) -> None:
        self.generate = llm.generate
        self.calls: list[tuple[list[list[int]], list[Any]]] = []
        self.outputs: list[Any] = []
        llm.generate = self

    def __call__(self, inputs: list[dict[str, list[int]]], sampling_params: Any, **kw: Any) -> Any:
        self.calls.append(([i["prompt_token_ids"] for i in inputs], list(sampling_params)))
        outputs = self.generate(inputs, sampling_params, **kw)
        self.outputs.extend(outputs)
        return outputs


def expected(ids: list[int], positions: list[int], k: int, size: int) -> tuple[list, list]:
    """Teacher forcing over the fake's model: the k most likely next tokens, ties by id."""
    import vllm

    top_ids, top_logprobs = [], []
    for j in positions:
        logprobs = vllm.next_token_logprobs(ids[:j], size)
        order = sorted(range(size), key=lambda t: (-logprobs[t], t))[:k]
        top_ids.append(order)
        top_logprobs.append([logprobs[t] for t in order])
    return top_ids, top_logprobs


def sequence(seed: int, n: int, size: int) -> list[int]:
    rng = random.Random(seed)
    return [rng.randrange(size) for _ in range(n)]


def ask(ids: list[int], positions: list[int], k: int) -> TokenLogprobsRequest:
    return TokenLogprobsRequest(MESSAGES, tuple(ids), tuple(positions), k)


def test_top_k_per_position_without_the_extra_prompt_token(engine: VLLMBackend) -> None:
    import vllm

    size = len(engine.engine.tokenizer)  # type: ignore[union-attr]
    ids = sequence(0, 12, size)
    # position 5's token made the most likely one, so there it is in the top k
    ids[5] = max(range(size), key=lambda t: vllm.next_token_logprobs(ids[:5], size)[t])
    positions, k = [1, 3, 5, 11], 4
    recorder = Recorder(engine.engine.llm)  # type: ignore[union-attr]
    [result] = engine.token_logprobs([ask(ids, positions, k)])
    assert isinstance(result, TokenLogprobs)
    assert (result.top_ids, result.top_logprobs) == expected(ids, positions, k, size)
    assert result.prompt_tokens == len(ids)
    assert all(row == sorted(row, reverse=True) for row in result.top_logprobs)
    assert result.top_ids[2][0] == ids[5]
    # where vLLM sent k + 1 entries (the prompt token ranked below k), it is left out
    [sent] = recorder.outputs
    extra = [sent.prompt_logprobs[j][ids[j]].rank > k for j in positions]
    assert extra == [True, True, False, True]
    for row, j, more in zip(result.top_ids, positions, extra, strict=True):
        assert len(sent.prompt_logprobs[j]) == k + more
        assert (ids[j] in row) != more


def test_one_generate_call_one_sampling_params_per_k_results_in_order(
    engine: VLLMBackend,
) -> None:
    size = len(engine.engine.tokenizer)  # type: ignore[union-attr]
    recorder = Recorder(engine.engine.llm)  # type: ignore[union-attr]
    cases = [(sequence(1, 9, size), [1, 8], 3), (sequence(2, 6, size), [2, 3, 4], 5)]
    cases.append((sequence(3, 7, size), [6], 3))
    results = engine.token_logprobs([ask(*case) for case in cases])
    for (ids, positions, k), result in zip(cases, results, strict=True):
        assert isinstance(result, TokenLogprobs)
        assert (result.top_ids, result.top_logprobs) == expected(ids, positions, k, size)
        assert [len(row) for row in result.top_ids] == [k] * len(positions)
    [(prompts, params)] = recorder.calls
    assert prompts == [ids for ids, _, _ in cases]  # the ids as they are, as one batch
    assert params[0] is params[2] and params[0] is not params[1]
    assert [p.prompt_logprobs for p in params] == [3, 5, 3]
    assert all(p.max_tokens == 1 and p.temperature == 0.0 for p in params)


def test_out_of_vocabulary_ids_fail_that_request_only(engine: VLLMBackend) -> None:
    size = len(engine.engine.tokenizer)  # type: ignore[union-attr]
    good = ask(sequence(4, 8, size), [1, 7], 2)
    alone = engine.token_logprobs([good])
    mixed = engine.token_logprobs([ask([1, size + 7, 2], [1, 2], 2), good])
    assert isinstance(mixed[0], Failure) and "rejected" in mixed[0].reason
    assert mixed[1] == alone[0]


def test_top_k_above_max_logprobs_stops_before_anything_runs(engine: VLLMBackend) -> None:
    recorder = Recorder(engine.engine.llm)  # type: ignore[union-attr]
    with pytest.raises(DistilpipeError) as info:
        engine.token_logprobs([ask([1, 2, 3], [1], 5), ask([1, 2, 3], [2], 21)])
    message = str(info.value)
    assert "\n" not in message
    assert "top 21" in message and "max_logprobs is 20" in message and "ModelSpec" in message
    assert recorder.calls == []
    engine.engine.llm.llm_engine.model_config.max_logprobs = -1  # type: ignore[union-attr]
    [result] = engine.token_logprobs([ask([1, 2, 3], [2], 21)])  # -1: vLLM's "no cap"
    assert isinstance(result, TokenLogprobs) and len(result.top_ids[0]) == 21


def _row(*entries: tuple[int, float, int]) -> dict[int, tuple[float, int]]:
    return {token: (logprob, rank) for token, logprob, rank in entries}


def _entry(token: int, value: tuple[float, int]) -> tuple[int, float, int]:
    return token, *value


def test_selection_ranks_breaks_ties_by_token_id_and_fails_short_rows() -> None:
    rows = [
        None,
        _row((9, -5.0, 7), (4, -0.5, 1), (2, -1.5, 2)),  # prompt token 9 ranked 7: left out
        _row((8, -1.0, 2), (3, -0.2, 1), (6, -1.0, 2)),  # 8 ties 6 at rank 2: the lower id
    ]
    request = ask([0, 9, 8], [1, 2], 2)
    result = top_k_logprobs(request, rows, _entry)
    assert result == TokenLogprobs([[4, 2], [3, 6]], [[-0.5, -1.5], [-0.2, -1.0]], 3)
    assert isinstance(top_k_logprobs(ask([0, 9, 8], [1], 3), rows, _entry), Failure)
    assert isinstance(top_k_logprobs(ask([0, 9, 8], [0], 1), rows, _entry), Failure)
    assert isinstance(top_k_logprobs(ask([0, 9, 8, 1], [1], 1), rows, _entry), Failure)


def test_replicas_answer_what_one_engine_answers_in_request_order(
    fake_vllm: Path, tiny_model_dir: Path
) -> None:
    one = VLLMBackend(ModelSpec(backend="vllm", model=str(tiny_model_dir)))
    size = len(one.engine.tokenizer)  # type: ignore[union-attr]
    requests = [ask(sequence(10 + i, 5 + i, size), [1, 4], 2 + i % 3) for i in range(7)]
    requests[4] = ask([1, size, 2], [1], 2)  # rejected, alone in its replica
    try:
        want = one.token_logprobs(requests)
    finally:
        one.close()
    fake_vllm.unlink()
    assert [isinstance(r, Failure) for r in want] == [i == 4 for i in range(7)]

    backend = VLLMBackend(ModelSpec(backend="vllm", model=str(tiny_model_dir), replicas=3))
    assert isinstance(backend.engine, VLLMReplicas)
    try:
        assert backend.token_logprobs(requests) == want
    finally:
        backend.close()
    answers = [json.loads(line) for line in fake_vllm.read_text().splitlines()]
    by_gpu: dict[str, list[list[int]]] = {}
    for answer in answers:
        by_gpu.setdefault(answer["gpus"], []).append(answer["prompt_token_ids"])
    ids = [list(r.token_ids) for r in requests]
    assert by_gpu == {"4": ids[0:3], "5": ids[3:4], "6": ids[5:7]}
