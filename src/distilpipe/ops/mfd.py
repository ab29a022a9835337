"""Model-Fit-Difficulty: how much better the teacher answers an instruction than the student.

A judge grades each answer alone on a 0–9 scale; `mfd = (teacher_score − student_score) / 9`,
so it lies in [−1, 1] and is positive where the teacher does better. Two ways to read a
judge's score: `expected_score` (logprob mode: the expectation of the digit under the judge's
next-token distribution, as in G-Eval) and `parse_score` (generate mode: the judge's final
`Score: N` line, parsed strictly). `keep_mask` then picks the rows hard enough to distil.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import polars as pl

SCORE_MAX = 9
DIGITS = tuple(str(d) for d in range(SCORE_MAX + 1))  # the judge's choices, "0".."9"

# One line, nothing else on it: an optional Markdown emphasis (** or __) anywhere around the
# parts, the label "Score" (any case) or "评分", an ASCII or full-width colon, one ASCII digit,
# then optionally "分" (the Chinese unit) and a full stop ("." or "。").
_EMPHASIS = r"(?:\*\*|__)?"
_SCORE_LINE = re.compile(
    rf"{_EMPHASIS}(?:score|评分){_EMPHASIS}\s*[:：]\s*{_EMPHASIS}\s*"
    rf"([0-9])\s*分?\s*[.。]?\s*{_EMPHASIS}",
    re.IGNORECASE,
)


def expected_score(probs: Mapping[str, float]) -> float:
    """The expected digit Σ d·p(d) / Σ p(d) over the ten digits "0".."9".

    `probs` maps choices to next-token probabilities (as in `ChoiceProbs.probs`); they are
    renormalised over the ten digits, because the judge also puts some mass on other tokens
    and only the digits are answers. A digit missing from `probs` counts as probability 0,
    and keys other than the digits are ignored. Raises ValueError when a digit's probability
    is negative or not finite, or when the digits' total mass is 0 (no score to read: the
    caller records the row as failed).
    """
    total = 0.0
    weighted = 0.0
    for value, digit in enumerate(DIGITS):
        p = float(probs.get(digit, 0.0))
        if not math.isfinite(p) or p < 0.0:
            raise ValueError(f"probability of digit {digit!r} is {p}, not a finite value >= 0")
        total += p
        weighted += value * p
    if total <= 0.0:
        raise ValueError(
            "the judge put no probability on any digit 0-9, so no expected score exists"
        )
    return weighted / total


def parse_score(text: str) -> int | None:
    """The score of a generate-mode judge answer, or None when it does not parse.

    Strict about what the score is, lenient only about spelling that cannot change it. The
    last non-empty line must be the score line and nothing else:

    - label `Score` in any case (`score: 7` and `SCORE: 7` mean the same) or the Chinese
      `评分`, which Chinese judges write; `Final score: 7` or `The score is 7` do not parse;
    - an ASCII `:` or full-width `：` colon, with or without spaces around it;
    - exactly one ASCII digit 0–9: `Score: 10`, `Score: 7/9`, `Score: 7.5`, `Score: seven`
      and full-width digits do not parse;
    - optionally the Chinese unit `分` (`评分：8分`) and a final `.` or `。`;
    - Markdown bold around the label, the digit or the whole line (`**Score: 8**`,
      `**Score:** 8`), since chat models format their last line that way.

    Only the last non-empty line counts: a score line followed by more text does not parse,
    and of two score lines the last wins only because it is the last line. Empty or
    whitespace-only text gives None.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    match = _SCORE_LINE.fullmatch(lines[-1].strip())
    return int(match.group(1)) if match else None


def mfd_scores(teacher: pl.Series, student: pl.Series) -> pl.Series:
    """Model-Fit-Difficulty per row: (teacher − student) / 9, in [−1, 1], as Float64 `mfd`.

    Null where either score is null (a failed or unparsed judgement). The two series must
    have the same length.
    """
    if len(teacher) != len(student):
        raise ValueError(f"teacher has {len(teacher)} scores but student has {len(student)}")
    diff = teacher.cast(pl.Float64) - student.cast(pl.Float64)
    return (diff / SCORE_MAX).alias("mfd")


def keep_mask(mfd: pl.Series, min_mfd: float | None, keep_fraction: float | None) -> pl.Series:
    """Which rows to keep, by exactly one rule: a Boolean series as long as `mfd`.

    - `min_mfd`: keep rows with `mfd >= min_mfd`.
    - `keep_fraction` in [0, 1]: keep the hardest `ceil(keep_fraction * n_valid)` rows by
      mfd, where n_valid counts rows with an mfd; equal mfd values are ranked by row order
      (earlier row first), so the same input always keeps the same rows.

    Rows whose mfd is null (or NaN) are never kept. Giving both rules or neither raises
    ValueError.
    """
    values = mfd.cast(pl.Float64).fill_nan(None)
    if min_mfd is not None and keep_fraction is None:
        mask = values >= min_mfd
    elif keep_fraction is not None and min_mfd is None:
        if not 0.0 <= keep_fraction <= 1.0:
            raise ValueError(f"keep_fraction must lie in [0, 1], not {keep_fraction}")
        n_valid = len(values) - values.null_count()
        # Rounded first so that float noise (0.3 * 10 = 3.0000000000000004) cannot add a row.
        n_keep = math.ceil(round(keep_fraction * n_valid, 9))
        # "ordinal" gives equal values distinct ranks in order of appearance.
        ranks = values.rank(method="ordinal", descending=True)
        mask = ranks <= n_keep
    else:
        raise ValueError("give exactly one of min_mfd and keep_fraction")
    return mask.fill_null(False).alias("keep")
