# shellcheck shell=bash
# Shared by the benchmarks that run fwc in network namespaces they create
# (apply_bench.sh, block_bench.sh). Source it after setting BENCH (the
# script's name, for messages) and fwc (the binary): it checks root, fwc and
# nft, makes $tmp, and deletes $tmp and every namespace new_ns made on exit.

die() { echo "$BENCH: $*" >&2; exit 3; }
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
[ -x "${fwc:?}" ] || die "fwc binary not found: $fwc"
command -v nft >/dev/null || die "nft missing"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fwc-$BENCH.XXXXXX")
namespaces=()
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# new_ns: a fresh namespace, its name in $ns. Not meant for $(...): the
# namespace must be recorded in this shell for the cleanup to find it.
new_ns() {
    ns="fwc-bench-$$-$RANDOM"
    ip netns add "$ns" || die "cannot create netns"
    namespaces+=("$ns")
}

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
