"""evaluate_models over scripted backends: who is asked what, in which order, how answers and
judgements become figures, and what a warm cache, a failed call or a too-long prompt cost."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from distilpipe.evaluate import alpaca, ifeval, mt_bench
from distilpipe.llm.cache import CallCache
from distilpipe.llm.client import LLMClient
from distilpipe.llm.types import (
    ChoiceProbs,
    ChoiceRequest,
    Failure,
    GenerateRequest,
    Generation,
    LabelProbs,
    LabelRequest,
    Message,
    Sampling,
)
from distilpipe.ops import evaluate as ev
from distilpipe.params import Evaluate, LMEval, ModelSpec
from tests.conftest import CHAT
from tests.ops.test_judge import CharLimit

Messages = tuple[Message, ...]


class Scripted:
    """A Backend whose replies are a function of the messages; it records what it was asked."""

    def __init__(
        self,
        name: str,
        reply: Callable[[Messages], str],
        prefer: Callable[[str], dict[str, float]] | None = None,
        label_probs: Callable[[str], dict[str, float]] | None = None,
    ):
        self.identity = f"scripted:{name}"
        self.reply = reply
        self.prefer = prefer
        self.label_probs = label_probs
        self.asked: list[Messages] = []

    def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
        self.asked += [r.messages for r in requests]
        out: list[Generation | Failure] = []
        for r in requests:
            text = self.reply(r.messages)
            out.append(Failure("HTTP 503") if text == "FAIL" else Generation(text, "stop", 5, 3))
        return out

    def choice_logprobs(self, requests: list[ChoiceRequest]) -> list[ChoiceProbs | Failure]:
        assert self.prefer is not None
        self.asked += [r.messages for r in requests]
        return [ChoiceProbs(self.prefer(r.messages[-1]["content"]), 10) for r in requests]

    def label_logprobs(self, requests: list[LabelRequest]) -> list[LabelProbs | Failure]:
        assert self.label_probs is not None
        self.asked += [r.messages for r in requests]
        return [LabelProbs(self.label_probs(r.messages[-1]["content"]), 10) for r in requests]

    def close(self) -> None:
        pass


def _client(cache: CallCache, backend: Scripted, context: int | None = None) -> LLMClient:
    limit = CharLimit(context) if context else None
    return LLMClient(
        backend,
        cache,
        batch_size=4,
        name=backend.identity,
        defaults=Sampling(max_new_tokens=10),
        limit=lambda: limit,  # type: ignore[arg-type,return-value]
    )


# Two IFEval prompts whose checks need no language detector.
PROMPTS = [
    ifeval.IFEvalPrompt(
        1,
        "Describe rain in all lowercase letters.",
        ("change_case:english_lowercase",),
        ({},),
    ),
    ifeval.IFEvalPrompt(
        2,
        "Describe snow without commas, with a title in double angular brackets.",
        ("punctuation:no_comma", "detectable_format:title"),
        ({}, {}),
    ),
]


def obedient(messages: Messages) -> str:
    if "snow" in messages[-1]["content"]:
        return "<<snow>>\nsoft white and quiet"
    return "wet and grey, it falls on the quiet town all day long"  # langdetect: English


def disobedient(messages: Messages) -> str:
    return "Rain, Snow, WIND and Hail."


def _judge_reply(messages: Messages) -> str:
    """MT-Bench: [[8]] for a first turn, an unparseable rating for a second."""
    text = messages[-1]["content"]
    return "Rating: 7" if "second question" in text else "Good. Rating: [[8]]"


def _rating_probs(text: str) -> dict[str, float]:
    """MT-Bench, logprob mode: a judge sure of a 9 for writing, split between 3 and 4 for math
    on turn 1, and with no probability on any rating for math's turn 2."""
    if "second question" in text and "Reference" in text:
        return {"[[10]]": 0.0}
    if "Reference" in text:
        return {"[[3]]": 0.2, "[[4]]": 0.2, "[[30]]": 0.5}
    return {"[[9]]": 0.9}


def _output_1(text: str) -> str:
    """Output 1 of an English or Chinese pairwise prompt."""
    return re.split(r"\[Output 2\]|【回答 2】", re.split(r"\[Output 1\]|【回答 1】", text)[1])[0]


def _prefer_good(text: str) -> dict[str, float]:
    """AlpacaEval: the judge prefers whichever output says GOOD."""
    one = _output_1(text)
    return {"1": 0.9, "2": 0.1} if "GOOD" in one else {"1": 0.1, "2": 0.9}


def _sets(**kwargs: object) -> ev.EvalSets:
    base: dict[str, object] = {"ifeval": None, "mt_bench": None, "alpaca_eval": None}
    return ev.EvalSets(**{**base, **kwargs})  # type: ignore[arg-type]


@pytest.fixture
def cache(tmp_path: Path):
    with CallCache(tmp_path / "cache") as c:
        yield c


def _roles(cache: CallCache, **backends: Scripted) -> Callable[[str], LLMClient]:
    made = {
        "teacher": Scripted("teacher", lambda m: "reference answer, fairly long " * 3),
        "judge": Scripted("judge", _judge_reply, _prefer_good),
        **backends,
    }
    clients = {role: _client(cache, b) for role, b in made.items()}
    return clients.__getitem__


def test_a_model_that_follows_instructions_scores_higher_on_ifeval(cache: CallCache) -> None:
    good, bad = Scripted("good", obedient), Scripted("bad", disobedient)
    models = {"good": _client(cache, good), "bad": _client(cache, bad)}
    result = ev.evaluate_models(_sets(ifeval=PROMPTS), models, _roles(cache), Evaluate())
    g, b = result.figures["good"]["ifeval"], result.figures["bad"]["ifeval"]
    assert g["prompt_strict"] == 100.0 and g["instruction_strict"] == 100.0
    assert b["prompt_strict"] == 0.0 and b["instruction_loose"] == 0.0
    assert (g["n_prompts"], g["n_instructions"], g["too_long"]) == (2, 3, 0)
    assert sorted(m[-1]["content"] for m in good.asked) == sorted(p.prompt for p in PROMPTS)
    plot = {row["instruction"]: row for row in result.plots["ifeval"]}  # loose, per model
    assert plot["punctuation:no_comma"] == {
        "instruction": "punctuation:no_comma",
        "good": 100.0,
        "bad": 0.0,
    }
    assert set(result.figures["good"]) == {"ifeval"}  # no other benchmark was asked for
    assert "judge" not in result.calls["by_role"]


def test_mt_bench_turn_2_sees_turn_1_and_unparsed_ratings_are_counted(cache: CallCache) -> None:
    questions = [("en", q) for q in mt_bench.load_questions(mt_bench.question_file("en"))]
    picked = [next(x for x in questions if x[1].category == c) for c in ("writing", "math")]
    model = Scripted("model", lambda m: f"answer {len(m)}: {m[-1]['content'][:12]}")
    judge = Scripted("judge", _judge_reply)
    result = ev.evaluate_models(
        _sets(mt_bench=picked),
        {"m": _client(cache, model)},
        _roles(cache, judge=judge),
        Evaluate(mt_bench={"rating": "generate"}),
    )
    second_turns = [m for m in model.asked if len(m) == 3]
    assert len(second_turns) == 2
    for messages in second_turns:
        question = next(q for _, q in picked if q.turns[0] == messages[0]["content"])
        assert [m["role"] for m in messages] == ["user", "assistant", "user"]
        assert messages[1]["content"] == f"answer 1: {question.turns[0][:12]}"
        assert messages[2]["content"] == question.turns[1]
    judged = [m[-1]["content"] for m in judge.asked]
    assert len(judged) == 4
    math_prompts = [t for t in judged if picked[1][1].turns[0] in t]
    assert all(picked[1][1].reference[0] in t for t in math_prompts)  # reference-guided
    figures = result.figures["m"]["mt_bench"]
    assert figures["turn_1"] == 8.0 and figures["overall"] == 8.0
    assert figures["turn_2"] is None
    assert (figures["n_graded"], figures["n_unparsed"]) == (4, 2)
    assert figures["category/writing"] == 8.0
    assert result.plots["mt_bench"] == [
        {"category": "writing", "m": 8.0},
        {"category": "math", "m": 8.0},
    ]


def test_mt_bench_logprob_rating_is_the_judges_expected_rating(cache: CallCache) -> None:
    questions = [("zh", q) for q in mt_bench.load_questions(mt_bench.question_file("zh"))]
    questions += [("en", q) for q in mt_bench.load_questions(mt_bench.question_file("en"))]
    picked = [next(x for x in questions if x[1].category == c) for c in ("writing", "math")]
    picked[1] = next(x for x in questions if x[0] == "en" and x[1].category == "math")
    model = Scripted("model", lambda m: f"answer {len(m)}")
    judge = Scripted("judge", lambda m: "unused", label_probs=_rating_probs)
    result = ev.evaluate_models(
        _sets(mt_bench=picked),
        {"m": _client(cache, model)},
        _roles(cache, judge=judge),
        Evaluate(),  # the default
    )
    asked = [m[-1]["content"] for m in judge.asked]
    assert len(asked) == 4 and all(t.endswith(("Do not explain.", "不要解释。")) for t in asked)
    figures = result.figures["m"]["mt_bench"]
    assert figures["category/writing"] == 9.0  # a Chinese question, both turns
    assert figures["category/math"] == 3.5  # turn 1 only: turn 2 had no rating at all
    assert (figures["n_graded"], figures["n_unparsed"]) == (4, 1)
    assert figures["turn_1"] == 6.25 and figures["turn_2"] == 9.0
    assert figures["overall"] == pytest.approx((9 + 9 + 3.5) / 3, abs=1e-4)


def test_alpaca_eval_judges_each_pair_twice_with_positions_swapped(cache: CallCache) -> None:
    instructions = alpaca.load_instructions()[:3] + alpaca.load_instructions()[-3:]
    better = Scripted("better", lambda m: "GOOD")
    judge = Scripted("judge", _judge_reply, _prefer_good)
    result = ev.evaluate_models(
        _sets(alpaca_eval=instructions),
        {"better": _client(cache, better)},
        _roles(cache, judge=judge),
        Evaluate(),
    )
    prompts = [m[-1]["content"] for m in judge.asked]
    assert len(prompts) == 2 * len(instructions)
    for x in instructions:
        seen = [p for p in prompts if x.instruction in p]
        firsts = sorted("GOOD" in _output_1(p) for p in seen)
        assert firsts == [False, True]  # the model's answer once in each position
    assert sum("哪个回答更好" in p for p in prompts) == 6  # the Chinese template for zh
    figures = result.figures["better"]["alpaca_eval"]
    assert figures["win_rate"] == pytest.approx(90.0)
    assert figures["n_pairs"] == 6 and figures["n_unparsed"] == 0

    # a judge that always names output 1 cancels out: one win and one loss per pair
    biased = Scripted("biased", _judge_reply, lambda t: {"1": 1.0, "2": 0.0})
    tied = ev.evaluate_models(
        _sets(alpaca_eval=instructions),
        {"better": _client(cache, better)},
        _roles(cache, judge=biased),
        Evaluate(),
    )
    assert tied.figures["better"]["alpaca_eval"]["win_rate"] == pytest.approx(50.0)
    assert tied.figures["better"]["alpaca_eval"]["lc_win_rate"] == pytest.approx(50.0, abs=1.0)


def test_a_warm_cache_makes_no_call_and_gives_the_same_figures(cache: CallCache) -> None:
    sets = _sets(
        ifeval=PROMPTS,
        mt_bench=[("zh", mt_bench.load_questions(mt_bench.question_file("zh"))[0])],
        alpaca_eval=alpaca.load_instructions()[:2],
    )

    def run() -> tuple[ev.EvalResult, list[Scripted]]:
        judge = Scripted("judge", _judge_reply, _prefer_good, _rating_probs)
        backends = [Scripted("m", obedient), judge]
        roles = _roles(cache, judge=backends[1])
        return ev.evaluate_models(sets, {"m": _client(cache, backends[0])}, roles, Evaluate()), [
            *backends
        ]

    cold, _ = run()
    warm, backends = run()
    assert warm.figures == cold.figures
    assert all(b.asked == [] for b in backends)
    stats = [*warm.calls["by_model"].values(), *warm.calls["by_role"].values()]
    assert sum(s["cache_misses"] for s in stats) == 0
    assert sum(s["cache_hits"] for s in stats) == sum(s["calls"] for s in stats) > 0


def test_too_long_and_failed_calls_are_counted_not_fatal(cache: CallCache) -> None:
    long_prompt = ifeval.IFEvalPrompt(3, "Describe hail " * 20, ("punctuation:no_comma",), ({},))
    short = [i for i in alpaca.load_instructions() if len(i.instruction) < 80][:2]
    sets = _sets(ifeval=[*PROMPTS, long_prompt], alpaca_eval=short)  # they fit the context
    model = _client(cache, Scripted("m", obedient), context=100)
    failing_judge = Scripted("judge", _judge_reply, _prefer_good)
    roles = _roles(cache, judge=failing_judge)
    client = LLMClient(
        Scripted("judge-fails", lambda m: "FAIL"),
        cache,
        batch_size=4,
        name="judge",
        max_failure_rate=1.0,
        defaults=Sampling(max_new_tokens=10),
    )
    p = Evaluate.model_validate({"alpaca_eval": {"verdict": "generate"}})
    result = ev.evaluate_models(
        sets, {"m": model}, lambda r: client if r == "judge" else roles(r), p
    )
    figures = result.figures["m"]
    assert figures["ifeval"]["too_long"] == 1 and figures["ifeval"]["n_prompts"] == 2
    assert figures["ifeval"]["prompt_strict"] == 100.0  # scored over the answered prompts
    assert figures["alpaca_eval"]["judge_failed"] == 2
    assert figures["alpaca_eval"]["win_rate"] is None and figures["alpaca_eval"]["n_pairs"] == 0
    assert result.calls["by_model"]["m"]["too_long"] == 1


def test_eval_spec_is_greedy_with_the_stage_budget() -> None:
    spec = ModelSpec(model="models/x", temperature=0.7, top_p=0.9, max_new_tokens=512)
    greedy = ev.eval_spec(spec, 64)
    assert (greedy.temperature, greedy.top_p, greedy.max_new_tokens) == (0.0, 1.0, 64)
    assert greedy.model == "models/x"


def test_evaluate_params_shorthands() -> None:
    p = Evaluate.model_validate(
        {"models": {"base": "models/tiny/student"}, "mt_bench": False, "ifeval": {"limit": 3}}
    )
    assert p.models["base"].model == "models/tiny/student"
    assert not p.mt_bench.enabled and p.ifeval.enabled and p.ifeval.limit == 3
    with pytest.raises(ValueError, match="base 'sft' is not one of"):
        Evaluate.model_validate({"base": "sft"})


def test_load_sets_applies_limits_and_switches() -> None:
    p = Evaluate.model_validate(
        {
            "ifeval": {"limit": 5},
            "mt_bench": {"limit": 2, "languages": ["zh"]},
            "alpaca_eval": False,
        }
    )
    sets = ev.load_sets(p)
    assert sets.ifeval is not None and len(sets.ifeval) == 5
    assert sets.mt_bench is not None and [lang for lang, _ in sets.mt_bench] == ["zh", "zh"]
    assert sets.alpaca_eval is None


def test_the_public_ifeval_set_loads_offline_and_is_named() -> None:
    sets = ev.load_sets(Evaluate.model_validate({"ifeval": {"set": "public"}}))
    assert sets.ifeval is not None and len(sets.ifeval) == 541
    assert sets.names["ifeval"] == ifeval.PUBLIC_SET_NAME
    tiny = ev.load_sets(Evaluate())
    assert tiny.ifeval is not None and len(tiny.ifeval) < 541
    assert tiny.names["ifeval"] == ev.PACKAGED
    assert (
        ev._hub_name("tatsu-lab/alpaca_eval", "0123456789abcdef") == "tatsu-lab/alpaca_eval@0123456"
    )


def test_lm_eval_is_skipped_with_one_line_when_not_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    specs = {"base": ModelSpec(model="models/tiny/student")}
    assert ev.lm_eval_figures(specs, LMEval()) == ({}, None)  # no tasks: nothing to say
    real = ev.importlib.util.find_spec
    monkeypatch.setattr(
        ev.importlib.util, "find_spec", lambda name: None if name == "lm_eval" else real(name)
    )
    figures, reason = ev.lm_eval_figures(specs, LMEval(tasks=["mmlu"]))
    assert reason is not None and "lm-eval is not installed" in reason
    assert figures == {"base": {"status": "skipped", "reason": reason}}


def test_lm_eval_results_take_each_tasks_headline_score() -> None:
    results = {
        "mmlu": {"alias": "mmlu", "acc,none": 0.25, "acc_stderr,none": 0.01},
        "gsm8k": {"exact_match,strict-match": 0.125, "exact_match_stderr,strict-match": 0.02},
    }
    assert ev.lm_eval_results(results, ["mmlu", "gsm8k", "ceval-valid"]) == {
        "mmlu": 25.0,
        "gsm8k": 12.5,
        "ceval": None,
    }
    assert re.fullmatch(r"zh", ev.text_lang("你好 world")) and ev.text_lang("hello") == "en"


def test_lm_eval_runs_a_local_task_on_a_model_folder(tiny_model: Path, tmp_path: Path) -> None:
    """lm-eval for real (no Hub here): a multiple-choice task of our own, from a local JSON
    file, through `include_path`, on a tiny model that learnt CHAT by heart, so it puts the
    most probability on CHAT's answer whichever position that answer takes."""
    from transformers import AutoTokenizer

    prompt = AutoTokenizer.from_pretrained(tiny_model).apply_chat_template(
        CHAT[:2], tokenize=False, add_generation_prompt=True
    )
    answer, wrong = CHAT[2]["content"], ["Paris is in Spain.", "I do not know that."]
    docs = [
        {"prompt": prompt, "choices": choices, "target": choices.index(answer)}
        for choices in ([answer, *wrong], [wrong[0], answer, wrong[1]], [*wrong, answer])
    ]
    (tmp_path / "docs.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs))
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    (tasks / "chat_recall.yaml").write_text(
        yaml.safe_dump(
            {
                "task": "chat_recall",
                "dataset_path": "json",
                "dataset_kwargs": {"data_files": {"test": str(tmp_path / "docs.jsonl")}},
                "test_split": "test",
                "output_type": "multiple_choice",
                "doc_to_text": "{{prompt}}",
                "doc_to_choice": "{{choices}}",
                "doc_to_target": "{{target}}",
                "target_delimiter": "",
                "metric_list": [{"metric": "acc", "aggregation": "mean", "higher_is_better": True}],
            }
        )
    )
    specs = {"tiny": ModelSpec(model=str(tiny_model))}
    p = LMEval(tasks=["chat_recall"], include_path=str(tasks))
    figures, reason = ev.lm_eval_figures(specs, p)
    assert reason is None
    assert figures == {"tiny": {"chat_recall": 100.0}}
