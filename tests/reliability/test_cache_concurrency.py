"""Several processes writing one call cache at once (the `dvc queue start -j N` case), one of
them killed mid-run: no corruption, no lock error surfaced, every committed result readable."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from distilpipe.llm.cache import CallCache

WRITER = r"""
import json, sys
from distilpipe.llm.cache import CallCache
cache_dir, name, batches = sys.argv[1], sys.argv[2], int(sys.argv[3])
with CallCache(cache_dir) as cache:
    for b in range(batches):
        # half the keys are this writer's own, half shared with every other writer
        items = {
            f"{name}-{b}-{i}" if i % 2 else f"shared-{b}-{i}": (
                "generate", "local:test", {"text": f"{name} {b} {i}", "prompt_tokens": 3}
            )
            for i in range(50)
        }
        cache.put_many(items)
        got = cache.get_many(list(items))
        assert set(got) == set(items), "a committed batch is not readable"
        print(json.dumps({"batch": b}), flush=True)
"""
DEADLINE_S = 300.0


def _writers(cache: Path, names: list[str], batches: int) -> list[subprocess.Popen[str]]:
    return [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(cache), name, str(batches)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]


@pytest.mark.slow
@pytest.mark.parametrize("writers", [2, 4])
def test_concurrent_writers_one_killed_leave_a_sound_cache(tmp_path: Path, writers: int) -> None:
    cache = tmp_path / "cache"
    CallCache(cache).close()  # create it, as a stage would before the others start
    names = [f"w{i}" for i in range(writers)]
    procs = _writers(cache, names, batches=40)
    victim = procs[0]
    # kill the first writer once it has committed a few batches, mid-run
    deadline = time.monotonic() + DEADLINE_S
    done = 0
    assert victim.stdout is not None
    while done < 5:
        assert time.monotonic() < deadline, "the writer never got going"
        line = victim.stdout.readline()
        assert line, victim.stderr.read() if victim.stderr else "writer exited"
        done = json.loads(line)["batch"] + 1
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    for proc in procs[1:]:
        out, err = proc.communicate(timeout=DEADLINE_S)
        assert proc.returncode == 0, err
        assert err == ""  # no "database is locked" or any other complaint
        assert len(out.splitlines()) == 40

    with sqlite3.connect(cache / "calls.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with CallCache(cache) as reopened:
        rows = {row[0]: json.loads(row[3]) for row in reopened.entries()}
    for name in names[1:]:  # every batch of the writers that finished is there
        assert all(f"{name}-{b}-{i}" in rows for b in range(40) for i in range(1, 50, 2))
    # the killed writer's committed batches are whole: each has all 25 own keys or none
    own = [sum(f"w0-{b}-{i}" in rows for i in range(1, 50, 2)) for b in range(40)]
    assert set(own) <= {0, 25} and sum(own) >= 5 * 25
    assert all(f"shared-{b}-{i}" in rows for b in range(40) for i in range(0, 50, 2))
    assert not os.path.exists(cache / "calls.sqlite-journal")
