"""Params presets: every shipped preset merges into the default params and validates; Hub
ids are pinned; a bad preset or an unreachable Hub leaves params.yaml untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from distilpipe import cli, presets
from distilpipe.params import load_params

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "presets"


@pytest.fixture
def params_file(tmp_path: Path) -> Path:
    path = tmp_path / "params.yaml"
    shutil.copy(ROOT / "params.yaml", path)
    return path


def fake_sha(kind: str, repo: str) -> str:
    return f"{kind}-{repo.replace('/', '-')}-sha"


@pytest.mark.parametrize("name", presets.available(FOLDER))
def test_every_preset_validates_against_the_params_schema(name: str, params_file: Path) -> None:
    applied = presets.apply(name, params_file, FOLDER, resolve=fake_sha)
    params = load_params(params_file)
    assert params.sources == {}
    assert set(params.hub_sources) == {"magpie_qwen2_pro", "openhermes", "webinstruct"}
    assert all(s.hf and s.hf.revision for s in params.hub_sources.values())
    assert params.models["teacher"].model == "Qwen/Qwen2-72B-Instruct"
    assert params.models["teacher"].revision == "model-Qwen-Qwen2-72B-Instruct-sha"
    assert params.train_sft.precision == "bf16"
    assert params.train_sft.revision and params.train_sft.lr < 1e-4
    assert params.train.launcher.kind == "accelerate"
    # the one evaluation set read from the Hub is pinned too; the others ship in the package
    assert params.evaluate.alpaca_eval.revision == "dataset-tatsu-lab-alpaca_eval-sha"
    assert (params.evaluate.ifeval.set, params.evaluate.mt_bench.set) == ("public", "public")
    assert "judge.keep_fraction" in applied.changed
    # only Magpie-Qwen2-Pro's answers are the teacher's (Qwen2-72B-Instruct's) own
    assert [params.judge.teacher_answer_of(s) for s in params.hub_sources] == [
        "source",
        "generate",
        "generate",
    ]
    # untouched sections and the file's comments survive
    assert params.bootstrap == load_params(ROOT / "params.yaml").bootstrap
    text = params_file.read_text()
    assert "# Task types (33, src/distilpipe/taxonomy/task_types.yaml)" in text
    assert f"# preset {name}; was: 3.5" in text  # sample.length.mu's old value, on its line


def test_applied_values_read_back_as_written_by_pyyaml(params_file: Path) -> None:
    presets.apply("distilqwen2-1.5b", params_file, FOLDER, pin=False)
    raw = yaml.safe_load(params_file.read_text())
    assert raw["train_sft"]["lr"] == 1.0e-5  # a float, not the string '1e-05'
    assert raw["train_dpo"]["lr"] == 5.0e-7
    assert raw["llm"]["cache_dir"] is None
    assert raw["hub_sources"]["openhermes"]["hf"].get("revision") is None  # --no-pin


def test_applying_twice_changes_nothing_more(params_file: Path) -> None:
    presets.apply("distilqwen2-7b", params_file, FOLDER, resolve=fake_sha)
    first = params_file.read_text()
    again = presets.apply("distilqwen2-7b", params_file, FOLDER, resolve=fake_sha)
    assert again.changed == [] and again.pinned == {}
    assert params_file.read_text() == first


def test_an_unreachable_hub_leaves_params_untouched(params_file: Path) -> None:
    before = params_file.read_text()

    def offline(kind: str, repo: str) -> str:
        raise ConnectionError("[Errno -2] Name or service not known")

    with pytest.raises(presets.PresetError, match=r"cannot pin dataset Magpie-Align/.*--no-pin"):
        presets.apply("distilqwen2-1.5b", params_file, FOLDER, resolve=offline)
    assert params_file.read_text() == before


def test_a_preset_that_breaks_params_is_refused(params_file: Path, tmp_path: Path) -> None:
    folder = tmp_path / "presets"
    folder.mkdir()
    (folder / "bad.yaml").write_text("judge:\n  min_mfd: 5.0\n")
    before = params_file.read_text()
    with pytest.raises(presets.PresetError, match=r"(?s)preset bad does not give valid.*min_mfd"):
        presets.apply("bad", params_file, folder, pin=False)
    assert params_file.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["params.yaml", "presets"]


def test_a_preset_with_the_old_judge_budget_is_refused_in_one_line(
    params_file: Path, tmp_path: Path
) -> None:
    """MT-Bench as published has the judge explain before `Rating: [[N]]`: the presets' judge
    (16 new tokens, enough for logprob grading) cannot, unless MT-Bench gives it its own."""
    folder = tmp_path / "presets"
    folder.mkdir()
    text = (FOLDER / "distilqwen2-7b.yaml").read_text()
    old = text.replace(", judge_max_new_tokens: 2048}", "}")
    assert old != text
    (folder / "old.yaml").write_text(old)
    with pytest.raises(presets.PresetError) as raised:
        presets.apply("old", params_file, folder, pin=False)
    lines = str(raised.value).splitlines()
    assert len([line for line in lines if "evaluate.mt_bench.rating" in line]) == 1
    assert "models.judge.max_new_tokens is 16: give it at least 512" in str(raised.value)


def test_sections_merge_key_by_key_and_replaced_ones_keep_only_the_presets_keys() -> None:
    base = {"sources": {"a": {"path": "x"}}, "pool": {"max_chars": 1, "langid": "fasttext"}}
    changed = presets.merge(
        base, {"sources": {"b": {"path": "y"}}, "pool": {"max_chars": 2}}, ["sources"]
    )
    assert base == {"sources": {"b": {"path": "y"}}, "pool": {"max_chars": 2, "langid": "fasttext"}}
    assert changed == ["sources.a", "sources.b", "pool.max_chars"]


def test_local_model_folders_are_not_pinned(params_file: Path) -> None:
    asked: list[str] = []

    def record(kind: str, repo: str) -> str:
        asked.append(repo)
        return "sha"

    presets.apply("distilqwen2-1.5b", params_file, FOLDER, resolve=record)
    assert "models/student-sft" not in asked and "models/tiny/teacher" not in asked
    assert "Qwen/Qwen2-1.5B-Instruct" in asked and "TIGER-Lab/WebInstructSub" in asked


def test_cli_lists_and_refuses_an_unknown_preset(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert cli.main(["preset", "list"]) == 0
    assert "distilqwen2-1.5b: DistilQwen2-1.5B recipe" in capsys.readouterr().out
    assert cli.main(["preset", "apply", "nope", "--no-pin"]) == 1
    assert "no preset 'nope' in presets/ (there are: distilqwen2-1.5b" in capsys.readouterr().err
