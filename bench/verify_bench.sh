#!/usr/bin/env bash
# Probe-speed benchmark for fwc verify (root only: network namespaces).
#
#   bench/verify_bench.sh [FWC]        (default: build/fwc of this checkout)
#
# Builds a target netns (203.0.113.254, default drop; 22, 80 and 443 accepted
# with a listener, 9901 accepted with none) and a vantage netns
# (198.51.100.10) on one veth pair, then sweeps all 65,535 TCP ports RUNS
# times (default 3) with each of
#   fwc verify 203.0.113.254 --ports all --rate $RATE --format json
#   nmap -sS -Pn -n -p- -T4 -oX - 203.0.113.254
# and prints the median wall time of each, the ratio, and whether the two
# classified every port identically.  RATE defaults to 1000000 pps (the
# veth pair is the only link; on the internet keep the default 10,000).
# Exit status: 0 goal met (fwc <= 3 s, identical), 1 missed, 3 setup failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
fwc=${1:-$root/build/fwc}
RUNS=${RUNS:-3}
RATE=${RATE:-1000000}
GOAL_S=3
T4=203.0.113.254
SRC=198.51.100.10

die() { echo "verify_bench: $*" >&2; exit 3; }
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, raw sockets)"
[ -x "$fwc" ] || die "fwc binary not found or not executable: $fwc"
command -v nmap >/dev/null || die "nmap is required (scripts/setup.sh installs it)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fwc-vbench.XXXXXX")
tns="fwc-bench-$$-tgt"
vns="fwc-bench-$$-van"
listener=""
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    exec 3>&- 2>/dev/null || true
    if [ -n "$listener" ]; then kill "$listener" 2>/dev/null || true; wait "$listener" 2>/dev/null || true; fi
    ip netns delete "$tns" 2>/dev/null || true
    ip netns delete "$vns" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

ip netns add "$tns"
ip netns add "$vns"
ip -n "$tns" link set lo up
ip -n "$vns" link set lo up
ip -n "$tns" link add vt type veth peer name vv netns "$vns"
ip -n "$tns" addr add "$T4/32" dev vt
ip -n "$vns" addr add "$SRC/32" dev vv
ip -n "$tns" link set vt up
ip -n "$vns" link set vv up
ip -n "$tns" route add default dev vt
ip -n "$vns" route add default dev vv
mac=$(ip -n "$tns" -br link show vt | awk '{print $3}')
ip -n "$vns" neigh replace "$T4" lladdr "$mac" dev vv nud permanent

cat >"$tmp/drop.nft" <<'EOF'
table inet fwc_bench {
  chain input {
    type filter hook input priority 0; policy drop;
    ct state established,related accept
    iif lo accept
    meta l4proto { icmp, ipv6-icmp } accept
    tcp dport { 22, 80, 443, 9901 } accept
  }
}
EOF
ip netns exec "$tns" nft -f "$tmp/drop.nft"

# The listener exits when the fifo's writer (fd 3, ours) closes.
mkfifo "$tmp/hold"
ip netns exec "$tns" python3 "$root/tests/e2e/listener.py" --addr "$T4" --tcp 22,80,443 \
    <"$tmp/hold" >"$tmp/listener.out" 2>&1 &
listener=$!
exec 3>"$tmp/hold"
for _ in $(seq 50); do grep -q READY "$tmp/listener.out" && break; sleep 0.1; done
grep -q READY "$tmp/listener.out" || die "listener did not start: $(cat "$tmp/listener.out")"

now_ns() { date +%s%N; }
median() {
    sort -n | awk '{ v[NR] = $1 } END {
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# "port state" lines, sorted, from either tool's output.
states() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
kind, path = sys.argv[1], sys.argv[2]
text = open(path).read()
if kind == "fwc":
    st = {p["port"]: p["state"] for p in json.loads(text)["ports"] if p["proto"] == "tcp"}
else:
    sys.path.insert(0, __import__("os").environ["E2E"])
    import nmap_agreement
    st = nmap_agreement.nmap_states(text, "tcp")
for p in range(1, 65536):
    print(p, st.get(p, "missing"))
EOF
}
export E2E="$root/tests/e2e"

echo "target $T4 (default drop; 22, 80, 443 open, 9901 closed), vantage $SRC, $RUNS runs each"
: >"$tmp/fwc.times"
: >"$tmp/nmap.times"
identical=yes
for i in $(seq "$RUNS"); do
    t0=$(now_ns)
    ip netns exec "$vns" "$fwc" verify "$T4" --ports all --rate "$RATE" --format json >"$tmp/fwc.json" ||
        die "fwc verify failed"
    t1=$(now_ns)
    ip netns exec "$vns" nmap -sS -Pn -n -p- -T4 -oX - "$T4" >"$tmp/nmap.xml" 2>"$tmp/nmap.err" ||
        die "nmap failed: $(cat "$tmp/nmap.err")"
    t2=$(now_ns)
    f=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    n=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    echo "$f" >>"$tmp/fwc.times"
    echo "$n" >>"$tmp/nmap.times"
    states fwc "$tmp/fwc.json" >"$tmp/fwc.states"
    states nmap "$tmp/nmap.xml" >"$tmp/nmap.states"
    if cmp -s "$tmp/fwc.states" "$tmp/nmap.states"; then same=identical; else same=DIFFERENT; identical=no; fi
    summary=$(awk '{print $2}' "$tmp/fwc.states" | sort | uniq -c | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}')
    printf 'run %d: fwc %6.2f s   nmap %6.2f s   classification %s (%s)\n' "$i" "$f" "$n" "$same" "$summary"
    if [ "$same" = DIFFERENT ]; then diff "$tmp/fwc.states" "$tmp/nmap.states" | head -20; fi
done

fm=$(median <"$tmp/fwc.times")
nm=$(median <"$tmp/nmap.times")
ratio=$(awk -v f="$fm" -v n="$nm" 'BEGIN { printf "%.1f", n / f }')
printf '\nmedian of %d: fwc verify %.2f s, nmap -T4 %.2f s: fwc is %sx faster; classifications %s\n' \
    "$RUNS" "$fm" "$nm" "$ratio" "$([ $identical = yes ] && echo identical || echo DIFFERENT)"
if [ "$identical" = yes ] && awk -v f="$fm" -v g="$GOAL_S" 'BEGIN { exit !(f <= g) }'; then
    echo "goal (identical, fwc <= ${GOAL_S} s): met"
else
    echo "goal (identical, fwc <= ${GOAL_S} s): missed"
    exit 1
fi
