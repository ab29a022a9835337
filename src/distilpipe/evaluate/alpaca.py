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
- the solver: L1-penalised logistic regression with liblinear, C = 100, random_state 123,
  features in alpaca_eval's order (length first): alpaca_eval's fit when it is not
  cross-validated (`n_splits=0`), and with it the same weights to the last digit;
- the LC win rate: the mean predicted preference with the length difference set to 0,
  which with the terms above is `sigmoid(model weight)`.

What is left out, and why:

- the instruction-difficulty term: alpaca_eval reads each instruction's difficulty from a
  table it fitted once over the leaderboard's many models on its 805 instructions; our
  prompt set has no such table, and fitting one needs many models judged on the same
  instructions (one model and one reference are all a run has). Where every instruction
  is equally difficult the term cannot matter, and alpaca_eval's full formula gives the
  same LC win rate;
- the regularisation towards "gamed" baselines (verbose and concise variants of the
  reference, annotated once and downloaded from the Hub);
- the cross-validated choice of C: alpaca_eval picks it from ten values by 5-fold
  cross-validation; here C is the 100 it uses without cross-validation (on synthetic
  judgements of 400 instructions the two LC win rates differ by well under a point);
- the sign convention: `delta_len` here is model minus reference (alpaca_eval takes
  reference minus model); only the sign of the fitted length weight changes.

`tests/evaluate/test_alpaca_reference.py` runs alpaca_eval's own
`get_length_controlled_winrate` (offline) against `win_rates` on synthetic judgements.

The judging side: `judge_pair_prompt` renders the pairwise template (`alpaca_pairwise`,
English or Chinese) with the model's output first or second; `parse_verdict` reads a generated
verdict strictly, `verdict_probability` a logprob one (AlpacaEval 2.0's weighted annotator
reads the judge's token probabilities the same way); `pair_preference` and
`pair_preference_from_probs` turn the two swapped judgements into one preference. The
instruction set written for this project (100 instructions, 50 English and 50 Chinese,
in AlpacaEval's `instruction`/`dataset` fields) ships as package data;
`load_hub_instructions` reads the public one (`tatsu-lab/alpaca_eval`) when reachable.

Everything here is deterministic: the same inputs give the same numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from distilpipe.errors import InputError
from distilpipe.evaluate.hub import hub_records, jsonl_records
from distilpipe.prompts import render

C = 100.0
RANDOM_STATE = 123
PACKAGED_INSTRUCTIONS = Path(__file__).parent / "data" / "alpaca_eval.jsonl"
VERDICTS = ("1", "2")  # the judge names the better output by its position


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
    # alpaca_eval's column order, length first: liblinear stops at a tolerance, and where it
    # stops depends on the order it visits the weights in (0.001 points of LC otherwise).
    features = np.column_stack([length_feature, np.ones_like(length_feature)])
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
    length_weight, model_weight = (float(w) for w in model.coef_[0])
    return model_weight, length_weight


def _sigmoid(x: float) -> float:
    if x == math.inf:
        return 1.0
    if x == -math.inf:
        return 0.0
    return 1.0 / (1.0 + math.exp(-x))


# --- instructions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AlpacaInstruction:
    """One instruction of an AlpacaEval set and the sub-set (`dataset`) it comes from."""

    instruction: str
    dataset: str


def _instruction(record: object, path: str, line: int) -> AlpacaInstruction:
    if not isinstance(record, dict):
        raise InputError(path, "a record must be a JSON object", line)
    instruction, dataset = record.get("instruction"), record.get("dataset")
    if not isinstance(instruction, str) or not instruction.strip():
        raise InputError(path, "field instruction must be a non-empty string", line)
    if not isinstance(dataset, str) or not dataset.strip():
        raise InputError(path, "field dataset must be a non-empty string", line)
    return AlpacaInstruction(instruction, dataset)


def load_instructions(path: Path = PACKAGED_INSTRUCTIONS) -> list[AlpacaInstruction]:
    """The instructions of an AlpacaEval-style JSONL file (the project's set by default);
    InputError names the file and line of a bad record or a repeated instruction."""
    instructions: list[AlpacaInstruction] = []
    seen: set[str] = set()
    for line, record in jsonl_records(path):
        item = _instruction(record, str(path), line)
        if item.instruction in seen:
            raise InputError(str(path), "instruction appears twice", line)
        seen.add(item.instruction)
        instructions.append(item)
    return instructions


def load_hub_instructions(
    repo: str = "tatsu-lab/alpaca_eval",
    path: str = "alpaca_eval.json",
    revision: str | None = None,
) -> list[AlpacaInstruction]:
    """The instructions of AlpacaEval's public set: the JSON file `path` of Hub dataset repo
    `repo`, read with `datasets`' json builder (the repo's loading script is one that
    `datasets` >= 4 no longer runs). EvalDataError (one line) when it cannot be loaded.
    The file sits at the repo's root (.../datasets/tatsu-lab/alpaca_eval/raw/main/
    alpaca_eval.json); loading it could not be tried from this offline machine. `revision`
    pins the repo's commit (`hf://datasets/<repo>@<revision>/<path>`)."""
    url = f"hf://datasets/{repo}{'@' + revision if revision else ''}/{path}"
    records = hub_records("json", "train", "AlpacaEval instructions", data_files=url)
    return [_instruction(record, url, number) for number, record in enumerate(records, start=1)]


# --- judging one pair -----------------------------------------------------------------------


def judge_pair_prompt(
    instruction: str, model_output: str, reference_output: str, model_first: bool, lang: str
) -> tuple[str, str]:
    """The pairwise judge prompt with the model's output as output 1 (`model_first`) or as
    output 2: (text, template hash). `lang` "zh" selects the Chinese template."""
    one, two = (model_output, reference_output) if model_first else (reference_output, model_output)
    return render("alpaca_pairwise", lang, instruction=instruction, output_1=one, output_2=two)


# The whole reply: one digit 1 or 2, optionally in Markdown bold or quotes, optionally
# followed by a full stop.
_VERDICT = re.compile(r"(?:\*\*)?[\"'“‘]?([12])[\"'”’]?(?:\*\*)?[.。]?")


def parse_verdict(text: str) -> str | None:
    """ "1" or "2" from a generated pairwise verdict, or None when it does not parse.

    Parses a reply that is, once stripped of outer whitespace, just the digit: `1`, `2`,
    `**2**`, `"1"`, `1.`, `2。`. Does not parse: `Output 1`, `1 or 2`, `1, because ...`,
    `12`, `3`, a full-width `１`, `one`, an empty reply: the template asks for the digit
    alone, and anything longer is a judge that did not follow it.
    """
    match = _VERDICT.fullmatch(text.strip())
    return match.group(1) if match else None


def verdict_probability(probs: Mapping[str, float]) -> float | None:
    """P("1") / (P("1") + P("2")) from a judge's next-token probabilities: how much the
    judge prefers output 1. None when both are 0 (other keys are ignored; a missing one
    counts as 0).
    Raises ValueError on a negative or non-finite probability."""
    p_one, p_two = (float(probs.get(v, 0.0)) for v in VERDICTS)
    for verdict, p in zip(VERDICTS, (p_one, p_two), strict=True):
        if not math.isfinite(p) or p < 0.0:
            raise ValueError(f"probability of {verdict!r} is {p}, not a finite value >= 0")
    if p_one + p_two == 0.0:
        return None
    return p_one / (p_one + p_two)


def pair_preference(model_first: str | None, model_second: str | None) -> float | None:
    """The model's preference in [0, 1] from two generated verdicts: `model_first` when its
    output was output 1, `model_second` when it was output 2. 1 when it won both, 0.5 for
    one each, 0 for none; None when either verdict did not parse (the pair is counted as
    unparsed, never judged on one position only)."""
    if model_first is None or model_second is None:
        return None
    return ((model_first == "1") + (model_second == "2")) / 2


def pair_preference_from_probs(
    model_first: Mapping[str, float], model_second: Mapping[str, float]
) -> float | None:
    """The model's preference in [0, 1] from the judge's probabilities of "1" and "2" in
    the two swapped judgements: the mean of P(the model's position) over both; None when either
    judgement put no mass on either digit."""
    first = verdict_probability(model_first)
    second = verdict_probability(model_second)
    if first is None or second is None:
        return None
    return (first + (1.0 - second)) / 2
