"""What every stage does on the untouched defaults, read from the session's default run: the
recipe in miniature, where each stage does its job for real through the LLM layer and the
distilled student beats its base.

Each test states one stage's job with the thresholds of the issue "A default run where the
recipe works". Where today's tiny stand-in models cannot show it yet, the test is a strict
xfail naming why: it turns red the day it starts passing, and the mark comes off."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

STAND_INS = (
    "the tiny stand-in models cannot follow the pipeline's prompts yet (issue: a default run "
    "where the recipe works)"
)


def _metrics(golden: Path, name: str) -> dict[str, Any]:
    return dict(json.loads((golden / "repo" / "metrics" / f"{name}.json").read_text()))


@pytest.mark.xfail(strict=True, reason=f"the teacher scores below the student: {STAND_INS}")
def test_judge_the_teacher_answers_better_than_the_student(golden: Path) -> None:
    m = _metrics(golden, "judge")
    assert m["teacher_score_mean"] - m["student_score_mean"] >= 2.0
    assert m["student_beats_teacher"] <= 0.15


@pytest.mark.xfail(strict=True, reason=f"no right/wrong answers are known: {STAND_INS}")
def test_judge_scores_separate_right_from_wrong_answers(golden: Path) -> None:
    assert _metrics(golden, "judge")["judge_roc_auc"] >= 0.85


@pytest.mark.xfail(strict=True, reason=f"every row gets one type: {STAND_INS}")
def test_classify_labels_many_types_and_agrees_with_the_source(golden: Path) -> None:
    m = _metrics(golden, "classify")
    assert m["seed_classes"] >= 20
    assert m["cv_agreement"] >= 0.85
    assert m["source_agreement"]["classifier"]["agreement"] >= 0.7


@pytest.mark.xfail(strict=True, reason=f"the judge keeps fewer rows than n: {STAND_INS}")
def test_sample_balances_task_length_and_language(golden: Path) -> None:
    m = _metrics(golden, "sample")
    assert m["rows_sampled"] <= m["rows_in"] / 2
    assert m["length_kl"]["sample"] <= m["length_kl"]["input"] / 2
    classified = pl.read_parquet(golden / "repo/data/classified.parquet")
    available = classified["task_type"].value_counts()
    for task, share in m["task_share"].items():
        rows = available.filter(pl.col("task_type") == task)["count"].sum()
        if rows >= share["target_rows"]:  # a type with enough rows
            assert abs(share["rows"] - share["target_rows"]) <= 2, task


@pytest.mark.xfail(strict=True, reason=f"no translation passes its checks: {STAND_INS}")
def test_translate_fills_its_quota(golden: Path) -> None:
    m = _metrics(golden, "translate")
    assert m["quota_rows"] >= 5
    assert m["rows_added"] >= 0.8 * m["quota_rows"]


@pytest.mark.xfail(strict=True, reason=f"the teacher writes no <instruction> tags: {STAND_INS}")
def test_expand_adds_the_rows_wanted(golden: Path) -> None:
    m = _metrics(golden, "expand")
    assert m["rows_wanted"] > 0
    assert m["rows_added"] >= 0.7 * m["rows_wanted"]


@pytest.mark.xfail(strict=True, reason=f"follow-ups come in the wrong language: {STAND_INS}")
def test_multiturn_continues_the_rows_chosen(golden: Path) -> None:
    m = _metrics(golden, "multiturn")
    assert m["rows_chosen"] > 0
    assert m["rows_added"] >= 0.6 * m["rows_chosen"]


@pytest.mark.xfail(strict=True, reason=f"rewrites fail their checks: {STAND_INS}")
def test_rewrite_keeps_its_rewrites(golden: Path) -> None:
    m = _metrics(golden, "rewrite")
    assert m["turns_rewritten"] >= 0.4 * m["turns"]


@pytest.mark.xfail(strict=True, reason=f"restatements are cut off: {STAND_INS}")
def test_self_distill_accepts_restatements_and_pairs_most_rows(golden: Path) -> None:
    m = _metrics(golden, "self_distill")
    assert m["restatement"]["accepted"] >= 0.4 * m["rows_in"]
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


@pytest.mark.xfail(strict=True, reason=f"no interval says a gap is real: {STAND_INS}")
@pytest.mark.parametrize("model", ["sft", "dpo"])
@pytest.mark.parametrize("benchmark", list(BENCHMARKS))
def test_the_distilled_students_beat_the_base(golden: Path, model: str, benchmark: str) -> None:
    """Each figure of a trained model carries its difference from the base with a paired
    bootstrap 95% interval over prompts; the interval lies above 0."""
    figure = _metrics(golden, "eval")[model][benchmark][BENCHMARKS[benchmark]]
    assert figure["ci_low"] > 0, figure


@pytest.mark.xfail(strict=True, reason=f"the teacher is not evaluated: {STAND_INS}")
@pytest.mark.parametrize("benchmark", list(BENCHMARKS))
def test_the_teacher_scores_above_both_students(golden: Path, benchmark: str) -> None:
    m = _metrics(golden, "eval")
    score = m["teacher"][benchmark][BENCHMARKS[benchmark]]
    assert all(score > m[model][benchmark][BENCHMARKS[benchmark]] for model in ("sft", "dpo"))
