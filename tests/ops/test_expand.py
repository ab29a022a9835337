"""expand over a scripted teacher and labeller: the quota arithmetic, the strict parsing of
the synthesis reply, every reject reason, the seed draw, and what new rows look like."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from distilpipe.llm.cache import CallCache
from distilpipe.llm.client import CallStats, LLMClient, row_seed
from distilpipe.llm.types import Failure, GenerateRequest, Generation, Sampling
from distilpipe.ops.expand import (
    SeedPicker,
    _Slot,
    expand_quota,
    expand_rows,
    parse_instruction,
)
from distilpipe.params import Expand, Pool, Sample
from distilpipe.schema import ROW_SCHEMA, validate_rows
from distilpipe.sources.rows import message_id
from distilpipe.taxonomy import task_types

# Distinct instructions per (type, lang), realistic enough for the language detector.
INSTRUCTIONS = {
    ("math", "en"): [
        "A tank holds 240 litres and drains at 8 litres per minute. How long until it is empty?",
        "Solve the system 2x + 3y = 12 and x - y = 1, and check your answer.",
        "What is the probability of rolling two sixes with two fair dice?",
        "Find the area of a triangle with sides 5, 12 and 13 centimetres.",
    ],
    ("math", "zh"): [
        "一个水箱装有240升水，每分钟流出8升，多少分钟后水箱会变空？",
        "解方程组 2x+3y=12 和 x-y=1，并检验你的答案。",
        "同时掷两枚均匀的骰子，两个都是六点的概率是多少？",
        "边长分别为5、12和13厘米的三角形面积是多少？",
    ],
    ("writing", "en"): [
        "Write a short poem about the first snow falling on a quiet mountain village.",
        "Draft a polite email to a landlord asking for a leaking kitchen tap to be repaired.",
        "Compose a slogan for a bakery that only uses local organic flour.",
        "Write the opening paragraph of a mystery story set on a night train.",
    ],
    ("writing", "zh"): [
        "写一首关于山村初雪的短诗，描写清晨的宁静。",
        "给房东写一封礼貌的邮件，请他尽快修理厨房漏水的水龙头。",
        "为一家只使用本地有机面粉的面包店写一句广告语。",
        "写一段发生在夜行列车上的悬疑故事的开头。",
    ],
    ("code_generation", "en"): [
        "Write a Python function that returns the n-th Fibonacci number using iteration.",
        "Write a SQL query that lists customers who placed more than three orders in 2023.",
        "Implement a JavaScript function that removes duplicate values from an array.",
        "Write a Bash script that counts the lines of every text file in a folder.",
    ],
    ("code_generation", "zh"): [
        "用 Python 写一个函数，用循环计算第 n 个斐波那契数。",
        "写一条 SQL 查询，列出 2023 年下单超过三次的所有客户。",
        "用 JavaScript 实现一个函数，去掉数组中的重复元素。",
        "写一个 Bash 脚本，统计文件夹中每个文本文件的行数。",
    ],
}
KEYWORDS = {  # what the scripted labeller reads an instruction's type from
    "math": ("litres", "solve", "probability", "area", "升", "方程", "概率", "面积"),
    "writing": (
        *("poem", "email", "slogan", "story", "haiku", "limerick", "sonnet"),
        *("诗", "邮件", "广告语", "故事", "散文"),
    ),
    "code_generation": ("python", "sql", "javascript", "bash"),
}


class Labeller:
    """The type-back check's labeller, scripted: a type from keywords, confidence 0.9."""

    def __init__(self) -> None:
        self.stats = CallStats()

    def label(self, texts: list[str], langs: list[str]) -> tuple[list[str | None], list[float]]:
        labels: list[str | None] = []
        for text in texts:
            low = text.lower()
            labels.append(
                next((t for t, ws in KEYWORDS.items() if any(w in low for w in ws)), "others")
            )
        return labels, [0.9] * len(texts)


class Teacher:
    """A Backend for the teacher: a synthesis prompt gets what `replies` scripts for its slot
    and try (told by the call's seed; a reply ending in "…" stops at the token limit), else
    the next instruction of the prompt's type and language inside tags; anything else is
    answered."""

    identity = "scripted:expand-teacher"

    def __init__(self, replies: dict[str, str] | None = None):
        self.replies = {
            row_seed(slot, "expand/synthesis", 0): reply for slot, reply in (replies or {}).items()
        }
        self.used: dict[tuple[str, str], int] = {}
        self.synthesis: list[str] = []
        self.answered: list[str] = []

    def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
        out: list[Generation | Failure] = []
        for r in requests:
            text = r.messages[-1]["content"]
            if "<instruction>" not in text:
                self.answered.append(text)
                out.append(Generation(f"Answer: {text[:20]}", "stop", 10, 5))
                continue
            self.synthesis.append(text)
            if r.sampling.seed in self.replies:
                reply = self.replies[r.sampling.seed]
                finish = "length" if reply.endswith("…") else "stop"
                out.append(Generation(reply.rstrip("…"), finish, 10, 5))
                continue
            key = _slot_of(text)
            n = self.used.get(key, 0)
            self.used[key] = n + 1
            out.append(
                Generation(f"<instruction>{INSTRUCTIONS[key][n]}</instruction>", "stop", 9, 9)
            )
        return out

    def choice_logprobs(self, requests):  # type: ignore[no-untyped-def]
        raise NotImplementedError

    def label_logprobs(self, requests):  # type: ignore[no-untyped-def]
        raise NotImplementedError

    def close(self) -> None:
        pass


def _slot_of(prompt: str) -> tuple[str, str]:
    lang = "zh" if "【任务类型】" in prompt else "en"
    for t in task_types():
        if re.search(rf"^{re.escape(t.name(lang))}[:：]", prompt, re.M):
            return t.id, lang
    raise AssertionError(f"no task type in {prompt!r}")


def _rows(specs: list[tuple[str, str, str]], origin: str = "source") -> pl.DataFrame:
    """Rows of the schema plus task_type, from (task_type, lang, instruction)."""
    records = []
    for t, lang, text in specs:
        messages = [{"role": "user", "content": text}, {"role": "assistant", "content": "ok"}]
        records.append(
            {
                "id": message_id(messages),
                "source": "magpie",
                "source_id": None,
                "messages": messages,
                "lang": lang,
                "origin": origin,
                "parent_id": None,
                "meta": "{}",
                "task_type": t,
                "task_conf": 0.8,
            }
        )
    return pl.DataFrame(
        records, schema={**ROW_SCHEMA, "task_type": pl.String, "task_conf": pl.Float64}
    )


SAMPLE = Sample(
    n=20,
    lang_share={"en": 0.5, "zh": 0.5},
    task_shares={"math": 0.5, "writing": 0.25, "code_generation": 0.25},
)
MATH_EN = [f"What is {i} times {i + 3}? Show the multiplication step by step." for i in range(5)]
MATH_ZH = [f"{i} 乘以 {i + 3} 等于多少？请一步一步写出乘法过程。" for i in range(5)]
# 10 math rows (5 en, 5 zh), 2 English writing rows, no code: writing lacks 3, code 5
INPUT = _rows(
    [("math", "en", q) for q in MATH_EN]
    + [("math", "zh", q) for q in MATH_ZH]
    + [
        ("writing", "en", "Write a haiku about autumn rain on a tin roof."),
        ("writing", "en", "Write a limerick about a cat who hates Mondays."),
    ]
)
SEEDS = pl.concat(
    [
        INPUT,
        _rows(
            [
                ("writing", "en", "Write a sonnet about the sea at dawn."),
                ("writing", "zh", "写一篇关于故乡春天的散文。"),
            ]
        ),
    ]
)


def _client(backend: Teacher, tmp_path: Path) -> LLMClient:
    return LLMClient(backend, CallCache(tmp_path / "cache"), defaults=Sampling(max_new_tokens=64))


def _expand(tmp_path: Path, teacher: Teacher, rows: pl.DataFrame = INPUT, **params: object):  # type: ignore[no-untyped-def]
    p = Expand(**{"k": 2, "attempts": 1, **params})  # type: ignore[arg-type]
    return expand_rows(rows, SEEDS, Labeller(), _client(teacher, tmp_path), SAMPLE, p, Pool())


def test_quota_splits_each_types_shortfall_over_what_each_language_lacks() -> None:
    quota = expand_quota(INPUT, SAMPLE)
    assert quota["math"] == {"target": 10, "present": 10, "add": {"en": 0, "zh": 0}}
    # code_generation (taxonomy order: before writing) lacks all 5: en 3, zh 2 (a tie: the
    # first language); writing then has the tie broken towards zh (added least so far):
    # target zh 3, en 2; it has 2 en rows, so all 3 missing rows are Chinese
    assert quota["code_generation"]["add"] == {"en": 3, "zh": 2}
    assert quota["writing"]["add"] == {"en": 0, "zh": 3}
    # a type over its target is never cut, and rows in one language do not overshoot a type
    over = pl.concat(
        [INPUT, _rows([("writing", "en", f"Write a riddle number {i}.") for i in range(4)])]
    )
    assert expand_quota(over, SAMPLE)["writing"]["add"] == {"en": 0, "zh": 0}
    lopsided = _rows([("writing", "en", f"Write a toast for guest {i}.") for i in range(4)])
    assert expand_quota(lopsided, SAMPLE)["writing"]["add"] == {"en": 0, "zh": 1}


def test_a_scripted_teacher_fills_every_quota_within_one_row_per_type(tmp_path: Path) -> None:
    teacher = Teacher()
    result = _expand(tmp_path, teacher)
    out = validate_rows(result.rows, "expanded")
    assert out.head(INPUT.height).equals(INPUT)  # the input rows pass through unchanged
    new = out.slice(INPUT.height)
    assert new.height == 8 == result.metrics["rows_added"]
    counts = dict(out.group_by("task_type").len().iter_rows())
    for t, share in SAMPLE.task_shares.items():
        assert abs(counts.get(t, 0) - share * SAMPLE.n) <= 1, (t, counts)
        assert abs(counts.get(t, 0) / out.height - share) <= 1 / out.height
    langs = dict(out.group_by("lang").len().iter_rows())
    assert abs(langs["en"] - langs["zh"]) <= len(SAMPLE.task_shares)
    assert set(new["origin"]) == {"expanded"}
    assert new["id"].to_list() == [message_id(m) for m in new["messages"].to_list()]
    assert result.metrics["shortfall_rows"] == 0
    assert result.metrics["rejects"]["duplicate"] == 0
    # each new instruction was answered by the teacher, and the answer is the row's reply
    assert len(teacher.answered) == 8
    assert all(m[-1]["content"].startswith("Answer: ") for m in new["messages"].to_list())


def test_seed_modes_and_parent_ids(tmp_path: Path) -> None:
    result = _expand(tmp_path, Teacher())
    new = result.rows.slice(INPUT.height)
    modes = {json.loads(m)["slot"]: json.loads(m)["seed_mode"] for m in new["meta"]}
    # writing has seeds in both languages; code_generation has none anywhere: zero-shot
    assert {k: v for k, v in modes.items() if k.startswith("writing/")} == {
        "writing/zh/0": "same_lang",
        "writing/zh/1": "same_lang",
        "writing/zh/2": "same_lang",
    }
    assert {v for k, v in modes.items() if k.startswith("code_generation/")} == {"zero_shot"}
    assert result.metrics["seed_modes"] == {"same_lang": 3, "other_lang": 0, "zero_shot": 5}
    code = new.filter(pl.col("task_type") == "code_generation")
    assert code["parent_id"].null_count() == code.height
    writing = new.filter(pl.col("task_type") == "writing")
    seed_ids = set(SEEDS.filter(pl.col("task_type") == "writing")["id"])
    assert set(writing["parent_id"]) <= seed_ids


def test_other_language_seeds_when_a_language_has_none(tmp_path: Path) -> None:
    seeds = SEEDS.filter(~((pl.col("task_type") == "writing") & (pl.col("lang") == "zh")))
    picker = SeedPicker(seeds, 400)
    assert picker.mode("writing", "zh", "other_lang", 2) == "other_lang"
    assert picker.mode("writing", "zh", "zero_shot", 2) == "zero_shot"
    assert picker.mode("writing", "en", "other_lang", 0) == "zero_shot"
    slot = _Slot("writing/zh/0", "writing", "zh", "other_lang")
    ids, texts = picker.draw(slot, 0, 2)
    assert len(ids) == 2
    assert not any("\u4e00" <= ch <= "\u9fff" for x in texts for ch in x)  # English seeds


def test_the_seed_draw_is_stable_when_unrelated_rows_are_added() -> None:
    many = _rows([("math", "en", f"Compute {i} squared minus {i}.") for i in range(40)])
    picker = SeedPicker(many, 400)
    slots = [_Slot(f"math/en/{j}", "math", "en", "same_lang") for j in range(10)]
    before = [picker.draw(s, 0, 3)[0] for s in slots]
    assert len({tuple(b) for b in before}) > 1  # different slots, different seeds
    assert [picker.draw(s, 1, 3)[0] for s in slots] != before  # another try, another draw
    other = pl.concat([many, _rows([("writing", "en", f"Write a toast {i}.") for i in range(30)])])
    assert [SeedPicker(other, 400).draw(s, 0, 3)[0] for s in slots] == before
    one_more = pl.concat([many, _rows([("math", "en", "Compute 1000 squared minus 7.")])])
    after = [SeedPicker(one_more, 400).draw(s, 0, 3)[0] for s in slots]
    new_id = one_more["id"][-1]
    for b, a in zip(before, after, strict=True):  # only where the new row ranks among the top
        assert a == b or new_id in a


@pytest.mark.parametrize(
    ("reply", "finish", "expected"),
    [
        (
            "<instruction>Write a haiku about frost.</instruction>",
            "stop",
            ("Write a haiku about frost.", None),
        ),
        (
            "Sure!\n<instruction>\n  列出三种常见的排序算法。\n</instruction>\nHope this helps.",
            "stop",
            ("列出三种常见的排序算法。", None),
        ),
        ("Write a haiku about frost.", "stop", (None, "untagged")),  # tag-less
        ("Instruction: Write a haiku about frost.", "length", (None, "cut_off")),
        ("<instruction>Write a haiku about", "length", (None, "cut_off")),
        ("<instruction>Write a haiku about", "stop", (None, "untagged")),
        ("<instruction> \n </instruction>", "stop", (None, "empty")),
        (
            "<instruction>One.</instruction><instruction>Two.</instruction>",
            "stop",
            (None, "untagged"),
        ),
        ("<Instruction>Write a haiku.</Instruction>", "stop", (None, "untagged")),
    ],
)
def test_parse_instruction_is_strict(
    reply: str, finish: str, expected: tuple[str | None, str | None]
) -> None:
    assert parse_instruction(reply, finish) == expected


def test_every_reject_reason_is_counted_and_the_next_try_fills_the_slot(tmp_path: Path) -> None:
    replies = {  # the first try of these slots; the others and every second try: scripted
        "code_generation/en/0": "Write a Python function that checks whether a number is prime.",
        "code_generation/en/1": "<instruction>Tell me a joke about penguins.</instruction>",
        "code_generation/en/2": "<instruction>Write a Python function that…",  # token limit
        "code_generation/zh/0": "<instruction>用 Python 写一个函数，判断质数。</instruction>",
        "code_generation/zh/1": "<instruction>Write a SQL query counting orders.</instruction>",
        "writing/zh/0": "<instruction>写一篇关于故乡春天的散文吧。</instruction>",  # near duplicate
        "writing/zh/1": "<instruction>\n写一篇关于故乡春天的散文。\n</instruction>",  # a seed
    }
    result = _expand(tmp_path, Teacher(replies), attempts=2)
    rejects = result.metrics["rejects"]
    expected = {"untagged", "wrong_type", "cut_off", "wrong_lang", "duplicate", "near_duplicate"}
    assert {r: n for r, n in rejects.items() if n} == dict.fromkeys(expected, 1)
    assert sorted(result.rejects["reason"]) == sorted(expected)
    assert result.rejects.filter(pl.col("reason") == "duplicate")["slot"].to_list() == [
        "writing/zh/1"
    ]
    # the second try fills every slot the first one lost
    assert result.metrics["rows_added"] == 8 and result.metrics["shortfall_rows"] == 0
    assert result.metrics["tries"] == 8 + 6
    assert result.metrics["by_step"]["synthesis"]["calls"] == 14
    assert result.metrics["by_step"]["answer"]["calls"] == 8
    attempts = {
        json.loads(m)["slot"]: json.loads(m)["attempt"] for m in result.rows["meta"][INPUT.height :]
    }
    assert attempts["code_generation/zh/0"] == 0 and attempts["writing/zh/1"] == 1


def test_a_wrong_type_or_a_low_confidence_is_rejected(tmp_path: Path) -> None:
    result = _expand(tmp_path, Teacher(), min_type_conf=0.95)  # the labeller gives 0.9
    assert result.metrics["rows_added"] == 0
    assert result.metrics["rejects"]["wrong_type"] == 8
    assert result.rows.equals(INPUT)
    assert result.metrics["by_step"]["answer"]["calls"] == 0  # nothing left to answer


def test_a_cut_off_answer_is_rejected(tmp_path: Path) -> None:
    class Rambling(Teacher):
        def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
            return [
                Generation(g.text, "length", 9, 64)
                if isinstance(g, Generation) and "<instruction>" not in g.text
                else g
                for g in super().generate(requests)
            ]

    result = _expand(tmp_path, Rambling())
    assert result.metrics["rejects"]["answer_cut_off"] == 8
    assert result.metrics["rows_added"] == 0


def test_a_rerun_is_all_cache_hits_and_the_same_rows(tmp_path: Path) -> None:
    first = _expand(tmp_path, Teacher())
    again = _expand(tmp_path, Teacher())
    assert again.rows.equals(first.rows)
    assert again.metrics["calls"]["cache_misses"] == 0
    assert again.metrics["calls"]["cache_hits"] == first.metrics["calls"]["calls"]


def test_exact_duplicates_are_compared_case_and_whitespace_aside() -> None:
    from distilpipe.ops.expand import normalise

    assert normalise("Write a  haiku\nabout FROST.") == normalise(" write a haiku about frost. ")
    assert normalise("Write a haiku about frost.") != normalise("Write a haiku about snow.")
