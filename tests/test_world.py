"""The tiny world (data/world, distilpipe.world): it loads and holds together, the student's
corpus and the evaluation sets share no entity, phrasing or prompt, the committed sources and
evaluation sets are what the generator writes, and the teacher's answers follow every format
constraint they are given."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from distilpipe.evaluate.ifeval import build as ifeval_check
from distilpipe.params import StudentCorpus, TeacherCorpus
from distilpipe.taxonomy import type_ids
from distilpipe.world import World, WorldError, evaluate
from distilpipe.world_corpus import (
    VARIANTS,
    constrain,
    draw_prompt,
    student_corpus,
    teacher_corpus,
    variant,
)
from distilpipe.world_sets import SEED, alpaca_set, ifeval_set, mt_bench_set, sources, write_all

ROOT = Path(__file__).resolve().parents[1]
WORLD = ROOT / "data" / "world"
EVAL_DATA = ROOT / "src" / "distilpipe" / "evaluate" / "data"


@pytest.fixture(scope="module")
def world() -> World:
    return World(WORLD)


def test_every_task_type_has_a_skill_and_every_table_an_eval_quarter(world: World) -> None:
    assert {s.type for s in world} == set(type_ids())
    for table, entities in world.tables.items():
        held = sum(e.eval for e in entities)
        assert held == max(1, len(entities) // 4), table


def test_expressions_are_arithmetic_only() -> None:
    assert evaluate("sum(xs) / len(xs)", {"xs": [2, 4]}) == 3
    assert evaluate("a if a > b else b", {"a": 1, "b": 5}) == 5
    for bad in ("__import__('os')", "xs.append(1)", "open('x')", "q"):
        with pytest.raises(WorldError):
            evaluate(bad, {"xs": [1]})


def test_a_skill_whose_answer_lacks_its_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "facts").mkdir()
    (tmp_path / "skills").mkdir()
    (tmp_path / "facts" / "t.yaml").write_text(
        "things:\n" + "".join(f"  - {{id: t{i}, en: T{i}, zh: 物{i}}}\n" for i in range(4))
    )
    (tmp_path / "skills" / "s.yaml").write_text(
        """- id: broken
  type: others
  magpie: Others
  slots: {x: things}
  ask: {en: ["a {x}?", "b {x}?", "c {x}?"], zh: ["甲{x}？", "乙{x}？", "丙{x}？"]}
  answer: {en: "It is {x}.", zh: "是{x}。"}
  key: "nothing like it"
"""
    )
    (tmp_path / "constraints.yaml").write_text("[]\n")
    with pytest.raises(WorldError, match=r"skills/s\.yaml: skill 'broken'.*lacks the key"):
        World(tmp_path)


def _corpus_texts(conversations: list[list[dict[str, str]]]) -> str:
    return "\n".join(m["content"] for c in conversations for m in c)


def test_the_students_corpus_and_the_evaluation_sets_are_disjoint(world: World) -> None:
    """Entities, phrasings and prompts: none of the evaluation sets' is in the student's
    corpus, and no evaluation prompt is in the teacher's (it knows the entities, from other
    phrasings, as a large model would)."""
    rng = random.Random(1)
    student = [draw_prompt(world, rng, "student") for _ in range(3000)]
    held_out = [draw_prompt(world, rng, "eval") for _ in range(500)]
    held_entities = _eval_only(world)
    student_entities = {(e.table, e.id) for p in student for e in p.instance.entities}
    assert student_entities and not student_entities & held_entities
    for p in held_out:  # each evaluation item is about a held-out entity (or held-out numbers)
        entities = {(e.table, e.id) for e in p.instance.entities}
        assert p.instance.eval and (not entities or entities & held_entities)
    assert not any(p.instance.eval for p in student)
    student_phrasings = {(p.skill.id, p.lang, p.phrasing) for p in student}
    eval_phrasings = {(p.skill.id, p.lang, p.phrasing) for p in held_out}
    assert student_phrasings and not student_phrasings & eval_phrasings

    # the committed evaluation sets' prompts appear in no corpus conversation
    corpus = _corpus_texts(
        student_corpus(world, StudentCorpus(qa=3000, restate=500), 0)
        + teacher_corpus(world, _small_teacher(), 0)
    )
    prompts = [json.loads(line)["prompt"] for line in _lines(EVAL_DATA / "ifeval.jsonl")]
    prompts += [json.loads(line)["instruction"] for line in _lines(EVAL_DATA / "alpaca_eval.jsonl")]
    for lang in ("en", "zh"):
        prompts += [
            json.loads(line)["turns"][0] for line in _lines(EVAL_DATA / f"mt_bench.{lang}.jsonl")
        ]
    assert prompts and not [p for p in prompts if p in corpus]


def _eval_only(world: World) -> set[tuple[str, str]]:
    return {(e.table, e.id) for entities in world.tables.values() for e in entities if e.eval}


def _small_teacher() -> TeacherCorpus:
    return TeacherCorpus(
        qa=3000, multiturn_qa=300, judge=300, classify=100, translate=300, expand=100,
        followup=100, rewrite=300, mt_bench=200, alpaca=200,
    )  # fmt: skip


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_evaluation_sets_hold_only_the_evaluation_space(world: World) -> None:
    for record in ifeval_set(world, 30, SEED):
        assert len(record["instruction_id_list"]) == 1
    assert mt_bench_set(world, "en", 5, SEED)
    assert alpaca_set(world, 20, SEED)


def test_committed_sources_and_sets_are_what_the_generator_writes(
    world: World, tmp_path: Path
) -> None:
    samples, evaluation = tmp_path / "samples", tmp_path / "evaluation"
    samples.mkdir()
    evaluation.mkdir()
    write_all(world, samples, evaluation)
    for name in ("magpie.jsonl", "openhermes.json", "mammoth2.jsonl", "answer_key.jsonl"):
        assert (samples / name).read_bytes() == (ROOT / "data/samples" / name).read_bytes(), name
    for path in sorted(evaluation.iterdir()):
        assert path.read_bytes() == (EVAL_DATA / path.name).read_bytes(), path.name


def test_sources_leave_work_for_every_stage(world: World) -> None:
    """Types out of balance (some left to expand), fewer Chinese rows than the sample wants
    (work for translate), and every kind of defect the ingest and pool stages catch."""
    made = sources(world)
    types = Counter(p.skill.type for p in made.prompts)
    assert types["math"] > 3 * types["writing"] and set(type_ids()) - set(types)
    share = sum(p.lang == "zh" for p in made.prompts) / len(made.prompts)
    assert 0.2 < share < 0.45
    assert any(r["response"] == "" for r in made.magpie)
    assert any(r["answer"] is None for r in made.mammoth2)
    assert any(r["language"] == "FR" for r in made.magpie)


@pytest.mark.parametrize("constraint", sorted(World(WORLD).constraints))
def test_the_teachers_answers_follow_each_constraint_and_plain_ones_do_not(
    world: World, constraint: str
) -> None:
    rng = random.Random(constraint)
    made = 0
    for _ in range(400):
        lang = rng.choice(world.constraints[constraint].langs)
        p = draw_prompt(world, rng, "teacher", lang=lang)
        world_one = World.__new__(World)  # the same world, with this one constraint only
        world_one.__dict__.update(world.__dict__)
        world_one.constraints = {constraint: world.constraints[constraint]}
        c = constrain(world_one, p, rng)
        if c is None:
            continue
        check = ifeval_check(c.constraint or "", c.kwargs)
        assert check.check(c.answer) and check.check(c.detail)
        assert not check.check(c.plain("answer"))
        made += 1
        if made == 5:
            return
    pytest.fail(f"{constraint}: fewer than 5 of 400 instructions could take it")


def test_answer_variants_are_graded_from_best_to_worst(world: World) -> None:
    rng = random.Random(3)
    p = draw_prompt(world, rng, "teacher", skill=world.skills["capital_of"], lang="en")
    assert variant(world, p, "answer", rng) == p.answer
    wrong = variant(world, p, "wrong", rng)
    assert wrong != p.answer and p.key not in wrong
    judge, rating, rank = zip(*VARIANTS.values(), strict=True)
    assert max(judge) == VARIANTS["answer"][0] and min(rating) == VARIANTS["other"][1]
    assert rank[list(VARIANTS).index("terse")] > rank[list(VARIANTS).index("wrong")]


def test_corpora_are_deterministic(world: World) -> None:
    small = StudentCorpus(qa=50, restate=20)
    assert student_corpus(world, small, 0) == student_corpus(world, small, 0)
    assert student_corpus(world, small, 0) != student_corpus(world, small, 1)
