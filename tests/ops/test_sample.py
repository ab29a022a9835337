"""sample_rows: quotas and their redistribution, the length reweighting on a 100k-row input,
language shares and the translate quota, shortfalls, determinism."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from distilpipe import io
from distilpipe.ops.sample import (
    kl_divergence,
    largest_remainder,
    length_bins,
    sample_rows,
    target_bin_probs,
    task_quotas,
)
from distilpipe.params import Sample, SampleLength
from distilpipe.taxonomy import default_shares, type_ids


def _synthetic(n: int, seed: int = 1, zh: float = 0.5, by_share: bool = True) -> pl.DataFrame:
    """n classified rows: task types drawn by the default shares (or uniformly), languages
    en/zh, and instruction lengths whose log is uniform over [0, 8] (1 to ~3,000 tokens),
    far from the target N(3.5, 1)."""
    rng = np.random.default_rng(seed)
    shares = default_shares()
    ids = list(shares)
    probs = np.array(list(shares.values())) if by_share else np.ones(len(ids))
    return pl.DataFrame(
        {
            "id": [f"{i:032x}" for i in rng.permutation(n)],
            "lang": rng.choice(["en", "zh"], p=[1 - zh, zh], size=n),
            "task_type": rng.choice(ids, p=probs / probs.sum(), size=n),
            "instruction_tokens": np.maximum(1, np.exp(rng.uniform(0, 8, size=n))).astype(np.int64),
        }
    )


def _sample(rows: pl.DataFrame, **params) -> object:
    return sample_rows(
        rows.drop("instruction_tokens"), rows["instruction_tokens"], Sample(**params)
    )


def test_largest_remainder_sums_to_the_total_in_proportion() -> None:
    assert largest_remainder(10, {"a": 1.0, "b": 1.0, "c": 1.0}) == {"a": 4, "b": 3, "c": 3}
    assert largest_remainder(7, {"a": 0.5, "b": 0.25, "c": 0.25}) == {"a": 3, "b": 2, "c": 2}
    assert largest_remainder(5, {"a": 0.0, "b": 0.0}) == {"a": 0, "b": 0}


def test_quota_of_a_short_type_goes_to_the_others_in_proportion() -> None:
    shares = {"math": 0.5, "code": 0.25, "poem": 0.25}
    targets, quotas, shortfall = task_quotas({"math": 1000, "code": 1000, "poem": 10}, shares, 100)
    assert targets == {"math": 50, "code": 25, "poem": 25}
    # poem gives its 10; the other 90 are split 2:1 between math and code
    assert quotas == {"math": 60, "code": 30, "poem": 10}
    assert shortfall == {"math": 0, "code": 0, "poem": 15}
    # a second round: code is short once math has taken its share of the remainder
    _, quotas, shortfall = task_quotas({"math": 1000, "code": 28, "poem": 10}, shares, 100)
    assert quotas == {"math": 62, "code": 28, "poem": 10}
    assert shortfall == {"math": 0, "code": 0, "poem": 15}
    # not enough rows at all: everything is taken, every gap reported
    _, quotas, shortfall = task_quotas({"math": 5, "code": 3, "poem": 0}, shares, 100)
    assert quotas == {"math": 5, "code": 3, "poem": 0}
    assert shortfall == {"math": 45, "code": 22, "poem": 25}


def test_length_reweighting_reaches_the_target_on_a_100k_row_input() -> None:
    rows = _synthetic(100_000)
    result = _sample(rows, n=10_000, length=SampleLength(mu=3.5, sigma=1.0, bins=16))
    kl = result.metrics["length_kl"]
    # Bound: a histogram of 10,000 draws from the target itself has expected KL about
    # (bins - 1) / (2 n) = 17 / 20,000 = 0.00085 over the 18 bins (16 + 2 open tails);
    # rounding each of 33 types' bin counts adds a little more. 0.005 is ~6x that, while the
    # input's own KL from the target (log length uniform over [0, 8]) is over 1.5: a sample
    # that ignored lengths, or weighted them wrongly, lands far above the bound.
    assert kl["input"] > 1.5
    assert kl["sample"] < 0.005
    # the long tail stays: rows beyond mu + 2 sigma are drawn at about the target's 2.3 %
    log_len = np.log(result.rows["instruction_length"].to_numpy())
    assert np.mean(log_len > 3.5 + 2.0) == pytest.approx(0.0228, abs=0.006)
    assert result.metrics["rows_sampled"] == 10_000
    assert result.metrics["shortfall_rows"] == 0


def test_bins_and_target_probabilities() -> None:
    edges = length_bins(3.5, 1.0, 16)
    assert edges[0] == -0.5 and edges[-1] == 7.5 and len(edges) == 17
    probs = target_bin_probs(3.5, 1.0, edges)
    assert len(probs) == 18 and probs.sum() == pytest.approx(1.0)
    assert probs[0] == pytest.approx(probs[-1]) == pytest.approx(3.167e-5, rel=1e-3)
    assert kl_divergence(probs, probs) == pytest.approx(0.0, abs=1e-12)


def test_task_shares_are_met_and_a_scarce_type_hands_on_its_quota() -> None:
    rows = _synthetic(20_000, by_share=False)  # every type about 600 rows
    shares = {t: 0.0 for t in type_ids()}
    shares.update(math=0.5, code_generation=0.3, history=0.2)
    scarce = rows.filter(pl.col("task_type") != "history").vstack(
        rows.filter(pl.col("task_type") == "history").head(40)
    )
    result = _sample(scarce, n=1000, task_shares=shares)
    share = result.metrics["task_share"]
    assert share["history"]["rows"] == 40 and result.metrics["shortfall"] == {"history": 160}
    # history's missing 160 go to math and code_generation 5:3
    assert share["math"]["rows"] == 600 and share["code_generation"]["rows"] == 360
    assert result.rows.height == 1000
    assert set(result.rows["task_type"]) == {"math", "code_generation", "history"}


def test_language_shortfall_becomes_a_translate_quota_per_type() -> None:
    rows = _synthetic(20_000, zh=0.05)  # about 1,000 Chinese rows
    result = _sample(rows, n=4000)
    m = result.metrics
    assert m["rows_sampled"] == 4000
    achieved = m["lang_share"]["achieved"]
    zh_rows = round(achieved["zh"] * 4000)
    assert zh_rows == rows.filter(pl.col("lang") == "zh").height  # every Chinese row is taken
    total = sum(q["rows"] for q in result.translate_quota)
    assert m["translate_quota"] == {"zh": total}
    assert total == 2000 - zh_rows  # what zh lacks of its half
    assert all(q["lang"] == "zh" and q["rows"] > 0 for q in result.translate_quota)
    # per type: the Chinese half of its quota (rounded either way) minus its Chinese rows
    for q in result.translate_quota:
        of_type = result.rows.filter(pl.col("task_type") == q["task_type"])
        zh_of_type = int((of_type["lang"] == "zh").sum())
        assert q["rows"] + zh_of_type in (of_type.height // 2, (of_type.height + 1) // 2)
    # with enough Chinese rows there is nothing to translate and the shares are met
    balanced = _sample(_synthetic(20_000, zh=0.5), n=4000)
    assert balanced.translate_quota == []
    assert balanced.metrics["lang_share"]["achieved"] == {"en": 0.5, "zh": 0.5}


def test_sample_is_deterministic_and_independent_of_input_order(tmp_path: Path) -> None:
    rows = _synthetic(30_000)
    first = _sample(rows, n=3000, seed=7)
    again = _sample(rows.sample(fraction=1.0, shuffle=True, seed=5), n=3000, seed=7)
    assert sorted(first.rows["id"]) == sorted(again.rows["id"])
    io.write_parquet(first.rows, tmp_path / "a.parquet")
    io.write_parquet(_sample(rows, n=3000, seed=7).rows, tmp_path / "b.parquet")

    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    assert digest(tmp_path / "a.parquet") == digest(tmp_path / "b.parquet")
    other = _sample(rows, n=3000, seed=8)
    assert sorted(other.rows["id"]) != sorted(first.rows["id"])


def test_n_above_the_input_takes_everything_and_reports_the_gap() -> None:
    rows = _synthetic(500)
    result = _sample(rows, n=1000)
    assert result.rows.height == 500
    assert result.metrics["shortfall_rows"] == 500


@pytest.mark.parametrize(("n", "added"), [(96, 4), (1000, 20), (1000, 100)])
def test_added_rows_change_the_sample_by_at_most_one_row_each(n: int, added: int) -> None:
    # what `dvc repro` meets when a source grows: the same rows, and a few new ones. Every
    # sampled row that changes costs the stages after this one new LLM calls. (A draw by
    # position over the id-sorted rows changed 84 of 96 rows for 4 added.)
    rows = _synthetic(20_000 + added, seed=3)
    new_ids = set(rows.tail(added)["id"])
    before = set(_sample(rows.head(20_000), n=n).rows["id"])
    after = set(_sample(rows, n=n).rows["id"])
    assert len(after) == len(before) == n
    assert len(before - after) <= len(new_ids), (len(before - after), len(after & new_ids))
