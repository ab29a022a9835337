"""bootstrap: bootstrap.corpus -> models/tiny/{teacher,student}."""

from pathlib import Path

from distilpipe import io, stage
from distilpipe.bootstrap import bootstrap, read_corpus
from distilpipe.params import load_params

OUT = Path("models/tiny")
ROLES = ("teacher", "student")


def main() -> None:
    params = load_params()
    conversations = read_corpus(params.bootstrap.corpus)
    OUT.mkdir(parents=True, exist_ok=True)
    # Built beside the outputs, then renamed in: a crash leaves the old folders or none.
    with io.staging_dir(OUT / "bootstrap") as tmp:
        with stage.timed("bootstrap", rows=lambda: report["conversations"]):
            report = bootstrap(conversations, tmp, params.bootstrap)
        for role in ROLES:
            io.replace_dir(Path(tmp) / role, OUT / role)
    metrics = {
        "conversations": report["conversations"],
        "vocab_size": report["vocab_size"],
        **{
            role: {key: report[role][key] for key in ("parameters", "loss_initial", "loss_final")}
            for role in ROLES
        },
    }
    io.write_json(metrics, "metrics/bootstrap.json")
    teacher, student = report["teacher"], report["student"]
    io.write_json(
        [
            {"step": step, "teacher": t, "student": s}
            for step, (t, s) in enumerate(
                zip(teacher["losses"], student["losses"], strict=True), start=1
            )
        ],
        "plots/bootstrap/loss.json",
    )
    seconds = report["tokenizer_seconds"]
    stage.log(f"bootstrap: tokenizer of {report['vocab_size']:,} tokens in {seconds:.2f}s")
    for role in ROLES:
        r = report[role]
        stage.log(
            f"bootstrap: {role} {r['parameters']:,} parameters, loss {r['loss_initial']:.3f}"
            f" -> {r['loss_final']:.3f} in {r['seconds']:.1f}s"
        )


if __name__ == "__main__":
    stage.run(main)
