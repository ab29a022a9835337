"""Source adapters: read a source in its own layout and map it to the row schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from distilpipe.sources.formats import FORMATS, adapt
from distilpipe.sources.readers import BadRecord, RawRecords, read_dataset, read_hub, read_path
from distilpipe.sources.rows import REASONS, unify

__all__ = [
    "FORMATS",
    "REASONS",
    "IngestResult",
    "ingest_records",
    "read_dataset",
    "read_hub",
    "read_path",
]


@dataclass
class IngestResult:
    rows: pl.DataFrame
    records_read: int
    rejects: list[dict[str, Any]]  # one dict per rejected or unparseable record
    reason_counts: dict[str, int]

    def metrics(self, source: str) -> dict[str, Any]:
        return {
            "source": source,
            "records": self.records_read,
            "rows": self.rows.height,
            "rejected": sum(self.reason_counts.values()),
            "reasons": self.reason_counts,
        }


def ingest_records(
    raw: RawRecords, fmt: str, source: str, role_map: dict[str, str] | None = None
) -> IngestResult:
    """Map raw records of format `fmt` to rows; count and describe every record not kept."""
    label = next(iter(raw.units), source)
    adapted = adapt(raw.frame, fmt, label)
    unified = unify(adapted, source, role_map)
    rejects: list[dict[str, Any]] = [_bad_record(b) for b in raw.bad]
    if unified.rejects.height:
        originals = raw.frame.with_row_index("_row").join(
            unified.rejects.select("_row"), on="_row", how="semi", maintain_order="left"
        )
        record_json = originals.select(
            pl.struct(pl.exclude("_row", "_file", "_pos")).struct.json_encode().alias("record")
        )["record"]
        located = _locate(raw, unified.rejects)
        for rec, text, (unit, number) in zip(
            unified.rejects.iter_rows(named=True), record_json, located, strict=True
        ):
            rejects.append(
                {
                    "file": rec["_file"],
                    unit: number,
                    "reason": rec["reason"],
                    "field": rec["field"],
                    "record": text,
                }
            )
    counts = {reason: 0 for reason in (*REASONS, "unparseable")}
    for reject in rejects:
        counts[reject["reason"] if reject["reason"] in REASONS else "unparseable"] += 1
    return IngestResult(
        rows=unified.rows,
        records_read=raw.frame.height + len(raw.bad),
        rejects=rejects,
        reason_counts=counts,
    )


def _locate(raw: RawRecords, rejects: pl.DataFrame) -> list[tuple[str, int]]:
    """(unit, number) of each reject, in order, converting record numbers to lines per file."""
    out: list[tuple[str, int]] = [("record", 0)] * rejects.height
    for (file,), group in rejects.with_row_index("_i").group_by("_file", maintain_order=True):
        unit, numbers = raw.locate(str(file), group["_pos"].to_list())
        for i, number in zip(group["_i"].to_list(), numbers, strict=True):
            out[i] = (unit, number)
    return out


def _bad_record(bad: BadRecord) -> dict[str, Any]:
    return {
        "file": bad.file,
        bad.unit: bad.line,
        "reason": "unparseable",
        "detail": bad.reason,
        "text": bad.text,
    }
