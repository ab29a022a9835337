import json
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl.chat_template_utils import has_generation_markers

from distilpipe.params import TrainSFT
from distilpipe.train import common
from distilpipe.train.sft import sft_config, train_sft
from tests.train.conftest import SFT

# Qwen2-Instruct's chat template (no generation markers), as its tokenizer_config.json has it.
QWEN2_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
MULTI_TURN = [
    {"role": "system", "content": "You answer in one sentence."},
    {"role": "user", "content": "What is 2 + 2?"},
    {"role": "assistant", "content": "2 + 2 = 4."},
    {"role": "user", "content": "请用一句话介绍北京。"},
    {"role": "assistant", "content": "北京是中国的首都。"},
]


def _trainer(student: str, conversations: list[Any], tmp_path: Path) -> Any:
    from datasets import Dataset
    from trl import SFTTrainer

    tokenizer = AutoTokenizer.from_pretrained(student)
    common.ensure_generation_template(tokenizer, None)
    return SFTTrainer(
        model=common.load_model(SFT, student, "fp32", "cpu"),
        args=sft_config(SFT, tmp_path / "work", "cpu", "fp32"),
        train_dataset=Dataset.from_list([{"messages": c} for c in conversations]),
        processing_class=tokenizer,
    )


def test_only_answers_and_their_im_end_carry_loss_in_a_packed_batch(
    student: str, sft_rows: list[Any], tmp_path: Path
) -> None:
    conversations = [MULTI_TURN, *sft_rows[:3]]
    trainer = _trainer(student, conversations, tmp_path)
    tokenizer = trainer.processing_class
    batch = next(iter(trainer.get_train_dataloader()))
    # Packed without padding: one row, conversations told apart by position ids restarting.
    assert batch["input_ids"].shape[0] == 1 and "attention_mask" not in batch
    ids, labels = batch["input_ids"][0].tolist(), batch["labels"][0].tolist()
    starts = [i for i, p in enumerate(batch["position_ids"][0].tolist()) if p == 0]
    assert len(starts) == len(conversations)
    expected = {
        tokenizer.decode(
            tokenizer.apply_chat_template(c, tokenize=True, return_dict=True)["input_ids"]
        ): "".join(m["content"] + "<|im_end|>" for m in c if m["role"] == "assistant")
        for c in conversations
    }
    for start, end in zip(starts, [*starts[1:], len(ids)], strict=True):
        text = tokenizer.decode(ids[start:end])
        # labels are the inputs themselves (the model shifts them): keep those with loss
        trained = tokenizer.decode(
            [t for t, lab in zip(ids[start:end], labels[start:end], strict=True) if lab != -100]
        )
        assert trained == expected[text]
    # Nothing of the system or user turns, nor the role headers, is trained.
    kept = tokenizer.decode([t for t, lab in zip(ids, labels, strict=True) if lab != -100])
    for forbidden in (
        "You answer in one sentence.",
        "What is 2 + 2?",
        "请用一句话介绍北京",
        "<|im_start|>",
        "assistant\n",
    ):
        assert forbidden not in kept
    assert kept.count("<|im_end|>") == sum(
        m["role"] == "assistant" for c in conversations for m in c
    )


def test_a_template_without_markers_gets_the_marked_chatml_that_renders_the_same(
    student: str,
) -> None:
    tokenizer = AutoTokenizer.from_pretrained(student)
    tokenizer.chat_template = QWEN2_TEMPLATE
    for messages in (MULTI_TURN, MULTI_TURN[1:3]):
        original = tokenizer.apply_chat_template(messages, tokenize=False)
        prompt = tokenizer.apply_chat_template(
            messages[:-1], tokenize=False, add_generation_prompt=True
        )
        common.ensure_generation_template(tokenizer, None)
        assert has_generation_markers(tokenizer.chat_template)
        assert tokenizer.apply_chat_template(messages, tokenize=False) == original
        assert (
            tokenizer.apply_chat_template(messages[:-1], tokenize=False, add_generation_prompt=True)
            == prompt
        )
        mask = tokenizer.apply_chat_template(
            messages, tokenize=True, return_dict=True, return_assistant_tokens_mask=True
        )["assistant_masks"]
        assert 0 < sum(mask) < len(mask)
        tokenizer.chat_template = QWEN2_TEMPLATE
    # A template that already has markers is left alone.
    own = AutoTokenizer.from_pretrained(student)
    before = own.chat_template
    common.ensure_generation_template(own, None)
    assert own.chat_template == before


def test_sft_writes_a_loadable_model_and_reports_its_held_out_loss(
    sft_run: Any, student: str
) -> None:
    tmp, metrics = sft_run
    assert metrics["eval_loss"] > 0 and metrics["eval_loss_base"] > 0
    assert metrics["steps"] == SFT.max_steps and metrics["tokens_seen"] > 0
    assert metrics["precision"] == "fp32" and metrics["device"] == "cpu"
    assert [p["step"] for p in metrics["curves"]] == list(range(1, SFT.max_steps + 1))
    assert not (tmp / "work").exists()  # checkpoints removed once the run completes
    assert (tmp / "live" / "metrics.json").is_file()  # dvclive's running log
    model = AutoModelForCausalLM.from_pretrained(tmp / "out")
    tokenizer = AutoTokenizer.from_pretrained(tmp / "out")
    assert has_generation_markers(tokenizer.chat_template)
    base = AutoModelForCausalLM.from_pretrained(student)
    changed = [n for n, t in model.state_dict().items() if not torch.equal(t, base.state_dict()[n])]
    assert changed
    assert sorted(p.name for p in (tmp / "out").iterdir()) == [
        "chat_template.jinja",
        "config.json",
        "generation_config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
    ]


def test_the_same_run_twice_gives_the_same_loss_curve_and_weights(
    sft_run: Any, student: str, sft_rows: list[Any], tmp_path: Path
) -> None:
    first_dir, first = sft_run
    second = train_sft(
        student, sft_rows[:48], sft_rows[48:], SFT, tmp_path / "out", tmp_path / "work"
    )
    assert second["curves"] == first["curves"]
    assert (tmp_path / "out/model.safetensors").read_bytes() == (
        first_dir / "out/model.safetensors"
    ).read_bytes()


def test_lora_saves_an_adapter_for_peft_and_a_merged_model_for_transformers(
    student: str, sft_rows: list[Any], tmp_path: Path
) -> None:
    from peft import PeftModel

    lora = {"r": 4, "alpha": 8, "merge": True}
    params = TrainSFT.model_validate({**SFT.model_dump(), "lora": lora})
    metrics = train_sft(
        student, sft_rows[:32], sft_rows[48:], params, tmp_path / "out", tmp_path / "work"
    )
    assert metrics["lora"] is True
    adapter = json.loads((tmp_path / "out/adapter/adapter_config.json").read_text())
    assert adapter["r"] == 4
    with_adapter = PeftModel.from_pretrained(
        AutoModelForCausalLM.from_pretrained(student), tmp_path / "out/adapter"
    )
    merged = AutoModelForCausalLM.from_pretrained(tmp_path / "out")
    assert not (tmp_path / "out/adapter_config.json").exists()  # a plain model folder
    ids = torch.tensor([[1, 5, 9, 42, 7, 3]])
    with torch.inference_mode():
        expected = with_adapter(input_ids=ids).logits
        got = merged(input_ids=ids).logits
        base = AutoModelForCausalLM.from_pretrained(student)(input_ids=ids).logits
    assert torch.allclose(got, expected, atol=1e-4)
    assert not torch.allclose(got, base, atol=1e-4)  # the adapter did learn something


def test_curves_log_in_a_new_repository_with_no_commit_yet(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """A new project's first `dvc repro` runs before any commit: dvclive's own DVC
    integration reads the git revision there and fails ("Empty git repo"); ours logs."""
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["dvc", "init", "-q"], cwd=tmp_path, check=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DVC_ROOT", str(tmp_path))  # as under `dvc repro`
    callback = common.live_callback(tmp_path / "dvclive" / "train_sft", resume=False)
    callback.live.log_metric("loss", 1.5)
    callback.live.next_step()
    assert (tmp_path / "dvclive" / "train_sft" / "plots" / "metrics" / "loss.tsv").is_file()
