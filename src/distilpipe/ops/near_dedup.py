"""Near-duplicate detection: MinHash signatures, LSH banding, exact Jaccard verification.

Texts are lower-cased and cut into tokens (a word of letters/digits, or one CJK character);
shingles are token n-grams. MinHash uses multiply-shift hashing over 64-bit shingle hashes,
LSH bands pick candidate pairs, and each candidate pair is kept only if the exact Jaccard
similarity of the two shingle sets reaches the threshold, so banding only affects recall.
Rows are processed in order: a row is a near duplicate if it is similar to an earlier row
that was kept. Everything is seeded and order-stable, so results are deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import polars_hash as plh

TOKEN_PATTERN = r"\p{Han}|[\p{L}\p{N}--\p{Han}]+"
MAX_TOKENS = 1000  # long texts are compared on their first 1000 tokens
_CHUNK_ROWS = 65536
SHINGLE_SLICE_ROWS = 100_000
_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93],
    dtype=np.uint64,
)


@dataclass
class Shingles:
    """Shingle hashes of n texts, concatenated; text i owns values[offsets[i]:offsets[i+1]]."""

    values: np.ndarray  # uint64
    offsets: np.ndarray  # int64, length n + 1

    def of(self, i: int) -> np.ndarray:
        return self.values[self.offsets[i] : self.offsets[i + 1]]


def shingle(texts: pl.Series, ngram: int) -> Shingles:
    """Token n-gram hashes per text (a text shorter than n tokens is one shingle).

    Works through the texts in slices, so the token lists (several times the size of the
    hashes) never exist for all texts at once.
    """
    parts = [
        _shingle_slice(texts.slice(lo, SHINGLE_SLICE_ROWS), ngram)
        for lo in range(0, texts.len(), SHINGLE_SLICE_ROWS)
    ]
    if not parts:
        return Shingles(np.zeros(0, dtype=np.uint64), np.zeros(1, dtype=np.int64))
    ends = np.cumsum([p.offsets[-1] for p in parts])
    offsets = np.concatenate(
        [np.zeros(1, dtype=np.int64)]
        + [p.offsets[1:] + (ends[i - 1] if i else 0) for i, p in enumerate(parts)]
    )
    return Shingles(np.concatenate([p.values for p in parts]), offsets)


def _shingle_slice(texts: pl.Series, ngram: int) -> Shingles:
    tokens = (
        texts.fill_null("")
        .str.to_lowercase()
        .str.extract_all(TOKEN_PATTERN)
        .list.head(MAX_TOKENS)
        .alias("tok")
    )
    counts = tokens.list.len().to_numpy().astype(np.int64)
    flat = tokens.explode().drop_nulls().to_frame()
    hashes = flat.select(plh.col("tok").nchash.xxh3_64())["tok"].to_numpy().astype(np.uint64)
    n_shingles = np.where(counts >= ngram, counts - ngram + 1, np.minimum(counts, 1))
    offsets = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(n_shingles, out=offsets[1:])
    if hashes.size == 0:
        return Shingles(np.zeros(0, dtype=np.uint64), offsets)
    # Work on the flat token array: the shingle starting at token j combines tokens j..j+n-1,
    # with tokens past the end of j's text counted as 0 (only short texts have such shingles).
    size = np.repeat(counts, counts)  # length of each token's text
    position = np.arange(hashes.size) - np.repeat(offsets_of(counts), counts)
    left = size - position  # tokens from this one to the end of its text
    values = hashes.copy()
    with np.errstate(over="ignore"):
        for k in range(1, ngram):
            shifted = np.zeros_like(hashes)
            shifted[:-k] = hashes[k:]
            shifted[left <= k] = 0
            values *= _MIX[k % len(_MIX)]
            values += shifted
    keep = (left >= ngram) | ((position == 0) & (size < ngram))
    values = values[keep]
    return Shingles(values, offsets)


def offsets_of(counts: np.ndarray) -> np.ndarray:
    """Start index of each group in a flat array of groups of the given sizes."""
    starts = np.zeros(counts.size, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    return starts


def minhash(shingles: Shingles, num_perm: int, seed: int = 0) -> np.ndarray:
    """(num_perm, n) uint32 MinHash signatures; a text without shingles gets all 0xFFFFFFFF.

    One permutation at a time over contiguous arrays: ~10x faster than an (n, num_perm)
    matrix reduced along its rows.
    """
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    n = shingles.offsets.size - 1
    signatures = np.full((num_perm, n), np.iinfo(np.uint32).max, dtype=np.uint32)
    for lo in range(0, n, _CHUNK_ROWS):
        hi = min(lo + _CHUNK_ROWS, n)
        counts = np.diff(shingles.offsets[lo : hi + 1])
        present = np.flatnonzero(counts) + lo
        if present.size == 0:
            continue
        s0 = shingles.offsets[lo]
        values = shingles.values[s0 : shingles.offsets[hi]]
        starts = shingles.offsets[present] - s0
        hashed = np.empty_like(values)
        with np.errstate(over="ignore"):
            for p in range(num_perm):
                np.multiply(values, a[p], out=hashed)
                hashed += b[p]
                hashed >>= np.uint64(32)
                signatures[p, present] = np.minimum.reduceat(hashed, starts)
    return signatures


def lsh_bands(threshold: float, num_perm: int, recall: float = 0.95) -> tuple[int, int]:
    """(bands, rows per band): the most rows per band that still finds a pair at `threshold`
    with probability >= `recall`. More rows per band means fewer false candidates; false
    candidates only cost a verification, a missed pair is a duplicate kept.
    """
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1.0 - (1.0 - threshold**rows) ** bands >= recall:
            return bands, rows
    return num_perm, 1


def candidate_pairs(
    signatures: np.ndarray, has_shingles: np.ndarray, bands: int, rows: int
) -> np.ndarray:
    """(m, 2) int64 pairs (earliest row in a bucket, later row), unique, sorted by row.

    `signatures` is (num_perm, n), as `minhash` returns it. Buckets are found by a stable
    sort of each band's keys, so memory stays a few arrays of n, whatever the band count.
    """
    index = np.flatnonzero(has_shingles)
    found = []
    for band in range(bands):
        key = np.zeros(index.size, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for j in range(rows):
                column = signatures[band * rows + j, index].astype(np.uint64)
                key = key * _MIX[j % len(_MIX)] + column
        order = np.argsort(key, kind="stable")  # equal keys keep row order
        sorted_key = key[order]
        starts = np.ones(order.size, dtype=bool)
        starts[1:] = sorted_key[1:] != sorted_key[:-1]
        first = index[order][np.flatnonzero(starts)][np.cumsum(starts) - 1]
        later = ~starts
        found.append(np.stack([first[later], index[order][later]], axis=1))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.unique(np.concatenate(found).astype(np.int64), axis=0)
    return pairs[np.lexsort((pairs[:, 0], pairs[:, 1]))]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.unique(a), np.unique(b)
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (a.size + b.size - inter)


def near_duplicates(
    texts: pl.Series, threshold: float, ngram: int = 3, num_perm: int = 32, seed: int = 0
) -> np.ndarray:
    """For each text, the index of the earlier kept text it nearly duplicates, or -1."""
    shingles = shingle(texts, ngram)
    signatures = minhash(shingles, num_perm, seed)
    bands, rows = lsh_bands(threshold, num_perm)
    has = np.diff(shingles.offsets) > 0
    pairs = candidate_pairs(signatures, has, bands, rows)
    dup_of = np.full(texts.len(), -1, dtype=np.int64)
    for first, row in pairs:
        if dup_of[row] != -1 or dup_of[first] != -1:
            continue  # already a duplicate, or its partner was dropped itself
        if jaccard(shingles.of(first), shingles.of(row)) >= threshold:
            dup_of[row] = first
    return dup_of


def near_duplicates_of(
    texts: pl.Series,
    n_existing: int,
    threshold: float,
    ngram: int = 3,
    num_perm: int = 32,
    seed: int = 0,
) -> np.ndarray:
    """New texts against what is already there: for each text from index `n_existing` on,
    the index of an earlier text it nearly duplicates, or -1 (-1 for the existing texts).

    Every existing text counts (duplicates among them too, since each is still there); a new
    text counts once it is kept (not a duplicate itself). Unlike `candidate_pairs`, which
    pairs each bucket's first row with the others, a new text is compared with every earlier
    text that shares any LSH bucket with it, so an existing text that is a near duplicate of
    another cannot hide a match. Meant for a few new texts against many existing ones.
    """
    shingles = shingle(texts, ngram)
    signatures = minhash(shingles, num_perm, seed)
    bands, rows = lsh_bands(threshold, num_perm)
    n = texts.len()
    has = np.diff(shingles.offsets) > 0
    keys = np.zeros((bands, n), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for band in range(bands):
            for j in range(rows):
                column = signatures[band * rows + j].astype(np.uint64)
                keys[band] = keys[band] * _MIX[j % len(_MIX)] + column
    orders = [np.argsort(keys[band], kind="stable") for band in range(bands)]
    sorted_keys = [keys[band][orders[band]] for band in range(bands)]
    dup_of = np.full(n, -1, dtype=np.int64)
    for new in range(n_existing, n):
        if not has[new]:
            continue
        found: set[int] = set()
        for band in range(bands):
            key = keys[band, new]
            lo = np.searchsorted(sorted_keys[band], key, side="left")
            hi = np.searchsorted(sorted_keys[band], key, side="right")
            found.update(int(i) for i in orders[band][lo:hi] if i < new)
        for earlier in sorted(found):
            counts = has[earlier] and (earlier < n_existing or dup_of[earlier] == -1)
            if counts and jaccard(shingles.of(earlier), shingles.of(new)) >= threshold:
                dup_of[new] = earlier
                break
    return dup_of
