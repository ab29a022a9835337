"""Cache export/import: content-addressed shards that travel with the data (dvc add/push), so
a teammate's fresh cache answers every call of a finished run as a hit."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import polars as pl
import pytest

from distilpipe import io
from distilpipe.cli import main
from distilpipe.errors import InputError
from distilpipe.llm.cache import CallCache
from distilpipe.llm.client import LLMClient, row_seed
from distilpipe.llm.share import export_cache, import_cache
from distilpipe.llm.types import GenerateRequest, Sampling
from tests.llm.test_client import EchoBackend

QUESTIONS = [f"Question number {i}: what is {i} times {i + 1}?" for i in range(300)]


def _run(cache: CallCache, questions: list[str] = QUESTIONS) -> tuple[list, dict[str, int]]:
    client = LLMClient(EchoBackend(), cache, batch_size=16)
    requests = [
        GenerateRequest(({"role": "user", "content": q},), Sampling(seed=row_seed(q, "t")))
        for q in questions
    ]
    return client.generate(requests), client.stats.as_dict()


def test_a_fresh_cache_after_import_answers_every_call_of_a_finished_run(tmp_path: Path) -> None:
    with CallCache(tmp_path / "mine") as mine:
        first, stats = _run(mine)
        assert stats["cache_misses"] == len(QUESTIONS)
        report = export_cache(mine, tmp_path / "shards")
    assert report.entries == len(QUESTIONS)
    assert report.written == report.shards and report.removed == 0
    assert 100 < report.shards <= 256  # bucketed by the key's first two hex digits

    with CallCache(tmp_path / "teammate") as theirs:
        imported = import_cache(theirs, tmp_path / "shards")
        assert (imported.imported, imported.skipped) == (len(QUESTIONS), 0)
        again, stats = _run(theirs)
        assert stats["cache_hits"] == len(QUESTIONS) and stats["cache_misses"] == 0
        assert again == first
        # importing twice is harmless: every key is already there
        twice = import_cache(theirs, tmp_path / "shards")
        assert (twice.imported, twice.skipped) == (0, len(QUESTIONS))


def test_export_is_a_deterministic_snapshot_that_rewrites_only_touched_shards(
    tmp_path: Path,
) -> None:
    with CallCache(tmp_path / "cache") as cache:
        _run(cache)
        export_cache(cache, tmp_path / "a")
        export_cache(cache, tmp_path / "b")
        names = sorted(p.name for p in (tmp_path / "a").iterdir())
        assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
        before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "a").iterdir()}

        _run(cache, ["One more question, new since the last export?"])
        report = export_cache(cache, tmp_path / "a")
        assert (report.written, report.removed) == (1, 1)  # one bucket's shard replaced
        after = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "a").iterdir()}
        assert len(set(after) - set(before)) == 1
        assert all(after[name] == before[name] for name in set(after) & set(before))


def test_export_filters_by_model_and_date(tmp_path: Path) -> None:
    with CallCache(tmp_path / "cache", clock=lambda: 1_000.0) as cache:
        cache.put_many({"aa" + "0" * 62: ("generate", "local:old", {"text": "a"})})
    with CallCache(tmp_path / "cache", clock=lambda: 2_000.0) as cache:
        cache.put_many({"bb" + "0" * 62: ("generate", "local:new", {"text": "b"})})
        assert export_cache(cache, tmp_path / "m", model="local:old").entries == 1
        assert export_cache(cache, tmp_path / "d", since=1_500.0).entries == 1
        with CallCache(tmp_path / "other") as other:
            import_cache(other, tmp_path / "d")
            assert [row[2] for row in other.entries()] == ["local:new"]
            assert other.entries()[0][-1] == 2_000.0  # created travels with the entry


def test_a_corrupt_shard_fails_clearly_and_nothing_is_imported(tmp_path: Path) -> None:
    with CallCache(tmp_path / "cache") as cache:
        _run(cache)
        export_cache(cache, tmp_path / "shards")
    shards = sorted((tmp_path / "shards").iterdir())

    # a flipped byte: the name's digest no longer matches
    broken = tmp_path / "flipped"
    shutil.copytree(tmp_path / "shards", broken)
    victim = broken / shards[5].name
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    with CallCache(tmp_path / "fresh") as fresh:
        with pytest.raises(InputError, match=rf"{victim.name}: corrupt shard"):
            import_cache(fresh, broken)
        assert fresh.entries() == []

    # an edited value written as a well-named shard: its row digest gives it away
    edited = tmp_path / "edited"
    shutil.copytree(tmp_path / "shards", edited)
    original = edited / shards[7].name
    frame = pl.read_parquet(original)
    frame = frame.with_columns(pl.lit('{"text": "forged"}').alias("value"))
    original.unlink()
    io.write_parquet(frame, edited / "tmp.parquet")
    digest = hashlib.sha256((edited / "tmp.parquet").read_bytes()).hexdigest()[:32]
    forged = edited / f"calls-{shards[7].name[6:8]}-{digest}.parquet"
    (edited / "tmp.parquet").rename(forged)
    with CallCache(tmp_path / "fresh") as fresh:
        with pytest.raises(InputError, match=rf"{forged.name}:row 1: entry .* its digest"):
            import_cache(fresh, edited)
        assert fresh.entries() == []

    # a stray file is not taken for a shard
    stray = tmp_path / "stray"
    shutil.copytree(tmp_path / "shards", stray)
    (stray / "notes.parquet").write_bytes(b"")
    with CallCache(tmp_path / "fresh") as fresh, pytest.raises(InputError, match="not a cache"):
        import_cache(fresh, stray)


def test_cli_export_then_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with CallCache(tmp_path / "cache") as cache:
        _run(cache, QUESTIONS[:20])
    shards = str(tmp_path / "shards")
    assert main(["cache", "export", shards, "--cache-dir", str(tmp_path / "cache")]) == 0
    assert "exported 20 entries as" in capsys.readouterr().out
    assert main(["cache", "import", shards, "--cache-dir", str(tmp_path / "new")]) == 0
    assert "imported 20 of 20 entries" in capsys.readouterr().out
    assert main(["cache", "import", str(tmp_path / "nope"), "--cache-dir", str(tmp_path)]) == 1
    assert "no such folder of cache shards" in capsys.readouterr().err
    assert (
        main(
            [
                "cache",
                "export",
                shards,
                "--since",
                "2026-11-01",
                "--cache-dir",
                str(tmp_path / "cache"),
            ]
        )
        == 0
    )
    with pytest.raises(SystemExit):
        main(["cache", "export", shards, "--since", "last week"])


def test_token_logprobs_travel_with_their_arrays_and_a_missing_one_stops_the_import(
    tmp_path: Path,
) -> None:
    from tests.llm.test_token_logprobs_cache import TopKBackend, _request

    requests = [_request((5, 6, 7, 8)), _request((9, 10, 11))]
    with CallCache(tmp_path / "mine") as mine:
        first = LLMClient(TopKBackend(), mine).token_logprobs(requests)
        export_cache(mine, tmp_path / "shards")
    (sidecar,) = (tmp_path / "shards/token_logprobs").glob("*.arrow")
    with CallCache(tmp_path / "theirs") as theirs:
        import_cache(theirs, tmp_path / "shards")
        backend = TopKBackend()
        assert LLMClient(backend, theirs).token_logprobs(requests) == first
    assert backend.scored == []  # every call answered from the imported arrays
    sidecar.unlink()
    with CallCache(tmp_path / "third") as third:
        with pytest.raises(InputError, match=sidecar.name):
            import_cache(third, tmp_path / "shards")
        assert third.stats()["rows"] == 0  # nothing imported
