"""LLM layer overhead: plain batched `model.generate` vs the same prompts through the layer.

    python bench/llm_layer.py [--model models/tiny/teacher] [--prompts 256] [--batch-size 32]

Three measurements in one run, on the same prompts, greedy, same batch size:

1. baseline: tokenizer chat template + left-padded batched `model.generate`, sorted by
   length like the layer does (so the comparison is of the layer, not of sorting);
2. layer, cold cache: `LLMClient` over `TransformersBackend` with an empty cache;
3. layer, warm cache: the same calls again, every one a cache hit (repeated over a larger
   set of prompts, so the rate is not dominated by start-up).

Targets: cold overhead ≤ 10% over the baseline; warm ≥ 20,000 cached calls/s.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import torch

from distilpipe.llm.cache import CallCache, call_key
from distilpipe.llm.client import LLMClient
from distilpipe.llm.transformers_backend import TransformersBackend
from distilpipe.llm.types import GenerateRequest, Sampling
from distilpipe.params import ModelSpec

TOPICS = [
    "Explain why the sky is blue.",
    "Write a haiku about autumn leaves.",
    "What is 17 times 23?",
    "请用一句话解释什么是机器学习。",
    "Give three tips for learning a new language.",
    "Summarise the plot of Romeo and Juliet in two sentences.",
    "如何提高睡眠质量？",
    "Write a Python function that reverses a string.",
]


def prompts(n: int) -> list[str]:
    return [f"{TOPICS[i % len(TOPICS)]} (#{i})" for i in range(n)]


def baseline(backend: TransformersBackend, texts: list[str], batch_size: int, new: int) -> float:
    """Seconds for plain batched generate over `texts`, sorted by length."""
    tok, model = backend.tokenizer, backend.model
    order = sorted(texts, key=len)
    start = time.perf_counter()
    for i in range(0, len(order), batch_size):
        chats = [
            tok.apply_chat_template(
                [{"role": "user", "content": t}], add_generation_prompt=True, tokenize=False
            )
            for t in order[i : i + batch_size]
        ]
        batch = tok(chats, return_tensors="pt", padding=True, add_special_tokens=False)
        with torch.inference_mode():
            model.generate(
                **batch,
                max_new_tokens=new,
                do_sample=False,
                eos_token_id=backend.stop_ids,
                pad_token_id=tok.pad_token_id,
                temperature=None,
                top_p=None,
                top_k=None,
            )
    return time.perf_counter() - start


def requests(texts: list[str], new: int) -> list[GenerateRequest]:
    sampling = Sampling(max_new_tokens=new)
    return [GenerateRequest(({"role": "user", "content": t},), sampling) for t in texts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/tiny/teacher")
    parser.add_argument("--prompts", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each, median reported")
    parser.add_argument("--warm-calls", type=int, default=50_000)
    args = parser.parse_args()
    if not Path(args.model).exists():
        raise SystemExit(f"{args.model} does not exist: run `make run` (the bootstrap stage) first")
    torch.set_num_threads(2)
    texts = prompts(args.prompts)
    with tempfile.TemporaryDirectory() as tmp:
        backend = TransformersBackend(
            ModelSpec(model=args.model, device="cpu", dtype="float32"), Path(tmp)
        )
        baseline(backend, texts[:8], args.batch_size, 4)  # warm up kernels and allocator
        plain, cold = [], []
        for r in range(args.repeats):
            plain.append(baseline(backend, texts, args.batch_size, args.max_new_tokens))
            with CallCache(Path(tmp) / f"cold-{r}") as cache:
                client = LLMClient(backend, cache, batch_size=args.batch_size, name="bench")
                start = time.perf_counter()
                client.generate(requests(texts, args.max_new_tokens))
                cold.append(time.perf_counter() - start)
        # Warm: a cache holding `warm_calls` entries under the real keys, then every call
        # read back through the client. Computing 50k generations here would take many
        # minutes, so the entries are put directly, each a copy of a real generation.
        warm_texts = prompts(args.warm_calls)
        warm_requests = requests(warm_texts, args.max_new_tokens)
        with CallCache(Path(tmp) / "warm") as cache:
            sample = asdict(backend.generate(warm_requests[:1])[0])
            cache.put_many(
                {
                    call_key(backend.identity, "generate", r.messages, r.sampling.as_dict()): (
                        "generate",
                        backend.identity,
                        sample,
                    )
                    for r in warm_requests
                }
            )
            warm = []
            for _ in range(args.repeats):
                client = LLMClient(backend, cache, batch_size=args.batch_size, name="warm")
                start = time.perf_counter()
                client.generate(warm_requests)
                warm.append(time.perf_counter() - start)
                assert client.stats.cache_hits == len(warm_texts)
    p, c, w = statistics.median(plain), statistics.median(cold), statistics.median(warm)
    print(f"machine: {platform.processor() or platform.machine()}, torch threads 2")
    print(
        f"model: {args.model}; {args.prompts} prompts, batch {args.batch_size}, "
        f"{args.max_new_tokens} new tokens, median of {args.repeats}"
    )
    print(f"{'':28}{'seconds':>10}{'calls/s':>12}")
    print(f"{'plain model.generate':28}{p:>10.2f}{args.prompts / p:>12,.0f}")
    print(f"{'layer, cold cache':28}{c:>10.2f}{args.prompts / c:>12,.0f}")
    print(f"{'layer, warm cache':28}{w:>10.2f}{args.warm_calls / w:>12,.0f}")
    print(f"cold overhead: {100 * (c / p - 1):+.1f}% (target <= 10%)")
    print(f"warm: {args.warm_calls / w:,.0f} cached calls/s (target >= 20,000)")


if __name__ == "__main__":
    main()
