"""expand: the teacher writes new instructions for the task types short of their quota, in
the style of EasyDistill's data-synthesis prompts, and answers the ones that pass the checks.

**What is missing.** Each task type's target is `sample.n` split by `sample.task_shares`
(largest remainder, as `sample` computes it), and each type's target is split over
`sample.lang_share` the same way. The rows to add are recomputed from the input rows, not
read from `sample`'s metrics, so rows added before this stage (translations) count: a type
needs `target − rows it has`, spread over its languages in proportion to what each lacks
(`expand_quota`). A type over its target is never cut: stages only add rows.

**Slots.** Every missing row is a slot, `<type>/<lang>/<j>` for j = 0, 1, ...; a slot's
calls depend only on its key, its attempt number and its seeds, never on row positions, so
unrelated new rows cost no call. A slot is tried up to `expand.attempts` times (each try
with its own sampling seed and its own draw of seeds) until one try passes every check.

**Seeds.** `expand.k` instructions of the same type and language from the classified rows,
chosen per slot and attempt by rendezvous hashing (the k highest hashes of (slot, attempt,
seed id)), over at most `SEED_POOL` candidates per type and language (those with the highest
hash of their id): a new classified row changes the seeds of only the slots where it ranks
in the top k. A type with no seeds in the language takes seeds of the other languages
(`no_seeds: other_lang`), else writes zero-shot from the type's description in the taxonomy;
each slot's seed mode is counted. The new row's `parent_id` is its first seed's id (null for
zero-shot).

**Checks**, each a counted reject reason of one try, first match wins:

    too_long, failed      the synthesis call did not fit the teacher's context / failed
    cut_off               no complete <instruction>...</instruction> and the reply hit the
                          token limit (finish reason `length`)
    untagged              no <instruction>...</instruction> pair, or more than one
    empty                 the tags hold only whitespace
    wrong_lang            the pool's language id of the instruction is not the slot's
    wrong_type            the classifier role (labelling as it labels classify's seed rows)
                          does not give the slot's type with probability >=
                          `expand.min_type_conf`. Not the fitted classifier: expand writes
                          the types the sample lacks, which are the ones the fitted
                          classifier saw fewest or none of, and it cannot give a type it
                          never saw.
    duplicate             the same text (case and whitespace aside) as an instruction already
                          there (the input and the classified rows) or one added before it
    near_duplicate        the pool's MinHash near-duplicate test against the same texts
    answer_too_long, answer_failed, answer_cut_off, answer_empty
                          the teacher's answer to the instruction
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import polars as pl

from distilpipe.llm.client import CallStats, LLMClient, row_seed
from distilpipe.llm.types import Failure, GenerateRequest, Generation, TooLong
from distilpipe.ops import checks
from distilpipe.ops.classify import instructions
from distilpipe.ops.near_dedup import near_duplicates_of
from distilpipe.ops.sample import largest_remainder
from distilpipe.params import Expand, Pool, Sample
from distilpipe.prompts import render
from distilpipe.schema import ROW_SCHEMA, validate_rows
from distilpipe.sources.rows import message_id
from distilpipe.taxonomy import task_types, type_ids

ORIGIN = "expanded"
SOURCE = "expand"
SEED_POOL = 256  # seed candidates per type and language (the highest hash of their id)
SEED_MODES = ("same_lang", "other_lang", "zero_shot")
INSTRUCTION_REASONS = (
    "too_long",
    "failed",
    "cut_off",
    "untagged",
    "empty",
    "wrong_lang",
    "wrong_type",
    "duplicate",
    "near_duplicate",
)
ANSWER_REASONS = ("answer_too_long", "answer_failed", "answer_cut_off", "answer_empty")
REASONS = INSTRUCTION_REASONS + ANSWER_REASONS
REJECT_SCHEMA = pl.Schema(
    {  # type: ignore[arg-type]
        "slot": pl.String,
        "attempt": pl.Int64,
        "task_type": pl.String,
        "lang": pl.String,
        "seed_mode": pl.String,
        "seed_ids": pl.List(pl.String),
        "reason": pl.String,
        "reply": pl.String,
        "instruction": pl.String,
        "answer": pl.String,
    }
)

_TAG = re.compile(r"<instruction>(.*?)</instruction>", re.S)


class Labeller(Protocol):
    """What the type-back check needs (classify.LLMLabeller): each instruction's task type
    (None: no label) and its probability, and the calls it made."""

    stats: CallStats

    def label(self, texts: list[str], langs: list[str]) -> tuple[list[str | None], list[float]]: ...


@dataclass
class ExpandResult:
    rows: pl.DataFrame  # the input rows unchanged, then the new rows
    rejects: pl.DataFrame  # one row per failed try: REJECT_SCHEMA
    metrics: dict[str, Any]
    plots: dict[str, list[dict[str, Any]]]


@dataclass
class _Slot:
    key: str
    task_type: str
    lang: str
    seed_mode: str = "zero_shot"
    filled: bool = False


@dataclass
class _Try:
    slot: _Slot
    attempt: int
    seed_ids: list[str] = field(default_factory=list)
    reply: str | None = None
    instruction: str | None = None
    answer: str | None = None
    conf: float | None = None
    reason: str | None = None


def parse_instruction(reply: str, finish_reason: str = "stop") -> tuple[str | None, str | None]:
    """(instruction, None) or (None, reason), strictly.

    Parses: exactly one `<instruction>...</instruction>` pair anywhere in the reply (text
    around it is ignored); its content, stripped, is the instruction. Does not parse: no pair,
    an opening tag never closed, two or more pairs (`untagged`; `cut_off` instead when the
    reply ran into the token limit, so the closing tag may simply be missing), tags with only
    whitespace between them (`empty`)."""
    found = _TAG.findall(reply)
    if len(found) != 1:
        return None, "cut_off" if finish_reason == "length" and not found else "untagged"
    text = found[0].strip()
    if not text:
        return None, "empty"
    return text, None


def normalise(text: str) -> str:
    """The form exact duplicates are compared in: NFC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def expand_quota(rows: pl.DataFrame, p: Sample) -> dict[str, dict[str, dict[str, int]]]:
    """Per task type with a target: {"target": rows, "present": rows, "add": {lang: rows}}.

    `rows` needs `task_type` and `lang`. A type's target is `p.n` split by its share; the rows
    to add, `max(0, target − present)`, are split over `p.lang_share`'s languages in
    proportion to what each lacks of its own part of the target (the type's target split by
    `lang_share`), so rows added earlier in a language (translations) count."""
    shares = {t: p.task_shares.get(t, 0.0) for t in type_ids()}
    targets = largest_remainder(p.n, {t: s for t, s in shares.items() if s > 0.0})
    present = Counter(rows["task_type"].to_list())
    by_lang = Counter(zip(rows["task_type"].to_list(), rows["lang"].to_list(), strict=True))
    langs = [lang for lang, share in p.lang_share.items() if share > 0.0]
    added: Counter[str] = Counter()
    out: dict[str, dict[str, Any]] = {}
    for t, target in targets.items():
        need = max(0, target - present[t])
        # ties (a type short of one row, say) go to the language added least so far
        # relative to its share, so many small types do not all land in the first language
        order = sorted(
            langs, key=lambda lang: (added[lang] / p.lang_share[lang], langs.index(lang))
        )
        lang_targets = largest_remainder(target, {lang: p.lang_share[lang] for lang in order})
        lacks = {lang: max(0, lang_targets[lang] - by_lang[(t, lang)]) for lang in order}
        weights = lacks if sum(lacks.values()) else {lang: p.lang_share[lang] for lang in order}
        add = largest_remainder(need, {k: float(v) for k, v in weights.items()})
        added.update(add)
        out[t] = {"target": target, "present": present[t], "add": {k: add[k] for k in langs}}
    return out


def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")


def _mix(a: np.ndarray, b: int) -> np.ndarray:
    """splitmix64 of a ^ b: a well-spread 64-bit score per (candidate, slot) pair."""
    with np.errstate(over="ignore"):
        z = a ^ np.uint64(b)
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


class SeedPicker:
    """Seed instructions per (type, language), and the draw of k of them per slot try."""

    def __init__(self, seeds: pl.DataFrame, max_chars: int):
        frame = seeds.select(
            "id", "task_type", "lang", instructions(seeds).str.slice(0, max_chars).alias("text")
        ).filter(pl.col("text").str.strip_chars() != "")
        self.groups: dict[tuple[str, str], tuple[list[str], list[str], np.ndarray]] = {}
        for (t, lang), group in frame.group_by("task_type", "lang", maintain_order=True):
            ids, texts = group["id"].to_list(), group["text"].to_list()
            hashes = [_hash64(i) for i in ids]
            top = sorted(range(len(ids)), key=lambda i: (-hashes[i], ids[i]))[:SEED_POOL]
            self.groups[(str(t), str(lang))] = (
                [ids[i] for i in top],
                [texts[i] for i in top],
                np.array([hashes[i] for i in top], dtype=np.uint64),
            )

    def mode(self, task_type: str, lang: str, no_seeds: str, k: int) -> str:
        if k == 0:
            return "zero_shot"
        if (task_type, lang) in self.groups:
            return "same_lang"
        if no_seeds == "other_lang" and self._other(task_type, lang):
            return "other_lang"
        return "zero_shot"

    def _other(self, task_type: str, lang: str) -> list[tuple[str, str]]:
        return sorted(g for g in self.groups if g[0] == task_type and g[1] != lang)

    def draw(self, slot: _Slot, attempt: int, k: int) -> tuple[list[str], list[str]]:
        """(seed ids, seed texts) of one try: the k highest scores of (slot, attempt, id)."""
        if slot.seed_mode == "zero_shot":
            return [], []
        keys = (
            [(slot.task_type, slot.lang)]
            if slot.seed_mode == "same_lang"
            else self._other(slot.task_type, slot.lang)
        )
        ids = [i for key in keys for i in self.groups[key][0]]
        texts = [x for key in keys for x in self.groups[key][1]]
        hashes = np.concatenate([self.groups[key][2] for key in keys])
        scores = _mix(hashes, _hash64(f"{slot.key}\x1f{attempt}"))
        best = sorted(range(len(ids)), key=lambda i: (-int(scores[i]), ids[i]))[:k]
        return [ids[i] for i in best], [texts[i] for i in best]


def expand_rows(
    rows: pl.DataFrame,
    seeds: pl.DataFrame,
    labeller: Labeller,
    teacher: LLMClient,
    sample: Sample,
    p: Expand,
    pool: Pool,
) -> ExpandResult:
    """Add teacher-written rows for the task types `rows` lacks.

    `rows`: the row schema plus `task_type` (the sample, or the sample and its translations);
    `seeds`: the classified rows (`task_type`, `lang`) the in-context seeds come from;
    `labeller`: the type-back check (classify.LLMLabeller); `teacher`: the teacher's client.
    Returns the input rows unchanged followed by the new rows (`origin` "expanded")."""
    quota = expand_quota(rows, sample)
    picker = SeedPicker(seeds, p.max_seed_chars)
    slots = [
        _Slot(f"{t}/{lang}/{j}", t, lang)
        for t in type_ids()
        if t in quota
        for lang, n in quota[t]["add"].items()
        for j in range(n)
    ]
    for slot in slots:
        slot.seed_mode = picker.mode(slot.task_type, slot.lang, p.no_seeds, p.k)

    existing = pl.concat([instructions(rows), instructions(seeds)]).to_list()
    seen = {normalise(x) for x in existing}
    kept: list[str] = []  # instructions accepted so far, in order
    tries: list[_Try] = []
    accepted: list[_Try] = []
    calls: dict[str, dict[str, int]] = {}
    for attempt in range(p.attempts):
        todo = [s for s in slots if not s.filled]
        if not todo:
            break
        round_tries = [_Try(s, attempt) for s in todo]
        tries.extend(round_tries)
        before = teacher.stats.as_dict()
        _synthesise(round_tries, picker, teacher, p)
        _add_calls(calls, "synthesis", before, teacher.stats.as_dict())
        _check_language(round_tries, pool.langid)
        before = labeller.stats.as_dict()
        _check_type(round_tries, labeller, p.min_type_conf)
        _add_calls(calls, "type_check", before, labeller.stats.as_dict())
        _check_duplicates(round_tries, existing + kept, seen, pool)
        before = teacher.stats.as_dict()
        _answer(round_tries, teacher)
        _add_calls(calls, "answer", before, teacher.stats.as_dict())
        for t in round_tries:
            if t.reason is None:
                t.slot.filled = True
                accepted.append(t)
                assert t.instruction is not None
                kept.append(t.instruction)
                seen.add(normalise(t.instruction))

    new = _new_rows(accepted)
    new = new.select(c for c in new.columns if c in rows.columns)  # the input's columns only
    out = validate_rows(pl.concat([rows, new], how="diagonal_relaxed"), "expanded rows")
    rejects = pl.DataFrame(
        [
            {
                "slot": t.slot.key,
                "attempt": t.attempt,
                "task_type": t.slot.task_type,
                "lang": t.slot.lang,
                "seed_mode": t.slot.seed_mode,
                "seed_ids": t.seed_ids,
                "reason": t.reason,
                "reply": t.reply,
                "instruction": t.instruction,
                "answer": t.answer,
            }
            for t in tries
            if t.reason is not None
        ],
        schema=REJECT_SCHEMA,
    )
    return ExpandResult(
        rows=out,
        rejects=rejects,
        metrics=_metrics(rows, out, quota, slots, tries, accepted, calls),
        plots=_plots(rows, out, quota, accepted, sample),
    )


def _synthesise(tries: list[_Try], picker: SeedPicker, teacher: LLMClient, p: Expand) -> None:
    types = {t.id: t for t in task_types()}
    requests = []
    for t in tries:
        t.seed_ids, texts = picker.draw(t.slot, t.attempt, p.k)
        kind = types[t.slot.task_type]
        text, digest = render(
            "expand",
            t.slot.lang,
            task_name=kind.name(t.slot.lang),
            task_description=kind.description(t.slot.lang),
            seeds=texts,
        )
        sampling = teacher.sampling(row_seed(t.slot.key, "expand/synthesis", t.attempt))
        if p.temperature is not None:
            sampling = type(sampling)(**{**sampling.as_dict(), "temperature": p.temperature})
        requests.append(GenerateRequest(({"role": "user", "content": text},), sampling, digest))
    for t, out in zip(tries, teacher.generate(requests), strict=True):
        if isinstance(out, Failure):
            t.reason = "too_long" if isinstance(out, TooLong) else "failed"
            continue
        t.reply = out.text
        t.instruction, t.reason = parse_instruction(out.text, out.finish_reason)


def _check_language(tries: list[_Try], detector: str) -> None:
    live = [t for t in tries if t.reason is None]
    found = checks.languages([t.instruction or "" for t in live], detector)
    for t, lang in zip(live, found, strict=True):
        if lang != t.slot.lang:
            t.reason = "wrong_lang"


def _check_type(tries: list[_Try], labeller: Labeller, min_conf: float) -> None:
    live = [t for t in tries if t.reason is None]
    if not live:
        return
    labels, confs = labeller.label([t.instruction or "" for t in live], [t.slot.lang for t in live])
    for t, label, conf in zip(live, labels, confs, strict=True):
        t.conf = round(float(conf), 6)
        if label != t.slot.task_type or conf < min_conf:
            t.reason = "wrong_type"


def _check_duplicates(tries: list[_Try], existing: list[str], seen: set[str], pool: Pool) -> None:
    """Exact, then near duplicates, against `existing` and the tries before each one."""
    live = []
    round_seen: set[str] = set()
    for t in tries:
        if t.reason is not None:
            continue
        key = normalise(t.instruction or "")
        if key in seen or key in round_seen:
            t.reason = "duplicate"
            continue
        round_seen.add(key)
        live.append(t)
    if not live:
        return
    texts = pl.Series(existing + [t.instruction or "" for t in live], dtype=pl.String)
    dup_of = near_duplicates_of(
        texts, len(existing), pool.near_dup_threshold, pool.near_dup_ngram, pool.near_dup_num_perm
    )
    for t, dup in zip(live, dup_of[len(existing) :], strict=True):
        if dup >= 0:
            t.reason = "near_duplicate"


def _answer(tries: list[_Try], teacher: LLMClient) -> None:
    live = [t for t in tries if t.reason is None]
    requests = [
        GenerateRequest(
            ({"role": "user", "content": t.instruction or ""},),
            teacher.sampling(row_seed(t.slot.key, "expand/answer", t.attempt)),
        )
        for t in live
    ]
    for t, out in zip(live, teacher.generate(requests), strict=True):
        problem = checks.reply_problem(out)
        t.reason = None if problem is None else f"answer_{problem}"
        if isinstance(out, Generation):
            t.answer = out.text


def _new_rows(accepted: list[_Try]) -> pl.DataFrame:
    records = []
    for t in accepted:
        messages = [
            {"role": "user", "content": t.instruction or ""},
            {"role": "assistant", "content": (t.answer or "").strip()},
        ]
        meta = {
            "slot": t.slot.key,
            "attempt": t.attempt,
            "seed_mode": t.slot.seed_mode,
            "seed_ids": t.seed_ids,
        }
        records.append(
            {
                "id": message_id(messages),
                "source": SOURCE,
                "source_id": None,
                "messages": messages,
                "lang": t.slot.lang,
                "origin": ORIGIN,
                "parent_id": t.seed_ids[0] if t.seed_ids else None,
                "meta": json.dumps(meta, ensure_ascii=False),
            }
        )
    return pl.DataFrame(records, schema=ROW_SCHEMA).with_columns(
        pl.Series("task_type", [t.slot.task_type for t in accepted], pl.String),
        pl.Series("task_conf", [t.conf for t in accepted], pl.Float64),
        pl.Series("task_label_by", ["classifier"] * len(accepted), pl.String),
    )


def _add_calls(
    calls: dict[str, dict[str, int]], step: str, before: dict[str, int], after: dict[str, int]
) -> None:
    into = calls.setdefault(step, dict.fromkeys(after, 0))
    for key, value in after.items():
        into[key] += value - before[key]


def _lang_shares(frame: pl.DataFrame) -> dict[str, float]:
    counts = Counter(frame["lang"].to_list())
    n = max(frame.height, 1)
    return {lang: round(c / n, 6) for lang, c in sorted(counts.items())}


def _metrics(
    rows: pl.DataFrame,
    out: pl.DataFrame,
    quota: dict[str, dict[str, Any]],
    slots: list[_Slot],
    tries: list[_Try],
    accepted: list[_Try],
    calls: dict[str, dict[str, int]],
) -> dict[str, Any]:
    added: dict[str, dict[str, int]] = {}
    for t in accepted:
        by = added.setdefault(t.slot.task_type, {})
        by[t.slot.lang] = by.get(t.slot.lang, 0) + 1
    wanted = {t: {k: v for k, v in q["add"].items() if v} for t, q in quota.items()}
    shortfall = {
        t: {lang: n - added.get(t, {}).get(lang, 0) for lang, n in by.items()}
        for t, by in wanted.items()
        if by
    }
    shortfall = {t: {k: v for k, v in by.items() if v} for t, by in shortfall.items()}
    after = Counter(out["task_type"].to_list()) if "task_type" in out.columns else Counter()
    reasons = Counter(t.reason for t in tries if t.reason is not None)
    return {
        "rows_in": rows.height,
        "rows_added": len(accepted),
        "rows_out": out.height,
        "rows_wanted": len(slots),
        "wanted": {t: by for t, by in wanted.items() if by},
        "added": added,
        "shortfall": {t: by for t, by in shortfall.items() if by},
        "shortfall_rows": sum(sum(by.values()) for by in shortfall.values()),
        "seed_modes": {m: sum(s.seed_mode == m for s in slots) for m in SEED_MODES},
        "tries": len(tries),
        "rejects": {r: int(reasons.get(r, 0)) for r in REASONS},
        "task_rows": {
            t: {"target": q["target"], "before": q["present"], "after": int(after.get(t, 0))}
            for t, q in quota.items()
        },
        "lang_share": {"before": _lang_shares(rows), "after": _lang_shares(out)},
        "calls": {  # the teacher's and the type-back check's, all steps
            key: sum(step[key] for step in calls.values()) for key in CallStats().as_dict()
        },
        "by_step": calls,
    }


def _plots(
    rows: pl.DataFrame,
    out: pl.DataFrame,
    quota: dict[str, dict[str, Any]],
    accepted: list[_Try],
    sample: Sample,
) -> dict[str, list[dict[str, Any]]]:
    """added: per task type with a target, the rows wanted and the rows added (every such
    type, so the chart is never empty); languages: rows per language before and after."""
    got = Counter(t.slot.task_type for t in accepted)
    added = [
        {"task_type": t, "wanted": sum(q["add"].values()), "added": int(got.get(t, 0))}
        for t, q in quota.items()
    ]
    return {"added": added, "languages": language_rows(rows, out, sample.lang_share)}


def language_rows(
    before: pl.DataFrame, after: pl.DataFrame, lang_share: dict[str, float]
) -> list[dict[str, Any]]:
    """Rows per language before and after a stage (every language of either, and those of
    `lang_share`), for a two-series bar chart."""
    b, a = Counter(before["lang"].to_list()), Counter(after["lang"].to_list())
    langs = sorted(set(b) | set(a) | set(lang_share))
    return [
        {"lang": lang, "before": int(b.get(lang, 0)), "after": int(a.get(lang, 0))}
        for lang in langs
    ]
