"""Whether a prompt fits its model: the role's own tokenizer and context length, before a call.

A prompt whose tokens (chat template applied, generation prompt added) plus the tokens the
call may produce exceed the model's context cannot be answered: a local model would read
past its positions, vLLM and API servers reject it. That is a row the stage cannot process,
not a failure of the stage, so the client checks each uncached request here first and
returns `TooLong` for it without calling the model; stages drop such rows as `too_long`.

Where the tokenizer comes from: `tokenizer` in the role's params if given (any local folder
or Hub id, e.g. for an API model); else the model itself for the transformers and vllm
backends, and for the openai backend when `model` names a local folder. The context is
`max_model_len` from params if given, else the model config's `max_position_embeddings`.
An API model with neither has no token limit here; a stage's `max_chars` is its cheap limit.

Texts are tokenized with `token_ids`/`token_counts`, never a bare `tokenizer(texts)`: counting
a text longer than the tokenizer's `model_max_length` is the point here (such a row is then
dropped or cut by its caller), so transformers' "Token indices sequence length is longer
than the specified maximum sequence length" warning would only be noise in a stage's log.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from distilpipe.errors import DistilpipeError
from distilpipe.llm.types import Message, TooLong
from distilpipe.params import ModelSpec


def token_ids(tokenizer: Any, texts: Sequence[str]) -> list[list[int]]:
    """Each text's token ids with a Hugging Face tokenizer, no special tokens added; ids of
    any length, without the warning for texts over `model_max_length` (`verbose=False`:
    its callers check lengths themselves). The ids are those `tokenizer(texts)` gives."""
    if not texts:
        return []
    encoded = tokenizer(list(texts), add_special_tokens=False, verbose=False)
    return [list(ids) for ids in encoded["input_ids"]]


def token_counts(tokenizer: Any, texts: Sequence[str]) -> list[int]:
    """How many tokens each text is (see `token_ids`), without the too-long warning."""
    return [len(ids) for ids in token_ids(tokenizer, texts)]


class ContextLimit:
    """Counts prompt tokens with a chat tokenizer and checks them against a context length."""

    def __init__(self, tokenizer: Any, context: int):
        self.tokenizer = tokenizer
        self.context = context

    def prompt_tokens(self, prompts: Sequence[Sequence[Message]]) -> list[int]:
        """Tokens of each prompt as the model reads it: chat template, generation prompt."""
        texts = [
            self.tokenizer.apply_chat_template(
                [dict(m) for m in messages], add_generation_prompt=True, tokenize=False
            )
            for messages in prompts
        ]
        return token_counts(self.tokenizer, texts)

    def too_long(
        self, prompts: Sequence[Sequence[Message]], new_tokens: Sequence[int]
    ) -> list[TooLong | None]:
        """A TooLong for each prompt that, with its `new_tokens`, exceeds the context."""
        out: list[TooLong | None] = []
        for n, extra in zip(self.prompt_tokens(prompts), new_tokens, strict=True):
            if n + extra > self.context:
                out.append(
                    TooLong(
                        f"prompt of {n} tokens + {extra} new tokens exceeds the model's "
                        f"context of {self.context} positions"
                    )
                )
            else:
                out.append(None)
        return out


def load_error(name: str, what: str, exc: Exception) -> str:
    """One line saying why `what` ("model", "tokenizer") `name` could not be loaded, without
    the Hub client's connection noise: a missing folder is not reported as a network error."""
    path = Path(name).expanduser()
    first = " ".join(str(exc).split())[:200]
    if path.is_dir():
        return f"cannot load the {what} in folder '{name}': {first}"
    looks_like_path = name.startswith((".", "/", "~")) or name.count("/") > 1 or "\\" in name
    if looks_like_path:
        return (
            f"cannot load the {what} '{name}': it is neither a folder nor a Hub id (no such "
            "folder; for the default tiny models run `dvc repro bootstrap`)"
        )
    return (
        f"cannot load the {what} '{name}': it is no local folder, and the Hub did not provide "
        "it (offline, HF_HUB_OFFLINE set, no such repo, or not downloaded to the HF cache)"
    )


def tokenizer_source(spec: ModelSpec) -> str | None:
    """Where a role's tokenizer comes from (see the module docstring), or None."""
    if spec.tokenizer is not None:
        return spec.tokenizer
    if spec.backend != "openai" or Path(spec.model).expanduser().is_dir():
        return spec.model
    return None


def role_tokenizer(spec: ModelSpec) -> Any | None:
    """The tokenizer of the model a role's spec names, from `tokenizer_source`, or None for
    an API model with no `tokenizer`. Raises DistilpipeError with one line when it cannot be
    loaded."""
    source = tokenizer_source(spec)
    if source is None:
        return None
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(
            source, revision=spec.revision if source == spec.model else None
        )
    except (OSError, ValueError) as exc:
        raise DistilpipeError(load_error(source, "tokenizer", exc)) from None


def context_limit(spec: ModelSpec) -> ContextLimit | None:
    """The ContextLimit of the model a role's spec names, or None when it has none known
    (an API model with no `tokenizer`, or no context length in params or config).

    Loads only the tokenizer and config, never the weights. Raises DistilpipeError with one
    line when the tokenizer cannot be loaded.
    """
    source = tokenizer_source(spec)
    if source is None:
        return None
    tokenizer = role_tokenizer(spec)
    context = spec.max_model_len
    if context is None:
        from transformers import AutoConfig

        revision = spec.revision if source == spec.model else None
        try:
            config = AutoConfig.from_pretrained(source, revision=revision)
        except (OSError, ValueError):
            config = None
        context = getattr(config, "max_position_embeddings", None)
    if not context or getattr(tokenizer, "chat_template", None) is None:
        return None
    return ContextLimit(tokenizer, int(context))
