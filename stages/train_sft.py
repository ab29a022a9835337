"""train_sft: data/sft.parquet -> models/student-sft/ (trl SFTTrainer), metrics and curves."""

from pathlib import Path

from distilpipe import io, stage
from distilpipe.params import load_params
from distilpipe.train import data
from distilpipe.train.launch import relaunch
from distilpipe.train.sft import train_sft

NAME = "train_sft"
OUT = "models/student-sft"


def main() -> None:
    params = load_params()
    if relaunch(params.train.launcher, __file__):
        return
    p = params.train_sft
    model = p.model or params.models["student"].model
    rows = data.conversations(io.read_table("data/sft.parquet", data.SFT_TABLE))
    train, held_out = data.split_held_out(rows, p.eval_size, "data/sft.parquet")
    with stage.timed(NAME, rows=lambda: len(train)):
        metrics = train_sft(
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
    stage.log(
        f"{NAME}: {metrics['steps']} steps, {metrics['tokens_seen']:,} tokens; held-out loss "
        f"{metrics['eval_loss_base']:.3f} (base) -> {metrics['eval_loss']:.3f}"
    )


if __name__ == "__main__":
    stage.run(main)
