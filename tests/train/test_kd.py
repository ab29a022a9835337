"""White-box distillation (train_sft.kd): the loss, the vocabulary check, the teacher's targets
through the call cache, and SFT with them."""

import math
from pathlib import Path
from typing import Any

import pytest
import torch
from datasets import Dataset
from tokenizers import Tokenizer, models
from transformers import AutoTokenizer, PreTrainedTokenizerFast

from distilpipe.errors import DistilpipeError
from distilpipe.train import common, kd
from distilpipe.train.sft import sft_config, train_sft
from tests.train.conftest import SFT, teacher_targets

# Three tokens, a five-word vocabulary, the teacher's top 2 at each, at temperature 2.
STUDENT_LOGITS = [
    [1.0, 2.0, 0.5, -1.0, 0.0],
    [0.0, 0.0, 3.0, 1.0, -2.0],
    [2.0, -1.0, 0.0, 0.5, 1.5],
]
TOP_IDS = [[1, 0], [2, 3], [0, 4]]
TOP_PROBS = [[0.6, 0.3], [0.7, 0.2], [0.5, 0.4]]  # at T = 1; the rest of each row's mass is cut


def test_kd_loss_matches_a_hand_computation_on_three_tokens_and_five_words() -> None:
    t = 2.0
    expected = []
    for logits, ids, probs in zip(STUDENT_LOGITS, TOP_IDS, TOP_PROBS, strict=True):
        # teacher: its top 2 at T, renormalised over the 2
        tempered = [p ** (1 / t) for p in probs]
        teacher = [w / sum(tempered) for w in tempered]
        # student: all 5 words at T
        z = sum(math.exp(x / t) for x in logits)
        student = [math.exp(logits[i] / t) / z for i in ids]
        kl = sum(p * (math.log(p) - math.log(q)) for p, q in zip(teacher, student, strict=True))
        expected.append(t * t * kl)
    got = kd.kd_loss(
        torch.tensor(STUDENT_LOGITS),
        torch.tensor(TOP_IDS),
        torch.tensor([[math.log(p) for p in row] for row in TOP_PROBS]),
        temperature=t,
    )
    assert got.tolist() == pytest.approx(expected, rel=1e-6)
    # The first row on paper: teacher sqrt(.6), sqrt(.3) renormalised = .5858, .4142;
    # student e^(z/2) over the 5 words: words 1 and 0 get 2.7183 / 7.2575 = .3745 and
    # 1.6487 / 7.2575 = .2272; KL = .5858 ln(.5858/.3745) + .4142 ln(.4142/.2272) = .5108;
    # times T^2 = 4.
    assert expected[0] == pytest.approx(2.0432, abs=1e-3)


def test_with_the_whole_vocabulary_at_t1_it_is_the_kl_divergence() -> None:
    student = torch.tensor(STUDENT_LOGITS)
    teacher = torch.log_softmax(torch.tensor(STUDENT_LOGITS).flip(-1) * 0.7, dim=-1)
    top = torch.topk(teacher, 5, dim=-1)
    got = kd.kd_loss(student, top.indices, top.values, temperature=1.0)
    want = torch.nn.functional.kl_div(
        torch.log_softmax(student, -1), teacher, log_target=True, reduction="none"
    ).sum(-1)
    assert torch.allclose(got, want, atol=1e-6)


def _word_tokenizer(vocab: dict[str, int]) -> PreTrainedTokenizerFast:
    return PreTrainedTokenizerFast(
        tokenizer_object=Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    )


def test_a_vocabulary_mismatch_is_one_error_naming_both_tokenizers() -> None:
    student = _word_tokenizer({"[UNK]": 0, "hello": 1, "world": 2})
    teacher = _word_tokenizer({"[UNK]": 0, "hello": 2, "world": 1})
    kd.check_vocabulary(student, _word_tokenizer(student.get_vocab()), "s", "t")
    with pytest.raises(DistilpipeError) as err:
        kd.check_vocabulary(student, teacher, "models/student", "models/other-teacher")
    message = str(err.value)
    assert "models/student" in message and "models/other-teacher" in message
    assert "differ on 2 tokens" in message and "\n" not in message


# The rest trains the session's tiny student with the tiny teacher's real targets.


@pytest.fixture(scope="module")
def teacher(student: str, sft_rows: list[Any], tmp_path_factory: Any) -> Any:
    cache = tmp_path_factory.mktemp("cache")
    cold, figures, client = teacher_targets(student, sft_rows[:48], cache)
    return cache, cold, figures, client


def test_a_rerun_with_the_teachers_calls_cached_makes_no_teacher_call(
    teacher: Any, student: str, sft_rows: list[Any]
) -> None:
    cache, cold, figures, first = teacher
    assert first.stats.cache_misses == 48 and first.backend.loads == 1
    assert figures["kd_tokens_scored"] > 1000
    assert 0.5 < figures["kd_teacher_topk_mass"] <= 1.0
    warm, again, client = teacher_targets(student, sft_rows[:48], cache)
    assert client.stats.cache_misses == 0 and client.stats.cache_hits == 48
    assert client.backend.loads == 0  # the teacher was never loaded
    assert warm == cold and again == figures


def test_the_collator_puts_each_conversations_targets_at_its_own_packed_tokens(
    teacher: Any, student: str, sft_rows: list[Any], tmp_path: Path
) -> None:
    _, (_, targets), _, _ = teacher
    tokenizer = AutoTokenizer.from_pretrained(student)
    common.ensure_generation_template(tokenizer, None)
    trainer = kd.KDSFTTrainer(
        model=common.load_model(SFT, student, "fp32", "cpu"),
        args=sft_config(SFT, tmp_path / "work", "cpu", "fp32"),
        train_dataset=Dataset.from_list([{"messages": c} for c in sft_rows[:48]]),
        processing_class=tokenizer,
        kd=SFT.kd,
        targets=targets,
    )
    batch = next(iter(trainer.get_train_dataloader()))
    ids, labels = batch["input_ids"][0], batch["labels"][0]
    starts = (batch["position_ids"][0] == 0).nonzero().flatten().tolist()
    assert len(starts) > 1  # several conversations packed into the row
    # Targets sit exactly on the trained tokens...
    assert torch.equal(batch["kd_mask"][0], labels != -100)
    # ...and are the teacher's for that very prefix: recompute one conversation's alone.
    start, end = starts[1], [*starts, len(ids)][2]
    target = targets[tuple(ids[start:end].tolist())]
    taught = batch["kd_mask"][0, start:end].nonzero().flatten().tolist()
    assert taught == target.positions
    assert batch["kd_ids"][0, start + taught[0]].tolist() == target.top_ids[0]


def _train_with_kd(
    alpha: float, teacher: Any, student: str, rows: list[Any], out: Path
) -> dict[str, Any]:
    """SFT as the session's `sft_run` trains it, with the teacher's targets and `alpha`."""
    params = SFT.model_copy(update={"kd": SFT.kd.model_copy(update={"alpha": alpha})})
    _, targets, _, _ = teacher
    return train_sft(
        student, rows[:48], rows[48:], params, out / "out", out / "work", teacher=targets
    )


def test_alpha_0_gives_the_weights_of_sft_without_kd_bit_for_bit(
    teacher: Any, sft_run: Any, student: str, sft_rows: list[Any], tmp_path: Path
) -> None:
    """alpha 0 through the KD trainer (collator, hook and all), against plain trl SFT."""
    plain_dir, plain = sft_run
    zero = _train_with_kd(0.0, teacher, student, sft_rows, tmp_path)
    assert (tmp_path / "out/model.safetensors").read_bytes() == (
        plain_dir / "out/model.safetensors"
    ).read_bytes()
    assert [p["loss"] for p in zero["curves"]] == [p["loss"] for p in plain["curves"]]
    assert all(p["kd_loss"] > 0 for p in zero["curves"])  # computed, weighted 0


def test_kd_moves_the_student_towards_the_teachers_distribution(
    teacher: Any, sft_run: Any, student: str, sft_rows: list[Any], tmp_path: Path
) -> None:
    _, plain = sft_run
    run = _train_with_kd(1.0, teacher, student, sft_rows, tmp_path)
    curve = [p["kd_loss"] for p in run["curves"]]
    assert curve[-1] < curve[0]
    assert run["eval_loss"] != plain["eval_loss"]
