"""Paired bootstrap intervals: whether a model's gain over the base model is real.

Both models answered the same items (IFEval prompts, MT-Bench turns, AlpacaEval
instructions). A figure's difference, model minus base, is recomputed on `resamples`
resamples of the items drawn with replacement; each resample draws the same items for both
models, so the pairing holds and what the two share (an item's difficulty) cancels out. The
percentiles of those differences bound the interval (95% by default). Seeded, so the same
items and answers give the same interval, byte for byte.

`mean_difference` is the case of a figure that is a mean over items (IFEval's prompt-level
accuracy, MT-Bench's mean rating); `paired_difference` takes any statistic of the resampled
indices (AlpacaEval's length-controlled win rate refits its regression on each resample).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Difference:
    """A figure's difference (model minus base) over `n` paired items, and its interval."""

    delta: float
    ci_low: float
    ci_high: float
    n: int

    def as_dict(self, decimals: int = 4) -> dict[str, float | int]:
        return {
            "delta": round(self.delta, decimals),
            "ci_low": round(self.ci_low, decimals),
            "ci_high": round(self.ci_high, decimals),
            "n": self.n,
        }


def paired_difference(
    statistic: Callable[[np.ndarray], float],
    n: int,
    *,
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> Difference:
    """`statistic(indices)` is the difference of the figure computed on the items at
    `indices` (0..n-1, repeats allowed); its value on all items and the percentile interval
    over `resamples` seeded resamples. Raises ValueError for no items or a confidence
    outside (0, 1)."""
    if n <= 0:
        raise ValueError("no paired items to compare")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie in (0, 1), not {confidence}")
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(resamples, n))
    values = np.array([statistic(draw) for draw in draws], dtype=float)
    tail = 100.0 * (1.0 - confidence) / 2.0
    low, high = np.percentile(values, [tail, 100.0 - tail])
    return Difference(float(statistic(np.arange(n))), float(low), float(high), n)


def mean_difference(
    model: Sequence[float] | np.ndarray,
    base: Sequence[float] | np.ndarray,
    *,
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> Difference:
    """The difference of two means over paired items (`model[i]` and `base[i]` scored the
    same item i), with its paired bootstrap interval."""
    if len(model) != len(base):
        raise ValueError(f"{len(model)} model scores but {len(base)} base scores: not paired")
    gaps = np.asarray(model, dtype=float) - np.asarray(base, dtype=float)
    return paired_difference(
        lambda idx: float(gaps[idx].mean()),
        len(gaps),
        resamples=resamples,
        confidence=confidence,
        seed=seed,
    )
