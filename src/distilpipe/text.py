"""Text normalisation shared by every source: Unicode NFC, control characters removed.

Control characters (Unicode category Cc) other than newline and tab are removed, so a
carriage return in CRLF text goes and the canonical form used for ids is unambiguous.
"""

from __future__ import annotations

import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import polars as pl

# Cc other than \t and \n: C0 controls, DEL and the C1 block.
CONTROL_PATTERN = r"[\x00-\x08\x0B-\x1F\x7F\x{80}-\x{9F}]"
_CONTROL = re.compile(r"[\x00-\x08\x0B-\x1F\x7F-\x9F]")
# Text made only of printable ASCII, tab and newline is already NFC and control-free.
_NEEDS_WORK = r"[^\t\n\x20-\x7E]"


def normalize_text(values: pl.Series) -> pl.Series:
    """NFC-normalise and strip control characters (except \\n, \\t); nulls stay null."""
    needs = _contains(values, _NEEDS_WORK).fill_null(False)
    index = needs.arg_true()
    if index.len() == 0:
        return values
    cleaned = pl.Series(
        values.name, [_clean(v) for v in values.gather(index).to_list()], dtype=pl.String
    )
    return values.clone().scatter(index, cleaned)


def _contains(values: pl.Series, pattern: str) -> pl.Series:
    """`str.contains` on slices in parallel threads: polars runs one string scan on one core."""
    parts = pl.thread_pool_size()
    if parts == 1 or values.len() < 10_000:
        return values.str.contains(pattern)
    size = -(-values.len() // parts)
    slices = [values.slice(i * size, size) for i in range(parts)]
    with ThreadPoolExecutor(parts) as pool:
        return pl.concat(list(pool.map(lambda s: s.str.contains(pattern), slices)))


def _clean(text: str) -> str:
    # unicodedata.normalize returns its input at once when a quick check says it is NFC.
    text = unicodedata.normalize("NFC", text)
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text
