"""rewrite: the teacher rewrites every assistant turn for format, style and length, with a
prompt per task family (DistilQwen2's teacher "optimisation for format, style and length").

The family of a row comes from its task type through `FAMILIES`, the one table from the 33
types (src/distilpipe/taxonomy/task_types.yaml) onto four prompts:

    math       worked steps, then a clearly marked final answer
    code       runnable code in fenced blocks, then a short explanation
    writing    the requested form, no meta-commentary
    knowledge  the direct answer first, then its support

Each turn is rewritten on its own: the prompt holds the conversation before the turn as it
was (the original turns, not other rewrites), the user message it answers and the original
answer, in the row's language (Chinese prompts for Chinese rows). So every turn of every row
is one independent, cached call with a per-row, per-turn seed: a re-run over more rows pays
only for the new ones.

A rewrite replaces its turn only when it passes `preservation_failure`; otherwise the
original turn stays and the reason is counted (first match wins):

    too_long              the prompt and its new tokens do not fit the teacher's context
    failed                the call failed in the LLM layer (after its retries)
    empty                 the rewrite is empty or whitespace
    cut_off               the model stopped at its token limit (finish_reason "length")
    wrong_language        the rewrite's language (the pool's detector) is neither the
                          original answer's (or, when that is undetermined, the row's) nor
                          undetermined
    length_ratio_low      len(rewrite) / len(original) < min_length_ratio (characters)
    length_ratio_high     len(rewrite) / len(original) > max_length_ratio
    code_block_lost       a fenced code block of the original is missing or changed
    final_answer_changed  the original states a final answer (checks.final_answer) and the
                          rewrite states another one, or none

The self_distill stage applies the same checks to its restatements.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from distilpipe.llm.client import LLMClient, row_seed
from distilpipe.llm.types import Failure, GenerateRequest, Generation, Message, TooLong
from distilpipe.ops import checks
from distilpipe.params import Rewrite
from distilpipe.prompts import render
from distilpipe.schema import MESSAGES, UNDETERMINED_LANG
from distilpipe.taxonomy import type_ids

# The one table: task family -> the task types whose answers it rewrites.
FAMILIES: dict[str, tuple[str, ...]] = {
    "math": ("math", "reasoning", "physics", "chemistry", "data_analysis"),
    "code": ("code_generation", "code_debug"),
    "writing": (
        "writing",
        "roleplay",
        "paraphrase",
        "complex_format",
        "multilingual",
        "grammar",
    ),
    "knowledge": (
        "others",
        "computer_science",
        "common_sense",
        "counterfactual",
        "biology",
        "technology",
        "ethics",
        "sport",
        "law",
        "medicine",
        "literature",
        "entertainment",
        "art",
        "music",
        "toxicity",
        "economy",
        "history",
        "philosophy",
        "health",
        "ecology",
    ),
}
FAMILY_OF = {task: family for family, tasks in FAMILIES.items() for task in tasks}
DEFAULT_FAMILY = "knowledge"  # a row with no task type (or one this table does not know)
REASONS = (
    "too_long",
    "failed",
    "empty",
    "cut_off",
    "wrong_language",
    "length_ratio_low",
    "length_ratio_high",
    "code_block_lost",
    "final_answer_changed",
)
REWRITTEN = "rewritten"
REWRITE_COLUMNS = {"original_messages": MESSAGES, "rewrite_status": pl.List(pl.String)}


def family_of(task_type: str | None) -> str:
    """The rewrite family of a task type id; `DEFAULT_FAMILY` for None or an unknown id."""
    return FAMILY_OF.get(task_type or "", DEFAULT_FAMILY)


def check_families() -> None:
    """Raise ValueError unless FAMILIES covers each of the 33 task types exactly once."""
    listed = [t for tasks in FAMILIES.values() for t in tasks]
    doubled = sorted(t for t, n in Counter(listed).items() if n > 1)
    missing = sorted(set(type_ids()) - set(listed))
    unknown = sorted(set(listed) - set(type_ids()))
    if doubled or missing or unknown:
        raise ValueError(f"rewrite FAMILIES: twice {doubled}, missing {missing}, unknown {unknown}")


def preservation_failure(
    original: str,
    new: str,
    finish_reason: str,
    new_lang: str,
    want_lang: str,
    p: Rewrite,
) -> str | None:
    """Why `new` may not replace `original`, or None when it may (see the module docstring
    for the reasons, in the order they are tried). `new_lang` is the detected language of
    `new`; `want_lang` the language it must have ('und': any)."""
    if not new.strip():
        return "empty"
    if finish_reason == "length":
        return "cut_off"
    if UNDETERMINED_LANG not in (new_lang, want_lang) and new_lang != want_lang:
        return "wrong_language"
    ratio = checks.length_ratio(new, original)
    if ratio < p.min_length_ratio:
        return "length_ratio_low"
    if ratio > p.max_length_ratio:
        return "length_ratio_high"
    if checks.lost(checks.code_blocks(original), checks.code_blocks(new)):
        return "code_block_lost"
    answer = checks.final_answer(original)
    if answer is not None and checks.final_answer(new) != answer:
        return "final_answer_changed"
    return None


def wanted_languages(
    originals: Sequence[str], row_langs: Sequence[str], detector: str
) -> list[str]:
    """The language each replacement must be in: the original's, or where that is
    undetermined (code, numbers, too little prose) the row's."""
    detected = checks.languages(originals, detector)
    return [
        row if lang == UNDETERMINED_LANG else lang
        for lang, row in zip(detected, row_langs, strict=True)
    ]


def replacement_failures(
    originals: Sequence[str],
    results: Sequence[Generation | Failure],
    want_langs: Sequence[str],
    p: Rewrite,
    detector: str,
) -> list[str | None]:
    """`preservation_failure` of each model result against its original, with a failed call
    counted as too_long or failed. Languages are detected in one batch."""
    texts = [r.text.strip() for r in results if isinstance(r, Generation)]
    langs = iter(checks.languages(texts, detector))
    out: list[str | None] = []
    for original, result, want in zip(originals, results, want_langs, strict=True):
        if isinstance(result, Failure):
            out.append("too_long" if isinstance(result, TooLong) else "failed")
            continue
        new = result.text.strip()
        out.append(preservation_failure(original, new, result.finish_reason, next(langs), want, p))
    return out


@dataclass
class RewriteResult:
    rows: pl.DataFrame  # the input's columns (messages rewritten), then REWRITE_COLUMNS
    metrics: dict[str, Any]


@dataclass(frozen=True)
class _Turn:
    row: int
    index: int  # position of the assistant turn in the conversation
    family: str


def rewrite_rows(
    rows: pl.DataFrame,
    client: Callable[[str], LLMClient],
    p: Rewrite,
    detector: str = "fasttext",
) -> RewriteResult:
    """Rewrite every assistant turn of `rows` (the row schema plus `task_type`; judge
    columns, if any, pass through untouched, null or not) with `client("teacher")`.

    Returns the rows with `messages` rewritten turn by turn where a rewrite passed its
    checks, `original_messages` (the input's `messages`) and `rewrite_status` (per assistant
    turn, in order: "rewritten" or the reason the original stayed), and the metrics.
    `detector` is the pool's language detector (params `pool.langid`).
    """
    check_families()
    conversations = rows["messages"].to_list()
    ids, langs = rows["id"].to_list(), rows["lang"].to_list()
    tasks = rows["task_type"].to_list() if "task_type" in rows.columns else [None] * rows.height
    turns = [
        _Turn(r, j, family_of(tasks[r]))
        for r, conversation in enumerate(conversations)
        for j, message in enumerate(conversation)
        if message["role"] == "assistant"
    ]
    teacher = client("teacher")
    requests = [_request(teacher, conversations[t.row], t, ids[t.row], langs[t.row]) for t in turns]
    results = teacher.generate(requests)
    originals = [conversations[t.row][t.index]["content"] for t in turns]
    want = wanted_languages(originals, [langs[t.row] for t in turns], detector)
    reasons = replacement_failures(originals, results, want, p, detector)

    rewritten = [[dict(m) for m in conversation] for conversation in conversations]
    status: list[list[str]] = [[] for _ in conversations]
    for turn, result, reason in zip(turns, results, reasons, strict=True):
        status[turn.row].append(reason or REWRITTEN)
        if reason is None and isinstance(result, Generation):
            rewritten[turn.row][turn.index]["content"] = result.text.strip()
    out = rows.with_columns(
        pl.Series("messages", rewritten, MESSAGES),
        pl.Series("original_messages", conversations, MESSAGES),
        pl.Series("rewrite_status", status, pl.List(pl.String)),
    )
    return RewriteResult(out, _metrics(out, turns, reasons, teacher))


def _request(
    teacher: LLMClient, conversation: list[Message], turn: _Turn, row_id: str, lang: str
) -> GenerateRequest:
    before = conversation[: turn.index]
    user = next((k for k in range(len(before) - 1, -1, -1) if before[k]["role"] == "user"), None)
    instruction = before[user]["content"] if user is not None else ""
    context = [
        {"role": m["role"], "content": m["content"]}
        for m in (before[:user] if user is not None else before)
    ]
    text, template = render(
        f"rewrite_{turn.family}",
        lang,
        instruction=instruction,
        answer=conversation[turn.index]["content"],
        context=context,
    )
    seed = row_seed(row_id, f"rewrite/turn/{turn.index}")
    return GenerateRequest(({"role": "user", "content": text},), teacher.sampling(seed), template)


def _metrics(
    out: pl.DataFrame, turns: list[_Turn], reasons: list[str | None], teacher: LLMClient
) -> dict[str, Any]:
    kept = Counter(r for r in reasons if r is not None)
    by_family: dict[str, dict[str, int]] = {
        family: {"turns": 0, "rewritten": 0} for family in FAMILIES
    }
    for turn, reason in zip(turns, reasons, strict=True):
        by_family[turn.family]["turns"] += 1
        by_family[turn.family]["rewritten"] += reason is None
    n_rewritten = sum(r is None for r in reasons)
    changed = out["rewrite_status"].list.eval(pl.element() == REWRITTEN).list.any()
    return {
        "rows": out.height,
        "rows_changed": int(changed.sum()),
        "turns": len(turns),
        "turns_rewritten": n_rewritten,
        "acceptance_rate": round(n_rewritten / len(turns), 6) if turns else None,
        "kept_original": {reason: int(kept.get(reason, 0)) for reason in REASONS},
        "by_family": by_family,
        "calls": teacher.stats.as_dict(),
    }
