"""self_distill: the self-distiller restates each final answer, then the SFT and DPO sets.

DistilQwen2's last data step: a model of the student's family (Qwen2-7B-Instruct for the
1.5B student; here `models.self_distiller`, by default the student's own model) restates the
teacher's final answer in its own words, which "reduces distribution gaps" between the
teacher's answers and what the student can learn.

Per row (the rewrite stage's output; a conversation ending with an assistant turn):

- prompt: the conversation up to and including the last user turn; the teacher's answer:
  the final assistant turn.
- The restatement replaces the teacher's answer when it passes rewrite's preservation checks
  (`ops.rewrite.preservation_failure`) and the judge (models.judge, graded exactly as the
  judge stage grades: `ops.judge.score_answers`) scores it no more than `max_drop` below the
  teacher's answer. Otherwise the teacher's answer stays, the reason counted: one of
  rewrite's REASONS, `unscored` (the judge gave either answer no score) or `score_drop`.
- SFT: every row, `messages` = prompt + the final answer (restated or not).
- DPO: chosen = that final answer; rejected = the student's own answer to the same prompt.
  That is the judge stage's `student_response` where the judge answered this very prompt (a
  conversation with one user turn: the judge answers the first turn), with its
  `student_score` (graded here if it has none); otherwise (rows the judge never saw:
  translated, expanded, multi-turn) a fresh student call, graded by the judge. Pairs are
  dropped, the reason counted (first match wins): `no_student_answer` (the fresh call
  failed or did not fit), `same_answer` (chosen == rejected), `unscored` (no judge score
  for one side), `student_not_worse` (the student's score >= the chosen answer's).

Calls run role by role (self-distiller, student, judge), so with the default roles the
student's model and then the teacher's each load once. Every call is cached with a per-row
seed: new rows cost calls for themselves only.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from distilpipe.llm.client import LLMClient, row_seed
from distilpipe.llm.types import GenerateRequest, Generation, Message
from distilpipe.ops import rewrite
from distilpipe.ops.judge import first_turn, score_answers
from distilpipe.params import Rewrite, SelfDistill
from distilpipe.prompts import render
from distilpipe.schema import MESSAGES

ACCEPTED = "accepted"
RESTATE_REASONS = (*rewrite.REASONS, "unscored", "score_drop")
PAIR_REASONS = ("no_student_answer", "same_answer", "unscored", "student_not_worse")
SET_COLUMNS = ("task_type", "lang", "origin")
SFT_COLUMNS = ("id", "messages", *SET_COLUMNS)
DPO_COLUMNS = ("id", "prompt", "chosen", "rejected", *SET_COLUMNS)
ROLES = ("self_distiller", "student", "judge")


@dataclass
class SelfDistillResult:
    sft: pl.DataFrame  # SFT_COLUMNS
    dpo: pl.DataFrame  # DPO_COLUMNS
    metrics: dict[str, Any]
    plots: dict[str, list[dict[str, Any]]]


def split_last_answer(messages: Sequence[dict[str, str]]) -> tuple[list[Message], str]:
    """(prompt, answer): the conversation up to its last user turn, and the final assistant
    turn after it. Raises ValueError when the conversation does not end with an assistant
    turn that follows a user turn."""
    if len(messages) < 2 or messages[-1]["role"] != "assistant" or messages[-2]["role"] != "user":
        roles = [m["role"] for m in messages]
        raise ValueError(f"a conversation must end with a user then an assistant turn: {roles}")
    prompt = [{"role": m["role"], "content": m["content"]} for m in messages[:-1]]
    return prompt, messages[-1]["content"]


def self_distill_rows(
    rows: pl.DataFrame,
    client: Callable[[str], LLMClient],
    p: SelfDistill,
    checks: Rewrite,
    scoring: str = "logprob",
    detector: str = "fasttext",
    count_tokens: Callable[[list[str]], list[int]] | None = None,
) -> SelfDistillResult:
    """Restate, then build the SFT and DPO sets from `rows` (rewrite's output: the row
    schema, `task_type`, and the judge columns, null for rows the judge never saw).

    `client(role)` gives the clients of "self_distiller", "student" (asked for only when
    some row needs a fresh answer) and "judge". `checks` holds rewrite's length bounds,
    `scoring` the judge stage's scoring mode, `detector` the pool's language detector.
    `count_tokens` (the student's tokenizer) measures chosen and rejected answers for the
    length plot; without it that plot is empty.
    """
    n = rows.height
    ids, langs = rows["id"].to_list(), rows["lang"].to_list()
    split = [_split(m, ids[i]) for i, m in enumerate(rows["messages"].to_list())]
    prompts = [s[0] for s in split]
    teacher = [s[1] for s in split]
    instructions = [prompt[-1]["content"] for prompt in prompts]
    judged_answer = _column(rows, "student_response")
    judged_score = _column(rows, "student_score")
    # the judge answered the first turn: its answer is a rejected answer only for that prompt
    reuse = [
        judged_answer[i] is not None and tuple(prompts[i]) == first_turn(prompts[i])
        for i in range(n)
    ]
    fresh = [i for i in range(n) if not reuse[i]]

    # 1. restatements (self-distiller), 2. fresh student answers: the same model by default
    distiller = client("self_distiller")
    restated = distiller.generate(
        [
            _restate_request(distiller, instructions[i], teacher[i], ids[i], langs[i])
            for i in range(n)
        ]
    )
    want = rewrite.wanted_languages(teacher, langs, detector)
    reasons = rewrite.replacement_failures(teacher, restated, want, checks, detector)
    used: dict[str, LLMClient] = {"self_distiller": distiller}
    student_answers: list[str | None] = [judged_answer[i] if reuse[i] else None for i in range(n)]
    if fresh:
        student = used["student"] = client("student")
        outs = student.generate(
            [
                GenerateRequest(
                    tuple(prompts[i]), student.sampling(row_seed(ids[i], "self_distill/student"))
                )
                for i in fresh
            ]
        )
        for i, out in zip(fresh, outs, strict=True):
            student_answers[i] = out.text if isinstance(out, Generation) else None

    # 3. the judge: the teacher's answers, the restatements that passed their checks, and
    # the student answers it has not scored yet
    judge = used["judge"] = client("judge")
    restatements = [
        out.text.strip() if reason is None and isinstance(out, Generation) else None
        for out, reason in zip(restated, reasons, strict=True)
    ]
    grade = _grader(judge, scoring, instructions, langs, ids)
    teacher_scores = grade(list(teacher), "self_distill/score/teacher")
    restated_scores = grade(restatements, "self_distill/score/restatement")
    scored = [reuse[i] and judged_score[i] is not None for i in range(n)]
    student_scores = grade(
        [None if scored[i] else student_answers[i] for i in range(n)],
        "self_distill/score/student",
    )
    for i in range(n):
        if scored[i]:
            student_scores[i] = judged_score[i]

    outcome: list[str] = []
    chosen: list[str] = []
    chosen_scores: list[float | None] = []
    for i in range(n):
        reason = reasons[i]
        t, r = teacher_scores[i], restated_scores[i]
        if reason is None and (t is None or r is None):
            reason = "unscored"
        elif reason is None and r is not None and t is not None and r < t - p.max_drop:
            reason = "score_drop"
        outcome.append(reason or ACCEPTED)
        accepted = reason is None
        chosen.append(restatements[i] if accepted else teacher[i])  # type: ignore[arg-type]
        chosen_scores.append(r if accepted else t)

    pair_reasons = [
        _pair_reason(chosen[i], student_answers[i], chosen_scores[i], student_scores[i])
        for i in range(n)
    ]
    sft = _sft(rows, prompts, chosen)
    keep = [r is None for r in pair_reasons]
    dpo = _dpo(rows, prompts, chosen, student_answers, keep)
    metrics = _metrics(
        rows, outcome, pair_reasons, reuse, teacher_scores, restated_scores, student_scores, used
    )
    metrics["sft_rows"], metrics["dpo_pairs"] = sft.height, dpo.height
    plots = _plots(rows, sft, dpo, outcome, count_tokens)
    return SelfDistillResult(sft, dpo, metrics, plots)


def _split(messages: Sequence[dict[str, str]], row_id: str) -> tuple[list[Message], str]:
    try:
        return split_last_answer(messages)
    except ValueError as exc:
        raise ValueError(f"row {row_id}: {exc}") from None


def _column(rows: pl.DataFrame, name: str) -> list[Any]:
    return rows[name].to_list() if name in rows.columns else [None] * rows.height


def _restate_request(
    distiller: LLMClient, instruction: str, answer: str, row_id: str, lang: str
) -> GenerateRequest:
    text, template = render("self_distill", lang, instruction=instruction, answer=answer)
    seed = row_seed(row_id, "self_distill/restate")
    return GenerateRequest(({"role": "user", "content": text},), distiller.sampling(seed), template)


def _grader(
    judge: LLMClient,
    scoring: str,
    instructions: list[str],
    langs: list[str],
    ids: list[str],
) -> Callable[[list[str | None], str], list[float | None]]:
    """Scores of answers to the rows' last user turns (None: not asked, or no score)."""

    def grade(answers: list[str | None], stage: str) -> list[float | None]:
        graded = score_answers(judge, scoring, instructions, answers, langs, ids, stage)
        return [score for score, _ in graded]

    return grade


def _pair_reason(
    chosen: str, rejected: str | None, chosen_score: float | None, rejected_score: float | None
) -> str | None:
    if rejected is None:
        return "no_student_answer"
    if chosen == rejected:
        return "same_answer"
    if chosen_score is None or rejected_score is None:
        return "unscored"
    if rejected_score >= chosen_score:
        return "student_not_worse"
    return None


def _assistant(text: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": text}]


def _sft(rows: pl.DataFrame, prompts: list[list[Message]], chosen: list[str]) -> pl.DataFrame:
    messages = [prompt + _assistant(answer) for prompt, answer in zip(prompts, chosen, strict=True)]
    return rows.select("id").with_columns(
        pl.Series("messages", messages, MESSAGES), *_set_columns(rows)
    )


def _dpo(
    rows: pl.DataFrame,
    prompts: list[list[Message]],
    chosen: list[str],
    rejected: list[str | None],
    keep: list[bool],
) -> pl.DataFrame:
    return (
        rows.select("id")
        .with_columns(
            pl.Series("prompt", prompts, MESSAGES),
            pl.Series("chosen", [_assistant(c) for c in chosen], MESSAGES),
            pl.Series("rejected", [_assistant(r or "") for r in rejected], MESSAGES),
            *_set_columns(rows),
        )
        .filter(pl.Series(keep, dtype=pl.Boolean))
    )


def _set_columns(rows: pl.DataFrame) -> list[pl.Series]:
    return [
        rows[c] if c in rows.columns else pl.Series(c, [None] * rows.height, pl.String)
        for c in SET_COLUMNS
    ]


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 6) if present else None


def _metrics(
    rows: pl.DataFrame,
    outcome: list[str],
    pair_reasons: list[str | None],
    reuse: list[bool],
    teacher_scores: list[float | None],
    restated_scores: list[float | None],
    student_scores: list[float | None],
    used: dict[str, LLMClient],
) -> dict[str, Any]:
    kept = Counter(o for o in outcome if o != ACCEPTED)
    dropped = Counter(r for r in pair_reasons if r is not None)
    accepted = outcome.count(ACCEPTED)
    by_role = {role: used[role].stats.as_dict() for role in ROLES if role in used}
    # a role that falls back on another's client (self_distiller on the student's) counts once
    clients = {id(c): c.stats.as_dict() for c in used.values()}
    calls = {key: sum(s[key] for s in clients.values()) for key in next(iter(clients.values()))}
    return {
        "rows_in": rows.height,
        "restatement": {
            "accepted": accepted,
            "acceptance_rate": round(accepted / rows.height, 6) if rows.height else None,
            "kept_teacher": {reason: int(kept.get(reason, 0)) for reason in RESTATE_REASONS},
        },
        "rewrite_acceptance_rate": _rewrite_rate(rows),
        "rejected_from": {"judge_stage": sum(reuse), "fresh_call": len(reuse) - sum(reuse)},
        "pairs_dropped": {reason: int(dropped.get(reason, 0)) for reason in PAIR_REASONS},
        "score_mean": {
            "teacher": _mean(teacher_scores),
            "restatement": _mean(restated_scores),
            "student": _mean(student_scores),
        },
        "calls": calls,
        "by_role": by_role,
    }


def _rewrite_statuses(rows: pl.DataFrame) -> list[str]:
    if "rewrite_status" not in rows.columns:
        return []
    return [s for statuses in rows["rewrite_status"].to_list() for s in statuses or []]


def _rewrite_rate(rows: pl.DataFrame) -> float | None:
    statuses = _rewrite_statuses(rows)
    if not statuses:
        return None
    return round(statuses.count(rewrite.REWRITTEN) / len(statuses), 6)


def _plots(
    rows: pl.DataFrame,
    sft: pl.DataFrame,
    dpo: pl.DataFrame,
    outcome: list[str],
    count_tokens: Callable[[list[str]], list[int]] | None,
) -> dict[str, list[dict[str, Any]]]:
    """Rows per origin, task type and language in each set (bars, series sft and dpo);
    token lengths of chosen and rejected answers (histogram); and the share of rewrite
    turns and restated rows accepted or kept for each reason (bars)."""
    plots = {
        name: _counts(sft, dpo, column)
        for name, column in (("origins", "origin"), ("tasks", "task_type"), ("languages", "lang"))
    }
    chosen = [c[0]["content"] for c in dpo["chosen"].to_list()]
    rejected = [r[0]["content"] for r in dpo["rejected"].to_list()]
    if count_tokens is not None and dpo.height:
        plots["lengths"] = _length_histogram(count_tokens(chosen), count_tokens(rejected))
    else:
        plots["lengths"] = [{"tokens": 0, "tokens_end": 8, "chosen": 0, "rejected": 0}]
    statuses = Counter(_rewrite_statuses(rows))
    n_turns = sum(statuses.values())
    restated = Counter(outcome)
    plots["acceptance"] = [
        {
            "outcome": name,
            "rewrite": round(statuses.get(key, 0) / n_turns, 6) if n_turns else 0.0,
            "restatement": round(restated.get(name, 0) / len(outcome), 6) if outcome else 0.0,
        }
        for name, key in [(ACCEPTED, rewrite.REWRITTEN), *((r, r) for r in RESTATE_REASONS)]
    ]
    return plots


def _counts(sft: pl.DataFrame, dpo: pl.DataFrame, column: str) -> list[dict[str, Any]]:
    """Rows per value of `column` in each set (a null value counts as "unknown")."""
    sets = {
        name: Counter(f[column].fill_null("unknown").to_list())
        for name, f in (("sft", sft), ("dpo", dpo))
    }
    keys = sorted(set(sets["sft"]) | set(sets["dpo"]))
    return [{column: key, "sft": sets["sft"][key], "dpo": sets["dpo"][key]} for key in keys]


NICE_WIDTHS = (8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096)
MAX_BINS = 24


def _length_histogram(chosen: list[int], rejected: list[int]) -> list[dict[str, Any]]:
    """Token lengths in equal bins from 0 (the narrowest of NICE_WIDTHS that needs at most
    MAX_BINS bins), one count per series; bins up to the longest answer."""
    longest = max([*chosen, *rejected, 1])
    width = next((w for w in NICE_WIDTHS if math.ceil((longest + 1) / w) <= MAX_BINS), 8192)
    bins = math.ceil((longest + 1) / width)
    counts = {
        name: Counter(length // width for length in lengths)
        for name, lengths in (("chosen", chosen), ("rejected", rejected))
    }
    return [
        {
            "tokens": b * width,
            "tokens_end": (b + 1) * width,
            "chosen": counts["chosen"].get(b, 0),
            "rejected": counts["rejected"].get(b, 0),
        }
        for b in range(bins)
    ]
