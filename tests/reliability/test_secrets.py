"""An API key in the environment never leaves the Authorization header: a stage against an
endpoint that echoes the request back in its errors writes the key to no output, log line,
error text, metrics or plots file, rejects, cache entry, dvc.lock or experiment commit."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import polars as pl
import pytest

from tests.e2e.conftest import copy_of, params_of, run, set_params
from tests.llm.test_openai_backend import FakeOpenAI, status

KEY = "sk-live-7c1d9e4b2a6f8035e1d2c3b4"


@pytest.fixture
def echo() -> FakeOpenAI:
    server = FakeOpenAI()
    # every request fails, and the error echoes the credentials it was sent
    server.default_action = status(401, {"error": {"message": "invalid key {auth} for you"}})
    server.start()
    yield server
    server.stop()


def _text_of(path: Path) -> str:
    if path.suffix == ".parquet":
        buffer = io.StringIO()
        pl.read_parquet(path).write_ndjson(buffer)
        return buffer.getvalue()
    if path.name.startswith("calls.sqlite"):
        return path.read_bytes().decode("latin-1")
    return path.read_bytes().decode("utf-8", "replace")


LLM_STAGES = (
    "judge",
    "classify",
    "translate",
    "expand",
    "multiturn",
    "rewrite",
    "self_distill",
    "evaluate",
)


def test_the_key_appears_nowhere(
    golden: Path, tmp_path: Path, echo: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every LLM stage, one at a time on the default run's own inputs (so each has rows to
    send), with every role but the student (trained here, so local) an API model whose every
    call fails with an error echoing the credentials: each stage sends the key, and it is in
    none of the files, the cache, the output, or the commits of an experiment."""
    repo = copy_of(golden, tmp_path / "copy", monkeypatch)
    params = params_of(repo)
    api = {"backend": "openai", "base_url": echo.base_url, "model": "qwen-max"}
    models = {
        role: spec if role == "student" else {**api, "api_key_env": "QWEN_KEY"}
        for role, spec in params["models"].items()
    }
    set_params(repo, llm={**params["llm"], "max_failure_rate": 1.0}, models=models)
    monkeypatch.setenv("QWEN_KEY", KEY)
    for stage in LLM_STAGES:
        run(repo, "dvc", "checkout", "--force")  # the default run's inputs for every stage
        sent = len(echo.auth)
        # every failure is tolerated; a stage may still stop (classify has no label to train
        # its classifier on), and then says so in one line
        out = run(repo, "python", f"stages/{stage}.py", check=False)
        assert len(echo.auth) > sent, f"{stage} sent no request"
        assert KEY not in out.stdout + out.stderr, stage
        if stage == "judge":  # every row's calls failed, and the rows say so
            rejects = pl.read_parquet(repo / "data/rejects/judge.parquet")
            assert set(rejects["reason"]) == {"failed"} and rejects.height > 0
    assert all(a == f"Bearer {KEY}" for a in echo.auth)  # it was sent...

    # an experiment commits params, metrics and plots: none holds the key
    run(repo, "git", "add", "-A")
    run(repo, "git", "commit", "-qm", "every role but the student on the API")
    out = run(repo, "dvc", "exp", "run", "judge")  # its params changed: it runs
    assert KEY not in out.stdout + out.stderr

    files = [p for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts]
    cache = repo.parent / "llm-cache"
    files += sorted(cache.glob("calls.sqlite*"))
    leaks = [str(p) for p in files if KEY in _text_of(p)]
    assert leaks == []  # ...and shown nowhere
    exp_commits = run(repo, "git", "log", "--all", "-p", "--format=%H %s").stdout
    assert KEY not in exp_commits
    with sqlite3.connect(cache / "calls.sqlite") as conn:
        models = {row[0] for row in conn.execute("SELECT DISTINCT model FROM calls")}
    # every API call failed, so none is cached: what is, the local models made
    assert all(model.startswith("local:") for model in models)

    # the echo does reach what people read: the failing stage's one line, scrubbed
    set_params(repo, llm={**params["llm"], "max_failure_rate": 0.0})
    failed = run(repo, "python", "stages/judge.py", check=False)
    assert failed.returncode == 1
    assert "HTTP 401: invalid key Bearer <api key> for you" in failed.stderr
    assert KEY not in failed.stdout + failed.stderr
