import pytest

from distilpipe.evaluate.text import count_sentences, count_words, split_sentences, words


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Hello world", 2),
        ("It's a well-known fact.", 6),  # \w+ runs, as IFEval's tokenizer: It, s, well, known
        ("你好世界", 4),
        ("用Python写代码", 5),
        ("我有3个苹果。", 6),
        ("", 0),
        ("*** --- !!!", 0),
    ],
)
def test_words_count_word_runs_and_each_chinese_character(sentence: str, expected: int) -> None:
    assert count_words(sentence) == expected


def test_words_keep_order() -> None:
    assert words("用Python写, ok") == ["用", "Python", "写", "ok"]


def test_english_sentences_skip_abbreviations_initials_acronyms_and_decimals() -> None:
    text = (
        "Mr. Smith met Dr. J. Watson in the U.S. at 3.30 p.m. on Monday! "
        "Did they talk? Yes... They did, e.g. about tea"
    )
    assert split_sentences(text) == [
        "Mr. Smith met Dr. J. Watson in the U.S. at 3.30 p.m. on Monday!",
        "Did they talk?",
        "Yes...",
        "They did, e.g. about tea",
    ]


def test_closing_quotes_and_brackets_stay_with_their_sentence() -> None:
    assert split_sentences('He said "Stop." Then (it ended.) OK') == [
        'He said "Stop."',
        "Then (it ended.)",
        "OK",
    ]


def test_chinese_sentences_end_at_full_width_marks_without_spaces() -> None:
    text = "今天天气很好。我们去公园吧！好不好？他说：“好的。”然后走了"
    assert split_sentences(text) == [
        "今天天气很好。",
        "我们去公园吧！",
        "好不好？",
        "他说：“好的。”",
        "然后走了",
    ]


def test_half_width_marks_end_chinese_sentences_too() -> None:
    assert split_sentences("我用Python!真好.") == ["我用Python!", "真好."]


def test_a_dot_inside_a_word_or_number_and_a_bare_line_break_do_not_split() -> None:
    assert count_sentences("Visit example.com today\nand pay 3.50 dollars") == 1
    assert count_sentences("") == 0
    assert count_sentences("   \n ") == 0
