"""A run killed with SIGKILL between batches, then run again, gives the uninterrupted
output, and every batch it had finished is a cache hit."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cache_db import cached_calls
from tests.llm.kill_runner import BATCH_SIZE, PROMPTS
from tests.project import kill_env

RUNNER = Path(__file__).with_name("kill_runner.py")
KILLED_AFTER = 2  # batches committed to the cache


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUNNER), *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_sigkill_then_rerun_equals_uninterrupted(tiny_model_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    killed_out = tmp_path / "killed.json"
    # the runner kills itself once its second batch is committed to the cache
    killed = _run(
        str(tiny_model_dir),
        str(cache),
        str(killed_out),
        env=kill_env(RUNNER.name, f"put:{KILLED_AFTER}"),
    )
    assert killed.returncode == -9, killed.stderr
    finished = cached_calls(cache)
    assert finished == KILLED_AFTER * BATCH_SIZE  # whole batches only
    assert not killed_out.exists()

    for name, folder in (("resumed", cache), ("fresh", tmp_path / "fresh")):
        assert (
            _run(str(tiny_model_dir), str(folder), str(tmp_path / f"{name}.json")).returncode == 0
        )
    resumed, fresh = (
        json.loads((tmp_path / f"{n}.json").read_text()) for n in ("resumed", "fresh")
    )
    assert resumed["texts"] == fresh["texts"]
    assert resumed["stats"]["cache_hits"] == finished
    assert resumed["stats"]["cache_misses"] == len(PROMPTS) - finished
    assert fresh["stats"]["cache_misses"] == len(PROMPTS)
