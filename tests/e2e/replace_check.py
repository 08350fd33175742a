#!/usr/bin/python3
"""Loading a compiled script replaces fwc's table atomically and touches no
other table: in a private netns, another table is loaded, then two different
fwc rulesets one after the other, then a broken one (which must change nothing).

usage: replace_check.py --fwc FWC
Exit 0 ok, 1 failure, 77 skipped (not root and CI is not "true").
"""
import argparse
import os
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


def listing(ns, what):
    return netlab.run(["nft", "list"] + what, ns=ns).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    args = ap.parse_args()
    netlab.require_root()
    failures = []

    def expect(cond, what):
        print(("ok    " if cond else "FAIL  ") + what)
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory(prefix="fwc-replace-") as tmp, netlab.private_netns() as ns:
        paths = {}
        for name, policy, sel in (("a", "policies/heroctl.yaml", ["--node", "node1"]),
                                  ("b", "policies/quptime.yaml", [])):
            paths[name] = os.path.join(tmp, name + ".nft")
            subprocess.run([args.fwc, "compile", policy, "-t", "nftables", "-o", paths[name], *sel],
                           cwd=ROOT, check=True)
        other = os.path.join(tmp, "other.nft")
        with open(other, "w") as f:
            f.write(OTHER)
        netlab.run(["nft", "-f", other], ns=ns)
        before_other = listing(ns, ["table", "inet", "other"])

        netlab.run(["nft", "-f", paths["a"]], ns=ns)
        first = listing(ns, ["table", "inet", "fwc"])
        expect("inbound[0] public-web" in first, "first load installs table inet fwc")
        netlab.run(["nft", "-f", paths["b"]], ns=ns)
        second = listing(ns, ["table", "inet", "fwc"])
        expect("public-web" not in second and "quptime-peers" in second,
               "second load replaces the table (no rule of the first remains)")
        tables = listing(ns, ["tables"]).split("\n")
        expect(sum(1 for t in tables if t.strip() == "table inet fwc") == 1, "exactly one table inet fwc")
        expect(listing(ns, ["table", "inet", "other"]) == before_other, "table inet other untouched")

        broken = os.path.join(tmp, "broken.nft")
        with open(paths["a"]) as f:
            text = f.read()
        with open(broken, "w") as f:
            # A bad element late in the file: the whole transaction must fail.
            f.write(text.replace("counter drop comment \"defaults.inbound",
                                 "ip saddr 300.1.1.1 counter drop comment \"defaults.inbound"))
        res = netlab.run(["nft", "-f", broken], ns=ns, check=False)
        expect(res.returncode != 0, "a broken script is refused")
        expect(listing(ns, ["table", "inet", "fwc"]) == second, "a refused script leaves the table as it was")
    passed = 6 - len(failures)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except netlab.LabError as e:
        print(f"FAIL: {e}")
        sys.exit(1)
