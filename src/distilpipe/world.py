"""The tiny world: what the default run's stand-in models know, what its sources ask about,
and what its evaluation sets hold out.

Everything is data in a folder (the project's `data/world/`): `facts/*.yaml` (tables of
entities, each named in English and Chinese), `skills/*.yaml` (kinds of instruction) and
`constraints.yaml` (verifiable format instructions in IFEval's terms). This module reads them
and renders instances; `distilpipe.world_corpus` builds the stand-ins' training conversations
from them, and `data/world/make.py` the sources and evaluation sets.

A *skill* is one kind of instruction of one of the 33 task types, in English and Chinese:
`slots` filled from an entity table (`countries`), an integer range (`[2, 99]`) or a list of
integers (`{list: [3, 6], range: [1, 50]}`); `derive`d values computed from them
(`total: a + b`); phrasings that `ask` it (the last of each language is *held*: see below);
the teacher's `answer`, the short `terse` answer a weak model gives, the longer `detail` a
rewrite aims at, and the `key`, the final answer any right answer contains. A template names
a slot or derived value in braces, `{c}` (an entity's name in the template's language),
`{c.capital}` (one of its fields), `{xs}` (a list, `3, 7, 12`), `{xs.py}` (`[3, 7, 12]`).
An *instance* is a skill with its slots filled; it renders in either language.

Held out, so that the evaluation measures what only the teacher's answers can teach:
a quarter of each table's entities (by a hash of table and id) and of each number-only
skill's instances are *eval* instances, and each skill's last phrasing per language is
*held*. The evaluation sets ask eval instances in held phrasings (the eval space); the
student's corpus holds only train instances in the other phrasings; the teacher's corpus and
the sources hold anything outside the eval space.
"""

from __future__ import annotations

import ast
import hashlib
import math
import random
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from distilpipe.errors import DistilpipeError
from distilpipe.taxonomy import source_map, type_ids

LANGS = ("en", "zh")
EVAL_SHARE = 4  # one in EVAL_SHARE entities / number instances is held out for evaluation
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)(?:\.([A-Za-z_][a-z0-9_]*))?\}")
TEXTS = ("answer", "terse", "detail")
# the longest answer the stand-ins write (their max_new_tokens is 128)
MAX_CHARS = {"en": 360, "zh": 160}


class WorldError(DistilpipeError):
    """A world file that does not load or does not hold together; the message names it."""


def _digest(*parts: object) -> int:
    text = "\x1f".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")


@dataclass(frozen=True)
class Entity:
    """One row of a table: `id`, its names `en` and `zh`, and its other fields (a field is a
    number or string the same in both languages, or `{en: ..., zh: ...}`)."""

    table: str
    id: str
    fields: Mapping[str, Any]
    eval: bool

    def text(self, name: str | None, lang: str) -> str:
        if name in ("a", "A"):  # with its English indefinite article: "a cat", "An owl"
            word = self.fields[lang]
            if lang != "en":
                return str(word)
            article = "an" if word[:1].lower() in "aeiou" else "a"
            return f"{article.capitalize() if name == 'A' else article} {word}"
        value = self.fields[lang] if name is None else self.get(name)
        if isinstance(value, Mapping):
            value = value[lang]
        return format_value(value, lang)

    def get(self, name: str) -> Any:
        if name not in self.fields:
            raise WorldError(f"table {self.table}: {self.id} has no field {name!r}")
        return self.fields[name]


def format_value(value: Any, lang: str, style: str | None = None) -> str:
    """How a value reads in text: integers as written, floats without trailing zeros, lists
    as `3, 7, 12` (Chinese `3、7、12`) or, with style `py`, as Python writes them."""
    if isinstance(value, Entity):
        return value.text(None, lang)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.4f}".rstrip("0").rstrip(".")
    if isinstance(value, list | tuple):
        if style == "py":
            return "[" + ", ".join(format_value(v, lang) for v in value) + "]"
        return ("、" if lang == "zh" else ", ").join(format_value(v, lang) for v in value)
    return str(value)


@dataclass(frozen=True)
class Skill:
    id: str
    type: str
    magpie: str
    slots: Mapping[str, Any]
    derive: Mapping[str, str]
    ask: Mapping[str, tuple[str, ...]]
    texts: Mapping[str, Mapping[str, str]]  # answer / terse / detail -> lang -> template
    key: Mapping[str, str]
    followup: Mapping[str, Mapping[str, str]] | None  # lang -> {ask, answer}
    file: str  # the skills file that defines it, for error messages

    def phrasings(self, lang: str, held: bool | None = None) -> list[int]:
        """Indices of the phrasings of `lang`: all, only the held one (the last), or all but it."""
        n = len(self.ask[lang])
        if held is None:
            return list(range(n))
        return [n - 1] if held else list(range(n - 1))

    @property
    def table_slots(self) -> dict[str, str]:
        return {name: spec for name, spec in self.slots.items() if isinstance(spec, str)}


@dataclass(frozen=True)
class Instance:
    """A skill with its slots filled (values in slot order) and derived values computed."""

    skill: Skill
    values: tuple[Any, ...]
    derived: tuple[Any, ...] = field(compare=False)

    @property
    def id(self) -> str:
        parts = [
            v.id if isinstance(v, Entity) else format_value(v, "en", "py") for v in self.values
        ]
        return f"{self.skill.id}({','.join(parts)})"

    @property
    def eval(self) -> bool:
        """Held out for evaluation: an eval entity in a slot, or, for a skill of numbers
        only, an eval draw."""
        entities = [v for v in self.values if isinstance(v, Entity)]
        if entities:
            return any(e.eval for e in entities)
        return _digest("instance", self.id) % EVAL_SHARE == 0

    @property
    def entities(self) -> list[Entity]:
        return [v for v in self.values if isinstance(v, Entity)]

    @cached_property
    def scope(self) -> dict[str, Any]:
        names = [*self.skill.slots, *self.skill.derive]
        return dict(zip(names, [*self.values, *self.derived], strict=True))

    def text(self, template: str, lang: str) -> str:
        if "{_key}" in template:  # the default terse answer: the key alone
            template = template.replace("{_key}", self.key(lang))
        return render_template(template, self.scope, lang, self.skill.id)

    def ask(self, lang: str, phrasing: int) -> str:
        return self.text(self.skill.ask[lang][phrasing], lang)

    def reply(self, kind: str, lang: str) -> str:
        """The `answer`, `terse` or `detail` text in `lang`."""
        return self.text(self.skill.texts[kind][lang], lang)

    def key(self, lang: str) -> str:
        return self.text(self.skill.key[lang], lang)

    def followup(self, lang: str) -> tuple[str, str] | None:
        if self.skill.followup is None:
            return None
        f = self.skill.followup[lang]
        return self.text(f["ask"], lang), self.text(f["answer"], lang)


def render_template(template: str, scope: Mapping[str, Any], lang: str, where: str) -> str:
    def one(match: re.Match[str]) -> str:
        name, attr = match.group(1), match.group(2)
        if name not in scope:
            raise WorldError(f"skill {where}: {{{name}}} is no slot or derived value")
        value = scope[name]
        if isinstance(value, Entity):
            return value.text(attr, lang)
        if attr not in (None, "py"):
            raise WorldError(f"skill {where}: {{{name}.{attr}}}: only entities have fields")
        return format_value(value, lang, attr)

    return _PLACEHOLDER.sub(one, template)


# --- derived values: a small, safe expression language ---------------------------------------


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sum": sum,
    "min": min,
    "max": max,
    "len": len,
    "abs": abs,
    "round": round,
    "sorted": sorted,
    "reversed": lambda xs: list(reversed(xs)),
    "mean": _mean,
    "median": _median,
    "gcd": math.gcd,
    "lcm": math.lcm,
    "int": int,
    "count_even": lambda xs: sum(1 for x in xs if x % 2 == 0),
    "is_prime": lambda n: n > 1 and all(n % d for d in range(2, math.isqrt(n) + 1)),
    "factorial": math.factorial,
}
_OPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
    ast.Pow: lambda a, b: a**b,
}
_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
}


def evaluate(expression: str, scope: Mapping[str, Any]) -> Any:
    """The value of an arithmetic expression over `scope`: numbers, lists, entities' numeric
    fields (`c.legs`), indexing, comparisons, `x if cond else y` and FUNCTIONS. Anything else
    (names outside scope, other calls, attributes of non-entities) raises WorldError."""
    tree = ast.parse(expression, mode="eval")

    def ev(node: ast.AST) -> Any:
        match node:
            case ast.Expression(body=body):
                return ev(body)
            case ast.Constant(value=value) if isinstance(value, int | float | str):
                return value
            case ast.Name(id=name) if name in scope:
                return scope[name]
            case ast.Attribute(value=inner, attr=attr):
                target = ev(inner)
                if not isinstance(target, Entity):
                    raise WorldError(f"{expression}: .{attr} of something that is no entity")
                return target.get(attr)
            case ast.BinOp(left=left, op=op, right=right) if type(op) in _OPS:
                return _OPS[type(op)](ev(left), ev(right))
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                return -ev(operand)
            case ast.Compare(left=left, ops=[op], comparators=[right]) if type(op) in _COMPARE:
                return _COMPARE[type(op)](ev(left), ev(right))
            case ast.IfExp(test=test, body=body, orelse=orelse):
                return ev(body) if ev(test) else ev(orelse)
            case ast.Subscript(value=value, slice=index):
                return ev(value)[ev(index)]
            case ast.List(elts=elts) | ast.Tuple(elts=elts):
                return [ev(e) for e in elts]
            case ast.Call(func=ast.Name(id=name), args=args, keywords=[]) if name in FUNCTIONS:
                return FUNCTIONS[name](*[ev(a) for a in args])
        raise WorldError(f"{expression}: {ast.dump(node)[:60]} is not allowed")

    return ev(tree)


# --- constraints -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Constraint:
    """A verifiable format instruction: IFEval's `id`, the languages it is asked in, its
    phrasing per language (placeholders name its arguments), the argument values to draw
    from per language, and `apply`, the transformation that makes an answer follow it."""

    id: str
    langs: tuple[str, ...]
    phrase: Mapping[str, str]
    choices: Mapping[str, Mapping[str, list[Any]]]
    apply: str

    def draw(self, lang: str, rng: random.Random) -> dict[str, Any]:
        return {name: rng.choice(values) for name, values in self.choices.get(lang, {}).items()}

    def instruction(self, lang: str, kwargs: Mapping[str, Any]) -> str:
        return render_template(self.phrase[lang], kwargs, lang, self.id)


# --- the world -------------------------------------------------------------------------------


class World:
    """The tables, skills and constraints of a world folder, checked to hold together."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        facts: dict[str, Any] = {}
        for path in sorted((self.folder / "facts").glob("*.yaml")):
            for table, rows in (self._yaml(path) or {}).items():
                if table in facts:
                    raise WorldError(f"{path}: table {table} is defined twice")
                facts[table] = rows
        self.tables = self._tables(facts)
        skills = [
            (path, entry)
            for path in sorted((self.folder / "skills").glob("*.yaml"))
            for entry in (self._yaml(path) or [])
        ]
        self.skills = self._skills(skills)
        self.constraints = self._constraints(self._yaml(self.folder / "constraints.yaml"))

    # loading ----------------------------------------------------------------------------------

    def _yaml(self, path: Path) -> Any:
        try:
            return yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise WorldError(f"{path}: {exc}") from None

    def _tables(self, data: Any) -> dict[str, list[Entity]]:
        if not isinstance(data, Mapping):
            raise WorldError(f"{self.folder / 'facts'}: a mapping of table -> rows")
        tables: dict[str, list[Entity]] = {}
        for table, rows in data.items():
            ids = [str(row.get("id")) for row in rows]
            if len(set(ids)) != len(ids) or not all({"id", "en", "zh"} <= set(row) for row in rows):
                raise WorldError(f"facts: table {table}: every row needs a unique id, en, zh")
            ranked = sorted(ids, key=lambda i: _digest("entity", table, i))
            held = set(ranked[: max(1, len(ids) // EVAL_SHARE)])
            tables[table] = [
                Entity(table, str(row["id"]), dict(row), str(row["id"]) in held) for row in rows
            ]
        return tables

    def _skills(self, data: list[tuple[Path, Any]]) -> dict[str, Skill]:
        skills: dict[str, Skill] = {}
        types, magpie = set(type_ids()), set(source_map())
        for path, entry in data:
            where = f"{path}: skill {entry.get('id')!r}"
            try:
                skill = self._skill(entry, path)
            except (KeyError, TypeError, ValueError) as exc:
                raise WorldError(f"{where}: {exc!r}") from None
            if skill.id in skills:
                raise WorldError(f"{where}: a second skill of that id")
            if skill.type not in types:
                raise WorldError(f"{where}: type {skill.type!r} is none of the 33 task types")
            if skill.magpie not in magpie:
                raise WorldError(f"{where}: magpie {skill.magpie!r} is no Magpie category")
            for name, spec in skill.table_slots.items():
                if spec not in self.tables:
                    raise WorldError(f"{where}: slot {name} names no table {spec!r}")
            for lang in LANGS:
                if len(skill.ask[lang]) < 3:
                    raise WorldError(f"{where}: at least three phrasings per language")
                for phrasing in skill.ask[lang]:  # else two instances could ask the same
                    named = {m.group(1) for m in _PLACEHOLDER.finditer(phrasing)}
                    missing = sorted(set(skill.table_slots) - named)
                    if missing:
                        raise WorldError(f"{where}: {phrasing!r} does not name {missing}")
            skills[skill.id] = skill
            for instance in self.instances(skill, random.Random(0), 3):
                self._check(instance)  # every template renders, every value derives
        return skills

    def _skill(self, entry: Mapping[str, Any], path: Path) -> Skill:
        answer = _bilingual(entry["answer"])
        texts = {
            "answer": answer,
            "terse": _bilingual(entry.get("terse") or {"en": "{_key}.", "zh": "{_key}。"}),
            "detail": _bilingual(entry.get("detail") or answer),
        }
        followup = entry.get("followup")
        return Skill(
            id=str(entry["id"]),
            type=str(entry["type"]),
            magpie=str(entry["magpie"]),
            slots=dict(entry["slots"]),
            derive={str(k): str(v) for k, v in (entry.get("derive") or {}).items()},
            ask={lang: tuple(entry["ask"][lang]) for lang in LANGS},
            texts=texts,
            key=_bilingual(entry["key"]),
            followup={lang: dict(followup[lang]) for lang in LANGS} if followup else None,
            file=str(path),
        )

    def _constraints(self, data: Any) -> dict[str, Constraint]:
        out = {}
        for entry in data or []:
            constraint = Constraint(
                id=str(entry["id"]),
                langs=tuple(entry["langs"]),
                phrase=dict(entry["phrase"]),
                choices={lang: dict(v) for lang, v in (entry.get("choices") or {}).items()},
                apply=str(entry.get("apply") or entry["id"]),
            )
            if constraint.id in out:
                raise WorldError(f"constraints.yaml: {constraint.id} twice")
            out[constraint.id] = constraint
        return out

    def _check(self, instance: Instance) -> None:
        """Every template renders, and every answer holds the key and fits the stand-ins'
        answer length (MAX_CHARS per language)."""
        where = f"{instance.skill.file}: skill {instance.skill.id!r} ({instance.id})"
        for lang in LANGS:
            for i in instance.skill.phrasings(lang):
                instance.ask(lang, i)
            key = instance.key(lang)
            for kind in TEXTS:
                text = instance.reply(kind, lang)
                if key not in text:
                    raise WorldError(f"{where}: its {lang} {kind} lacks the key {key!r}: {text!r}")
                if len(text) > MAX_CHARS[lang]:
                    raise WorldError(
                        f"{where}: its {lang} {kind} is over {MAX_CHARS[lang]} characters"
                    )
            instance.followup(lang)

    # instances --------------------------------------------------------------------------------

    def instance(self, skill: Skill, values: Sequence[Any]) -> Instance:
        scope = dict(zip(skill.slots, values, strict=True))
        derived = []
        for name, expression in skill.derive.items():
            value = evaluate(expression, scope)
            scope[name] = value
            derived.append(value)
        return Instance(skill, tuple(values), tuple(derived))

    def draw(self, skill: Skill, rng: random.Random, split: str | None = None) -> Instance:
        """One instance of `skill`, its slots drawn from `rng`; with `split` ("train" or
        "eval"), one of that split. Entities in slots of one table are distinct."""
        for _ in range(1000):
            values: list[Any] = []
            used: set[tuple[str, str]] = set()
            for spec in skill.slots.values():
                if isinstance(spec, str):
                    pool = [e for e in self.tables[spec] if (spec, e.id) not in used]
                    if split == "train":
                        pool = [e for e in pool if not e.eval]
                    entity = rng.choice(pool)
                    used.add((spec, entity.id))
                    values.append(entity)
                elif isinstance(spec, list):
                    values.append(rng.randint(int(spec[0]), int(spec[1])))
                else:
                    low, high = spec["list"]
                    lo, hi = spec["range"]
                    length = rng.randint(int(low), int(high))
                    values.append(rng.sample(range(int(lo), int(hi) + 1), length))
            try:
                instance = self.instance(skill, values)
            except (ZeroDivisionError, ValueError, IndexError):
                continue  # a draw the derived values do not allow (0 divisor, ...)
            if split is None or instance.eval == (split == "eval"):
                return instance
        raise WorldError(f"skill {skill.id}: no {split} instance in 1000 draws")

    def instances(
        self, skill: Skill, rng: random.Random, n: int, split: str | None = None
    ) -> list[Instance]:
        return [self.draw(skill, rng, split) for _ in range(n)]

    def eval_space(self, instance: Instance, lang: str, phrasing: int) -> bool:
        """Whether asking `instance` in this phrasing is held out for the evaluation sets."""
        return instance.eval and phrasing == len(instance.skill.ask[lang]) - 1

    def skills_of(self, task_type: str) -> list[Skill]:
        return [s for s in self.skills.values() if s.type == task_type]

    def __iter__(self) -> Iterator[Skill]:
        return iter(self.skills.values())


def _bilingual(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {lang: value for lang in LANGS}
    return {lang: str(value[lang]) for lang in LANGS}
