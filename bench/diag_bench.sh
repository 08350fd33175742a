#!/usr/bin/env bash
# Time `fwc lint` on a policy with 80,000 bad inline entries, text and json
# output: text rendering must stay linear (it once rescanned the policy per
# diagnostic: ~20 s against ~0.6 s for json).
# Usage: bench/diag_bench.sh [path/to/fwc]
set -euo pipefail
fwc=${1:-build/fwc}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
{
  printf 'fwc: 1\nname: demo\nnetworks:\n  blocked:\n'
  for ((i = 0; i < 80000; i++)); do printf '    - 10.0.%d.%d\n' $((i % 256)) $((300 + i % 50)); done
  printf 'inbound:\n  - allow: [22/tcp]\n    from: blocked\n'
} >"$dir/many.yaml"
for format in text json github; do
  start=$(date +%s.%N)
  "$fwc" lint --format "$format" "$dir/many.yaml" >/dev/null || true
  end=$(date +%s.%N)
  printf '%-7s %6.2f s\n' "$format" "$(echo "$end - $start" | bc)"
done
