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
# Characters that NFC leaves alone wherever they stand (quick-check Yes: no decomposition, no
# combining class, never the second half of a canonical pair) and that are not controls.
# Text made only of these is already clean, so only other text pays for the per-string work;
# that keeps Chinese (CJK ideographs and punctuation), Latin-1 and emoji off the slow path.
# tests/test_text.py checks every code point of these ranges against unicodedata.
NFC_INERT_RANGES = (
    (0x09, 0x0A),  # tab, newline
    (0x20, 0x7E),  # printable ASCII
    (0xA0, 0xFF),  # Latin-1 letters and signs
    (0x2010, 0x2027),  # dashes, quotes, bullets, ellipsis
    (0x2030, 0x205E),  # per mille, primes, more punctuation
    (0x3000, 0x3029),  # CJK symbols and punctuation (before the combining tone marks)
    (0x3030, 0x303F),
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7A3),  # Hangul syllables
    (0xFF01, 0xFF60),  # full-width forms
    (0x1F300, 0x1FAFF),  # emoji and pictographs
)
_NEEDS_WORK = "[^" + "".join(f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in NFC_INERT_RANGES) + "]"


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
