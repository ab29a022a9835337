"""One adapter per source format: raw source records -> turns, source id and meta.

An adapter returns the raw frame's rows, in order, as

    _file, _pos         where the record came from (see readers.py)
    source_id           the source's own id/uuid/index, or null
    turns               list<struct<role: str, content: str>>, roles as the source spells them
    meta                JSON object (str) of the source fields not mapped to the row
    _missing            name of the first needed field that is missing or null, else null

Nothing is dropped here; rows.py validates and rejects with reasons.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import polars as pl
import pyarrow as pa

from distilpipe.errors import InputError

Format = Literal["magpie", "openhermes", "mammoth2", "sharegpt", "messages"]
FORMATS: tuple[str, ...] = ("magpie", "openhermes", "mammoth2", "sharegpt", "messages")

# Roles as the formats spell them -> the row schema's roles. A source's `role_map` adds to this.
DEFAULT_ROLE_MAP: dict[str, str] = {
    "human": "user",
    "gpt": "assistant",
    "system": "system",
    "user": "user",
    "assistant": "assistant",
}

TURNS_DTYPE = pl.List(pl.Struct({"role": pl.String, "content": pl.String}))
_INTERNAL = ("_file", "_pos")


def adapt(raw: pl.DataFrame, fmt: str, label: str) -> pl.DataFrame:
    """Map a raw frame in format `fmt` to the adapter columns (see module docstring)."""
    adapter = _ADAPTERS.get(fmt)
    if adapter is None:
        raise InputError(label, f"unknown format '{fmt}'; known: {', '.join(FORMATS)}")
    if raw.height == 0:
        return pl.DataFrame(
            schema={
                "_file": pl.String,
                "_pos": pl.Int64,
                "source_id": pl.String,
                "turns": TURNS_DTYPE,
                "meta": pl.String,
                "_missing": pl.String,
            }
        )
    return adapter(raw, label)


def _magpie(raw: pl.DataFrame, label: str) -> pl.DataFrame:
    # `instruction` and `response` repeat the first exchange of `conversations`; not kept twice.
    return _conversation_format(
        raw,
        label,
        "conversations",
        "from",
        "value",
        id_field="uuid",
        mapped=("instruction", "response"),
    )


def _openhermes(raw: pl.DataFrame, label: str) -> pl.DataFrame:
    return _conversation_format(raw, label, "conversations", "from", "value", id_field="id")


def _sharegpt(raw: pl.DataFrame, label: str) -> pl.DataFrame:
    return _conversation_format(raw, label, "conversations", "from", "value", id_field="id")


def _messages(raw: pl.DataFrame, label: str) -> pl.DataFrame:
    return _conversation_format(raw, label, "messages", "role", "content", id_field="id")


def _mammoth2(raw: pl.DataFrame, label: str) -> pl.DataFrame:
    _require_columns(raw, label, "mammoth2", ("question", "answer"))
    # Two turns a row, built flat (question, answer, question, ...) and cut into lists by
    # offsets: concat_list of structs copies every string and took 3x as long.
    n = raw.height
    order = np.arange(2 * n, dtype=np.int64).reshape(2, n).T.ravel()  # 0, n, 1, n + 1, ...
    content = pl.concat([raw["question"].cast(pl.String), raw["answer"].cast(pl.String)])
    flat = pl.DataFrame(
        {
            "role": pl.Series(["user", "assistant"] * n, dtype=pl.String),
            "content": content.gather(order),
        }
    ).to_struct("turns")
    turns = pl.lit(lists_from_offsets(np.arange(0, 2 * n + 1, 2, dtype=np.int64), flat))
    missing = (
        pl.when(pl.col("question").is_null())
        .then(pl.lit("question"))
        .when(pl.col("answer").is_null())
        .then(pl.lit("answer"))
    )
    return _finish(raw, turns, missing, id_field="index", mapped=("question", "answer"))


def _conversation_format(
    raw: pl.DataFrame,
    label: str,
    column: str,
    role_key: str,
    text_key: str,
    id_field: str,
    mapped: tuple[str, ...] = (),
) -> pl.DataFrame:
    fmt_name = "messages" if column == "messages" else "sharegpt-style"
    _require_columns(raw, label, fmt_name, (column,))
    dtype = raw.schema[column]
    if dtype == pl.Null:
        turns: pl.Expr = pl.lit(None, dtype=TURNS_DTYPE)
        extra_fields: list[str] = []
    else:
        inner = dtype.inner if isinstance(dtype, pl.List) else None
        if not isinstance(inner, pl.Struct):
            raise InputError(label, f"field '{column}' must be a list of objects, got {dtype}")
        names = [f.name for f in inner.fields]
        for key in (role_key, text_key):
            if key not in names:
                raise InputError(label, f"the objects in '{column}' have no '{key}' field")
        element = pl.element().struct
        turns = pl.col(column).list.eval(
            pl.struct(
                element.field(role_key).cast(pl.String).alias("role"),
                element.field(text_key).cast(pl.String).alias("content"),
            )
        )
        extra_fields = [n for n in names if n not in (role_key, text_key)]
    missing: pl.Expr = pl.when(pl.col(column).is_null()).then(pl.lit(column))
    if dtype != pl.Null:
        missing = missing.when(  # type: ignore[attr-defined]
            pl.col(column)
            .list.eval(
                pl.element().struct.field(role_key).is_null()
                | pl.element().struct.field(text_key).is_null()
            )
            .list.any()
        ).then(pl.lit(f"{column}[].{role_key}/{text_key}"))
    # Per-turn fields other than role and text (OpenHermes' `weight`) go to meta as lists.
    turn_extras = [
        pl.col(column).list.eval(pl.element().struct.field(n)).alias(f"{column}.{n}")
        for n in extra_fields
    ]
    return _finish(
        raw, turns, missing, id_field=id_field, mapped=(column, *mapped), extra=turn_extras
    )


def _finish(
    raw: pl.DataFrame,
    turns: pl.Expr,
    missing: pl.Expr,
    id_field: str,
    mapped: tuple[str, ...],
    extra: list[pl.Expr] | None = None,
) -> pl.DataFrame:
    source_id = (
        pl.col(id_field).cast(pl.String) if id_field in raw.columns else pl.lit(None, pl.String)
    )
    kept = [c for c in raw.columns if c not in (*mapped, id_field, *_INTERNAL)]
    meta_fields = [pl.col(c) for c in kept] + (extra or [])
    meta = pl.struct(meta_fields).struct.json_encode() if meta_fields else pl.lit("{}")
    return raw.select(
        pl.col("_file"),
        pl.col("_pos"),
        source_id.alias("source_id"),
        turns.cast(TURNS_DTYPE).alias("turns"),
        meta.alias("meta"),
        missing.cast(pl.String).alias("_missing"),
    )


def lists_from_offsets(offsets: np.ndarray, values: pl.Series) -> pl.Series:
    """A list column from flat values and int64 row offsets (zero-copy through Arrow)."""
    # from_buffers, not pa.array(offsets): converting a numpy array makes pyarrow import
    # pandas, half a second per stage.
    arrow_offsets = pa.Array.from_buffers(pa.int64(), offsets.size, [None, pa.py_buffer(offsets)])
    array = pa.LargeListArray.from_arrays(arrow_offsets, values.to_arrow())
    series = pl.from_arrow(array)
    assert isinstance(series, pl.Series)
    return series


def _require_columns(raw: pl.DataFrame, label: str, fmt: str, names: tuple[str, ...]) -> None:
    absent = [n for n in names if n not in raw.columns]
    if absent:
        raise InputError(
            label,
            f"no field {', '.join(repr(n) for n in absent)} in any record; "
            f"is format '{fmt}' right? fields seen: {', '.join(_source_fields(raw)[:12])}",
        )


def _source_fields(raw: pl.DataFrame) -> list[str]:
    return sorted(c for c in raw.columns if c not in _INTERNAL)


_ADAPTERS: dict[str, Callable[[pl.DataFrame, str], pl.DataFrame]] = {
    "magpie": _magpie,
    "openhermes": _openhermes,
    "mammoth2": _mammoth2,
    "sharegpt": _sharegpt,
    "messages": _messages,
}
