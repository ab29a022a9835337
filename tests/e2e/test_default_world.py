"""What every stage does on the untouched defaults, read from the session's default run: the
recipe in miniature, where each stage does its job for real through the LLM layer and the
distilled student beats its base.

Each test states one part of a stage's job with the thresholds of the issue "A default run
where the recipe works". Where the committed stand-in models fall short of a threshold, the
test is a strict xfail whose reason gives the figure they reach (this machine, 2026-12-06):
it turns red the day it starts passing, and the mark comes off."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

SHORT = "the committed stand-ins fall short (issue: a default run where the recipe works)"


def _metrics(golden: Path, name: str) -> dict[str, Any]:
    return dict(json.loads((golden / "repo" / "metrics" / f"{name}.json").read_text()))


def test_judge_the_student_rarely_beats_the_teacher(golden: Path) -> None:
    assert _metrics(golden, "judge")["student_beats_teacher"] <= 0.15


@pytest.mark.xfail(strict=True, reason=f"the gap is 1.72: {SHORT}")
def test_judge_the_teacher_scores_2_points_above_the_student(golden: Path) -> None:
    m = _metrics(golden, "judge")
    assert m["teacher_score_mean"] - m["student_score_mean"] >= 2.0


@pytest.mark.xfail(
    strict=True, reason=f"ROC AUC 0.56: a wrong number in the right form passes; {SHORT}"
)
def test_judge_scores_separate_right_from_wrong_answers(golden: Path) -> None:
    m = _metrics(golden, "judge")
    assert m["answer_key"]["right"] > 0 and m["answer_key"]["wrong"] > 0
    assert m["judge_roc_auc"] >= 0.85


def test_classify_labels_many_types_and_agrees_with_the_source(golden: Path) -> None:
    m = _metrics(golden, "classify")
    assert m["seed_classes"] >= 20
    assert m["source_agreement"]["classifier"]["agreement"] >= 0.7


@pytest.mark.xfail(strict=True, reason=f"0.48 on 160 seed rows: {SHORT}")
def test_classify_cross_validated_agreement(golden: Path) -> None:
    assert _metrics(golden, "classify")["cv_agreement"] >= 0.85


def test_sample_takes_at_most_half(golden: Path) -> None:
    m = _metrics(golden, "sample")
    assert 0 < m["rows_sampled"] <= m["rows_in"] / 2


def test_sample_meets_its_task_quotas(golden: Path) -> None:
    m = _metrics(golden, "sample")
    classified = pl.read_parquet(golden / "repo/data/classified.parquet")
    available = classified["task_type"].value_counts()
    checked = 0
    for task, share in m["task_share"].items():
        rows = available.filter(pl.col("task_type") == task)["count"].sum()
        # a type with enough rows for its quota (its target plus its part of the short
        # types' remainder, which expand adds back)
        if rows >= share["quota_rows"] > 0:
            assert abs(share["rows"] - share["quota_rows"]) <= 2, task
            checked += 1
    assert checked >= 20


@pytest.mark.xfail(
    strict=True,
    reason="length KL 0.377 -> 0.308, and no subset can go below 0.200: the tiny world has "
    "no instruction of 90 tokens or more (e^4.5), where the target N(3.5, 1) puts 16% of its "
    "mass",
)
def test_sample_halves_the_length_kl(golden: Path) -> None:
    m = _metrics(golden, "sample")
    assert m["length_kl"]["sample"] <= m["length_kl"]["input"] / 2


def test_translate_fills_its_quota(golden: Path) -> None:
    m = _metrics(golden, "translate")
    assert m["quota_rows"] >= 5
    assert m["rows_added"] >= 0.8 * m["quota_rows"]


@pytest.mark.xfail(
    strict=True,
    reason="3 of 11: the teacher writes unreadable instructions for the types it has no seed "
    f"of; {SHORT}",
)
def test_expand_adds_the_rows_wanted(golden: Path) -> None:
    m = _metrics(golden, "expand")
    assert m["rows_wanted"] > 0
    assert m["rows_added"] >= 0.7 * m["rows_wanted"]


def test_multiturn_continues_the_rows_chosen(golden: Path) -> None:
    m = _metrics(golden, "multiturn")
    assert m["rows_chosen"] > 0
    assert m["rows_added"] >= 0.6 * m["rows_chosen"]


def test_rewrite_keeps_its_rewrites(golden: Path) -> None:
    m = _metrics(golden, "rewrite")
    assert m["turns_rewritten"] >= 0.4 * m["turns"]


@pytest.mark.xfail(strict=True, reason=f"48 of 131 (37%): {SHORT}")
def test_self_distill_accepts_restatements(golden: Path) -> None:
    m = _metrics(golden, "self_distill")
    assert m["restatement"]["accepted"] >= 0.4 * m["rows_in"]


def test_self_distill_pairs_most_rows(golden: Path) -> None:
    m = _metrics(golden, "self_distill")
    assert m["dpo_pairs"] >= 0.6 * m["rows_in"]


def test_training_on_the_defaults_learns(golden: Path) -> None:
    """The default run's own training: SFT lowers the held-out loss of the teacher-written
    answers, and DPO ranks the held-out chosen answers above the rejected ones."""
    sft, dpo = _metrics(golden, "train_sft"), _metrics(golden, "train_dpo")
    assert sft["steps"] > 0 and sft["eval_loss"] < sft["eval_loss_base"]
    assert dpo["steps"] > 0 and dpo["eval"]["rewards_accuracies"] > 0.5
    assert dpo["eval"]["rewards_margins"] > 0


BENCHMARKS = {
    "ifeval": "prompt_loose",
    "mt_bench": "overall",
    "alpaca_eval": "lc_win_rate",
}
# (model, benchmark) -> why the committed stand-ins fall short: the figure is measured, its
# interval does not lie above 0
BELOW = {
    ("sft", "ifeval"): "+0.8 [-1.7, +4.2]",
    ("dpo", "ifeval"): "+0.8 [0.0, +3.3]",
    ("sft", "alpaca_eval"): "-0.21 [-1.14, +0.76]: the judge's verdicts are near chance",
    ("dpo", "alpaca_eval"): "+0.23 [-0.91, +1.33]: the judge's verdicts are near chance",
}


def _short(key: tuple[str, str]) -> list[Any]:
    return [pytest.mark.xfail(strict=True, reason=f"{BELOW[key]}: {SHORT}")] if key in BELOW else []


@pytest.mark.parametrize(
    ("model", "benchmark"),
    [
        pytest.param(model, benchmark, marks=_short((model, benchmark)))
        for model in ("sft", "dpo")
        for benchmark in BENCHMARKS
    ],
)
def test_the_distilled_students_beat_the_base(golden: Path, model: str, benchmark: str) -> None:
    """Each figure of a trained model carries its difference from the base with a paired
    bootstrap 95% interval over the set's items; the interval lies above 0."""
    figure = _metrics(golden, "eval")[model][benchmark]["vs_base"][BENCHMARKS[benchmark]]
    assert {"delta", "ci_low", "ci_high"} <= set(figure)
    assert figure["ci_low"] > 0, figure


TEACHER_BELOW = {
    "mt_bench": "4.24 against dpo's 4.76: the judge rates the tiny world's answers near flat",
    "alpaca_eval": "50.0 (the reference is the teacher) against dpo's 50.1",
}


@pytest.mark.parametrize(
    "benchmark",
    [
        pytest.param(
            b,
            marks=[pytest.mark.xfail(strict=True, reason=f"{TEACHER_BELOW[b]}: {SHORT}")]
            if b in TEACHER_BELOW
            else [],
        )
        for b in BENCHMARKS
    ],
)
def test_the_teacher_scores_above_both_students(golden: Path, benchmark: str) -> None:
    m = _metrics(golden, "eval")
    score = m["teacher"][benchmark][BENCHMARKS[benchmark]]
    assert all(score > m[model][benchmark][BENCHMARKS[benchmark]] for model in ("sft", "dpo"))


def test_every_figure_names_its_set(golden: Path) -> None:
    m = _metrics(golden, "eval")
    for model in ("base", "sft", "dpo", "teacher"):
        for benchmark in BENCHMARKS:
            assert m[model][benchmark]["set"] == "tiny-world"
