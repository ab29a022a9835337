import math

import polars as pl
import pytest

from distilpipe.ops.mfd import DIGITS, expected_score, keep_mask, mfd_scores, parse_score

# --- expected_score ---------------------------------------------------------------------


def test_expected_score_on_a_fixed_table() -> None:
    # mass 0.1 + 0.5 + 0.3 = 0.9; Σ d·p = 0.6 + 3.5 + 2.4 = 6.5; 6.5 / 0.9 = 7.2222...
    probs = {"6": 0.1, "7": 0.5, "8": 0.3, "<eos>": 0.05, " ": 0.05}
    assert expected_score(probs) == pytest.approx(6.5 / 0.9)
    assert expected_score(probs) == pytest.approx(7.222222222)


def test_expected_score_of_a_uniform_and_a_certain_judge() -> None:
    assert expected_score(dict.fromkeys(DIGITS, 0.1)) == pytest.approx(4.5)
    assert expected_score({d: (1.0 if d == "0" else 0.0) for d in DIGITS}) == 0.0
    assert expected_score({"9": 0.2}) == 9.0  # missing digits count as 0


def test_expected_score_renormalises_over_the_digits() -> None:
    probs = {"2": 0.02, "3": 0.06, "4": 0.02}  # mass 0.1, mean 3
    assert expected_score(probs) == pytest.approx(3.0)
    assert expected_score({k: v * 7.5 for k, v in probs.items()}) == pytest.approx(3.0)
    assert expected_score({**probs, "no": 0.9}) == pytest.approx(3.0)


def test_expected_score_without_mass_raises() -> None:
    with pytest.raises(ValueError, match="no probability on any digit"):
        expected_score(dict.fromkeys(DIGITS, 0.0))
    with pytest.raises(ValueError, match="no probability on any digit"):
        expected_score({"yes": 1.0})
    with pytest.raises(ValueError, match="digit '3'"):
        expected_score({"3": float("nan"), "4": 0.5})
    with pytest.raises(ValueError, match="digit '4'"):
        expected_score({"3": 0.5, "4": -0.1})


# --- parse_score -------------------------------------------------------------------------

RATIONALE = (
    "The answer is correct and addresses the question directly, but it gives no example\n"
    "and skips the edge case of an empty list.\n\n"
)


@pytest.mark.parametrize(
    ("text", "score"),
    [
        (RATIONALE + "Score: 7", 7),
        (RATIONALE + "Score: 7\n\n  \n", 7),  # trailing blank lines are not lines
        (RATIONALE + "   Score:   0   ", 0),
        (RATIONALE + "Score:9", 9),
        (RATIONALE + "Score: 8.", 8),
        (RATIONALE + "score: 7", 7),  # case does not change the number
        (RATIONALE + "SCORE: 7", 7),
        (RATIONALE + "Score：6", 6),  # full-width colon
        ("回答基本正确，但缺少例子，也没有讨论空列表的情况。\n评分：6", 6),
        ("回答基本正确，但缺少例子。\n评分: 6", 6),
        ("回答基本正确，但缺少例子。\n评分：6分。", 6),
        ("回答基本正确。\nScore：5。", 5),
        (RATIONALE + "**Score: 8**", 8),  # Markdown bold, as chat models write it
        (RATIONALE + "**Score:** 8", 8),
        (RATIONALE + "Score: **8**", 8),
        ("Score: 3\nOn reflection the example is wrong.\nScore: 2", 2),  # the last line wins
        ("Score: 4", 4),
    ],
)
def test_parse_score_reads_the_last_line(text: str, score: int) -> None:
    assert parse_score(text) == score


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n",
        RATIONALE + "Score: 10",
        RATIONALE + "Score: 7/9",
        RATIONALE + "Score: 7.5",
        RATIONALE + "Score: seven",
        RATIONALE + "Score: -1",
        RATIONALE + "Score: ７",  # full-width digit
        RATIONALE + "Score 7",  # no colon
        RATIONALE + "Score:",
        RATIONALE + "Final score: 7",
        RATIONALE + "The score is 7.",
        RATIONALE + "7",
        RATIONALE + "Score: 7 out of 9",
        "Score: 8\nI hope this evaluation helps!",  # a score line followed by more text
        "Score: 8\nScore: 3 (after re-reading)",  # the last line is not a clean score line
        "Score: 7\n评分：很好",
    ],
)
def test_parse_score_rejects_anything_else(text: str) -> None:
    assert parse_score(text) is None


# --- mfd_scores --------------------------------------------------------------------------


def test_mfd_is_the_score_gap_over_nine() -> None:
    teacher = pl.Series([9.0, 4.5, 0.0, None, 7.0, 3.0])
    student = pl.Series([0.0, 4.5, 9.0, 5.0, None, 7.5])
    mfd = mfd_scores(teacher, student)
    assert mfd.name == "mfd"
    assert mfd.dtype == pl.Float64
    assert mfd.to_list()[:3] == [1.0, 0.0, -1.0]
    assert mfd.to_list()[3:5] == [None, None]
    assert mfd[5] == pytest.approx(-0.5)


def test_mfd_takes_integer_scores_and_checks_lengths() -> None:
    assert mfd_scores(pl.Series([8, 2]), pl.Series([5, 2])).to_list() == [pytest.approx(1 / 3), 0]
    with pytest.raises(ValueError, match="teacher has 2 scores but student has 1"):
        mfd_scores(pl.Series([8, 2]), pl.Series([5]))


# --- keep_mask ---------------------------------------------------------------------------


def test_keep_by_threshold_keeps_at_and_above_it_never_nulls() -> None:
    mfd = pl.Series([0.2, 0.0, -0.1, None, float("nan"), 0.5])
    mask = keep_mask(mfd, min_mfd=0.0, keep_fraction=None)
    assert mask.dtype == pl.Boolean
    assert mask.to_list() == [True, True, False, False, False, True]


def test_keep_fraction_keeps_the_hardest_rows() -> None:
    mfd = pl.Series([0.1, 0.9, -0.3, 0.5, 0.7, 0.0, 0.2, 0.3, 0.4, 0.6])
    assert keep_mask(mfd, None, 0.3).arg_true().to_list() == [1, 4, 9]  # exactly 3, not 4
    assert keep_mask(mfd, None, 0.25).arg_true().to_list() == [1, 4, 9]  # ceil(2.5)
    assert keep_mask(mfd, None, 1.0).all()
    assert not keep_mask(mfd, None, 0.0).any()


def test_keep_fraction_breaks_ties_by_row_order_and_skips_nulls() -> None:
    mfd = pl.Series([0.2, None, 0.5, 0.2, float("nan"), 0.2, 0.5, None])
    # 5 valid rows; ceil(0.6 * 5) = 3: both 0.5s, then the earliest 0.2 (row 0)
    assert keep_mask(mfd, None, 0.6).arg_true().to_list() == [0, 2, 6]
    # ceil(0.7 * 5) = 4: the next 0.2 in row order is row 3
    assert keep_mask(mfd, None, 0.7).arg_true().to_list() == [0, 2, 3, 6]
    # everything valid, nothing null
    assert keep_mask(mfd, None, 1.0).arg_true().to_list() == [0, 2, 3, 5, 6]
    assert not keep_mask(pl.Series([None, None], dtype=pl.Float64), None, 1.0).any()


def test_keep_fraction_is_reproducible() -> None:
    mfd = pl.Series([round(math.sin(i) / 3, 1) for i in range(200)])
    first = keep_mask(mfd, None, 0.37)
    assert first.sum() == math.ceil(0.37 * 200)
    assert keep_mask(mfd.clone(), None, 0.37).to_list() == first.to_list()


@pytest.mark.parametrize(
    ("min_mfd", "keep_fraction", "message"),
    [
        (0.0, 0.5, "exactly one of min_mfd and keep_fraction"),
        (None, None, "exactly one of min_mfd and keep_fraction"),
        (None, 1.5, r"keep_fraction must lie in \[0, 1\]"),
        (None, -0.1, r"keep_fraction must lie in \[0, 1\]"),
    ],
)
def test_keep_rule_errors(min_mfd: float | None, keep_fraction: float | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        keep_mask(pl.Series([0.1, 0.2]), min_mfd, keep_fraction)
