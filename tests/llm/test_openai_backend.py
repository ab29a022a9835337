"""OpenAIBackend against a scripted, fault-injecting OpenAI-compatible server on loopback,
and (marked slow) against a real `transformers serve`."""

from __future__ import annotations

import contextlib
import email.utils
import json
import logging
import math
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx2
import pytest

from distilpipe.errors import DistilpipeError, ParamsError
from distilpipe.llm.openai_backend import OpenAIBackend, parse_retry_after
from distilpipe.llm.types import (
    ChoiceProbs,
    ChoiceRequest,
    Failure,
    GenerateRequest,
    Generation,
    Sampling,
)
from distilpipe.params import ModelSpec, load_params
from tests.serving import LoopbackServer, transformers_serve

Action = tuple[Any, ...]
OK: Action = ("ok",)
# a reply past the client's timeout, injected: the server marks the reply and the client
# (`inject_timeouts`) raises the timeout httpx raises, at once, instead of anyone waiting
SLOW: Action = ("slow",)
DROP: Action = ("drop",)  # headers and half a body, then the connection closes
MALFORMED: Action = ("malformed",)
EMPTY: Action = ("empty",)  # a 200 whose `choices` is empty

TIMEOUT_S = 10.0  # generous: a loaded machine never reaches it; timeouts are injected (SLOW)
HELD_S = 60.0  # the longest a gated reply waits for its gate (a hang, not a speed limit)
TIMEOUT_HEADER = "X-Fake-Fault"
KEY = "sk-test-3f9a1c0d7e6b5a4c"


def status(code: int, body: Any = None, **headers: str) -> Action:
    return ("status", code, body, {k.replace("_", "-"): v for k, v in headers.items()})


class FakeOpenAI(LoopbackServer):
    """A chat/completions server whose reply to each request is scripted by the test.

    A request is keyed by the content of its last message; its n-th arrival gets
    `script[key][n]`, and `default_action` (OK unless set) once the script is used up.
    """

    def __init__(self) -> None:
        super().__init__(_Handler)
        self.script: dict[str, list[Action]] = {}
        self.arrivals: Counter[str] = Counter()
        self.bodies: list[dict[str, Any]] = []
        self.auth: list[str | None] = []
        self.in_flight = 0
        self.peak = 0
        self.gate: threading.Event | None = None  # when set, OK replies wait for it to open
        self.send_usage = True
        self.top_logprobs: list[dict[str, Any]] | None = None
        self.down = False  # every request, probes included, gets a 503
        self.default_action: Action = OK  # for requests past their script
        self.served = 0  # successful chat completions
        self.probes = 0

    def reset(self) -> None:
        with self.lock:
            self.arrivals.clear()
            self.bodies.clear()
            self.auth.clear()
            self.peak = 0

    def next_action(self, key: str) -> Action:
        with self.lock:
            n = self.arrivals[key]
            self.arrivals[key] += 1
        steps = self.script.get(key, [])
        return steps[n] if n < len(steps) else self.default_action

    def reply(self, body: dict[str, Any]) -> dict[str, Any]:
        """A deterministic echo of the last message (and of the sampling seed, when one is
        sent, so that replies depend on it as a sampled model's do), cut at max_tokens
        words."""
        seed = f" (seed {body['seed']})" if body.get("seed") is not None else ""
        words = ("echo: " + body["messages"][-1]["content"] + seed).split()
        kept = words[: body.get("max_tokens", len(words))]
        choice: dict[str, Any] = {
            "index": 0,
            "message": {"role": "assistant", "content": " ".join(kept)},
            "finish_reason": "length" if len(kept) < len(words) else "stop",
        }
        if body.get("logprobs") and self.top_logprobs is not None:
            first = self.top_logprobs[0]
            choice["logprobs"] = {"content": [{**first, "top_logprobs": self.top_logprobs}]}
        data: dict[str, Any] = {"id": "x", "object": "chat.completion", "choices": [choice]}
        if self.send_usage:
            prompt = sum(len(m["content"].split()) for m in body["messages"])
            data["usage"] = {"prompt_tokens": prompt, "completion_tokens": len(kept)}
        return data


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        fake: FakeOpenAI = self.server.fake  # type: ignore[attr-defined]
        with fake.lock:
            fake.probes += 1  # before the reply, as `served`
        if fake.down:
            self.send(503, b'{"error": "down"}')
        else:
            self.send(200, json.dumps({"object": "list", "data": [{"id": "tiny-chat"}]}).encode())

    def do_POST(self) -> None:
        fake: FakeOpenAI = self.server.fake  # type: ignore[attr-defined]
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if fake.down:
            self.send(503, b'{"error": "down"}')
            return
        action = fake.next_action(body["messages"][-1]["content"])
        with fake.lock:
            fake.bodies.append(body)
            fake.auth.append(self.headers.get("Authorization"))
            fake.in_flight += 1
            fake.peak = max(fake.peak, fake.in_flight)
        try:
            self.act(fake, action, body)
        except OSError:
            pass  # the client gave up on this connection (it timed out)
        finally:
            with fake.lock:
                fake.in_flight -= 1

    def act(self, fake: FakeOpenAI, action: Action, body: dict[str, Any]) -> None:
        kind = action[0]
        if kind == "ok":
            if fake.gate is not None:
                fake.gate.wait(HELD_S)
            with fake.lock:  # counted before the reply goes out, so the client never sees less
                fake.served += 1
            self.send(200, json.dumps(fake.reply(body)).encode())
        elif kind == "slow":
            self.send(200, json.dumps(fake.reply(body)).encode(), {TIMEOUT_HEADER: "timeout"})
        elif kind == "malformed":
            self.send(200, b'{"choices": [{"message": ')
        elif kind == "empty":
            self.send(200, b'{"id": "x", "object": "chat.completion", "choices": []}')
        elif kind == "drop":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "4096")
            self.end_headers()
            self.wfile.write(b'{"choices": [')
            self.wfile.flush()
            self.close_connection = True
        else:
            _, code, payload, headers = action
            raw = payload if isinstance(payload, str) else json.dumps(payload)
            # Some APIs echo the key they rejected; the backend must scrub it.
            raw = raw.replace("{auth}", self.headers.get("Authorization") or "")
            self.send(code, raw.encode(), headers)

    def send(self, code: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


class TimeoutInjectingClient(httpx2.Client):
    """httpx2's client, raising the ReadTimeout a reply past the timeout would have raised
    when the fake server marks a reply as one (SLOW)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs, event_hooks={"response": [self._injected]})

    @staticmethod
    def _injected(response: httpx2.Response) -> None:
        if response.headers.get(TIMEOUT_HEADER) == "timeout":
            raise httpx2.ReadTimeout("timed out (injected)", request=response.request)


@pytest.fixture
def fake(inject_timeouts: None) -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def held_until_in_flight(fakes: list[FakeOpenAI], n: int) -> Iterator[dict[str, list[int]]]:
    """Hold the fakes' OK replies until `n` requests are in flight over all of them, then
    let every reply go; yields {"in_flight": [per fake]} as it was at that moment."""
    gate = threading.Event()
    seen: dict[str, list[int]] = {}

    def watch() -> None:
        deadline = time.monotonic() + HELD_S
        while sum(f.in_flight for f in fakes) < n and time.monotonic() < deadline:
            time.sleep(0.005)  # polls the requests' own state, not a guess at timing
        seen["in_flight"] = [f.in_flight for f in fakes]
        gate.set()

    for fake in fakes:
        fake.gate = gate
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield seen
    finally:
        gate.set()
        watcher.join(HELD_S)
        for fake in fakes:
            fake.gate = None


class Sleeps(list[float]):
    """An injected sleep that records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def make(fake: FakeOpenAI) -> Iterator[Callable[..., tuple[OpenAIBackend, Sleeps]]]:
    made: list[OpenAIBackend] = []

    def _make(**spec: Any) -> tuple[OpenAIBackend, Sleeps]:
        backend_kwargs = {k: spec.pop(k) for k in ("backoff_base_s", "seed") if k in spec}
        fields: dict[str, Any] = {
            "backend": "openai",
            "model": "tiny-chat",
            "base_url": fake.base_url,
            "timeout_s": TIMEOUT_S,
            "max_attempts": 4,
            **spec,
        }
        sleeps = Sleeps()
        backend = OpenAIBackend(ModelSpec(**fields), sleep=sleeps, **backend_kwargs)
        made.append(backend)
        return backend, sleeps

    yield _make
    for backend in made:
        backend.close()


def ask(text: str, **sampling: Any) -> GenerateRequest:
    return GenerateRequest(({"role": "user", "content": text},), Sampling(**sampling))


def pick(text: str, choices: tuple[str, ...] = ("A", "B", "C", "D")) -> ChoiceRequest:
    return ChoiceRequest(({"role": "user", "content": text},), choices)


def test_generate_sends_the_request_and_reads_the_reply(fake, make):
    backend, _ = make()
    system = {"role": "system", "content": "be brief"}
    request = GenerateRequest(
        (system, {"role": "user", "content": "two plus two"}),
        Sampling(max_new_tokens=64, temperature=0.7, top_p=0.9, seed=1234),
    )
    [result] = backend.generate([request])
    assert result == Generation("echo: two plus two (seed 1234)", "stop", 5, 6)
    [body] = fake.bodies
    assert body == {
        "model": "tiny-chat",
        "messages": [system, {"role": "user", "content": "two plus two"}],
        "max_tokens": 64,
        "temperature": 0.7,
        "top_p": 0.9,
        "seed": 1234,
        "n": 1,
    }
    assert fake.auth == [None]

    backend.generate([ask("no seed")])
    assert "seed" not in fake.bodies[-1]


def test_length_finish_and_missing_usage(fake, make):
    fake.send_usage = False
    backend, _ = make()
    [result] = backend.generate([ask("one two three four", max_new_tokens=2)])
    assert result == Generation("echo: one", "length", 0, 0)


def test_concurrent_batch_keeps_request_order(fake, make):
    backend, sleeps = make(max_concurrency=8)
    texts = [f"question {i}" for i in range(40)]
    with held_until_in_flight([fake], 8):  # the first 8 wait until all 8 are in flight
        results = backend.generate([ask(t) for t in texts])
    assert [r.text for r in results if isinstance(r, Generation)] == [f"echo: {t}" for t in texts]
    assert fake.peak == 8
    assert sleeps == []


@pytest.mark.parametrize(
    "fault",
    [
        status(429, {"error": {"message": "slow down"}}),
        status(500, "internal error"),
        status(503, {"error": "overloaded"}),
        status(408),
        status(409),
        SLOW,
        DROP,
        MALFORMED,
    ],
    ids=["429", "500", "503", "408", "409", "timeout", "dropped", "malformed"],
)
def test_transient_fault_is_retried_then_succeeds(fake, make, fault):
    fake.script["hi"] = [fault, fault]
    backend, sleeps = make()
    [result] = backend.generate([ask("hi")])
    assert result == Generation("echo: hi", "stop", 1, 2)
    assert fake.arrivals["hi"] == 3
    assert len(sleeps) == 2
    assert 0.0 <= sleeps[0] <= 0.5 and 0.0 <= sleeps[1] <= 1.0


def test_retry_after_is_honoured_and_capped(fake, make):
    in_an_hour = email.utils.formatdate(time.time() + 3600, usegmt=True)
    long_ago = email.utils.formatdate(0, usegmt=True)
    fake.script["hi"] = [
        status(429, Retry_After="2"),
        status(503, Retry_After="120"),
        status(429, Retry_After=in_an_hour),
        status(429, Retry_After=long_ago),
        status(429, Retry_After="soon"),
    ]
    backend, sleeps = make(max_attempts=6)
    [result] = backend.generate([ask("hi")])
    assert isinstance(result, Generation)
    assert sleeps[:4] == [2.0, 30.0, 30.0, 0.0]
    assert 0.0 <= sleeps[4] <= 0.5 * 2**4  # unreadable header: plain backoff


def test_backoff_is_full_jitter_capped_and_repeatable(fake, make):
    fake.script["hi"] = [status(500)] * 5
    first, first_sleeps = make(max_attempts=6, backoff_base_s=0.5, seed=7)
    first.generate([ask("hi")])
    fake.reset()
    second, second_sleeps = make(max_attempts=6, backoff_base_s=0.5, seed=7)
    second.generate([ask("hi")])
    assert first_sleeps == second_sleeps
    assert len(first_sleeps) == 5
    assert all(0.0 <= s <= 0.5 * 2**i for i, s in enumerate(first_sleeps))
    assert len(set(first_sleeps)) == 5

    fake.reset()
    big, big_sleeps = make(max_attempts=6, backoff_base_s=20.0, seed=7)
    big.generate([ask("hi")])
    assert max(big_sleeps) <= 30.0


def test_exhausted_attempts_fail_only_their_request(fake, make):
    fake.script = {
        "b": [status(500)] * 3,
        "c": [SLOW] * 3,
        "d": [MALFORMED] * 3,
        "e": [DROP] * 3,
        "f": [status(429)] * 3,
    }
    backend, _ = make(max_attempts=3)
    results = backend.generate([ask(k) for k in "abcdefg"])
    assert results[0] == Generation("echo: a", "stop", 1, 2)
    assert results[1] == Failure("HTTP 500 after 3 attempts")
    assert results[2] == Failure("timeout after 3 attempts")
    assert results[3] == Failure("malformed JSON after 3 attempts")
    assert isinstance(results[4], Failure)
    assert results[4].reason.startswith("connection error")
    assert results[4].reason.endswith("after 3 attempts")
    assert results[5] == Failure("HTTP 429 after 3 attempts")
    assert results[6] == Generation("echo: g", "stop", 1, 2)
    assert all(fake.arrivals[k] == 3 for k in "bcdef")


def test_connection_refused_is_retried_then_fails(fake):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    spec = ModelSpec(
        backend="openai", model="m", base_url=f"http://127.0.0.1:{port}/v1", max_attempts=2
    )
    sleeps = Sleeps()
    backend = OpenAIBackend(spec, sleep=sleeps)
    try:
        [result] = backend.generate([ask("hi")])
    finally:
        backend.close()
    assert result == Failure("connection error (ConnectError) after 2 attempts")
    assert len(sleeps) == 1


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (status(400, {"error": {"message": "bad   request:\n max_tokens " + "x" * 500}}), None),
        (status(404, {"detail": "model 'tiny-chat' not found"}), "model 'tiny-chat' not found"),
        (status(422, "plain text complaint"), "plain text complaint"),
        (status(401, ""), "Unauthorized"),
    ],
    ids=["400", "404", "422", "401"],
)
def test_client_errors_are_not_retried(fake, make, reply, reason):
    fake.script["hi"] = [reply]
    backend, sleeps = make()
    [result] = backend.generate([ask("hi")])
    assert isinstance(result, Failure)
    code = reply[1]
    if reason is None:
        assert result.reason.startswith(f"HTTP {code}: bad request: max_tokens xxx")
        assert len(result.reason) < 220
        assert result.reason.endswith("…")
    else:
        assert result.reason == f"HTTP {code}: {reason}"
    assert fake.arrivals["hi"] == 1
    assert sleeps == []


def test_choice_logprobs_maps_top_logprobs_to_probabilities(fake, make):
    fake.top_logprobs = [
        {"token": "A", "logprob": math.log(0.5)},
        {"token": " B", "logprob": math.log(0.2)},
        {"token": "B", "logprob": math.log(0.05)},
        {"token": "C\n", "logprob": math.log(0.1)},
        {"token": "Z", "logprob": math.log(0.1)},
    ]
    fake.script["which?"] = [status(503), DROP]
    backend, sleeps = make()
    results = backend.choice_logprobs([pick("which?"), pick("again", ("A", "E"))])
    first, second = results
    assert isinstance(first, ChoiceProbs) and isinstance(second, ChoiceProbs)
    assert first.probs == pytest.approx({"A": 0.5, "B": 0.25, "C": 0.1, "D": 0.0})
    assert list(first.probs) == ["A", "B", "C", "D"]
    assert first.prompt_tokens == 1
    assert second.probs == pytest.approx({"A": 0.5, "E": 0.0})
    assert len(sleeps) == 2
    body = fake.bodies[-1]
    assert body["max_tokens"] == 1
    assert body["temperature"] == 0.0
    assert body["logprobs"] is True
    assert body["top_logprobs"] == 20


def test_choice_logprobs_client_error_is_a_failure(fake, make):
    fake.top_logprobs = [{"token": "A", "logprob": 0.0}]
    fake.script["bad"] = [status(400, {"error": {"message": "top_logprobs must be <= 5"}})]
    backend, _ = make()
    results = backend.choice_logprobs([pick("good"), pick("bad")])
    assert results[0] == ChoiceProbs({"A": 1.0, "B": 0.0, "C": 0.0, "D": 0.0}, 1)
    assert results[1] == Failure("HTTP 400: top_logprobs must be <= 5")


def test_server_without_logprobs_gives_one_clear_error(fake, make):
    fake.top_logprobs = None
    backend, _ = make()
    with pytest.raises(DistilpipeError) as info:
        backend.choice_logprobs([pick(f"q{i}") for i in range(5)])
    assert str(info.value) == (
        f"{fake.base_url} returned no logprobs: this server does not support "
        "logprobs/top_logprobs (use scoring mode 'generate', or a server such as vLLM that does)"
    )
    # the backend stays usable after the error
    [result] = backend.generate([ask("still there")])
    assert isinstance(result, Generation)


def test_api_key_is_sent_and_never_leaks(fake, make, monkeypatch, caplog):
    monkeypatch.setenv("DP_TEST_API_KEY", KEY)
    caplog.set_level(logging.DEBUG)
    echo = "Incorrect API key provided: {auth}"
    fake.script = {
        "401": [status(401, {"error": {"message": echo}})],
        "500": [status(500, {"error": {"message": echo}})] * 2,
        "slow": [SLOW] * 2,
        "drop": [DROP] * 2,
    }
    backend, _ = make(api_key_env="DP_TEST_API_KEY", max_attempts=2)
    results = backend.generate([ask(k) for k in ("401", "500", "slow", "drop", "ok")])
    assert set(fake.auth) == {f"Bearer {KEY}"}
    failures = [r for r in results if isinstance(r, Failure)]
    assert len(failures) == 4
    assert failures[0].reason == "HTTP 401: Incorrect API key provided: Bearer <api key>"
    fake.top_logprobs = None
    with pytest.raises(DistilpipeError) as info:
        backend.choice_logprobs([pick("x")])
    texts = [f.reason for f in failures] + [str(info.value), repr(info.value), repr(backend)]
    texts += [record.getMessage() for record in caplog.records]
    texts += [str(vars(backend).get(name)) for name in vars(backend) if name != "_key"]
    assert caplog.records  # the retries were logged
    assert not [t for t in texts if KEY in t]


def test_missing_key_variable_is_one_clear_line(fake, monkeypatch):
    monkeypatch.delenv("DP_NO_SUCH_KEY", raising=False)
    spec = ModelSpec(
        backend="openai", model="m", base_url=fake.base_url, api_key_env="DP_NO_SUCH_KEY"
    )
    with pytest.raises(DistilpipeError, match="environment variable DP_NO_SUCH_KEY") as info:
        OpenAIBackend(spec)
    assert "\n" not in str(info.value)


def test_bad_base_url_is_a_params_error(tmp_path):
    path = tmp_path / "params.yaml"
    for url in ("127.0.0.1:8000/v1", "[http://a:1/v1, ftp://b/v1]"):
        path.write_text(f"models: {{judge: {{backend: openai, model: m, base_url: {url}}}}}")
        with pytest.raises(ParamsError, match=r"models\.judge.*http:// or https://"):
            load_params(path)
    path.write_text(
        "models: {judge: {backend: openai, model: m, base_url: [http://a/v1, http://a/v1/]}}"
    )
    with pytest.raises(ParamsError, match="the same endpoint twice"):
        load_params(path)


def test_identity_names_model_and_revision(fake, make):
    assert make()[0].identity == "openai:tiny-chat@main"
    assert make(revision="2025-01-25")[0].identity == "openai:tiny-chat@2025-01-25"


def test_parse_retry_after():
    now = 1_700_000_000.0
    assert parse_retry_after(None) is None
    assert parse_retry_after(" 3 ") == 3.0
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after("nan") is None
    assert parse_retry_after("later") is None
    assert parse_retry_after(email.utils.formatdate(now + 90, usegmt=True), now) == 90.0
    assert parse_retry_after(email.utils.formatdate(now - 90, usegmt=True), now) == 0.0


@pytest.fixture(scope="module")
def served_tiny_model(
    tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`transformers serve` on loopback, pinned to the tiny local model; its /v1 URL."""
    with transformers_serve(tmp_path_factory.mktemp("serve") / "serve.log", tiny_model_dir) as url:
        yield url


@pytest.mark.slow
def test_against_transformers_serve(served_tiny_model, tiny_model_dir, tmp_path, monkeypatch):
    # a local model folder is identified by hashing it; keep that out of the user's cache
    monkeypatch.setenv("DISTILPIPE_CACHE_DIR", str(tmp_path / "cache"))
    spec = ModelSpec(
        backend="openai",
        model=str(tiny_model_dir),
        base_url=served_tiny_model,
        max_concurrency=2,
        timeout_s=30.0,
        max_attempts=2,
    )
    backend = OpenAIBackend(spec)
    try:
        requests = [
            ask("What is 3 plus 3?", max_new_tokens=12),
            ask("What is 7 plus 7?", max_new_tokens=24),
        ]
        first = backend.generate(requests)
        second = backend.generate(requests)
        assert first == second
        for result in first:
            assert isinstance(result, Generation), result
            assert result.text.strip()
            assert result.finish_reason in ("stop", "length")
            assert result.prompt_tokens > 0
            assert 0 < result.completion_tokens <= 24
        assert first[0].completion_tokens <= 12
        with pytest.raises(DistilpipeError, match="returned no logprobs"):
            backend.choice_logprobs([pick("Answer A or B.", ("A", "B"))])
    finally:
        backend.close()
