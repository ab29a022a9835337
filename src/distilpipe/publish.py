"""`distilpipe publish`: a trained student folder and its model card, to a Hugging Face Hub repo.

The card (`README.md`, with the Hub's YAML front matter) is rendered offline from the
project's own files: the data mix of `data/sft.parquet` and `data/dpo.parquet` (or the
counts in `metrics/self_distill.json`), the evaluation table of `metrics/eval.json` (drawn by
`evaluate.report.report_markdown`, as in `reports/eval.md`), the params that made the model
(`params.yaml`), and the lineage recorded in `dvc.lock`: the stage that wrote the folder,
its dependencies with their md5 hashes, the stages upstream of it, and the git commit. Each
file is optional; a missing one is written as "not run yet", never guessed.

The upload is one `HfApi.upload_folder` of a staging folder that links every file of the
model folder and holds the card as `README.md`, so the weights and the card land in one
commit (huggingface_hub splits only folders of hundreds of files), and the Hub checks the
card's metadata before anything is sent. Without credentials (`HF_TOKEN`, or the token
`hf auth login` stores) it stops before any request.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from distilpipe.errors import DistilpipeError
from distilpipe.evaluate.report import report_markdown

DEFAULT_MODEL = "models/student-dpo"
# How people load the released DistilQwen2 checkpoints, word for word (with `dtype`, the
# name transformers 5 gives `torch_dtype`). The README shows it on DEFAULT_MODEL, the card
# on the Hub repo, and a test runs it on a tiny model folder.
HOW_TO_USE = """\
from transformers import AutoModelForCausalLM, AutoTokenizer

model_name = "models/student-dpo"
model = AutoModelForCausalLM.from_pretrained(model_name, dtype="auto", device_map="auto")
tokenizer = AutoTokenizer.from_pretrained(model_name)

prompt = "Give me a short introduction to large language models."
messages = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": prompt},
]
text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
model_inputs = tokenizer([text], return_tensors="pt").to(model.device)

generated_ids = model.generate(**model_inputs, max_new_tokens=512)
generated_ids = [
    output_ids[len(input_ids) :]
    for input_ids, output_ids in zip(model_inputs.input_ids, generated_ids)
]
response = tokenizer.batch_decode(generated_ids, skip_special_tokens=True)[0]
print(response)
"""
TAGS = ("distilpipe", "distillation", "qwen2", "sft", "dpo")
LANGUAGES = ("en", "zh")
NOT_RUN = "not run yet"
MIX_COLUMNS = (("origin", "origin"), ("task_type", "task type"), ("lang", "language"))
_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")


def how_to_use(model: str) -> str:
    """HOW_TO_USE loading `model` (a folder or a Hub repo id) instead of DEFAULT_MODEL."""
    return HOW_TO_USE.replace(json.dumps(DEFAULT_MODEL), json.dumps(model), 1)


def check_model_dir(model_dir: Path) -> None:
    """Raise DistilpipeError unless `model_dir` is a Hugging Face model folder (a config and
    weights)."""
    if not (model_dir / "config.json").is_file():
        raise DistilpipeError(f"{model_dir}: not a model folder (no config.json)")
    weights = [*model_dir.glob("*.safetensors"), *model_dir.glob("*.bin")]
    if not weights:
        raise DistilpipeError(f"{model_dir}: no weights (*.safetensors or *.bin)")


def check_repo_id(repo_id: str) -> None:
    if _REPO_ID.fullmatch(repo_id) is None:
        raise DistilpipeError(f"invalid repo {repo_id!r}: use OWNER/NAME")


# ------------------------------------------------------------------------------------ card


def render_card(
    root: Path,
    model_dir: Path,
    repo_id: str,
    license_id: str = "apache-2.0",
    git: bool = True,
) -> str:
    """The model card for `model_dir` (inside the project at `root`) as it will be published
    to `repo_id`: YAML front matter, then how to use it, the data mix, the evaluation, the
    params and the lineage. `git: False` leaves the commit out (a test's temp folder)."""
    params = _read_yaml(root / "params.yaml")
    lock = _read_yaml(root / "dvc.lock")
    rel = _project_path(root, model_dir)
    base_model, base_note = _base_model(root, params)
    front: dict[str, Any] = {"license": license_id}
    if base_model is not None:
        front["base_model"] = base_model
    front |= {
        "language": list(LANGUAGES),
        "library_name": "transformers",
        "pipeline_tag": "text-generation",
        "tags": list(TAGS),
    }
    datasets = _hub_datasets(params)
    if datasets:
        front["datasets"] = datasets
    lines = [
        "---",
        yaml.safe_dump(front, sort_keys=False, allow_unicode=True).rstrip(),
        "---",
        "",
        f"# {repo_id.split('/')[-1]}",
        "",
        "A chat model distilled with distilpipe, following the DistilQwen2 recipe: instructions "
        "filtered by how hard they are for the student (Model-Fit-Difficulty), balanced by task "
        "type, length and language, answered and rewritten by a teacher, then supervised "
        f"fine-tuning and DPO. It started from {base_note}. This card was written by "
        "`distilpipe publish` from the project's params, metrics and `dvc.lock`; a part whose "
        f"stage has not run says {NOT_RUN!r}.",
        "",
        "## How to use",
        "",
        "```python",
        how_to_use(repo_id).rstrip(),
        "```",
        "",
        "## Training data",
        "",
        *_data_mix(root, params),
        "",
        "## Evaluation",
        "",
        *_evaluation(root, params, rel),
        "",
        "## Training parameters",
        "",
        *_params(params),
        "",
        "## Lineage",
        "",
        *_lineage(root, lock, rel, git),
    ]
    return "\n".join(lines).rstrip() + "\n"


def front_matter(card: str) -> dict[str, Any]:
    """The YAML front matter of a card (between the leading `---` lines), parsed."""
    if not card.startswith("---\n"):
        raise ValueError("the card does not start with YAML front matter")
    head, sep, _ = card[4:].partition("\n---\n")
    if not sep:
        raise ValueError("the card's front matter is not closed by ---")
    data = yaml.safe_load(head)
    if not isinstance(data, dict):
        raise ValueError("the card's front matter is not a mapping")
    return data


def _read_yaml(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DistilpipeError(f"{path}: not YAML: {' '.join(str(exc).split())}") from None
    return data if isinstance(data, dict) else {}


def _read_json(path: Path) -> Any:
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DistilpipeError(f"{path}: not JSON: {exc}") from None


def _project_path(root: Path, path: Path) -> str:
    """`path` relative to the project root, POSIX style (as dvc.lock writes paths); a path
    outside the project stays absolute."""
    path, root = path.resolve(), root.resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


def _missing(*names: str) -> str:
    return f"_{NOT_RUN}_ (no {', '.join(f'`{n}`' for n in names)})"


def _base_model(root: Path, params: Mapping[str, Any] | None) -> tuple[str | None, str]:
    """The model SFT started from (train_sft.model, else models.student.model): its Hub id
    for the front matter, or None for a local folder (the Hub's base_model must be a Hub id);
    and how the card's text names it."""
    if params is None:
        return None, f"a model the card cannot name (_{NOT_RUN}_: no `params.yaml`)"
    start = (params.get("train_sft") or {}).get("model")
    if start is None:
        start = ((params.get("models") or {}).get("student") or {}).get("model")
    if not isinstance(start, str):
        return None, "a model `params.yaml` does not name"
    if _REPO_ID.fullmatch(start) and not (root / start).exists():
        return start, f"[{start}](https://huggingface.co/{start})"
    return None, f"the local model folder `{start}`"


def _hub_datasets(params: Mapping[str, Any] | None) -> list[str]:
    names = []
    for source in ((params or {}).get("hub_sources") or {}).values():
        name = ((source or {}).get("hf") or {}).get("name")
        if isinstance(name, str) and name not in names:
            names.append(name)
    return names


def _data_mix(root: Path, params: Mapping[str, Any] | None) -> list[str]:
    lines = ["Sources (`params.yaml`):", ""]
    if params is None:
        lines.append(_missing("params.yaml"))
    else:
        lines += _sources(params)
    sets = {name: root / "data" / f"{name}.parquet" for name in ("sft", "dpo")}
    frames = {name: _mix_frame(path) for name, path in sets.items() if path.is_file()}
    lines.append("")
    if frames:
        counts = ", ".join(
            f"{name} {frames[name].height:,} rows" if name in frames else f"{name} {NOT_RUN}"
            for name in sets
        )
        lines += [f"Training sets (`data/sft.parquet`, `data/dpo.parquet`): {counts}.", ""]
        for column, title in MIX_COLUMNS:
            lines += [*_mix_table(frames, column, title), ""]
        return lines[:-1]
    self_distill = _read_json(root / "metrics" / "self_distill.json")
    if isinstance(self_distill, dict):
        labels = (("rows_in", "rows in"), ("sft_rows", "sft rows"), ("dpo_pairs", "dpo pairs"))
        figures = [
            f"{label} {self_distill[key]:,}"
            for key, label in labels
            if isinstance(self_distill.get(key), int)
        ]
        lines += [
            f"Training sets (`metrics/self_distill.json`): {', '.join(figures) or 'no counts'}. "
            "Rows per origin, task type and language need `data/sft.parquet` and "
            "`data/dpo.parquet` (`dvc pull` them).",
        ]
        return lines
    lines.append(
        "Training sets: "
        + _missing("data/sft.parquet", "data/dpo.parquet", "metrics/self_distill.json")
    )
    return lines


def _sources(params: Mapping[str, Any]) -> list[str]:
    rows = []
    for section in ("sources", "hub_sources"):
        for name, source in (params.get(section) or {}).items():
            source = source or {}
            hf = source.get("hf") or {}
            where = (
                f"`{hf.get('name')}` ({hf.get('split', 'train')}, revision "
                f"{hf.get('revision') or 'unpinned'})"
                if hf
                else f"`{source.get('path')}`"
            )
            limit = source.get("limit")
            rows.append(
                f"| {name} | {source.get('format', '–')} | {where} | "
                f"{'–' if limit is None else f'{limit:,}'} |"
            )
    if not rows:
        return ["_no sources in `params.yaml`_"]
    return ["| source | format | from | limit |", "|---|---|---|---:|", *rows]


def _mix_frame(path: Path) -> pl.DataFrame:
    try:
        present = set(pl.read_parquet_schema(path))
        columns = [column for column, _ in MIX_COLUMNS if column in present]
        if columns:
            return pl.read_parquet(path, columns=columns)
        # no mix column: only the row count is known
        rows = pl.scan_parquet(path).select(pl.len()).collect().item()
    except pl.exceptions.PolarsError as exc:
        raise DistilpipeError(f"{path}: not a readable Parquet file: {exc}") from None
    return pl.DataFrame({"_": range(rows)})


def _mix_table(frames: Mapping[str, pl.DataFrame], column: str, title: str) -> list[str]:
    counts: dict[str, dict[str, int]] = {}
    for name, frame in frames.items():
        if column in frame.columns:
            grouped = frame.group_by(column).len().rows()
            counts[name] = {str(value): n for value, n in grouped}
    if not counts:
        return [f"Rows per {title}: not recorded in the training sets."]
    totals: dict[str, int] = {}
    for per_set in counts.values():
        for value, n in per_set.items():
            totals[value] = totals.get(value, 0) + n
    order = sorted(totals, key=lambda value: (-totals[value], value))
    names = list(frames)
    lines = [f"| {title} | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for value in order:
        cells = [f"{counts[name].get(value, 0):,}" if name in counts else "–" for name in names]
        lines.append(f"| {value} | " + " | ".join(cells) + " |")
    return lines


def _evaluation(root: Path, params: Mapping[str, Any] | None, rel: str) -> list[str]:
    evaluation = _read_json(root / "metrics" / "eval.json")
    if not isinstance(evaluation, dict):
        return [_missing("metrics/eval.json")]
    models = {k: v for k, v in evaluation.items() if k != "calls" and isinstance(v, dict)}
    if not models:
        return ["_no model in `metrics/eval.json`_"]
    settings = (params or {}).get("evaluate") or {}
    base = settings.get("base")
    base_name = base if isinstance(base, str) and base in models else next(iter(models))
    lines = report_markdown(models, base_name).splitlines()
    if lines[:2] == ["# Evaluation", ""]:  # the card has its own heading
        lines = lines[2:]
    named = [
        name
        for name, spec in (settings.get("models") or {}).items()
        if (spec if isinstance(spec, str) else (spec or {}).get("model")) == rel
    ]
    if named and named[0] in models:
        note = f"This model is `{named[0]}` in the tables (`metrics/eval.json`)."
    else:
        note = f"`{rel}` is not among the models `evaluate.models` lists (`metrics/eval.json`)."
    return [note, "", *lines]


def _params(params: Mapping[str, Any] | None) -> list[str]:
    if params is None:
        return [_missing("params.yaml")]
    lines = [
        "From `params.yaml`: the roles, the judge's and the sample's keep rules, and training."
    ]
    for section in ("models", "judge", "sample", "train_sft", "train_dpo"):
        if section not in params:
            lines += ["", f"`{section}`: not set (the defaults of `distilpipe.params`)"]
            continue
        text = yaml.safe_dump(
            {section: params[section]},
            sort_keys=False,
            default_flow_style=False,
            allow_unicode=True,
        )
        lines += ["", "```yaml", text.rstrip(), "```"]
    return lines


def _lineage(root: Path, lock: Mapping[str, Any] | None, rel: str, git: bool) -> list[str]:
    lines = [f"Git commit: {_git_commit(root) if git else 'not recorded'}", ""]
    if lock is None:
        return [*lines, _missing("dvc.lock")]
    stages: Mapping[str, Any] = lock.get("stages") or {}
    producer = next(
        (name for name, stage in stages.items() if any(_within(rel, p) for p in _outs(stage))),
        None,
    )
    if producer is None:
        return [*lines, f"_{NOT_RUN}_ (no stage in `dvc.lock` writes `{rel}`)"]
    stage = stages[producer]
    lines += [
        f"Written by the stage `{producer}` (`dvc.lock`): `{stage.get('cmd', '')}`, from:",
        "",
        "| dependency | md5 |",
        "|---|---|",
        *(f"| `{d.get('path')}` | `{d.get('md5', '–')}` |" for d in stage.get("deps") or []),
        "",
        "The stages upstream of it, sources first, and what each wrote:",
        "",
        "| stage | output | md5 |",
        "|---|---|---|",
    ]
    for name in _upstream(stages, producer):
        for out in stages[name].get("outs") or []:
            lines.append(f"| `{name}` | `{out.get('path')}` | `{out.get('md5', '–')}` |")
    return lines


def _outs(stage: Mapping[str, Any]) -> list[str]:
    return [str(o.get("path")) for o in stage.get("outs") or []]


def _within(a: str, b: str) -> bool:
    """Whether path `a` is `b` or inside it."""
    a, b = a.rstrip("/"), b.rstrip("/")
    return a == b or a.startswith(b + "/")


def _upstream(stages: Mapping[str, Any], stage: str) -> list[str]:
    """`stage` and every stage it depends on through dvc.lock's paths (a dep inside an out, or
    an out inside a dep folder), each once, upstream before downstream."""
    order: list[str] = []

    def visit(name: str, seen: frozenset[str]) -> None:
        for dep in stages[name].get("deps") or []:
            path = str(dep.get("path"))
            for other, info in stages.items():
                if other in seen or other in order:
                    continue
                if any(_within(path, out) or _within(out, path) for out in _outs(info)):
                    visit(other, seen | {other})
        if name not in order:
            order.append(name)

    visit(stage, frozenset({stage}))
    return [name for name in order if name != stage]


def _git_commit(root: Path) -> str:
    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)

    try:
        head = git("rev-parse", "HEAD")
        if head.returncode != 0:
            return "not a git repository (or no commit yet)"
        dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    except OSError:
        return "git not found"
    return f"`{head.stdout.strip()}`" + (" (with uncommitted changes)" if dirty else "")


# ---------------------------------------------------------------------------------- upload


def upload(
    model_dir: Path,
    repo_id: str,
    card: str,
    *,
    private: bool = False,
    revision: str = "main",
    endpoint: str | None = None,
) -> str:
    """Create `repo_id` on the Hub (if it is not there) and commit every file of `model_dir`,
    with `card` as README.md, to `revision` in one upload. Returns the commit's URL.

    Credentials: HF_TOKEN, else the token `hf auth login` stored; without one this raises
    DistilpipeError before any request. `endpoint` (else $HF_ENDPOINT, else the Hub) may be
    any server that speaks the Hub's API."""
    from huggingface_hub import HfApi, get_token
    from huggingface_hub.utils import HfHubHTTPError

    token = get_token()
    if not token:
        raise DistilpipeError(
            "no Hugging Face credentials: set HF_TOKEN or run `hf auth login`; nothing uploaded"
        )
    api = HfApi(endpoint=endpoint or os.environ.get("HF_ENDPOINT") or None, token=token)
    try:
        api.create_repo(repo_id, private=private, exist_ok=True, repo_type="model")
        if revision != "main":
            api.create_branch(repo_id, branch=revision, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="distilpipe-publish-") as staging:
            _stage_folder(model_dir, card, Path(staging))
            commit = api.upload_folder(
                repo_id=repo_id,
                folder_path=staging,
                revision=revision,
                commit_message=f"distilpipe publish: {model_dir.name} with its model card",
            )
    except (HfHubHTTPError, ValueError) as exc:
        reason = " ".join(str(exc).split())
        raise DistilpipeError(f"upload to {api.endpoint}/{repo_id} failed: {reason}") from None
    return str(commit.commit_url)


def _stage_folder(model_dir: Path, card: str, staging: Path) -> None:
    """Link every file of `model_dir` into `staging` (the model's own README.md and any .git
    left out) and write the card there as README.md."""
    for path in _model_files(model_dir):
        rel = path.relative_to(model_dir)
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(path.resolve())
    card_path = staging / "README.md"
    card_path.unlink(missing_ok=True)  # never write through a link into the model folder
    card_path.write_text(card, encoding="utf-8")


def _model_files(model_dir: Path) -> Iterable[Path]:
    for path in sorted(model_dir.rglob("*")):
        rel = path.relative_to(model_dir)
        if path.is_file() and rel.as_posix() != "README.md" and ".git" not in rel.parts:
            yield path
