#!/usr/bin/python3
"""End to end for `fwc verify --all`: three node namespaces and a vantage
namespace joined by a bridge (in the vantage), each node enforcing its part
of a policy with roles (applied by `fwc apply` in its namespace) and
listening on a few ports.  Checks that the fleet run judges every node and
port as the per-node runs (`fwc verify ADDR -p POLICY --node N`) do, field
by field; that --role narrows the nodes; that a port opened by hand on one
node makes the fleet run exit 1 naming that node; that the JSON and JUnit
reports parse; and the usage errors.

Probes go only to the nodes' documentation addresses (198.51.100.0/24,
2001:db8::/32) inside the namespaces this test creates.

usage: verify_fleet.py [--fwc PATH]
Exit: 0 all passed, 1 any failure, 77 skipped (not root and CI is not
"true").  The last line is "N passed, M failed" (counting checks).
"""

import argparse
import json
import os
import subprocess
import tempfile
import xml.etree.ElementTree as ET

import netlab

REPO = os.path.normpath(os.path.join(netlab.HERE, "..", ".."))
VANTAGE4, VANTAGE6 = "198.51.100.1", "2001:db8:100::1"
NODES = {
    "web1": ["198.51.100.11", "2001:db8:100::11"],
    "web2": ["198.51.100.12", "2001:db8:100::12"],
    "db1": ["198.51.100.13"],
}
LISTEN = [22, 80, 5432, 9100]
PORTS = ",".join(map(str, LISTEN))
# What the policy lets the vantage reach on each node (the others filtered).
OPEN = {"web1": {22, 80}, "web2": {22, 80}, "db1": {22, 5432}}

POLICY = f"""fwc: 1
name: fleet
networks:
  vantage: [{VANTAGE4}, "{VANTAGE6}"]
services:
  ssh: 22/tcp
  web: 80/tcp
  db: 5432/tcp
nodes:
  web1: {{addresses: [{NODES['web1'][0]}, "{NODES['web1'][1]}"], roles: [web]}}
  web2: {{addresses: [{NODES['web2'][0]}, "{NODES['web2'][1]}"], roles: [web]}}
  db1: {{address: {NODES['db1'][0]}, roles: [db]}}
defaults:
  inbound: drop
inbound:
  - allow: [ssh]
    from: vantage
  - allow: [web]
    from: any
    roles: [web]
  - allow: [db]
    from: vantage
    roles: [db]
tests:
  - {{name: web-public, from: any, to: "role:web", port: 80/tcp, expect: accept}}
  - {{name: db-never-on-web, from: any, to: "role:web", port: 5432/tcp, expect: drop}}
  - {{name: db-from-vantage, from: vantage, to: db1, port: 5432/tcp, expect: accept}}
"""
# The policy's tests each node's report judges (all observable from the vantage).
TESTS = {"web1": ["web-public", "db-never-on-web"], "web2": ["web-public", "db-never-on-web"],
         "db1": ["db-from-vantage"]}

# Fields of a port row that must agree between the fleet and per-node runs
# (not "probes": retransmissions depend on timing).
ROW_FIELDS = ("port", "proto", "state", "reason", "expected", "rule", "verdict", "note")
HEAD_FIELDS = ("target", "source", "method", "policy", "selection", "failures", "warnings", "privileges",
               "tests", "tests_not_observable")


class Checks(netlab.Tally):
    detail_lines = 40


def build_lab(tmp):
    """The vantage with bridge br0; each node on a veth enslaved to it."""
    van = netlab.new_netns("van")
    netlab.run(["ip", "-n", van, "link", "add", "br0", "type", "bridge"])
    netlab.run(["ip", "-n", van, "addr", "add", VANTAGE4 + "/24", "dev", "br0"])
    netlab.run(["ip", "-n", van, "-6", "addr", "add", VANTAGE6 + "/64", "dev", "br0", "nodad"])
    netlab.run(["ip", "-n", van, "link", "set", "br0", "up"])
    nodes = {}
    for i, (name, addrs) in enumerate(NODES.items()):
        ns = nodes[name] = netlab.new_netns(name)
        port = f"p{i}"
        netlab.run(["ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", port,
                    "netns", van])
        netlab.run(["ip", "-n", van, "link", "set", port, "master", "br0", "up"])
        for a in addrs:
            if ":" in a:
                netlab.run(["ip", "-n", ns, "-6", "addr", "add", a + "/64", "dev", "eth0", "nodad"])
            else:
                netlab.run(["ip", "-n", ns, "addr", "add", a + "/24", "dev", "eth0"])
        netlab.run(["ip", "-n", ns, "link", "set", "eth0", "up"])
        # Probes at full rate would overflow an unresolved neighbour's queue.
        mac = json.loads(netlab.run(["ip", "-j", "-n", ns, "link", "show", "eth0"]).stdout)[0]["address"]
        for a in addrs:
            netlab.run(["ip", "-n", van, "neigh", "replace", a, "lladdr", mac, "dev", "br0",
                        "nud", "permanent"])
        start_listener(ns, addrs)
    return van, nodes


def start_listener(ns, addrs):
    p = netlab.start([netlab.PYTHON, os.path.join(netlab.HERE, "listener.py"), "--addr", ",".join(addrs),
                      "--tcp", PORTS], ns)
    line = p.stdout.readline().strip()
    if line != "READY":
        raise netlab.LabError(f"listener in {ns} did not start: {line}")


def apply_policy(fwc, ns, policy, node, tmp):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSH_")}
    env["FWC_STATE_DIR"] = os.path.join(tmp, "state-" + node)
    r = subprocess.run(["ip", "netns", "exec", ns, fwc, "apply", policy, "--node", node],
                       capture_output=True, text=True, timeout=120, env=env)
    if r.returncode != 0:
        raise netlab.LabError(f"apply --node {node}: exit {r.returncode}: {r.stderr.strip()}")


def verify(fwc, van, *args, timeout=120):
    return subprocess.run(["ip", "netns", "exec", van, fwc, "verify", *args],
                          capture_output=True, text=True, timeout=timeout)


def parsed(text):
    try:
        return json.loads(text)
    except ValueError:
        return None


def rows(report):
    return {(p["port"], p["proto"]): {k: p.get(k) for k in ROW_FIELDS} for p in report.get("ports", [])}


def check_agreement(fwc, van, policy, c):
    r = verify(fwc, van, "--all", "-p", policy, "--ports", PORTS, "--format", "json")
    fleet = parsed(r.stdout)
    c.check(r.returncode == 0 and fleet is not None, f"--all --format json: exit {r.returncode}, parses",
            r.stdout + r.stderr)
    if fleet is None:
        return
    got = {(n["node"], n["target"]): n for n in fleet["nodes"]}
    want_keys = {(n, a) for n, addrs in NODES.items() for a in addrs}
    c.check(set(got) == want_keys, "every node at every address, once", sorted(got))
    c.check(fleet.get("counts") == {"failing": 0, "ok": 3, "not_probed": 0}, "counts: 3 ok",
            json.dumps(fleet.get("counts")))
    for (node, addr), f in sorted(got.items()):
        one = parsed(verify(fwc, van, addr, "-p", policy, "--node", node, "--ports", PORTS,
                            "--format", "json").stdout)
        if not c.check(one is not None, f"per-node run {node} {addr} parses"):
            continue
        head_f = {k: f.get(k) for k in HEAD_FIELDS}
        head_1 = {k: one.get(k) for k in HEAD_FIELDS}
        c.check(head_f == head_1, f"{node} {addr}: report fields as the per-node run's",
                f"fleet {head_f}\nnode  {head_1}")
        c.check(rows(f) == rows(one), f"{node} {addr}: every port as the per-node run judges it",
                f"fleet {rows(f)}\nnode  {rows(one)}")
        judged = [(t["test"].split(" ", 1)[-1], t["verdict"]) for t in f.get("tests", [])]
        c.check(judged == [(name, "ok") for name in TESTS[node]], f"{node} {addr}: its policy tests hold",
                json.dumps(f.get("tests")))
        opened = {p for (p, proto), v in rows(f).items() if v["state"] == "open"}
        c.check(opened == OPEN[node], f"{node} {addr}: open {sorted(opened)}", f"want {sorted(OPEN[node])}")


def check_role_and_formats(fwc, van, policy, c):
    r = verify(fwc, van, "--all", "-p", policy, "--role", "web", "--ports", PORTS, "--format", "json")
    j = parsed(r.stdout)
    names = sorted({n["node"] for n in j["nodes"]}) if j else None
    c.check(r.returncode == 0 and names == ["web1", "web2"], f"--role web: nodes {names}", r.stderr)
    r = verify(fwc, van, "--all", "-p", policy, "--ports", PORTS, "--format", "junit")
    try:
        root = ET.fromstring(r.stdout)
        suites = root.findall("testsuite")
        node_at = {a: n for n, addrs in NODES.items() for a in addrs}
        # A test case per probed port and one per policy test of the node.
        ok = root.tag == "testsuites" and len(suites) == 5 and all(
            len(s.findall("testcase")) == len(LISTEN) + len(TESTS[node_at[s.get("name").split()[-1]]])
            for s in suites)
    except ET.ParseError as e:
        ok, suites = False, str(e)
    c.check(r.returncode == 0 and ok, "--format junit: one testsuite per target, parses", r.stdout[:2000])
    r = verify(fwc, van, "--all", "-p", policy, "--ports", PORTS)
    c.check(r.returncode == 0 and r.stdout.rstrip().endswith("3 nodes: 3 ok, 0 failing")
            and r.stdout.count("== node ") == 5, "text: a section per target, the summary line",
            r.stdout + r.stderr)
    r = verify(fwc, van, "--all", "-p", policy, "--ports", PORTS, "--connect", "--format", "json")
    j = parsed(r.stdout)
    opened = {n["node"]: {p["port"] for p in n["ports"] if p["state"] == "open"} for n in j["nodes"]} if j else {}
    c.check(r.returncode == 0 and opened == OPEN, "--connect: the same ports open", r.stdout + r.stderr)


def check_usage(fwc, van, policy, c):
    for args, what in ((["--all"], "--all without -p"),
                       (["--all", "-p", policy, NODES["db1"][0]], "--all with a target"),
                       (["--all", "-p", policy, "--node", "db1"], "--all with --node"),
                       (["--all", "-p", policy, "--role", "nosuch"], "--all with an unknown role")):
        r = verify(fwc, van, *args)
        c.check(r.returncode == 2 and r.stdout == "" and r.stderr.strip() != "",
                f"{what}: exit 2 ({r.returncode})", r.stderr)


def check_exposed(fwc, van, nodes, policy, c):
    netlab.run(["nft", "insert", "rule", "inet", "fwc", "input", "tcp", "dport", "9100", "accept"],
               ns=nodes["web2"])
    r = verify(fwc, van, "--all", "-p", policy, "--ports", PORTS)
    out = r.stdout.rstrip().splitlines()
    c.check(r.returncode == 1 and "3 nodes: 2 ok, 1 failing" in out and "failing: web2" in out,
            f"a port opened by hand on web2: exit {r.returncode}, web2 named", r.stdout + r.stderr)
    r = verify(fwc, van, "--all", "-p", policy, "--ports", PORTS, "--format", "json")
    j = parsed(r.stdout) or {"nodes": []}
    bad = sorted((n["node"], p["port"]) for n in j["nodes"] for p in n["ports"] if p["verdict"] == "failure")
    c.check(r.returncode == 1 and bad == [("web2", 9100), ("web2", 9100)],
            "JSON: 9100/tcp fails on web2 at both addresses, nowhere else", json.dumps(bad))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", default=os.path.join(REPO, "build", "fwc"))
    args = ap.parse_args()
    netlab.require_root()
    netlab.require_tools(["nft"])
    fwc = os.path.abspath(args.fwc)
    c = Checks()
    try:
        with tempfile.TemporaryDirectory(prefix="fwc-fleet-") as tmp:
            os.chmod(tmp, 0o755)   # the scan runs as nobody after reading the policy
            policy = os.path.join(tmp, "fleet.yaml")
            with open(policy, "w") as f:
                f.write(POLICY)
            try:
                van, nodes = build_lab(tmp)
                for name, ns in nodes.items():
                    apply_policy(fwc, ns, policy, name, tmp)
                check_agreement(fwc, van, policy, c)
                check_role_and_formats(fwc, van, policy, c)
                check_usage(fwc, van, policy, c)
                check_exposed(fwc, van, nodes, policy, c)
            finally:
                netlab.cleanup()
    except netlab.LabError as e:
        print(f"FAIL: {e}")
        c.failed += 1
    except KeyboardInterrupt:
        print("interrupted")
        return 130
    return c.summary()


if __name__ == "__main__":
    netlab.exit_with(main)
