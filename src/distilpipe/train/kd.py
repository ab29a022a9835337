"""White-box distillation: the teacher's next-token distributions as a second SFT target.

SFT learns the teacher's answers token by token (black-box: one sampled token per position).
With `train_sft.kd.alpha > 0` the student also learns the teacher's whole next-token
distribution at each answer token, which says how sure the teacher was and what else it
would have written:

    loss = (1 - alpha) * CE + alpha * T^2 * KL(p_teacher^T || p_student^T)

averaged over the assistant tokens SFT trains (both terms over the same tokens).

- **Teacher forcing on the training tokens.** The student's tokenizer and chat template make
  each conversation's token ids, as trl will train them (`assistant_masks`, truncated to
  `max_length`); the teacher scores those very ids (`token_logprobs`, one call per
  conversation) and returns its top-k next-token log-probabilities at each assistant
  position. So every trained token has a target, whoever wrote the answer (teacher, source
  data, the self-distiller), and target and student prediction always describe the same
  prefix. The teacher's text-level answers and these targets come from one model,
  `models.teacher`.
- **Cached by content.** The calls go through the call cache like every other LLM call: a
  re-run, another experiment, or another alpha reads them back without a teacher call.
- **Top-k, renormalised.** Only the teacher's k most likely tokens are kept (vLLM returns at
  most 20). The target is those k renormalised at temperature T: softmax(logprob / T) over
  the k, which is exactly the tempered teacher restricted to its top-k. The student's
  log-probabilities are over its full vocabulary, so the KL also pushes the student's mass
  outside the teacher's top-k towards zero: the teacher's own mass there (reported as
  `kd_teacher_topk_mass`, its mean top-k mass at T = 1) is treated as if it were spread
  over the k in proportion. T^2 keeps the gradient's scale independent of T (Hinton et al.).
- **One vocabulary.** Teacher and student must share the tokenizer's vocabulary (the Qwen2
  family does); a mismatch is one error naming both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from trl import SFTTrainer

from distilpipe.errors import DistilpipeError
from distilpipe.llm.types import Failure, TokenLogprobsRequest
from distilpipe.train import common
from distilpipe.train.common import Conversation


@dataclass(frozen=True)
class Target:
    """The teacher's top-k at the assistant positions of one tokenized conversation."""

    positions: list[int]  # indices into the token ids: each is the token being predicted
    top_ids: list[list[int]]
    top_logprobs: list[list[float]]


Targets = dict[tuple[int, ...], Target]  # by the conversation's token ids as trl packs them


def kd_loss(
    student_logits: torch.Tensor,
    top_ids: torch.Tensor,
    top_logprobs: torch.Tensor,
    temperature: float,
) -> torch.Tensor:
    """Per-token T^2 · KL(teacher top-k at T, renormalised || student at T).

    `student_logits` [N, V] (the logits that predict each of N tokens), `top_ids` and
    `top_logprobs` [N, k] (the teacher's k most likely tokens and their log-probabilities at
    T = 1). Returns [N] (nats).
    """
    t = temperature
    teacher = torch.log_softmax(top_logprobs.float() / t, dim=-1)  # renormalised over the k
    student = torch.log_softmax(student_logits.float() / t, dim=-1).gather(-1, top_ids)
    return (t * t) * (teacher.exp() * (teacher - student)).sum(-1)


def tokenized(
    tokenizer: Any, conversation: Conversation, max_length: int
) -> tuple[list[int], list[int]]:
    """(token ids, assistant positions) of `conversation` as trl trains it
    (`common.assistant_tokens`); position 0 predicts nothing."""
    ids, mask = common.assistant_tokens(tokenizer, conversation, max_length)
    return ids, [j for j in range(1, len(ids)) if mask[j]]


def check_vocabulary(student: Any, teacher: Any, student_name: str, teacher_name: str) -> None:
    """Raise unless the two tokenizers map the same tokens to the same ids."""
    s_vocab, t_vocab = student.get_vocab(), teacher.get_vocab()
    if s_vocab == t_vocab:
        return
    tokens = s_vocab.keys() | t_vocab.keys()
    differ = sorted(token for token in tokens if s_vocab.get(token) != t_vocab.get(token))
    example = differ[0]
    raise DistilpipeError(
        f"train_sft.kd needs teacher and student to share one vocabulary, but the teacher's "
        f"tokenizer ({teacher_name}, {len(t_vocab):,} tokens) and the student's "
        f"({student_name}, {len(s_vocab):,} tokens) differ on {len(differ):,} tokens, e.g. "
        f"{example!r}: {t_vocab.get(example)} vs {s_vocab.get(example)}; "
        "set train_sft.kd.alpha: 0, or pick a teacher of the student's family"
    )


def teacher_targets(
    client: Any, tokenizer: Any, conversations: Sequence[Conversation], max_length: int, top_k: int
) -> tuple[Targets, dict[str, Any]]:
    """The teacher's targets for `conversations` through `client` (an LLMClient, so cached
    by content), and figures for the metrics: tokens scored, the teacher's mean top-k mass.
    A failed call fails the stage (`llm.max_failure_rate` applies to the calls; a row the
    teacher could not score would silently train without its target)."""
    seen: dict[tuple[int, ...], tuple[Conversation, list[int]]] = {}
    for conversation in conversations:
        ids, positions = tokenized(tokenizer, conversation, max_length)
        seen.setdefault(tuple(ids), (conversation, positions))
    keys = list(seen)
    requests = [TokenLogprobsRequest(tuple(seen[k][0]), k, tuple(seen[k][1]), top_k) for k in keys]
    results = client.token_logprobs(requests)
    targets: Targets = {}
    tokens, mass = 0, 0.0
    for key, request, result in zip(keys, requests, results, strict=True):
        if isinstance(result, Failure):
            raise DistilpipeError(
                f"train_sft.kd: the teacher could not score a conversation: {result.reason}"
            )
        targets[key] = Target(list(request.positions), result.top_ids, result.top_logprobs)
        tokens += len(request.positions)
        mass += float(torch.tensor(result.top_logprobs).exp().sum()) if request.positions else 0.0
    return targets, {
        "kd_tokens_scored": tokens,
        "kd_teacher_topk_mass": round(mass / max(tokens, 1), 6),
    }


class KDCollator:
    """trl's padding-free collator, plus the teacher's targets aligned with its flat batch:
    `kd_ids` and `kd_logprobs` [1, L, k] for the token at each position (zeros where there
    is none) and `kd_mask` [1, L]. Each packed conversation is found by its token ids."""

    def __init__(self, collator: Any, targets: Targets, top_k: int):
        self.collator = collator
        self.targets = targets
        self.top_k = top_k

    def __call__(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
        batch = self.collator(examples)
        width = batch["input_ids"].shape[1]
        ids = torch.zeros((1, width, self.top_k), dtype=torch.long)
        logprobs = torch.zeros((1, width, self.top_k), dtype=torch.float32)
        mask = torch.zeros((1, width), dtype=torch.bool)
        offset = 0
        for example in examples:
            tokens = list(example["input_ids"])
            start = 0
            for length in example.get("seq_lengths") or [len(tokens)]:
                segment = tuple(tokens[start : start + length])
                target = self.targets.get(segment)
                if target is None:
                    raise DistilpipeError(
                        f"train_sft.kd: a packed conversation of {length} tokens has no teacher "
                        "targets (its tokens differ from those the teacher scored)"
                    )
                if target.positions:
                    where = torch.tensor(target.positions) + offset + start
                    ids[0, where] = torch.tensor(target.top_ids)
                    logprobs[0, where] = torch.tensor(target.top_logprobs)
                    mask[0, where] = True
                start += length
            offset += len(tokens)
        batch["kd_ids"], batch["kd_logprobs"], batch["kd_mask"] = ids, logprobs, mask
        return batch


class KDSFTTrainer(SFTTrainer):
    """trl's SFTTrainer with the KD term added to its loss.

    trl's own loss, metrics and token counts are kept as they are: its fused LM head
    computes the answer tokens' log-probabilities without the full logits. A hook keeps the
    backbone's last hidden states from that same forward pass, and the KD term projects only
    the answer positions through the LM head (their full-vocabulary logits, which the KL
    needs). So alpha = 0 adds exactly nothing: the weights are SFT's, bit for bit.
    """

    def __init__(self, *args: Any, kd: Any, targets: Targets, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.kd = kd
        self.data_collator = KDCollator(self.data_collator, targets, kd.top_k)
        model: Any = self.model
        base = model.get_base_model() if hasattr(model, "get_base_model") else model
        config = base.config.get_text_config()
        scaled = [
            name
            for name in ("final_logit_softcapping", "logit_scale", "logits_scaling")
            if getattr(config, name, None) not in (None, 1.0)
        ]
        if scaled:
            raise DistilpipeError(
                f"train_sft.kd: the student scales its logits ({', '.join(scaled)}), which the "
                "KD term does not apply; set train_sft.kd.alpha: 0"
            )
        self._head = base.get_output_embeddings()
        self._hidden: list[torch.Tensor] = []
        base.base_model.register_forward_hook(self._keep_hidden)

    def _keep_hidden(self, module: Any, args: Any, output: Any) -> None:
        self._hidden[:] = [output.last_hidden_state]

    def compute_loss(
        self,
        model: Any,
        inputs: dict[str, Any],
        return_outputs: bool = False,
        num_items_in_batch: Any = None,
    ) -> Any:
        kd_ids, kd_logprobs, kd_mask = (inputs.pop(k) for k in ("kd_ids", "kd_logprobs", "kd_mask"))
        labels = inputs["labels"]
        ce = super().compute_loss(model, inputs, num_items_in_batch=num_items_in_batch)
        # The hidden state at t predicts token t + 1, as in trl's loss.
        taught = kd_mask[:, 1:] & (labels[:, 1:] != -100)
        hidden = self._hidden.pop()[:, :-1][taught]
        logits = self._head(hidden.to(self._head.weight.device))
        kl = kd_loss(
            logits, kd_ids[:, 1:][taught], kd_logprobs[:, 1:][taught], self.kd.temperature
        ).sum()
        count = taught.sum() if num_items_in_batch is None else num_items_in_batch
        kl = kl / torch.as_tensor(count, device=kl.device).clamp(min=1)
        if self.args.average_tokens_across_devices and num_items_in_batch is not None:
            kl = kl * self.accelerator.num_processes  # as trl scales its own term
        alpha = self.kd.alpha
        metrics = self._metrics["train" if model.training else "eval"]
        metrics["ce_loss"].append(float(self.accelerator.gather_for_metrics(ce.detach()).mean()))
        metrics["kd_loss"].append(float(self.accelerator.gather_for_metrics(kl.detach()).mean()))
        loss = (1.0 - alpha) * ce + alpha * kl
        return (loss, None) if return_outputs else loss


def summary(stats: Mapping[str, Any]) -> str:
    """One line for the stage log."""
    return (
        f"kd: {stats['kd_tokens_scored']:,} answer tokens with teacher targets, teacher top-k "
        f"mass {stats['kd_teacher_topk_mass']:.3f}"
    )
