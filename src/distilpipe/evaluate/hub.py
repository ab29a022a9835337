"""Public evaluation sets through `datasets`, failing with one line when they are not there."""

from __future__ import annotations

from typing import Any

from distilpipe.errors import DistilpipeError


class EvalDataError(DistilpipeError):
    """An evaluation set that cannot be loaded (offline, unknown id, gated)."""


def hub_records(dataset: str, split: str, what: str) -> list[dict[str, Any]]:
    """The rows of Hub dataset `dataset` (split `split`) as dicts, through `datasets`.

    Any failure to load raises EvalDataError with one line: `what` (e.g. "IFEval prompts"),
    the dataset, the split, and the first line of the cause. A stage prints it and stops.
    """
    try:
        import datasets

        rows = datasets.load_dataset(dataset, split=split)
        return [dict(row) for row in rows]
    except Exception as exc:  # offline, missing, gated: each says so in its first line
        reason = (str(exc).strip().splitlines() or [""])[0]
        raise EvalDataError(
            f"cannot load {what} from Hub dataset {dataset!r} (split {split!r}): "
            f"{type(exc).__name__}: {reason}"
        ) from None
