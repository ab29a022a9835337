import json
from pathlib import Path
from typing import Any

import pytest

from distilpipe.errors import InputError
from distilpipe.evaluate import ifeval
from distilpipe.evaluate.hub import EvalDataError
from distilpipe.evaluate.ifeval import (
    INSTRUCTIONS,
    IFEvalError,
    IFEvalPrompt,
    build,
    follows,
    load_prompts,
    response_variants,
    score,
)

LESS, AT_LEAST = "less than", "at least"
EN_PARAS3 = "First part here.\n\nSecond part here.\n\nThird part here."
ZH_PARAS3 = "第一段内容。\n\n首先我们来看第二段。\n\n第三段内容。"

# (instruction id, kwargs, language, response, follows strictly)
CASES: list[tuple[str, dict[str, Any], str, str, bool]] = [
    ("keywords:existence", {"keywords": ["tea", "Kettle"]}, "en", "A kettle boils TEA.", True),
    ("keywords:existence", {"keywords": ["tea", "kettle"]}, "en", "A kettle boils water.", False),
    ("keywords:existence", {"keywords": ["茶", "水壶"]}, "zh", "用水壶烧水泡茶。", True),
    ("keywords:existence", {"keywords": ["茶", "水壶"]}, "zh", "用水壶烧开水。", False),
    (
        "keywords:frequency",
        {"keyword": "rain", "frequency": 3, "relation": AT_LEAST},
        "en",
        "Rain, rain, go away; come again another day, rain.",
        True,
    ),
    (
        "keywords:frequency",
        {"keyword": "rain", "frequency": 3, "relation": AT_LEAST},
        "en",
        "Rain, rain, go away.",
        False,
    ),
    (
        "keywords:frequency",
        {"keyword": "rain", "frequency": 2, "relation": LESS},
        "en",
        "Rain, go away.",
        True,
    ),
    (
        "keywords:frequency",
        {"keyword": "雨", "frequency": 2, "relation": LESS},
        "zh",
        "今天下雨了。",
        True,
    ),
    (
        "keywords:frequency",
        {"keyword": "雨", "frequency": 2, "relation": LESS},
        "zh",
        "雨一直下，雨很大。",
        False,
    ),
    (
        "keywords:forbidden_words",
        {"forbidden_words": ["cat"]},
        "en",
        "Concatenate the dogs.",
        True,
    ),  # whole words only
    ("keywords:forbidden_words", {"forbidden_words": ["cat"]}, "en", "My Cat sleeps.", False),
    ("keywords:forbidden_words", {"forbidden_words": ["苹果"]}, "zh", "我喜欢香蕉。", True),
    ("keywords:forbidden_words", {"forbidden_words": ["苹果"]}, "zh", "我喜欢苹果。", False),
    (
        "keywords:letter_frequency",
        {"letter": "z", "let_frequency": 2, "let_relation": AT_LEAST},
        "en",
        "Zebras zig.",
        True,
    ),
    (
        "keywords:letter_frequency",
        {"letter": "z", "let_frequency": 2, "let_relation": AT_LEAST},
        "en",
        "Zebras run.",
        False,
    ),
    (
        "keywords:letter_frequency",
        {"letter": "a", "let_frequency": 2, "let_relation": LESS},
        "zh",
        "我们用AI写作。",
        True,
    ),
    (
        "keywords:letter_frequency",
        {"letter": "a", "let_frequency": 2, "let_relation": LESS},
        "zh",
        "我们用AI和Agent写作。",
        False,
    ),
    (
        "language:response_language",
        {"language": "en"},
        "en",
        "The weather in the mountains is cold and windy during the winter months.",
        True,
    ),
    (
        "language:response_language",
        {"language": "en"},
        "en",
        "山里的天气在冬天的几个月里又冷又多风，出门要多穿衣服。",
        False,
    ),
    (
        "language:response_language",
        {"language": "zh"},
        "zh",
        "山里的天气在冬天的几个月里又冷又多风，出门要多穿衣服。",
        True,
    ),
    (
        "language:response_language",
        {"language": "zh"},
        "zh",
        "The weather in the mountains is cold and windy during the winter months.",
        False,
    ),
    (
        "length_constraints:number_sentences",
        {"num_sentences": 3, "relation": LESS},
        "en",
        "One sentence. Two sentences.",
        True,
    ),
    (
        "length_constraints:number_sentences",
        {"num_sentences": 3, "relation": LESS},
        "en",
        "One. Two. Three.",
        False,
    ),
    (
        "length_constraints:number_sentences",
        {"num_sentences": 3, "relation": AT_LEAST},
        "zh",
        "第一句。第二句！第三句？",
        True,
    ),
    (
        "length_constraints:number_sentences",
        {"num_sentences": 3, "relation": AT_LEAST},
        "zh",
        "第一句，还是第一句。第二句！",
        False,
    ),
    (
        "length_constraints:number_paragraphs",
        {"num_paragraphs": 2},
        "en",
        "Para one.\n***\nPara two.",
        True,
    ),
    (
        "length_constraints:number_paragraphs",
        {"num_paragraphs": 2},
        "en",
        "Para one.\n***\n***\nPara two.",
        False,
    ),  # a blank paragraph between dividers
    (
        "length_constraints:number_paragraphs",
        {"num_paragraphs": 2},
        "zh",
        "***\n第一段。\n***\n第二段。\n***",
        True,
    ),  # blank ends do not count
    (
        "length_constraints:number_paragraphs",
        {"num_paragraphs": 2},
        "zh",
        "第一段。\n\n第二段。",
        False,
    ),
    (
        "length_constraints:number_words",
        {"num_words": 5, "relation": AT_LEAST},
        "en",
        "one two three four five",
        True,
    ),
    (
        "length_constraints:number_words",
        {"num_words": 5, "relation": AT_LEAST},
        "en",
        "one two three four",
        False,
    ),
    (
        "length_constraints:number_words",
        {"num_words": 10, "relation": LESS},
        "zh",
        "我喜欢喝茶。",
        True,
    ),  # 5 characters
    (
        "length_constraints:number_words",
        {"num_words": 10, "relation": LESS},
        "zh",
        "我每天早上都喜欢喝一杯绿茶。",
        False,
    ),  # 13 characters
    (
        "length_constraints:nth_paragraph_first_word",
        {"num_paragraphs": 3, "nth_paragraph": 2, "first_word": "second"},
        "en",
        EN_PARAS3,
        True,
    ),
    (
        "length_constraints:nth_paragraph_first_word",
        {"num_paragraphs": 3, "nth_paragraph": 2, "first_word": "third"},
        "en",
        EN_PARAS3,
        False,
    ),
    (
        "length_constraints:nth_paragraph_first_word",
        {"num_paragraphs": 2, "nth_paragraph": 2, "first_word": "second"},
        "en",
        EN_PARAS3,
        False,
    ),
    (
        "length_constraints:nth_paragraph_first_word",
        {"num_paragraphs": 3, "nth_paragraph": 2, "first_word": "首先"},
        "zh",
        ZH_PARAS3,
        True,
    ),
    (
        "length_constraints:nth_paragraph_first_word",
        {"num_paragraphs": 3, "nth_paragraph": 1, "first_word": "首先"},
        "zh",
        ZH_PARAS3,
        False,
    ),
    (
        "detectable_content:postscript",
        {"postscript_marker": "P.S."},
        "en",
        "Dear Ann,\nSee you.\np. s. Bring tea.",
        True,
    ),
    (
        "detectable_content:postscript",
        {"postscript_marker": "P.S."},
        "en",
        "Dear Ann,\nSee you.",
        False,
    ),
    (
        "detectable_content:postscript",
        {"postscript_marker": "附言："},
        "zh",
        "亲爱的安：\n明天见。\n附言：记得带茶。",
        True,
    ),
    (
        "detectable_content:postscript",
        {"postscript_marker": "附言："},
        "zh",
        "亲爱的安：\n明天见。",
        False,
    ),
    (
        "detectable_content:number_placeholders",
        {"num_placeholders": 2},
        "en",
        "Send it to [name] at [address].",
        True,
    ),
    (
        "detectable_content:number_placeholders",
        {"num_placeholders": 2},
        "en",
        "Send it to [name].",
        False,
    ),
    (
        "detectable_content:number_placeholders",
        {"num_placeholders": 2},
        "zh",
        "请寄给[姓名]，地址是[地址]。",
        True,
    ),
    (
        "detectable_content:number_placeholders",
        {"num_placeholders": 2},
        "zh",
        "请寄给【姓名】。",
        False,
    ),  # full-width brackets are not placeholders
    (
        "detectable_format:number_bullet_lists",
        {"num_bullets": 2},
        "en",
        "Tips:\n* Drink water\n- Sleep well",
        True,
    ),
    (
        "detectable_format:number_bullet_lists",
        {"num_bullets": 2},
        "en",
        "Tips:\n* Drink water\n* Sleep well\n* Walk",
        False,
    ),
    (
        "detectable_format:number_bullet_lists",
        {"num_bullets": 2},
        "zh",
        "建议：\n* 多喝水\n* 早睡觉",
        True,
    ),
    (
        "detectable_format:number_bullet_lists",
        {"num_bullets": 2},
        "zh",
        "建议：\n1. 多喝水\n2. 早睡觉",
        False,
    ),
    ("detectable_format:constrained_response", {}, "en", "I checked. My answer is no.", True),
    ("detectable_format:constrained_response", {}, "en", "My answer is: no.", False),
    ("detectable_format:constrained_response", {}, "zh", "我查过了。My answer is maybe.", True),
    ("detectable_format:constrained_response", {}, "zh", "我的答案是否定的。", False),
    (
        "detectable_format:number_highlighted_sections",
        {"num_highlights": 2},
        "en",
        "*First* and **second** points.",
        True,
    ),
    (
        "detectable_format:number_highlighted_sections",
        {"num_highlights": 2},
        "en",
        "*First* point and ** ** nothing.",
        False,
    ),
    (
        "detectable_format:number_highlighted_sections",
        {"num_highlights": 2},
        "zh",
        "*第一点*和*第二点*。",
        True,
    ),
    (
        "detectable_format:number_highlighted_sections",
        {"num_highlights": 2},
        "zh",
        "*第一点*和第二点。",
        False,
    ),
    (
        "detectable_format:multiple_sections",
        {"section_spliter": "Section", "num_sections": 2},
        "en",
        "Section 1\nIntro.\nSection 2\nBody.",
        True,
    ),
    (
        "detectable_format:multiple_sections",
        {"section_spliter": "Section", "num_sections": 2},
        "en",
        "Section 1\nIntro and body.",
        False,
    ),
    (
        "detectable_format:multiple_sections",
        {"section_spliter": "部分", "num_sections": 2},
        "zh",
        "部分 1\n引言。\n部分 2\n正文。",
        True,
    ),
    (
        "detectable_format:multiple_sections",
        {"section_spliter": "部分", "num_sections": 2},
        "zh",
        "部分一\n引言。\n部分二\n正文。",
        False,
    ),
    ("detectable_format:json_format", {}, "en", '```json\n{"a": 1}\n```', True),
    ("detectable_format:json_format", {}, "en", 'Here: {"a": 1}', False),
    ("detectable_format:json_format", {}, "zh", '{"城市": "北京"}', True),
    ("detectable_format:json_format", {}, "zh", "城市：北京", False),
    ("detectable_format:title", {}, "en", "<<Ode to Tea>>\nWarm cup.", True),
    ("detectable_format:title", {}, "en", "<< >>\nWarm cup.", False),
    ("detectable_format:title", {}, "zh", "<<茶之歌>>\n一杯热茶。", True),
    ("detectable_format:title", {}, "zh", "《茶之歌》\n一杯热茶。", False),
    ("combination:two_responses", {}, "en", "Yes.\n******\nNo.", True),
    ("combination:two_responses", {}, "en", "Yes.\n******\nYes.", False),
    ("combination:two_responses", {}, "zh", "好的。\n******\n不行。", True),
    ("combination:two_responses", {}, "zh", "好的。\n******\n不行。\n******\n也许。", False),
    (
        "combination:repeat_prompt",
        {"prompt_to_repeat": "Name a fruit."},
        "en",
        "name a fruit. Apple.",
        True,
    ),
    (
        "combination:repeat_prompt",
        {"prompt_to_repeat": "Name a fruit."},
        "en",
        "Apple. Name a fruit.",
        False,
    ),
    (
        "combination:repeat_prompt",
        {"prompt_to_repeat": "说出一种水果。"},
        "zh",
        "说出一种水果。苹果。",
        True,
    ),
    ("combination:repeat_prompt", {"prompt_to_repeat": "说出一种水果。"}, "zh", "苹果。", False),
    (
        "startend:end_checker",
        {"end_phrase": "Any other questions?"},
        "en",
        'That is all. any other questions?"',
        True,
    ),
    (
        "startend:end_checker",
        {"end_phrase": "Any other questions?"},
        "en",
        "Any other questions? Bye.",
        False,
    ),
    (
        "startend:end_checker",
        {"end_phrase": "还有其他问题吗？"},
        "zh",
        "就这些。还有其他问题吗？",
        True,
    ),
    (
        "startend:end_checker",
        {"end_phrase": "还有其他问题吗？"},
        "zh",
        "还有其他问题吗？再见。",
        False,
    ),
    ("startend:quotation", {}, "en", '"Tea is good."', True),
    ("startend:quotation", {}, "en", '"Tea is good.', False),
    ("startend:quotation", {}, "zh", "“茶很好。”", True),
    ("startend:quotation", {}, "zh", "「茶很好。」", False),
    (
        "change_case:capital_word_frequency",
        {"capital_frequency": 2, "capital_relation": AT_LEAST},
        "en",
        "NASA and the WELL-KNOWN team.",
        True,
    ),
    (
        "change_case:capital_word_frequency",
        {"capital_frequency": 2, "capital_relation": AT_LEAST},
        "en",
        "NASA and the team.",
        False,
    ),
    (
        "change_case:capital_word_frequency",
        {"capital_frequency": 2, "capital_relation": LESS},
        "zh",
        "我在NASA工作。",
        True,
    ),
    (
        "change_case:capital_word_frequency",
        {"capital_frequency": 2, "capital_relation": LESS},
        "zh",
        "我在NASA和ESA工作。",
        False,
    ),
    (
        "change_case:english_capital",
        {},
        "en",
        "THE WEATHER IN THE MOUNTAINS IS COLD AND WINDY DURING THE WINTER MONTHS.",
        True,
    ),
    (
        "change_case:english_capital",
        {},
        "en",
        "THE WEATHER IN THE MOUNTAINS IS COLD and windy DURING THE WINTER MONTHS.",
        False,
    ),
    ("change_case:english_capital", {}, "zh", "山里的天气在冬天又冷又多风，OK。", False),
    (
        "change_case:english_lowercase",
        {},
        "en",
        "the weather in the mountains is cold and windy during the winter months.",
        True,
    ),
    (
        "change_case:english_lowercase",
        {},
        "en",
        "The weather in the mountains is cold and windy during the winter months.",
        False,
    ),
    (
        "change_case:english_lowercase",
        {},
        "zh",
        "山里的天气在冬天的几个月里又冷又多风，出门要多穿衣服 ok。",
        False,
    ),
    ("punctuation:no_comma", {}, "en", "Tea is hot. Drink it slowly.", True),
    ("punctuation:no_comma", {}, "en", "Tea is hot, drink it slowly.", False),
    ("punctuation:no_comma", {}, "zh", "茶很烫。慢慢喝。", True),
    ("punctuation:no_comma", {}, "zh", "茶很烫，慢慢喝。", False),
]


@pytest.mark.parametrize(("instruction_id", "kwargs", "lang", "response", "expected"), CASES)
def test_checker(
    instruction_id: str, kwargs: dict[str, Any], lang: str, response: str, expected: bool
) -> None:
    instruction = build(instruction_id, kwargs)
    assert instruction.check(response) is expected
    assert follows(instruction, response, loose=False) is expected


def test_every_registered_type_has_passing_and_failing_cases_in_both_languages() -> None:
    covered = {(case[0], case[2], case[4]) for case in CASES}
    for instruction_id in INSTRUCTIONS:
        for lang in ("en", "zh"):
            assert (instruction_id, lang, False) in covered, (instruction_id, lang)
            if instruction_id not in (
                "change_case:english_capital",
                "change_case:english_lowercase",
            ):
                assert (instruction_id, lang, True) in covered, (instruction_id, lang)


def test_the_registry_holds_exactly_ifevals_25_ids() -> None:
    assert len(INSTRUCTIONS) == 25
    assert sorted(INSTRUCTIONS) == sorted(
        [
            *("keywords:existence", "keywords:frequency", "keywords:forbidden_words"),
            *("keywords:letter_frequency", "language:response_language"),
            *("length_constraints:number_sentences", "length_constraints:number_paragraphs"),
            *("length_constraints:number_words", "length_constraints:nth_paragraph_first_word"),
            *("detectable_content:postscript", "detectable_content:number_placeholders"),
            *("detectable_format:number_bullet_lists", "detectable_format:constrained_response"),
            "detectable_format:number_highlighted_sections",
            *("detectable_format:multiple_sections", "detectable_format:json_format"),
            *("detectable_format:title", "combination:two_responses"),
            *("combination:repeat_prompt", "startend:end_checker", "startend:quotation"),
            *("change_case:capital_word_frequency", "change_case:english_capital"),
            *("change_case:english_lowercase", "punctuation:no_comma"),
        ]
    )


# --- strict and loose ---------------------------------------------------------------------

LOOSE_CASES = [
    # A chatty first line breaks "wrapped in quotes"; loose drops it.
    ("startend:quotation", {}, 'Sure, here it is:\n"Tea is good."'),
    ("startend:quotation", {}, "好的，如下：\n“茶很好。”"),
    # A sign-off last line breaks the end phrase; loose drops it.
    (
        "startend:end_checker",
        {"end_phrase": "Is there anything else I can help with?"},
        "Done. Is there anything else I can help with?\n(Generated answer)",
    ),
    (
        "startend:end_checker",
        {"end_phrase": "还有别的需要吗？"},
        "完成了。还有别的需要吗？\n——助手",
    ),
    # Markdown bold around a title-less JSON: removing `*` makes it parse.
    ("detectable_format:json_format", {}, '**{"a": 1}**'),
    # Both a first and a last line in the way.
    (
        "combination:repeat_prompt",
        {"prompt_to_repeat": "写一首诗。"},
        "好的。\n写一首诗。春眠不觉晓。\n以上。",
    ),
    ("punctuation:no_comma", {}, "Sure, here you go:\nTea is hot. Drink it slowly."),
]


@pytest.mark.parametrize(("instruction_id", "kwargs", "response"), LOOSE_CASES)
def test_loose_follows_where_strict_does_not(
    instruction_id: str, kwargs: dict[str, Any], response: str
) -> None:
    instruction = build(instruction_id, kwargs)
    assert follows(instruction, response, loose=False) is False
    assert follows(instruction, response, loose=True) is True


def test_loose_still_fails_when_no_variant_follows() -> None:
    instruction = build("punctuation:no_comma", {})
    assert not follows(instruction, "Tea, hot.\nDrink it, slowly.\nBye, now.", loose=True)
    assert not follows(build("startend:quotation", {}), "“茶\n很好。", loose=True)


def test_blank_responses_follow_nothing_even_where_the_check_would_pass() -> None:
    no_comma = build("punctuation:no_comma", {})
    assert no_comma.check("   ")
    assert not follows(no_comma, "   ", loose=False)
    assert not follows(no_comma, "\n\n", loose=True)


def test_response_variants_are_ifevals_eight_in_order() -> None:
    assert response_variants("a*\nb*\nc*") == [
        "a*\nb*\nc*",
        "b*\nc*",
        "a*\nb*",
        "b*",
        "a\nb\nc",
        "b\nc",
        "a\nb",
        "b",
    ]


def test_score_counts_prompts_and_instructions_strictly_and_loosely() -> None:
    prompts = [
        IFEvalPrompt(1, "p1", ("punctuation:no_comma", "startend:quotation"), ({}, {})),
        IFEvalPrompt(2, "p2", ("detectable_format:title",), ({},)),
        IFEvalPrompt(3, "p3", ("punctuation:no_comma",), ({},)),
    ]
    responses = [
        'Here it is:\n"Tea is hot."',  # no comma: yes; quotation: loose only
        "<<Tea>> is hot.",  # followed
        "Tea, hot.",  # not followed
    ]
    scores = score(prompts, responses)
    assert scores.n_prompts == 3 and scores.n_instructions == 4
    assert scores.prompt_strict == pytest.approx(1 / 3)
    assert scores.instruction_strict == pytest.approx(2 / 4)
    assert scores.prompt_loose == pytest.approx(2 / 3)
    assert scores.instruction_loose == pytest.approx(3 / 4)
    assert scores.by_type_strict == {
        "detectable_format:title": 1.0,
        "punctuation:no_comma": 0.5,
        "startend:quotation": 0.0,
    }
    assert scores.by_type_loose["startend:quotation"] == 1.0


def test_score_rejects_mismatched_or_empty_input() -> None:
    prompt = IFEvalPrompt(1, "p", ("punctuation:no_comma",), ({},))
    with pytest.raises(ValueError, match="1 prompts but 2 responses"):
        score([prompt], ["a", "b"])
    with pytest.raises(ValueError, match="no IFEval prompts"):
        score([], [])


# --- arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instruction_id", "kwargs", "message"),
    [
        ("keywords:nonexistent", {}, "unknown IFEval instruction id"),
        ("punctuation:no_comma", {"num_words": 3}, "unknown argument"),
        ("length_constraints:number_words", {"num_words": 3}, "'relation' is missing"),
        ("length_constraints:number_words", {"num_words": 3, "relation": "at most"}, "relation"),
        ("length_constraints:number_words", {"num_words": "3", "relation": LESS}, "int"),
        ("keywords:existence", {"keywords": []}, "must be list"),
        (
            "keywords:letter_frequency",
            {"letter": "ab", "let_frequency": 1, "let_relation": LESS},
            "one character",
        ),
        (
            "length_constraints:nth_paragraph_first_word",
            {"num_paragraphs": 2, "nth_paragraph": 3, "first_word": "a"},
            "nth_paragraph",
        ),
        ("detectable_content:number_placeholders", {"num_placeholders": -1}, ">= 0"),
    ],
)
def test_bad_arguments_raise_a_clear_error(
    instruction_id: str, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(IFEvalError, match=message):
        build(instruction_id, kwargs)


def test_none_arguments_are_the_public_sets_padding_and_ignored() -> None:
    instruction = build("punctuation:no_comma", {"num_words": None, "relation": None})
    assert instruction.check("no commas here")


@pytest.mark.parametrize(
    ("response", "capitals"),
    [
        ("NASA's WELL-KNOWN TCP/IP stack", 3),
        ("The U.S.A. and the UK", 2),
        ("DON'T SHOUT", 3),  # DON + T + SHOUT, as nltk's DO + N'T + SHOUT
        ("snake_CASE FOO_BAR A1 3.5", 2),  # FOO_BAR, A1
        ("我在NASA和ESA工作", 2),
    ],
)
def test_capital_words_are_cut_as_nltk_cuts_them(response: str, capitals: int) -> None:
    kwargs = {"capital_frequency": capitals, "capital_relation": AT_LEAST}
    assert build("change_case:capital_word_frequency", kwargs).check(response)
    kwargs["capital_frequency"] = capitals + 1
    assert not build("change_case:capital_word_frequency", kwargs).check(response)


def test_letter_frequency_counts_any_one_character_it_is_given() -> None:
    # The public set asks for "#" and "!"; the original would draw a random letter instead.
    kwargs = {"letter": "#", "let_frequency": 2, "let_relation": AT_LEAST}
    assert build("keywords:letter_frequency", kwargs).check("#one #two")
    assert not build("keywords:letter_frequency", kwargs).check("#one two")


def test_keywords_are_literal_not_regular_expressions() -> None:
    assert build("keywords:existence", {"keywords": ["C++"]}).check("I write c++ daily.")
    assert not build("keywords:existence", {"keywords": ["a.c"]}).check("abc")


# --- loading --------------------------------------------------------------------------------


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


def test_load_prompts_reads_ifevals_layout(tmp_path: Path) -> None:
    record = {
        "key": 7,
        "prompt": "Write without commas.",
        "instruction_id_list": ["punctuation:no_comma"],
        "kwargs": [{}],
    }
    prompts = load_prompts(write_jsonl(tmp_path / "p.jsonl", [record]))
    assert prompts == [IFEvalPrompt(7, "Write without commas.", ("punctuation:no_comma",), ({},))]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"key": 1, "prompt": "x", "instruction_id_list": ["punctuation:no_comma"]}, "kwargs"),
        ({"key": "1", "prompt": "x", "instruction_id_list": ["a:b"], "kwargs": [{}]}, "integer"),
        ({"key": 1, "prompt": "x", "instruction_id_list": ["a:b"], "kwargs": [{}]}, "unknown"),
        (
            {
                "key": 1,
                "prompt": "x",
                "instruction_id_list": ["punctuation:no_comma"],
                "kwargs": [{}, {}],
            },
            "1 instruction ids but 2",
        ),
        (
            {
                "key": 1,
                "prompt": "x",
                "instruction_id_list": ["detectable_format:title"],
                "kwargs": [{"num_words": 2}],
            },
            "prompt key 1: detectable_format:title: unknown",
        ),
    ],
)
def test_load_prompts_names_the_file_and_line_of_a_bad_record(
    tmp_path: Path, record: dict[str, Any], message: str
) -> None:
    good = {
        "key": 0,
        "prompt": "ok",
        "instruction_id_list": ["punctuation:no_comma"],
        "kwargs": [{}],
    }
    path = write_jsonl(tmp_path / "p.jsonl", [good, record])
    with pytest.raises(InputError, match=message) as info:
        load_prompts(path)
    assert str(info.value).startswith(f"{path}:2: ")


def test_load_prompts_rejects_duplicate_keys(tmp_path: Path) -> None:
    good = {
        "key": 0,
        "prompt": "ok",
        "instruction_id_list": ["punctuation:no_comma"],
        "kwargs": [{}],
    }
    with pytest.raises(InputError, match="key 0 appears twice"):
        load_prompts(write_jsonl(tmp_path / "p.jsonl", [good, good]))


def test_the_hub_set_fails_with_one_clear_line_when_it_cannot_be_loaded(hub_offline: None) -> None:
    with pytest.raises(EvalDataError) as info:
        ifeval.load_hub_prompts("google/IFEval-not-cached-here")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("cannot load IFEval prompts from Hub dataset 'google/IFEval")
    with pytest.raises(EvalDataError, match="'google/IFEval-not-cached-here' at abc123"):
        ifeval.load_hub_prompts("google/IFEval-not-cached-here", revision="abc123")


def test_languages_are_read_by_seeded_langdetect_over_the_whole_response() -> None:
    """As the original: langdetect on the whole text (not a prefix), a text it cannot read
    counts as followed; seeded, so the verdict is the same every time."""
    english = "The weather in the mountains is cold and windy during the winter months."
    chinese = "山里的天气在冬天的几个月里又冷又多风，出门要多穿衣服。"
    french = "Le temps dans les montagnes est froid et venteux pendant les mois d'hiver. "
    long_english_tail = french * 2 + " ".join([english] * 20)  # French for 150 characters
    assert ifeval.detect_language(english) == "en"
    assert ifeval.detect_language(chinese) == "zh"  # langdetect's zh-cn, read as zh
    assert ifeval.detect_language(long_english_tail) == "en"  # the whole text decides
    assert ifeval.detect_language("12345 !!!") is None
    answers = set()
    for _ in range(3):
        ifeval.detect_language.cache_clear()
        answers.add(ifeval.detect_language("Hello"))  # borderline: unseeded, it varies
    assert len(answers) == 1
    digits = build("language:response_language", {"language": "en"})
    assert digits.check("12345 !!!")
    prompts = [
        IFEvalPrompt(1, "p1", ("language:response_language",), ({"language": "en"},)),
        IFEvalPrompt(2, "p2", ("language:response_language",), ({"language": "zh"},)),
        IFEvalPrompt(3, "p3", ("change_case:english_lowercase",), ({},)),
    ]
    scores = score(prompts, [english, english, english.lower()])
    assert scores.prompt_strict == pytest.approx(2 / 3)  # the second should be Chinese
    assert score(prompts[1:2], [chinese]).prompt_strict == 1.0
