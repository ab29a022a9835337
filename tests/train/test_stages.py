"""The stage scripts, for real, in the single-process path (the accelerate path is the
command builder's, tested in test_launch.py)."""

import json
import subprocess
from pathlib import Path

import polars as pl
import pytest
import yaml

from distilpipe import io
from distilpipe.train import data
from tests.project import run_stage_script


@pytest.mark.slow
def test_train_sft_then_train_dpo_write_models_metrics_and_curves(
    student: str, judged: pl.DataFrame, tmp_path: Path
) -> None:
    sft, dpo = data.sets_from_judged(judged.head(24))
    io.write_parquet(sft, tmp_path / "data/sft.parquet")
    io.write_parquet(dpo, tmp_path / "data/dpo.parquet")
    common = {"max_steps": 2, "batch_size": 2, "max_length": 256, "eval_size": 4}
    teacher = str(Path(student).with_name("teacher"))
    params = {
        "models": {"student": {"model": student}, "teacher": {"model": teacher}},
        "llm": {"cache_dir": str(tmp_path / "cache")},
        "train_sft": common,  # with the default train_sft.kd: the teacher's targets
        "train_dpo": {**common, "gen_max_new_tokens": 8},
    }
    for name in ("train_sft", "train_dpo"):
        proc = _stage(tmp_path, name, params)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert f"{name}: 2 steps" in proc.stderr
        metrics = json.loads((tmp_path / f"metrics/{name}.json").read_text())
        assert metrics["steps"] == 2 and "curves" not in metrics
        curves = json.loads((tmp_path / f"plots/{name}/curves.json").read_text())
        assert [p["step"] for p in curves] == [1, 2]
        assert not (tmp_path / "checkpoints" / name).exists()
        assert (tmp_path / "dvclive" / name / "metrics.json").is_file()
    assert (tmp_path / "models/student-sft/model.safetensors").is_file()
    assert (tmp_path / "models/student-dpo/model.safetensors").is_file()
    sft_metrics = json.loads((tmp_path / "metrics/train_sft.json").read_text())
    conversations = sft_metrics["conversations"]
    assert sft_metrics["calls"]["cache_misses"] == conversations > 0  # one per conversation
    assert sft_metrics["kd_tokens_scored"] > 0
    assert all(
        "kd_loss" in p for p in json.loads((tmp_path / "plots/train_sft/curves.json").read_text())
    )
    # Again, as after `dvc exp run -S train_sft.kd.alpha=...`: every teacher call is cached.
    params["train_sft"] = {**common, "kd": {"alpha": 1.0}}
    proc = _stage(tmp_path, "train_sft", params)
    assert proc.returncode == 0, proc.stderr[-3000:]
    again = json.loads((tmp_path / "metrics/train_sft.json").read_text())["calls"]
    assert (again["cache_misses"], again["cache_hits"]) == (0, conversations)
    assert (
        "rewards_margins" in json.loads((tmp_path / "metrics/train_dpo.json").read_text())["eval"]
    )


def _stage(tmp_path: Path, name: str, params: dict) -> subprocess.CompletedProcess[str]:
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    return run_stage_script(tmp_path, name)


def test_an_empty_training_set_stops_the_stage_with_one_line(
    student: str, judged: pl.DataFrame, tmp_path: Path
) -> None:
    sft, dpo = data.sets_from_judged(judged.head(0))
    io.write_parquet(sft, tmp_path / "data/sft.parquet")
    io.write_parquet(dpo, tmp_path / "data/dpo.parquet")
    params = {"models": {"student": {"model": student}}}
    for name, path in (("train_sft", "data/sft.parquet"), ("train_dpo", "data/dpo.parquet")):
        proc = _stage(tmp_path, name, params)
        assert proc.returncode == 1
        assert f"{path} has no rows: nothing to train on" in proc.stderr
        assert "Traceback" not in proc.stderr
        assert not (tmp_path / "models" / name.replace("train", "student")).exists()


def test_a_student_that_is_no_folder_stops_the_stage_with_one_line(
    judged: pl.DataFrame, tmp_path: Path
) -> None:
    sft, _ = data.sets_from_judged(judged.head(4))
    io.write_parquet(sft, tmp_path / "data/sft.parquet")
    proc = _stage(tmp_path, "train_sft", {"models": {"student": {"model": "models/tiny/nope"}}})
    assert proc.returncode == 1
    assert "cannot load the tokenizer 'models/tiny/nope': it is neither a folder" in proc.stderr
    assert "Traceback" not in proc.stderr
