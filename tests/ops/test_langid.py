import polars as pl

from distilpipe.ops.langid import detect_languages, prose


def test_languages() -> None:
    texts = pl.Series(
        [
            "How do I reverse a linked list in place?",
            "请帮我写一首关于秋天的诗。",
            r"Compute $\int_0^1 x^2\,dx$ and show each step.",
            "Fix this:\n```python\nprint(undefined_name)\n```\nWhy does it fail?",
            "12 + 7 = ?",
            "Écrivez un court poème sur la mer.",
        ]
    )
    out = detect_languages(texts)
    assert out["lang"].to_list() == ["en", "zh", "en", "en", "und", "fr"]
    assert out["lang_score"][4] == 0.0


def test_min_confidence_gives_und() -> None:
    out = detect_languages(pl.Series(["hi", "How do I reverse a linked list in place?"]), 0.5)
    assert out["lang"].to_list() == ["und", "en"]


def test_prose_strips_math_code_and_markup() -> None:
    assert prose(pl.Series([r"Find $x$ if \(x^2=4\) <b>now</b> `code`"])).to_list() == [
        "find if now"
    ]
