"""End-to-end tests run `dvc repro` in a temporary git + DVC repo holding a copy of the
project, with the LLM call cache in a temporary folder of its own."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import magpie_record
from tests.project import BIN, ROOT, make_repo, run, tool_env

__all__ = ["BIN", "ROOT", "make_repo", "run"]  # the e2e tests' helpers, from one place
# Metric keys that measure the machine, not the result (the training stages' timings and
# memory): two runs of the same inputs differ only in these.
MEASUREMENTS = ("wall_seconds", "peak_memory_bytes")
# Call counts in metrics files: a run on a warm cache makes fewer calls for the same results.
CALL_KEYS = ("calls", "by_role", "by_step", "by_model")


def set_params(repo: Path, **sections: Any) -> None:
    """Replace whole top-level sections of the repo's params.yaml."""
    params = yaml.safe_load((repo / "params.yaml").read_text())
    params.update(sections)
    (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def params_of(repo: Path) -> dict[str, Any]:
    return dict(yaml.safe_load((repo / "params.yaml").read_text()))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DISTILPIPE_CACHE_DIR", str(tmp_path / "llm-cache"))
    return make_repo(tmp_path / "repo")


def copy_of(golden: Path, dest: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the golden run (repo, DVC cache, LLM call cache) at `dest`, with the LLM
    cache of the copy in use; returns the copy's repo."""
    shutil.copytree(golden, dest, symlinks=True)
    monkeypatch.setenv("DISTILPIPE_CACHE_DIR", str(dest / "llm-cache"))
    return dest / "repo"


def append_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    with path.open("a", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


# 3,600 Chinese characters: under judge.max_chars (4,000), over the tiny models' 2,048 positions.
LONG_ZH = ("请仔细阅读下面这段关于城市交通规划的长篇材料，并逐条总结其中的主要观点与论据。" * 90)[
    :3600
]
APPENDED_AT = 9000  # magpie_record index of the first appended record


def appended_records() -> list[dict[str, Any]]:
    """The records `appended` adds to the default magpie source: tests/e2e/appended.jsonl
    (English and Chinese instructions of the samples' kinds, each with an answer), then one
    instruction too long for the tiny models."""
    pairs = [
        json.loads(line)
        for line in (Path(__file__).with_name("appended.jsonl")).read_text("utf-8").splitlines()
    ]
    pairs.append({"instruction": LONG_ZH, "response": "这是一段很长的材料的总结。"})
    return [
        magpie_record(APPENDED_AT + i, p["instruction"], p["response"]) for i, p in enumerate(pairs)
    ]


@dataclass(frozen=True)
class Appended:
    """The default run (`before`) and a copy of it (`repo`, with its LLM cache `cache`) after
    records were appended to the default magpie source and `dvc repro` ran again on the default
    params; `out` is what that `dvc repro` printed."""

    before: Path
    repo: Path
    cache: Path
    out: str
    records: list[dict[str, Any]]


@pytest.fixture(scope="session")
def appended(golden: Path, tmp_path_factory: pytest.TempPathFactory) -> Appended:
    """The incremental promise as a user meets it: records appended to a default source, the
    default params, `dvc repro`. One run for every test of what it costs (judge, translate,
    expand, multiturn, rewrite, self_distill, the whole pipeline); they only read it."""
    tmp = tmp_path_factory.mktemp("appended")
    records = appended_records()
    with pytest.MonkeyPatch.context() as monkeypatch:
        repo = copy_of(golden, tmp / "copy", monkeypatch)
        append_jsonl(repo / "data/samples/magpie.jsonl", records)
        out = run(repo, "dvc", "repro").stdout
    return Appended(golden / "repo", repo, tmp / "copy" / "llm-cache", out, records)


@dataclass(frozen=True)
class Experimented:
    """The default run (`before`) and a copy of it (`repo`) where two experiments were queued
    and run at once (`queued-stricter`: judge.min_mfd=0.05, `queued-beta`: train_dpo.beta
    doubled), the stricter one run again on its own (`stricter`), and then applied and
    committed: HEAD~1 is the default run, the workspace the stricter one."""

    before: Path
    repo: Path
    plots_show: dict[str, Any]  # `dvc plots show --json` of the default run
    queue_status: str
    queue_logs: dict[str, str]  # experiment name -> `dvc queue logs`
    sequential_out: str
    shown: dict[str, dict[str, Any]]  # experiment name -> its `dvc exp show` data
    results: dict[str, dict[str, Any]]  # experiment name -> its outputs' hashes and metrics
    params_diff: dict[str, Any]
    metrics_diff: dict[str, Any]
    plots_diff: dict[str, Any]


@pytest.fixture(scope="session")
def experimented(golden: Path, tmp_path_factory: pytest.TempPathFactory) -> Experimented:
    """`dvc exp run --queue`, `dvc queue start -j 2`, `dvc exp run`, `dvc exp show`,
    `dvc exp apply`, then `dvc params/metrics/plots diff HEAD~1`, as people drive them; one
    run for the experiment workflow's test and the plots' (two real revisions)."""
    tmp = tmp_path_factory.mktemp("experiments")
    with pytest.MonkeyPatch.context() as monkeypatch:
        repo = copy_of(golden, tmp / "copy", monkeypatch)
        plots_show = json.loads(run(repo, "dvc", "plots", "show", "--json").stdout)
        beta = params_of(repo)["train_dpo"]["beta"]
        changes = {"stricter": "judge.min_mfd=0.05", "beta": f"train_dpo.beta={2 * beta}"}
        for name, change in changes.items():
            run(repo, "dvc", "exp", "run", "--queue", "-n", f"queued-{name}", "-S", change)
        run_queue(repo, workers=2)
        queue_status = run(repo, "dvc", "queue", "status").stdout
        logs = {
            name: run(repo, "dvc", "queue", "logs", f"queued-{name}").stdout for name in changes
        }
        sequential = run(repo, "dvc", "exp", "run", "-n", "stricter", "-S", changes["stricter"])
        run(repo, "git", "checkout", "--", ".")
        shown = {
            e["name"]: e["data"]
            for e in _experiments(json.loads(run(repo, "dvc", "exp", "show", "--json").stdout))
        }
        results = {name: _results(data) for name, data in shown.items()}
        run(repo, "dvc", "exp", "apply", "stricter")
        run(repo, "git", "add", "-A")
        run(repo, "git", "commit", "-qm", "judge.min_mfd 0.05")
        diffs = [
            json.loads(run(repo, "dvc", kind, "diff", "HEAD~1", "--json").stdout)
            for kind in ("params", "metrics", "plots")
        ]
    return Experimented(
        golden / "repo",
        repo,
        plots_show,
        queue_status,
        logs,
        sequential.stdout,
        shown,
        results,
        *diffs,
    )


def _experiments(shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for baseline in shown:
        for exp in baseline.get("experiments") or []:
            out += [r for r in exp.get("revs") or [] if r.get("name")]
    return out


def _results(data: dict[str, Any]) -> dict[str, Any]:
    """What an experiment produced, from its `dvc exp show` data: the hash of every data and
    model file it depends on, and its metrics without the call counts (a run on a warm cache
    makes fewer calls for the same results) or the machine's measurements."""
    hashes = {
        path: dep.get("hash")
        for path, dep in data["deps"].items()
        if path.startswith(("data/", "models/"))
    }
    metrics = {
        path: {k: v for k, v in m["data"].items() if k not in CALL_KEYS + MEASUREMENTS}
        for path, m in data["metrics"].items()
    }
    return {"deps": hashes, "metrics": metrics}


def run_queue(repo: Path, workers: int, deadline_s: float = 1500.0) -> None:
    """`dvc queue start -j N`, then wait until no queued experiment is queued or running.

    The workers run in the background holding the streams `dvc queue start` had, so its
    output goes to a file: a pipe would stay open as long as they live. And a worker can
    outlive the queue (kombu's filesystem broker lets two workers read one message file;
    the loser logs a JSONDecodeError and never shuts down), so the workers still up when the
    queue is done are stopped here."""
    log = repo.parent / "queue-start.log"
    with log.open("w") as out:
        subprocess.run(
            ["dvc", "queue", "start", "-j", str(workers)],
            cwd=repo,
            env=tool_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    try:
        start = time.monotonic()
        while time.monotonic() - start < deadline_s:
            tasks = run(repo, "dvc", "queue", "status").stdout
            if not re.search(r"\b(Queued|Running)\b", tasks):
                return
            time.sleep(2)  # a poll of the queue's own state, not a guess at how long it takes
        raise AssertionError(f"the queue did not finish in {deadline_s:.0f} s:\n{tasks}")
    finally:
        for info in (repo / ".dvc/tmp/exps/celery").glob("dvc-exp-worker-*.json"):
            worker = json.loads(info.read_text())  # dvc-task's record of the process
            if worker["returncode"] is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker["pid"], signal.SIGTERM)
