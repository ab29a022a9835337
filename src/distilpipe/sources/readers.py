"""Read raw source records from JSON Lines, JSON arrays, Parquet, shard folders and `datasets`.

Every reader returns a `RawRecords`: one polars row per source record with the source's own
fields untouched, plus `_file` (the file it came from) and `_pos` (1-based: a record number,
or a line number where the line scan ran; `RawRecords.units` says which, and
`RawRecords.locate` turns JSON Lines record numbers into line numbers when a reject needs one).

The fast path hands the whole file to pyarrow's parallel JSON reader (JSON Lines) or polars'
(JSON arrays, and JSON Lines whose types disagree across lines). Only when that fails does a
slow line-by-line scan run, to say exactly which line is wrong (`FILE:LINE: ...`) or, with
`on_error: skip`, to set such lines aside and read the rest.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl
import pyarrow as pa
import pyarrow.json as pa_json

from distilpipe.errors import InputError

OnError = Literal["fail", "skip"]
FILE_SUFFIXES = (".jsonl", ".ndjson", ".json", ".parquet")
_BLOCK = 16 << 20


@dataclass(frozen=True)
class BadRecord:
    """A line or record that could not be parsed at all."""

    file: str
    line: int
    reason: str
    text: str
    unit: str = "line"


@dataclass
class RawRecords:
    """Source records as read, before any mapping to the row schema."""

    frame: pl.DataFrame
    bad: list[BadRecord] = field(default_factory=list)
    # file -> "line" | "record" | "jsonl-record" (a JSON Lines record number; see locate)
    units: dict[str, str] = field(default_factory=dict)

    def locate(self, file: str, positions: list[int]) -> tuple[str, list[int]]:
        """(unit, numbers) for `_pos` values of `file`: JSON Lines record numbers become line
        numbers here, only when asked (for rejects), so the fast path never counts lines."""
        unit = self.units.get(file, "record")
        if unit != "jsonl-record":
            return unit, positions
        lines = _nonblank_line_numbers(Path(file))
        return "line", [lines[p - 1] for p in positions]


def read_path(path: str | Path, on_error: OnError = "fail") -> RawRecords:
    """Read one file, or every `.jsonl/.ndjson/.json/.parquet` file under a folder (sorted)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in FILE_SUFFIXES)
        if not files:
            raise InputError(str(path), f"no {'/'.join(FILE_SUFFIXES)} files in this folder")
    elif path.is_file():
        files = [path]
    else:
        raise InputError(str(path), "no such file or folder")
    parts = [_read_file(f, on_error) for f in files]
    return RawRecords(
        frame=pl.concat([p.frame for p in parts], how="diagonal_relaxed"),
        bad=[b for p in parts for b in p.bad],
        units={k: v for p in parts for k, v in p.units.items()},
    )


def _read_file(path: Path, on_error: OnError) -> RawRecords:
    name = str(path)
    if path.suffix == ".parquet":
        try:
            frame = pl.read_parquet(path)
        except Exception as exc:  # polars raises several error types for a bad file
            raise InputError(name, f"not a readable Parquet file: {_first_line(exc)}") from exc
        return RawRecords(_with_position(frame, name, None), units={name: "record"})
    if path.suffix == ".json" and _first_byte(path) == b"[":
        return _read_json_array(path, on_error)
    return _read_json_lines(path, on_error)


def _with_position(frame: pl.DataFrame, name: str, positions: list[int] | None) -> pl.DataFrame:
    pos = (
        pl.Series("_pos", positions, dtype=pl.Int64)
        if positions is not None
        else pl.int_range(1, frame.height + 1, dtype=pl.Int64, eager=True).alias("_pos")
    )
    return frame.with_columns(pl.lit(name).alias("_file"), pos)


# --- JSON Lines --------------------------------------------------------------------------


def _read_json_lines(path: Path, on_error: OnError) -> RawRecords:
    name = str(path)
    frame = _read_json_lines_with_arrow(path)
    if frame is None:
        try:
            frame = pl.read_ndjson(path, infer_schema_length=None)
        except Exception as exc:  # any failure: find the line at fault
            return _read_json_lines_slowly(path, on_error, exc)
    return RawRecords(_with_position(frame, name, None), units={name: "jsonl-record"})


def _read_json_lines_with_arrow(path: Path) -> pl.DataFrame | None:
    """pyarrow's reader parses blocks in parallel (~2x polars here). It is strict about types
    (a field that is a number on one line and a string on another fails), so None means
    "let polars try"; so does any line count that is not one record per line."""
    try:
        table = pa_json.read_json(path, read_options=pa_json.ReadOptions(block_size=_BLOCK))
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if table.num_rows != _line_count(path):
        return None  # blank lines, or two objects on one line: polars decides
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _line_count(path: Path) -> int:
    """Number of lines, counting a last line without a newline (fast, in chunks)."""
    count = 0
    last = b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(_BLOCK):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


def _read_json_lines_slowly(path: Path, on_error: OnError, fast_error: Exception) -> RawRecords:
    name = str(path)
    good: list[bytes] = []
    positions: list[int] = []
    bad: list[BadRecord] = []
    kinds: dict[str, tuple[str, int]] = {}
    for lineno, raw in _lines(path):
        reason, obj = _parse_line(raw)
        if reason is None:
            reason = _kind_conflict(obj, kinds, lineno)
        if reason is not None:
            record = BadRecord(name, lineno, reason, raw[:500].decode("utf-8", "replace"))
            if on_error == "fail":
                raise InputError(name, reason, lineno)
            bad.append(record)
            continue
        good.append(raw)
        positions.append(lineno)
    if not bad:
        # Every line parses alone, so polars failed on something across lines.
        raise InputError(name, f"could not read as JSON Lines: {_first_line(fast_error)}")
    if good:
        frame = pl.read_ndjson(io.BytesIO(b"\n".join(good)), infer_schema_length=None)
    else:
        frame = pl.DataFrame()
    return RawRecords(_with_position(frame, name, positions), bad=bad, units={name: "line"})


def _parse_line(raw: bytes) -> tuple[str | None, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"invalid UTF-8 at byte {exc.start + 1} of the line", None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"invalid JSON: {exc.msg} at column {exc.colno}", None
    if not isinstance(obj, dict):
        return f"not a JSON object (got {_json_kind(obj)})", None
    return None, obj


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _kind_conflict(obj: dict[str, Any], kinds: dict[str, tuple[str, int]], line: int) -> str | None:
    """Name a top-level field whose JSON type differs from the first line that had it."""
    for key, value in obj.items():
        kind = _json_kind(value)
        if kind == "null":
            continue
        seen = kinds.setdefault(key, (kind, line))
        if seen[0] != kind:
            return f"field '{key}' is {_article(kind)} {kind} here but {seen[0]} on line {seen[1]}"
    return None


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """Yield (1-based line number, line without its newline) for non-blank lines."""
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            stripped = raw.rstrip(b"\r\n")
            if stripped.strip():
                yield lineno, stripped


def _nonblank_line_numbers(path: Path) -> list[int]:
    return [lineno for lineno, _ in _lines(path)]


def _first_byte(path: Path) -> bytes:
    with path.open("rb") as fh:
        while chunk := fh.read(4096):
            stripped = chunk.lstrip()
            if stripped:
                return stripped[:1]
    return b""


# --- JSON arrays -------------------------------------------------------------------------


def _read_json_array(path: Path, on_error: OnError) -> RawRecords:
    name = str(path)
    try:
        frame = pl.read_json(path, infer_schema_length=None)
    except Exception as exc:  # any failure: find the record at fault
        return _read_json_array_slowly(path, on_error, exc)
    return RawRecords(_with_position(frame, name, None), units={name: "record"})


def _read_json_array_slowly(path: Path, on_error: OnError, fast_error: Exception) -> RawRecords:
    """Walk the array element by element; a syntax error always fails (no way to resync)."""
    name = str(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(name, "invalid UTF-8", line) from exc
    decoder = json.JSONDecoder()
    pos = _skip_ws(text, 0)
    if text[pos : pos + 1] != "[":
        raise InputError(name, "not a JSON array", _line_of(text, pos))
    pos = _skip_ws(text, pos + 1)
    good: list[dict[str, Any]] = []
    positions: list[int] = []
    bad: list[BadRecord] = []
    kinds: dict[str, tuple[str, int]] = {}
    index = 0
    while text[pos : pos + 1] != "]":
        index += 1
        start = pos
        try:
            obj, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            message = f"invalid JSON: {exc.msg} at column {exc.colno}"
            raise InputError(name, message, exc.lineno) from None
        line = _line_of(text, start)
        reason = None if isinstance(obj, dict) else f"not a JSON object (got {_json_kind(obj)})"
        if reason is None:
            reason = _kind_conflict(obj, kinds, line)
        if reason is not None:
            if on_error == "fail":
                raise InputError(name, f"record {index}: {reason}", line)
            bad.append(BadRecord(name, index, reason, text[start:pos][:500], unit="record"))
        else:
            good.append(obj)
            positions.append(index)
        pos = _skip_ws(text, pos)
        if text[pos : pos + 1] == ",":
            pos = _skip_ws(text, pos + 1)
        elif text[pos : pos + 1] != "]":
            raise InputError(name, "invalid JSON: expected ',' or ']'", _line_of(text, pos))
    if not bad:
        raise InputError(name, f"could not read as a JSON array: {_first_line(fast_error)}")
    frame = pl.read_json(io.BytesIO(json.dumps(good).encode()), infer_schema_length=None)
    return RawRecords(_with_position(frame, name, positions), bad=bad, units={name: "record"})


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


# --- Hugging Face datasets ---------------------------------------------------------------


def read_hub(
    name: str,
    split: str = "train",
    revision: str | None = None,
    config: str | None = None,
    limit: int | None = None,
) -> RawRecords:
    """Load a `datasets` dataset: a folder written by `save_to_disk`, or a Hub id."""
    import datasets

    local = Path(name)
    if local.is_dir() and (
        (local / "dataset_info.json").exists() or (local / "dataset_dict.json").exists()
    ):
        loaded = datasets.load_from_disk(str(local))
        ds = loaded[split] if isinstance(loaded, datasets.DatasetDict) else loaded
    else:
        sliced = split if limit is None else f"{split}[:{limit}]"
        ds = datasets.load_dataset(name, config, split=sliced, revision=revision)
    return read_dataset(ds, label=f"{name}[{split}]", limit=limit)


def read_dataset(ds: Any, label: str, limit: int | None = None) -> RawRecords:
    """Turn an in-memory `datasets.Dataset` into RawRecords (record numbers are 1-based)."""
    if limit is not None and len(ds) > limit:
        ds = ds.select(range(limit))
    table = ds.with_format("arrow")[:]
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return RawRecords(_with_position(frame, label, None), units={label: "record"})


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
