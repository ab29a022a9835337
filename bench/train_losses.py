"""The training stages for real on the tiny run, and the DPO losses side by side.

    python bench/train_losses.py [--out bench/out/train]

Needs `make run` first (models/tiny/student, data/judged.parquet). In a scratch workspace it
writes data/sft.parquet and data/dpo.parquet from the judged rows (`sets_from_judged`: the
teacher's answer is the SFT target and the chosen answer, the student's the rejected one),
runs `python stages/train_sft.py` once with params.yaml's train_sft, then
`python stages/train_dpo.py` from that SFT model once per loss (params.yaml's train_dpo with
only the loss changed), and prints the held-out figures of each: reward margin and accuracy,
chosen/rejected log-probabilities (summed over the answer's tokens), and the mean length of
greedy answers to the held-out prompts before (the SFT model) and after.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from distilpipe import io
from distilpipe.train import data

ROOT = Path(__file__).resolve().parents[1]
LOSSES: dict[str, dict[str, Any]] = {
    "sigmoid": {"loss_type": ["sigmoid"], "ld_alpha": None},
    "sigmoid_norm": {"loss_type": ["sigmoid_norm"], "ld_alpha": None},
    "ld_dpo (sigmoid, ld_alpha 0.5)": {"loss_type": ["sigmoid"], "ld_alpha": 0.5},
}


def stage(workspace: Path, name: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, f"stages/{name}.py"],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed:\n{proc.stderr[-4000:]}")
    print(proc.stderr.strip().splitlines()[-1], file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="bench/out/train")
    args = parser.parse_args()
    workspace = Path(args.out).resolve()
    shutil.rmtree(workspace, ignore_errors=True)
    (workspace / "models/tiny").mkdir(parents=True)
    shutil.copytree(ROOT / "stages", workspace / "stages")
    for role in ("student", "teacher"):  # the teacher gives train_sft.kd's targets
        (workspace / f"models/tiny/{role}").symlink_to(ROOT / f"models/tiny/{role}")
    sft, dpo = data.sets_from_judged(pl.read_parquet(ROOT / "data/judged.parquet"))
    io.write_parquet(sft, workspace / "data/sft.parquet")
    io.write_parquet(dpo, workspace / "data/dpo.parquet")
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    (workspace / "params.yaml").write_text(yaml.safe_dump(params))
    stage(workspace, "train_sft")
    sft_metrics = json.loads((workspace / "metrics/train_sft.json").read_text())

    rows = []
    for name, loss in LOSSES.items():
        params["train_dpo"].update(loss)
        (workspace / "params.yaml").write_text(yaml.safe_dump(params))
        stage(workspace, "train_dpo")
        m = json.loads((workspace / "metrics/train_dpo.json").read_text())
        shutil.copy(workspace / "metrics/train_dpo.json", workspace / f"metrics/dpo-{name}.json")
        rows.append((name, m))

    print(
        f"SFT: {sft_metrics['steps']} steps, {sft_metrics['tokens_seen']:,} tokens, held-out "
        f"answer loss {sft_metrics['eval_loss_base']:.3f} (base) -> {sft_metrics['eval_loss']:.3f}"
    )
    print(
        f"DPO: {rows[0][1]['pairs']} pairs, {rows[0][1]['steps']} steps, beta "
        f"{rows[0][1]['beta']}, {rows[0][1]['held_out']} held-out pairs"
    )
    print(
        "| loss | margin | accuracy | logp chosen | logp rejected | mean answer tokens "
        "(SFT -> DPO) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, m in rows:
        e = m["eval"]
        print(
            f"| {name} | {e['rewards_margins']:.3f} | {e['rewards_accuracies']:.2f} | "
            f"{e['logps_chosen']:.1f} | {e['logps_rejected']:.1f} | "
            f"{m['mean_generated_tokens_before']:.1f} -> {m['mean_generated_tokens']:.1f} |"
        )


if __name__ == "__main__":
    main()
