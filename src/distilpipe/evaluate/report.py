"""The evaluation's figures as DVC metrics and as the DistilQwen2 paper's two tables.

Metrics are keyed by model, then benchmark, then figure (`{"sft": {"ifeval":
{"prompt_strict": 41.2, ...}}}`), which `dvc metrics diff` flattens to `sft.ifeval.
prompt_strict`. Figures are percentages for IFEval and AlpacaEval (as the paper prints
them) and 1–10 means for MT-Bench, rounded to 4 decimals so that a re-run with the same
judgements writes the same bytes. The Markdown report lays them out as the paper does:
rows are models; the first table's columns are AlpacaEval LC, MT-Bench, MT-Bench single
(turn 1), IFEval loose and strict (prompt level); the second's are MMLU, CEval, CMMLU,
GSM8K, HumanEval, MBPP and their average. Under the models, one delta row per model against
the base, with the paired bootstrap 95% interval where the evaluation computed one
(`vs_base`, distilpipe.evaluate.intervals): "+4.10 [+1.20, +7.30]". A figure a model lacks (a
benchmark not run) is shown as "–". `category_plot`
gives MT-Bench's per-category means in the layout of the project's other DVC plots.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from distilpipe.evaluate.ifeval import IFEvalScores
from distilpipe.evaluate.mt_bench import CATEGORIES

Figures = Mapping[str, Mapping[str, Any]]  # benchmark -> figure -> value (and vs_base)
DECIMALS = 4
MISSING = "–"

HEADLINE: tuple[tuple[str, str, str], ...] = (
    ("AlpacaEval LC", "alpaca_eval", "lc_win_rate"),
    ("MT-Bench", "mt_bench", "overall"),
    ("MT-Bench single", "mt_bench", "turn_1"),
    ("IFEval loose", "ifeval", "prompt_loose"),
    ("IFEval strict", "ifeval", "prompt_strict"),
)
GENERAL: tuple[tuple[str, str, str], ...] = (
    ("MMLU", "lm_eval", "mmlu"),
    ("CEval", "lm_eval", "ceval"),
    ("CMMLU", "lm_eval", "cmmlu"),
    ("GSM8K", "lm_eval", "gsm8k"),
    ("HumanEval", "lm_eval", "humaneval"),
    ("MBPP", "lm_eval", "mbpp"),
)


def ifeval_figures(scores: IFEvalScores) -> dict[str, float | int]:
    """IFEval's four accuracies in percent (rounded) and its counts, for `metrics/eval.json`."""
    return {
        "prompt_strict": round(100 * scores.prompt_strict, DECIMALS),
        "prompt_loose": round(100 * scores.prompt_loose, DECIMALS),
        "instruction_strict": round(100 * scores.instruction_strict, DECIMALS),
        "instruction_loose": round(100 * scores.instruction_loose, DECIMALS),
        "n_prompts": scores.n_prompts,
        "n_instructions": scores.n_instructions,
    }


def rounded(figures: Mapping[str, float | int | None]) -> dict[str, float | int | None]:
    """`figures` with every float rounded to DECIMALS (ints and None unchanged)."""
    return {
        key: round(value, DECIMALS) if isinstance(value, float) else value
        for key, value in figures.items()
    }


def _value(figures: Figures, benchmark: str, figure: str) -> float | None:
    value = figures.get(benchmark, {}).get(figure)
    return None if not isinstance(value, int | float) else float(value)


def _cell(value: float | None, signed: bool = False) -> str:
    if value is None:
        return MISSING
    return f"{value:+.2f}" if signed else f"{value:.2f}"


def difference(figures: Figures, benchmark: str, figure: str) -> Mapping[str, float] | None:
    """A model's `vs_base` entry for one figure ({delta, ci_low, ci_high, n}), or None."""
    versus = figures.get(benchmark, {}).get("vs_base")
    entry = versus.get(figure) if isinstance(versus, Mapping) else None
    return entry if isinstance(entry, Mapping) else None


def difference_cell(entry: Mapping[str, float]) -> str:
    """`+4.10 [+1.20, +7.30]`: the difference and its interval."""
    return f"{entry['delta']:+.2f} [{entry['ci_low']:+.2f}, {entry['ci_high']:+.2f}]"


def _table(
    metrics: Mapping[str, Figures],
    base: str,
    columns: tuple[tuple[str, str, str], ...],
    average: bool,
) -> list[str]:
    rows: dict[str, list[float | None]] = {
        model: [_value(figures, bench, fig) for _, bench, fig in columns]
        for model, figures in metrics.items()
    }
    if average:
        # The mean over the benchmarks every model has, so that averages compare across rows.
        shared = [i for i in range(len(columns)) if all(r[i] is not None for r in rows.values())]
        for values in rows.values():
            picked = [values[i] for i in shared]
            values.append(sum(v for v in picked if v is not None) / len(picked) if picked else None)
    header = ["Model", *(title for title, _, _ in columns), *(["Avg"] if average else [])]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "---|" + "---:|" * (len(header) - 1),
    ]
    for model, values in rows.items():
        lines.append("| " + " | ".join([model, *(_cell(v) for v in values)]) + " |")
    for model, values in rows.items():
        if model == base:
            continue
        cells = [f"Δ {model} vs {base}"]
        for i, (v, b) in enumerate(zip(values, rows[base], strict=True)):
            entry = difference(metrics[model], *columns[i][1:]) if i < len(columns) else None
            if entry is not None:
                cells.append(difference_cell(entry))
            else:
                cells.append(_cell(None if v is None or b is None else v - b, signed=True))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def report_markdown(metrics: Mapping[str, Figures], base: str) -> str:
    """`reports/eval.md`: the headline table and the general-ability table, models in the
    order of `metrics`, then a delta row per model against `base` (which must be one of
    them). Ends with a newline."""
    if base not in metrics:
        raise ValueError(f"the base model {base!r} is not among the models {list(metrics)}")
    lines = [
        "# Evaluation",
        "",
        "AlpacaEval 2.0 length-controlled win rate (%) against the reference model, MT-Bench "
        "(1–10; single = turn 1), IFEval prompt-level accuracy (%). Δ rows: the difference "
        "from the base, with its paired bootstrap 95% interval over the items where one was "
        "computed; an interval above 0 is a gain the sets can tell from noise.",
        *_sets_line(metrics),
        "",
        *_table(metrics, base, HEADLINE, average=False),
        "",
        "General ability (%). Avg is the mean over the benchmarks every model has.",
        "",
        *_table(metrics, base, GENERAL, average=True),
    ]
    return "\n".join(lines) + "\n"


def _sets_line(metrics: Mapping[str, Figures]) -> list[str]:
    """Which set each benchmark's figures come from (`tiny-world`: the project's own, in the
    public benchmark's format, not the public benchmark; MT-Bench's public set names its
    FastChat commit, and `zh: tiny-world` where Chinese was asked too)."""
    names = {
        benchmark: figures[benchmark]["set"]
        for figures in metrics.values()
        for benchmark in ("alpaca_eval", "mt_bench", "ifeval")
        if isinstance(figures.get(benchmark, {}).get("set"), str)
    }
    if not names:
        return []
    listed = ", ".join(f"{benchmark}: {name}" for benchmark, name in names.items())
    note = (
        " (tiny-world: the project's own sets in the benchmarks' formats, not the public sets)"
        if any("tiny-world" in name for name in names.values())
        else ""
    )
    return ["", f"Sets: {listed}{note}."]


def category_plot(metrics: Mapping[str, Figures]) -> list[dict[str, str | float | None]]:
    """MT-Bench's per-category means as DVC plot rows, one per category that any model was
    graded on (in MT-Bench's category order): `{"category": "writing", "<model>": mean,
    ...}`, a model's value None where it has no parsed rating in that category."""
    rows: list[dict[str, str | float | None]] = []
    for category in CATEGORIES:
        key = f"category/{category}"
        if not any(key in figures.get("mt_bench", {}) for figures in metrics.values()):
            continue
        row: dict[str, str | float | None] = {"category": category}
        for model, figures in metrics.items():
            row[model] = _value(figures, "mt_bench", key)
        rows.append(row)
    return rows
