import re
from pathlib import Path

import pytest

from distilpipe.errors import ParamsError
from distilpipe.params import load_params

ROOT = Path(__file__).resolve().parents[1]


def test_project_params_load() -> None:
    params = load_params(ROOT / "params.yaml")
    assert list(params.all_sources()) == ["magpie", "openhermes", "mammoth2"]
    assert params.pool.languages == ["en", "zh"]
    # the tiny models' own world, which is no source: new data leaves the models as they are
    assert params.bootstrap.world == "data/world"
    assert (ROOT / params.bootstrap.world / "constraints.yaml").is_file()
    assert not any(s.path.startswith("data/world") for s in params.sources.values() if s.path)
    assert params.models["judge"].model == params.models["teacher"].model


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources: {a: {format: alpaca, path: x}}", "sources.a.format"),
        ("sources: {a: {format: magpie}}", "give exactly one of 'path' and 'hf'"),
        ("sources: {a: {format: magpie, hf: {name: x}}}", "sources.a: a local source needs 'path'"),
        ("hub_sources: {a: {format: magpie, path: x}}", "hub_sources.a: a Hub source needs 'hf'"),
        ("sources: {a: {format: magpie, path: x, role_map: {bot: robot}}}", "role_map values"),
        ("pool: {near_dup_threshold: 1.5}", "pool.near_dup_threshold"),
        ("pool: {languagez: [en]}", "pool.languagez"),
        ("bootstrap: {sources: [magpie]}", "bootstrap.sources"),
        ("pool: {langid: cld3}", "pool.langid"),
        (
            "judge: {min_mfd: 0.1, keep_fraction: 0.5}",
            "set exactly one of min_mfd and keep_fraction",
        ),
        ("judge: {min_mfd: null}", "set exactly one of min_mfd and keep_fraction"),
        ("judge: {scoring: vibes}", "judge.scoring"),
    ],
)
def test_bad_params_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "params.yaml"
    path.write_text(text)
    with pytest.raises(ParamsError, match=message.replace(".", r"\.")):
        load_params(path)


def test_the_self_distiller_defaults_to_the_students_spec() -> None:
    from distilpipe.params import Params

    student = {"backend": "transformers", "model": "models/tiny/student", "max_new_tokens": 64}
    params = Params.model_validate({"models": {"student": student}})
    assert params.models["self_distiller"] == params.models["student"]
    own = {**student, "model": "Qwen/Qwen2-7B-Instruct"}
    params = Params.model_validate({"models": {"student": student, "self_distiller": own}})
    assert params.models["self_distiller"].model == "Qwen/Qwen2-7B-Instruct"


TWO_SOURCES = (
    "sources: {magpie: {format: magpie, path: a.jsonl}, "
    "hermes: {format: openhermes, path: b.jsonl}}\n"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "judge: {teacher_answer: {magpie: source}}",
            "judge.teacher_answer: say generate or source for ['hermes'] too",
        ),
        (
            "judge: {teacher_answer: {magpie: source, hermes: generate, webinstruct: generate}}",
            "judge.teacher_answer names no source ['webinstruct']",
        ),
        ("judge: {teacher_answer: {magpie: teacher, hermes: generate}}", "judge.teacher_answer"),
    ],
)
def test_teacher_answer_per_source_names_every_source(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "params.yaml"
    path.write_text(TWO_SOURCES + text)
    with pytest.raises(ParamsError, match=re.escape(message)):
        load_params(path)
    path.write_text(TWO_SOURCES + "judge: {teacher_answer: {magpie: source, hermes: generate}}")
    judge = load_params(path).judge
    assert (judge.teacher_answer_of("magpie"), judge.teacher_answer_of("hermes")) == (
        "source",
        "generate",
    )


JUDGE_16 = (
    "models: {judge: {model: m, max_new_tokens: 16}, classifier: {model: m, max_new_tokens: 16}}\n"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "evaluate: {mt_bench: {rating: generate}}",
            "evaluate.mt_bench.rating: generate parses a reply written after the model's "
            "reasoning, but models.judge.max_new_tokens is 16: give it at least 512",
        ),
        (
            "evaluate: {mt_bench: {rating: generate, judge_max_new_tokens: 256}}",
            "evaluate.mt_bench.judge_max_new_tokens is 256: give it at least 512",
        ),
        ("judge: {scoring: generate}", "models.judge.max_new_tokens is 16: give it at least 128"),
        (
            "classify: {mode: generate}",
            "models.classifier.max_new_tokens is 16: give it at least 64",
        ),
    ],
)
def test_a_budget_that_cannot_hold_the_parsed_reply_fails_in_one_line(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "params.yaml"
    path.write_text(JUDGE_16 + text)
    with pytest.raises(ParamsError, match=re.escape(message)) as raised:
        load_params(path)
    assert "\n" not in str(raised.value)


def test_a_budget_that_holds_the_reply_loads(tmp_path: Path) -> None:
    """logprob modes read no reply, and a per-use budget is enough on its own."""
    path = tmp_path / "params.yaml"
    path.write_text(JUDGE_16 + "evaluate: {mt_bench: {rating: logprob}}")
    load_params(path)
    path.write_text(
        JUDGE_16 + "evaluate: {mt_bench: {rating: generate, judge_max_new_tokens: 2048}}"
    )
    assert load_params(path).evaluate.mt_bench.judge_max_new_tokens == 2048
