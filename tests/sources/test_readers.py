import json
from pathlib import Path

import datasets
import polars as pl
import pytest

from distilpipe.errors import InputError
from distilpipe.sources.readers import read_dataset, read_hub, read_path
from tests.conftest import magpie_record, write_jsonl


def test_jsonl_positions_are_line_numbers_even_with_blank_lines(tmp: Path) -> None:
    path = tmp / "a.jsonl"
    path.write_text('{"a": 1}\n\n{"a": 2}\n   \n{"a": 3}', encoding="utf-8")
    raw = read_path(path)
    assert raw.frame["a"].to_list() == [1, 2, 3]
    # Record numbers are mapped to line numbers only when asked (for rejects).
    assert raw.frame["_pos"].to_list() == [1, 2, 3]
    assert raw.locate(str(path), [1, 2, 3]) == ("line", [1, 3, 5])


def test_json_array_pretty_printed(tmp: Path) -> None:
    path = tmp / "a.json"
    path.write_text(json.dumps([magpie_record(1), magpie_record(2)], indent=4), encoding="utf-8")
    raw = read_path(path)
    assert raw.frame.height == 2
    assert raw.frame["_pos"].to_list() == [1, 2]
    assert raw.units[str(path)] == "record"


def test_json_file_holding_lines_is_read_as_lines(tmp: Path) -> None:
    path = write_jsonl(tmp / "a.json", [{"a": 1}, {"a": 2}])
    assert read_path(path).frame["a"].to_list() == [1, 2]


def test_directory_of_parquet_shards_in_name_order(tmp: Path) -> None:
    shards = tmp / "shards"
    shards.mkdir()
    pl.DataFrame({"a": [3, 4]}).write_parquet(shards / "part-001.parquet")
    pl.DataFrame({"a": [1, 2], "b": ["x", "y"]}).write_parquet(shards / "part-000.parquet")
    (shards / "README.md").write_text("not data")
    raw = read_path(shards)
    assert raw.frame["a"].to_list() == [1, 2, 3, 4]
    assert raw.frame["b"].to_list() == ["x", "y", None, None]
    assert raw.frame["_file"].to_list()[2].endswith("part-001.parquet")
    assert raw.frame["_pos"].to_list() == [1, 2, 1, 2]


def test_missing_path_and_empty_folder(tmp: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_path(tmp / "nope.jsonl")
    (tmp / "empty").mkdir()
    with pytest.raises(InputError, match=r"no \.jsonl"):
        read_path(tmp / "empty")


def test_unreadable_parquet(tmp: Path) -> None:
    path = tmp / "bad.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match=r"bad.parquet: not a readable Parquet file"):
        read_path(path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b'{"a": 2, "b": "trunc', "invalid JSON: Unterminated string"),
        (b"[1, 2]", "not a JSON object (got array)"),
        (b'"text"', "not a JSON object (got string)"),
        (b'{"a": "\xff\xfe"}', "invalid UTF-8 at byte 8"),
        (b'{"a": [1]}', "field 'a' is an array here but number on line 1"),
    ],
)
def test_bad_line_fails_naming_file_and_line(tmp: Path, line: bytes, message: str) -> None:
    path = tmp / "bad.jsonl"
    path.write_bytes(b'{"a": 1}\n' + line + b'\n{"a": 3}\n')
    with pytest.raises(InputError) as info:
        read_path(path)
    assert str(info.value).startswith(f"{path}:2: ")
    assert message in str(info.value)


def test_bad_lines_skipped_with_on_error_skip(tmp: Path) -> None:
    path = tmp / "bad.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": \n7\n\n{"a": 4}\n')
    raw = read_path(path, on_error="skip")
    assert raw.frame["a"].to_list() == [1, 4]
    assert raw.frame["_pos"].to_list() == [1, 5]
    assert [(b.line, b.reason.split(":")[0]) for b in raw.bad] == [
        (2, "invalid JSON"),
        (3, "not a JSON object (got number)"),
    ]
    assert raw.bad[0].text == '{"a": '


def test_json_array_bad_element(tmp: Path) -> None:
    path = tmp / "bad.json"
    path.write_text('[\n  {"a": 1},\n  5,\n  {"a": 3}\n]', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.json:3: record 2: not a JSON object"):
        read_path(path)
    raw = read_path(path, on_error="skip")
    assert raw.frame["a"].to_list() == [1, 3]
    assert raw.frame["_pos"].to_list() == [1, 3]
    assert raw.bad[0].unit == "record" and raw.bad[0].line == 2


def test_json_array_syntax_error_fails_even_when_skipping(tmp: Path) -> None:
    path = tmp / "bad.json"
    path.write_text('[\n  {"a": 1},\n  {"a": }\n]', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.json:3: invalid JSON"):
        read_path(path, on_error="skip")


def test_dataset_saved_to_disk_and_in_memory(tmp: Path) -> None:
    ds = datasets.Dataset.from_list([magpie_record(i) for i in range(5)])
    in_memory = read_dataset(ds, label="mem", limit=3)
    assert in_memory.frame["uuid"].to_list() == [magpie_record(i)["uuid"] for i in range(3)]
    assert in_memory.frame["_pos"].to_list() == [1, 2, 3]
    ds.save_to_disk(str(tmp / "single"))
    datasets.DatasetDict({"train": ds}).save_to_disk(str(tmp / "dict"))
    single = read_hub(str(tmp / "single"))
    from_dict = read_hub(str(tmp / "dict"), split="train", limit=2)
    assert single.frame.height == 5
    assert from_dict.frame.height == 2
    assert single.frame["conversations"][0].to_list()[0]["from"] == "human"
