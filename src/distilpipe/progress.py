"""Progress over long loops: a tqdm bar on a terminal, a plain line every few seconds
otherwise (CI logs, `dvc queue` logs), always with rows and rows/s."""

from __future__ import annotations

import sys
import time
from typing import Any

from tqdm import tqdm

LINE_EVERY_S = 10.0


class Progress:
    """Count work done; `advance(n, note)` adds n rows and an optional note (e.g. tokens/s)."""

    def __init__(self, total: int, desc: str, unit: str = "rows"):
        self.total, self.desc, self.unit = total, desc, unit
        self.done = 0
        self.start = self.last = time.perf_counter()
        self.bar: Any = None
        if sys.stderr.isatty():
            self.bar = tqdm(total=total, desc=desc, unit=f" {unit}", dynamic_ncols=True)

    def advance(self, n: int = 1, note: str = "") -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
            if note:
                self.bar.set_postfix_str(note, refresh=False)
            return
        now = time.perf_counter()
        if now - self.last >= LINE_EVERY_S or self.done == self.total:
            self.last = now
            rate = self.done / max(now - self.start, 1e-9)
            line = (
                f"{self.desc}: {self.done:,}/{self.total:,} {self.unit} ({rate:,.0f} {self.unit}/s)"
            )
            print(line + (f" {note}" if note else ""), file=sys.stderr, flush=True)

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
