"""Prompt templates: Jinja2 files beside this module, one per prompt and language.

A template is `<name>.<lang>.jinja` (`lang` is `zh` for Chinese, `en` for everything else).
Rendering returns the text with the SHA-256 of the template file's bytes; callers put that
hash into every LLM call's cache key, so editing one character of a template invalidates
exactly the cached calls that used it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2

from distilpipe.errors import DistilpipeError

PROMPTS_DIR = Path(__file__).parent


class PromptError(DistilpipeError):
    """A template that is missing, or that was rendered without a variable it needs."""


def template_file(name: str, lang: str) -> str:
    """The file name of prompt `name` in language `lang`: `.zh` for "zh", `.en` otherwise."""
    return f"{name}.{'zh' if lang == 'zh' else 'en'}.jinja"


class PromptLibrary:
    """The templates of one folder (the package's own by default; tests pass a copy)."""

    def __init__(self, folder: Path = PROMPTS_DIR):
        self.folder = Path(folder)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.folder),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            autoescape=False,
        )
        self._compiled: dict[str, jinja2.Template] = {}

    def render(self, name: str, lang: str, **variables: object) -> tuple[str, str]:
        """Render prompt `name` in `lang` with `variables`: (text, template_hash).

        The text and the hash come from the same read of the file, so a template edited
        between two calls never pairs new text with an old hash.
        """
        path = self.folder / template_file(name, lang)
        try:
            source = path.read_bytes()
        except FileNotFoundError:
            raise PromptError(f"no prompt template {path}") from None
        digest = hashlib.sha256(source).hexdigest()
        template = self._compiled.get(digest)
        if template is None:
            template = self.env.from_string(source.decode("utf-8"))
            self._compiled[digest] = template
        try:
            return template.render(**variables), digest
        except jinja2.UndefinedError as exc:
            given = ", ".join(sorted(variables)) or "none"
            raise PromptError(f"prompt {path.name}: {exc} (variables given: {given})") from None


_LIBRARY = PromptLibrary()


def render(name: str, lang: str, **variables: object) -> tuple[str, str]:
    """Render the packaged prompt `name` in `lang`: (text, SHA-256 hex of the template file).

    `lang` "zh" selects the Chinese template, any other value the English one. A variable
    the template uses but `variables` lacks raises PromptError naming it.
    """
    return _LIBRARY.render(name, lang, **variables)
