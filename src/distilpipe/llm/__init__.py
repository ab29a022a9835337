"""The LLM layer: one client interface, three backends, a content-addressed call cache.

A stage opens one `CallCache` and asks `client_for(role, params, cache)` for each role it
needs (teacher, student, judge); every call then goes through the cache.
"""

from __future__ import annotations

from pathlib import Path

from distilpipe.errors import ParamsError
from distilpipe.llm.cache import CallCache, resolve_cache_dir
from distilpipe.llm.client import LLMClient
from distilpipe.llm.types import Backend, Sampling
from distilpipe.params import ModelSpec, Params

__all__ = ["CallCache", "LLMClient", "client_for", "make_backend", "open_cache"]


def make_backend(spec: ModelSpec, cache_dir: Path | None = None) -> Backend:
    """The backend a role's ModelSpec names, loaded and ready. Imports are lazy: torch and
    vLLM load only when chosen. `cache_dir` holds the weight digests of local models."""
    if spec.backend == "transformers":
        from distilpipe.llm.transformers_backend import TransformersBackend

        return TransformersBackend(spec, cache_dir)
    if spec.backend == "vllm":
        from distilpipe.llm.vllm_backend import VLLMBackend

        return VLLMBackend(spec, cache_dir)
    from distilpipe.llm.openai_backend import OpenAIBackend

    return OpenAIBackend(spec)


def open_cache(params: Params) -> CallCache:
    """The call cache at `llm.cache_dir`, or `$DISTILPIPE_CACHE_DIR`, or the user cache dir."""
    return CallCache(resolve_cache_dir(params.llm.cache_dir))


def client_for(role: str, params: Params, cache: CallCache) -> LLMClient:
    """A cache-through client for a role in params' `models` (teacher, student, judge)."""
    spec = params.models.get(role)
    if spec is None:
        raise ParamsError(f"params.yaml: models.{role} is not set (roles: {sorted(params.models)})")
    return LLMClient(
        make_backend(spec, cache.dir),
        cache,
        batch_size=params.llm.batch_size,
        name=role,
        max_failure_rate=params.llm.max_failure_rate,
        defaults=Sampling(spec.max_new_tokens, spec.temperature, spec.top_p),
    )
