"""`distilpipe status`: rows, drops, calls and hit rates per stage read from metrics files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from distilpipe import cli, status

DVC_YAML = {
    "stages": {
        "ingest": {
            "foreach": "${sources}",
            "do": {"cmd": "x", "metrics": [{"metrics/ingest/${key}.json": {"cache": False}}]},
        },
        "judge": {"cmd": "x", "metrics": [{"metrics/judge.json": {"cache": False}}]},
        "sample": {"cmd": "x", "metrics": ["metrics/sample.json"]},
        "evaluate": {"cmd": "x", "metrics": [{"metrics/eval.json": {"cache": False}}]},
        "train_sft": {"cmd": "x", "metrics": [{"metrics/train_sft.json": {"cache": False}}]},
    }
}
METRICS = {
    "ingest/a.json": {"records": 10, "rows": 9, "rejected": 1, "reasons": {"empty_turn": 1}},
    "ingest/b.json": {"records": 5, "rows": 5, "rejected": 0, "reasons": {"empty_turn": 0}},
    "judge.json": {
        "rows_in": 9,
        "rows_kept": 4,
        "dropped": {"below_min_mfd": 3, "too_long": 2, "failed": 0},
        "calls": {"calls": 36, "cache_hits": 27, "failed": 1, "too_long": 2, "by_role": {}},
    },
    "sample.json": {"rows_in": 4, "rows_sampled": 3},
    "eval.json": {
        "base": {"ifeval": {"prompt_loose": 12.5, "prompt_strict": 10.0}},
        "sft": {"alpaca_eval": {"lc_win_rate": 51.25}},
        "calls": {
            "by_model": {"base": {"calls": 10, "cache_hits": 10}, "sft": {"calls": 10}},
            "by_role": {"judge": {"calls": 20, "cache_hits": 5, "failed": 2}},
        },
    },
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "dvc.yaml").write_text(yaml.safe_dump(DVC_YAML, sort_keys=False))
    (tmp_path / "params.yaml").write_text(yaml.safe_dump({"sources": {"a": {}, "b": {}}}))
    for name, metrics in METRICS.items():
        path = tmp_path / "metrics" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(metrics))
    return tmp_path


def test_each_stage_reads_its_own_metrics_shape(project: Path) -> None:
    by_name = {s.name: s for s in status.read_status(project, changed={"sample"})}
    assert list(by_name) == ["ingest@a", "ingest@b", "judge", "sample", "evaluate", "train_sft"]
    a = by_name["ingest@a"]
    assert (a.rows_in, a.rows_out, a.drops, a.calls) == (10, 9, {"empty_turn": 1}, {})
    judge = by_name["judge"]
    assert (judge.rows_in, judge.rows_out) == (9, 4)
    assert judge.drops == {"below_min_mfd": 3, "too_long": 2, "failed": 0}
    assert judge.calls == {"calls": 36, "cache_hits": 27, "failed": 1, "too_long": 2}
    assert by_name["evaluate"].calls == {"calls": 40, "cache_hits": 15, "failed": 2, "too_long": 0}
    assert by_name["sample"].changed and not judge.changed
    assert by_name["train_sft"].missing


def test_the_printed_table(project: Path) -> None:
    text = status.format_status(
        status.read_status(project, changed={"sample"}),
        json.loads((project / "metrics" / "eval.json").read_text()),
    )
    lines = text.splitlines()
    assert lines[0].split() == [
        "stage",
        "rows",
        "in",
        "rows",
        "out",
        "LLM",
        "calls",
        "hits",
        "failed",
        "state",
    ]
    assert lines[3].split() == ["judge", "9", "4", "36", "75%", "1", "ok"]
    assert lines[4].split() == ["sample", "4", "3", "-", "-", "-", "changed"]
    assert lines[6].split() == ["train_sft", "-", "-", "-", "-", "-", "no", "metrics"]
    assert "  judge: below_min_mfd 3, too_long 2" in lines
    assert "  ingest@a: empty_turn 1" in lines and not any("ingest@b" in x for x in lines[8:])
    assert lines[-2].split() == ["base", "-", "-", "-", "12.50", "10.00"]
    assert lines[-1].split() == ["sft", "51.25", "-", "-", "-", "-"]


def test_the_command_inside_a_dvc_project(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    subprocess.run([sys.executable, "-m", "dvc", "init", "--no-scm", "-q"], cwd=project, check=True)
    monkeypatch.chdir(project)
    assert cli.main(["status", "--no-dvc"]) == 0
    out = capsys.readouterr().out
    assert "judge" in out and "75%" in out and "evaluation (metrics/eval.json):" in out
