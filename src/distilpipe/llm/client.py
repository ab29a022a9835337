"""The one client every LLM stage uses: cache-through, batched, with progress and counts.

Requests are sorted by length and cut into fixed batches *before* the cache is consulted,
and each finished batch is written to the cache at once. So a stage killed mid-run and
started again finds every finished batch cached and recomputes the unfinished batches with
exactly the same members as before: the same output as an uninterrupted run.

A run stops as soon as its failures exceed `max_failure_rate` of its calls (it could no
longer meet the rate), not after finishing the doomed rest.

Before a batch's misses go to the model, each is checked against the model's context (see
`context.py`): one that cannot fit comes back as `TooLong`, uncalled and uncached, counted
as `too_long` rather than as a failure, so one over-long row never fails a stage.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, TypeVar

from distilpipe.errors import DistilpipeError
from distilpipe.llm.cache import CallCache, call_key
from distilpipe.llm.context import ContextLimit
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
    TooLong,
)
from distilpipe.progress import Progress

R = TypeVar("R", GenerateRequest, ChoiceRequest, LabelRequest, TokenLogprobsRequest)
LOOKUP_WINDOW = 4096


def row_seed(row_id: str, stage: str, salt: int = 0) -> int:
    """A per-row sampling seed from the row id and the stage: reproducible and cacheable."""
    digest = hashlib.sha256(f"{stage}\x1f{row_id}\x1f{salt}".encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


@dataclass
class CallStats:
    calls: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    failed: int = 0
    too_long: int = 0  # not sent: prompt + new tokens exceed the model's context

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class LLMClient:
    """Cache-through calls to one backend (one role: teacher, student or judge).

    `limit`, when given, returns the model's ContextLimit (or None); it is called only once
    a request misses the cache, so a fully cached run loads no tokenizer either.
    `model_name` (the folder, Hub id or API model params name) is stored with the calls, so
    `distilpipe cache stats` can say which model an identity is.
    """

    def __init__(
        self,
        backend: Backend,
        cache: CallCache,
        batch_size: int = 32,
        name: str = "llm",
        max_failure_rate: float = 0.0,
        defaults: Sampling | None = None,
        limit: Callable[[], ContextLimit | None] | None = None,
        model_name: str | None = None,
    ):
        self.backend = backend
        self.model_name = model_name
        self.limit = limit
        self.cache = cache
        self.batch_size = batch_size
        self.name = name
        self.max_failure_rate = max_failure_rate
        self.defaults = defaults or Sampling()
        self.stats = CallStats()

    def sampling(self, seed: int | None = None) -> Sampling:
        """The role's sampling defaults (from params' `models`), with a per-row seed."""
        return replace(self.defaults, seed=seed)

    def generate(self, requests: Sequence[GenerateRequest]) -> list[Generation | Failure]:
        """One result per request, in order; failures are counted, cached never."""
        return self._run(
            list(requests),
            "generate",
            lambda r: r.sampling.as_dict(),
            lambda r: r.sampling.max_new_tokens,
            self.backend.generate,
            _generation_from,
        )

    def choice_logprobs(self, requests: Sequence[ChoiceRequest]) -> list[ChoiceProbs | Failure]:
        """Next-token probabilities of each request's single-token choices, in order."""
        return self._run(
            list(requests),
            "choice_logprobs",
            lambda r: {"choices": list(r.choices)},
            lambda r: 1,  # the one next token whose probabilities are read
            self.backend.choice_logprobs,
            _choices_from,
        )

    def label_logprobs(self, requests: Sequence[LabelRequest]) -> list[LabelProbs | Failure]:
        """The probability of each request's labels as the whole assistant reply, in order.

        Its own cache kind ("label_logprobs", keyed by the labels in order), so the judge's
        single-token `choice_logprobs` calls and keys are untouched.
        """
        return self._run(
            list(requests),
            "label_logprobs",
            lambda r: {"labels": list(r.labels)},
            # the longest label's tokens (at most its bytes) and its end of turn follow the prompt
            lambda r: max(len(label.encode()) for label in r.labels) + 1,
            self.backend.label_logprobs,
            _labels_from,
        )

    def token_logprobs(
        self, requests: Sequence[TokenLogprobsRequest]
    ) -> list[TokenLogprobs | Failure]:
        """The top-k next-token log-probabilities at each request's positions, in order.

        Keyed by the conversation, k and a digest of the token ids and positions (the ids
        depend on the tokenizer and chat template that made them, not on the messages
        alone). The arrays go to the cache's Arrow shards, the row keeps a pointer.
        """
        shards = self.cache.shards
        return self._run(
            list(requests),
            "token_logprobs",
            lambda r: {"top_k": r.top_k, "tokens": _ids_digest(r.token_ids, r.positions)},
            lambda r: 0,  # nothing is generated: the sequence is all the context it takes
            self.backend.token_logprobs,
            lambda key, value: TokenLogprobs(**shards.read(key, value)),
            shards.write,
        )

    def _run(
        self,
        requests: list[R],
        kind: str,
        params_of: Callable[[R], dict[str, Any]],
        new_tokens_of: Callable[[R], int],
        compute: Callable[[list[R]], Sequence[Any]],
        decode: Callable[[str, dict[str, Any]], Any],
        stash: Callable[[dict[str, dict[str, Any]]], dict[str, dict[str, Any]]] | None = None,
    ) -> list[Any]:
        """Cache-through `compute` of `requests`: `decode(key, value)` makes a result of a
        cached value, `stash` (if given) turns fresh results into the values to cache."""
        keys = [
            call_key(self.backend.identity, kind, r.messages, params_of(r), r.template_hash)
            for r in requests
        ]
        by_key: dict[str, R] = {}
        for key, request in zip(keys, requests, strict=True):
            by_key.setdefault(key, request)
        order = sorted(by_key, key=lambda k: (_length(by_key[k]), k))
        results: dict[str, Any] = {}
        bar = Progress(len(order), f"{self.name} {kind}", unit="calls")
        failures: list[Failure] = []
        # Look keys up a window of batches at a time: one query per window, not per batch.
        window = self.batch_size * max(1, LOOKUP_WINDOW // self.batch_size)
        for w in range(0, len(order), window):
            cached = self.cache.get_many(order[w : w + window])
            self.stats.cache_hits += len(cached)
            for key, value in cached.items():
                results[key] = decode(key, value)
            for b in range(w, min(w + window, len(order)), self.batch_size):
                batch = order[b : b + self.batch_size]
                misses = [k for k in batch if k not in cached]
                misses = self._fitting(misses, by_key, new_tokens_of, results)
                if misses:
                    todo = [by_key[k] for k in misses]
                    self._compute(kind, todo, misses, compute, results, stash, decode)
                    failures += [
                        r
                        for k in misses
                        if isinstance(r := results[k], Failure) and not isinstance(r, TooLong)
                    ]
                    # Stop as soon as the run cannot meet the rate any more, rather than
                    # finish a doomed run; every finished batch is already cached.
                    self._check_failures(failures, len(by_key))
                bar.advance(len(batch), self._note(bar.elapsed()))
        bar.close()
        self.stats.calls += len(requests)
        return [results[k] for k in keys]

    def _fitting(
        self,
        misses: list[str],
        by_key: dict[str, R],
        new_tokens_of: Callable[[R], int],
        results: dict[str, Any],
    ) -> list[str]:
        """The misses whose prompts fit the model; the others get TooLong in `results`."""
        limit = self.limit() if self.limit is not None and misses else None
        if limit is None:
            return misses
        requests = [by_key[k] for k in misses]
        checks = limit.too_long(
            [r.messages for r in requests], [new_tokens_of(r) for r in requests]
        )
        fitting = []
        for key, too_long in zip(misses, checks, strict=True):
            if too_long is None:
                fitting.append(key)
            else:
                results[key] = too_long
                self.stats.too_long += 1
        return fitting

    def _compute(
        self,
        kind: str,
        requests: list[R],
        misses: list[str],
        compute: Callable[[list[R]], Sequence[Any]],
        results: dict[str, Any],
        stash: Callable[[dict[str, dict[str, Any]]], dict[str, dict[str, Any]]] | None,
        decode: Callable[[str, dict[str, Any]], Any],
    ) -> None:
        """Compute a batch of misses and write the successes to the cache in one go. What a
        `stash` stores may be rounded (float16 log-probabilities), so the fresh results are
        then read back from it: a cold run and a cached one see the same values."""
        self.stats.cache_misses += len(misses)
        values = {}
        for key, out in zip(misses, compute(requests), strict=True):
            results[key] = out
            if isinstance(out, Failure):
                self.stats.failed += 1
                continue
            values[key] = asdict(out)
            self.stats.prompt_tokens += out.prompt_tokens
            self.stats.completion_tokens += getattr(out, "completion_tokens", 0)
        if stash is not None:
            values = stash(values)
            results.update({key: decode(key, value) for key, value in values.items()})
        fresh = {key: (kind, self.backend.identity, value) for key, value in values.items()}
        names = {self.backend.identity: self.model_name} if self.model_name else None
        self.cache.put_many(fresh, names)

    def _note(self, seconds: float) -> str:
        s = self.stats
        looked_up = s.cache_hits + s.cache_misses
        tokens = (s.prompt_tokens + s.completion_tokens) / max(seconds, 1e-9)
        return f"{tokens:,.0f} tok/s, cache hits {s.cache_hits / max(looked_up, 1):.0%}"

    def _check_failures(self, failures: list[Failure], n: int) -> None:
        """Fail the stage once more than `max_failure_rate` of this run's `n` calls failed
        (failures only grow, so the run can no longer meet the rate)."""
        if n and len(failures) / n > self.max_failure_rate:
            reason, count = Counter(f.reason for f in failures).most_common(1)[0]
            raise DistilpipeError(
                f"{self.name}: {len(failures)} of {n} calls failed, more than "
                f"max_failure_rate={self.max_failure_rate}; most often ({count}x): {reason}"
            )


def _length(
    request: GenerateRequest | ChoiceRequest | LabelRequest | TokenLogprobsRequest,
) -> int:
    return sum(len(m["content"]) for m in request.messages)


def _ids_digest(token_ids: Sequence[int], positions: Sequence[int]) -> str:
    text = ",".join(map(str, token_ids)) + "|" + ",".join(map(str, positions))
    return hashlib.sha256(text.encode()).hexdigest()


def _generation_from(key: str, value: dict[str, Any]) -> Generation:
    return Generation(**value)


def _choices_from(key: str, value: dict[str, Any]) -> ChoiceProbs:
    return ChoiceProbs(**value)


def _labels_from(key: str, value: dict[str, Any]) -> LabelProbs:
    return LabelProbs(**value)
