"""What appending 1% more rows costs: the whole pipeline on N rows, then the same append
re-run with the LLM call cache (distilpipe) and without it (plain DVC stage caching), in one
run.

    python bench/incremental.py [--rows 2000] [--append 0.01] [--keep DIR]

Builds a temporary git + DVC copy of the project whose `magpie` source holds `--rows`
records in Magpie's layout (the shipped samples, then records that each join two shipped
instructions of one language, so every one is new and none is a near-duplicate of another),
on the default params. Then:

1. first run: `dvc repro` on an empty LLM cache: every call is made;
2. the repo is copied; `--append` x rows more records go to the end of `magpie.jsonl`;
3. with cache: `dvc repro` with the warm call cache: DVC re-runs every stage downstream of
   the source, and the call cache answers every call it has seen;
4. without cache: the copy, the same append, `dvc repro` on an empty call cache: what DVC's
   own stage caching costs (a changed input re-runs the stage, every call in it).

Printed: LLM calls made (cache misses, summed over every stage's metrics) and wall time of
each re-run as fractions of the first run, and the new rows' share of the rows, per stage and
in total. The first run's wall time includes `bootstrap` (the tiny models, ~1 min here),
which neither re-run repeats.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from distilpipe.status import read_status

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.project: the tests' copy of the project
from tests import project  # noqa: E402

SEED = 7


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000, help="records in the magpie source")
    parser.add_argument("--append", type=float, default=0.01, help="share of rows appended")
    parser.add_argument("--keep", type=Path, help="work here and keep it (default: a temp dir)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-incremental-"))
    work.mkdir(parents=True, exist_ok=True)
    extra = max(1, round(args.rows * args.append))
    records = magpie_records(args.rows + extra)
    first, appended = records[: args.rows], records[args.rows :]

    repo = make_bench_repo(work / "repo", first)
    warm_cache, cold_cache = work / "cache-warm", work / "cache-cold"
    print(
        f"# incremental cost, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores; {args.rows} magpie records + {extra} appended"
    )
    t0 = time.perf_counter()
    dvc(repo, warm_cache, "repro")
    first_s = time.perf_counter() - t0
    first_calls = calls_by_stage(repo, None)
    pool = json.loads((repo / "metrics/pool.json").read_text())
    print(f"pool: {pool['rows_out']:,} rows ({pool['sources']['magpie']['out']:,} from magpie)")
    commit(repo, "first run")
    copy = work / "repo-nocache"
    shutil.copytree(repo, copy, symlinks=True)

    results = {}
    for name, where, cache in (
        ("with call cache", repo, warm_cache),
        ("plain DVC", copy, cold_cache),
    ):
        append(where, appended)
        t0 = time.perf_counter()
        ran = dvc(where, cache, "repro")
        results[name] = (time.perf_counter() - t0, calls_by_stage(where, ran))
        grown = json.loads((where / "metrics/pool.json").read_text())["rows_out"]
        if grown <= pool["rows_out"]:
            sys.exit(f"the appended records added no pool row ({grown:,} rows): nothing measured")

    total_first = sum(c["made"] for c in first_calls.values())
    print(f"first run: {first_s:.1f} s, {total_first:,} calls made")
    print(f"new rows: {extra} of {args.rows + extra} = {extra / (args.rows + extra):.2%}")
    print()
    header = f"{'stage':<14}{'first calls':>12}"
    for name in results:
        header += f"{name + ' calls':>24}{'share':>8}"
    print(header)
    for stage in first_calls:
        line = f"{stage:<14}{first_calls[stage]['made']:>12,}"
        for _, by_stage in results.values():
            made = by_stage.get(stage, {"made": 0})["made"]
            share = made / first_calls[stage]["made"] if first_calls[stage]["made"] else 0.0
            line += f"{made:>24,}{share:>8.2%}"
        print(line)
    print()
    for name, (seconds, by_stage) in results.items():
        made = sum(c["made"] for c in by_stage.values())
        print(
            f"{name:>16}: re-run {seconds:7.1f} s = {seconds / first_s:6.1%} of the first run; "
            f"calls made {made:,} = {made / max(1, total_first):6.2%} of the first run's"
        )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def magpie_records(n: int) -> list[dict[str, Any]]:
    """The shipped Magpie sample records, then new ones in the same layout: each joins two
    shipped instructions of one script (Han or not), "A\n\nAlso: B", with B's answer, so
    every record is new, reads like the samples, and is no near-duplicate of another."""
    lines = (ROOT / "data/samples/magpie.jsonl").read_text(encoding="utf-8").splitlines()
    shipped = [json.loads(line) for line in lines if line.strip()]
    usable = [r for r in shipped if r.get("instruction") and r.get("response")]
    rng = random.Random(SEED)
    out = shipped[:n]
    seen = {r.get("instruction") for r in out}
    while len(out) < n:
        a, b = rng.sample(usable, 2)
        if _han(a["instruction"]) != _han(b["instruction"]):
            continue
        also = "另外：" if _han(a["instruction"]) else "Also: "
        instruction = f"{a['instruction']}\n\n{also}{b['instruction']}"
        if instruction in seen:
            continue
        seen.add(instruction)
        record = dict(a)
        record["uuid"] = str(uuid.UUID(int=rng.getrandbits(128)))
        record["instruction"] = instruction
        record["response"] = b["response"]
        # what ingest reads: Magpie's conversation, which the two fields above repeat
        record["conversations"] = [
            {"from": "human", "value": instruction},
            {"from": "gpt", "value": b["response"]},
        ]
        out.append(record)
    return out


def _han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def make_bench_repo(repo: Path, records: list[dict[str, Any]]) -> Path:
    """The project's git + DVC copy (the tests' own), its magpie source holding `records`."""
    project.make_repo(repo)
    write_jsonl(repo / "data/samples/magpie.jsonl", records)
    commit(repo, "project")
    return repo


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    path.write_text(text, encoding="utf-8")


def append(repo: Path, records: list[dict[str, Any]]) -> None:
    with (repo / "data/samples/magpie.jsonl").open("a", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def calls_by_stage(repo: Path, ran: set[str] | None) -> dict[str, dict[str, int]]:
    """Calls made (cache misses) per stage that makes LLM calls, from its metrics; a stage
    that did not run (not in `ran`; None: all ran) made none."""
    out = {}
    for stage in read_status(repo):
        if stage.calls.get("calls"):
            calls = stage.calls["calls"]
            made = calls - stage.calls.get("cache_hits", 0)
            if ran is not None and stage.name not in ran:
                calls = made = 0
            out[stage.name] = {"calls": calls, "made": made}
    return out


def dvc(repo: Path, cache: Path, *args: str) -> set[str]:
    """Run dvc; the names of the stages it ran."""
    out = run(repo, "dvc", *args, env={"DISTILPIPE_CACHE_DIR": str(cache)})
    return set(re.findall(r"Running stage '([^']+)'", out))


def commit(repo: Path, message: str) -> None:
    run(repo, "git", "add", "-A")
    run(repo, "git", "commit", "-qm", message)


def run(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = project.run(repo, *args, check=False, env=env)
    if proc.returncode != 0:
        sys.exit(
            f"{' '.join(args)} failed in {repo}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    return proc.stdout


if __name__ == "__main__":
    main()
