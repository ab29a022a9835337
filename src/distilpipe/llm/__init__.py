"""The LLM layer: one client interface, three backends, a content-addressed call cache.

A stage opens one `CallCache` and one `RoleModels`, and asks it for each role it needs
(teacher, student, judge); every call then goes through the cache:

    with open_cache(params) as cache, RoleModels(params, cache) as models:
        student = models.client("student")
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import TracebackType

from distilpipe.errors import DistilpipeError, ParamsError
from distilpipe.llm.cache import CallCache, resolve_cache_dir, spec_identity
from distilpipe.llm.client import LLMClient
from distilpipe.llm.context import ContextLimit, context_limit
from distilpipe.llm.types import (
    Backend,
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
    TooLong,
)
from distilpipe.params import ModelSpec, Params

__all__ = ["CallCache", "LLMClient", "RoleModels", "TooLong", "make_backend", "open_cache"]

# Sampling defaults live in each role's client, not its backend, so roles that differ only
# in them (a judge and a teacher on the same model) share one loaded model.
SAMPLING_FIELDS = frozenset({"max_new_tokens", "temperature", "top_p"})


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

    return OpenAIBackend(spec, cache_dir)


def open_cache(params: Params) -> CallCache:
    """The call cache at `llm.cache_dir`, or `$DISTILPIPE_CACHE_DIR`, or the user cache dir."""
    return CallCache(resolve_cache_dir(params.llm.cache_dir))


class LazyBackend:
    """A Backend whose model is loaded at its first call, not before.

    Its identity comes from the spec alone (`spec_identity`: files or names), so the client
    can look every call up in the cache first: a re-run whose calls are all cached loads no
    model at all. `close()` unloads the model; a later call loads it again.
    """

    def __init__(self, spec: ModelSpec, cache_dir: Path | None, models: RoleModels):
        if spec.backend == "vllm" and importlib.util.find_spec("vllm") is None:
            from distilpipe.llm.vllm_backend import INSTALL_HINT

            raise DistilpipeError(INSTALL_HINT)  # at start, not after an hour of other calls
        self.spec = spec
        self.cache_dir = cache_dir
        self.identity = spec_identity(spec, cache_dir)
        self._models = models
        self._backend: Backend | None = None
        self._limit: ContextLimit | None = None
        self._limit_known = False
        self.loads = 0

    def context_limit(self) -> ContextLimit | None:
        """The model's ContextLimit (tokenizer and config only, no weights), made once."""
        if not self._limit_known:
            self._limit = context_limit(self.spec)
            self._limit_known = True
        return self._limit

    def _loaded(self) -> Backend:
        if self._backend is None:
            self._models._make_room(self)
            self._backend = make_backend(self.spec, self.cache_dir)
            self.loads += 1
            if self._backend.identity != self.identity:
                raise DistilpipeError(
                    f"model {self.spec.model!r} changed while loading (identity "
                    f"{self._backend.identity} != {self.identity}); run the stage again"
                )
        return self._backend

    @property
    def loaded(self) -> bool:
        return self._backend is not None

    def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
        return self._loaded().generate(requests)

    def choice_logprobs(self, requests: list[ChoiceRequest]) -> list[ChoiceProbs | Failure]:
        return self._loaded().choice_logprobs(requests)

    def label_logprobs(self, requests: list[LabelRequest]) -> list[LabelProbs | Failure]:
        return self._loaded().label_logprobs(requests)

    def token_logprobs(self, requests: list[TokenLogprobsRequest]) -> list[TokenLogprobs | Failure]:
        return self._loaded().token_logprobs(requests)

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
            self._backend = None


class RoleModels:
    """The clients of one stage's roles, from params' `models`.

    - Roles whose specs differ only in sampling defaults share one backend (by default the
      judge is the teacher's model: it is loaded once, not twice).
    - A backend loads its model at its first uncached call (see `LazyBackend`).
    - One model is loaded at a time: loading a role's model first unloads the other one, as
      a GPU holds one 72B model, not three. A stage runs its roles one after another, in an
      order that lets roles sharing a model run back to back.
    """

    def __init__(self, params: Params, cache: CallCache):
        self.params = params
        self.cache = cache
        self._backends: dict[str, LazyBackend] = {}
        self._clients: dict[tuple[str, ...], LLMClient] = {}
        self._resident: LazyBackend | None = None

    def client(self, role: str) -> LLMClient:
        """The cache-through client for `role` (teacher, student, judge), made once."""
        spec = self.params.models.get(role)
        if spec is None:
            raise ParamsError(
                f"params.yaml: models.{role} is not set (roles: {sorted(self.params.models)})"
            )
        return self._client(("role", role), role, spec)

    def spec_client(self, name: str, spec: ModelSpec) -> LLMClient:
        """The client for a model that is not a role (a model under evaluation), named
        `name` in progress lines; made once per name and spec. It shares the backend of any
        role or model whose spec differs only in sampling defaults, like the roles do, but
        never a role's client: each client counts its own calls, even for a model named
        like a role."""
        return self._client(("model", name, spec.model_dump_json()), name, spec)

    def _client(self, key: tuple[str, ...], name: str, spec: ModelSpec) -> LLMClient:
        if key in self._clients:
            return self._clients[key]
        shared = spec.model_dump_json(exclude=set(SAMPLING_FIELDS))
        backend = self._backends.get(shared)
        if backend is None:
            backend = self._backends[shared] = LazyBackend(spec, self.cache.dir, self)
        client = LLMClient(
            backend,
            self.cache,
            batch_size=self.params.llm.batch_size,
            name=name,
            max_failure_rate=self.params.llm.max_failure_rate,
            defaults=Sampling(spec.max_new_tokens, spec.temperature, spec.top_p),
            limit=backend.context_limit,
            model_name=spec.model,
        )
        self._clients[key] = client
        return client

    def _make_room(self, backend: LazyBackend) -> None:
        if self._resident is not None and self._resident is not backend:
            self._resident.close()
        self._resident = backend

    def close(self) -> None:
        for backend in self._backends.values():
            backend.close()
        self._resident = None

    def __enter__(self) -> RoleModels:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
