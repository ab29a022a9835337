"""evaluate: each model answers IFEval, MT-Bench and AlpacaEval; the judge grades; the
figures land in one table per model, keyed by benchmark.

Every answer and judgement goes through the LLM layer, so re-evaluating an unchanged model
with unchanged sets and prompts costs no call, and adding a model costs only its own calls
(the reference's answers are cached once for all of them). Each call's seed is
`row_seed(<item>, "evaluate/<benchmark>/<step>")`: it depends on the item, never on the
model's name, so renaming a model keeps its cache.

Per model, in this order (one model resident at a time, as `RoleModels` keeps it):

- IFEval: the model answers every prompt; `evaluate.ifeval.score` gives strict and loose,
  prompt- and instruction-level accuracy (percent) and per-type accuracy.
- MT-Bench: turn 1, then turn 2 with the conversation so far (question 1, the model's own
  answer, question 2). A turn whose answer is missing is not asked (turn 2) or not graded.
  With `mt_bench.set: public` every MT-Bench answer is sampled at FastChat's temperature
  for its category (`mt_bench.answer_temperature`), seeded per item, so it stays
  reproducible and cached by content; the tiny-world set is answered greedily.
- AlpacaEval: the model's answer to each instruction.

Then the reference role answers AlpacaEval's instructions, and the judge role grades:
each MT-Bench turn with the single-answer prompt (reference-guided for math, reasoning and
coding; FastChat's own prompts, system and user, for the public set's questions), the
rating parsed as FastChat parses it (`mt_bench.parse_rating`; `n_unparsed` counts the
rest), headline figures over the set's own questions and each language's apart
(`en/overall`, `zh/overall`, ...); each AlpacaEval pair twice
with the positions swapped, read from the judge's probabilities of "1"/"2" or from a
generated digit (`alpaca_eval.verdict`); a pair with an unreadable verdict is counted as
`n_unparsed`, never judged on one position. Raw and length-controlled win rates follow.

Nothing an LLM call cannot do fails the stage: a prompt too long for its model (`TooLong`)
or a call failed after its retries leaves that item out of its benchmark and is counted
(`too_long`, `failed`, `judge_too_long`, `judge_failed`); the LLM layer's own
`max_failure_rate` still stops a stage whose calls fail wholesale. Figures computed over
no item are None.

`lm_eval_figures` runs lm-eval's tasks (MMLU, CEval, ...) outside the LLM layer, only when
lm-eval is installed and its data reachable; otherwise it says why, in one line.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from distilpipe.evaluate import alpaca, ifeval, mt_bench
from distilpipe.evaluate.intervals import mean_difference, paired_difference
from distilpipe.evaluate.report import DECIMALS, ifeval_figures, rounded
from distilpipe.llm.client import LLMClient, row_seed
from distilpipe.llm.types import (
    ChoiceRequest,
    Failure,
    GenerateRequest,
    Generation,
    LabelProbs,
    LabelRequest,
    Message,
    Sampling,
    TooLong,
)
from distilpipe.params import Evaluate, Intervals, LMEval, ModelSpec, MTBenchSet

BENCHMARKS = ("ifeval", "mt_bench", "alpaca_eval")
# lm-eval tasks that execute model-written code; they run only with allow_code_eval.
CODE_TASKS = ("humaneval", "mbpp")
_HAN = re.compile(r"[\u3400-\u9fff]")


# What the packaged sets are: the tiny world's (distilpipe.world_sets), in the public
# benchmarks' formats but not the public benchmarks; every figure from them says so.
PACKAGED = "tiny-world"


@dataclass(frozen=True)
class EvalSets:
    """The items each benchmark asks, None for a benchmark switched off, and the name of the
    set each comes from (`PACKAGED`, the public set's Hub id, or MT-Bench's
    `mt_bench.set_label`)."""

    ifeval: list[ifeval.IFEvalPrompt] | None
    mt_bench: list[tuple[str, mt_bench.Question]] | None  # (language, question)
    alpaca_eval: list[alpaca.AlpacaInstruction] | None
    names: dict[str, str] = field(default_factory=dict)


def load_sets(p: Evaluate) -> EvalSets:
    """The packaged sets (or the public ones, when `hub` is set; IFEval's and MT-Bench's
    public sets, packaged too, with `set: public`), each cut to its `limit` (MT-Bench's per
    language). A public set that cannot be loaded raises EvalDataError (one line)."""
    prompts = None
    if p.ifeval.enabled:
        if p.ifeval.hub:
            prompts = ifeval.load_hub_prompts(p.ifeval.hub, revision=p.ifeval.revision)
        elif p.ifeval.set == "public":
            prompts = ifeval.load_public_prompts()
        else:
            prompts = ifeval.load_prompts()
        prompts = prompts[: p.ifeval.limit]
    questions = None
    if p.mt_bench.enabled:
        questions = [
            (str(lang), q)
            for lang in p.mt_bench.languages
            for q in mt_bench.set_questions(p.mt_bench.set, lang)[: p.mt_bench.limit]
        ]
    instructions = None
    if p.alpaca_eval.enabled:
        instructions = (
            alpaca.load_hub_instructions(p.alpaca_eval.hub, revision=p.alpaca_eval.revision)
            if p.alpaca_eval.hub
            else alpaca.load_instructions()
        )[: p.alpaca_eval.limit]
    names = {
        "ifeval": _hub_name(p.ifeval.hub, p.ifeval.revision)
        or (ifeval.PUBLIC_SET_NAME if p.ifeval.set == "public" else PACKAGED),
        "mt_bench": mt_bench.set_label(p.mt_bench.set, p.mt_bench.languages),
        "alpaca_eval": _hub_name(p.alpaca_eval.hub, p.alpaca_eval.revision) or PACKAGED,
    }
    return EvalSets(prompts, questions, instructions, names)


def _hub_name(hub: str | None, revision: str | None) -> str | None:
    """A Hub set's name in the figures: its id, and the commit it was read at."""
    if hub is None:
        return None
    return f"{hub}@{revision[:7]}" if revision else hub


def eval_spec(spec: ModelSpec, max_new_tokens: int) -> ModelSpec:
    """The spec a model is evaluated with: greedy, `max_new_tokens` new tokens, so every
    model answers on the same footing whatever sampling its entry names (MT-Bench's public
    set then sets FastChat's temperature per question, the same for every model)."""
    return spec.model_copy(
        update={"temperature": 0.0, "top_p": 1.0, "max_new_tokens": max_new_tokens}
    )


def text_lang(text: str) -> str:
    """ "zh" for a text with a Han character, else "en": which judge template to use."""
    return "zh" if _HAN.search(text) else "en"


@dataclass
class EvalResult:
    figures: dict[str, dict[str, dict[str, Any]]]  # model -> benchmark -> figure -> value
    calls: dict[str, Any]  # per model and role: the LLM layer's counts
    # "ifeval" (loose accuracy per instruction type), "mt_bench" (rating per category): one
    # row per type or category, one column per model (what the `bars` template draws)
    plots: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class _Answers:
    """One model's (or the reference's) answers by item index, and why others have none."""

    texts: dict[int, str] = field(default_factory=dict)
    too_long: int = 0
    failed: int = 0

    def counts(self, prefix: str = "") -> dict[str, int]:
        return {f"{prefix}too_long": self.too_long, f"{prefix}failed": self.failed}


def _collect(outs: Sequence[Generation | Failure], index: Sequence[int]) -> _Answers:
    answers = _Answers()
    for i, out in zip(index, outs, strict=True):
        if isinstance(out, TooLong):
            answers.too_long += 1
        elif isinstance(out, Failure):
            answers.failed += 1
        else:
            answers.texts[i] = out.text
    return answers


def _user(text: str) -> tuple[Message, ...]:
    return ({"role": "user", "content": text},)


def evaluate_models(
    sets: EvalSets,
    models: Mapping[str, LLMClient],
    client: Callable[[str], LLMClient],
    p: Evaluate,
) -> EvalResult:
    """Evaluate every model in `models` (name -> client, see `eval_spec`) on the
    enabled benchmarks of `sets`. `client(role)` gives the reference's (`p.reference`,
    asked for only when AlpacaEval is on) and the judge's (`p.judge`, when MT-Bench or
    AlpacaEval is on) clients. Returns per-model figures, call counts and plot rows."""
    answers: dict[str, dict[str, Any]] = {name: {} for name in models}
    for name, model in models.items():  # one model after another: each is loaded once
        if sets.ifeval is not None:
            answers[name]["ifeval"] = _ifeval_answers(model, sets.ifeval)
        if sets.mt_bench is not None:
            answers[name]["mt_bench"] = _mt_bench_answers(model, sets.mt_bench, p.mt_bench.set)
        if sets.alpaca_eval is not None:
            answers[name]["alpaca_eval"] = _alpaca_answers(
                model, sets.alpaca_eval, "evaluate/alpaca_eval/answer"
            )
    roles: dict[str, LLMClient] = {}
    reference = None
    if sets.alpaca_eval is not None:
        roles["reference"] = client(p.reference)
        reference = _alpaca_answers(
            roles["reference"], sets.alpaca_eval, "evaluate/alpaca_eval/reference"
        )
    if sets.mt_bench is not None or sets.alpaca_eval is not None:
        roles["judge"] = client(p.judge)

    figures: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in models}
    items: dict[str, dict[str, dict[Any, Any]]] = {name: {} for name in models}
    by_model: dict[str, dict[str, dict[str, Any]]] = {"ifeval": {}, "mt_bench": {}}
    for name in models:
        if sets.ifeval is not None:
            figures[name]["ifeval"], by_model["ifeval"][name], items[name]["ifeval"] = (
                _ifeval_figures(sets.ifeval, answers[name]["ifeval"])
            )
        if sets.mt_bench is not None:
            figures[name]["mt_bench"], by_model["mt_bench"][name], items[name]["mt_bench"] = (
                _mt_bench_figures(
                    roles["judge"], p.mt_bench, sets.mt_bench, answers[name]["mt_bench"]
                )
            )
        if sets.alpaca_eval is not None and reference is not None:
            figures[name]["alpaca_eval"], items[name]["alpaca_eval"] = _alpaca_figures(
                roles["judge"],
                p.alpaca_eval.verdict,
                sets.alpaca_eval,
                answers[name]["alpaca_eval"],
                reference,
            )
    for name in models:
        for benchmark in figures[name]:
            figures[name][benchmark]["set"] = sets.names.get(benchmark, PACKAGED)
        if name == p.base or p.base not in items:
            continue
        for benchmark, scored in items[name].items():
            versus = vs_base(benchmark, scored, items[p.base].get(benchmark, {}), p.intervals)
            if versus:
                figures[name][benchmark]["vs_base"] = versus
    calls = {
        "by_model": {name: model.stats.as_dict() for name, model in models.items()},
        "by_role": {role: c.stats.as_dict() for role, c in roles.items()},
    }
    plots = {
        kind: _side_by_side(values, "instruction" if kind == "ifeval" else "category")
        for kind, values in by_model.items()
        if values
    }
    return EvalResult(figures, calls, plots)


def _side_by_side(by_model: Mapping[str, Mapping[str, Any]], key: str) -> list[dict[str, Any]]:
    """One row per category (in first-seen order), with each model's value in its column
    (None where a model has none)."""
    categories = list(dict.fromkeys(c for values in by_model.values() for c in values))
    return [
        {key: c, **{name: values.get(c) for name, values in by_model.items()}} for c in categories
    ]


# --- IFEval ---------------------------------------------------------------------------------


def _ifeval_answers(model: LLMClient, prompts: list[ifeval.IFEvalPrompt]) -> _Answers:
    requests = [
        GenerateRequest(
            _user(q.prompt), model.sampling(row_seed(str(q.key), "evaluate/ifeval/answer"))
        )
        for q in prompts
    ]
    return _collect(model.generate(requests), range(len(prompts)))


def _ifeval_figures(
    prompts: list[ifeval.IFEvalPrompt], answers: _Answers
) -> tuple[dict[str, Any], dict[str, float], dict[int, dict[str, float]]]:
    """IFEval's accuracies over the answered prompts, the loose accuracy per type, and each
    answered prompt's strict and loose pass (100 or 0)."""
    answered = sorted(answers.texts)
    if not answered:
        empty = dict.fromkeys(
            ("prompt_strict", "prompt_loose", "instruction_strict", "instruction_loose")
        )
        return {**empty, "n_prompts": 0, "n_instructions": 0, **answers.counts()}, {}, {}
    asked = [prompts[i] for i in answered]
    responses = [answers.texts[i] for i in answered]
    scores = ifeval.score(asked, responses)
    by_type = {
        instruction_id: round(100 * accuracy, DECIMALS)
        for instruction_id, accuracy in scores.by_type_loose.items()
    }
    strict = ifeval.follow_lists(asked, responses, loose=False)
    loose = ifeval.follow_lists(asked, responses, loose=True)
    per_prompt = {
        i: {"prompt_strict": 100.0 * all(s), "prompt_loose": 100.0 * all(lo)}
        for i, s, lo in zip(answered, strict, loose, strict=True)
    }
    return {**ifeval_figures(scores), **answers.counts()}, by_type, per_prompt


# --- MT-Bench -------------------------------------------------------------------------------


def _mt_item(lang: str, question: mt_bench.Question) -> str:
    return f"{lang}/{question.question_id}"


def _mt_bench_answers(
    model: LLMClient, questions: list[tuple[str, mt_bench.Question]], set_name: str
) -> tuple[_Answers, _Answers]:
    """Turn-1 answers, then turn-2 answers to the conversation so far."""

    def sampling(lang: str, question: mt_bench.Question, step: str) -> Sampling:
        chosen = model.sampling(row_seed(_mt_item(lang, question), step))
        if set_name == "public":  # FastChat's temperature per category, seeded per item
            return replace(chosen, temperature=mt_bench.answer_temperature(question.category))
        return chosen

    first = _collect(
        model.generate(
            [
                GenerateRequest(_user(q.turns[0]), sampling(lang, q, "evaluate/mt_bench/turn_1"))
                for lang, q in questions
            ]
        ),
        range(len(questions)),
    )
    asked = sorted(first.texts)
    second = _collect(
        model.generate(
            [
                GenerateRequest(
                    (
                        {"role": "user", "content": questions[i][1].turns[0]},
                        {"role": "assistant", "content": first.texts[i]},
                        {"role": "user", "content": questions[i][1].turns[1]},
                    ),
                    sampling(*questions[i], "evaluate/mt_bench/turn_2"),
                )
                for i in asked
            ]
        ),
        asked,
    )
    return first, second


def _mt_judge_request(
    p: MTBenchSet,
    lang: str,
    question: mt_bench.Question,
    so_far: tuple[str, ...],
    turn: int,
    public_prompts: Mapping[str, mt_bench.JudgeTemplate] | None,
) -> tuple[tuple[Message, ...], str]:
    """The judge's messages for one turn, and the template hash: FastChat's system and user
    prompts for the public set's questions, the project's template (one user turn)
    otherwise."""
    if public_prompts is not None and mt_bench.is_public(p.set, lang):
        system, user, digest = mt_bench.fastchat_judge_prompt(
            question, so_far, turn, public_prompts
        )
        return ({"role": "system", "content": system}, {"role": "user", "content": user}), digest
    text, digest = mt_bench.judge_prompt(
        question, so_far, turn, lang, rating_only=p.rating == "logprob"
    )
    return _user(text), digest


def _mt_bench_figures(
    judge: LLMClient,
    p: MTBenchSet,
    questions: list[tuple[str, mt_bench.Question]],
    answers: tuple[_Answers, _Answers],
) -> tuple[dict[str, Any], dict[str, Any], dict[tuple[int, int], dict[str, float]]]:
    """The judge's grade of every answered turn (`p.rating`: "logprob", the expectation over
    its probabilities of the ten ratings, or "generate", parsed from its reply, in at most
    `p.judge_max_new_tokens` new tokens where set), summarised; the mean rating per
    category; each graded turn's rating, by (question, turn).

    The headline figures (`overall`, `turn_1`, `turn_2`, `category/*`, `n_graded`,
    `n_unparsed`) are over the set's own questions: with `tiny-world`, every language asked,
    pooled; with `public`, FastChat's English questions alone (MT-Bench as published).
    `<lang>/overall`, `<lang>/turn_1`, ... give each language apart."""
    first, second = answers
    todo: list[tuple[int, int]] = [(i, 1) for i in sorted(first.texts)]
    todo += [(i, 2) for i in sorted(second.texts)]
    public_prompts = mt_bench.load_judge_prompts() if p.set == "public" else None
    requests = []
    for i, turn in todo:
        lang, question = questions[i]
        so_far = (first.texts[i],) if turn == 1 else (first.texts[i], second.texts[i])
        requests.append(_mt_judge_request(p, lang, question, so_far, turn, public_prompts))
    outs: list[Any]
    if p.rating == "logprob":
        outs = judge.label_logprobs(
            [LabelRequest(messages, mt_bench.RATING_LABELS, h) for messages, h in requests]
        )
    else:
        samplings = [
            judge.sampling(row_seed(_mt_item(*questions[i]), f"evaluate/mt_bench/judge_{turn}"))
            for i, turn in todo
        ]
        if p.judge_max_new_tokens is not None:
            samplings = [replace(s, max_new_tokens=p.judge_max_new_tokens) for s in samplings]
        outs = judge.generate(
            [
                GenerateRequest(messages, sampling, h)
                for (messages, h), sampling in zip(requests, samplings, strict=True)
            ]
        )
    headline: list[mt_bench.Grade] = []
    by_lang: dict[str, list[mt_bench.Grade]] = {lang: [] for lang, _ in questions}
    ratings: dict[tuple[int, int], dict[str, float]] = {}
    judged = _Answers()
    for (i, turn), out in zip(todo, outs, strict=True):
        if isinstance(out, TooLong):
            judged.too_long += 1
        elif isinstance(out, Failure):
            judged.failed += 1
        else:
            lang, question = questions[i]
            value = (
                mt_bench.expected_rating(out.probs)
                if isinstance(out, LabelProbs)
                else mt_bench.parse_rating(out.text)
            )
            grade = mt_bench.Grade(question.question_id, question.category, turn, value)
            in_headline = p.set != "public" or mt_bench.is_public(p.set, lang)
            by_lang[lang].append(grade)
            if in_headline:
                headline.append(grade)
            if value is not None:
                ratings[(i, turn)] = {f"{lang}/overall": value, f"{lang}/turn_{turn}": value}
                if in_headline:
                    ratings[(i, turn)].update({"overall": value, f"turn_{turn}": value})
    summary = rounded(mt_bench.summarise(headline))
    languages = rounded(mt_bench.summarise_languages(by_lang))
    counts = {
        "too_long": first.too_long + second.too_long,
        "failed": first.failed + second.failed,
        **judged.counts("judge_"),
    }
    by_category = {
        key.removeprefix("category/"): value
        for key, value in summary.items()
        if key.startswith("category/")
    }
    return {**summary, **languages, **counts}, by_category, ratings


# --- AlpacaEval -----------------------------------------------------------------------------


def _alpaca_item(instruction: alpaca.AlpacaInstruction) -> str:
    return f"{instruction.dataset}\x1f{instruction.instruction}"


def _alpaca_answers(
    model: LLMClient, instructions: list[alpaca.AlpacaInstruction], stage: str
) -> _Answers:
    requests = [
        GenerateRequest(_user(x.instruction), model.sampling(row_seed(_alpaca_item(x), stage)))
        for x in instructions
    ]
    return _collect(model.generate(requests), range(len(instructions)))


def _alpaca_figures(
    judge: LLMClient,
    verdict: str,
    instructions: list[alpaca.AlpacaInstruction],
    answers: _Answers,
    reference: _Answers,
) -> tuple[dict[str, Any], dict[int, tuple[float, int, int]]]:
    """Each pair judged twice (the model's answer first, then second); raw and LC win rate,
    and each judged pair's (preference, model answer length, reference answer length)."""
    pairs = [i for i in sorted(answers.texts) if i in reference.texts]
    prompts = [
        alpaca.judge_pair_prompt(
            instructions[i].instruction,
            answers.texts[i],
            reference.texts[i],
            model_first,
            text_lang(instructions[i].instruction),
        )
        for i in pairs
        for model_first in (True, False)
    ]
    judged = _Answers()
    preferences: dict[int, float] = {}
    if verdict == "logprob":
        probs = judge.choice_logprobs(
            [ChoiceRequest(_user(text), alpaca.VERDICTS, h) for text, h in prompts]
        )
        for k, i in enumerate(pairs):
            first, second = probs[2 * k], probs[2 * k + 1]
            if _count_failure(judged, first, second):
                continue
            assert not isinstance(first, Failure) and not isinstance(second, Failure)
            preference = alpaca.pair_preference_from_probs(first.probs, second.probs)
            if preference is not None:
                preferences[i] = preference
    else:
        seeds = [
            row_seed(_alpaca_item(instructions[i]), f"evaluate/alpaca_eval/judge_{position}")
            for i in pairs
            for position in ("first", "second")
        ]
        outs = judge.generate(
            [
                GenerateRequest(_user(text), judge.sampling(seed), h)
                for (text, h), seed in zip(prompts, seeds, strict=True)
            ]
        )
        for k, i in enumerate(pairs):
            said_first, said_second = outs[2 * k], outs[2 * k + 1]
            if _count_failure(judged, said_first, said_second):
                continue
            assert isinstance(said_first, Generation) and isinstance(said_second, Generation)
            preference = alpaca.pair_preference(
                alpaca.parse_verdict(said_first.text), alpaca.parse_verdict(said_second.text)
            )
            if preference is not None:
                preferences[i] = preference
    judged_pairs = len(pairs) - judged.too_long - judged.failed
    per_pair = {
        i: (preferences[i], len(answers.texts[i]), len(reference.texts[i])) for i in preferences
    }
    figures: dict[str, Any] = {"win_rate": None, "lc_win_rate": None}
    if preferences:
        done = sorted(preferences)
        rates = alpaca.win_rates(
            [preferences[i] for i in done],
            [len(answers.texts[i]) for i in done],
            [len(reference.texts[i]) for i in done],
        )
        figures = {"win_rate": rates.win_rate, "lc_win_rate": rates.lc_win_rate}
    return rounded(
        {
            **figures,
            "n_pairs": len(preferences),
            "n_unparsed": judged_pairs - len(preferences),
            **answers.counts(),
            "reference_too_long": reference.too_long,
            "reference_failed": reference.failed,
            **judged.counts("judge_"),
        }
    ), per_pair


# The figures whose difference from the base gets an interval, per benchmark.
COMPARED = {
    "ifeval": ("prompt_loose", "prompt_strict"),
    "mt_bench": ("overall", "turn_1", "en/overall", "zh/overall"),
    "alpaca_eval": ("lc_win_rate", "win_rate"),
}


def vs_base(
    benchmark: str, model: Mapping[Any, Any], base: Mapping[Any, Any], p: Intervals
) -> dict[str, dict[str, float | int]]:
    """A model's difference from the base on `benchmark`'s headline figures, each with its
    paired bootstrap interval (distilpipe.evaluate.intervals) over the items both were
    scored on: IFEval prompts, MT-Bench turns, AlpacaEval instructions (the length-controlled
    win rate refitted on every resample). Empty when they share no item."""
    shared = sorted(set(model) & set(base))
    if not shared:
        return {}
    options: dict[str, Any] = {"resamples": p.resamples, "confidence": p.confidence, "seed": p.seed}
    out: dict[str, dict[str, float | int]] = {}
    if benchmark == "alpaca_eval":  # per instruction: (preference, length, reference length)
        mine = np.array([model[i] for i in shared], dtype=float)
        theirs = np.array([base[i] for i in shared], dtype=float)

        def lc_gap(idx: np.ndarray) -> float:
            m, b = mine[idx], theirs[idx]
            return (
                alpaca.win_rates(m[:, 0], m[:, 1], m[:, 2]).lc_win_rate
                - alpaca.win_rates(b[:, 0], b[:, 1], b[:, 2]).lc_win_rate
            )

        return {
            "lc_win_rate": paired_difference(lc_gap, len(shared), **options).as_dict(),
            "win_rate": mean_difference(100 * mine[:, 0], 100 * theirs[:, 0], **options).as_dict(),
        }
    for figure in COMPARED[benchmark]:
        keys = [k for k in shared if figure in model[k] and figure in base[k]]
        if keys:
            out[figure] = mean_difference(
                [model[k][figure] for k in keys], [base[k][figure] for k in keys], **options
            ).as_dict()
    return out


def _count_failure(counts: _Answers, *results: object) -> bool:
    """Count a pair with a failed judgement (TooLong first); True when there was one."""
    if any(isinstance(r, TooLong) for r in results):
        counts.too_long += 1
        return True
    if any(isinstance(r, Failure) for r in results):
        counts.failed += 1
        return True
    return False


# --- lm-eval --------------------------------------------------------------------------------


def lm_eval_figures(
    models: Mapping[str, ModelSpec], p: LMEval
) -> tuple[dict[str, dict[str, Any]], str | None]:
    """lm-eval's tasks for each model: (model -> figures, None), or, when they cannot run,
    (model -> {"status": "skipped", "reason": ...}, the reason in one line). Figures are
    percentages keyed by the task's name before its first "-" (`ceval-valid` -> `ceval`).
    Code-executing tasks (humaneval, mbpp) run only with `allow_code_eval`."""
    if not p.tasks:
        return {}, None
    reason = _lm_eval_unavailable(models, p)
    if reason is None:
        try:
            return {name: _run_lm_eval(spec, p) for name, spec in models.items()}, None
        except Exception as exc:  # data unreachable, unknown task: lm-eval says which
            first_line = (str(exc).strip().splitlines() or [""])[0]
            reason = f"lm-eval could not run {p.tasks}: {type(exc).__name__}: {first_line}"
    return {name: {"status": "skipped", "reason": reason} for name in models}, reason


def _lm_eval_unavailable(models: Mapping[str, ModelSpec], p: LMEval) -> str | None:
    if importlib.util.find_spec("lm_eval") is None:
        return "lm-eval is not installed (pip install lm-eval); general-ability tasks skipped"
    code = [t for t in p.tasks if t.split("-")[0] in CODE_TASKS]
    if code and not p.allow_code_eval:
        return f"{code} execute model-written code: set evaluate.lm_eval.allow_code_eval: true"
    api = [name for name, spec in models.items() if spec.backend == "openai"]
    if api:
        return f"lm-eval runs local models only (transformers or vllm), not {api}"
    return None


def _run_lm_eval(spec: ModelSpec, p: LMEval) -> dict[str, Any]:
    import lm_eval  # optional: checked by _lm_eval_unavailable
    import torch
    from lm_eval.tasks import TaskManager

    kind = "vllm" if spec.backend == "vllm" else "hf"
    args = f"pretrained={spec.model}" + (f",revision={spec.revision}" if spec.revision else "")
    out = lm_eval.simple_evaluate(
        model=kind,
        model_args=args,
        tasks=list(p.tasks),
        task_manager=TaskManager(include_path=p.include_path) if p.include_path else None,
        device="cuda" if torch.cuda.is_available() else "cpu",  # lm-eval's default: cuda
        limit=p.limit,
        random_seed=0,
        numpy_random_seed=0,
        torch_random_seed=0,
        confirm_run_unsafe_code=p.allow_code_eval,
    )
    return lm_eval_results(out["results"], p.tasks)


def lm_eval_results(
    results: Mapping[str, Mapping[str, Any]], tasks: Sequence[str]
) -> dict[str, Any]:
    """Each task's headline score in percent from lm-eval's `results`: its first numeric
    metric that is not a standard error (`acc,none`, `exact_match,strict-match`, ...)."""
    figures: dict[str, Any] = {}
    for task in tasks:
        values = results.get(task, {})
        score = next(
            (
                float(v)
                for k, v in values.items()
                if "," in k and "stderr" not in k and isinstance(v, int | float)
            ),
            None,
        )
        figures[task.split("-")[0]] = None if score is None else round(100 * score, DECIMALS)
    return figures
