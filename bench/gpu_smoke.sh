#!/usr/bin/env bash
# GPU smoke check: does this box run the presets' GPU paths? A few minutes on one GPU.
#
# Needs: a CUDA GPU; distilpipe installed with the gpu extra (`make setup`, then
# `.venv/bin/pip install -e '.[gpu]'`: vLLM, DeepSpeed, kernels). No network: the model is
# the committed tiny Qwen2-architecture student (models/tiny/student, what the bootstrap
# stage builds), the training data is made here. Each part whose need is missing prints
# `skip: <part>: <why>` and the rest go on; on a CPU machine only the training part runs
# (fp32, the accelerate launch path with a CPU config).
#
#   bash bench/gpu_smoke.sh            # PYTHON=... to use another interpreter
#
# Parts and figures:
#   vllm      the vllm backend against raw vLLM on one engine, the same 512 prompts, greedy:
#             calls/s of raw LLM.chat, of the backend, of the cache-through client, the ratios
#             to raw, and whether all three wrote the same texts; with 2+ GPUs, one engine
#             against one replica per GPU (calls/s, speed-up, same texts)
#   train     stages/train_sft.py then stages/train_dpo.py, as `dvc repro` runs them, under
#             `accelerate launch` with configs/accelerate/zero3.yaml (ddp.yaml where
#             DeepSpeed is missing), bf16, 10 steps each, in a scratch folder: steps,
#             tokens, wall seconds, peak memory, losses
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-}"
if [[ -z "$PY" ]]; then
  if [[ -x .venv/bin/python ]]; then PY="$ROOT/.venv/bin/python"; else PY="$(command -v python3)"; fi
fi
OUT="${GPU_SMOKE_OUT:-$(mktemp -d /tmp/gpu-smoke.XXXXXX)}"
# Everything is local: never wait on the Hub or send usage stats. src/ first, so a Python that
# has the dependencies but not distilpipe installed still runs it.
export HF_HUB_OFFLINE="${HF_HUB_OFFLINE:-1}" VLLM_NO_USAGE_STATS=1 DO_NOT_TRACK=1
export PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}"
START=$SECONDS
failed=0

has() { "$PY" -c "import $1" >/dev/null 2>&1; }
elapsed() { echo "$((SECONDS - START))s"; }

echo "== gpu smoke: python $PY, scratch $OUT"
if ! has distilpipe; then
  echo "skip: everything: distilpipe is not importable by $PY (make setup; pip install -e '.[gpu]')"
  exit 1
fi
GPUS="$("$PY" -c 'import torch; print(torch.cuda.device_count() if torch.cuda.is_available() else 0)' 2>/dev/null || echo 0)"
"$PY" - <<'EOF'
import importlib.metadata as md, torch
def version(name):
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return "not installed"
gpus = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
print(f"gpus: {len(gpus)} {sorted(set(gpus))}  torch {torch.__version__} (cuda {torch.version.cuda})")
print("  ".join(f"{n} {version(n)}" for n in ("vllm", "transformers", "trl", "accelerate", "deepspeed", "flash-attn", "kernels")))
EOF
if [[ ! -f models/tiny/student/config.json ]]; then
  echo "skip: everything: models/tiny/student is missing (it is committed; or make stand-ins)"
  exit 1
fi

# -- vllm: the backend against raw vLLM ------------------------------------------------------
if [[ "$GPUS" -lt 1 ]]; then
  echo "skip: vllm: no CUDA GPU visible"
elif ! has vllm; then
  echo "skip: vllm: vLLM is not installed (pip install -e '.[gpu]')"
else
  echo "== vllm ($(elapsed))"
  [[ "$GPUS" -lt 2 ]] && echo "skip: vllm replicas: one GPU visible (one replica per GPU needs 2+)"
  timeout 240 "$PY" bench/gpu_smoke.py vllm --gpus "$GPUS" || { echo "FAILED: vllm"; failed=1; }
fi

# -- train: SFT then DPO under accelerate launch ---------------------------------------------
if ! has trl || ! has accelerate; then
  echo "skip: train: trl or accelerate is not installed"
else
  ATTN=""
  LIMIT=150  # seconds per stage: on a GPU both stages and vLLM fit well under 10 minutes
  if [[ "$GPUS" -ge 1 ]]; then
    if has deepspeed; then
      CONFIG="$ROOT/configs/accelerate/zero3.yaml"
    else
      echo "skip: train under zero3: DeepSpeed is not installed (pip install -e '.[train]'); ddp.yaml instead"
      CONFIG="$ROOT/configs/accelerate/ddp.yaml"
    fi
    # The presets' flash_attention_2 without the flash-attn build loads kernels from the Hub,
    # which a box without network cannot: then sdpa.
    if has flash_attn; then
      ATTN="--attn flash_attention_2"
    else
      echo "skip: train with flash_attention_2: flash-attn is not installed (kernels would need the Hub); sdpa instead"
      ATTN="--attn sdpa"
    fi
  else
    echo "skip: train on a GPU (bf16, zero3): no CUDA GPU visible; fp32 on the CPU instead"
    LIMIT=400
    CONFIG="$OUT/accelerate-cpu.yaml"
    printf '%s\n' "compute_environment: LOCAL_MACHINE" "distributed_type: 'NO'" \
      "mixed_precision: 'no'" "num_machines: 1" "num_processes: 1" "use_cpu: true" >"$CONFIG"
  fi
  # shellcheck disable=SC2086
  "$PY" bench/gpu_smoke.py train-dir "$OUT/run" --config "$CONFIG" $ATTN --steps 10 || failed=1
  for stage in train_sft train_dpo; do
    echo "== $stage ($(elapsed)): accelerate launch --config_file $(basename "$CONFIG")"
    if (cd "$OUT/run" && timeout "$LIMIT" "$PY" "$ROOT/stages/$stage.py") >"$OUT/$stage.log" 2>&1; then
      grep -E "^(launching|$stage):" "$OUT/$stage.log"
      "$PY" - "$OUT/run/metrics/$stage.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
keep = ("device", "precision", "steps", "tokens_seen", "loss_final", "eval_loss_base", "eval_loss",
        "wall_seconds", "peak_memory_bytes", "mean_generated_tokens_before", "mean_generated_tokens")
print("  " + json.dumps({k: m[k] for k in keep if k in m}))
if "eval" in m:
    print("  held-out: " + json.dumps(m["eval"]))
EOF
    else
      echo "FAILED: $stage (last lines of $OUT/$stage.log):"
      tail -n 15 "$OUT/$stage.log"
      failed=1
      break
    fi
  done
fi

echo "== done in $(elapsed)$([[ $failed -eq 0 ]] && echo ", every part that ran passed" || echo ", SOME PARTS FAILED")"
exit $failed
