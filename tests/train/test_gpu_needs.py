"""What a GPU box needs before training starts, checked in one line: the accelerate config's
DeepSpeed installed, and the attention implementation loadable (flash attention from its
package or through `kernels` from the Hub). The presets pass where both are installed."""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from distilpipe.errors import DistilpipeError
from distilpipe.params import Launcher, TrainSFT
from distilpipe.train import common
from distilpipe.train.launch import launch_command, launcher_error, relaunch

ROOT = Path(__file__).resolve().parents[2]
PRESETS = sorted((ROOT / "presets").glob("*.yaml"))


def _without(monkeypatch: pytest.MonkeyPatch, *missing: str) -> None:
    """Make `importlib.util.find_spec` report the named top-level packages as not installed."""
    real = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> Any:
        return None if name.split(".")[0] in missing else real(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_zero3_without_deepspeed_stops_in_one_line_before_launching(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("DISTILPIPE_LAUNCHED", raising=False)
    _without(monkeypatch, "deepspeed")
    launched: list[Any] = []
    monkeypatch.setattr("subprocess.run", lambda *a, **k: launched.append(a))
    zero3 = Launcher(kind="accelerate", config="configs/accelerate/zero3.yaml")
    with pytest.raises(DistilpipeError) as info:
        relaunch(zero3, "stages/train_sft.py")
    assert str(info.value) == (
        "train.launcher.config configs/accelerate/zero3.yaml runs DeepSpeed, which is not "
        "installed: pip install -e '.[train]'"
    )
    assert launched == []
    # DDP and FSDP need no DeepSpeed; the python launcher needs nothing
    for config in ("ddp", "fsdp"):
        assert (
            launcher_error(Launcher(kind="accelerate", config=f"configs/accelerate/{config}.yaml"))
            is None
        )
    assert launcher_error(Launcher()) is None


def test_a_missing_accelerate_config_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    launcher = Launcher(kind="accelerate", config="configs/accelerate/nope.yaml")
    assert (
        launcher_error(launcher)
        == "train.launcher.config: configs/accelerate/nope.yaml does not exist"
    )


def test_zero3_with_deepspeed_installed_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    real = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> Any:
        return object() if name == "deepspeed" else real(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    assert (
        launcher_error(Launcher(kind="accelerate", config="configs/accelerate/zero3.yaml")) is None
    )


def test_flash_attention_needs_a_gpu_and_its_package_or_kernels(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert common.attention_error(None) is None
    assert common.attention_error("sdpa", cuda=False) is None
    assert common.attention_error("flash_attention_2", cuda=False) == (
        "attn_implementation flash_attention_2 needs a CUDA GPU; on a CPU use sdpa (or null)"
    )
    # kernels is installed here (transformers 5 depends on it): the Hub fallback is there
    assert importlib.util.find_spec("kernels") is not None
    assert common.attention_error("flash_attention_2", cuda=True) is None
    assert common.attention_error("kernels-community/flash-attn2", cuda=False) is None
    _without(monkeypatch, "kernels", "flash_attn")
    message = common.attention_error("flash_attention_2", cuda=True)
    assert message is not None and "\n" not in message
    assert message.startswith("attn_implementation flash_attention_2 needs the kernels package")
    assert "pip install -e '.[train]'" in message
    assert common.attention_error("kernels-community/flash-attn2") == (
        "attn_implementation kernels-community/flash-attn2 is a Hub kernel and needs kernels: "
        "pip install -e '.[train]'"
    )


def test_training_on_a_cpu_with_flash_attention_stops_in_one_line() -> None:
    params = TrainSFT(attn_implementation="flash_attention_2")
    if common.training_device() != "cpu":
        pytest.skip("a GPU is visible")
    with pytest.raises(DistilpipeError, match="needs a CUDA GPU"):
        common.model_init_kwargs(params, "fp32")
    assert (
        common.model_init_kwargs(TrainSFT(attn_implementation="sdpa"), "fp32")[
            "attn_implementation"
        ]
        == "sdpa"
    )


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.stem)
def test_presets_train_with_flash_attention_under_an_installable_launcher(preset: Path) -> None:
    """trl: padding-free batches (what bfd packing turns on) want FlashAttention 2 or 3."""
    data = yaml.safe_load(preset.read_text())
    assert data["train_sft"]["attn_implementation"] == "flash_attention_2"
    assert data["train_dpo"]["attn_implementation"] == "flash_attention_2"
    config = ROOT / data["train"]["launcher"]["config"]
    assert config.is_file()
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    train = {re.split(r"[<>=\[ ]", req)[0] for req in extras["train"]}
    assert "kernels" in train  # flash attention from the Hub where flash-attn is not built
    if yaml.safe_load(config.read_text())["distributed_type"] == "DEEPSPEED":
        assert "deepspeed" in train
    assert "distilpipe[train]" in extras["gpu"]  # `pip install -e '.[gpu]'` brings it


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.stem)
def test_presets_spread_one_gpu_models_over_all_eight_gpus(preset: Path) -> None:
    data = yaml.safe_load(preset.read_text())
    models = {**data["models"], **data["evaluate"]["models"]}
    for name, spec in models.items():
        if spec.get("backend") != "vllm":
            continue
        gpus = spec.get("tensor_parallel_size", 1) * spec.get("pipeline_parallel_size", 1)
        assert gpus * spec.get("replicas", 1) == 8, name


def test_a_python_without_the_accelerate_script_beside_it_launches_the_module(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    python = tmp_path / "bin/python3"  # a system Python: accelerate's script is elsewhere
    monkeypatch.setattr(sys, "executable", str(python))
    launcher = Launcher(kind="accelerate", config="configs/accelerate/ddp.yaml")
    command = launch_command(launcher, "stages/train_sft.py", environ={})
    assert command is not None
    assert command[:4] == [str(python), "-m", "accelerate.commands.launch", "--config_file"]
