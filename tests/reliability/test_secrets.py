"""An API key in the environment never leaves the Authorization header: a stage against an
endpoint that echoes the request back in its errors writes the key to no output, log line,
error text, metrics or plots file, rejects, cache entry, dvc.lock or experiment commit."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import polars as pl
import pytest

from tests.e2e.conftest import params_of, run, set_params
from tests.llm.test_openai_backend import FakeOpenAI, status

KEY = "sk-live-7c1d9e4b2a6f8035e1d2c3b4"


@pytest.fixture
def echo() -> FakeOpenAI:
    server = FakeOpenAI()
    # every request fails, and the error echoes the credentials it was sent
    server.default_action = status(401, {"error": {"message": "invalid key {auth} for you"}})
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def _text_of(path: Path) -> str:
    if path.suffix == ".parquet":
        buffer = io.StringIO()
        pl.read_parquet(path).write_ndjson(buffer)
        return buffer.getvalue()
    if path.name.startswith("calls.sqlite"):
        return path.read_bytes().decode("latin-1")
    return path.read_bytes().decode("utf-8", "replace")


@pytest.mark.slow
def test_the_key_appears_nowhere(repo: Path, echo: FakeOpenAI, monkeypatch) -> None:
    params = params_of(repo)
    for name, limit in (("magpie", 4), ("openhermes", 4), ("mammoth2", 4)):
        params["sources"][name]["limit"] = limit
    params["bootstrap"]["steps"] = 20
    api = {"backend": "openai", "base_url": echo.base_url, "model": "qwen-max"}
    # every role an API model but the student, which is trained here and so stays local
    models = {
        role: spec if role == "student" else {**api, "api_key_env": "QWEN_KEY"}
        for role, spec in params["models"].items()
    }
    set_params(
        repo,
        sources=params["sources"],
        bootstrap=params["bootstrap"],
        llm={**params["llm"], "max_failure_rate": 1.0},  # finish and write every output
        models=models,
    )
    monkeypatch.setenv("QWEN_KEY", KEY)
    run(repo, "git", "add", "-A")
    run(repo, "git", "commit", "-qm", "baseline")
    # every LLM stage up to the training sets: with every API call failing there is nothing
    # to train on (train_sft says so and stops; tests/train covers that)
    out = run(repo, "dvc", "exp", "run", "self_distill")
    assert echo.auth and all(a == f"Bearer {KEY}" for a in echo.auth)  # it was sent...
    assert KEY not in out.stdout + out.stderr  # ...and shown nowhere
    rejects = pl.read_parquet(repo / "data/rejects/judge.parquet")
    assert set(rejects["reason"]) == {"failed"} and rejects.height > 0

    files = [p for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts]
    files += sorted((repo.parent / "llm-cache").glob("calls.sqlite*"))
    leaks = [str(p) for p in files if KEY in _text_of(p)]
    assert leaks == []
    exp_commits = run(repo, "git", "log", "--all", "-p", "--format=%H %s").stdout
    assert KEY not in exp_commits
    with sqlite3.connect(repo.parent / "llm-cache" / "calls.sqlite") as conn:
        models = {row[0] for row in conn.execute("SELECT DISTINCT model FROM calls")}
    # every API call failed, so none is cached: what is, the local student made
    assert all(model.startswith("local:") for model in models)

    # the echo does reach what people read: the failing stage's one line, scrubbed
    set_params(repo, llm={**params["llm"], "max_failure_rate": 0.0})
    failed = run(repo, "python", "stages/judge.py", check=False)
    assert failed.returncode == 1
    assert "HTTP 401: invalid key Bearer <api key> for you" in failed.stderr
    assert KEY not in failed.stdout + failed.stderr
