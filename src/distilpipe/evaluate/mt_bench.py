"""MT-Bench: two-turn questions, judge-graded 1–10 per turn, summarised as MT-Bench reports.

The question sets are MT-Bench's layout (`question_id`, `category`, `turns` with two
questions, `reference` with one reference answer per turn for math, reasoning and coding),
written for this project in English and Chinese and shipped as package data, one file per
language. A judge grades each turn alone (single-answer grading; reference-guided for the
three categories with references, see `judge_prompt`) and ends with `Rating: [[N]]`, which
`parse_rating` reads strictly; a judgement that does not parse is counted, not guessed.
Or, where the judge's backend gives probabilities (`evaluate.mt_bench.rating: logprob`, the
way AlpacaEval 2.0 reads its judge), the judge is asked for `[[N]]` alone and the rating is
the expectation of N under its probabilities of the ten replies (`expected_rating`): every
turn gets a rating, also from a judge too weak to write the format after an explanation.
`summarise` gives the turn-1 ("single"), turn-2 and overall means and each category's mean.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

from distilpipe.errors import InputError
from distilpipe.evaluate.hub import jsonl_records
from distilpipe.prompts import render

CATEGORIES = (
    "writing",
    "roleplay",
    "reasoning",
    "math",
    "coding",
    "extraction",
    "stem",
    "humanities",
)
REFERENCE_CATEGORIES = frozenset({"reasoning", "math", "coding"})
RATING_MIN, RATING_MAX = 1, 10
# the judge's whole reply in logprob mode, one label per rating (prefix-free as tokens: the
# closing brackets end "[[1]]" where "[[10]]" goes on with "0")
RATING_LABELS = tuple(f"[[{n}]]" for n in range(RATING_MIN, RATING_MAX + 1))
DATA_DIR = Path(__file__).parent / "data"
LANGS = ("en", "zh")

# `[[N]]` with N an integer written in ASCII digits without a leading zero; spaces inside
# the brackets are allowed, anything else inside them (7.5, 7/10, seven) is not a rating.
_RATING = re.compile(r"\[\[\s*([1-9][0-9]*)\s*\]\]")
_ANY_DOUBLE_BRACKET = re.compile(r"\[\[([^\[\]\n]*)\]\]")


def parse_rating(text: str) -> int | None:
    """The judge's rating of one turn, or None when it does not parse.

    Parses: `[[N]]` anywhere in the text, N an integer from 1 to 10 in ASCII digits,
    optionally with spaces inside the brackets: `Rating: [[7]]`, `评分：[[10]]`,
    `**Rating: [[ 8 ]]**`. The same rating repeated (`[[6]]` ... `[[6]]`) parses too.

    Does not parse (None):

    - no `[[...]]` at all: `Rating: 7`, `[7]` (single brackets, which FastChat falls back
      to; we do not, since `[7]` also appears in citations and lists), `【【7】】`;
    - a value outside 1–10 or not an integer: `[[0]]`, `[[11]]`, `[[7.5]]`, `[[7/10]]`,
      `[[07]]`, `[[seven]]`, full-width digits `[[７]]`;
    - two different ratings (`[[5]]` quoted from the instructions, then `[[8]]`), and a
      rating next to another double-bracketed value such as `[[N]]` or `[[rating]]`:
      which one the judge meant is a guess.
    - empty or whitespace-only text.
    """
    brackets = _ANY_DOUBLE_BRACKET.findall(text)
    if not brackets:
        return None
    values: set[int] = set()
    for inner in brackets:
        match = _RATING.fullmatch(f"[[{inner}]]")
        if match is None:
            return None
        values.add(int(match.group(1)))
    if len(values) != 1:
        return None
    (rating,) = values
    return rating if RATING_MIN <= rating <= RATING_MAX else None


@dataclass(frozen=True)
class Question:
    """One MT-Bench question: two user turns, and reference answers where the category has
    them (`reference` is empty otherwise)."""

    question_id: int
    category: str
    turns: tuple[str, str]
    reference: tuple[str, ...]


def question_file(lang: str) -> Path:
    """The packaged question set for `lang` ("en" or "zh")."""
    if lang not in LANGS:
        raise ValueError(f"no MT-Bench questions in {lang!r}: use one of {LANGS}")
    return DATA_DIR / f"mt_bench.{lang}.jsonl"


def load_questions(path: Path) -> list[Question]:
    """The questions of an MT-Bench JSONL file, each record checked (InputError names the
    file and line): an integer `question_id` unique in the file, a known `category`, exactly
    two non-empty `turns`, no other field, and a `reference` of two non-empty answers for
    math, reasoning and coding (none elsewhere, so a misfiled question is caught)."""
    questions: list[Question] = []
    seen: set[int] = set()
    for line, record in jsonl_records(path):
        question = _parse_question(record, str(path), line)
        if question.question_id in seen:
            raise InputError(str(path), f"question_id {question.question_id} appears twice", line)
        seen.add(question.question_id)
        questions.append(question)
    return questions


def _parse_question(record: object, path: str, line: int) -> Question:
    if not isinstance(record, dict):
        raise InputError(path, "a record must be a JSON object", line)
    unknown = sorted(set(record) - {"question_id", "category", "turns", "reference"})
    if unknown:
        raise InputError(path, f"unknown field(s) {', '.join(unknown)}", line)
    qid = record.get("question_id")
    if not isinstance(qid, int) or isinstance(qid, bool):
        raise InputError(path, f"question_id must be an integer, not {qid!r}", line)
    category = record.get("category")
    if category not in CATEGORIES:
        raise InputError(path, f"category must be one of {CATEGORIES}, not {category!r}", line)
    turns = record.get("turns")
    if not _two_texts(turns):
        raise InputError(path, "turns must be a list of two non-empty strings", line)
    reference = record.get("reference")
    if category in REFERENCE_CATEGORIES:
        if not _two_texts(reference):
            raise InputError(
                path, f"a {category} question needs a reference of two non-empty answers", line
            )
    elif reference not in (None, []):
        raise InputError(path, f"a {category} question takes no reference answer", line)
    return Question(qid, category, (turns[0], turns[1]), tuple(reference or ()))


def _two_texts(value: object) -> TypeGuard[list[str]]:
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(item, str) and item.strip() for item in value)
    )


def judge_prompt(
    question: Question,
    answers: tuple[str, ...],
    turn: int,
    lang: str,
    rating_only: bool = False,
) -> tuple[str, str]:
    """The judge prompt for `turn` (1 or 2) of `question`: (text, template hash).

    `answers` holds the model's answers to the turns so far (at least `turn` of them).
    Math, reasoning and coding use the reference-guided template, the rest single-answer
    grading; `lang` "zh" selects the Chinese templates. `rating_only` asks for `[[N]]` and
    nothing else (logprob mode) instead of an explanation ending in `Rating: [[N]]`.
    """
    if turn not in (1, 2):
        raise ValueError(f"MT-Bench has turns 1 and 2, not {turn}")
    if len(answers) < turn:
        raise ValueError(f"turn {turn} needs {turn} answer(s), got {len(answers)}")
    variables: dict[str, object] = {
        "rating_only": rating_only,
        "turn": turn,
        "question_1": question.turns[0],
        "answer_1": answers[0],
    }
    if turn == 2:
        variables.update(question_2=question.turns[1], answer_2=answers[1])
    if question.category in REFERENCE_CATEGORIES:
        variables["reference_1"] = question.reference[0]
        if turn == 2:
            variables["reference_2"] = question.reference[1]
        return render("mt_bench_reference", lang, **variables)
    return render("mt_bench_single", lang, **variables)


def expected_rating(probs: Mapping[str, float]) -> float | None:
    """The mean rating under the judge's probabilities of `RATING_LABELS` (renormalised over
    them), or None when they carry no probability at all."""
    total = sum(probs.get(label, 0.0) for label in RATING_LABELS)
    if not total > 0:
        return None
    return (
        sum(n * probs.get(label, 0.0) for n, label in enumerate(RATING_LABELS, RATING_MIN)) / total
    )


@dataclass(frozen=True)
class Grade:
    """One judged turn: the question's category, the turn (1 or 2), and the rating (None
    when the judgement did not parse; a float in logprob mode)."""

    question_id: int
    category: str
    turn: int
    rating: float | None


def summarise(grades: Iterable[Grade]) -> dict[str, float | int | None]:
    """MT-Bench's figures over parsed ratings: `turn_1` (MT-Bench "single"), `turn_2`,
    `overall` (the mean over every parsed turn, as MT-Bench averages), one
    `category/<name>` mean per category graded, and the counts `n_graded` and `n_unparsed`.
    A mean over no parsed rating is None."""
    grades = list(grades)
    parsed = [g for g in grades if g.rating is not None]

    def mean(selected: list[Grade]) -> float | None:
        ratings = [g.rating for g in selected if g.rating is not None]
        return sum(ratings) / len(ratings) if ratings else None

    summary: dict[str, float | int | None] = {
        "overall": mean(parsed),
        "turn_1": mean([g for g in parsed if g.turn == 1]),
        "turn_2": mean([g for g in parsed if g.turn == 2]),
    }
    for category in CATEGORIES:
        if any(g.category == category for g in grades):
            summary[f"category/{category}"] = mean([g for g in parsed if g.category == category])
    summary["n_graded"] = len(grades)
    summary["n_unparsed"] = len(grades) - len(parsed)
    return summary


def category_counts(questions: Iterable[Question]) -> Mapping[str, int]:
    """How many questions each category has, in CATEGORIES order."""
    questions = list(questions)
    return {c: sum(1 for q in questions if q.category == c) for c in CATEGORIES}
