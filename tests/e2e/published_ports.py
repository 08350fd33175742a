#!/usr/bin/python3
"""Published container ports under the policy, against a real kernel.

Three namespaces: `vantage` (two sources), `host` (Docker's and kube-proxy's
rules, loaded with iptables-nft-restore exactly as they write them: DNAT of
3000 and 8080 to a container, a NodePort 30080 to a pod, FORWARD policy DROP
with the DOCKER chains accepting the published ports) and `container` (the
container and pod addresses on a private network inside the lab, listeners
on their ports).

Without fwc every published port is open to both sources (the baseline the
policy must change). Then, for the nftables target (`fwc apply`) and the
iptables target (`ipset restore` + `iptables-restore --noflush` of `fwc
compile -t iptables`), each port and source is probed and compared with
`fwc explain --published`: 3000 allowed from any, source B blocked, 8080
not allowed, 30080 allowed from source A only.

usage: published_ports.py --fwc FWC
"""
import argparse
import json
import os
import tempfile

import netlab

SRC_A, SRC_B = "198.51.100.10", "198.51.100.11"
HOST = "198.51.100.1"
CONTAINER, POD, BRIDGE = "172.18.0.2", "172.18.0.3", "172.18.0.1"
PORTS = [3000, 8080, 30080]

POLICY = f"""fwc: 1
name: published-e2e
defaults: {{inbound: drop}}
block:
  - from: {SRC_B}
inbound:
  - allow: [22/tcp, 3000/tcp]
    from: any
  - allow: 30080/tcp
    from: {SRC_A}
"""

# Docker's rules for `docker run -p 3000:3000 -p 8080:80` on a bridge (here
# the veth `hc`), and kube-proxy's for a NodePort 30080 to a pod, as
# iptables-save prints them.
DOCKER_AND_KUBE = f"""*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-EXT-TEST - [0:0]
:KUBE-SEP-TEST - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-POSTROUTING - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A POSTROUTING -s 172.18.0.0/24 ! -o hc -j MASQUERADE
-A DOCKER -i hc -j RETURN
-A DOCKER ! -i hc -p tcp -m tcp --dport 3000 -j DNAT --to-destination {CONTAINER}:3000
-A DOCKER ! -i hc -p tcp -m tcp --dport 8080 -j DNAT --to-destination {CONTAINER}:80
-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-NODEPORTS -p tcp -m tcp --dport 30080 -j KUBE-EXT-TEST
-A KUBE-EXT-TEST -j KUBE-MARK-MASQ
-A KUBE-EXT-TEST -j KUBE-SEP-TEST
-A KUBE-SEP-TEST -p tcp -m tcp -j DNAT --to-destination {POD}:8080
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
-A KUBE-POSTROUTING -j MASQUERADE
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-ISOLATION-STAGE-2 - [0:0]
:DOCKER-USER - [0:0]
:KUBE-FORWARD - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A FORWARD -o hc -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o hc -j DOCKER
-A FORWARD -i hc ! -o hc -j ACCEPT
-A FORWARD -i hc -o hc -j ACCEPT
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A DOCKER -d {CONTAINER}/32 ! -i hc -o hc -p tcp -m tcp --dport 3000 -j ACCEPT
-A DOCKER -d {CONTAINER}/32 ! -i hc -o hc -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i hc ! -o hc -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o hc -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
"""

# Connects from each "SRC PORT" argument to HOST; prints "SRC PORT open|closed".
PROBE = r"""
import socket, sys
from concurrent.futures import ThreadPoolExecutor
def one(job):
    src, port = job.split()
    s = socket.socket(); s.settimeout(1.5); s.bind((src, 0))
    try:
        s.connect((sys.argv[1], int(port))); return f"{src} {port} open"
    except OSError:
        return f"{src} {port} closed"
    finally:
        s.close()
with ThreadPoolExecutor(16) as pool:
    for line in pool.map(one, sys.argv[2:]): print(line)
"""


def build_lab():
    """vantage <-> host on 198.51.100.0/24; host <-> container on 172.18.0.0/24."""
    van, host, ctr = netlab.new_netns("van"), netlab.new_netns("host"), netlab.new_netns("ctr")
    netlab.run(["ip", "-n", host, "link", "add", "hv", "type", "veth", "peer", "name", "vv", "netns", van])
    netlab.run(["ip", "-n", host, "link", "add", "hc", "type", "veth", "peer", "name", "cc", "netns", ctr])
    for ns, dev, addrs in ((host, "hv", [HOST]), (van, "vv", [SRC_A, SRC_B]),
                           (host, "hc", [BRIDGE]), (ctr, "cc", [CONTAINER, POD])):
        for a in addrs:
            netlab.run(["ip", "-n", ns, "addr", "add", a + "/24", "dev", dev])
        netlab.run(["ip", "-n", ns, "link", "set", dev, "up"])
    netlab.run(["ip", "-n", ctr, "route", "add", "default", "via", BRIDGE])
    netlab.run(["sysctl", "-qw", "net.ipv4.ip_forward=1"], ns=host)
    return van, host, ctr


def probe(van):
    jobs = [f"{src} {port}" for src in (SRC_A, SRC_B) for port in PORTS]
    out = netlab.run([netlab.PYTHON, "-c", PROBE, HOST] + jobs, ns=van, timeout=30).stdout
    return {(w[0], int(w[1])): w[2] == "open" for w in (ln.split() for ln in out.splitlines())}


def explained(fwc, policy):
    """(src, port) -> True when `fwc explain --published` accepts."""
    out = {}
    for src in (SRC_A, SRC_B):
        for port in PORTS:
            r = netlab.run(fwc + ["explain", policy, "--published", "--from", src, "--port", f"{port}/tcp",
                                  "--format", "json"])
            d = json.loads(r.stdout)
            if d.get("chain") != "published":
                raise netlab.LabError(f"explain --published names chain {d.get('chain')!r}: {r.stdout}")
            out[(src, port)] = d["verdict"] == "accept"
    return out


def load_iptables(fwc, policy, host, tmp):
    outdir = os.path.join(tmp, "ipt")
    os.makedirs(outdir)
    netlab.run(fwc + ["compile", policy, "-t", "iptables", "-o", outdir + "/"])
    files = {f.split(".", 1)[1]: os.path.join(outdir, f) for f in os.listdir(outdir)}
    for cmd, suffix in ((["ipset", "restore"], "ipset"), (["iptables-nft-restore", "--noflush"], "v4.rules"),
                        (["ip6tables-nft-restore", "--noflush"], "v6.rules")):
        with open(files[suffix]) as f:
            netlab.run(cmd, ns=host, input=f.read())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    args = ap.parse_args()
    netlab.require_root()
    netlab.require_tools(["iptables-nft-restore", "ip6tables-nft-restore", "ipset", "nft"])
    fwc = [os.path.abspath(args.fwc)]
    t = netlab.Tally()
    with tempfile.TemporaryDirectory(prefix="fwc-published-") as tmp:
        try:
            van, host, ctr = build_lab()
            policy = os.path.join(tmp, "policy.yaml")
            with open(policy, "w") as f:
                f.write(POLICY)
            netlab.run(["iptables-nft-restore"], ns=host, input=DOCKER_AND_KUBE)
            listener = netlab.start([netlab.PYTHON, os.path.join(netlab.HERE, "listener.py"),
                                     "--addr", f"{CONTAINER},{POD}", "--tcp", "3000,80,8080"], ctr)
            if listener.stdout.readline().strip() != "READY":
                raise netlab.LabError("listener did not start: " + listener.stderr.read())

            baseline = probe(van)
            t.expect(all(baseline.values()), "without fwc, every published port is open to both sources",
                     baseline)
            want = explained(fwc, policy)
            t.expect(want != baseline, "explain --published refuses some of them (the test can fail)", want)

            res = netlab.run(fwc + ["apply", policy, "--force", "--state-dir", os.path.join(tmp, "state")],
                             ns=host, check=False)
            if t.expect(res.returncode == 0, "fwc apply (nftables) loads the policy", res.stderr):
                got = probe(van)
                t.expect(got == want, "nftables: probes agree with explain --published",
                         f"probed {got}\nexplain {want}")
                res = netlab.run(fwc + ["diff", policy], ns=host, check=False)
                t.expect(res.returncode == 0, "fwc diff after apply reports no change", res.stdout + res.stderr)
            netlab.run(["nft", "delete", "table", "inet", "fwc"], ns=host, check=False)
            t.expect(probe(van) == baseline, "with fwc's table removed, the ports are open again")

            load_iptables(fwc, policy, host, tmp)
            got = probe(van)
            t.expect(got == want, "iptables: probes agree with explain --published",
                     f"probed {got}\nexplain {want}")
        finally:
            netlab.cleanup()
    return t.summary()


if __name__ == "__main__":
    netlab.exit_with(main)
