import polars as pl

from distilpipe.text import normalize_text


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
