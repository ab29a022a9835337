"""End-to-end: the judge stage under `dvc repro` and `dvc exp run` on the default params: it
judges every pool row, a changed keep rule costs no LLM call, new rows cost calls only for
themselves, and the openai backend works against a real `transformers serve` in generate
scoring mode. (A judge killed mid-stage resuming from its calls is the kill suite's,
tests/reliability/test_kill_every_stage.py.)"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from distilpipe.ops.judge import JUDGE_COLUMNS
from distilpipe.params import MIN_NEW_TOKENS
from distilpipe.schema import validate_rows
from tests.e2e.conftest import Appended, append_jsonl, copy_of, params_of, run, set_params
from tests.serving import transformers_serve

EXTRA_QUESTIONS = [
    "A rectangle's perimeter is 46 cm and its length is 15 cm. What is its area?",
    "How many ways can 5 different books be arranged on a shelf of 3 places?",
]


def _judge_metrics(repo: Path) -> dict[str, Any]:
    return dict(json.loads((repo / "metrics/judge.json").read_text()))


def _small(repo: Path, **sources_limit: int) -> None:
    """Fewer rows, so the test spends seconds, not minutes (the tiny models unchanged)."""
    params = params_of(repo)
    for name, limit in sources_limit.items():
        params["sources"][name]["limit"] = limit
    set_params(repo, sources=params["sources"])


def _mammoth2_record(i: int, question: str) -> dict[str, Any]:
    return {
        "orig_question": question,
        "orig_answer": "See below.",
        "question": question,
        "answer": f"Worked solution number {i}: set up the equation, solve it, check it.",
        "source": "socratic",
        "index": 900_000 + i,
    }


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _pool_ids(repo: Path) -> set[str]:
    return set(pl.read_parquet(repo / "data/pool.parquet")["id"].to_list())


def test_the_default_run_judges_every_pool_row(golden: Path) -> None:
    repo = golden / "repo"
    m = _judge_metrics(repo)
    calls = m["calls"]
    assert m["rows_in"] == pl.read_parquet(repo / "data/pool.parquet").height > 300
    assert calls["calls"] == 4 * m["rows_in"]  # student, teacher, two judgements
    assert calls["cache_misses"] == calls["calls"] and calls["failed"] == 0  # a cold cache
    judged = validate_rows(pl.read_parquet(repo / "data/judged.parquet"), "judged")
    assert list(JUDGE_COLUMNS) == judged.columns[-len(JUDGE_COLUMNS) :]
    min_mfd = params_of(repo)["judge"]["min_mfd"]
    assert (judged["mfd"] >= min_mfd).all()
    assert m["rows_kept"] + sum(m["dropped"].values()) == m["rows_in"]


def test_a_keep_rule_experiment_costs_no_call(
    golden: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_of(golden, tmp_path / "copy", monkeypatch)
    first = _judge_metrics(repo)
    exp = run(repo, "dvc", "exp", "run", "-S", "judge.min_mfd=0.05", "judge")
    assert "Running stage 'judge'" in exp.stdout
    assert "Running stage 'pool'" not in exp.stdout
    rerun = _judge_metrics(repo)
    assert rerun["calls"]["cache_misses"] == 0
    assert rerun["calls"]["cache_hits"] == rerun["calls"]["calls"] == first["calls"]["calls"]
    assert rerun["rows_kept"] <= first["rows_kept"]
    assert rerun["rows_kept"] == int(
        (pl.read_parquet(repo / "data/judged.parquet")["mfd"] >= 0.05).sum()
    )


def test_appended_records_cost_four_calls_each_and_a_long_one_none(appended: Appended) -> None:
    """Records appended to the default magpie source: 4 calls each, the tiny models never
    retrain, and one instruction too long for them is dropped before any call, not fatal."""
    before, repo = appended.before, appended.repo
    assert "Running stage 'bootstrap'" not in appended.out
    assert _digest(repo / "models/tiny") == _digest(before / "models/tiny")
    reached = _pool_ids(repo) - _pool_ids(before)
    assert len(reached) == len(appended.records)
    first, added = _judge_metrics(before), _judge_metrics(repo)
    assert added["rows_in"] == first["rows_in"] + len(reached)
    # the long Chinese instruction (the last record): too_long for student and teacher, so
    # neither answers and the judge is not asked
    assert added["dropped"]["too_long"] == first["dropped"]["too_long"] + 1
    assert added["by_role"]["student"]["too_long"] == added["by_role"]["teacher"]["too_long"] == 1
    assert added["calls"]["cache_misses"] == 4 * (len(reached) - 1)
    assert added["calls"]["cache_hits"] == first["calls"]["calls"]
    assert added["calls"]["failed"] == 0
    rejects = pl.read_parquet(repo / "data/rejects/judge.parquet")
    long = rejects.filter(pl.col("reason") == "too_long")
    assert long["lang"].to_list()[-1:] == ["zh"]


def test_a_new_source_costs_calls_for_its_rows_only(
    golden: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_of(golden, tmp_path / "copy", monkeypatch)
    first = _judge_metrics(repo)
    before = _pool_ids(repo)
    extra = [_mammoth2_record(i, question) for i, question in enumerate(EXTRA_QUESTIONS)]
    append_jsonl(repo / "data/extra.jsonl", extra)
    sources = params_of(repo)["sources"]
    set_params(
        repo, sources={**sources, "extra": {"format": "mammoth2", "path": "data/extra.jsonl"}}
    )
    out = run(repo, "dvc", "repro", "judge")
    assert "Running stage 'ingest@extra'" in out.stdout
    assert "Running stage 'bootstrap'" not in out.stdout
    reached = _pool_ids(repo) - before
    assert len(reached) == len(EXTRA_QUESTIONS)
    m = _judge_metrics(repo)
    assert m["calls"]["cache_misses"] == 4 * len(reached)
    assert m["calls"]["cache_hits"] == first["calls"]["calls"]


def test_openai_backend_against_transformers_serve_in_generate_mode(
    golden: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_of(golden, tmp_path / "copy", monkeypatch)
    _small(repo, magpie=6, openhermes=6, mammoth2=6)
    run(repo, "dvc", "repro", "pool")
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
        # generate scoring needs room for the rationale before "Score: N" (params check it)
        served["judge"]["max_new_tokens"] = MIN_NEW_TOKENS["judge"]
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
