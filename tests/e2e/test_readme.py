"""The README's everyday workflow, as a reader types it: the commands of its `workflow`
section (the block the docs site includes too), taken from README.md itself and run one by
one in a copy of the session's finished default run. An edit to the README is what runs
here; a command that fails fails the test."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, copy_of, run

# The section markers pymdownx.snippets reads (mkdocs.yml), so the site shows the same block.
SECTION = re.compile(
    r"<!-- --8<-- \[start:(?P<name>[\w-]+)\] -->\n(?P<body>.*?)<!-- --8<-- \[end:(?P=name)\] -->",
    re.DOTALL,
)
BASH_BLOCK = re.compile(r"^```bash\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def readme_commands(section: str, readme: Path = ROOT / "README.md") -> list[str]:
    """The command lines of the ```bash blocks in the README's marked `section`, in order
    (blank lines and whole-line comments left out; a trailing comment stays, bash drops it)."""
    sections = {m["name"]: m["body"] for m in SECTION.finditer(readme.read_text("utf-8"))}
    if section not in sections:
        raise AssertionError(f"README.md has no section marked {section!r}: {sorted(sections)}")
    lines = [line for block in BASH_BLOCK.findall(sections[section]) for line in block.split("\n")]
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _ran(out: str) -> set[str]:
    return set(re.findall(r"Running stage '([^']+)'", out))


def test_the_workflow_section_holds_the_everyday_commands() -> None:
    commands = readme_commands("workflow")
    tools = [line.split()[:2] for line in commands]
    for expected in (["dvc", "repro"], ["dvc", "exp"], ["distilpipe", "status"]):
        assert expected in tools, f"the README's workflow block lost `{' '.join(expected)}`"
    assert all(tool in ("dvc", "distilpipe") for tool, _ in tools), commands


@pytest.mark.timeout(3600)  # run alone, it waits for the whole default run first
def test_the_readme_workflow_runs_on_a_finished_default_run(
    golden: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command of the README's workflow block succeeds, in order, on a copy of the
    default run. The block must stay cheap to run: `dvc repro` finds nothing to do, and its
    experiment re-runs only `evaluate`, every call a cache hit (the README says so)."""
    repo = copy_of(golden, tmp_path / "copy", monkeypatch)
    outputs = {}
    for command in readme_commands("workflow"):
        outputs[command] = run(repo, "bash", "-c", command).stdout  # raises if it fails
    for command, out in outputs.items():
        words = command.split()
        if words[:2] == ["dvc", "repro"]:
            assert _ran(out) == set(), f"{command}\n{out}"
        if words[:3] == ["dvc", "exp", "run"]:
            assert _ran(out) == {"evaluate"}, f"{command}\n{out}"
            calls = json.loads((repo / "metrics/eval.json").read_text())["calls"]
            misses = {
                f"{kind}.{name}": c["cache_misses"]
                for kind, counts in calls.items()
                for name, c in counts.items()
                if c["cache_misses"]
            }
            assert misses == {}, f"{command} made new calls: {misses}"
        if words[:2] == ["distilpipe", "report"] and "--out" not in words:
            assert (repo / "reports/plots/index.md").is_file(), out
