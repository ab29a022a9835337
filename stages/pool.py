"""pool: data/ingested/*.parquet -> data/pool.parquet (dedup, language id, filters)."""

from distilpipe import io, stage
from distilpipe.ops.pool import build_pool
from distilpipe.params import load_params
from distilpipe.schema import validate_rows


def main() -> None:
    params = load_params()
    frames = stage.read_ingested(params)
    p = params.pool
    with stage.timed("pool", rows=lambda: sum(f.height for f in frames)):
        result = build_pool(
            frames,
            near_dup_threshold=p.near_dup_threshold,
            near_dup_ngram=p.near_dup_ngram,
            near_dup_num_perm=p.near_dup_num_perm,
            languages=p.languages,
            keep_undetermined=p.keep_undetermined,
            lang_min_confidence=p.lang_min_confidence,
            max_chars=p.max_chars,
            langid=p.langid,
        )
    validate_rows(result.rows, "pool")
    io.write_parquet(result.rows, "data/pool.parquet")
    io.write_parquet(result.rejects, "data/rejects/pool.parquet")
    io.write_json(result.metrics, "metrics/pool.json")
    for name, points in result.plots.items():
        io.write_json(points, f"plots/pool/{name}.json")
    m = result.metrics
    stage.log(
        f"pool: {m['rows_in']:,} rows -> {m['rows_out']:,}; "
        + ", ".join(f"{k}: {v:,}" for k, v in m["rejected"].items())
    )


if __name__ == "__main__":
    stage.run(main)
