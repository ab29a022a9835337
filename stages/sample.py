"""sample: data/classified.parquet -> data/sampled.parquet (balanced by task type, instruction
length and language) and data/translate_quota.json (what each language lacks, per type)."""

import polars as pl

from distilpipe import io, stage
from distilpipe.errors import DistilpipeError
from distilpipe.llm.context import role_tokenizer, token_counts
from distilpipe.ops.classify import CLASSIFY_COLUMNS, instructions
from distilpipe.ops.judge import JUDGE_COLUMNS
from distilpipe.ops.sample import sample_rows
from distilpipe.params import load_params


def main() -> None:
    params = load_params()
    p = params.sample
    rows = io.read_rows("data/classified.parquet", JUDGE_COLUMNS, CLASSIFY_COLUMNS)
    texts = instructions(rows)
    if p.length.unit == "chars":
        lengths = texts.str.len_chars()
    else:
        spec = params.models.get("student")
        if spec is None:
            raise DistilpipeError("params.yaml: sample.length.unit: tokens needs models.student")
        # the student's own tokenizer, found as the LLM layer finds it (an API model: only
        # through models.student.tokenizer)
        tokenizer = role_tokenizer(spec)
        if tokenizer is None:
            raise DistilpipeError(
                f"params.yaml: sample.length.unit: tokens, but models.student ({spec.model!r}) "
                "is an API model with no tokenizer: set models.student.tokenizer, or "
                "sample.length.unit: chars"
            )
        lengths = pl.Series("length", token_counts(tokenizer, texts.to_list()), dtype=pl.Int64)
    with stage.timed("sample", rows=lambda: rows.height):
        result = sample_rows(rows, lengths, p)
    io.write_parquet(result.rows, "data/sampled.parquet")
    io.write_json(
        {"unit": "rows", "lang_share": dict(p.lang_share), "quota": result.translate_quota},
        "data/translate_quota.json",
    )
    io.write_json(result.metrics, "metrics/sample.json")
    for name, points in result.plots.items():
        io.write_json(points, f"plots/sample/{name}.json")
    m = result.metrics
    stage.log(
        f"sample: {m['rows_in']:,} rows -> {m['rows_sampled']:,} (n={m['n']:,}); length KL "
        f"{m['length_kl']['input']:.3f} -> {m['length_kl']['sample']:.3f}; shortfall "
        f"{m['shortfall_rows']:,} rows; translate quota {m['translate_quota'] or 'none'}"
    )


if __name__ == "__main__":
    stage.run(main)
