"""Answer keys: the final answers known for some instructions, and how well the judge's
scores tell right answers from wrong ones where one is known.

A key file is JSON Lines, `{"instruction": <first user turn>, "answers": [<accepted final
answer>, ...]}` per line (the tiny world writes one beside its sources; a benchmark with
reference answers, GSM8K say, can be turned into one). An answer is right when it states one
of the accepted answers: a number as a number (`20.8` in "... = 20.8.", not in "120.85";
`1,000` is `1000`), anything else as text, case aside. `separation` is the ROC AUC of the
judge's scores between right and wrong answers: 1.0 when every right answer scores above
every wrong one, 0.5 when the scores say nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from distilpipe.errors import InputError

_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def read_answer_key(path: str | Path) -> dict[str, tuple[str, ...]]:
    """instruction -> accepted answers; InputError naming the file and line of a bad record."""
    key: dict[str, tuple[str, ...]] = {}
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(str(path), f"not JSON: {exc.msg}", number) from None
            instruction, answers = record.get("instruction"), record.get("answers")
            if not isinstance(instruction, str) or not (
                isinstance(answers, list) and answers and all(isinstance(a, str) for a in answers)
            ):
                raise InputError(
                    str(path), "needs `instruction` (a string) and `answers` (strings)", number
                )
            key[instruction] = tuple(answers)
    return key


def _as_number(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "")).normalize()
    except InvalidOperation:
        return None


def states(answer: str, accepted: Sequence[str]) -> bool:
    """Whether `answer` states one of the `accepted` final answers."""
    numbers = {_as_number(m) for m in _NUMBER.findall(answer)}
    folded = answer.casefold()
    for wanted in accepted:
        value = _as_number(wanted) if _NUMBER.fullmatch(wanted.strip()) else None
        if value is not None:
            if value in numbers:
                return True
        elif wanted.strip() and wanted.casefold() in folded:
            return True
    return False


def separation(right: Sequence[float], wrong: Sequence[float]) -> float | None:
    """ROC AUC of scores between right and wrong answers (ties count a half): the chance that
    a right answer picked at random outscores a wrong one. None without both kinds."""
    if not right or not wrong:
        return None
    ordered = sorted([(s, 1) for s in right] + [(s, 0) for s in wrong])
    rank_sum, i = 0.0, 0
    while i < len(ordered):  # average ranks over ties
        j = i
        while j < len(ordered) and ordered[j][0] == ordered[i][0]:
            j += 1
        mean_rank = (i + 1 + j) / 2
        rank_sum += mean_rank * sum(flag for _, flag in ordered[i:j])
        i = j
    n_right, n_wrong = len(right), len(wrong)
    return (rank_sum - n_right * (n_right + 1) / 2) / (n_right * n_wrong)


def judge_separation(
    instructions: Sequence[str],
    answers: Mapping[str, Sequence[str | None]],
    scores: Mapping[str, Sequence[float | None]],
    key: Mapping[str, Sequence[str]],
) -> dict[str, float | int | None]:
    """Over every scored answer (each role's) to an instruction the key knows: how many are
    right and wrong, and the ROC AUC of their scores."""
    right: list[float] = []
    wrong: list[float] = []
    for role, texts in answers.items():
        for instruction, text, score in zip(instructions, texts, scores[role], strict=True):
            accepted = key.get(instruction)
            if accepted is None or text is None or score is None:
                continue
            (right if states(text, accepted) else wrong).append(score)
    auc = separation(right, wrong)
    return {
        "right": len(right),
        "wrong": len(wrong),
        "roc_auc": None if auc is None else round(auc, 6),
    }
