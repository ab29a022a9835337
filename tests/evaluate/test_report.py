import pytest

from distilpipe.evaluate.ifeval import IFEvalScores
from distilpipe.evaluate.report import category_plot, ifeval_figures, report_markdown, rounded

METRICS = {
    "base": {
        "alpaca_eval": {"lc_win_rate": 10.0, "win_rate": 8.0},
        "mt_bench": {"overall": 5.5, "turn_1": 6.0, "turn_2": 5.0},
        "ifeval": {"prompt_loose": 30.0, "prompt_strict": 25.0},
        "lm_eval": {"mmlu": 50.0, "gsm8k": 40.0, "ceval": 60.0},
    },
    "sft": {
        "alpaca_eval": {"lc_win_rate": 12.5, "win_rate": 15.0},
        "mt_bench": {"overall": 6.0, "turn_1": 6.5, "turn_2": 5.5},
        "ifeval": {"prompt_loose": 33.0, "prompt_strict": 27.0},
        "lm_eval": {"mmlu": 51.0, "gsm8k": 44.0},
    },
}


def test_the_report_has_the_papers_two_tables_with_delta_rows() -> None:
    text = report_markdown(METRICS, base="base")
    lines = text.splitlines()
    assert (
        "| Model | AlpacaEval LC | MT-Bench | MT-Bench single | IFEval loose | IFEval strict |"
        in lines
    )
    assert "| base | 10.00 | 5.50 | 6.00 | 30.00 | 25.00 |" in lines
    assert "| Δ sft vs base | +2.50 | +0.50 | +0.50 | +3.00 | +2.00 |" in lines
    assert "| Model | MMLU | CEval | CMMLU | GSM8K | HumanEval | MBPP | Avg |" in lines
    # Avg over the benchmarks both models have (MMLU, GSM8K): CEval is base's alone.
    assert "| base | 50.00 | 60.00 | – | 40.00 | – | – | 45.00 |" in lines
    assert "| sft | 51.00 | – | – | 44.00 | – | – | 47.50 |" in lines
    assert "| Δ sft vs base | +1.00 | – | – | +4.00 | – | – | +2.50 |" in lines
    assert not any(line.startswith("| Δ base") for line in lines)
    assert text.endswith("|\n")


def test_the_base_must_be_one_of_the_models() -> None:
    with pytest.raises(ValueError, match="base model 'student'"):
        report_markdown(METRICS, base="student")


def test_a_model_with_no_general_figures_has_no_average() -> None:
    text = report_markdown({"base": {"mt_bench": {"overall": 5.0}}}, base="base")
    assert "| base | – | – | – | – | – | – | – |" in text.splitlines()


def test_ifeval_figures_are_rounded_percentages_with_counts() -> None:
    scores = IFEvalScores(1 / 3, 0.5, 2 / 3, 0.75, n_prompts=3, n_instructions=4)
    assert ifeval_figures(scores) == {
        "prompt_strict": 33.3333,
        "prompt_loose": 66.6667,
        "instruction_strict": 50.0,
        "instruction_loose": 75.0,
        "n_prompts": 3,
        "n_instructions": 4,
    }


def test_rounded_leaves_counts_and_missing_values_alone() -> None:
    assert rounded({"overall": 6.123456, "n_unparsed": 2, "turn_2": None}) == {
        "overall": 6.1235,
        "n_unparsed": 2,
        "turn_2": None,
    }


def test_category_plot_has_one_row_per_graded_category_in_mt_benchs_order() -> None:
    metrics = {
        "base": {"mt_bench": {"category/stem": 5.0, "category/writing": 6.0}},
        "sft": {"mt_bench": {"category/writing": 7.5, "category/stem": None}},
        "dpo": {"ifeval": {"prompt_strict": 30.0}},
    }
    assert category_plot(metrics) == [
        {"category": "writing", "base": 6.0, "sft": 7.5, "dpo": None},
        {"category": "stem", "base": 5.0, "sft": None, "dpo": None},
    ]
