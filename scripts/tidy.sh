#!/usr/bin/env bash
# clang-tidy (the checks in .clang-tidy) over every project .cpp of a
# configured build directory (default build/, which must hold
# compile_commands.json), two files at a time. Warnings are errors: any
# finding makes the script exit non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
if [ ! -f "$dir/compile_commands.json" ]; then
  echo "tidy: no $dir/compile_commands.json; run scripts/build.sh $dir first" >&2
  exit 1
fi
tidy=$(command -v clang-tidy-14 || command -v clang-tidy || true)
if [ -z "$tidy" ]; then
  echo "tidy: clang-tidy is not installed (scripts/setup.sh installs it)" >&2
  exit 1
fi
# Each source once (fwc and fwc-testhooks both compile cli/cmd_apply.cpp),
# generated files under the build directory left out.
mapfile -t files < <(python3 - "$dir/compile_commands.json" "$PWD" <<'PY'
import json, os, sys
root = sys.argv[2] + os.sep
build = os.path.realpath(os.path.dirname(sys.argv[1])) + os.sep
seen = sorted({os.path.realpath(e["file"]) for e in json.load(open(sys.argv[1]))})
print("\n".join(f for f in seen if f.startswith(root) and not f.startswith(build) and f.endswith(".cpp")))
PY
)
echo "tidy: ${#files[@]} files"
printf '%s\0' "${files[@]}" |
  xargs -0 -P2 -n4 "$tidy" -p "$dir" --quiet --warnings-as-errors='*' 2> >(grep -v 'warnings\? generated\.$' >&2) || {
  echo "tidy: findings above (fix them, or argue the check off in .clang-tidy)" >&2
  exit 1
}
echo "tidy: clean"
