from __future__ import annotations

import json
import os
import secrets
import subprocess
from pathlib import Path
from typing import Any

import pytest

from distilpipe.bootstrap import (
    EOS_TOKEN,
    PAD_TOKEN,
    build_model,
    encode,
    save_model,
    train,
    train_tokenizer,
)


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return path


def magpie_record(i: int, instruction: str = "", response: str = "") -> dict[str, Any]:
    instruction = instruction or f"What is {i} + {i}?"
    response = response or f"{i} + {i} = {2 * i}."
    return {
        "uuid": f"00000000-0000-4000-8000-{i:012d}",
        "model": "Qwen/Qwen2-72B-Instruct",
        "instruction": instruction,
        "response": response,
        "conversations": [
            {"from": "human", "value": instruction},
            {"from": "gpt", "value": response},
        ],
        "task_category": "Math",
        "difficulty": "easy",
        "language": "EN",
    }


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    return tmp_path


# The kill suite's draw (tests/reliability/test_kill_every_stage.py): one kill point per stage
# per run, from this seed, printed in the header so any failure reproduces; a new seed each
# run unless set, so successive runs cover every point.
KILL_SEED = int(os.environ.get("DISTILPIPE_KILL_SEED") or secrets.randbelow(1_000_000))


def pytest_report_header(config: pytest.Config) -> str:
    every = os.environ.get("DISTILPIPE_KILL_POINTS") == "all"
    return f"kill points: DISTILPIPE_KILL_SEED={KILL_SEED}" + (" (every point)" if every else "")


# The session's default pipeline run, shared by tests/e2e, tests/reliability and tests/train:
# defined here, once, so all get the same instance. It is started in the background as soon
# as the tests are collected, so the fast tests (which run first) overlap it.


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tiers: a test that uses the session's default run is `slow`. Fast tests run first,
    then the slow ones that do not need the default run (both while it runs in the
    background), then those that do (a stable sort, so a module keeps its order)."""

    def golden(item: pytest.Item) -> bool:
        return "golden" in getattr(item, "fixturenames", ())

    for item in items:
        if golden(item):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: (item.get_closest_marker("slow") is not None, golden(item)))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the default run now if a selected test needs it."""
    if session.config.option.collectonly:
        return
    if any("golden" in getattr(item, "fixturenames", ()) for item in session.items):
        session.config.stash[_GOLDEN] = _GoldenRun.start(session.config)


class _GoldenRun:
    """`dvc repro` of the default params in a fresh git + DVC copy of the project, with every
    stage's kill points logged to `events.log` (the kill suite draws from them; logging
    changes nothing else), run in the background."""

    def __init__(self, base: Path, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.base, self.proc, self.log = base, proc, log
        self.done = False

    @classmethod
    def start(cls, config: pytest.Config) -> _GoldenRun:
        from tests.project import kill_env, make_repo, tool_env

        base = config._tmp_path_factory.mktemp("golden")  # type: ignore[attr-defined]
        repo = make_repo(base / "repo")
        env = {
            "DISTILPIPE_CACHE_DIR": str(base / "llm-cache"),
            **kill_env("*", log=base / "events.log"),
        }
        log = base / "repro.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                ["dvc", "repro"], cwd=repo, env=tool_env(env), stdout=out, stderr=subprocess.STDOUT
            )
        golden = cls(base, proc, log)
        config.add_cleanup(golden.stop)
        return golden

    def wait(self) -> Path:
        from tests.project import run

        if not self.done:
            code = self.proc.wait(timeout=GOLDEN_DEADLINE_S)
            assert code == 0, f"the default run failed:\n{self.log.read_text()[-20000:]}"
            run(self.base / "repo", "git", "add", "-A")
            run(self.base / "repo", "git", "commit", "-qm", "the default pipeline")
            self.done = True
        return self.base

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


_GOLDEN = pytest.StashKey[_GoldenRun]()
GOLDEN_DEADLINE_S = 3600  # a hang, not a speed limit


@pytest.fixture(scope="session")
def golden(pytestconfig: pytest.Config) -> Path:
    """The whole pipeline on the default params, run once per test session and committed.
    Tests take a `copy_of` it rather than run the pipeline again. Holds `repo/`,
    `llm-cache/` (the calls of that run), `events.log` (kill points) and `repro.log`."""
    return pytestconfig.stash[_GOLDEN].wait()


@pytest.fixture
def hub_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Hub offline for this test, as HF_HUB_OFFLINE=1 at start-up makes it: the flag in
    the environment and in the libraries that read it once, at import. So a load fails at
    once, whatever the machine's network does with a request."""
    import datasets
    import huggingface_hub.constants

    for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"):
        monkeypatch.setenv(name, "1")
        monkeypatch.setattr(datasets.config, name, True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)


@pytest.fixture
def inject_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenAI backends made in this test see the fake server's SLOW replies as timeouts
    (tests/llm/test_openai_backend.py), at once: no test waits for a timeout to pass."""
    import httpx2

    from tests.llm.test_openai_backend import TimeoutInjectingClient

    monkeypatch.setattr(httpx2, "Client", TimeoutInjectingClient)


# The conversation of the "How to use" snippet, with an answer the tiny model learns by heart,
# so that the snippet's greedy output is known.
CHAT = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Give me a short introduction to large language models."},
    {"role": "assistant", "content": "They are big models of text."},
]


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Qwen2 folder as the bootstrap stage writes one (config, safetensors weights,
    tokenizer with its chat template), trained on CHAT until it answers it word for word."""
    texts = [m["role"] + "\n" + m["content"] for m in CHAT]
    tokenizer = train_tokenizer(texts * 4, vocab_size=300)
    model = build_model(
        len(tokenizer),
        64,
        2,
        1,
        128,
        seed=0,
        eos_token_id=tokenizer.convert_tokens_to_ids(EOS_TOKEN),
        pad_token_id=tokenizer.convert_tokens_to_ids(PAD_TOKEN),
    )
    pad = tokenizer.convert_tokens_to_ids(PAD_TOKEN)
    encoded = encode(tokenizer, [CHAT] * 4)
    train(model, encoded, steps=60, tokens_per_batch=512, lr=1e-2, seed=0, pad_id=pad)
    out = tmp_path_factory.mktemp("tiny") / "student"
    save_model(model, tokenizer, out)
    return out
