"""Run a training stage's script under `accelerate launch` when params ask for it.

The stage command in dvc.yaml stays `python stages/train_sft.py`. With
`train.launcher.kind: accelerate`, that process builds the `accelerate launch` command for
the same script (the config file, process and machine counts, this machine's rank and the
main process's address from params) and runs it with `DISTILPIPE_LAUNCHED=1`, so the launched
processes train instead of launching again. On more than one machine, every machine runs the
same stage command with its own rank in `DISTILPIPE_MACHINE_RANK`.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from distilpipe.errors import DistilpipeError
from distilpipe.params import Launcher

LAUNCHED_ENV = "DISTILPIPE_LAUNCHED"
MACHINE_RANK_ENV = "DISTILPIPE_MACHINE_RANK"


def launch_command(
    launcher: Launcher,
    script: str,
    args: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
) -> list[str] | None:
    """The `accelerate launch` command line for `script`, or None when the script should run
    in this process (the python launcher, or already launched)."""
    environ = os.environ if environ is None else environ
    if launcher.kind == "python" or environ.get(LAUNCHED_ENV) == "1":
        return None
    assert launcher.config is not None  # checked by the params
    rank = int(environ.get(MACHINE_RANK_ENV, launcher.machine_rank))
    if not 0 <= rank < launcher.num_machines:
        raise DistilpipeError(f"{MACHINE_RANK_ENV}={rank}: not below num_machines")
    script_beside = Path(sys.executable).with_name("accelerate")
    command = (
        [str(script_beside), "launch"]
        if script_beside.exists()  # a venv's; else this interpreter's module (a system Python)
        else [sys.executable, "-m", "accelerate.commands.launch"]
    )
    command += ["--config_file", launcher.config]
    if launcher.num_processes is not None:
        command += ["--num_processes", str(launcher.num_processes)]
    command += ["--num_machines", str(launcher.num_machines), "--machine_rank", str(rank)]
    if launcher.main_process_ip is not None:
        command += ["--main_process_ip", launcher.main_process_ip]
    if launcher.main_process_port is not None:
        command += ["--main_process_port", str(launcher.main_process_port)]
    return [*command, script, *args]


def launcher_error(launcher: Launcher) -> str | None:
    """Why `launcher` cannot start here, in one line, or None: its accelerate config file is
    missing, or runs DeepSpeed, which is not installed (accelerate would fail only after
    starting every process)."""
    if launcher.kind != "accelerate" or launcher.config is None:
        return None
    path = Path(launcher.config)
    if not path.is_file():
        return f"train.launcher.config: {path} does not exist"
    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if config.get("distributed_type") == "DEEPSPEED" and not importlib.util.find_spec("deepspeed"):
        return (
            f"train.launcher.config {path} runs DeepSpeed, which is not installed: "
            "pip install -e '.[train]'"
        )
    return None


def relaunch(launcher: Launcher, script: str, args: Sequence[str] = ()) -> bool:
    """Run `script` under `accelerate launch` if params ask for it; True if it ran there (the
    caller is then done), False if the caller should train in this process. A launcher that
    cannot start here (see `launcher_error`) stops it with one line first."""
    command = launch_command(launcher, script, args)
    if command is None:
        return False
    error = launcher_error(launcher)
    if error is not None:
        raise DistilpipeError(error)
    print(f"launching: {' '.join(command)}", file=sys.stderr, flush=True)
    status = subprocess.run(command, env={**os.environ, LAUNCHED_ENV: "1"}, check=False)
    if status.returncode != 0:
        raise DistilpipeError(f"accelerate launch exited with status {status.returncode}")
    return True
