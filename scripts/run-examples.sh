#!/usr/bin/env bash
# The main job on the bundled example policies: install, build, lint every
# policy, then compile each to every target into build/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
echo "== fwc lint --strict policies/"
build/fwc lint --strict policies/
rm -rf build/out && mkdir -p build/out
for target in $(build/fwc targets | awk '{print $1}'); do
  for policy in policies/*.yaml; do
    build/fwc compile "$policy" -t "$target" -o build/out/
  done
done
echo "== compiled artefacts in build/out/"
ls -l build/out/
