"""multiturn over a scripted teacher: which rows are chosen, what the teacher is asked as the
user and as the assistant, every reason a continuation ends, and what new rows look like."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from distilpipe.llm.cache import CallCache
from distilpipe.llm.client import LLMClient, row_seed
from distilpipe.llm.types import Failure, GenerateRequest, Generation, Sampling
from distilpipe.ops.multiturn import chosen, continue_rows, repeats, user_turns
from distilpipe.params import Multiturn, Pool
from distilpipe.schema import ROW_SCHEMA, validate_rows
from distilpipe.sources.rows import message_id

QUESTIONS = {
    "en": "How do I boil an egg so that the yolk stays soft?",
    "zh": "怎样煮鸡蛋才能让蛋黄保持溏心？",
}
FOLLOWUPS = {
    "en": [
        "And how long should I cook it if the egg comes straight from the fridge?",
        "Can I use the same method for quail eggs, which are much smaller?",
    ],
    "zh": ["如果鸡蛋是刚从冰箱里拿出来的，要煮多长时间？", "鹌鹑蛋也可以用同样的方法煮吗？"],
}


def _rows(n: int, lang: str = "en", start: int = 0) -> pl.DataFrame:
    records = []
    for i in range(start, start + n):
        messages = [
            {"role": "user", "content": f"{QUESTIONS[lang]} ({i})"},
            {"role": "assistant", "content": "Put it in boiling water for six minutes."},
        ]
        records.append(
            {
                "id": message_id(messages),
                "source": "magpie",
                "source_id": str(i),
                "messages": messages,
                "lang": lang,
                "origin": "source",
                "parent_id": None,
                "meta": "{}",
                "task_type": "common_sense",
            }
        )
    return pl.DataFrame(records, schema={**ROW_SCHEMA, "task_type": pl.String})


class Teacher:
    """Plays the user (a prompt asking for the user's next message) with the scripted
    follow-ups, in turn order, or with `user_reply`; answers everything else."""

    identity = "scripted:multiturn-teacher"

    def __init__(self, user_reply: tuple[str, str] | None = None, answer_finish: str = "stop"):
        self.user_reply = user_reply
        self.answer_finish = answer_finish
        self.asked: list[tuple[dict[str, str], ...]] = []

    def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
        out: list[Generation | Failure] = []
        for r in requests:
            self.asked.append(r.messages)
            text = r.messages[-1]["content"]
            if "Play the user" in text or "扮演用户" in text:
                if self.user_reply is not None:
                    out.append(Generation(self.user_reply[0], self.user_reply[1], 30, 20))
                    continue
                lang = "zh" if "扮演用户" in text else "en"
                n = text.count("[User]") + text.count("【用户】")
                out.append(Generation(f"  {FOLLOWUPS[lang][n - 1]}\n", "stop", 30, 20))
            else:
                out.append(Generation(f"Answer to: {text[:30]}", self.answer_finish, 20, 10))
        return out

    def choice_logprobs(self, requests):  # type: ignore[no-untyped-def]
        raise NotImplementedError

    def label_logprobs(self, requests):  # type: ignore[no-untyped-def]
        raise NotImplementedError

    def close(self) -> None:
        pass


def _run(tmp_path: Path, teacher: Teacher, rows: pl.DataFrame, **params: object):  # type: ignore[no-untyped-def]
    client = LLMClient(teacher, CallCache(tmp_path / "cache"), defaults=Sampling(max_new_tokens=64))
    p = Multiturn(**{"fraction": 1.0, **params})  # type: ignore[arg-type]
    return continue_rows(rows, client, p, Pool())


def test_rows_are_chosen_by_their_own_id() -> None:
    rows = _rows(400)
    picked = chosen(rows["id"], 0.2)
    assert 50 <= int(picked.sum()) <= 110  # about a fifth
    more = pl.concat([rows, _rows(100, start=400)])
    assert chosen(more["id"], 0.2).head(400).equals(picked)  # appending changes no old choice
    assert chosen(more["id"], 0.2, seed=1).head(400).to_list() != picked.to_list()
    assert not chosen(rows["id"], 0.0).any() and chosen(rows["id"], 1.0).all()


def test_a_follow_up_that_repeats_an_earlier_question_is_caught() -> None:
    earlier = ["How do I boil an egg so that the yolk stays soft?", "Thanks. Any tips for peeling?"]
    assert repeats("How do I boil an egg so that the yolk stays soft?", earlier, 0.85, 3)
    assert repeats("how do I boil an egg so that the yolk stays  soft ?", earlier, 0.85, 3)
    assert repeats("So how do I boil an egg so that the yolk stays soft?", earlier, 0.85, 3)
    assert not repeats("How long if the egg comes straight from the fridge?", earlier, 0.85, 3)
    zh = ["怎样煮鸡蛋才能让蛋黄保持溏心？"]
    assert repeats("请问怎样煮鸡蛋才能让蛋黄保持溏心？", zh, 0.85, 3)
    assert not repeats("鹌鹑蛋也可以用同样的方法煮吗？", zh, 0.85, 3)


def test_conversations_grow_to_max_turns_in_their_language(tmp_path: Path) -> None:
    rows = pl.concat([_rows(3, "en"), _rows(2, "zh")])
    teacher = Teacher()
    result = _run(tmp_path, teacher, rows, max_turns=3)
    out = validate_rows(result.rows, "augmented")
    assert out.head(rows.height).equals(rows)  # the originals stay, unchanged
    new = out.slice(rows.height)
    assert new.height == 5 == result.metrics["rows_added"]
    assert result.metrics["turns_added"] == 10 and result.metrics["user_turns"] == {"3": 5}
    _every_chosen_row_accounted_for(result.metrics)
    assert set(new["origin"]) == {"multiturn"}
    assert new["parent_id"].to_list() == rows["id"].to_list()
    assert new["id"].to_list() == [message_id(m) for m in new["messages"].to_list()]
    assert new["task_type"].to_list() == rows["task_type"].to_list()
    zh = new.filter(pl.col("lang") == "zh")["messages"][0].to_list()
    assert [m["role"] for m in zh] == ["user", "assistant"] * 3
    assert zh[2]["content"] == FOLLOWUPS["zh"][0]  # stripped
    # the assistant answered the whole conversation so far, follow-up last
    answers = [
        a
        for a in teacher.asked
        if "扮演用户" not in a[-1]["content"] and "Play the user" not in a[-1]["content"]
    ]
    assert len(answers) == 10
    assert max(len(a) for a in answers) == 5
    # seeds are the row's own: a re-run is all cache hits
    again = _run(tmp_path, Teacher(), rows, max_turns=3)
    assert again.rows.equals(result.rows)
    assert again.metrics["calls"]["cache_misses"] == 0


def test_a_failed_follow_up_ends_the_continuation(tmp_path: Path) -> None:
    rows = _rows(2)
    repeat = _run(tmp_path / "a", Teacher((QUESTIONS["en"], "stop")), rows)
    assert repeat.metrics["ended_by"]["followup_repeats"] == 2
    assert repeat.metrics["rows_added"] == 0 and repeat.rows.equals(rows)
    _every_chosen_row_accounted_for(repeat.metrics)
    wrong = _run(
        tmp_path / "b", Teacher(("如果鸡蛋是刚从冰箱里拿出来的，要煮多长时间？", "stop")), rows
    )
    assert wrong.metrics["ended_by"]["followup_wrong_lang"] == 2
    cut = _run(tmp_path / "c", Teacher(("And how long should I cook it if the", "length")), rows)
    assert cut.metrics["ended_by"]["followup_cut_off"] == 2
    empty = _run(tmp_path / "d", Teacher((" \n", "stop")), rows)
    assert empty.metrics["ended_by"]["followup_empty"] == 2
    for result in (wrong, cut, empty):
        assert result.metrics["rows_added"] == 0
        assert result.metrics["by_step"]["assistant"]["calls"] == 0  # nothing to answer


def test_a_cut_off_answer_keeps_the_turns_before_it(tmp_path: Path) -> None:
    rows = _rows(2)
    result = _run(tmp_path, Teacher(answer_finish="length"), rows)
    assert result.metrics["ended_by"]["answer_cut_off"] == 2
    assert result.metrics["rows_added"] == 0

    class SecondCut(Teacher):
        def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
            outs = super().generate(requests)
            return [
                Generation(o.text, "length", 1, 1)
                if isinstance(o, Generation) and len(r.messages) == 5
                else o
                for r, o in zip(requests, outs, strict=True)
            ]

    kept = _run(tmp_path / "b", SecondCut(), rows, max_turns=3)
    assert kept.metrics["ended_by"]["answer_cut_off"] == 2
    assert kept.metrics["rows_added"] == 2 and kept.metrics["user_turns"] == {"2": 2}


def test_rows_at_max_turns_and_the_fraction(tmp_path: Path) -> None:
    rows = _rows(40)
    result = _run(tmp_path, Teacher(), rows, fraction=0.25, max_turns=2)
    picked = chosen(rows["id"], 0.25)
    assert result.metrics["rows_chosen"] == int(picked.sum()) > 0
    assert set(result.rows.slice(40)["parent_id"]) == set(rows.filter(picked)["id"])
    longer = _run(tmp_path, Teacher(), result.rows.slice(40), max_turns=2)
    assert longer.metrics["rows_at_max_turns"] == longer.metrics["rows_chosen"]
    assert longer.metrics["rows_added"] == 0 and longer.metrics["calls"]["calls"] == 0
    assert user_turns(result.rows.slice(40)["messages"][0].to_list()) == 2
    assert row_seed("x", "multiturn/choose") == row_seed("x", "multiturn/choose")


def test_no_row_chosen_adds_nothing_and_calls_nothing(tmp_path: Path) -> None:
    rows = _rows(5)
    result = _run(tmp_path, Teacher(), rows, fraction=0.0)
    assert result.rows.equals(rows)
    assert result.metrics["rows_chosen"] == result.metrics["calls"]["calls"] == 0


def _every_chosen_row_accounted_for(m: dict) -> None:
    """No quiet drop: the rows out are the rows in plus those added, and a chosen row that
    added nothing was at max_turns already or ended for a counted reason."""
    assert m["rows_out"] == m["rows_in"] + m["rows_added"]
    unchanged = m["rows_chosen"] - m["rows_added"]
    assert unchanged <= m["rows_at_max_turns"] + sum(m["ended_by"].values())
