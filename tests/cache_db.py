"""Reading the call cache's database from a test while another process writes it."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def cached_calls(cache_dir: Path) -> int:
    """How many calls the cache in `cache_dir` holds; 0 before the database or table exists.

    Plain read-only SQLite, not CallCache, so polling never creates the database under the
    process being watched."""
    db = cache_dir / "calls.sqlite"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM calls").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # the table is not created yet
