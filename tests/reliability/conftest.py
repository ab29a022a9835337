"""The reliability suite runs stages in the same temporary git + DVC repos as tests/e2e.

Tests of a full disk mount a small tmpfs (`small_fs`). Where this user may not mount one, each
such test runs again, in a child pytest, inside a user and mount namespace (`unshare -rm`),
where it may; its outcome is the test's. Only where neither works is it skipped, with the
reason in the summary (`-rs`)."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import repo  # noqa: F401  (the fixture, shared)
from tests.project import ROOT

IN_NAMESPACE = "DISTILPIPE_TEST_IN_NAMESPACE"


def _mount(path: Path, size: str) -> bool:
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    return made.returncode == 0


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


@functools.cache
def tmpfs_allowed() -> bool:
    """Whether this process may mount a tmpfs (tried once)."""
    with tempfile.TemporaryDirectory() as folder:
        if not _mount(Path(folder), "1m"):
            return False
        _umount(Path(folder))
        return True


@functools.cache
def namespace_allowed() -> bool:
    """Whether `unshare -rm` gives a namespace where a tmpfs can be mounted."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt || exit 1"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs at tmp_path/fs (see the module's docstring where none can be mounted)."""
    mount = tmp_path / "fs"
    mount.mkdir()
    if not tmpfs_allowed():
        yield mount  # not used: pytest_pyfunc_call runs the test in a namespace instead
        return
    assert _mount(mount, "4m"), f"cannot mount a tmpfs at {mount}"
    try:
        yield mount
    finally:
        _umount(mount)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if "small_fs" not in pyfuncitem.fixturenames or tmpfs_allowed():
        return None
    if os.environ.get(IN_NAMESPACE) or not namespace_allowed():
        pytest.skip("this user can mount no tmpfs, not even in a user namespace (unshare -rm)")
    child = subprocess.run(
        [
            "unshare",
            "-rm",
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            pyfuncitem.nodeid,
        ],
        cwd=ROOT,
        env={**os.environ, IN_NAMESPACE: "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode == 0, f"in a user namespace:\n{child.stdout[-6000:]}{child.stderr}"
    return True
