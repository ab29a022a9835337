"""MT-Bench: two-turn questions, judge-graded 1–10 per turn, summarised as MT-Bench reports.

Two sets. `tiny-world` (the default): MT-Bench's layout (`question_id`, `category`, `turns`
with two questions, `reference` with one reference answer per turn for math, reasoning and
coding), written for this project in English and Chinese and shipped as package data, one
file per language, graded with the project's templates (`judge_prompt`). `public`: MT-Bench
as published, FastChat's 80 English questions with its GPT-4 reference answers and its
single-answer judge prompts (`load_public_questions`, `load_judge_prompts`,
`fastchat_judge_prompt`), copied unchanged from lm-sys/FastChat at `FASTCHAT_COMMIT` into
`data/mt_bench_public/` (Apache-2.0; SOURCE.md there names the files), and answered at
FastChat's temperature per category (`FASTCHAT_TEMPERATURES`).

A judge grades each turn alone (single-answer grading; reference-guided for the three
categories with references) and ends with a rating in double brackets, which `parse_rating`
reads as FastChat does, minus its guesses; a judgement that does not parse is counted, not
guessed. Or, where the judge's backend gives probabilities (`evaluate.mt_bench.rating:
logprob`, the way AlpacaEval 2.0 reads its judge; tiny-world only), the judge is asked for
`[[N]]` alone and the rating is the expectation of N under its probabilities of the ten
replies (`expected_rating`): every turn gets a rating, also from a judge too weak to write
the format after an explanation. `summarise` gives the turn-1 ("single"), turn-2 and overall
means and each category's mean; `summarise_languages` the same means per language.
"""

from __future__ import annotations

import hashlib
import json
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

# MT-Bench as published: lm-sys/FastChat's fastchat/llm_judge/data, copied at this commit
PUBLIC_DIR = DATA_DIR / "mt_bench_public"
FASTCHAT_REPO = "lm-sys/FastChat"
FASTCHAT_COMMIT = "0e6d3e4beaab66f4d3f93db72541a4abab8af28d"
PUBLIC_SET_NAME = f"FastChat MT-Bench (80, {FASTCHAT_REPO}@{FASTCHAT_COMMIT[:7]})"
# FastChat's `temperature_config` (fastchat/llm_judge/common.py), which gen_model_answer.py
# answers each question with (greedy below 1e-4)
FASTCHAT_TEMPERATURES: Mapping[str, float] = {
    "writing": 0.7,
    "roleplay": 0.7,
    "extraction": 0.0,
    "math": 0.0,
    "coding": 0.0,
    "reasoning": 0.0,
    "stem": 0.1,
    "humanities": 0.1,
}
# FastChat's judge prompt names: (reference-guided, turn) -> name in judge_prompts.jsonl
JUDGE_PROMPT_NAMES = {
    (False, 1): "single-v1",
    (True, 1): "single-math-v1",
    (False, 2): "single-v1-multi-turn",
    (True, 2): "single-math-v1-multi-turn",
}

# FastChat's `one_score_pattern` and `one_score_pattern_backup` (fastchat/llm_judge/common.py),
# with ASCII digits only (Python's \d also takes ７) and spaces allowed inside the brackets
_NUMBER = r"\s*([0-9]+\.?[0-9]*)\s*"
_DOUBLE = re.compile(rf"\[\[{_NUMBER}\]\]")
_SINGLE = re.compile(rf"\[{_NUMBER}\]")


def parse_rating(text: str) -> float | None:
    """The judge's rating of one turn, or None when it does not parse.

    As FastChat's `run_judge_single` reads a judgement: a number in double brackets,
    `[[7]]`, `[[7.5]]`, `[[10.0]]`, and only where there is none, the backup, a number in
    single brackets, `[7]`. A bracketed thing that is not a number (`[[rating]]` echoed
    from FastChat's prompt, `[[N]]`, `[[7/10]]`) is not a rating and is passed over, as
    FastChat passes it over.
    An integer comes back as an int, a number with a decimal point as a float.

    Where this differs from FastChat, on purpose (None here, a number there):

    - FastChat takes the first match; here every match of the pattern used (double, or
      else single brackets) must give the same rating, so `[[5]]` quoted from the
      instructions and then `[[8]]`, or a citation `[1]` before `Rating: [7]`, is None
      rather than a guess. The same rating repeated (`[[6]]` ... `[[6]]`) parses.
    - A rating outside 1–10 (`[[0]]`, `[[11]]`) is None; FastChat keeps it.
    - A leading zero (`[[07]]`, where FastChat's `ast.literal_eval` raises) and non-ASCII
      digits (`[[７]]`) are None.
    - The other way round: spaces inside the brackets are allowed (`**Rating: [[ 8 ]]**`),
      which FastChat's patterns miss.

    Also None: no bracketed number at all (`Rating: 7`, `【【7】】`), empty text.
    """
    for pattern in (_DOUBLE, _SINGLE):
        found = pattern.findall(text)
        if found:
            values = {_number(raw) for raw in found}
            if None in values or len(values) != 1:
                return None
            (rating,) = values
            assert rating is not None
            return rating if RATING_MIN <= rating <= RATING_MAX else None
    return None


def _number(raw: str) -> float | None:
    """`7` -> 7, `7.5` / `7.` -> 7.5 / 7.0; a leading zero (`07`, `00.5`) -> None."""
    whole = raw.split(".", 1)[0]
    if len(whole) > 1 and whole.startswith("0"):
        return None
    return float(raw) if "." in raw else int(raw)


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


def _parse_question(record: object, path: str, line: int, fastchat: bool = False) -> Question:
    """One question record; with `fastchat`, FastChat's layout, whose `reference` field (a
    list of strings, on any category, some empty) is checked and dropped: its judge reads
    the reference answers file instead."""
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
    if fastchat:
        if reference is not None and not (
            isinstance(reference, list) and all(isinstance(x, str) for x in reference)
        ):
            raise InputError(path, "reference must be a list of strings", line)
        return Question(qid, category, (turns[0], turns[1]), ())
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


def load_public_questions(folder: Path = PUBLIC_DIR) -> list[Question]:
    """FastChat's MT-Bench questions (`question.jsonl`) with its GPT-4 reference answers
    (`reference_gpt-4.jsonl`) as the `reference` of math, reasoning and coding questions,
    the categories FastChat judges against a reference (`NEED_REF_CATS`); empty elsewhere.

    Each record is checked as `load_questions` checks it (InputError names the file and
    line), except that a question may carry FastChat's own `reference` field (a list of
    strings, some empty), which FastChat's judge does not read and neither does this. A
    reference answer must be a JSON object with an integer `question_id` of a math,
    reasoning or coding question, once, and `choices[0].turns` two non-empty strings;
    every such question needs one."""
    path = folder / "question.jsonl"
    questions: list[Question] = []
    seen: set[int] = set()
    for line, record in jsonl_records(path):
        question = _parse_question(record, str(path), line, fastchat=True)
        if question.question_id in seen:
            raise InputError(str(path), f"question_id {question.question_id} appears twice", line)
        seen.add(question.question_id)
        questions.append(question)
    references = _load_references(folder / "reference_gpt-4.jsonl", questions)
    missing = [
        q.question_id
        for q in questions
        if q.category in REFERENCE_CATEGORIES and q.question_id not in references
    ]
    if missing:
        raise InputError(
            str(folder / "reference_gpt-4.jsonl"), f"no reference answer for question(s) {missing}"
        )
    return [
        Question(q.question_id, q.category, q.turns, references.get(q.question_id, ()))
        for q in questions
    ]


def _load_references(path: Path, questions: list[Question]) -> dict[int, tuple[str, str]]:
    categories = {q.question_id: q.category for q in questions}
    references: dict[int, tuple[str, str]] = {}
    for line, record in jsonl_records(path):
        if not isinstance(record, dict):
            raise InputError(str(path), "a record must be a JSON object", line)
        qid = record.get("question_id")
        if not isinstance(qid, int) or isinstance(qid, bool):
            raise InputError(str(path), f"question_id must be an integer, not {qid!r}", line)
        if categories.get(qid) not in REFERENCE_CATEGORIES:
            raise InputError(
                str(path), f"question_id {qid} is not a math, reasoning or coding question", line
            )
        if qid in references:
            raise InputError(str(path), f"question_id {qid} appears twice", line)
        choices = record.get("choices")
        first = choices[0] if isinstance(choices, list) and choices else None
        turns = first.get("turns") if isinstance(first, dict) else None
        if not _two_texts(turns):
            raise InputError(
                str(path), "choices[0].turns must be a list of two non-empty strings", line
            )
        references[qid] = (turns[0], turns[1])
    return references


@dataclass(frozen=True)
class JudgeTemplate:
    """One of FastChat's judge prompts: a system prompt, and a user prompt in Python's
    `str.format` syntax (FastChat's own), with the hash that goes into the cache key."""

    name: str
    system_prompt: str
    prompt_template: str
    template_hash: str


def load_judge_prompts(path: Path = PUBLIC_DIR / "judge_prompts.jsonl") -> dict[str, JudgeTemplate]:
    """FastChat's single-answer judge prompts by name, each checked (InputError names the
    file and line): `name`, `system_prompt` and `prompt_template` strings, `type` "single",
    `output_format` "[[rating]]"; the four names of `JUDGE_PROMPT_NAMES` must all be there.
    A template's hash is the SHA-256 of its line's JSON, so editing one prompt invalidates
    exactly the judgements that used it."""
    prompts: dict[str, JudgeTemplate] = {}
    for line, record in jsonl_records(path):
        if not isinstance(record, dict):
            raise InputError(str(path), "a record must be a JSON object", line)
        fields = ("name", "system_prompt", "prompt_template")
        if not all(isinstance(record.get(f), str) for f in fields):
            raise InputError(str(path), f"{', '.join(fields)} must be strings", line)
        if record.get("type") != "single" or record.get("output_format") != "[[rating]]":
            raise InputError(
                str(path),
                'a single-answer prompt needs type "single", output_format "[[rating]]"',
                line,
            )
        canonical = json.dumps(record, sort_keys=True, ensure_ascii=False).encode()
        prompts[record["name"]] = JudgeTemplate(
            record["name"],
            record["system_prompt"],
            record["prompt_template"],
            hashlib.sha256(canonical).hexdigest(),
        )
    missing = sorted(set(JUDGE_PROMPT_NAMES.values()) - set(prompts))
    if missing:
        raise InputError(str(path), f"no judge prompt {', '.join(missing)}")
    return prompts


def fastchat_judge_prompt(
    question: Question,
    answers: tuple[str, ...],
    turn: int,
    prompts: Mapping[str, JudgeTemplate],
) -> tuple[str, str, str]:
    """FastChat's judge prompt for `turn` (1 or 2) of `question`: (system prompt, user
    prompt, template hash), filled as `run_judge_single` fills it: turn 1 `single-v1`
    (`single-math-v1` with the turn-1 reference for math, reasoning and coding), turn 2 the
    `-multi-turn` prompt with the whole conversation (and both references)."""
    _check_turn(answers, turn)
    referenced = question.category in REFERENCE_CATEGORIES
    template = prompts[JUDGE_PROMPT_NAMES[(referenced, turn)]]
    variables: dict[str, str] = {}
    if referenced:
        variables["ref_answer_1"] = question.reference[0]
        if turn == 2:
            variables["ref_answer_2"] = question.reference[1]
    if turn == 2:
        variables.update(
            question_1=question.turns[0],
            question_2=question.turns[1],
            answer_1=answers[0],
            answer_2=answers[1],
        )
    else:
        variables.update(question=question.turns[0], answer=answers[0])
    user = template.prompt_template.format(**variables)
    return template.system_prompt, user, template.template_hash


def answer_temperature(category: str) -> float:
    """FastChat's sampling temperature for answering a `category` question (0.7 for a
    category it does not list, as gen_model_answer.py does)."""
    return FASTCHAT_TEMPERATURES.get(category, 0.7)


def _check_turn(answers: tuple[str, ...], turn: int) -> None:
    if turn not in (1, 2):
        raise ValueError(f"MT-Bench has turns 1 and 2, not {turn}")
    if len(answers) < turn:
        raise ValueError(f"turn {turn} needs {turn} answer(s), got {len(answers)}")


def is_public(set_name: str, lang: str) -> bool:
    """Whether `lang`'s questions under `evaluate.mt_bench.set` are FastChat's (English with
    `public`); the Chinese ones are always the project's."""
    return set_name == "public" and lang == "en"


def set_questions(set_name: str, lang: str) -> list[Question]:
    """The questions asked in `lang` under `evaluate.mt_bench.set` `set_name`: FastChat's
    80 for English with `public`, the project's own packaged set otherwise."""
    if is_public(set_name, lang):
        return load_public_questions()
    return load_questions(question_file(lang))


def set_label(set_name: str, languages: Iterable[str]) -> str:
    """Which set the figures come from, for the report: `tiny-world`, or FastChat's with
    its commit (and `zh: tiny-world` where Chinese is asked too)."""
    if set_name != "public":
        return "tiny-world"
    rest = [f"{lang}: tiny-world" for lang in languages if not is_public(set_name, lang)]
    return "; ".join([PUBLIC_SET_NAME, *rest])


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
    _check_turn(answers, turn)
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


def summarise_languages(
    grades: Mapping[str, Iterable[Grade]],
) -> dict[str, float | int | None]:
    """Each language's figures apart, for grades keyed by language: `<lang>/overall`,
    `<lang>/turn_1`, `<lang>/turn_2`, `<lang>/n_graded` and `<lang>/n_unparsed`, as
    `summarise` computes them over that language's grades alone."""
    out: dict[str, float | int | None] = {}
    for lang, selected in grades.items():
        summary = summarise(selected)
        for key in ("overall", "turn_1", "turn_2", "n_graded", "n_unparsed"):
            out[f"{lang}/{key}"] = summary[key]
    return out


def category_counts(questions: Iterable[Question]) -> Mapping[str, int]:
    """How many questions each category has, in CATEGORIES order."""
    questions = list(questions)
    return {c: sum(1 for q in questions if q.category == c) for c in CATEGORIES}
