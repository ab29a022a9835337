"""End-to-end: `dvc repro` in a temporary git + DVC repo holding a copy of the project."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import datasets
import polars as pl
import pytest
import yaml

from distilpipe.schema import validate_rows

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
OUTPUTS = [
    "data/ingested/magpie.parquet",
    "data/ingested/openhermes.parquet",
    "data/ingested/mammoth2.parquet",
    "data/pool.parquet",
    "data/rejects/pool.parquet",
]


def _run(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("dvc.yaml", "params.yaml"):
        shutil.copy(ROOT / name, repo / name)
    for name in ("stages", "src"):
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "data" / "samples", repo / "data" / "samples")
    _run(repo, "git", "init", "-q")
    _run(repo, "dvc", "init", "-q")
    _run(repo, "dvc", "config", "core.analytics", "false")
    return repo


def _digests(repo: Path) -> dict[str, str]:
    return {p: hashlib.sha256((repo / p).read_bytes()).hexdigest() for p in OUTPUTS}


def _set_params(repo: Path, **sections: dict) -> None:
    params = yaml.safe_load((repo / "params.yaml").read_text())
    for key, value in sections.items():
        params[key] = value
    (repo / "params.yaml").write_text(yaml.safe_dump(params))


@pytest.mark.slow
def test_repro_then_up_to_date_and_byte_identical(repo: Path) -> None:
    _run(repo, "dvc", "repro")
    pool = validate_rows(pl.read_parquet(repo / "data/pool.parquet"), "pool")
    assert set(pool["source"]) == {"magpie", "openhermes", "mammoth2"}
    assert {"en", "zh"} <= set(pool["lang"]) <= {"en", "zh", "und"}
    metrics = json.loads((repo / "metrics/pool.json").read_text())
    assert metrics["rows_out"] == pool.height
    assert metrics["rejected"]["exact_dup"] >= 1
    for source in ("magpie", "openhermes", "mammoth2"):
        ingest = json.loads((repo / f"metrics/ingest/{source}.json").read_text())
        assert ingest["rejected"] >= 1  # the samples carry realistic defects
    assert (repo / "plots/pool/languages.json").exists()

    status = _run(repo, "dvc", "status")
    assert "up to date" in status.stdout
    first = _digests(repo)
    _run(repo, "dvc", "repro", "--force")
    assert _digests(repo) == first


@pytest.mark.slow
def test_bad_line_fails_with_file_and_line_then_skip_mode(repo: Path) -> None:
    sample = repo / "data/samples/magpie.jsonl"
    lines = sample.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(2, '{"uuid": "broken", "conversations": [\n')
    sample.write_text("".join(lines), encoding="utf-8")

    failed = _run(repo, "dvc", "repro", "ingest@magpie", check=False)
    assert failed.returncode != 0
    assert "error: data/samples/magpie.jsonl:3: invalid JSON" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert not (repo / "data/ingested/magpie.parquet").exists()

    params = yaml.safe_load((repo / "params.yaml").read_text())
    params["sources"]["magpie"]["on_error"] = "skip"
    (repo / "params.yaml").write_text(yaml.safe_dump(params))
    _run(repo, "dvc", "repro", "ingest@magpie")
    rejects = [json.loads(x) for x in (repo / "data/rejects/ingest/magpie.jsonl").open()]
    unparseable = [r for r in rejects if r["reason"] == "unparseable"]
    assert [(r["line"], r["text"]) for r in unparseable] == [
        (3, '{"uuid": "broken", "conversations": [')
    ]
    metrics = json.loads((repo / "metrics/ingest/magpie.json").read_text())
    assert metrics["reasons"]["unparseable"] == 1
    assert metrics["records"] == metrics["rows"] + metrics["rejected"]


@pytest.mark.slow
def test_hub_source_from_a_saved_dataset(repo: Path) -> None:
    records = [
        {
            "messages": [
                {"role": "user", "content": f"Name a prime number larger than {i * 17}."},
                {"role": "assistant", "content": f"{next_prime(i * 17)} is prime."},
            ]
        }
        for i in range(1, 6)
    ]
    datasets.Dataset.from_list(records).save_to_disk(str(repo / "hf_local"))
    _set_params(repo, hub_sources={"primes": {"format": "messages", "hf": {"name": "hf_local"}}})
    _run(repo, "dvc", "repro", "pool")
    ingested = pl.read_parquet(repo / "data/ingested/primes.parquet")
    assert ingested.height == 5
    pool = pl.read_parquet(repo / "data/pool.parquet")
    assert (pool["source"] == "primes").sum() == 5
    assert "ingest_hub@primes" in (repo / "dvc.lock").read_text()


def next_prime(n: int) -> int:
    n += 1
    while any(n % d == 0 for d in range(2, int(n**0.5) + 1)):
        n += 1
    return n
