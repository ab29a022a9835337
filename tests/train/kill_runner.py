"""Run the tests' SFT of STUDENT on the JUDGED rows into OUT with checkpoints in WORK; with a
step number, stop dead after saving that step's checkpoint: print `saved N` and wait to be
killed.

    python tests/train/kill_runner.py STUDENT JUDGED OUT WORK [STEP]
"""

import sys
from pathlib import Path

import polars as pl
from transformers import TrainerCallback

from distilpipe.train import data
from distilpipe.train.sft import train_sft
from tests.train.conftest import SFT


class WaitAfterSave(TrainerCallback):
    def __init__(self, step: int) -> None:
        self.step = step

    def on_save(self, args, state, control, **kwargs):  # type: ignore[no-untyped-def]
        if state.global_step == self.step:
            print(f"saved {self.step}", flush=True)
            sys.stdin.read()  # until the test kills this process


def main() -> None:
    student, judged, out, work = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
    callbacks = [WaitAfterSave(int(sys.argv[5]))] if len(sys.argv) > 5 else []
    rows = data.conversations(data.sets_from_judged(pl.read_parquet(judged))[0].head(64))
    train_sft(student, rows[:48], rows[48:], SFT, out, work, callbacks=callbacks)


if __name__ == "__main__":
    main()
