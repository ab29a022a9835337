"""translate: each check on realistic translations that must pass and must fail, and the whole
stage over a scripted teacher: quota arithmetic from sample to translation, retries, the
candidate fallback, the shortfall, and which calls a re-run makes."""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from pathlib import Path

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
    LabelProbs,
    LabelRequest,
    Sampling,
    TooLong,
)
from distilpipe.ops import checks
from distilpipe.ops.sample import sample_rows
from distilpipe.ops.translate import (
    CARRIED_COLUMNS,
    REASONS,
    candidate_order,
    load_quota,
    row_verdict,
    translate_prompt,
    translate_rows,
    turn_reason,
    unwrap,
)
from distilpipe.params import Sample, Translate
from distilpipe.schema import ROW_SCHEMA, validate_rows
from distilpipe.sources.rows import message_id

# --- the checks, one turn at a time -------------------------------------------------------

CODE_EN = """Use slicing:

```python
items = [1, 2, 3]
print(items[::-1])
```

This prints the list reversed."""
CODE_ZH = """使用切片：

```python
items = [1, 2, 3]
print(items[::-1])
```

这会把列表倒序打印出来。"""
MATH_EN = r"Solve $x^2 - 5x + 6 = 0$ and give both roots, e.g. as $$x_{1,2} = 2, 3$$."
MATH_ZH = r"解方程 $x^2 - 5x + 6 = 0$，并给出两个根，例如写成 $$x_{1,2} = 2, 3$$。"


def _ok(text: str) -> Generation:
    return Generation(text, "stop", 40, 30)


def _reason(source: str, out: Generation | Failure, target: str = "zh") -> str | None:
    text = unwrap(out.text) if isinstance(out, Generation) else ""
    src_lang, out_lang = checks.languages([source, text])
    und_ok = src_lang == "und" or checks.short_prose([source])[0]
    found = turn_reason(source, out, text, out_lang, target, und_ok)
    return None if found is None else found[0]


def test_a_faithful_translation_passes_every_check() -> None:
    assert _reason(CODE_EN, _ok(CODE_ZH)) is None
    assert _reason(MATH_EN, _ok(MATH_ZH)) is None
    assert _reason(CODE_ZH, _ok(CODE_EN), target="en") is None
    # the prompt's delimiters echoed around the whole reply are not part of the translation
    assert _reason(MATH_EN, _ok(f"<text>\n{MATH_ZH}\n</text>")) is None


def test_wrong_language_is_rejected() -> None:
    assert _reason(CODE_EN, _ok(CODE_EN)) == "language"  # copied, not translated
    japanese = "Pythonでリストを逆順にするにはどうすればよいですか？スライスを使います。"
    assert _reason("How do I reverse a list in Python? Use slicing.", _ok(japanese)) == "language"
    # a Chinese instruction "translated" into English that stayed Chinese
    assert _reason("如何在 Python 中反转一个列表？", _ok("如何在Python中反转列表？"), "en") == (
        "language"
    )


def test_text_with_no_prose_may_stay_undetermined() -> None:
    formula = r"$$\int_0^1 x^2\,dx = \frac{1}{3}$$"
    assert _reason(formula, _ok(formula)) is None
    # but a prose source must come back as prose in the target language
    assert _reason("Compute the integral below and explain each step.", _ok(formula)) == (
        "language"
    )


def test_truncation_is_rejected() -> None:
    cut = Generation(CODE_ZH[:40], "length", 40, 64)
    assert _reason(CODE_EN, cut) == "truncated"


def test_empty_and_failed_calls_are_rejected() -> None:
    assert _reason(CODE_EN, _ok("  \n ")) == "empty"
    assert _reason(CODE_EN, Failure("HTTP 503 after 6 attempts")) == "failed"
    assert _reason(CODE_EN, TooLong("2100 + 64 > 2048")) == "too_long"


def test_a_code_block_changed_or_lost_is_rejected() -> None:
    # a translated comment inside the block is a change
    changed = CODE_ZH.replace("items = [1, 2, 3]", "items = [1, 2, 3]  # 列表")
    assert _reason(CODE_EN, _ok(changed)) == "code_block"
    lost = "使用切片：items[::-1] 会把列表倒序打印出来。"
    assert _reason(CODE_EN, _ok(lost)) == "code_block"
    # another fence and language tag around the same body is fine
    tildes = CODE_ZH.replace("```python", "~~~py").replace("```", "~~~")
    assert _reason(CODE_EN, _ok(tildes)) is None


def test_a_latex_span_lost_or_changed_is_rejected() -> None:
    unicode_math = "解方程 x² − 5x + 6 = 0，并给出两个根，例如写成 $$x_{1,2} = 2, 3$$。"
    assert _reason(MATH_EN, _ok(unicode_math)) == "latex"
    changed = MATH_ZH.replace("x^2 - 5x + 6", "x^2 - 5x - 6")
    assert _reason(MATH_EN, _ok(changed)) == "latex"


JOKE_ZH = """好的，来一个：

老师问小明：“你知道地球为什么是圆的吗？”

小明想了想说：“因为如果是方的，我们出门就容易撞到角。”

😄 需要再来一个吗？"""
JOKE_EN = """Sure, here is one:

The teacher asks Xiao Ming: "Do you know why the Earth is round?"

Xiao Ming thinks for a moment and says: "Because if it were square, we would bump into its
corners whenever we went out."

😄 Want another one?"""


def test_a_translation_much_shorter_or_longer_than_its_source_is_rejected() -> None:
    assert _reason(JOKE_ZH, _ok(JOKE_EN), "en") is None
    assert _reason("讲个笑话吧", _ok("Tell me a joke."), "en") is None
    # a fragment (what the tiny teacher wrote for the joke), and an answer instead of a
    # translation of the instruction
    assert _reason(JOKE_ZH, _ok("Sure, here is one: a teacher asks."), "en") == "length"
    assert _reason("讲个笑话吧", _ok(JOKE_EN), "en") == "length"
    source, out = JOKE_ZH, "Sure, here is one: a teacher asks."
    (out_lang,) = checks.languages([out])
    assert turn_reason(source, _ok(out), out, out_lang, "en", False, None) is None


def test_a_url_lost_or_changed_is_rejected() -> None:
    source = (
        "The syntax, flags and functions of regular expressions are all in the official "
        "documentation at https://docs.python.org/3/library/re.html; look there first."
    )
    good = (
        "正则表达式的语法、标志和各个函数的用法都写在官方文档里："
        "https://docs.python.org/3/library/re.html，遇到问题时可以先查一查。"
    )
    assert _reason(source, _ok(good)) is None
    dropped = "正则表达式的语法、标志和各个函数的用法都写在官方文档里，遇到问题时可以先查一查。"
    assert _reason(source, _ok(dropped)) == "url"
    localised = good.replace("/3/", "/zh-cn/3/")
    assert _reason(source, _ok(localised)) == "url"


def test_a_missing_turn_is_rejected_and_reasons_come_in_order() -> None:
    source = [
        {"role": "system", "content": "You are a careful math tutor."},
        {"role": "user", "content": MATH_EN},
        {"role": "assistant", "content": "Factor it: $(x-2)(x-3) = 0$, so $x = 2$ or $x = 3$."},
    ]
    translated = [
        {"role": "system", "content": "你是一位细心的数学老师。"},
        {"role": "user", "content": MATH_ZH},
    ]
    assert not checks.same_turns(source, translated)
    assert checks.same_turns(source, [*translated, {"role": "assistant", "content": "..."}])
    assert row_verdict(source, translated, [None, None, None]).reason == "turns"
    # the first reason of REASONS wins, at its first turn
    verdict = row_verdict(source, source, [None, ("language", "en"), ("truncated", "")])
    assert (verdict.reason, verdict.turn) == ("truncated", 2)
    assert row_verdict(source, source, [None, None, None]).reason is None


def test_the_prompt_is_written_in_the_target_language() -> None:
    zh, digest_zh = translate_prompt("user", "How do I reverse a list?", "en", "zh")
    en, digest_en = translate_prompt("assistant", "使用切片。", "zh", "en")
    assert "翻译成中文" in zh and "用户消息" in zh and "How do I reverse a list?" in zh
    assert "into English" in en and "assistant's answer" in en and "使用切片。" in en
    assert digest_zh != digest_en
    assert checks.languages([zh.split("<text>")[0], en.split("<text>")[0]]) == ["zh", "en"]


def test_candidates_highest_mfd_first_then_by_id() -> None:
    rows = pl.DataFrame({"id": ["c", "a", "b", "d"], "mfd": [0.1, 0.1, None, 0.5]})
    assert candidate_order(rows)["id"].to_list() == ["d", "a", "c", "b"]
    assert candidate_order(rows.drop("mfd"))["id"].to_list() == ["a", "b", "c", "d"]


def test_quota_file_errors_say_what_is_wrong() -> None:
    good = '{"unit": "rows", "lang_share": {"en": 0.5, "zh": 0.5}, "quota": []}'
    assert load_quota(good) == ([], {"en": 0.5, "zh": 0.5})
    with pytest.raises(ValueError, match="unit 'tokens'"):
        load_quota(good.replace('"rows"', '"tokens"'))
    with pytest.raises(ValueError, match="needs task_type, lang and rows"):
        load_quota(good.replace("[]", '[{"lang": "zh", "rows": 2}]'))
    with pytest.raises(ValueError, match="not a translate quota"):
        load_quota("[1, 2]")


# --- the stage over a scripted teacher ------------------------------------------------------


def _source_text(prompt: str) -> str:
    return prompt.split("<text>\n", 1)[1].rsplit("\n</text>", 1)[0]


def _faithful(source: str, target: str) -> str:
    """A translation that keeps every code block and LaTeX span, in the target language,
    about as long as the source (in `checks.text_units`), different for every source text."""
    spans = checks.latex_spans(source)
    blocks = [f"```\n{b}\n```" for b in checks.code_blocks(source)]
    units = checks.text_units(re.sub(r"```.*?```|\$[^$]*\$", " ", source, flags=re.S))
    n = zlib.crc32(source.encode()) % 100_000
    if target == "zh":
        prose = f"第{n}段译文：" + ("意思与原文相同，只是换成中文来说。" * 20)[: max(int(units), 8)]
    else:
        words = ["this", "translation", "says", "in", "English", "what", "the", "original", "says"]
        prose = f"Translation {n}: " + " ".join((words * 20)[: max(int(units / 1.5), 6)]) + "."
    return "\n\n".join([prose, *spans, *blocks])


class ScriptedTranslator:
    """A teacher that translates faithfully, except for the source texts in `behaviour`:

    - `copy`: returns the source unchanged (wrong language), every attempt;
    - `truncate_first`: the first (greedy) attempt is cut off, a retry succeeds;
    - `drop_code`: loses the code blocks, every attempt;
    - `fail`: the call fails, every attempt.
    It records each request it answers."""

    identity = "scripted:translator"

    def __init__(self, behaviour: dict[str, str] | None = None):
        self.behaviour = behaviour or {}
        self.asked: list[tuple[str, float, int | None]] = []

    def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
        out: list[Generation | Failure] = []
        for r in requests:
            prompt = r.messages[-1]["content"]
            source = _source_text(prompt)
            target = "zh" if "翻译成中文" in prompt else "en"
            retry = r.sampling.temperature > 0
            self.asked.append((source, r.sampling.temperature, r.sampling.seed))
            how = self.behaviour.get(source, "")
            text = _faithful(source, target)
            if how == "copy":
                out.append(Generation(source, "stop", 50, 50))
            elif how == "truncate_first" and not retry:
                out.append(Generation(text[:12], "length", 50, r.sampling.max_new_tokens))
            elif how == "drop_code":
                out.append(Generation(re.sub(r"```.*?```", "", text, flags=re.S), "stop", 50, 20))
            elif how == "fail":
                out.append(Failure("HTTP 503 after 6 attempts"))
            else:
                out.append(Generation(text, "stop", 50, 30))
        return out

    def choice_logprobs(self, requests: list[ChoiceRequest]) -> list[ChoiceProbs | Failure]:
        raise AssertionError("translate asks for generations only")

    def label_logprobs(self, requests: list[LabelRequest]) -> list[LabelProbs | Failure]:
        raise AssertionError("translate asks for generations only")

    def close(self) -> None:
        pass


def _teacher(backend: ScriptedTranslator, cache: CallCache) -> Callable[[str], LLMClient]:
    client = LLMClient(
        backend,
        cache,
        batch_size=4,
        name="teacher",
        max_failure_rate=1.0,
        defaults=Sampling(max_new_tokens=64),
    )

    def roles(role: str) -> LLMClient:
        assert role == "teacher"
        return client

    return roles


@pytest.fixture
def cache(tmp_path: Path):
    with CallCache(tmp_path / "cache") as c:
        yield c


EN_MATH = [
    "A shop sells pens at $3 each. How much do 7 pens cost?",
    "Solve $2x + 3 = 11$ for $x$ and check the answer.",
    "What is the sum of the interior angles of a hexagon?",
    "Compute $\\frac{3}{4} + \\frac{5}{6}$ and simplify.",
    "A train travels 180 km in 2.5 hours. What is its average speed?",
    "Find the area of a circle of radius $r = 4$ cm.",
    "How many minutes are there in a week?",
    "Factor $x^2 - 9$ completely.",
]
ZH_MATH = ["一个长方形的长是 8 厘米，宽是 5 厘米，它的面积是多少？"]
EN_CODE = [
    "Fix this loop so it stops:\n\n```python\ni = 0\nwhile i < 10:\n    print(i)\n```",
    "Write a Python function that reverses a string.",
    "Write a SQL query that counts the orders per customer.",
    "Explain what this does:\n\n```js\nconst xs = [3, 1, 2].sort();\n```",
]
ZH_CODE = ["用 Python 写一个函数，判断一个数是不是质数。"]
ZH_WRITING = [
    "写一首关于秋天的短诗。",
    "给朋友写一封邀请他参加生日聚会的短信。",
    "把下面这句话改写得更正式一些：我们明天见。",
    "写一段介绍杭州西湖的文字，不超过一百字。",
    "为一家咖啡店写一句广告语。",
]
EN_WRITING = ["Write a haiku about the sea."]


def _row(instruction: str, lang: str, task: str, mfd: float | None) -> dict[str, object]:
    answer = "答：见下文。" if lang == "zh" else "Answer: see below."
    system = "你是一个乐于助人的助手。" if lang == "zh" else "Be helpful."
    messages = [
        {"role": "system", "content": system},
        {"role": "user", "content": instruction},
        {"role": "assistant", "content": answer},
    ]
    return {
        "id": message_id(messages),
        "source": "magpie",
        "source_id": None,
        "messages": messages,
        "lang": lang,
        "origin": "source",
        "parent_id": None,
        "meta": "{}",
        "teacher_response": "t",
        "student_response": "s",
        "mfd": mfd,
        "task_type": task,
        "task_conf": 0.9,
        "task_label_by": "llm",
    }


def _classified() -> pl.DataFrame:
    rows = []
    for group, lang, task in (
        (EN_MATH, "en", "math"),
        (ZH_MATH, "zh", "math"),
        (EN_CODE, "en", "code_generation"),
        (ZH_CODE, "zh", "code_generation"),
        (ZH_WRITING, "zh", "writing"),
        (EN_WRITING, "en", "writing"),
    ):
        for k, text in enumerate(group):
            rows.append(_row(text, lang, task, round(0.9 - 0.1 * k, 2) if k != 2 else None))
    schema = {
        **ROW_SCHEMA,
        "teacher_response": pl.String,
        "student_response": pl.String,
        "mfd": pl.Float64,
        "task_type": pl.String,
        "task_conf": pl.Float64,
        "task_label_by": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


SHARES = {"math": 0.4, "code_generation": 0.3, "writing": 0.3}


def _sampled() -> tuple[pl.DataFrame, list[dict[str, object]]]:
    classified = _classified()
    lengths = pl.Series([len(m[1]["content"]) for m in classified["messages"].to_list()])
    result = sample_rows(
        classified, lengths, Sample(n=20, task_shares=SHARES, length={"unit": "chars"})
    )
    return result.rows, result.translate_quota


def test_sample_then_translate_meets_the_language_targets(cache: CallCache) -> None:
    """From the sample's quota to the translated rows: every type's languages end within one
    row of lang_share x the type's quota, and every check passed is a real translation."""
    sampled, quota = _sampled()
    # math: 8 en + 1 zh for a quota of 8 -> zh short by 3; code: 4 en + 1 zh -> zh short by
    # 1 (quota 5: 2/3 split, en keeps its extra row); writing: 5 zh + 1 en -> en short by 2
    assert {(q["task_type"], q["lang"]): q["rows"] for q in quota} == {
        ("math", "zh"): 3,
        ("code_generation", "zh"): 1,
        ("writing", "en"): 2,
    }
    backend = ScriptedTranslator()
    result = translate_rows(
        sampled, quota, {"en": 0.5, "zh": 0.5}, _teacher(backend, cache), Translate()
    )
    out = validate_rows(result.rows, "translated")
    assert out.head(sampled.height).equals(sampled)  # the sample passes through unchanged
    added = out.slice(sampled.height)
    assert added.height == 6 and set(added["origin"]) == {"translated"}
    # Every language reaches its target (lang_share x the type's sampled rows) within one
    # row. A language that lacked rows ends at its target; the other keeps the rows the
    # sample filled its gap with, so it may stay above its target.
    short = {(q["task_type"], q["lang"]) for q in quota}
    for (task,), group in out.group_by("task_type"):
        quota_rows = sampled.filter(pl.col("task_type") == task).height
        for lang in ("en", "zh"):
            got = group.filter(pl.col("lang") == lang).height
            target = 0.5 * quota_rows
            if (task, lang) in short:
                assert abs(got - target) <= 1, (task, lang, got, quota_rows)
            else:
                assert got >= target - 1, (task, lang, got, quota_rows)
    m = result.metrics
    assert m["rows_added"] == m["quota_rows"] == 6 and m["shortfall_rows"] == 0
    assert m["added"] == {"math": {"zh": 3}, "code_generation": {"zh": 1}, "writing": {"en": 2}}
    assert m["attempts"] == m["rows_tried"] == 6 and m["retries"] == 0
    assert sum(m["rejects"].values()) == 0
    # each translated row: a fresh id from its messages, the parent's task and source, the
    # judge's columns null (measured on the other language's text)
    by_id = {r["id"]: r for r in sampled.iter_rows(named=True)}
    for row in added.iter_rows(named=True):
        parent = by_id[row["parent_id"]]
        assert row["id"] == message_id(row["messages"]) != parent["id"]
        assert [m["role"] for m in row["messages"]] == [m["role"] for m in parent["messages"]]
        assert row["lang"] != parent["lang"]
        assert row["source"] == parent["source"] and row["meta"] == parent["meta"]
        assert all(row[c] == parent[c] for c in CARRIED_COLUMNS)
        assert row["mfd"] is None and row["teacher_response"] is None
        assert checks.languages([row["messages"][1]["content"]]) == [row["lang"]]
    # candidates by MFD: math's zh rows come from the three best en math rows
    math_parents = added.filter(pl.col("task_type") == "math")["parent_id"].to_list()
    en_math = candidate_order(
        sampled.filter((pl.col("task_type") == "math") & (pl.col("lang") == "en"))
    )
    assert math_parents == en_math["id"].to_list()[:3]
    # every turn was one call: 3 turns per row
    assert m["calls"]["calls"] == 3 * 6 and m["calls"]["cache_misses"] == 3 * 6
    shares = m["lang_share"]
    assert shares["after"]["en"] == pytest.approx(
        out.filter(pl.col("lang") == "en").height / out.height, abs=1e-6
    )
    assert {p["task_type"] for p in result.plots["added"]} == {
        "math",
        "code_generation",
        "writing",
    }


def test_retries_then_the_next_candidate_then_a_shortfall(cache: CallCache) -> None:
    sampled, quota = _sampled()
    order = candidate_order(
        sampled.filter((pl.col("task_type") == "math") & (pl.col("lang") == "en"))
    )
    instruction = {r["id"]: r["messages"][1]["content"] for r in order.iter_rows(named=True)}
    best = [instruction[i] for i in order["id"].to_list()]
    zh_writing = sampled.filter((pl.col("task_type") == "writing") & (pl.col("lang") == "zh"))
    # math needs 3 zh rows: the best candidate fails its first try only (cut off), the second
    # is copied untranslated every time, the third loses nothing (no code) but fails to call;
    # so the 4th and 5th candidates fill in. code needs 1: its only en candidate with code
    # loses its block every time, the next one passes. writing needs 2 en rows: every zh
    # writing row fails -> shortfall 2.
    code_with_block = EN_CODE[0]  # the best code candidate
    behaviour = {
        best[0]: "truncate_first",
        best[1]: "copy",
        best[2]: "fail",
        code_with_block: "drop_code",
        **{m[1]["content"]: "copy" for m in zh_writing["messages"].to_list()},
    }
    backend = ScriptedTranslator(behaviour)
    result = translate_rows(
        sampled, quota, {"en": 0.5, "zh": 0.5}, _teacher(backend, cache), Translate()
    )
    m = result.metrics
    assert m["added"] == {"math": {"zh": 3}, "code_generation": {"zh": 1}, "writing": {"en": 0}}
    assert m["shortfall"] == {"writing": {"en": 2}} and m["shortfall_rows"] == 2
    assert m["accepted_on_retry"] == 1  # best[0], on its retry
    math_parents = result.rows.filter(
        (pl.col("origin") == "translated") & (pl.col("task_type") == "math")
    )["parent_id"].to_list()
    assert math_parents == [order["id"][0], order["id"][3], order["id"][4]]
    rejects = result.rejects
    # best[1] and best[2]: rejected twice each (first try and retry), best[0] once
    math_rejects = rejects.filter(pl.col("task_type") == "math")
    assert math_rejects.select("parent_id", "attempt", "reason").rows() == [
        (order["id"][0], 0, "truncated"),
        (order["id"][1], 0, "language"),
        (order["id"][2], 0, "failed"),
        (order["id"][1], 1, "language"),
        (order["id"][2], 1, "failed"),
    ]
    # the user turn (1) is the one that failed for the copied row: the system prompt and the
    # answer of the scripted rows are translated faithfully
    assert math_rejects.filter(pl.col("reason") == "language")["turn"].to_list() == [1, 1]
    code = rejects.filter(pl.col("task_type") == "code_generation")
    assert set(code["reason"]) == {"code_block"} and code.height == 2
    writing = rejects.filter(pl.col("task_type") == "writing")
    assert writing.height == 2 * zh_writing.height  # every candidate, twice
    assert m["rows_tried"] == 5 + 2 + zh_writing.height
    assert m["retries"] == rejects.filter(pl.col("attempt") == 0).height
    assert m["rejects"]["language"] == 2 + writing.height
    assert m["rejects"]["failed"] == 2 and m["rejects"]["truncated"] == 1
    assert set(m["rejects"]) == set(REASONS)
    # a retry samples under another seed: same turn, new seed, retry temperature
    turn = best[0]
    tries = [(temp, seed) for text, temp, seed in backend.asked if text == turn]
    assert len(tries) == 2 and tries[0][0] == 0.0 and tries[1][0] == 0.7
    assert tries[0][1] != tries[1][1]


def test_max_candidates_caps_the_rows_tried(cache: CallCache) -> None:
    sampled, quota = _sampled()
    zh_writing = sampled.filter((pl.col("task_type") == "writing") & (pl.col("lang") == "zh"))
    behaviour = {m[1]["content"]: "copy" for m in zh_writing["messages"].to_list()}
    result = translate_rows(
        sampled,
        [q for q in quota if q["task_type"] == "writing"],
        {"en": 0.5, "zh": 0.5},
        _teacher(ScriptedTranslator(behaviour), cache),
        Translate(max_candidates=1, retries=0),
    )
    assert result.metrics["rows_tried"] == 2  # 1 per missing row
    assert result.metrics["attempts"] == 2 and result.metrics["shortfall_rows"] == 2


def test_a_rerun_with_more_rows_repeats_no_call(cache: CallCache) -> None:
    """Calls depend on the row and turn only: a second run over the sample plus new rows
    finds every earlier call cached, and the same translations."""
    sampled, quota = _sampled()
    first_backend = ScriptedTranslator()
    first = translate_rows(
        sampled, quota, {"en": 0.5, "zh": 0.5}, _teacher(first_backend, cache), Translate()
    )
    new = _row("写一段关于春天的散文，描写公园里的花。", "zh", "writing", 0.95)
    grown = pl.concat([sampled, pl.DataFrame([{**new, "instruction_length": 20}], sampled.schema)])
    again_backend = ScriptedTranslator()
    again = translate_rows(
        grown, quota, {"en": 0.5, "zh": 0.5}, _teacher(again_backend, cache), Translate()
    )
    # the new zh writing row has the highest MFD: it is translated (3 new calls); the first
    # run's other translations are all cache hits
    assert again.metrics["calls"]["cache_misses"] == 3
    turns = [m["content"] for m in new["messages"]]  # type: ignore[attr-defined]
    assert sorted(a[0] for a in again_backend.asked) == sorted(turns)
    old = first.rows.filter(pl.col("origin") == "translated")
    kept = again.rows.filter(pl.col("origin") == "translated")
    assert set(kept["id"]) - set(old["id"]) != set()
    assert len(set(kept["id"]) & set(old["id"])) == old.height - 1


class CharLimit:
    """A ContextLimit stand-in: one token per character and `context` positions."""

    def __init__(self, context: int):
        self.context = context

    def too_long(self, prompts, new_tokens):  # type: ignore[no-untyped-def]
        sizes = (sum(len(m["content"]) for m in p) for p in prompts)
        return [
            TooLong(f"{n} + {k} > {self.context}") if n + k > self.context else None
            for n, k in zip(sizes, new_tokens, strict=True)
        ]


def test_a_turn_too_long_for_the_teacher_is_not_sent_nor_retried(cache: CallCache) -> None:
    sampled, quota = _sampled()
    order = candidate_order(
        sampled.filter((pl.col("task_type") == "writing") & (pl.col("lang") == "zh"))
    )
    long_answer = "西湖位于杭州城西，三面环山，湖中有白堤和苏堤。" * 100  # 2,300 characters
    best = order["id"][0]
    records = sampled.to_dicts()
    for record in records:
        if record["id"] == best:
            record["messages"][2]["content"] = long_answer
    rows = pl.DataFrame(records, schema=sampled.schema)
    backend = ScriptedTranslator()
    client = LLMClient(
        backend,
        cache,
        batch_size=4,
        name="teacher",
        defaults=Sampling(max_new_tokens=64),
        limit=lambda: CharLimit(2000),
    )
    result = translate_rows(
        rows,
        [q for q in quota if q["task_type"] == "writing"],
        {"en": 0.5, "zh": 0.5},
        lambda role: client,
        Translate(),
    )
    rejects = result.rejects
    assert rejects.select("parent_id", "attempt", "reason", "turn", "calls").rows() == [
        (best, 0, "too_long", 2, 2)  # the system prompt and the instruction were sent
    ]
    assert result.metrics["added"] == {"writing": {"en": 2}}  # the next candidates filled in
    assert result.metrics["calls"]["too_long"] == 1
    assert long_answer not in [a[0] for a in backend.asked]
