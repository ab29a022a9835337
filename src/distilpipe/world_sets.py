"""The default run's data, drawn from the tiny world (distilpipe.world): its three sources in
their public datasets' exact layouts, their answer key, and its evaluation sets.

Sources (data/samples/): instructions from outside the evaluation space, in English and
Chinese, with the noise a real pool has. Each source answers as its original does:
`magpie.jsonl` (Magpie-Qwen2-Pro: Qwen2-72B-Instruct's answers, so the teacher's, and Magpie's
own `task_category`), `openhermes.json` (OpenHermes-2.5: GPT-4-style detailed answers, some
conversations with a system prompt or a second turn) and `mammoth2.jsonl` (WebInstructSub:
answers extracted from the web, terse). Defects, as in the real sets: exact and near
duplicates, an empty answer, a conversation ending on the user, roles out of order,
a null answer, and records in languages the pool does not keep. Task types are drawn with
uneven weights, a few types left out, so that sampling, translation and expansion all have
work to do. `answer_key.jsonl` holds the final answer of every plain (no format constraint,
no code) instruction, for the judge's ROC AUC.

Evaluation sets (src/distilpipe/evaluate/data/): the evaluation space only (eval entities,
held phrasings), so the student never saw an item of them and neither stand-in trained on
one: an IFEval-style set (each prompt with one verifiable format instruction and IFEval's
ids and arguments), MT-Bench-style questions per language (a follow-up as the second turn,
reference answers for math, reasoning and coding) and AlpacaEval-style instructions. They
look like the public benchmarks and are not them: figures from them name them
"tiny-world".

Everything is drawn from one seed: `python -m distilpipe.world_sets` writes the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distilpipe.evaluate.mt_bench import CATEGORIES, REFERENCE_CATEGORIES
from distilpipe.world import LANGS, World
from distilpipe.world_corpus import MT_CATEGORIES, Prompt, draw_prompt, followups

SEED = 20261206
# Task-type weights of the sources: the sample's quotas are 1/6 math and reasoning, 1/12 each
# code type, 1/60 the rest; types weighted 0 are left to expand.
TYPE_WEIGHTS = {"math": 7, "reasoning": 7, "code_generation": 4, "code_debug": 4}
LEFT_OUT = ("roleplay", "music", "philosophy", "entertainment")
DEFAULT_WEIGHT = 1.0
ZH_SHARE = 0.35  # the sources' Chinese share; the sample wants half
CONSTRAINT_RATE = 0.25
SIZES = {"magpie": 190, "openhermes": 150, "mammoth2": 130}


def source_prompts(world: World, n: int, rng: random.Random) -> list[Prompt]:
    """`n` instructions outside the evaluation space, types weighted by TYPE_WEIGHTS."""
    skills = [s for s in world if s.type not in LEFT_OUT]
    weights = [
        TYPE_WEIGHTS.get(s.type, DEFAULT_WEIGHT) / len(world.skills_of(s.type)) for s in skills
    ]
    out = []
    for _ in range(n):
        skill = rng.choices(skills, weights)[0]
        lang = "zh" if rng.random() < ZH_SHARE else "en"
        out.append(
            draw_prompt(
                world, rng, "teacher", lang=lang, skill=skill, constraint_rate=CONSTRAINT_RATE
            )
        )
    return out


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def magpie_record(p: Prompt, rng: random.Random) -> dict[str, Any]:
    """A Magpie-Qwen2-Pro-300K-Filtered record: Qwen2-72B-Instruct's answer (the teacher's)."""
    response = p.answer
    return {
        "uuid": _uuid(rng),
        "model": "Qwen/Qwen2-72B-Instruct",
        "gen_input_configs": {
            "temperature": 1.0,
            "top_p": 1.0,
            "input_generator": "Qwen/Qwen2-72B-Instruct",
            "seed": None,
            "extract_input": "<|im_start|>user\n",
        },
        "instruction": p.text,
        "response": response,
        "conversations": [{"from": "human", "value": p.text}, {"from": "gpt", "value": response}],
        "task_category": p.skill.magpie,
        "other_task_category": [],
        "task_category_generator": "meta-llama/Meta-Llama-3-8B-Instruct",
        "difficulty": rng.choice(["very easy", "easy", "easy", "medium"]),
        "intent": "The user wants an answer to a question.",
        "knowledge": "To solve this problem, the models need to know basic facts and arithmetic.",
        "difficulty_generator": "meta-llama/Meta-Llama-3-8B-Instruct",
        "input_quality": rng.choice(["good", "good", "excellent", "average"]),
        "quality_explanation": "The user query is clear and specific.",
        "quality_generator": "meta-llama/Meta-Llama-3-8B-Instruct",
        "llama_guard_2": "safe",
        "reward_model": "sfairXC/FsfairX-LLaMA3-RM-v0.1",
        "instruct_reward": round(rng.uniform(-2.0, 6.0), 4),
        "min_neighbor_distance": round(rng.uniform(0.2, 1.0), 4),
        "repeat_count": 0,
        "min_similar_uuid": None,
        "instruction_length": len(p.text),
        "response_length": len(response),
        "language": p.lang.upper(),
    }


OPENHERMES_SOURCES = ["airoboros2.2", "CamelAI", "EvolInstruct_70k", "glaive-code-assist", None]
SYSTEM = {"en": "You are a helpful assistant.", "zh": "你是一个乐于助人的助手。"}


def openhermes_record(p: Prompt, rng: random.Random) -> dict[str, Any]:
    """An OpenHermes-2.5 record: ShareGPT turns with GPT-4-style detailed answers, sometimes
    a system prompt and a follow-up exchange."""
    turns: list[dict[str, Any]] = []
    if rng.random() < 0.2:
        turns.append({"from": "system", "value": SYSTEM[p.lang], "weight": None})
    turns += [
        {"from": "human", "value": p.text, "weight": 0.0},
        {"from": "gpt", "value": p.detail, "weight": 1.0},
    ]
    options = followups(p) if p.constraint is None else []
    if options and rng.random() < 0.25:
        question, answer = rng.choice(options)
        turns += [
            {"from": "human", "value": question, "weight": 0.0},
            {"from": "gpt", "value": answer, "weight": 1.0},
        ]
    return {
        "custom_instruction": None,
        "topic": None,
        "model_name": None,
        "model": None,
        "skip_prompt_formatting": None,
        "category": None,
        "conversations": turns,
        "views": None,
        "language": None,
        "id": None,
        "title": None,
        "idx": None,
        "hash": None,
        "avatarUrl": None,
        "system_prompt": None,
        "source": rng.choice(OPENHERMES_SOURCES),
    }


MAMMOTH2_SOURCES = ["socratic", "stackexchange", "mathstackexchange", "WebInstructFull"]


def mammoth2_record(p: Prompt, rng: random.Random, index: int) -> dict[str, Any]:
    """A WebInstructSub record: a question and answer extracted from the web (terse, after an
    `Explanation:` line where the web page gave one), with the page's originals."""
    terse = p.plain("terse")
    answer = p.answer if p.constraint else terse
    return {
        "orig_question": p.text,
        "orig_answer": terse,
        "question": p.text,
        "answer": answer,
        "source": rng.choice(MAMMOTH2_SOURCES),
        "index": index,
    }


# Records in languages the pool does not keep (pool.languages: en, zh): French and Japanese.
FOREIGN = [
    ("Quelle est la capitale de la France ?", "La capitale de la France est Paris."),
    ("Combien de pattes a une araignée ?", "Une araignée a huit pattes."),
    ("日本の首都はどこですか？", "日本の首都は東京です。"),
    ("猫は何本の足がありますか？", "猫には四本の足があります。"),
]


@dataclass(frozen=True)
class Sources:
    """The three sources' records, and the instructions they were made from."""

    magpie: list[dict[str, Any]]
    openhermes: list[dict[str, Any]]
    mammoth2: list[dict[str, Any]]
    prompts: list[Prompt]


def sources(world: World, seed: int = SEED) -> Sources:
    """The three sources' records, defects included (see the module docstring)."""
    rng = random.Random(f"{seed}:sources")
    prompts = source_prompts(world, sum(SIZES.values()), rng)
    cut = [0, SIZES["magpie"], SIZES["magpie"] + SIZES["openhermes"], len(prompts)]
    magpie = [magpie_record(p, rng) for p in prompts[cut[0] : cut[1]]]
    hermes = [openhermes_record(p, rng) for p in prompts[cut[1] : cut[2]]]
    webinstruct = [mammoth2_record(p, rng, 100_000 + i) for i, p in enumerate(prompts[cut[2] :])]

    # Magpie: two exact duplicates (new uuids), two near duplicates, one empty response, two
    # foreign-language records
    for k in (3, 40):
        magpie.append({**magpie[k], "uuid": _uuid(rng)})
    for k in (7, 55):
        near = dict(magpie[k], uuid=_uuid(rng))
        near["instruction"] = near["instruction"].rstrip("?？.。") + (
            "?" if near["language"] == "EN" else "？"
        )
        near["instruction"] += " " if near["language"] == "EN" else ""
        near["conversations"] = [
            {"from": "human", "value": near["instruction"]},
            {"from": "gpt", "value": near["response"]},
        ]
        magpie.append(near)
    empty = dict(magpie[11], uuid=_uuid(rng), response="")
    empty["conversations"] = [empty["conversations"][0], {"from": "gpt", "value": ""}]
    magpie.append(empty)
    for question, answer in FOREIGN[:2]:
        magpie.append(
            {
                **magpie[20],
                "uuid": _uuid(rng),
                "instruction": question,
                "response": answer,
                "conversations": [
                    {"from": "human", "value": question},
                    {"from": "gpt", "value": answer},
                ],
                "language": "FR",
            }
        )
    # OpenHermes: a duplicate conversation, a whitespace-only answer, a conversation that ends
    # on the user, roles out of order, two foreign-language conversations
    hermes.append(json.loads(json.dumps(hermes[5])))
    blank = json.loads(json.dumps(hermes[9]))
    blank["conversations"][-1]["value"] = "   "
    hermes.append(blank)
    open_end = json.loads(json.dumps(hermes[13]))
    open_end["conversations"] = open_end["conversations"][:-1]
    hermes.append(open_end)
    swapped = json.loads(json.dumps(hermes[17]))
    humans = [t for t in swapped["conversations"] if t["from"] != "system"]
    swapped["conversations"] = list(reversed(humans))
    hermes.append(swapped)
    for question, answer in FOREIGN[2:]:
        hermes.append(
            {
                **hermes[0],
                "conversations": [
                    {"from": "human", "value": question, "weight": 0.0},
                    {"from": "gpt", "value": answer, "weight": 1.0},
                ],
                "source": None,
            }
        )
    # WebInstructSub: a duplicate record, a null answer, an empty answer
    webinstruct.append(dict(webinstruct[4]))
    webinstruct.append(dict(webinstruct[8], answer=None, index=200_001))
    webinstruct.append(dict(webinstruct[12], answer="", index=200_002))

    for records in (magpie, hermes, webinstruct):  # defects not all at the end of a file
        random.Random(f"{seed}:order:{len(records)}").shuffle(records)
    return Sources(magpie, hermes, webinstruct, prompts)


def answer_key(prompts: Iterable[Prompt]) -> list[dict[str, Any]]:
    """The final answer of every plain instruction (no format constraint, a key that is not
    code), one record per instruction text."""
    seen: dict[str, dict[str, Any]] = {}
    for p in prompts:
        key = p.key
        if p.constraint is not None or "\n" in key or "(" in key or p.text in seen:
            continue
        seen[p.text] = {"instruction": p.text, "answers": [key]}
    return list(seen.values())


# --- evaluation sets ---------------------------------------------------------------------------


def ifeval_set(world: World, n: int, seed: int = SEED) -> list[dict[str, Any]]:
    """IFEval-style prompts from the evaluation space, each with one format instruction that
    the teacher's answer follows and a plain answer does not; English and Chinese in turn."""
    rng = random.Random(f"{seed}:ifeval")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    while len(out) < n:
        lang = LANGS[len(out) % len(LANGS)]
        p = draw_prompt(world, rng, "eval", lang=lang, constraint_rate=1.0)
        if p.constraint is None or p.text in seen:
            continue
        seen.add(p.text)
        out.append(
            {
                "key": 1000 + len(out),
                "prompt": p.text,
                "instruction_id_list": [p.constraint],
                "kwargs": [p.kwargs],
            }
        )
    return out


def mt_bench_set(
    world: World, lang: str, per_category: int, seed: int = SEED
) -> list[dict[str, Any]]:
    """MT-Bench-style two-turn questions from the evaluation space, `per_category` per
    category that the world's task types reach: a question and a follow-up to its answer;
    reference answers (the teacher's) for math, reasoning and coding."""
    rng = random.Random(f"{seed}:mt_bench:{lang}")
    by_category: dict[str, list[Any]] = {c: [] for c in CATEGORIES}
    for skill in world:
        by_category[MT_CATEGORIES.get(skill.type, "humanities")].append(skill)
    out: list[dict[str, Any]] = []
    for category in CATEGORIES:
        skills = by_category[category]
        made = 0
        while skills and made < per_category:
            p = draw_prompt(world, rng, "eval", lang=lang, skill=rng.choice(skills))
            options = followups(p)
            if not options:
                continue
            question, answer = rng.choice(options)
            record: dict[str, Any] = {
                "question_id": 100 * LANGS.index(lang) + len(out) + 1,  # unique over both
                "category": category,
                "turns": [p.text, question],
            }
            if category in REFERENCE_CATEGORIES:
                record["reference"] = [p.answer, answer]
            out.append(record)
            made += 1
    return out


def alpaca_set(world: World, n: int, seed: int = SEED) -> list[dict[str, Any]]:
    """AlpacaEval-style instructions from the evaluation space, no format instructions;
    English and Chinese in turn."""
    rng = random.Random(f"{seed}:alpaca_eval")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    while len(out) < n:
        lang = LANGS[len(out) % len(LANGS)]
        p = draw_prompt(world, rng, "eval", lang=lang)
        if p.text in seen:
            continue
        seen.add(p.text)
        out.append({"instruction": p.text, "dataset": f"tiny_world_{lang}"})
    return out


def _jsonl(path: Path, records: Sequence[dict[str, Any]]) -> None:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )


def write_all(world: World, samples: Path, evaluation: Path, seed: int = SEED) -> None:
    """Write the sources and answer key to `samples`, the evaluation sets to `evaluation`."""
    made = sources(world, seed)
    _jsonl(samples / "magpie.jsonl", made.magpie)
    (samples / "openhermes.json").write_text(
        json.dumps(made.openhermes, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    _jsonl(samples / "mammoth2.jsonl", made.mammoth2)
    _jsonl(samples / "answer_key.jsonl", answer_key(made.prompts))
    _jsonl(evaluation / "ifeval.jsonl", ifeval_set(world, 120, seed))
    for lang in LANGS:
        _jsonl(evaluation / f"mt_bench.{lang}.jsonl", mt_bench_set(world, lang, 5, seed))
    _jsonl(evaluation / "alpaca_eval.jsonl", alpaca_set(world, 100, seed))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", default="data/world")
    parser.add_argument("--samples", default="data/samples")
    parser.add_argument("--evaluation", default=str(Path(__file__).parent / "evaluate" / "data"))
    args = parser.parse_args(argv)
    write_all(World(args.world), Path(args.samples), Path(args.evaluation))


if __name__ == "__main__":
    main()
