"""evaluate_models on MT-Bench's two sets: the public one answered at FastChat's temperature
per category and judged with FastChat's prompts, the tiny world's greedy; each language's
figures apart, the headline over the set's own questions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from distilpipe.evaluate import mt_bench
from distilpipe.llm.cache import CallCache
from distilpipe.llm.client import LLMClient, row_seed
from distilpipe.llm.types import Failure, GenerateRequest, Generation, Message, Sampling
from distilpipe.ops import evaluate as ev
from distilpipe.params import Evaluate

Messages = tuple[Message, ...]


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[CallCache]:
    with CallCache(tmp_path / "cache") as c:
        yield c


class Recording:
    """A generate-only Backend that records every request (messages and sampling)."""

    def __init__(self, name: str, reply: Callable[[Messages], str]):
        self.identity = f"recording:{name}"
        self.reply = reply
        self.requests: list[GenerateRequest] = []

    def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
        self.requests += requests
        return [Generation(self.reply(r.messages), "stop", 5, 3) for r in requests]

    def close(self) -> None:
        pass


def _client(cache: CallCache, backend: Recording) -> LLMClient:
    return LLMClient(
        backend,  # type: ignore[arg-type]
        cache,
        batch_size=8,
        name=backend.identity,
        defaults=Sampling(max_new_tokens=10),
    )


def _judge_reply(messages: Messages) -> str:
    """FastChat's prompts (a system turn) get [[8]], the project's [[4]]; a second turn of
    either gets a decimal rating half a point up."""
    text = messages[-1]["content"]
    fastchat = messages[0]["role"] == "system"
    second = text.count("MODEL-ANSWER") == 2  # both of the model's answers shown
    return f"Rating: [[{(8 if fastchat else 4) + (0.5 if second else 0)}]]"


def _picked(set_name: str) -> list[tuple[str, mt_bench.Question]]:
    """One question of each of three categories per language."""
    out = []
    for lang in ("en", "zh"):
        questions = mt_bench.set_questions(set_name, lang)
        for category in ("writing", "math", "stem"):
            out.append((lang, next(q for q in questions if q.category == category)))
    return out


def _run(
    cache: CallCache, set_name: str, **mt: object
) -> tuple[ev.EvalResult, Recording, Recording]:
    model = Recording("model", lambda m: f"MODEL-ANSWER {m[-1]['content'][:20]}")
    judge = Recording("judge", _judge_reply)
    judge_client = _client(cache, judge)
    p = Evaluate(mt_bench={"set": set_name, "rating": "generate", **mt}, ifeval=False)
    sets = ev.EvalSets(None, _picked(set_name), None, {"mt_bench": "x"})
    result = ev.evaluate_models(sets, {"m": _client(cache, model)}, lambda r: judge_client, p)
    return result, model, judge


def test_public_answers_are_sampled_at_fastchats_temperature_with_a_seed_per_item(
    cache: CallCache,
) -> None:
    _, model, _ = _run(cache, "public")
    assert len(model.requests) == 12  # 6 questions, two turns
    for request in model.requests:
        question = next(
            (lang, q)
            for lang, q in _picked("public")
            if q.turns[0] == request.messages[0]["content"]
        )
        lang, q = question
        step = "turn_1" if len(request.messages) == 1 else "turn_2"
        assert request.sampling.temperature == mt_bench.answer_temperature(q.category)
        assert request.sampling.seed == row_seed(
            f"{lang}/{q.question_id}", f"evaluate/mt_bench/{step}"
        )
    temperatures = {r.sampling.temperature for r in model.requests}
    assert temperatures == {0.7, 0.0, 0.1}


def test_tiny_world_answers_stay_greedy(cache: CallCache) -> None:
    _, model, _ = _run(cache, "tiny-world")
    assert {r.sampling.temperature for r in model.requests} == {0.0}
    assert {r.sampling.max_new_tokens for r in model.requests} == {10}


def test_public_questions_are_judged_with_fastchats_prompts_and_the_judge_budget(
    cache: CallCache,
) -> None:
    _, _, judge = _run(cache, "public", judge_max_new_tokens=2048)
    prompts = mt_bench.load_judge_prompts()
    fastchat = [r for r in judge.requests if r.messages[0]["role"] == "system"]
    project = [r for r in judge.requests if r.messages[0]["role"] == "user"]
    assert len(fastchat) == 6 and len(project) == 6  # English FastChat, Chinese the project's
    hashes = {p.template_hash: name for name, p in prompts.items()}
    assert {hashes[r.template_hash] for r in fastchat} == set(mt_bench.JUDGE_PROMPT_NAMES.values())
    assert all(len(r.messages) == 1 for r in project)
    assert {r.sampling.max_new_tokens for r in judge.requests} == {2048}


def test_without_a_judge_budget_the_judge_roles_own_applies(cache: CallCache) -> None:
    _, _, judge = _run(cache, "tiny-world")
    assert {r.sampling.max_new_tokens for r in judge.requests} == {10}


def test_public_headline_is_the_english_set_and_chinese_is_reported_apart(
    cache: CallCache,
) -> None:
    result, _, _ = _run(cache, "public")
    figures = result.figures["m"]["mt_bench"]
    # English (FastChat's prompts): 8 on turn 1, 8.5 on turn 2; Chinese (the project's): 4, 4.5
    assert (figures["turn_1"], figures["turn_2"], figures["overall"]) == (8.0, 8.5, 8.25)
    assert figures["n_graded"] == 6 and figures["n_unparsed"] == 0
    assert (figures["en/overall"], figures["zh/overall"]) == (8.25, 4.25)
    assert (figures["zh/turn_1"], figures["zh/turn_2"]) == (4.0, 4.5)
    assert figures["en/n_graded"] == figures["zh/n_graded"] == 6
    assert {row["category"]: row["m"] for row in result.plots["mt_bench"]} == {
        "writing": 8.25,
        "math": 8.25,
        "stem": 8.25,
    }


def test_tiny_world_headline_pools_both_languages(cache: CallCache) -> None:
    result, _, _ = _run(cache, "tiny-world")
    figures = result.figures["m"]["mt_bench"]
    assert figures["overall"] == 4.25 and figures["n_graded"] == 12
    assert figures["en/overall"] == figures["zh/overall"] == 4.25


def test_a_rerun_is_all_cache_hits_with_the_same_figures(cache: CallCache) -> None:
    first, _, _ = _run(cache, "public")
    again, model, judge = _run(cache, "public")
    assert again.figures == first.figures
    assert model.requests == [] and judge.requests == []  # every call answered from the cache


def test_vs_base_compares_each_language_apart(cache: CallCache) -> None:
    model = Recording("model", lambda m: "same")
    judge = Recording("judge", _judge_reply)
    judge_client = _client(cache, judge)
    p = Evaluate(
        models={"base": "a", "m": "b"},
        base="base",
        mt_bench={"set": "public", "rating": "generate"},
        ifeval=False,
        alpaca_eval=False,
    )
    sets = ev.EvalSets(None, _picked("public"), None, {"mt_bench": "x"})
    clients = {"base": _client(cache, model), "m": _client(cache, model)}
    result = ev.evaluate_models(sets, clients, lambda r: judge_client, p)
    versus = result.figures["m"]["mt_bench"]["vs_base"]
    assert set(versus) == {"overall", "turn_1", "en/overall", "zh/overall"}
    assert versus["en/overall"]["n"] == versus["zh/overall"]["n"] == 6


def test_load_sets_names_the_public_set_and_its_commit() -> None:
    p = Evaluate(mt_bench={"set": "public", "rating": "generate", "limit": 3}, ifeval=False)
    sets = ev.load_sets(p)
    assert sets.mt_bench is not None
    assert [(lang, q.question_id) for lang, q in sets.mt_bench][:4] == [
        ("en", 81),
        ("en", 82),
        ("en", 83),
        ("zh", mt_bench.load_questions(mt_bench.question_file("zh"))[0].question_id),
    ]
    assert sets.names["mt_bench"] == f"{mt_bench.PUBLIC_SET_NAME}; zh: tiny-world"
    assert ev.load_sets(Evaluate()).names["mt_bench"] == "tiny-world"
