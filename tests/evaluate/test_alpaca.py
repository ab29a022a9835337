import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pytest

from distilpipe.errors import InputError
from distilpipe.evaluate.alpaca import (
    VERDICTS,
    judge_pair_prompt,
    load_hub_instructions,
    load_instructions,
    pair_preference,
    pair_preference_from_probs,
    parse_verdict,
    standardised_length_difference,
    verdict_probability,
    win_rates,
)
from distilpipe.evaluate.hub import EvalDataError
from distilpipe.evaluate.text import HAN_CHAR
from distilpipe.prompts import PROMPTS_DIR, template_file

N = 400
LANGS = ("en", "zh")


def lengths(seed: int) -> tuple[np.ndarray, np.ndarray, np.random.Generator]:
    """Reference answers of 200-2000 characters; the model's are ~1.5x longer (80% longer)."""
    rng = np.random.default_rng(seed)
    reference = rng.uniform(200, 2000, N)
    model = reference * rng.lognormal(0.4, 0.5, N)
    return model, reference, rng


def swapped_judgements(rng: np.random.Generator, p_model: np.ndarray) -> np.ndarray:
    """Two verdicts per pair (positions swapped), each a win for the model with p_model."""
    first = rng.uniform(size=N) < p_model
    second = rng.uniform(size=N) < p_model
    return (first.astype(float) + second.astype(float)) / 2


def test_a_judge_that_prefers_only_the_longer_answer_gives_lc_near_50() -> None:
    model, reference, rng = lengths(0)
    # The judge's odds depend on the length difference alone, in the GLM's own form.
    p_model = 1 / (1 + np.exp(-4 * np.tanh(standardised_length_difference(model, reference))))
    rates = win_rates(swapped_judgements(rng, p_model), model, reference)
    assert rates.win_rate > 65  # the longer model looks much better than it is
    assert abs(rates.lc_win_rate - 50) < 6  # sampling noise over 30 seeds stayed within 5
    assert rates.length_weight > 2


def test_with_exact_preferences_the_glm_recovers_the_judges_weights() -> None:
    model, reference, _ = lengths(1)
    z = np.tanh(standardised_length_difference(model, reference))
    for strength in (-1.0, 0.0, 1.0):
        p = 1 / (1 + np.exp(-(strength + 2.0 * z)))
        rates = win_rates(p, model, reference)
        assert rates.lc_win_rate == pytest.approx(100 / (1 + math.exp(-strength)), abs=0.1)
        assert rates.length_weight == pytest.approx(2.0, abs=0.02)
        assert rates.win_rate > rates.lc_win_rate  # the model is longer, so raw overstates it


@pytest.mark.parametrize("p_win", [0.3, 0.8])
def test_a_judge_that_prefers_one_model_regardless_of_length_gives_lc_that_follows_it(
    p_win: float,
) -> None:
    model, reference, rng = lengths(2)
    rates = win_rates(swapped_judgements(rng, np.full(N, p_win)), model, reference)
    # Bounds from sampling noise: over 30 seeds LC stayed within 3.5 points of 100 * p_win.
    assert abs(rates.lc_win_rate - 100 * p_win) < 4
    assert abs(rates.lc_win_rate - rates.win_rate) < 4
    assert abs(rates.length_weight) < 0.5


def test_the_sign_of_the_length_difference_follows_the_model() -> None:
    # The same length-loving judge, but now the reference is the longer one: raw falls
    # far below 50, LC stays near it.
    reference, model, rng = lengths(3)
    p_model = 1 / (1 + np.exp(-4 * np.tanh(standardised_length_difference(model, reference))))
    rates = win_rates(swapped_judgements(rng, p_model), model, reference)
    assert rates.win_rate < 35
    assert abs(rates.lc_win_rate - 50) < 6


def test_without_length_spread_lc_is_the_raw_rate() -> None:
    rates = win_rates([1.0, 0.5, 0.0, 1.0], [100, 200, 300, 400], [50, 150, 250, 350])
    assert rates.win_rate == pytest.approx(62.5)
    # Not exact: the L1 penalty (C = 100) pulls the model weight towards 0 on 4 instructions.
    assert rates.lc_win_rate == pytest.approx(62.5, abs=0.5)
    assert rates.length_weight == 0.0


def test_unanimous_verdicts_give_0_and_100() -> None:
    assert win_rates([1.0, 1.0], [10, 20], [30, 5]).lc_win_rate == 100.0
    assert win_rates([0.0, 0.0], [10, 20], [30, 5]).lc_win_rate == 0.0


def test_the_same_input_gives_the_same_numbers() -> None:
    model, reference, rng = lengths(4)
    p = swapped_judgements(rng, np.full(N, 0.6))
    assert win_rates(p, model, reference) == win_rates(p.tolist(), model, reference)


@pytest.mark.parametrize(
    ("preference", "model", "reference", "message"),
    [
        ([], [], [], "no judgements"),
        ([0.5], [1, 2], [1], "1 preferences but 2 model"),
        ([1.5], [1], [1], r"in \[0, 1\]"),
        ([float("nan")], [1], [1], r"in \[0, 1\]"),
        ([0.5], [-1], [1], "model length"),
        ([0.5], [1], [float("inf")], "reference length"),
    ],
)
def test_bad_input_raises(
    preference: list[float], model: list[float], reference: list[float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        win_rates(preference, model, reference)


# --- the instruction set ------------------------------------------------------------------


def test_the_packaged_set_has_100_instructions_half_english_half_chinese() -> None:
    instructions = load_instructions()
    assert len(instructions) >= 100
    chinese = [i for i in instructions if HAN_CHAR.search(i.instruction)]
    assert len(chinese) >= 50 and len(instructions) - len(chinese) >= 50
    for item in instructions:
        lang = "zh" if HAN_CHAR.search(item.instruction) else "en"
        assert item.dataset == f"tiny_world_{lang}"


def test_bad_instruction_records_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    good = {"instruction": "Say hi.", "dataset": "x"}
    for record, message in [
        ({"instruction": " ", "dataset": "x"}, "instruction must be"),
        ({"instruction": "Hi", "dataset": ""}, "dataset must be"),
        (good, "appears twice"),
    ]:
        path.write_text(json.dumps(good) + "\n" + json.dumps(record) + "\n")
        with pytest.raises(InputError, match=message) as info:
            load_instructions(path)
        assert str(info.value).startswith(f"{path}:2: ")


def test_the_public_set_fails_with_one_clear_line_when_it_cannot_be_loaded(
    hub_offline: None,
) -> None:
    with pytest.raises(EvalDataError) as info:
        load_hub_instructions("tatsu-lab/alpaca_eval-not-cached-here")
    assert "\n" not in str(info.value)
    assert str(info.value).startswith(
        "cannot load AlpacaEval instructions from "
        "hf://datasets/tatsu-lab/alpaca_eval-not-cached-here/alpaca_eval.json"
    )


def test_a_pinned_public_set_is_read_at_its_commit(hub_offline: None) -> None:
    with pytest.raises(EvalDataError) as info:
        load_hub_instructions("tatsu-lab/alpaca_eval-not-cached-here", revision="abc123")
    assert "hf://datasets/tatsu-lab/alpaca_eval-not-cached-here@abc123/alpaca_eval.json" in str(
        info.value
    )


# --- judging a pair -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_pair_prompt_puts_the_model_first_or_second(lang: str) -> None:
    first, digest = judge_pair_prompt("INSTR", "MODEL-OUT", "REF-OUT", True, lang)
    second, _ = judge_pair_prompt("INSTR", "MODEL-OUT", "REF-OUT", False, lang)
    assert first.index("INSTR") < first.index("MODEL-OUT") < first.index("REF-OUT")
    assert second.index("INSTR") < second.index("REF-OUT") < second.index("MODEL-OUT")
    assert first == first.strip()  # the reply's first token is the letter
    path = PROMPTS_DIR / template_file("alpaca_pairwise", lang)
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("text", "verdict"),
    [("1", "1"), (" 2\n", "2"), ("**2**", "2"), ('"1"', "1"), ("1.", "1"), ("2。", "2")],
)
def test_verdicts_that_parse(text: str, verdict: str) -> None:
    assert parse_verdict(text) == verdict


@pytest.mark.parametrize(
    "text", ["Output 1", "1 or 2", "12", "3", "0", "1, because", "１", "one", "A", "", " "]
)
def test_verdicts_that_do_not_parse(text: str) -> None:
    assert parse_verdict(text) is None


def test_pair_preference_from_two_swapped_verdicts() -> None:
    assert pair_preference("1", "2") == 1.0  # the model won in both positions
    assert pair_preference("1", "1") == 0.5  # the judge always picks 1: position, not quality
    assert pair_preference("2", "1") == 0.0
    assert pair_preference(None, "2") is None
    assert pair_preference("1", None) is None


def test_pair_preference_from_probabilities() -> None:
    # First: model is output 1, P("1") = 0.9 of the 1+2 mass. Second: model is 2, P("2") = 0.7.
    first = {"1": 0.45, "2": 0.05, "3": 0.5}
    second = {"1": 0.3, "2": 0.7}
    assert pair_preference_from_probs(first, second) == pytest.approx((0.9 + 0.7) / 2)
    assert verdict_probability({"1": 0.0}) is None
    assert pair_preference_from_probs({"2": 1.0}, {"X": 1.0}) is None
    with pytest.raises(ValueError, match="not a finite value"):
        verdict_probability({"1": -0.1, "2": 0.5})


def test_the_pair_prompt_makes_the_next_token_the_digit() -> None:
    # As judge_logprob: for logprob judging, the judge's reply must open with "1" or "2" as
    # one token, in a raw completion and after the chat template opens the reply.
    from distilpipe.bootstrap import train_tokenizer

    prompts = [judge_pair_prompt("Say hi.", "Hi!", "Hello.", True, lang)[0] for lang in LANGS]
    # The corpus holds the prompts followed by the digits, so a merge ":1" could be learnt
    # if the pre-tokenizer allowed it (it does for letters: ":A" would be one token).
    corpus = [*(p + d for p in prompts for d in VERDICTS), "1 or 2? 1. 2.", *prompts] * 3
    tokenizer = train_tokenizer(corpus, vocab_size=600)
    for prompt in prompts:
        for digit in VERDICTS:
            token = tokenizer.convert_tokens_to_ids(digit)
            alone = tokenizer.encode(prompt, add_special_tokens=False)
            assert tokenizer.encode(prompt + digit, add_special_tokens=False) == [*alone, token]
            chat = tokenizer.apply_chat_template(
                [{"role": "user", "content": prompt}], add_generation_prompt=True, tokenize=False
            )
            opened = tokenizer.encode(chat, add_special_tokens=False)
            assert tokenizer.encode(chat + digit, add_special_tokens=False) == [*opened, token]
