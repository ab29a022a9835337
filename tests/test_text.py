import sys
import unicodedata

import polars as pl

from distilpipe.text import NFC_INERT_RANGES, normalize_text


def test_normalize_text() -> None:
    values = pl.Series(
        ["plain ascii\n\ttext", "e\u0301t\u00e9", "a\r\nb\x00c\x7fd\x85e", None, "中文\u200b"]
    )
    assert normalize_text(values).to_list() == [
        "plain ascii\n\ttext",
        "\u00e9t\u00e9",
        "a\nbcde",
        None,
        "中文\u200b",  # format characters (Cf) are not controls (Cc) and stay
    ]


def test_normalize_text_does_not_modify_its_input() -> None:
    values = pl.Series(["a\x07"])
    normalize_text(values)
    assert values.to_list() == ["a\x07"]


def test_inert_ranges_are_left_alone_by_nfc_and_hold_no_controls() -> None:
    """Text of these characters skips the per-string NFC pass, so each must be NFC quick-check
    Yes on its own: unchanged by NFC, combining class 0, and never the second character of a
    canonical decomposition (which a preceding character could compose with)."""
    seconds = set()
    for cp in range(sys.maxunicode + 1):
        decomposition = unicodedata.decomposition(chr(cp)).split()
        if len(decomposition) == 2 and not decomposition[0].startswith("<"):
            seconds.add(int(decomposition[1], 16))
    for first, last in NFC_INERT_RANGES:
        for cp in range(first, last + 1):
            c = chr(cp)
            assert unicodedata.normalize("NFC", c) == c, hex(cp)
            assert unicodedata.combining(c) == 0, hex(cp)
            assert cp not in seconds, hex(cp)
            assert unicodedata.category(c) != "Cc" or c in "\t\n", hex(cp)


def test_text_outside_the_inert_ranges_is_still_normalised() -> None:
    values = pl.Series(["中文，标点。😀 café", "\u212b", "a\u0308", "\u1100\u1161", "\u3000\u302a"])
    assert normalize_text(values).to_list() == [
        "中文，标点。😀 café",
        "\u00c5",  # ANGSTROM SIGN -> A WITH RING ABOVE
        "\u00e4",
        "\uac00",  # Hangul jamo compose
        "\u3000\u302a",
    ]
