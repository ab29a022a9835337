"""The `openai` backend: any OpenAI-compatible chat endpoint (`vllm serve`, `transformers
serve`, hosted APIs such as DashScope's Qwen-max), or several replicas of one (see
`endpoints.py`: least-loaded choice, failing endpoints ejected and probed back).

Requests of a batch run on a thread pool, at most `max_concurrency` at once (and at most
`max_concurrency_per_endpoint` on one endpoint), and come back in request order. A request
that fails with a transient error (HTTP 408, 409, 429 or 5xx, a timeout, a refused, reset
or dropped connection, a body that is not JSON or not a completion with a choice) is
retried, on another endpoint at once when there is one, else after exponential backoff with
full jitter, honouring `Retry-After`, up to `max_attempts` attempts in all; a request that
still fails, or fails for good (any other 4xx), becomes a `Failure`.

The API key is read from the environment variable that `api_key_env` names. It is sent only
in the Authorization header and is scrubbed from every failure reason, since some servers
echo the key they rejected.
"""

from __future__ import annotations

import email.utils
import importlib.util
import logging
import math
import os
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any, TypeVar

import httpx2

from distilpipe.errors import DistilpipeError
from distilpipe.llm.cache import spec_identity
from distilpipe.llm.endpoints import EndpointPool
from distilpipe.llm.types import (
    ChoiceProbs,
    ChoiceRequest,
    Failure,
    GenerateRequest,
    Generation,
    LabelProbs,
    LabelRequest,
    Message,
    TokenLogprobs,
    TokenLogprobsRequest,
)
from distilpipe.llm.vllm_backend import top_k_logprobs
from distilpipe.params import ModelSpec

log = logging.getLogger(__name__)

RETRIED_4XX = frozenset({408, 409, 429})
LENGTH_REASONS = frozenset({"length", "max_tokens", "model_length"})
TOP_LOGPROBS = 20
ERROR_MESSAGE_CHARS = 200

NO_PROMPT_LOGPROBS = (
    "{url} returned no prompt_logprobs: label scoring needs vLLM's OpenAI server "
    "(prompt_logprobs with continue_final_message); set classify.mode: generate for this server"
)
NO_TOKEN_LOGPROBS = (
    "{url} returned no prompt_logprobs: token_logprobs (white-box distillation, train_sft.kd) "
    "needs vLLM's OpenAI-compatible server; a hosted API gives no prompt log-probabilities"
)


@dataclass(frozen=True)
class _LabelJob:
    """One label of one LabelRequest: the conversation with the label as the final,
    unfinished assistant turn."""

    messages: tuple[Message, ...]
    label: str


@dataclass(frozen=True)
class _LabelScore:
    logprob: float
    prompt_tokens: int


R = TypeVar("R", GenerateRequest, ChoiceRequest, _LabelJob, TokenLogprobsRequest)
T = TypeVar("T", Generation, ChoiceProbs, _LabelScore, TokenLogprobs)


class _NoLogprobs(Exception):
    """The server answered a logprobs request without logprobs."""


class _NoPromptLogprobs(Exception):
    """The server answered a prompt_logprobs request without them."""


class OpenAIBackend:
    """A Backend that calls `{base_url}/chat/completions` over HTTP (`/completions` for
    token_logprobs, whose prompt is token ids).

    `cache_dir` holds the weight digests when `model` names a local folder. `backoff_base_s`,
    `backoff_cap_s` and `sleep` shape the waits between attempts (tests
    pass a recording `sleep`); `seed` seeds the jitter, so a run's waits are repeatable.
    """

    def __init__(
        self,
        spec: ModelSpec,
        cache_dir: Path | None = None,
        *,
        backoff_base_s: float = 0.5,
        backoff_cap_s: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        seed: int = 0,
    ):
        urls = spec.base_urls()
        if not urls:
            raise DistilpipeError("the openai backend needs 'base_url'")
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise DistilpipeError(f"base_url must start with http:// or https://: {url!r}")
        if spec.http2 and importlib.util.find_spec("h2") is None:
            raise DistilpipeError("http2: true needs the h2 package: pip install h2")
        headers = {"Accept": "application/json"}
        self._key: str | None = None
        if spec.api_key_env is not None:
            key = os.environ.get(spec.api_key_env)
            if not key:
                raise DistilpipeError(
                    f"environment variable {spec.api_key_env} is not set: it must hold the API "
                    f"key for {', '.join(urls)} (api_key_env names it)"
                )
            self._key = key
            headers["Authorization"] = f"Bearer {key}"
        self.base_url = urls[0] if len(urls) == 1 else f"{urls[0]} (+{len(urls) - 1} more)"
        self.model = spec.model
        self.max_attempts = spec.max_attempts
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self._sleep = sleep
        # Per-request jitter streams are drawn from this in request order, so the waits do
        # not depend on how the threads interleave.
        self._rng = random.Random(seed)
        per_endpoint = min(spec.max_concurrency, spec.max_concurrency_per_endpoint or 10**9)

        def make_client(url: str) -> httpx2.Client:
            return httpx2.Client(
                base_url=url,
                headers=headers,
                timeout=httpx2.Timeout(spec.timeout_s),
                http2=spec.http2,
                limits=httpx2.Limits(
                    max_connections=per_endpoint, max_keepalive_connections=per_endpoint
                ),
            )

        self.pool = EndpointPool(
            urls,
            make_client,
            per_endpoint=per_endpoint,
            eject_after=spec.endpoint_eject_after,
            backoff_s=spec.endpoint_backoff_s,
        )
        self._executor = ThreadPoolExecutor(
            max_workers=spec.max_concurrency, thread_name_prefix="openai-backend"
        )
        self.identity = spec_identity(spec, cache_dir)

    def __repr__(self) -> str:
        return f"OpenAIBackend(base_url={self.base_url!r}, model={self.model!r})"

    def close(self) -> None:
        """Cancel queued requests, wait for running ones, and close the connections."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        self.pool.close()

    def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
        """The next assistant turn of each request, in order.

        Token counts come from the response's `usage`; a server that sends no usage gets
        0 for both counts.
        """
        return self._run(requests, self._generate_one)

    def choice_logprobs(self, requests: list[ChoiceRequest]) -> list[ChoiceProbs | Failure]:
        """The next-token probability of each request's choices, from the top 20 logprobs.

        A choice that is not among the top entries gets 0.0. Raises DistilpipeError when the
        server returns no logprobs at all (it ignores the fields, as `transformers serve`
        does): a silent 0.0 for every choice would look like an answer.
        """
        try:
            return self._run(requests, self._choice_one)
        except _NoLogprobs:
            raise DistilpipeError(
                f"{self.base_url} returned no logprobs: this server does not support "
                "logprobs/top_logprobs (use scoring mode 'generate', or a server such as vLLM "
                "that does)"
            ) from None

    def label_logprobs(self, requests: list[LabelRequest]) -> list[LabelProbs | Failure]:
        """Each label's probability as the whole assistant reply, with vLLM's extensions to
        the chat API: the label is sent as a final assistant message that the template leaves
        open (`continue_final_message: true`, `add_generation_prompt: false`), and
        `prompt_logprobs: 0` returns the logprob of every prompt token given those before it;
        the label's are the trailing tokens whose text makes up the label. One HTTP request per
        label; vLLM's prefix caching computes the shared conversation once.

        Raises DistilpipeError, one line, when the server sends no prompt_logprobs (hosted
        APIs and `transformers serve` do not have them): use `classify.mode: generate` there.
        """
        jobs = [_LabelJob(r.messages, label) for r in requests for label in r.labels]
        try:
            scores = self._run(jobs, self._label_one)
        except _NoPromptLogprobs:
            raise DistilpipeError(NO_PROMPT_LOGPROBS.format(url=self.base_url)) from None
        results: list[LabelProbs | Failure] = []
        k = 0
        for request in requests:
            mine = scores[k : k + len(request.labels)]
            k += len(request.labels)
            failure = next((s for s in mine if isinstance(s, Failure)), None)
            if failure is not None:
                results.append(failure)
                continue
            ok = [s for s in mine if isinstance(s, _LabelScore)]
            probs = {
                label: math.exp(s.logprob) for label, s in zip(request.labels, ok, strict=True)
            }
            # The label's own tokens are not the question's: count the prompt without them.
            results.append(LabelProbs(probs, min(s.prompt_tokens for s in ok)))
        return results

    def _label_one(self, job: _LabelJob, rng: random.Random) -> _LabelScore | Failure:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [*_messages(job.messages), {"role": "assistant", "content": job.label}],
            "max_tokens": 1,
            "temperature": 0.0,
            "n": 1,
            "continue_final_message": True,
            "add_generation_prompt": False,
            "prompt_logprobs": 0,
        }
        data = self._post(body, rng)
        if isinstance(data, Failure):
            return data
        prompt_logprobs = data.get("prompt_logprobs")
        if not isinstance(prompt_logprobs, list) or not prompt_logprobs:
            raise _NoPromptLogprobs
        scored = _trailing_label_logprob(prompt_logprobs, job.label)
        if scored is None:
            return self._failure(
                f"prompt_logprobs do not end with the label {job.label!r}: "
                f"{_shorten(str(prompt_logprobs[-3:]))}"
            )
        logprob, n_label = scored
        return _LabelScore(logprob, len(prompt_logprobs) - n_label)

    def token_logprobs(self, requests: list[TokenLogprobsRequest]) -> list[TokenLogprobs | Failure]:
        """The top-k next-token logprobs at each requested position, by teacher forcing over
        the request's own token ids, with vLLM's extension to the completions API: the ids are
        the `prompt`, and `prompt_logprobs: k` returns, for every prompt token, the top k of
        the distribution it was drawn from (read as `vllm_backend.top_k_logprobs` reads it).
        One HTTP request per sequence. The server's `--max-logprobs` (default 20) caps k: a
        larger one fails each request with the server's HTTP 400.

        Raises DistilpipeError, one line, when the server sends no prompt_logprobs (hosted
        APIs and `transformers serve` do not have them).
        """
        try:
            return self._run(requests, self._token_logprobs_one)
        except _NoPromptLogprobs:
            raise DistilpipeError(NO_TOKEN_LOGPROBS.format(url=self.base_url)) from None

    def _token_logprobs_one(
        self, request: TokenLogprobsRequest, rng: random.Random
    ) -> TokenLogprobs | Failure:
        body: dict[str, Any] = {
            "model": self.model,
            "prompt": list(request.token_ids),
            "max_tokens": 1,
            "temperature": 0.0,
            "n": 1,
            "prompt_logprobs": request.top_k,
        }
        data = self._post(body, rng, "/completions")
        if isinstance(data, Failure):
            return data
        prompt_logprobs = data["choices"][0].get("prompt_logprobs")
        if not isinstance(prompt_logprobs, list) or not prompt_logprobs:
            raise _NoPromptLogprobs
        try:
            return top_k_logprobs(request, prompt_logprobs, _json_logprob_entry)
        except (KeyError, TypeError, ValueError):
            return self._failure(f"malformed prompt_logprobs: {_shorten(str(prompt_logprobs))}")

    def _run(
        self,
        requests: Sequence[R],
        one: Callable[[R, random.Random], T | Failure],
    ) -> list[T | Failure]:
        rngs = [random.Random(self._rng.getrandbits(64)) for _ in requests]
        futures: list[Future[T | Failure]] = [
            self._executor.submit(one, request, rng)
            for request, rng in zip(requests, rngs, strict=True)
        ]
        try:
            return [future.result() for future in futures]
        except BaseException:
            for future in futures:
                future.cancel()
            raise

    def _generate_one(self, request: GenerateRequest, rng: random.Random) -> Generation | Failure:
        sampling = request.sampling
        body: dict[str, Any] = {
            "model": self.model,
            "messages": _messages(request.messages),
            "max_tokens": sampling.max_new_tokens,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            "n": 1,
        }
        if sampling.seed is not None:
            body["seed"] = sampling.seed
        data = self._post(body, rng)
        if isinstance(data, Failure):
            return data
        try:
            choice = data["choices"][0]
            content = choice["message"].get("content")
            finish = choice.get("finish_reason")
            prompt_tokens, completion_tokens = _usage(data)
        except (KeyError, IndexError, TypeError, AttributeError, ValueError):
            return self._failure(f"unexpected response: {_describe(data)}")
        # A reasoning model cut off mid-thought sends content null: no answer text, not an error.
        text = content if isinstance(content, str) else ""
        finish_reason = "length" if finish in LENGTH_REASONS else "stop"
        return Generation(text, finish_reason, prompt_tokens, completion_tokens)

    def _choice_one(self, request: ChoiceRequest, rng: random.Random) -> ChoiceProbs | Failure:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": _messages(request.messages),
            "max_tokens": 1,
            "temperature": 0.0,
            "logprobs": True,
            "top_logprobs": TOP_LOGPROBS,
            "n": 1,
        }
        data = self._post(body, rng)
        if isinstance(data, Failure):
            return data
        try:
            choice = data["choices"][0]
            prompt_tokens, _ = _usage(data)
        except (KeyError, IndexError, TypeError, AttributeError, ValueError):
            return self._failure(f"unexpected response: {_describe(data)}")
        top = _top_logprobs(choice)
        if top is None:
            raise _NoLogprobs
        probs = dict.fromkeys(request.choices, 0.0)
        wanted = {c.strip(): c for c in request.choices}
        for token, logprob in top:
            # Tokenizers differ in whether the answer token carries a leading space; both
            # spellings are the same answer, so their probabilities add up.
            choice_name = wanted.get(token.strip())
            if choice_name is not None:
                probs[choice_name] += math.exp(logprob)
        return ChoiceProbs(probs, prompt_tokens)

    def _post(
        self, body: dict[str, Any], rng: random.Random, path: str = "/chat/completions"
    ) -> dict[str, Any] | Failure:
        """POST to `path` (chat/completions, or completions) with retries: the decoded JSON
        object, or a Failure.

        Each attempt goes to an endpoint of the pool; a retry goes at once to another
        endpoint in rotation if there is one the request has not failed on, else it waits
        its backoff first."""
        problem = ""
        tried: set[int] = set()
        for attempt in range(1, self.max_attempts + 1):
            retry_after: float | None = None
            endpoint = self.pool.acquire(tried)
            healthy = False  # whether the endpoint behaved, for its ejection count
            unreachable = False  # could not connect at all
            try:
                response = endpoint.client.post(path, json=body)
            except httpx2.TimeoutException as exc:
                problem = "timeout"
                unreachable = isinstance(exc, httpx2.ConnectTimeout)
            except httpx2.TransportError as exc:
                problem = f"connection error ({type(exc).__name__})"
                unreachable = isinstance(exc, httpx2.ConnectError)
            except httpx2.DecodingError:
                problem = "malformed JSON"
            else:
                status = response.status_code
                healthy = status < 500
                if 200 <= status < 300:
                    try:
                        data = response.json()
                    except ValueError:
                        data = None
                    healthy = _is_completion(data)
                    if healthy:
                        self.pool.release(endpoint, healthy)
                        return data
                    problem = (
                        f"unexpected response: {_describe(data)}"
                        if isinstance(data, dict)
                        else "malformed JSON"
                    )
                elif status in RETRIED_4XX or status >= 500:
                    problem = f"HTTP {status}"
                    retry_after = parse_retry_after(response.headers.get("retry-after"))
                else:
                    self.pool.release(endpoint, healthy)
                    return self._failure(f"HTTP {status}: {_error_message(response)}")
            self.pool.release(endpoint, healthy, self._scrub(problem), unreachable)
            tried.add(endpoint.index)
            if attempt < self.max_attempts:
                elsewhere = self.pool.others_up(tried)
                delay = 0.0 if elsewhere else self._delay(attempt, retry_after, rng)
                log.info(
                    "%s: %s, attempt %d of %d; retrying %s",
                    endpoint.url,
                    problem,
                    attempt,
                    self.max_attempts,
                    "on another endpoint" if elsewhere else f"in {delay:.2f} s",
                )
                if not elsewhere:
                    self._sleep(delay)
        return self._failure(f"{problem} after {self.max_attempts} attempts")

    def _delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        if retry_after is not None:
            return min(self.backoff_cap_s, retry_after)
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * 2.0 ** (attempt - 1))
        return rng.uniform(0.0, ceiling)

    def _failure(self, reason: str) -> Failure:
        return Failure(self._scrub(reason))

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, "<api key>") if self._key else text


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None
    when the header is absent or unreadable. A date in the past gives 0."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _is_completion(data: Any) -> bool:
    """Whether a 2xx body is a (chat) completion with a choice; anything else (an empty
    `choices`, an `error` object sent with 200 by some proxies) is retried."""
    if not isinstance(data, dict):
        return False
    choices = data.get("choices")
    return isinstance(choices, list) and bool(choices) and isinstance(choices[0], dict)


def _messages(messages: Sequence[Message]) -> list[dict[str, str]]:
    return [{"role": m["role"], "content": m["content"]} for m in messages]


def _usage(data: dict[str, Any]) -> tuple[int, int]:
    usage = data.get("usage") or {}
    return int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)


def _top_logprobs(choice: Any) -> list[tuple[str, float]] | None:
    """The first generated token's top alternatives, or None when the response has none."""
    logprobs = choice.get("logprobs") if isinstance(choice, dict) else None
    content = logprobs.get("content") if isinstance(logprobs, dict) else None
    if not isinstance(content, list) or not content or not isinstance(content[0], dict):
        return None
    top = content[0].get("top_logprobs")
    if not isinstance(top, list) or not top:
        return None
    entries = []
    for entry in top:
        if not isinstance(entry, dict):
            continue
        token, logprob = entry.get("token"), entry.get("logprob")
        if isinstance(token, str) and isinstance(logprob, int | float):
            entries.append((token, float(logprob)))
    return entries or None


def _trailing_label_logprob(entries: list[Any], label: str) -> tuple[float, int] | None:
    """(Σ logprob, token count) of the trailing prompt tokens whose texts make up `label`.

    Each entry is vLLM's {token_id: {"logprob", "rank", "decoded_token"}} for one prompt
    token (with prompt_logprobs=0, only the token itself), None for the first. Tokens are
    taken from the end until their text reaches the label's length; a token that spans the
    boundary (the label's first character merged with what precedes it) counts as the
    label's. None when the texts do not end with the label, or an entry is malformed.
    """
    text, total, n = "", 0.0, 0
    for entry in reversed(entries):
        if not isinstance(entry, dict) or len(entry) != 1:
            return None
        (value,) = entry.values()
        if not isinstance(value, dict):
            return None
        token, logprob = value.get("decoded_token"), value.get("logprob")
        if not isinstance(token, str) or not isinstance(logprob, int | float):
            return None
        text, total, n = token + text, total + float(logprob), n + 1
        if len(text) >= len(label):
            return (total, n) if text.endswith(label) else None
    return None


def _json_logprob_entry(token: str, value: Any) -> tuple[int, float, int]:
    """One item of a prompt_logprobs entry as JSON has it: token id (a string key) ->
    {"logprob", "rank", "decoded_token"}."""
    return int(token), float(value["logprob"]), int(value["rank"])


def _error_message(response: httpx2.Response) -> str:
    """The server's error message from an error body (OpenAI, FastAPI or plain text), short."""
    try:
        data: Any = response.json()
    except ValueError:
        data = response.text
    return _message_of(data) or response.reason_phrase


def _describe(data: dict[str, Any]) -> str:
    """A short account of a 2xx body that is not a chat completion."""
    if "error" in data:
        return f"error: {_message_of(data)}"
    return _shorten(str(data))


def _message_of(data: Any) -> str:
    if isinstance(data, dict):
        data = data.get("error", data.get("detail", data.get("message", data)))
        if isinstance(data, dict):
            data = data.get("message", data)
    return _shorten(data if isinstance(data, str) else str(data))


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > ERROR_MESSAGE_CHARS:
        return text[: ERROR_MESSAGE_CHARS - 1] + "…"
    return text
