"""A training run killed with SIGKILL after a checkpoint, then run again, resumes from that
checkpoint and ends with the weights of an uninterrupted run: SFT as the default run trains,
with the teacher's targets (train_sft.kd)."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.train.conftest import ROOT

RUNNER = Path(__file__).with_name("kill_runner.py")


@pytest.mark.slow
def test_sigkill_after_a_checkpoint_then_rerun_equals_uninterrupted(
    student: str, pipeline: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    judged = str(pipeline / "data/judged.parquet")

    def command(name: str) -> list[str]:
        out, work, cache = (str(tmp_path / name / d) for d in ("out", "work", "cache"))
        return [sys.executable, str(RUNNER), student, judged, out, work, cache]

    subprocess.run(command("uninterrupted"), cwd=ROOT, env=env, check=True, capture_output=True)
    out, work = tmp_path / "killed/out", tmp_path / "killed/work"
    proc = subprocess.Popen(
        [*command("killed"), "4"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    # The trainer prints its logs too; wait for the runner's line (EOF if it died first).
    lines = iter(proc.stdout.readline, "")
    assert "saved 4\n" in lines
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (work / "checkpoint-4").is_dir() and not out.exists()

    subprocess.run(command("killed"), cwd=ROOT, env=env, check=True, capture_output=True)
    assert not work.exists()
    assert (out / "model.safetensors").read_bytes() == (
        tmp_path / "uninterrupted/out/model.safetensors"
    ).read_bytes()


def test_a_changed_run_does_not_resume_from_another_runs_checkpoint(tmp_path: Path) -> None:
    from distilpipe.train.common import checkpoint_to_resume

    work = tmp_path / "work"
    assert checkpoint_to_resume(work, "a") is None
    (work / "checkpoint-2").mkdir()
    (work / "checkpoint-2" / "trainer_state.json").write_text(json.dumps({}))
    assert checkpoint_to_resume(work, "a") == str(work / "checkpoint-2")
    assert checkpoint_to_resume(work, "b") is None
    assert not (work / "checkpoint-2").exists()
