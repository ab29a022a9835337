"""Run the tests' SFT of STUDENT on the JUDGED rows into OUT with checkpoints in WORK, as the
default run trains (with the tiny teacher's targets, through the call cache in CACHE); with a
step number, stop dead after saving that step's checkpoint: print `saved N` and wait to be
killed.

    python tests/train/kill_runner.py STUDENT JUDGED OUT WORK CACHE [STEP]
"""

import sys
from pathlib import Path

import polars as pl
from transformers import TrainerCallback

from distilpipe.train import data
from distilpipe.train.sft import train_sft
from tests.train.conftest import KD_SFT, teacher_targets


class WaitAfterSave(TrainerCallback):
    def __init__(self, step: int) -> None:
        self.step = step

    def on_save(self, args, state, control, **kwargs):  # type: ignore[no-untyped-def]
        if state.global_step == self.step:
            print(f"saved {self.step}", flush=True)
            sys.stdin.read()  # until the test kills this process


def main() -> None:
    student, judged, out, work = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
    cache = Path(sys.argv[5])
    callbacks = [WaitAfterSave(int(sys.argv[6]))] if len(sys.argv) > 6 else []
    rows = data.conversations(data.sets_from_judged(pl.read_parquet(judged))[0].head(64))
    teacher, _, _ = teacher_targets(student, rows[:48], cache)
    train_sft(
        student, rows[:48], rows[48:], KD_SFT, out, work, callbacks=callbacks, teacher=teacher
    )


if __name__ == "__main__":
    main()
