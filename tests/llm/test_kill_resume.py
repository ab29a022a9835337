"""A run killed with SIGKILL between batches, then run again, gives the uninterrupted
output, and every batch it had finished is a cache hit."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cache_db import cached_calls

RUNNER = Path(__file__).with_name("kill_runner.py")


def _run(*args: str) -> dict:
    subprocess.run([sys.executable, str(RUNNER), *args], check=True, capture_output=True)
    return json.loads(Path(args[2]).read_text())


@pytest.mark.slow
def test_sigkill_then_rerun_equals_uninterrupted(tiny_model_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    killed_out = tmp_path / "killed.json"
    proc = subprocess.Popen(
        [sys.executable, str(RUNNER), str(tiny_model_dir), str(cache), str(killed_out), "1.0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while cached_calls(cache) < 4 and time.monotonic() < deadline:  # two batches of two
        assert proc.poll() is None, "the runner ended before it could be killed"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished = cached_calls(cache)
    assert 4 <= finished < 12 and finished % 2 == 0  # whole batches only
    assert not killed_out.exists()

    resumed = _run(str(tiny_model_dir), str(cache), str(tmp_path / "resumed.json"))
    fresh = _run(str(tiny_model_dir), str(tmp_path / "fresh"), str(tmp_path / "fresh.json"))
    assert resumed["texts"] == fresh["texts"]
    assert resumed["stats"]["cache_hits"] == finished
    assert resumed["stats"]["cache_misses"] == 12 - finished
    assert fresh["stats"]["cache_misses"] == 12
