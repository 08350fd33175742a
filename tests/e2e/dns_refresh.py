#!/usr/bin/python3
"""Networks by host name and list files, kept current by `fwc refresh`.

Two namespaces over a veth (netlab): the node runs the ruleset, a listener
and a tiny DNS server on its loopback (dns_server.py), which its own
resolv.conf (/etc/netns/NODE/resolv.conf, bind-mounted by `ip netns exec`)
points at. The policy allows 9000/tcp from the name peer.fwc.test and
9001/tcp from the list file listed.txt.

- apply with the name at A: A gets in, B does not;
- the name moves to B, refresh: B gets in, A does not, and the chains and
  rules keep their handles (elements changed in place, no table swap);
- the DNS server stops, refresh: a warning names the host, nothing changes;
- the list file is emptied: below min_entries, refresh changes nothing;
- the list file changes, refresh: the list's set follows;
- compile refuses the name without --resolve;
- apply --always, the control, does swap the table.

usage: dns_refresh.py --fwc FWC
Exit 0 ok, 1 failure, 77 skipped (not root and CI is not "true").
"""
import argparse
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile

import netlab

ROOT = os.path.normpath(os.path.join(netlab.HERE, "..", ".."))
NAME = "peer.fwc.test"
A, B = "198.51.100.21", "198.51.100.40"
C, D = "198.51.100.50", "198.51.100.60"
POLICY = f"""fwc: 1
name: dnstest
networks:
  peers: [{NAME}]
  listed: {{file: listed.txt, min_entries: 1}}
inbound:
  - {{name: by-name, allow: [9000/tcp], from: peers}}
  - {{name: by-list, allow: [9001/tcp], from: listed}}
"""


class Node:
    """fwc commands in the node's namespace, with its own state directory."""

    def __init__(self, fwc, ns, state):
        self.fwc, self.ns, self.state = fwc, ns, state

    def run(self, *args):
        return netlab.run(["env", f"FWC_STATE_DIR={self.state}", self.fwc, *args], ns=self.ns, check=False)


def start_dns(ns):
    p = netlab.start([netlab.PYTHON, os.path.join(netlab.HERE, "dns_server.py"), "--addr", "127.0.0.1"], ns)
    ready, _, _ = select.select([p.stdout], [], [], 10)
    if not ready or p.stdout.readline().strip() != "READY":
        raise netlab.LabError(f"DNS server did not start: {p.stderr.read().strip()}")
    return p


def set_answers(dns, table):
    dns.stdin.write(json.dumps(table) + "\n")
    dns.stdin.flush()
    ready, _, _ = select.select([dns.stdout], [], [], 5)
    if not ready or dns.stdout.readline().strip() != "OK":
        raise netlab.LabError("DNS server did not take the new answers")


def verdicts(lab, probes):
    return {(src, port): res for (src, port, _), (res, _) in zip(probes, lab.probe(probes, timeout=1.0))}


def check_access(t, lab, allowed, what):
    probes = [(src, port, "tcp") for src in (A, B, C, D) for port in (9000, 9001)]
    got = verdicts(lab, probes)
    want = {(src, port): "accept" if (src, port) in allowed else "drop" for src, port, _ in probes}
    wrong = {k: v for k, v in got.items() if v != want[k]}
    t.check(not wrong, what, f"unexpected: {wrong}")


def handles(ns):
    """The table, chains and rules with their kernel handles (counters left
    out): a table swap renews them all."""
    text = netlab.run(["nft", "-a", "list", "table", "inet", "fwc"], ns=ns).stdout
    return [re.sub(r"packets \d+ bytes \d+", "", line.strip()) for line in text.splitlines()
            if "# handle" in line and not line.strip().startswith("set ")]


def scenario(t, lab, node, dns, workdir):
    set_answers(dns, {NAME: {"A": [A], "AAAA": []}})
    r = node.run("apply", os.path.join(workdir, "policy.yaml"))
    if not t.check(r.returncode == 0, "apply resolves the name and installs the table", r.stdout + r.stderr):
        return
    check_access(t, lab, {(A, 9000), (C, 9001)}, "name at A, list holds C: A and C get in, B and D do not")
    r = node.run("explain", os.path.join(workdir, "policy.yaml"), "--from", A, "--port", "9000/tcp")
    t.check(f"source: peers via {NAME}" in r.stdout, "explain names the host the source came from", r.stdout + r.stderr)
    r = node.run("compile", os.path.join(workdir, "policy.yaml"), "-t", "nftables", "--resolve")
    t.check(r.returncode == 0 and f"host names resolved at compile time: {NAME}" in r.stdout and A in r.stdout,
            "compile --resolve writes the answer and says so in the header", r.stdout + r.stderr)
    before = handles(lab.target)

    set_answers(dns, {NAME: {"A": [B], "AAAA": []}})
    r = node.run("refresh")
    t.check(r.returncode == 0 and re.search(r"set peers_v4: \+1 -1", r.stdout), "refresh: the name moved to B (+1 -1)",
            r.stdout + r.stderr)
    check_access(t, lab, {(B, 9000), (C, 9001)}, "after refresh: B gets in, A does not")
    t.check(handles(lab.target) == before, "chains and rules kept their handles (no table swap)",
            f"{before}\n---\n{handles(lab.target)}")

    netlab._stop(dns)
    r = node.run("refresh")
    t.check(r.returncode == 0 and "FWC-W109" in r.stderr and NAME in r.stderr and "no change" in r.stdout,
            "DNS down: refresh warns naming the host and keeps the set", r.stdout + r.stderr)
    check_access(t, lab, {(B, 9000), (C, 9001)}, "DNS down: access unchanged")

    with open(os.path.join(workdir, "listed.txt"), "w") as f:
        f.write("# truncated by a failed download\n")
    r = node.run("refresh")
    t.check(r.returncode == 2 and "FWC-E019" in r.stderr, "an emptied list is below min_entries: refused",
            r.stdout + r.stderr)
    check_access(t, lab, {(B, 9000), (C, 9001)}, "refused refresh: access unchanged")

    with open(os.path.join(workdir, "listed.txt"), "w") as f:
        f.write(f"# rotated\n{D}\n")
    r = node.run("refresh")
    t.check(r.returncode == 0 and re.search(r"set listed_v4: \+1 -1", r.stdout), "refresh rereads the list (+1 -1)",
            r.stdout + r.stderr)
    check_access(t, lab, {(B, 9000), (D, 9001)}, "list changed: D gets in on 9001, C does not")
    t.check(handles(lab.target) == before, "still no table swap")
    # The control: a full apply replaces the table, and the check sees it.
    r = node.run("apply", "--always", os.path.join(workdir, "policy.yaml"))
    t.check(r.returncode == 0 and handles(lab.target) != before, "apply --always swaps the table (new handles)",
            r.stdout + r.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    args = ap.parse_args()
    t = netlab.Tally()
    workdir = tempfile.mkdtemp(prefix="fwc-dns-")
    with open(os.path.join(workdir, "policy.yaml"), "w") as f:
        f.write(POLICY)
    with open(os.path.join(workdir, "listed.txt"), "w") as f:
        f.write(f"{C}\n")
    r = subprocess.run([args.fwc, "compile", os.path.join(workdir, "policy.yaml"), "-t", "nftables"],
                       capture_output=True, text=True)
    t.check(r.returncode == 2 and "FWC-E017" in r.stderr, "compile refuses a host name without --resolve",
            r.stdout + r.stderr)
    netlab.require_root()
    os.environ.pop("SSH_CONNECTION", None)  # the lock-out guard is not under test
    etc = None
    made_parent = not os.path.isdir("/etc/netns")
    try:
        with netlab.NetLab([A, B, C, D]) as lab:
            etc = f"/etc/netns/{lab.target}"
            os.makedirs(etc)
            with open(os.path.join(etc, "resolv.conf"), "w") as f:
                f.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
            lab.start_listener([(9000, "tcp"), (9001, "tcp")])
            dns = start_dns(lab.target)
            scenario(t, lab, Node(args.fwc, lab.target, os.path.join(workdir, "state")), dns, workdir)
    finally:
        if etc:
            shutil.rmtree(etc, ignore_errors=True)
        if made_parent:
            try:
                os.rmdir("/etc/netns")   # only when empty: another test may use it
            except OSError:
                pass
        shutil.rmtree(workdir, ignore_errors=True)
    return t.summary()


if __name__ == "__main__":
    netlab.exit_with(main)
