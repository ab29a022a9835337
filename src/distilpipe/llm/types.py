"""The LLM layer's vocabulary: requests in, results out, the same for every backend."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": str}


@dataclass(frozen=True)
class Sampling:
    """Sampling parameters of one call. `seed` makes a sampled (temperature > 0) call
    reproducible; callers derive it per row (see `row_seed`)."""

    max_new_tokens: int = 256
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class GenerateRequest:
    """Chat messages in; the model's next assistant turn out."""

    messages: tuple[Message, ...]
    sampling: Sampling = field(default_factory=Sampling)
    template_hash: str = ""  # hash of the prompt template that built `messages`, if any


@dataclass(frozen=True)
class ChoiceRequest:
    """Chat messages in; the next-token probability of each single-token choice out."""

    messages: tuple[Message, ...]
    choices: tuple[str, ...]
    template_hash: str = ""


@dataclass(frozen=True)
class LabelRequest:
    """Chat messages in; the probability of each label as the assistant's whole reply out.

    Each label is scored over its entire token sequence (teacher forcing), so labels may be
    several tokens long. They should form a prefix-free set (no label's tokens begin another's,
    e.g. fixed-width codes "01".."33"): then they are disjoint continuations and their
    probabilities sum to at most 1.
    """

    messages: tuple[Message, ...]
    labels: tuple[str, ...]
    template_hash: str = ""


@dataclass(frozen=True)
class TokenLogprobsRequest:
    """Token ids in; the model's top-k next-token log-probabilities at chosen positions out.

    Teacher forcing over a sequence the caller has already tokenized (a training
    conversation, as the student's tokenizer and chat template make it): for each position
    j in `positions` (1 <= j < len(token_ids)), the top `top_k` of the model's distribution
    over token j given tokens 0..j-1. `messages` are the conversation the ids were made from;
    they name the call in the cache key, with a digest of the ids and positions.
    """

    messages: tuple[Message, ...]
    token_ids: tuple[int, ...]
    positions: tuple[int, ...]
    top_k: int
    template_hash: str = ""


@dataclass(frozen=True)
class Generation:
    text: str
    finish_reason: str  # "stop" | "length"
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class ChoiceProbs:
    """Next-token probabilities of the choices (not renormalised: they may sum below 1)."""

    probs: dict[str, float]
    prompt_tokens: int


@dataclass(frozen=True)
class LabelProbs:
    """Probability of each label as the assistant's continuation: exp(sum of its token
    logprobs). Not renormalised: the rest of the mass is on replies that are no label."""

    probs: dict[str, float]
    prompt_tokens: int


@dataclass(frozen=True)
class TokenLogprobs:
    """Per requested position, the top-k token ids (most likely first) and their natural-log
    probabilities under the full distribution (not renormalised over the k)."""

    top_ids: list[list[int]]
    top_logprobs: list[list[float]]
    prompt_tokens: int


@dataclass(frozen=True)
class Failure:
    """A call that failed after its retries; the row is recorded as failed with this reason."""

    reason: str


@dataclass(frozen=True)
class TooLong(Failure):
    """A request not sent: its prompt plus new tokens exceed the model's context. A row the
    stage cannot process (dropped as `too_long`), not a failure of the stage."""


Kind = Literal["generate", "choice_logprobs", "label_logprobs", "token_logprobs"]


class Backend(Protocol):
    """What every backend (transformers, vllm, openai) implements.

    `identity` names the model for the cache: for a local folder, a hash of its config and
    weight files; for a Hub or API model, its name and revision. Every call takes a batch and
    return one result per request, in order; a backend that cannot answer a request returns
    a Failure for it rather than raising (raising is for setup errors: one clear line).
    """

    identity: str

    def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]: ...

    def choice_logprobs(self, requests: list[ChoiceRequest]) -> list[ChoiceProbs | Failure]: ...

    def label_logprobs(self, requests: list[LabelRequest]) -> list[LabelProbs | Failure]: ...

    def token_logprobs(
        self, requests: list[TokenLogprobsRequest]
    ) -> list[TokenLogprobs | Failure]: ...

    def close(self) -> None: ...
