"""classify: the task type of every row, one of 33 (distilpipe.taxonomy).

1. A seed set of `seed_size` rows, stratified by source and language, gets labels: from the
   classifier role (an LLM) with a constrained answer (`mode: logprob`: every two-digit code
   scored as the whole reply, the most probable code wins; `mode: generate`: a last line
   `Task: NN` parsed strictly), or, with `seed_labels: source`, from the rows' own Magpie
   category where it maps onto one type (no LLM at all).
2. A small classifier (ops.task_classifier) is cross-validated on the seed labels, then
   fitted on all of them and labels every row.

The seed order is a fixed ranking of the rows (round-robin over the source x language
strata, rows within a stratum in the order of a seeded hash of their id), and the seed set is
its first `seed_size` rows: raising `seed_size` only adds rows, so with every call cached
only the new rows cost an LLM call.

Columns added: `task_type` (a taxonomy id), `task_conf` (its probability), `task_label_by`
(`llm` for a seed row labelled by the LLM, else `classifier`), `seed_task_type` (the seed
label, null outside the seed set or where it failed). A Magpie category is never copied as
the final label. No row is dropped: a seed row whose call fails (or does not parse, or does
not fit the model) is labelled by the classifier and counted in the metrics.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
import polars_hash as plh

from distilpipe.errors import DistilpipeError
from distilpipe.llm.client import CallStats, LLMClient, row_seed
from distilpipe.llm.types import Failure, GenerateRequest, LabelRequest, TooLong
from distilpipe.ops.task_classifier import FeatureSettings, TaskClassifier
from distilpipe.params import Classify
from distilpipe.prompts import render
from distilpipe.taxonomy import TaskType, source_map, task_types

CLASSIFY_COLUMNS = {
    "task_type": pl.String,
    "task_conf": pl.Float64,
    "task_label_by": pl.String,
    "seed_task_type": pl.String,
}
SEED_FAILURES = ("too_long", "failed", "unparsed", "no_label_mass")

# The last non-empty line only: optional Markdown bold, "Task" (any case) or "类型", an ASCII
# or full-width colon, exactly two ASCII digits, an optional full stop.
_EMPHASIS = r"(?:\*\*|__)?"
_TASK_LINE = re.compile(
    rf"{_EMPHASIS}(?:task|类型){_EMPHASIS}\s*[:：]\s*{_EMPHASIS}\s*([0-9]{{2}})\s*[.。]?\s*{_EMPHASIS}",
    re.IGNORECASE,
)


@dataclass
class ClassifyResult:
    rows: pl.DataFrame  # the input's columns, then CLASSIFY_COLUMNS
    classifier: TaskClassifier
    metrics: dict[str, Any]
    plots: dict[str, list[dict[str, Any]]]


@dataclass
class SeedLabel:
    task_type: str | None  # a taxonomy id, or None when the call gave no label
    conf: float | None
    reason: str | None  # one of SEED_FAILURES, None when labelled


def instructions(rows: pl.DataFrame) -> pl.Series:
    """The first user turn of each row (what the task type is read from)."""
    user = pl.element().struct.field("role") == "user"
    first = pl.col("messages").list.eval(pl.element().filter(user).struct.field("content").first())
    return rows.select(first.list.first().fill_null("").alias("instruction"))["instruction"]


def source_categories(rows: pl.DataFrame) -> pl.Series:
    """Each row's own `task_category` from its `meta` JSON (Magpie's), null where absent."""
    return rows.select(pl.col("meta").str.json_path_match("$.task_category").alias("category"))[
        "category"
    ]


def seed_order(rows: pl.DataFrame, seed: int) -> pl.Series:
    """Each row's place (0 = first) in the seed order: round-robin over the (source, lang)
    strata, within a stratum by a hash of (seed, id). The first k rows of this order are the
    seed set of size k, so a larger k keeps every row of a smaller one."""
    ranked = (
        rows.select(
            pl.concat_str(pl.lit(f"classify-seed\x1f{seed}\x1f"), "id").alias("_key"),
            pl.concat_str("source", pl.lit("\x1f"), "lang").alias("_stratum"),
        )
        .with_columns(plh.col("_key").chash.sha2_256().alias("_hash"))
        .with_columns(
            pl.col("_hash").rank("ordinal").over("_stratum").alias("_round"),
            plh.col("_stratum").chash.sha2_256().alias("_stratum_hash"),
        )
        .with_row_index("_row")
    )
    order = ranked.sort("_round", "_stratum_hash", "_hash")["_row"]
    place = np.empty(rows.height, dtype=np.int64)
    place[order.to_numpy()] = np.arange(rows.height)
    return pl.Series("seed_place", place)


def parse_task_code(text: str, codes: set[str]) -> str | None:
    """The code of a generate-mode answer, or None when it does not parse.

    The last non-empty line must read `Task: NN` (any case; `类型：NN` in Chinese), with an
    ASCII or full-width colon, exactly two ASCII digits that are one of `codes`, an optional
    final `.`/`。`, and optional Markdown bold. `Task: 7`, `Task: 07 Math`, `Task: 34`, a task
    line followed by more text, or no task line, do not parse.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    match = _TASK_LINE.fullmatch(lines[-1].strip())
    if match is None or match.group(1) not in codes:
        return None
    return match.group(1)


def label_from_probs(probs: dict[str, float], types: tuple[TaskType, ...]) -> SeedLabel:
    """The most probable code (ties: the lowest code) and its share of the labels' mass."""
    total = sum(probs.get(t.code, 0.0) for t in types)
    if not total > 0.0:
        return SeedLabel(None, None, "no_label_mass")
    best = max(types, key=lambda t: (probs.get(t.code, 0.0), -int(t.code)))
    return SeedLabel(best.id, probs[best.code] / total, None)


def llm_seed_labels(
    client: LLMClient,
    texts: list[str],
    langs: list[str],
    ids: list[str],
    p: Classify,
) -> list[SeedLabel]:
    """The classifier role's label for each seed row, in order.

    `mode: logprob` asks for every code's probability (`label_logprobs`), not for one
    generated code: `task_conf` and expand's `min_type_conf` read the winner's share of the
    codes' mass, which a constrained choice (vLLM's structured outputs) cannot give."""
    types = task_types()
    by_code = {t.code: t.id for t in types}
    rendered = [
        render(f"classify_{p.mode}", lang, instruction=text[: p.max_chars], types=types)
        for text, lang in zip(texts, langs, strict=True)
    ]
    labels: list[SeedLabel] = []
    if p.mode == "logprob":
        codes = tuple(t.code for t in types)
        outs = client.label_logprobs(
            [LabelRequest(({"role": "user", "content": t},), codes, h) for t, h in rendered]
        )
        for out in outs:
            if isinstance(out, Failure):
                labels.append(SeedLabel(None, None, _failure_reason(out)))
            else:
                labels.append(label_from_probs(out.probs, types))
        return labels
    gens = client.generate(
        [
            GenerateRequest(
                ({"role": "user", "content": t},),
                client.sampling(row_seed(row_id, "classify/seed")),
                h,
            )
            for (t, h), row_id in zip(rendered, ids, strict=True)
        ]
    )
    for gen in gens:
        if isinstance(gen, Failure):
            labels.append(SeedLabel(None, None, _failure_reason(gen)))
            continue
        code = parse_task_code(gen.text, set(by_code))
        labels.append(
            SeedLabel(None, None, "unparsed")
            if code is None
            else SeedLabel(by_code[code], 1.0, None)
        )
    return labels


@dataclass
class LLMLabeller:
    """The classifier role labelling instructions as it labels the seed rows
    (`llm_seed_labels`): expand checks each new instruction's type with it. The fitted
    classifier is no use there: expand writes rows of the types the sample lacks, which are
    the types it saw fewest or none of among its seeds, and it cannot give a type it never
    saw."""

    client: LLMClient
    p: Classify

    @property
    def stats(self) -> CallStats:
        return self.client.stats

    def label(self, texts: list[str], langs: list[str]) -> tuple[list[str | None], list[float]]:
        """Each text's type (None where the call gave none) and its share of the labels'
        probability mass (0.0 where none)."""
        ids = [hashlib.sha256(text.encode()).hexdigest()[:16] for text in texts]
        labels = llm_seed_labels(self.client, texts, langs, ids, self.p)
        return [x.task_type for x in labels], [x.conf or 0.0 for x in labels]


def _failure_reason(result: Failure) -> str:
    """`too_long` for a prompt that does not fit the classifier's model, else `failed`."""
    return "too_long" if isinstance(result, TooLong) else "failed"


def source_seed_labels(categories: list[str | None]) -> list[SeedLabel]:
    """Seed labels from the rows' own categories, where one maps onto exactly one type."""
    mapping = source_map()
    out = []
    for category in categories:
        candidates = mapping.get(category or "", ())
        if len(candidates) == 1:
            out.append(SeedLabel(candidates[0], 1.0, None))
        else:
            out.append(SeedLabel(None, None, "ambiguous_source"))
    return out


def cross_validate(
    texts: list[str], labels: list[str], p: Classify, settings: FeatureSettings
) -> list[str]:
    """Out-of-fold predictions: `cv_folds` folds over a seeded shuffle of the seed rows."""
    n = len(labels)
    folds = min(p.cv_folds, n)
    if folds < 2:
        return list(labels)
    order = np.random.default_rng(p.seed).permutation(n)
    predicted: list[str] = [""] * n
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        clf = TaskClassifier.fit(
            [texts[i] for i in train], [labels[i] for i in train], settings, p.c
        )
        guesses, _ = clf.predict([texts[i] for i in test])
        for i, guess in zip(test, guesses, strict=True):
            predicted[i] = guess
    return predicted


def classify_rows(
    rows: pl.DataFrame, client: Callable[[str], LLMClient], p: Classify
) -> ClassifyResult:
    """Label every row of `rows` (the row schema) with a task type.

    `client(role)` gives the LLM client of the classifier role; it is asked for only when
    `p.seed_labels` is "llm".
    """
    texts = instructions(rows)
    categories = source_categories(rows).to_list()
    place = seed_order(rows, p.seed)
    seed_idx = np.flatnonzero(place.to_numpy() < p.seed_size)
    seed_idx = seed_idx[np.argsort(place.to_numpy()[seed_idx])]
    text_list = texts.to_list()
    langs, ids = rows["lang"].to_list(), rows["id"].to_list()
    llm: LLMClient | None = None
    if p.seed_labels == "llm" and len(seed_idx):
        llm = client("classifier")
        seeds = llm_seed_labels(
            llm,
            [text_list[i] for i in seed_idx],
            [langs[i] for i in seed_idx],
            [ids[i] for i in seed_idx],
            p,
        )
    elif p.seed_labels == "source":
        seeds = source_seed_labels([categories[i] for i in seed_idx])
    else:
        seeds = []
    labelled = [(i, s) for i, s in zip(seed_idx, seeds, strict=True) if s.task_type is not None]
    if not labelled and rows.height:
        raise DistilpipeError(
            f"classify: none of the {len(seed_idx)} seed rows got a label "
            f"(seed_labels: {p.seed_labels}); nothing to train the classifier on"
        )
    seed_texts = [text_list[i] for i, _ in labelled]
    seed_types = [str(s.task_type) for _, s in labelled]
    settings = FeatureSettings(n_features=p.n_features, max_tokens=p.max_tokens)
    cv_predicted = cross_validate(seed_texts, seed_types, p, settings)
    # no rows at all (a keep rule that kept none): an empty classifier, empty outputs
    classifier = (
        TaskClassifier.fit(seed_texts, seed_types, settings, p.c)
        if seed_types
        else TaskClassifier.empty(settings)
    )
    predicted, conf = classifier.predict(texts)

    n = rows.height
    task_type: list[str] = list(predicted)
    task_conf = [float(c) for c in conf]
    label_by = ["classifier"] * n
    seed_type: list[str | None] = [None] * n
    for i, s in zip(seed_idx, seeds, strict=True):
        seed_type[i] = s.task_type
        if p.seed_labels == "llm" and s.task_type is not None:
            task_type[i], task_conf[i], label_by[i] = s.task_type, float(s.conf or 0.0), "llm"
    columns: dict[str, list[Any]] = {
        "task_type": task_type,
        "task_conf": task_conf,
        "task_label_by": label_by,
        "seed_task_type": seed_type,
    }
    out = rows.with_columns(
        pl.Series(name, columns[name], dtype) for name, dtype in CLASSIFY_COLUMNS.items()
    )
    metrics = _metrics(
        out, seeds, seed_types, cv_predicted, list(predicted), categories, llm, p, len(seed_idx)
    )
    plots = _plots(out, seed_types, cv_predicted)
    return ClassifyResult(out, classifier, metrics, plots)


def source_agreement(labels: list[str | None], categories: list[str | None]) -> dict[str, Any]:
    """How often a label is one of the types its row's own category maps onto: overall, and
    per category (rows with a mapped category and a label only)."""
    mapping = source_map()
    pairs = [
        (label, cat)
        for label, cat in zip(labels, categories, strict=True)
        if label is not None and cat in mapping
    ]
    per: dict[str, list[int]] = {}
    for label, cat in pairs:
        hit = per.setdefault(str(cat), [0, 0])
        hit[0] += label in mapping[str(cat)]
        hit[1] += 1
    agree = sum(h for h, _ in per.values())
    return {
        "rows": len(pairs),
        "agreement": round(agree / len(pairs), 6) if pairs else None,
        "per_category": {
            cat: {"rows": total, "agreement": round(hits / total, 6)}
            for cat, (hits, total) in sorted(per.items())
        },
    }


def _metrics(
    out: pl.DataFrame,
    seeds: list[SeedLabel],
    seed_types: list[str],
    cv_predicted: list[str],
    predicted: list[str],
    categories: list[str | None],
    llm: LLMClient | None,
    p: Classify,
    n_seed: int,
) -> dict[str, Any]:
    types = task_types()
    reasons = Counter(s.reason for s in seeds if s.reason is not None)
    correct = sum(a == b for a, b in zip(seed_types, cv_predicted, strict=True))
    per_class = {}
    for t in types:
        actual = sum(a == t.id for a in seed_types)
        guessed = sum(b == t.id for b in cv_predicted)
        hits = sum(a == b == t.id for a, b in zip(seed_types, cv_predicted, strict=True))
        if actual or guessed:
            per_class[t.id] = {
                "support": actual,
                "precision": round(hits / guessed, 6) if guessed else None,
                "recall": round(hits / actual, 6) if actual else None,
            }
    counts = out.group_by("task_type").len()
    distribution = dict(zip(counts["task_type"].to_list(), counts["len"].to_list(), strict=True))
    seed_labels = out["seed_task_type"].to_list()
    return {
        "rows": out.height,
        "seed_labels": p.seed_labels,
        "mode": p.mode if p.seed_labels == "llm" else None,
        "seed_size": n_seed,
        "seed_labelled": len(seed_types),
        "seed_unlabelled": {
            r: int(reasons.get(r, 0)) for r in (*SEED_FAILURES, "ambiguous_source")
        },
        "seed_classes": len(set(seed_types)),
        "cv_folds": min(p.cv_folds, len(seed_types)),
        "cv_agreement": round(correct / len(seed_types), 6) if seed_types else None,
        "cv_per_class": per_class,
        "source_agreement": {
            "classifier": source_agreement(list(predicted), categories),
            "seed": source_agreement(seed_labels, categories),
        },
        "label_by": {by: int((out["task_label_by"] == by).sum()) for by in ("llm", "classifier")},
        "distribution": {t.id: int(distribution.get(t.id, 0)) for t in types},
        "calls": llm.stats.as_dict() if llm is not None else None,
    }


def _plots(
    out: pl.DataFrame, seed_types: list[str], cv_predicted: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """confusion: the seed labels against the classifier's out-of-fold predictions (DVC's
    confusion template); labels: rows per task type, every type listed (0 included)."""
    confusion = [
        {"actual": a, "predicted": b} for a, b in zip(seed_types, cv_predicted, strict=True)
    ]
    counts = out.group_by("task_type").len()
    by_type = dict(zip(counts["task_type"].to_list(), counts["len"].to_list(), strict=True))
    labels = [{"task_type": t.id, "rows": int(by_type.get(t.id, 0))} for t in task_types()]
    return {"confusion": confusion, "labels": labels}
