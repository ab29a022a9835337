"""The README and the documentation site (docs/, mkdocs.yml): what a test can hold them to
beyond `make docs`, whose strict build already fails on a broken link or anchor."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

from distilpipe.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README_MAX_LINES = 200  # a README that gets a newcomer running; the details are in the site


def test_the_readme_is_short_and_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= README_MAX_LINES
    # CI runs the README's test command on a clean clone (.ci/run): both set up by themselves
    assert readme.startswith(
        "# distilpipe\n\n```bash\n"
        "make run    # set up (.venv) and run the pipeline on the bundled samples: dvc repro\n"
        "make test   # set up (.venv) and run lint, type checks and the test suite\n```\n"
    )


def _commands(
    parser: argparse.ArgumentParser, prefix: str
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every command of `parser` that runs something (no subcommands), as `prefix name ...`."""
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subparsers:
        yield prefix, parser
    for action in subparsers:
        for name, sub in action.choices.items():
            yield from _commands(sub, f"{prefix} {name}")


def _sections(page: str) -> dict[str, str]:
    """Heading text -> the text under it, up to the next heading."""
    parts = re.split(r"^#+ (.+)$", page, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_the_cli_page_has_a_section_for_every_command_naming_its_options() -> None:
    sections = _sections((ROOT / "docs/reference/cli.md").read_text(encoding="utf-8"))
    missing = []
    for command, parser in _commands(build_parser(), "distilpipe"):
        if command not in sections:
            missing.append(f"the section `# {command}`")
            continue
        for action in parser._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help") and f"`{option}" not in sections[command]:
                    missing.append(f"{command} {option}")
    assert missing == [], f"docs/reference/cli.md lacks: {missing}"
