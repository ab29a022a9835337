from pathlib import Path

import pytest

from distilpipe.errors import DistilpipeError, ParamsError
from distilpipe.llm import RoleModels, make_backend, open_cache
from distilpipe.llm.cache import CallCache
from distilpipe.llm.client import LLMClient
from distilpipe.llm.transformers_backend import TransformersBackend
from distilpipe.llm.types import (
    ChoiceProbs,
    ChoiceRequest,
    Failure,
    GenerateRequest,
    Generation,
    Sampling,
    TokenLogprobs,
    TokenLogprobsRequest,
)
from distilpipe.params import ModelSpec, Params

PROMPTS = ["What is 3 plus 3?", "What is 12 plus 12?", "Hi", "What is 40 plus 40? Explain."]


def _ask(text: str, **sampling: float) -> GenerateRequest:
    return GenerateRequest(
        ({"role": "user", "content": text},),
        Sampling(max_new_tokens=12, **sampling),  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def backend(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> TransformersBackend:
    spec = ModelSpec(model=str(tiny_model_dir), device="cpu", dtype="float32")
    built = make_backend(spec, cache_dir=tmp_path_factory.mktemp("identity-cache"))
    assert isinstance(built, TransformersBackend)
    return built


def test_greedy_batch_equals_one_by_one(backend: TransformersBackend) -> None:
    batch = backend.generate([_ask(p) for p in PROMPTS])
    alone = [backend.generate([_ask(p)])[0] for p in PROMPTS]
    assert batch == alone
    for out in batch:
        assert isinstance(out, Generation)
        assert out.finish_reason in ("stop", "length")
        assert out.prompt_tokens > 3
        assert 0 < out.completion_tokens <= 12 + 1
    assert any(out.text.strip() for out in batch if isinstance(out, Generation))


def test_sampled_rows_depend_on_their_seed_not_their_neighbours(
    backend: TransformersBackend,
) -> None:
    sampled = _ask("What is 7 plus 7?", temperature=1.0, seed=11)
    first = backend.generate([sampled])[0]
    with_neighbours = backend.generate([_ask("Hi"), sampled, _ask("Hi", temperature=1.0, seed=3)])
    assert with_neighbours[1] == first
    seeds = {
        backend.generate([_ask("What is 7 plus 7?", temperature=1.5, seed=s)])[0] for s in range(6)
    }
    assert len(seeds) > 1


def test_choice_logprobs(backend: TransformersBackend) -> None:
    digits = tuple(str(d) for d in range(10))
    requests = [ChoiceRequest(({"role": "user", "content": p},), digits) for p in PROMPTS[:2]]
    batch = backend.choice_logprobs(requests)
    alone = backend.choice_logprobs(requests[:1])
    for result in batch:
        assert set(result.probs) == set(digits)  # type: ignore[union-attr]
        assert all(0.0 <= p <= 1.0 for p in result.probs.values())  # type: ignore[union-attr]
        assert sum(result.probs.values()) <= 1.0 + 1e-6  # type: ignore[union-attr]
    assert alone[0].probs == pytest.approx(batch[0].probs, abs=1e-5)  # type: ignore[union-attr]
    with pytest.raises(DistilpipeError, match="not 1"):
        backend.choice_logprobs([ChoiceRequest(({"role": "user", "content": "x"},), ("forty",))])


def test_through_the_client_second_run_is_free(
    backend: TransformersBackend, tmp_path: Path
) -> None:
    with CallCache(tmp_path / "cache") as cache:
        first = LLMClient(backend, cache, batch_size=2).generate([_ask(p) for p in PROMPTS])
        client = LLMClient(backend, cache, batch_size=2)
        assert client.generate([_ask(p) for p in PROMPTS]) == first
        assert client.stats.cache_hits == len(PROMPTS) and client.stats.cache_misses == 0


def test_missing_model_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DistilpipeError) as info:
        make_backend(ModelSpec(model=str(tmp_path / "nope")), cache_dir=tmp_path)
    message = str(info.value)
    assert "cannot load the model" in message and "neither a folder nor a Hub id" in message
    assert "huggingface.co" not in message and "\n" not in message


def test_role_client_from_params(tiny_model_dir: Path, tmp_path: Path) -> None:
    params = Params.model_validate(
        {
            "models": {"student": {"model": str(tiny_model_dir), "max_new_tokens": 8}},
            "llm": {"cache_dir": str(tmp_path / "c"), "batch_size": 3, "max_failure_rate": 0.1},
        }
    )
    with open_cache(params) as cache, RoleModels(params, cache) as models:
        assert cache.dir == tmp_path / "c"
        client = models.client("student")
        assert (client.batch_size, client.name, client.max_failure_rate) == (3, "student", 0.1)
        assert client.backend.identity.startswith("local:")
        assert client.sampling(seed=5) == Sampling(max_new_tokens=8, seed=5)
        with pytest.raises(ParamsError, match=r"models\.judge is not set"):
            models.client("judge")


def test_prompt_longer_than_the_context_fails_alone(backend: TransformersBackend) -> None:
    long = "plus " * (backend.context or 0)
    outs = backend.generate([_ask(PROMPTS[0]), _ask(long), _ask(PROMPTS[1])])
    assert outs[0] == backend.generate([_ask(PROMPTS[0])])[0]
    assert outs[2] == backend.generate([_ask(PROMPTS[1])])[0]
    assert isinstance(outs[1], Failure)
    assert f"exceeds the model's context of {backend.context} positions" in outs[1].reason
    digits = tuple(str(d) for d in range(10))
    probs = backend.choice_logprobs(
        [ChoiceRequest(({"role": "user", "content": t},), digits) for t in (long, PROMPTS[0])]
    )
    assert isinstance(probs[0], Failure) and isinstance(probs[1], ChoiceProbs)


def test_greedy_rows_with_their_own_seeds_share_one_batch(
    backend: TransformersBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches = []
    generate = backend._generate

    def counted(prompts, sampling):  # type: ignore[no-untyped-def]
        batches.append(len(prompts))
        return generate(prompts, sampling)

    monkeypatch.setattr(backend, "_generate", counted)
    seeded = [_ask(p, seed=i) for i, p in enumerate(PROMPTS)]
    outs = backend.generate(seeded)
    assert batches == [len(PROMPTS)]
    assert outs == backend.generate([_ask(p) for p in PROMPTS])


def test_token_logprobs_are_the_top_k_of_a_plain_forward_pass(
    backend: TransformersBackend,
) -> None:
    import torch

    ids = tuple(backend.tokenizer("What is 2 plus 2? It is 4.")["input_ids"])
    positions = (1, 3, len(ids) - 1)
    request = TokenLogprobsRequest(({"role": "user", "content": "x"},), ids, positions, 4)
    empty = TokenLogprobsRequest(request.messages, ids, (), 4)  # every answer token cut off
    out, none = backend.token_logprobs([request, empty])
    assert isinstance(out, TokenLogprobs) and isinstance(none, TokenLogprobs)
    with torch.inference_mode():
        logits = backend.model(input_ids=torch.tensor([ids])).logits[0]
    for row, j in enumerate(positions):
        top = torch.topk(torch.log_softmax(logits[j - 1].float(), -1), 4)
        assert out.top_ids[row] == top.indices.tolist()
        assert out.top_logprobs[row] == pytest.approx(top.values.tolist(), abs=1e-5)
    assert (none.top_ids, none.top_logprobs, none.prompt_tokens) == ([], [], len(ids))
