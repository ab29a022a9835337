import json
from pathlib import Path

import polars as pl
import pytest

from distilpipe.errors import InputError
from distilpipe.sources import ingest_records, read_path
from tests.conftest import magpie_record, write_jsonl


def _messages(result_rows: pl.DataFrame) -> list[list[tuple[str, str]]]:
    return [[(m["role"], m["content"]) for m in row] for row in result_rows["messages"].to_list()]


def test_magpie_maps_conversations_and_keeps_other_fields_in_meta(tmp: Path) -> None:
    path = write_jsonl(tmp / "m.jsonl", [magpie_record(1)])
    result = ingest_records(read_path(path), "magpie", "magpie")
    row = result.rows.row(0, named=True)
    assert _messages(result.rows) == [[("user", "What is 1 + 1?"), ("assistant", "1 + 1 = 2.")]]
    assert row["source"] == "magpie"
    assert row["source_id"] == "00000000-0000-4000-8000-000000000001"
    assert row["origin"] == "source" and row["parent_id"] is None and row["lang"] == "und"
    meta = json.loads(row["meta"])
    assert meta == {
        "model": "Qwen/Qwen2-72B-Instruct",
        "task_category": "Math",
        "difficulty": "easy",
        "language": "EN",
    }


def test_openhermes_system_prompt_multi_turn_and_turn_weights(tmp: Path) -> None:
    record = {
        "custom_instruction": None,
        "conversations": [
            {"from": "system", "value": "You are a pirate.", "weight": None},
            {"from": "human", "value": "Hi", "weight": 0.0},
            {"from": "gpt", "value": "Arr!", "weight": 1.0},
            {"from": "human", "value": "Bye", "weight": 0.0},
            {"from": "gpt", "value": "Farewell, matey.", "weight": 1.0},
        ],
        "source": "airoboros2.2",
        "category": "roleplay",
        "id": None,
    }
    path = tmp / "o.json"
    path.write_text(json.dumps([record], indent=4), encoding="utf-8")
    result = ingest_records(read_path(path), "openhermes", "openhermes")
    assert [r for r, _ in _messages(result.rows)[0]] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
    ]
    row = result.rows.row(0, named=True)
    assert row["source_id"] is None
    meta = json.loads(row["meta"])
    assert meta["source"] == "airoboros2.2"
    assert meta["conversations.weight"] == [None, 0.0, 1.0, 0.0, 1.0]


def test_mammoth2_question_answer(tmp: Path) -> None:
    record = {
        "orig_question": "<p>int x</p>",
        "orig_answer": "Hint: power rule",
        "question": r"Compute $\int_0^1 x\,dx$.",
        "answer": r"$\frac{1}{2}$",
        "source": "mathstackexchange",
        "index": 1000012,
    }
    path = write_jsonl(tmp / "w.jsonl", [record, {**record, "answer": None, "index": 7}])
    result = ingest_records(read_path(path), "mammoth2", "mammoth2")
    assert _messages(result.rows) == [
        [("user", record["question"]), ("assistant", record["answer"])]
    ]
    assert result.rows["source_id"].to_list() == ["1000012"]
    assert json.loads(result.rows["meta"][0]) == {
        "orig_question": "<p>int x</p>",
        "orig_answer": "Hint: power rule",
        "source": "mathstackexchange",
    }
    assert result.reason_counts["missing_field"] == 1
    assert result.rejects[0]["field"] == "answer"
    assert result.rejects[0]["line"] == 2


def test_sharegpt_with_role_map(tmp: Path) -> None:
    record = {
        "id": "c1",
        "conversations": [
            {"from": "USER", "value": "Hello"},
            {"from": "bot", "value": "Hi there"},
        ],
    }
    path = write_jsonl(tmp / "s.jsonl", [record])
    unmapped = ingest_records(read_path(path), "sharegpt", "s")
    assert unmapped.reason_counts["unknown_role"] == 1
    mapped = ingest_records(read_path(path), "sharegpt", "s", {"USER": "user", "bot": "assistant"})
    assert _messages(mapped.rows) == [[("user", "Hello"), ("assistant", "Hi there")]]
    assert mapped.rows["source_id"].to_list() == ["c1"]


def test_messages_format_from_parquet(tmp: Path) -> None:
    frame = pl.DataFrame(
        {
            "messages": [
                [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]
            ],
            "quality": [0.9],
        }
    )
    frame.write_parquet(tmp / "m.parquet")
    result = ingest_records(read_path(tmp / "m.parquet"), "messages", "m")
    assert _messages(result.rows) == [[("user", "2+2?"), ("assistant", "4")]]
    assert json.loads(result.rows["meta"][0]) == {"quality": 0.9}


def test_wrong_format_names_the_missing_field(tmp: Path) -> None:
    path = write_jsonl(tmp / "w.jsonl", [{"question": "q", "answer": "a"}])
    with pytest.raises(InputError, match=r"w.jsonl: no field 'conversations' in any record"):
        ingest_records(read_path(path), "magpie", "w")


def test_turns_that_are_not_objects(tmp: Path) -> None:
    path = write_jsonl(tmp / "w.jsonl", [{"conversations": ["hi", "there"]}])
    with pytest.raises(InputError, match="must be a list of objects"):
        ingest_records(read_path(path), "sharegpt", "w")


def test_same_conversation_gets_same_id_across_formats(tmp: Path) -> None:
    magpie = write_jsonl(tmp / "m.jsonl", [magpie_record(3)])
    mammoth = write_jsonl(
        tmp / "w.jsonl", [{"question": "What is 3 + 3?", "answer": "3 + 3 = 6.", "index": 1}]
    )
    a = ingest_records(read_path(magpie), "magpie", "magpie").rows["id"][0]
    b = ingest_records(read_path(mammoth), "mammoth2", "mammoth2").rows["id"][0]
    assert a == b
