"""Progress over long loops: a tqdm bar on a terminal, a plain line every few seconds
otherwise (CI logs, `dvc queue` logs), always with rows and rows/s."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")
LINE_EVERY_S = 10.0


def progress(items: Iterable[T], total: int, desc: str, unit: str = "rows") -> Iterator[T]:
    """Yield `items`, reporting progress to stderr."""
    if sys.stderr.isatty():
        yield from tqdm(items, total=total, desc=desc, unit=f" {unit}", dynamic_ncols=True)
        return
    start = last = time.perf_counter()
    for done, item in enumerate(items, start=1):
        yield item
        now = time.perf_counter()
        if now - last >= LINE_EVERY_S:
            last = now
            rate = done / (now - start)
            print(f"{desc}: {done:,}/{total:,} {unit} ({rate:,.0f} {unit}/s)", file=sys.stderr)
