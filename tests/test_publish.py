"""`distilpipe publish`: the model card rendered offline from a project's files (and from a
project where they are missing), the README's "How to use" snippet run on a tiny model
folder, and the upload against a stand-in of the Hub's API on 127.0.0.1."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from huggingface_hub import constants

from distilpipe import publish
from distilpipe.cli import main
from distilpipe.evaluate.report import report_markdown
from distilpipe.params import load_params
from tests.conftest import CHAT
from tests.hub_standin import HubStandin

ROOT = Path(__file__).resolve().parents[1]
REPO = "alice/distilqwen2-tiny"
MODEL = "models/student-dpo"
MAGPIE = "Magpie-Align/Magpie-Qwen2-Pro-300K-Filtered"
FIGURES = {
    "base": {
        "ifeval": {"prompt_strict": 10.0, "prompt_loose": 12.5},
        "alpaca_eval": {"lc_win_rate": 3.25},
        "mt_bench": {"overall": None, "turn_1": None, "n_unparsed": 80},
    },
    "dpo": {
        "ifeval": {"prompt_strict": 14.0, "prompt_loose": 15.0},
        "alpaca_eval": {"lc_win_rate": 5.5},
        "mt_bench": {"overall": None, "turn_1": None, "n_unparsed": 80},
    },
}


def _lock_stage(deps: list[str], outs: list[str], cmd: str) -> dict[str, Any]:
    def entry(path: str) -> dict[str, str]:
        return {"path": path, "hash": "md5", "md5": hashlib.md5(path.encode()).hexdigest()}

    return {"cmd": cmd, "deps": [entry(p) for p in deps], "outs": [entry(p) for p in outs]}


def _frame(origins: list[str], tasks: list[str], langs: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"origin": origins, "task_type": tasks, "lang": langs, "id": origins})


@pytest.fixture
def project(tmp_path: Path, tiny_model: Path) -> Path:
    """A project whose pipeline has run to train_dpo and evaluate: the project's params (a
    Hub source added, the DPO student evaluated), the project's dvc.lock with the later
    stages added, both training sets and metrics/eval.json."""
    root = tmp_path / "project"
    shutil.copytree(tiny_model, root / MODEL)
    (root / MODEL / "README.md").write_text("a trainer's own card\n", encoding="utf-8")
    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    params["hub_sources"] = {
        "magpie_pro": {
            "format": "magpie",
            "hf": {"name": MAGPIE, "split": "train", "revision": "0" * 40},
            "limit": 50000,
        }
    }
    params["evaluate"]["models"]["dpo"] = MODEL
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    load_params(root / "params.yaml")  # still valid
    lock = yaml.safe_load((ROOT / "dvc.lock").read_text(encoding="utf-8"))
    # the project's own lock; stand-ins only for stages it does not hold
    lock["stages"] = {
        **{
            "self_distill": _lock_stage(
                ["data/sampled.parquet", "models/tiny/student"],
                ["data/sft.parquet", "data/dpo.parquet"],
                "python stages/self_distill.py",
            ),
            "train_sft": _lock_stage(
                ["data/sft.parquet", "models/tiny/student"],
                ["models/student-sft"],
                "python stages/train_sft.py",
            ),
            "train_dpo": _lock_stage(
                ["data/dpo.parquet", "models/student-sft", "stages/train_dpo.py"],
                [MODEL],
                "python stages/train_dpo.py",
            ),
            "evaluate": _lock_stage([MODEL], ["metrics/eval.json"], "python stages/evaluate.py"),
        },
        **lock["stages"],
    }
    (root / "dvc.lock").write_text(yaml.safe_dump(lock, sort_keys=False), encoding="utf-8")
    (root / "data").mkdir()
    _frame(
        ["source", "source", "translated", "expanded", "source"],
        ["math", "code_generation", "math", "math", "writing"],
        ["en", "zh", "zh", "en", "en"],
    ).write_parquet(root / "data/sft.parquet")
    _frame(["source", "translated"], ["math", "math"], ["en", "zh"]).write_parquet(
        root / "data/dpo.parquet"
    )
    (root / "metrics").mkdir()
    calls = {"by_model": {}, "by_role": {}}
    (root / "metrics/eval.json").write_text(json.dumps({**FIGURES, "calls": calls}))
    return root


def _section(card: str, title: str) -> str:
    return card.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_card_from_a_project_holds_every_part(project: Path) -> None:
    card = publish.render_card(project, project / MODEL, REPO, git=False)

    front = publish.front_matter(card)
    assert front == {
        "license": "apache-2.0",
        "language": ["en", "zh"],
        "library_name": "transformers",
        "pipeline_tag": "text-generation",
        "tags": ["distilpipe", "distillation", "qwen2", "sft", "dpo"],
        "datasets": [MAGPIE],
    }  # no base_model: the default student is a local folder, which the Hub would refuse
    assert "started from the local model folder `models/tiny/student`" in card
    assert f"```python\n{publish.how_to_use(REPO)}```" in card
    assert f'model_name = "{REPO}"' in card

    data = _section(card, "Training data")
    assert f"| magpie_pro | magpie | `{MAGPIE}` (train, revision {'0' * 40}) | 50,000 |" in data
    assert "| magpie | magpie | `data/samples/magpie.jsonl` | – |" in data
    assert "sft 5 rows, dpo 2 rows" in data
    assert "| origin | sft | dpo |\n|---|---:|---:|\n| source | 3 | 1 |" in data
    assert "| translated | 1 | 1 |\n| expanded | 1 | 0 |" in data
    assert "| task type | sft | dpo |\n|---|---:|---:|\n| math | 3 | 2 |" in data
    assert "| language | sft | dpo |\n|---|---:|---:|\n| en | 3 | 1 |\n| zh | 2 | 1 |" in data

    evaluation = _section(card, "Evaluation")
    assert "This model is `dpo` in the tables" in evaluation
    table = report_markdown(FIGURES, "base").split("\n", 2)[2]  # without its own heading
    assert table in card
    assert "| Δ dpo vs base | +2.25 | – | – | +2.50 | +4.00 |" in evaluation

    blocks = _section(card, "Training parameters").split("```yaml\n")[1:]
    shown = {k: v for b in blocks for k, v in yaml.safe_load(b.split("```")[0]).items()}
    params = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
    assert shown == {k: params[k] for k in ("models", "judge", "sample", "train_sft", "train_dpo")}

    lineage = _section(card, "Lineage")
    lock = yaml.safe_load((project / "dvc.lock").read_text(encoding="utf-8"))["stages"]
    assert "Git commit: not recorded" in lineage
    assert "Written by the stage `train_dpo` (`dvc.lock`): `python stages/train_dpo.py`" in card
    for dep in lock["train_dpo"]["deps"]:
        assert f"| `{dep['path']}` | `{dep['md5']}` |" in lineage
    chain = [
        line.split("`")[1]
        for line in lineage.split("| stage | output | md5 |")[1].split("\n")
        if line.startswith("| `")
    ]
    stages = list(dict.fromkeys(chain))
    # everything upstream of the model, once each, upstream first; nothing downstream of it
    assert set(stages) == set(lock) - {"train_dpo", "evaluate"}
    for before, after in [
        ("ingest@magpie", "pool"),
        ("pool", "judge"),
        ("bootstrap", "judge"),
        ("judge", "classify"),
        ("classify", "sample"),
        ("sample", "self_distill"),
        ("self_distill", "train_sft"),
    ]:
        assert stages.index(before) < stages.index(after)
    (sft,) = [o for o in lock["train_sft"]["outs"] if o["path"] == "models/student-sft"]
    assert f"| `train_sft` | `models/student-sft` | `{sft['md5']}` |" in lineage


def test_card_names_a_hub_base_model_and_the_git_commit(project: Path) -> None:
    params = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
    params["models"]["student"]["model"] = "Qwen/Qwen2-1.5B-Instruct"
    (project / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(project)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "params.yaml"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "params"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()

    card = publish.render_card(project, project / MODEL, REPO)

    assert publish.front_matter(card)["base_model"] == "Qwen/Qwen2-1.5B-Instruct"
    assert f"Git commit: `{head}`\n" in card
    (project / "params.yaml").write_text(yaml.safe_dump({**params, "pool": {}}), encoding="utf-8")
    card = publish.render_card(project, project / MODEL, REPO)
    assert f"Git commit: `{head}` (with uncommitted changes)\n" in card


def test_card_with_the_files_missing_says_not_run_yet(tmp_path: Path, tiny_model: Path) -> None:
    shutil.copytree(tiny_model, tmp_path / MODEL)

    card = publish.render_card(tmp_path, tmp_path / MODEL, REPO)

    front = publish.front_matter(card)
    assert "base_model" not in front and "datasets" not in front
    assert front["tags"] == list(publish.TAGS)
    for title, names in [
        ("Training data", "`data/sft.parquet`, `data/dpo.parquet`, `metrics/self_distill.json`"),
        ("Evaluation", "`metrics/eval.json`"),
        ("Training parameters", "`params.yaml`"),
        ("Lineage", "`dvc.lock`"),
    ]:
        assert f"_not run yet_ (no {names})" in _section(card, title)
    assert "Git commit: not a git repository" in card
    assert "|" not in _section(card, "Evaluation")  # no table made up


def test_card_falls_back_on_the_self_distill_counts(project: Path) -> None:
    for name in ("sft", "dpo"):
        (project / f"data/{name}.parquet").unlink()
    (project / "metrics/self_distill.json").write_text(
        json.dumps({"rows_in": 48, "sft_rows": 46, "dpo_pairs": 40, "calls": {}})
    )
    lock = yaml.safe_load((project / "dvc.lock").read_text(encoding="utf-8"))
    del lock["stages"]["train_dpo"]
    (project / "dvc.lock").write_text(yaml.safe_dump(lock), encoding="utf-8")

    card = publish.render_card(project, project / MODEL, REPO, git=False)

    data = _section(card, "Training data")
    assert "(`metrics/self_distill.json`): rows in 48, sft rows 46, dpo pairs 40." in data
    assert "| origin |" not in data
    assert f"_not run yet_ (no stage in `dvc.lock` writes `{MODEL}`)" in card


def test_how_to_use_runs_on_a_model_folder(tiny_model: Path) -> None:
    assert publish.how_to_use(publish.DEFAULT_MODEL) == publish.HOW_TO_USE
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"```python\n{publish.HOW_TO_USE}```" in readme  # the README shows it as it runs
    for message in CHAT[:2]:
        assert f'"content": {json.dumps(message["content"])}' in publish.HOW_TO_USE or (
            f"prompt = {json.dumps(message['content'])}" in publish.HOW_TO_USE
        )
    namespace: dict[str, Any] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(publish.how_to_use(str(tiny_model)), namespace)
    # the model learnt CHAT by heart: greedy decoding answers it and stops at <|im_end|>
    assert namespace["response"] == CHAT[2]["content"]
    assert out.getvalue() == CHAT[2]["content"] + "\n"
    assert namespace["text"].endswith("<|im_start|>assistant\n")


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The Hub stand-in, with a token in HF_TOKEN and nothing reaching beyond loopback."""
    for name in ("HF_HUB_OFFLINE", "HF_ENDPOINT", "HF_OIDC_RESOURCE", "HUGGING_FACE_HUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_TOKEN", "hf_standin")
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", True)
    with HubStandin() as standin:
        yield standin


def _publish(project: Path, hub: HubStandin, *extra: str) -> int:
    args = [str(project / MODEL), "--repo", REPO, "--endpoint", hub.url]
    return main(["publish", *args, "--project", str(project), *extra])


def test_publish_uploads_every_file_and_the_card(
    project: Path,
    hub: HubStandin,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _publish(project, hub, "--private") == 0

    card = publish.render_card(project, project / MODEL, REPO)
    model = {
        p.relative_to(project / MODEL).as_posix(): p.read_bytes()
        for p in (project / MODEL).rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= set(model)
    assert hub.files(REPO) == {**model, "README.md": card.encode()}
    assert (project / MODEL / "README.md").read_text() == "a trainer's own card\n"  # untouched
    assert hub.repos[REPO].private
    assert [c["revision"] for c in hub.repos[REPO].commits] == ["main"]  # one commit
    assert hub.unexpected == []
    assert {auth for _, _, auth in hub.requests} == {"Bearer hf_standin"}
    assert f"published {project / MODEL} to {REPO} (main): {hub.url}/{REPO}/commit/" in (
        capsys.readouterr().out
    )

    # again, to a branch of the repo that now exists, the Hub's address from HF_ENDPOINT:
    # the repo is kept, the branch made
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    args = [str(project / MODEL), "--repo", REPO, "--revision", "v0.1", "--project", str(project)]
    assert main(["publish", *args]) == 0
    assert hub.files(REPO, "v0.1") == hub.files(REPO)
    assert [c["revision"] for c in hub.repos[REPO].commits] == ["main", "v0.1"]
    assert hub.unexpected == []


def test_publish_without_credentials_stops_in_one_line_and_sends_nothing(
    project: Path,
    hub: HubStandin,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("HF_TOKEN")
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))

    assert _publish(project, hub) == 1

    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: no Hugging Face credentials")
    assert "HF_TOKEN" in err and "nothing uploaded" in err
    assert hub.requests == []


def test_publish_card_only_writes_the_card_and_needs_no_token(
    project: Path, hub: HubStandin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_TOKEN")
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))
    out = tmp_path / "card.md"

    assert _publish(project, hub, "--card-only", str(out)) == 0

    assert out.read_text(encoding="utf-8") == publish.render_card(project, project / MODEL, REPO)
    assert hub.requests == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["data", "--repo", REPO], "data: not a model folder (no config.json)"),
        ([MODEL, "--repo", "no-owner"], "invalid repo 'no-owner': use OWNER/NAME"),
    ],
)
def test_publish_refuses_what_is_not_a_model_or_a_repo(
    project: Path,
    hub: HubStandin,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(project)
    assert main(["publish", *args, "--endpoint", hub.url]) == 1
    assert capsys.readouterr().err == f"error: {message}\n"
    assert hub.requests == []


def test_a_refusal_by_the_hub_is_one_line_and_commits_nothing(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_standin")
    with HubStandin(forbidden_owners=("alice",)) as hub:
        assert _publish(project, hub) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: upload to {hub.url}/{REPO} failed: ") and err.count("\n") == 1
    assert "You don't have the rights" in err
    assert hub.repos == {}
    assert [path for _, path, _ in hub.requests if "/commit/" in path or "preupload" in path] == []


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("params.yaml", "models: [", "not YAML: "),
        ("metrics/eval.json", "{", "not JSON: "),
        ("data/sft.parquet", "PAR1", "not a readable Parquet file: "),
    ],
)
def test_a_broken_project_file_is_one_error_line(
    project: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, message: str
) -> None:
    (project / name).write_text(text, encoding="utf-8")
    out = project / "card.md"
    args = [str(project / MODEL), "--repo", REPO, "--project", str(project)]
    assert main(["publish", *args, "--card-only", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {project / name}: {message}") and err.count("\n") == 1
    assert not out.exists()
