"""Paired bootstrap intervals (distilpipe.evaluate.intervals), on data whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from distilpipe.evaluate.intervals import mean_difference, paired_difference


def test_a_clear_gain_has_an_interval_above_zero_and_noise_one_across_it() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(5.0, 1.0, 200)
    better = base + 1.0 + rng.normal(0.0, 0.3, 200)  # paired: the same items, one point up
    gain = mean_difference(better, base, seed=1)
    assert gain.delta == pytest.approx(float(np.mean(better - base)))
    assert 0.0 < gain.ci_low < gain.delta < gain.ci_high
    noise = mean_difference(base + rng.normal(0.0, 0.3, 200), base, seed=1)
    assert noise.ci_low < 0.0 < noise.ci_high
    assert gain.n == noise.n == 200


def test_pairing_cancels_what_the_items_share() -> None:
    """Items of very different difficulty, the model a steady 0.2 better on each: unpaired,
    the spread of the items would swamp the gain; paired, the interval is tight around it."""
    difficulty = np.linspace(0.0, 100.0, 50)
    gain = mean_difference(difficulty + 0.2, difficulty, seed=0)
    assert gain.ci_low == pytest.approx(0.2) and gain.ci_high == pytest.approx(0.2)


def test_seeded_and_any_statistic() -> None:
    values = np.arange(30, dtype=float)

    def median_gap(idx: np.ndarray) -> float:
        return float(np.median(values[idx] + 3.0) - np.median(values[idx]))

    first = paired_difference(median_gap, 30, resamples=200, seed=4)
    assert first == paired_difference(median_gap, 30, resamples=200, seed=4)
    assert first.delta == pytest.approx(3.0)
    assert first.as_dict() == {"delta": 3.0, "ci_low": 3.0, "ci_high": 3.0, "n": 30}


def test_refuses_nothing_to_compare() -> None:
    with pytest.raises(ValueError, match="no paired items"):
        mean_difference([], [])
    with pytest.raises(ValueError, match="not paired"):
        mean_difference([1.0], [1.0, 2.0])
