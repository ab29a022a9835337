"""The `transformers` backend: a local folder or Hub id, batched `generate`, CPU or GPU.

Greedy requests are batched with left padding (the client sorts them by length, so little
is padding). Sampled requests run one at a time under their own seed: `generate` draws all
rows of a batch from one random stream, so batching would tie a row's text to its
neighbours, and neither the cache nor a resumed run could reproduce it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from distilpipe.errors import DistilpipeError
from distilpipe.llm.cache import model_identity
from distilpipe.llm.types import (
    ChoiceProbs,
    ChoiceRequest,
    Failure,
    GenerateRequest,
    Generation,
    Sampling,
)
from distilpipe.params import ModelSpec


class TransformersBackend:
    def __init__(self, spec: ModelSpec, cache_dir: Path | None = None):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.torch = torch
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(spec.model, revision=spec.revision)
            dtype: Any = "auto" if spec.dtype == "auto" else getattr(torch, spec.dtype)
            model = AutoModelForCausalLM.from_pretrained(
                spec.model, revision=spec.revision, dtype=dtype
            )
        except OSError as exc:
            raise DistilpipeError(f"cannot load model '{spec.model}': {exc}") from exc
        if spec.device == "auto":
            self.device = "cuda" if torch.cuda.is_available() else "cpu"
        else:
            self.device = spec.device
        self.model: Any = model.to(self.device).eval()  # type: ignore[arg-type]
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.stop_ids = _stop_ids(self.model, self.tokenizer)
        self.identity = model_identity(
            spec.model, spec.revision, "transformers", cache_dir=cache_dir
        )

    def close(self) -> None:
        del self.model

    def _encode(self, conversations: list[tuple[dict[str, str], ...]]) -> Any:
        texts = [
            self.tokenizer.apply_chat_template(
                list(messages), add_generation_prompt=True, tokenize=False
            )
            for messages in conversations
        ]
        return self.tokenizer(
            texts, return_tensors="pt", padding=True, add_special_tokens=False
        ).to(self.device)

    def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
        results: list[Generation | Failure] = [Failure("not run")] * len(requests)
        greedy = [i for i, r in enumerate(requests) if r.sampling.temperature == 0.0]
        groups: dict[Sampling, list[int]] = {}
        for i in greedy:
            groups.setdefault(requests[i].sampling, []).append(i)
        for sampling, indices in groups.items():
            outs = self._generate([requests[i] for i in indices], sampling)
            for i, out in zip(indices, outs, strict=True):
                results[i] = out
        for i, request in enumerate(requests):
            if request.sampling.temperature > 0.0:
                seed = request.sampling.seed if request.sampling.seed is not None else 0
                self.torch.manual_seed(seed)
                results[i] = self._generate([request], request.sampling)[0]
        return results

    def _generate(self, requests: list[GenerateRequest], sampling: Sampling) -> list[Generation]:
        batch = self._encode([r.messages for r in requests])
        sampled = sampling.temperature > 0.0
        kwargs: dict[str, Any] = {
            "max_new_tokens": sampling.max_new_tokens,
            "do_sample": sampled,
            "eos_token_id": self.stop_ids,
            "pad_token_id": self.tokenizer.pad_token_id,
        }
        if sampled:
            kwargs.update(temperature=sampling.temperature, top_p=sampling.top_p, top_k=0)
        else:
            kwargs.update(temperature=None, top_p=None, top_k=None)
        with self.torch.inference_mode():
            output = self.model.generate(**batch, **kwargs)
        prompt_len = batch["input_ids"].shape[1]
        prompt_tokens = batch["attention_mask"].sum(dim=1).tolist()
        results = []
        for row, n_prompt in zip(output[:, prompt_len:].tolist(), prompt_tokens, strict=True):
            tokens, finish = _until_stop(row, set(self.stop_ids), self.tokenizer.pad_token_id)
            text = str(self.tokenizer.decode(tokens, skip_special_tokens=True))
            stopped = finish == "stop"
            results.append(Generation(text, finish, int(n_prompt), len(tokens) + stopped))
        return results

    def choice_logprobs(self, requests: list[ChoiceRequest]) -> list[ChoiceProbs | Failure]:
        results: list[ChoiceProbs | Failure] = []
        batch = self._encode([r.messages for r in requests])
        with self.torch.inference_mode():
            logits = self.model(**batch).logits[:, -1, :].float()
        probs = self.torch.softmax(logits, dim=-1)
        prompt_tokens = batch["attention_mask"].sum(dim=1).tolist()
        for row, request in enumerate(requests):
            ids = [single_token_id(self.tokenizer, c) for c in request.choices]
            values = probs[row, ids].tolist()
            results.append(
                ChoiceProbs(dict(zip(request.choices, values, strict=True)), prompt_tokens[row])
            )
        return results


def single_token_id(tokenizer: Any, choice: str) -> int:
    """The token id of a choice that must encode to exactly one token."""
    ids = tokenizer.encode(choice, add_special_tokens=False)
    if len(ids) != 1:
        raise DistilpipeError(f"choice {choice!r} is {len(ids)} tokens for this tokenizer, not 1")
    return int(ids[0])


def _stop_ids(model: Any, tokenizer: Any) -> list[int]:
    ids = model.generation_config.eos_token_id
    stop = [ids] if isinstance(ids, int) else list(ids or [])
    if tokenizer.eos_token_id is not None and tokenizer.eos_token_id not in stop:
        stop.append(tokenizer.eos_token_id)
    return stop


def _until_stop(tokens: list[int], stop: set[int], pad: int | None) -> tuple[list[int], str]:
    for i, token in enumerate(tokens):
        if token in stop:
            return tokens[:i], "stop"
    while tokens and pad is not None and tokens[-1] == pad and pad not in stop:
        tokens = tokens[:-1]
    return tokens, "length"
