"""What every stage script shares: one-line errors, timing lines, where stages meet."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import polars as pl

from distilpipe import io
from distilpipe.errors import DistilpipeError
from distilpipe.params import Params


def run(main: Callable[[], None]) -> None:
    """Run a stage's main; a DistilpipeError, or an OS error such as a full disk, prints as
    one `error: ...` line and exits with status 1. Outputs are written atomically, so the
    previous ones are left as they were."""
    try:
        main()
    except DistilpipeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        sys.exit(1)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def timed(what: str, rows: Callable[[], int] | None = None) -> Iterator[None]:
    """Log how long a step took and, if `rows` is given, its rows/s."""
    start = time.perf_counter()
    yield
    seconds = time.perf_counter() - start
    if rows is None:
        log(f"{what}: {seconds:.2f}s")
    else:
        n = rows()
        log(f"{what}: {n:,} rows in {seconds:.2f}s ({n / max(seconds, 1e-9):,.0f} rows/s)")


def ingested_path(source: str) -> str:
    """Where ingest@<source> (or ingest_hub@<source>) writes its rows."""
    return f"data/ingested/{source}.parquet"


def read_ingested(params: Params, names: list[str] | None = None) -> list[pl.DataFrame]:
    """The ingested rows of `names` (default: every source, local then Hub, in params order)."""
    return [io.read_rows(ingested_path(name)) for name in names or params.all_sources()]
