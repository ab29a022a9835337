from pathlib import Path

from distilpipe.sources import REASONS, ingest_records, read_path
from distilpipe.sources.rows import message_id
from tests.conftest import write_jsonl


def _conv(*turns: tuple[str | None, str | None]) -> dict:
    return {"conversations": [{"from": r, "value": v} for r, v in turns]}


CASES = {
    "ok": _conv(("human", "Hi"), ("gpt", "Hello")),
    "missing_field": {"conversations": None},
    "missing_field_turn": _conv(("human", None), ("gpt", "x")),
    "unknown_role": _conv(("human", "Hi"), ("robot", "Hello")),
    "empty_turn": _conv(("human", "Hi"), ("gpt", " \n\t ")),
    "empty_after_normalising": _conv(("human", "\x07\x00"), ("gpt", "x")),
    "no_assistant": _conv(("human", "Hi")),
    "no_turns": {"conversations": []},
    "role_order": _conv(("gpt", "Hello"), ("human", "Hi")),
    "ends_with_user": _conv(("human", "Hi"), ("gpt", "Hello"), ("human", "And?")),
    "system_late": _conv(("human", "Hi"), ("system", "s"), ("gpt", "Hello")),
    "two_users": _conv(("human", "Hi"), ("human", "Hi again"), ("gpt", "Hello")),
}
EXPECTED = {
    "missing_field": "missing_field",
    "missing_field_turn": "missing_field",
    "unknown_role": "unknown_role",
    "empty_turn": "empty_turn",
    "empty_after_normalising": "empty_turn",
    "no_assistant": "no_assistant",
    "no_turns": "no_assistant",
    "role_order": "role_order",
    "ends_with_user": "role_order",
    "system_late": "role_order",
    "two_users": "role_order",
}


def test_every_rejection_reason(tmp: Path) -> None:
    path = write_jsonl(tmp / "c.jsonl", list(CASES.values()))
    result = ingest_records(read_path(path), "sharegpt", "c")
    assert result.rows.height == 1
    reasons = {r["line"]: r["reason"] for r in result.rejects}
    names = list(CASES)
    assert {names[line - 1]: reason for line, reason in reasons.items()} == EXPECTED
    assert set(result.reason_counts) == {*REASONS, "unparseable"}
    assert result.metrics("c")["rejected"] == len(EXPECTED)
    assert result.metrics("c")["records"] == len(CASES)
    # A rejected record is kept whole in the rejects, so nothing is lost silently.
    assert '"robot"' in next(r["record"] for r in result.rejects if r["reason"] == "unknown_role")


def test_unparseable_lines_counted_in_skip_mode(tmp: Path) -> None:
    path = tmp / "c.jsonl"
    path.write_text(
        '{"conversations": [{"from": "human", "value": "Hi"}, '
        '{"from": "gpt", "value": "Yo"}]}\n{"conversations": [\n',
        encoding="utf-8",
    )
    result = ingest_records(read_path(path, on_error="skip"), "sharegpt", "c")
    assert result.rows.height == 1
    assert result.reason_counts["unparseable"] == 1
    assert result.rejects == [
        {
            "file": str(path),
            "line": 2,
            "reason": "unparseable",
            "detail": "invalid JSON: Expecting value at column 20",
            "text": '{"conversations": [',
        }
    ]


def test_text_is_nfc_without_control_characters(tmp: Path) -> None:
    path = write_jsonl(
        tmp / "c.jsonl", [_conv(("human", "Cafe\u0301\r\n\tbell\x07\x9f"), ("gpt", "ok"))]
    )
    result = ingest_records(read_path(path), "sharegpt", "c")
    messages = result.rows["messages"][0].to_list()
    assert messages[0]["content"] == "Caf\u00e9\n\tbell"
    assert result.rows["id"][0] == message_id(messages)


def test_ids_are_content_hashes(tmp: Path) -> None:
    a = _conv(("human", "Hi"), ("gpt", "Hello"))
    b = _conv(("human", "Hi"), ("gpt", "Hello!"))
    c = _conv(("system", "Hi"), ("human", "Hi"), ("gpt", "Hello"))
    path = write_jsonl(tmp / "c.jsonl", [a, b, a, c])
    ids = ingest_records(read_path(path), "sharegpt", "c").rows["id"].to_list()
    assert ids[0] == ids[2]
    assert len({ids[0], ids[1], ids[3]}) == 3
    assert all(len(i) == 32 for i in ids)


def test_rejects_name_the_line_even_after_blank_lines(tmp: Path) -> None:
    path = tmp / "c.jsonl"
    good = '{"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Yo"}]}'
    path.write_text(f'{good}\n\n\n{{"conversations": null}}\n{good}\n', encoding="utf-8")
    result = ingest_records(read_path(path), "sharegpt", "c")
    assert [(r["line"], r["reason"]) for r in result.rejects] == [(4, "missing_field")]
