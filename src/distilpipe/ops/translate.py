"""translate: the teacher brings a language up to its share, task type by task type.

`sample` writes what each language lacks per task type (`data/translate_quota.json`:
`[{task_type, lang, rows}]`). For each entry, the candidates are the sampled rows of that
type in the other languages of `lang_share`, highest MFD first (no MFD last), ties by id.
The teacher translates a candidate's whole conversation, **one call per turn** (system,
every user and every assistant turn): each turn is checked on its own, a long answer does
not have to share one reply with the rest of the conversation, and identical requests are
made once. The translated conversation has the source's turns, role for role, by
construction; `checks.same_turns` still guards the assembled row.

A translation is rejected, with the first of these reasons (in this order) that any of its
turns has, counted per attempt:

    too_long     a turn's prompt and its new tokens do not fit the teacher's context
    failed       a call failed in the LLM layer (after its retries)
    empty        a turn's translation is empty
    truncated    a turn's translation was cut off (finish reason `length`)
    turns        the translated conversation has other turns than the source
    code_block   a fenced code block of the source is missing or changed
    latex        a LaTeX span of the source is missing or changed
    url          a URL of the source is missing or changed
    language     a turn is not in the target language (the pool's language id); a turn whose
                 source is `und` or too short on prose for a sure answer (`checks.short_prose`)
                 may come back `und`
    length       a turn is over `max_length_ratio` times longer or shorter than its source,
                 in `checks.text_units` (a CJK character 1, another word 1.5; both sides at
                 least SHORT_UNITS): an answer instead of a translation, or a fragment
    duplicate    the translation's id is already a row (an input row or another translation)

A rejected row is tried again `retries` times, each with another seed (and
`retry_temperature`, since a greedy retry would repeat itself; a row too long for the
teacher's context is not retried: no seed makes it fit), then the next candidate is
tried, until the quota is met or the candidates (or `max_candidates` per quota row) run out;
what is still missing is the shortfall. The work runs in rounds, every quota entry at once,
so calls are batched; a round starts only as many new candidates as rows are still missing
and not in flight, so the rows tried and accepted are those of trying candidates one by one.

Every call's seed comes from its row id, turn, target language and attempt, and its prompt
from the turn alone: re-running after rows are added repeats no call made before.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl

from distilpipe.llm.client import LLMClient, row_seed
from distilpipe.llm.types import Failure, GenerateRequest, Generation, Message, Sampling, TooLong
from distilpipe.ops import checks
from distilpipe.params import Translate
from distilpipe.prompts import render
from distilpipe.schema import UNDETERMINED_LANG
from distilpipe.sources.rows import message_id
from distilpipe.text import normalize_text

REASONS = (
    "too_long",
    "failed",
    "empty",
    "truncated",
    "turns",
    "code_block",
    "latex",
    "url",
    "language",
    "length",
    "duplicate",
)
SHORT_UNITS = 8.0  # texts shorter than this compare as this long: "OK" may become "好的。"
ORIGIN = "translated"
# Carried from the source row: the translation keeps the task. Every other column a later
# stage added (the judge's answers and scores, MFD, the sample's instruction length) was
# measured on the source text and is null on a translated row; `parent_id` finds it.
CARRIED_COLUMNS = ("task_type", "task_conf", "task_label_by")
REJECT_SCHEMA = {
    "parent_id": pl.String,
    "task_type": pl.String,
    "source_lang": pl.String,
    "lang": pl.String,
    "attempt": pl.Int64,
    "reason": pl.String,
    "turn": pl.Int64,
    "detail": pl.String,
    "calls": pl.Int64,  # turns sent to the teacher (a turn too long for its context is not)
}
# Language names in the English and the Chinese prompt; other codes are named by their code.
LANGUAGE_NAMES = {
    "en": ("English", "英文"),
    "zh": ("Chinese", "中文"),
    "ja": ("Japanese", "日文"),
    "ko": ("Korean", "韩文"),
    "fr": ("French", "法文"),
    "de": ("German", "德文"),
    "es": ("Spanish", "西班牙文"),
    "ru": ("Russian", "俄文"),
}
TURN_KINDS = {
    "system": ("system prompt", "系统提示"),
    "user": ("user's message", "用户消息"),
    "assistant": ("assistant's answer", "助手回答"),
}


@dataclass
class TranslateResult:
    rows: pl.DataFrame  # the input rows unchanged, then the translations
    rejects: pl.DataFrame  # one row per rejected attempt: REJECT_SCHEMA
    metrics: dict[str, Any]
    plots: dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class Verdict:
    """The outcome of one attempt: a reason (None: accepted), its turn and what it saw."""

    reason: str | None
    turn: int | None = None
    detail: str = ""


@dataclass
class _Entry:
    task_type: str
    lang: str
    rows: int
    candidates: list[int]  # row indices, best first
    next: int = 0
    accepted: list[tuple[int, int]] = field(default_factory=list)  # (candidate rank, added)
    tried: int = 0


@dataclass(frozen=True)
class _Attempt:
    entry: int  # index into _Run.entries
    row: int  # index into the input rows
    attempt: int  # 0: the first try, then each retry
    rank: int  # the row's place among the entry's candidates


def language_name(lang: str, prompt_lang: str) -> str:
    """The name of `lang` in the prompt's language (`zh`: Chinese, else English)."""
    names = LANGUAGE_NAMES.get(lang)
    if names is None:
        return lang
    return names[1] if prompt_lang == "zh" else names[0]


def translate_prompt(role: str, text: str, source: str, target: str) -> tuple[str, str]:
    """The prompt asking for `text` (one `role` turn in `source`) in `target`: (text, hash).

    The prompt is written in the target language (the Chinese template for `zh`, the English
    one otherwise), so the model is primed to write in it."""
    prompt_lang = "zh" if target == "zh" else "en"
    kind = TURN_KINDS[role][1 if prompt_lang == "zh" else 0]
    return render(
        "translate",
        target,
        kind=kind,
        source=language_name(source, prompt_lang),
        target=language_name(target, prompt_lang),
        text=text,
    )


def unwrap(reply: str) -> str:
    """The translation in a reply: whitespace stripped, and one pair of <text> tags around
    the whole reply removed (models echo the prompt's delimiters); nothing else is cut."""
    text = reply.strip()
    if text.startswith("<text>") and text.endswith("</text>"):
        text = text[len("<text>") : -len("</text>")].strip()
    return text


def turn_reason(
    source: str,
    out: Generation | Failure,
    text: str,
    out_lang: str,
    target: str,
    und_ok: bool,
    max_length_ratio: float | None = 3.0,
) -> tuple[str, str] | None:
    """Why one translated turn fails, as (reason, detail), or None when it passes.

    `text` is the normalised translation (`unwrap` of the reply) and `out_lang` its language
    by the pool's language id; `und_ok`: whether `und` passes (the source turn is `und`, or
    too short on prose to be sure); `max_length_ratio` bounds its length against the
    source's both ways (None: no bound)."""
    if isinstance(out, TooLong):
        return "too_long", out.reason
    if isinstance(out, Failure):
        return "failed", out.reason
    if not text:
        return "empty", ""
    if out.finish_reason == "length":
        return "truncated", f"{out.completion_tokens} tokens"
    missing = checks.lost(checks.code_blocks(source), checks.code_blocks(text))
    if missing:
        return "code_block", missing[0][:200]
    missing = checks.lost(checks.latex_spans(source), checks.latex_spans(text))
    if missing:
        return "latex", missing[0][:200]
    missing = checks.lost(checks.urls(source), checks.urls(text))
    if missing:
        return "url", missing[0][:200]
    if out_lang != target and not (und_ok and out_lang == UNDETERMINED_LANG):
        return "language", out_lang
    if max_length_ratio is not None:
        ratio = max(checks.text_units(text), SHORT_UNITS) / max(
            checks.text_units(source), SHORT_UNITS
        )
        if not 1.0 / max_length_ratio <= ratio <= max_length_ratio:
            return "length", f"{ratio:.2f}"
    return None


def row_verdict(
    source: Sequence[Message], translated: Sequence[Message], turns: list[tuple[str, str] | None]
) -> Verdict:
    """One attempt's verdict from its turns' reasons (`turn_reason` per turn): the first
    reason of REASONS that any turn has, at its first turn."""
    found = {r[0]: (i, r[1]) for i, r in reversed(list(enumerate(turns))) if r is not None}
    if not checks.same_turns(source, translated):
        found.setdefault("turns", (len(translated), f"{len(translated)} of {len(source)} turns"))
    for reason in REASONS:
        if reason in found:
            turn, detail = found[reason]
            return Verdict(reason, turn, detail)
    return Verdict(None)


def candidate_order(rows: pl.DataFrame) -> pl.DataFrame:
    """`rows` with a `_row` index, sorted best candidate first: highest `mfd` (nulls last,
    or no `mfd` column at all), ties by id."""
    frame = rows.with_row_index("_row")
    if "mfd" not in frame.columns:
        return frame.sort("id")
    return frame.sort(["mfd", "id"], descending=[True, False], nulls_last=True)


def translate_rows(
    rows: pl.DataFrame,
    quota: Sequence[dict[str, Any]],
    lang_share: dict[str, float],
    client: Callable[[str], LLMClient],
    p: Translate,
    detector: str = "fasttext",
) -> TranslateResult:
    """Add the translations `quota` asks for to `rows` (the row schema plus `task_type`).

    `quota`: `[{task_type, lang, rows}]` as the sample stage writes it; `lang_share`: its
    languages (a row in another of them is a candidate). `client("teacher")` translates;
    `detector` is the pool's language detector (`pool.langid`)."""
    run = _Run(rows, quota, lang_share, client("teacher"), p, detector)
    run.all_rounds()
    return run.result()


class _Run:
    """One translate run: the quota entries with their candidates, the rounds of calls, and
    what they added and rejected."""

    def __init__(
        self,
        rows: pl.DataFrame,
        quota: Sequence[dict[str, Any]],
        lang_share: dict[str, float],
        teacher: LLMClient,
        p: Translate,
        detector: str,
    ):
        self.rows = rows
        self.lang_share = dict(lang_share)
        self.p = p
        self.teacher = teacher
        self.detector = detector
        self.messages: list[list[Message]] = rows["messages"].to_list()
        self.ids: list[str] = rows["id"].to_list()
        self.langs: list[str] = rows["lang"].to_list()
        self.seen = set(self.ids)
        ordered = candidate_order(rows.select("id", "lang", "task_type", *_mfd(rows)))
        self.entries: list[_Entry] = []
        for q in quota:
            task, target, want = q["task_type"], q["lang"], int(q["rows"])
            if want <= 0:
                continue
            pick = ordered.filter(
                (pl.col("task_type") == task)
                & pl.col("lang").is_in([lang for lang in lang_share if lang != target])
            )["_row"].to_list()
            if p.max_candidates is not None:
                pick = pick[: p.max_candidates * want]
            self.entries.append(_Entry(task, target, want, pick))
        self.added: list[dict[str, Any]] = []  # accepted translations: row dicts
        self.rejects: list[dict[str, Any]] = []
        self.attempts = 0
        self.retried = 0
        self.accepted_on_retry = 0
        self.und_ok: dict[int, list[bool]] = {}

    def all_rounds(self) -> None:
        retry: list[_Attempt] = []
        while True:
            pending = retry + self._new_candidates(retry)
            if not pending:
                return
            retry = self._round(pending)

    def _new_candidates(self, retry: list[_Attempt]) -> list[_Attempt]:
        """The next candidates of each entry: as many as rows are missing and not in flight."""
        in_flight = Counter(a.entry for a in retry)
        out = []
        for e, entry in enumerate(self.entries):
            need = entry.rows - len(entry.accepted) - in_flight[e]
            take = entry.candidates[entry.next : entry.next + max(need, 0)]
            out += [_Attempt(e, row, 0, entry.next + k) for k, row in enumerate(take)]
            entry.next += len(take)
            entry.tried += len(take)
        return out

    def _sampling(self, attempt: _Attempt, turn: int) -> Sampling:
        target = self.entries[attempt.entry].lang
        seed = row_seed(self.ids[attempt.row], f"translate/{target}/{turn}", attempt.attempt)
        sampling = self.teacher.sampling(seed)
        if self.p.max_new_tokens is not None:
            sampling = replace(sampling, max_new_tokens=self.p.max_new_tokens)
        if attempt.attempt > 0 and self.p.retry_temperature is not None:
            sampling = replace(sampling, temperature=self.p.retry_temperature)
        return sampling

    def _round(self, pending: list[_Attempt]) -> list[_Attempt]:
        """Translate every turn of `pending` in one batch of calls, check each attempt, keep
        the accepted ones; return the retries for the next round."""
        requests: list[GenerateRequest] = []
        starts: list[int] = []
        for a in pending:
            target = self.entries[a.entry].lang
            source = self.langs[a.row]
            start = len(requests)
            for t, message in enumerate(self.messages[a.row]):
                text, digest = translate_prompt(message["role"], message["content"], source, target)
                requests.append(
                    GenerateRequest(
                        ({"role": "user", "content": text},), self._sampling(a, t), digest
                    )
                )
            starts.append(start)
        outs = self.teacher.generate(requests)
        replies = pl.Series(
            [o.text if isinstance(o, Generation) else "" for o in outs], dtype=pl.String
        )
        texts = [unwrap(t) for t in normalize_text(replies).to_list()]
        out_langs = checks.languages(texts, self.detector)
        self._source_languages(pending)
        self.attempts += len(pending)
        retry: list[_Attempt] = []
        for a, start in zip(pending, starts, strict=True):
            entry = self.entries[a.entry]
            turns = self.messages[a.row]
            translated: list[Message] = [
                {"role": m["role"], "content": texts[start + t]} for t, m in enumerate(turns)
            ]
            reasons = [
                turn_reason(
                    m["content"],
                    outs[start + t],
                    texts[start + t],
                    out_langs[start + t],
                    entry.lang,
                    self.und_ok[a.row][t],
                    self.p.max_length_ratio,
                )
                for t, m in enumerate(turns)
            ]
            verdict = row_verdict(turns, translated, reasons)
            new_id = message_id(translated) if verdict.reason is None else ""
            if verdict.reason is None and new_id in self.seen:
                verdict = Verdict("duplicate", None, new_id)
            if a.attempt > 0:
                self.retried += 1
            if verdict.reason is None:
                self.seen.add(new_id)
                entry.accepted.append((a.rank, len(self.added)))
                self.added.append(self._new_row(a, new_id, translated))
                self.accepted_on_retry += a.attempt > 0
                continue
            self.rejects.append(
                {
                    "parent_id": self.ids[a.row],
                    "task_type": entry.task_type,
                    "source_lang": self.langs[a.row],
                    "lang": entry.lang,
                    "attempt": a.attempt,
                    "reason": verdict.reason,
                    "turn": verdict.turn,
                    "detail": verdict.detail,
                    "calls": sum(
                        not isinstance(outs[start + t], TooLong) for t in range(len(turns))
                    ),
                }
            )
            if a.attempt < self.p.retries and verdict.reason != "too_long":
                retry.append(replace(a, attempt=a.attempt + 1))
        return retry

    def _source_languages(self, pending: list[_Attempt]) -> None:
        """For each turn of the rows in `pending`, once per row: whether its translation may
        read as `und` (the source turn does, or is too short on prose to be sure)."""
        todo = sorted({a.row for a in pending} - set(self.und_ok))
        texts = [m["content"] for row in todo for m in self.messages[row]]
        undetermined = iter(
            lang == UNDETERMINED_LANG or short
            for lang, short in zip(
                checks.languages(texts, self.detector), checks.short_prose(texts), strict=True
            )
        )
        for row in todo:
            self.und_ok[row] = [next(undetermined) for _ in self.messages[row]]

    def _new_row(self, a: _Attempt, new_id: str, translated: list[Message]) -> dict[str, Any]:
        parent = self.rows.row(a.row, named=True)
        row: dict[str, Any] = dict.fromkeys(self.rows.columns)
        row.update(
            id=new_id,
            source=parent["source"],
            source_id=parent["source_id"],
            messages=translated,
            lang=self.entries[a.entry].lang,
            origin=ORIGIN,
            parent_id=parent["id"],
            meta=parent["meta"],
        )
        for name in CARRIED_COLUMNS:
            if name in parent:
                row[name] = parent[name]
        return row

    def result(self) -> TranslateResult:
        # translations in quota order, each entry's in candidate order
        order = [i for entry in self.entries for _, i in sorted(entry.accepted)]
        added = pl.DataFrame([self.added[i] for i in order], schema=self.rows.schema)
        out = pl.concat([self.rows, added]) if added.height else self.rows
        rejects = pl.DataFrame(self.rejects, schema=REJECT_SCHEMA)
        return TranslateResult(
            rows=out,
            rejects=rejects,
            metrics=self._metrics(out, rejects),
            plots=self._plots(out),
        )

    def _metrics(self, out: pl.DataFrame, rejects: pl.DataFrame) -> dict[str, Any]:
        added: dict[str, dict[str, int]] = {}
        quota: dict[str, dict[str, int]] = {}
        shortfall: dict[str, dict[str, int]] = {}
        candidates: dict[str, dict[str, int]] = {}
        for entry in self.entries:
            t, lang = entry.task_type, entry.lang
            quota.setdefault(t, {})[lang] = entry.rows
            added.setdefault(t, {})[lang] = len(entry.accepted)
            candidates.setdefault(t, {})[lang] = len(entry.candidates)
            if len(entry.accepted) < entry.rows:
                shortfall.setdefault(t, {})[lang] = entry.rows - len(entry.accepted)
        counts = Counter(rejects["reason"].to_list())
        stats = self.teacher.stats.as_dict()
        return {
            "rows_in": self.rows.height,
            "rows_out": out.height,
            "rows_added": len(self.added),
            "quota_rows": sum(e.rows for e in self.entries),
            "quota": quota,
            "added": added,
            "shortfall": shortfall,
            "shortfall_rows": sum(v for by_lang in shortfall.values() for v in by_lang.values()),
            "candidates": candidates,
            "rows_tried": sum(e.tried for e in self.entries),
            "attempts": self.attempts,
            "retries": self.retried,
            "accepted_on_retry": self.accepted_on_retry,
            "rejects": {reason: int(counts.get(reason, 0)) for reason in REASONS},
            "lang_share": {
                "target": self.lang_share,
                "before": _shares(self.rows),
                "after": _shares(out),
            },
            "calls": stats,
            "by_role": {"teacher": stats},
        }

    def _plots(self, out: pl.DataFrame) -> dict[str, list[dict[str, Any]]]:
        """added: per task type with a quota (or, with none, per type of the input), the
        rows asked for and the rows added; languages: each language's share of the rows
        before and after, and its target share."""
        quota: Counter[str] = Counter()
        added: Counter[str] = Counter()
        for entry in self.entries:
            quota[entry.task_type] += entry.rows
            added[entry.task_type] += len(entry.accepted)
        types = list(quota) or sorted(set(self.rows["task_type"].to_list()))
        before, after = _shares(self.rows), _shares(out)
        langs = sorted(set(before) | set(after) | set(self.lang_share))
        return {
            "added": [{"task_type": t, "quota": quota[t], "added": added[t]} for t in types],
            "languages": [
                {
                    "lang": lang,
                    "target": round(self.lang_share.get(lang, 0.0), 6),
                    "before": before.get(lang, 0.0),
                    "after": after.get(lang, 0.0),
                }
                for lang in langs
            ],
        }


def _mfd(rows: pl.DataFrame) -> list[str]:
    return ["mfd"] if "mfd" in rows.columns else []


def _shares(frame: pl.DataFrame) -> dict[str, float]:
    total = max(frame.height, 1)
    counts = dict(frame.group_by("lang").len().iter_rows())
    return {str(k): round(v / total, 6) for k, v in sorted(counts.items())}


def load_quota(text: str) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """The quota list and `lang_share` of a `translate_quota.json` document; ValueError
    saying what is wrong when it is not one."""
    try:
        doc = json.loads(text)
        unit, quota, lang_share = doc["unit"], doc["quota"], doc["lang_share"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"not a translate quota ({type(exc).__name__}: {exc})") from None
    if unit != "rows":
        raise ValueError(f"unit {unit!r}, expected 'rows'")
    for q in quota:
        if not isinstance(q, dict) or {"task_type", "lang", "rows"} - set(q):
            raise ValueError(f"quota entry {q!r}: needs task_type, lang and rows")
    return list(quota), {str(k): float(v) for k, v in lang_share.items()}
