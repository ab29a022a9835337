"""train_dpo: data/dpo.parquet + models/student-sft/ -> models/student-dpo/ (trl DPOTrainer)."""

from pathlib import Path

from distilpipe import io, stage
from distilpipe.params import load_params
from distilpipe.train import data
from distilpipe.train.dpo import train_dpo
from distilpipe.train.launch import relaunch

NAME = "train_dpo"
OUT = "models/student-dpo"


def main() -> None:
    params = load_params()
    if relaunch(params.train.launcher, __file__):
        return
    p = params.train_dpo
    model = p.model or "models/student-sft"
    rows = data.pairs(io.read_table("data/dpo.parquet", data.DPO_TABLE))
    train, held_out = data.split_held_out(rows, p.eval_size, "data/dpo.parquet")
    with stage.timed(NAME, rows=lambda: len(train)):
        metrics = train_dpo(
            model,
            train,
            held_out,
            p,
            OUT,
            Path(p.checkpoint_dir) / NAME,
            Path(p.live_dir) / NAME,
        )
    if not metrics:  # not the main process of a launched run
        return
    io.write_json(metrics.pop("curves"), f"plots/{NAME}/curves.json")
    io.write_json(metrics, f"metrics/{NAME}.json")
    held = metrics["eval"]
    before, after = metrics["mean_generated_tokens_before"], metrics["mean_generated_tokens"]
    stage.log(
        f"{NAME}: {metrics['steps']} steps; held-out reward margin "
        f"{held.get('rewards_margins', float('nan')):.3f}, accuracy "
        f"{held.get('rewards_accuracies', float('nan')):.2f}; mean answer "
        f"{before:.1f} -> {after:.1f} tokens"
    )


if __name__ == "__main__":
    stage.run(main)
