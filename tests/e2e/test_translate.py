"""End-to-end: the translate stage under `dvc repro` on the default params. It translates
the rows the sample's quota asks for (or counts why not), records appended to a default
source cost translate calls only for rows it never tried before, and a stage killed with
SIGKILL resumes from its cached calls with the bytes of an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from distilpipe.ops.translate import REASONS
from distilpipe.schema import validate_rows
from tests.cache_db import cached_calls
from tests.conftest import magpie_record
from tests.e2e.conftest import copy_of, run

# Chinese instructions with a short answer each: candidates for the English quota, if the
# judge keeps them (it keeps the rows its tiny student does not beat the tiny teacher on).
NEW_ZH = [
    (
        "一个水池有两个进水管，单开甲管 6 小时注满，单开乙管 9 小时注满，同时打开几小时注满？",
        "3.6 小时。",
    ),
    ("请用三句话解释为什么天空是蓝色的。", "因为瑞利散射。"),
    ("把 1 到 100 的整数相加，结果是多少？请写出计算方法。", "5050。"),
    ("写一个 Python 函数，返回列表中的最大值，不要使用 max。", "用循环比较。"),
    ("小明有 12 个苹果，给了小红三分之一，还剩几个？", "8 个。"),
    ("简要介绍一下长城的历史。", "始建于春秋战国时期。"),
    ("如果明天下雨，运动会会推迟吗？请给出你的推理。", "取决于通知。"),
    ("解释一下什么是质数，并举三个例子。", "2、3、5。"),
]


OUTPUTS = ("data/translated.parquet", "data/rejects/translate.parquet")


def _metrics(repo: Path) -> dict[str, Any]:
    return dict(json.loads((repo / "metrics/translate.json").read_text()))


def _attempts(repo: Path) -> dict[tuple[str, str, int], int]:
    """Every attempt of the last run, (parent id, target language, attempt) -> the turns it
    sent to the teacher: the rejected ones from the rejects file, the accepted ones from the
    translated rows (each after as many rejected attempts as its rejects)."""
    rejects = pl.read_parquet(repo / "data/rejects/translate.parquet")
    out = {
        (r["parent_id"], r["lang"], r["attempt"]): r["calls"] for r in rejects.iter_rows(named=True)
    }
    rows = pl.read_parquet(repo / "data/translated.parquet")
    for r in rows.filter(pl.col("origin") == "translated").iter_rows(named=True):
        tries = sum(1 for key in out if key[:2] == (r["parent_id"], r["lang"]))
        out[(r["parent_id"], r["lang"], tries)] = len(r["messages"])
    return out


def _outputs(repo: Path) -> list[bytes]:
    return [(repo / p).read_bytes() for p in OUTPUTS]


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_translate_on_the_defaults_is_incremental_and_resumes(
    golden: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the session's default run, from a cold cache: its translate metrics are a cold run's
    repo = copy_of(golden, tmp_path / "copy", monkeypatch)
    run(repo, "dvc", "repro", "translate")
    sampled = pl.read_parquet(repo / "data/sampled.parquet")
    out = validate_rows(pl.read_parquet(repo / "data/translated.parquet"), "translated")
    quota = json.loads((repo / "data/translate_quota.json").read_text())["quota"]
    m = _metrics(repo)
    # the default sample lacks rows of a language, so there is work, and every row is
    # accounted for: added, or short with its attempts rejected by reason
    assert m["quota_rows"] == sum(q["rows"] for q in quota) > 0
    assert out.head(sampled.height).equals(sampled)
    added = out.slice(sampled.height)
    assert m["rows_in"] == sampled.height and m["rows_out"] == out.height > 0
    assert m["rows_added"] == added.height == m["quota_rows"] - m["shortfall_rows"]
    assert set(added["origin"]) <= {"translated"}
    assert set(added["parent_id"]) <= set(sampled["id"])
    assert m["attempts"] == m["rows_added"] + sum(m["rejects"].values())
    assert list(m["rejects"]) == list(REASONS)
    assert m["calls"]["failed"] == 0 and m["calls"]["cache_misses"] > 0
    first = _attempts(repo)
    assert len(first) == m["attempts"]
    sent = sum(first.values())
    assert m["calls"]["calls"] == sent + m["calls"]["too_long"]
    assert m["calls"]["cache_misses"] == sent  # a cold cache: every call sent was computed

    # Chinese records appended to the default magpie source: the translate calls made are
    # those of attempts never made before (new rows, or rows a grown quota now reaches);
    # every earlier attempt still made is a cache hit
    with (repo / "data/samples/magpie.jsonl").open("a", encoding="utf-8") as fh:
        for i, (question, answer) in enumerate(NEW_ZH):
            fh.write(json.dumps(magpie_record(9500 + i, question, answer), ensure_ascii=False))
            fh.write("\n")
    run(repo, "dvc", "repro", "translate")
    grown = pl.read_parquet(repo / "data/sampled.parquet")
    new_rows = set(grown["id"]) - set(sampled["id"])
    again = _metrics(repo)
    second = _attempts(repo)
    fresh = {k: v for k, v in second.items() if k not in first}
    repeated = {k: v for k, v in second.items() if k in first}
    assert again["calls"]["cache_misses"] == sum(fresh.values())
    assert again["calls"]["cache_hits"] == sum(repeated.values())
    assert all(first[k] == v for k, v in repeated.items())
    if new_rows:  # rows the judge kept reached the sample and changed its quota
        assert again["rows_in"] == m["rows_in"] + len(new_rows)
        assert again["quota_rows"] >= m["quota_rows"]

    # killed mid-stage on a fresh cache, then run again: finished calls are hits, and the
    # output is byte for byte an uninterrupted run's on another fresh cache
    cache = repo.parent / "kill-cache"
    monkeypatch.setenv("DISTILPIPE_CACHE_DIR", str(cache))
    proc = subprocess.Popen(
        [sys.executable, "stages/translate.py"],
        cwd=repo,
        env={**os.environ, "DISTILPIPE_CACHE_DIR": str(cache)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    total = again["calls"]["cache_hits"] + again["calls"]["cache_misses"]
    assert total > 2  # the English quota only grows with Chinese rows: there is work
    deadline = time.monotonic() + 300
    while cached_calls(cache) < min(2, total - 1) and time.monotonic() < deadline:
        assert proc.poll() is None, "translate finished before it could be killed"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished = cached_calls(cache)
    assert 0 < finished < total
    run(repo, "dvc", "repro", "--force", "--single-item", "translate")
    resumed = _metrics(repo)
    assert resumed["calls"]["cache_hits"] == finished
    assert resumed["calls"]["cache_misses"] == total - finished
    resumed_bytes = _outputs(repo)
    monkeypatch.setenv("DISTILPIPE_CACHE_DIR", str(repo.parent / "fresh-cache"))
    run(repo, "dvc", "repro", "--force", "--single-item", "translate")
    assert _metrics(repo)["calls"]["cache_hits"] == 0
    assert _outputs(repo) == resumed_bytes
