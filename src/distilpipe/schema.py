"""The row schema every stage reads and writes (see docs/architecture.md, "The row")."""

from __future__ import annotations

import polars as pl

MESSAGE = pl.Struct({"role": pl.String, "content": pl.String})
MESSAGES = pl.List(MESSAGE)

ROW_SCHEMA = pl.Schema(
    {  # type: ignore[arg-type]
        "id": pl.String,
        "source": pl.String,
        "source_id": pl.String,
        "messages": MESSAGES,
        "lang": pl.String,
        "origin": pl.String,
        "parent_id": pl.String,
        "meta": pl.String,
    }
)
NULLABLE = frozenset({"source_id", "parent_id"})
ROLES = ("system", "user", "assistant")
UNDETERMINED_LANG = "und"


class SchemaError(ValueError):
    """A frame does not match the row schema."""


def validate_rows(frame: pl.DataFrame, where: str = "rows") -> pl.DataFrame:
    """Check that `frame` starts with the row schema's columns, types and non-null columns.

    Stages may add columns after the schema's; returns the frame unchanged.
    """
    for name, dtype in ROW_SCHEMA.items():
        if name not in frame.columns:
            raise SchemaError(f"{where}: column '{name}' is missing")
        if frame.schema[name] != dtype:
            raise SchemaError(f"{where}: column '{name}' is {frame.schema[name]}, not {dtype}")
        if name not in NULLABLE and frame[name].null_count():
            raise SchemaError(f"{where}: column '{name}' has {frame[name].null_count()} nulls")
    return frame


def empty_rows() -> pl.DataFrame:
    """A frame of no rows with the row schema's columns and types."""
    return pl.DataFrame(schema=ROW_SCHEMA)
