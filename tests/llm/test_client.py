from pathlib import Path

import pytest

from distilpipe.errors import DistilpipeError
from distilpipe.llm.cache import CallCache
from distilpipe.llm.client import LLMClient, row_seed
from distilpipe.llm.types import (
    ChoiceProbs,
    ChoiceRequest,
    Failure,
    GenerateRequest,
    Generation,
    Sampling,
)


class EchoBackend:
    """A deterministic stand-in backend that records every batch it is asked to compute."""

    identity = "test:echo@1"

    def __init__(self, fail_on: str | None = None, crash_after: int | None = None):
        self.batches: list[list[str]] = []
        self.fail_on = fail_on
        self.crash_after = crash_after

    def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
        if self.crash_after is not None and len(self.batches) == self.crash_after:
            raise KeyboardInterrupt("killed")
        self.batches.append([r.messages[-1]["content"] for r in requests])
        out: list[Generation | Failure] = []
        for r in requests:
            text = r.messages[-1]["content"]
            if text == self.fail_on:
                out.append(Failure("HTTP 500 after 6 attempts"))
            else:
                out.append(Generation(text.upper(), "stop", len(text), len(text) + 1))
        return out

    def choice_logprobs(self, requests: list[ChoiceRequest]) -> list[ChoiceProbs | Failure]:
        self.batches.append([r.messages[-1]["content"] for r in requests])
        return [ChoiceProbs({c: 1 / len(r.choices) for c in r.choices}, 3) for r in requests]

    def close(self) -> None:
        pass


def _requests(texts: list[str], **sampling: float) -> list[GenerateRequest]:
    return [
        GenerateRequest(({"role": "user", "content": t},), Sampling(**sampling))  # type: ignore[arg-type]
        for t in texts
    ]


@pytest.fixture
def cache(tmp_path: Path):
    with CallCache(tmp_path / "cache") as c:
        yield c


def test_results_in_order_and_second_run_is_all_hits(cache: CallCache) -> None:
    texts = ["ccc", "a", "bb", "dddd", "a"]
    backend = EchoBackend()
    client = LLMClient(backend, cache, batch_size=2)
    out = client.generate(_requests(texts))
    assert [o.text for o in out] == ["CCC", "A", "BB", "DDDD", "A"]
    # sorted by length, duplicates computed once, fixed batches of 2
    assert backend.batches == [["a", "bb"], ["ccc", "dddd"]]
    assert client.stats.as_dict() == {
        "calls": 5,
        "cache_hits": 0,
        "cache_misses": 4,
        "prompt_tokens": 10,
        "completion_tokens": 14,
        "failed": 0,
        "too_long": 0,
    }
    again = LLMClient(EchoBackend(), cache, batch_size=2)
    assert again.generate(_requests(texts)) == out
    assert again.stats.cache_hits == 4 and again.stats.cache_misses == 0
    assert again.backend.batches == []  # type: ignore[attr-defined]


def test_any_change_to_the_call_misses(cache: CallCache) -> None:
    LLMClient(EchoBackend(), cache).generate(_requests(["hello"]))
    for changed in (
        _requests(["hello!"]),
        _requests(["hello"], temperature=0.7),
        _requests(["hello"], max_new_tokens=8),
        _requests(["hello"], seed=1),
        [GenerateRequest(({"role": "user", "content": "hello"},), template_hash="t2")],
    ):
        client = LLMClient(EchoBackend(), cache)
        client.generate(changed)
        assert client.stats.cache_misses == 1, changed


def test_killed_run_resumes_with_the_same_batches(cache: CallCache) -> None:
    texts = [f"row {i:02d}" for i in range(10)]
    crashed = EchoBackend(crash_after=2)
    with pytest.raises(KeyboardInterrupt):
        LLMClient(crashed, cache, batch_size=3).generate(_requests(texts))
    resumed = EchoBackend()
    client = LLMClient(resumed, cache, batch_size=3)
    out = client.generate(_requests(texts))
    assert client.stats.cache_hits == 6
    uninterrupted = EchoBackend()
    LLMClient(uninterrupted, CallCache(cache.path.parent / "fresh"), batch_size=3).generate(
        _requests(texts)
    )
    assert crashed.batches + resumed.batches == uninterrupted.batches
    assert [o.text for o in out] == [t.upper() for t in texts]


def test_failures_are_counted_not_cached_and_bounded(cache: CallCache) -> None:
    client = LLMClient(EchoBackend(fail_on="b"), cache, max_failure_rate=0.5)
    out = client.generate(_requests(["a", "b", "c"]))
    assert isinstance(out[1], Failure) and client.stats.failed == 1
    retry = LLMClient(EchoBackend(), cache)
    retry.generate(_requests(["b"]))
    assert retry.stats.cache_misses == 1  # the failure was not cached
    strict = LLMClient(EchoBackend(fail_on="x"), cache, max_failure_rate=0.0)
    with pytest.raises(DistilpipeError, match=r"1 of 1 calls failed.*\(1x\): HTTP 500 after 6"):
        strict.generate(_requests(["x"]))
    # The rate is per run: an earlier run's failure does not count against a later one.
    halves = LLMClient(EchoBackend(fail_on="y"), cache, max_failure_rate=0.5)
    halves.generate(_requests(["y", "z"]))  # 1 of 2: at the limit, not over it
    assert halves.generate(_requests(["w"])) == [Generation("W", "stop", 1, 2)]


def test_choice_logprobs_through_the_cache(cache: CallCache) -> None:
    request = ChoiceRequest(({"role": "user", "content": "score?"},), ("0", "1"))
    first = LLMClient(EchoBackend(), cache).choice_logprobs([request])
    client = LLMClient(EchoBackend(), cache)
    assert client.choice_logprobs([request]) == first
    assert client.stats.cache_hits == 1
    assert first[0] == ChoiceProbs({"0": 0.5, "1": 0.5}, 3)


def test_row_seed_is_stable_and_differs_by_stage_and_row() -> None:
    assert row_seed("abc", "judge") == row_seed("abc", "judge")
    assert (
        len({row_seed("abc", "judge"), row_seed("abd", "judge"), row_seed("abc", "rewrite")}) == 3
    )
    assert 0 <= row_seed("abc", "judge") < 2**31


def test_a_doomed_run_stops_at_the_batch_that_dooms_it(cache: CallCache) -> None:
    """Once failures exceed max_failure_rate of the run's calls, no later batch is sent; the
    batches already finished stay cached for the re-run."""
    texts = ["a", "bad", "cc", "ddd", "eeee", "fffff", "gggggg", "hhhhhhh"]
    backend = EchoBackend(fail_on="bad")
    client = LLMClient(backend, cache, batch_size=2, max_failure_rate=0.1)
    with pytest.raises(DistilpipeError, match=r"1 of 8 calls failed, more than max_failure_rate"):
        client.generate(_requests(texts))
    assert backend.batches == [["a", "cc"], ["bad", "ddd"]]  # sorted by length; then stopped
    rerun = LLMClient(EchoBackend(), cache, batch_size=2)
    rerun.generate(_requests(texts))
    assert rerun.stats.cache_hits == 3  # a, cc, ddd


def test_the_model_name_is_kept_with_its_calls(cache: CallCache) -> None:
    LLMClient(EchoBackend(fail_on="b"), cache, max_failure_rate=1.0).generate(_requests(["b"]))
    assert cache.stats()["names"] == {}
    LLMClient(EchoBackend(), cache, model_name="models/echo").generate(_requests(["a", "b"]))
    assert cache.stats()["names"] == {"test:echo@1": ["models/echo"]}
