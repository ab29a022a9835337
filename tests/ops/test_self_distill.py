"""self_distill_rows over scripted models: which restatements are accepted and why not, where
the rejected answer comes from (the judge stage's, or a fresh student call), which pairs are
dropped and why, and the SFT/DPO frames trl reads (single- and multi-turn rows, judged or
with null judge columns)."""

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
from distilpipe.ops import self_distill as sd
from distilpipe.ops.judge import JUDGE_COLUMNS
from distilpipe.ops.rewrite import REWRITE_COLUMNS
from distilpipe.params import Rewrite, SelfDistill
from distilpipe.schema import ROW_SCHEMA
from distilpipe.sources.rows import message_id
from distilpipe.train import data

CHECKS = Rewrite(min_length_ratio=0.5, max_length_ratio=3.0)

# The judge scores an answer by its first word: GOOD 8, FAIR 7, POOR 4, BAD 2, student 3,
# STRONG 9; "MUTE" answers get no digit at all.
SCORES = {"GOOD": 8, "FAIR": 7, "POOR": 4, "BAD": 2, "student": 3, "STRONG": 9}
# teacher's answer -> the self-distiller's restatement
RESTATE = {
    "GOOD The answer is 42.": "FAIR In short, the answer is 42.",  # 7 >= 8 - 1: accepted
    "GOOD 答案是 12。": "GOOD 答案是 13。",  # final answer changed
    "GOOD Rome has been Italy's capital since 1871.": "POOR Rome is Italy's capital since 1871.",
    "GOOD Keep it short.": "GOOD Keep it brief, short.",
    "GOOD Bonjour means hello.": "MUTE Bonjour is French for hello.",  # no score
}


class Model:
    """A scripted backend: restates by RESTATE, answers as the student, scores as the judge."""

    def __init__(self, name: str):
        self.identity = f"scripted:{name}"
        self.name = name
        self.asked: list[tuple[dict[str, str], ...]] = []

    def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
        out: list[Generation | Failure] = []
        for r in requests:
            self.asked.append(r.messages)
            text = r.messages[-1]["content"]
            restate = re.search(
                r"\[Answer\]\n(.*?)\n\nKeep every|【回答】\n(.*?)\n\n保留", text, re.S
            )
            if restate:
                answer = restate.group(1) or restate.group(2)
                out.append(Generation(RESTATE.get(answer, answer), "stop", 30, 10))
            elif "FAIL" in text:
                out.append(Failure("HTTP 503 after 6 attempts"))
            else:  # the student answers the conversation's last user turn
                n = re.search(r"\d+", text)
                out.append(Generation(f"student {n[0] if n else 'guess'}", "stop", 20, 3))
        return out

    def choice_logprobs(self, requests: list[ChoiceRequest]) -> list[ChoiceProbs | Failure]:
        out: list[ChoiceProbs | Failure] = []
        for r in requests:
            self.asked.append(r.messages)
            answer = re.split(r"\[Answer\]\n|【回答】\n", r.messages[-1]["content"])[1]
            word = answer.split()[0]
            if word == "MUTE":
                out.append(ChoiceProbs(dict.fromkeys(r.choices, 0.0), 10))
            else:
                out.append(ChoiceProbs({str(SCORES.get(word, 1)): 1.0}, 10))
        return out

    def label_logprobs(self, requests: list[Any]) -> list[Any]:
        raise AssertionError("not used")

    def close(self) -> None:
        pass


def _u(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def _a(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}


def _row(messages, origin: str, student: str | None = None, score: float | None = None, lang="en"):
    judged = student is not None
    return {
        "id": message_id(messages),
        "source": "magpie",
        "source_id": None,
        "messages": messages,
        "lang": lang,
        "origin": origin,
        "parent_id": None,
        "meta": "{}",
        "teacher_response": "T" if judged else None,
        "student_response": student,
        "teacher_score": 8.0 if judged else None,
        "student_score": score,
        "mfd": 0.5 if judged else None,
        "judge_model": "scripted:judge" if judged else None,
        "task_type": "math",
        "original_messages": messages,
        "rewrite_status": ["rewritten"] * sum(m["role"] == "assistant" for m in messages),
    }


ROWS = [
    # judged single-turn: the judge stage's student answer is the rejected one
    _row([_u("What is 6 x 7?"), _a("GOOD The answer is 42.")], "source", "student 41", 3.0),
    # judged, the student scored above the teacher: the pair is dropped
    _row(
        [_u("3 加 9 等于几？"), _a("GOOD 答案是 12。")], "source", "STRONG 答案是 12。", 9.0, "zh"
    ),
    # multi-turn, null judge columns: a fresh student call on the whole conversation
    _row(
        [
            _u("Hi"),
            _a("Hello!"),
            _u("Since when is Rome the capital? 1871?"),
            _a("GOOD Rome has been Italy's capital since 1871."),
        ],
        "multiturn",
    ),
    # judged, and the student said exactly the final answer: nothing to prefer
    _row(
        [{"role": "system", "content": "Be brief."}, _u("Advice?"), _a("GOOD Keep it short.")],
        "source",
        "GOOD Keep it brief, short.",
        8.0,
    ),
    # translated (no judge columns), single turn: a fresh call; the restatement is unscored
    _row([_u("What does bonjour mean?"), _a("GOOD Bonjour means hello.")], "translated"),
    # expanded, the fresh student call fails: no rejected answer
    _row([_u("FAIL this one, 5 + 5?"), _a("BAD 10")], "expanded"),
]


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = {**ROW_SCHEMA, **JUDGE_COLUMNS, "task_type": pl.String, **REWRITE_COLUMNS}
    return pl.DataFrame(rows, schema=schema)


@pytest.fixture
def cache(tmp_path: Path):
    with CallCache(tmp_path / "cache") as c:
        yield c


def test_split_last_answer() -> None:
    conversation = [_u("a"), _a("b"), _u("c"), _a("d")]
    assert sd.split_last_answer(conversation) == (conversation[:3], "d")
    with pytest.raises(ValueError, match="must end with a user then an assistant"):
        sd.split_last_answer([_u("a")])


def test_self_distill_decisions(cache: CallCache) -> None:
    models = {name: Model(name) for name in ("self_distiller", "student", "judge")}
    clients = {
        name: LLMClient(
            b, cache, batch_size=2, name=name, max_failure_rate=1.0, defaults=Sampling(32)
        )
        for name, b in models.items()
    }
    asked: list[str] = []

    def roles(role: str) -> LLMClient:
        asked.append(role)
        return clients[role]

    rows = _frame(ROWS)
    result = sd.self_distill_rows(
        rows,
        roles,
        SelfDistill(max_drop=1.0),
        CHECKS,
        "logprob",
        "fasttext",
        lambda texts: [len(t.split()) for t in texts],
    )
    assert asked == ["self_distiller", "student", "judge"]  # one model after the other

    # SFT: every row, the prompt then the final answer (restated where accepted)
    assert result.sft.columns == list(sd.SFT_COLUMNS)
    conversations = data.conversations(result.sft)
    finals = [c[-1]["content"] for c in conversations]
    assert finals == [
        "FAIR In short, the answer is 42.",  # accepted: 7 is within 1 of 8
        "GOOD 答案是 12。",  # final_answer_changed
        "GOOD Rome has been Italy's capital since 1871.",  # score_drop: 4 < 8 - 1
        "GOOD Keep it brief, short.",  # accepted: 8 against 8
        "GOOD Bonjour means hello.",  # unscored: the judge read no digit
        "BAD 10",  # restated as itself: passes, 2 against 2, accepted
    ]
    assert conversations[2][:-1] == ROWS[2]["messages"][:-1]  # multi-turn prompt kept whole
    assert conversations[3][0] == {"role": "system", "content": "Be brief."}
    assert result.sft["origin"].to_list() == [r["origin"] for r in ROWS]

    # the student was asked only for rows the judge never answered, on the whole prompt
    assert sorted(m[-1]["content"] for m in models["student"].asked) == sorted(
        [
            "Since when is Rome the capital? 1871?",
            "What does bonjour mean?",
            "FAIL this one, 5 + 5?",
        ]
    )
    assert [m for m in models["student"].asked if len(m) == 3] == [tuple(ROWS[2]["messages"][:3])]

    # DPO: rows 0 (judged) and 2 (fresh call) survive
    assert result.dpo.columns == list(sd.DPO_COLUMNS)
    pairs = data.pairs(result.dpo)
    assert result.dpo["id"].to_list() == [ROWS[0]["id"], ROWS[2]["id"], ROWS[4]["id"]]
    assert pairs[0] == {
        "prompt": [_u("What is 6 x 7?")],
        "chosen": [_a("FAIR In short, the answer is 42.")],
        "rejected": [_a("student 41")],
    }
    assert pairs[1]["prompt"] == ROWS[2]["messages"][:3]
    assert pairs[1]["rejected"] == [_a("student 1871")]
    assert pairs[2]["chosen"] == [_a("GOOD Bonjour means hello.")]
    assert pairs[2]["rejected"] == [_a("student guess")]

    m = result.metrics
    assert (m["rows_in"], m["sft_rows"], m["dpo_pairs"]) == (6, 6, 3)
    restatement = m["restatement"]
    assert restatement["accepted"] == 3
    kept = {k: v for k, v in restatement["kept_teacher"].items() if v}
    assert kept == {"final_answer_changed": 1, "score_drop": 1, "unscored": 1}
    assert m["pairs_dropped"] == {
        "no_student_answer": 1,
        "same_answer": 1,
        "unscored": 0,
        "student_not_worse": 1,
    }
    assert m["rejected_from"] == {"judge_stage": 3, "fresh_call": 3}
    assert m["rewrite_acceptance_rate"] == 1.0
    assert m["by_role"]["student"]["calls"] == 3 and m["by_role"]["student"]["failed"] == 1
    assert m["by_role"]["self_distiller"]["calls"] == 6
    # the judge: 6 teacher answers, the 5 restatements that passed their checks, the 2 fresh
    # student answers; "BAD 10" restated as itself is the same request: a hit, not a call
    assert m["by_role"]["judge"]["calls"] == 6 + 5 + 2
    assert m["by_role"]["judge"]["cache_misses"] == len(models["judge"].asked) == 12
    assert m["calls"]["calls"] == 3 + 6 + 13

    plots = result.plots
    assert {p["origin"]: (p["sft"], p["dpo"]) for p in plots["origins"]} == {
        "expanded": (1, 0),
        "multiturn": (1, 1),
        "source": (3, 1),
        "translated": (1, 1),
    }
    assert (
        sum(p["chosen"] for p in plots["lengths"])
        == sum(p["rejected"] for p in plots["lengths"])
        == 3
    )
    acceptance = {p["outcome"]: p for p in plots["acceptance"]}
    assert acceptance["accepted"]["restatement"] == pytest.approx(3 / 6, abs=1e-6)
    assert acceptance["accepted"]["rewrite"] == 1.0

    # the same rows again: all hits, the same frames
    before = {n: c.stats.cache_misses for n, c in clients.items()}
    again = sd.self_distill_rows(rows, roles, SelfDistill(max_drop=1.0), CHECKS)
    assert again.sft.equals(result.sft) and again.dpo.equals(result.dpo)
    # (the fresh student call that failed is never cached, so it is asked again)
    assert {n: c.stats.cache_misses for n, c in clients.items()} == {
        **before,
        "student": before["student"] + 1,
    }


def test_no_rows_give_empty_sets(cache: CallCache) -> None:
    clients = {name: LLMClient(Model(name), cache, name=name) for name in sd.ROLES}
    result = sd.self_distill_rows(_frame([]), clients.__getitem__, SelfDistill(), CHECKS)
    assert result.sft.columns == list(sd.SFT_COLUMNS) and result.sft.height == 0
    assert result.dpo.columns == list(sd.DPO_COLUMNS) and result.dpo.height == 0
    assert result.metrics["calls"]["calls"] == 0
    assert result.plots["origins"] == result.plots["tasks"] == result.plots["languages"] == []
    assert {p["outcome"] for p in result.plots["acceptance"]} == {"accepted", *sd.RESTATE_REASONS}


def test_a_judged_answer_without_a_score_is_graded_not_answered_again(cache: CallCache) -> None:
    models = {name: Model(name) for name in sd.ROLES}
    clients = {name: LLMClient(b, cache, name=name) for name, b in models.items()}
    row = _row([_u("What is 6 x 7?"), _a("GOOD The answer is 42.")], "source", "BAD 41", None)
    result = sd.self_distill_rows(_frame([row]), clients.__getitem__, SelfDistill(), CHECKS)
    assert models["student"].asked == []  # the judge stage's answer is reused ...
    assert data.pairs(result.dpo)[0]["rejected"] == [_a("BAD 41")]  # ... and graded: 2 < 7
    graded = [m[-1]["content"] for m in models["judge"].asked]
    assert sum("[Answer]\nBAD 41" in text for text in graded) == 1
