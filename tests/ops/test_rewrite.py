"""rewrite: each preservation check on realistic answers (must pass, must fail), the family
table, and rewrite_rows over a scripted teacher: which turns are asked, which rewrites
replace their turn, and what the rows and metrics say (single- and multi-turn rows, judged
or with null judge columns)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from distilpipe.llm.cache import CallCache
from distilpipe.llm.client import LLMClient
from distilpipe.llm.types import (
    ChoiceProbs,
    ChoiceRequest,
    Failure,
    GenerateRequest,
    Generation,
    Sampling,
)
from distilpipe.ops import rewrite
from distilpipe.ops.judge import JUDGE_COLUMNS
from distilpipe.ops.rewrite import (
    FAMILIES,
    REWRITE_COLUMNS,
    family_of,
    preservation_failure,
    replacement_failures,
    rewrite_rows,
    wanted_languages,
)
from distilpipe.params import Rewrite
from distilpipe.schema import ROW_SCHEMA, validate_rows
from distilpipe.sources.rows import message_id
from distilpipe.taxonomy import type_ids

P = Rewrite(min_length_ratio=0.5, max_length_ratio=3.0)

MATH_EN = (
    "Each box holds 12 pencils and there are 7 boxes, so there are 12 x 7 = 84 pencils.\n"
    "Giving away 20 leaves 84 - 20 = 64.\n"
    "The answer is 64."
)
MATH_EN_REWRITE = (
    "Step 1: 7 boxes of 12 pencils make 7 x 12 = 84 pencils.\n"
    "Step 2: after giving 20 away, 84 - 20 = 64 remain.\n"
    "The answer is 64."
)
MATH_ZH = "小明有 15 个苹果，吃掉 3 个，又买了 8 个。\n15 - 3 + 8 = 20。\n所以答案是 20。"
MATH_ZH_REWRITE = "第一步：15 - 3 = 12。\n第二步：12 + 8 = 20。\n答案是 20。"
CODE_EN = (
    "Use a dictionary to count the words:\n\n"
    "```python\n"
    "def word_counts(text):\n"
    "    counts = {}\n"
    "    for word in text.split():\n"
    "        counts[word] = counts.get(word, 0) + 1\n"
    "    return counts\n"
    "```\n"
)
CODE_EN_REWRITE = (
    "```python\n"
    "def word_counts(text):\n"
    "    counts = {}\n"
    "    for word in text.split():\n"
    "        counts[word] = counts.get(word, 0) + 1\n"
    "    return counts\n"
    "```\n\n"
    "The function splits the text on whitespace and counts each word in a dictionary."
)
PROSE_ZH = (
    "长城是中国古代的军事防御工程，东起山海关，西至嘉峪关，全长两万多公里，修建历时两千多年。"
)
PROSE_ZH_REWRITE = "长城是中国古代修建的军事防御工程。它东起山海关、西至嘉峪关，全长两万多公里。"
PROSE_ZH_IN_ENGLISH = (
    "The Great Wall is an ancient Chinese defensive work running from Shanhaiguan to Jiayuguan."
)


def _check(original: str, new: str, finish: str = "stop", want: str = "en", new_lang: str = "en"):
    return preservation_failure(original, new, finish, new_lang, want, P)


# --- each check: must pass, must fail ------------------------------------------------------


def test_final_answer_kept_in_english_passes_and_changed_fails() -> None:
    assert _check(MATH_EN, MATH_EN_REWRITE) is None
    changed = MATH_EN_REWRITE.replace("The answer is 64.", "The answer is 46.")
    assert _check(MATH_EN, changed) == "final_answer_changed"
    dropped = MATH_EN_REWRITE.replace("The answer is 64.", "So that is how many remain.")
    assert _check(MATH_EN, dropped) == "final_answer_changed"
    boxed = MATH_EN_REWRITE.replace("The answer is 64.", "Therefore $\\boxed{64}$.")
    assert _check(MATH_EN, boxed) is None


def test_final_answer_kept_in_chinese_passes_and_changed_fails() -> None:
    assert _check(MATH_ZH, MATH_ZH_REWRITE, want="zh", new_lang="zh") is None
    wrong = MATH_ZH_REWRITE.replace("答案是 20", "答案是 26")
    assert _check(MATH_ZH, wrong, want="zh", new_lang="zh") == "final_answer_changed"
    # an answer without a final number constrains nothing
    assert _check(PROSE_ZH, PROSE_ZH_REWRITE, want="zh", new_lang="zh") is None


def test_a_code_block_kept_passes_and_a_lost_or_changed_one_fails() -> None:
    assert _check(CODE_EN, CODE_EN_REWRITE) is None
    lost = "Count words with a dictionary: split the text and add one per word. " * 2
    assert _check(CODE_EN, lost) == "code_block_lost"
    changed = CODE_EN_REWRITE.replace("+ 1", "+ 2")
    assert _check(CODE_EN, changed) == "code_block_lost"


def test_length_ratio_inside_the_bounds_passes_outside_fails() -> None:
    original = "Paris is the capital of France. " * 4  # 128 characters
    assert _check(original, "Paris is the capital of France, and its largest city. " * 2) is None
    assert _check(original, "Paris.") == "length_ratio_low"
    assert _check(original, original * 4) == "length_ratio_high"
    at_bounds = Rewrite(min_length_ratio=0.5, max_length_ratio=0.5)
    assert preservation_failure(original, original[:64], "stop", "en", "en", at_bounds) is None


def test_truncated_and_empty_rewrites_fail() -> None:
    assert _check(MATH_EN, MATH_EN_REWRITE, finish="length") == "cut_off"
    assert _check(MATH_EN, MATH_EN_REWRITE, finish="stop") is None
    assert _check(MATH_EN, "  \n ") == "empty"


def test_wrong_language_with_the_pools_detector() -> None:
    originals = [PROSE_ZH, PROSE_ZH, MATH_EN, "```python\nprint(1)\n```"]
    # the last original is code only ('und'): the row's language is wanted
    want = wanted_languages(originals, ["zh", "zh", "en", "zh"], "fasttext")
    assert want == ["zh", "zh", "en", "zh"]
    results: list[Generation | Failure] = [
        Generation(PROSE_ZH_REWRITE, "stop", 10, 10),
        Generation(PROSE_ZH_IN_ENGLISH, "stop", 10, 10),
        Generation(MATH_EN_REWRITE, "stop", 10, 10),
        Generation("```python\nprint(1)\n```\n\n这段代码打印数字一。", "stop", 10, 10),
    ]
    reasons = replacement_failures(originals, results, want, P, "fasttext")
    assert reasons == [None, "wrong_language", None, None]


def test_an_undetermined_rewrite_is_not_a_wrong_language() -> None:
    assert (
        _check("x = 3, y = 4, so x + y = 7", "3 + 4 = 7 = x + y", want="zh", new_lang="und") is None
    )
    assert _check("x = 3, y = 4, so x + y = 7", "3 + 4 = 7 = x + y", want="zh", new_lang="en") == (
        "wrong_language"
    )


def test_failed_calls_keep_the_original() -> None:
    from distilpipe.llm.types import TooLong

    reasons = replacement_failures(
        [MATH_EN, MATH_EN],
        [TooLong("2100 > 2048"), Failure("HTTP 503")],
        ["en", "en"],
        P,
        "fasttext",
    )
    assert reasons == ["too_long", "failed"]


def test_the_family_table_covers_the_33_types_once() -> None:
    rewrite.check_families()
    listed = [t for tasks in FAMILIES.values() for t in tasks]
    assert sorted(listed) == sorted(type_ids()) and len(listed) == 33
    assert family_of("math") == "math" and family_of("code_debug") == "code"
    assert family_of("roleplay") == "writing" and family_of("history") == "knowledge"
    assert family_of(None) == family_of("no_such_type") == "knowledge"


# --- rewrite_rows over a scripted teacher ---------------------------------------------------

# original answer -> (rewrite, finish_reason); anything else comes back unchanged in upper case
SCRIPT = {
    MATH_EN: (MATH_EN_REWRITE, "stop"),
    MATH_ZH: (MATH_ZH_REWRITE.replace("答案是 20", "答案是 21"), "stop"),  # answer changed
    CODE_EN: (CODE_EN_REWRITE, "stop"),
    "Hello! How can I help?": ("Hello! How can I help you today?", "stop"),
    "Rome.": ("Rome is the capital of Italy, and has been since 1871. " * 3, "stop"),  # too long
    PROSE_ZH: (PROSE_ZH_REWRITE, "length"),  # cut off
}


class Teacher:
    """A scripted teacher backend: rewrites by SCRIPT, records every prompt."""

    identity = "scripted:teacher"

    def __init__(self) -> None:
        self.prompts: list[str] = []
        self.seeds: list[int | None] = []

    def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
        out: list[Generation | Failure] = []
        for r in requests:
            text = r.messages[-1]["content"]
            self.prompts.append(text)
            self.seeds.append(r.sampling.seed)
            original = re.split(r"\[Original answer\]\n|【原回答】\n", text)[1]
            original = re.split(r"\n\nRules:|\n\n要求：", original)[0]
            new, finish = SCRIPT.get(original, (original.upper(), "stop"))
            out.append(Generation(new, finish, 50, 20))
        return out

    def choice_logprobs(self, requests: list[ChoiceRequest]) -> list[ChoiceProbs | Failure]:
        raise AssertionError("rewrite never scores")

    def label_logprobs(self, requests: list[Any]) -> list[Any]:
        raise AssertionError("rewrite never labels")

    def close(self) -> None:
        pass


def _row(messages: list[dict[str, str]], lang: str, task: str, origin: str, judged: bool):
    row: dict[str, Any] = {
        "id": message_id(messages),
        "source": "magpie",
        "source_id": None,
        "messages": messages,
        "lang": lang,
        "origin": origin,
        "parent_id": None,
        "meta": "{}",
        "teacher_response": "A teacher answer." if judged else None,
        "student_response": "A student answer." if judged else None,
        "teacher_score": 7.0 if judged else None,
        "student_score": 3.0 if judged else None,
        "mfd": 4 / 9 if judged else None,
        "judge_model": "scripted:judge" if judged else None,
        "task_type": task,
    }
    return row


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = {**ROW_SCHEMA, **JUDGE_COLUMNS, "task_type": pl.String}
    return pl.DataFrame(rows, schema=schema)


def _u(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def _a(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}


ROWS = [
    _row(
        [_u("12 pencils in each of 7 boxes; 20 given away. How many left?"), _a(MATH_EN)],
        "en",
        "math",
        "source",
        True,
    ),
    _row(
        [_u("小明有 15 个苹果，吃掉 3 个，又买了 8 个，现在有几个？"), _a(MATH_ZH)],
        "zh",
        "math",
        "translated",
        False,
    ),
    _row(
        [
            {"role": "system", "content": "You are a Python tutor."},
            _u("Write a function that counts words."),
            _a(CODE_EN),
        ],
        "en",
        "code_generation",
        "expanded",
        False,
    ),
    # multi-turn, null judge columns: three assistant turns, each rewritten on its own
    _row(
        [
            _u("Hi"),
            _a("Hello! How can I help?"),
            _u("Capital of Italy?"),
            _a("Rome."),
            _u("请介绍一下长城。"),
            _a(PROSE_ZH),
        ],
        "en",
        "history",
        "multiturn",
        False,
    ),
]


@pytest.fixture
def cache(tmp_path: Path):
    with CallCache(tmp_path / "cache") as c:
        yield c


def test_rewrite_rows_decides_turn_by_turn(cache: CallCache) -> None:
    teacher = Teacher()
    client = LLMClient(teacher, cache, batch_size=2, name="teacher", defaults=Sampling(64))
    asked: list[str] = []

    def roles(role: str) -> LLMClient:
        asked.append(role)
        return client

    rows = _frame(ROWS)
    result = rewrite_rows(rows, roles, P, "fasttext")
    assert asked == ["teacher"]
    out = validate_rows(result.rows, "rewritten")
    assert out.columns == [*rows.columns, *REWRITE_COLUMNS]
    assert out["original_messages"].to_list() == rows["messages"].to_list()
    # judge columns pass through as they were, null or not; ids stay the rows' own
    assert out.select(*JUDGE_COLUMNS, "id").equals(rows.select(*JUDGE_COLUMNS, "id"))
    assert out["rewrite_status"].to_list() == [
        ["rewritten"],
        ["final_answer_changed"],
        ["rewritten"],
        ["rewritten", "length_ratio_high", "cut_off"],
    ]
    messages = out["messages"].to_list()
    assert messages[0][-1]["content"] == MATH_EN_REWRITE
    assert messages[1] == ROWS[1]["messages"]  # the original stays
    assert messages[2][0] == ROWS[2]["messages"][0]  # system and user turns untouched
    assert messages[2][-1]["content"] == CODE_EN_REWRITE.strip()
    multi = messages[3]
    assert [m["content"] for m in multi] == [
        "Hi",
        "Hello! How can I help you today?",
        "Capital of Italy?",
        "Rome.",
        "请介绍一下长城。",
        PROSE_ZH,
    ]

    # one call per assistant turn; per family and language prompt; per-turn seeds
    assert len(teacher.prompts) == 6
    by_answer = {
        re.split(r"\[Original answer\]\n|【原回答】\n", p)[1][:20]: p for p in teacher.prompts
    }
    assert "worked steps" in by_answer[MATH_EN[:20]]
    assert "按顺序写出解题步骤" in by_answer[MATH_ZH[:20]]
    assert "fenced code blocks" in by_answer[CODE_EN[:20]]
    assert "You are a Python tutor." in by_answer[CODE_EN[:20]]  # the system turn is context
    third = by_answer[PROSE_ZH[:20]]
    assert "direct answer" in third  # history: knowledge family; the row is English
    # the context of a later turn is the conversation as it was, not its rewrites
    assert "Assistant: Hello! How can I help?\n" in third and "Assistant: Rome.\n" in third
    assert "[User's message]\n请介绍一下长城。" in third
    assert len(set(teacher.seeds)) == 6

    m = result.metrics
    assert (m["rows"], m["turns"], m["turns_rewritten"], m["rows_changed"]) == (4, 6, 3, 3)
    assert m["acceptance_rate"] == 0.5
    assert m["kept_original"] == {
        **dict.fromkeys(rewrite.REASONS, 0),
        "final_answer_changed": 1,
        "length_ratio_high": 1,
        "cut_off": 1,
    }
    assert m["by_family"]["math"] == {"turns": 2, "rewritten": 1}
    assert m["by_family"]["knowledge"] == {"turns": 3, "rewritten": 1}
    assert m["calls"]["calls"] == m["calls"]["cache_misses"] == 6

    # the same rows again: every call a hit, the same frame; one row more: one call more
    again = rewrite_rows(rows, roles, P, "fasttext")
    assert again.rows.equals(result.rows)
    assert client.stats.cache_misses == 6
    extra = _row(
        [_u("What is 2 + 2?"), _a("2 + 2 = 4.\nThe answer is 4.")], "en", "math", "source", True
    )
    rewrite_rows(_frame([*ROWS, extra]), roles, P, "fasttext")
    assert client.stats.cache_misses == 7


def test_no_rows_make_no_calls(cache: CallCache) -> None:
    teacher = Teacher()
    client = LLMClient(teacher, cache, name="teacher")
    result = rewrite_rows(_frame([]), lambda _: client, P, "fasttext")
    assert result.rows.height == 0 and result.rows.columns[-2:] == list(REWRITE_COLUMNS)
    assert result.metrics["turns"] == 0 and result.metrics["acceptance_rate"] is None
    assert teacher.prompts == []
