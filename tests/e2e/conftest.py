"""End-to-end tests run `dvc repro` in a temporary git + DVC repo holding a copy of the
project, with the LLM call cache in a temporary folder of its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Metric keys that measure the machine, not the result (the training stages' timings and
# memory): two runs of the same inputs differ only in these.
MEASUREMENTS = ("wall_seconds", "peak_memory_bytes")


def run(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a command in `repo` with the venv's tools first on PATH."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def set_params(repo: Path, **sections: Any) -> None:
    """Replace whole top-level sections of the repo's params.yaml."""
    params = yaml.safe_load((repo / "params.yaml").read_text())
    params.update(sections)
    (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def params_of(repo: Path) -> dict[str, Any]:
    return dict(yaml.safe_load((repo / "params.yaml").read_text()))


def make_repo(repo: Path) -> Path:
    """A git + DVC repo at `repo` holding a copy of the project: pipeline, params, code,
    samples, the bootstrap corpus, the project's plot templates and ignore files (no
    outputs)."""
    repo.mkdir(parents=True)
    for name in ("dvc.yaml", "params.yaml"):
        shutil.copy(ROOT / name, repo / name)
    for name in ("stages", "src"):
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    for data in ("samples", "bootstrap"):
        shutil.copytree(ROOT / "data" / data, repo / "data" / data)
    shutil.copy(ROOT / ".gitignore", repo / ".gitignore")
    run(repo, "git", "init", "-q")
    run(repo, "git", "config", "user.email", "e2e@example.invalid")
    run(repo, "git", "config", "user.name", "e2e")
    run(repo, "dvc", "init", "-q")
    run(repo, "dvc", "config", "core.analytics", "false")
    # after `dvc init`, which would not create .dvc/ over an existing one
    shutil.copytree(ROOT / ".dvc" / "plots", repo / ".dvc" / "plots")
    shutil.copy(ROOT / ".dvcignore", repo / ".dvcignore")
    return repo


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
