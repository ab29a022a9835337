"""Typed, validated params, loaded from params.yaml (one section per stage)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from distilpipe.errors import ParamsError
from distilpipe.taxonomy import default_shares, type_ids

# The fewest new tokens a role needs for a reply format a stage parses (Params checks them
# at load): the judge stage's rationale of at most three sentences, then "Score: N"; the
# classifier's one sentence, then "Task: NN"; MT-Bench's explanation, then "Rating: [[N]]"
# (FastChat gives its judge 2,048; GPT-4's MT-Bench judgements run to a few hundred tokens).
MIN_NEW_TOKENS = {"judge": 128, "classify": 64, "mt_bench": 512}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HubDataset(_Section):
    """A `datasets` dataset: a Hub id, or a local folder written by `save_to_disk`."""

    name: str = Field(description="Hub dataset id, or a folder written by `save_to_disk`")
    split: str = Field("train", description="the split to read (with limit: its first rows)")
    revision: str | None = Field(None, description="commit sha or tag; pin it for reproducibility")
    config: str | None = Field(None, description="the dataset's configuration name, if any")


class Source(_Section):
    """One input dataset. Local sources (`sources:`) give `path`; Hub ones (`hub_sources:`) `hf`."""

    format: Literal["magpie", "openhermes", "mammoth2", "sharegpt", "messages"] = Field(
        description="the records' layout: the public dataset's of that name, or generic "
        "sharegpt/messages conversations"
    )
    path: str | None = Field(None, description="a .jsonl/.json/.parquet file or a shard folder")
    hf: HubDataset | None = Field(None, description="the Hugging Face dataset (hub_sources)")
    limit: int | None = Field(None, gt=0, description="read at most this many records")
    role_map: dict[str, str] = Field(
        default_factory=dict, description="source role name -> system|user|assistant"
    )
    on_error: Literal["fail", "skip"] = Field(
        "fail", description="unparseable line: fail the stage, or skip it into the rejects file"
    )

    @model_validator(mode="after")
    def _one_location(self) -> Source:
        if (self.path is None) == (self.hf is None):
            raise ValueError("give exactly one of 'path' and 'hf'")
        bad = {k: v for k, v in self.role_map.items() if v not in ("system", "user", "assistant")}
        if bad:
            raise ValueError(f"role_map values must be system, user or assistant: {bad}")
        return self


class Pool(_Section):
    """Dedup, language id and filters over the union of all sources."""

    near_dup_threshold: float = Field(0.85, gt=0.0, le=1.0, description="Jaccard of shingles")
    near_dup_ngram: int = Field(3, ge=1, description="shingle size in words (CJK: characters)")
    near_dup_num_perm: int = Field(32, ge=8, le=256, description="MinHash permutations")
    languages: list[str] | None = Field(["en", "zh"], description="keep these; null keeps all")
    keep_undetermined: bool = Field(
        True, description="keep rows whose language is 'und' (math/code with little prose)"
    )
    lang_min_confidence: float = Field(
        0.0, ge=0.0, le=1.0, description="below this the language is 'und'"
    )
    max_chars: int | None = Field(16000, gt=0, description="drop longer conversations")
    langid: Literal["fasttext", "langdetect"] = Field(
        "fasttext",
        description="language detector, used by every later language check too: fastText "
        "lid.176 (fast) or langdetect (seeded, ~100x slower)",
    )


class ModelSpec(_Section):
    """Who plays a role (teacher, student, judge): a backend, a model and sampling defaults."""

    backend: Literal["transformers", "vllm", "openai"] = Field(
        "transformers",
        description="transformers or vllm: loaded in the stage's process; openai: an "
        "OpenAI-compatible server at base_url",
    )
    model: str = Field(description="local folder, Hub id, or the API's model name")
    revision: str | None = Field(None, description="Hub revision or API model version")
    # sampling defaults
    max_new_tokens: int = Field(
        256, gt=0, description="new tokens per answer at most, unless the stage sets its own"
    )
    temperature: float = Field(0.0, ge=0.0, description="sampling temperature; 0: greedy")
    top_p: float = Field(1.0, gt=0.0, le=1.0, description="nucleus sampling: top-p mass")
    # transformers / vllm
    dtype: str = Field("auto", description="auto | float32 | bfloat16 | float16")
    device: str = Field("auto", description="transformers: auto | cpu | cuda | cuda:N")
    tensor_parallel_size: int = Field(1, ge=1, description="vllm: GPUs per model replica")
    pipeline_parallel_size: int = Field(
        1, ge=1, description="vllm: pipeline stages (e.g. across nodes); GPUs = tp * pp"
    )
    replicas: int = Field(
        1,
        ge=1,
        description="vllm: copies of the model on this machine, each on its own tp * pp "
        "GPUs, each answering a share of every batch (data parallel; results in request "
        "order); GPUs = replicas * tp * pp, e.g. 8 for a 1-GPU model on an 8-GPU box",
    )
    gpu_memory_utilization: float = Field(0.9, gt=0.0, le=1.0, description="vllm")
    max_model_len: int | None = Field(
        None,
        gt=0,
        description="context length in tokens (vllm: the engine's; others: e.g. the "
        "server's --max-model-len); default: the model config's max_position_embeddings",
    )
    tokenizer: str | None = Field(
        None,
        description="local folder or Hub id of the tokenizer that counts prompt tokens "
        "(for an API model); default: the model's own, where it is a local folder or "
        "transformers/vllm",
    )
    # openai-compatible endpoints
    base_url: str | list[str] | None = Field(
        None,
        description="e.g. http://127.0.0.1:8000/v1, or a list of such endpoints (replicas "
        "serving the same model): requests go to the least loaded healthy one",
    )
    api_key_env: str | None = Field(
        None, description="name of the environment variable holding the key (never the key)"
    )
    max_concurrency: int = Field(8, ge=1, description="requests in flight, all endpoints")
    max_concurrency_per_endpoint: int | None = Field(
        None, ge=1, description="requests in flight per endpoint; null: max_concurrency"
    )
    timeout_s: float = Field(
        120.0, gt=0.0, description="seconds one HTTP request may take (a timeout is retried)"
    )
    max_attempts: int = Field(
        6, ge=1, description="tries per request, the first included, before the call fails"
    )
    endpoint_eject_after: int = Field(
        3, ge=1, description="consecutive failures that take an endpoint out (2+ endpoints)"
    )
    endpoint_backoff_s: float = Field(
        5.0, gt=0.0, description="first time out of rotation; doubles while probes fail (cap 60)"
    )
    http2: bool = Field(False, description="negotiate HTTP/2 on https endpoints (needs h2)")

    @model_validator(mode="after")
    def _backend_needs(self) -> ModelSpec:
        if self.backend == "openai" and not self.base_url:
            raise ValueError("the openai backend needs 'base_url'")
        for url in self.base_urls():
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"base_url must start with http:// or https://: {url!r}")
        if len(set(self.base_urls())) != len(self.base_urls()):
            raise ValueError("base_url lists the same endpoint twice")
        if self.replicas > 1 and self.backend != "vllm":
            raise ValueError(
                "replicas is for the vllm backend; for openai, list the replicas' base_url"
            )
        return self

    def base_urls(self) -> list[str]:
        """The endpoints, as a list (empty when none is set), without trailing slashes."""
        urls = [self.base_url] if isinstance(self.base_url, str) else list(self.base_url or [])
        return [url.rstrip("/") for url in urls]


class LLM(_Section):
    """The LLM layer: call cache and batching, shared by every LLM stage."""

    cache_dir: str | None = Field(
        None, description="default: $DISTILPIPE_CACHE_DIR, else $XDG_CACHE_HOME/distilpipe"
    )
    batch_size: int = Field(
        32,
        ge=1,
        description="requests per backend batch, cut before the cache is read (a killed "
        "stage resumes with the same batches)",
    )
    max_failure_rate: float = Field(
        0.0, ge=0.0, le=1.0, description="fail the stage when more calls than this fail"
    )


class TinyModel(_Section):
    """The shape of one bootstrap Qwen2 model (head dimension 64) and its training."""

    hidden_size: int = Field(gt=0, description="num_heads * 64")
    num_layers: int = Field(ge=1, description="decoder layers")
    num_heads: int = Field(ge=1, description="attention heads")
    num_key_value_heads: int | None = Field(
        None, ge=1, description="grouped-query attention; null: num_heads"
    )
    intermediate_size: int = Field(gt=0, description="MLP width")
    steps: int = Field(ge=1, description="AdamW steps over its corpus")
    lr: float = Field(2.0e-3, gt=0.0, description="peak learning rate (warmup, then cosine)")

    @model_validator(mode="after")
    def _head_dim_64(self) -> TinyModel:
        if self.hidden_size != self.num_heads * 64:
            raise ValueError(
                f"hidden_size must be num_heads * 64 = {self.num_heads * 64} (head dimension 64)"
            )
        if self.num_key_value_heads is not None and self.num_heads % self.num_key_value_heads:
            raise ValueError("num_heads must be a multiple of num_key_value_heads")
        return self


class TeacherCorpus(_Section):
    """How many conversations of each kind the teacher trains on (distilpipe.world_corpus)."""

    qa: int = Field(12000, ge=0, description="the world's instructions and its answers")
    multiturn_qa: int = Field(3000, ge=0, description="the same, with one or two follow-ups")
    judge: int = Field(12000, ge=0, description="judge prompts graded 0-9")
    classify: int = Field(4000, ge=0, description="task-type prompts answered with a code")
    translate: int = Field(6000, ge=0, description="translation prompts, both ways")
    expand: int = Field(2500, ge=0, description="expansion prompts: a new instruction in tags")
    followup: int = Field(2500, ge=0, description="multi-turn prompts: the user's next message")
    rewrite: int = Field(5000, ge=0, description="rewrite prompts: the detailed answer")
    mt_bench: int = Field(5000, ge=0, description="MT-Bench grading prompts: [[N]]")
    alpaca: int = Field(4000, ge=0, description="AlpacaEval pairwise prompts: 1 or 2")
    constraint_rate: float = Field(
        0.3, ge=0.0, le=1.0, description="share of instructions given a format constraint"
    )


class StudentCorpus(_Section):
    """How many conversations of each kind the student trains on (distilpipe.world_corpus)."""

    qa: int = Field(15000, ge=0, description="train instructions, base phrasings, terse answers")
    restate: int = Field(5000, ge=0, description="the self-distiller's prompt: restate an answer")


class Bootstrap(_Section):
    """The tiny offline teacher and student: a BPE tokenizer and two small Qwen2s trained on
    conversations drawn from the tiny world (`world`), never on a distillation source."""

    world: str = Field("data/world", description="the tiny world's folder (facts, skills, ...)")
    vocab_size: int = Field(6000, ge=259, description="BPE vocabulary, special tokens included")
    seed: int = Field(0, description="seeds the corpora, the initial weights and the batches")
    tokens_per_batch: int = Field(
        6144, ge=64, description="padded tokens per step (conversations batched by length)"
    )
    teacher: TinyModel = Field(
        default_factory=lambda: TinyModel(
            hidden_size=256, num_layers=4, num_heads=4, intermediate_size=768, steps=3000
        ),
        description="the tiny teacher (models/tiny/teacher)",
    )
    student: TinyModel = Field(
        default_factory=lambda: TinyModel(
            hidden_size=128, num_layers=3, num_heads=2, intermediate_size=384, steps=1500
        ),
        description="the tiny student (models/tiny/student)",
    )
    teacher_corpus: TeacherCorpus = Field(
        default_factory=TeacherCorpus, description="the teacher's conversations, by kind"
    )
    student_corpus: StudentCorpus = Field(
        default_factory=StudentCorpus, description="the student's conversations, by kind"
    )


class Judge(_Section):
    """Model-Fit-Difficulty: grade teacher and student answers, keep what the student finds hard."""

    scoring: Literal["logprob", "generate"] = Field(
        "logprob", description="expected digit under the judge's next token, or 'Score: N'"
    )
    teacher_answer: Literal["generate", "source"] | dict[str, Literal["generate", "source"]] = (
        Field(
            "generate",
            description="the teacher writes it, or take the source's first answer; or per "
            "source, {source name: generate | source} naming every source (only a source "
            "whose answers are the teacher's own should say source)",
        )
    )
    max_chars: int | None = Field(
        4000,
        gt=0,
        description="drop rows whose first-turn prompt (plus the source answer, with "
        "teacher_answer: source) is longer, before any call; null: no limit",
    )
    min_mfd: float | None = Field(0.0, ge=-1.0, le=1.0, description="keep rows with mfd >= this")
    keep_fraction: float | None = Field(
        None, gt=0.0, le=1.0, description="instead: keep this fraction, hardest first"
    )
    answer_key: str | None = Field(
        None,
        description="JSON Lines of known final answers ({instruction, answers}); where a row's "
        "instruction is in it, its answers count as right or wrong and metrics/judge.json gives "
        "the ROC AUC of the judge's scores between them (judge_roc_auc)",
    )

    @model_validator(mode="after")
    def _one_rule(self) -> Judge:
        if (self.min_mfd is None) == (self.keep_fraction is None):
            raise ValueError("set exactly one of min_mfd and keep_fraction (the other null)")
        return self

    def teacher_answer_of(self, source: str) -> Literal["generate", "source"]:
        """Where the teacher's answer to a row of `source` comes from."""
        if isinstance(self.teacher_answer, str):
            return self.teacher_answer
        return self.teacher_answer[source]


class Classify(_Section):
    """Task types: an LLM (or the rows' own categories) labels a seed set, a small classifier
    trained on it labels every row."""

    seed_labels: Literal["llm", "source"] = Field(
        "llm",
        description="llm: the classifier role labels the seed rows; source: the rows' "
        "own Magpie category where it maps onto one type (no LLM call)",
    )
    mode: Literal["logprob", "generate"] = Field(
        "logprob",
        description="logprob: every code scored as the whole reply (needs "
        "logprobs); generate: a last line 'Task: NN', parsed strictly",
    )
    seed_size: int = Field(64, ge=1, description="seed rows; raising it only adds rows")
    seed: int = Field(0, description="seeds the seed order and the cross-validation folds")
    max_chars: int = Field(
        400, gt=0, description="characters of the instruction shown to the LLM (its start)"
    )
    cv_folds: int = Field(5, ge=2, description="cross-validation folds over the seed labels")
    n_features: int = Field(1 << 18, ge=1024, description="hashed n-gram buckets")
    max_tokens: int = Field(
        256, ge=1, description="tokens of each instruction the classifier reads"
    )
    c: float = Field(10.0, gt=0.0, description="inverse L2 strength of the logistic regression")


class SampleLength(_Section):
    """The target distribution of instruction length: log(length) ~ N(mu, sigma)."""

    unit: Literal["tokens", "chars"] = Field(
        "tokens", description="tokens of the student's tokenizer, or characters"
    )
    mu: float = Field(3.5, description="mean of log(length)")
    sigma: float = Field(1.0, gt=0.0, description="standard deviation of log(length)")
    bins: int = Field(16, ge=4, description="bins of log(length) over mu ± 4 sigma")


class Sample(_Section):
    """A sample balanced by task type, instruction length and language."""

    n: int = Field(48, ge=1, description="rows in the sample (at most the input's)")
    seed: int = Field(0, description="seeds the weighted draw of rows")
    length: SampleLength = Field(
        default_factory=SampleLength, description="the target instruction lengths"
    )
    lang_share: dict[str, float] = Field(
        default_factory=lambda: {"en": 0.5, "zh": 0.5},
        description="target share per language; a shortfall becomes a translate quota",
    )
    task_shares: dict[str, float] = Field(
        default_factory=default_shares, description="target share per task type id"
    )

    @model_validator(mode="after")
    def _shares(self) -> Sample:
        unknown = set(self.task_shares) - set(type_ids())
        if unknown:
            raise ValueError(f"task_shares: unknown task types {sorted(unknown)}")
        for name, shares in (("task_shares", self.task_shares), ("lang_share", self.lang_share)):
            if any(v < 0.0 for v in shares.values()):
                raise ValueError(f"{name}: shares must be >= 0")
        if sum(self.task_shares.values()) <= 0.0:
            raise ValueError("task_shares: at least one share must be > 0")
        if sum(self.lang_share.values()) > 1.0 + 1e-9:
            raise ValueError("lang_share: shares must sum to at most 1")
        return self


class Translate(_Section):
    """The teacher translates sampled rows into the languages `data/translate_quota.json`
    says each task type lacks, one conversation turn per call."""

    retries: int = Field(
        1, ge=0, description="a rejected translation is tried again this many times, new seed each"
    )
    retry_temperature: float | None = Field(
        0.7,
        ge=0.0,
        description="sampling temperature of a retry (a greedy retry would repeat the first "
        "try word for word); null: the teacher's",
    )
    max_new_tokens: int | None = Field(
        None, gt=0, description="new tokens per translated turn; null: models.teacher's"
    )
    max_length_ratio: float | None = Field(
        3.0,
        ge=1.0,
        description="a translated turn at most this many times longer or shorter than its "
        "source (in checks.text_units); null: no bound",
    )
    max_candidates: int | None = Field(
        4,
        ge=1,
        description="candidate rows tried per row of quota, best MFD first (a cost cap: a "
        "teacher that fails four rows in a row will not do better on the fifth); null: every "
        "row of the type in another language, until the quota is met",
    )


class Expand(_Section):
    """expand: the teacher writes new instructions for the task types short of their quota
    (from in-context seeds of the same type and language), checks them and answers them."""

    k: int = Field(3, ge=0, description="in-context seed instructions per new instruction")
    attempts: int = Field(
        2, ge=1, description="synthesis tries per missing row (each with another seed)"
    )
    min_type_conf: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="the classifier role (asked as for classify's seed labels) must give the "
        "intended type at least this",
    )
    no_seeds: Literal["other_lang", "zero_shot"] = Field(
        "other_lang",
        description="a type with no seeds in the row's language: seeds of another language, "
        "else zero-shot from the type's description (zero_shot: always the latter)",
    )
    max_seed_chars: int = Field(
        400, gt=0, description="characters of each seed instruction shown to the teacher"
    )
    temperature: float | None = Field(
        1.0,
        ge=0.0,
        description="sampling temperature of the synthesis calls (greedy decoding would "
        "write the same instruction for every zero-shot slot); null: the teacher's",
    )


class Multiturn(_Section):
    """multiturn: the teacher plays the user (a follow-up to the last answer), then answers."""

    fraction: float = Field(
        0.2, ge=0.0, le=1.0, description="rows continued, chosen by a hash of the row id"
    )
    max_turns: int = Field(3, ge=2, description="user turns a continued conversation reaches")
    seed: int = Field(0, description="salts the hash that chooses the rows")


class Rewrite(_Section):
    """The teacher rewrites every assistant turn for format, style and length (a prompt per
    task family); a rewrite that fails a preservation check leaves the original turn."""

    min_length_ratio: float = Field(
        0.5, gt=0.0, description="keep the original when the rewrite is shorter than this times it"
    )
    max_length_ratio: float = Field(
        3.0, gt=0.0, description="keep the original when the rewrite is longer than this times it"
    )

    @model_validator(mode="after")
    def _bounds(self) -> Rewrite:
        if self.min_length_ratio > self.max_length_ratio:
            raise ValueError("min_length_ratio must be at most max_length_ratio")
        return self


class SelfDistill(_Section):
    """The self-distiller (models.self_distiller) restates each final answer; the SFT and DPO
    sets are written from the result."""

    max_drop: float = Field(
        1.0,
        ge=0.0,
        le=9.0,
        description="accept a restatement the judge scores at most this far below the "
        "teacher's answer (0-9 scale)",
    )


class LoRA(_Section):
    """Low-rank adapters (peft) instead of full fine-tuning."""

    r: int = Field(16, ge=1, description="adapter rank")
    alpha: int = Field(32, ge=1, description="scaling: alpha / r")
    dropout: float = Field(0.0, ge=0.0, lt=1.0, description="dropout on the adapters' input")
    target_modules: list[str] | str = Field(
        "all-linear", description="module names, or 'all-linear' (every linear layer but the head)"
    )
    merge: bool = Field(
        False,
        description="also save the merged model: the output folder is then a full model and "
        "the adapter goes to its adapter/ subfolder",
    )


class KD(_Section):
    """White-box distillation: the teacher's top-k next-token distribution on each answer
    token as a second target beside the answer itself (see train/kd.py)."""

    alpha: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="weight of the KD term: loss = (1 - alpha) CE + alpha T^2 KL; 0: plain "
        "SFT, no teacher calls (0.5 from a sweep on the default run)",
    )
    top_k: int = Field(
        20, ge=1, description="teacher log-probabilities kept per token (vLLM caps at 20)"
    )
    temperature: float = Field(
        1.0, gt=0.0, description="softens teacher and student alike before the KL"
    )


class _Train(_Section):
    """The knobs SFT and DPO share (trl's SFTConfig/DPOConfig, i.e. transformers'
    TrainingArguments, under the usual names)."""

    model: str | None = Field(None, description="model folder or Hub id to start from")
    revision: str | None = Field(None, description="Hub revision of `model`")
    epochs: float = Field(1.0, gt=0.0, description="passes over the training rows")
    max_steps: int | None = Field(
        None, ge=1, description="stop after this many steps (overrides epochs)"
    )
    lr: float = Field(2.0e-5, gt=0.0, description="peak learning rate")
    lr_scheduler: str = Field("cosine", description="linear | cosine | constant_with_warmup | ...")
    warmup_ratio: float = Field(0.03, ge=0.0, lt=1.0, description="warmup, as a share of the steps")
    batch_size: int = Field(
        8, ge=1, description="sequences (packed rows, or pairs) per device per step"
    )
    grad_accum: int = Field(1, ge=1, description="gradient accumulation steps")
    max_length: int = Field(1024, ge=8, description="tokens per sequence (a packed row for SFT)")
    weight_decay: float = Field(0.0, ge=0.0, description="AdamW weight decay")
    max_grad_norm: float = Field(1.0, gt=0.0, description="gradients clipped to this norm")
    gradient_checkpointing: bool = Field(False, description="trade compute for memory")
    seed: int = Field(0, description="seeds training and the data order (seed, data_seed)")
    precision: Literal["auto", "fp32", "bf16", "fp16"] = Field(
        "auto", description="auto: bf16 on a GPU that has it, else fp32 (always fp32 on CPU)"
    )
    attn_implementation: str | None = Field(
        None, description="sdpa | flash_attention_2 | eager; null: transformers' default"
    )
    lora: LoRA | None = Field(None, description="null: full fine-tuning")
    eval_size: int = Field(16, ge=1, description="held-out rows (the last ones of the input)")
    logging_steps: int = Field(1, ge=1, description="log the loss every this many steps")
    save_steps: int = Field(50, ge=1, description="checkpoint every this many steps")
    checkpoint_dir: str = Field(
        "checkpoints", description="kept outside the stage's outputs; removed once a run completes"
    )
    live_dir: str = Field("dvclive", description="dvclive's running logs (<live_dir>/<stage>)")


class TrainSFT(_Train):
    """Supervised fine-tuning of the student on the distilled conversations (trl SFTTrainer)."""

    assistant_only_loss: bool = Field(True, description="loss on the assistant's tokens only")
    packing: bool = Field(
        True, description="pack conversations into max_length rows (best-fit, padding-free)"
    )
    chat_template: str | None = Field(
        None,
        description="a Jinja file with {% generation %} markers; null: the tokenizer's own if it "
        "has them, else the shipped marked ChatML (src/distilpipe/train/chatml_generation.jinja)",
    )
    kd: KD = Field(
        default_factory=KD,
        description="white-box distillation from models.teacher's token probabilities",
    )


class TrainDPO(_Train):
    """Preference optimisation of the SFT student (trl DPOTrainer): teacher answers chosen,
    student answers rejected."""

    model: str | None = Field("models/student-sft", description="the SFT model folder")
    lr: float = Field(5.0e-7, gt=0.0, description="peak learning rate")
    beta: float = Field(
        0.5,
        gt=0.0,
        description="strength of the pull towards the reference (sigmoid_norm: on per-token "
        "log-ratios; chosen from a sweep on the default run)",
    )
    loss_type: list[str] = Field(
        default_factory=lambda: ["sigmoid_norm"],
        min_length=1,
        description="trl loss names, mixed by loss_weights: sigmoid, sigmoid_norm, sft, ipo, ...",
    )
    loss_weights: list[float] | None = Field(None, description="one per loss_type; null: all 1")
    ld_alpha: float | None = Field(
        None, ge=0.0, le=1.0, description="LD-DPO: weight of the tokens past the shorter answer"
    )
    reference: Literal["model", "precompute"] = Field(
        "model",
        description="model: the starting model kept in memory (under LoRA: the adapter "
        "disabled); precompute: reference log-probs computed once before training",
    )
    gen_max_new_tokens: int = Field(
        64, ge=1, description="greedy answers to the held-out prompts, for their mean length"
    )

    @model_validator(mode="after")
    def _weights_match(self) -> TrainDPO:
        if self.loss_weights is not None and len(self.loss_weights) != len(self.loss_type):
            raise ValueError("loss_weights needs one weight per loss_type")
        return self


class Launcher(_Section):
    """How the training stages run: in the stage's own process, or under `accelerate launch`."""

    kind: Literal["python", "accelerate"] = Field(
        "python",
        description="python: the stage's own process; accelerate: the stage re-runs "
        "itself under `accelerate launch` with config",
    )
    config: str | None = Field(
        None, description="an accelerate config file, e.g. configs/accelerate/ddp.yaml"
    )
    num_processes: int | None = Field(None, ge=1, description="all processes, all machines")
    num_machines: int = Field(1, ge=1, description="machines, each running the stage")
    machine_rank: int = Field(
        0, ge=0, description="this machine's rank (env DISTILPIPE_MACHINE_RANK overrides)"
    )
    main_process_ip: str | None = Field(None, description="rank 0's address (multi-node)")
    main_process_port: int | None = Field(
        None, ge=1, le=65535, description="rank 0's port (multi-node); null: accelerate's"
    )

    @model_validator(mode="after")
    def _needs(self) -> Launcher:
        if self.kind == "accelerate" and self.config is None:
            raise ValueError("the accelerate launcher needs 'config'")
        if self.num_machines > 1 and self.main_process_ip is None:
            raise ValueError("more than one machine needs 'main_process_ip'")
        if self.machine_rank >= self.num_machines:
            raise ValueError("machine_rank must be below num_machines")
        return self


class Train(_Section):
    """What both training stages share."""

    launcher: Launcher = Field(
        default_factory=Launcher, description="how train_sft and train_dpo are launched"
    )


class IFEvalSet(_Section):
    """IFEval in the evaluate stage: a packaged prompt set, or a Hub set in its layout."""

    enabled: bool = Field(True, description="run it; `ifeval: false` is short for enabled: false")
    set: Literal["tiny-world", "public"] = Field(
        "tiny-world",
        description="the packaged set asked when `hub` is null: tiny-world, the project's own "
        "120 prompts (English and Chinese, the tiny world's constraint types); public, IFEval's "
        "541 (google-research's input_data.jsonl, Apache-2.0, pinned in the package)",
    )
    hub: str | None = Field(None, description="e.g. google/IFEval; null: the packaged set")
    revision: str | None = Field(
        None, description="the Hub dataset's commit sha (`preset apply` pins it); null: main"
    )
    limit: int | None = Field(None, gt=0, description="the first N prompts (quick runs)")


class MTBenchSet(_Section):
    """MT-Bench in the evaluate stage: the packaged two-turn questions, judge-graded."""

    enabled: bool = Field(True, description="run it; `mt_bench: false` is short for enabled: false")
    set: Literal["tiny-world", "public"] = Field(
        "tiny-world",
        description="tiny-world: the project's own questions in English and Chinese, greedy "
        "answers, the project's judge prompts; public: MT-Bench as published, FastChat's 80 "
        "English questions, GPT-4 reference answers and judge prompts (packaged, pinned), "
        "every answer at FastChat's temperature per category; a zh in languages still asks "
        "the project's Chinese questions, reported apart. public needs rating: generate",
    )
    languages: list[Literal["en", "zh"]] = Field(
        ["en", "zh"], min_length=1, description="the question sets asked, one per language"
    )
    limit: int | None = Field(None, gt=0, description="the first N questions per language")
    rating: Literal["logprob", "generate"] = Field(
        "logprob",
        description="the judge's expected rating from its probabilities of '[[1]]'..'[[10]]' "
        "(needs a backend with logprobs), or MT-Bench's explanation ending in a generated "
        "'Rating: [[N]]' parsed strictly (as published; unparsed turns counted)",
    )
    judge_max_new_tokens: int | None = Field(
        None,
        gt=0,
        description="new tokens for the judge's MT-Bench judgements (rating: generate); null: "
        "the judge role's max_new_tokens. FastChat gives its judge 2048",
    )

    @model_validator(mode="after")
    def _public_as_published(self) -> MTBenchSet:
        # FastChat's prompts ask for an explanation before the rating: there is no
        # rating-only form of them to read by probabilities
        if self.enabled and self.set == "public":
            if self.rating != "generate":
                raise ValueError(
                    "set: public grades with FastChat's prompts, an explanation then "
                    "[[rating]]: set rating: generate"
                )
            if "en" not in self.languages:
                raise ValueError("set: public is FastChat's English questions: add en to languages")
        return self


class AlpacaEvalSet(_Section):
    """AlpacaEval 2.0 in the evaluate stage: pairwise against the reference, LC win rate."""

    enabled: bool = Field(
        True, description="run it; `alpaca_eval: false` is short for enabled: false"
    )
    hub: str | None = Field(
        None, description="e.g. tatsu-lab/alpaca_eval; null: the packaged instructions"
    )
    revision: str | None = Field(
        None, description="the Hub dataset's commit sha (`preset apply` pins it); null: main"
    )
    limit: int | None = Field(None, gt=0, description="the first N instructions (quick runs)")
    verdict: Literal["logprob", "generate"] = Field(
        "logprob",
        description="the judge's P('1') vs P('2') (AlpacaEval 2.0's weighted annotator), or "
        "a generated digit parsed strictly",
    )


class LMEval(_Section):
    """General-ability tasks through lm-eval (optional, not installed by default)."""

    tasks: list[str] = Field(
        default_factory=list, description="e.g. [mmlu, ceval-valid, cmmlu, gsm8k]; empty: none"
    )
    limit: int | None = Field(None, gt=0, description="examples per task (quick runs)")
    allow_code_eval: bool = Field(
        False, description="humaneval/mbpp execute model-written code: opt in explicitly"
    )
    include_path: str | None = Field(
        None,
        description="a folder of lm-eval task YAMLs added to lm-eval's own (your tasks, or "
        "public ones pointed at local copies of their data)",
    )


class Intervals(_Section):
    """The paired bootstrap that puts an interval on each model's difference from the base."""

    resamples: int = Field(1000, gt=0, description="resamples of the items (prompts, turns)")
    confidence: float = Field(0.95, gt=0.0, lt=1.0, description="the interval's coverage")
    seed: int = Field(0, description="seeds the resampling, so intervals are reproducible")


class Evaluate(_Section):
    """The evaluate stage: each model answers IFEval, MT-Bench and AlpacaEval through the LLM
    layer; the judge role grades; the reference role answers AlpacaEval's other side."""

    models: dict[str, ModelSpec] = Field(
        default_factory=lambda: {"base": ModelSpec(model="models/tiny/student")},
        description="name -> model (a folder or Hub id, or a ModelSpec with its backend)",
    )
    base: str = Field("base", description="the model the delta rows compare against")
    reference: str = Field("teacher", description="AlpacaEval's reference: a role in `models`")
    judge: str = Field("judge", description="the judge: a role in `models`")
    max_new_tokens: int = Field(
        64, gt=0, description="every evaluated model answers greedily with this many new tokens"
    )
    ifeval: IFEvalSet = Field(default_factory=IFEvalSet, description="IFEval; false: skipped")
    mt_bench: MTBenchSet = Field(default_factory=MTBenchSet, description="MT-Bench; false: skipped")
    alpaca_eval: AlpacaEvalSet = Field(
        default_factory=AlpacaEvalSet, description="AlpacaEval 2.0; false: skipped"
    )
    lm_eval: LMEval = Field(default_factory=LMEval, description="lm-eval tasks")
    intervals: Intervals = Field(
        default_factory=Intervals, description="intervals on the differences from the base"
    )

    @field_validator("models", mode="before")
    @classmethod
    def _folder_or_spec(cls, value: object) -> object:
        """`base: models/tiny/student` is short for `base: {model: models/tiny/student}`."""
        if isinstance(value, dict):
            return {k: {"model": v} if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_validator("ifeval", "mt_bench", "alpaca_eval", mode="before")
    @classmethod
    def _switch(cls, value: object) -> object:
        """`mt_bench: false` is short for `mt_bench: {enabled: false}`."""
        return {"enabled": value} if isinstance(value, bool) else value

    @model_validator(mode="after")
    def _base_is_evaluated(self) -> Evaluate:
        if not self.models:
            raise ValueError("models: name at least one model to evaluate")
        if self.base not in self.models:
            raise ValueError(f"base {self.base!r} is not one of models {sorted(self.models)}")
        if "calls" in self.models:
            raise ValueError("'calls' cannot name a model: metrics/eval.json uses that key")
        return self


class Params(_Section):
    """Every knob of the pipeline, one section per stage; a key left out takes its default."""

    models: dict[str, ModelSpec] = Field(
        default_factory=dict,
        description="role -> the model playing it: teacher, student, judge, classifier, "
        "self_distiller (unset: the student's spec)",
    )
    llm: LLM = Field(default_factory=LLM, description="shared by every stage that calls a model")
    sources: dict[str, Source] = Field(
        default_factory=dict, description="name -> local source, read by ingest@<name>"
    )
    hub_sources: dict[str, Source] = Field(
        default_factory=dict, description="name -> Hub dataset, read by ingest_hub@<name>"
    )
    pool: Pool = Field(default_factory=Pool, description="the pool stage")
    bootstrap: Bootstrap = Field(default_factory=Bootstrap, description="the bootstrap stage")
    judge: Judge = Field(default_factory=Judge, description="the judge stage")
    classify: Classify = Field(default_factory=Classify, description="the classify stage")
    sample: Sample = Field(default_factory=Sample, description="the sample stage")
    translate: Translate = Field(default_factory=Translate, description="the translate stage")
    expand: Expand = Field(default_factory=Expand, description="the expand stage")
    multiturn: Multiturn = Field(default_factory=Multiturn, description="the multiturn stage")
    rewrite: Rewrite = Field(default_factory=Rewrite, description="the rewrite stage")
    self_distill: SelfDistill = Field(
        default_factory=SelfDistill, description="the self_distill stage"
    )
    train: Train = Field(default_factory=Train, description="shared by train_sft and train_dpo")
    train_sft: TrainSFT = Field(default_factory=TrainSFT, description="the train_sft stage")
    train_dpo: TrainDPO = Field(default_factory=TrainDPO, description="the train_dpo stage")
    evaluate: Evaluate = Field(default_factory=Evaluate, description="the evaluate stage")

    @field_validator("models", mode="before")
    @classmethod
    def _self_distiller_default(cls, value: object) -> object:
        """`models.self_distiller` unset is the student's spec (DistilQwen2 restates with the
        student's larger sibling; the tiny run has no other). Same spec, one loaded model."""
        if isinstance(value, dict) and "student" in value and "self_distiller" not in value:
            return {**value, "self_distiller": value["student"]}
        return value

    @model_validator(mode="after")
    def _source_kinds(self) -> Params:
        for name, src in self.sources.items():
            if src.path is None:
                raise ValueError(f"sources.{name}: a local source needs 'path' (Hub: hub_sources)")
        for name, src in self.hub_sources.items():
            if src.hf is None:
                raise ValueError(f"hub_sources.{name}: a Hub source needs 'hf'")
        both = set(self.sources) & set(self.hub_sources)
        if both:
            raise ValueError(f"names used in both sources and hub_sources: {sorted(both)}")
        if isinstance(self.judge.teacher_answer, dict):
            named, known = set(self.judge.teacher_answer), set(self.all_sources())
            if named - known:
                raise ValueError(
                    f"judge.teacher_answer names no source {sorted(named - known)}: the "
                    f"sources are {sorted(known)}"
                )
            if known - named:
                raise ValueError(
                    f"judge.teacher_answer: say generate or source for {sorted(known - named)} "
                    "too (only a source whose answers are the teacher's own should say source)"
                )
        return self

    @model_validator(mode="after")
    def _budgets_hold_formats(self) -> Params:
        """A role asked to write a reply a stage parses must have the new tokens to write it:
        a judge cut off before its `Score: N` or `Rating: [[N]]` leaves every row unparsed."""
        needs: list[tuple[str, str, int | None, int]] = []  # (where, role, budget, minimum)
        if self.judge.scoring == "generate":
            needs.append(("judge.scoring: generate", "judge", None, MIN_NEW_TOKENS["judge"]))
        if self.classify.mode == "generate":
            needs.append(
                ("classify.mode: generate", "classifier", None, MIN_NEW_TOKENS["classify"])
            )
        bench = self.evaluate.mt_bench
        if bench.enabled and bench.rating == "generate":
            needs.append(
                (
                    "evaluate.mt_bench.rating: generate",
                    self.evaluate.judge,
                    bench.judge_max_new_tokens,
                    MIN_NEW_TOKENS["mt_bench"],
                )
            )
        for where, role, budget, minimum in needs:
            spec = self.models.get(role)
            if spec is None:
                continue  # an unset role is its own error, when the stage asks for it
            tokens = budget if budget is not None else spec.max_new_tokens
            if tokens < minimum:
                source = (
                    "evaluate.mt_bench.judge_max_new_tokens"
                    if budget is not None
                    else f"models.{role}.max_new_tokens"
                )
                raise ValueError(
                    f"{where} parses a reply written after the model's reasoning, but "
                    f"{source} is {tokens}: give it at least {minimum}"
                )
        return self

    def all_sources(self) -> dict[str, Source]:
        """Every source, local then Hub, in params order (the order pool reads them in)."""
        return {**self.sources, **self.hub_sources}


def load_params(path: str | Path = "params.yaml") -> Params:
    """Load and validate params; a bad file raises ParamsError naming each bad key."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ParamsError(f"{path}: {exc}") from exc
    try:
        return Params.model_validate(data)
    except ValidationError as exc:
        lines = [
            f"{path}: {'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()
        ]
        raise ParamsError("\n".join(lines)) from None
