"""End-to-end on the default params: classify and sample in the session's default run, their
plots, `dvc exp run -S sample.n=...` re-runs only sample (no LLM call), and raising
`classify.seed_size` makes LLM calls only for the new seed rows. (What the two stages achieve
on the defaults, several task types and a balanced sample, is tests/e2e/test_default_world.py.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from distilpipe.ops.classify import CLASSIFY_COLUMNS, instructions
from distilpipe.ops.task_classifier import TaskClassifier
from distilpipe.schema import validate_rows
from distilpipe.taxonomy import type_ids
from tests.e2e.conftest import copy_of, params_of, run

PLOTS = [
    "plots/classify/confusion.json",
    "plots/classify/labels.json",
    "sample_tasks",
    "sample_languages",
    "sample_lengths",
]


def _metrics(repo: Path, stage: str) -> dict[str, Any]:
    return dict(json.loads((repo / f"metrics/{stage}.json").read_text()))


@pytest.mark.timeout(1800)  # waits for the session's run, on 2 cores
def test_classify_and_sample_on_the_default_params(
    golden: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_of(golden, tmp_path / "copy", monkeypatch)
    params = params_of(repo)
    seed_size = params["classify"]["seed_size"]
    judged = pl.read_parquet(repo / "data/judged.parquet")
    assert judged.height > seed_size  # the experiment below has rows to add

    classified = validate_rows(pl.read_parquet(repo / "data/classified.parquet"), "classified")
    assert classified.columns[-len(CLASSIFY_COLUMNS) :] == list(CLASSIFY_COLUMNS)
    assert classified.height == judged.height
    assert set(classified["task_type"]) <= set(type_ids())
    c = _metrics(repo, "classify")
    assert c["seed_size"] == seed_size
    assert c["seed_labelled"] + sum(c["seed_unlabelled"].values()) == seed_size
    assert c["calls"]["calls"] == c["calls"]["cache_misses"] == seed_size  # a cold cache
    assert c["label_by"]["llm"] == c["seed_labelled"]
    assert sum(c["distribution"].values()) == judged.height
    # the fitted classifier loads without the pipeline and gives the stage's labels
    clf = TaskClassifier.load(repo / "models/task_classifier")
    by_classifier = classified.filter(pl.col("task_label_by") == "classifier")
    texts = instructions(by_classifier).to_list()  # the first user turn, after any system
    assert clf.predict(texts)[0] == by_classifier["task_type"].to_list()

    sampled = validate_rows(pl.read_parquet(repo / "data/sampled.parquet"), "sampled")
    s = _metrics(repo, "sample")
    n = params["sample"]["n"]
    assert sampled.height == s["rows_sampled"] == min(n, judged.height)
    assert set(sampled["id"]) <= set(classified["id"])
    quota = json.loads((repo / "data/translate_quota.json").read_text())
    assert {q["lang"]: 0 for q in quota["quota"]}.keys() <= set(params["sample"]["lang_share"])
    assert sum(q["rows"] for q in quota["quota"]) == sum(s["translate_quota"].values())

    shown = json.loads(run(repo, "dvc", "plots", "show", "--json").stdout)
    assert not [e for e in shown.get("errors", []) if e["name"] in PLOTS]
    for plot in PLOTS:
        (spec,) = shown["data"][plot]
        assert spec["content"]["data"]["values"], plot

    smaller = run(repo, "dvc", "exp", "run", "-S", f"sample.n={n // 2}", "sample")
    assert "Running stage 'sample'" in smaller.stdout
    for upstream in ("classify", "judge", "pool"):
        assert f"Running stage '{upstream}'" not in smaller.stdout
    assert _metrics(repo, "sample")["rows_sampled"] == n // 2
    assert _metrics(repo, "classify") == c  # untouched: no LLM call was made

    bigger = run(repo, "dvc", "exp", "run", "-S", f"classify.seed_size={seed_size + 16}", "sample")
    assert "Running stage 'classify'" in bigger.stdout
    assert "Running stage 'judge'" not in bigger.stdout
    grown = _metrics(repo, "classify")
    # the seed set grows by 16 rows, or to every judged row where the judge kept fewer
    assert grown["seed_size"] == min(seed_size + 16, judged.height)
    assert grown["calls"]["cache_hits"] == seed_size
    assert grown["calls"]["cache_misses"] == grown["seed_size"] - seed_size
