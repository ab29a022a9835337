"""Loading evaluation sets: the packaged JSON Lines files, and public sets through
`datasets`, failing with one line when they are not there."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from distilpipe.errors import DistilpipeError, InputError


def jsonl_records(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, decoded record) for each non-blank line of a JSON Lines file; a line
    that is not JSON raises InputError naming the file and line."""
    with open(path, encoding="utf-8") as handle:
        for line, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                yield line, json.loads(raw)
            except json.JSONDecodeError as exc:
                raise InputError(str(path), f"not JSON: {exc.msg}", line) from None


class EvalDataError(DistilpipeError):
    """An evaluation set that cannot be loaded (offline, unknown id, gated)."""


def hub_records(
    dataset: str,
    split: str,
    what: str,
    data_files: str | None = None,
    revision: str | None = None,
) -> list[dict[str, Any]]:
    """The rows of Hub dataset `dataset` (split `split`) as dicts, through `datasets`; with
    `data_files`, `dataset` names a builder ("json", "parquet") that reads those files (an
    `hf://datasets/...` path reads one file of a Hub repo, which also works for repos whose
    loading script `datasets` >= 4 no longer runs). `revision` pins the dataset's commit.

    Any failure to load raises EvalDataError with one line: `what` (e.g. "IFEval prompts"),
    where from, the split, and the first line of the cause. A stage prints it and stops.
    """
    source = f"{data_files} (via {dataset!r})" if data_files else f"Hub dataset {dataset!r}"
    if revision and not data_files:
        source += f" at {revision}"
    try:
        import datasets

        rows = datasets.load_dataset(
            dataset, data_files=data_files, split=split, revision=None if data_files else revision
        )
        return [dict(row) for row in rows]
    except Exception as exc:  # offline, missing, gated: each says so in its first line
        reason = (str(exc).strip().splitlines() or [""])[0]
        raise EvalDataError(
            f"cannot load {what} from {source} (split {split!r}): {type(exc).__name__}: {reason}"
        ) from None
