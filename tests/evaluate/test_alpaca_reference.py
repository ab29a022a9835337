"""distilpipe's length-controlled win rate against alpaca_eval's own, on synthetic judgements.

The reference is `alpaca_eval.metrics.glm_winrate.get_length_controlled_winrate` (the
alpaca-eval package, a dev dependency), fed annotations in its own layout: the reference's
answer as `output_1`, the model's as `output_2`, `preference` in [1, 2] (2: the model's).
It runs offline: the table of gamed baselines and instruction difficulties it downloads from
the Hub is replaced by a local one that every GLM below either does not read or reads as the
same difficulty for every instruction; alpaca_eval's utils import `pkg_resources`, which
newer setuptools no longer ship, so an empty stand-in serves for the import when it is
missing.

Compared exactly, for several seeds and length biases (the judge preferring longer answers,
shorter ones, or neither; two-verdict and continuous preferences):

- the raw win rate;
- the GLM both have (`length_controlled_minimal`: the length term and the model term),
  fitted as alpaca_eval fits without cross-validation: the same weights and LC win rate;
- alpaca_eval's full formula (`length_controlled_noreg`, with the instruction-difficulty
  term) where every instruction is equally difficult, so the term cannot matter: the same
  LC win rate, up to where liblinear stops (within 0.05 points).

Differences by design (alpaca.py's docstring says why): no instruction-difficulty term (its
table is fitted across the leaderboard's models); no regularisation towards gamed baselines;
C fixed at 100 where alpaca_eval cross-validates it (compared too: within half a point
here); and the length difference is model minus reference, so the length weight's sign is
the opposite of alpaca_eval's.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from distilpipe.evaluate.alpaca import standardised_length_difference, win_rates

N = 300
# (seed, the model's strength, the judge's length bias, continuous preferences)
JUDGES = [
    (0, 0.0, 2.0, False),
    (1, 0.6, 1.0, False),
    (2, -0.8, 3.0, False),
    (3, 0.3, 0.0, True),
    (4, 1.2, -1.5, True),
    (5, -0.2, 0.7, True),
]
EQUAL_DIFFICULTY = 0.5  # at most 1, so L1 puts the whole model term on the model feature


@pytest.fixture(scope="module")
def glm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """alpaca_eval's glm_winrate module, its Hub download replaced by local tables: one per
    difficulty, every instruction given that one (`hf_hub_download(difficulty=...)`)."""
    folder = tmp_path_factory.mktemp("alpaca_eval")

    def local_table(difficulty: float = 0.0, **kwargs: Any) -> str:
        table = folder / f"df_gamed_{difficulty}.csv"
        frame = {"model": "none", "index": np.arange(N), "instruction_difficulty": difficulty}
        pd.DataFrame(frame).to_csv(table, index=False)
        return str(table)

    with pytest.MonkeyPatch.context() as patch:
        try:
            import pkg_resources  # noqa: F401
        except ImportError:
            patch.setitem(sys.modules, "pkg_resources", types.ModuleType("pkg_resources"))
        from alpaca_eval.metrics import glm_winrate

        patch.setattr(glm_winrate, "hf_hub_download", local_table)
        yield glm_winrate


def judgements(
    seed: int, strength: float, length_bias: float, continuous: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(preference, model lengths, reference lengths): a judge whose odds are the model's
    strength plus `length_bias` times the GLM's length feature; two swapped verdicts per
    instruction (0, 0.5, 1), or the probability itself."""
    rng = np.random.default_rng(seed)
    reference = rng.integers(100, 1500, N)
    model = (reference * rng.lognormal(0.3, 0.6, N)).astype(int)
    feature = np.tanh(standardised_length_difference(model.astype(float), reference))
    p = 1 / (1 + np.exp(-(strength + length_bias * feature)))
    if not continuous:
        p = ((rng.uniform(size=N) < p).astype(float) + (rng.uniform(size=N) < p)) / 2
    return p, model, reference


def alpaca_annotations(p: np.ndarray, model: np.ndarray, reference: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "output_1": ["r" * int(n) for n in reference],
            "output_2": ["m" * int(n) for n in model],
            "preference": 1.0 + p,
            "generator_1": "reference",
            "generator_2": "model",
            "annotator": "judge",
            "index": np.arange(N),
        }
    )


def reference_fit(
    glm: Any, frame: pd.DataFrame, name: str, n_splits: int, difficulty: float = 0.0
) -> tuple[dict, Any]:
    """alpaca_eval's metrics and fitted model for GLM `name`, cross-validated or not, every
    instruction as difficult as `difficulty`."""
    import sklearn

    fitted: dict[str, Any] = {}
    fit = glm.fit_LogisticRegressionCV
    download = glm.hf_hub_download

    def keeping(*args: Any, **kwargs: Any) -> Any:
        fitted["model"] = fit(*args, **kwargs)
        fitted["columns"] = [c for c in args[0].columns if c != "preference"]
        return fitted["model"]

    info = {**glm.GLM_INFO[name], "kwargs": {"n_splits": n_splits}}
    # alpaca_eval turns on sklearn's metadata routing globally: undone on leaving
    with pytest.MonkeyPatch.context() as patch, sklearn.config_context():
        patch.setattr(glm, "fit_LogisticRegressionCV", keeping)
        patch.setattr(glm, "hf_hub_download", lambda **kw: download(difficulty, **kw))
        metrics = glm.get_length_controlled_winrate(
            frame, glm_info=info, save_weights_dir=None, is_warn_extreme_changes=False
        )
    return metrics, fitted


# sklearn 1.8 on alpaca_eval's arguments (`penalty`), and liblinear on a collinear column
@pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::UserWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(("seed", "strength", "length_bias", "continuous"), JUDGES)
def test_the_lc_win_rate_is_alpaca_evals_for_the_terms_both_have(
    glm: Any, seed: int, strength: float, length_bias: float, continuous: bool
) -> None:
    p, model, reference = judgements(seed, strength, length_bias, continuous)
    ours = win_rates(p, model, reference)

    metrics, fitted = reference_fit(
        glm, alpaca_annotations(p, model, reference), "length_controlled_minimal", 0
    )
    assert metrics["win_rate"] == pytest.approx(ours.win_rate, abs=1e-9)
    assert metrics["length_controlled_winrate"] == pytest.approx(ours.lc_win_rate, abs=1e-9)
    weights = dict(zip(fitted["columns"], fitted["model"].coef_[0], strict=True))
    assert weights["not_gamed_baseline.astype(float)"] == pytest.approx(ours.model_weight, abs=1e-9)
    # delta_len is reference minus model there, model minus reference here
    assert weights["np.tanh(std_delta_len)"] == pytest.approx(-ours.length_weight, abs=1e-9)
    if length_bias:
        assert np.sign(ours.length_weight) == np.sign(length_bias)

    # the full formula, the difficulty term unable to matter: the same LC win rate up to
    # where liblinear stops (an extra column, even all 0, changes the order in which it
    # visits the weights; it stops at a gradient of 1e-4 or after 100 iterations)
    frame = alpaca_annotations(p, model, reference)
    for difficulty in (0.0, EQUAL_DIFFICULTY):
        metrics, fitted = reference_fit(glm, frame, "length_controlled_noreg", 0, difficulty)
        assert "instruction_difficulty" in fitted["columns"]
        assert metrics["length_controlled_winrate"] == pytest.approx(ours.lc_win_rate, abs=0.05)

    # alpaca_eval's cross-validated C against our fixed C = 100: close, not equal
    metrics, _ = reference_fit(
        glm, alpaca_annotations(p, model, reference), "length_controlled_minimal", 5
    )
    assert metrics["length_controlled_winrate"] == pytest.approx(ours.lc_win_rate, abs=0.5)


def test_the_reference_reads_the_local_table(glm: Any) -> None:
    """Nothing here reaches the Hub: the stand-in table is what alpaca_eval reads."""
    table = Path(glm.hf_hub_download(0.5, repo_id="tatsu-lab/alpaca_eval"))
    assert set(pd.read_csv(table)["instruction_difficulty"]) == {0.5}
