import hashlib
import shutil
from pathlib import Path

import pytest

from distilpipe.bootstrap import train_tokenizer
from distilpipe.prompts import PROMPTS_DIR, PromptError, PromptLibrary, render, template_file

NAMES = ("judge_logprob", "judge_generate")
LANGS = ("en", "zh")
INSTRUCTION = {
    "en": "Write a haiku about autumn rain on a tin roof.",
    "zh": "写一首关于秋雨落在铁皮屋顶上的俳句。",
}
ANSWER = {
    "en": "Tin roof drums softly /\nautumn rain counts the hours /\n<b>{{ answer }}</b> & more",
    "zh": "铁皮屋顶上，\n秋雨轻敲数时辰，\n<b>{{ answer }}</b>",
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", NAMES)
def test_each_template_renders_the_instruction_and_answer(name: str, lang: str) -> None:
    text, digest = render(name, lang, instruction=INSTRUCTION[lang], answer=ANSWER[lang])
    # Values go in verbatim: not escaped, not evaluated as template code.
    assert INSTRUCTION[lang] in text
    assert ANSWER[lang] in text
    assert text.index(INSTRUCTION[lang]) < text.index(ANSWER[lang])
    assert "{#" not in text and "#}" not in text
    assert text == text.strip()  # no message starts or ends in whitespace
    path = PROMPTS_DIR / template_file(name, lang)
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()


def test_language_selects_the_file() -> None:
    assert template_file("judge_logprob", "zh") == "judge_logprob.zh.jinja"
    for lang in ("en", "und", "fr", ""):
        assert template_file("judge_logprob", lang) == "judge_logprob.en.jinja"
    zh, zh_hash = render("judge_logprob", "zh", instruction="问", answer="答")
    und, und_hash = render("judge_logprob", "und", instruction="问", answer="答")
    en, en_hash = render("judge_logprob", "en", instruction="问", answer="答")
    assert "准确性" in zh and "accuracy" in en
    assert (und, und_hash) == (en, en_hash) != (zh, zh_hash)


@pytest.mark.parametrize("lang", LANGS)
def test_templates_ask_for_the_rubric_and_the_output_format(lang: str) -> None:
    logprob, _ = render("judge_logprob", lang, instruction="q", answer="a")
    generate, _ = render("judge_generate", lang, instruction="q", answer="a")
    rubric = (
        ("accuracy", "relevance", "helpfulness", "level of detail")
        if lang == "en"
        else ("准确性", "相关性", "有用性", "详细程度")
    )
    for text in (logprob, generate):
        assert all(word in text for word in rubric)
        assert "0" in text and "9" in text
    assert logprob.endswith("Score:" if lang == "en" else "评分：")
    assert ('"Score: N"' if lang == "en" else "“评分：N”") in generate


def test_hash_follows_the_template_bytes(tmp_path: Path) -> None:
    folder = tmp_path / "prompts"
    shutil.copytree(PROMPTS_DIR, folder)
    library = PromptLibrary(folder)
    text, digest = library.render("judge_generate", "en", instruction="q", answer="a")
    assert (text, digest) == render("judge_generate", "en", instruction="q", answer="a")

    path = folder / "judge_generate.en.jinja"
    path.write_bytes(path.read_bytes().replace(b"briefly", b"Briefly", 1))
    new_text, new_digest = library.render("judge_generate", "en", instruction="q", answer="a")
    assert new_digest != digest
    assert new_digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "Briefly" in new_text

    # The other templates, and the packaged ones, are untouched.
    assert library.render("judge_logprob", "en", instruction="q", answer="a") == render(
        "judge_logprob", "en", instruction="q", answer="a"
    )


def test_a_missing_variable_is_a_clear_error() -> None:
    with pytest.raises(PromptError, match=r"judge_logprob\.zh\.jinja: 'answer' is undefined"):
        render("judge_logprob", "zh", instruction="q")


def test_a_missing_template_is_a_clear_error() -> None:
    with pytest.raises(PromptError, match=r"no prompt template .*judge_nothing\.en\.jinja"):
        render("judge_nothing", "en", instruction="q", answer="a")


def test_logprob_prompts_make_the_next_token_the_digit() -> None:
    prompts = [
        render("judge_logprob", lang, instruction=INSTRUCTION[lang], answer=ANSWER[lang])[0]
        for lang in LANGS
    ]
    corpus = [
        "Score: 7. The answer scores 8 out of 9; 评分：6。",
        "Reply with one digit from 0 to 9 and nothing else.",
        "请只回复一个 0 到 9 之间的数字。",
        *prompts,
    ] * 3
    tokenizer = train_tokenizer(corpus, vocab_size=600)
    seven = tokenizer.convert_tokens_to_ids("7")
    for prompt in prompts:
        # As a raw completion: the prompt's own tokens, then exactly one token for "7".
        alone = tokenizer.encode(prompt, add_special_tokens=False)
        assert tokenizer.encode(prompt + "7", add_special_tokens=False) == [*alone, seven]
        # As the backends send it: the judge's reply opens with the digit as one token.
        chat = tokenizer.apply_chat_template(
            [{"role": "user", "content": prompt}], add_generation_prompt=True, tokenize=False
        )
        assert prompt in chat
        opened = tokenizer.encode(chat, add_special_tokens=False)
        assert tokenizer.encode(chat + "7", add_special_tokens=False) == [*opened, seven]
