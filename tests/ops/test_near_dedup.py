import numpy as np
import polars as pl

from distilpipe.ops.near_dedup import jaccard, lsh_bands, minhash, near_duplicates, shingle

BASE = (
    "Write a Python function that takes a list of integers and returns the second largest "
    "distinct value, raising ValueError when there is none. Explain its time complexity."
)


def test_shingles_are_word_ngrams_and_cjk_characters() -> None:
    sh = shingle(pl.Series(["a b c d", "A B, c d!", "x", "", None, "你好世界"]), ngram=3)
    counts = np.diff(sh.offsets).tolist()
    assert counts == [2, 2, 1, 0, 0, 2]
    assert (sh.of(0) == sh.of(1)).all()  # case and punctuation do not matter


def test_signature_agreement_estimates_jaccard() -> None:
    words = [f"w{i}" for i in range(400)]
    a, b = " ".join(words[:300]), " ".join(words[100:400])  # 3-gram Jaccard = 198/402
    sh = shingle(pl.Series([a, b]), ngram=3)
    sig = minhash(sh, num_perm=256)
    estimate = float((sig[:, 0] == sig[:, 1]).mean())
    assert abs(estimate - jaccard(sh.of(0), sh.of(1))) < 0.08


def test_lsh_bands_fit_num_perm() -> None:
    bands, rows = lsh_bands(0.85, 32)
    assert bands * rows <= 32
    # The chosen banding catches a 0.85-similar pair almost always, a 0.3-similar one rarely.
    assert 1 - (1 - 0.85**rows) ** bands >= 0.95
    assert 1 - (1 - 0.3**rows) ** bands < 0.05


def test_near_duplicates_keep_the_first() -> None:
    texts = pl.Series(
        [
            BASE,
            "How do I bake sourdough bread at home with a starter I made last week?",
            BASE + " Use type hints.",  # near duplicate of 0 (Jaccard 0.89)
            BASE.replace("Explain", "Also explain"),  # one word in 27 changed: Jaccard 0.82
            "请写一个函数，返回列表中第二大的不同整数，如果不存在就抛出异常，并说明时间复杂度。",
            "请写一个函数，返回列表中第二大的不同整数，如果不存在就抛出异常，并说明时间复杂度！",
            "",
            "",
        ]
    )
    dup_of = near_duplicates(texts, threshold=0.85)
    assert dup_of.tolist() == [-1, -1, 0, -1, -1, 4, -1, -1]


def test_duplicate_of_a_dropped_row_is_not_chained() -> None:
    texts = pl.Series([BASE, BASE + " Thanks.", BASE + " Thanks. Please."])
    dup_of = near_duplicates(texts, threshold=0.85)
    assert dup_of.tolist() == [-1, 0, 0]


def test_deterministic() -> None:
    texts = pl.Series([f"{BASE} variant {i % 7}" for i in range(200)])
    assert (near_duplicates(texts, 0.85) == near_duplicates(texts, 0.85)).all()


def test_shingles_the_same_in_slices(monkeypatch) -> None:
    from distilpipe.ops import near_dedup

    texts = pl.Series([f"{BASE} number {i}" if i % 3 else "" for i in range(50)] + ["a b"])
    whole = shingle(texts, ngram=3)
    monkeypatch.setattr(near_dedup, "SHINGLE_SLICE_ROWS", 7)
    sliced = shingle(texts, ngram=3)
    assert (sliced.offsets == whole.offsets).all()
    assert (sliced.values == whole.values).all()


def test_new_texts_are_checked_against_every_existing_text() -> None:
    from distilpipe.ops.near_dedup import near_duplicates_of

    existing = [
        "Explain how a binary search finds an item in a sorted list of numbers.",
        # a near duplicate of the first, still there: a new text like it counts as a duplicate
        "Explain how a binary search finds an item in a sorted list of integers.",
        "写一篇关于故乡春天的散文，描写桃花和细雨。",
    ]
    new = [
        "Explain how a binary search finds an item in a sorted list of integers, please.",
        "Describe the water cycle for a ten-year-old, in four short steps.",
        "写一篇关于故乡春天的散文，描写桃花和细雨吧。",
        "Describe the water cycle for a ten-year-old, in four short steps!",  # the 2nd new one
        "List three causes of the French Revolution and one consequence of each.",
    ]
    dup_of = near_duplicates_of(pl.Series(existing + new), len(existing), 0.85)
    assert dup_of[: len(existing)].tolist() == [-1, -1, -1]
    assert dup_of[3] in (0, 1) and dup_of[5] == 2 and dup_of[6] == 4
    assert dup_of[4] == dup_of[7] == -1
