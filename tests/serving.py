"""Servers on loopback for tests: `transformers serve` (the real OpenAI-compatible server),
and the base of the scripted fakes (`LoopbackServer`)."""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx2
import pytest

SERVE_READY_S = 45.0


class LoopbackServer:
    """A fake HTTP server on 127.0.0.1 (a free port), served from a daemon thread between
    `start()` and `stop()`. Its handler reaches the fake as `self.server.fake`; `lock` guards
    what the handler's threads record."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.server.fake = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve_command() -> list[str]:
    for name in ("fastapi", "uvicorn"):
        if importlib.util.find_spec(name) is None:
            pytest.skip(f"transformers serve needs {name}: pip install 'transformers[serving]'")
    cli = Path(sys.executable).with_name("transformers")
    if not cli.exists():
        pytest.skip(f"no transformers CLI next to {sys.executable}")
    return [str(cli), "serve"]


@contextmanager
def transformers_serve(log_path: Path, model: Path | None = None) -> Iterator[str]:
    """Start `transformers serve` on a free loopback port; yield its /v1 URL; stop it.

    `model` pins one model for every request; without it the server loads the model each
    request names (a local folder's path works) on demand.
    """
    command = _serve_command()
    port = _free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    args = ["--host", "127.0.0.1", "--port", str(port), "--device", "cpu"]
    if model is not None:
        args.append(str(model))
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command + args, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        deadline = time.monotonic() + SERVE_READY_S
        while True:
            if proc.poll() is not None:
                tail = log_path.read_text(errors="replace")[-2000:]
                pytest.fail(f"transformers serve exited with {proc.returncode}:\n{tail}")
            with suppress(httpx2.TransportError):
                if httpx2.get(f"http://127.0.0.1:{port}/health", timeout=1.0).is_success:
                    break
            if time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-2000:]
                pytest.fail(f"transformers serve not ready in {SERVE_READY_S} s:\n{tail}")
            time.sleep(0.25)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
