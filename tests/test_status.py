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


# Each stage's job as its metrics file says it: (stage, metrics when it did none of it, the
# reason `status` gives, metrics when it had nothing to do).
IDLE_CASES = [
    (
        "translate",
        {"rows_in": 96, "rows_out": 96, "rows_added": 0, "quota_rows": 13},
        "filled 0 of 13 quota rows",
        {"rows_in": 96, "rows_out": 96, "rows_added": 0, "quota_rows": 0},
    ),
    (
        "expand",
        {"rows_in": 102, "rows_out": 102, "rows_added": 0, "rows_wanted": 94},
        "added 0 of 94 wanted",
        {"rows_in": 102, "rows_out": 102, "rows_added": 0, "rows_wanted": 0},
    ),
    (
        "multiturn",
        {"rows_in": 105, "rows_out": 105, "rows_chosen": 26, "rows_added": 0},
        "continued 0 of 26 chosen",
        {"rows_in": 105, "rows_out": 105, "rows_chosen": 0, "rows_added": 0},
    ),
    (
        "rewrite",
        {"rows": 131, "turns": 186, "turns_rewritten": 0},
        "rewrote 0 of 186 turns",
        {"rows": 0, "turns": 0, "turns_rewritten": 0},
    ),
    (
        "self_distill",
        {"rows_in": 131, "restatement": {"accepted": 0}, "sft_rows": 131, "dpo_pairs": 107},
        "accepted 0 of 131 restatements",
        {"rows_in": 0, "restatement": {"accepted": 0}, "sft_rows": 0, "dpo_pairs": 0},
    ),
    (
        "self_distill",
        {"rows_in": 131, "restatement": {"accepted": 48}, "sft_rows": 131, "dpo_pairs": 0},
        "made 0 DPO pairs from 131 rows",
        {"rows_in": 0, "restatement": {"accepted": 0}, "sft_rows": 0, "dpo_pairs": 0},
    ),
    (
        "classify",
        {"rows": 400, "seed_size": 160, "seed_labelled": 0},
        "labelled 0 of 160 seed rows",
        {"rows": 400, "seed_size": 0, "seed_labelled": 0},
    ),
    (
        "judge",
        {"rows_in": 460, "rows_kept": 0, "dropped": {"below_min_mfd": 460}},
        "kept 0 of 460 rows",
        {"rows_in": 0, "rows_kept": 0, "dropped": {"below_min_mfd": 0}},
    ),
]


def one_stage(tmp_path: Path, name: str, metrics: dict[str, object]) -> Path:
    stage = {"cmd": "x", "metrics": [{f"metrics/{name}.json": {"cache": False}}]}
    (tmp_path / "dvc.yaml").write_text(yaml.safe_dump({"stages": {name: stage}}))
    (tmp_path / "params.yaml").write_text("{}\n")
    (tmp_path / "metrics").mkdir(exist_ok=True)
    (tmp_path / "metrics" / f"{name}.json").write_text(json.dumps(metrics))
    return tmp_path


@pytest.mark.parametrize(("name", "did_none", "reason", "nothing_to_do"), IDLE_CASES)
def test_a_stage_that_did_its_job_for_none_of_its_rows_warns(
    tmp_path: Path,
    name: str,
    did_none: dict[str, object],
    reason: str,
    nothing_to_do: dict[str, object],
) -> None:
    (s,) = status.read_status(one_stage(tmp_path, name, did_none), changed=set())
    assert s.warnings == [reason]
    line = status.format_status([s], None).splitlines()[1]
    assert line.startswith(name) and line.endswith(f"  warn  {reason}")


@pytest.mark.parametrize(("name", "did_none", "reason", "nothing_to_do"), IDLE_CASES)
def test_a_stage_with_nothing_to_do_is_ok(
    tmp_path: Path,
    name: str,
    did_none: dict[str, object],
    reason: str,
    nothing_to_do: dict[str, object],
) -> None:
    (s,) = status.read_status(one_stage(tmp_path, name, nothing_to_do), changed=set())
    assert s.warnings == []
    assert status.format_status([s], None).splitlines()[1].endswith("  ok")


def test_the_committed_default_run_has_no_warnings() -> None:
    root = Path(__file__).resolve().parents[1]
    warned = {s.name: s.warnings for s in status.read_status(root) if s.warnings}
    assert warned == {}


def test_a_changed_stage_that_did_nothing_says_both(tmp_path: Path) -> None:
    project = one_stage(tmp_path, "expand", {"rows_in": 5, "rows_added": 0, "rows_wanted": 4})
    (s,) = status.read_status(project, changed={"expand"})
    line = status.format_status([s], None).splitlines()[1]
    assert line.split()[-7:] == ["changed,", "warn", "added", "0", "of", "4", "wanted"]
