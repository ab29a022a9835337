"""Params presets: overlays that move the pipeline from the tiny offline models to a real
recipe (presets/<name>.yaml), merged into params.yaml so `dvc params diff` shows exactly
what changed.

A preset is a params file in part. Its sections merge into params.yaml key by key (a
mapping merges into a mapping; anything else replaces the value). A section it lists under
`_preset.replace` ends up with exactly the preset's keys (e.g. `sources: {}` takes the
sample files out of the pipeline); what those keys hold still merges, so pins and tweaks
made after an earlier apply survive a second one. The result must validate as params, or nothing is
written. Comments and key order of params.yaml survive (ruamel round trip).

Hub datasets and models are pinned when applied: each Hub id without a `revision` gets the
commit sha the Hub reports for it now, so a later `dvc repro` reads the same data and
weights. Pinning needs the Hub; `--no-pin` applies the preset as written.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML

from distilpipe.errors import DistilpipeError, ParamsError
from distilpipe.params import load_params

PRESETS_DIR = Path("presets")
META = "_preset"


class PresetError(DistilpipeError):
    """A preset that does not exist, does not validate, or cannot be pinned."""


@dataclass
class Preset:
    name: str
    description: str
    replace: list[str]
    overlay: dict[str, Any]


@dataclass
class Applied:
    changed: list[str]  # dotted keys whose value changed (leaves, in file order)
    pinned: dict[str, str] = field(default_factory=dict)  # dotted key of a revision -> sha


def available(folder: Path = PRESETS_DIR) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.yaml"))


def load_preset(name: str, folder: Path = PRESETS_DIR) -> Preset:
    path = folder / f"{name}.yaml"
    if not path.is_file():
        names = ", ".join(available(folder)) or "none"
        raise PresetError(f"no preset {name!r} in {folder}/ (there are: {names})")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    meta = data.pop(META, {}) or {}
    unknown = sorted(set(meta) - {"description", "replace"})
    if unknown:
        raise PresetError(f"{path}: unknown keys under {META}: {unknown}")
    return Preset(name, str(meta.get("description", "")), list(meta.get("replace", [])), data)


def merge(
    base: Any, overlay: dict[str, Any], replace: list[str], note: str = "", prefix: str = ""
) -> list[str]:
    """Merge `overlay` into the mapping `base` in place; returns the dotted keys changed.
    A changed key's end-of-line comment (which described the old value) becomes
    `# <note>; was: <old value>`."""
    changed: list[str] = []
    for key, value in overlay.items():
        dotted = f"{prefix}{key}"
        old = base.get(key) if key in base else _MISSING
        if isinstance(value, dict) and isinstance(old, dict):
            if dotted in replace:
                for gone in [k for k in old if k not in value]:
                    del old[gone]
                    changed.append(f"{dotted}.{gone}")
            changed += merge(old, value, replace, note, prefix=f"{dotted}.")
        elif _plain(old) != value:
            base[key] = value
            changed.append(dotted)
            if note and not isinstance(old, (dict, list, _Missing)):
                _retitle_comment(base, key, f"{note}; was: {_scalar(old)}")
    return changed


def apply(
    name: str,
    params_path: Path = Path("params.yaml"),
    folder: Path = PRESETS_DIR,
    pin: bool = True,
    resolve: Callable[[str, str], str] | None = None,
) -> Applied:
    """Merge preset `name` into `params_path`, pin its Hub ids, validate, then write."""
    preset = load_preset(name, folder)
    rt = _round_trip()
    document = rt.load(params_path.read_text(encoding="utf-8"))
    before = _flatten(_plain(document))
    merge(document, preset.overlay, preset.replace, note=f"preset {name}")
    pinned: dict[str, str] = {}
    if pin:
        resolve = resolve or hub_revision
        for dotted, holder, kind, repo in _unpinned(document, params_path.parent):
            try:
                holder["revision"] = pinned[dotted] = resolve(kind, repo)
            except Exception as exc:  # any Hub failure (offline, unknown repo, auth) alike
                raise PresetError(
                    f"preset {name}: cannot pin {kind} {repo} ({dotted}): "
                    f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}; "
                    "apply it where the Hub is reachable, or with --no-pin to keep it unpinned"
                ) from None
    after = _flatten(_plain(document))
    changed = [key for key in after if before.get(key, _MISSING) != after[key]]
    changed += [key for key in before if key not in after]
    pinned = {key: sha for key, sha in pinned.items() if key in changed}
    buffer = io.StringIO()
    rt.dump(document, buffer)
    text = buffer.getvalue()
    staged = params_path.with_name(f".{params_path.name}.preset")
    staged.write_text(text, encoding="utf-8")
    try:
        load_params(staged)
    except ParamsError as exc:
        raise PresetError(f"preset {name} does not give valid params:\n{exc}") from None
    finally:
        staged.unlink()
    tmp = params_path.with_name(f".{params_path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(params_path)
    return Applied(changed=changed, pinned=pinned)


def hub_revision(kind: str, repo: str) -> str:
    """The commit sha the Hub reports now for a dataset or model repo."""
    from huggingface_hub import HfApi

    api = HfApi()
    info = api.dataset_info(repo) if kind == "dataset" else api.model_info(repo)
    if not info.sha:
        raise PresetError(f"the Hub gave no revision for {kind} {repo}")
    return info.sha


def _unpinned(document: Any, root: Path) -> Iterator[tuple[str, Any, str, str]]:
    """(dotted revision key, the mapping holding it, dataset|model, Hub id) for each Hub
    dataset and model of params without a revision. Local folders and API models are not
    Hub ids; evaluate.models given as a bare string are expanded into a mapping first."""
    for name, source in (document.get("hub_sources") or {}).items():
        hf = source.get("hf") or {}
        if hf.get("name") and not hf.get("revision") and not (root / hf["name"]).exists():
            yield f"hub_sources.{name}.hf.revision", hf, "dataset", hf["name"]
    evaluate = document.get("evaluate") or {}
    for bench in ("ifeval", "alpaca_eval"):
        spec = evaluate.get(bench)
        if not isinstance(spec, dict):
            continue
        hub = spec.get("hub")
        if hub and not spec.get("revision") and not (root / hub).exists():
            yield f"evaluate.{bench}.revision", spec, "dataset", hub
    specs = [("models", document.get("models")), ("evaluate.models", evaluate.get("models"))]
    for prefix, models in specs:
        for role in list(models or {}):
            spec = models[role]
            if isinstance(spec, str) and _is_hub_model({"model": spec}, root):
                spec = models[role] = {"model": spec}
            if isinstance(spec, dict) and _is_hub_model(spec, root):
                yield f"{prefix}.{role}.revision", spec, "model", spec["model"]
    for section in ("train_sft", "train_dpo"):
        spec = document.get(section) or {}
        if _is_hub_model(spec, root):
            yield f"{section}.revision", spec, "model", spec["model"]


def _is_hub_model(spec: Any, root: Path) -> bool:
    model = spec.get("model")
    return (
        isinstance(model, str)
        and model.count("/") == 1
        and not model.startswith((".", "/"))
        and spec.get("backend", "transformers") != "openai"
        and not spec.get("revision")
        and not (root / model).exists()
        and not model.startswith("models/")
    )


def _round_trip() -> YAML:
    """ruamel in round-trip mode, writing what PyYAML (and so params.py and DVC) reads the
    same: `null` for None, floats with a dot and an exponent sign (PyYAML reads `1e-05` as
    a string), and no line wrapping inside flow mappings."""
    rt = YAML()
    rt.preserve_quotes = True
    rt.width = 4096
    rt.representer.add_representer(
        type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    rt.representer.add_representer(
        float, lambda r, v: r.represent_scalar("tag:yaml.org,2002:float", _float(v))
    )
    return rt


def _float(value: float) -> str:
    text = repr(value)
    if "e" in text and "." not in text.split("e")[0]:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text if ("." in text or "e" in text or "n" in text) else f"{text}.0"


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return _float(value) if isinstance(value, float) else str(value)


def _retitle_comment(mapping: Any, key: str, text: str) -> None:
    """Replace the first line of `key`'s end-of-line comment, keeping the comment lines
    ruamel attaches after it (the next section's header)."""
    comments = getattr(mapping, "ca", None)
    token = comments.items.get(key, [None, None, None])[2] if comments else None
    if token is None:
        return
    _, newline, rest = token.value.partition("\n")
    token.value = f"# {text}{newline}{rest}"


class _Missing:
    pass


_MISSING = _Missing()


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """{dotted key: leaf value}; an empty mapping is a leaf."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): value}


def _plain(value: Any) -> Any:
    """ruamel's commented containers as plain dicts and lists, for comparison."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
