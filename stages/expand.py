"""expand: data/translated.parquet -> data/expanded.parquet (the input rows, then teacher-written
rows for the task types short of their quota)."""

from distilpipe import io, stage
from distilpipe.llm import RoleModels, open_cache
from distilpipe.ops.classify import CLASSIFY_COLUMNS, LLMLabeller
from distilpipe.ops.expand import expand_rows
from distilpipe.ops.judge import JUDGE_COLUMNS
from distilpipe.ops.sample import SAMPLE_COLUMNS
from distilpipe.params import load_params

# The rows to expand: the sample, with the translate stage's rows after it.
INPUT = "data/translated.parquet"


def main() -> None:
    params = load_params()
    rows = io.read_rows(INPUT, JUDGE_COLUMNS, CLASSIFY_COLUMNS, SAMPLE_COLUMNS)
    seeds = io.read_rows("data/classified.parquet", JUDGE_COLUMNS, CLASSIFY_COLUMNS)
    with (
        open_cache(params) as cache,
        RoleModels(params, cache) as models,
        stage.timed("expand", rows=lambda: rows.height),
    ):
        result = expand_rows(
            rows,
            seeds,
            LLMLabeller(models.client("classifier"), params.classify),
            models.client("teacher"),
            params.sample,
            params.expand,
            params.pool,
        )
    io.write_parquet(result.rows, "data/expanded.parquet")
    io.write_parquet(result.rejects, "data/rejects/expand.parquet")
    io.write_json(result.metrics, "metrics/expand.json")
    for name, points in result.plots.items():
        io.write_json(points, f"plots/expand/{name}.json")
    m, calls = result.metrics, result.metrics["calls"]
    rejects = ", ".join(f"{k}: {v:,}" for k, v in m["rejects"].items() if v)
    stage.log(
        f"expand: {m['rows_in']:,} rows + {m['rows_added']:,} of {m['rows_wanted']:,} wanted "
        f"({m['tries']:,} tries; rejected {rejects or 'none'}); {calls['calls']:,} calls, "
        f"{calls['cache_hits']:,} cache hits"
    )


if __name__ == "__main__":
    stage.run(main)
