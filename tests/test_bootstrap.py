import hashlib
import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import torch
import yaml
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedTokenizerFast

from distilpipe.bootstrap import (
    CHAT_TEMPLATE,
    EOS_TOKEN,
    HEAD_DIM,
    PAD_TOKEN,
    bootstrap,
    build_model,
    conversations_from_rows,
    read_corpus,
    save_model,
    train_briefly,
    train_tokenizer,
)
from distilpipe.errors import InputError
from distilpipe.params import Bootstrap, TinyModel
from distilpipe.schema import ROW_SCHEMA

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
TINY = Bootstrap(
    vocab_size=400,
    seed=3,
    steps=4,
    batch_size=2,
    max_length=48,
    lr=3e-3,
    teacher=TinyModel(hidden_size=128, num_layers=1, num_heads=2, intermediate_size=128),
    student=TinyModel(hidden_size=64, num_layers=1, num_heads=1, intermediate_size=64),
)


def _texts() -> list[str]:
    return [m["role"] + "\n" + m["content"] for c in CONVERSATIONS for m in c]


@pytest.fixture(scope="module")
def tokenizer() -> PreTrainedTokenizerFast:
    return train_tokenizer(_texts(), vocab_size=400)


def _frame(conversations: list[list[dict[str, str]]], source: str) -> pl.DataFrame:
    n = len(conversations)
    return pl.DataFrame(
        {
            "id": [f"{source}{i}" for i in range(n)],
            "source": [source] * n,
            "source_id": [None] * n,
            "messages": conversations,
            "lang": ["und"] * n,
            "origin": ["source"] * n,
            "parent_id": [None] * n,
            "meta": ["{}"] * n,
        },
        schema=ROW_SCHEMA,
    )


def test_conversations_from_rows_in_order() -> None:
    frames = [_frame(CONVERSATIONS[:2], "a"), _frame(CONVERSATIONS[2:], "b")]
    assert conversations_from_rows(frames) == CONVERSATIONS
    assert conversations_from_rows([]) == []


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
        TinyModel(hidden_size=100, num_layers=1, num_heads=2, intermediate_size=64)


def test_briefly_trained_model_saves_loads_and_stops_at_eos(
    tokenizer: PreTrainedTokenizerFast,
    tmp_path: Path,
) -> None:
    model = build_model(len(tokenizer), 64, 2, 1, 128, seed=0, eos_token_id=2, pad_token_id=0)
    # One short exchange, learned by heart, so greedy decoding must answer and then stop.
    chat = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]
    losses = train_briefly(
        model, tokenizer, [chat] * 4, steps=60, batch_size=4, max_length=32, lr=1e-2, seed=0
    )
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
    losses = train_briefly(
        model, tokenizer, CONVERSATIONS, steps=12, batch_size=2, max_length=64, lr=1e-2, seed=1
    )
    assert len(losses) == 12
    assert sum(losses[-3:]) / 3 < losses[0] - 0.5


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_bootstrap_twice_gives_byte_identical_folders(tmp_path: Path) -> None:
    first = bootstrap(CONVERSATIONS, tmp_path / "one", TINY)
    second = bootstrap(CONVERSATIONS, tmp_path / "two", TINY)
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
    for role in ("teacher", "student"):
        assert first[role]["losses"] == second[role]["losses"]
        assert len(first[role]["losses"]) == TINY.steps
    assert first["teacher"]["parameters"] > first["student"]["parameters"]
    assert first["conversations"] == len(CONVERSATIONS)
    # The teacher and student share one tokenizer.
    assert one["teacher/tokenizer.json"] == one["student/tokenizer.json"]


def test_stage_writes_models_metrics_and_plots_reproducibly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = {"bootstrap": {**TINY.model_dump(), "corpus": "corpus.jsonl"}}
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    (tmp_path / "corpus.jsonl").write_text(
        "".join(json.dumps({"messages": c}, ensure_ascii=False) + "\n" for c in CONVERSATIONS),
        encoding="utf-8",
    )
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

    bootstrap(CONVERSATIONS, tmp_path / "direct", TINY)
    assert _digests(tmp_path / "direct") == from_stage

    # Again, in this process, over the existing folders: replaced whole, nothing left over.
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(script), run_name="bootstrap_stage")["main"]()
    assert _digests(models) == from_stage
    assert sorted(p.name for p in models.iterdir()) == ["student", "teacher"]

    metrics = json.loads((tmp_path / "metrics/bootstrap.json").read_text())
    assert metrics["conversations"] == len(CONVERSATIONS)
    assert set(metrics["teacher"]) == {"parameters", "loss_initial", "loss_final"}
    assert metrics["teacher"]["parameters"] > metrics["student"]["parameters"]
    plot = json.loads((tmp_path / "plots/bootstrap/loss.json").read_text())
    assert [p["step"] for p in plot] == list(range(1, TINY.steps + 1))
    assert set(plot[0]) == {"step", "teacher", "student"}


def test_read_corpus_keeps_order_and_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    lines = [json.dumps({"messages": c}, ensure_ascii=False) for c in CONVERSATIONS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert read_corpus(path) == CONVERSATIONS

    no_answer = {"messages": [{"role": "user", "content": "Hello?"}]}
    path.write_text("\n".join([*lines[:2], json.dumps(no_answer)]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"corpus\.jsonl:3: no_assistant"):
        read_corpus(path)
    path.write_text(lines[0] + "\n{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"corpus\.jsonl:2: invalid JSON"):
        read_corpus(path)


def test_project_corpus_is_no_source_and_is_what_the_script_writes(tmp_path: Path) -> None:
    """The committed corpus is exactly what data/bootstrap/make_corpus.py writes, and shares no
    conversation with the sample sources being distilled."""
    corpus = ROOT / "data/bootstrap/corpus.jsonl"
    script = runpy.run_path(str(ROOT / "data/bootstrap/make_corpus.py"), run_name="corpus")
    written = tmp_path / "corpus.jsonl"
    script["main"].__globals__["OUT"] = written
    script["main"]()
    assert written.read_bytes() == corpus.read_bytes()
    conversations = read_corpus(corpus)
    assert len(conversations) >= 2000
    turns = {m["content"] for c in conversations for m in c}
    assert any("答案是" in t for t in turns) and any("The answer is" in t for t in turns)
    samples = ROOT / "data/samples"
    sample_text = "".join(p.read_text(encoding="utf-8") for p in sorted(samples.glob("*.json*")))
    shared = [t for t in turns if len(t) > 40 and json.dumps(t, ensure_ascii=False) in sample_text]
    assert shared == []
