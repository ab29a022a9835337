"""pool: the union of all ingested sources, deduplicated, language-tagged and filtered.

Steps, in order (a row dropped by one step is counted there and never seen by the next):

    exact_dup   same `id` as an earlier row (sources in params order, then row order)
    too_long    more than `max_chars` characters over all turns
    language    first user turn's language not in `languages` (`und` kept if keep_undetermined)
    near_dup    first user turn nearly duplicates an earlier kept row's (MinHash/LSH + Jaccard)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from distilpipe.ops.langid import detect_languages
from distilpipe.ops.near_dedup import near_duplicates
from distilpipe.schema import ROW_SCHEMA, UNDETERMINED_LANG, empty_rows

STEPS = ("exact_dup", "too_long", "language", "near_dup")
REJECT_SCHEMA = {
    "id": pl.String,
    "source": pl.String,
    "reason": pl.String,
    "dup_of": pl.String,
    "lang": pl.String,
    "chars": pl.Int64,
}


@dataclass
class PoolResult:
    rows: pl.DataFrame
    rejects: pl.DataFrame  # REJECT_SCHEMA
    metrics: dict[str, Any]
    plots: dict[str, list[dict[str, Any]]]


def first_user_turn() -> pl.Expr:
    return (
        pl.col("messages")
        .list.eval(pl.element().filter(pl.element().struct.field("role") == "user"))
        .list.first()
        .struct.field("content")
    )


def total_chars() -> pl.Expr:
    return (
        pl.col("messages")
        .list.eval(pl.element().struct.field("content").str.len_chars())
        .list.sum()
        .cast(pl.Int64)
    )


def build_pool(
    frames: list[pl.DataFrame],
    near_dup_threshold: float = 0.85,
    near_dup_ngram: int = 3,
    near_dup_num_perm: int = 32,
    languages: list[str] | None = None,
    keep_undetermined: bool = True,
    lang_min_confidence: float = 0.0,
    max_chars: int | None = None,
    langid: str = "fasttext",
) -> PoolResult:
    """Pool ingested frames (in the given order) into one deduplicated, filtered frame."""
    rows = pl.concat(frames, how="vertical") if frames else empty_rows()
    rows = rows.with_columns(total_chars().alias("_chars"), first_user_turn().alias("_prompt"))
    sources = list(dict.fromkeys(rows["source"].to_list()))
    rejects: list[pl.DataFrame] = []

    # Exact duplicates: keep the first occurrence of each id.
    first_source = pl.col("source").first().over("id")
    is_dup = ~pl.col("id").is_first_distinct()
    exact = rows.with_columns(first_source.alias("_first_source")).filter(is_dup)
    exact_within = int((exact["source"] == exact["_first_source"]).sum())
    rejects.append(_rejects(exact, "exact_dup", dup_of=pl.col("id")))
    rows = rows.filter(~is_dup)

    if max_chars is not None:
        long = pl.col("_chars") > max_chars
        rejects.append(_rejects(rows.filter(long), "too_long"))
        rows = rows.filter(~long)

    detected = detect_languages(rows["_prompt"], lang_min_confidence, langid)
    rows = rows.with_columns(detected["lang"].alias("lang"))
    languages_seen = _counts(rows["lang"])
    if languages is not None:
        allowed = pl.col("lang").is_in(languages)
        if keep_undetermined:
            allowed = allowed | (pl.col("lang") == UNDETERMINED_LANG)
        rejects.append(_rejects(rows.filter(~allowed), "language"))
        rows = rows.filter(allowed)

    dup_of = near_duplicates(rows["_prompt"], near_dup_threshold, near_dup_ngram, near_dup_num_perm)
    is_near = dup_of >= 0
    near = rows.filter(pl.Series(is_near)).with_columns(
        pl.Series("dup_of", rows["id"].gather(dup_of[is_near])),
        pl.Series("_first_source", rows["source"].gather(dup_of[is_near])),
    )
    near_within = int((near["source"] == near["_first_source"]).sum())
    rejects.append(_rejects(near, "near_dup", dup_of=pl.col("dup_of")))
    rows = rows.filter(pl.Series(~is_near))

    reject_frame = pl.concat(rejects, how="vertical")
    languages_out = _counts(rows["lang"])
    metrics: dict[str, Any] = {
        "rows_in": int(sum(f.height for f in frames)),
        "rows_out": rows.height,
        "sources": {
            s: {
                "in": int(sum((f["source"] == s).sum() for f in frames)),
                "out": int((rows["source"] == s).sum()),
            }
            for s in sources
        },
        "rejected": {step: int((reject_frame["reason"] == step).sum()) for step in STEPS},
        "exact_duplicates": {
            "within_source": exact_within,
            "across_sources": exact.height - exact_within,
        },
        "near_duplicates": {
            "within_source": near_within,
            "across_sources": near.height - near_within,
        },
        "langid": langid,
        "languages_seen": languages_seen,
        "languages": languages_out,
    }
    plots = {
        "languages": [{"lang": k, "rows": v} for k, v in languages_out.items()],
        "lengths": _length_histogram(rows["_chars"]),
    }
    return PoolResult(
        rows=rows.select(list(ROW_SCHEMA)), rejects=reject_frame, metrics=metrics, plots=plots
    )


def _rejects(frame: pl.DataFrame, reason: str, dup_of: pl.Expr | None = None) -> pl.DataFrame:
    return frame.select(
        pl.col("id"),
        pl.col("source"),
        pl.lit(reason).alias("reason"),
        (dup_of if dup_of is not None else pl.lit(None, pl.String)).alias("dup_of"),
        pl.col("lang"),
        pl.col("_chars").alias("chars"),
    ).cast(REJECT_SCHEMA)  # type: ignore[arg-type]


def _counts(values: pl.Series) -> dict[str, int]:
    counts = values.value_counts(name="n").sort(["n", values.name], descending=[True, False])
    return {str(k): int(v) for k, v in counts.iter_rows()}


def _length_histogram(chars: pl.Series) -> list[dict[str, Any]]:
    """Rows per power-of-two character bin, in order, each labelled by its range ("0–16",
    "16–32", ...; lower bound inclusive) so the labels read as bins on a category axis. The
    bins run from 0 to the first power of two above the longest conversation."""
    if chars.len() == 0:
        return []
    longest = int(chars.max() or 0)  # type: ignore[arg-type]
    top = math.ceil(math.log2(longest + 1))
    edges = [0] + [2**k for k in range(4, max(top, 4) + 1)]
    bins = np.searchsorted(np.array(edges), chars.to_numpy(), side="right") - 1
    counts = np.bincount(bins, minlength=len(edges) - 1)
    return [
        {"chars": f"{lo}–{hi}", "rows": int(c)}
        for lo, hi, c in zip(edges[:-1], edges[1:], counts, strict=True)
    ]
