"""A pool of OpenAI-compatible endpoints serving one model: least-loaded choice, ejection of
failing endpoints, probes before they return.

The openai backend sends each attempt of each request through `EndpointPool.acquire` and
`release`:

- **Least loaded.** An attempt goes to the healthy endpoint with the fewest requests in
  flight (ties to the earliest listed), never past `per_endpoint` in flight on one endpoint;
  an attempt waits for a free slot. A retry prefers an endpoint the request has not failed on.
- **Ejection.** An endpoint whose last `eject_after` attempts failed (connection errors,
  timeouts, 5xx, bodies that are not JSON; a 429 is the server working as meant, not a
  fault) is taken out of rotation for `backoff_s`, doubling (up to `backoff_cap_s`) each time
  it fails again. With one endpoint, or when every endpoint is out, attempts still go to the
  one out longest ago, so a request always ends, after its `max_attempts`, however many
  endpoints are down.
- **Probe before return.** When its time out is over, the next attempt that would use it
  first sends `GET {base_url}/models`; any HTTP answer below 500 brings it back, anything
  else sends it out again for twice as long.

- **Dead from the start.** An endpoint that has not answered once in this run and whose
  last `eject_after` attempts could not even connect (refused, unresolvable, connect
  timeout) is dead, not flaky. When every endpoint is dead, `acquire` raises `EndpointsDown`,
  one line naming each endpoint and its last error, so a stage pointed at a server that
  is not running stops within seconds instead of retrying every request for minutes.

Which endpoint answered never changes what a request returns (the same model, the request's
own seed), and the backend returns results in request order, so outputs and the call cache do
not depend on how many endpoints there are.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from distilpipe.errors import DistilpipeError

log = logging.getLogger(__name__)

BACKOFF_CAP_S = 60.0
PROBE_TIMEOUT_S = 5.0


class EndpointsDown(DistilpipeError):
    """Every endpoint of a role is dead: none has answered, each failed repeatedly."""


@dataclass
class Endpoint:
    index: int
    url: str
    client: Any  # an httpx2.Client with this endpoint's base_url
    in_flight: int = 0
    consecutive_failures: int = 0
    answered: bool = False  # has answered at least once in this run
    unreachable_in_a_row: int = 0  # attempts in a row that could not connect
    last_problem: str = ""
    down_until: float | None = None  # out of rotation until then; None: in rotation
    down_for: float = 0.0
    probing: bool = False
    counts: dict[str, int] = field(
        default_factory=lambda: {"attempts": 0, "failures": 0, "ejections": 0, "probes": 0}
    )


class EndpointPool:
    """Endpoints serving one model; thread-safe. See the module docstring."""

    def __init__(
        self,
        urls: list[str],
        make_client: Callable[[str], Any],
        per_endpoint: int,
        eject_after: int = 3,
        backoff_s: float = 5.0,
        backoff_cap_s: float = BACKOFF_CAP_S,
        clock: Callable[[], float] = time.monotonic,
    ):
        if not urls:
            raise ValueError("an endpoint pool needs at least one endpoint")
        self.endpoints = [Endpoint(i, url, make_client(url)) for i, url in enumerate(urls)]
        self.per_endpoint = per_endpoint
        self.eject_after = eject_after
        self.backoff_s = backoff_s
        self.backoff_cap_s = backoff_cap_s
        self._clock = clock
        self._cond = threading.Condition()

    def acquire(self, avoid: set[int] | frozenset[int] = frozenset()) -> Endpoint:
        """The endpoint for the next attempt (its slot taken); `avoid` holds the indices of
        endpoints this request already failed on. Blocks while every usable endpoint is full."""
        with self._cond:
            while True:
                self._check_alive()
                now = self._clock()
                due = [
                    e
                    for e in self.endpoints
                    if e.down_until is not None and e.down_until <= now and not e.probing
                ]
                if due:
                    endpoint = due[0]
                    endpoint.probing = True
                    self._cond.release()
                    try:
                        alive = self._probe(endpoint)
                    finally:
                        self._cond.acquire()
                    self._probed(endpoint, alive)
                    continue
                up = [e for e in self.endpoints if e.down_until is None]
                if not up:  # all out: use the one out longest ago rather than never finish
                    up = [min(self.endpoints, key=lambda e: (e.down_until or 0.0, e.index))]
                free = [e for e in up if e.in_flight < self.per_endpoint]
                if free:
                    fresh = [e for e in free if e.index not in avoid] or free
                    endpoint = min(fresh, key=lambda e: (e.in_flight, e.index))
                    endpoint.in_flight += 1
                    endpoint.counts["attempts"] += 1
                    return endpoint
                downs = [e.down_until for e in self.endpoints if e.down_until is not None]
                wait = max(0.0, min(downs) - now) if downs else None
                self._cond.wait(timeout=wait)

    def release(
        self, endpoint: Endpoint, healthy: bool, problem: str = "", unreachable: bool = False
    ) -> None:
        """Give the slot back; `healthy` says whether the endpoint behaved (see ejection),
        `problem` what went wrong when it did not, `unreachable` whether it could not even
        connect."""
        with self._cond:
            endpoint.in_flight -= 1
            endpoint.unreachable_in_a_row = endpoint.unreachable_in_a_row + 1 if unreachable else 0
            if healthy:
                endpoint.answered = True
                endpoint.consecutive_failures = 0
                if endpoint.down_until is not None:  # answered while all were out
                    endpoint.down_until, endpoint.down_for = None, 0.0
            else:
                endpoint.last_problem = problem
                endpoint.counts["failures"] += 1
                endpoint.consecutive_failures += 1
                if (
                    len(self.endpoints) > 1
                    and endpoint.down_until is None
                    and endpoint.consecutive_failures >= self.eject_after
                ):
                    self._eject(endpoint)
            self._cond.notify_all()

    def _check_alive(self) -> None:
        """Raise EndpointsDown when every endpoint is dead (see the module docstring)."""
        dead = [
            e
            for e in self.endpoints
            if not e.answered and e.unreachable_in_a_row >= self.eject_after
        ]
        if len(dead) == len(self.endpoints):
            self._cond.notify_all()  # wake the waiting attempts, so they raise too
            raise EndpointsDown(
                "; ".join(
                    f"{e.url}: unreachable, {e.unreachable_in_a_row} attempts in a row, the "
                    f"last a {e.last_problem}"
                    for e in dead
                )
                + ". Is the server running, and is base_url right?"
            )

    def others_up(self, avoid: set[int]) -> bool:
        """Whether an endpoint outside `avoid` is in rotation (a retry can go there at once)."""
        with self._cond:
            return any(e.down_until is None and e.index not in avoid for e in self.endpoints)

    def stats(self) -> list[dict[str, Any]]:
        with self._cond:
            return [{"url": e.url, "up": e.down_until is None, **e.counts} for e in self.endpoints]

    def close(self) -> None:
        for endpoint in self.endpoints:
            endpoint.client.close()

    def _eject(self, endpoint: Endpoint) -> None:
        endpoint.down_for = min(self.backoff_cap_s, max(self.backoff_s, 2 * endpoint.down_for))
        endpoint.down_until = self._clock() + endpoint.down_for
        endpoint.counts["ejections"] += 1
        log.warning(
            "%s: %d failures in a row; out of rotation for %.0f s",
            endpoint.url,
            endpoint.consecutive_failures,
            endpoint.down_for,
        )

    def _probe(self, endpoint: Endpoint) -> bool:
        endpoint.counts["probes"] += 1
        try:
            response = endpoint.client.get("/models", timeout=PROBE_TIMEOUT_S)
        except Exception:  # any transport or protocol error: still down
            return False
        return bool(response.status_code < 500)

    def _probed(self, endpoint: Endpoint, alive: bool) -> None:
        endpoint.probing = False
        if alive:
            log.warning("%s: answers again; back in rotation", endpoint.url)
            endpoint.down_until = None
            endpoint.consecutive_failures = 0
        else:
            endpoint.down_for = min(self.backoff_cap_s, 2 * endpoint.down_for)
            endpoint.down_until = self._clock() + endpoint.down_for
        self._cond.notify_all()
