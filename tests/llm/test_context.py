"""ContextLimit: prompts that cannot fit their model are known before any call, with the
role's own tokenizer, and come back from the client as TooLong: uncalled, uncached, and not
counted against max_failure_rate."""

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from distilpipe.errors import DistilpipeError
from distilpipe.llm import RoleModels, open_cache
from distilpipe.llm.context import (
    context_limit,
    load_error,
    token_counts,
    token_ids,
    tokenizer_source,
)
from distilpipe.llm.transformers_backend import TransformersBackend
from distilpipe.llm.types import GenerateRequest, TooLong
from distilpipe.params import ModelSpec, Params


def _chat(text: str) -> tuple[dict[str, str], ...]:
    return ({"role": "user", "content": text},)


def test_counts_what_the_backend_feeds_the_model(tiny_model_dir: Path) -> None:
    limit = context_limit(ModelSpec(model=str(tiny_model_dir)))
    assert limit is not None
    assert limit.context == 2048  # the bootstrap models' max_position_embeddings
    backend = TransformersBackend(ModelSpec(model=str(tiny_model_dir)))
    prompts = [_chat("What is 3 plus 3?"), _chat("加 " * 50)]
    requests = [GenerateRequest(p) for p in prompts]
    assert limit.prompt_tokens(prompts) == [len(ids) for ids in backend._prompt_ids(requests)]


def test_boundary_is_exact(tiny_model_dir: Path) -> None:
    prompt = _chat("What is 12 plus 12?")
    probe = context_limit(ModelSpec(model=str(tiny_model_dir)))
    assert probe is not None
    n = probe.prompt_tokens([prompt])[0]
    limit = context_limit(ModelSpec(model=str(tiny_model_dir), max_model_len=n + 8))
    assert limit is not None and limit.context == n + 8
    fits, over = limit.too_long([prompt, prompt], [8, 9])
    assert fits is None
    assert isinstance(over, TooLong)
    assert (
        over.reason
        == f"prompt of {n} tokens + 9 new tokens exceeds the model's context of {n + 8} positions"
    )


def test_where_the_tokenizer_comes_from(tiny_model_dir: Path) -> None:
    local = str(tiny_model_dir)
    assert tokenizer_source(ModelSpec(model=local)) == local
    assert tokenizer_source(ModelSpec(backend="vllm", model="Qwen/Qwen2-7B-Instruct")) == (
        "Qwen/Qwen2-7B-Instruct"
    )
    api = {"backend": "openai", "base_url": "http://127.0.0.1:1/v1"}
    # an API model named by name has no tokenizer here: only a stage's max_chars limits it
    assert tokenizer_source(ModelSpec(model="qwen-max", **api)) is None
    assert context_limit(ModelSpec(model="qwen-max", **api)) is None
    # ... unless params name one; a local folder served over the API is its own tokenizer
    named = ModelSpec(model="qwen-max", tokenizer=local, max_model_len=512, **api)
    limit = context_limit(named)
    assert limit is not None and limit.context == 512
    assert tokenizer_source(ModelSpec(model=local, **api)) == local


def test_a_tokenizer_that_cannot_load_is_one_clear_line(tmp_path: Path) -> None:
    spec = ModelSpec(
        backend="openai", base_url="http://127.0.0.1:1/v1", model="m", tokenizer=str(tmp_path)
    )
    with pytest.raises(DistilpipeError, match="cannot load the tokenizer"):
        context_limit(spec)


def test_client_skips_too_long_prompts_without_failing_the_stage(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    params = Params.model_validate(
        {
            "models": {"student": {"model": str(tiny_model_dir), "max_new_tokens": 4}},
            "llm": {"cache_dir": str(tmp_path / "cache"), "max_failure_rate": 0.0},
        }
    )
    short, long = _chat("What is 2 plus 2?"), _chat("What is 2 plus 2? " * 300)
    with open_cache(params) as cache, RoleModels(params, cache) as models:
        student = models.client("student")
        out = student.generate([GenerateRequest(short, student.sampling()), GenerateRequest(long)])
        assert not isinstance(out[0], TooLong)
        assert (
            isinstance(out[1], TooLong) and "exceeds the model's context of 2048" in out[1].reason
        )
        stats = student.stats.as_dict()
        assert (stats["cache_misses"], stats["too_long"], stats["failed"]) == (1, 1, 0)
    # TooLong is never cached: a re-run finds the short prompt and skips the long one again
    with open_cache(params) as cache, RoleModels(params, cache) as models:
        student = models.client("student")
        again = student.generate(
            [GenerateRequest(short, student.sampling()), GenerateRequest(long)]
        )
        assert again[0] == out[0] and isinstance(again[1], TooLong)
        stats = student.stats.as_dict()
        assert (stats["cache_hits"], stats["cache_misses"], stats["too_long"]) == (1, 0, 1)
        assert not student.backend.loaded  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("models/tiny/teacherr", "neither a folder nor a Hub id"),
        ("./student", "neither a folder nor a Hub id"),
        ("Qwen/Qwen2.5-7B-Instruct", "the Hub did not provide it"),
        ("gpt2", "the Hub did not provide it"),
    ],
)
def test_load_errors_say_what_the_name_is(name: str, says: str) -> None:
    message = load_error(
        name, "model", OSError("We couldn't connect to 'https://huggingface.co'\n...")
    )
    assert says in message and "huggingface.co" not in message


def test_a_missing_model_folder_is_named_before_any_load(tmp_path: Path) -> None:
    params = Params.model_validate(
        {
            "models": {"student": {"model": "models/tiny/nowhere"}},
            "llm": {"cache_dir": str(tmp_path / "cache")},
        }
    )
    with open_cache(params) as cache, RoleModels(params, cache) as models:
        student = models.client("student")
        with pytest.raises(DistilpipeError, match="'models/tiny/nowhere': it is neither a folder"):
            student.generate([GenerateRequest(_chat("hi"))])


@pytest.fixture
def transformers_log() -> Iterator[list[logging.LogRecord]]:
    """What transformers logs meanwhile (its logger does not propagate to caplog's root)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("transformers")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_counting_a_text_over_the_tokenizers_maximum_logs_no_warning(
    tiny_model_dir: Path, transformers_log: list[logging.LogRecord]
) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    texts = ["What is 3 plus 3? " * 1000, "加 " * 50]
    counts = token_counts(tokenizer, texts)
    assert counts[0] > tokenizer.model_max_length
    limit = context_limit(ModelSpec(model=str(tiny_model_dir)))
    assert limit is not None
    assert isinstance(limit.too_long([_chat(texts[0])], [1])[0], TooLong)
    assert transformers_log == []
    # the same counts as a plain call, which (once per tokenizer) says the text is too long
    plain = tokenizer(texts, add_special_tokens=False)["input_ids"]
    assert token_ids(tokenizer, texts) == [list(ids) for ids in plain]
    assert counts == [len(ids) for ids in plain]
    assert [r.getMessage()[:42] for r in transformers_log] == [
        "Token indices sequence length is longer th"
    ]
