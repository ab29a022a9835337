import pytest

from distilpipe import progress as progress_module
from distilpipe.progress import progress


def test_plain_lines_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr(progress_module, "LINE_EVERY_S", 0.0)
    assert list(progress(iter(range(3)), 3, "work")) == [0, 1, 2]
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1].startswith("work: 3/3 rows (")
    assert lines[-1].endswith(" rows/s)")
