"""A full disk: the stage fails with one line, its previous outputs stay as they were, and
the call cache keeps everything committed before. On a real small filesystem (a tmpfs the
test mounts, in a user namespace where this user may not mount one: tests/reliability's
conftest, `small_fs`) and through a write hook that raises ENOSPC."""

from __future__ import annotations

import errno
import hashlib
import runpy
import sqlite3
from pathlib import Path

import polars as pl
import pytest
import yaml

from distilpipe import io
from distilpipe.errors import DistilpipeError
from distilpipe.llm.cache import CallCache
from distilpipe.llm.client import LLMClient
from distilpipe.llm.types import GenerateRequest, Sampling
from distilpipe.schema import ROW_SCHEMA
from distilpipe.sources.rows import message_id
from tests.llm.test_client import EchoBackend

ROOT = Path(__file__).resolve().parents[2]


def _fill(folder: Path, leave: int) -> None:
    """Fill the filesystem of `folder` until about `leave` bytes are free."""
    import shutil

    free = shutil.disk_usage(folder).free
    (folder / "filler").write_bytes(b"\0" * max(0, free - leave))


def _project(root: Path, n: int) -> None:
    """A pool stage's project: params and one ingested source of n rows."""
    rows = []
    for i in range(n):
        messages = [
            {"role": "user", "content": f"Question {i}: how do I sort a list of {i} numbers?"},
            {"role": "assistant", "content": "Use sorted(). " * 20},
        ]
        rows.append(
            {
                "id": message_id(messages),
                "source": "a",
                "source_id": str(i),
                "messages": messages,
                "lang": "und",
                "origin": "source",
                "parent_id": None,
                "meta": "{}",
            }
        )
    params = {"sources": {"a": {"format": "messages", "path": "a.jsonl"}}}
    (root / "params.yaml").write_text(yaml.safe_dump(params))
    io.write_parquet(pl.DataFrame(rows, schema=ROW_SCHEMA), root / "data/ingested/a.parquet")


def _digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "filler" and "ingested" not in p.parts
    }


def _run_pool(root: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(root)
    try:
        runpy.run_path(str(ROOT / "stages/pool.py"), run_name="__main__")
    except SystemExit as exit_:
        return int(exit_.code or 0), capsys.readouterr().err
    return 0, capsys.readouterr().err


def test_stage_on_a_full_tmpfs_fails_in_one_line_and_keeps_its_outputs(
    small_fs: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    _project(small_fs, 50)
    assert _run_pool(small_fs, monkeypatch, capsys)[0] == 0
    before = _digests(small_fs)
    _project(small_fs, 3000)  # a bigger input, then no room for its outputs
    _fill(small_fs, leave=8 * 1024)
    code, err = _run_pool(small_fs, monkeypatch, capsys)
    assert code == 1
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].endswith(": No space left on device"), err
    assert "Traceback" not in err
    assert _digests(small_fs) == before  # the previous outputs, whole; no temp files left


def test_stage_with_a_write_that_raises_enospc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    _project(tmp_path, 50)
    assert _run_pool(tmp_path, monkeypatch, capsys)[0] == 0
    before = _digests(tmp_path)
    _project(tmp_path, 60)

    def full(self, file, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device", str(file))

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    code, err = _run_pool(tmp_path, monkeypatch, capsys)
    assert code == 1
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert errors == ["error: data/pool.parquet: No space left on device"]
    assert _digests(tmp_path) == before


def test_cache_on_a_full_tmpfs_keeps_what_was_committed(small_fs: Path) -> None:
    cache_dir = small_fs / "cache"
    first = [f"short question {i}" for i in range(20)]
    with CallCache(cache_dir) as cache:
        LLMClient(EchoBackend(), cache, batch_size=5).generate(
            [GenerateRequest(({"role": "user", "content": q},), Sampling()) for q in first]
        )
    _fill(small_fs, leave=64 * 1024)
    big = [f"long question {i}: " + "x" * 20_000 for i in range(200)]
    with CallCache(cache_dir) as cache:
        client = LLMClient(EchoBackend(), cache, batch_size=5)
        with pytest.raises(DistilpipeError, match=r"call cache .*calls\.sqlite: .*full"):
            client.generate(
                [GenerateRequest(({"role": "user", "content": q},), Sampling()) for q in big]
            )
    (small_fs / "filler").unlink()
    with sqlite3.connect(cache_dir / "calls.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with CallCache(cache_dir) as cache:
        again = LLMClient(EchoBackend(), cache, batch_size=5)
        again.generate(
            [GenerateRequest(({"role": "user", "content": q},), Sampling()) for q in first]
        )
        assert again.stats.cache_hits == len(first)
