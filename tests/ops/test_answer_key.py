"""Answer keys and the judge's separation of right from wrong answers (ops/answer_key.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from distilpipe.errors import InputError
from distilpipe.ops.answer_key import judge_separation, read_answer_key, separation, states


@pytest.mark.parametrize(
    ("answer", "accepted", "right"),
    [
        ("12 + 8 = 20.\nThe answer is 20.", ["20"], True),
        ("The answer is 120.", ["20"], False),  # a number as a number, not a substring
        ("The mean is 20.80.", ["20.8"], True),
        ("about 1,000 ml", ["1000"], True),
        ("The capital of France is Paris.", ["Paris"], True),
        ("the capital of france is paris.", ["Paris"], True),  # case aside
        ("法国的首都是巴黎。", ["巴黎"], True),
        ("The capital of France is Rome.", ["Paris"], False),
        ("", ["Paris"], False),
    ],
)
def test_states(answer: str, accepted: list[str], right: bool) -> None:
    assert states(answer, accepted) is right


def test_separation_is_the_roc_auc() -> None:
    assert separation([9.0, 8.0], [1.0, 2.0]) == 1.0
    assert separation([1.0, 2.0], [9.0, 8.0]) == 0.0
    assert separation([5.0, 5.0], [5.0, 5.0]) == 0.5  # ties count a half
    assert separation([3.0, 1.0], [2.0]) == 0.5
    assert separation([1.0], []) is None


def test_judge_separation_over_both_roles() -> None:
    key = {"What is 2 + 2?": ("4",), "Capital of France?": ("Paris",)}
    found = judge_separation(
        ["What is 2 + 2?", "Capital of France?", "Not in the key"],
        {"teacher": ["It is 4.", "Paris.", "x"], "student": ["5", "Rome.", None]},
        {"teacher": [9.0, 8.5, 2.0], "student": [1.0, 3.0, None]},
        key,
    )
    assert found == {"right": 2, "wrong": 2, "roc_auc": 1.0}


def test_a_bad_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "key.jsonl"
    good = json.dumps({"instruction": "q", "answers": ["a"]})
    path.write_text(good + "\n" + json.dumps({"instruction": "q2"}) + "\n")
    with pytest.raises(InputError, match=r"key\.jsonl:2: .*answers"):
        read_answer_key(path)
    path.write_text(good + "\n")
    assert read_answer_key(path) == {"q": ("a",)}
