"""The training sets as trl takes them, from Parquet frames.

`data/sft.parquet` holds conversations (`messages`, the row schema's column); `data/dpo.parquet`
holds conversational preference pairs: `prompt` (the conversation up to the last user turn),
`chosen` and `rejected` (one assistant message each). Until the self-distillation stage writes
them, `sets_from_judged` makes both from the judge's rows: the teacher's answer is the SFT
target and the chosen answer, the student's the rejected one, as DistilQwen2 pairs them.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from distilpipe.errors import DistilpipeError
from distilpipe.schema import MESSAGES
from distilpipe.train.common import Conversation
from distilpipe.train.dpo import Pair

PAIR_COLUMNS = ("prompt", "chosen", "rejected")
SFT_TABLE = {"messages": MESSAGES}  # what train_sft reads from data/sft.parquet
DPO_TABLE = dict.fromkeys(PAIR_COLUMNS, MESSAGES)  # and train_dpo from data/dpo.parquet


def conversations(frame: pl.DataFrame) -> list[Conversation]:
    """The `messages` of each row, in row order."""
    return [_messages(m) for m in frame["messages"].to_list()]


def pairs(frame: pl.DataFrame) -> list[Pair]:
    """The (`prompt`, `chosen`, `rejected`) pairs of each row, in row order."""
    missing = [c for c in PAIR_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"preference rows need columns {missing}")
    return [
        {key: _messages(row[key]) for key in PAIR_COLUMNS}
        for row in frame.select(PAIR_COLUMNS).iter_rows(named=True)
    ]


def split_held_out(items: list[Any], size: int, path: str) -> tuple[list[Any], list[Any]]:
    """(train, held out): the last `size` items are held out (fewer if there are few items;
    at least one stays for training). No items at all, read from `path`, is an error."""
    if not items:
        raise DistilpipeError(
            f"{path} has no rows: nothing to train on (every row was dropped before it; "
            "`distilpipe status` shows which stage dropped them and why)"
        )
    size = min(size, len(items) - 1)
    return items[: len(items) - size], items[len(items) - size :]


def sets_from_judged(judged: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(sft, dpo) frames from judged rows: the first user turn (after any system turn) with the
    teacher's answer as the SFT conversation and the chosen answer, the student's as rejected.
    Rows where both answers are the same are left out of the pairs (nothing to prefer)."""
    prompt = pl.col("messages").list.eval(
        pl.element().filter(pl.element().struct.field("role") != "assistant")
    )
    first_turn = (
        judged.with_columns(prompt.alias("turns"))
        .with_columns(
            pl.col("turns").list.slice(
                0,
                pl.col("turns")
                .list.eval(pl.element().struct.field("role") == "user")
                .list.arg_max()
                + 1,
            )
        )
        .select("id", "turns", "teacher_response", "student_response")
    )

    def answer(column: str) -> pl.Expr:
        return pl.concat_list(
            pl.struct(pl.lit("assistant").alias("role"), pl.col(column).alias("content"))
        )

    sft = first_turn.select(
        "id", pl.concat_list("turns", answer("teacher_response")).alias("messages")
    )
    dpo = first_turn.filter(pl.col("teacher_response") != pl.col("student_response")).select(
        "id",
        pl.col("turns").alias("prompt"),
        answer("teacher_response").alias("chosen"),
        answer("student_response").alias("rejected"),
    )
    return sft, dpo


def _messages(value: Any) -> Conversation:
    return [{"role": m["role"], "content": m["content"]} for m in value]
