"""Kill and resume, every stage: SIGKILL at a seeded random point, then `dvc repro` again.

The whole default pipeline runs once per session, uninterrupted, in a temporary git + DVC
repo (tests/conftest.py `golden`), with every stage script logging its kill points
(tests/killpoints/sitecustomize.py: each atomic rename of an output, each batch of LLM calls
committed to the cache); this suite works on a copy of it. Then, for each stage of
dvc.yaml, at one point drawn from that stage's own (every point with
DISTILPIPE_KILL_POINTS=all, `make test-kill-all`) with the session's seed (printed in the
header; DISTILPIPE_KILL_SEED sets it, so a failure reproduces, and a new one each run covers
other points), the stage killing itself when it reaches the point:

1. `dvc repro --force --single-item <stage>` on an empty call cache, SIGKILLed at the point;
2. no file of the stage's outputs is half-written (each one present reads whole);
3. `dvc repro --force --single-item <stage>` on the same cache (forced, as in a run of new
   inputs: else DVC would check the uninterrupted run's outputs out of its own cache):
   every output byte-identical to the uninterrupted run (dvc.lock's hashes; a metrics
   file: the same but for its call counts, which say the resumed run took from the cache
   what the killed one had made), every call finished before the kill a cache hit (after a
   kill in the output writing, no call is made again at all). The work tree holds the
   files it held after the uninterrupted run, `git status` shows nothing but those metrics
   files and dvc.lock, and `dvc status` is clean. (A temporary `.*.tmp` a kill left beside
   an output stays until the next write of that output, ignored by git and DVC through
   .gitignore and .dvcignore.)

The training stages are not here: tests/train/test_resume.py kills them mid-run and checks
the resumed weights equal an uninterrupted run's.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from distilpipe import status
from distilpipe.llm.cache import DB_NAME
from tests.conftest import KILL_SEED
from tests.e2e.conftest import CALL_KEYS, ROOT, copy_of, run
from tests.project import kill_env

TRAINING = {"train_sft", "train_dpo"}  # tests/train/test_resume.py
EVERY_POINT = os.environ.get("DISTILPIPE_KILL_POINTS") == "all"


def kill_points(stage: str, events: list[str]) -> list[int]:
    """The indices into a stage's events to kill at: one drawn with the session's seed, or
    all of them."""
    if EVERY_POINT:
        return list(range(len(events)))
    return [random.Random(f"{KILL_SEED}:{stage}").randrange(len(events))]


def stages() -> list[tuple[str, str]]:
    """(stage name, the script key the kill points log) for every stage, in dvc.yaml order."""
    dvc_yaml = yaml.safe_load((ROOT / "dvc.yaml").read_text())
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    out = []
    for name, stage in dvc_yaml["stages"].items():
        if name in TRAINING or stage.get("frozen"):  # bootstrap: committed, never run by repro
            continue
        if "foreach" in stage:
            section = stage["foreach"].strip("${}")
            for key in params.get(section) or {}:
                script = stage["do"]["cmd"].split()[1].replace("${key}", key)
                out.append((f"{name}@{key}", f"{Path(script).name} {key}"))
        else:
            out.append((name, Path(stage["cmd"].split()[1]).name))
    return out


@pytest.fixture(scope="module")
def pipeline(golden: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A copy of the session's default pipeline run, its kill points, dvc.lock and files."""
    base = tmp_path_factory.mktemp("kill")
    with pytest.MonkeyPatch.context() as monkeypatch:
        repo = copy_of(golden, base / "copy", monkeypatch)
    events: dict[str, list[str]] = {}
    for line in (golden / "events.log").read_text().splitlines():
        key, event = line.split("\t")
        events.setdefault(key, []).append(event)
    yield {
        "repo": repo,
        "base": base,
        "events": events,
        "lock": _lock(repo),
        "listing": _listing(repo),
        "golden": golden / "repo",
    }


@pytest.mark.slow
# the session's pipeline run, then the stage killed and run again (every point: no limit)
@pytest.mark.timeout(0 if EVERY_POINT else 1800)
@pytest.mark.parametrize(("stage", "script"), stages(), ids=[s for s, _ in stages()])
def test_killed_stage_resumes_to_the_same_bytes(
    pipeline: dict[str, Any], stage: str, script: str
) -> None:
    repo, events = pipeline["repo"], pipeline["events"].get(script, [])
    assert events, f"{stage} ({script}) logged no kill point in the full run"
    expected = pipeline["lock"][stage]
    for index in kill_points(stage, events):
        # from the uninterrupted run's state, whatever a failed kill before left behind
        run(repo, "git", "checkout", "--", ".")
        run(repo, "dvc", "checkout", "--force")
        kind = events[index]
        nth = events[: index + 1].count(kind)
        cache = pipeline["base"] / f"cache-{stage}-{index}"
        point = f"{stage} at {kind} #{nth} (DISTILPIPE_KILL_SEED={KILL_SEED})"
        print(f"killing {point}")
        env = {"DISTILPIPE_CACHE_DIR": str(cache), **kill_env(script, f"{kind}:{nth}")}
        with _env(env):
            killed = run(repo, "dvc", "repro", "--force", "--single-item", stage, check=False)
        assert killed.returncode != 0, f"not killed: {point}"
        _assert_no_half_written(repo, expected)
        cached = _entries(cache)
        if kind == "put":
            assert cached > 0

        # run again, as after a crash in a run of new inputs. Forced: with the inputs of a
        # run DVC has seen complete, it would check that run's outputs out of its cache and
        # leave the stage's own resuming untested.
        with _env({"DISTILPIPE_CACHE_DIR": str(cache)}):
            resumed_run = run(repo, "dvc", "repro", "--force", "--single-item", stage)
        assert f"Running stage '{stage}'" in resumed_run.stdout, resumed_run.stdout
        # every output the same bytes; a metrics file the same but for its call counts (the
        # resumed run answers from the cache what the killed one had made)
        resumed = _lock(repo)[stage]
        assert resumed.keys() == expected.keys()
        for out, md5 in expected.items():
            if out.startswith("metrics/") and out.endswith(".json"):
                got, want = (_without_calls(r / out) for r in (repo, pipeline["golden"]))
                assert got == want, f"{point}: {out} differs"
            else:
                assert resumed[out] == md5, f"{point}: {out} differs"
        calls = _calls(repo, stage)
        if calls is not None:
            if kind == "replace":  # every call was made before the outputs were written
                assert calls["cache_misses"] == 0, (point, calls)
            assert calls["cache_hits"] >= cached, (point, calls, cached)
        print(f"killed {point}: {cached} calls cached before it; resumed: {calls}")
        # what a kill left beside the outputs (`.*.tmp`) is ignored by git and DVC alike, and
        # cleared by the next write of that output; nothing else differs
        assert _listing(repo) == pipeline["listing"], f"{point}: files left over or missing"
        changed = run(repo, "git", "status", "--porcelain").stdout.splitlines()
        # a stage run again rewrites its metrics (other call counts, compared above) and with
        # them dvc.lock; nothing else. Back to the uninterrupted run's for the next kill.
        assert {line[3:] for line in changed} <= {"dvc.lock", *expected}, (point, changed)
        run(repo, "git", "checkout", "--", ".")
        assert "up to date" in run(repo, "dvc", "status", stage).stdout, stage


def _listing(repo: Path) -> set[str]:
    """Every path in the work tree but git's, DVC's and Python's own."""
    skip = {".git", ".dvc", "__pycache__"}
    paths = (p.relative_to(repo) for p in repo.rglob("*"))
    return {
        p.as_posix()
        for p in paths
        if not skip & set(p.parts) and not any(part.endswith(".tmp") for part in p.parts)
    }


def _lock(repo: Path) -> dict[str, dict[str, str]]:
    """{stage: {out path: md5}} from dvc.lock."""
    lock = yaml.safe_load((repo / "dvc.lock").read_text())
    return {
        name: {out["path"]: out["md5"] for out in stage.get("outs", [])}
        for name, stage in lock["stages"].items()
    }


def _assert_no_half_written(repo: Path, outs: dict[str, str]) -> None:
    """Each output file present (DVC removed the old ones before the run) reads whole."""
    for out in outs:
        path = repo / out
        files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
        for file in files:
            if not file.exists() or file.name.endswith(".tmp"):
                continue
            if file.suffix == ".parquet":
                pl.read_parquet(file)
            elif file.suffix == ".json":
                json.loads(file.read_text())
            elif file.suffix == ".jsonl":
                for line in file.read_text().splitlines():
                    json.loads(line)


def _without_calls(path: Path) -> dict[str, Any]:
    return {k: v for k, v in json.loads(path.read_text()).items() if k not in CALL_KEYS}


def _entries(cache: Path) -> int:
    db = cache / DB_NAME
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0])


def _calls(repo: Path, stage: str) -> dict[str, int] | None:
    """The stage's LLM call counts (hits, misses) as `distilpipe status` reads them from its
    metrics, or None when it makes no calls."""
    (found,) = [s for s in status.read_status(repo) if s.name == stage]
    if not found.calls:
        return None
    hits, too_long = found.calls.get("cache_hits", 0), found.calls.get("too_long", 0)
    # calls = hits + misses + too long (never sent, never cached)
    return {"cache_hits": hits, "cache_misses": found.calls.get("calls", 0) - hits - too_long}


class _env:
    """Set environment variables for the `run` calls inside the block."""

    def __init__(self, values: dict[str, str]):
        self.values = values
        self.saved: dict[str, str | None] = {}

    def __enter__(self) -> None:
        for key, value in self.values.items():
            self.saved[key] = os.environ.get(key)
            os.environ[key] = value

    def __exit__(self, *exc: object) -> None:
        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
