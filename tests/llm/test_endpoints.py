"""The openai backend over several endpoints (replicas of one model) on loopback: load is
spread, a failing endpoint is taken out and probed back, a failed request is retried on
another endpoint, and the outputs do not depend on how many endpoints answered."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from distilpipe.llm.cache import CallCache
from distilpipe.llm.client import LLMClient, row_seed
from distilpipe.llm.openai_backend import OpenAIBackend
from distilpipe.llm.types import Failure, GenerateRequest, Generation, Sampling
from distilpipe.params import ModelSpec
from tests.llm.test_openai_backend import (
    FakeOpenAI,
    Sleeps,
    held_until_in_flight,
    status,
)

DEADLINE_S = 60.0


@pytest.fixture
def servers(inject_timeouts: None) -> Iterator[list[FakeOpenAI]]:
    fakes = [FakeOpenAI() for _ in range(4)]
    for fake in fakes:
        fake.start()
    try:
        yield fakes
    finally:
        for fake in fakes:
            fake.stop()


@pytest.fixture
def pooled() -> Iterator[Callable[..., tuple[OpenAIBackend, Sleeps]]]:
    made: list[OpenAIBackend] = []

    def make(fakes: list[FakeOpenAI], **spec: Any) -> tuple[OpenAIBackend, Sleeps]:
        fields: dict[str, Any] = {
            "backend": "openai",
            "model": "tiny-chat",
            "base_url": [f.base_url for f in fakes],
            "timeout_s": 10.0,
            "max_attempts": 4,
            **spec,
        }
        sleeps = Sleeps()
        backend = OpenAIBackend(ModelSpec(**fields), sleep=sleeps)
        made.append(backend)
        return backend, sleeps

    yield make
    for backend in made:
        backend.close()


def ask(text: str, seed: int | None = None) -> GenerateRequest:
    return GenerateRequest(({"role": "user", "content": text},), Sampling(seed=seed))


def test_requests_spread_over_endpoints_by_load(servers, pooled) -> None:
    backend, _ = pooled(servers, max_concurrency=8, max_concurrency_per_endpoint=2)
    # the replies wait until 8 requests are in flight: each endpoint then carries 2 of them
    with held_until_in_flight(servers, 8) as seen:
        results = backend.generate([ask(f"question {i}") for i in range(80)])
    assert seen["in_flight"] == [2, 2, 2, 2]
    assert [r.text for r in results] == [f"echo: question {i}" for i in range(80)]  # in order
    served = [fake.served for fake in servers]
    assert sum(served) == 80
    assert max(fake.peak for fake in servers) <= 2  # never past the per-endpoint limit
    assert [s["attempts"] for s in backend.pool.stats()] == served


def test_a_failed_request_is_retried_on_another_endpoint_at_once(servers, pooled) -> None:
    first, second = servers[:2]
    first.script["hi"] = [status(500)]
    backend, sleeps = pooled([first, second])
    [result] = backend.generate([ask("hi")])
    assert result == Generation("echo: hi", "stop", 1, 2)
    assert (first.arrivals["hi"], second.served) == (1, 1)
    assert sleeps == []  # another endpoint was up: no backoff wait


def test_a_failing_endpoint_is_taken_out_then_probed_back(servers, pooled) -> None:
    good, bad = servers[:2]
    bad.down = True
    backend, _ = pooled(
        [good, bad], max_concurrency=2, endpoint_eject_after=3, endpoint_backoff_s=0.2
    )
    results = backend.generate([ask(f"q{i}") for i in range(30)])
    assert all(isinstance(r, Generation) for r in results)  # each retried on the good one
    assert good.served == 30
    stats = backend.pool.stats()
    assert stats[1]["ejections"] >= 1 and stats[1]["failures"] >= 3
    before = stats[1]["attempts"]
    assert before <= 3 + stats[1]["probes"]  # out of rotation after 3 failures in a row

    bad.down = False  # it recovers; the next attempt after its time out probes it first
    deadline = time.monotonic() + DEADLINE_S
    round_ = 0
    while bad.served == 0:
        assert time.monotonic() < deadline, "the endpoint never came back"
        round_ += 1
        backend.generate([ask(f"again {round_} {i}") for i in range(4)])
    assert backend.pool.stats()[1]["up"]
    assert bad.probes >= 1


def test_when_every_endpoint_is_down_requests_still_end(servers, pooled) -> None:
    for fake in servers[:2]:
        fake.down = True
    backend, _ = pooled(servers[:2], max_attempts=3, endpoint_backoff_s=30.0)
    results = backend.generate([ask(f"q{i}") for i in range(4)])
    assert all(r == Failure("HTTP 503 after 3 attempts") for r in results)


def test_outputs_and_cache_do_not_depend_on_how_many_endpoints(
    servers, pooled, tmp_path: Path
) -> None:
    questions = [f"Question {i}: what is {i} squared?" for i in range(40)]
    answers = {}
    for n in (1, 4):
        backend, _ = pooled(servers[:n], max_concurrency=8)
        with CallCache(tmp_path / f"cache-{n}") as cache:
            client = LLMClient(backend, cache, batch_size=8, name=f"{n} endpoints")
            results = client.generate([ask(q, row_seed(q, "test")) for q in questions])
            entries = [(row[0], row[3]) for row in cache.entries()]
        answers[n] = (results, entries)
    assert answers[1] == answers[4]
    assert all(fake.served > 0 for fake in servers)
    # each answer is its own request's (a replica given another seed answers otherwise)
    seeds = [row_seed(q, "test") for q in questions]
    assert [r.text for r in answers[4][0]] == [
        f"echo: {q} (seed {seed})" for q, seed in zip(questions, seeds, strict=True)
    ]


def test_http2_without_h2_is_one_clear_line(servers, monkeypatch) -> None:
    import importlib.util

    from distilpipe.errors import DistilpipeError

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "h2" else real(name, *a)
    )
    spec = ModelSpec(backend="openai", model="m", base_url=servers[0].base_url, http2=True)
    with pytest.raises(DistilpipeError, match="http2: true needs the h2 package"):
        OpenAIBackend(spec)


def _closed_port_url() -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def test_unreachable_endpoints_stop_the_run_in_a_few_attempts() -> None:
    from distilpipe.llm.endpoints import EndpointsDown

    urls = [_closed_port_url(), _closed_port_url()]
    spec = ModelSpec(backend="openai", model="m", base_url=urls, max_attempts=6, max_concurrency=4)
    sleeps = Sleeps()
    backend = OpenAIBackend(spec, sleep=sleeps)
    try:
        with pytest.raises(EndpointsDown) as info:
            backend.generate([ask(f"q{i}") for i in range(40)])
        attempts = [s["attempts"] for s in backend.pool.stats()]
    finally:
        backend.close()
    message = str(info.value)
    assert all(f"{url}: unreachable, " in message for url in urls)
    assert "ConnectError" in message and "\n" not in message
    # 3 attempts in a row make an endpoint dead (and out of rotation, so it gets no new
    # attempt); up to 3 more of the 4 threads' attempts were in flight on it by then
    assert all(n <= 3 + (4 - 1) for n in attempts), attempts  # of 40 requests x 6 attempts
    assert len(sleeps) <= sum(attempts)  # and so at most that many backoff waits


def test_an_endpoint_that_answered_once_is_not_declared_dead() -> None:
    """A server that answered and then went away is flaky, not misconfigured: its requests
    retry (and fail with their reason) rather than the run stopping."""
    from distilpipe.llm.endpoints import EndpointPool, EndpointsDown

    class NoClient:
        def close(self) -> None:
            pass

    pool = EndpointPool(["http://a/v1"], lambda url: NoClient(), per_endpoint=2, eject_after=3)
    endpoint = pool.acquire()
    pool.release(endpoint, healthy=True)
    for _ in range(5):
        pool.release(pool.acquire(), healthy=False, problem="connection error", unreachable=True)
    assert pool.acquire() is endpoint  # still handed out: the attempts end by max_attempts

    fresh = EndpointPool(["http://b/v1"], lambda url: NoClient(), per_endpoint=2, eject_after=3)
    for _ in range(3):
        fresh.release(fresh.acquire(), healthy=False, problem="connection error", unreachable=True)
    with pytest.raises(EndpointsDown, match=r"http://b/v1: unreachable, 3 attempts in a row, the"):
        fresh.acquire()
