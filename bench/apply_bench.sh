#!/usr/bin/env bash
# Apply benchmark: `fwc apply` against `nft -f` of the compiled script.
#
#   bench/apply_bench.sh [FWC]        (default: build/fwc of this checkout; root)
#
# For a 100,000- and a 1,000,000-entry block list (gen_policy.py): RUNS
# times (default 3) each, `fwc apply` into a fresh network namespace and,
# side by side, `nft -f` of `fwc compile -t nftables` into another; prints
# the median wall times, their ratio and fwc's peak RSS, then the time of
# an unchanged re-apply (read back, diff, nothing sent).
# Exit status: 0 all goals met, 1 a goal missed, 3 setup or apply failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
fwc=$(readlink -f "${1:-$root/build/fwc}")
RUNS=${RUNS:-3}
SIZES=${SIZES:-"100000 1000000"}
declare -A GOAL_S=([100000]=0.4 [1000000]=6)
GOAL_RSS_MB=400

BENCH=apply_bench
# shellcheck source=bench/netns_lib.sh
. "$here/netns_lib.sh"
[ -x /usr/bin/time ] || die "/usr/bin/time missing (apt-get install time)"
del_ns() { ip netns del "$1"; }

# run NS OUT CMD...: wall seconds and peak RSS (KB) of CMD inside NS, into OUT.
run() {
    local ns=$1 out=$2; shift 2
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$out.rss" ip netns exec "$ns" "$@" >"$out.log" 2>&1 || {
        cat "$out.log" >&2; die "failed: $*"; }
    t1=$(date +%s.%N)
    echo "$(echo "$t1 - $t0" | bc -l) $(tail -1 "$out.rss")" >"$out"
}

status=0
printf "%-10s %10s %10s %7s %10s %12s\n" entries "fwc apply" "nft -f" ratio "fwc RSS" "re-apply"
for n in $SIZES; do
    policy="$tmp/bl$n.yaml"
    python3 "$here/gen_policy.py" --blocklist "$n" "$policy" >/dev/null
    "$fwc" compile "$policy" -t nftables -o "$tmp/bl$n.nft" >/dev/null
    : >"$tmp/fwc$n"; : >"$tmp/nft$n"
    for _ in $(seq "$RUNS"); do
        new_ns
        run "$ns" "$tmp/r" "$fwc" apply "$policy" --state-dir "$tmp/state"
        cat "$tmp/r" >>"$tmp/fwc$n"
        run "$ns" "$tmp/r" "$fwc" apply "$policy" --state-dir "$tmp/state"
        grep -q "no change" "$tmp/r.log" || die "re-apply did not detect 'no change'"
        cat "$tmp/r" >>"$tmp/re$n"
        del_ns "$ns"
        new_ns
        run "$ns" "$tmp/r" nft -f "$tmp/bl$n.nft"
        cat "$tmp/r" >>"$tmp/nft$n"
        del_ns "$ns"
    done
    f=$(cut -d' ' -f1 "$tmp/fwc$n" | median)
    x=$(cut -d' ' -f1 "$tmp/nft$n" | median)
    re=$(cut -d' ' -f1 "$tmp/re$n" | median)
    rss=$(cut -d' ' -f2 "$tmp/fwc$n" | sort -n | tail -1)
    rss_mb=$((rss / 1024))
    printf "%-10s %9.2fs %9.2fs %6.1fx %7d MB %11.2fs\n" "$n" "$f" "$x" "$(echo "$x / $f" | bc -l)" "$rss_mb" "$re"
    goal=${GOAL_S[$n]:-}
    if [ -n "$goal" ] && [ "$(echo "$f > $goal" | bc -l)" = 1 ]; then
        echo "  goal missed: fwc apply of $n entries takes more than ${goal}s"; status=1
    fi
    if [ "$n" -ge 1000000 ] && [ "$rss_mb" -ge "$GOAL_RSS_MB" ]; then
        echo "  goal missed: peak RSS ${rss_mb} MB (goal < ${GOAL_RSS_MB} MB)"; status=1
    fi
done
exit $status
