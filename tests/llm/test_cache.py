import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from distilpipe.errors import InputError
from distilpipe.llm import cache as cache_mod
from distilpipe.llm.cache import (
    CallCache,
    call_key,
    default_cache_dir,
    model_identity,
    resolve_cache_dir,
)
from distilpipe.llm.types import Sampling

MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "What is 2 + 2?"},
]
SAMPLING = Sampling(max_new_tokens=64, temperature=0.7, top_p=0.9, seed=7).as_dict()
# Children import distilpipe the same way this process does, whatever the working directory.
CHILD_ENV = {**os.environ, "PYTHONPATH": str(Path(cache_mod.__file__).parents[2])}


def key(**overrides: Any) -> str:
    args: dict[str, Any] = {
        "model_identity": "local:abc",
        "kind": "generate",
        "messages": MESSAGES,
        "params": SAMPLING,
        "template_hash": "t1",
    }
    args.update(overrides)
    return call_key(**args)


def generation(i: int) -> dict[str, Any]:
    return {
        "text": f"answer {i} 中文",
        "finish_reason": "stop",
        "prompt_tokens": 10,
        "completion_tokens": i,
    }


# --- keys -------------------------------------------------------------------------------


def test_key_is_sha256_hex_and_deterministic() -> None:
    k = key()
    assert len(k) == 64 and int(k, 16) >= 0
    assert key() == k


def test_key_changes_with_every_component() -> None:
    changed_message = [MESSAGES[0], {"role": "user", "content": "What is 2 + 3?"}]
    changed_role = [MESSAGES[0], {"role": "assistant", "content": MESSAGES[1]["content"]}]
    variants = [
        key(),
        key(model_identity="local:abd"),
        key(kind="choice_logprobs"),
        key(messages=changed_message),
        key(messages=changed_role),
        key(messages=MESSAGES[1:]),
        key(messages=[*MESSAGES, {"role": "user", "content": "What is 2 + 2?", "name": "x"}]),
        key(messages=[*MESSAGES, {"role": "user", "content": "What is 2 + 2?"}]),
        key(params={**SAMPLING, "seed": 8}),
        key(params={**SAMPLING, "seed": None}),
        key(params={**SAMPLING, "temperature": 0.8}),
        key(params={**SAMPLING, "top_p": 0.95}),
        key(params={**SAMPLING, "max_new_tokens": 65}),
        key(template_hash="t2"),
        key(template_hash=""),
        key(kind="choice_logprobs", params={"choices": ["A", "B"]}),
        key(kind="choice_logprobs", params={"choices": ["B", "A"]}),
        key(kind="choice_logprobs", params={"choices": ["A", "B", "C"]}),
    ]
    assert len(set(variants)) == len(variants)


def test_key_ignores_dict_order_and_int_vs_float() -> None:
    reordered_params = dict(reversed(list(SAMPLING.items())))
    reordered_messages = [{"content": m["content"], "role": m["role"]} for m in MESSAGES]
    assert key(params=reordered_params, messages=reordered_messages) == key()
    assert key(params={**SAMPLING, "temperature": 0}) == key(
        params={**SAMPLING, "temperature": 0.0}
    )


def test_key_of_unicode_is_stable() -> None:
    messages = [{"role": "user", "content": "你好 — ünïcode"}]
    assert key(messages=messages) == key(messages=[dict(m) for m in messages])
    assert key(messages=messages) != key(messages=[{"role": "user", "content": "你好 - ünïcode"}])


# --- cache dir ----------------------------------------------------------------------------


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DISTILPIPE_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("DISTILPIPE_CACHE_DIR")
    assert default_cache_dir() == tmp_path / "xdg" / "distilpipe"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "distilpipe"
    assert resolve_cache_dir(str(tmp_path / "param")) == tmp_path / "param"
    assert resolve_cache_dir(None) == tmp_path / "home" / ".cache" / "distilpipe"


# --- model identity -------------------------------------------------------------------------


def fake_model(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text('{"hidden_size": 8}')
    (folder / "tokenizer.json").write_text('{"vocab": {"a": 0}}')
    (folder / "tokenizer_config.json").write_text('{"chat_template": "{{ x }}"}')
    (folder / "model-00001-of-00002.safetensors").write_bytes(b"\x00\x01\x02\x03weights-1")
    (folder / "model-00002-of-00002.safetensors").write_bytes(b"\x04\x05\x06\x07weights-2")
    (folder / "README.md").write_text("a model card")
    return folder


def age(path: Path, seconds: float = 3600) -> None:
    """Backdate a file's mtime so its digest counts as settled and is remembered."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - int(seconds * 1e9)))


def test_identity_of_hub_and_api_models(tmp_path: Path) -> None:
    hub = "Qwen/Qwen2-1.5B-Instruct"
    assert model_identity(hub) == "transformers:Qwen/Qwen2-1.5B-Instruct@main"
    assert model_identity("Qwen/Qwen2-1.5B-Instruct", "abc123", "vllm") == (
        "vllm:Qwen/Qwen2-1.5B-Instruct@abc123"
    )
    assert model_identity("qwen-max", "2024-09-19", "openai", cache_dir=tmp_path) == (
        "openai:qwen-max@2024-09-19"
    )
    assert not (tmp_path / "calls.sqlite").exists()


def test_identity_of_local_folder(tmp_path: Path) -> None:
    model = fake_model(tmp_path / "model")
    cache_dir = tmp_path / "cache"
    first = model_identity(str(model), cache_dir=cache_dir)
    assert first.startswith("local:") and len(first) == len("local:") + 64
    # Revision and backend do not matter for a local folder; neither do files outside the set.
    assert model_identity(str(model), "v2", "vllm", cache_dir=cache_dir) == first
    (model / "README.md").write_text("an edited model card")
    (model / ".cache").mkdir()
    (model / ".cache" / "download.json").write_text("{}")
    assert model_identity(str(model), cache_dir=cache_dir) == first

    weight = model / "model-00002-of-00002.safetensors"
    original = weight.read_bytes()
    weight.write_bytes(original[:-1] + b"3")  # one byte, same size
    assert model_identity(str(model), cache_dir=cache_dir) not in (first,)
    weight.write_bytes(original)
    assert model_identity(str(model), cache_dir=cache_dir) == first

    config = model / "config.json"
    config.write_text('{"hidden_size": 9}')
    assert model_identity(str(model), cache_dir=cache_dir) != first
    config.write_text('{"hidden_size": 8}')
    assert model_identity(str(model), cache_dir=cache_dir) == first

    weight.rename(model / "renamed.safetensors")
    assert model_identity(str(model), cache_dir=cache_dir) != first


def test_identity_depends_on_content_not_location(tmp_path: Path) -> None:
    a = fake_model(tmp_path / "a")
    b = fake_model(tmp_path / "elsewhere" / "b")
    assert model_identity(str(a), cache_dir=tmp_path) == model_identity(str(b), cache_dir=tmp_path)


def test_weight_digests_are_remembered_by_path_size_mtime(tmp_path: Path) -> None:
    model = fake_model(tmp_path / "model")
    weight = model / "model-00001-of-00002.safetensors"
    fresh_identity = model_identity(str(model), cache_dir=tmp_path)
    with CallCache(tmp_path) as cache:
        # Just-written files may still change within one mtime tick: not remembered yet.
        assert cache._db.execute("SELECT COUNT(*) FROM file_digests").fetchone() == (0,)
    for path in model.glob("*.safetensors"):
        age(path)
    assert model_identity(str(model), cache_dir=tmp_path) == fresh_identity
    with CallCache(tmp_path) as cache:
        rows = dict(cache._db.execute("SELECT path, sha256 FROM file_digests").fetchall())
    assert set(rows) == {str(p.resolve()) for p in model.glob("*.safetensors")}

    # A remembered digest is used without reading the file: same size and mtime, new bytes,
    # same identity. That is the trade-off that makes a 140 GB model cheap to identify.
    st = weight.stat()
    weight.write_bytes(b"\xff" * st.st_size)
    os.utime(weight, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert model_identity(str(model), cache_dir=tmp_path) == fresh_identity
    # Any real edit moves the mtime, and the file is hashed again.
    age(weight, 1800)
    assert model_identity(str(model), cache_dir=tmp_path) != fresh_identity


def test_identity_of_single_weight_file_and_empty_folder(tmp_path: Path) -> None:
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF....")
    ident = model_identity(str(gguf), cache_dir=tmp_path / "c")
    assert ident.startswith("local:")
    gguf.write_bytes(b"GGUF...!")
    assert model_identity(str(gguf), cache_dir=tmp_path / "c") != ident
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.md").write_text("no model here")
    with pytest.raises(InputError, match="empty"):
        model_identity(str(tmp_path / "empty"), cache_dir=tmp_path / "c")


def test_large_file_is_hashed_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    monkeypatch.setattr(cache_mod, "HASH_CHUNK", 7)
    data = bytes(range(256)) * 5
    (tmp_path / "w.bin").write_bytes(data)
    assert cache_mod._sha256_file(tmp_path / "w.bin") == hashlib.sha256(data).hexdigest()


# --- the call cache -------------------------------------------------------------------------


def test_put_get_round_trip_and_reopen(tmp_path: Path) -> None:
    items = {f"k{i}": ("generate", "local:abc", generation(i)) for i in range(5)}
    probs = {"probs": {"A": 0.7, "B": 0.2}, "prompt_tokens": 3}
    items["p"] = ("choice_logprobs", "local:abc", probs)
    with CallCache(tmp_path / "nested" / "cache") as cache:
        assert cache.get_many(list(items)) == {}
        cache.put_many(items)
        got = cache.get_many(["k0", "k3", "missing", "p", "k0"])
    assert got == {"k0": generation(0), "k3": generation(3), "p": items["p"][2]}
    with CallCache(tmp_path / "nested" / "cache") as cache:
        assert cache.get_many(list(items)) == {k: v[2] for k, v in items.items()}
        mode = cache._db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_first_value_of_a_key_wins(tmp_path: Path) -> None:
    with CallCache(tmp_path) as cache:
        cache.put_many({"k": ("generate", "m", {"text": "first"})})
        cache.put_many({"k": ("generate", "m", {"text": "second"})})
        assert cache.get_many(["k"]) == {"k": {"text": "first"}}


def test_get_many_queries_in_chunks(tmp_path: Path) -> None:
    keys = [f"k{i}" for i in range(1234)]
    with CallCache(tmp_path) as cache:
        cache.put_many({k: ("generate", "m", {"text": k}) for k in keys[::2]})
        got = cache.get_many(keys)
    assert got == {k: {"text": k} for k in keys[::2]}


def test_closed_cache_raises(tmp_path: Path) -> None:
    cache = CallCache(tmp_path)
    cache.close()
    cache.close()
    with pytest.raises(RuntimeError, match="closed"):
        cache.get_many(["k"])


def test_failed_batch_is_rolled_back(tmp_path: Path) -> None:
    with CallCache(tmp_path) as cache:
        cache.put_many({"ok": ("generate", "m", {"text": "fine"})})
        unserialisable: dict[str, Any] = {"x": object()}
        bad = {"a": ("generate", "m", {"text": "a"}), "b": ("generate", "m", unserialisable)}
        with pytest.raises(TypeError):
            cache.put_many(bad)
        assert cache.get_many(["ok", "a", "b"]) == {"ok": {"text": "fine"}}
        cache.put_many({"c": ("generate", "m", {"text": "c"})})
        assert set(cache.get_many(["ok", "c"])) == {"ok", "c"}


CRASH_CHILD = """
import os, signal, sys
from distilpipe.llm.cache import CallCache
cache = CallCache(sys.argv[1])
for b in range(5):
    cache.put_many({f"b{b}-{i}": ("generate", "m", {"text": f"{b}/{i}", "prompt_tokens": 1})
                    for i in range(50)})
    print(b, flush=True)
# Die inside the sixth batch's transaction, after its rows are written but before COMMIT.
db = cache._db
db.execute("BEGIN IMMEDIATE")
db.executemany(
    "INSERT INTO calls (key, kind, model, value, created, used)"
    " VALUES (?, 'generate', 'm', ?, 0, 0)",
    [(f"b5-{i}", '{"text": "lost"}') for i in range(50)],
)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_sigkill_loses_only_the_batch_in_flight(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", CRASH_CHILD, str(tmp_path)],
        capture_output=True,
        text=True,
        env=CHILD_ENV,
        timeout=60,
    )
    assert proc.returncode == -9, proc.stderr
    assert proc.stdout.split() == ["0", "1", "2", "3", "4"]
    assert (tmp_path / "calls.sqlite-wal").exists()  # the WAL was left for recovery
    with sqlite3.connect(tmp_path / "calls.sqlite") as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with CallCache(tmp_path) as cache:
        committed = [f"b{b}-{i}" for b in range(5) for i in range(50)]
        got = cache.get_many(committed + [f"b5-{i}" for i in range(50)])
        assert set(got) == set(committed)
        assert got["b4-49"] == {"text": "4/49", "prompt_tokens": 1}
        cache.put_many({"b5-0": ("generate", "m", {"text": "redone"})})
        assert cache.get_many(["b5-0"]) == {"b5-0": {"text": "redone"}}
        assert cache.stats()["rows"] == 251


WRITER_CHILD = """
import os, sys, time
from distilpipe.llm.cache import CallCache
cache_dir, first, go = sys.argv[1], int(sys.argv[2]), sys.argv[3]
while not os.path.exists(go):  # start together, so that the writes really overlap
    time.sleep(0.002)
keys = [f"k{i}" for i in range(first, first + 2000)]
with CallCache(cache_dir) as cache:
    for start in range(0, len(keys), 50):
        batch = keys[start:start + 50]
        # Look up first, as the client does, then store the misses.
        have = cache.get_many(batch)
        cache.put_many({k: ("generate", "m", {"text": k}) for k in batch if k not in have})
        got = cache.get_many(batch)
        assert got == {k: {"text": k} for k in batch}, "a key just written is missing"
print("done", flush=True)
"""


def test_concurrent_writers_share_one_database(tmp_path: Path) -> None:
    # Three processes start on a database none of them has created yet, with overlapping keys.
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER_CHILD, str(tmp_path / "cache"), str(first), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=CHILD_ENV,
        )
        for first in (0, 1000, 2000)
    ]
    go.touch()
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert out.strip() == "done"
        assert "locked" not in err
    with CallCache(tmp_path / "cache") as cache:
        keys = [f"k{i}" for i in range(4000)]
        assert cache.get_many(keys) == {k: {"text": k} for k in keys}
        assert cache.stats()["rows"] == 4000


# --- stats and prune --------------------------------------------------------------------------


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_stats(tmp_path: Path) -> None:
    clock = Clock(1_000_000.0)
    with CallCache(tmp_path, clock=clock) as cache:
        empty = cache.stats()
        assert empty["rows"] == 0 and empty["oldest"] is None and empty["per_kind"] == {}
        cache.put_many({f"g{i}": ("generate", "model-a", generation(i)) for i in range(3)})
        clock.now += 100
        probs = {"probs": {"A": 1.0}, "prompt_tokens": 5}
        cache.put_many({"c": ("choice_logprobs", "model-b", probs)})
        stats = cache.stats()
    assert stats["rows"] == 4
    assert stats["per_kind"] == {"choice_logprobs": 1, "generate": 3}
    assert stats["per_model"] == {"model-a": 3, "model-b": 1}
    assert stats["prompt_tokens"] == 35 and stats["completion_tokens"] == 0 + 1 + 2
    assert (stats["oldest"], stats["newest"]) == (1_000_000.0, 1_000_100.0)
    assert stats["bytes"] > 0
    assert stats["path"] == str(tmp_path / "calls.sqlite")


def test_model_names_are_kept_with_the_calls_and_pruned_with_them(tmp_path: Path) -> None:
    clock = Clock(1_000_000.0)
    with CallCache(tmp_path, clock=clock) as cache:
        cache.put_many({"a": ("generate", "local:1", {"text": "a"})}, {"local:1": "models/a"})
        cache.put_many({"b": ("generate", "local:1", {"text": "b"})}, {"local:1": "/copy/of/a"})
        cache.put_many({}, {"local:3": "models/never-called"})  # no call, no name
        clock.now += 100
        cache.put_many({"c": ("generate", "local:2", {"text": "c"})}, {"local:2": "models/c"})
        cache.put_many({"d": ("generate", "openai:m@main", {"text": "d"})})  # name unknown
        assert cache.stats()["names"] == {
            "local:1": ["/copy/of/a", "models/a"],
            "local:2": ["models/c"],
        }
        assert cache.prune(older_than_s=50) == 2
        assert cache.stats()["names"] == {"local:2": ["models/c"]}
        left = cache._db.execute("SELECT identity FROM model_names").fetchall()
        assert left == [("local:2",)]  # the pruned model's names went with its calls


def test_prune_keeps_recently_used_entries(tmp_path: Path) -> None:
    day = 86400.0
    clock = Clock(100 * day)
    with CallCache(tmp_path, clock=clock) as cache:
        cache.put_many({"old": ("generate", "m", {"text": "old"})})
        cache.put_many({"old-but-used": ("generate", "m", {"text": "used"})})
        clock.now = 130 * day
        cache.put_many({"new": ("generate", "m", {"text": "new"})})
        assert set(cache.get_many(["old-but-used"])) == {"old-but-used"}  # refreshes `used`
        clock.now = 140 * day
        assert cache.prune(older_than_s=50 * day) == 0
        assert cache.prune(older_than_s=30 * day) == 1
        assert set(cache.get_many(["old", "old-but-used", "new"])) == {"old-but-used", "new"}
        clock.now += 1  # the lookup above marked both as used at 140 days
        assert cache.prune(older_than_s=0) == 2
        assert cache.stats()["rows"] == 0
        assert (tmp_path / "calls.sqlite-wal").stat().st_size == 0  # checkpointed, truncated
