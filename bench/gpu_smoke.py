"""The Python half of bench/gpu_smoke.sh (read that first: what it needs, what it prints).

    python bench/gpu_smoke.py vllm [--model DIR] [--prompts 512] [--rounds 3]
    python bench/gpu_smoke.py train-dir DIR --config FILE [--attn sdpa] [--steps 10]

`vllm`: the vllm backend against raw vLLM on one engine, the same prompts and sampling
(greedy), the prefix cache emptied before every timed run: raw `LLM.chat`, the backend's
`generate` (what a stage's batch costs) and the cache-through client over it (a fresh, empty
call cache); best of `--rounds` each, calls/s and the ratios to raw; the three must write the
same texts. With 2+ GPUs, the backend with one replica per GPU against one engine.

`train-dir`: a scratch folder in which stages/train_sft.py and stages/train_dpo.py run as they
do in a checkout: params.yaml (this checkout's, with the train sections made small and the
launcher pointed at `--config`), data/sft.parquet and data/dpo.parquet (arithmetic chats of
the tiny world's kind), the starting model the tiny student (models/tiny/student).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from distilpipe import io
from distilpipe.schema import MESSAGES

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "models/tiny/student"


def _chat(i: int) -> list[dict[str, str]]:
    a, b = i % 97, (7 * i) % 89
    return [{"role": "user", "content": f"What is {a} plus {b}?"}]


def bench_vllm(model: str, n: int, rounds: int, max_tokens: int) -> dict[str, Any]:
    from vllm import SamplingParams

    from distilpipe.llm.cache import CallCache
    from distilpipe.llm.client import LLMClient
    from distilpipe.llm.types import GenerateRequest, Generation, Sampling
    from distilpipe.llm.vllm_backend import VLLMBackend, VLLMEngine
    from distilpipe.params import ModelSpec

    spec = ModelSpec(
        backend="vllm", model=model, dtype="bfloat16", max_model_len=1024,
        gpu_memory_utilization=0.5,
    )  # fmt: skip
    requests = [
        GenerateRequest(tuple(_chat(i)), Sampling(max_new_tokens=max_tokens)) for i in range(n)
    ]
    conversations = [list(r.messages) for r in requests]
    params = SamplingParams(max_tokens=max_tokens, temperature=0.0, top_p=1.0)
    backend = VLLMBackend(spec)
    assert isinstance(backend.engine, VLLMEngine)
    llm = backend.engine.llm

    def raw() -> list[str]:
        outs = llm.chat(conversations, sampling_params=[params] * n, use_tqdm=False)
        return [o.outputs[0].text for o in outs]

    def layer() -> list[str]:
        return [g.text if isinstance(g, Generation) else "" for g in backend.generate(requests)]

    def client() -> list[str]:
        with tempfile.TemporaryDirectory() as tmp, CallCache(Path(tmp)) as cache:
            out = LLMClient(backend, cache, batch_size=n, name="smoke").generate(requests)
        return [g.text if isinstance(g, Generation) else "" for g in out]

    runs: dict[str, Callable[[], list[str]]] = {"raw": raw, "backend": layer, "client": client}
    texts = {name: run() for name, run in runs.items()}  # warm-up (CUDA graphs, allocator)
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(rounds):
        for name, run in runs.items():
            reset = getattr(llm, "reset_prefix_cache", None)
            if callable(reset):
                reset()
            start = time.perf_counter()
            texts[name] = run()
            best[name] = min(best[name], time.perf_counter() - start)
    backend.close()
    result: dict[str, Any] = {
        "prompts": n,
        "max_tokens": max_tokens,
        "calls_per_s": {name: round(n / s, 1) for name, s in best.items()},
        "ratio_to_raw": {name: round(best["raw"] / s, 3) for name, s in best.items()},
        "same_texts": texts["raw"] == texts["backend"] == texts["client"],
    }
    return result


def bench_replicas(model: str, gpus: int, n: int, max_tokens: int) -> dict[str, Any]:
    """One engine, then one replica per GPU, on the same prompts: calls/s and the texts."""
    from distilpipe.llm.types import GenerateRequest, Generation, Sampling
    from distilpipe.llm.vllm_backend import VLLMBackend
    from distilpipe.params import ModelSpec

    requests = [
        GenerateRequest(tuple(_chat(i)), Sampling(max_new_tokens=max_tokens)) for i in range(n)
    ]
    seconds, texts = {}, {}
    for replicas in (1, gpus):
        spec = ModelSpec(
            backend="vllm", model=model, dtype="bfloat16", max_model_len=1024,
            gpu_memory_utilization=0.5, replicas=replicas,
        )  # fmt: skip
        backend = VLLMBackend(spec)
        backend.generate(requests[: max(1, n // 8)])  # warm-up
        start = time.perf_counter()
        out = backend.generate(requests)
        seconds[replicas] = time.perf_counter() - start
        texts[replicas] = [g.text if isinstance(g, Generation) else "" for g in out]
        backend.close()
    return {
        "replicas": gpus,
        "calls_per_s": {str(r): round(n / s, 1) for r, s in seconds.items()},
        "speedup": round(seconds[1] / seconds[gpus], 2),
        "same_texts": texts[1] == texts[gpus],
    }


def train_dir(out: Path, config: str, attn: str | None, steps: int) -> None:
    """Write the scratch checkout described in the module docstring to `out`."""
    (out / "data").mkdir(parents=True, exist_ok=True)
    chats = []
    for i in range(96):
        a, b = i % 97, (7 * i) % 89
        chats.append((_chat(i), f"{a} plus {b} is {a + b}.", f"{a} plus {b} is {a + b + 1}."))
    sft = [[*prompt, {"role": "assistant", "content": good}] for prompt, good, _ in chats]
    io.write_parquet(
        pl.DataFrame({"messages": sft}, schema={"messages": MESSAGES}), out / "data/sft.parquet"
    )
    dpo = {
        "prompt": [prompt for prompt, _, _ in chats],
        "chosen": [[{"role": "assistant", "content": good}] for _, good, _ in chats],
        "rejected": [[{"role": "assistant", "content": bad}] for _, _, bad in chats],
    }
    io.write_parquet(
        pl.DataFrame(dpo, schema=dict.fromkeys(dpo, MESSAGES)), out / "data/dpo.parquet"
    )
    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    params["train"] = {"launcher": {"kind": "accelerate", "config": config, "num_processes": 1}}
    small = {
        "max_steps": steps,
        "precision": "bf16",  # a CPU trains in fp32 whatever this says
        "attn_implementation": attn,
        "eval_size": 4,
        "logging_steps": 1,
        "save_steps": 1000,
        "max_length": 512,
        "gradient_checkpointing": False,
        "lora": None,
        "checkpoint_dir": "checkpoints",
        "live_dir": "dvclive",
    }
    params["train_sft"] = {**params["train_sft"], **small, "model": str(TINY), "batch_size": 4}
    params["train_dpo"] = {
        **params["train_dpo"],
        **small,
        "model": "models/student-sft",
        "batch_size": 4,
        "gen_max_new_tokens": 16,
    }
    (out / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("vllm")
    v.add_argument("--model", default=str(TINY))
    v.add_argument("--prompts", type=int, default=512)
    v.add_argument("--rounds", type=int, default=3)
    v.add_argument("--max-tokens", type=int, default=32)
    v.add_argument("--gpus", type=int, default=1, help="2+: also one replica per GPU")
    t = sub.add_parser("train-dir")
    t.add_argument("dir", type=Path)
    t.add_argument("--config", required=True, help="the accelerate config file")
    t.add_argument("--attn", default=None, help="attn_implementation (default: transformers')")
    t.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    if args.command == "vllm":
        result = bench_vllm(args.model, args.prompts, args.rounds, args.max_tokens)
        print("vllm:", json.dumps(result), flush=True)
        if args.gpus > 1:
            replicas = bench_replicas(args.model, args.gpus, 4 * args.prompts, args.max_tokens)
            print("vllm replicas:", json.dumps(replicas), flush=True)
    else:
        train_dir(args.dir, args.config, args.attn, args.steps)


if __name__ == "__main__":
    main()
