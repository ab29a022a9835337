import json
import os
from pathlib import Path
from typing import Any

import pytest


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
