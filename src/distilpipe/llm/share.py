"""Sharing the call cache: export it as content-addressed Parquet shards, import shards back.

A folder of shards is what travels with the project's data: `dvc add` it, `dvc push` it, and
a teammate who pulls it and imports it re-runs the pipeline with a hit for every call already
made. The layout is made for that:

- Entries are bucketed by the first two hex digits of their key (up to 256 shards) and sorted
  by key inside a shard, so exporting again after a few new calls rewrites only the shards
  those calls fall in; DVC then pushes only those files.
- A shard is named `calls-<bucket>-<digest>.parquet`, where digest is the first 32 hex digits of
  the SHA-256 of its bytes; each row also carries the SHA-256 of its key, kind, model and value.
  Import checks both before it writes anything, so a truncated or edited shard fails with one
  line naming it, and nothing is imported.
- An export is a snapshot: the folder afterwards holds exactly the selected entries (shards
  no longer produced are removed; identical ones are left untouched).

Import merges: a key already in the cache keeps its value (the cache's first-value-wins rule),
so importing twice, or importing shards that overlap, is harmless.

`token_logprobs` entries point to Arrow files beside the database (`sidecar.py`); export
copies the ones its entries point to into the folder's `token_logprobs/` (named by their
content, so unchanged ones are left alone), and import copies them in, checked against their
names, before it writes an entry that points to them.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from distilpipe import io
from distilpipe.errors import InputError
from distilpipe.llm.cache import CallCache
from distilpipe.llm.sidecar import FOLDER, LogprobShards

SHARD = re.compile(r"calls-([0-9a-f]{2})-([0-9a-f]{32})\.parquet")
SHARD_SCHEMA = pl.Schema(
    {
        "key": pl.String,
        "kind": pl.String,
        "model": pl.String,
        "value": pl.String,
        "prompt_tokens": pl.Int64,
        "completion_tokens": pl.Int64,
        "created": pl.Float64,
        "sha256": pl.String,
    }
)
COLUMNS = list(SHARD_SCHEMA)[:-1]


@dataclass
class ExportReport:
    entries: int
    shards: int
    written: int  # shards whose bytes were new
    removed: int  # old shards no longer part of the snapshot


@dataclass
class ImportReport:
    shards: int
    entries: int
    imported: int  # new to this cache
    skipped: int  # already there


def entry_digest(key: str, kind: str, model: str, value: str) -> str:
    """SHA-256 of an entry's key, kind, model and value (NUL-separated)."""
    return hashlib.sha256(f"{key}\0{kind}\0{model}\0{value}".encode()).hexdigest()


def export_cache(
    cache: CallCache, folder: str | Path, model: str | None = None, since: float | None = None
) -> ExportReport:
    """Write the cache's entries (only `model`'s, only those created at or after `since`,
    when given) as shards into `folder`, replacing the shards that were there."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    buckets: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    rows = cache.entries(model, since)
    for row in rows:
        buckets[row[0][:2]].append(row)
    keep: set[str] = set()
    written = 0
    for bucket in sorted(buckets):
        frame = pl.DataFrame(buckets[bucket], schema=COLUMNS, orient="row").with_columns(
            pl.Series(
                "sha256", [entry_digest(*row[:4]) for row in buckets[bucket]], dtype=pl.String
            )
        )
        frame = frame.cast(SHARD_SCHEMA)
        tmp = folder / f".calls-{bucket}.tmp.parquet"
        io.write_parquet(frame, tmp)
        name = f"calls-{bucket}-{_file_digest(tmp)}.parquet"
        keep.add(name)
        if (folder / name).exists():
            tmp.unlink()
        else:
            tmp.rename(folder / name)
            written += 1
    removed = 0
    for old in folder.glob("calls-*.parquet"):
        if old.name not in keep:
            old.unlink()
            removed += 1
    target = LogprobShards(folder / FOLDER)
    wanted = _sidecars(rows)
    for name in sorted(wanted - target.names()):
        target.folder.mkdir(exist_ok=True)
        shutil.copyfile(cache.shards.path(name), target.path(name))
    for name in target.names() - wanted:
        target.path(name).unlink()
    return ExportReport(len(rows), len(keep), written, removed)


def import_cache(cache: CallCache, folder: str | Path) -> ImportReport:
    """Merge every shard in `folder` into the cache. Every shard is checked first (its name's
    digest, its schema, each row's digest); a bad one raises InputError naming it, and then
    nothing is imported at all."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(str(folder), "no such folder of cache shards")
    # hidden files are an interrupted export's temporaries, not shards
    paths = sorted(p for p in folder.glob("*.parquet") if not p.name.startswith("."))
    frames = [_checked_shard(path) for path in paths]
    rows = [row for frame in frames for row in frame.select(COLUMNS).iter_rows()]
    source = LogprobShards(folder / FOLDER)
    needed = sorted(_sidecars(rows) - cache.shards.names())
    for name in needed:
        path = source.path(name)
        if not path.is_file():
            raise InputError(str(path), "missing: token_logprobs entries point to it")
        if _file_digest(path) != name:
            raise InputError(str(path), "corrupt: its bytes do not match the digest in its name")
    for name in needed:  # all checked: now copy, then write the entries that point to them
        cache.shards.folder.mkdir(exist_ok=True)
        shutil.copyfile(source.path(name), cache.shards.path(name))
    imported = cache.put_entries(rows)
    return ImportReport(len(paths), len(rows), imported, len(rows) - imported)


def _sidecars(rows: list[tuple[Any, ...]]) -> set[str]:
    """The sidecar files the token_logprobs entries among `rows` point to."""
    return {str(json.loads(row[3])["shard"]) for row in rows if row[1] == "token_logprobs"}


def _checked_shard(path: Path) -> pl.DataFrame:
    match = SHARD.fullmatch(path.name)
    if match is None:
        raise InputError(str(path), "not a cache shard (calls-<bucket>-<digest>.parquet)")
    if _file_digest(path) != match.group(2):
        raise InputError(str(path), "corrupt shard: its bytes do not match the digest in its name")
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several error types for a bad file
        raise InputError(str(path), f"unreadable shard: {exc}") from None
    if frame.schema != SHARD_SCHEMA:
        raise InputError(str(path), f"shard columns {dict(frame.schema)} are not {SHARD_SCHEMA}")
    for number, row in enumerate(frame.iter_rows(), start=1):
        key = row[0]
        if not key.startswith(match.group(1)) or entry_digest(*row[:4]) != row[-1]:
            raise InputError(str(path), f"entry {key} does not match its digest", number, "row")
    return frame


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()[:32]
