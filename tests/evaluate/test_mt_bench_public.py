"""MT-Bench as published, from the package, offline: FastChat's 80 questions, its GPT-4
reference answers and single-answer judge prompts, pinned to one commit of lm-sys/FastChat;
FastChat's temperatures; the set names; figures per language."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from distilpipe.errors import InputError
from distilpipe.evaluate import mt_bench
from distilpipe.evaluate.mt_bench import (
    CATEGORIES,
    FASTCHAT_COMMIT,
    JUDGE_PROMPT_NAMES,
    PUBLIC_DIR,
    PUBLIC_SET_NAME,
    REFERENCE_CATEGORIES,
    Grade,
    Question,
    answer_temperature,
    fastchat_judge_prompt,
    load_judge_prompts,
    load_public_questions,
    set_label,
    set_questions,
    summarise_languages,
)
from distilpipe.evaluate.report import report_markdown


def test_the_public_set_is_fastchats_80_questions_10_per_category() -> None:
    questions = load_public_questions()
    assert len(questions) == 80
    assert [q.question_id for q in questions] == list(range(81, 161))
    assert mt_bench.category_counts(questions) == dict.fromkeys(CATEGORIES, 10)
    assert questions[0].turns[0].startswith("Compose an engaging travel blog post about")


def test_math_reasoning_and_coding_carry_gpt4s_reference_answers_and_nothing_else_does() -> None:
    questions = load_public_questions()
    for q in questions:
        assert bool(q.reference) is (q.category in REFERENCE_CATEGORIES), q.question_id
        assert len(q.reference) in (0, 2) and all(r.strip() for r in q.reference)
    first = next(q for q in questions if q.question_id == 101)
    assert first.reference[0].startswith("If you have just overtaken the second person")
    # the question file's own `reference` (roleplay 95: a translation) is not what is read
    assert next(q for q in questions if q.question_id == 95).reference == ()


def test_the_judge_prompts_are_fastchats_four_single_answer_prompts() -> None:
    prompts = load_judge_prompts()
    assert set(prompts) == set(JUDGE_PROMPT_NAMES.values())
    assert prompts["single-v1"].system_prompt == "You are a helpful assistant."
    assert prompts["single-v1"].prompt_template.startswith("[Instruction]\nPlease act as")
    assert all('"[[rating]]"' in (p.system_prompt + p.prompt_template) for p in prompts.values())
    assert len({p.template_hash for p in prompts.values()}) == 4


def test_the_source_note_names_the_commit_and_the_files_hashes() -> None:
    note = (PUBLIC_DIR / "SOURCE.md").read_text(encoding="utf-8")
    assert "lm-sys/FastChat" in note and FASTCHAT_COMMIT in note and "Apache-2.0" in note
    for name in ("question.jsonl", "reference_gpt-4.jsonl", "judge_prompts.jsonl"):
        digest = hashlib.sha256((PUBLIC_DIR / name).read_bytes()).hexdigest()
        assert digest in note, name
    assert "Apache License" in (PUBLIC_DIR / "LICENSE").read_text(encoding="utf-8")
    assert FASTCHAT_COMMIT[:7] in PUBLIC_SET_NAME and "80" in PUBLIC_SET_NAME


WRITING = Question(1, "writing", ("Q-ONE", "Q-TWO"), ())
MATH = Question(2, "math", ("M-ONE", "M-TWO"), ("R-ONE", "R-TWO"))


def test_turn_1_is_filled_as_fastchat_fills_single_v1() -> None:
    prompts = load_judge_prompts()
    system, user, digest = fastchat_judge_prompt(WRITING, ("A-ONE",), 1, prompts)
    template = prompts["single-v1"]
    assert system == template.system_prompt
    assert user == template.prompt_template.format(question="Q-ONE", answer="A-ONE")
    assert digest == template.template_hash
    assert "Q-TWO" not in user


def test_turn_2_of_a_math_question_shows_both_references_then_the_conversation() -> None:
    prompts = load_judge_prompts()
    system, user, digest = fastchat_judge_prompt(MATH, ("A-ONE", "A-TWO"), 2, prompts)
    template = prompts["single-math-v1-multi-turn"]
    assert system == template.system_prompt and digest == template.template_hash
    order = ["M-ONE", "R-ONE", "M-TWO", "R-TWO", "A-ONE", "A-TWO"]
    positions = [user.index(part) for part in order]
    assert positions == sorted(positions)
    one = fastchat_judge_prompt(MATH, ("A-ONE",), 1, prompts)[1]
    assert "R-ONE" in one and "R-TWO" not in one
    with pytest.raises(ValueError, match="needs 2 answer"):
        fastchat_judge_prompt(MATH, ("A-ONE",), 2, prompts)


def test_answer_temperatures_are_fastchats_per_category() -> None:
    assert {c: answer_temperature(c) for c in CATEGORIES} == {
        "writing": 0.7,
        "roleplay": 0.7,
        "reasoning": 0.0,
        "math": 0.0,
        "coding": 0.0,
        "extraction": 0.0,
        "stem": 0.1,
        "humanities": 0.1,
    }
    assert answer_temperature("arena-hard-200") == 0.7  # FastChat's default for the unlisted


def test_the_set_decides_the_english_questions_and_the_chinese_stay_the_projects() -> None:
    assert [q.question_id for q in set_questions("public", "en")][:1] == [81]
    tiny_en = mt_bench.load_questions(mt_bench.question_file("en"))
    assert set_questions("tiny-world", "en") == tiny_en
    zh = mt_bench.load_questions(mt_bench.question_file("zh"))
    assert set_questions("public", "zh") == zh == set_questions("tiny-world", "zh")
    assert set_label("tiny-world", ["en", "zh"]) == "tiny-world"
    assert set_label("public", ["en"]) == PUBLIC_SET_NAME
    assert set_label("public", ["en", "zh"]) == f"{PUBLIC_SET_NAME}; zh: tiny-world"


def test_each_language_is_summarised_apart() -> None:
    grades = {
        "en": [Grade(81, "writing", 1, 8), Grade(81, "writing", 2, None)],
        "zh": [Grade(1, "math", 1, 4), Grade(1, "math", 2, 6)],
    }
    assert summarise_languages(grades) == {
        "en/overall": 8.0,
        "en/turn_1": 8.0,
        "en/turn_2": None,
        "en/n_graded": 2,
        "en/n_unparsed": 1,
        "zh/overall": 5.0,
        "zh/turn_1": 4.0,
        "zh/turn_2": 6.0,
        "zh/n_graded": 2,
        "zh/n_unparsed": 0,
    }


# --- bad files: InputError names the file and line -----------------------------------------


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "public"
    shutil.copytree(PUBLIC_DIR, folder)
    return folder


def _rewrite(path: Path, line: int, change: dict[str, object] | str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if isinstance(change, str):
        lines[line - 1] = change + "\n"
    else:
        record = {**json.loads(lines[line - 1]), **change}
        lines[line - 1] = json.dumps({k: v for k, v in record.items() if v is not None}) + "\n"
    path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.parametrize(
    ("line", "change", "message"),
    [
        (3, {"category": "poetry"}, "category"),
        (3, {"turns": ["only one"]}, "two non-empty"),
        (3, {"question_id": 81}, "appears twice"),
        (3, {"reference": "a string"}, "list of strings"),
        (3, {"answer": "x"}, "unknown field"),
        (3, "{not json", "not JSON"),
    ],
)
def test_a_bad_question_names_its_file_and_line(
    tmp_path: Path, line: int, change: dict[str, object] | str, message: str
) -> None:
    folder = _copy(tmp_path)
    _rewrite(folder / "question.jsonl", line, change)
    with pytest.raises(InputError, match=message) as info:
        load_public_questions(folder)
    assert str(info.value).startswith(f"{folder / 'question.jsonl'}:{line}: ")


@pytest.mark.parametrize(
    ("line", "change", "message"),
    [
        (2, {"question_id": 81}, "not a math, reasoning or coding question"),
        (2, {"question_id": 101}, "appears twice"),
        (2, {"choices": [{"turns": ["one"]}]}, "two non-empty"),
        (2, {"choices": []}, "two non-empty"),
        (2, {"choices": ["text"]}, "two non-empty"),
    ],
)
def test_a_bad_reference_answer_names_its_file_and_line(
    tmp_path: Path, line: int, change: dict[str, object], message: str
) -> None:
    folder = _copy(tmp_path)
    _rewrite(folder / "reference_gpt-4.jsonl", line, change)
    with pytest.raises(InputError, match=message) as info:
        load_public_questions(folder)
    assert str(info.value).startswith(f"{folder / 'reference_gpt-4.jsonl'}:{line}: ")


def test_a_missing_reference_answer_is_named(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "reference_gpt-4.jsonl"
    path.write_text("".join(path.read_text().splitlines(keepends=True)[1:]))
    with pytest.raises(InputError, match=r"no reference answer for question\(s\) \[101\]"):
        load_public_questions(folder)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "pairwise"}, "type"),
        ({"output_format": "[[A]]"}, "output_format"),
        ({"prompt_template": 3}, "must be strings"),
        ({"name": "single-v2"}, "no judge prompt single-v1"),
    ],
)
def test_a_bad_judge_prompt_is_named(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    folder = _copy(tmp_path)
    _rewrite(folder / "judge_prompts.jsonl", 1, change)
    with pytest.raises(InputError, match=message) as info:
        load_judge_prompts(folder / "judge_prompts.jsonl")
    assert str(info.value).startswith(str(folder / "judge_prompts.jsonl"))


def test_the_report_names_the_public_set_and_the_chinese_one_apart() -> None:
    label = set_label("public", ["en", "zh"])
    figures = {"base": {"mt_bench": {"overall": 6.0, "set": label}}}
    text = report_markdown(figures, base="base")
    assert f"Sets: mt_bench: {PUBLIC_SET_NAME}; zh: tiny-world (tiny-world: the project's" in text
    only_public = {"base": {"mt_bench": {"overall": 6.0, "set": set_label("public", ["en"])}}}
    assert f"Sets: mt_bench: {PUBLIC_SET_NAME}.\n" in report_markdown(only_public, base="base")
