"""self_distill: data/rewritten.parquet -> data/sft.parquet and data/dpo.parquet (the final
answers restated by the self-distiller where the judge accepts it; DPO pairs against the
student's own answers)."""

from collections.abc import Callable

from distilpipe import io, stage
from distilpipe.llm import RoleModels, open_cache
from distilpipe.llm.context import role_tokenizer, token_counts
from distilpipe.ops.classify import CLASSIFY_COLUMNS
from distilpipe.ops.judge import JUDGE_COLUMNS
from distilpipe.ops.rewrite import REWRITE_COLUMNS
from distilpipe.ops.sample import SAMPLE_COLUMNS
from distilpipe.ops.self_distill import self_distill_rows
from distilpipe.params import Params, load_params


def student_token_counter(params: Params) -> Callable[[list[str]], list[int]] | None:
    """Token counts with the student's tokenizer, found as the LLM layer finds it; None for
    an API student with no `tokenizer` set (then the length plot is empty)."""
    spec = params.models.get("student")
    tokenizer = role_tokenizer(spec) if spec is not None else None
    if tokenizer is None:
        return None
    return lambda texts: token_counts(tokenizer, texts)


def main() -> None:
    params = load_params()
    rows = io.read_rows(
        "data/rewritten.parquet", JUDGE_COLUMNS, CLASSIFY_COLUMNS, SAMPLE_COLUMNS, REWRITE_COLUMNS
    )
    with (
        open_cache(params) as cache,
        RoleModels(params, cache) as models,
        stage.timed("self_distill", rows=lambda: rows.height),
    ):
        result = self_distill_rows(
            rows,
            models.client,  # models.self_distiller: by default the student's spec
            params.self_distill,
            params.rewrite,
            params.judge.scoring,
            params.pool.langid,
            student_token_counter(params),
        )
    io.write_parquet(result.sft, "data/sft.parquet")
    io.write_parquet(result.dpo, "data/dpo.parquet")
    io.write_json(result.metrics, "metrics/self_distill.json")
    for name, points in result.plots.items():
        io.write_json(points, f"plots/self_distill/{name}.json")
    m, calls = result.metrics, result.metrics["calls"]
    kept = ", ".join(f"{k}: {v:,}" for k, v in m["restatement"]["kept_teacher"].items() if v)
    dropped = ", ".join(f"{k}: {v:,}" for k, v in m["pairs_dropped"].items() if v)
    stage.log(
        f"self_distill: {m['rows_in']:,} rows, {m['restatement']['accepted']:,} restatements "
        f"accepted (teacher kept: {kept or 'none'}); sft {m['sft_rows']:,} rows, dpo "
        f"{m['dpo_pairs']:,} pairs (dropped: {dropped or 'none'}); {calls['calls']:,} calls, "
        f"{calls['cache_hits']:,} cache hits, {calls['failed']:,} failed"
    )


if __name__ == "__main__":
    stage.run(main)
