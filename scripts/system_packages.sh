#!/usr/bin/env bash
# The system tools that setup and the tests call, installed from Debian's packages when missing:
#   debootstrap  builds the sandbox's base image where no image registry can be reached
#   tmux         drives the chat in a real terminal in the tests
# (the Docker engine itself is scripts/ensure_docker.sh's job). On Debian as root the missing ones are
# installed; elsewhere this says what to install and, for a tool that is only needed in some cases, goes on.
set -euo pipefail

# command -> Debian package
declare -A PACKAGE=([debootstrap]=debootstrap [tmux]=tmux)
missing=()
for tool in debootstrap tmux; do
    # debootstrap lives in /usr/sbin, which a non-login root shell may not have on PATH.
    if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
        missing+=("${PACKAGE[$tool]}")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && [ -f /etc/debian_version ]; then
    echo "[setup] installing system packages from Debian: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    exit 0
fi

cat >&2 <<MSG
[setup] warning: missing system tools: ${missing[*]}
  debootstrap is needed only when no image registry is reachable (offline machines); tmux only for the chat
  tests. Install them with your package manager (e.g. sudo apt-get install ${missing[*]}).
MSG
