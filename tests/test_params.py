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
