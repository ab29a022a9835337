from pathlib import Path

import pytest
import yaml

from distilpipe.errors import DistilpipeError
from distilpipe.params import Launcher
from distilpipe.train.launch import LAUNCHED_ENV, MACHINE_RANK_ENV, launch_command

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "stages/train_sft.py"


@pytest.mark.parametrize(
    ("config", "kind"),
    [("ddp", "MULTI_GPU"), ("fsdp", "FSDP"), ("zero3", "DEEPSPEED")],
)
def test_each_shipped_config_gives_its_launch_command(config: str, kind: str) -> None:
    path = f"configs/accelerate/{config}.yaml"
    assert yaml.safe_load((ROOT / path).read_text())["distributed_type"] == kind
    launcher = Launcher(kind="accelerate", config=path, num_processes=8)
    command = launch_command(launcher, SCRIPT, environ={})
    assert command is not None
    assert Path(command[0]).name == "accelerate"
    assert command[1:] == [
        "launch",
        "--config_file",
        path,
        "--num_processes",
        "8",
        "--num_machines",
        "1",
        "--machine_rank",
        "0",
        SCRIPT,
    ]


def test_multi_node_passes_rank_and_main_address_and_the_rank_env_overrides() -> None:
    launcher = Launcher(
        kind="accelerate",
        config="configs/accelerate/zero3.yaml",
        num_processes=16,
        num_machines=2,
        main_process_ip="10.0.0.1",
        main_process_port=29500,
    )
    command = launch_command(launcher, SCRIPT, environ={MACHINE_RANK_ENV: "1"})
    assert command is not None
    assert command[2:] == [
        "--config_file",
        "configs/accelerate/zero3.yaml",
        "--num_processes",
        "16",
        "--num_machines",
        "2",
        "--machine_rank",
        "1",
        "--main_process_ip",
        "10.0.0.1",
        "--main_process_port",
        "29500",
        SCRIPT,
    ]
    with pytest.raises(DistilpipeError, match="not below num_machines"):
        launch_command(launcher, SCRIPT, environ={MACHINE_RANK_ENV: "2"})


def test_the_python_launcher_and_launched_processes_train_in_process() -> None:
    assert launch_command(Launcher(), SCRIPT, environ={}) is None
    launcher = Launcher(kind="accelerate", config="configs/accelerate/ddp.yaml")
    assert launch_command(launcher, SCRIPT, environ={LAUNCHED_ENV: "1"}) is None
    assert launch_command(launcher, SCRIPT, environ={}) is not None


def test_launcher_params_are_checked() -> None:
    with pytest.raises(ValueError, match="needs 'config'"):
        Launcher(kind="accelerate")
    with pytest.raises(ValueError, match="main_process_ip"):
        Launcher(kind="accelerate", config="c.yaml", num_machines=2)
