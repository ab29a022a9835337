import polars as pl
import pytest

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
            "Convert 98.6°F to Celsius (normal body temperature).",
            "こんにちは、元気ですか？",
            None,
        ]
    )
    out = detect_languages(texts)
    assert out["lang"].to_list() == ["en", "zh", "en", "en", "und", "fr", "en", "ja", "und"]
    assert out["lang_score"][4] == 0.0


def test_short_chinese_is_chinese() -> None:
    # lid.176 reads this as Wu Chinese (wuu); other short prompts read as Japanese.
    texts = pl.Series(["怎么才能煮出好吃的米饭？", "我要开一家奶茶店，帮我想10个宣传口号。"])
    assert detect_languages(texts)["lang"].to_list() == ["zh", "zh"]


def test_short_prose_falls_back_to_the_whole_text_and_needs_confidence() -> None:
    text = r"Evaluate $\displaystyle\lim_{x \to 0} \frac{1 - \cos x}{x^2}$."
    confident = "Fix this code:\n```python\nprint(undefined_name)\n```"
    assert detect_languages(pl.Series([text, confident]))["lang"].to_list() == ["und", "en"]


def test_min_confidence_gives_und() -> None:
    out = detect_languages(pl.Series(["hi", "How do I reverse a linked list in place?"]), 0.5)
    assert out["lang"].to_list() == ["und", "en"]


def test_prose_strips_math_code_markup_and_digits() -> None:
    texts = pl.Series([r"Find $x$ if \(x^2=4\), <b>now</b> `code` 42 times"])
    assert prose(texts).to_list() == ["Find if , now times"]


def test_worker_processes_give_the_same_answers(monkeypatch) -> None:
    from distilpipe.ops import langid

    texts = pl.Series(["How are you today, my friend?", "今天天气怎么样？", "Bonjour à tous."] * 30)
    serial = detect_languages(texts)
    monkeypatch.setattr(langid, "PARALLEL_MIN_ROWS", 40)
    monkeypatch.setattr(langid, "CHUNK_ROWS", 25)
    assert detect_languages(texts).equals(serial)


def test_langdetect_is_a_seeded_alternative() -> None:
    texts = pl.Series(
        [
            "How do I reverse a linked list in place?",
            "请帮我写一首关于秋天的诗。",
            "Écrivez un court poème sur la mer, avec des rimes.",
            "怎么才能煮出好吃的米饭？",
            "12 + 7 = ?",
            "",
        ]
    )
    out = detect_languages(texts, detector="langdetect")
    # langdetect names Chinese zh-cn: the pool's codes are ISO 639-1, as with fastText
    assert out["lang"].to_list() == ["en", "zh", "fr", "zh", "und", "und"]
    # seeded: the same labels and scores every time, in any order
    again = detect_languages(texts.reverse(), detector="langdetect").reverse()
    assert again.equals(out)


def test_unknown_detector_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language detector 'cld3'"):
        detect_languages(pl.Series(["hello there"]), detector="cld3")
