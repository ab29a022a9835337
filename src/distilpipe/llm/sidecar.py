"""Token log-probabilities beside the call cache: Arrow shards, found by call key.

A `token_logprobs` call (white-box distillation's teacher targets) answers with k token ids
and k log-probabilities for every token of a conversation: tens of kilobytes a call, which
as JSON in the SQLite row would be several times larger and slow to parse. So the row keeps
a pointer, `{"shard": name, "row": i, "tokens": n, "top_k": k, "prompt_tokens": p}`, and the
arrays live in `<cache dir>/token_logprobs/<name>.arrow`:

- One Arrow IPC file (zstd) per written batch, with columns `key` (the call key),
  `top_ids` (int32, n × k flattened, most likely first) and `top_logprobs` (float16, the
  same layout). float16 keeps a log-probability to 3 significant digits (an error under
  0.1% in the probability), ample for a training target.
- `name` is the first 32 hex digits of the SHA-256 of the file's bytes: identical batches
  share one file, and a copied or shared shard is checked by its name.
- A shard is written to a temporary file and renamed before its pointers are committed, so
  a crash leaves at worst a shard nothing points to (`prune` removes it), never a pointer to
  nothing.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from distilpipe.errors import DistilpipeError

FOLDER = "token_logprobs"
SUFFIX = ".arrow"
OPEN_SHARDS = 32  # shards kept open for reading (each is one written batch)
# A shard younger than this may belong to a batch whose pointers are not committed yet.
PRUNE_GRACE_S = 3600.0

SCHEMA = pa.schema(
    [
        ("key", pa.string()),
        ("top_ids", pa.list_(pa.int32())),
        ("top_logprobs", pa.list_(pa.float16())),
    ]
)


class LogprobShards:
    """The shard folder of one call cache."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._open: OrderedDict[str, pa.Table] = OrderedDict()

    def path(self, name: str) -> Path:
        return self.folder / f"{name}{SUFFIX}"

    def write(self, values: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
        """Store {call key: TokenLogprobs fields} as one shard; return {call key: pointer}."""
        if not values:
            return {}
        keys = list(values)
        ids, logprobs, shapes = [], [], []
        for key in keys:
            value = values[key]
            top_ids = np.asarray(value["top_ids"], dtype=np.int32)
            n = len(value["top_ids"])
            k = top_ids.shape[1] if n else 0
            shapes.append((n, k))
            ids.append(top_ids.reshape(-1))
            # float16 ends at -65504; a top-k log-probability that low is a probability of 0
            floor = np.maximum(np.asarray(value["top_logprobs"], dtype=np.float32), -6.0e4)
            logprobs.append(floor.astype(np.float16).reshape(-1))
        table = pa.table(
            {
                "key": pa.array(keys, pa.string()),
                "top_ids": pa.array(ids, pa.list_(pa.int32())),
                "top_logprobs": pa.array(logprobs, pa.list_(pa.float16())),
            },
            schema=SCHEMA,
        )
        sink = pa.BufferOutputStream()
        options = pa.ipc.IpcWriteOptions(compression="zstd")
        with pa.ipc.new_file(sink, SCHEMA, options=options) as writer:
            writer.write_table(table)
        data = sink.getvalue().to_pybytes()
        name = hashlib.sha256(data).hexdigest()[:32]
        target = self.path(name)
        if not target.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            os.fchmod(fd, 0o644)  # mkstemp makes it 0600; a shard is shared like the database
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return {
            key: {
                "shard": name,
                "row": row,
                "tokens": n,
                "top_k": k,
                "prompt_tokens": int(values[key].get("prompt_tokens", 0)),
            }
            for row, (key, (n, k)) in enumerate(zip(keys, shapes, strict=True))
        }

    def read(self, key: str, pointer: Mapping[str, Any]) -> dict[str, Any]:
        """The TokenLogprobs fields a pointer from `write` points to (ids and fp32 logprobs,
        as lists of per-position rows)."""
        table = self._table(str(pointer["shard"]))
        row = int(pointer["row"])
        if row >= table.num_rows or table["key"][row].as_py() != key:
            raise DistilpipeError(
                f"call cache shard {self.path(str(pointer['shard']))} does not hold call {key} "
                f"at row {row}: the shard was replaced; delete it and re-run to recompute"
            )
        n, k = int(pointer["tokens"]), int(pointer["top_k"])
        top_ids = table["top_ids"][row].values.to_numpy(zero_copy_only=False)
        logprobs = table["top_logprobs"][row].values.to_numpy(zero_copy_only=False)
        return {
            "top_ids": top_ids.reshape(n, k).tolist(),
            "top_logprobs": logprobs.astype(np.float32).reshape(n, k).tolist(),
            "prompt_tokens": int(pointer.get("prompt_tokens", 0)),
        }

    def _table(self, name: str) -> pa.Table:
        if name in self._open:
            self._open.move_to_end(name)
            return self._open[name]
        path = self.path(name)
        try:
            with pa.memory_map(str(path)) as source:
                table = pa.ipc.open_file(source).read_all()
        except FileNotFoundError:
            raise DistilpipeError(
                f"call cache shard {path} is missing, but the cache points to it: it was "
                "deleted by hand; run `distilpipe cache prune --older-than 0` to drop its calls"
            ) from None
        except pa.ArrowInvalid as exc:
            raise DistilpipeError(f"call cache shard {path} is unreadable: {exc}") from None
        self._open[name] = table
        if len(self._open) > OPEN_SHARDS:
            self._open.popitem(last=False)
        return table

    def names(self) -> set[str]:
        """The names of the shards in the folder."""
        if not self.folder.is_dir():
            return set()
        return {p.name.removesuffix(SUFFIX) for p in self.folder.glob(f"*{SUFFIX}")}

    def bytes(self) -> int:
        return sum(self.path(name).stat().st_size for name in self.names())

    def remove_unreferenced(self, referenced: set[str], now: float | None = None) -> int:
        """Delete shards no pointer names, once older than PRUNE_GRACE_S (a younger one may
        belong to a batch being committed now). Returns how many were deleted."""
        cutoff = (time.time() if now is None else now) - PRUNE_GRACE_S
        removed = 0
        for name in sorted(self.names() - referenced):
            path = self.path(name)
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                self._open.pop(name, None)
                removed += 1
        return removed
