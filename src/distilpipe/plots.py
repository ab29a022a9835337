"""The plots declared in dvc.yaml as pictures: rendered offline, and checked against what
each plot declares.

`dvc plots show --json` (and `dvc plots diff --json`) give every declared plot as a filled
Vega-Lite spec with its data inlined. `render_png` draws one with vl-convert (Vega-Lite and
a JavaScript engine compiled in: no browser, no network). `check_plot` reads the spec and the
scene Vega draws from it, and says what would mislead a reader:

- x or y not declared (DVC would guess them), no data, or data without the declared fields;
- bar charts: the declared x field (a category or a bin) must sit on a nominal or ordinal
  axis, or on a quantitative axis as ready-made bins (`bin: binned`); the declared y field
  (the counts) on a quantitative axis; and there must be exactly one visible bar per data row
  with a count above zero, so no bars are merged or lost, and no two bars of one colour
  touching or overlapping (stacked or overlaid series that read as one bar);
- line charts: x and y on quantitative axes, and one drawn line per series (y field and
  revision) in every line layer;
- with several revisions (`dvc plots diff`), each revision named in the legend;
- any other kind of chart is reported as unchecked, so a new kind of plot gets its check the
  day it is added here.

This is the one module in src/ that knows DVC's plot formats (dvc.yaml's plot declarations,
the JSON of `dvc plots show`); the `distilpipe report` command and the render test use it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import vl_convert

from distilpipe import io

# DVC's name for y when a plot declares several y fields: it melts them into rows of
# {x, DVC_Y_FIELD: value, field: <declared field name>, rev, ...}.
DVC_Y_FIELD = "dvc_inferred_y_value"
_DISCRETE = ("nominal", "ordinal")


@dataclass(frozen=True)
class PlotDeclaration:
    """One plot of dvc.yaml: `id` is DVC's id for it (a top-level plot's name, or a stage
    plot's file path); `x` and `y` the fields it declares (None or () where it leaves them to
    DVC's defaults)."""

    id: str
    x: str | None
    y: tuple[str, ...]
    title: str

    @property
    def y_field(self) -> str | None:
        """The y field's name in the filled spec."""
        if len(self.y) > 1:
            return DVC_Y_FIELD
        return self.y[0] if self.y else None


def declared_plots(dvc_yaml: Mapping[str, Any]) -> dict[str, PlotDeclaration]:
    """Every plot a parsed dvc.yaml declares, by DVC's plot id, in file order: the stages'
    `plots` then the top-level `plots`. A declaration that DVC would interpolate (`${...}`)
    raises ValueError, since its id is only known once DVC has expanded it."""
    entries: list[tuple[str, Mapping[str, Any]]] = []
    for stage in (dvc_yaml.get("stages") or {}).values():
        body = stage.get("do", stage) if isinstance(stage, Mapping) else {}
        entries.extend(_entries(body.get("plots") or []))
    entries.extend(_entries(dvc_yaml.get("plots") or []))
    declared = {}
    for plot_id, props in entries:
        if "${" in plot_id or "${" in json.dumps(props):
            raise ValueError(f"plot {plot_id!r}: cannot read a declaration DVC interpolates")
        x = props.get("x")
        if isinstance(x, Mapping):  # {file: field}
            x = next(iter(x.values()))
        declared[plot_id] = PlotDeclaration(
            id=plot_id, x=x, y=_y_fields(props.get("y")), title=str(props.get("title", plot_id))
        )
    return declared


def _entries(plots: Sequence[Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for entry in plots:
        if isinstance(entry, str):
            yield entry, {}
        else:
            for plot_id, props in entry.items():
                yield plot_id, props or {}


def _y_fields(y: Any) -> tuple[str, ...]:
    if y is None:
        return ()
    if isinstance(y, str):
        return (y,)
    if isinstance(y, Mapping):  # {file: field or [fields]}
        return tuple(f for fields in y.values() for f in _y_fields(fields))
    return tuple(y)


def vega_specs(plots_json: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The filled Vega-Lite spec of each plot in the output of `dvc plots show --json` or
    `dvc plots diff --json`, by plot id. Errors DVC reports (a missing data file, a field
    not in the data) raise ValueError with DVC's message."""
    errors = plots_json.get("errors")
    if errors:
        raise ValueError(f"dvc reported errors: {json.dumps(errors, sort_keys=True)}")
    specs = {}
    for plot_id, renders in (plots_json.get("data") or {}).items():
        for render in renders:
            if render.get("type") == "vega":
                specs[plot_id] = render["content"]
    return specs


def render_png(spec: Mapping[str, Any], scale: float = 2.0) -> bytes:
    """The spec drawn as PNG bytes, `scale` pixels per spec pixel."""
    return bytes(vl_convert.vegalite_to_png(vl_spec=dict(spec), scale=scale))


def png_name(plot_id: str) -> str:
    """A file name for a plot id: `plots/pool/lengths.json` -> `plots_pool_lengths.png`."""
    stem = re.sub(r"\.(json|jsonl|csv|tsv|ya?ml)$", "", plot_id)
    return re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_") + ".png"


def revisions(spec: Mapping[str, Any]) -> list[str]:
    """The revisions whose data the spec holds, in order of appearance."""
    return list(dict.fromkeys(str(row["rev"]) for row in _values(spec) if "rev" in row))


def check_plot(spec: Mapping[str, Any], declared: PlotDeclaration) -> list[str]:
    """What reads wrong in `spec` (a filled Vega-Lite spec) given its declaration: one line
    per problem, none when the chart shows what it declares. See the module docstring."""
    if not declared.x or not declared.y:
        return ["declare x and y in dvc.yaml, so the chart can be checked against them"]
    values = _values(spec)
    if not values:
        return ["no data"]
    units = list(_units(spec, {}))
    marks = {mark for mark, _ in units}
    fields = [f for f in (declared.x, declared.y_field) if f]
    missing = [f for f in fields if not any(f in row for row in values)]
    if missing:
        return [f"declared field {f!r} is not in the data" for f in missing]
    scene = _scenegraph(spec)
    if "bar" in marks:
        problems = _check_bars(values, [e for m, e in units if m == "bar"], declared, scene)
    elif "rect" in marks:
        problems = _check_cells(values, [e for m, e in units if m == "rect"], declared, scene)
    elif "line" in marks:
        problems = _check_lines(values, [e for m, e in units if m == "line"], declared, scene)
    else:
        return [f"no check for {sorted(marks)} charts yet: add one to distilpipe.plots"]
    return problems + _check_legend(spec, scene)


def _values(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    values = (spec.get("data") or {}).get("values") or []
    return [v for v in values if isinstance(v, dict)]


def _units(spec: Mapping[str, Any], inherited: dict[str, Any]) -> Iterator[tuple[str, dict]]:
    """(mark type, encoding with the parents' encodings merged in) of every unit spec."""
    encoding = {**inherited, **(spec.get("encoding") or {})}
    if "mark" in spec:
        mark = spec["mark"]
        yield (mark["type"] if isinstance(mark, Mapping) else mark), encoding
    for child in spec.get("layer") or []:
        yield from _units(child, encoding)
    if isinstance(spec.get("spec"), Mapping):  # a faceted chart (per revision, say)
        yield from _units(spec["spec"], encoding)


def _field(channel: Mapping[str, Any] | None) -> str | None:
    if not channel or "field" not in channel:
        return None
    return str(channel["field"]).replace("\\", "")  # DVC escapes '.', '[' and ']'


def _check_bars(
    values: list[dict[str, Any]],
    encodings: list[dict[str, Any]],
    declared: PlotDeclaration,
    scene: Mapping[str, Any],
) -> list[str]:
    problems = []
    category, count = declared.x, declared.y_field
    for encoding in encodings:
        position = {ch: encoding.get(ch) for ch in ("x", "y")}
        on = {_field(enc): enc for enc in position.values() if enc}
        if category not in on:
            problems.append(f"bars: the category {category!r} (declared x) is on no axis")
        else:
            enc = on[category]
            binned = enc.get("type") == "quantitative" and bool(enc.get("bin"))
            if enc.get("type") not in _DISCRETE and not binned:
                problems.append(
                    f"bars: the category {category!r} is on a {enc.get('type')} axis, "
                    "not a nominal/ordinal one or ready-made bins"
                )
        if count not in on:
            problems.append(f"bars: the counts {count!r} (declared y) are on no axis")
        elif on[count].get("type") != "quantitative" or on[count].get("bin"):
            problems.append(f"bars: the counts {count!r} are not on a plain quantitative axis")
    if count is not None:
        bad = [row for row in values if not _is_count(row.get(count))]
        if bad:
            problems.append(f"bars: {len(bad)} rows have no number in {count!r}, e.g. {bad[0]}")
        nonzero = sum(1 for row in values if _is_count(row.get(count)) and row[count] > 0)
        drawn = sum(1 for item in _mark_items(scene, "rect") if _box(item) is not None)
        if drawn != nonzero:
            problems.append(f"bars: {drawn} bars drawn for {nonzero} non-empty bins or categories")
    hidden = _same_colour_neighbours(scene)
    if hidden:
        problems.append(
            f"bars: {hidden} bars touch or overlap a bar of the same colour "
            "(stacked or overlaid, they read as one)"
        )
    return problems


def _check_cells(
    values: list[dict[str, Any]],
    encodings: list[dict[str, Any]],
    declared: PlotDeclaration,
    scene: Mapping[str, Any],
) -> list[str]:
    """A confusion matrix (DVC's `confusion` template): the two declared label fields on
    nominal/ordinal axes and a cell for every (x, y) pair of the labels seen (zero-count
    cells drawn too), coloured by count."""
    problems = []
    if not any(encoding.get("color") for encoding in encodings):
        problems.append("cells: no colour encodes the counts")
    for encoding in encodings:
        for channel, field in (("x", declared.x), ("y", declared.y_field)):
            enc = encoding.get(channel) or {}
            if _field(enc) != field:
                problems.append(f"cells: {channel} shows {_field(enc)!r}, not {field!r}")
            elif enc.get("type") not in _DISCRETE:
                problems.append(f"cells: {field!r} is on a {enc.get('type')} axis, not nominal")
    x, y = declared.x or "", declared.y_field or ""
    revs = {row.get("rev") for row in values}
    cells = len(revs) * len({row.get(x) for row in values}) * len({row.get(y) for row in values})
    # every rect layer (the coloured one, then the hover overlay) draws each cell once
    drawn = sum(1 for item in _mark_items(scene, "rect") if _box(item) is not None)
    if drawn == 0 or drawn % cells:
        problems.append(f"cells: {drawn} cells drawn for {cells} (x, y) pairs of the labels")
    return problems


def _same_colour_neighbours(scene: Mapping[str, Any]) -> int:
    """How many drawn bars share an edge with, or overlap, another bar of the same fill and
    stroke in the same mark: stacked or overlaid series a reader cannot tell apart."""
    found = set()
    for mark in _marks(scene, "rect"):
        bars = []
        for i, item in enumerate(mark.get("items") or []):
            box = _box(item)
            if box is not None:
                bars.append((i, box, (item.get("fill"), item.get("stroke"))))
        for n, (i, a, colour_a) in enumerate(bars):
            for j, b, colour_b in bars[n + 1 :]:
                if colour_a == colour_b and _touch(a, b):
                    found.update({(id(mark), i), (id(mark), j)})
    return len(found)


def _box(item: Mapping[str, Any]) -> tuple[float, float, float, float] | None:
    """(x0, y0, x1, y1) of a drawn bar, None for one of zero width or height."""
    x, y = float(item.get("x", 0)), float(item.get("y", 0))
    w, h = float(item.get("width", 0)), float(item.get("height", 0))
    if w <= 0 or h <= 0:
        return None
    return x, y, x + w, y + h


def _touch(a: tuple[float, ...], b: tuple[float, ...], eps: float = 0.01) -> bool:
    """Whether two boxes overlap, or share a stretch of edge (not just a corner)."""
    along_x = min(a[2], b[2]) - max(a[0], b[0])
    along_y = min(a[3], b[3]) - max(a[1], b[1])
    return along_x >= -eps and along_y >= -eps and max(along_x, along_y) > eps


def _is_count(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _check_lines(
    values: list[dict[str, Any]],
    encodings: list[dict[str, Any]],
    declared: PlotDeclaration,
    scene: Mapping[str, Any],
) -> list[str]:
    problems = []
    for encoding in encodings:
        for channel in ("x", "y"):
            if (encoding.get(channel) or {}).get("type") != "quantitative":
                problems.append(f"lines: {channel} is not on a quantitative axis")
        if declared.x and _field(encoding.get("x")) != declared.x:
            problems.append(f"lines: x shows {_field(encoding.get('x'))!r}, not {declared.x!r}")
    if declared.y_field and not any(_field(e.get("y")) == declared.y_field for e in encodings):
        problems.append(f"lines: no line shows the declared y {declared.y_field!r}")
    series = {(row.get("rev"), row.get("field")) for row in values}
    # one line mark per series in each layer; a line needs two points to be seen
    drawn = Counter(
        mark.get("name") for mark in _marks(scene, "line") if len(mark.get("items", [])) >= 2
    )
    if not drawn:
        problems.append("lines: no line drawn")
    for layer, lines in sorted(drawn.items(), key=lambda kv: str(kv[0])):
        if lines != len(series):
            problems.append(f"lines: {lines} lines drawn in {layer} for {len(series)} series")
    return problems


def _check_legend(spec: Mapping[str, Any], scene: Mapping[str, Any]) -> list[str]:
    revs = revisions(spec)
    if len(revs) < 2:
        return []
    labels = [str(item.get("text", "")) for item in _mark_items(scene, "text", "legend-label")]
    # a chart faceted by revision (DVC's confusion matrix) names each in its header title
    labels += [str(item.get("text", "")) for item in _mark_items(scene, "text", "title-text")]
    return [f"revision {rev!r} is not in the legend" for rev in revs if not _named(rev, labels)]


def _named(rev: str, labels: list[str]) -> bool:
    return any(label == rev or label.startswith(f"{rev} ") for label in labels)


def _scenegraph(spec: Mapping[str, Any]) -> dict[str, Any]:
    scene = vl_convert.vegalite_to_scenegraph(vl_spec=dict(spec))
    return dict(json.loads(scene) if isinstance(scene, str) else scene)


def _marks(node: Any, marktype: str, role: str = "mark") -> Iterator[dict[str, Any]]:
    """Every mark of `marktype` and `role` in a Vega scenegraph, depth first."""
    if isinstance(node, dict):
        if node.get("marktype") == marktype and node.get("role") == role:
            yield node
        for child in node.get("items") or []:
            yield from _marks(child, marktype, role)
        if "scenegraph" in node:
            yield from _marks(node["scenegraph"], marktype, role)


def _mark_items(node: Any, marktype: str, role: str = "mark") -> Iterator[dict[str, Any]]:
    for mark in _marks(node, marktype, role):
        yield from mark.get("items") or []


def write_report(
    specs: Mapping[str, Mapping[str, Any]],
    declarations: Mapping[str, PlotDeclaration],
    out: Path,
    scale: float = 2.0,
) -> dict[str, list[str]]:
    """Render every spec to `out/<png_name>` and write `out/index.md`, a Markdown page with
    each plot's title, revisions, picture and problems (see `check_plot`), in declaration
    order. Returns the problems per plot id; a plot DVC did not show, or one not declared,
    counts as a problem."""
    problems: dict[str, list[str]] = {}
    lines = ["# Plots", "", "Every plot declared in `dvc.yaml`, drawn by `distilpipe report`.", ""]
    for plot_id in [*declarations, *(p for p in specs if p not in declarations)]:
        declared = declarations.get(plot_id)
        title = declared.title if declared else plot_id
        lines += [f"## {title}", "", f"`{plot_id}`"]
        spec = specs.get(plot_id)
        if spec is None:
            problems[plot_id] = ["declared in dvc.yaml but not shown by dvc (no data file?)"]
        else:
            name = png_name(plot_id)
            problems[plot_id] = (
                check_plot(spec, declared) if declared else ["not declared in dvc.yaml"]
            )
            lines[-1] += f", revisions: {', '.join(revisions(spec)) or '-'}"
            try:
                io.write_bytes(render_png(spec, scale), out / name)
                lines += ["", f"![{title}]({name})"]
            except ValueError as exc:  # vl-convert's: an empty chart has no size, say
                problems[plot_id].append(f"cannot be drawn: {' '.join(str(exc).split())}")
        lines += ["", *(f"- **reads wrong:** {p}" for p in problems[plot_id])]
        if problems[plot_id]:
            lines.append("")
    io.write_text("\n".join(lines).rstrip() + "\n", out / "index.md")
    return problems
