#!/usr/bin/env bash
# Make sure a Docker engine answers. On Debian as root, install it from Debian's packages and start it;
# elsewhere, say how to start Docker and stop.
set -euo pipefail

if docker info >/dev/null 2>&1; then
    exit 0
fi

if [ "$(id -u)" = "0" ] && [ -f /etc/debian_version ]; then
    if ! command -v dockerd >/dev/null 2>&1; then
        echo "[setup] installing the Docker engine from Debian's packages (docker.io)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
    fi
    if ! pgrep -x dockerd >/dev/null 2>&1; then
        echo "[setup] starting dockerd (log: /var/log/autodidact-dockerd.log)"
        nohup dockerd >/var/log/autodidact-dockerd.log 2>&1 &
    fi
    for _ in $(seq 1 60); do
        docker info >/dev/null 2>&1 && exit 0
        sleep 0.5
    done
    echo "error: dockerd did not come up within 30 s; see /var/log/autodidact-dockerd.log" >&2
    exit 1
fi

cat >&2 <<'MSG'
error: no Docker engine is reachable (`docker info` failed).
  Start Docker (Docker Desktop on macOS, `sudo systemctl start docker` on Linux) and run this again,
  or grade without isolation with `--sandbox local`.
MSG
exit 1
