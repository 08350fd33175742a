#!/usr/bin/env bash
# Configures and builds fwc into build/ (or $1 with extra cmake args after it).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
ninja -C "$dir" -j2
