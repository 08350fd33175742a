#!/usr/bin/env bash
# Block benchmark: 100,000 entries added to a dynamic block set by one
# `fwc block -` call, side by side with `nft -f` adding the same entries to
# the same set (each into a fresh network namespace holding the table).
#
#   bench/block_bench.sh [FWC]        (default: build/fwc of this checkout; root)
#
# Prints the median wall times of RUNS runs (default 3) and their ratio.
# Exit status: 0 goal met (fwc < 1 s), 1 goal missed, 3 setup or run failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
fwc=$(readlink -f "${1:-$root/build/fwc}")
RUNS=${RUNS:-3}
N=${N:-100000}
GOAL_S=1

BENCH=block_bench
# shellcheck source=bench/netns_lib.sh
. "$here/netns_lib.sh"

# The table of docs/contract.md ("Dynamic block sets") with one set, abuse.
cat >"$tmp/table.nft" <<NFT
table inet fwc {
  set never_v4 { type ipv4_addr; flags interval; elements = { 198.51.100.0/28 }; }
  set never_v6 { type ipv6_addr; flags interval; }
  set dyn_abuse_v4 { type ipv4_addr; flags interval,timeout; size 1000000; timeout 1h; comment "dynamic abuse"; }
  set dyn_abuse_v6 { type ipv6_addr; flags interval,timeout; size 1000000; timeout 1h; comment "dynamic abuse"; }
  chain input {
    type filter hook input priority 0; policy accept;
    ip saddr @dyn_abuse_v4 ip saddr != @never_v4 drop
    ip6 saddr @dyn_abuse_v6 ip6 saddr != @never_v6 drop
  }
}
NFT
# N distinct addresses (10.0.0.0/8: set contents only, no traffic), one a line.
python3 -c "
import sys
for i in range($N): print(f'10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}')" >"$tmp/addrs.txt"
{
    echo "add element inet fwc dyn_abuse_v4 {"
    sed 's/$/ timeout 1h comment "bench",/' "$tmp/addrs.txt"
    echo "}"
} >"$tmp/elements.nft"

# new_table_ns: a fresh namespace ($ns) holding the table.
new_table_ns() {
    new_ns
    ip netns exec "$ns" nft -f "$tmp/table.nft" || die "cannot load the table"
}

seconds() {  # wall time of "$@" in seconds
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null || die "failed: $*"
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}

fwc_runs=() nft_runs=()
for _ in $(seq "$RUNS"); do
    new_table_ns
    fwc_runs+=("$(seconds ip netns exec "$ns" "$fwc" -q block - --for 1h --reason bench \
        --state-dir "$tmp/state" <"$tmp/addrs.txt")")
    count=$(ip netns exec "$ns" "$fwc" status --format json --state-dir "$tmp/state" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["dynamic_sets"][0]["elements"])')
    [ "$count" -eq "$N" ] || die "fwc block: $count entries in the set, expected $N"
    new_table_ns
    nft_runs+=("$(seconds ip netns exec "$ns" nft -f "$tmp/elements.nft")")
done
fwc_s=$(printf '%s\n' "${fwc_runs[@]}" | median)
nft_s=$(printf '%s\n' "${nft_runs[@]}" | median)
ratio=$(echo "$nft_s / $fwc_s" | bc -l)
printf '%d entries: fwc block - %.3f s, nft -f %.3f s (nft/fwc %.1fx), goal fwc < %s s\n' \
    "$N" "$fwc_s" "$nft_s" "$ratio" "$GOAL_S"
if (($(echo "$fwc_s < $GOAL_S" | bc -l))); then exit 0; fi
echo "block_bench: goal missed" >&2
exit 1
