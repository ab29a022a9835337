"""multiturn: the teacher continues conversations, "forced to continue from the previous
answer" (DistilQwen2): playing the user, it writes the follow-up to its last answer, then, as
the assistant, answers it, up to `multiturn.max_turns` user turns.

**Which rows.** A row is continued when `row_seed(id, "multiturn/choose", seed) / 2^31 <
fraction`: a function of its own id only, so adding rows never changes which old rows are
chosen, and about `fraction` of the rows are. A chosen row that already has `max_turns` user
turns is left as it is (counted).

**Calls.** Each follow-up is asked with the `multiturn_user` template (the conversation so
far, in the row's language) and the seed `row_seed(id, "multiturn/user/<turn>")`; its answer
with the whole conversation as chat messages and `row_seed(id, "multiturn/answer/<turn>")`.
Both depend only on the row, so a re-run after appending rows makes calls only for new rows.

**Checks.** A failed check ends the row's continuation; the turns accepted before it stay,
and a row with none accepted gives no new row. Reasons, first match wins, counted:

    followup_too_long, followup_failed, followup_cut_off, followup_empty
                          the user turn's call (see `checks.reply_problem`)
    followup_wrong_lang   the pool's language id of the follow-up is not the row's `lang`
                          (a row whose language is `und` accepts any)
    followup_repeats      the same text as an earlier user turn (case and whitespace aside), or
                          a near-duplicate of one (the pool's shingles and threshold)
    answer_too_long, answer_failed, answer_cut_off, answer_empty
                          the assistant turn's call

**New rows.** `origin` "multiturn", `parent_id` the continued row's id, `id` the content hash
of the new messages; the other columns are the parent's (they describe its first turn, which
the new row shares). The continued row itself stays.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from distilpipe.llm.client import LLMClient, row_seed
from distilpipe.llm.types import GenerateRequest, Generation, Message
from distilpipe.ops import checks
from distilpipe.ops.expand import language_rows, normalise
from distilpipe.params import Multiturn, Pool
from distilpipe.prompts import render
from distilpipe.schema import UNDETERMINED_LANG, validate_rows
from distilpipe.sources.rows import message_id

ORIGIN = "multiturn"
FOLLOWUP_REASONS = (
    "followup_too_long",
    "followup_failed",
    "followup_cut_off",
    "followup_empty",
    "followup_wrong_lang",
    "followup_repeats",
)
ANSWER_REASONS = ("answer_too_long", "answer_failed", "answer_cut_off", "answer_empty")
REASONS = FOLLOWUP_REASONS + ANSWER_REASONS


@dataclass
class MultiturnResult:
    rows: pl.DataFrame  # the input rows unchanged, then the continued conversations
    metrics: dict[str, Any]
    plots: dict[str, list[dict[str, Any]]]


@dataclass
class _Conversation:
    index: int  # row in the input
    id: str
    lang: str
    messages: list[Message]
    added: int = 0  # user turns added
    reason: str | None = None  # why the continuation ended early
    followup: str | None = field(default=None, repr=False)


def chosen(ids: pl.Series, fraction: float, seed: int = 0) -> pl.Series:
    """Whether each row is continued: a hash of its own id below `fraction`."""
    return pl.Series(
        "chosen",
        [row_seed(i, "multiturn/choose", seed) / 2**31 < fraction for i in ids.to_list()],
        dtype=pl.Boolean,
    )


def user_turns(messages: list[Message]) -> int:
    return sum(m["role"] == "user" for m in messages)


def repeats(followup: str, earlier: list[str], threshold: float, ngram: int) -> bool:
    """Whether a follow-up repeats an earlier user turn: the same text (case and whitespace
    aside), or a near-duplicate by the pool's shingles at `threshold`."""
    key = normalise(followup)
    return any(
        key == normalise(e) or checks.near_duplicate(followup, e, threshold, ngram) for e in earlier
    )


def continue_rows(
    rows: pl.DataFrame, teacher: LLMClient, p: Multiturn, pool: Pool
) -> MultiturnResult:
    """Continue `p.fraction` of `rows` (the row schema) with teacher-written turns."""
    picked = chosen(rows["id"], p.fraction, p.seed)
    conversations = [
        _Conversation(i, row["id"], row["lang"], [dict(m) for m in row["messages"]])
        for i, row in enumerate(rows.select("id", "lang", "messages").iter_rows(named=True))
        if picked[i]
    ]
    at_max = [c for c in conversations if user_turns(c.messages) >= p.max_turns]
    active = [c for c in conversations if user_turns(c.messages) < p.max_turns]
    calls: dict[str, dict[str, int]] = {}
    while active:
        before = teacher.stats.as_dict()
        _followups(active, teacher, pool)
        _add_calls(calls, "user", before, teacher.stats.as_dict())
        asking = [c for c in active if c.reason is None]
        before = teacher.stats.as_dict()
        _answers(asking, teacher)
        _add_calls(calls, "assistant", before, teacher.stats.as_dict())
        active = [c for c in asking if c.reason is None and user_turns(c.messages) < p.max_turns]

    continued = [c for c in conversations if c.added]
    parents = rows.gather([c.index for c in continued])
    new_messages = [c.messages for c in continued]
    new = parents.with_columns(
        pl.Series("id", [message_id(m) for m in new_messages], dtype=pl.String),
        pl.Series("messages", new_messages, dtype=rows.schema["messages"]),
        pl.lit(ORIGIN).alias("origin"),
        parents["id"].alias("parent_id"),
    )
    out = validate_rows(pl.concat([rows, new]), "multi-turn rows")
    return MultiturnResult(
        rows=out,
        metrics=_metrics(rows, out, new, conversations, at_max, calls, teacher),
        plots=_plots(rows, out, new, picked),
    )


def _followups(active: list[_Conversation], teacher: LLMClient, pool: Pool) -> None:
    requests = []
    for c in active:
        turn = user_turns(c.messages)
        text, digest = render("multiturn_user", c.lang, turns=c.messages)
        sampling = teacher.sampling(row_seed(c.id, f"multiturn/user/{turn}"))
        requests.append(GenerateRequest(({"role": "user", "content": text},), sampling, digest))
    outs = teacher.generate(requests)
    for c, out in zip(active, outs, strict=True):
        problem = checks.reply_problem(out)
        c.reason = None if problem is None else f"followup_{problem}"
        c.followup = out.text.strip() if isinstance(out, Generation) else None
    live = [c for c in active if c.reason is None]
    found = checks.languages([c.followup or "" for c in live], pool.langid)
    for c, lang in zip(live, found, strict=True):
        earlier = [m["content"] for m in c.messages if m["role"] == "user"]
        if c.lang != UNDETERMINED_LANG and lang != c.lang:
            c.reason = "followup_wrong_lang"
        elif repeats(c.followup or "", earlier, pool.near_dup_threshold, pool.near_dup_ngram):
            c.reason = "followup_repeats"


def _answers(asking: list[_Conversation], teacher: LLMClient) -> None:
    requests = []
    for c in asking:
        turn = user_turns(c.messages) + 1
        messages = (*c.messages, {"role": "user", "content": c.followup or ""})
        requests.append(
            GenerateRequest(messages, teacher.sampling(row_seed(c.id, f"multiturn/answer/{turn}")))
        )
    for c, out in zip(asking, teacher.generate(requests), strict=True):
        problem = checks.reply_problem(out)
        if problem is not None:
            c.reason = f"answer_{problem}"
            continue
        assert isinstance(out, Generation)
        c.messages += [
            {"role": "user", "content": c.followup or ""},
            {"role": "assistant", "content": out.text.strip()},
        ]
        c.added += 1


def _add_calls(
    calls: dict[str, dict[str, int]], step: str, before: dict[str, int], after: dict[str, int]
) -> None:
    into = calls.setdefault(step, dict.fromkeys(after, 0))
    for key, value in after.items():
        into[key] += value - before[key]


def _by_type_and_lang(frame: pl.DataFrame) -> dict[str, dict[str, int]]:
    if "task_type" not in frame.columns:
        return {}
    out: dict[str, dict[str, int]] = {}
    for t, lang in zip(frame["task_type"].to_list(), frame["lang"].to_list(), strict=True):
        by = out.setdefault(str(t), {})
        by[lang] = by.get(lang, 0) + 1
    return {t: dict(sorted(by.items())) for t, by in sorted(out.items())}


def _metrics(
    rows: pl.DataFrame,
    out: pl.DataFrame,
    new: pl.DataFrame,
    conversations: list[_Conversation],
    at_max: list[_Conversation],
    calls: dict[str, dict[str, int]],
    teacher: LLMClient,
) -> dict[str, Any]:
    reasons = Counter(c.reason for c in conversations if c.reason is not None)
    turns = Counter(user_turns(m) for m in new["messages"].to_list())
    n_in, n_out = max(rows.height, 1), max(out.height, 1)
    return {
        "rows_in": rows.height,
        "rows_chosen": len(conversations),
        "rows_at_max_turns": len(at_max),
        "rows_added": new.height,
        "rows_out": out.height,
        "turns_added": sum(c.added for c in conversations),
        "user_turns": {str(k): v for k, v in sorted(turns.items())},
        "ended_by": {r: int(reasons.get(r, 0)) for r in REASONS},
        "added": _by_type_and_lang(new),
        "lang_share": {
            "before": {k: round(v / n_in, 6) for k, v in sorted(Counter(rows["lang"]).items())},
            "after": {k: round(v / n_out, 6) for k, v in sorted(Counter(out["lang"]).items())},
        },
        "calls": teacher.stats.as_dict(),
        "by_step": calls,
    }


def _plots(
    rows: pl.DataFrame, out: pl.DataFrame, new: pl.DataFrame, picked: pl.Series
) -> dict[str, list[dict[str, Any]]]:
    """added: per task type of the input (so the chart is empty only when the input is),
    the rows chosen and the multi-turn rows added; languages: rows per language before and
    after."""
    points: list[dict[str, Any]] = []
    if "task_type" in rows.columns:
        chosen_types = Counter(rows.filter(picked)["task_type"].to_list())
        added = Counter(new["task_type"].to_list())
        points = [
            {"task_type": t, "chosen": int(chosen_types[t]), "added": int(added.get(t, 0))}
            for t in sorted(set(rows["task_type"].drop_nulls().to_list()))
        ]
    return {"added": points, "languages": language_rows(rows, out, {})}
