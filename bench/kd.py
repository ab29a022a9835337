"""What white-box distillation (train_sft.kd) costs on the default run: collecting the
teacher's top-k, storing it, and training with it, against plain SFT in the same run.

    .venv/bin/python bench/kd.py [--repeats 3] [--alpha 0.5]

Run from the project root after `dvc repro` (it reads data/sft.parquet, the tiny student and
teacher, and params.yaml's train_sft, as the stage does). It prints:

- collection: the teacher's `token_logprobs` calls from an empty call cache (wall time,
  answer tokens scored, tokens/s) and again from the warm cache (no teacher call), and the
  sidecar shards' bytes per 1M scored tokens against the raw arrays' (k × (4 + 2) bytes a
  token) and against the same arrays as JSON in the SQLite row;
- training: plain SFT and SFT with the KD term, alternated `--repeats` times, wall seconds
  each (medians) and the ratio, all in this process on this machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from transformers.utils import logging as hf_logging

from distilpipe import io
from distilpipe.llm import RoleModels, open_cache
from distilpipe.params import load_params
from distilpipe.train import common, data, kd
from distilpipe.train.sft import train_sft


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--alpha", type=float, default=0.5)
    args = parser.parse_args()
    hf_logging.set_verbosity_error()
    os.environ.setdefault("DVCLIVE_LOGLEVEL", "ERROR")

    params = load_params()
    p = params.train_sft
    model = p.model or params.models["student"].model
    rows = data.conversations(io.read_table("data/sft.parquet", data.SFT_TABLE))
    train, held_out = data.split_held_out(rows, p.eval_size, "data/sft.parquet")
    tokenizer = common.load_tokenizer(model, p.revision)
    common.ensure_generation_template(tokenizer, p.chat_template)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"set: data/sft.parquet of the default run, {len(train)} training conversations")

    with tempfile.TemporaryDirectory() as tmp:
        cache_params = params.model_copy(
            update={"llm": params.llm.model_copy(update={"cache_dir": f"{tmp}/cache"})}
        )
        times = []
        for _ in range(2):  # cold, then warm
            with open_cache(cache_params) as cache, RoleModels(cache_params, cache) as roles:
                client = roles.client("teacher")
                start = time.perf_counter()
                targets, figures = kd.teacher_targets(
                    client, tokenizer, train, p.max_length, p.kd.top_k
                )
                times.append(time.perf_counter() - start)
                calls = client.stats.cache_misses
                shard_bytes = cache.shards.bytes()
        tokens = figures["kd_tokens_scored"]
        k = p.kd.top_k
        as_json = sum(
            len(json.dumps({"top_ids": t.top_ids, "top_logprobs": t.top_logprobs}))
            for t in targets.values()
        )
        per_m = 1e6 / tokens
        print(
            f"collection (top_k {k}): {tokens:,} answer tokens in {len(train)} calls, "
            f"cold {times[0]:.2f} s ({tokens / times[0]:,.0f} tokens/s, model load included), "
            f"warm {times[1]:.2f} s with {calls} teacher calls; teacher top-k mass "
            f"{figures['kd_teacher_topk_mass']:.3f}"
        )
        print(
            f"storage per 1M scored tokens: shards {shard_bytes * per_m / 1e6:,.1f} MB, raw "
            f"arrays {k * 6:.0f} MB (k x (4 + 2) bytes), as JSON {as_json * per_m / 1e6:,.1f} MB"
        )

        teacher = ("bench", targets)
        kd_params = p.model_copy(update={"kd": p.kd.model_copy(update={"alpha": args.alpha})})
        plain = p.model_copy(update={"kd": p.kd.model_copy(update={"alpha": 0.0})})
        walls: dict[str, list[float]] = {"sft": [], "kd": []}
        for i in range(args.repeats):
            for name in ("sft", "kd"):
                out = Path(tmp) / f"{name}-{i}"
                start = time.perf_counter()
                with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
                    metrics = train_sft(
                        model,
                        train,
                        held_out,
                        kd_params if name == "kd" else plain,
                        out / "model",
                        out / "work",
                        teacher=teacher if name == "kd" else None,
                    )
                walls[name].append(time.perf_counter() - start)
        sft, with_kd = statistics.median(walls["sft"]), statistics.median(walls["kd"])
        print(
            f"training ({metrics['steps']} steps, {metrics['tokens_seen']:,} tokens, "
            f"{args.repeats} alternating repeats, medians): SFT {sft:.2f} s, "
            f"SFT + KD (alpha {args.alpha}) {with_kd:.2f} s, ratio {with_kd / sft:.2f} "
            f"(ranges {min(walls['sft']):.2f}-{max(walls['sft']):.2f} and "
            f"{min(walls['kd']):.2f}-{max(walls['kd']):.2f} s; each run loads the student and "
            "scores the held-out set before and after, as the stage does)"
        )


if __name__ == "__main__":
    main()
