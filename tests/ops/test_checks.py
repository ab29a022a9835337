"""The shared output checks: each must pass on good text and must fail on bad text."""

from __future__ import annotations

import pytest

from distilpipe.ops import checks

CODE_ANSWER = """Here is the function:

```python
def add(a, b):
    return a + b
```

And a shell line:

~~~bash
echo hi\t
~~~
"""


def test_code_blocks_are_found_and_compared_by_body() -> None:
    assert checks.code_blocks(CODE_ANSWER) == ["def add(a, b):\n    return a + b", "echo hi"]
    translated = CODE_ANSWER.replace("Here is the function", "这是函数").replace(
        "```python", "```py"
    )
    assert checks.lost(checks.code_blocks(CODE_ANSWER), checks.code_blocks(translated)) == []


def test_a_changed_or_lost_code_block_is_caught() -> None:
    changed = CODE_ANSWER.replace("return a + b", "return a - b")
    assert checks.lost(checks.code_blocks(CODE_ANSWER), checks.code_blocks(changed)) == [
        "def add(a, b):\n    return a + b"
    ]
    dropped = CODE_ANSWER.split("And a shell line")[0]
    assert checks.lost(checks.code_blocks(CODE_ANSWER), checks.code_blocks(dropped)) == ["echo hi"]


def test_latex_spans_inline_and_display() -> None:
    text = r"Solve $x^2 = 4$, so \(x = \pm 2\). Then $$\int_0^1 x\,dx = \tfrac12$$ and \[a+b\]."
    assert checks.latex_spans(text) == [
        "$x^2 = 4$",
        r"\(x = \pm 2\)",
        r"$$\int_0^1 x\,dx = \tfrac12$$",
        r"\[a+b\]",
    ]


def test_prices_are_not_latex_and_code_is_skipped() -> None:
    assert checks.latex_spans("It costs $5 or $6 today.") == []
    assert checks.latex_spans("```\nprint('$x$')\n```\n") == []


def test_a_lost_latex_span_is_caught() -> None:
    before = checks.latex_spans(r"The area is $\pi r^2$ for radius $r$.")
    after = checks.latex_spans("面积是 π r²，半径为 $r$。")
    assert checks.lost(before, after) == [r"$\pi r^2$"]


def test_lost_counts_repeats() -> None:
    assert checks.lost(["$x$", "$x$"], ["$x$"]) == ["$x$"]
    assert checks.lost(["$x$"], ["$x$", "$x$"]) == []


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        (r"So the total is \boxed{1,250} dollars.", "1250"),
        (r"First \boxed{3}, corrected: \boxed{\frac{1}{ 2}}", r"\frac{1}{2}"),
        ("Adding them up, the answer is 42.", "42"),
        ("Final answer: 2.50", "2.5"),
        ("所以答案是 17。", "17"),
        ("最终答案：-3", "-3"),
        ("Step 1: 3 + 4 = 7\nStep 2: 7 * 2\n14", "14"),
        ("Step 1: 3 + 4 = 7\n**14**", "14"),
    ],
)
def test_final_answer_is_extracted(text: str, answer: str) -> None:
    assert checks.final_answer(text) == answer


@pytest.mark.parametrize(
    "text",
    [
        "The capital of France is Paris.",
        "It depends on the context; there are 3 cases to consider and more.",
        r"Unfinished \boxed{12",
    ],
)
def test_no_final_answer(text: str) -> None:
    assert checks.final_answer(text) is None


def test_a_changed_final_answer_differs() -> None:
    assert checks.final_answer("The answer is 12.") != checks.final_answer("答案是 13")
    assert checks.final_answer("The answer is 12.") == checks.final_answer(r"\boxed{12}")


def test_languages_use_the_pools_detector() -> None:
    assert checks.languages(
        [
            "Please explain how photosynthesis works in green plants.",
            "请解释一下绿色植物的光合作用是如何进行的。",
            "12 + 7 = 19",
        ]
    ) == ["en", "zh", "und"]


def test_length_ratio_and_near_duplicates() -> None:
    assert checks.length_ratio("abcd", "ab") == 2.0
    assert checks.length_ratio("a", "") == 1.0
    question = "What is the capital city of France and why was it chosen?"
    assert checks.near_duplicate(question, question.replace("?", " ?"), 0.8)
    assert not checks.near_duplicate(question, "How large is the population of Paris today?", 0.8)


def test_same_turns_catches_a_dropped_or_merged_turn() -> None:
    source = [
        {"role": "user", "content": "What is 2 + 2?"},
        {"role": "assistant", "content": "4."},
        {"role": "user", "content": "And 3 + 3?"},
        {"role": "assistant", "content": "6."},
    ]
    translated = [{"role": m["role"], "content": "（译文）"} for m in source]
    assert checks.same_turns(source, translated)
    assert not checks.same_turns(source, translated[:3])  # the last answer is missing
    merged = [translated[0], {"role": "assistant", "content": "4。再问：3 + 3？6。"}]
    assert not checks.same_turns(source, merged)


def test_text_units_compare_english_and_chinese() -> None:
    en = "How do I reverse a list in Python?"
    zh = "如何在 Python 中反转一个列表？"
    assert checks.text_units(en) == 8 * checks.WORD_UNITS
    assert checks.text_units(zh) == 10 + checks.WORD_UNITS
    assert 0.8 < checks.text_units(zh) / checks.text_units(en) < 1.25
    assert checks.text_units("") == 0


def test_urls_end_before_sentence_punctuation() -> None:
    text = "Docs: https://example.com/a_b?x=1. 中文见 https://example.cn/路径。(https://x.org/y)"
    assert checks.urls(text) == [
        "https://example.com/a_b?x=1",
        "https://example.cn/路径",
        "https://x.org/y",
    ]


def test_reply_problem_names_what_is_wrong_with_a_reply() -> None:
    from distilpipe.llm.types import Failure, Generation, TooLong

    good = Generation("Photosynthesis turns light, water and CO2 into sugar.", "stop", 12, 11)
    assert checks.reply_problem(good) is None
    cut = Generation("Photosynthesis turns light, water and CO2 into", "length", 12, 64)
    assert checks.reply_problem(cut) == "cut_off"
    assert checks.reply_problem(Generation(" \n\t", "stop", 12, 2)) == "empty"
    assert checks.reply_problem(Failure("HTTP 503 after 6 attempts")) == "failed"
    assert checks.reply_problem(TooLong("prompt 2,100 + 64 new tokens > 2,048")) == "too_long"
