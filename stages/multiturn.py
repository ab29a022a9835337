"""multiturn: data/expanded.parquet -> data/augmented.parquet (the input rows, then
conversations the teacher continued: a follow-up as the user, its answer as the assistant)."""

from distilpipe import io, stage
from distilpipe.llm import RoleModels, open_cache
from distilpipe.ops.classify import CLASSIFY_COLUMNS
from distilpipe.ops.judge import JUDGE_COLUMNS
from distilpipe.ops.multiturn import continue_rows
from distilpipe.ops.sample import SAMPLE_COLUMNS
from distilpipe.params import load_params


def main() -> None:
    params = load_params()
    rows = io.read_rows("data/expanded.parquet", JUDGE_COLUMNS, CLASSIFY_COLUMNS, SAMPLE_COLUMNS)
    with (
        open_cache(params) as cache,
        RoleModels(params, cache) as models,
        stage.timed("multiturn", rows=lambda: rows.height),
    ):
        result = continue_rows(rows, models.client("teacher"), params.multiturn, params.pool)
    io.write_parquet(result.rows, "data/augmented.parquet")
    io.write_json(result.metrics, "metrics/multiturn.json")
    for name, points in result.plots.items():
        io.write_json(points, f"plots/multiturn/{name}.json")
    m, calls = result.metrics, result.metrics["calls"]
    ended = ", ".join(f"{k}: {v:,}" for k, v in m["ended_by"].items() if v)
    stage.log(
        f"multiturn: {m['rows_in']:,} rows, {m['rows_chosen']:,} chosen -> {m['rows_added']:,} "
        f"continued ({m['turns_added']:,} turns; ended by {ended or 'nothing'}); "
        f"{calls['calls']:,} calls, {calls['cache_hits']:,} cache hits"
    )


if __name__ == "__main__":
    stage.run(main)
