"""The content-addressed LLM call cache: one SQLite file shared by every stage and workspace.

A call's key hashes everything that decides its answer (model identity, kind, messages,
sampling parameters with the seed, prompt template hash); its value is the backend's JSON
result. The database lives outside DVC outputs, so `dvc repro`, queued `dvc exp run`
workspaces and a stage killed halfway all reuse what was already computed.

An identity says nothing to a person (`local:0f92…`), so the cache also keeps the names each
identity was called by (the folder, Hub id or API model as params give it), written with its
calls; `stats` reports them. A cache written before names were kept has none: its
identities are shown as they are.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Any

from distilpipe.errors import DistilpipeError, InputError
from distilpipe.llm.sidecar import FOLDER, LogprobShards
from distilpipe.params import ModelSpec, Params

KEY_VERSION = 1
DB_NAME = "calls.sqlite"
HASH_CHUNK = 8 * 1024 * 1024
QUERY_CHUNK = 500
# Refreshing `used` is a write; doing it at most hourly per row keeps warm re-runs read-only.
USED_REFRESH_S = 3600.0
# A file modified this recently may still change within the filesystem's timestamp
# granularity without its mtime moving, so its digest is not remembered (git's "racy" rule).
RACY_WINDOW_NS = 2_000_000_000

CONFIG_SUFFIXES = frozenset({".json", ".txt", ".model", ".jinja", ".tiktoken", ".py"})
WEIGHT_SUFFIXES = frozenset({".safetensors", ".bin", ".pt", ".gguf"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    model TEXT NOT NULL,
    value TEXT NOT NULL,
    prompt_tokens INT NOT NULL DEFAULT 0,
    completion_tokens INT NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    used REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS model_names (
    identity TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (identity, name)
);
CREATE TABLE IF NOT EXISTS file_digests (
    path TEXT PRIMARY KEY,
    size INT NOT NULL,
    mtime_ns INT NOT NULL,
    sha256 TEXT NOT NULL
);
"""


def _canonical(obj: Any) -> Any:
    """Make equal values encode equally: 1.0 and 1 (Sampling(temperature=0) vs 0.0) alike."""
    if isinstance(obj, float) and obj.is_integer():
        return int(obj)
    if isinstance(obj, Mapping):
        return {str(k): _canonical(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_canonical(v) for v in obj]
    return obj


def call_key(
    model_identity: str,
    kind: str,
    messages: Sequence[Mapping[str, str]],
    params: Mapping[str, Any],
    template_hash: str = "",
) -> str:
    """The cache key of one call: hex SHA-256 of a canonical JSON encoding of its inputs.

    `kind` is "generate", "choice_logprobs", "label_logprobs" or "token_logprobs"; `params`
    is `Sampling.as_dict()` (seed included) for generate, {"choices": [...]} for
    choice_logprobs, {"labels": [...]} for label_logprobs, {"top_k": k, "tokens": digest of
    the ids and positions} for token_logprobs. Any change to a
    component changes the key; the order of dict keys does not.
    """
    encoded_messages: list[list[Any]] = []
    for message in messages:
        entry: list[Any] = [message["role"], message["content"]]
        extra = {k: v for k, v in message.items() if k not in ("role", "content")}
        if extra:
            # Fields beyond role/content (e.g. "name") reach the model, so they must reach the key.
            entry.append(extra)
        encoded_messages.append(entry)
    payload = {
        "v": KEY_VERSION,
        "model": model_identity,
        "kind": kind,
        "messages": encoded_messages,
        "params": _canonical(params),
        "template": template_hash,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_cache_dir() -> Path:
    """Where the cache lives unless params say otherwise: `$DISTILPIPE_CACHE_DIR`, else
    `$XDG_CACHE_HOME/distilpipe`, else `~/.cache/distilpipe`."""
    explicit = os.environ.get("DISTILPIPE_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg).expanduser() / "distilpipe"
    return Path.home() / ".cache" / "distilpipe"


def resolve_cache_dir(param: str | Path | None) -> Path:
    """The cache dir to use: `llm.cache_dir` from params if given, else `default_cache_dir()`."""
    if param:
        return Path(param).expanduser()
    return default_cache_dir()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    buffer = bytearray(HASH_CHUNK)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as fh:
        while n := fh.readinto(buffer):
            digest.update(view[:n])
    return digest.hexdigest()


def _identity_files(folder: Path) -> list[tuple[str, Path, bool]]:
    """(relative posix path, path, is_weight) of the files that define a local model, sorted.

    Hidden files and folders are skipped: `.git` and `.cache/huggingface` change without
    the model changing.
    """
    found: list[tuple[str, Path, bool]] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith("."):
                continue
            suffix = os.path.splitext(name)[1].lower()
            is_weight = suffix in WEIGHT_SUFFIXES
            if is_weight or suffix in CONFIG_SUFFIXES or name.startswith("tokenizer"):
                path = Path(root) / name
                found.append((path.relative_to(folder).as_posix(), path, is_weight))
    found.sort(key=lambda item: item[0])
    return found


def _weight_digest(path: Path, cache: CallCache) -> str:
    """A weight file's SHA-256, remembered by (path, size, mtime_ns) across runs."""
    resolved = str(path.resolve())
    before = path.stat()
    known = cache.get_file_digest(resolved, before.st_size, before.st_mtime_ns)
    if known is not None:
        return known
    digest = _sha256_file(path)
    after = path.stat()
    unchanged = (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    settled = after.st_mtime_ns < time.time_ns() - RACY_WINDOW_NS
    if unchanged and settled:
        cache.put_file_digest(resolved, after.st_size, after.st_mtime_ns, digest)
    return digest


def model_identity(
    model: str,
    revision: str | None = None,
    backend: str = "transformers",
    *,
    cache_dir: str | Path | None = None,
) -> str:
    """Name a model for the cache key.

    An existing local folder (or single weight file) gives "local:" + SHA-256 over the sorted
    relative paths and contents of its config, tokenizer and weight files; weight digests are
    remembered in the call cache under `cache_dir` (default: `default_cache_dir()`), so a
    140 GB model is hashed once, not at every stage start. Anything else (a Hub id, an API
    model name) gives f"{backend}:{model}@{revision or 'main'}".
    Raises InputError for a local folder that holds no config or weight file.
    """
    local = Path(model).expanduser()
    if local.is_dir():
        files = _identity_files(local)
        if not files:
            raise InputError(
                str(local), "no config, tokenizer or weight files to identify the model by"
            )
    elif local.is_file() and local.suffix.lower() in WEIGHT_SUFFIXES:
        files = [(local.name, local, True)]
    else:
        return f"{backend}:{model}@{revision or 'main'}"

    identity = hashlib.sha256()
    with CallCache(resolve_cache_dir(cache_dir)) as cache:
        for rel, path, is_weight in files:
            digest = _weight_digest(path, cache) if is_weight else _sha256_file(path)
            identity.update(f"{rel}\0{digest}\n".encode())
    return "local:" + identity.hexdigest()


def spec_identity(spec: ModelSpec, cache_dir: str | Path | None = None) -> str:
    """The cache identity of the model a role's spec names (see `model_identity`): computed
    from files or names alone, so a stage can look its calls up without loading the model."""
    return model_identity(spec.model, spec.revision, spec.backend, cache_dir=cache_dir)


def role_identities(
    params: Params, cache_dir: str | Path | None = None
) -> dict[str, list[tuple[str, str]]]:
    """{identity: [(role, model), ...]} of every model `params` name, in params order: the
    roles in `models` (teacher, student, judge, classifier, self_distiller) and each entry of
    `evaluate.models` as "evaluate:<name>"; `model` is the folder, Hub id or API model as
    params give it. A model whose identity cannot be computed (an empty folder) is left out.
    """
    named = [*params.models.items()]
    named += [(f"evaluate:{name}", spec) for name, spec in params.evaluate.models.items()]
    out: dict[str, list[tuple[str, str]]] = {}
    for role, spec in named:
        try:
            identity = spec_identity(spec, cache_dir)
        except (InputError, OSError):
            continue
        out.setdefault(identity, []).append((role, spec.model))
    return out


class CacheError(DistilpipeError):
    """The cache's database could not be written (a full disk, say); what was committed
    before stays as it was."""


class CallCache:
    """The call cache's SQLite database, `calls.sqlite` in `cache_dir` (created if missing).

    WAL mode with a 60 s busy timeout lets several processes (queued `dvc exp run`
    workspaces, parallel stages) read and write at once. Each `put_many` is one transaction,
    so a process killed mid-run loses at most the batch it was writing. A key's first value
    wins: a later put of the same key is ignored, so results already used downstream never
    change under a re-run. One instance may be shared by threads. SQLite WAL needs a local
    filesystem: put the cache dir on local disk, not NFS. `token_logprobs` calls keep their
    arrays in Arrow shards beside the database (`shards`, see `sidecar.py`); their rows
    hold pointers.
    """

    def __init__(self, cache_dir: str | Path, *, clock: Callable[[], float] = time.time):
        self.dir = Path(cache_dir).expanduser()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path = self.dir / DB_NAME
        self.shards = LogprobShards(self.dir / FOLDER)
        self._clock = clock
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            self.path, timeout=60.0, isolation_level=None, check_same_thread=False
        )
        try:
            self._conn.execute("PRAGMA busy_timeout=60000")
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            with self._write() as conn:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
        except BaseException:
            self.close()
            raise

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError(f"call cache {self.path} is closed")
        return self._conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock up front: a deferred transaction
        that upgrades from read to write can fail with SQLITE_BUSY instead of waiting."""
        with self._lock:
            conn = self._db
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as exc:
                # "database or disk is full", "disk I/O error": one line, not a traceback
                raise CacheError(f"call cache {self.path}: {exc}") from exc

    def get_many(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Look keys up; return {key: JSON-decoded value} for the keys present (misses are
        absent). Marks the hits as used now (at most hourly per row, in one transaction)."""
        unique = list(dict.fromkeys(keys))
        found: dict[str, dict[str, Any]] = {}
        now = self._clock()
        stale: list[str] = []
        with self._lock:
            conn = self._db
            for start in range(0, len(unique), QUERY_CHUNK):
                chunk = unique[start : start + QUERY_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT key, value, used FROM calls WHERE key IN ({marks})", chunk
                )
                for key, value, used in rows:
                    found[key] = json.loads(value)
                    if used < now - USED_REFRESH_S:
                        stale.append(key)
        if stale:
            with self._write() as conn:
                for start in range(0, len(stale), QUERY_CHUNK):
                    chunk = stale[start : start + QUERY_CHUNK]
                    marks = ",".join("?" * len(chunk))
                    conn.execute(f"UPDATE calls SET used = ? WHERE key IN ({marks})", [now, *chunk])
        return found

    def put_many(
        self,
        items: Mapping[str, tuple[str, str, dict[str, Any]]],
        names: Mapping[str, str] | None = None,
    ) -> None:
        """Store {key: (kind, model identity, value)} in one transaction. Values are JSON
        dicts; their "prompt_tokens"/"completion_tokens" (default 0) are kept as columns for
        stats. A key already present keeps its first value. `names` ({model identity: the
        folder, Hub id or API model it was called by}) is kept with the calls, for `stats`."""
        now = self._clock()
        rows = [
            (
                key,
                kind,
                model,
                json.dumps(value, ensure_ascii=False, separators=(",", ":")),
                int(value.get("prompt_tokens", 0) or 0),
                int(value.get("completion_tokens", 0) or 0),
                now,
                now,
            )
            for key, (kind, model, value) in items.items()
        ]
        if not rows:
            return
        with self._write() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO calls (key, kind, model, value, prompt_tokens,"
                " completion_tokens, created, used) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            conn.executemany(
                "INSERT OR IGNORE INTO model_names (identity, name) VALUES (?, ?)",
                sorted((names or {}).items()),
            )

    def get_file_digest(self, path: str, size: int, mtime_ns: int) -> str | None:
        """The remembered SHA-256 of the file at absolute `path`, if its size and mtime still
        match what they were when it was hashed; else None."""
        with self._lock:
            row = self._db.execute(
                "SELECT sha256 FROM file_digests WHERE path = ? AND size = ? AND mtime_ns = ?",
                (path, size, mtime_ns),
            ).fetchone()
        return None if row is None else str(row[0])

    def put_file_digest(self, path: str, size: int, mtime_ns: int, sha256: str) -> None:
        """Remember the SHA-256 of the file at absolute `path` with its size and mtime."""
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO file_digests (path, size, mtime_ns, sha256)"
                " VALUES (?, ?, ?, ?)",
                (path, size, mtime_ns, sha256),
            )

    def entries(
        self, model: str | None = None, since: float | None = None
    ) -> list[tuple[Any, ...]]:
        """Every stored call as (key, kind, model, value, prompt_tokens, completion_tokens,
        created), sorted by key; only `model`'s (an identity, as `stats` lists them) and
        those created at or after `since` (epoch seconds) when given."""
        query = (
            "SELECT key, kind, model, value, prompt_tokens, completion_tokens, created"
            " FROM calls WHERE (? IS NULL OR model = ?) AND (? IS NULL OR created >= ?)"
            " ORDER BY key"
        )
        with self._lock:
            return list(self._db.execute(query, (model, model, since, since)))

    def put_entries(self, rows: Sequence[tuple[Any, ...]]) -> int:
        """Store rows as `entries` returns them, in one transaction, keeping their `created`;
        a key already present keeps its value. Returns how many rows were new."""
        now = self._clock()
        with self._write() as conn:
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO calls (key, kind, model, value, prompt_tokens,"
                " completion_tokens, created, used) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(*row, now) for row in rows],
            )
            return conn.total_changes - before

    def stats(self) -> dict[str, Any]:
        """Summary of the cache: {"path", "rows", "bytes" (db + WAL + shm files
        + token_logprobs shards),
        "prompt_tokens", "completion_tokens", "per_kind": {kind: rows},
        "per_model": {model: rows}, "names": {model: [the names it was called by]} (only
        models with rows and a name known), "oldest", "newest" (created, epoch seconds or
        None)}."""
        with self._lock:
            conn = self._db
            rows, prompt, completion, oldest, newest = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(prompt_tokens), 0),"
                " COALESCE(SUM(completion_tokens), 0), MIN(created), MAX(created) FROM calls"
            ).fetchone()
            per_kind = dict(
                conn.execute("SELECT kind, COUNT(*) FROM calls GROUP BY kind ORDER BY kind")
            )
            per_model = dict(
                conn.execute("SELECT model, COUNT(*) FROM calls GROUP BY model ORDER BY model")
            )
            names: dict[str, list[str]] = {}
            for identity, name in conn.execute(
                "SELECT identity, name FROM model_names ORDER BY identity, name"
            ):
                if identity in per_model:
                    names.setdefault(identity, []).append(name)
        size = 0
        for suffix in ("", "-wal", "-shm"):
            with suppress(FileNotFoundError):
                size += os.path.getsize(f"{self.path}{suffix}")
        size += self.shards.bytes()
        return {
            "path": str(self.path),
            "rows": rows,
            "bytes": size,
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "per_kind": per_kind,
            "per_model": per_model,
            "names": names,
            "oldest": oldest,
            "newest": newest,
        }

    def prune(self, older_than_s: float) -> int:
        """Delete entries last used (or created) more than `older_than_s` seconds ago;
        return how many were deleted. Then fold the WAL back into the database file."""
        cutoff = self._clock() - older_than_s
        with self._write() as conn:
            removed = conn.execute("DELETE FROM calls WHERE used < ?", (cutoff,)).rowcount
            conn.execute(
                "DELETE FROM model_names WHERE identity NOT IN (SELECT DISTINCT model FROM calls)"
            )
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        self.shards.remove_unreferenced(self.referenced_shards(), now=self._clock())
        return int(removed)

    def referenced_shards(self) -> set[str]:
        """The names of the sidecar shards that `token_logprobs` rows point to."""
        with self._lock:
            rows = self._db.execute(
                "SELECT DISTINCT json_extract(value, '$.shard') FROM calls"
                " WHERE kind = 'token_logprobs'"
            )
            return {str(name) for (name,) in rows if name is not None}

    def close(self) -> None:
        """Close the database connection; further calls raise. Safe to call twice."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> CallCache:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
