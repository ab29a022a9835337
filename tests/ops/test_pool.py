import json

import polars as pl

from distilpipe.ops.pool import build_pool
from distilpipe.schema import ROW_SCHEMA, validate_rows
from distilpipe.sources.rows import message_id

LONG_EN = (
    "Write a Python function that takes a list of integers and returns the second largest "
    "distinct value, raising ValueError when there is none. Explain its time complexity."
)


def _frame(source: str, prompts: list[str], answer: str = "Sure.") -> pl.DataFrame:
    rows = []
    for i, prompt in enumerate(prompts):
        messages = [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]
        rows.append(
            {
                "id": message_id(messages),
                "source": source,
                "source_id": str(i),
                "messages": messages,
                "lang": "und",
                "origin": "source",
                "parent_id": None,
                "meta": "{}",
            }
        )
    return pl.DataFrame(rows, schema=ROW_SCHEMA)


def test_pool_dedups_filters_and_counts() -> None:
    a = _frame(
        "a",
        [
            LONG_EN,
            "How do I bake sourdough bread at home with a starter I made last week?",
            LONG_EN,  # exact duplicate within a
            "请帮我写一首关于秋天的诗，要有落叶和月亮。",
            "Écrivez un court poème sur la mer et le vent.",  # language
            "Summarise this text: " + "the cat sat on the mat. " * 40,  # too long
        ],
    )
    b = _frame(
        "b",
        [
            # an exact duplicate across sources
            "How do I bake sourdough bread at home with a starter I made last week?",
            LONG_EN + " Use type hints.",  # near duplicate of a's first row, across
            "What causes the seasons on Earth, and why are they reversed in the south?",
        ],
    )
    result = build_pool([a, b], languages=["en", "zh"], max_chars=600)
    validate_rows(result.rows)
    assert result.rows["lang"].to_list() == ["en", "en", "zh", "en"]
    assert result.rows["source"].to_list() == ["a", "a", "a", "b"]
    m = result.metrics
    assert m["rows_in"] == 9 and m["rows_out"] == 4
    assert m["rejected"] == {"exact_dup": 2, "too_long": 1, "language": 1, "near_dup": 1}
    assert m["exact_duplicates"] == {"within_source": 1, "across_sources": 1}
    assert m["near_duplicates"] == {"within_source": 0, "across_sources": 1}
    assert m["sources"] == {"a": {"in": 6, "out": 3}, "b": {"in": 3, "out": 1}}
    assert m["languages_seen"] == {"en": 4, "zh": 1, "fr": 1}
    assert m["languages"] == {"en": 3, "zh": 1}
    near = result.rejects.filter(pl.col("reason") == "near_dup").row(0, named=True)
    assert near["dup_of"] == a["id"][0] and near["source"] == "b"
    assert result.plots["languages"] == [{"lang": "en", "rows": 3}, {"lang": "zh", "rows": 1}]
    lengths = result.plots["lengths"]
    assert sum(p["rows"] for p in lengths) == 4
    assert [p["chars"] for p in lengths[:3]] == ["0–16", "16–32", "32–64"]
    # the bins end at the first power of two above the longest conversation
    assert lengths[-1]["rows"] > 0
    json.dumps(m)  # metrics are plain JSON


def test_undetermined_language_kept_or_dropped() -> None:
    frame = _frame("a", ["12 + 7 = ?", "Écrivez un court poème sur la mer et le vent."])
    kept = build_pool([frame], languages=["en"])
    assert kept.rows["lang"].to_list() == ["und"]
    dropped = build_pool([frame], languages=["en"], keep_undetermined=False)
    assert dropped.rows.height == 0 and dropped.metrics["rejected"]["language"] == 2


def test_no_filters_keeps_every_language() -> None:
    frame = _frame("a", ["Écrivez un court poème sur la mer et le vent.", "12 + 7 = ?"])
    result = build_pool([frame], languages=None, max_chars=None)
    assert result.rows["lang"].to_list() == ["fr", "und"]


def test_empty_pool() -> None:
    result = build_pool([_frame("a", [])])
    assert result.rows.height == 0 and result.metrics["rows_out"] == 0
