"""judge: data/pool.parquet -> data/judged.parquet (answers, judge scores, MFD, keep rule)."""

from distilpipe import io, stage
from distilpipe.llm import RoleModels, open_cache
from distilpipe.ops.answer_key import read_answer_key
from distilpipe.ops.judge import judge_rows
from distilpipe.params import load_params


def main() -> None:
    params = load_params()
    rows = io.read_rows("data/pool.parquet")
    key = read_answer_key(params.judge.answer_key) if params.judge.answer_key else None
    with (
        open_cache(params) as cache,
        RoleModels(params, cache) as models,
        stage.timed("judge", rows=lambda: rows.height),
    ):
        result = judge_rows(rows, models.client, params.judge, key)
    io.write_parquet(result.rows, "data/judged.parquet")
    io.write_parquet(result.rejects, "data/rejects/judge.parquet")
    io.write_json(result.metrics, "metrics/judge.json")
    for name, points in result.plots.items():
        io.write_json(points, f"plots/judge/{name}.json")
    m, calls = result.metrics, result.metrics["calls"]
    dropped = ", ".join(f"{k}: {v:,}" for k, v in m["dropped"].items() if v)
    stage.log(
        f"judge: {m['rows_in']:,} rows -> {m['rows_kept']:,} kept ({dropped or 'none dropped'}); "
        f"{calls['calls']:,} calls, {calls['cache_hits']:,} cache hits, "
        f"{calls['failed']:,} failed"
    )


if __name__ == "__main__":
    stage.run(main)
