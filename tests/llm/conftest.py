from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

FAKE_VLLM = Path(__file__).with_name("fake_vllm")  # a vllm package faking the parts we use


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny ChatML Qwen2 folder (tokenizer + weights), briefly trained on arithmetic chats.

    Untrained, a tied-embedding model greedily repeats the prompt's last token ("\\n"), so a
    few steps of training make its answers non-empty text.
    """
    from distilpipe.bootstrap import (
        EOS_TOKEN,
        PAD_TOKEN,
        build_model,
        encode,
        save_model,
        train,
        train_tokenizer,
    )

    conversations = [
        [
            {"role": "user", "content": f"What is {i} plus {i}?"},
            {"role": "assistant", "content": f"{i} plus {i} is {2 * i}. The answer is {2 * i}."},
        ]
        for i in range(64)
    ]
    tokenizer = train_tokenizer(
        (m["role"] + "\n" + m["content"] for c in conversations for m in c), vocab_size=400
    )
    model = build_model(
        len(tokenizer),
        hidden_size=64,
        num_layers=1,
        num_heads=1,
        intermediate_size=128,
        seed=0,
        eos_token_id=tokenizer.convert_tokens_to_ids(EOS_TOKEN),
        pad_token_id=tokenizer.convert_tokens_to_ids(PAD_TOKEN),
    )
    pad = tokenizer.convert_tokens_to_ids(PAD_TOKEN)
    train(
        model,
        encode(tokenizer, conversations),
        steps=60,
        tokens_per_batch=512,
        lr=1e-2,
        seed=0,
        pad_id=pad,
    )
    path = tmp_path_factory.mktemp("tiny-model") / "tiny-chat"
    save_model(model, tokenizer, path)
    return path


@pytest.fixture
def fake_vllm(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """vLLM faked for this process and the replicas it spawns (spawn hands its sys.path and
    environment on); the log of who answered what."""
    monkeypatch.syspath_prepend(str(FAKE_VLLM))
    monkeypatch.delitem(sys.modules, "vllm", raising=False)
    log = tmp_path / "answers.jsonl"
    monkeypatch.setenv("FAKE_VLLM_LOG", str(log))
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "4,5,6")
    monkeypatch.delenv("FAKE_VLLM_FAIL_ON", raising=False)
    yield log
    sys.modules.pop("vllm", None)  # the fake must not outlive the test
