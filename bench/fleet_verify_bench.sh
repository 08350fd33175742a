#!/usr/bin/env bash
# Fleet-verify benchmark: `fwc verify --all` against one nmap per node.
#
#   bench/fleet_verify_bench.sh [FWC]    (root; NODES=4, RUNS=3, RATE=200000)
#
# Builds a vantage netns (198.51.100.1) with a bridge and NODES node netns
# (198.51.100.11, .12, ...) on veths enslaved to it; `fwc apply` gives each
# node its part of a generated policy (default drop; 22/tcp from the vantage
# and 80/tcp from anywhere, no listeners: both answer closed). Then RUNS
# times: every node's 65,535 TCP ports with
#   fwc verify --all -p POLICY --ports all --rate RATE --format json
# and with NODES sequential runs of
#   nmap -sS -p- -n -Pn --max-rate RATE NODE_ADDRESS
# (the same packet rate in total: one nmap runs at a time). Prints each run's
# wall times, the medians and the ratio, and whether both tools classified
# every port of every node alike. Exit 0, or 1 when a classification differs
# or fwc is not faster, 3 on a setup failure. Every namespace is deleted on
# exit, also on failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
fwc=${1:-$root/build/fwc}
BENCH=fleet_verify_bench
NODES=${NODES:-4}
RUNS=${RUNS:-3}
RATE=${RATE:-200000}
VANTAGE=198.51.100.1
# shellcheck source=bench/netns_lib.sh
. "$here/netns_lib.sh"
command -v nmap >/dev/null || die "nmap is required (scripts/setup.sh installs it)"
[ "$NODES" -ge 1 ] && [ "$NODES" -le 200 ] || die "NODES must be 1 to 200"

node_addr() { echo "198.51.100.$((10 + $1))"; }

{
    printf 'fwc: 1\nname: fleet-bench\nnetworks:\n  vantage: %s\n' "$VANTAGE"
    printf 'defaults:\n  inbound: drop\nnodes:\n'
    for i in $(seq "$NODES"); do printf '  node%d: {address: %s, roles: [web]}\n' "$i" "$(node_addr "$i")"; done
    printf 'inbound:\n  - allow: [22/tcp]\n    from: vantage\n  - allow: [80/tcp]\n    from: any\n    roles: [web]\n'
} >"$tmp/fleet.yaml"
chmod 755 "$tmp"   # fwc reads the policy before it drops to nobody

new_ns
van=$ns
ip -n "$van" link set lo up
ip -n "$van" link add br0 type bridge
ip -n "$van" addr add "$VANTAGE/24" dev br0
ip -n "$van" link set br0 up
for i in $(seq "$NODES"); do
    new_ns
    ip -n "$ns" link set lo up
    ip -n "$ns" link add eth0 type veth peer name "p$i" netns "$van"
    ip -n "$van" link set "p$i" master br0 up
    ip -n "$ns" addr add "$(node_addr "$i")/24" dev eth0
    ip -n "$ns" link set eth0 up
    mac=$(ip -n "$ns" -br link show eth0 | awk '{print $3}')
    ip -n "$van" neigh replace "$(node_addr "$i")" lladdr "$mac" dev br0 nud permanent
    env -u SSH_CONNECTION -u SSH_CLIENT FWC_STATE_DIR="$tmp/state$i" \
        ip netns exec "$ns" "$fwc" apply "$tmp/fleet.yaml" --node "node$i" >/dev/null 2>"$tmp/apply.err" ||
        die "apply node$i: $(cat "$tmp/apply.err")"
done

now_ns() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

# "node port state" lines, sorted: from the fleet JSON, or from nmap's XML
# files named node1.xml ... in a directory.
states() {
    python3 - "$1" "$2" <<'EOF'
import json, os, sys
kind, path = sys.argv[1], sys.argv[2]
out = []
if kind == "fwc":
    for n in json.load(open(path))["nodes"]:
        st = {p["port"]: p["state"] for p in n["ports"] if p["proto"] == "tcp"}
        out += [f"{n['node']} {p} {st.get(p, 'missing')}" for p in range(1, 65536)]
else:
    sys.path.insert(0, os.environ["E2E"])
    import nmap_agreement
    for f in sorted(os.listdir(path)):
        st = nmap_agreement.nmap_states(open(os.path.join(path, f)).read(), "tcp")
        out += [f"{f[:-4]} {p} {st.get(p, 'missing')}" for p in range(1, 65536)]
print("\n".join(sorted(out)))
EOF
}
export E2E="$root/tests/e2e"

echo "$NODES nodes x 65,535 TCP ports at $RATE packets/s in total, $RUNS runs each"
: >"$tmp/fwc.times"
: >"$tmp/nmap.times"
alike=yes
for r in $(seq "$RUNS"); do
    t0=$(now_ns)
    rc=0
    ip netns exec "$van" "$fwc" verify --all -p "$tmp/fleet.yaml" --ports all --rate "$RATE" \
        --format json >"$tmp/fwc.json" 2>"$tmp/fwc.err" || rc=$?
    [ "$rc" -le 1 ] || die "fwc verify --all failed ($rc): $(cat "$tmp/fwc.err")"
    t1=$(now_ns)
    rm -rf "$tmp/nmap" && mkdir "$tmp/nmap"
    for i in $(seq "$NODES"); do
        ip netns exec "$van" nmap -sS -p- -n -Pn --max-rate "$RATE" -oX "$tmp/nmap/node$i.xml" \
            "$(node_addr "$i")" >/dev/null 2>"$tmp/nmap.err" || die "nmap failed: $(cat "$tmp/nmap.err")"
    done
    t2=$(now_ns)
    f=$(secs "$t0" "$t1")
    n=$(secs "$t1" "$t2")
    echo "$f" >>"$tmp/fwc.times"
    echo "$n" >>"$tmp/nmap.times"
    states fwc "$tmp/fwc.json" >"$tmp/fwc.states"
    states nmap "$tmp/nmap" >"$tmp/nmap.states"
    if cmp -s "$tmp/fwc.states" "$tmp/nmap.states"; then same=alike; else same=DIFFERENT; alike=no; fi
    summary=$(awk '{print $3}' "$tmp/fwc.states" | sort | uniq -c | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}')
    scans=$(python3 -c 'import json, sys
print(" ".join("%.2f" % n["elapsed"] for n in json.load(open(sys.argv[1]))["nodes"]))' "$tmp/fwc.json")
    printf 'run %d: fwc --all %7.2f s (scans %s s)   %d x nmap %7.2f s   classification %s (%s)\n' \
        "$r" "$f" "$scans" "$NODES" "$n" "$same" "$summary"
    if [ "$same" = DIFFERENT ]; then diff "$tmp/fwc.states" "$tmp/nmap.states" | head -20 || true; fi
done

fm=$(median <"$tmp/fwc.times")
nm=$(median <"$tmp/nmap.times")
ratio=$(awk -v f="$fm" -v n="$nm" 'BEGIN { printf "%.1f", n / f }')
printf '\nmedian of %d: fwc verify --all %.2f s, %d sequential nmap runs %.2f s: %sx; classifications %s\n' \
    "$RUNS" "$fm" "$NODES" "$nm" "$ratio" "$([ $alike = yes ] && echo alike || echo DIFFERENT)"
[ "$alike" = yes ] && awk -v f="$fm" -v n="$nm" 'BEGIN { exit !(f < n) }'
