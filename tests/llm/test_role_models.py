"""RoleModels: roles share a model when only sampling differs, a model loads at its first
uncached call, and one model is loaded at a time."""

import importlib.util
import shutil
from pathlib import Path

import pytest

from distilpipe.errors import DistilpipeError
from distilpipe.llm import LazyBackend, RoleModels, open_cache
from distilpipe.llm.types import GenerateRequest
from distilpipe.params import Params


def _params(tiny_model_dir: Path, other_dir: Path, cache_dir: Path) -> Params:
    return Params.model_validate(
        {
            "models": {
                "teacher": {"model": str(tiny_model_dir), "max_new_tokens": 6},
                "judge": {"model": str(tiny_model_dir), "max_new_tokens": 3},
                "student": {"model": str(other_dir), "max_new_tokens": 6},
            },
            "llm": {"cache_dir": str(cache_dir), "batch_size": 4},
        }
    )


def _ask(client, text: str):  # type: ignore[no-untyped-def]
    messages = ({"role": "user", "content": text},)
    return client.generate([GenerateRequest(messages, client.sampling(seed=1))])[0]


def test_lazy_shared_and_one_at_a_time(tiny_model_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "student-model"
    shutil.copytree(tiny_model_dir, other)
    params = _params(tiny_model_dir, other, tmp_path / "cache")
    with open_cache(params) as cache:
        with RoleModels(params, cache) as models:
            teacher, judge, student = (models.client(r) for r in ("teacher", "judge", "student"))
            assert teacher.backend is judge.backend  # only sampling defaults differ
            assert student.backend is not teacher.backend
            assert models.client("teacher") is teacher
            tb, sb = teacher.backend, student.backend
            assert isinstance(tb, LazyBackend) and isinstance(sb, LazyBackend)
            assert not tb.loaded and not sb.loaded  # nothing loads before a call
            assert teacher.backend.identity.startswith("local:")

            first = _ask(teacher, "What is 2 plus 2?")
            assert tb.loaded and tb.loads == 1
            _ask(student, "What is 5 plus 5?")  # the same files: the same call would be cached
            assert sb.loaded and not tb.loaded  # the teacher's model made room
            _ask(judge, "What is 3 plus 3?")
            assert tb.loads == 2 and not sb.loaded
        assert not tb.loaded  # closed with the stage
        # the calls are kept with the folders they were made by (here: two copies of one model)
        assert tb.identity == sb.identity
        assert cache.stats()["names"] == {tb.identity: sorted([str(tiny_model_dir), str(other)])}

        with RoleModels(params, cache) as models:  # everything cached: no model loads
            teacher = models.client("teacher")
            assert _ask(teacher, "What is 2 plus 2?") == first
            assert teacher.stats.cache_hits == 1
            assert teacher.backend.loads == 0  # type: ignore[attr-defined]


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vLLM is installed")
def test_missing_vllm_fails_when_the_role_is_asked_for(tmp_path: Path) -> None:
    params = Params.model_validate(
        {
            "models": {"teacher": {"backend": "vllm", "model": "Qwen/Qwen2-72B-Instruct"}},
            "llm": {"cache_dir": str(tmp_path)},
        }
    )
    with open_cache(params) as cache, pytest.raises(DistilpipeError, match=r"\.\[gpu\]"):
        RoleModels(params, cache).client("teacher")


def test_a_model_under_evaluation_shares_its_roles_backend(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    """spec_client makes a client for a model that is no role (evaluate's models) the same
    way: one backend per model whatever the sampling, made once per name and spec."""
    other = tmp_path / "student-model"
    shutil.copytree(tiny_model_dir, other)
    params = _params(tiny_model_dir, other, tmp_path / "cache")
    greedy = params.models["student"].model_copy(update={"max_new_tokens": 9})
    with open_cache(params) as cache, RoleModels(params, cache) as models:
        base = models.spec_client("base", greedy)
        assert base.backend is models.client("student").backend
        assert base.backend is not models.client("teacher").backend
        assert base.defaults.max_new_tokens == 9
        assert models.spec_client("base", greedy) is base
        assert not base.backend.loaded  # type: ignore[attr-defined]
        # a model named like a role, on the role's spec: the same backend, its own counts
        named_teacher = models.spec_client("teacher", params.models["teacher"])
        assert named_teacher is not models.client("teacher")
        assert named_teacher.backend is models.client("teacher").backend
