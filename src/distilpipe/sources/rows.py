"""Turn adapted source records into rows of the row schema, rejecting bad ones with a reason.

Rejection reasons, checked in this order (a record gets the first that applies):

    missing_field   a needed field (or a turn's role/text) is missing or null
    unknown_role    a role that neither the format nor `role_map` maps
    empty_turn      a turn that is empty or whitespace after normalisation
    no_assistant    no assistant turn at all
    role_order      not: optional system, then user/assistant alternating, ending with assistant

The work is done on the flat arrays of all turns (one entry per turn, rows delimited by
offsets), with numpy reductions per row; no group-by, no Python loop over rows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import polars as pl
import polars_hash as plh

from distilpipe.schema import MESSAGES, ROW_SCHEMA
from distilpipe.sources.formats import DEFAULT_ROLE_MAP, lists_from_offsets
from distilpipe.text import normalize_text

REASONS = ("missing_field", "unknown_role", "empty_turn", "no_assistant", "role_order")
ID_HEX_CHARS = 32  # 128 bits of SHA-256
# Separators that cannot occur in normalised text (control characters are removed).
ROLE_SEP = "\x1f"
TURN_SEP = "\x1e"


@dataclass
class Unified:
    rows: pl.DataFrame  # the row schema
    rejects: pl.DataFrame  # _row, _file, _pos, reason, field


def unify(adapted: pl.DataFrame, source: str, role_map: dict[str, str] | None = None) -> Unified:
    """Validate and normalise adapted records (formats.adapt) into rows of the row schema."""
    mapping = {**DEFAULT_ROLE_MAP, **(role_map or {})}
    element = pl.element().struct
    messages = adapted["turns"].list.eval(
        pl.struct(
            element.field("role").replace_strict(mapping, default=None, return_dtype=pl.String),
            element.field("content").map_batches(normalize_text, is_elementwise=True),
        )
    )
    lengths = messages.list.len().fill_null(0).to_numpy().astype(np.int64)
    offsets = np.zeros(lengths.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    flat = _flat_turns(messages, lengths)
    raw_role = _flat_turns(adapted["turns"], lengths)["role"]
    role, content = flat["role"], flat["content"]

    role_np = role.fill_null("").to_numpy()
    is_system = role_np == "system"
    is_user = role_np == "user"
    is_assistant = role_np == "assistant"
    unknown = (raw_role.is_not_null() & role.is_null()).to_numpy()
    empty = (content.str.strip_chars().str.len_bytes() == 0).fill_null(False).to_numpy()
    row_of_turn = np.repeat(np.arange(lengths.size), lengths)
    turn_index = np.arange(offsets[-1]) - offsets[row_of_turn]
    has_turns = lengths > 0
    starts = offsets[:-1][has_turns]
    system_first = np.zeros(lengths.size, dtype=np.int64)
    system_first[has_turns] = is_system[starts]
    k = turn_index - system_first[row_of_turn]
    in_order = (
        (is_system & (turn_index == 0)) | (is_user & (k % 2 == 0)) | (is_assistant & (k % 2 == 1))
    )
    last_is_assistant = np.zeros(lengths.size, dtype=bool)
    last_is_assistant[has_turns] = is_assistant[offsets[1:][has_turns] - 1]

    failures = {
        "missing_field": adapted["_missing"].is_not_null().to_numpy(),
        "unknown_role": _any(unknown, starts, has_turns),
        "empty_turn": _any(empty, starts, has_turns),
        "no_assistant": ~_any(is_assistant, starts, has_turns),
        "role_order": ~(_all(in_order, starts, has_turns) & last_is_assistant),
    }
    code = np.full(lengths.size, -1, dtype=np.int64)
    for index in reversed(range(len(REASONS))):  # the first reason in REASONS wins
        code[failures[REASONS[index]]] = index
    good = pl.Series(code == -1)
    reason = pl.Series("reason", code).replace_strict(
        dict(enumerate(REASONS)), default=None, return_dtype=pl.String
    )

    # id: SHA-256 over the turns' roles and content digests (see message_id).
    turn_digests = flat.select(
        pl.col("role") + ROLE_SEP + plh.col("content").chash.sha2_256()
    ).to_series()
    canon = lists_from_offsets(offsets, turn_digests).list.join(TURN_SEP)
    judged = adapted.select("_file", "_pos", "source_id", "meta", "_missing").with_columns(
        reason, messages.alias("messages"), canon.alias("_canon")
    )
    rows = judged.filter(good).select(
        plh.col("_canon").chash.sha2_256().str.slice(0, ID_HEX_CHARS).alias("id"),
        pl.lit(source, pl.String).alias("source"),
        pl.col("source_id"),
        pl.col("messages").cast(MESSAGES),
        pl.lit("und", pl.String).alias("lang"),
        pl.lit("source", pl.String).alias("origin"),
        pl.lit(None, pl.String).alias("parent_id"),
        pl.col("meta"),
    )
    rejects = (
        judged.with_row_index("_row")
        .filter(~good)
        .select("_row", "_file", "_pos", "reason", pl.col("_missing").alias("field"))
    )
    return Unified(rows=rows.select(list(ROW_SCHEMA)), rejects=rejects)


def _flat_turns(turns: pl.Series, lengths: np.ndarray) -> pl.DataFrame:
    """All turns of all rows, in order: one entry per turn (none for an empty or null list)."""
    flat = turns.explode(empty_as_null=False, keep_nulls=False).struct.unnest()
    assert flat.height == int(lengths.sum())
    return flat


def _any(flags: np.ndarray, starts: np.ndarray, has_turns: np.ndarray) -> np.ndarray:
    out = np.zeros(has_turns.size, dtype=bool)
    if starts.size:
        out[has_turns] = np.logical_or.reduceat(flags, starts)
    return out


def _all(flags: np.ndarray, starts: np.ndarray, has_turns: np.ndarray) -> np.ndarray:
    out = np.zeros(has_turns.size, dtype=bool)
    if starts.size:
        out[has_turns] = np.logical_and.reduceat(flags, starts)
    return out


def message_id(messages: list[dict[str, str]]) -> str:
    """The id of already-normalised messages, as `unify` computes it (for other stages/tests).

    Each turn is `role + "\\x1f" + sha256_hex(content)`; turns are joined with `"\\x1e"`; the id
    is the first 32 hex digits of the SHA-256 of that. Hashing each turn's content first lets
    the content be hashed where it lies, without building one long string per row.
    """
    turns = (m["role"] + ROLE_SEP + _sha256(m["content"]) for m in messages)
    return _sha256(TURN_SEP.join(turns))[:ID_HEX_CHARS]


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
