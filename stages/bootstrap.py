"""bootstrap: the tiny world (bootstrap.world) -> models/tiny/{teacher,student}.

Frozen in dvc.yaml: the trained pair is committed, so `dvc repro` never retrains it (hours
on a CPU) and every machine runs the same bytes. `make stand-ins` unfreezes, runs and
freezes it again, after a change to the world, the prompts or this stage's params."""

from pathlib import Path

from distilpipe import io, stage
from distilpipe.bootstrap import bootstrap
from distilpipe.params import load_params
from distilpipe.world import World

OUT = Path("models/tiny")
ROLES = ("teacher", "student")
PLOT_EVERY = 25  # steps per point of the loss curves


def main() -> None:
    params = load_params()
    world = World(params.bootstrap.world)
    OUT.mkdir(parents=True, exist_ok=True)
    # Built beside the outputs, then renamed in: a crash leaves the old folders or none.
    with io.staging_dir(OUT / "bootstrap") as tmp:
        with stage.timed("bootstrap"):
            report = bootstrap(world, tmp, params.bootstrap, log=stage.log)
        for role in ROLES:
            io.replace_dir(Path(tmp) / role, OUT / role)
    metrics = {
        "vocab_size": report["vocab_size"],
        **{
            role: {
                key: report[role][key]
                for key in ("parameters", "conversations", "tokens", "loss_initial", "loss_final")
            }
            for role in ROLES
        },
    }
    io.write_json(metrics, "metrics/bootstrap.json")
    curves = {role: report[role]["losses"] for role in ROLES}
    longest = max(len(c) for c in curves.values())
    points = []
    for end in range(PLOT_EVERY, longest + 1, PLOT_EVERY):
        point: dict[str, float | int | None] = {"step": end}
        for role, losses in curves.items():
            window = losses[end - PLOT_EVERY : end]
            point[role] = round(sum(window) / len(window), 4) if len(window) == PLOT_EVERY else None
        points.append(point)
    io.write_json(points, "plots/bootstrap/loss.json")
    for role in ROLES:
        r = report[role]
        stage.log(
            f"bootstrap: {role} {r['parameters']:,} parameters, {r['conversations']:,} "
            f"conversations ({r['tokens']:,} tokens), answer loss {r['loss_initial']:.3f} -> "
            f"{r['loss_final']:.3f} in {r['seconds'] / 60:.1f} min"
        )


if __name__ == "__main__":
    stage.run(main)
