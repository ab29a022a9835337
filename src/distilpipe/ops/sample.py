"""sample: a subset of `n` classified rows balanced on three axes, with no LLM call.

- **Task type**: each type's quota is `n` times its target share (shares renormalised over
  the types, largest-remainder rounding). A type with fewer rows than its quota gives all it
  has, and the remainder goes to the other types in proportion to their shares (repeated
  until every quota fits); what a type lacks is its shortfall, reported (it is the expansion
  stage's work list).
- **Length**: within each type, each row is weighted by target density / observed density
  of its instruction's log length, over `bins` equal bins of mu ± 4 sigma plus an open bin on
  each side (the tails), with the target N(mu, sigma), and rows are drawn without
  replacement: each bin gives its expected count under those weights (capped by the rows it
  has, the excess re-split by weight), its rows in a seeded random order. Long and short
  instructions stay in at the target's density rather than being cut.
- **Language**: within each type, each language of `lang_share` gets quota x share rows
  (largest remainder), as far as it has rows (best keys first); the rest of the quota is
  filled from the type's remaining rows by key. What a language lacks is its
  `translate_quota` for that type: rows the translate stage should add in that language.

Deterministic and stable: each row's place in the random order comes from its own id and the
seed (`row_uniforms`), so the same rows and params give the same sample whatever their input
order, and rows added to the input leave the other rows' draws as they were: the sample
changes by at most about one row per added row (a new row that wins a place displaces one;
a bin's quota can shift by one), so the stages after this one see the new rows and few
others.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from distilpipe.llm.client import row_seed
from distilpipe.params import Sample
from distilpipe.taxonomy import type_ids

OTHER_LANGS = "other"  # languages outside lang_share (and `und`)

SAMPLE_COLUMNS = {"instruction_length": pl.Int64}  # what sampling adds to each row


@dataclass
class SampleResult:
    rows: pl.DataFrame  # the sampled rows: the input's columns + instruction_length
    translate_quota: list[dict[str, Any]]  # [{task_type, lang, rows}], rows > 0 only
    metrics: dict[str, Any]
    plots: dict[str, list[dict[str, Any]]]


def row_uniforms(ids: list[str], seed: int) -> np.ndarray:
    """A uniform draw in [0, 1) per row from its id and `seed` (the LLM layer's per-row
    seed, as multiturn draws its rows): a row's draw does not depend on which other rows
    are there."""
    return np.array([row_seed(i, "sample", seed) / 2**31 for i in ids], dtype=np.float64)


def largest_remainder(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Integers proportional to `weights` that sum to `total` (ties: the order of `weights`)."""
    mass = sum(weights.values())
    if total <= 0 or mass <= 0.0:
        return dict.fromkeys(weights, 0)
    exact = {k: total * w / mass for k, w in weights.items()}
    out = {k: math.floor(v) for k, v in exact.items()}
    rest = total - sum(out.values())
    by_remainder = sorted(weights, key=lambda k: -(exact[k] - out[k]))
    for k in by_remainder[:rest]:
        out[k] += 1
    return out


def task_quotas(
    available: dict[str, int], shares: dict[str, float], n: int
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:  # also splits a type over bins
    """(targets, quotas, shortfalls) per type for a sample of `n` rows.

    targets: `n` split by `shares` (largest remainder). quotas: what each type gives: a type
    short of its allocation gives all its rows and its remainder is re-split over the other
    types by their shares, until every allocation fits (so the quotas sum to
    min(n, rows of types with a share > 0)). shortfalls: target − quota where positive.
    """
    types = [t for t in shares if shares[t] > 0.0]
    targets = largest_remainder(n, {t: shares[t] for t in types})
    fixed: dict[str, int] = {}
    left = min(n, sum(available.get(t, 0) for t in types))
    while True:
        open_types = {t: shares[t] for t in types if t not in fixed}
        alloc = largest_remainder(left - sum(fixed.values()), open_types)
        short = {t: available.get(t, 0) for t, a in alloc.items() if a > available.get(t, 0)}
        if not short:
            break
        fixed.update(short)
    quotas = {t: fixed.get(t, alloc.get(t, 0)) for t in shares}
    shortfalls = {t: max(0, targets.get(t, 0) - quotas[t]) for t in shares}
    return {t: targets.get(t, 0) for t in shares}, quotas, shortfalls


def length_bins(mu: float, sigma: float, bins: int) -> np.ndarray:
    """Inner bin edges of log(length): `bins` equal bins over mu ± 4 sigma. Values below the
    first edge fall in an open bin 0, above the last in bin `bins + 1`."""
    return np.linspace(mu - 4.0 * sigma, mu + 4.0 * sigma, bins + 1)


def target_bin_probs(mu: float, sigma: float, edges: np.ndarray) -> np.ndarray:
    """N(mu, sigma)'s mass in each bin: the open lower tail, the inner bins, the upper tail."""
    cdf = np.array([0.5 * (1.0 + math.erf((e - mu) / (sigma * math.sqrt(2.0)))) for e in edges])
    return np.concatenate([[cdf[0]], np.diff(cdf), [1.0 - cdf[-1]]])


def bin_index(log_length: pl.Expr, edges: np.ndarray) -> pl.Expr:
    """The bin of each log length (0: below the first edge; len(edges): above the last)."""
    index = pl.lit(0, dtype=pl.Int32)
    for edge in edges[:-1]:
        index = index + (log_length >= float(edge)).cast(pl.Int32)
    return index + (log_length > float(edges[-1])).cast(pl.Int32)


def kl_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """KL(p || q) in nats over bins; bins where p is 0 add nothing."""
    p = p / max(p.sum(), 1e-300)
    mask = p > 0
    return float(np.sum(p[mask] * np.log(p[mask] / np.maximum(q[mask], 1e-300))))


def sample_rows(rows: pl.DataFrame, lengths: pl.Series, p: Sample) -> SampleResult:
    """Sample `p.n` rows of `rows` (the row schema plus `task_type`), balanced by task type,
    by instruction length (`lengths`: one positive number per row, tokens or characters)
    and by language. Returns the sample in input order with `instruction_length` added."""
    edges = length_bins(p.length.mu, p.length.sigma, p.length.bins)
    target = target_bin_probs(p.length.mu, p.length.sigma, edges)
    langs = list(p.lang_share)
    lang_group = (
        pl.when(pl.col("lang").is_in(langs)).then(pl.col("lang")).otherwise(pl.lit(OTHER_LANGS))
    )
    frame = rows.with_columns(
        pl.Series("instruction_length", lengths, dtype=SAMPLE_COLUMNS["instruction_length"])
    ).with_row_index("_row")
    work = frame.select(
        "_row",
        "id",
        "task_type",
        lang_group.alias("_lang"),
        bin_index(pl.col("instruction_length").clip(1).cast(pl.Float64).log(), edges).alias("_bin"),
    ).sort("id")
    work = work.with_columns(pl.Series("_u", row_uniforms(work["id"].to_list(), p.seed)))

    available = dict(work.group_by("task_type").len().iter_rows())
    shares = {t: p.task_shares.get(t, 0.0) for t in type_ids()}
    targets, quotas, shortfalls = task_quotas(available, shares, p.n)

    # Length: each type's quota split over the bins by target / observed density. Rows of a
    # bin share one weight, so a weighted draw without replacement takes each bin's rows
    # uniformly and differs only in how many it takes; that count is set here exactly (its
    # expectation under the weights, capped by the rows a bin has, the excess re-split by
    # weight) rather than left to chance, which at sampling fractions of a few percent or
    # more flattens the shape towards the input's.
    bin_quota: list[tuple[str, int, int]] = []
    per_bin = work.group_by("task_type", "_bin").len()
    for task, count in quotas.items():
        if not count:
            continue
        have = {
            str(b): int(c)
            for b, c in per_bin.filter(pl.col("task_type") == task)
            .select("_bin", "len")
            .iter_rows()
        }
        weights = {str(b): float(q) for b, q in enumerate(target)}
        _, alloc, _ = task_quotas(have, weights, count)
        bin_quota.extend((task, int(b), c) for b, c in alloc.items())
    bin_frame = pl.DataFrame(
        bin_quota, schema={"task_type": pl.String, "_bin": pl.Int32, "_c": pl.Int64}, orient="row"
    )
    # A row's key (larger first): rows of a bin in the order of their uniforms, spread evenly
    # over the bin's quota, so the first k rows of a type hold each bin's share of k; rows
    # beyond their bin's quota come last, for the language fill only.
    j = pl.col("_u").rank("ordinal").over("task_type", "_bin").cast(pl.Float64) - 0.5
    work = work.join(bin_frame, on=["task_type", "_bin"], how="left").with_columns(
        pl.when(pl.col("_c") > 0).then(-(j / pl.col("_c"))).otherwise(-(1.0e6 + j)).alias("_key")
    )

    lang_targets: list[dict[str, Any]] = []
    for i, task in enumerate(type_ids()):
        # ties of the largest remainder go to the first language: rotate who is first, so
        # odd quotas do not all round towards one language
        turn = langs[i % len(langs) :] + langs[: i % len(langs)] if langs else []
        weights = {lang: p.lang_share[lang] for lang in turn}
        weights[OTHER_LANGS] = max(0.0, 1.0 - sum(weights.values()))
        split = largest_remainder(quotas[task], weights)
        for lang in langs:
            lang_targets.append({"task_type": task, "_lang": lang, "_want": split[lang]})
    want = pl.DataFrame(
        lang_targets, schema={"task_type": pl.String, "_lang": pl.String, "_want": pl.Int64}
    )
    quota_frame = pl.DataFrame(
        {"task_type": list(quotas), "_quota": list(quotas.values())},
        schema={"task_type": pl.String, "_quota": pl.Int64},
    )
    ranked = (
        work.join(want, on=["task_type", "_lang"], how="left")
        .join(quota_frame, on="task_type", how="left")
        .with_columns(pl.col("_want").fill_null(0), pl.col("_quota").fill_null(0))
        .with_columns(
            pl.col("_key").rank("ordinal", descending=True).over("task_type", "_lang").alias("_r")
        )
        .with_columns((pl.col("_r") <= pl.col("_want")).alias("_first"))
    )
    taken_first = ranked.group_by("task_type").agg(pl.col("_first").sum().alias("_taken"))
    ranked = (
        ranked.join(taken_first, on="task_type", how="left")
        .with_columns(
            pl.when(~pl.col("_first"))
            .then(pl.col("_key"))
            .otherwise(None)
            .rank("ordinal", descending=True)
            .over("task_type")
            .alias("_r2")
        )
        .with_columns(
            (pl.col("_first") | (pl.col("_r2") <= (pl.col("_quota") - pl.col("_taken"))))
            .fill_null(False)
            .alias("_keep")
        )
    )
    keep_rows = ranked.filter("_keep")["_row"]
    sampled = frame.filter(pl.col("_row").is_in(keep_rows.implode())).drop("_row")

    # what each language of each type lacks: the translate quota
    got = sampled.with_columns(lang_group.alias("_lang")).group_by("task_type", "_lang").len()
    deficit = (
        want.join(got, on=["task_type", "_lang"], how="left")
        .with_columns((pl.col("_want") - pl.col("len").fill_null(0)).clip(0).alias("rows"))
        .filter(pl.col("rows") > 0)
    )
    order = {t: i for i, t in enumerate(type_ids())}
    translate_quota = sorted(
        (
            {"task_type": t, "lang": lang, "rows": int(r)}
            for t, lang, r in deficit.select("task_type", "_lang", "rows").iter_rows()
        ),
        key=lambda d: (order[d["task_type"]], langs.index(d["lang"])),
    )
    in_bins = _bin_shares(work["_bin"], len(target))
    sampled_bins = _bin_shares(
        work.filter(pl.col("_row").is_in(keep_rows.implode()))["_bin"], len(target)
    )
    return SampleResult(
        rows=sampled,
        translate_quota=translate_quota,
        metrics=_metrics(
            rows,
            sampled,
            p,
            targets,
            quotas,
            shortfalls,
            translate_quota,
            in_bins,
            sampled_bins,
            target,
        ),
        plots=_plots(rows, sampled, p, targets, in_bins, sampled_bins, target, edges),
    )


def _bin_shares(bins: pl.Series, n_bins: int) -> np.ndarray:
    counts = np.bincount(bins.to_numpy().astype(np.int64), minlength=n_bins).astype(np.float64)
    return counts / max(counts.sum(), 1.0)


def _shares(frame: pl.DataFrame, column: str) -> dict[str, float]:
    counts = frame.group_by(column).len()
    total = max(frame.height, 1)
    return {
        str(k): round(v / total, 6)
        for k, v in sorted(counts.iter_rows(), key=lambda kv: str(kv[0]))
    }


def _metrics(
    rows: pl.DataFrame,
    sampled: pl.DataFrame,
    p: Sample,
    targets: dict[str, int],
    quotas: dict[str, int],
    shortfalls: dict[str, int],
    translate_quota: list[dict[str, Any]],
    in_bins: np.ndarray,
    sampled_bins: np.ndarray,
    target: np.ndarray,
) -> dict[str, Any]:
    got = dict(sampled.group_by("task_type").len().iter_rows())
    total_quota: dict[str, int] = {}
    for q in translate_quota:
        total_quota[q["lang"]] = total_quota.get(q["lang"], 0) + q["rows"]
    n = max(sampled.height, 1)
    return {
        "rows_in": rows.height,
        "rows_sampled": sampled.height,
        "n": p.n,
        "length_unit": p.length.unit,
        "length_kl": {
            "input": round(kl_divergence(in_bins, target), 6),
            "sample": round(kl_divergence(sampled_bins, target), 6),
        },
        "task_share": {
            t: {
                "target": round(targets[t] / max(p.n, 1), 6),
                "achieved": round(got.get(t, 0) / n, 6),
                "target_rows": targets[t],
                "quota_rows": quotas[t],  # the target, with short types' remainder re-split
                "rows": int(got.get(t, 0)),
            }
            for t in type_ids()
            if targets[t] or got.get(t, 0)
        },
        "shortfall": {t: s for t, s in shortfalls.items() if s},
        "shortfall_rows": sum(shortfalls.values()),
        "lang_share": {
            "target": dict(p.lang_share),
            "input": _shares(rows, "lang"),
            "achieved": _shares(sampled, "lang"),
        },
        "translate_quota": total_quota,
    }


def _plots(
    rows: pl.DataFrame,
    sampled: pl.DataFrame,
    p: Sample,
    targets: dict[str, int],
    in_bins: np.ndarray,
    sampled_bins: np.ndarray,
    target: np.ndarray,
    edges: np.ndarray,
) -> dict[str, list[dict[str, Any]]]:
    """lengths: share of rows per log-length bin (input, sample, target), x at each bin's
    centre (the open tails one bin width out); tasks and languages: one row per task type or
    language with its target and achieved rows (two series of bars side by side)."""
    width = float(edges[1] - edges[0])
    centres = np.concatenate(
        [[edges[0] - width / 2], (edges[:-1] + edges[1:]) / 2, [edges[-1] + width / 2]]
    )
    lengths = [
        {
            "log_length": round(float(c), 4),
            "input": round(float(a), 6),
            "sample": round(float(b), 6),
            "target": round(float(t), 6),
        }
        for c, a, b, t in zip(centres, in_bins, sampled_bins, target, strict=True)
    ]
    got = dict(sampled.group_by("task_type").len().iter_rows())
    tasks = [
        {"task_type": t, "target": targets[t], "sample": int(got.get(t, 0))}
        for t in type_ids()
        if targets[t] or got.get(t, 0)
    ]
    in_counts = dict(rows.group_by("lang").len().iter_rows())
    out_counts = dict(sampled.group_by("lang").len().iter_rows())
    languages = [
        {
            "lang": lang,
            "target": round(p.lang_share.get(lang, 0.0) * sampled.height, 2),
            "sample": int(out_counts.get(lang, 0)),
        }
        for lang in sorted(set(in_counts) | set(p.lang_share))
    ]
    return {"lengths": lengths, "tasks": tasks, "languages": languages}
