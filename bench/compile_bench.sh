#!/usr/bin/env bash
# Compile-time benchmark for fwc.
#
#   bench/compile_bench.sh [FWC]        (default: build/fwc of this checkout)
#
# Generates a 2000-rule x 2000-network policy and a 1,000,000-entry block
# list policy, compiles each RUNS times to nftables and prints the median
# wall time and peak RSS against the goals.  As a reference it also times
# `nft -c -f` on the compiled 2000x2000 ruleset inside a private network
# namespace (root only).
# Exit status: 0 all goals met, 1 a goal missed, 3 setup or compile failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
fwc=${1:-$root/build/fwc}
RUNS=${RUNS:-5}

# goals
GOAL_RULES_MS=50
GOAL_BLOCK_MS=1000
GOAL_RSS_MB=200

die() { echo "compile_bench: $*" >&2; exit 3; }

[ -x "$fwc" ] || die "fwc binary not found or not executable: $fwc"
command -v python3 >/dev/null || die "python3 is required"

if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time (/usr/bin/time)..."
    if [ "$(id -u)" -eq 0 ]; then
        apt-get install -y -qq time >/dev/null || {
            apt-get update -qq && apt-get install -y -qq time >/dev/null; } ||
            die "could not install package 'time'"
    else
        die "/usr/bin/time missing; install package 'time' (apt-get install time)"
    fi
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fwc-bench.XXXXXX")
netns=""
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    if [ -n "$netns" ]; then ip netns delete "$netns" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

echo "generating policies in $tmp ..."
python3 "$here/gen_policy.py" --rules 2000 --networks 2000 "$tmp/rules.yaml"
python3 "$here/gen_policy.py" --blocklist 1000000 "$tmp/blocklist.yaml"

now_ns() { date +%s%N; }

# median of numbers on stdin
median() {
    sort -n | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# run_bench LABEL POLICY GOAL_MS -> prints a report, returns 1 if a goal is missed
run_bench() {
    local label=$1 policy=$2 goal_ms=$3
    local times="$tmp/times.$label" rss="$tmp/rss.$label" i t0 t1
    : >"$times"; : >"$rss"
    for ((i = 1; i <= RUNS; i++)); do
        t0=$(now_ns)
        if ! /usr/bin/time -f '%e %M' -o "$tmp/time.out" \
            "$fwc" compile "$policy" -t nftables -o /dev/null 2>"$tmp/stderr"; then
            cat "$tmp/stderr" >&2
            die "$label: fwc compile failed"
        fi
        t1=$(now_ns)
        # wall time from the shell clock (GNU time's %e has 10 ms resolution)
        echo $(((t1 - t0) / 1000)) >>"$times"
        tail -n 1 "$tmp/time.out" | awk '{ print $2 }' >>"$rss"
    done
    local med_us peak_kb
    med_us=$(median <"$times")
    peak_kb=$(sort -n "$rss" | tail -n 1)
    awk -v label="$label" -v us="$med_us" -v kb="$peak_kb" -v runs="$RUNS" \
        -v gms="$goal_ms" -v gmb="$GOAL_RSS_MB" 'BEGIN {
        ms = us / 1000; mb = kb / 1024; bad = 0
        printf "%-22s median %9.1f ms over %d runs   peak RSS %7.1f MB\n", label, ms, runs, mb
        printf "  time: %7.1f / %5d ms = %6.1f%% of goal  %s\n", ms, gms, 100 * ms / gms,
            (ms < gms ? "ok" : "MISSED")
        printf "  rss:  %7.1f / %5d MB = %6.1f%% of goal  %s\n", mb, gmb, 100 * mb / gmb,
            (mb < gmb ? "ok" : "MISSED")
        if (ms >= gms || mb >= gmb) bad = 1
        exit bad }'
}

status=0
echo
run_bench "2000x2000 rules" "$tmp/rules.yaml" "$GOAL_RULES_MS" || status=1
run_bench "1M block list" "$tmp/blocklist.yaml" "$GOAL_BLOCK_MS" || status=1

echo
echo "reference: nft -c -f on the compiled 2000x2000 ruleset"
if [ "$(id -u)" -ne 0 ]; then
    echo "  skipped: needs root (private network namespace)"
elif ! command -v nft >/dev/null || ! command -v ip >/dev/null; then
    echo "  skipped: nft or ip (iproute2) not installed"
else
    "$fwc" compile "$tmp/rules.yaml" -t nftables -o "$tmp/rules.nft" ||
        die "compiling the 2000x2000 ruleset to a file failed"
    netns="fwc-bench-$$"
    if ! ip netns add "$netns" 2>"$tmp/netns.err"; then
        echo "  skipped: cannot create a network namespace: $(head -n 1 "$tmp/netns.err")"
        netns=""
    else
        : >"$tmp/times.nft"
        nft_ok=1
        for ((i = 1; i <= RUNS; i++)); do
            t0=$(now_ns)
            if ! ip netns exec "$netns" nft -c -f "$tmp/rules.nft" 2>"$tmp/nft.err"; then
                echo "  nft -c rejected the ruleset:"
                head -n 20 "$tmp/nft.err" | sed 's/^/    /'
                nft_ok=0
                status=1
                break
            fi
            t1=$(now_ns)
            echo $(((t1 - t0) / 1000)) >>"$tmp/times.nft"
        done
        if [ "$nft_ok" -eq 1 ]; then
            awk -v us="$(median <"$tmp/times.nft")" -v runs="$RUNS" 'BEGIN {
                printf "%-22s median %9.1f ms over %d runs\n", "nft -c -f 2000x2000", us / 1000, runs }'
        fi
        ip netns delete "$netns"
        netns=""
    fi
fi

exit "$status"
