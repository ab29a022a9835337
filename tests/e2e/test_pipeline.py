"""End-to-end: `dvc repro` of the whole pipeline in a temporary git + DVC repo."""

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import datasets
import polars as pl
import pytest
import yaml

from distilpipe import publish
from distilpipe.schema import validate_rows
from tests.e2e.conftest import ROOT, copy_of, run, set_params


@pytest.mark.timeout(1800)  # waits for the session's run
def test_repro_then_up_to_date(
    golden: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_of(golden, tmp_path / "copy", monkeypatch)
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

    judge = json.loads((repo / "metrics/judge.json").read_text())
    assert judge["rows_in"] == pool.height
    assert judge["rows_kept"] == pl.read_parquet(repo / "data/judged.parquet").height
    assert judge["calls"]["failed"] == 0
    assert judge["calls"]["cache_misses"] > 0
    for name in ("sft", "dpo"):
        assert pl.read_parquet(repo / f"data/{name}.parquet").height > 0

    assert "up to date" in run(repo, "dvc", "status").stdout
    # Byte for byte the same outputs again: each stage but training, run again from an empty
    # call cache (killed and resumed) by the kill suite (tests/reliability/
    # test_kill_every_stage.py); everything after the judge, training included, by an
    # experiment run twice (tests/e2e/test_workflow.py).


@pytest.mark.slow
def test_bad_line_fails_with_file_and_line_then_skip_mode(repo: Path) -> None:
    sample = repo / "data/samples/magpie.jsonl"
    lines = sample.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(2, '{"uuid": "broken", "conversations": [\n')
    sample.write_text("".join(lines), encoding="utf-8")

    failed = run(repo, "dvc", "repro", "ingest@magpie", check=False)
    assert failed.returncode != 0
    assert "error: data/samples/magpie.jsonl:3: invalid JSON" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert not (repo / "data/ingested/magpie.parquet").exists()

    params = yaml.safe_load((repo / "params.yaml").read_text())
    params["sources"]["magpie"]["on_error"] = "skip"
    (repo / "params.yaml").write_text(yaml.safe_dump(params))
    run(repo, "dvc", "repro", "ingest@magpie")
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
    set_params(repo, hub_sources={"primes": {"format": "messages", "hf": {"name": "hf_local"}}})
    run(repo, "dvc", "repro", "pool")
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


@pytest.mark.slow
def test_langdetect_is_a_param_away_and_deterministic(repo: Path) -> None:
    run(repo, "dvc", "repro", "pool")
    fasttext = pl.read_parquet(repo / "data/pool.parquet").select("id", "lang")
    run(repo, "git", "add", "-A")
    run(repo, "git", "commit", "-qm", "pool with fastText")
    exp = run(repo, "dvc", "exp", "run", "-S", "pool.langid=langdetect", "pool")
    assert "Running stage 'pool'" in exp.stdout
    assert json.loads((repo / "metrics/pool.json").read_text())["langid"] == "langdetect"
    pool = pl.read_parquet(repo / "data/pool.parquet")
    # Magpie marks its Chinese records: langdetect labels them zh, but for one that asks in
    # Chinese about an English proverb, quoted whole ("The early bird ... 是什么意思")
    magpie = pool.filter(pl.col("source") == "magpie").with_columns(
        pl.col("meta").str.json_path_match("$.language").alias("marked"),
        pl.col("messages").list.first().struct.field("content").alias("prompt"),
    )
    chinese = magpie.filter(pl.col("marked") == "ZH")
    assert chinese.height >= 20
    not_zh = chinese.filter(pl.col("lang") != "zh")["prompt"].to_list()
    assert len(not_zh) <= 1 and all(p.startswith("The early bird") for p in not_zh)
    # ... and agrees with fastText on almost every row
    both = pool.select("id", "lang").join(fasttext, on="id", suffix="_fasttext")
    assert both.height == pool.height
    assert (both["lang"] == both["lang_fasttext"]).mean() >= 0.95  # type: ignore[operator]
    first = (repo / "data/pool.parquet").read_bytes()
    run(repo, "dvc", "repro", "--force", "pool")
    assert (repo / "data/pool.parquet").read_bytes() == first


@pytest.mark.slow
def test_the_readme_snippet_runs_on_the_pipelines_own_student(
    golden: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README "Using the result", word for word, in the project the default run made: it
    loads models/student-dpo and answers (read only: nothing in the run is changed)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"```python\n{publish.HOW_TO_USE}```" in readme
    repo = golden / "repo"
    lock = yaml.safe_load((repo / "dvc.lock").read_text())
    assert any(o["path"] == publish.DEFAULT_MODEL for o in lock["stages"]["train_dpo"]["outs"])
    monkeypatch.chdir(repo)
    namespace: dict[str, Any] = {}
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(publish.HOW_TO_USE, namespace)
    new_tokens = namespace["generated_ids"][0]
    assert 0 < len(new_tokens) <= 512
    tokenizer = namespace["tokenizer"]
    assert namespace["response"] == tokenizer.decode(new_tokens, skip_special_tokens=True)
    assert out.getvalue() == namespace["response"] + "\n"
    assert namespace["model"].config.architectures == ["Qwen2ForCausalLM"]
    assert run(repo, "git", "status", "--porcelain").stdout == ""
