import hashlib
import json
from pathlib import Path

import pytest

from distilpipe.errors import InputError
from distilpipe.evaluate.mt_bench import (
    CATEGORIES,
    RATING_LABELS,
    REFERENCE_CATEGORIES,
    Grade,
    Question,
    category_counts,
    expected_rating,
    judge_prompt,
    load_questions,
    parse_rating,
    question_file,
    summarise,
)
from distilpipe.evaluate.text import HAN_CHAR
from distilpipe.prompts import PROMPTS_DIR, template_file


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("The answer is correct and clear.\nRating: [[7]]", 7),
        ("评价：回答准确。\n评分：[[10]]", 10),
        ("**Rating: [[ 8 ]]**", 8),
        ("[[1]]", 1),
        ("Rating: [[6]]. To repeat, my rating is [[6]].", 6),
        # as FastChat's one_score_pattern: a decimal rating
        ("Rating: [[7.5]]", 7.5),
        ("Rating: [[10.0]]", 10.0),
        ("Rating: [[7.]]", 7.0),
        # FastChat's one_score_pattern_backup: single brackets, only where no [[N]] is
        ("Rating: [7]", 7),
        ("Rating: [ 4.5 ]", 4.5),
        # what is not a number in brackets is not a rating, and is passed over
        ("I must answer in [[rating]] form: [[8]]", 8),
        ('The format is "[[rating]]". Rating: [3]', 3),
        ("Rating: [[7/10]]; on reflection [6]", 6),
        # double brackets win over single ones, as FastChat tries them first
        ("Point [2] is wrong. Rating: [[5]]", 5),
    ],
)
def test_ratings_that_parse(text: str, rating: float) -> None:
    assert parse_rating(text) == rating
    assert type(parse_rating(text)) is type(rating)  # 7 stays an int, 7.5 a float


@pytest.mark.parametrize(
    "text",
    [
        "Rating: 7",
        "评分：【【7】】",
        "Rating: [[0]]",
        "Rating: [[11]]",
        "Rating: [[10.5]]",
        "Rating: [0]",
        "Rating: [[7/10]]",
        "Rating: [[07]]",
        "Rating: [07]",
        "Rating: [[seven]]",
        "Rating: [[７]]",
        # FastChat takes the first match; two different ratings are a guess here
        'The format is "Rating: [[5]]". Rating: [[8]]',
        "As noted in [1], ... Rating: [7]",
        "Rating: [[8]] (out of [[10]])",
        "",
        "   ",
    ],
)
def test_ratings_that_do_not_parse(text: str) -> None:
    assert parse_rating(text) is None


def test_each_language_has_at_least_40_questions_over_all_8_categories() -> None:
    for lang in ("en", "zh"):
        questions = load_questions(question_file(lang))
        assert len(questions) >= 40
        counts = category_counts(questions)
        assert set(counts) == set(CATEGORIES) and min(counts.values()) >= 5
        for question in questions:
            assert len(question.turns) == 2
            has_han = all(HAN_CHAR.search(turn) for turn in question.turns)
            assert has_han is (lang == "zh"), question.question_id
            assert bool(question.reference) is (question.category in REFERENCE_CATEGORIES)
    english = {q.question_id for q in load_questions(question_file("en"))}
    chinese = {q.question_id for q in load_questions(question_file("zh"))}
    assert not english & chinese  # ids stay unique when both sets are reported together


def test_an_unknown_language_has_no_question_set() -> None:
    with pytest.raises(ValueError, match="no MT-Bench questions in 'fr'"):
        question_file("fr")


def write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"question_id": "1", "category": "writing", "turns": ["a", "b"]}, "integer"),
        ({"question_id": 1, "category": "poetry", "turns": ["a", "b"]}, "category"),
        (
            {"question_id": 1, "category": "math", "turns": ["a", "b"], "refrence": ["r", "s"]},
            "unknown field",
        ),
        ({"question_id": 1, "category": "writing", "turns": ["a"]}, "two non-empty"),
        ({"question_id": 1, "category": "writing", "turns": ["a", " "]}, "two non-empty"),
        ({"question_id": 1, "category": "math", "turns": ["a", "b"]}, "needs a reference"),
        (
            {"question_id": 1, "category": "math", "turns": ["a", "b"], "reference": ["r"]},
            "needs a reference",
        ),
        (
            {"question_id": 1, "category": "stem", "turns": ["a", "b"], "reference": ["r", "s"]},
            "takes no reference",
        ),
    ],
)
def test_bad_question_records_name_file_and_line(
    tmp_path: Path, record: dict[str, object], message: str
) -> None:
    good = {"question_id": 0, "category": "writing", "turns": ["a", "b"]}
    path = write(tmp_path / "q.jsonl", [good, record])
    with pytest.raises(InputError, match=message) as info:
        load_questions(path)
    assert str(info.value).startswith(f"{path}:2: ")


def test_duplicate_question_ids_are_rejected(tmp_path: Path) -> None:
    good = {"question_id": 0, "category": "writing", "turns": ["a", "b"]}
    with pytest.raises(InputError, match="question_id 0 appears twice"):
        load_questions(write(tmp_path / "q.jsonl", [good, good]))


WRITING = Question(1, "writing", ("Q-ONE", "Q-TWO"), ())
MATH = Question(2, "math", ("M-ONE", "M-TWO"), ("R-ONE", "R-TWO"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_turn_1_shows_one_exchange_and_asks_for_the_rating_format(lang: str) -> None:
    text, digest = judge_prompt(WRITING, ("A-ONE",), turn=1, lang=lang)
    assert "Q-ONE" in text and "A-ONE" in text
    assert "Q-TWO" not in text
    assert "[[5]]" in text  # the format example the parser's docstring warns about
    path = PROMPTS_DIR / template_file("mt_bench_single", lang)
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert text == text.strip()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_turn_2_shows_the_whole_conversation_in_order(lang: str) -> None:
    text, _ = judge_prompt(WRITING, ("A-ONE", "A-TWO"), turn=2, lang=lang)
    positions = [text.index(part) for part in ("Q-ONE", "A-ONE", "Q-TWO", "A-TWO")]
    assert positions == sorted(positions)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_math_reasoning_and_coding_are_graded_against_the_reference(lang: str) -> None:
    one, digest = judge_prompt(MATH, ("A-ONE",), turn=1, lang=lang)
    assert "R-ONE" in one and "R-TWO" not in one
    path = PROMPTS_DIR / template_file("mt_bench_reference", lang)
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    two, _ = judge_prompt(MATH, ("A-ONE", "A-TWO"), turn=2, lang=lang)
    assert all(part in two for part in ("R-ONE", "R-TWO", "A-ONE", "A-TWO"))
    assert two.index("R-TWO") < two.index("A-TWO")


def test_the_chinese_templates_are_in_chinese() -> None:
    text, _ = judge_prompt(WRITING, ("A",), turn=1, lang="zh")
    assert "评分：[[N]]" in text


@pytest.mark.parametrize("question", [WRITING, MATH])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rating_only_asks_for_the_bracketed_rating_last_and_no_explanation(
    question: Question, lang: str
) -> None:
    full, digest = judge_prompt(question, ("A-ONE", "A-TWO"), turn=2, lang=lang)
    short, same = judge_prompt(question, ("A-ONE", "A-TWO"), turn=2, lang=lang, rating_only=True)
    assert same == digest  # one template, two modes
    for text in (full, short):
        assert all(part in text for part in ("M-ONE" if question is MATH else "Q-ONE", "A-TWO"))
    assert short.endswith(("Do not explain.", "不要解释。"))
    assert short.index("A-TWO") < short.index("[[N]]")  # the last thing asked for is the rating
    assert "Rating: [[N]]" not in short and "评分：[[N]]" not in short
    assert "explanation" not in short and "理由" not in short
    assert "\n\n\n" not in short


def test_expected_rating_is_the_mean_under_the_probabilities_of_the_ten_labels() -> None:
    assert RATING_LABELS[0] == "[[1]]" and RATING_LABELS[-1] == "[[10]]"
    assert expected_rating({"[[8]]": 0.6, "[[6]]": 0.2, "other": 0.9}) == pytest.approx(7.5)
    assert expected_rating({"[[10]]": 0.01}) == pytest.approx(10.0)
    assert expected_rating(dict.fromkeys(RATING_LABELS, 0.05)) == pytest.approx(5.5)
    assert expected_rating({label: 0.0 for label in RATING_LABELS}) is None
    assert expected_rating({}) is None


def test_judge_prompt_rejects_a_missing_answer_or_turn() -> None:
    with pytest.raises(ValueError, match="needs 2 answer"):
        judge_prompt(WRITING, ("A",), turn=2, lang="en")
    with pytest.raises(ValueError, match="turns 1 and 2"):
        judge_prompt(WRITING, ("A", "B", "C"), turn=3, lang="en")


def test_summarise_reports_turns_overall_categories_and_unparsed() -> None:
    grades = [
        Grade(1, "writing", 1, 8),
        Grade(1, "writing", 2, 6),
        Grade(2, "math", 1, 4),
        Grade(2, "math", 2, None),
    ]
    summary = summarise(grades)
    assert summary["turn_1"] == pytest.approx(6.0)
    assert summary["turn_2"] == pytest.approx(6.0)
    assert summary["overall"] == pytest.approx(6.0)  # (8 + 6 + 4) / 3
    assert summary["category/writing"] == pytest.approx(7.0)
    assert summary["category/math"] == pytest.approx(4.0)
    assert "category/coding" not in summary
    assert summary["n_graded"] == 4 and summary["n_unparsed"] == 1


def test_summarise_gives_none_where_nothing_parsed() -> None:
    summary = summarise([Grade(1, "stem", 2, None)])
    assert summary["turn_2"] is None and summary["overall"] is None
    assert summary["category/stem"] is None
    assert summary["n_unparsed"] == 1
