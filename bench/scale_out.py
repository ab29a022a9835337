"""Scale-out: one stage driver, 1, 2, 4 and 8 OpenAI-compatible servers on loopback.

Each fake server is its own process: an asyncio HTTP/1.1 server that answers a chat
completion after a fixed latency, with a fixed number of requests in service at once (the
"slots" of a real engine's batch), and queues the rest. So one server's throughput is
slots / latency, and N servers can at best do N times that. The driver is the real stage
path: `LLMClient` (cache-through, batches) over the `openai` backend with every server in
`base_url`, `max_concurrency_per_endpoint` = slots, and a fresh call cache per run.

Printed per server count: wall seconds, calls/s, speed-up over one server, efficiency
(speed-up / N), and the driver's CPU time per call (its process time, servers excluded).
Then one server is killed (SIGKILL) a third of the way through a run on 4 servers: every
request must still be answered, and the cache must hold each call exactly once.

Usage: python bench/scale_out.py [--requests 5000] [--latency 0.1] [--slots 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from distilpipe.llm.cache import CallCache
from distilpipe.llm.client import LLMClient, row_seed
from distilpipe.llm.openai_backend import OpenAIBackend
from distilpipe.llm.types import GenerateRequest, Generation, Sampling
from distilpipe.params import ModelSpec

READY_S = 30.0


# --- the fake server (run as `python bench/scale_out.py --serve PORT LATENCY SLOTS`) -------


async def _serve(port: int, latency: float, slots: int) -> None:
    gate = asyncio.Semaphore(slots)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method = lines[0].split(" ")[0]
                length = 0
                for line in lines[1:]:
                    if line.lower().startswith("content-length:"):
                        length = int(line.split(":", 1)[1])
                body = await reader.readexactly(length) if length else b""
                if method == "GET":
                    payload = {"object": "list", "data": [{"id": "fake"}]}
                else:
                    request = json.loads(body)
                    async with gate:
                        await asyncio.sleep(latency)
                    text = "echo: " + request["messages"][-1]["content"]
                    payload = {
                        "id": "x",
                        "object": "chat.completion",
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": text},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": len(text.split()), "completion_tokens": 2},
                    }
                data = json.dumps(payload).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(data)}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


# --- the driver ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(n: int, latency: float, slots: int) -> tuple[list[subprocess.Popen[bytes]], list[str]]:
    procs, urls = [], []
    for _ in range(n):
        port = _free_port()
        cmd = [sys.executable, __file__, "--serve", str(port), str(latency), str(slots)]
        procs.append(subprocess.Popen(cmd))
        urls.append(f"http://127.0.0.1:{port}/v1")
    deadline = time.monotonic() + READY_S
    for url in urls:
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"fake server on {port} did not start") from None
                time.sleep(0.05)
    return procs, urls


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()


def _requests(n: int, tag: str) -> list[GenerateRequest]:
    out = []
    for i in range(n):
        text = f"[{tag}] judge request {i}: grade this answer"
        out.append(
            GenerateRequest(
                ({"role": "user", "content": text},),
                Sampling(max_new_tokens=16, seed=row_seed(text, tag)),
            )
        )
    return out


def _client(urls: list[str], slots: int, cache: CallCache) -> LLMClient:
    spec = ModelSpec(
        backend="openai",
        model="fake",
        base_url=urls,
        max_concurrency=slots * len(urls),
        max_concurrency_per_endpoint=slots,
        timeout_s=30.0,
        max_attempts=6,
        endpoint_backoff_s=60.0,
    )
    # A client batch is what runs concurrently: keep it well above the total concurrency.
    return LLMClient(OpenAIBackend(spec), cache, batch_size=4 * slots * len(urls), name="bench")


def run(n: int, requests: int, latency: float, slots: int, root: Path) -> dict[str, float]:
    procs, urls = _start(n, latency, slots)
    try:
        with CallCache(root / f"cache-{n}") as cache:
            client = _client(urls, slots, cache)
            batch = _requests(requests, f"scale-{n}")
            wall, cpu = time.perf_counter(), time.process_time()
            results = client.generate(batch)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            client.backend.close()  # type: ignore[attr-defined]
        assert all(isinstance(r, Generation) for r in results)
    finally:
        _stop(procs)
    return {"seconds": wall, "calls_s": requests / wall, "cpu_ms_per_call": 1000 * cpu / requests}


def kill_one(requests: int, latency: float, slots: int, root: Path) -> dict[str, int]:
    procs, urls = _start(4, latency, slots)
    try:
        with CallCache(root / "cache-kill") as cache:
            client = _client(urls, slots, cache)
            killed = threading.Event()

            def killer() -> None:
                while client.stats.cache_misses < requests // 3:
                    time.sleep(0.01)
                procs[1].send_signal(signal.SIGKILL)
                killed.set()

            threading.Thread(target=killer, daemon=True).start()
            results = client.generate(_requests(requests, "kill"))
            pool = client.backend.pool.stats()  # type: ignore[attr-defined]
            client.backend.close()  # type: ignore[attr-defined]
            rows = len(cache.entries())
    finally:
        _stop(procs)
    return {
        "killed": int(killed.is_set()),
        "answered": sum(isinstance(r, Generation) for r in results),
        "failed": sum(not isinstance(r, Generation) for r in results),
        "cache_entries": rows,
        "killed_endpoint_ejections": pool[1]["ejections"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request")
    parser.add_argument("--slots", type=int, default=16, help="requests in service per server")
    parser.add_argument("--serve", nargs=3, metavar=("PORT", "LATENCY", "SLOTS"))
    args = parser.parse_args()
    if args.serve:
        port, latency, slots = int(args.serve[0]), float(args.serve[1]), int(args.serve[2])
        asyncio.run(_serve(port, latency, slots))
        return
    ideal = args.slots / args.latency
    print(
        f"{args.requests:,} requests; each server: {args.slots} slots x {args.latency:.3f} s "
        f"= {ideal:,.0f} calls/s at best; machine: {os.cpu_count()} cores"
    )
    header = ("servers", 7), ("seconds", 8), ("calls/s", 9), ("speed-up", 9), ("eff.", 6)
    print(" ".join(f"{name:>{width}}" for name, width in header), f"{'cpu ms/call':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        base = None
        for n in (1, 2, 4, 8):
            r = run(n, args.requests, args.latency, args.slots, Path(tmp) / str(n))
            base = base or r["calls_s"]
            speedup = r["calls_s"] / base
            print(
                f"{n:>7} {r['seconds']:>8.2f} {r['calls_s']:>9,.0f} {speedup:>8.2f}x "
                f"{speedup / n:>6.2f} {r['cpu_ms_per_call']:>12.3f}"
            )
        # The machine's own ceiling: 8 servers answering at once (latency 0), so calls/s is
        # bound only by the CPU the driver and the servers share here.
        c = run(8, args.requests, 0.0, args.slots, Path(tmp) / "ceiling")
        best = min(8 * ideal, c["calls_s"])
        print(
            f"ceiling here (8 servers, no latency): {c['calls_s']:,.0f} calls/s, "
            f"{c['cpu_ms_per_call']:.3f} driver cpu ms/call; 8 servers reached "
            f"{r['calls_s'] / best:.0%} of min(8 x {ideal:,.0f}, ceiling)"
        )
        k = kill_one(args.requests, args.latency, args.slots, Path(tmp))
        print(
            f"one of 4 servers killed mid-run: {k['answered']:,} answered, {k['failed']} failed, "
            f"{k['cache_entries']:,} cache entries for {args.requests:,} requests, "
            f"killed endpoint ejected {k['killed_endpoint_ejections']}x"
        )


if __name__ == "__main__":
    main()
