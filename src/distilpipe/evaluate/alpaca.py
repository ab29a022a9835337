"""AlpacaEval 2.0: raw and length-controlled (LC) win rate against a reference model.

A judge compares the model's answer with the reference's on each instruction, twice with
the two positions swapped, so an instruction's preference is a number in [0, 1]: 1 when
the model won both times, 0.5 for one win each (or ties), 0 for none. The raw win rate is
the mean preference. Judges prefer longer answers, so a verbose model wins more than it
should; the LC win rate asks what the judge would prefer if both answers had the same
length (Dubois et al. 2024, "Length-Controlled AlpacaEval").

What is kept from alpaca_eval's GLM (`metrics/glm_winrate.py`, `length_controlled_v1`):

- the length feature: `tanh(delta_len / std(delta_len))`, the difference of the two
  answers' lengths (in characters there) divided by its sample standard deviation over the
  instructions (not centred), squashed by tanh so a few very long answers cannot dominate;
- the model term: a constant feature whose weight is the model's strength, with no
  separate intercept (`fit_intercept=False`);
- preferences as soft labels: each instruction enters twice, as label 1 with weight p and
  as label 0 with weight 1 − p, so the fit minimises the log loss against p itself;
- the solver: L1-penalised logistic regression with liblinear, C = 100, random_state 123
  (alpaca_eval's settings for a fit without cross-validation);
- the LC win rate: the mean predicted preference with the length difference set to 0,
  which with the terms above is `sigmoid(model weight)`.

What is left out, and why:

- the instruction-difficulty term: alpaca_eval reads it from a table fitted once over the
  leaderboard's many models on its 805 instructions; our prompt set has no such table,
  and with one model it cannot be fitted (it would be collinear with the model term);
- the regularisation towards "gamed" baselines (verbose and concise variants of the
  reference, downloaded from the Hub) and the cross-validated choice of C over them;
- the sign convention: `delta_len` here is model minus reference (alpaca_eval takes
  reference minus model); only the sign of the fitted length weight changes.

Everything here is deterministic: the same inputs give the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

C = 100.0
RANDOM_STATE = 123


@dataclass(frozen=True)
class WinRates:
    """Win rates in percent (0–100), as AlpacaEval reports them, and the fitted GLM.

    `model_weight` is the model term (LC = 100·sigmoid(model_weight)); `length_weight`
    multiplies tanh of the standardised length difference (positive: the judge prefers the
    longer answer).
    """

    win_rate: float
    lc_win_rate: float
    n: int
    model_weight: float
    length_weight: float


def win_rates(
    preference: Sequence[float],
    model_length: Sequence[float],
    reference_length: Sequence[float],
) -> WinRates:
    """Raw and length-controlled win rate of a model over a reference.

    `preference[i]` in [0, 1] is how much the judge preferred the model's answer to
    instruction i (the mean of the two position-swapped verdicts); `model_length[i]` and
    `reference_length[i]` are the two answers' lengths (characters, as alpaca_eval, or any
    consistent unit). Raises ValueError on empty input, unequal lengths, a preference
    outside [0, 1] or not finite, or a negative or non-finite length.
    """
    p = np.asarray(preference, dtype=float)
    model = np.asarray(model_length, dtype=float)
    reference = np.asarray(reference_length, dtype=float)
    if not (p.ndim == model.ndim == reference.ndim == 1):
        raise ValueError("preference and lengths must be flat sequences")
    if not (len(p) == len(model) == len(reference)):
        raise ValueError(
            f"{len(p)} preferences but {len(model)} model and {len(reference)} reference lengths"
        )
    if len(p) == 0:
        raise ValueError("no judgements to compute a win rate from")
    if not np.all(np.isfinite(p)) or np.any((p < 0.0) | (p > 1.0)):
        raise ValueError("every preference must be a finite number in [0, 1]")
    for name, lengths in (("model", model), ("reference", reference)):
        if not np.all(np.isfinite(lengths)) or np.any(lengths < 0):
            raise ValueError(f"every {name} length must be a finite number >= 0")

    length_feature = np.tanh(standardised_length_difference(model, reference))
    model_weight, length_weight = _fit(p, length_feature)
    return WinRates(
        win_rate=100.0 * float(p.mean()),
        lc_win_rate=100.0 * _sigmoid(model_weight),
        n=len(p),
        model_weight=model_weight,
        length_weight=length_weight,
    )


def standardised_length_difference(model: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """(model − reference) / its sample standard deviation (ddof 1, not centred).

    All zeros when there is no spread to divide by (one instruction, or every difference
    equal): then length cannot explain anything and the fit reduces to the model term.
    """
    delta = model - reference
    spread = float(np.std(delta, ddof=1)) if len(delta) > 1 else 0.0
    if spread == 0.0 or not math.isfinite(spread):
        return np.zeros_like(delta)
    return delta / spread


def _fit(p: np.ndarray, length_feature: np.ndarray) -> tuple[float, float]:
    features = np.column_stack([np.ones_like(length_feature), length_feature])
    # Soft labels: every instruction once as a win weighted p, once as a loss weighted 1-p.
    x = np.vstack([features, features])
    y = np.concatenate([np.ones(len(p)), np.zeros(len(p))])
    weight = np.concatenate([p, 1.0 - p])
    keep = weight > 0.0
    if np.all(y[keep] == 1.0) or np.all(y[keep] == 0.0):
        # Every verdict went one way: the maximum-likelihood model weight is infinite.
        return (math.inf if y[keep][0] == 1.0 else -math.inf), 0.0
    model = LogisticRegression(
        C=C, l1_ratio=1.0, solver="liblinear", fit_intercept=False, random_state=RANDOM_STATE
    )
    model.fit(x[keep], y[keep], sample_weight=weight[keep])
    model_weight, length_weight = (float(w) for w in model.coef_[0])
    return model_weight, length_weight


def _sigmoid(x: float) -> float:
    if x == math.inf:
        return 1.0
    if x == -math.inf:
        return 0.0
    return 1.0 / (1.0 + math.exp(-x))
