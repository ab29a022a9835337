"""Classify 1,000,000 rows with a fitted task classifier and sample 100,000 of them, next to
a plain pandas + scikit-learn (character n-gram TF-IDF + logistic regression) implementation,
in one run.

    python bench/sample.py [--rows 1000000] [--n 100000] [--seed-rows 20000]
                           [--baseline-rows 100000]

The corpus is synthetic and shaped like the pool: 33 task types in the default shares' skew
(math and reasoning common, most types rare), 70% English / 30% Chinese, instructions of
2-200 words (log-normal), each word topical for its type with probability 0.25 (the types'
vocabularies overlap) and filler otherwise, so neither classifier is perfect. Each step runs
in its own process, so its peak memory (max RSS) is its own:

- ours: TaskClassifier (polars-hashed word + char n-grams, TF-IDF, scikit-learn logistic
  regression) fitted on `--seed-rows` labelled rows, then labelling all rows; sample_rows
  drawing `--n` rows (quotas, length reweighting, language shares);
- baseline: pandas frame, TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3)) +
  LogisticRegression on the same seed rows, labelling `--baseline-rows` rows (it runs at a
  few thousand rows/s, so the whole corpus would take many minutes; rows/s is what compares),
  then per-type weighted `DataFrame.sample` (target / observed density weights, no
  redistribution of short quotas, no language targets).

Held-out agreement: both classifiers on the same 20,000 unseen labelled rows.

`--fasttext-python PYTHON` adds fastText supervised (thread=1, seed 0; word n-grams 2, char
n-grams 2-4) run by another interpreter that has the full `fasttext` bindings (e.g. a venv
with `fasttext-numpy2-wheel`; they cannot live in distilpipe's venv, see
docs/architecture.md), on the same seed, held-out and corpus rows, read from a text file.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

HELD_OUT = 20_000


def corpus(rows: int, seed: int) -> pl.DataFrame:
    """Synthetic classified-looking rows: id, lang, text, true task type, length."""
    from distilpipe.taxonomy import default_shares

    rng = np.random.default_rng(seed)
    shares = default_shares()
    types = list(shares)
    probs = np.array(list(shares.values()))
    probs /= probs.sum()
    latin = np.array([f"w{i}" for i in range(4000)])
    han = np.array([chr(0x4E00 + i) for i in range(3000)])
    # each type's topical words: 60 from a shared pool of 1500, so vocabularies overlap
    topical = rng.choice(1500, size=(len(types), 60))
    vocab = pl.DataFrame(
        {"w": np.arange(len(latin)), "latin": latin, "han": han[np.arange(len(latin)) % len(han)]}
    )
    parts = [
        _chunk(rng, min(CHUNK, rows - start), types, probs, topical, vocab)
        for start in range(0, rows, CHUNK)
    ]
    texts = pl.concat(parts)
    return pl.DataFrame(
        {
            "id": [f"{i:032x}" for i in rng.permutation(rows)],
            "lang": np.where(texts["zh"].to_numpy(), "zh", "en"),
            "text": texts["tok"].str.replace_all(r"(\p{Han}) ", "$1"),
            "truth": texts["truth"],
            "length": texts["length"],
        }
    )


CHUNK = 100_000


def _chunk(
    rng: np.random.Generator,
    rows: int,
    types: list[str],
    probs: np.ndarray,
    topical: np.ndarray,
    vocab: pl.DataFrame,
) -> pl.DataFrame:
    task = rng.choice(len(types), p=probs, size=rows)
    zh = rng.random(rows) < 0.3
    n_words = np.clip(np.exp(rng.normal(3.0, 0.7, size=rows)), 2, 200).astype(np.int64)
    width = int(n_words.max())
    is_topic = rng.random((rows, width)) < 0.25
    word = np.where(
        is_topic,
        topical[task[:, None], rng.integers(0, 60, size=(rows, width))],
        1500 + rng.integers(0, 2500, size=(rows, width)),
    )
    mask = np.arange(width)[None, :] < n_words[:, None]
    frame = pl.DataFrame({"row": np.repeat(np.arange(rows), mask.sum(axis=1)), "w": word[mask]})
    frame = frame.join(pl.DataFrame({"row": np.arange(rows), "zh": zh}), on="row")
    frame = frame.join(vocab, on="w", how="left").with_columns(
        pl.when(pl.col("zh")).then(pl.col("han")).otherwise(pl.col("latin")).alias("tok")
    )
    texts = (
        frame.group_by("row", maintain_order=True)
        .agg(pl.col("tok").str.join(" "), pl.col("zh").first())
        .sort("row")
    )
    return texts.with_columns(
        pl.Series("truth", np.array(types)[task]), pl.Series("length", n_words)
    ).drop("row")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(path: Path, seed_rows: int, n: int) -> dict[str, Any]:
    from distilpipe.ops.sample import sample_rows
    from distilpipe.ops.task_classifier import TaskClassifier
    from distilpipe.params import Sample, SampleLength

    data = pl.read_parquet(path)
    seed, held = data.head(seed_rows), data.slice(seed_rows, HELD_OUT)
    start = time.perf_counter()
    clf = TaskClassifier.fit(seed["text"], seed["truth"].to_list())
    fit_s = time.perf_counter() - start
    agreement = float(np.mean(np.array(clf.predict(held["text"])[0]) == held["truth"].to_numpy()))
    start = time.perf_counter()
    labels, _ = clf.predict(data["text"])
    classify_s = time.perf_counter() - start
    rows = data.select("id", "lang").with_columns(pl.Series("task_type", labels, dtype=pl.String))
    params = Sample(n=n, length=SampleLength(unit="tokens", mu=3.0, sigma=0.8))
    start = time.perf_counter()
    result = sample_rows(rows, data["length"], params)
    sample_s = time.perf_counter() - start
    return {
        "fit_s": fit_s,
        "held_out_agreement": agreement,
        "classify_rows_per_s": data.height / classify_s,
        "classify_s": classify_s,
        "sample_s": sample_s,
        "sampled": result.rows.height,
        "length_kl": result.metrics["length_kl"],
        "peak_rss_mib": peak_mib(),
    }


def run_baseline(path: Path, seed_rows: int, n: int, baseline_rows: int) -> dict[str, Any]:
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    data = pd.read_parquet(path)
    seed, held = data.iloc[:seed_rows], data.iloc[seed_rows : seed_rows + HELD_OUT]
    start = time.perf_counter()
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    model = LogisticRegression(C=10.0, max_iter=2000)
    model.fit(vectorizer.fit_transform(seed["text"]), seed["truth"])
    fit_s = time.perf_counter() - start
    agreement = float((model.predict(vectorizer.transform(held["text"])) == held["truth"]).mean())
    part = data.iloc[:baseline_rows]
    start = time.perf_counter()
    labels = model.predict(vectorizer.transform(part["text"]))
    classify_s = time.perf_counter() - start
    # sampling: the whole corpus, labelled with the true types (the baseline did not label
    # it all); per type a quota from the shares, rows weighted by target / observed density
    from distilpipe.taxonomy import default_shares

    shares = default_shares()
    frame = data[["id", "lang", "truth", "length"]].rename(columns={"truth": "task_type"})
    start = time.perf_counter()
    log_len = np.log(frame["length"].clip(lower=1))
    edges = np.linspace(3.0 - 3.2, 3.0 + 3.2, 17)
    frame["bin"] = np.digitize(log_len, edges)
    cdf = np.array([0.5 * (1 + math.erf((e - 3.0) / (0.8 * math.sqrt(2)))) for e in edges])
    target = np.concatenate([[cdf[0]], np.diff(cdf), [1 - cdf[-1]]])
    observed = frame.groupby(["task_type", "bin"])["id"].transform("size") / frame.groupby(
        "task_type"
    )["id"].transform("size")
    frame["w"] = target[frame["bin"].to_numpy()] / observed
    parts = []
    for task, group in frame.groupby("task_type"):
        k = min(len(group), round(n * shares[str(task)]))
        parts.append(group.sample(n=k, weights="w", random_state=0))
    sampled = pd.concat(parts)
    sample_s = time.perf_counter() - start
    return {
        "fit_s": fit_s,
        "held_out_agreement": agreement,
        "classify_rows_per_s": len(part) / classify_s,
        "classify_s": classify_s,
        "classified_rows": len(labels),
        "sample_s": sample_s,
        "sampled": len(sampled),
        "peak_rss_mib": peak_mib(),
    }


FASTTEXT_CHILD = r"""
import json, resource, sys, time
import fasttext
folder, seed_rows, held_out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lines = open(folder + "/corpus.txt", encoding="utf-8").read().split("\n")[:-1]
labels = [l.split(" ", 1)[0] for l in lines]
texts = [l.split(" ", 1)[1] for l in lines]
start = time.perf_counter()
model = fasttext.train_supervised(folder + "/seed.txt", thread=1, seed=0, epoch=10, lr=0.5,
                                  wordNgrams=2, minn=2, maxn=4, bucket=1 << 18, verbose=0)
fit_s = time.perf_counter() - start
held = texts[seed_rows : seed_rows + held_out]
guess = model.predict(held)[0]
agree = sum(g[0] == l for g, l in zip(guess, labels[seed_rows : seed_rows + held_out])) / len(held)
start = time.perf_counter()
model.predict(texts)
classify_s = time.perf_counter() - start
print(json.dumps({"fit_s": fit_s, "held_out_agreement": agree,
                  "classify_rows_per_s": len(texts) / classify_s, "classify_s": classify_s,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def write_fasttext_files(data: pl.DataFrame, folder: Path, seed_rows: int) -> None:
    lines = data.select(pl.concat_str(pl.lit("__label__"), "truth", pl.lit(" "), "text"))
    text = lines.to_series()
    (folder / "corpus.txt").write_text("\n".join(text.to_list()) + "\n", encoding="utf-8")
    (folder / "seed.txt").write_text(
        "\n".join(text.head(seed_rows).to_list()) + "\n", encoding="utf-8"
    )


def child(args: argparse.Namespace) -> None:
    path = Path(args.data)
    if args.child == "ours":
        out = run_ours(path, args.seed_rows, args.n)
    else:
        out = run_baseline(path, args.seed_rows, args.n, args.baseline_rows)
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed-rows", type=int, default=20_000)
    parser.add_argument("--baseline-rows", type=int, default=100_000)
    parser.add_argument("--fasttext-python", help="an interpreter with the full fasttext bindings")
    parser.add_argument("--child", choices=["ours", "baseline"])
    parser.add_argument("--data")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.parquet"
        start = time.perf_counter()
        data = corpus(args.rows, seed=0)
        data.write_parquet(path)
        print(f"corpus: {args.rows:,} rows in {time.perf_counter() - start:.1f}s", file=sys.stderr)
        results = {}
        if args.fasttext_python:
            write_fasttext_files(data, Path(tmp), args.seed_rows)
            cmd = [args.fasttext_python, "-c", FASTTEXT_CHILD, tmp, str(args.seed_rows)]
            proc = subprocess.run([*cmd, str(HELD_OUT)], capture_output=True, text=True, check=True)
            results["fasttext"] = json.loads(proc.stdout.strip().splitlines()[-1])
        del data
        for name in ("ours", "baseline"):
            cmd = [sys.executable, __file__, "--child", name, "--data", str(path)]
            cmd += ["--n", str(args.n), "--seed-rows", str(args.seed_rows)]
            cmd += ["--baseline-rows", str(args.baseline_rows)]
            env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
            proc = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
            results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"{args.rows:,} rows, sample {args.n:,}, classifier fitted on {args.seed_rows:,}")
    print(json.dumps(results, indent=2))
    ours, base = results["ours"], results["baseline"]
    if "fasttext" in results:
        ft = results["fasttext"]
        print(
            f"fastText: {ft['classify_rows_per_s']:,.0f} rows/s, held-out agreement "
            f"{ft['held_out_agreement']:.3f}, peak RSS {ft['peak_rss_mib']:,.0f} MiB"
        )
    print(
        f"classify: ours {ours['classify_rows_per_s']:,.0f} rows/s, baseline "
        f"{base['classify_rows_per_s']:,.0f} rows/s "
        f"({ours['classify_rows_per_s'] / base['classify_rows_per_s']:.1f}x); held-out agreement "
        f"ours {ours['held_out_agreement']:.3f}, baseline {base['held_out_agreement']:.3f}"
    )
    print(
        f"sample: ours {ours['sample_s']:.2f}s, baseline {base['sample_s']:.2f}s; peak RSS "
        f"ours {ours['peak_rss_mib']:,.0f} MiB, baseline {base['peak_rss_mib']:,.0f} MiB"
    )


if __name__ == "__main__":
    main()
