"""rewrite: data/augmented.parquet -> data/rewritten.parquet (the teacher's answers rewritten
for format, style and length; the originals kept in `original_messages`)."""

from distilpipe import io, stage
from distilpipe.llm import RoleModels, open_cache
from distilpipe.ops.classify import CLASSIFY_COLUMNS
from distilpipe.ops.judge import JUDGE_COLUMNS
from distilpipe.ops.rewrite import rewrite_rows
from distilpipe.ops.sample import SAMPLE_COLUMNS
from distilpipe.params import load_params

INPUT = "data/augmented.parquet"


def main() -> None:
    params = load_params()
    rows = io.read_rows(INPUT, JUDGE_COLUMNS, CLASSIFY_COLUMNS, SAMPLE_COLUMNS)
    with (
        open_cache(params) as cache,
        RoleModels(params, cache) as models,
        stage.timed("rewrite", rows=lambda: rows.height),
    ):
        result = rewrite_rows(rows, models.client, params.rewrite, params.pool.langid)
    io.write_parquet(result.rows, "data/rewritten.parquet")
    io.write_json(result.metrics, "metrics/rewrite.json")
    m, calls = result.metrics, result.metrics["calls"]
    kept = ", ".join(f"{k}: {v:,}" for k, v in m["kept_original"].items() if v)
    stage.log(
        f"rewrite: {m['rows']:,} rows, {m['turns_rewritten']:,} of {m['turns']:,} assistant "
        f"turns rewritten (original kept: {kept or 'none'}); {calls['calls']:,} calls, "
        f"{calls['cache_hits']:,} cache hits, {calls['failed']:,} failed"
    )


if __name__ == "__main__":
    stage.run(main)
