"""translate: data/sampled.parquet + data/translate_quota.json -> data/translated.parquet (the
sampled rows unchanged, then the teacher's translations into the languages a type lacks)."""

from pathlib import Path

from distilpipe import io, stage
from distilpipe.errors import InputError
from distilpipe.llm import RoleModels, open_cache
from distilpipe.ops.classify import CLASSIFY_COLUMNS
from distilpipe.ops.judge import JUDGE_COLUMNS
from distilpipe.ops.sample import SAMPLE_COLUMNS
from distilpipe.ops.translate import load_quota, translate_rows
from distilpipe.params import load_params
from distilpipe.schema import validate_rows

QUOTA = "data/translate_quota.json"


def main() -> None:
    params = load_params()
    rows = io.read_rows("data/sampled.parquet", JUDGE_COLUMNS, CLASSIFY_COLUMNS, SAMPLE_COLUMNS)
    try:
        quota, lang_share = load_quota(Path(QUOTA).read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(QUOTA, str(exc)) from None
    with (
        open_cache(params) as cache,
        RoleModels(params, cache) as models,
        stage.timed("translate", rows=lambda: rows.height),
    ):
        result = translate_rows(
            rows, quota, lang_share, models.client, params.translate, params.pool.langid
        )
    validate_rows(result.rows, "translated")
    io.write_parquet(result.rows, "data/translated.parquet")
    io.write_parquet(result.rejects, "data/rejects/translate.parquet")
    io.write_json(result.metrics, "metrics/translate.json")
    for name, points in result.plots.items():
        io.write_json(points, f"plots/translate/{name}.json")
    m, calls = result.metrics, result.metrics["calls"]
    rejects = ", ".join(f"{k}: {v:,}" for k, v in m["rejects"].items() if v)
    stage.log(
        f"translate: {m['rows_in']:,} rows + {m['rows_added']:,} translated of a quota of "
        f"{m['quota_rows']:,} (shortfall {m['shortfall_rows']:,}); {m['rows_tried']:,} rows "
        f"tried, {m['attempts']:,} attempts ({rejects or 'none rejected'}); "
        f"{calls['calls']:,} calls, {calls['cache_hits']:,} cache hits, {calls['failed']:,} failed"
    )


if __name__ == "__main__":
    stage.run(main)
