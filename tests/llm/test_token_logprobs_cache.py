"""token_logprobs calls: cached by content, their arrays in Arrow shards beside the database."""

import math
import os
import sqlite3
import time
from pathlib import Path

import numpy as np
import pytest

from distilpipe.errors import DistilpipeError
from distilpipe.llm.cache import CallCache
from distilpipe.llm.client import LLMClient
from distilpipe.llm.sidecar import PRUNE_GRACE_S
from distilpipe.llm.types import Failure, TokenLogprobs, TokenLogprobsRequest


class TopKBackend:
    """Scores a sequence with a fixed rule: at position j the top-k are the ids
    token_ids[j], token_ids[j] + 1, ... with log-probabilities -1/3, -1/3 - 1, ...
    (thirds: not exact in float16)."""

    identity = "test:topk@1"

    def __init__(self) -> None:
        self.scored: list[tuple[int, ...]] = []

    def token_logprobs(self, requests: list[TokenLogprobsRequest]) -> list[TokenLogprobs | Failure]:
        out: list[TokenLogprobs | Failure] = []
        for r in requests:
            self.scored.append(r.token_ids)
            ids = [[r.token_ids[j] + i for i in range(r.top_k)] for j in r.positions]
            lps = [[-1 / 3 - i for i in range(r.top_k)] for _ in r.positions]
            out.append(TokenLogprobs(ids, lps, len(r.token_ids)))
        return out

    def close(self) -> None:
        pass


def _request(ids: tuple[int, ...], k: int = 3) -> TokenLogprobsRequest:
    messages = ({"role": "user", "content": "q"}, {"role": "assistant", "content": str(ids)})
    return TokenLogprobsRequest(messages, ids, tuple(range(1, len(ids))), k)


def test_a_rerun_reads_the_arrays_back_from_a_shard_without_calling_the_model(
    tmp_path: Path,
) -> None:
    requests = [_request((5, 6, 7, 8)), _request((9, 10, 11))]
    with CallCache(tmp_path) as cache:
        backend = TopKBackend()
        cold = LLMClient(backend, cache).token_logprobs(requests)
        again = TopKBackend()
        client = LLMClient(again, cache)
        warm = client.token_logprobs(requests)
        stats = cache.stats()
        value = cache.entries()[0][3]
    assert len(backend.scored) == 2 and again.scored == [] and client.stats.cache_hits == 2
    # The fresh results are the stored ones (float16), so a cold and a cached run train alike.
    assert cold == warm
    first = warm[0]
    assert isinstance(first, TokenLogprobs)
    assert first.top_ids == [[6, 7, 8], [7, 8, 9], [8, 9, 10]]
    assert first.top_logprobs[0][0] == float(np.float16(-1 / 3)) != -1 / 3
    assert math.isclose(first.top_logprobs[0][0], -1 / 3, rel_tol=1e-3)
    assert first.prompt_tokens == 4
    # The row holds a pointer, not the arrays; the shard is counted in the cache's size.
    assert '"shard"' in value and "top_logprobs" not in value
    shards = list((tmp_path / "token_logprobs").glob("*.arrow"))
    assert len(shards) == 1 and stats["per_kind"] == {"token_logprobs": 2}
    assert stats["bytes"] >= shards[0].stat().st_size


def test_the_key_follows_the_token_ids_and_k_not_only_the_messages(tmp_path: Path) -> None:
    base = _request((5, 6, 7))
    other_ids = TokenLogprobsRequest(base.messages, (5, 6, 8), base.positions, 3)
    other_k = TokenLogprobsRequest(base.messages, base.token_ids, base.positions, 2)
    with CallCache(tmp_path) as cache:
        backend = TopKBackend()
        LLMClient(backend, cache).token_logprobs([base, other_ids, other_k])
    assert len(backend.scored) == 3


def test_a_missing_shard_is_one_line_naming_it(tmp_path: Path) -> None:
    with CallCache(tmp_path) as cache:
        LLMClient(TopKBackend(), cache).token_logprobs([_request((1, 2, 3))])
    (shard,) = (tmp_path / "token_logprobs").glob("*.arrow")
    shard.unlink()
    with CallCache(tmp_path) as cache, pytest.raises(DistilpipeError, match=shard.name):
        LLMClient(TopKBackend(), cache).token_logprobs([_request((1, 2, 3))])


def test_prune_removes_shards_no_row_points_to_once_they_are_old(tmp_path: Path) -> None:
    with CallCache(tmp_path) as cache:
        client = LLMClient(TopKBackend(), cache)
        client.token_logprobs([_request((1, 2, 3))])
        client.token_logprobs([_request((4, 5, 6))])
    folder = tmp_path / "token_logprobs"
    assert len(list(folder.glob("*.arrow"))) == 2
    # Forget one call, as if pruned, and make both shards old.
    db = sqlite3.connect(tmp_path / "calls.sqlite")
    (key,) = db.execute("SELECT key FROM calls ORDER BY key LIMIT 1").fetchone()
    db.execute("DELETE FROM calls WHERE key = ?", (key,))
    db.commit()
    db.close()
    old = time.time() - 2 * PRUNE_GRACE_S
    for shard in folder.glob("*.arrow"):
        os.utime(shard, (old, old))
    young = folder / "0123456789abcdef0123456789abcdef.arrow"
    young.write_bytes(b"being committed")
    with CallCache(tmp_path) as cache:
        cache.prune(older_than_s=10 * PRUNE_GRACE_S)  # deletes no row
        kept = cache.referenced_shards()
        left = {p.stem for p in folder.glob("*.arrow")}
        backend = TopKBackend()
        LLMClient(backend, cache).token_logprobs([_request((1, 2, 3)), _request((4, 5, 6))])
    assert len(kept) == 1
    # The forgotten call's shard is gone, the young stray stays; the other call reads back.
    assert left == kept | {young.stem}
    assert len(backend.scored) == 1
