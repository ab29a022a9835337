import pytest

from distilpipe import progress as progress_module
from distilpipe.progress import Progress


def test_plain_lines_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr(progress_module, "LINE_EVERY_S", 0.0)
    bar = Progress(3, "work")
    for _ in range(3):
        bar.advance()
    bar.close()
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1].startswith("work: 3/3 rows (")
    assert lines[-1].endswith(" rows/s)")
