#!/usr/bin/python3
"""`fwc apply` installs exactly what `nft -f` of the compiled script installs,
replaces fwc's table atomically and touches no other table.

For every example policy (each node of the scoped ones): `fwc apply` into one
fresh private netns, `nft -f` of `fwc compile -t nftables` into another, and
`nft list table inet fwc` of both must be equal.  Then, in one namespace: a
batch failing late (FWC_TEST_INJECT_BAD_ELEMENT=1 in fwc-testhooks adds an
invalid element after the rules) leaves the previous table byte-identical,
and the shipped fwc ignores the variable; `--dry-run` changes
nothing; `table inet other` and iptables-nft chains and rules survive apply and
remove; remove deletes fwc's
table only.

usage: apply_check.py --fwc FWC --fwc-hooks FWC_TESTHOOKS
Exit 0 ok, 1 failure, 77 skipped (not root and CI is not "true").
The last line is "N passed, M failed".
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

import netlab

ROOT = os.path.normpath(os.path.join(netlab.HERE, "..", ".."))
OTHER = """table inet other {
\tchain input {
\t\ttype filter hook input priority 10; policy accept;
\t\ttcp dport 9999 counter accept comment "kept"
\t}
}
"""


def selections(fwc, policy, tmp):
    """The selections `compile -o DIR/` writes files for: [[]] for an
    unscoped policy, else [["--node", N]] / [["--role", R]] per file."""
    out = tempfile.mkdtemp(dir=tmp) + "/"
    r = subprocess.run([fwc, "compile", policy, "-t", "nftables", "-o", out],
                       cwd=ROOT, capture_output=True, text=True, check=True)
    sels = []
    for path in r.stdout.split():
        parts = os.path.basename(path)[:-len(".nft")].split(".")
        if len(parts) == 1:
            sels.append([])
        elif parts[-1].startswith("role-"):
            sels.append(["--role", parts[-1][len("role-"):]])
        else:
            sels.append(["--node", parts[-1]])
    return sels


def listing(ns, what=("table", "inet", "fwc")):
    return netlab.run(["nft", "list", *what], ns=ns, check=False).stdout


# `nft -f` gives the anonymous set of `ct original proto-dst { 80, 443 }` no
# key type (nft cannot tell the port's type from a conntrack key), so nft
# lists its elements as "0x50 [invalid type]"; fwc's batch types them as
# ports. The elements are the same bytes: compare them as numbers.
UNTYPED = re.compile(r"0x([0-9a-f]+) \[invalid type\]")


def typed(text):
    return UNTYPED.sub(lambda m: str(int(m.group(1), 16)), text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    ap.add_argument("--fwc-hooks", required=True, help="fwc built with the FWC_TEST_* hooks")
    args = ap.parse_args()
    fwc = os.path.abspath(args.fwc)
    hooks = os.path.abspath(args.fwc_hooks)
    netlab.require_root()
    passed = failed = 0

    def expect(cond, what, detail=""):
        nonlocal passed, failed
        print(("ok    " if cond else "FAIL  ") + what)
        if not cond:
            failed += 1
            for line in detail.rstrip().splitlines()[:20]:
                print(f"      {line}")
        else:
            passed += 1

    def apply(ns, policy, sel, extra=(), env=None, binary=None):
        cmd = ["ip", "netns", "exec", ns, binary or fwc, "apply", policy, *sel, *extra]
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "FWC_STATE_DIR": state, **(env or {})})

    with tempfile.TemporaryDirectory(prefix="fwc-apply-") as tmp:
        state = os.path.join(tmp, "state")
        for policy in sorted(glob.glob(os.path.join(ROOT, "policies", "*.yaml"))):
            rel = os.path.relpath(policy, ROOT)
            for sel in selections(fwc, rel, tmp):
                name = rel + (" " + " ".join(sel) if sel else "")
                script = os.path.join(tmp, "cur.nft")
                subprocess.run([fwc, "compile", rel, "-t", "nftables", "-o", script, *sel],
                               cwd=ROOT, check=True, capture_output=True)
                with netlab.private_netns() as a:
                    r = apply(a, rel, sel)
                    got = listing(a)
                with netlab.private_netns() as b:
                    netlab.run(["nft", "-f", script], ns=b)
                    want = typed(listing(b))
                expect(r.returncode == 0 and got == want and "table inet fwc" in got,
                       f"apply equals nft -f: {name}", r.stderr + "\n" + diff(want, got))

        with netlab.private_netns() as ns:
            other = os.path.join(tmp, "other.nft")
            with open(other, "w") as f:
                f.write(OTHER)
            netlab.run(["nft", "-f", other], ns=ns)
            before_other = listing(ns, ("table", "inet", "other"))
            # Another tool's iptables-nft rules: a custom chain jumped to from INPUT.
            for rule in (["-N", "OTHER-TOOL"], ["-A", "OTHER-TOOL", "-s", "198.51.100.66", "-j", "DROP"],
                         ["-A", "INPUT", "-p", "tcp", "--dport", "2222", "-j", "OTHER-TOOL"]):
                netlab.run(["iptables-nft", "-w", *rule], ns=ns)
            before_ipt = iptables_rules(ns)
            r = apply(ns, "policies/heroctl.yaml", ["--node", "node1"])
            first = listing(ns)
            expect(r.returncode == 0 and "public-web" in first, "apply installs table inet fwc", r.stderr)
            r = apply(ns, "policies/quptime.yaml", [], env={"FWC_TEST_INJECT_BAD_ELEMENT": "1"}, binary=hooks)
            expect(r.returncode == 3 and "injected invalid element" in r.stderr,
                   "a batch failing late is refused (exit 3, the failing message named)", r.stderr)
            expect(listing(ns) == first, "a refused batch leaves the previous table byte-identical")
            r = apply(ns, "policies/quptime.yaml", [], extra=["--dry-run"])
            expect(r.returncode == 0 and listing(ns) == first, "--dry-run validates and changes nothing",
                   r.stderr)
            r = apply(ns, "policies/quptime.yaml", [], env={"FWC_TEST_INJECT_BAD_ELEMENT": "1"})
            second = listing(ns)
            expect(r.returncode == 0 and "quptime-peers" in second and "public-web" not in second,
                   "a second apply replaces the table (the shipped fwc has no test hooks)", r.stderr)
            tables = listing(ns, ("tables",)).splitlines()
            expect(tables.count("table inet fwc") == 1, "exactly one table inet fwc")
            expect(listing(ns, ("table", "inet", "other")) == before_other, "table inet other survives apply")
            r = subprocess.run(["ip", "netns", "exec", ns, fwc, "remove", "--state-dir", state],
                               capture_output=True, text=True)
            tables = listing(ns, ("tables",)).splitlines()
            expect(r.returncode == 0 and "table inet fwc" not in tables, "remove deletes table inet fwc",
                   r.stderr)
            expect(listing(ns, ("table", "inet", "other")) == before_other, "table inet other survives remove")
            expect("OTHER-TOOL" in before_ipt and iptables_rules(ns) == before_ipt,
                   "iptables-nft chains and rules survive apply and remove",
                   diff(before_ipt, iptables_rules(ns)))
            r = subprocess.run(["ip", "netns", "exec", ns, fwc, "remove", "--state-dir", state],
                               capture_output=True, text=True)
            expect(r.returncode == 0, "remove without a table is not an error", r.stderr)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def iptables_rules(ns):
    """iptables-nft's rules in ns, without the header and counters that change."""
    text = netlab.run(["iptables-nft-save"], ns=ns).stdout
    return "\n".join(re.sub(r" \[\d+:\d+\]$", "", l) for l in text.splitlines() if not l.startswith("#"))


def diff(a, b):
    import difflib
    return "\n".join(difflib.unified_diff(a.splitlines(), b.splitlines(), "nft -f", "fwc apply", lineterm=""))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except netlab.LabError as e:
        print(f"FAIL: {e}")
        print("0 passed, 1 failed")
        sys.exit(1)
