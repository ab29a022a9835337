import json
import os
from pathlib import Path
from typing import Any

import pytest

from distilpipe.bootstrap import (
    EOS_TOKEN,
    PAD_TOKEN,
    build_model,
    save_model,
    train_briefly,
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


# The session's default pipeline run, shared by tests/e2e and tests/reliability: defined
# here, once, so both get the same instance.
KILLPOINTS = Path(__file__).parent / "reliability" / "killpoints"


@pytest.fixture(scope="session")
def golden(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole pipeline on the default params, run once per test session and committed,
    with every stage's kill points logged to `events.log` (the kill-and-resume suite draws
    from them; logging changes nothing else). Tests take a `copy_of` it rather than run the
    pipeline again. Holds `repo/`, `llm-cache/` (the calls of that run) and `events.log`."""
    from tests.e2e.conftest import make_repo, run

    base = tmp_path_factory.mktemp("golden")
    env = {
        "DISTILPIPE_CACHE_DIR": str(base / "llm-cache"),
        "DISTILPIPE_KILL_SCRIPT": "*",
        "DISTILPIPE_KILL_LOG": str(base / "events.log"),
        "PYTHONPATH": os.pathsep.join(
            [str(KILLPOINTS), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    with pytest.MonkeyPatch.context() as monkeypatch:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        repo = make_repo(base / "repo")
        run(repo, "dvc", "repro")
        run(repo, "git", "add", "-A")
        run(repo, "git", "commit", "-qm", "the default pipeline")
    return base


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
    train_briefly(
        model, tokenizer, [CHAT] * 4, steps=60, batch_size=4, max_length=128, lr=1e-2, seed=0
    )
    out = tmp_path_factory.mktemp("tiny") / "student"
    save_model(model, tokenizer, out)
    return out
