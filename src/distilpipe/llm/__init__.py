"""The LLM layer: one client interface, three backends, a content-addressed call cache."""

from __future__ import annotations

from distilpipe.llm.types import Backend
from distilpipe.params import ModelSpec


def make_backend(spec: ModelSpec) -> Backend:
    """The backend a role's ModelSpec names, loaded and ready (imports are lazy: vLLM and
    torch load only when chosen)."""
    if spec.backend == "transformers":
        from distilpipe.llm.transformers_backend import TransformersBackend

        return TransformersBackend(spec)
    if spec.backend == "vllm":
        from distilpipe.llm.vllm_backend import VLLMBackend

        return VLLMBackend(spec)
    from distilpipe.llm.openai_backend import OpenAIBackend

    return OpenAIBackend(spec)
