"""The vllm backend's replicas (`ModelSpec.replicas`): a 1-GPU model copied over the box's GPUs,
each copy answering a contiguous share of every batch, results in request order.

No GPU and no vLLM here: the replicas are real spawned processes running the real backend
code against tests/llm/fake_vllm (vLLM's offline API, faked), which logs which process and
which GPUs answered each prompt.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from distilpipe.errors import DistilpipeError
from distilpipe.llm.types import (
    ChoiceProbs,
    ChoiceRequest,
    Failure,
    GenerateRequest,
    Generation,
    Sampling,
)
from distilpipe.llm.vllm_backend import (
    VLLMBackend,
    VLLMReplicas,
    load_line,
    replica_gpus,
    shard_bounds,
)
from distilpipe.params import ModelSpec
from tests.llm.conftest import FAKE_VLLM

DIGITS = tuple(str(i) for i in range(10))


def test_shards_are_contiguous_cover_the_batch_and_differ_by_at_most_one() -> None:
    assert shard_bounds(8, 3) == [(0, 3), (3, 6), (6, 8)]
    assert shard_bounds(2, 4) == [(0, 1), (1, 2), (2, 2), (2, 2)]
    for n in range(0, 40):
        for parts in range(1, 9):
            bounds = shard_bounds(n, parts)
            assert [i for start, end in bounds for i in range(start, end)] == list(range(n))
            sizes = [end - start for start, end in bounds]
            assert max(sizes) - min(sizes) <= 1


def test_replicas_take_the_visible_gpus_in_order() -> None:
    gpus = [str(i) for i in range(8)]
    assert replica_gpus(gpus, 8, 1) == [[g] for g in gpus]
    assert replica_gpus(gpus, 4, 2) == [["0", "1"], ["2", "3"], ["4", "5"], ["6", "7"]]
    assert replica_gpus(["4", "6"], 2, 1) == [["4"], ["6"]]
    with pytest.raises(DistilpipeError) as info:
        replica_gpus(gpus[:6], 4, 2)
    assert str(info.value) == "vllm: 4 replicas x 2 GPUs need 8 GPUs; 6 visible (0,1,2,3,4,5)"


def test_load_line_says_how_many_gpus_a_model_takes() -> None:
    spec = ModelSpec(backend="vllm", model="Qwen/Qwen2-7B-Instruct", replicas=8)
    assert load_line(spec) == (
        "vllm: loading Qwen/Qwen2-7B-Instruct: tensor parallel 1, pipeline parallel 1, "
        "replicas 8: 8 GPUs"
    )
    teacher = ModelSpec(backend="vllm", model="Qwen/Qwen2-72B-Instruct", tensor_parallel_size=8)
    assert load_line(teacher).endswith("tensor parallel 8, pipeline parallel 1, replicas 1: 8 GPUs")


def test_replicas_are_for_the_vllm_backend_only() -> None:
    with pytest.raises(ValidationError, match="replicas is for the vllm backend"):
        ModelSpec(model="x", replicas=2)
    assert ModelSpec(backend="vllm", model="x").replicas == 1


def _requests() -> list[GenerateRequest]:
    requests = [
        GenerateRequest(({"role": "user", "content": f"What is {i} plus {i}?"},), Sampling())
        for i in range(7)
    ]
    requests[2] = GenerateRequest(
        ({"role": "user", "content": "sampled"},), Sampling(temperature=1.0, seed=11)
    )
    requests[4] = GenerateRequest(({"role": "user", "content": "REJECT this"},))
    return requests


def _answers(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_three_replicas_answer_what_one_engine_answers_in_request_order(
    fake_vllm: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    requests = _requests()
    choices = [ChoiceRequest(r.messages, DIGITS) for r in requests]
    one = VLLMBackend(ModelSpec(backend="vllm", model=str(tiny_model_dir)))
    try:
        expected = one.generate(requests)
        expected_choices = one.choice_logprobs(choices)
    finally:
        one.close()
    fake_vllm.unlink()
    assert "replicas 1: 1 GPU" in capsys.readouterr().err

    spec = ModelSpec(backend="vllm", model=str(tiny_model_dir), replicas=3)
    backend = VLLMBackend(spec)
    assert "replicas 3: 3 GPUs" in capsys.readouterr().err
    assert isinstance(backend.engine, VLLMReplicas)
    processes = [process for process, _ in backend.engine.workers]
    try:
        got = backend.generate(requests)
        assert got == expected
        assert isinstance(got[4], Failure)  # rejected alone, in its replica
        assert all(isinstance(g, Generation) for i, g in enumerate(got) if i != 4)
        answers = _answers(fake_vllm)
        assert backend.choice_logprobs(choices) == expected_choices
        assert all(isinstance(c, ChoiceProbs) for i, c in enumerate(expected_choices) if i != 4)
        assert backend.generate([]) == []
        assert backend.generate(requests[:1]) == expected[:1]  # fewer requests than replicas
    finally:
        backend.close()
    assert not any(process.is_alive() for process in processes)

    # Each replica has its own GPU and its own process, and answered its contiguous share
    # (3, 2 and 2 requests; replica 1's batch was rejected and retried one by one).
    answered = [a for a in answers if a["prompt"] != "REJECT this"]
    by_gpu: dict[str, list[str]] = {}
    for answer in answered:
        by_gpu.setdefault(answer["gpus"], []).append(answer["prompt"])
    prompts = [r.messages[-1]["content"] for r in requests]
    assert by_gpu == {"4": prompts[0:3], "5": prompts[3:4], "6": prompts[5:7]}
    assert len({a["pid"] for a in answered}) == 3


def test_a_replica_that_cannot_load_stops_the_backend_in_one_line(
    fake_vllm: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_VLLM_FAIL_ON", "5")
    with pytest.raises(DistilpipeError) as info:
        VLLMBackend(ModelSpec(backend="vllm", model=str(tiny_model_dir), replicas=3))
    message = str(info.value)
    assert message == "vllm replica 1 (GPUs 5): RuntimeError: CUDA out of memory (fake)"


def test_more_replicas_than_gpus_fail_before_any_process_starts(fake_vllm: Path) -> None:
    with pytest.raises(DistilpipeError, match="need 4 GPUs; 3 visible"):
        VLLMBackend(ModelSpec(backend="vllm", model="unused", replicas=4))


def test_a_process_that_never_closes_its_replicas_still_exits(
    fake_vllm: Path, tiny_model_dir: Path
) -> None:
    """The replicas wait for their parent's next message; exiting without close() must not
    leave them, or the parent's exit (which joins them), waiting for ever."""
    code = (
        "from distilpipe.llm.vllm_backend import VLLMBackend\n"
        "from distilpipe.params import ModelSpec\n"
        f"b = VLLMBackend(ModelSpec(backend='vllm', model={str(tiny_model_dir)!r}, replicas=2))\n"
        "print(b.engine.workers[0][0].pid, b.engine.workers[1][0].pid)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(FAKE_VLLM), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    for pid in map(int, done.stdout.split()):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_replicas_without_vllm_fail_with_the_install_hint_before_any_process_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if importlib.util.find_spec("vllm") is not None:
        pytest.skip("vllm is importable here, so there is no install hint to show")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")
    with pytest.raises(DistilpipeError, match=r"pip install -e '\.\[gpu\]'"):
        VLLMBackend(ModelSpec(backend="vllm", model="x", replicas=2))
