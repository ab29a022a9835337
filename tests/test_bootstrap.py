import hashlib
import json
import os
import random
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedTokenizerFast

from distilpipe.bootstrap import (
    CHAT_TEMPLATE,
    EOS_TOKEN,
    HEAD_DIM,
    PAD_TOKEN,
    answer_loss,
    bootstrap,
    build_model,
    encode,
    length_batches,
    save_model,
    train,
    train_tokenizer,
)
from distilpipe.params import Bootstrap, StudentCorpus, TeacherCorpus, TinyModel
from distilpipe.prompts import render
from distilpipe.world import World
from distilpipe.world_corpus import VARIANTS, draw_prompt, teacher_corpus, variant

ROOT = Path(__file__).resolve().parents[1]
CONVERSATIONS = [
    [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "What is 12 + 30?"},
        {"role": "assistant", "content": "12 + 30 = 42. The answer is 42."},
    ],
    [
        {"role": "user", "content": "请用一句话介绍北京。"},
        {"role": "assistant", "content": "北京是中国的首都，有三千多年的历史。"},
        {"role": "user", "content": "上海呢？"},
        {"role": "assistant", "content": "上海是中国最大的城市，也是重要的金融中心。"},
    ],
    [
        {"role": "user", "content": "Write a haiku about the sea."},
        {
            "role": "assistant",
            "content": "Grey waves fold and break,\nsalt wind over the harbour,\ngulls call home.",
        },
    ],
    [
        {"role": "user", "content": "把这句话翻译成英文：今天天气很好。"},
        {"role": "assistant", "content": "The weather is very nice today."},
    ],
    [
        {"role": "user", "content": "Rate this answer from 0 to 9: 'Paris is in France.'"},
        {"role": "assistant", "content": "9"},
    ],
]
WORLD = ROOT / "data" / "world"
TINY = Bootstrap(
    world=str(WORLD),
    vocab_size=400,
    seed=3,
    tokens_per_batch=512,
    teacher=TinyModel(
        hidden_size=128, num_layers=1, num_heads=2, intermediate_size=128, steps=4, lr=3e-3
    ),
    student=TinyModel(
        hidden_size=64, num_layers=1, num_heads=1, intermediate_size=64, steps=3, lr=3e-3
    ),
    teacher_corpus=TeacherCorpus(
        qa=8,
        multiturn_qa=2,
        judge=4,
        classify=1,
        translate=2,
        expand=1,
        followup=1,
        rewrite=2,
        mt_bench=2,
        alpaca=2,
    ),
    student_corpus=StudentCorpus(qa=8, restate=2),
)


def _texts() -> list[str]:
    return [m["role"] + "\n" + m["content"] for c in CONVERSATIONS for m in c]


@pytest.fixture(scope="module")
def tokenizer() -> PreTrainedTokenizerFast:
    return train_tokenizer(_texts(), vocab_size=400)


def test_digits_are_single_tokens(tokenizer: PreTrainedTokenizerFast) -> None:
    ids = [tokenizer.encode(d, add_special_tokens=False) for d in "0123456789"]
    assert all(len(i) == 1 for i in ids)
    assert len({i[0] for i in ids}) == 10
    # Digits are never merged, whatever surrounds them ("42" appears in the training texts).
    assert tokenizer.encode("Score: 42", add_special_tokens=False)[-2:] == [ids[4][0], ids[2][0]]


def test_special_tokens_eos_pad_and_round_trip(tokenizer: PreTrainedTokenizerFast) -> None:
    assert tokenizer.eos_token == EOS_TOKEN
    assert tokenizer.pad_token == PAD_TOKEN
    assert tokenizer.convert_tokens_to_ids(["<|endoftext|>", "<|im_start|>", "<|im_end|>"]) == [
        0,
        1,
        2,
    ]
    text = "上海是中国最大的城市。 Mixed text, 123 and émigré ✓"
    ids = tokenizer.encode(text, add_special_tokens=False)
    assert tokenizer.decode(ids) == text
    assert tokenizer.encode("<|im_start|>user\n", add_special_tokens=False)[0] == 1


def test_training_is_deterministic() -> None:
    a = train_tokenizer(_texts(), vocab_size=400).backend_tokenizer.to_str()
    b = train_tokenizer(list(_texts()), vocab_size=400).backend_tokenizer.to_str()
    assert a == b
    with pytest.raises(ValueError, match="at least 259"):
        train_tokenizer(_texts(), vocab_size=100)


def test_chat_template_renders_chatml(tokenizer: PreTrainedTokenizerFast) -> None:
    assert tokenizer.chat_template == CHAT_TEMPLATE
    conversation = CONVERSATIONS[0]
    text = tokenizer.apply_chat_template(conversation, tokenize=False)
    assert text == (
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
        "<|im_start|>user\nWhat is 12 + 30?<|im_end|>\n"
        "<|im_start|>assistant\n12 + 30 = 42. The answer is 42.<|im_end|>\n"
    )
    prompt = tokenizer.apply_chat_template(
        conversation[:2], tokenize=False, add_generation_prompt=True
    )
    assert prompt == (
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
        "<|im_start|>user\nWhat is 12 + 30?<|im_end|>\n<|im_start|>assistant\n"
    )
    assert not tokenizer.apply_chat_template(conversation[:2], tokenize=False).endswith(
        "assistant\n"
    )


def test_assistant_mask_covers_exactly_the_answers(tokenizer: PreTrainedTokenizerFast) -> None:
    conversation = CONVERSATIONS[1]
    out = tokenizer.apply_chat_template(
        conversation, tokenize=True, return_dict=True, return_assistant_tokens_mask=True
    )
    ids, mask = out["input_ids"], out["assistant_masks"]
    assert len(ids) == len(mask)
    runs: list[list[int]] = []
    for i, (token, masked) in enumerate(zip(ids, mask, strict=True)):
        if masked:
            if i == 0 or not mask[i - 1]:
                runs.append([])
            runs[-1].append(token)
    answers = [m["content"] + EOS_TOKEN for m in conversation if m["role"] == "assistant"]
    assert [tokenizer.decode(run) for run in runs] == answers


def test_build_model_head_dim_64_and_ids(tokenizer: PreTrainedTokenizerFast) -> None:
    model = build_model(len(tokenizer), 128, 2, 2, 256, seed=0, eos_token_id=2, pad_token_id=0)
    config = model.config
    assert config.hidden_size // config.num_attention_heads == HEAD_DIM
    assert model.model.layers[0].self_attn.head_dim == HEAD_DIM
    assert config.tie_word_embeddings
    assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
    assert config.max_position_embeddings == 2048
    assert (config.bos_token_id, config.eos_token_id, config.pad_token_id) == (0, 2, 0)
    assert model.generation_config.eos_token_id == [2, 0]
    with pytest.raises(ValueError, match="num_heads \\* 64"):
        build_model(len(tokenizer), 96, 1, 2, 64, seed=0, eos_token_id=2, pad_token_id=0)
    with pytest.raises(ValueError, match="num_heads \\* 64"):
        TinyModel(hidden_size=100, num_layers=1, num_heads=2, intermediate_size=64, steps=1)


def _train(model, tokenizer, conversations, steps, lr, seed=0):  # type: ignore[no-untyped-def]
    pad = tokenizer.convert_tokens_to_ids(PAD_TOKEN)
    encoded = encode(tokenizer, conversations)
    return train(model, encoded, steps=steps, tokens_per_batch=256, lr=lr, seed=seed, pad_id=pad)


def test_briefly_trained_model_saves_loads_and_stops_at_eos(
    tokenizer: PreTrainedTokenizerFast,
    tmp_path: Path,
) -> None:
    model = build_model(len(tokenizer), 64, 2, 1, 128, seed=0, eos_token_id=2, pad_token_id=0)
    # One short exchange, learned by heart, so greedy decoding must answer and then stop.
    chat = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]
    losses = _train(model, tokenizer, [chat] * 4, steps=60, lr=1e-2)
    assert losses[-1] < losses[0] / 4
    assert not model.training
    save_model(model, tokenizer, tmp_path / "m")

    loaded_tok = AutoTokenizer.from_pretrained(tmp_path / "m")
    loaded = AutoModelForCausalLM.from_pretrained(tmp_path / "m")
    sample = "北京是中国的首都。 The answer is 42."
    assert loaded_tok.encode(sample, add_special_tokens=False) == tokenizer.encode(
        sample, add_special_tokens=False
    )
    assert loaded_tok.chat_template == CHAT_TEMPLATE
    assert loaded_tok.eos_token == EOS_TOKEN
    assert loaded_tok.pad_token == PAD_TOKEN
    for name, tensor in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], tensor), name

    prompt = loaded_tok.apply_chat_template(chat[:1], add_generation_prompt=True, tokenize=False)
    inputs = loaded_tok(prompt, return_tensors="pt", add_special_tokens=False)
    with torch.inference_mode():
        out = loaded.generate(**inputs, max_new_tokens=20, do_sample=False)
    new = out[0, inputs["input_ids"].shape[1] :].tolist()
    assert new[-1] == loaded_tok.eos_token_id
    assert len(new) < 20
    assert loaded_tok.decode(new, skip_special_tokens=True) == "Hello!"


def test_loss_goes_down(tokenizer: PreTrainedTokenizerFast) -> None:
    model = build_model(len(tokenizer), 64, 1, 1, 128, seed=1, eos_token_id=2, pad_token_id=0)
    losses = _train(model, tokenizer, CONVERSATIONS, steps=12, lr=1e-2, seed=1)
    assert len(losses) == 12
    assert sum(losses[-3:]) / 3 < losses[0] - 0.5


def test_the_loss_is_the_answer_tokens_cross_entropy(tokenizer: PreTrainedTokenizerFast) -> None:
    """Computed with the output projection on answer positions only, it equals the
    cross-entropy of the full logits over exactly the assistant's tokens."""
    model = build_model(len(tokenizer), 64, 1, 1, 128, seed=2, eos_token_id=2, pad_token_id=0)
    encoded = encode(tokenizer, CONVERSATIONS)
    with torch.inference_mode():
        got = float(answer_loss(model, encoded, pad_id=0))
        total, count = 0.0, 0
        for ids, mask in encoded:
            logits = model(input_ids=torch.tensor([ids])).logits[0]
            for position in range(1, len(ids)):
                if mask[position]:
                    logp = torch.log_softmax(logits[position - 1], dim=-1)[ids[position]]
                    total, count = total - float(logp), count + 1
    assert count == sum(sum(mask[1:]) for _, mask in encoded) > 0
    assert got == pytest.approx(total / count, rel=1e-4)


def test_batches_fit_the_budget_and_cover_every_conversation_once() -> None:
    lengths = [5, 300, 40, 41, 39, 600, 12, 13, 14, 15]
    batches = length_batches(lengths, 128, seed=0)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) == 1 or max(lengths[i] for i in batch) * len(batch) <= 128
    assert length_batches(lengths, 128, seed=0) == batches
    assert length_batches(lengths, 128, seed=1) != batches


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_bootstrap_twice_gives_byte_identical_folders(tmp_path: Path) -> None:
    world = World(WORLD)
    first = bootstrap(world, tmp_path / "one", TINY)
    second = bootstrap(world, tmp_path / "two", TINY)
    one, two = _digests(tmp_path / "one"), _digests(tmp_path / "two")
    expected = {
        "config.json",
        "generation_config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "chat_template.jinja",
    }
    assert set(one) == {f"{role}/{name}" for role in ("teacher", "student") for name in expected}
    assert one == two
    for role, size in (("teacher", TINY.teacher), ("student", TINY.student)):
        assert first[role]["losses"] == second[role]["losses"]
        assert len(first[role]["losses"]) == size.steps
    assert first["teacher"]["parameters"] > first["student"]["parameters"]
    assert first["teacher"]["conversations"] == sum(
        v for v in TINY.teacher_corpus.model_dump().values() if isinstance(v, int)
    )
    # The teacher and student share one tokenizer.
    assert one["teacher/tokenizer.json"] == one["student/tokenizer.json"]


def test_stage_writes_models_metrics_and_plots_reproducibly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = {"bootstrap": TINY.model_dump()}
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    script = ROOT / "stages" / "bootstrap.py"
    # In a fresh process: hash seeds and allocator state differ from this one's.
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    proc = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert "bootstrap: teacher" in proc.stderr
    models = tmp_path / "models" / "tiny"
    from_stage = _digests(models)

    bootstrap(World(WORLD), tmp_path / "direct", TINY)
    assert _digests(tmp_path / "direct") == from_stage

    # Again, in this process, over the existing folders: replaced whole, nothing left over.
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(script), run_name="bootstrap_stage")["main"]()
    assert _digests(models) == from_stage
    assert sorted(p.name for p in models.iterdir()) == ["student", "teacher"]

    metrics = json.loads((tmp_path / "metrics/bootstrap.json").read_text())
    assert set(metrics["teacher"]) == {
        "parameters", "conversations", "tokens", "loss_initial", "loss_final"
    }  # fmt: skip
    assert metrics["teacher"]["parameters"] > metrics["student"]["parameters"]
    plot = json.loads((tmp_path / "plots/bootstrap/loss.json").read_text())
    assert plot == []  # a point per 25 steps: these runs are shorter


SHORT = 150  # steps: about 7 s alone on 2 cores (the digit mass is past 0.99 after 100)


@pytest.mark.slow
def test_the_code_trains_a_teacher_that_answers_the_judge_on_a_short_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The committed stand-ins took an hour to train; this is the same code on a short budget,
    on one of the teacher's jobs: trained only on the judge template for a few hundred steps,
    its next token after a held-out judge prompt is a grade, a digit 0-9, with nearly all its
    probability (the judge reads those ten probabilities). Telling right answers from wrong
    ones takes the full budget: the default run's tests check that on the committed teacher."""
    # One thread: the session's default run trains in the background meanwhile
    # (tests/conftest.py), and two threads each on two cores wait on each other.
    monkeypatch.setattr("distilpipe.bootstrap.TRAIN_THREADS", 1)
    world = World(WORLD)
    only_judge = {name: 0 for name in TeacherCorpus.model_fields} | {"judge": 2000}
    corpus = teacher_corpus(world, TeacherCorpus(**only_judge), seed=0)
    tokenizer = train_tokenizer((m["content"] for c in corpus for m in c), vocab_size=2000)
    pad = tokenizer.convert_tokens_to_ids(PAD_TOKEN)
    eos = tokenizer.convert_tokens_to_ids(EOS_TOKEN)
    model = build_model(len(tokenizer), 128, 2, 2, 384, seed=0, eos_token_id=eos, pad_token_id=pad)
    before = _digit_mass(model, tokenizer, world)
    train(
        model,
        encode(tokenizer, corpus),
        steps=SHORT,
        tokens_per_batch=2048,
        lr=3e-3,
        seed=0,
        pad_id=pad,
    )
    after = _digit_mass(model, tokenizer, world)
    assert before < 0.1
    assert after >= 0.9


def _digit_mass(model: torch.nn.Module, tokenizer: PreTrainedTokenizerFast, world: World) -> float:
    """The least probability, over 30 held-out judge prompts, of the next token being a digit."""
    digits = [tokenizer.convert_tokens_to_ids(str(d)) for d in range(10)]
    rng = random.Random("held-out")
    masses = []
    for _ in range(30):
        p = draw_prompt(world, rng, "eval")
        answer = variant(world, p, rng.choice(list(VARIANTS)), rng)
        text, _ = render("judge_logprob", p.lang, instruction=p.text, answer=answer)
        ids = tokenizer.apply_chat_template(
            [{"role": "user", "content": text}],
            add_generation_prompt=True,
            return_tensors="pt",
            return_dict=True,
        )["input_ids"]
        with torch.inference_mode():
            probs = model(ids).logits[0, -1].softmax(-1)
        masses.append(float(probs[digits].sum()))
    return min(masses)
