"""The one place that writes files: atomic (temp file + rename) and deterministic."""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import polars as pl

from distilpipe.errors import InputError
from distilpipe.schema import check_column, validate_rows

PARQUET_COMPRESSION: Literal["zstd"] = "zstd"
PARQUET_LEVEL = 3
PARQUET_ROW_GROUP = 64 * 1024
_OS_ERROR = re.compile(r"\(os error (\d+)\)")
# mkstemp creates files as 0600; outputs get the usual 0666 & ~umask, as open() would give.
_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temp path beside `path`; rename it over `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A writer killed before its rename leaves its temp file (`.*.tmp`: git and DVC ignore
    # them, see .gitignore and .dvcignore); each output has one writer (its stage), so the
    # next write of the same output clears them.
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_UMASK)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if exc.filename == tmp:  # name the output people know, not its temporary
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def staging_dir(target: str | Path) -> Iterator[Path]:
    """A fresh folder beside `target` to build its replacement in (then `replace_dir`).
    Folders a killed writer left there are removed first; this one is removed on the way
    out if it is still there (renamed in, it is not)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{glob.escape(target.name)}.*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def replace_dir(new: str | Path, target: str | Path) -> None:
    """Put the finished folder `new` at `target` (same filesystem): the old folder is moved
    aside first and deleted after, so a crash leaves the old folder, or the new one."""
    new, target = Path(new), Path(target)
    old = target.with_name(f".{target.name}.old.tmp")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def write_parquet(frame: pl.DataFrame, path: str | Path) -> None:
    """Write Parquet with fixed settings, so equal frames give byte-identical files."""
    with atomic_path(path) as tmp:
        try:
            frame.write_parquet(
                tmp,
                compression=PARQUET_COMPRESSION,
                compression_level=PARQUET_LEVEL,
                row_group_size=PARQUET_ROW_GROUP,
                statistics=True,
            )
        except pl.exceptions.ComputeError as exc:
            # polars reports a failed write (a full disk) as "... (os error 28)"
            found = _OS_ERROR.search(str(exc))
            if found is None:
                raise
            code = int(found.group(1))
            raise OSError(code, os.strerror(code), str(path)) from exc


def read_parquet(path: str | Path) -> pl.DataFrame:
    """The Parquet file at `path`; one InputError line naming it when it is no readable
    Parquet (a missing file stays an OSError, which names the file too)."""
    try:
        return pl.read_parquet(path)
    except FileNotFoundError:
        raise
    except (pl.exceptions.PolarsError, OSError) as exc:
        first = " ".join(str(exc).split())[:200]
        raise InputError(str(path), f"not a readable Parquet file ({first})") from None


def read_table(path: str | Path, columns: Mapping[str, pl.DataType | None]) -> pl.DataFrame:
    """The Parquet file at `path`, checked to have `columns` (name -> type; None: any type):
    one line naming the file and the column when it has not."""
    frame = read_parquet(path)
    for name, dtype in columns.items():
        check_column(frame, name, dtype, str(path))
    return frame


def read_rows(path: str | Path, *extra: Mapping[str, pl.DataType | None]) -> pl.DataFrame:
    """A stage's input rows: the Parquet file at `path`, checked against the row schema and
    the `extra` columns earlier stages added (name -> type; None: any type). A bad file
    stops the stage with one line naming the file and the column."""
    return validate_rows(read_parquet(path), str(path), *extra)


def write_json(obj: Any, path: str | Path) -> None:
    """Write JSON (metrics, plots) with stable formatting."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_text(text: str, path: str | Path) -> None:
    """Write UTF-8 text (Markdown reports)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(data: bytes, path: str | Path) -> None:
    """Write bytes as they are (rendered images)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_jsonl(records: Iterable[dict[str, Any]], path: str | Path) -> None:
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
