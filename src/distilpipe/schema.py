"""The row schema every stage reads and writes (see docs/architecture.md, "The row")."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from distilpipe.errors import DistilpipeError

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


class SchemaError(DistilpipeError, ValueError):
    """A frame does not match the row schema (a stage prints it as its one error line)."""


def validate_rows(
    frame: pl.DataFrame, where: str = "rows", *extra: Mapping[str, pl.DataType | None]
) -> pl.DataFrame:
    """Check that `frame` has the row schema's columns, types and non-null columns, and
    each column of the `extra` mappings (name -> type; None: any type) that earlier stages
    added. Other columns may follow; returns the frame unchanged."""
    for name, dtype in ROW_SCHEMA.items():
        check_column(frame, name, dtype, where)
        if name not in NULLABLE and frame[name].null_count():
            raise SchemaError(f"{where}: column '{name}' has {frame[name].null_count()} nulls")
    for columns in extra:
        for column, expected in columns.items():
            check_column(frame, column, expected, where)
    return frame


def check_column(frame: pl.DataFrame, name: str, dtype: pl.DataType | None, where: str) -> None:
    """SchemaError naming `where` unless `frame` has column `name` of type `dtype`."""
    if name not in frame.columns:
        raise SchemaError(f"{where}: column '{name}' is missing")
    if dtype is not None and frame.schema[name] != dtype:
        raise SchemaError(f"{where}: column '{name}' is {frame.schema[name]}, not {dtype}")


def empty_rows() -> pl.DataFrame:
    """A frame of no rows with the row schema's columns and types."""
    return pl.DataFrame(schema=ROW_SCHEMA)
