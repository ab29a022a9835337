"""`distilpipe status`: the pipeline at a glance, from the metrics files the stages wrote.

For each stage of dvc.yaml, in pipeline order: rows in and out, rows dropped by reason,
LLM calls with the cache hit rate and failures, and whether DVC sees it as changed; then
the evaluation's headline table. For people who would rather not read JSON.

Stages write their metrics in their own shapes; this reads the common keys: rows in
(`rows_in`, `records`), rows out (`rows_out`, `rows_kept`, `rows_sampled`, `sft_rows`,
`rows`), drop reasons (the first of `dropped`, `rejected`, `rejects`, `reasons`,
`kept_original`, `pairs_dropped`: a mapping of reason -> count) and `calls` (`calls`,
`cache_hits`, `failed`, or summed over `by_model`/`by_role` where a stage only keeps
those).

A stage that ran but did its job for none of its rows (kept 0 of the rows it read, added 0 of
the rows it wanted, rewrote 0 of its turns; see `IDLE`) is marked `warn` with what it did,
rather than `ok`: the run succeeded, the data did not move. A stage with nothing to do (a
quota of 0) is not a warning.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from distilpipe.evaluate.report import HEADLINE, difference, difference_cell

ROWS_IN = ("rows_in", "records")
ROWS_OUT = ("rows_out", "rows_kept", "rows_sampled", "sft_rows", "rows")
DROPS = ("dropped", "rejected", "rejects", "reasons", "kept_original", "pairs_dropped")
CALL_FIGURES = ("calls", "cache_hits", "failed", "too_long")
# A stage's job, as (done, to do, what it did) in one metrics file: keys are dotted paths; a
# `done` of 0 with a `to do` above 0 is a stage that did its job for none of its rows.
IDLE = (
    ("rows_added", "rows_wanted", "added {done:,} of {todo:,} wanted"),  # expand
    ("rows_added", "quota_rows", "filled {done:,} of {todo:,} quota rows"),  # translate
    ("rows_added", "rows_chosen", "continued {done:,} of {todo:,} chosen"),  # multiturn
    ("turns_rewritten", "turns", "rewrote {done:,} of {todo:,} turns"),  # rewrite
    ("restatement.accepted", "rows_in", "accepted {done:,} of {todo:,} restatements"),
    ("dpo_pairs", "sft_rows", "made {done:,} DPO pairs from {todo:,} rows"),  # self_distill
    ("seed_labelled", "seed_size", "labelled {done:,} of {todo:,} seed rows"),  # classify
)


@dataclass
class StageStatus:
    name: str
    rows_in: int | None = None
    rows_out: int | None = None
    drops: dict[str, int] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    changed: bool | None = None  # None: not asked
    missing: bool = False  # no metrics file yet
    idle: list[str] = field(default_factory=list)  # did its job for none of its rows: what

    @property
    def warnings(self) -> list[str]:
        """Why the stage is marked `warn`: each way it did its job for none of its rows."""
        if self.rows_in and self.rows_out == 0:
            return [f"kept 0 of {self.rows_in:,} rows", *self.idle]
        return self.idle


def stage_metrics(dvc_yaml: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, list[str]]:
    """{stage name: its metrics files}, in dvc.yaml order; `foreach` stages expand to
    `name@key` over the params mapping they loop over."""
    out: dict[str, list[str]] = {}
    for name, stage in (dvc_yaml.get("stages") or {}).items():
        if "foreach" in stage:
            keys = _foreach_keys(stage["foreach"], params)
            for key in keys:
                files = _metrics_files(stage["do"])
                out[f"{name}@{key}"] = [f.replace("${key}", key) for f in files]
        else:
            out[name] = _metrics_files(stage)
    return out


def read_status(root: Path, changed: set[str] | None = None) -> list[StageStatus]:
    dvc_yaml = yaml.safe_load((root / "dvc.yaml").read_text(encoding="utf-8"))
    params = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8")) or {}
    statuses = []
    for name, files in stage_metrics(dvc_yaml, params).items():
        status = StageStatus(name, changed=None if changed is None else name in changed)
        found = [root / f for f in files if (root / f).is_file()]
        status.missing = bool(files) and not found
        for path in found:
            _read_into(status, json.loads(path.read_text(encoding="utf-8")))
        statuses.append(status)
    return statuses


def format_status(statuses: list[StageStatus], evaluation: Mapping[str, Any] | None) -> str:
    header = ("stage", "rows in", "rows out", "LLM calls", "hits", "failed", "state", "")
    table: list[tuple[str, ...]] = [header]
    notes: list[str] = []
    for s in statuses:
        calls = s.calls.get("calls")
        hits = f"{s.calls.get('cache_hits', 0) / calls:.0%}" if calls else "-"
        state = "no metrics" if s.missing else "changed" if s.changed else "ok"
        if s.changed is None and not s.missing:
            state = ""
        warnings = [] if s.missing else s.warnings
        if warnings:
            state = "changed, warn" if s.changed else "warn"
        table.append(
            (
                s.name,
                _n(s.rows_in),
                _n(s.rows_out),
                _n(calls),
                hits,
                _n(s.calls.get("failed")) if calls else "-",
                state,
                "; ".join(warnings),
            )
        )
        dropped = {k: v for k, v in s.drops.items() if v}
        if dropped:
            top = sorted(dropped.items(), key=lambda kv: (-kv[1], kv[0]))
            notes.append(f"  {s.name}: " + ", ".join(f"{k} {v:,}" for k, v in top))
    lines = _columns(table, note=True)
    if notes:
        lines += ["", "dropped or set aside, by reason:", *notes]
    if evaluation:
        lines += ["", *_eval_table(evaluation)]
    return "\n".join(lines)


def _eval_table(evaluation: Mapping[str, Any]) -> list[str]:
    models = {k: v for k, v in evaluation.items() if k != "calls" and isinstance(v, dict)}
    table = [("model", *(title for title, _, _ in HEADLINE))]
    gains = [("vs base", *(title for title, _, _ in HEADLINE))]
    for model, figures in models.items():
        cells = []
        for _, benchmark, figure in HEADLINE:
            value = (figures.get(benchmark) or {}).get(figure)
            cells.append("-" if not isinstance(value, int | float) else f"{value:.2f}")
        table.append((model, *cells))
        entries = [difference(figures, benchmark, figure) for _, benchmark, figure in HEADLINE]
        if any(entries):
            gains.append((model, *(difference_cell(e) if e else "-" for e in entries)))
    lines = ["evaluation (metrics/eval.json):", *_columns(table)]
    if len(gains) > 1:
        lines += [
            "",
            "difference from the base, [95% paired bootstrap interval]:",
            *_columns(gains),
        ]
    return lines


def _read_into(status: StageStatus, metrics: Mapping[str, Any]) -> None:
    """Add one metrics file's figures to `status` (a stage may write several files)."""
    rows_in = _first(metrics, ROWS_IN)
    rows_out = _first(metrics, ROWS_OUT)
    if rows_in is not None:
        status.rows_in = (status.rows_in or 0) + rows_in
    if rows_out is not None:
        status.rows_out = (status.rows_out or 0) + rows_out
    reasons = next((metrics[k] for k in DROPS if _is_counts(metrics.get(k))), None)
    if reasons is None and isinstance(metrics.get("rejected"), int):
        reasons = {"rejected": metrics["rejected"]}  # a count without its reasons
    for reason, count in (reasons or {}).items():
        status.drops[reason] = status.drops.get(reason, 0) + count
    for done_key, todo_key, said in IDLE:
        done, todo = _count(metrics, done_key), _count(metrics, todo_key)
        if done == 0 and todo:
            status.idle.append(said.format(done=done, todo=todo))
    calls = metrics.get("calls")
    if isinstance(calls, dict):
        parts = [calls] if "calls" in calls else _call_groups(calls)
        for part in parts:
            for figure in CALL_FIGURES:
                status.calls[figure] = status.calls.get(figure, 0) + int(part.get(figure, 0))


def _is_counts(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value.values()
    )


def _call_groups(calls: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Call figures kept only per model and per role: the models' calls plus the roles'
    (evaluate counts the evaluated models under by_model, the judge and reference under
    by_role)."""
    groups: list[Mapping[str, Any]] = []
    for key in ("by_model", "by_role"):
        groups += [v for v in (calls.get(key) or {}).values() if isinstance(v, dict)]
    return groups


def _count(metrics: Mapping[str, Any], path: str) -> int | None:
    """The count at dotted `path` ("restatement.accepted"), or None where there is none."""
    value: Any = metrics
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _first(metrics: Mapping[str, Any], keys: tuple[str, ...]) -> int | None:
    for key in keys:
        value = metrics.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _foreach_keys(foreach: Any, params: Mapping[str, Any]) -> list[str]:
    if isinstance(foreach, str) and foreach.startswith("${") and foreach.endswith("}"):
        value: Any = params
        for part in foreach[2:-1].split("."):
            value = (value or {}).get(part) if isinstance(value, dict) else None
        foreach = value
    if isinstance(foreach, dict):
        return [str(k) for k in foreach]
    if isinstance(foreach, list):
        return [str(k) for k in foreach]
    return []


def _metrics_files(stage: Mapping[str, Any]) -> list[str]:
    files = []
    for entry in stage.get("metrics") or []:
        files.append(next(iter(entry)) if isinstance(entry, dict) else str(entry))
    return files


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _columns(rows: Sequence[tuple[str, ...]], note: bool = False) -> list[str]:
    """Rows as aligned text: the first column left, the others right, and with `note` the
    last one left (free text, such as a warning's reason)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    last = len(widths) - 1 if note else len(widths)
    out = []
    for row in rows:
        cells = [
            c.ljust(w) if i == 0 or i == last else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    return out
