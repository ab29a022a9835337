"""The `transformers` backend: a local folder or Hub id, batched `generate`, CPU or GPU.

Greedy requests are batched with left padding (the client sorts them by length, so little
is padding). Sampled requests run one at a time under their own seed: `generate` draws all
rows of a batch from one random stream, so batching would tie a row's text to its
neighbours, and neither the cache nor a resumed run could reproduce it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from distilpipe.errors import DistilpipeError
from distilpipe.llm.cache import spec_identity
from distilpipe.llm.context import load_error, token_ids
from distilpipe.llm.types import (
    ChoiceProbs,
    ChoiceRequest,
    Failure,
    GenerateRequest,
    Generation,
    LabelProbs,
    LabelRequest,
    Sampling,
    TokenLogprobs,
    TokenLogprobsRequest,
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
        except (OSError, ValueError) as exc:
            raise DistilpipeError(load_error(spec.model, "model", exc)) from None
        if spec.device == "auto":
            self.device = "cuda" if torch.cuda.is_available() else "cpu"
        else:
            self.device = spec.device
        self.model: Any = model.to(self.device).eval()  # type: ignore[arg-type]
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.stop_ids = _stop_ids(self.model, self.tokenizer)
        self.context = int(getattr(self.model.config, "max_position_embeddings", 0)) or None
        self.identity = spec_identity(spec, cache_dir)

    def close(self) -> None:
        del self.model

    def _prompt_ids(
        self, requests: Sequence[GenerateRequest | ChoiceRequest | LabelRequest]
    ) -> list[list[int]]:
        texts = [
            str(
                self.tokenizer.apply_chat_template(
                    list(r.messages), add_generation_prompt=True, tokenize=False
                )
            )
            for r in requests
        ]
        return token_ids(self.tokenizer, texts)  # over the context: `_overflow` fails the row

    def _pad(self, prompts: list[list[int]]) -> Any:
        """Left-padded input_ids and attention_mask on the model's device."""
        return self.tokenizer.pad({"input_ids": prompts}, return_tensors="pt").to(self.device)

    def _overflow(self, prompt: list[int], new_tokens: int) -> Failure | None:
        """A Failure when the prompt plus `new_tokens` exceed the model's positions (as vLLM
        and OpenAI-compatible servers reject such requests), rather than silent garbage."""
        if self.context is None or len(prompt) + new_tokens <= self.context:
            return None
        return Failure(
            f"prompt of {len(prompt)} tokens + {new_tokens} new tokens exceeds the model's "
            f"context of {self.context} positions"
        )

    def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
        prompts = self._prompt_ids(requests)
        results: dict[int, Generation | Failure] = {}
        # Greedy requests are batched per sampling parameters, the seed aside (greedy decoding
        # draws nothing, and callers give every row its own seed).
        greedy: dict[Sampling, list[int]] = {}
        sampled: list[int] = []
        for i, (request, prompt) in enumerate(zip(requests, prompts, strict=True)):
            failure = self._overflow(prompt, request.sampling.max_new_tokens)
            if failure is not None:
                results[i] = failure
            elif request.sampling.temperature == 0.0:
                greedy.setdefault(replace(request.sampling, seed=None), []).append(i)
            else:
                sampled.append(i)
        for sampling, indices in greedy.items():
            outs = self._generate([prompts[i] for i in indices], sampling)
            results.update(zip(indices, outs, strict=True))
        for i in sampled:
            sampling = requests[i].sampling
            self.torch.manual_seed(sampling.seed if sampling.seed is not None else 0)
            results[i] = self._generate([prompts[i]], sampling)[0]
        return [results[i] for i in range(len(requests))]

    def _generate(self, prompts: list[list[int]], sampling: Sampling) -> list[Generation]:
        batch = self._pad(prompts)
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
        results = []
        for row, prompt in zip(output[:, prompt_len:].tolist(), prompts, strict=True):
            tokens, finish = _until_stop(row, set(self.stop_ids), self.tokenizer.pad_token_id)
            text = str(self.tokenizer.decode(tokens, skip_special_tokens=True))
            stopped = finish == "stop"
            results.append(Generation(text, finish, len(prompt), len(tokens) + stopped))
        return results

    def choice_logprobs(self, requests: list[ChoiceRequest]) -> list[ChoiceProbs | Failure]:
        prompts = self._prompt_ids(requests)
        results: dict[int, ChoiceProbs | Failure] = {}
        fits = []
        for i, prompt in enumerate(prompts):
            failure = self._overflow(prompt, 0)
            if failure is None:
                fits.append(i)
            else:
                results[i] = failure
        if fits:
            batch = self._pad([prompts[i] for i in fits])
            with self.torch.inference_mode():
                logits = self.model(**batch).logits[:, -1, :].float()
            probs = self.torch.softmax(logits, dim=-1)
            for row, i in enumerate(fits):
                choices = requests[i].choices
                ids = [single_token_id(self.tokenizer, c) for c in choices]
                values = dict(zip(choices, probs[row, ids].tolist(), strict=True))
                results[i] = ChoiceProbs(values, len(prompts[i]))
        return [results[i] for i in range(len(requests))]

    def label_logprobs(self, requests: list[LabelRequest]) -> list[LabelProbs | Failure]:
        """Each label's probability as the whole assistant reply, by teacher forcing.

        Per request, the prompt runs once; its KV cache is repeated once per label and the
        labels' tokens run as one batch against it, so a prompt costs one pass however many
        labels there are. log p(label) = Σ_j log p(token_j | prompt, tokens_<j).
        """
        prompts = self._prompt_ids(requests)
        results: list[LabelProbs | Failure] = []
        for request, prompt in zip(requests, prompts, strict=True):
            label_ids = label_token_ids(self.tokenizer, request.labels)
            failure = self._overflow(prompt, max(len(ids) for ids in label_ids))
            if failure is not None:
                results.append(failure)
                continue
            logprobs = self._label_logprobs(prompt, label_ids)
            probs = {
                label: math.exp(lp) for label, lp in zip(request.labels, logprobs, strict=True)
            }
            results.append(LabelProbs(probs, len(prompt)))
        return results

    def _label_logprobs(self, prompt: list[int], label_ids: list[list[int]]) -> list[float]:
        torch = self.torch
        with torch.inference_mode():
            out = self.model(input_ids=torch.tensor([prompt], device=self.device), use_cache=True)
            first = torch.log_softmax(out.logits[0, -1, :].float(), dim=-1)
            totals = [float(first[ids[0]]) for ids in label_ids]
            longest = max(len(ids) for ids in label_ids)
            if longest == 1:
                return totals
            n = len(label_ids)
            # transformers 5.x names the KV cache `cache`; 4.x `past_key_values`
            cache_arg = "cache" if hasattr(out, "cache") else "past_key_values"
            cache = getattr(out, cache_arg)
            cache.batch_repeat_interleave(n)
            # Right padding: a label's own tokens never attend to the padding after them.
            pad = self.tokenizer.pad_token_id or 0
            suffix = torch.tensor(
                [ids + [pad] * (longest - len(ids)) for ids in label_ids], device=self.device
            )
            mask = torch.ones((n, len(prompt) + longest), dtype=torch.long, device=self.device)
            logits = self.model(
                input_ids=suffix, attention_mask=mask, use_cache=False, **{cache_arg: cache}
            ).logits.float()
            logp = torch.log_softmax(logits, dim=-1)
            for k, ids in enumerate(label_ids):
                for j in range(1, len(ids)):
                    totals[k] += float(logp[k, j - 1, ids[j]])
        return totals

    def token_logprobs(self, requests: list[TokenLogprobsRequest]) -> list[TokenLogprobs | Failure]:
        """The top-k next-token log-probabilities at each requested position, by teacher
        forcing: one forward pass per sequence, log-softmax in fp32 over the full vocabulary,
        then the k largest (ties broken by torch.topk, which is deterministic on CPU)."""
        torch = self.torch
        results: list[TokenLogprobs | Failure] = []
        for request in requests:
            # 1 new token, as vLLM counts the one it generates: both refuse the same sequences
            failure = self._overflow(list(request.token_ids), 1)
            if failure is not None:
                results.append(failure)
                continue
            with torch.inference_mode():
                ids = torch.tensor([request.token_ids], device=self.device)
                logits = self.model(input_ids=ids, use_cache=False).logits[0]
                before = torch.tensor(
                    [j - 1 for j in request.positions], dtype=torch.long, device=self.device
                )
                logp = torch.log_softmax(logits[before].float(), dim=-1)
                top = torch.topk(logp, request.top_k, dim=-1)
            results.append(
                TokenLogprobs(
                    top.indices.tolist(), top.values.tolist(), prompt_tokens=len(request.token_ids)
                )
            )
        return results


def label_token_ids(tokenizer: Any, labels: Sequence[str]) -> list[list[int]]:
    """Each label's token ids; raises DistilpipeError unless the labels are distinct, non-empty
    and prefix-free as token sequences (else their probabilities would overlap)."""
    if not labels or len(set(labels)) != len(labels):
        raise DistilpipeError(f"labels must be distinct and at least one: {list(labels)}")
    ids = [list(tokenizer.encode(label, add_special_tokens=False)) for label in labels]
    for label, seq in zip(labels, ids, strict=True):
        if not seq:
            raise DistilpipeError(f"label {label!r} encodes to no tokens")
    for a, seq_a in zip(labels, ids, strict=True):
        for b, seq_b in zip(labels, ids, strict=True):
            if a != b and seq_b[: len(seq_a)] == seq_a:
                raise DistilpipeError(
                    f"label {a!r} is a token prefix of label {b!r}: labels must be prefix-free "
                    "(e.g. fixed-width codes) so that their probabilities do not overlap"
                )
    return ids


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
