"""The translate stage against the plain generate rate of the same teacher, in one run.

    python bench/translate.py [--rows 16] [--repeats 3]

Needs `make run` first (the tiny teacher and data/sampled.parquet). Takes `--rows` sampled
rows, half asked for in the other language each way (a quota of one type and language per
direction), with `retries: 0` and `max_candidates: 1`, so the stage makes exactly the calls
the baseline makes. Three measurements, median of `--repeats`, each on a fresh cache:

1. baseline: the same prompts (every turn of the same rows, the same seeds) through the
   teacher's client `generate` alone: no checks, no language id, one batch of calls;
2. translate_rows, cold cache: the stage's code (rounds, per-turn checks, language id);
3. translate_rows, warm cache: the same again, every call a hit (a re-run); no model loads.

rows/s counts rows translated and checked, accepted or not (the tiny teacher's fail the
checks); the model's load is inside each cold measurement, as in a stage run.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl
import torch

from distilpipe.llm import RoleModels
from distilpipe.llm.cache import CallCache
from distilpipe.llm.client import row_seed
from distilpipe.llm.types import GenerateRequest
from distilpipe.ops.translate import candidate_order, translate_prompt, translate_rows
from distilpipe.params import Params, load_params


def pick(sampled: pl.DataFrame, rows: int) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """`rows` rows, half en and half zh, all of one task type; the quota that makes the stage
    translate exactly them (the best candidates of each language, one each)."""
    half = rows // 2
    parts, quota = [], []
    for source, target in (("zh", "en"), ("en", "zh")):
        part = candidate_order(sampled.filter(pl.col("lang") == source)).head(half).drop("_row")
        parts.append(part.with_columns(pl.lit("counterfactual").alias("task_type")))
        quota.append({"task_type": "counterfactual", "lang": target, "rows": part.height})
    return pl.concat(parts), quota


def baseline(params: Params, cache_dir: Path, rows: pl.DataFrame) -> tuple[float, int]:
    """The same calls the stage makes, through the client alone: (seconds, calls)."""
    with CallCache(cache_dir) as cache, RoleModels(params, cache) as models:
        teacher = models.client("teacher")
        requests = []
        for row in rows.iter_rows(named=True):
            target = "en" if row["lang"] == "zh" else "zh"
            for t, m in enumerate(row["messages"]):
                text, digest = translate_prompt(m["role"], m["content"], row["lang"], target)
                sampling = teacher.sampling(row_seed(row["id"], f"translate/{target}/{t}", 0))
                requests.append(
                    GenerateRequest(({"role": "user", "content": text},), sampling, digest)
                )
        start = time.perf_counter()
        outs = teacher.generate(requests)
        return time.perf_counter() - start, len(outs)


def stage(
    params: Params, cache_dir: Path, rows: pl.DataFrame, quota: list[dict[str, Any]]
) -> tuple[float, dict[str, Any]]:
    p = params.translate.model_copy(update={"retries": 0, "max_candidates": 1})
    with CallCache(cache_dir) as cache, RoleModels(params, cache) as models:
        start = time.perf_counter()
        result = translate_rows(
            rows, quota, {"en": 0.5, "zh": 0.5}, models.client, p, params.pool.langid
        )
        return time.perf_counter() - start, result.metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(2)
    params = load_params()
    rows, quota = pick(pl.read_parquet("data/sampled.parquet"), args.rows)
    base, cold, warm = [], [], []
    calls = 0
    metrics: dict[str, Any] = {}
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            seconds, calls = baseline(params, Path(a), rows)
            base.append(seconds)
            seconds, metrics = stage(params, Path(b), rows, quota)
            cold.append(seconds)
            seconds, _ = stage(params, Path(b), rows, quota)
            warm.append(seconds)
    assert metrics["calls"]["calls"] == calls, "the stage should make the baseline's calls"
    b, c, w = (statistics.median(x) for x in (base, cold, warm))
    print(f"translate bench: {rows.height} rows, {calls} calls (one per turn), "
          f"{platform.processor() or platform.machine()}, torch threads 2, median of "
          f"{args.repeats}")  # fmt: skip
    print(f"  added {metrics['rows_added']} of {metrics['quota_rows']}; rejects "
          f"{ {k: v for k, v in metrics['rejects'].items() if v} }")  # fmt: skip
    # rows/s: rows translated and checked (accepted or not) per second
    print(f"  {'run':<28}{'seconds':>9}{'rows/s':>9}{'calls/s':>9}{'vs baseline':>13}")
    for name, s in (
        ("baseline: client.generate", b),
        ("translate_rows, cold cache", c),
        ("translate_rows, warm cache", w),
    ):
        print(f"  {name:<28}{s:>9.2f}{rows.height / s:>9.1f}{calls / s:>9.1f}{b / s:>12.2f}x")


if __name__ == "__main__":
    main()
