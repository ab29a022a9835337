"""The task taxonomy: 33 task types (task_types.yaml) and the map from Magpie's own
`task_category` onto them (magpie_categories.yaml), both data files shipped with the code.

A type's `code` ("01".."33") is what the LLM answers with: fixed width, so no code's tokens
begin another's and the label probabilities are those of disjoint replies. Its `id` is the
stable name used everywhere else (params, data, metrics, plots).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from distilpipe.errors import DistilpipeError

TAXONOMY_DIR = Path(__file__).parent
TASK_TYPES_FILE = TAXONOMY_DIR / "task_types.yaml"
SOURCE_MAP_FILE = TAXONOMY_DIR / "magpie_categories.yaml"
N_TYPES = 33


@dataclass(frozen=True)
class TaskType:
    code: str
    id: str
    en: str
    zh: str
    desc_en: str
    desc_zh: str
    share: float

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def description(self, lang: str) -> str:
        return self.desc_zh if lang == "zh" else self.desc_en


@cache
def task_types(path: Path = TASK_TYPES_FILE) -> tuple[TaskType, ...]:
    """The task types in code order; raises DistilpipeError naming the file on a bad entry."""
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        types = tuple(TaskType(**{k: e[k] for k in TaskType.__dataclass_fields__}) for e in entries)
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise DistilpipeError(f"{path}: {exc}") from exc
    codes = [t.code for t in types]
    ids = [t.id for t in types]
    if len(set(codes)) != len(codes) or len(set(ids)) != len(ids):
        raise DistilpipeError(f"{path}: codes and ids must be unique")
    if len({len(c) for c in codes}) != 1 or not all(c.isdigit() for c in codes):
        raise DistilpipeError(f"{path}: codes must be digits of one width (prefix-free labels)")
    return types


def type_ids() -> tuple[str, ...]:
    return tuple(t.id for t in task_types())


def default_shares() -> dict[str, float]:
    """Each type's default target share (the sample stage's `task_shares` default)."""
    return {t.id: t.share for t in task_types()}


@cache
def source_map(path: Path = SOURCE_MAP_FILE) -> dict[str, tuple[str, ...]]:
    """Magpie `task_category` -> the task type ids it can mean (one: unambiguous)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DistilpipeError(f"{path}: {exc}") from exc
    known = set(type_ids())
    out = {}
    for category, ids in raw.items():
        unknown = set(ids) - known
        if unknown:
            raise DistilpipeError(f"{path}: {category}: unknown task types {sorted(unknown)}")
        out[str(category)] = tuple(ids)
    return out
