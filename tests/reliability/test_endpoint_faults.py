"""The judge's 1,000 rows, then rewrite's, against an OpenAI-compatible server that injects
faults at set rates: every row (every turn) is answered or counted with its reason, retries
stay bounded, and a run whose failures pass max_failure_rate stops with one line, keeping
every finished call."""

from __future__ import annotations

import math
import random
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from distilpipe.errors import DistilpipeError
from distilpipe.llm import RoleModels, open_cache
from distilpipe.ops.judge import judge_rows
from distilpipe.ops.rewrite import rewrite_rows
from distilpipe.params import Judge, Params, Rewrite
from distilpipe.schema import ROW_SCHEMA
from distilpipe.sources.rows import message_id
from tests.cache_db import cached_calls
from tests.llm.test_openai_backend import (
    DROP,
    EMPTY,
    MALFORMED,
    OK,
    SLOW,
    Action,
    FakeOpenAI,
    status,
)

ROWS = 1000
FAULTS: dict[str, tuple[float, Action]] = {
    "429 + Retry-After": (0.02, status(429, {"error": "slow down"}, Retry_After="0.05")),
    "429": (0.02, status(429, {"error": "slow down"})),
    "500": (0.02, status(500, {"error": "boom"})),
    "503": (0.02, status(503, {"error": "busy"})),
    "slow past timeout": (0.005, SLOW),
    "dropped connection": (0.01, DROP),
    "truncated JSON": (0.01, MALFORMED),
    "empty choices": (0.005, EMPTY),
}


class FaultyOpenAI(FakeOpenAI):
    """Injects each fault at its rate (seeded), and cuts every fifth reply at `length`."""

    def __init__(self, faults: dict[str, tuple[float, Action]], seed: int = 0):
        super().__init__()
        self.faults = faults
        self.rng = random.Random(seed)
        self.injected: Counter[str] = Counter()
        self.replies = 0
        self.count_lock = threading.Lock()
        # the judge's logprob scoring reads these: most mass on "7"
        self.top_logprobs = [
            {"token": "7", "logprob": math.log(0.6)},
            {"token": "6", "logprob": math.log(0.3)},
        ]

    def next_action(self, key: str) -> Action:
        with self.count_lock:
            self.arrivals[key] += 1
            draw = self.rng.random()
            for name, (rate, action) in self.faults.items():
                if draw < rate:
                    self.injected[name] += 1
                    return action
                draw -= rate
        return OK

    def reply(self, body: dict[str, Any]) -> dict[str, Any]:
        data = super().reply(body)
        with self.count_lock:
            self.replies += 1
            if self.replies % 5 == 0:
                data["choices"][0]["finish_reason"] = "length"
        return data


@pytest.fixture
def faulty(inject_timeouts: None) -> Iterator[FaultyOpenAI]:
    server = FaultyOpenAI(FAULTS)
    server.start()
    yield server
    server.stop()


def _rows(n: int) -> pl.DataFrame:
    rows = []
    for i in range(n):
        messages = [
            {"role": "user", "content": f"Instruction {i}: explain step {i % 17} of the method."},
            {"role": "assistant", "content": f"Step {i % 17} is done so."},
        ]
        rows.append(
            {
                "id": message_id(messages),
                "source": "s",
                "source_id": None,
                "messages": messages,
                "lang": "en",
                "origin": "source",
                "parent_id": None,
                "meta": "{}",
            }
        )
    return pl.DataFrame(rows, schema=ROW_SCHEMA)


def _params(url: str, cache: Path, max_failure_rate: float) -> Params:
    role = {
        "backend": "openai",
        "base_url": url,
        "model": "teacher-api",
        "max_new_tokens": 8,
        "max_concurrency": 16,
        "timeout_s": 10.0,  # generous; the SLOW fault's timeout is injected
        "max_attempts": 6,
    }
    return Params.model_validate(
        {
            "models": {
                "teacher": role,
                "student": {**role, "model": "student-api"},
                "judge": role,
            },
            "llm": {
                "cache_dir": str(cache),
                "batch_size": 64,
                "max_failure_rate": max_failure_rate,
            },
        }
    )


@pytest.mark.slow
def test_a_thousand_rows_through_faults_lose_nothing(faulty: FaultyOpenAI, tmp_path: Path) -> None:
    rows = _rows(ROWS)
    params = _params(faulty.base_url, tmp_path / "cache", max_failure_rate=0.01)
    with open_cache(params) as cache, RoleModels(params, cache) as models:
        result = judge_rows(rows, models.client, Judge(min_mfd=-1.0))
    m = result.metrics
    calls = m["calls"]
    # every row is kept or dropped with its reason: none lost
    assert m["rows_in"] == ROWS == m["rows_kept"] + sum(m["dropped"].values())
    assert result.rows.height == m["rows_kept"]
    assert result.rejects.height == sum(m["dropped"].values())
    injected = sum(faulty.injected.values())
    arrivals = sum(faulty.arrivals.values())
    retries = arrivals - calls["cache_misses"]
    assert injected > 0.08 * arrivals  # the faults really were injected, at about their rates
    # one retry per fault, and every call answered in the end (6 attempts: six faults in a
    # row, at these rates about once in a million calls, would fail one)
    assert retries == injected
    assert calls["failed"] == 0 and m["dropped"]["failed"] == 0
    print(
        f"faults injected: {injected} ({dict(faulty.injected)}); requests {arrivals}; "
        f"retries {retries}; failed calls {calls['failed']}; rows lost 0"
    )


@pytest.mark.slow
def test_past_max_failure_rate_the_stage_stops_in_one_line_and_keeps_its_calls(
    tmp_path: Path, inject_timeouts: None
) -> None:
    heavy = {"500": (0.5, status(500, {"error": "boom"}))}
    server = FaultyOpenAI(heavy, seed=1)
    server.start()
    try:
        params = _params(server.base_url, tmp_path / "cache", max_failure_rate=0.0)
        params = params.model_copy(
            update={
                "models": {
                    name: spec.model_copy(update={"max_attempts": 2})
                    for name, spec in params.models.items()
                }
            }
        )
        with (
            open_cache(params) as cache,
            RoleModels(params, cache) as models,
            pytest.raises(DistilpipeError) as info,
        ):
            judge_rows(_rows(200), models.client, Judge())
        message = str(info.value)
        assert "\n" not in message
        assert "calls failed, more than max_failure_rate=0.0; most often" in message
        assert "HTTP 500 after 2 attempts" in message
        # stopped at the first batch that failed, and what finished is cached
        assert 0 < cached_calls(tmp_path / "cache") < 200
    finally:
        server.stop()


@pytest.mark.slow
def test_rewrite_through_the_same_faults_accounts_for_every_turn(
    faulty: FaultyOpenAI, tmp_path: Path
) -> None:
    """A stage after the judge, on its own request mix (one generation per assistant turn,
    long prompts): every turn is rewritten or kept with its reason, retries bounded."""
    rows = _rows(ROWS).with_columns(pl.lit("open_qa").alias("task_type"))
    params = _params(faulty.base_url, tmp_path / "cache", max_failure_rate=0.01)
    with open_cache(params) as cache, RoleModels(params, cache) as models:
        result = rewrite_rows(rows, models.client, Rewrite())
    m = result.metrics
    calls = m["calls"]
    assert result.rows.height == m["rows"] == ROWS
    assert m["turns"] == ROWS == m["turns_rewritten"] + sum(m["kept_original"].values())
    statuses = Counter(s for row in result.rows["rewrite_status"].to_list() for s in row)
    assert statuses["failed"] == m["kept_original"]["failed"] == calls["failed"]
    injected = sum(faulty.injected.values())
    arrivals = sum(faulty.arrivals.values())
    retries = arrivals - calls["cache_misses"]
    assert injected > 0.08 * arrivals
    assert retries == injected
    assert calls["failed"] == 0
    print(
        f"rewrite: faults injected {injected}; requests {arrivals}; retries {retries}; "
        f"failed calls {calls['failed']}; turns lost 0"
    )
