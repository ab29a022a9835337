"""End-to-end tests run `dvc repro` in a temporary git + DVC repo holding a copy of the
project, with the LLM call cache in a temporary folder of its own."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.project import BIN, ROOT, make_repo, run

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
