"""The judge stage (MFD) against a hand-rolled script doing the same work, in one run.

    python bench/judge.py [--rows 192] [--new-rows 10] [--repeats 3]

Needs `make run` first (the tiny models and data/pool.parquet). Default roles: the tiny
teacher answers and judges, the tiny student answers, 64 new tokens, greedy, logprob scoring,
batch 32, on the CPU with 2 torch threads. Four measurements, median of `--repeats`:

1. baseline: a hand-rolled script: batched `model.generate` for the student and the teacher
   (sorted by length, left-padded), then one batched forward pass per judge prompt reading
   the digit probabilities; no cache, so every run pays for every row;
2. judge_rows, cold cache: the stage's own code on an empty cache;
3. judge_rows, keep rule changed: the same rows again, every call a cache hit (what
   `dvc exp run -S judge.min_mfd=...` costs); no model is loaded;
4. judge_rows, new rows: `--new-rows` more rows than the cached run; only they are computed.
   The baseline has no cache, so its cost for (3) and (4) is a full run again.
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
from transformers import AutoModelForCausalLM, AutoTokenizer

from distilpipe.llm import RoleModels, open_cache
from distilpipe.ops.judge import first_turn, judge_rows
from distilpipe.ops.mfd import DIGITS, expected_score
from distilpipe.params import Params, load_params
from distilpipe.prompts import render

MODELS = Path("models/tiny")


class HandRolled:
    """What one writes without a pipeline: load, generate in batches, score, no cache."""

    def __init__(self, new_tokens: int, batch_size: int):
        self.new_tokens, self.batch_size = new_tokens, batch_size
        self.tok: dict[str, Any] = {}
        self.model: dict[str, Any] = {}
        for role in ("teacher", "student"):
            tok = AutoTokenizer.from_pretrained(MODELS / role)
            tok.padding_side = "left"
            self.tok[role] = tok
            self.model[role] = AutoModelForCausalLM.from_pretrained(MODELS / role).eval()

    def _batches(self, role: str, chats: list[list[dict[str, str]]]):  # type: ignore[no-untyped-def]
        tok = self.tok[role]
        texts = [
            tok.apply_chat_template(c, add_generation_prompt=True, tokenize=False) for c in chats
        ]
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for b in range(0, len(order), self.batch_size):
            idx = order[b : b + self.batch_size]
            batch = tok(
                [texts[i] for i in idx], return_tensors="pt", padding=True, add_special_tokens=False
            )
            yield idx, batch

    def answers(self, role: str, chats: list[list[dict[str, str]]]) -> list[str]:
        out = [""] * len(chats)
        tok, model = self.tok[role], self.model[role]
        stop = [tok.convert_tokens_to_ids("<|im_end|>"), tok.pad_token_id]
        for idx, batch in self._batches(role, chats):
            with torch.inference_mode():
                gen = model.generate(
                    **batch,
                    max_new_tokens=self.new_tokens,
                    do_sample=False,
                    eos_token_id=stop,
                    pad_token_id=tok.pad_token_id,
                    temperature=None,
                    top_p=None,
                    top_k=None,
                )
            new = gen[:, batch["input_ids"].shape[1] :]
            for i, row in zip(idx, new, strict=True):
                out[i] = tok.decode(row, skip_special_tokens=True)
        return out

    def scores(self, prompts: list[str]) -> list[float]:
        tok, model = self.tok["teacher"], self.model["teacher"]
        digit_ids = [tok.convert_tokens_to_ids(d) for d in DIGITS]
        out = [0.0] * len(prompts)
        chats = [[{"role": "user", "content": p}] for p in prompts]
        for idx, batch in self._batches("teacher", chats):
            with torch.inference_mode():
                probs = torch.softmax(model(**batch).logits[:, -1, :], dim=-1)[:, digit_ids]
            for i, row in zip(idx, probs.tolist(), strict=True):
                out[i] = expected_score(dict(zip(DIGITS, row, strict=True)))
        return out

    def run(self, rows: pl.DataFrame) -> list[float]:
        chats = [list(first_turn(m)) for m in rows["messages"].to_list()]
        langs = rows["lang"].to_list()
        mfd = [0.0] * rows.height
        graded = {}
        for role in ("student", "teacher"):
            answers = self.answers(role, chats)
            prompts = [
                render("judge_logprob", lang, instruction=c[-1]["content"], answer=a)[0]
                for c, a, lang in zip(chats, answers, langs, strict=True)
            ]
            graded[role] = self.scores(prompts)
        for i in range(rows.height):
            mfd[i] = (graded["teacher"][i] - graded["student"][i]) / 9
        return mfd


def rows_for(pool: pl.DataFrame, n: int) -> pl.DataFrame:
    """`n` rows: the pool's, repeated with a numbered suffix when n exceeds it."""
    copies = []
    for k in range(-(-n // pool.height)):
        suffix = "" if k == 0 else f" (variant {k})"
        copies.append(
            pool.with_columns(
                pl.col("id") + pl.lit(suffix),
                pl.col("messages").list.eval(
                    pl.struct(
                        pl.element().struct.field("role"),
                        pl.element().struct.field("content") + pl.lit(suffix),
                    )
                ),
            )
        )
    return pl.concat(copies).head(n)


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=192)
    parser.add_argument("--new-rows", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each, median reported")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    if not (MODELS / "teacher").exists() or not Path("data/pool.parquet").exists():
        raise SystemExit("run `make run` first: the bench needs models/tiny and data/pool.parquet")
    torch.set_num_threads(2)
    base = load_params()
    pool = pl.read_parquet("data/pool.parquet").sort("id")
    rows = rows_for(pool, args.rows + args.new_rows)
    old, everything = rows.head(args.rows), rows
    hand = HandRolled(base.models["teacher"].max_new_tokens, args.batch_size)
    hand.run(old.head(8))  # warm up kernels and the allocator

    times: dict[str, list[float]] = {k: [] for k in ("baseline", "cold", "rerun", "new")}
    misses: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):
            times["baseline"].append(timed(hand.run, old)[0])
            llm = base.llm.model_copy(
                update={"cache_dir": f"{tmp}/cache-{r}", "batch_size": args.batch_size}
            )
            params = Params.model_validate({**base.model_dump(), "llm": llm.model_dump()})
            for name, frame, rule in (
                ("cold", old, {}),
                ("rerun", old, {"min_mfd": 0.1}),
                ("new", everything, {"min_mfd": 0.1}),
            ):
                p = base.judge.model_copy(update=rule)
                with open_cache(params) as cache, RoleModels(params, cache) as models:
                    seconds, result = timed(judge_rows, frame, models.client, p)
                times[name].append(seconds)
                misses[name] = result.metrics["calls"]["cache_misses"]
    med = {k: statistics.median(v) for k, v in times.items()}
    n, total = args.rows, args.rows + args.new_rows
    print(f"machine: {platform.processor() or platform.machine()}, torch threads 2")
    print(
        f"judge: {n} pool rows (+{args.new_rows} new), batch {args.batch_size}, "
        f"{base.models['teacher'].max_new_tokens} new tokens, {base.judge.scoring} scoring, "
        f"median of {args.repeats}"
    )
    print(f"{'':34}{'seconds':>9}{'rows/s':>10}{'LLM calls':>11}{'vs baseline':>13}")
    print(
        f"{'hand-rolled script, every run':34}{med['baseline']:>9.2f}{n / med['baseline']:>10.1f}"
        f"{4 * n:>11,}{'1.00x':>13}"
    )
    for key, label, count in (
        ("cold", "judge_rows, cold cache", n),
        ("rerun", "judge_rows, keep rule changed", n),
        ("new", f"judge_rows, +{args.new_rows} rows", total),
    ):
        ratio = med["baseline"] * count / n / med[key]
        print(
            f"{label:34}{med[key]:>9.2f}{count / med[key]:>10.1f}{misses[key]:>11,}{ratio:>12.1f}x"
        )
    overhead = 100 * (med["cold"] / med["baseline"] - 1)
    print(
        f"cold overhead over the hand-rolled script: {overhead:+.1f}%; a keep-rule change "
        f"costs {misses['rerun']} calls, {args.new_rows} new rows cost {misses['new']} calls"
    )


if __name__ == "__main__":
    main()
