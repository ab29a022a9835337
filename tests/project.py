"""A git + DVC copy of this project in a temporary folder, and commands run in it: what the
end-to-end tests and the benchmarks that run the pipeline (bench/incremental.py) build on.
No pytest here, so a benchmark can import it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# tests/killpoints/sitecustomize.py: a process on this PYTHONPATH can SIGKILL itself at an
# event it signals (see there)
KILLPOINTS = Path(__file__).resolve().parent / "killpoints"


def kill_env(script: str, at: str | None = None, log: Path | None = None) -> dict[str, str]:
    """Environment variables that make `script` (a stage script's key or file name, or `*`)
    log its kill points to `log` and, with `at` (`put:3`, `replace:1`), SIGKILL itself there."""
    env = {
        "DISTILPIPE_KILL_SCRIPT": script,
        "PYTHONPATH": os.pathsep.join(
            [str(KILLPOINTS), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    if at is not None:
        env["DISTILPIPE_KILL_AT"] = at
    if log is not None:
        env["DISTILPIPE_KILL_LOG"] = str(log)
    return env


def tool_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment with the venv's tools first on PATH (and `env` added)."""
    return {**os.environ, **(env or {}), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}


def run(
    repo: Path, *args: str, check: bool = True, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command in `repo` with the venv's tools first on PATH (and `env` added)."""
    proc = subprocess.run(
        args, cwd=repo, env=tool_env(env), capture_output=True, text=True, check=False
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def make_repo(repo: Path) -> Path:
    """A git + DVC repo at `repo` holding a copy of the project: pipeline, params, code,
    samples, the tiny world, the committed stand-in models, the project's plot templates and
    ignore files (no other outputs)."""
    repo.mkdir(parents=True)
    for name in ("dvc.yaml", "params.yaml"):
        shutil.copy(ROOT / name, repo / name)
    for name in ("stages", "src"):
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    for data in ("samples", "world"):
        shutil.copytree(ROOT / "data" / data, repo / "data" / data)
    # the frozen bootstrap stage's outputs, committed as a clone has them
    for role in ("teacher", "student"):
        shutil.copytree(ROOT / "models/tiny" / role, repo / "models/tiny" / role)
    for out in ("metrics/bootstrap.json", "plots/bootstrap/loss.json"):
        (repo / out).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / out, repo / out)
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


def run_stage_script(folder: Path, stage: str) -> subprocess.CompletedProcess[str]:
    """`python stages/<stage>.py` in `folder` (its params.yaml and inputs put there by the
    caller), with the project's stage scripts and package, offline, and an LLM cache of its
    own; not checked, so a test can look at a failure."""
    shutil.copytree(ROOT / "stages", folder / "stages", dirs_exist_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "HF_HUB_OFFLINE": "1",
        "DISTILPIPE_CACHE_DIR": str(folder / "llm-cache"),
    }
    return subprocess.run(
        [sys.executable, f"stages/{stage}.py"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
