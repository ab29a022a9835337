"""Can the tiny teacher learn to grade? Its judge's ROC AUC between right and wrong answers,
before and after training it on graded answers alone, in one run.

    python bench/judge_capacity.py [--steps 1500] [--conversations 6000] [--items 240]

The default run's judge (the committed teacher, `judge.scoring: logprob`) scores a right
answer and the same answer with another final value (`world_corpus.variant` "answer" and
"wrong", the pair a teacher and a student most often give) near alike: ROC AUC 0.56 on the
default pool, against the 0.85 the issue "A default run where the recipe works" asks for.
This measures whether more or better-weighted training on grading could close that: it
copies the committed teacher, trains it (the bootstrap's own `train`) on `--conversations`
judge conversations of the teacher's corpus and nothing else, and grades `--items` fresh
answers from the teacher's space (instructions the judge may have seen, answers it has not)
and from the evaluation space (neither), before and after. It prints, per space and model,
the mean score of each answer kind and the ROC AUC of right against wrong answers of the
same form ("answer"/"detail" against "wrong", "terse" against "terse_wrong").

Needs the committed stand-ins (models/tiny); about 8 minutes for 1,500 steps on 2 cores.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path

import torch
from transformers import PreTrainedTokenizerFast, Qwen2ForCausalLM

from distilpipe.bootstrap import encode, save_model, train
from distilpipe.llm import LLMClient, make_backend
from distilpipe.llm.cache import CallCache
from distilpipe.ops.answer_key import separation
from distilpipe.ops.judge import score_answers
from distilpipe.params import ModelSpec, load_params
from distilpipe.world import World
from distilpipe.world_corpus import VARIANTS, _judge, draw_prompt, variant

TEACHER = Path("models/tiny/teacher")
KINDS = ("answer", "detail", "terse", "wrong", "terse_wrong", "other")


def grade(model: Path, items: list[tuple[str, str, str, str]], cache_dir: Path) -> list[float]:
    """The judge's logprob score of each (instruction, answer, lang, kind), as the judge
    stage scores (`score_answers`)."""
    spec = ModelSpec(backend="transformers", model=str(model), max_new_tokens=64)
    with CallCache(cache_dir) as cache:
        client = LLMClient(make_backend(spec, cache_dir), cache, name="judge")
        scores = score_answers(
            client,
            "logprob",
            [i for i, _, _, _ in items],
            [a for _, a, _, _ in items],
            [lang for _, _, lang, _ in items],
            [str(k) for k in range(len(items))],
            "bench/judge_capacity",
        )
    if any(s is None for s, _ in scores):
        raise SystemExit(f"{model}: the judge gave no score for some answers")
    return [float(s) for s, _ in scores if s is not None]


def report(name: str, items: list[tuple[str, str, str, str]], scores: list[float]) -> None:
    by: dict[str, list[float]] = {}
    for (_, _, _, kind), score in zip(items, scores, strict=True):
        by.setdefault(kind, []).append(score)
    means = ", ".join(
        f"{k} {statistics.mean(by[k]):.2f} (want {VARIANTS[k][0]})" for k in KINDS if k in by
    )
    full = separation(by["answer"] + by["detail"], by["wrong"])
    terse = separation(by["terse"], by["terse_wrong"])
    print(f"  {name}: {means}")
    print(f"  {name}: ROC AUC right vs wrong, full answers {full:.3f}, terse answers {terse:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--conversations", type=int, default=6000)
    parser.add_argument("--items", type=int, default=240)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()
    params = load_params()
    world = World(params.bootstrap.world)
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {torch.get_num_threads()} torch threads")

    spaces = {}
    for space in ("teacher", "eval"):
        rng = random.Random(f"bench/judge_capacity:{space}")
        items = []
        for _ in range(args.items):
            p = draw_prompt(world, rng, space)
            kind = rng.choice(KINDS)
            items.append((p.text, variant(world, p, kind, rng), p.lang, kind))
        spaces[space] = items

    rng = random.Random("bench/judge_capacity:train")
    conversations = [
        _judge(world, rng, params.bootstrap.teacher_corpus) for _ in range(args.conversations)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        tuned = Path(tmp) / "teacher"
        tokenizer = PreTrainedTokenizerFast.from_pretrained(TEACHER)
        model = Qwen2ForCausalLM.from_pretrained(TEACHER, dtype=torch.float32)
        start = time.perf_counter()
        losses = train(
            model,
            encode(tokenizer, conversations),
            steps=args.steps,
            tokens_per_batch=params.bootstrap.tokens_per_batch,
            lr=args.lr,
            seed=0,
            pad_id=tokenizer.pad_token_id,
        )
        seconds = time.perf_counter() - start
        save_model(model, tokenizer, tuned)
        print(
            f"trained on {args.conversations:,} judge conversations: {args.steps:,} steps in "
            f"{seconds:.0f} s, loss {statistics.mean(losses[:50]):.3f} (first 50 steps) -> "
            f"{statistics.mean(losses[-50:]):.3f} (last 50)"
        )
        for space, items in spaces.items():
            print(f"{space} space, {len(items)} answers:")
            for name, path in (("committed teacher", TEACHER), ("trained on grading", tuned)):
                report(name, items, grade(path, items, Path(tmp) / f"cache-{name[:4]}"))


if __name__ == "__main__":
    main()
