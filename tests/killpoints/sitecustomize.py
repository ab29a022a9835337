"""Kill points: a test-only hook that makes a process SIGKILL itself at an event it signals.

Python imports this module at start-up when its folder is on PYTHONPATH (tests.project's
`kill_env` puts it there). It acts only in the script that DISTILPIPE_KILL_SCRIPT names, never
in DVC's own process, and only in tests. The script key is the script's file name and its
arguments (`judge.py`, `ingest.py magpie`); DISTILPIPE_KILL_SCRIPT may be a key, a script's
file name (any arguments), or `*` for every stage script (a script in a `stages/` folder).
Events:

- `replace`: an atomic rename (`os.replace`, `os.rename`: an output's temp file is complete
  and about to take its name); the kill comes before the rename;
- `put`: a batch of LLM calls committed to the call cache; the kill comes after the commit.

Each event is appended to DISTILPIPE_KILL_LOG as `<script key>\\t<event>`. With
DISTILPIPE_KILL_AT=`<event>:<n>` the process SIGKILLs itself at its n-th such event: the kill
lands at a point the process itself reached, never at a moment a test guessed.
"""

from __future__ import annotations

import os
import sys


def _script() -> tuple[str, str, bool]:
    """(key, file name, whether it is a stage script) of the script Python runs, or ''."""
    argv = list(sys.argv)
    if not argv or not argv[0] or argv[0] == "-c":
        return "", "", False
    name = os.path.basename(argv[0])
    stage = os.path.basename(os.path.dirname(os.path.abspath(argv[0]))) == "stages"
    return " ".join([name, *argv[1:]]), name, stage


def _install(key: str) -> None:
    import signal

    log = os.environ.get("DISTILPIPE_KILL_LOG")
    kind, _, nth = os.environ.get("DISTILPIPE_KILL_AT", "").partition(":")
    counts = {"replace": 0, "put": 0}

    def event(name: str) -> None:
        counts[name] += 1
        if log:
            with open(log, "a", encoding="utf-8") as f:
                f.write(f"{key}\t{name}\n")
        if name == kind and counts[name] == int(nth):
            os.kill(os.getpid(), signal.SIGKILL)

    real_replace, real_rename = os.replace, os.rename

    def replace(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        event("replace")
        return real_replace(src, dst, *args, **kwargs)

    def rename(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        event("replace")
        return real_rename(src, dst, *args, **kwargs)

    os.replace, os.rename = replace, rename

    from distilpipe.llm.cache import CallCache

    real_put = CallCache.put_many

    def put_many(self, items, *args, **kwargs):  # type: ignore[no-untyped-def]
        real_put(self, items, *args, **kwargs)
        if items:
            event("put")

    CallCache.put_many = put_many  # type: ignore[method-assign]


_wanted = os.environ.get("DISTILPIPE_KILL_SCRIPT")
_key, _name, _is_stage = _script()
if _wanted and _key and (_wanted in (_key, _name) or (_wanted == "*" and _is_stage)):
    _install(_key)
