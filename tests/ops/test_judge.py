"""judge_rows over scripted backends: who is asked what, how answers become scores and MFD,
which rows are kept, and why the others are dropped."""

from __future__ import annotations

import re
from functools import partial
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
    Sampling,
    TooLong,
)
from distilpipe.ops.judge import JUDGE_COLUMNS, REJECT_COLUMNS, first_turn, judge_rows
from distilpipe.params import Judge
from distilpipe.schema import ROW_SCHEMA, validate_rows
from distilpipe.sources.rows import message_id

# The scripted models: the teacher answers "TEACHER <n>", the student "student <n>" (where n
# is the number in the instruction); the judge scores by what it reads in the answer.
SCORE_OF = {"TEACHER": 8, "student": 3}


class Scripted:
    """A Backend whose replies are a function of the prompt; it records what it was asked."""

    def __init__(
        self,
        name: str,
        fail_on: str | None = None,
        judge_reply: str = "Score: {s}",
        identity: str | None = None,
    ):
        self.identity = identity or f"scripted:{name}:{fail_on}:{judge_reply}"
        self.name = name
        self.fail_on = fail_on
        self.judge_reply = judge_reply
        self.prompts: list[str] = []

    def _text(self, messages: tuple[dict[str, str], ...]) -> str:
        return messages[-1]["content"]

    def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
        out: list[Generation | Failure] = []
        for r in requests:
            text = self._text(r.messages)
            self.prompts.append(text)
            if self.fail_on and self.fail_on in text:
                out.append(Failure("HTTP 503 after 6 attempts"))
            elif self.name == "judge":
                out.append(Generation(self.judge_reply.format(s=_score(text)), "stop", 10, 4))
            else:
                number = re.search(r"\d+", text)
                out.append(Generation(f"{self.name} {number[0] if number else ''}", "stop", 5, 2))
        return out

    def choice_logprobs(self, requests: list[ChoiceRequest]) -> list[ChoiceProbs | Failure]:
        out: list[ChoiceProbs | Failure] = []
        for r in requests:
            text = self._text(r.messages)
            self.prompts.append(text)
            if self.fail_on and self.fail_on in text:
                out.append(Failure("HTTP 503 after 6 attempts"))
                continue
            if "no digit" in text:  # the API's top 20 tokens held no digit at all
                out.append(ChoiceProbs(dict.fromkeys(r.choices, 0.0), 10))
                continue
            s = _score(text)  # probability 0.6 on s and 0.2 on each neighbour: expectation s
            out.append(ChoiceProbs({str(s - 1): 0.2, str(s): 0.6, str(s + 1): 0.2}, 10))
        return out

    def close(self) -> None:
        pass


def _score(judge_prompt: str) -> int:
    answer = judge_prompt.split("[Answer]")[-1].split("【回答】")[-1]
    return next((s for word, s in SCORE_OF.items() if word in answer), 1)


def _row(prompt: str, answer: str = "The source's answer.", lang: str = "en", system: str = ""):
    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]
    return {
        "id": message_id(messages),
        "source": "magpie",
        "source_id": None,
        "messages": messages,
        "lang": lang,
        "origin": "source",
        "parent_id": None,
        "meta": "{}",
    }


def _rows(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=ROW_SCHEMA)


class CharLimit:
    """A ContextLimit stand-in: one token per character and `context` positions."""

    def __init__(self, context: int):
        self.context = context

    def too_long(self, prompts, new_tokens):  # type: ignore[no-untyped-def]
        return [
            TooLong(f"{n} + {k} > {self.context}") if n + k > self.context else None
            for n, k in zip(
                (sum(len(m["content"]) for m in p) for p in prompts), new_tokens, strict=True
            )
        ]


class Roles:
    """What RoleModels gives a stage: one client per role, made once."""

    def __init__(
        self,
        cache: CallCache,
        max_failure_rate: float = 0.0,
        contexts: dict[str, int] | None = None,
        **backends: Scripted,
    ):
        self.backends = {
            "teacher": Scripted("TEACHER"),
            "student": Scripted("student"),
            "judge": Scripted("judge"),
            **backends,
        }
        limits = {role: CharLimit(n) for role, n in (contexts or {}).items()}
        self.clients = {
            role: LLMClient(
                b,
                cache,
                batch_size=2,
                name=role,
                max_failure_rate=max_failure_rate,
                defaults=Sampling(max_new_tokens=10),
                limit=partial(limits.get, role),
            )
            for role, b in self.backends.items()
        }
        self.asked: list[str] = []

    def __call__(self, role: str) -> LLMClient:
        self.asked.append(role)
        return self.clients[role]


@pytest.fixture
def cache(tmp_path: Path):
    with CallCache(tmp_path / "cache") as c:
        yield c


def test_first_turn_keeps_the_system_turn_and_stops_at_the_first_user_turn() -> None:
    conversation = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello"},
        {"role": "user", "content": "More"},
        {"role": "assistant", "content": "Sure"},
    ]
    assert first_turn(conversation) == tuple(conversation[:2])


def test_scores_mfd_and_columns(cache: CallCache) -> None:
    rows = _rows(_row("What is 12 times 3?"), _row("Name 2 rivers.", system="Be brief."))
    roles = Roles(cache)
    result = judge_rows(rows, roles, Judge())
    assert roles.asked == ["student", "teacher", "judge"]
    assert result.rows.height == 2
    validate_rows(result.rows, "judged")
    assert result.rows.columns == [*ROW_SCHEMA, *JUDGE_COLUMNS]
    first = result.rows.row(0, named=True)
    assert first["teacher_response"] == "TEACHER 12"
    assert first["student_response"] == "student 12"
    assert first["teacher_score"] == pytest.approx(8.0)
    assert first["student_score"] == pytest.approx(3.0)
    assert first["mfd"] == pytest.approx(5 / 9)
    assert first["judge_model"] == roles.backends["judge"].identity
    assert sorted(roles.backends["student"].prompts) == ["Name 2 rivers.", "What is 12 times 3?"]
    # the system turn goes to the answering models; the judge sees the instruction only
    assert all("Be brief." not in p for p in roles.backends["judge"].prompts)
    m = result.metrics
    assert (m["rows_in"], m["rows_judged"], m["rows_kept"]) == (2, 2, 2)
    assert m["teacher_score_mean"] == pytest.approx(8.0)
    assert m["student_beats_teacher"] == 0.0
    assert m["calls"]["calls"] == 2 + 2 + 4
    assert m["by_role"]["judge"]["calls"] == 4


def test_keep_rules_and_their_reasons(cache: CallCache) -> None:
    # a student that answers as the teacher does ties it: mfd 0
    rows = _rows(_row("Prove 1 thing."), _row("Prove 2 things."), _row("Prove 3 things."))
    as_good = Scripted("TEACHER", identity="scripted:as-good-student")
    tied = judge_rows(rows, Roles(cache, student=as_good), Judge(min_mfd=0.1))
    assert tied.rows.height == 0
    assert tied.rejects["reason"].to_list() == ["below_min_mfd"] * 3
    assert tied.metrics["dropped"]["below_min_mfd"] == 3
    assert tied.rejects.columns == list(REJECT_COLUMNS)
    fraction = judge_rows(rows, Roles(cache), Judge(min_mfd=None, keep_fraction=0.5))
    assert fraction.rows.height == 2  # ceil(0.5 * 3), all tied: the first rows by order
    assert fraction.rejects["reason"].to_list() == ["not_hardest_fraction"]


def test_too_long_rows_make_no_calls(cache: CallCache) -> None:
    rows = _rows(_row("Short 1."), _row("Long " * 50 + "2."))
    roles = Roles(cache)
    result = judge_rows(rows, roles, Judge(max_chars=100))
    assert result.rows["messages"].to_list() == rows["messages"].to_list()[:1]
    assert result.rejects["reason"].to_list() == ["too_long"]
    assert result.rejects["teacher_response"].to_list() == [None]
    assert all("Long" not in p for b in roles.backends.values() for p in b.prompts)
    # with the source's answer as the teacher's, the answer counts towards the limit
    rows = _rows(_row("Short 1.", answer="x" * 95), _row("Short 2."))
    p = Judge(max_chars=100, teacher_answer="source", min_mfd=-1.0)
    result = judge_rows(rows, Roles(cache), p)
    assert result.rejects.select("id", "reason").rows() == [(rows["id"][0], "too_long")]


def test_rows_too_long_for_a_model_are_dropped_not_failed(cache: CallCache) -> None:
    """Over a model's context (its own tokens, with max_new_tokens) is a row the stage drops
    as too_long before calling that model, however strict max_failure_rate is."""
    fits, long = "Sum 1 and 1.", "Sum 2 and 2, " + "then think hard, " * 4
    rows = _rows(_row(fits), _row(long))
    roles = Roles(cache, max_failure_rate=0.0, contexts={"student": 40, "teacher": 400})
    result = judge_rows(rows, roles, Judge(min_mfd=-1.0))
    assert result.rows["id"].to_list() == [rows["id"][0]]
    assert result.rejects.select("id", "reason", "student_response", "teacher_response").rows() == [
        (rows["id"][1], "too_long", None, "TEACHER 2")
    ]
    assert not any("think hard" in p for p in roles.backends["student"].prompts)
    by_role = result.metrics["by_role"]
    assert (by_role["student"]["too_long"], by_role["student"]["failed"]) == (1, 0)
    assert by_role["judge"]["calls"] == 3  # the teacher's answer to the long row is graded
    assert result.metrics["dropped"]["too_long"] == 1

    # a judge prompt (instruction + answer + rubric) over the judge's context: too_long too
    roles = Roles(cache, contexts={"judge": 800})
    result = judge_rows(_rows(_row(fits), _row("Sum 3 and 3. " + "x" * 400)), roles, Judge())
    assert result.metrics["dropped"]["too_long"] == 1
    assert result.metrics["by_role"]["judge"]["too_long"] == 2  # both answers' judgements
    assert result.metrics["by_role"]["judge"]["failed"] == 0


def test_a_judge_reply_with_no_digit_has_its_own_reason(cache: CallCache) -> None:
    rows = _rows(_row("Sum 1 and 1."), _row("Answer with no digit anywhere, please."))
    result = judge_rows(rows, Roles(cache), Judge(min_mfd=-1.0))
    assert result.rejects.select("id", "reason").rows() == [(rows["id"][1], "no_digit")]
    assert result.metrics["dropped"]["no_digit"] == 1
    assert result.metrics["dropped"]["failed"] == 0
    assert result.metrics["rows_kept"] + sum(result.metrics["dropped"].values()) == 2


def test_source_answer_replaces_the_teacher(cache: CallCache) -> None:
    rows = _rows(_row("Sum 4 and 4.", answer="TEACHER says 8."), _row("Sum 5 and 5.", answer="10"))
    roles = Roles(cache)
    result = judge_rows(rows, roles, Judge(teacher_answer="source", min_mfd=-1.0))
    assert "teacher" not in roles.asked
    assert "teacher" not in result.metrics["by_role"]
    assert result.rows["teacher_response"].to_list() == ["TEACHER says 8.", "10"]
    assert result.rows["teacher_score"].to_list() == pytest.approx([8.0, 1.0])
    assert result.rows["mfd"].to_list() == pytest.approx([5 / 9, -2 / 9])
    assert result.metrics["student_beats_teacher"] == 0.5


def test_teacher_answer_per_source(cache: CallCache) -> None:
    """Only the source whose answers are the teacher's own gives them; the teacher writes
    the rest, and only for those rows is it asked."""
    own = _row("Sum 4 and 4.", answer="TEACHER says 8.")
    other = {**_row("Sum 5 and 5.", answer="GPT-4 says 10."), "source": "openhermes"}
    roles = Roles(cache)
    p = Judge(teacher_answer={"magpie": "source", "openhermes": "generate"}, min_mfd=-1.0)
    result = judge_rows(_rows(own, other), roles, p)
    assert result.rows["teacher_response"].to_list() == ["TEACHER says 8.", "TEACHER 5"]
    assert result.metrics["by_role"]["teacher"]["calls"] == 1
    assert not any("Sum 4" in prompt for prompt in roles.backends["teacher"].prompts)


def test_failed_calls_drop_their_row_and_skip_the_judge(cache: CallCache) -> None:
    rows = _rows(_row("Ask 1."), _row("Ask 2."), _row("Ask 3."))
    roles = Roles(cache, max_failure_rate=0.5, student=Scripted("student", fail_on="Ask 2"))
    result = judge_rows(rows, roles, Judge())
    assert result.rows.height == 2
    assert result.rejects.select("reason", "student_response", "teacher_response").rows() == [
        ("failed", None, "TEACHER 2")
    ]
    assert result.metrics["dropped"]["failed"] == 1
    assert result.metrics["by_role"]["student"]["failed"] == 1
    # the judge graded the teacher's answer to "Ask 2", but no student answer to it
    assert result.metrics["by_role"]["judge"]["calls"] == 5


def test_generate_scoring_parses_strictly_and_counts_unparsed(cache: CallCache) -> None:
    rows = _rows(_row("Tell 1 joke."), _row("Tell 2 jokes."))
    parsed = judge_rows(rows, Roles(cache), Judge(scoring="generate"))
    assert parsed.rows["teacher_score"].to_list() == [8.0, 8.0]
    assert parsed.rows["student_score"].to_list() == [3.0, 3.0]
    rambling = Scripted("judge", judge_reply="Score: {s}\nI hope this helps!")
    result = judge_rows(rows, Roles(cache, judge=rambling), Judge(scoring="generate"))
    assert result.rows.height == 0
    assert result.rejects["reason"].to_list() == ["unparsed", "unparsed"]
    assert result.metrics["unparsed"] == {"teacher": 2, "student": 2}
    assert result.metrics["dropped"]["unparsed"] == 2


def test_chinese_rows_get_the_chinese_judge_prompt(cache: CallCache) -> None:
    rows = _rows(_row("计算 7 乘以 6。", lang="zh"), _row("Compute 7 times 6.", lang="en"))
    roles = Roles(cache)
    result = judge_rows(rows, roles, Judge())
    prompts = roles.backends["judge"].prompts
    assert sum("【回答】" in p for p in prompts) == 2
    assert sum("[Answer]" in p for p in prompts) == 2
    assert result.rows["teacher_score"].to_list() == pytest.approx([8.0, 8.0])


def test_rerun_with_another_keep_rule_is_all_cache_hits(cache: CallCache) -> None:
    rows = _rows(*(_row(f"Question {i}?") for i in range(5)))
    first = judge_rows(rows, Roles(cache), Judge())
    again = judge_rows(rows, Roles(cache), Judge(min_mfd=0.9))
    assert first.metrics["calls"]["cache_misses"] == 20
    assert again.metrics["calls"]["cache_misses"] == 0
    assert again.metrics["calls"]["cache_hits"] == 20
    more = judge_rows(rows.vstack(_rows(_row("Question 99?"))), Roles(cache), Judge())
    assert more.metrics["calls"]["cache_misses"] == 4  # student, teacher, two judgements


def test_plots_are_histograms_of_the_judged_rows(cache: CallCache) -> None:
    rows = _rows(*(_row(f"Question {i}?") for i in range(3)))
    result = judge_rows(rows, Roles(cache), Judge())
    scores = {p["score"]: p for p in result.plots["scores"]}
    assert sorted(scores) == list(range(10))
    assert (scores[8]["teacher"], scores[3]["student"]) == (3, 3)
    assert sum(p["teacher"] for p in result.plots["scores"]) == 3
    mfd = result.plots["mfd"]
    assert len(mfd) == 20 and mfd[0]["mfd"] == -1.0 and mfd[-1]["mfd"] == 0.9
    assert [(p["mfd"], p["mfd_end"]) for p in mfd[9:11]] == [(-0.1, 0.0), (0.0, 0.1)]
    assert mfd[-1]["mfd_end"] == 1.0
    assert [p["rows"] for p in mfd if p["rows"]] == [3]
    assert next(p["mfd"] for p in mfd if p["rows"]) == 0.5  # 5/9 = 0.556
