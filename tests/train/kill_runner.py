"""Run the tests' SFT on the judged rows into OUT with checkpoints in WORK; with a step
number, stop dead after saving that step's checkpoint: print `saved N` and wait to be killed.

    python tests/train/kill_runner.py OUT WORK [STEP]
"""

import sys
from pathlib import Path

import polars as pl
from transformers import TrainerCallback

from distilpipe.train import data
from distilpipe.train.sft import train_sft
from tests.train.conftest import JUDGED, SFT, STUDENT


class WaitAfterSave(TrainerCallback):
    def __init__(self, step: int) -> None:
        self.step = step

    def on_save(self, args, state, control, **kwargs):  # type: ignore[no-untyped-def]
        if state.global_step == self.step:
            print(f"saved {self.step}", flush=True)
            sys.stdin.read()  # until the test kills this process


def main() -> None:
    out, work = Path(sys.argv[1]), Path(sys.argv[2])
    callbacks = [WaitAfterSave(int(sys.argv[3]))] if len(sys.argv) > 3 else []
    rows = data.conversations(data.sets_from_judged(pl.read_parquet(JUDGED))[0].head(64))
    train_sft(str(STUDENT), rows[:48], rows[48:], SFT, out, work, callbacks=callbacks)


if __name__ == "__main__":
    main()
