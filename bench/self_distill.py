"""The self_distill stage's work against the naive version of the same step, in one run.

    python bench/self_distill.py [--rows 40] [--new-rows 8] [--repeats 1]

Needs `dvc repro self_distill` first (the tiny models and data/rewritten.parquet). Default
roles: the tiny student restates and answers, the tiny teacher judges (logprob scoring), 64
new tokens, greedy, batch 32, torch on 2 threads. Both sides make their calls through the
same LLM layer and backends, each on an empty cache of its own, so the difference is the
calls each makes and what a re-run costs:

1. baseline: every row restated, every row answered afresh by the student, and the teacher's
   answer, the restatement and the student's answer all graded by the judge: 5 calls a row,
   on every run (no cache);
2. self_distill_rows, cold cache: restatements graded only when they pass rewrite's checks,
   the judge stage's student answer and score reused where the judge answered the same
   prompt;
3. self_distill_rows, max_drop changed: the same rows again, every call a cache hit;
4. self_distill_rows, new rows: `--new-rows` more rows than the cached run.
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

from distilpipe.llm import RoleModels, open_cache
from distilpipe.llm.client import row_seed
from distilpipe.llm.types import GenerateRequest, Generation
from distilpipe.ops.judge import score_answers
from distilpipe.ops.self_distill import self_distill_rows, split_last_answer
from distilpipe.params import Params, load_params
from distilpipe.prompts import render


def naive(rows: pl.DataFrame, params: Params) -> int:
    """Restate, answer and grade everything; returns the calls made (cache misses)."""
    split = [split_last_answer(m) for m in rows["messages"].to_list()]
    ids, langs = rows["id"].to_list(), rows["lang"].to_list()
    instructions = [prompt[-1]["content"] for prompt, _ in split]
    with open_cache(params) as cache, RoleModels(params, cache) as models:
        student = models.client("student")
        restate = []
        for (_, answer), i, lang, instruction in zip(split, ids, langs, instructions, strict=True):
            text, h = render("self_distill", lang, instruction=instruction, answer=answer)
            seed = row_seed(i, "bench/restate")
            restate.append(
                GenerateRequest(({"role": "user", "content": text},), student.sampling(seed), h)
            )
        restated = student.generate(restate)
        answered = student.generate(
            [
                GenerateRequest(tuple(prompt), student.sampling(row_seed(i, "bench/student")))
                for (prompt, _), i in zip(split, ids, strict=True)
            ]
        )
        judge = models.client("judge")
        for stage, answers in (
            ("teacher", [answer for _, answer in split]),
            ("restated", [r.text if isinstance(r, Generation) else None for r in restated]),
            ("student", [r.text if isinstance(r, Generation) else None for r in answered]),
        ):
            score_answers(judge, params.judge.scoring, instructions, answers, langs, ids, stage)
        return student.stats.cache_misses + judge.stats.cache_misses


def ours(rows: pl.DataFrame, params: Params) -> dict[str, Any]:
    with open_cache(params) as cache, RoleModels(params, cache) as models:
        result = self_distill_rows(
            rows,
            models.client,
            params.self_distill,
            params.rewrite,
            params.judge.scoring,
            params.pool.langid,
        )
    return dict(result.metrics["calls"])


def timed(fn: Any, *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("--new-rows", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=1, help="runs of each, median reported")
    args = parser.parse_args()
    if not Path("data/rewritten.parquet").exists():
        raise SystemExit("run `dvc repro self_distill` first: the bench needs its inputs")
    torch.set_num_threads(2)
    base = load_params()
    rows = pl.read_parquet("data/rewritten.parquet").sort("id").head(args.rows + args.new_rows)
    old = rows.head(args.rows)
    times: dict[str, list[float]] = {k: [] for k in ("baseline", "cold", "rerun", "new")}
    calls: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):
            for name, frame, update in (
                ("baseline", old, {}),
                ("cold", old, {}),
                ("rerun", old, {"max_drop": 2.0}),
                ("new", rows, {"max_drop": 2.0}),
            ):
                cache_dir = f"{tmp}/{'baseline' if name == 'baseline' else 'ours'}-{r}"
                llm = base.llm.model_copy(update={"cache_dir": cache_dir})
                sd = base.self_distill.model_copy(update=update)
                params = Params.model_validate(
                    {**base.model_dump(), "llm": llm.model_dump(), "self_distill": sd.model_dump()}
                )
                if name == "baseline":
                    seconds, made = timed(naive, frame, params)
                else:
                    seconds, counts = timed(ours, frame, params)
                    made = counts["cache_misses"]
                times[name].append(seconds)
                calls[name] = made
    med = {k: statistics.median(v) for k, v in times.items()}
    n, total = old.height, rows.height
    print(f"machine: {platform.processor() or platform.machine()}, torch threads 2")
    print(
        f"self_distill: {n} rewritten rows (+{total - n} new), {base.judge.scoring} scoring, "
        f"median of {args.repeats}"
    )
    print(f"{'':36}{'seconds':>9}{'rows/s':>9}{'LLM calls':>11}{'vs baseline':>13}")
    print(
        f"{'naive: 5 calls a row, every run':36}{med['baseline']:>9.2f}"
        f"{n / med['baseline']:>9.1f}{calls['baseline']:>11,}{'1.00x':>13}"
    )
    for key, label, count in (
        ("cold", "self_distill_rows, cold cache", n),
        ("rerun", "self_distill_rows, max_drop changed", n),
        ("new", f"self_distill_rows, +{total - n} rows", total),
    ):
        ratio = med["baseline"] * count / n / med[key]
        print(f"{label:36}{med[key]:>9.2f}{count / med[key]:>9.1f}{calls[key]:>11,}{ratio:>12.1f}x")


if __name__ == "__main__":
    main()
