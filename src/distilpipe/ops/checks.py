"""Checks on what a teacher wrote, shared by every stage that has a model rewrite text
(translate, expand, multi-turn, rewrite, self-distill).

Each check is a small pure function; a stage turns a failed check into a counted reject
reason. They work on plain strings, so a stage can test a whole conversation turn by turn.

- `code_blocks` / `latex_spans` / `urls`: what must survive a translation or a rewrite
  unchanged.
- `lost`: the items of one list missing from another (as multisets).
- `final_answer`: the final numeric answer of a worked solution (`\\boxed{}`, "The answer
  is ...", "答案是...", or a number alone on the last line).
- `languages`: the pool's language id (same detector, same rules) over many texts;
  `short_prose`: whether a text is too short on prose for it to be sure.
- `length_ratio`, `near_duplicate`: how much longer, how similar; `text_units`: a length
  that compares across English and Chinese.
- `same_turns`: whether a rewritten conversation kept every turn, role for role.
- `reply_problem`: why a model's reply (a Generation, or the LLM layer's Failure) cannot be
  kept: not made (too long for the model's context, failed), cut off, or empty.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

import polars as pl

from distilpipe.llm.types import Failure, Generation, TooLong
from distilpipe.ops.langid import SHORT_PROSE_LETTERS, detect_languages, prose
from distilpipe.ops.near_dedup import jaccard, shingle

# A fenced block: ``` or ~~~ (3 or more), an optional info string, the body, the same fence.
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n(.*?)^[ \t]*\1[ \t]*$", re.S | re.M)
# Display math first ($$..$$, \[..\]), then inline (\(..\), $..$). Inline $..$ must hug its
# content ("$x$", not "$ 5 and $") and must not be followed by a digit (prices: "$5 or $6").
_LATEX = re.compile(
    r"\$\$(.+?)\$\$"
    r"|\\\[(.+?)\\\]"
    r"|\\\((.+?)\\\)"
    r"|(?<![\\$])\$(?=\S)([^$\n]+?)(?<=\S)\$(?!\d)",
    re.S,
)
_NUMBER = r"-?\d[\d,]*(?:\.\d+)?(?:/\d+)?"
_BOXED = re.compile(r"\\boxed\{")
_ANSWER_IS = re.compile(
    r"(?:the\s+(?:final\s+)?answer\s+is|answer\s*:|final\s+answer\s*[:：]?)\s*[:：]?\s*\$?\s*("
    + _NUMBER
    + ")",
    re.I,
)
_ANSWER_IS_ZH = re.compile(r"(?:最终)?答案(?:是|为|：|:)\s*[:：]?\s*\$?\s*(" + _NUMBER + ")")
_LAST_LINE_NUMBER = re.compile(r"^[^\w\-]*(" + _NUMBER + r")[^\w]*$")
# A URL ends at whitespace, a quote or bracket, or CJK punctuation; a trailing ASCII
# punctuation mark ends the sentence, not the URL.
_URL = re.compile(r"https?://[^\s<>\"'`\u3000-\u303f\uff01-\uff60]+")
_URL_TRAILING = ".,;:!?)]}"
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_WORD = re.compile(f"[^\\W{_CJK}]+")
WORD_UNITS = 1.5  # a word of English (or another spaced script) per CJK character


def code_blocks(text: str) -> list[str]:
    """The bodies of the fenced code blocks in `text`, in order (trailing spaces per line
    ignored: a model re-emitting a block often drops them)."""
    return [_strip_lines(m.group(2)) for m in _FENCE.finditer(text)]


def latex_spans(text: str) -> list[str]:
    """The LaTeX spans in `text` outside code blocks, delimiters included, whitespace
    inside collapsed: `$$..$$`, `\\[..\\]`, `\\(..\\)` and `$..$`."""
    prose = _FENCE.sub("\n", text)
    return [re.sub(r"\s+", " ", m.group(0)) for m in _LATEX.finditer(prose)]


def urls(text: str) -> list[str]:
    """The http(s) URLs in `text`, in order, without trailing sentence punctuation."""
    return [m.group(0).rstrip(_URL_TRAILING) for m in _URL.finditer(text)]


def lost(before: Sequence[str], after: Sequence[str]) -> list[str]:
    """Items of `before` that `after` does not have as many times (multiset difference)."""
    missing = Counter(before) - Counter(after)
    out: list[str] = []
    for item in before:
        if missing[item] > 0:
            missing[item] -= 1
            out.append(item)
    return out


def final_answer(text: str) -> str | None:
    """The final answer of a solution, or None when it states none.

    The last `\\boxed{}` wins, then the last "The answer is N" / "答案是 N", then a number
    standing alone on the last non-empty line. Numbers are normalised ("1,000" -> "1000",
    "2.50" -> "2.5"); a boxed expression is kept as written, spaces removed."""
    boxed = _last_boxed(text)
    if boxed is not None:
        boxed = re.sub(r"\s+", "", boxed)
        return _normalise_number(boxed) if re.fullmatch(_NUMBER, boxed) else boxed
    for pattern in (_ANSWER_IS, _ANSWER_IS_ZH):
        found = pattern.findall(text)
        if found:
            return _normalise_number(found[-1])
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if lines:
        match = _LAST_LINE_NUMBER.match(lines[-1].strip())
        if match:
            return _normalise_number(match.group(1))
    return None


def languages(texts: Sequence[str], detector: str = "fasttext") -> list[str]:
    """The language of each text as the pool decides it (ISO 639-1 or 'und')."""
    if not texts:
        return []
    frame = detect_languages(pl.Series(list(texts), dtype=pl.String), detector=detector)
    return frame["lang"].to_list()


def short_prose(texts: Sequence[str]) -> list[bool]:
    """Whether each text has too little prose (code, LaTeX, markup and digits removed) for
    a confident language id: under the pool's SHORT_PROSE_LETTERS letters. Such a text may
    read as `und`, and so may a faithful translation of it ("讲个笑话吧", "Tell me a joke.")."""
    if not texts:
        return []
    letters = prose(pl.Series(list(texts), dtype=pl.String)).str.count_matches(r"\p{L}")
    return (letters < SHORT_PROSE_LETTERS).to_list()


def length_ratio(new: str, old: str) -> float:
    """len(new) / len(old) in characters; an empty original counts as one character."""
    return len(new) / max(1, len(old))


def text_units(text: str) -> float:
    """A length that compares across scripts: each CJK character (Han, kana, Hangul) counts
    1 and each other word (a run of letters or digits) counts `WORD_UNITS` (an English word
    translates into about one and a half Chinese characters), so a faithful translation
    between English and Chinese keeps roughly the same number of units."""
    return len(_CJK_CHAR.findall(text)) + WORD_UNITS * len(_WORD.findall(text))


def near_duplicate(a: str, b: str, threshold: float, ngram: int = 3) -> bool:
    """Whether two texts' shingle sets (the pool's near-dedup shingles) have a Jaccard
    similarity of at least `threshold`."""
    shingles = shingle(pl.Series([a, b], dtype=pl.String), ngram)
    first, second = shingles.of(0), shingles.of(1)
    if first.size == 0 or second.size == 0:
        return first.size == second.size
    return jaccard(first, second) >= threshold


def same_turns(before: Sequence[Mapping[str, str]], after: Sequence[Mapping[str, str]]) -> bool:
    """Whether `after` has as many turns as `before`, with the same roles in the same order
    (a turn dropped or merged into its neighbour fails)."""
    return [m["role"] for m in before] == [m["role"] for m in after]


def reply_problem(out: Generation | Failure) -> str | None:
    """Why a reply cannot be kept, or None: `too_long` (the prompt and its new tokens did not
    fit the model, so no call was made), `failed` (after the LLM layer's retries), `cut_off`
    (it stopped at the token limit, finish reason `length`), `empty` (only whitespace)."""
    if isinstance(out, Failure):
        return "too_long" if isinstance(out, TooLong) else "failed"
    if out.finish_reason == "length":
        return "cut_off"
    if not out.text.strip():
        return "empty"
    return None


def _strip_lines(body: str) -> str:
    return "\n".join(line.rstrip() for line in body.strip("\n").splitlines())


def _last_boxed(text: str) -> str | None:
    starts = [m.end() for m in _BOXED.finditer(text)]
    if not starts:
        return None
    start, depth = starts[-1], 1
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start:i]
    return None  # unbalanced: cut off mid-answer


def _normalise_number(number: str) -> str:
    number = number.replace(",", "")
    if "." in number and "/" not in number:
        number = number.rstrip("0").rstrip(".")
    return number
