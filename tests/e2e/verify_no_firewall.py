#!/usr/bin/python3
"""End to end: `fwc verify -p POLICY` against a target with no firewall at
all, then with the policy applied; and the inputs verify refuses.

No ruleset in the target netns, listeners on the ports the policy allows
only: every port the policy drops answers with a TCP reset or an ICMP port
unreachable.  That is a host whose firewall is missing, so verify must fail
(exit 1) and call each such port "not filtered"; a port the policy rejects
may answer closed and stays ok.  With the policy applied by `fwc apply` the
same run passes (exit 0).

Then, each before a socket is opened (exit 2): targets that are not one
host (multicast, broadcast, unspecified, reserved, IPv4-mapped, the
broadcast address of the vantage's own subnet) and rates that are not a
finite number of packets per second within the documented ceiling.

Probes go only to netlab's target addresses (and, for the refusals that
the old code would have probed, into the vantage netns's own veth).

usage: verify_no_firewall.py [--fwc PATH]
Exit: 0 all passed, 1 any failure, 77 skipped (not root and CI is not
"true").  The last line is "N passed, M failed" (counting checks).
"""

import argparse
import os
import subprocess
import sys
import tempfile

import netlab
from verify_check import Checks, states, use_source, verify

REPO = os.path.normpath(os.path.join(netlab.HERE, "..", ".."))
VANTAGE = "198.51.100.10"
POLICY = """\
fwc: 1
name: no-firewall-check
networks:
  operators: 203.0.113.10
services:
  ssh: 22/tcp
  web: 80/tcp
  dns: 53/udp
  ident: 113/tcp
defaults:
  inbound: drop
inbound:
  - allow: [ssh]
    from: operators
  - allow: [web, dns]
    from: any
  - allow: [ident]
    from: operators
    otherwise:
      action: reject
"""
PORTS = "22,53,80,113,123,443"
LISTEN = [(80, "tcp"), (53, "udp")]
# Port: (verdict with no firewall, note it must hold); from VANTAGE.
NO_FIREWALL = {
    (22, "tcp"): ("failure", "not filtered"),
    (443, "tcp"): ("failure", "not filtered"),
    (123, "udp"): ("failure", "not filtered"),
    (113, "tcp"): ("ok", ""),        # rejected: closed is what a reject may say
    (80, "tcp"): ("ok", ""),
    (53, "udp"): ("ok", ""),
}
BAD_TARGETS = ["224.0.0.1", "255.255.255.255", "0.0.0.0", "0.1.2.3", "240.0.0.1", "ff02::1", "::",
               "::ffff:203.0.113.254"]
BAD_RATES = ["nan", "inf", "-inf", "0", "-1", "1e7", "1e300"]


def check_no_firewall(fwc, lab, policy, c):
    r, secs = verify(fwc, lab, netlab.TARGET4, "-p", policy, "--ports", PORTS, "--udp", "--format", "json")
    j, got = states(r)
    for key, (verdict, note) in NO_FIREWALL.items():
        p = got.get(key, {})
        c.check(p.get("verdict") == verdict and note in p.get("note", ""),
                f"no firewall: {key[0]}/{key[1]} {p.get('state')}, {verdict} {note!r}",
                f"{p}\n{r.stderr}")
    c.check(r.returncode == 1 and j and j["failures"] >= 3,
            f"no firewall: verify fails, exit {r.returncode}, {secs:.1f} s", r.stdout[-2000:] + r.stderr)
    r, _ = verify(fwc, lab, netlab.TARGET4, "-p", policy, "--ports", PORTS)
    c.check(r.returncode == 1 and "443/tcp" in r.stdout and "not filtered: the policy drops this port" in r.stdout
            and "ports the policy drops answered closed: no firewall enforces the drop" in r.stdout,
            "no firewall: the text report says not filtered", r.stdout + r.stderr)
    r, _ = verify(fwc, lab, netlab.TARGET4, "-p", policy, "--ports", PORTS, "--format", "junit")
    c.check(r.returncode == 1 and 'name="443/tcp"><failure message="not filtered' in r.stdout,
            "no firewall: JUnit carries the failure", r.stdout + r.stderr)


def check_applied(fwc, lab, policy, c):
    r = netlab.run([fwc, "apply", policy], ns=lab.target, check=False)
    if not c.check(r.returncode == 0, "fwc apply the policy", r.stderr):
        return
    r, secs = verify(fwc, lab, netlab.TARGET4, "-p", policy, "--ports", PORTS, "--udp", "--format", "json")
    j, got = states(r)
    bad = [p for p in (j or {}).get("ports", []) if p["verdict"] != "ok"]
    c.check(r.returncode == 0 and j and not bad and got.get((443, "tcp"), {}).get("state") == "filtered"
            and got.get((123, "udp"), {}).get("state") == "open|filtered",
            f"policy applied: every port as the policy says, exit {r.returncode}, {secs:.1f} s",
            f"{bad}\n{r.stderr}")


def check_refusals(fwc, lab, c):
    for target in BAD_TARGETS:
        r, _ = verify(fwc, lab, target, "--ports", "22", "--retries", "0", timeout=30)
        c.check(r.returncode == 2 and "will not probe" in r.stderr and r.stdout == "",
                f"target {target} refused, exit {r.returncode}: {r.stderr.strip()}", r.stdout + r.stderr)
    for rate in BAD_RATES:
        r, _ = verify(fwc, lab, netlab.TARGET4, "--ports", "22", "--retries", "0", f"--rate={rate}",
                      timeout=30)
        c.check(r.returncode == 2 and "rate" in r.stderr and r.stdout == "",
                f"--rate {rate} refused, exit {r.returncode}: {r.stderr.strip()}", r.stdout + r.stderr)
    # The broadcast address of the vantage's own /24.
    netlab.run(["ip", "-n", lab.vantage, "addr", "add", "198.51.100.9/24", "brd", "+", "dev", "vv"])
    r, _ = verify(fwc, lab, "198.51.100.255", "--ports", "22", "--retries", "0", timeout=30)
    c.check(r.returncode == 2 and "broadcast address of a local network" in r.stderr,
            f"subnet broadcast refused, exit {r.returncode}: {r.stderr.strip()}", r.stdout + r.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", default=os.path.join(REPO, "build", "fwc"))
    args = ap.parse_args()
    fwc = os.path.abspath(args.fwc)
    netlab.require_root()
    c = Checks()
    try:
        with tempfile.TemporaryDirectory(prefix="fwc-verify-nofw-") as tmp:
            policy = os.path.join(tmp, "policy.yaml")
            with open(policy, "w") as f:
                f.write(POLICY)
            with netlab.NetLab([VANTAGE]) as lab:
                lab.start_listener(LISTEN)
                use_source(lab, VANTAGE)
                check_no_firewall(fwc, lab, policy, c)
                check_applied(fwc, lab, policy, c)
                check_refusals(fwc, lab, c)
    except (netlab.LabError, subprocess.TimeoutExpired) as e:
        print(f"FAIL: {e}")
        c.failed += 1
    except KeyboardInterrupt:
        print("interrupted")
        return 130
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
