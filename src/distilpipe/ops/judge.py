"""judge: Model-Fit-Difficulty. The student and the teacher answer each instruction (its
first user turn, after any system turn), the judge grades each answer alone, and
MFD = (teacher_score − student_score) / 9. Rows the student finds hard enough are kept.

Every call goes through the LLM layer, so re-running with another keep rule, or over a pool
with a few new rows, costs only the calls never made before. Drop reasons, first match wins:

    too_long         the first-turn prompt (plus the source answer, when the teacher's answer
                     is taken from the source) is longer than `max_chars`, so no call is
                     made; or a call's prompt and its new tokens do not fit its model's
                     context (counted with that role's own tokenizer), so that call (and
                     the judgement of the answer it would have given) is not made
    failed           an answer or a judgement failed in the LLM layer (after its retries)
    no_digit         logprob scoring: no digit 0-9 among the judge's most likely next tokens
                     (an API returns at most the top 20), so there is no score to read
    unparsed         generate scoring: the judge's reply did not end in `Score: N`
    below_min_mfd    mfd < min_mfd
    not_hardest_fraction   outside the hardest `keep_fraction` of the judged rows
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from distilpipe.llm.client import LLMClient, row_seed
from distilpipe.llm.types import ChoiceRequest, Failure, GenerateRequest, Message, TooLong
from distilpipe.ops.answer_key import judge_separation
from distilpipe.ops.mfd import DIGITS, SCORE_MAX, expected_score, keep_mask, parse_score
from distilpipe.params import Judge
from distilpipe.prompts import render

ROLES = ("teacher", "student")
REASONS = (
    "too_long",
    "failed",
    "no_digit",
    "unparsed",
    "below_min_mfd",
    "not_hardest_fraction",
)
JUDGE_COLUMNS = {
    "teacher_response": pl.String,
    "student_response": pl.String,
    "teacher_score": pl.Float64,
    "student_score": pl.Float64,
    "mfd": pl.Float64,
    "judge_model": pl.String,
}
REJECT_COLUMNS = ("id", "source", "reason", "lang", *JUDGE_COLUMNS)


@dataclass
class JudgeResult:
    rows: pl.DataFrame  # kept rows: the input's columns, then JUDGE_COLUMNS
    rejects: pl.DataFrame  # dropped rows: REJECT_COLUMNS
    metrics: dict[str, Any]
    plots: dict[str, list[dict[str, Any]]]


@dataclass
class _Graded:
    answer: str | None
    score: float | None
    reason: str | None  # too_long | failed | no_digit | unparsed, or None when scored


def _reason(result: Failure) -> str:
    return "too_long" if isinstance(result, TooLong) else "failed"


def first_turn(messages: Sequence[dict[str, str]]) -> tuple[Message, ...]:
    """The conversation up to and including its first user turn (a system turn kept)."""
    out: list[Message] = []
    for message in messages:
        out.append({"role": message["role"], "content": message["content"]})
        if message["role"] == "user":
            break
    return tuple(out)


def judge_rows(
    rows: pl.DataFrame,
    client: Callable[[str], LLMClient],
    p: Judge,
    key: Mapping[str, Sequence[str]] | None = None,
) -> JudgeResult:
    """Answer, grade and filter `rows` (the row schema, `lang` set by pool).

    `client(role)` gives the LLM client of a role: "student", "teacher" (only asked for when
    `p.teacher_answer` has it write the answers of some row's source) and "judge". The roles
    run one after another: the student, then the teacher, then the judge, so a judge on the
    teacher's model follows it without a reload. With an answer `key` (instruction ->
    accepted final answers, distilpipe.ops.answer_key), the metrics say how well the scores
    separate right answers from wrong ones where the key knows the instruction.
    """
    conversations = rows["messages"].to_list()
    prompts = [first_turn(m) for m in conversations]
    source_answers = [_first_answer(m) for m in conversations]
    ids, langs = rows["id"].to_list(), rows["lang"].to_list()
    from_source = [p.teacher_answer_of(s) == "source" for s in rows["source"].to_list()]
    chars = [
        sum(len(m["content"]) for m in prompt) + (len(answer or "") if own else 0)
        for prompt, answer, own in zip(prompts, source_answers, from_source, strict=True)
    ]
    live = [i for i, n in enumerate(chars) if p.max_chars is None or n <= p.max_chars]
    written = [i for i in live if not from_source[i]]  # the teacher writes these answers

    roles = ("student", "teacher", "judge") if written else ("student", "judge")
    clients = {r: client(r) for r in roles}
    answers = {"student": _answers(clients["student"], prompts, ids, live, "judge/student")}
    answers["teacher"] = {i: _Graded(source_answers[i], None, None) for i in live if from_source[i]}
    if written:
        answers["teacher"] |= _answers(clients["teacher"], prompts, ids, written, "judge/teacher")
    answers["teacher"] = dict(sorted(answers["teacher"].items()))  # graded in row order
    judge = clients["judge"]
    graded = {
        role: _grade(judge, p.scoring, prompts, answers[role], langs, ids, role) for role in ROLES
    }

    n = rows.height
    columns: dict[str, list[Any]] = {name: [None] * n for name in JUDGE_COLUMNS}
    reasons: list[str | None] = ["too_long"] * n
    for i in live:
        for role in ROLES:
            g = graded[role][i]
            columns[f"{role}_response"][i] = g.answer
            columns[f"{role}_score"][i] = g.score
        t, s = graded["teacher"][i], graded["student"][i]
        reasons[i] = next((r for r in REASONS if r in (t.reason, s.reason)), None)
        if t.score is not None and s.score is not None:
            columns["mfd"][i] = (t.score - s.score) / SCORE_MAX
    columns["judge_model"] = [judge.backend.identity] * n
    judged = rows.with_columns(
        pl.Series(name, columns[name], dtype) for name, dtype in JUDGE_COLUMNS.items()
    )
    keep = keep_mask(judged["mfd"], p.min_mfd, p.keep_fraction)
    rule = "below_min_mfd" if p.keep_fraction is None else "not_hardest_fraction"
    judged = judged.with_columns(pl.Series("reason", reasons, pl.String).fill_null(rule))
    kept = judged.filter(keep).drop("reason")
    rejects = judged.filter(~keep).select(REJECT_COLUMNS)
    metrics = _metrics(judged, kept, rejects, graded, clients)
    if key is not None:
        instructions = [prompt[-1]["content"] for prompt in prompts]
        found = judge_separation(
            instructions,
            {role: columns[f"{role}_response"] for role in ROLES},
            {role: columns[f"{role}_score"] for role in ROLES},
            key,
        )
        metrics["answer_key"] = found
        metrics["judge_roc_auc"] = found["roc_auc"]
    return JudgeResult(rows=kept, rejects=rejects, metrics=metrics, plots=_plots(judged))


def _first_answer(messages: Sequence[dict[str, str]]) -> str | None:
    return next((m["content"] for m in messages if m["role"] == "assistant"), None)


def _answers(
    client: LLMClient,
    prompts: list[tuple[Message, ...]],
    ids: list[str],
    live: list[int],
    stage: str,
) -> dict[int, _Graded]:
    """Each live row's generated answer, or why it has none (too_long, failed)."""
    requests = [GenerateRequest(prompts[i], client.sampling(row_seed(ids[i], stage))) for i in live]
    outs = client.generate(requests)
    graded = {}
    for i, out in zip(live, outs, strict=True):
        if isinstance(out, Failure):
            graded[i] = _Graded(None, None, _reason(out))
        else:
            graded[i] = _Graded(out.text, None, None)
    return graded


def _grade(
    judge: LLMClient,
    scoring: str,
    prompts: list[tuple[Message, ...]],
    answers: dict[int, _Graded],
    langs: list[str],
    ids: list[str],
    role: str,
) -> dict[int, _Graded]:
    """The judge's score of each answer; a row without an answer is not sent to the judge."""
    graded = dict(answers)
    todo = [i for i, a in answers.items() if a.answer is not None]
    scores = score_answers(
        judge,
        scoring,
        [prompts[i][-1]["content"] for i in todo],
        [answers[i].answer for i in todo],
        [langs[i] for i in todo],
        [ids[i] for i in todo],
        f"judge/score/{role}",
    )
    for i, (score, reason) in zip(todo, scores, strict=True):
        graded[i] = _Graded(answers[i].answer, score, reason)
    return graded


def score_answers(
    judge: LLMClient,
    scoring: str,
    instructions: Sequence[str],
    answers: Sequence[str | None],
    langs: Sequence[str],
    ids: Sequence[str],
    stage: str,
) -> list[tuple[float | None, str | None]]:
    """The judge's grade of each answer to its instruction, alone, as the judge stage grades:
    `(score, None)` with a score in 0..9, or `(None, reason)`, reason one of too_long, failed,
    no_digit (logprob scoring) or unparsed (generate scoring). An answer that is None is not
    sent and gets `(None, None)`. `scoring` is "logprob" or "generate"; `stage` names the
    per-row seed of generate scoring (the judge stage uses "judge/score/<role>"), so another
    stage grading the same answer to the same instruction gets its own seeds."""
    out: list[tuple[float | None, str | None]] = [(None, None)] * len(answers)
    todo = [i for i, a in enumerate(answers) if a is not None]
    rendered = [
        render(f"judge_{scoring}", langs[i], instruction=instructions[i], answer=answers[i])
        for i in todo
    ]
    if scoring == "logprob":
        probs = judge.choice_logprobs(
            [ChoiceRequest(({"role": "user", "content": t},), DIGITS, h) for t, h in rendered]
        )
        for i, result in zip(todo, probs, strict=True):
            if isinstance(result, Failure):
                out[i] = (None, _reason(result))
                continue
            try:
                out[i] = (expected_score(result.probs), None)
            except ValueError:  # no probability on any digit: nothing to read
                out[i] = (None, "no_digit")
        return out
    outs = judge.generate(
        [
            GenerateRequest(
                ({"role": "user", "content": t},), judge.sampling(row_seed(ids[i], stage)), h
            )
            for i, (t, h) in zip(todo, rendered, strict=True)
        ]
    )
    for i, gen in zip(todo, outs, strict=True):
        if isinstance(gen, Failure):
            out[i] = (None, _reason(gen))
            continue
        score = parse_score(gen.text)
        out[i] = (None, "unparsed") if score is None else (float(score), None)
    return out


def _metrics(
    judged: pl.DataFrame,
    kept: pl.DataFrame,
    rejects: pl.DataFrame,
    graded: dict[str, dict[int, _Graded]],
    clients: dict[str, LLMClient],
) -> dict[str, Any]:
    both = judged.drop_nulls("mfd")
    by_role = {role: c.stats.as_dict() for role, c in clients.items()}
    calls = {
        key: sum(stats[key] for stats in by_role.values()) for key in next(iter(by_role.values()))
    }
    counts = rejects.group_by("reason").len()
    dropped = dict(zip(counts["reason"].to_list(), counts["len"].to_list(), strict=True))
    return {
        "rows_in": judged.height,
        "rows_judged": both.height,
        "rows_kept": kept.height,
        "dropped": {reason: int(dropped.get(reason, 0)) for reason in REASONS},
        "teacher_score_mean": _mean(judged["teacher_score"]),
        "student_score_mean": _mean(judged["student_score"]),
        "mfd_mean": _mean(judged["mfd"]),
        "kept_mfd_mean": _mean(kept["mfd"]),
        "student_beats_teacher": (
            round(float((both["mfd"] < 0).mean()), 6) if both.height else None  # type: ignore[arg-type]
        ),
        "unparsed": {
            role: sum(g.reason == "unparsed" for g in graded[role].values()) for role in ROLES
        },
        "calls": calls,
        "by_role": by_role,
    }


def _mean(values: pl.Series) -> float | None:
    mean = values.drop_nulls().mean()
    return None if mean is None else round(float(mean), 6)  # type: ignore[arg-type]


def _plots(judged: pl.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Histograms: scores in unit bins 0..9 (9 in the last), one count per role; MFD in 20
    bins over [-1, 1], each row `{mfd: start, mfd_end: end, rows}` (the `histogram` plot
    template draws a bar from start to end)."""
    score_edges = np.arange(SCORE_MAX + 2)
    counts = {
        role: np.histogram(judged[f"{role}_score"].drop_nulls().to_numpy(), score_edges)[0]
        for role in ROLES
    }
    scores = [
        {"score": int(lo), **{role: int(counts[role][k]) for role in ROLES}}
        for k, lo in enumerate(score_edges[:-1])
    ]
    mfd_edges = np.linspace(-1.0, 1.0, 21)
    mfd_counts = np.histogram(judged["mfd"].drop_nulls().to_numpy(), mfd_edges)[0]
    mfd = [
        {"mfd": round(float(lo), 1), "mfd_end": round(float(hi), 1), "rows": int(c)}
        for lo, hi, c in zip(mfd_edges[:-1], mfd_edges[1:], mfd_counts, strict=True)
    ]
    return {"scores": scores, "mfd": mfd}
