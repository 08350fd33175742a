#!/usr/bin/python3
"""`fwc apply`, `status` and `remove` beside other tools' tables, in a
private netns: a fail2ban-style table (nftables action), a CrowdSec-style
table (firewall bouncer), Docker's rules as Docker writes them through
iptables-nft, and a firewalld-style table (firewalld >= 1.0: filter_INPUT at
filter + 10, policy accept, a final reject).

Checks: apply prints exactly the expected warning and note lines and exits
0; `--strict` refuses (exit 2) and leaves the ruleset unchanged; fail2ban's
and CrowdSec's tables, sets and elements are identical after apply, after a
--confirm rollback and after `fwc remove`; `fwc status` lists every tool.

usage: coexist_check.py --fwc FWC
Exit 0 ok, 1 failure, 77 skipped (not root and CI is not "true").
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import netlab

ROOT = os.path.normpath(os.path.join(netlab.HERE, "..", ".."))

FAIL2BAN = """table inet f2b-table {
\tset addr-set-sshd {
\t\ttype ipv4_addr
\t\telements = { 198.51.100.77, 203.0.113.99 }
\t}
\tchain f2b-chain {
\t\ttype filter hook input priority filter - 1; policy accept;
\t\tmeta l4proto { tcp } tcp dport { 22 } ip saddr @addr-set-sshd reject
\t}
}
"""

CROWDSEC = """table ip crowdsec {
\tset crowdsec-blacklists {
\t\ttype ipv4_addr
\t\tflags timeout
\t\telements = { 198.51.100.66 timeout 4h, 203.0.113.66 timeout 1d }
\t}
\tchain crowdsec-chain {
\t\ttype filter hook input priority -10; policy accept;
\t\tip saddr @crowdsec-blacklists drop
\t}
}
"""

DOCKER = """*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i docker0 -p tcp -m tcp --dport 3000 -j DNAT --to-destination 172.17.0.2:3000
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-ISOLATION-STAGE-2 - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 3000 -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN
COMMIT
"""

FIREWALLD = """table inet firewalld {
\tchain filter_INPUT_POLICIES {
\t}
\tchain filter_INPUT {
\t\ttype filter hook input priority filter + 10; policy accept;
\t\tct state { established, related } accept
\t\tct status dnat accept
\t\tiifname "lo" accept
\t\tct state invalid drop
\t\tjump filter_INPUT_POLICIES
\t\treject with icmpx admin-prohibited
\t}
}
"""

POLICY = """fwc: 1
name: coexist
inbound:
  - name: admin
    allow: [8080/tcp]
    from: any
"""

OTHER_POLICY = POLICY.replace("8080/tcp", "8443/tcp")

EXPECTED = [
    "fwc: warning: firewalld (table inet firewalld, chain filter_INPUT, hook input priority filter+10, "
    "policy accept, 6 rules, reaches a drop or reject rule) also filters input: traffic the policy accepts "
    "can still be dropped there - e.g. 8080/tcp from any. Remedy: apply through firewalld "
    "(fwc apply --backend firewalld) or stop firewalld.",
    "fwc: note: Docker (tables ip nat, ip filter) DNATs published container ports and forwards them; the "
    "policy's inbound rules govern that traffic in chain published (defaults.published: govern).",
    "fwc: note: fail2ban (table inet f2b-table; chain f2b-chain, hook input priority filter-1, policy accept, "
    "1 rule) drops the sources it lists, whatever the policy accepts; fwc never touches its tables, sets or "
    "elements.",
    "fwc: note: CrowdSec (table ip crowdsec; chain crowdsec-chain, hook input priority filter-10, policy "
    "accept, 1 rule) drops the sources it lists, whatever the policy accepts; fwc never touches its tables, "
    "sets or elements.",
]


def strip_expiry(node):
    """A JSON listing without what changes by itself (remaining timeouts)."""
    if isinstance(node, dict):
        return {k: strip_expiry(v) for k, v in node.items() if k != "expires"}
    if isinstance(node, list):
        return [strip_expiry(v) for v in node]
    return node


def table_json(ns, family, name):
    r = netlab.run(["nft", "-j", "list", "table", family, name], ns=ns, check=False)
    if r.returncode != 0:
        return "missing: " + r.stderr
    return strip_expiry(json.loads(r.stdout))


def ruleset_json(ns):
    return strip_expiry(json.loads(netlab.run(["nft", "-j", "list", "ruleset"], ns=ns).stdout))


class Checker(netlab.Tally):
    def __init__(self, fwc, tmp):
        super().__init__()
        self.fwc, self.tmp = fwc, tmp
        self.state = os.path.join(tmp, "state")

    def fwc_run(self, ns, *args):
        env = {k: v for k, v in os.environ.items() if k != "SSH_CONNECTION"}
        env["FWC_STATE_DIR"] = self.state
        return subprocess.run(["ip", "netns", "exec", ns, self.fwc, *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)


def load_others(ns, tmp):
    for name, text in (("f2b", FAIL2BAN), ("crowdsec", CROWDSEC)):
        path = os.path.join(tmp, name + ".nft")
        with open(path, "w") as f:
            f.write(text)
        netlab.run(["nft", "-f", path], ns=ns)
    netlab.run(["iptables-nft-restore"], ns=ns, input=DOCKER)
    path = os.path.join(tmp, "firewalld.nft")
    with open(path, "w") as f:
        f.write(FIREWALLD)
    netlab.run(["nft", "-f", path], ns=ns)


def expected_lines(ns):
    legacy = [netlab.run(["cat", f"/proc/net/{n}"], ns=ns, check=False).stdout.strip()
              for n in ("ip_tables_names", "ip6_tables_names")]
    lines = list(EXPECTED)
    which = [w for w, names in zip(("IPv4", "IPv6"), legacy) if names]
    if which:  # a kernel that creates legacy tables in every netns
        lines.append("fwc: warning: iptables-legacy rules present (" + " and ".join(which) +
                     "), not readable over nftables: fwc cannot tell what they drop. Remedy: move them to "
                     "nftables (iptables-legacy-save | iptables-nft-restore) or check them by hand.")
    return lines


def diag_lines(stderr):
    return [l for l in stderr.splitlines() if l.startswith(("fwc: warning:", "fwc: note:"))]


def wait_for_rollback(c, timeout=15):
    pending = os.path.join(c.state, "pending")
    for _ in range(int(timeout / 0.2)):
        if not os.path.exists(pending):
            return True
        time.sleep(0.2)
    return False


def checks(c, ns, policy, other):
    load_others(ns, c.tmp)
    kept = {t: table_json(ns, *t) for t in (("inet", "f2b-table"), ("ip", "crowdsec"))}
    want = expected_lines(ns)
    before = ruleset_json(ns)
    r = c.fwc_run(ns, "apply", "--strict", policy)
    c.expect(r.returncode == 2 and "refusing to apply (--strict)" in r.stderr,
             "apply --strict refuses (exit 2)", f"exit {r.returncode}\n{r.stderr}")
    c.expect(ruleset_json(ns) == before, "apply --strict leaves the ruleset unchanged")
    r = c.fwc_run(ns, "apply", policy)
    c.expect(r.returncode == 0 and "applied table inet fwc" in r.stdout, "apply with warnings: exit 0",
             f"exit {r.returncode}\n{r.stdout}{r.stderr}")
    got = diag_lines(r.stderr)
    c.expect(got == want, "apply prints exactly the expected warnings and notes",
             "got:\n" + "\n".join(got) + "\nwant:\n" + "\n".join(want))

    def same(when):
        for t, j in kept.items():
            c.expect(table_json(ns, *t) == j, f"table {' '.join(t)}: identical {when}")

    same("after apply")
    r = c.fwc_run(ns, "status")
    for label in ("Also filtering this host:", "firewalld: table inet firewalld", "Docker: table ip nat",
                  "Docker: table ip filter", "fail2ban: table inet f2b-table", "CrowdSec: table ip crowdsec"):
        c.expect(label in r.stdout, f"status lists '{label}'", r.stdout + r.stderr)
    r = c.fwc_run(ns, "status", "--format", "json")
    try:
        tools = [t["tool"] for t in json.loads(r.stdout)["also_filtering"]["tables"]]
    except (ValueError, KeyError, TypeError):
        tools = []
    c.expect(tools == ["firewalld", "Docker", "Docker", "fail2ban", "CrowdSec"],
             "status --format json: also_filtering names each table", r.stdout[-800:])
    applied = netlab.run(["nft", "list", "table", "inet", "fwc"], ns=ns).stdout
    r = c.fwc_run(ns, "apply", "--confirm", "1", other)
    c.expect(r.returncode == 0, "apply --confirm 1 of another policy", r.stderr)
    c.expect(wait_for_rollback(c), "the unconfirmed apply rolls back")
    time.sleep(0.3)
    c.expect(netlab.run(["nft", "list", "table", "inet", "fwc"], ns=ns).stdout == applied,
             "the rollback restores table inet fwc")
    same("after a --confirm rollback")
    r = c.fwc_run(ns, "remove")
    c.expect(r.returncode == 0, "remove", r.stderr)
    same("after remove")
    names = [e["table"]["name"] for e in ruleset_json(ns)["nftables"] if "table" in e]
    c.expect(sorted(names) == sorted(["f2b-table", "crowdsec", "nat", "filter", "firewalld"]),
             "remove deletes table inet fwc only", str(names))


SIMPLE = """table ip simple {
\tchain in {
\t\ttype filter hook input priority 5; policy accept;
\t\tip saddr 203.0.113.9 tcp dport 8080 counter drop
\t}
}
"""


def explain_checks(c, ns, policy):
    """explain --live: a verdict for chains of simple rules and empty
    chains, "cannot evaluate" for the others."""
    path = os.path.join(c.tmp, "simple.nft")
    with open(path, "w") as f:
        f.write(SIMPLE)
    netlab.run(["nft", "-f", path], ns=ns)
    r = c.fwc_run(ns, "explain", policy, "--from", "203.0.113.9", "--port", "8080/tcp", "--live")
    want = [
        "  unknown table ip simple, table ip simple, chain in, hook input priority filter+5, policy accept, "
        "1 rule: drop (rule 1)",
        "  Docker, table ip filter, chain INPUT, hook input priority filter, policy accept, 0 rules: "
        "accept (its policy)",
        "  fail2ban, table inet f2b-table, chain f2b-chain, hook input priority filter-1, policy accept, 1 rule: "
        "cannot evaluate: table f2b-table chain f2b-chain has 1 rules fwc does not model",
    ]
    for line in want:
        c.expect(line in r.stdout.splitlines(), f"explain --live: {line.strip()[:60]}...", r.stdout + r.stderr)
    r = c.fwc_run(ns, "explain", policy, "--from", "203.0.113.10", "--port", "8080/tcp", "--live")
    c.expect(any(l.startswith("  unknown table ip simple") and l.endswith("accept (its policy)")
                 for l in r.stdout.splitlines()), "explain --live: another source passes the simple chain",
             r.stdout)
    netlab.run(["nft", "delete", "table", "ip", "simple"], ns=ns)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    args = ap.parse_args()
    netlab.require_root()
    c = None
    with tempfile.TemporaryDirectory() as tmp:
        policy, other = os.path.join(tmp, "p.yaml"), os.path.join(tmp, "q.yaml")
        for path, text in ((policy, POLICY), (other, OTHER_POLICY)):
            with open(path, "w") as f:
                f.write(text)
        c = Checker(os.path.abspath(args.fwc), tmp)
        with netlab.private_netns() as ns:
            checks(c, ns, policy, other)
            explain_checks(c, ns, policy)
    return c.summary()


if __name__ == "__main__":
    netlab.exit_with(main)
