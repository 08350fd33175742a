#!/usr/bin/python3
"""End to end for `fwc verify` on every example policy in policies/.

For each policy (each listed node of the scoped ones): `fwc apply` into a
fresh target netns, listeners on some allowed ports, then `fwc verify -p
POLICY --udp` (the policy's ports plus the sample) from an "internet"
vantage, allowlisted vantages and blocked vantages.  Each run must exit 0
with no failure, and the ports named below must show the state written here
by hand (so the prober and the evaluator cannot agree on a shared mistake).
The policy's `tests:` observable from a vantage are judged too: none may
fail, and each policy has some.  Last, a port opened by hand (`nft insert rule ... tcp dport 6379 accept`,
with a listener) must be reported as exposed with exit 1.

Test copies: the lab may only use 198.51.100.0/24, 203.0.113.0/24 and
2001:db8::/32, so networks outside them (10.0.0.0/24 cluster and
management networks, fd00:fc::/64, 192.0.2.40, Cloudflare's ranges) are
replaced in a copy of the policy by the substitutes in SUBST; each
replacement must match, so a changed policy fails loudly here.

usage: verify_policies.py [--fwc PATH] [--only NAME]
Exit: 0 all passed, 1 any failure, 77 skipped (not root and CI is not "true").
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import netlab
from verify_check import Checks, states, use_source, verify

REPO = os.path.normpath(os.path.join(netlab.HERE, "..", ".."))
INTERNET4, INTERNET6 = "203.0.113.77", "2001:db8:1::77"
WRONG_PORT = 6379   # in verify's sample; opened by hand at the end

# policy file: [(text in the policy, its substitute in the test copy)]
SUBST = {
    "ferrocache.yaml": [("10.0.0.0/24", "198.51.100.0/26"), ('"fd00:fc::/64"', '"2001:db8:fc::/64"')],
    "remoteingress-edge.yaml": [("10.0.0.0/24", "203.0.113.64/29")],
    "quicproquo.yaml": [("192.0.2.40", "203.0.113.40")],
    "heroctl.yaml": [("10.0.0.0/24", "198.51.100.0/25"), ("10.0.0.0/16", "198.51.100.0/24"),
                     ("10.0.0.", "198.51.100.")],
    "heroctl-cloudflare.yaml": [
        ("file: [lists/cloudflare-v4.txt, lists/cloudflare-v6.txt]",
         'addresses: [198.51.100.128/26, "2001:db8:cf::/48"]'),
        ("10.0.0.0/24", "198.51.100.0/25"), ("10.0.0.0/16", "198.51.100.0/24"), ("10.0.0.", "198.51.100.")],
}

O, C, F, OF = "open", "closed", "filtered", "open|filtered"

# policy, node (or None), listeners, {vantage: (kind, {port/proto: state})}
CASES = [
    ("quptime.yaml", None, ["22/tcp", "9901/tcp"], {
        INTERNET4: ("internet", {"22/tcp": F, "9901/tcp": F}),
        "198.51.100.10": ("allowlisted peer", {"9901/tcp": O, "22/tcp": F}),
        "203.0.113.10": ("allowlisted operator", {"22/tcp": O, "9901/tcp": F}),
        "198.51.100.99": ("blocked (not a peer)", {"9901/tcp": F, "22/tcp": F}),
        INTERNET6: ("internet", {"9901/tcp": F, "22/tcp": F}),
    }),
    ("ferrocache.yaml", None, ["22/tcp", "3000/tcp", "4443/tcp", "4000/udp"], {
        INTERNET4: ("internet", {"3000/tcp": O, "4443/tcp": F, "22/tcp": F, "4000/udp": OF}),
        "198.51.100.5": ("allowlisted cluster", {"3000/tcp": O, "4443/tcp": O, "4000/udp": O, "22/tcp": F}),
        "2001:db8:fc::5": ("allowlisted cluster", {"4443/tcp": O, "4000/udp": O, "22/tcp": F}),
        "203.0.113.10": ("allowlisted operator", {"22/tcp": O, "4443/tcp": F}),
        "2001:db8:100::7": ("allowlisted operator", {"22/tcp": O, "4000/udp": OF}),
        "198.51.100.200": ("blocked (outside the cluster)", {"4443/tcp": F, "4000/udp": OF, "3000/tcp": O}),
        INTERNET6: ("internet", {"3000/tcp": O, "4443/tcp": F}),
    }),
    ("remoteingress-edge.yaml", None, ["22/tcp", "80/tcp", "443/tcp", "8443/tcp", "9090/tcp", "53/udp",
                                       "51820/udp"], {
        INTERNET4: ("internet", {"80/tcp": O, "443/tcp": O, "8443/tcp": O, "9090/tcp": F, "22/tcp": F,
                                 "53/udp": O, "51820/udp": O}),
        "203.0.113.70": ("allowlisted mgmt", {"9090/tcp": O, "22/tcp": O, "80/tcp": O}),
        "198.51.100.10": ("blocked inline", {"80/tcp": F, "443/tcp": F, "8443/tcp": F, "53/udp": OF}),
        "203.0.113.50": ("blocked inline", {"80/tcp": F, "51820/udp": OF}),
        "2001:db8:bad::5": ("blocked inline", {"443/tcp": F}),
        "2001:db8:dead::5": ("blocked by the feed", {"80/tcp": F, "53/udp": OF}),
        INTERNET6: ("internet", {"80/tcp": O, "443/tcp": O, "9090/tcp": F}),
    }),
    ("quicproquo.yaml", None, ["22/tcp", "7000/tcp", "9090/tcp", "7000/udp"], {
        INTERNET4: ("internet", {"7000/tcp": O, "7000/udp": O, "9090/tcp": F, "22/tcp": F}),
        "203.0.113.40": ("allowlisted monitoring", {"9090/tcp": O, "22/tcp": F}),
        "203.0.113.11": ("allowlisted operator", {"22/tcp": O, "9090/tcp": F}),
        "198.51.100.23": ("blocked (file list)", {"7000/tcp": F, "7000/udp": OF}),
        "198.51.100.70": ("blocked (file list)", {"7000/tcp": F}),
        "2001:db8:f100::9": ("blocked (file list)", {"7000/tcp": F, "7000/udp": OF}),
        INTERNET6: ("internet", {"7000/tcp": O, "7000/udp": O}),
    }),
    ("heroctl.yaml", "node1", ["22/tcp", "80/tcp", "443/tcp", "8080/tcp", "8443/tcp", "4646/tcp", "4648/tcp",
                               "4648/udp"], {
        INTERNET4: ("internet", {"80/tcp": O, "443/tcp": O, "8080/tcp": F, "22/tcp": F, "4646/tcp": F}),
        "203.0.113.10": ("allowlisted operator", {"8080/tcp": O, "8443/tcp": O, "22/tcp": O, "4646/tcp": F}),
        "203.0.113.20": ("allowlisted bastion", {"8080/tcp": O, "22/tcp": F}),
        "198.51.100.5": ("allowlisted cluster", {"4646/tcp": O, "4647/tcp": C, "4648/tcp": O, "4648/udp": O,
                                                 "8080/tcp": F}),
        "198.51.100.200": ("blocked (outside the cluster)", {"4646/tcp": F, "4648/udp": OF, "80/tcp": O}),
        INTERNET6: ("internet", {"80/tcp": O, "8443/tcp": F}),
    }),
    ("heroctl.yaml", "node4", ["22/tcp", "80/tcp", "8080/tcp", "8443/tcp"], {
        INTERNET4: ("internet", {"80/tcp": O, "8080/tcp": F, "22/tcp": F}),
        "203.0.113.10": ("allowlisted operator", {"22/tcp": O, "8080/tcp": F, "8443/tcp": F}),
        "203.0.113.20": ("bastion (admin on servers only)", {"8080/tcp": F}),
    }),
    ("heroctl-cloudflare.yaml", "node1", ["22/tcp", "80/tcp", "443/tcp", "8443/tcp"], {
        INTERNET4: ("internet (not Cloudflare)", {"80/tcp": F, "443/tcp": F, "8443/tcp": F}),
        "198.51.100.130": ("allowlisted Cloudflare", {"80/tcp": O, "443/tcp": O, "8443/tcp": F}),
        "2001:db8:cf::5": ("allowlisted Cloudflare", {"443/tcp": O, "22/tcp": F}),
        "203.0.113.10": ("allowlisted operator", {"8443/tcp": O, "22/tcp": O, "80/tcp": F}),
        INTERNET6: ("internet (not Cloudflare)", {"443/tcp": F}),
    }),
]


def test_copy(name, tmp):
    """The policy itself, or its copy with SUBST applied (lists copied too)."""
    src = os.path.join(REPO, "policies", name)
    if name not in SUBST:
        return src
    text = open(src).read()
    for old, new in SUBST[name]:
        if old not in text:
            raise netlab.LabError(f"{name}: test substitution no longer matches: {old!r}")
        text = text.replace(old, new)
    lists = os.path.join(tmp, "lists")
    if not os.path.exists(lists):
        shutil.copytree(os.path.join(REPO, "policies", "lists"), lists)
    dst = os.path.join(tmp, name)
    with open(dst, "w") as f:
        f.write(text)
    return dst


def run_case(fwc, tmp, case, c):
    name, node, listen, vantages = case
    policy = test_copy(name, tmp)
    sel = ["--node", node] if node else []
    label = name + (f" --node {node}" if node else "")
    with netlab.NetLab([INTERNET4]) as lab:
        r = netlab.run([fwc, "apply", policy, *sel], ns=lab.target, check=False)
        if not c.check(r.returncode == 0, f"{label}: fwc apply", r.stderr):
            return
        ports = [(int(p), proto) for p, _, proto in (x.partition("/") for x in listen)]
        lab.start_listener(ports + [(WRONG_PORT, "tcp")])
        tests_judged = 0  # the policy's tests: observable from some vantage
        for src, (kind, want) in vantages.items():
            use_source(lab, src)
            target = netlab.TARGET6 if ":" in src else netlab.TARGET4
            r, secs = verify(fwc, lab, target, "-p", policy, *sel, "--udp", "--format", "json")
            j, got = states(r)
            seen = {k: got.get((int(k.split("/")[0]), k.split("/")[1]), {}).get("state") for k in want}
            bad = [p for p in (j or {}).get("ports", []) if p["verdict"] == "failure"]
            judged = (j or {}).get("tests", [])
            bad += [t for t in judged if t["verdict"] == "failure"]
            tests_judged += len(judged)
            c.check(r.returncode == 0 and j and j["source"] == src and not bad and seen == want,
                    f"{label} from {src} ({kind}): {len(got)} ports as the policy says, "
                    f"{len(judged)} policy tests hold, {secs:.1f} s",
                    f"exit {r.returncode}\nwant {want}\ngot  {seen}\nfailures {bad}\n{r.stderr}")
        c.check(tests_judged > 0, f"{label}: {tests_judged} policy test rows judged on the wire")
        # The deliberately wrong ruleset: one port opened by hand.
        use_source(lab, INTERNET4)
        netlab.run(["nft", "insert", "rule", "inet", "fwc", "input", "tcp", "dport", str(WRONG_PORT), "accept"],
                   ns=lab.target)
        r, _ = verify(fwc, lab, netlab.TARGET4, "-p", policy, *sel, "--format", "json")
        j, got = states(r)
        p = got.get((WRONG_PORT, "tcp"), {})
        others = [q for q in (j or {}).get("ports", []) if q["verdict"] == "failure" and q["port"] != WRONG_PORT]
        c.check(r.returncode == 1 and p.get("state") == O and p.get("verdict") == "failure"
                and "exposed" in p.get("note", "") and not others,
                f"{label}: {WRONG_PORT}/tcp opened by hand is reported exposed, exit {r.returncode}",
                r.stdout[-2000:] + r.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", default=os.path.join(REPO, "build", "fwc"))
    ap.add_argument("--only", help="run only this policy file (e.g. quptime.yaml)")
    args = ap.parse_args()
    netlab.require_root()
    c = Checks()
    try:
        with tempfile.TemporaryDirectory(prefix="fwc-verify-policies-") as tmp:
            for case in CASES:
                if args.only and case[0] != args.only:
                    continue
                try:
                    run_case(os.path.abspath(args.fwc), tmp, case, c)
                except (netlab.LabError, subprocess.TimeoutExpired) as e:
                    c.check(False, f"{case[0]}: {e}")
    except KeyboardInterrupt:
        print("interrupted")
        return 130
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
