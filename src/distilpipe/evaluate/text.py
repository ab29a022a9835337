"""Words, sentences and paragraphs of English and Chinese text, without downloads.

IFEval counts words with nltk's `\\w+` tokenizer and sentences with nltk's punkt model,
whose data cannot be fetched here. These functions replace both and also read Chinese:

- A word is a run of word characters (`\\w+`, as IFEval's tokenizer: nltk compiles it with the
  `regex` engine, whose `\\w` keeps a combining mark in its word, as Devanagari's vowel signs,
  where Python's `re` cuts the word there) that holds no Chinese character, or one Chinese
  (Han) character on its own. Chinese is written without spaces,
  so `\\w+` would count a whole clause as one word; a dictionary segmenter (jieba) needs a
  dictionary download and gives different counts between versions. Counting characters is
  also how Chinese states length: "不少于300字" means 300 characters. So "Hello world" is 2
  words, "你好世界" is 4, and "用Python写代码" is 5 (用, Python, 写, 代, 码).
- A sentence ends at `.`, `!` or `?` (one or more, then any closing quotes or brackets)
  followed by whitespace, a Chinese character or the end of the text, and at `。`, `！`,
  `？` (full-width, which need no space after them). A `.` does not end a sentence after a
  common abbreviation (`Mr.`, `Dr.`, `e.g.`, `vs.`, ...), a single letter (`J. Smith`) or
  an acronym written with dots (`U.S.`, `p.m.`), nor inside a number (`3.14`, which has no
  space after the dot). Text after the last terminator is a sentence too, as in punkt; a
  bare line break is not a boundary, as in punkt.
"""

from __future__ import annotations

import re

import regex

# Han ideographs: the CJK Unified Ideographs, Extension A, the compatibility block, and the
# supplementary-plane extensions B onwards.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN_CHAR = re.compile(f"[{HAN}]")
_WORD = regex.compile(rf"[{HAN}]|[^\W{HAN}]+")  # regex's \w: letters, marks, digits, _

_CLOSERS = r"\"'”’」』)）\]"
_BOUNDARY = re.compile(rf"(?P<mark>[.!?]+|[。！？]+)[{_CLOSERS}]*")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "jr",
        "sr",
        "inc",
        "ltd",
        "co",
        "vs",
        "fig",
        "no",
        "approx",
        "dept",
        "est",
        "capt",
        "lt",
        "gen",
    ]
)
_DOTTED_ACRONYM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")


def words(text: str) -> list[str]:
    """The words of `text`, in order (see the module docstring for what a word is)."""
    return _WORD.findall(text)


def count_words(text: str) -> int:
    """How many words `text` has: `len(words(text))`."""
    return len(words(text))


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped, none empty (see the module docstring)."""
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        mark = match.group("mark")
        if mark[0] in ".!?":
            follows = text[end] if end < len(text) else ""
            if follows and not follows.isspace() and not HAN_CHAR.match(follows):
                continue  # 3.14, example.com, "Wait!said he"
            if mark == "." and _dot_is_not_a_stop(text[start : match.start()]):
                continue
        piece = text[start:end].strip()
        if piece:
            sentences.append(piece)
        start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def count_sentences(text: str) -> int:
    """How many sentences `text` has: `len(split_sentences(text))`."""
    return len(split_sentences(text))


def _dot_is_not_a_stop(before: str) -> bool:
    """Whether a single `.` after `before` closes an abbreviation, initial or acronym."""
    parts = before.split()
    if not parts:
        return False
    word = parts[-1].lstrip("\"'“‘(（[")
    if len(word) == 1 and word.isascii() and word.isalpha():
        return True  # an initial: "J. Smith"
    return word.lower() in _ABBREVIATIONS or bool(_DOTTED_ACRONYM.fullmatch(word))
