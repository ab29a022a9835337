"""classify: data/judged.parquet -> data/classified.parquet (task type of every row) and the
fitted classifier in models/task_classifier/."""

from pathlib import Path

from distilpipe import io, stage
from distilpipe.llm import RoleModels, open_cache
from distilpipe.ops.classify import classify_rows
from distilpipe.ops.judge import JUDGE_COLUMNS
from distilpipe.params import load_params

CLASSIFIER_DIR = Path("models/task_classifier")


def main() -> None:
    params = load_params()
    rows = io.read_rows("data/judged.parquet", JUDGE_COLUMNS)
    with (
        open_cache(params) as cache,
        RoleModels(params, cache) as models,
        stage.timed("classify", rows=lambda: rows.height),
    ):
        # models.classifier defaults to the teacher's model (shared, loaded once)
        role = "classifier" if "classifier" in params.models else "teacher"
        result = classify_rows(rows, lambda _: models.client(role), params.classify)
    with io.staging_dir(CLASSIFIER_DIR) as tmp:
        result.classifier.save(tmp)
        io.replace_dir(tmp, CLASSIFIER_DIR)
    io.write_parquet(result.rows, "data/classified.parquet")
    io.write_json(result.metrics, "metrics/classify.json")
    for name, points in result.plots.items():
        io.write_json(points, f"plots/classify/{name}.json")
    m = result.metrics
    calls = m["calls"] or {}
    agreement = "n/a" if m["cv_agreement"] is None else f"{m['cv_agreement']:.1%}"
    stage.log(
        f"classify: {m['rows']:,} rows; seed {m['seed_labelled']:,}/{m['seed_size']:,} "
        f"labelled ({m['seed_labels']}), cross-validated agreement {agreement}; "
        f"{calls.get('calls', 0):,} LLM calls, {calls.get('cache_hits', 0):,} cache hits"
    )


if __name__ == "__main__":
    stage.run(main)
