"""End-to-end: the judge stage under `dvc repro` and `dvc exp run`: a changed keep rule costs
no LLM call, new rows cost calls only for themselves, and the openai backend works against a
real `transformers serve` in generate scoring mode."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from distilpipe.ops.judge import JUDGE_COLUMNS
from distilpipe.schema import validate_rows
from tests.cache_db import cached_calls
from tests.conftest import magpie_record
from tests.e2e.conftest import params_of, run, set_params
from tests.serving import transformers_serve

NEW_QUESTIONS = [
    "A train leaves at 3:15 pm and travels 210 km at 84 km/h. When does it arrive?",
    "Find all real $x$ with $x^2 - 7x + 10 = 0$ and check both roots.",
    "What is the derivative of $\\sin(x) e^{2x}$? Show the product rule step.",
]
EXTRA_QUESTIONS = [
    "A rectangle's perimeter is 46 cm and its length is 15 cm. What is its area?",
    "How many ways can 5 different books be arranged on a shelf of 3 places?",
]


def _judge_metrics(repo: Path) -> dict[str, Any]:
    return dict(json.loads((repo / "metrics/judge.json").read_text()))


def _small(repo: Path, **sources_limit: int) -> None:
    """Fewer rows and a shorter bootstrap, so the test spends seconds, not minutes."""
    params = params_of(repo)
    for name, limit in sources_limit.items():
        params["sources"][name]["limit"] = limit
    params["bootstrap"].update(steps=60)
    set_params(repo, sources=params["sources"], bootstrap=params["bootstrap"])


def _mammoth2_record(i: int, question: str) -> dict[str, Any]:
    return {
        "orig_question": question,
        "orig_answer": "See below.",
        "question": question,
        "answer": f"Worked solution number {i}: set up the equation, solve it, check it.",
        "source": "socratic",
        "index": 900_000 + i,
    }


def _append_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    with path.open("a", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _pool_ids(repo: Path) -> set[str]:
    return set(pl.read_parquet(repo / "data/pool.parquet")["id"].to_list())


# 3,600 Chinese characters: under judge.max_chars (4,000), over the tiny models' 2,048 positions.
LONG_ZH = ("请仔细阅读下面这段关于城市交通规划的长篇材料，并逐条总结其中的主要观点与论据。" * 90)[
    :3600
]


@pytest.mark.slow
@pytest.mark.timeout(1800)  # four `dvc repro` runs; a loaded 2-core machine takes its time
def test_on_the_defaults_new_rows_cost_only_their_own_calls(repo: Path) -> None:
    """A newcomer's session, on the default params throughout: run, try a keep rule, append
    records to a default source, add a source. Only new rows ever cost LLM calls, the tiny
    models never retrain, and one over-long instruction is dropped, not fatal. (Up to the
    judge: tests/e2e/test_workflow.py does the same over the whole pipeline.)"""
    run(repo, "dvc", "repro", "judge")
    first = _judge_metrics(repo)
    calls = first["calls"]
    assert first["rows_in"] == pl.read_parquet(repo / "data/pool.parquet").height > 300
    assert calls["calls"] == 4 * first["rows_in"]  # student, teacher, two judgements
    assert calls["cache_misses"] > 0 and calls["failed"] == 0
    judged = validate_rows(pl.read_parquet(repo / "data/judged.parquet"), "judged")
    assert list(JUDGE_COLUMNS) == judged.columns[-len(JUDGE_COLUMNS) :]
    assert (judged["mfd"] >= 0.0).all()
    assert first["rows_kept"] + sum(first["dropped"].values()) == first["rows_in"]
    models = _digest(repo / "models/tiny")

    # a keep-rule experiment costs no call
    run(repo, "git", "add", "-A")
    run(repo, "git", "commit", "-qm", "baseline")
    exp = run(repo, "dvc", "exp", "run", "-S", "judge.min_mfd=0.05", "judge")
    assert "Running stage 'judge'" in exp.stdout
    assert "Running stage 'pool'" not in exp.stdout
    rerun = _judge_metrics(repo)
    assert rerun["calls"]["cache_misses"] == 0
    assert rerun["calls"]["cache_hits"] == rerun["calls"]["calls"] == calls["calls"]
    assert rerun["rows_kept"] <= first["rows_kept"]
    assert rerun["rows_kept"] == int(
        (pl.read_parquet(repo / "data/judged.parquet")["mfd"] >= 0.05).sum()
    )

    # three records appended to the default magpie source: 4 calls each, nothing else
    before = _pool_ids(repo)
    new = [magpie_record(9000 + i, question) for i, question in enumerate(NEW_QUESTIONS)]
    _append_jsonl(repo / "data/samples/magpie.jsonl", new)
    out = run(repo, "dvc", "repro", "judge")
    assert "Stage 'bootstrap' didn't change, skipping" in out.stdout
    assert "Running stage 'bootstrap'" not in out.stdout
    assert _digest(repo / "models/tiny") == models
    reached = _pool_ids(repo) - before
    assert len(reached) == len(NEW_QUESTIONS)
    added = _judge_metrics(repo)
    assert added["rows_in"] == first["rows_in"] + len(reached)
    assert added["calls"]["cache_misses"] == 4 * len(reached)
    assert added["calls"]["cache_hits"] == calls["calls"]

    # one 3,600-character Chinese instruction: too long for the tiny models, so dropped as
    # too_long before any call, and the stage succeeds
    _append_jsonl(
        repo / "data/samples/magpie.jsonl",
        [magpie_record(9100, LONG_ZH, "这是一段很长的材料的总结。")],
    )
    run(repo, "dvc", "repro", "judge")
    long = _judge_metrics(repo)
    assert long["rows_in"] == added["rows_in"] + 1
    assert long["dropped"]["too_long"] == added["dropped"]["too_long"] + 1
    assert long["calls"]["cache_misses"] == 0 and long["calls"]["failed"] == 0
    assert long["by_role"]["student"]["too_long"] == long["by_role"]["teacher"]["too_long"] == 1
    rejects = pl.read_parquet(repo / "data/rejects/judge.parquet")
    assert rejects.filter(pl.col("reason") == "too_long")["lang"].to_list()[-1:] == ["zh"]

    # a new source: ingest@extra, and calls for its rows only
    before = _pool_ids(repo)
    extra = [_mammoth2_record(i, question) for i, question in enumerate(EXTRA_QUESTIONS)]
    _append_jsonl(repo / "data/extra.jsonl", extra)
    sources = params_of(repo)["sources"]
    set_params(
        repo, sources={**sources, "extra": {"format": "mammoth2", "path": "data/extra.jsonl"}}
    )
    out = run(repo, "dvc", "repro", "judge")
    assert "Running stage 'ingest@extra'" in out.stdout
    assert "Running stage 'bootstrap'" not in out.stdout
    reached = _pool_ids(repo) - before
    assert len(reached) == len(EXTRA_QUESTIONS)
    extra_metrics = _judge_metrics(repo)
    assert extra_metrics["calls"]["cache_misses"] == 4 * len(reached)
    assert extra_metrics["calls"]["cache_hits"] == long["calls"]["cache_hits"]
    assert _digest(repo / "models/tiny") == models


@pytest.mark.slow
def test_openai_backend_against_transformers_serve_in_generate_mode(repo: Path) -> None:
    _small(repo, magpie=6, openhermes=6, mammoth2=6)
    run(repo, "dvc", "repro", "bootstrap", "pool")
    with transformers_serve(repo.parent / "serve.log") as base_url:
        served = {
            role: {
                "backend": "openai",
                "base_url": base_url,
                "model": str((repo / "models/tiny" / model).resolve()),
                "max_new_tokens": 16,
                "max_concurrency": 2,
                "timeout_s": 60.0,
                "max_attempts": 2,
            }
            for role, model in (
                ("teacher", "teacher"),
                ("student", "student"),
                ("judge", "teacher"),
            )
        }
        judge = params_of(repo)["judge"]
        set_params(repo, models=served, judge={**judge, "scoring": "generate"})
        run(repo, "dvc", "repro", "judge")
        m = _judge_metrics(repo)
        assert m["calls"]["failed"] == 0
        assert m["calls"]["cache_misses"] > 0
        assert m["by_role"]["judge"]["calls"] == 2 * m["rows_in"]
        assert m["rows_kept"] + sum(m["dropped"].values()) == m["rows_in"]
        # the tiny judge rambles rather than ending on "Score: N": unparsed, never guessed
        rejects = pl.read_parquet(repo / "data/rejects/judge.parquet")
        unparsed = rejects.filter(pl.col("reason") == "unparsed")
        assert unparsed.height == m["dropped"]["unparsed"]
        assert unparsed["teacher_response"].null_count() == 0
        kept = pl.read_parquet(repo / "data/judged.parquet")
        assert kept["teacher_score"].null_count() == kept["student_score"].null_count() == 0

        # this server returns no logprobs: logprob scoring fails with one clear line
        set_params(repo, judge={**judge, "scoring": "logprob"})
        failed = run(repo, "dvc", "repro", "judge", check=False)
        assert failed.returncode != 0
        assert "returned no logprobs" in failed.stderr
        assert "Traceback" not in failed.stderr


@pytest.mark.slow
def test_judge_killed_mid_stage_resumes_from_its_cached_calls(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small(repo, magpie=10, openhermes=10, mammoth2=10)
    set_params(repo, llm={**params_of(repo)["llm"], "batch_size": 4})
    run(repo, "dvc", "repro", "bootstrap", "pool")
    cache = repo.parent / "llm-cache"
    before = cached_calls(cache)
    env = {**os.environ, "DISTILPIPE_CACHE_DIR": str(cache)}
    proc = subprocess.Popen(
        [sys.executable, "stages/judge.py"],
        cwd=repo,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while cached_calls(cache) < before + 12 and time.monotonic() < deadline:
        assert proc.poll() is None, "the judge finished before it could be killed"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished = cached_calls(cache) - before
    assert not (repo / "data/judged.parquet").exists()  # nothing half-written

    run(repo, "dvc", "repro", "judge")
    resumed = _judge_metrics(repo)
    assert resumed["calls"]["cache_hits"] >= finished
    assert resumed["calls"]["cache_misses"] < resumed["calls"]["calls"]
    kept = (repo / "data/judged.parquet").read_bytes()

    monkeypatch.setenv("DISTILPIPE_CACHE_DIR", str(repo.parent / "fresh-cache"))
    run(repo, "dvc", "repro", "--force", "judge")
    assert _judge_metrics(repo)["calls"]["cache_hits"] < resumed["calls"]["cache_hits"]
    assert (repo / "data/judged.parquet").read_bytes() == kept  # as if never interrupted


@pytest.mark.slow
def test_a_judge_pointed_at_no_server_stops_at_once_with_one_line(repo: Path) -> None:
    """Tried as a new user would: every role on an endpoint nobody listens on. The stage
    stops after a few refused connections, naming the endpoint, instead of retrying each of
    its calls for minutes."""
    _small(repo, magpie=10, openhermes=10, mammoth2=10)
    run(repo, "dvc", "repro", "pool")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    dead = {"backend": "openai", "base_url": url, "model": "qwen-max", "max_attempts": 6}
    set_params(repo, models={role: dead for role in ("teacher", "student", "judge")})
    proc = subprocess.run(
        [sys.executable, "stages/judge.py"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=600,  # a hang, not a speed limit: the old behaviour retried for many minutes
    )
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    assert re.search(rf"{re.escape(url)}: unreachable, \d+ attempts in a row", errors[0])
    assert "Traceback" not in proc.stderr
    assert not (repo / "data/judged.parquet").exists()
