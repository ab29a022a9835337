"""The IFEval prompt sets shipped as package data: the project's own, and the public 541."""

import hashlib
import json
from collections import Counter
from pathlib import Path

from distilpipe.evaluate import ifeval
from distilpipe.evaluate.ifeval import (
    INSTRUCTIONS,
    PACKAGED_PROMPTS,
    PUBLIC_PROMPTS,
    build,
    load_prompts,
    load_public_prompts,
)
from distilpipe.evaluate.text import HAN_CHAR
from distilpipe.world import World

ROOT = Path(__file__).resolve().parents[2]


def test_every_record_is_in_ifevals_layout_with_known_ids_and_accepted_kwargs() -> None:
    lines = PACKAGED_PROMPTS.read_text(encoding="utf-8").splitlines()
    for line in lines:
        record = json.loads(line)
        assert set(record) == {"key", "prompt", "instruction_id_list", "kwargs"}
        assert len(record["instruction_id_list"]) == len(record["kwargs"])
        assert len(set(record["instruction_id_list"])) == len(record["instruction_id_list"])
        for instruction_id, kwargs in zip(
            record["instruction_id_list"], record["kwargs"], strict=True
        ):
            assert instruction_id in INSTRUCTIONS
            build(instruction_id, kwargs)  # raises on an argument its checker rejects
    assert len(load_prompts()) == len(lines)  # keys unique, every record parses


def test_the_set_has_at_least_120_prompts_in_both_languages_covering_the_worlds_types() -> None:
    """The packaged set is the tiny world's: every constraint type the world has (a dozen of
    the 25; the checkers' own tests cover all 25)."""
    prompts = load_prompts()
    assert len(prompts) >= 120
    langs = Counter("zh" if HAN_CHAR.search(p.prompt) else "en" for p in prompts)
    assert langs["en"] >= 50 and langs["zh"] >= 50
    used = {i for p in prompts for i in p.instruction_id_list}
    assert used == {c.id for c in World(ROOT / "data/world").constraints.values()}


def test_repeat_prompt_records_ask_to_repeat_text_that_opens_their_prompt() -> None:
    for prompt in load_prompts():
        for instruction, kwargs in zip(prompt.instruction_id_list, prompt.kwargs, strict=True):
            if instruction == "combination:repeat_prompt":
                assert prompt.prompt.startswith(kwargs["prompt_to_repeat"])


def test_the_public_set_is_ifevals_541_prompts_pinned_and_every_record_builds() -> None:
    """google-research's input_data.jsonl, byte for byte as its SOURCE note pins it."""
    source = (PUBLIC_PROMPTS.parent / "ifeval_public.SOURCE.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(PUBLIC_PROMPTS.read_bytes()).hexdigest()
    assert f"`{digest}`" in source
    assert "19638399cc9e03623c5b9087a1d6fa8813974ce9" in source
    assert "541" in ifeval.PUBLIC_SET_NAME and "@1963839)" in ifeval.PUBLIC_SET_NAME
    prompts = load_public_prompts()  # every record parses and builds; keys unique
    assert len(prompts) == 541
    used = Counter(i for p in prompts for i in p.instruction_id_list)
    assert set(used) == set(INSTRUCTIONS)  # all 25 types
    assert sum(used.values()) == 834
