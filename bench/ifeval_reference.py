"""distilpipe's IFEval checkers against the original's, on fuzzed English responses.

    python bench/ifeval_reference.py REFERENCE_DIR [--responses 4000] [--seed 0]
                                     [--public input_data.jsonl]

REFERENCE_DIR holds the original checkers as lm-eval ships them (a verbatim copy of
google-research's instruction_following_eval) and their imports, none of which distilpipe
depends on. One way to make it, with the network to PyPI:

    pip download --no-deps lm_eval==0.4.13 -d ref
    unzip -q ref/lm_eval-*.whl 'lm_eval/tasks/ifeval/*' -d ref/ext
    touch ref/ext/lm_eval/__init__.py ref/ext/lm_eval/tasks/__init__.py
    pip install --target ref/site nltk immutabledict
    # instructions_util.py downloads nltk's punkt at import: comment out that one call
    python bench/ifeval_reference.py ref

Builds random responses from fragments that each checker reacts to (keywords, commas,
`***`, `******`, bullets, placeholders, titles, JSON, postscripts, quotes, line breaks),
then scores every response under both implementations, strictly and loosely (the loose
variants rebuilt here as the original's evaluation_lib builds them), and prints the count
of disagreements per instruction. Covered: the 20 instruction types that need neither nltk's
punkt data (sentences, capital words) nor a language detector (distilpipe uses fastText,
the original langdetect, so those differ by design), on ASCII English text (distilpipe's
Chinese rules are extensions the original does not have). 2026-12-01: 192,000 comparisons,
0 disagreements. With `--public` (IFEval's own `data/input_data.jsonl`), the instruction
settings are every one of the public set's of those types (660; the two `letter_frequency`
records naming `#` and `!` left out, where the original draws a random letter), and the
fragments include their keywords and phrases. 2026-12-01, `--responses 300`: 396,000
comparisons, 0 disagreements.

Then the capital-word count (`change_case:capital_word_frequency`), whose original cuts
words with nltk's `word_tokenize`: its word tokenizer needs no data (only the sentence
splitter in front of it does, which moves nothing but a final full stop), so the counts of
all-capital words are compared on fuzzed text with acronyms, contractions, hyphens, slashes
and underscores (URLs left out: nltk keeps `//X.COM` whole). 2026-12-01: 5,000 texts, 0
disagreements.
"""

from __future__ import annotations

import argparse
import importlib
import json
import random
import sys
from pathlib import Path
from typing import Any

from distilpipe.evaluate import ifeval

FRAGMENTS = [
    *("Tea", "tea", "coffee", "very", "Very", "really", "cat", "concatenate", "zebra", "zz"),
    *("NASA", "OK", ",", ".", "!", "?", " ", " ", " ", "\n", "\n\n", "*", "**", "***"),
    *("******", "[x]", "[name]", "<<Title>>", "<< >>", "P.S.", "p. s.", "P.P.S", "* item"),
    *("- item", '"', "Section 1", "Section 2", "SECTION 3", '{"a": 1}', "```json", "```"),
    *("My answer is yes.", "My answer is maybe", "Any other questions?", "however"),
    *("However,", "'quoted'", "simple", "Simple", "sImple", "rain", "Name a fruit.", "The"),
    "and",
]
CAPITAL_FRAGMENTS = [
    *("NASA", "NASA's", "DON'T", "don't", "WELL-KNOWN", "well-known", "A", "a", "I", "OK."),
    *("U.S.", "Hello", "HELLO!", "It's", "IT'S", "x-RAY", "X-RAY", "(BIG)", '"LOUD"', "e.g."),
    *("FAQ,", "3D", "CO2", "MIXed", "...", "--", "ABC-def", "U.S.A.", "A.I.", "N.Y.C"),
    *("snake_CASE", "FOO_BAR", "I'M", "WE'LL", "CAN'T", "Mr.", "DR.", "3.5", "V2.0", "#TAG"),
    *("@USER", "E-MAIL", "NO.", "END.\nNEW", "Q&A", "R&D", "A/B", "TCP/IP", "THE END."),
]
CASES: list[tuple[str, dict[str, Any]]] = [
    ("keywords:existence", {"keywords": ["tea", "zebra"]}),
    ("keywords:frequency", {"keyword": "simple", "frequency": 2, "relation": "at least"}),
    ("keywords:frequency", {"keyword": "tea", "frequency": 2, "relation": "less than"}),
    ("keywords:forbidden_words", {"forbidden_words": ["very", "cat"]}),
    ("keywords:letter_frequency", {"letter": "z", "let_frequency": 3, "let_relation": "at least"}),
    ("keywords:letter_frequency", {"letter": "a", "let_frequency": 4, "let_relation": "less than"}),
    ("length_constraints:number_paragraphs", {"num_paragraphs": 2}),
    ("length_constraints:number_words", {"num_words": 12, "relation": "at least"}),
    ("length_constraints:number_words", {"num_words": 8, "relation": "less than"}),
    (
        "length_constraints:nth_paragraph_first_word",
        {"num_paragraphs": 2, "nth_paragraph": 2, "first_word": "however"},
    ),
    ("detectable_content:postscript", {"postscript_marker": "P.S."}),
    ("detectable_content:postscript", {"postscript_marker": "P.P.S"}),
    ("detectable_content:number_placeholders", {"num_placeholders": 2}),
    ("detectable_format:number_bullet_lists", {"num_bullets": 2}),
    ("detectable_format:constrained_response", {}),
    ("detectable_format:number_highlighted_sections", {"num_highlights": 2}),
    ("detectable_format:multiple_sections", {"section_spliter": "Section", "num_sections": 2}),
    ("detectable_format:json_format", {}),
    ("detectable_format:title", {}),
    ("combination:two_responses", {}),
    ("combination:repeat_prompt", {"prompt_to_repeat": "Name a fruit."}),
    ("startend:end_checker", {"end_phrase": "Any other questions?"}),
    ("startend:quotation", {}),
    ("punctuation:no_comma", {}),
]


NEEDS_NLTK_OR_DETECTOR = frozenset(
    {
        "language:response_language",
        "change_case:english_capital",
        "change_case:english_lowercase",
        "length_constraints:number_sentences",
        "change_case:capital_word_frequency",
    }
)


def public_cases(path: Path) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """The public set's instruction settings this script can compare, and their phrases."""
    cases: list[tuple[str, dict[str, Any]]] = []
    phrases: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for instruction_id, raw in zip(
            record["instruction_id_list"], record["kwargs"], strict=True
        ):
            kwargs = {k: v for k, v in raw.items() if v is not None}
            if instruction_id in NEEDS_NLTK_OR_DETECTOR:
                continue
            if instruction_id == "keywords:letter_frequency" and not kwargs["letter"].isalpha():
                continue
            cases.append((instruction_id, kwargs))
            for value in kwargs.values():
                if isinstance(value, str):
                    phrases.add(value)
                elif isinstance(value, list):
                    phrases.update(value)
    return cases, sorted(phrases)


def original_loose(checker: Any, response: str) -> bool:
    """The original's loose rule, as its evaluation_lib writes it."""
    lines = response.split("\n")
    first = "\n".join(lines[1:]).strip()
    last = "\n".join(lines[:-1]).strip()
    both = "\n".join(lines[1:-1]).strip()
    variants = [response, response.replace("*", ""), first, last, both]
    variants += [first.replace("*", ""), last.replace("*", ""), both.replace("*", "")]
    return any(v.strip() and checker.check_following(v) for v in variants)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference_dir", type=Path)
    parser.add_argument("--responses", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--public", type=Path, help="IFEval's data/input_data.jsonl")
    args = parser.parse_args()
    cases, fragments = CASES, FRAGMENTS
    if args.public is not None:
        cases, phrases = public_cases(args.public)
        fragments = FRAGMENTS + phrases
    sys.path[:0] = [str(args.reference_dir / "site"), str(args.reference_dir / "ext")]
    registry = importlib.import_module("lm_eval.tasks.ifeval.instructions_registry")

    rng = random.Random(args.seed)
    compared = 0
    disagreements: dict[str, list[str]] = {}
    for _ in range(args.responses):
        pieces = (rng.choice(fragments) + rng.choice(("", " ")) for _ in range(rng.randint(1, 25)))
        response = "".join(pieces)
        for instruction_id, kwargs in cases:
            original = registry.INSTRUCTION_DICT[instruction_id](instruction_id)
            original.build_description(**kwargs)
            ours = ifeval.build(instruction_id, kwargs)
            strict = bool(response.strip() and original.check_following(response))
            for loose, expected in ((False, strict), (True, original_loose(original, response))):
                compared += 1
                if ifeval.follows(ours, response, loose) != expected:
                    key = f"{instruction_id} ({'loose' if loose else 'strict'})"
                    disagreements.setdefault(key, []).append(response)
    print(f"{compared:,} comparisons over {len(cases)} instruction settings")
    print(f"{sum(map(len, disagreements.values())):,} disagreements")
    for key, responses in sorted(disagreements.items()):
        print(f"  {key}: {len(responses)}, e.g. {responses[0][:120]!r}")

    tokenizer = importlib.import_module("nltk.tokenize").NLTKWordTokenizer()
    differ: list[str] = []
    texts = 5000
    for _ in range(texts):
        sample = " ".join(rng.choice(CAPITAL_FRAGMENTS) for _ in range(rng.randint(1, 12)))
        nltk_count = sum(word.isupper() for word in tokenizer.tokenize(sample))
        relation = {"capital_relation": "at least"}
        ours = ifeval.build(
            "change_case:capital_word_frequency", {"capital_frequency": nltk_count, **relation}
        )
        more = ifeval.build(
            "change_case:capital_word_frequency", {"capital_frequency": nltk_count + 1, **relation}
        )
        if not ours.check(sample) or more.check(sample):
            differ.append(sample)
    print(f"capital words: {texts:,} texts, {len(differ):,} counts differ from nltk's")
    for sample in differ[:5]:
        print(f"  e.g. {sample!r}")


if __name__ == "__main__":
    main()
