import argparse
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from distilpipe.cli import format_stats, main, parse_duration
from distilpipe.llm.cache import CallCache, model_identity


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("15m", 900),
        ("12h", 43200),
        ("30d", 2_592_000),
        ("2w", 1_209_600),
        ("1.5h", 5400),
        (" 7D ", 604_800),
        ("0s", 0),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["30", "d", "", "-1d", "3 days", "1y", "1e3s", "5dd"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="invalid duration"):
        parse_duration(text)


def fill(cache_dir: Path, now: float, old: float) -> None:
    with CallCache(cache_dir, clock=lambda: old) as cache:
        cache.put_many(
            {
                f"old{i}": ("generate", "local:abc", {"text": "x", "prompt_tokens": 4})
                for i in range(3)
            }
        )
    with CallCache(cache_dir, clock=lambda: now) as cache:
        cache.put_many(
            {
                "new": (
                    "choice_logprobs",
                    "openai:qwen-max@main",
                    {"probs": {"A": 0.9}, "prompt_tokens": 6},
                ),
                "gen": ("generate", "local:abc", {"text": "y", "completion_tokens": 2}),
            }
        )


def test_stats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no params.yaml: no roles column
    now = time.time()
    fill(tmp_path, now, now - 40 * 86400)
    assert main(["cache", "stats", "--cache-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"cache:   {tmp_path / 'calls.sqlite'}" in out
    assert "rows:    5\n" in out
    assert " MB\n" in out
    assert "tokens:  18 prompt, 2 completion" in out
    lines = out.splitlines()
    assert lines[lines.index("by kind:") + 1].split() == ["choice_logprobs", "1"]
    assert lines[lines.index("by kind:") + 2].split() == ["generate", "4"]
    table = lines[lines.index("by model:") + 1 :]
    assert table[0].split() == ["model", "calls", "identity"]
    # put without names, as before names were kept: the identity, and no name
    assert table[1].split() == ["(name", "unknown)", "4", "local:abc"]
    assert table[2].split() == ["(name", "unknown)", "1", "openai:qwen-max@main"]
    oldest = next(line for line in lines if line.startswith("oldest:")).split()[1]
    assert oldest.startswith(time.strftime("%Y-%m-%d", time.localtime(now - 40 * 86400)))


def test_stats_uses_env_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISTILPIPE_CACHE_DIR", str(tmp_path / "env"))
    assert main(["cache", "stats"]) == 0
    assert capsys.readouterr().out == f"no call cache at {tmp_path / 'env' / 'calls.sqlite'}\n"
    assert not (tmp_path / "env").exists()  # looking does not create a cache
    now = time.time()
    fill(tmp_path / "env", now, now)
    assert main(["cache", "stats"]) == 0
    assert "rows:    5\n" in capsys.readouterr().out


def test_prune(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    now = time.time()
    fill(tmp_path, now, now - 40 * 86400)
    assert main(["cache", "prune", "--older-than", "60d", "--cache-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("removed 0 entries")
    assert main(["cache", "prune", "--older-than", "30d", "--cache-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("removed 3 entries last used before ") and out.endswith("; 2 left\n")
    with CallCache(tmp_path) as cache:
        assert set(cache.get_many(["old0", "new", "gen"])) == {"new", "gen"}


def test_prune_without_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cache", "prune", "--older-than=2w", "--cache-dir", str(tmp_path / "none")]) == 0
    assert "nothing to prune" in capsys.readouterr().out


def test_bad_arguments_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["cache", "prune", "--older-than", "30", "--cache-dir", str(tmp_path)],
        ["cache", "prune", "--cache-dir", str(tmp_path)],
        ["cache"],
        [],
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
    assert "invalid duration '30'" in capsys.readouterr().err


def test_broken_database_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "calls.sqlite").write_bytes(b"this is not a database" * 100)
    assert main(["cache", "stats", "--cache-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def params_with_roles(root: Path) -> Path:
    """A project whose teacher, judge and evaluated base are one local folder, whose
    student is a Hub id, and which evaluates an API model too."""
    (root / "models" / "teacher").mkdir(parents=True)
    (root / "models" / "teacher" / "config.json").write_text("{}")
    params = {
        "models": {
            "teacher": {"model": "models/teacher"},
            "judge": {"model": "models/teacher", "max_new_tokens": 8},
            "student": {"model": "Qwen/Qwen2-0.5B-Instruct", "revision": "abc"},
        },
        "evaluate": {
            "models": {
                "base": "models/teacher",
                "api": {"backend": "openai", "model": "qwen-max", "base_url": "http://x/v1"},
            }
        },
    }
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    return root / "params.yaml"


def test_stats_names_each_model_by_path_and_role(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    params_with_roles(tmp_path)
    cache_dir = tmp_path / "cache"
    teacher = model_identity("models/teacher", cache_dir=cache_dir)
    gone = "local:" + "0" * 64  # a model no role uses any more, called by its folder
    hub = "transformers:Qwen/Qwen2-0.5B-Instruct@abc"
    with CallCache(cache_dir) as cache:
        cache.put_many(
            {f"t{i}": ("generate", teacher, {"text": "x"}) for i in range(3)},
            {teacher: "models/teacher"},
        )
        cache.put_many({"g": ("generate", gone, {"text": "x"})}, {gone: "models/old-teacher"})
        cache.put_many({"s": ("generate", hub, {"text": "x"})}, {hub: "Qwen/Qwen2-0.5B-Instruct"})
        cache.put_many({"a": ("generate", "openai:qwen-max@main", {"text": "x"})})  # no name
    assert main(["cache", "stats", "--cache-dir", str(cache_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    table = lines[lines.index("by model:") + 1 :]
    assert table[0].split() == ["model", "roles", "in", "params.yaml", "calls", "identity"]
    assert table[1].split() == ["Qwen/Qwen2-0.5B-Instruct", "student,", "self_distiller", "1", hub]
    assert table[2].split() == ["models/old-teacher", "-", "1", gone]
    assert table[3].split() == [
        "models/teacher",
        "teacher,",
        "judge,",
        "evaluate:base",
        "3",
        teacher,
    ]
    # not recorded, but an evaluated model of params.yaml has this identity: its name
    assert table[4].split() == ["qwen-max", "evaluate:api", "1", "openai:qwen-max@main"]
    assert len(table) == 5


# The call cache's schema before model names were kept.
OLD_SCHEMA = """
CREATE TABLE calls (key TEXT PRIMARY KEY, kind TEXT NOT NULL, model TEXT NOT NULL,
    value TEXT NOT NULL, prompt_tokens INT NOT NULL DEFAULT 0,
    completion_tokens INT NOT NULL DEFAULT 0, created REAL NOT NULL, used REAL NOT NULL);
CREATE TABLE file_digests (path TEXT PRIMARY KEY, size INT NOT NULL, mtime_ns INT NOT NULL,
    sha256 TEXT NOT NULL);
"""


def test_stats_of_a_cache_written_before_names_were_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    params_with_roles(tmp_path)
    cache_dir = tmp_path / "cache"
    teacher = model_identity("models/teacher", cache_dir=tmp_path / "digests")
    cache_dir.mkdir()
    with sqlite3.connect(cache_dir / "calls.sqlite") as conn:
        conn.executescript(OLD_SCHEMA)
        conn.executemany(
            "INSERT INTO calls VALUES (?, 'generate', ?, '{}', 1, 1, 5.0, 5.0)",
            [("a", teacher), ("b", teacher), ("c", "local:" + "1" * 64)],
        )
    conn.close()
    assert main(["cache", "stats", "--cache-dir", str(cache_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    table = lines[lines.index("by model:") + 1 :]
    assert table[1].split() == [
        "models/teacher",
        "teacher,",
        "judge,",
        "evaluate:base",
        "2",
        teacher,
    ]
    assert table[2].split() == ["(name", "unknown)", "-", "1", "local:" + "1" * 64]
    with CallCache(cache_dir) as cache:  # and it takes new calls with their names
        cache.put_many({"d": ("generate", "m", {"text": "x"})}, {"m": "some/model"})
        assert cache.stats()["names"] == {"m": ["some/model"]}


def test_stats_with_broken_params_still_prints_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "params.yaml").write_text("models: {teacher: {backend: nope, model: m}}\n")
    now = time.time()
    fill(tmp_path / "cache", now, now)
    assert main(["cache", "stats", "--cache-dir", str(tmp_path / "cache")]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("roles not shown: ")
    assert "rows:    5" in captured.out and "roles in params.yaml" not in captured.out


def test_format_stats_of_empty_cache() -> None:
    text = format_stats(
        {
            "path": "/c/calls.sqlite",
            "rows": 0,
            "bytes": 4096,
            "prompt_tokens": 0,
            "completion_tokens": 0,
            "per_kind": {},
            "per_model": {},
            "oldest": None,
            "newest": None,
        }
    )
    assert "rows:    0" in text and "oldest:  -" in text and "by kind" not in text


def test_python_dash_m(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "distilpipe", "cache", "stats", "--cache-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("no call cache at ")


def test_report_outside_a_dvc_project_fails_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: dvc root failed:") and "\n" not in err
    assert not (tmp_path / "out").exists()
