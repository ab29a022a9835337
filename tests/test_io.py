import json
from pathlib import Path

import polars as pl
import pytest

from distilpipe import io


def test_parquet_is_byte_identical_for_equal_frames(tmp_path: Path) -> None:
    frame = pl.DataFrame({"a": list(range(1000)), "b": [f"text {i} 中文" for i in range(1000)]})
    io.write_parquet(frame, tmp_path / "one.parquet")
    io.write_parquet(frame.clone(), tmp_path / "two.parquet")
    assert (tmp_path / "one.parquet").read_bytes() == (tmp_path / "two.parquet").read_bytes()


def test_failed_write_leaves_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    io.write_json({"v": 1}, target)
    with pytest.raises(TypeError), io.atomic_path(target) as tmp:
        tmp.write_text("partial")
        raise TypeError("crash mid-write")
    assert json.loads(target.read_text()) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_jsonl(tmp_path: Path) -> None:
    io.write_jsonl([{"a": "中"}, {"b": 2}], tmp_path / "x" / "y.jsonl")
    assert (tmp_path / "x" / "y.jsonl").read_text(encoding="utf-8") == '{"a": "中"}\n{"b": 2}\n'


def test_outputs_get_the_usual_permissions(tmp_path: Path) -> None:
    io.write_json({}, tmp_path / "m.json")
    mode = (tmp_path / "m.json").stat().st_mode & 0o777
    assert mode == 0o666 & ~io._UMASK


def test_a_killed_writers_temp_file_is_cleared_by_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    stale = tmp_path / ".out.json.abc123.tmp"  # what SIGKILL before the rename leaves
    stale.write_text("{half")
    other = tmp_path / ".other.json.abc123.tmp"  # another output's: not ours to touch
    other.write_text("{}")
    io.write_json({"a": 1}, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.json.abc123.tmp", "out.json"]


def test_staging_dir_clears_stale_folders_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "model"
    (tmp_path / ".model.killed1.tmp").mkdir()
    (tmp_path / ".model.killed1.tmp" / "weights").write_text("half")
    (tmp_path / ".model.old.tmp").mkdir()  # replace_dir's aside folder, killed mid-swap
    with io.staging_dir(target) as new:
        (new / "weights").write_text("whole")
        io.replace_dir(new, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    assert (target / "weights").read_text() == "whole"
    with pytest.raises(RuntimeError), io.staging_dir(target) as new:
        (new / "weights").write_text("never used")
        raise RuntimeError("the build failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
