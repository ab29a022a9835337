import json
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
