"""The params reference page (docs/reference/params.md): every field described, the committed
page what the code generates, every key on it, and a few rows as a reader needs them."""

from __future__ import annotations

import difflib
import html
import re
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from distilpipe import params_reference
from distilpipe.params import Params

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / params_reference.PAGE
COLUMNS = ("key", "type", "default", "constraints", "description")


def _held_models(annotation: Any) -> Iterator[tuple[str, type[BaseModel]]]:
    """(key suffix, model) for each model a field holds: itself or an arm of its union
    (suffix ""), or a mapping's values (suffix ".<*>", a placeholder for the mapping's keys)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield "", annotation
    elif get_origin(annotation) in (Union, types.UnionType):
        for arm in get_args(annotation):
            yield from _held_models(arm)
    elif get_origin(annotation) is dict:
        for suffix, model in _held_models(get_args(annotation)[1]):
            yield ".<*>" + suffix, model


def _fields(model: type[BaseModel] = Params, prefix: str = "") -> Iterator[tuple[str, FieldInfo]]:
    """Every field of params, nested models included, with its dotted key; walked here
    rather than by the generator, so the page is checked against the models themselves."""
    for name, field in model.model_fields.items():
        key = prefix + name
        yield key, field
        for suffix, nested in _held_models(field.annotation):
            yield from _fields(nested, f"{key}{suffix}.")


def _models(model: type[BaseModel] = Params) -> Iterator[type[BaseModel]]:
    yield model
    for field in model.model_fields.values():
        for _, nested in _held_models(field.annotation):
            yield from _models(nested)


def _cells(page: str, key: str) -> dict[str, str]:
    """The cells of `key`'s row as a reader sees them: code marks dropped, entities and
    escaped pipes decoded."""
    line = next((ln for ln in page.splitlines() if ln.startswith(f"| `{key}` |")), None)
    assert line is not None, f"no row for {key}"
    cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
    plain = [html.unescape(re.sub(r"</?code>|`", "", c.strip())).replace("\\|", "|") for c in cells]
    return dict(zip(COLUMNS, plain, strict=True))


@pytest.fixture(scope="module")
def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def test_every_field_has_a_description() -> None:
    missing = [key for key, field in _fields() if not (field.description or "").strip()]
    assert not missing, (
        f"params fields without a description (add one in src/distilpipe/params.py): {missing}"
    )


def test_every_section_model_has_a_docstring() -> None:
    missing = sorted({m.__name__ for m in _models() if not (m.__doc__ or "").strip()})
    assert not missing, f"params models without a docstring (the page introduces each): {missing}"


def test_committed_page_is_what_the_code_generates(page: str) -> None:
    expected = params_reference.render()
    if page != expected:
        diff = difflib.unified_diff(
            page.splitlines(), expected.splitlines(), "committed", "generated", lineterm="", n=0
        )
        pytest.fail(
            f"{params_reference.PAGE} is stale: run `python -m distilpipe.params_reference` "
            "and commit it\n" + "\n".join(list(diff)[:30])
        )


def test_page_lists_every_field(page: str) -> None:
    # a key is on the page as a row's first cell, or (a section) as a heading
    rows = {ln.split(" | ", 1)[0].removeprefix("| ") for ln in page.splitlines()}
    rows |= set(re.findall(r"^#+ (`.+`)$", page, flags=re.MULTILINE))
    keys = [key for key, _ in _fields()]
    missing = []
    for key in keys:
        pattern = re.escape(f"`{key}`").replace(re.escape("<*>"), "<[a-z_]+>")
        if not any(re.fullmatch(pattern, row) for row in rows):
            missing.append(key)
    assert not missing, f"keys missing from the page: {missing}"
    assert len(keys) > 200  # the walk reached the nested models


def test_sections_follow_params_with_their_docstrings(page: str) -> None:
    headings = re.findall(r"^## `(\w+)`$", page, flags=re.MULTILINE)
    assert headings == list(Params.model_fields)
    pool = page.split("## `pool`\n\n", 1)[1]
    assert pool.startswith("Dedup, language id and filters over the union of all sources.\n")
    teacher = page.split("### `bootstrap.teacher`\n\n", 1)[1]
    assert teacher.startswith("The shape of one bootstrap Qwen2 model")


@pytest.mark.parametrize(
    ("key", "column", "expected"),
    [
        # a Literal, and an optional Literal's neighbour: a float that may be null
        ("judge.scoring", "type", '"logprob" | "generate"'),
        ("judge.scoring", "default", "logprob"),
        ("judge.keep_fraction", "type", "float | None"),
        ("judge.keep_fraction", "default", "null"),
        ("models.<role>.base_url", "type", "str | list[str] | None"),
        ("evaluate.mt_bench.languages", "type", 'list["en" | "zh"]'),
        ("sample.lang_share", "type", "dict[str, float]"),
        ("sample.lang_share", "default", "{en: 0.5, zh: 0.5}"),
        # constraints
        ("pool.near_dup_threshold", "constraints", "> 0.0, <= 1.0"),
        ("train_dpo.loss_type", "constraints", "len >= 1"),
        ("evaluate.intervals.confidence", "constraints", "> 0.0, < 1.0"),
        # nested models: defaults from the parent's default, else the field's own
        ("bootstrap.teacher", "type", "TinyModel"),
        ("bootstrap.teacher.hidden_size", "default", "256"),
        ("bootstrap.student.hidden_size", "default", "128"),
        ("train_sft.lora", "type", "LoRA | None"),
        ("train_sft.lora", "default", "null"),
        ("train_sft.lora.r", "default", "16"),
        ("models.<role>.model", "default", "*required*"),
        ("evaluate.models", "default", "{base: {model: models/tiny/student}}"),
        # YAML's own spelling, and prose whose pipes and angle brackets must survive a table
        ("train_dpo.lr", "default", "5.0e-07"),
        ("models.<role>.dtype", "description", "auto | float32 | bfloat16 | float16"),
        ("train_sft.live_dir", "description", "dvclive's running logs (<live_dir>/<stage>)"),
    ],
)
def test_rendering(page: str, key: str, column: str, expected: str) -> None:
    assert _cells(page, key)[column] == expected


def test_long_default_goes_below_its_table(page: str) -> None:
    assert _cells(page, "sample.task_shares")["default"] == "below"
    block = page.split("`sample.task_shares` defaults to:\n\n```yaml\ntask_shares:\n", 1)[1]
    assert block.startswith("  math: 0.167\n")


def test_check_exits_non_zero_on_a_stale_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reference" / "params.md"
    assert params_reference.main(["--check", "--output", str(out)]) == 1
    assert "missing" in capsys.readouterr().err

    assert params_reference.main(["--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == params_reference.render()
    assert params_reference.main(["--check", "--output", str(out)]) == 0

    out.write_text(out.read_text(encoding="utf-8").replace("Jaccard", "Dice"), encoding="utf-8")
    assert params_reference.main(["--check", "--output", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "out of date" in err and "python -m distilpipe.params_reference" in err
