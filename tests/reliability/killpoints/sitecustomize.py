"""Kill points for the kill-and-resume suite (tests/reliability/test_kill_every_stage.py).

Python imports this module at start-up when its folder is on PYTHONPATH. It acts only in
the stage script named by DISTILPIPE_KILL_SCRIPT (`judge.py`, `ingest.py magpie`; `*`: every
stage script), never in DVC's own process, and only in tests. Events:

- `replace`: an atomic rename (`os.replace`, `os.rename`: an output's temp file is complete
  and about to take its name); the kill comes before the rename;
- `put`: a batch of LLM calls committed to the call cache; the kill comes after the commit.

Each event is appended to DISTILPIPE_KILL_LOG as `<script key>\\t<event>`. With
DISTILPIPE_KILL_AT=`<event>:<n>` the process SIGKILLs itself at its n-th such event.
"""

from __future__ import annotations

import os
import sys


def _key() -> str:
    argv = list(sys.argv)
    if not argv or os.path.basename(os.path.dirname(os.path.abspath(argv[0]))) != "stages":
        return ""
    return " ".join([os.path.basename(argv[0]), *argv[1:]])


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

    def put_many(self, items):  # type: ignore[no-untyped-def]
        real_put(self, items)
        if items:
            event("put")

    CallCache.put_many = put_many  # type: ignore[method-assign]


_wanted = os.environ.get("DISTILPIPE_KILL_SCRIPT")
_here = _key()
if _wanted and _here and _wanted in ("*", _here):
    _install(_here)
