"""distilpipe.plots on hand-made specs: declarations, rendering, and that each check fails on
the chart it is there to catch (the end-to-end render test is tests/e2e/test_plots.py)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from dvc_render.vega_templates import TEMPLATES

from distilpipe import plots
from distilpipe.plots import DVC_Y_FIELD, PlotDeclaration

ROOT = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

LANGS = PlotDeclaration(id="plots/pool/languages.json", x="lang", y=("rows",), title="Languages")
SCORES = PlotDeclaration(id="judge_scores", x="score", y=("teacher", "student"), title="Scores")
LOSS = PlotDeclaration(id="loss", x="step", y=("teacher", "student"), title="Loss")


def _bars(values: list[dict[str, Any]], x_type: str = "nominal") -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "x": {"field": "lang", "type": x_type},
            "y": {"field": "rows", "type": "quantitative"},
            "xOffset": {"field": "rev"},
            "color": {"field": "rev"},
        },
    }


LANG_ROWS = [
    {"lang": "en", "rows": 30, "rev": "workspace"},
    {"lang": "zh", "rows": 10, "rev": "workspace"},
    {"lang": "und", "rows": 0, "rev": "workspace"},
]


def _lines(values: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "data": {"values": values},
        "mark": "line",
        "encoding": {
            "x": {"field": "step", "type": "quantitative"},
            "y": {"field": DVC_Y_FIELD, "type": "quantitative"},
            "color": {"field": "field"},
            "strokeDash": {"field": "rev"},
        },
    }


def _loss_rows(revs: tuple[str, ...] = ("workspace",)) -> list[dict[str, Any]]:
    return [
        {"step": s, DVC_Y_FIELD: 8.0 - s / (2 if f == "teacher" else 3), "field": f, "rev": r}
        for r in revs
        for f in ("teacher", "student")
        for s in range(1, 6)
    ]


def test_declared_plots_reads_stage_and_top_level_plots() -> None:
    dvc_yaml = {
        "stages": {
            "pool": {
                "cmd": "x",
                "plots": [{"plots/pool/languages.json": {"x": "lang", "y": "rows"}}],
            },
            "other": {"cmd": "y", "plots": ["plots/other.json"]},
        },
        "plots": [
            {
                "judge_scores": {
                    "x": "score",
                    "y": {"plots/judge/scores.json": ["teacher", "student"]},
                    "title": "Scores",
                }
            },
            {"mfd": {"x": {"plots/judge/mfd.json": "mfd"}, "y": {"plots/judge/mfd.json": "rows"}}},
        ],
    }
    declared = plots.declared_plots(dvc_yaml)
    assert list(declared) == [
        "plots/pool/languages.json",
        "plots/other.json",
        "judge_scores",
        "mfd",
    ]
    assert declared["plots/pool/languages.json"].y_field == "rows"
    assert declared["plots/other.json"] == PlotDeclaration(
        "plots/other.json", None, (), "plots/other.json"
    )
    assert declared["judge_scores"].y == ("teacher", "student")
    assert declared["judge_scores"].y_field == DVC_Y_FIELD
    assert (declared["mfd"].x, declared["mfd"].y_field) == ("mfd", "rows")


def test_declared_plots_refuses_what_dvc_would_interpolate() -> None:
    dvc_yaml = {"stages": {"ingest": {"foreach": ["a"], "do": {"plots": ["plots/${item}.json"]}}}}
    with pytest.raises(ValueError, match="interpolates"):
        plots.declared_plots(dvc_yaml)


def test_every_template_dvc_yaml_names_exists() -> None:
    """A project template that is missing (or misspelt) would otherwise only show as a
    failed `dvc plots show` in the end-to-end test."""
    dvc_yaml = yaml.safe_load((ROOT / "dvc.yaml").read_text())
    known = {p.stem for p in (ROOT / ".dvc" / "plots").glob("*.json")}
    known |= {t.DEFAULT_NAME for t in TEMPLATES}
    entries = [
        *(e for stage in dvc_yaml["stages"].values() for e in stage.get("plots", [])),
        *dvc_yaml.get("plots", []),
    ]
    used = [
        (props or {}).get("template", "linear")
        for e in entries
        for props in ([{}] if isinstance(e, str) else e.values())
    ]
    assert used and set(used) <= known
    assert set(used) & {"bars", "histogram", "lines"}


def test_vega_specs_takes_the_vega_content_and_raises_on_dvc_errors() -> None:
    spec = _bars(LANG_ROWS)
    shown = {"data": {"a": [{"type": "vega", "revisions": ["workspace"], "content": spec}]}}
    assert plots.vega_specs(shown) == {"a": spec}
    with pytest.raises(ValueError, match=r"missing\.json"):
        plots.vega_specs({**shown, "errors": [{"name": "missing.json", "rev": "workspace"}]})


def test_png_name() -> None:
    assert plots.png_name("plots/pool/lengths.json") == "plots_pool_lengths.png"
    assert plots.png_name("judge_mfd") == "judge_mfd.png"


def test_render_png() -> None:
    assert plots.render_png(_bars(LANG_ROWS), scale=1).startswith(PNG_MAGIC)


def test_a_right_bar_chart_has_no_problems() -> None:
    assert plots.check_plot(_bars(LANG_ROWS), LANGS) == []
    assert plots.check_plot(_bars(LANG_ROWS, x_type="ordinal"), LANGS) == []


def test_undeclared_fields_empty_data_and_missing_fields() -> None:
    guessed = PlotDeclaration(id="plots/pool/languages.json", x=None, y=(), title="x")
    assert plots.check_plot(_bars(LANG_ROWS), guessed) == [
        "declare x and y in dvc.yaml, so the chart can be checked against them"
    ]
    assert plots.check_plot(_bars([]), LANGS) == ["no data"]
    other = PlotDeclaration(id="x", x="language", y=("rows",), title="x")
    assert plots.check_plot(_bars(LANG_ROWS), other) == [
        "declared field 'language' is not in the data"
    ]


def test_category_on_a_quantitative_axis_is_caught() -> None:
    """The bug this module was written for: `bar_horizontal` put `lang` on its quantitative
    axis (and the counts on a nominal one), which draws no bars at all."""
    spec = _bars(LANG_ROWS)
    spec["encoding"]["x"]["type"] = "quantitative"
    spec["encoding"]["y"]["type"] = "nominal"
    problems = plots.check_plot(spec, LANGS)
    assert any("category 'lang' is on a quantitative axis" in p for p in problems)
    assert any("counts 'rows' are not on a plain quantitative axis" in p for p in problems)
    assert "bars: 0 bars drawn for 2 non-empty bins or categories" in problems


def test_swapped_x_and_y_are_caught() -> None:
    spec = _bars(LANG_ROWS)
    spec["encoding"]["x"]["field"], spec["encoding"]["y"]["field"] = "rows", "lang"
    problems = plots.check_plot(spec, LANGS)
    assert any("category 'lang' is on a quantitative axis" in p for p in problems)


def test_stacked_or_merged_series_are_caught() -> None:
    """Teacher and student counts in one colour: stacked they read as one bar, summed they
    are one bar."""
    values = [{**row, "field": f} for row in LANG_ROWS for f in ("teacher", "student")]
    stacked = _bars(values)
    del stacked["encoding"]["xOffset"]
    assert plots.check_plot(stacked, LANGS) == [
        "bars: 4 bars touch or overlap a bar of the same colour "
        "(stacked or overlaid, they read as one)"
    ]
    summed = copy.deepcopy(stacked)
    summed["encoding"]["y"]["aggregate"] = "sum"
    assert plots.check_plot(summed, LANGS) == [
        "bars: 2 bars drawn for 4 non-empty bins or categories"
    ]
    side_by_side = copy.deepcopy(stacked)
    side_by_side["encoding"].update(xOffset={"field": "field"}, color={"field": "field"})
    assert plots.check_plot(side_by_side, LANGS) == []


def test_counts_that_are_not_numbers_are_caught() -> None:
    values = [*LANG_ROWS, {"lang": "fr", "rows": "many", "rev": "workspace"}]
    problems = plots.check_plot(_bars(values), LANGS)
    assert any("1 rows have no number in 'rows'" in p for p in problems)


def test_binned_quantitative_bars_count_as_bins() -> None:
    values = [
        {"mfd": lo / 10, "mfd_end": (lo + 1) / 10, "rows": n, "rev": "workspace"}
        for lo, n in zip(range(-10, 10), [0] * 9 + [5, 3] + [0] * 9, strict=True)
    ]
    spec = {
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "x": {"field": "mfd", "type": "quantitative", "bin": "binned"},
            "x2": {"field": "mfd_end"},
            "y": {"field": "rows", "type": "quantitative"},
        },
    }
    mfd = PlotDeclaration(id="judge_mfd", x="mfd", y=("rows",), title="MFD")
    assert plots.check_plot(spec, mfd) == []
    del spec["encoding"]["x"]["bin"]
    assert any("category 'mfd' is on a quantitative axis" in p for p in plots.check_plot(spec, mfd))


def test_several_y_fields_melted_by_dvc() -> None:
    values = [
        {"score": s, DVC_Y_FIELD: n, "field": f, "rev": "workspace"}
        for s, n in [(2, 5), (3, 0)]
        for f in ("teacher", "student")
    ]
    spec = _bars(values)
    spec["encoding"].update(
        x={"field": "score", "type": "ordinal"},
        y={"field": DVC_Y_FIELD, "type": "quantitative"},
        xOffset={"field": "field"},
        color={"field": "field"},
    )
    assert plots.check_plot(spec, SCORES) == []


def test_lines_one_per_series() -> None:
    assert plots.check_plot(_lines(_loss_rows()), LOSS) == []
    spec = _lines(_loss_rows())
    del spec["encoding"]["color"]  # teacher and student joined into one zig-zag line
    assert plots.check_plot(spec, LOSS) == ["lines: 1 lines drawn in marks for 2 series"]
    spec = _lines(_loss_rows())
    spec["encoding"]["x"]["type"] = "ordinal"
    assert "lines: x is not on a quantitative axis" in plots.check_plot(spec, LOSS)


def test_both_revisions_must_be_named_in_the_legend() -> None:
    rows = _loss_rows(("HEAD~1", "workspace"))
    assert plots.check_plot(_lines(rows), LOSS) == []  # strokeDash's legend names them
    spec = _lines(rows)
    spec["encoding"]["strokeDash"]["legend"] = None
    problems = plots.check_plot(spec, LOSS)
    assert "revision 'HEAD~1' is not in the legend" in problems


def test_unknown_chart_kinds_are_reported_not_passed() -> None:
    spec = copy.deepcopy(_bars(LANG_ROWS))
    spec["mark"] = "point"
    assert plots.check_plot(spec, LANGS) == [
        "no check for ['point'] charts yet: add one to distilpipe.plots"
    ]


def test_write_report(tmp_path: Path) -> None:
    wrong = _bars(LANG_ROWS)
    wrong["encoding"]["x"]["type"] = "quantitative"
    specs = {
        "plots/pool/languages.json": _bars(LANG_ROWS),
        "wrong": wrong,
        "stray": _bars(LANG_ROWS),
    }
    declared = {
        LANGS.id: LANGS,
        "wrong": PlotDeclaration(id="wrong", x="lang", y=("rows",), title="Wrong"),
        "absent": PlotDeclaration(id="absent", x="a", y=("b",), title="Absent"),
    }
    problems = plots.write_report(specs, declared, tmp_path / "out")
    assert problems[LANGS.id] == []
    assert problems["wrong"] and problems["absent"] and problems["stray"]
    index = (tmp_path / "out" / "index.md").read_text(encoding="utf-8")
    assert index.index("## Languages") < index.index("## Wrong") < index.index("## Absent")
    assert "![Languages](plots_pool_languages.png)" in index
    assert "`plots/pool/languages.json`, revisions: workspace" in index
    assert "- **reads wrong:** declared in dvc.yaml but not shown by dvc" in index
    assert "- **reads wrong:** not declared in dvc.yaml" in index
    pngs = sorted(p.name for p in (tmp_path / "out").glob("*.png"))
    assert pngs == ["plots_pool_languages.png", "stray.png", "wrong.png"]
    assert all((tmp_path / "out" / p).read_bytes().startswith(PNG_MAGIC) for p in pngs)
    json.dumps(problems)


def test_a_chart_that_cannot_be_drawn_is_reported_not_raised(tmp_path: Path) -> None:
    # the project's bars template over data with no numbers at all (every y null) has no
    # size for vl-convert to draw at
    template = (ROOT / ".dvc/plots/bars.json").read_text(encoding="utf-8")
    rows = [{"lang": "en", "rows": None, "rev": "workspace", "field": "rows"}]
    filled = template.replace('"<DVC_METRIC_DATA>"', json.dumps(rows))
    for placeholder, value in (("X", "lang"), ("Y", "rows"), ("TITLE", "Languages")):
        filled = filled.replace(f"<DVC_METRIC_{placeholder}>", value)
    filled = filled.replace("<DVC_METRIC_X_LABEL>", "").replace("<DVC_METRIC_Y_LABEL>", "")
    problems = plots.write_report({LANGS.id: json.loads(filled)}, {LANGS.id: LANGS}, tmp_path)
    assert any(p.startswith("cannot be drawn: ") for p in problems[LANGS.id])
    assert any("have no number in 'rows'" in p for p in problems[LANGS.id])
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert "![" not in index and "- **reads wrong:** cannot be drawn" in index
