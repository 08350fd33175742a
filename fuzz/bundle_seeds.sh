#!/usr/bin/env bash
# Writes each seed policy (policies/, tests/golden/cases/, tests/malformed/)
# followed by the list files and fragments it names, in the compile
# harness's "#>> NAME" form (fuzz/compile_fuzz.cpp), into OUT_DIR, so seeds
# and replays reach list files and includes.
#   fuzz/bundle_seeds.sh OUT_DIR
set -euo pipefail
out=$1
cd "$(dirname "$0")/.."
mkdir -p "$out"
for policy in policies/*.yaml tests/golden/cases/*.yaml tests/malformed/*.yaml; do
  dir=$(dirname "$policy")
  refs=$(grep -oE '(lists|fragments)/[A-Za-z0-9._-]+' "$policy" | sort -u || true)
  [ -n "$refs" ] || continue
  {
    cat "$policy"
    for ref in $refs; do
      [ -f "$dir/$ref" ] || continue
      printf '\n#>> %s\n' "$ref"
      cat "$dir/$ref"
    done
  } >"$out/$(basename "$dir")-$(basename "$policy")"
done
