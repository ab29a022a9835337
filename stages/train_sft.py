"""train_sft: data/sft.parquet -> models/student-sft/ (trl SFTTrainer), metrics and curves.

With `train_sft.kd.alpha > 0` the teacher (models.teacher) first scores every training
conversation's answer tokens (its top-k next-token log-probabilities, through the call
cache), and SFT adds the KD term (src/distilpipe/train/kd.py).
"""

from pathlib import Path
from typing import Any

from distilpipe import io, stage
from distilpipe.errors import ParamsError
from distilpipe.llm import RoleModels, open_cache
from distilpipe.params import Params, load_params
from distilpipe.train import common, data, kd
from distilpipe.train.launch import relaunch
from distilpipe.train.sft import train_sft

NAME = "train_sft"
OUT = "models/student-sft"


def teacher_targets(
    params: Params, model: str, train: list[common.Conversation]
) -> tuple[str, kd.Targets, dict[str, Any]]:
    """(the teacher's cache identity, its targets for `train`, their figures)."""
    p = params.train_sft
    tokenizer = common.load_tokenizer(model, p.revision)
    common.ensure_generation_template(tokenizer, p.chat_template)
    spec = params.models.get("teacher")
    if spec is None:
        raise ParamsError(
            f"params.yaml: train_sft.kd.alpha is {p.kd.alpha}, which needs models.teacher; "
            "set train_sft.kd.alpha: 0 for SFT without the teacher's distributions"
        )
    teacher_tokenizer = common.load_tokenizer(spec.model, spec.revision)
    kd.check_vocabulary(tokenizer, teacher_tokenizer, model, spec.model)
    with open_cache(params) as cache, RoleModels(params, cache) as models:
        client = models.client("teacher")
        targets, figures = kd.teacher_targets(client, tokenizer, train, p.max_length, p.kd.top_k)
        figures["calls"] = client.stats.as_dict()  # what `distilpipe status` reads
        return client.backend.identity, targets, figures


def main() -> None:
    params = load_params()
    p = params.train_sft
    model = p.model or params.models["student"].model
    rows = data.conversations(io.read_table("data/sft.parquet", data.SFT_TABLE))
    train, held_out = data.split_held_out(rows, p.eval_size, "data/sft.parquet")
    teacher, figures = None, {}
    if p.kd.alpha > 0:
        # Before any launch: the launched processes then find every call cached.
        identity, targets, figures = teacher_targets(params, model, train)
        teacher = (identity, targets)
        stage.log(kd.summary(figures))
    if relaunch(params.train.launcher, __file__):
        return
    with stage.timed(NAME, rows=lambda: len(train)):
        metrics = train_sft(
            model,
            train,
            held_out,
            p,
            OUT,
            Path(p.checkpoint_dir) / NAME,
            Path(p.live_dir) / NAME,
            teacher=teacher,
        )
    if not metrics:  # not the main process of a launched run
        return
    io.write_json(metrics.pop("curves"), f"plots/{NAME}/curves.json")
    io.write_json({**metrics, **figures}, f"metrics/{NAME}.json")
    stage.log(
        f"{NAME}: {metrics['steps']} steps, {metrics['tokens_seen']:,} tokens; held-out loss "
        f"{metrics['eval_loss_base']:.3f} (base) -> {metrics['eval_loss']:.3f}"
    )


if __name__ == "__main__":
    stage.run(main)
