"""The multiturn and expand stages against plain code doing the same work, in one run.

    python bench/augment.py [--rows 64] [--new-rows 8] [--existing 20000] [--new 400]

Needs `make run` first (the tiny teacher and data/classified.parquet). Two parts:

1. multiturn on `--rows` classified rows (fraction 1.0, max_turns 2: one follow-up and its
   answer per row), with the tiny teacher (64 new tokens, batch 32, CPU):
   - baseline: a plain loop sending the same follow-up and answer requests straight to the
     backend (no cache, no checks); it pays for every row on every run;
   - continue_rows, cold cache; re-run (every call a cache hit, no model loaded);
     `--new-rows` rows added (calls only for them).
2. expand's duplicate check at scale: `--new` synthetic instructions against `--existing`
   ones, `near_dedup.near_duplicates_of` (MinHash + LSH buckets + exact Jaccard) against
   the plain way, `checks.near_duplicate` on every (new, existing) pair, timed on a slice
   and given per new instruction.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from distilpipe.llm import RoleModels, open_cache
from distilpipe.llm.client import row_seed
from distilpipe.llm.types import GenerateRequest, Generation
from distilpipe.ops import checks
from distilpipe.ops.multiturn import continue_rows, user_turns
from distilpipe.ops.near_dedup import near_duplicates_of
from distilpipe.params import Multiturn, Params, load_params
from distilpipe.prompts import render


def timed(fn: Any, *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def plain_multiturn(rows: pl.DataFrame, backend: Any, sampling: Any) -> int:
    """The same two calls per row, straight to the backend: no cache, no checks."""
    convs = [list(m) for m in rows["messages"].to_list()]
    langs, ids = rows["lang"].to_list(), rows["id"].to_list()
    asks = []
    for conv, lang, i in zip(convs, langs, ids, strict=True):
        text, digest = render("multiturn_user", lang, turns=conv)
        seed = row_seed(i, f"multiturn/user/{user_turns(conv)}")
        asks.append(GenerateRequest(({"role": "user", "content": text},), sampling(seed), digest))
    followups = backend.generate(asks)
    answers = [
        GenerateRequest(
            (*conv, {"role": "user", "content": f.text.strip()}),
            sampling(row_seed(i, f"multiturn/answer/{user_turns(conv) + 1}")),
        )
        for conv, i, f in zip(convs, ids, followups, strict=True)
        if isinstance(f, Generation)
    ]
    backend.generate(answers)
    return len(asks) + len(answers)


def bench_multiturn(base: Params, rows: pl.DataFrame, new_rows: int) -> None:
    p = Multiturn(fraction=1.0, max_turns=2)
    old = rows.head(rows.height - new_rows)
    results: dict[str, tuple[float, int, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        llm = base.llm.model_copy(update={"cache_dir": f"{tmp}/cache"})
        params = Params.model_validate({**base.model_dump(), "llm": llm.model_dump()})
        with open_cache(params) as cache, RoleModels(params, cache) as models:
            teacher = models.client("teacher")
            backend = teacher.backend
            plain_multiturn(old.head(4), backend, teacher.sampling)  # load, warm up
            seconds, calls = timed(plain_multiturn, old, backend, teacher.sampling)
            results["baseline"] = (seconds, old.height, calls)
        for name, frame in (("cold", old), ("rerun", old), ("new", rows)):
            with open_cache(params) as cache, RoleModels(params, cache) as models:
                seconds, result = timed(
                    continue_rows, frame, models.client("teacher"), p, params.pool
                )
            calls = result.metrics["calls"]
            results[name] = (seconds, frame.height, calls["cache_misses"])
    base_s = results["baseline"][0]
    print(f"multiturn: {old.height} rows (+{new_rows} new), max_turns 2, tiny teacher")
    print(f"{'':44} {'seconds':>8} {'rows/s':>8} {'model calls':>12} {'vs plain':>9}")
    labels = {
        "baseline": "plain loop, no cache (pays every run)",
        "cold": "continue_rows, cold cache",
        "rerun": "continue_rows, re-run (all hits)",
        "new": f"continue_rows, {new_rows} rows added",
    }
    for name, (seconds, n, calls) in results.items():
        ratio = base_s / seconds if seconds else float("inf")
        print(f"{labels[name]:44} {seconds:8.2f} {n / seconds:8.1f} {calls:12d} {ratio:8.1f}x")


def synthetic(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    vocab = [f"w{i}" for i in range(5000)]
    lengths = rng.integers(8, 40, size=n)
    return [" ".join(rng.choice(vocab, size=k)) for k in lengths]


def bench_dedup(existing: int, new: int) -> None:
    old, fresh = synthetic(existing, 0), synthetic(new, 1)
    fresh[::10] = [t + " again" for t in old[: len(fresh[::10])]]  # a tenth near duplicates
    texts = pl.Series(old + fresh)
    seconds, dup_of = timed(near_duplicates_of, texts, existing, 0.85)
    found = int((dup_of >= 0).sum())
    probe = fresh[:2]

    def pairwise() -> int:
        return sum(any(checks.near_duplicate(x, e, 0.85) for e in old) for x in probe)

    plain_s, plain_found = timed(pairwise)
    per_new, plain_per_new = seconds / new, plain_s / len(probe)
    print(f"expand duplicate check: {new} new instructions against {existing:,}")
    print(f"  near_duplicates_of: {seconds:.2f} s, {new / seconds:,.0f} new/s, {found} found")
    print(
        f"  pairwise checks.near_duplicate ({len(probe)} new, {plain_found} found): "
        f"{plain_s:.2f} s, {1 / plain_per_new:,.2f} new/s; ours {plain_per_new / per_new:,.0f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=64)
    parser.add_argument("--new-rows", type=int, default=8)
    parser.add_argument("--existing", type=int, default=20_000)
    parser.add_argument("--new", type=int, default=400)
    args = parser.parse_args()
    base = load_params()
    sampled = pl.read_parquet(Path("data/classified.parquet")).sort("id")
    rows = sampled.head(args.rows + args.new_rows)
    print(f"machine: {platform.processor() or platform.machine()}")
    bench_multiturn(base, rows, args.new_rows)
    bench_dedup(args.existing, args.new)


if __name__ == "__main__":
    main()
