#!/usr/bin/python3
"""Agreement of `fwc verify` with nmap on one target, port by port.

The target netns runs a hand-written nftables ruleset mixing every way a
port can answer: accepted with a listener (open), accepted without one and
`reject with tcp reset` (closed), plain `reject` and ICMP admin-prohibited /
host-unreachable rejects (filtered), and drop (filtered, or open|filtered for
UDP).  From the vantage netns, on the IPv4 and the IPv6 target address:

  TCP: fwc verify T --ports all     vs  nmap -sS -Pn -n -p- -T4
       every one of the 65,535 ports must have the same state;
  UDP: fwc verify T --ports L --udp vs  nmap -sU -Pn -n -p L -T4
       on the ruleset's UDP ports (L below).

Then, with policies/remoteingress-edge.yaml applied by `fwc apply` (its
test copy from verify_policies.py) and a listener on 53/udp only: the UDP
ports `fwc verify -p POLICY --udp` probes (the policy's ports and the
sample) against `nmap -sU` on exactly those ports.

Why this target accepts by default: against a default-drop target, nmap's
full sweep waits out retransmissions for 65k silent ports and takes about
90 s; here most ports answer with a reset, so it finishes in about 10 s while
all four states (and nmap's retransmission of silent ports: 100 dropped ports)
are still exercised.  nmap runs with its own -T4 timing; no --max-retries or
--host-timeout that could change what it reports.  bench/verify_bench.sh
times the default-drop case.

Addresses: netlab's target addresses and vantage sources in
198.51.100.0/24 / 2001:db8::/32 only; probes stay inside the lab.

usage: nmap_agreement.py [--fwc PATH] [--no-ipv6]
Exit: 0 agreed, 1 any disagreement or error, 77 skipped (not root, or nmap
missing, and CI is not "true").
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

import netlab
import verify_policies

REPO = os.path.normpath(os.path.join(netlab.HERE, "..", ".."))
SOURCES = ["198.51.100.10", "2001:db8:1::10"]

RULESET = """
table inet fwc_agree {
  chain input {
    type filter hook input priority 0; policy accept;
    ct state established,related accept
    iif lo accept
    meta l4proto { icmp, ipv6-icmp } accept
    tcp dport { 1000-1099, 8081 } drop
    tcp dport 2000-2049 reject
    tcp dport 2050-2059 reject with icmpx type admin-prohibited
    tcp dport 2060-2069 reject with icmpx type host-unreachable
    tcp dport 3000-3009 reject with tcp reset
    udp dport { 4500, 51820 } drop
    udp dport 500 reject with icmpx type admin-prohibited
    udp dport 514 reject with icmpx type host-unreachable
    udp dport 9901 reject
  }
}
"""
# 8081 and 3001 listen but the ruleset drops / resets them; 51820/udp
# listens but is dropped.
LISTEN = [(22, "tcp"), (80, "tcp"), (8080, "tcp"), (8081, "tcp"), (3001, "tcp"),
          (53, "udp"), (123, "udp"), (51820, "udp"), (5353, "udp")]
UDP_PORTS = "53,123,161,500,514,4500,5353,9901,51820"
# What the UDP ports must show (both tools): the test's own expectation.
UDP_WANT = {53: "open", 123: "open", 5353: "open", 161: "closed", 9901: "closed",
            500: "filtered", 514: "filtered", 4500: "open|filtered", 51820: "open|filtered"}


def expand(ranges):
    """'1-21,23,80-81' -> [1..21, 23, 80, 81]"""
    out = []
    for item in ranges.split(","):
        lo, _, hi = item.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def nmap_states(xml_text, proto):
    """{port: state} from nmap -oX, including the ports folded into
    <extraports> (nmap lists their ranges in extrareasons/@ports)."""
    root = ET.fromstring(xml_text)
    host = root.find("host")
    if host is None:
        raise netlab.LabError("nmap reported no host")
    states = {}
    for port in host.iter("port"):
        if port.get("protocol") == proto:
            states[int(port.get("portid"))] = port.find("state").get("state")
    for extra in host.iter("extraports"):
        for why in extra.iter("extrareasons"):
            if why.get("proto", proto) != proto or not why.get("ports"):
                raise netlab.LabError(f"nmap extraports without a port list: {ET.tostring(extra)!r}")
            for p in expand(why.get("ports")):
                states[p] = extra.get("state")
    return states


def fwc_states(out, proto):
    j = json.loads(out)
    return {p["port"]: p["state"] for p in j["ports"] if p["proto"] == proto}, j


def run_in(lab, cmd, timeout):
    t0 = time.monotonic()
    r = subprocess.run(["ip", "netns", "exec", lab.vantage, *cmd], capture_output=True,
                       text=True, timeout=timeout)
    if r.returncode != 0:
        raise netlab.LabError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout, time.monotonic() - t0


def compare(name, ours, theirs, ports, want=None):
    """Print a verdict line; return True when the two maps agree on ports."""
    diff = [(p, ours.get(p), theirs.get(p)) for p in ports if ours.get(p) != theirs.get(p)]
    wrong = [(p, ours.get(p), s) for p, s in (want or {}).items() if ours.get(p) != s]
    counts = {}
    for p in ports:
        counts[ours.get(p)] = counts.get(ours.get(p), 0) + 1
    if diff or wrong:
        print(f"FAIL  {name}: {len(diff)} of {len(ports)} ports differ")
        for p, a, b in diff[:30]:
            print(f"      {p}: fwc {a}, nmap {b}")
        for p, a, s in wrong:
            print(f"      {p}: fwc {a}, expected {s}")
        return False
    print(f"ok    {name}: {len(ports)} ports identical {dict(sorted(counts.items(), key=str))}")
    return True


def agree(args, lab, target, v6):
    fam = ["-6"] if v6 else []
    tag = "IPv6" if v6 else "IPv4"
    ok = True
    out, t_fwc = run_in(lab, [args.fwc, "verify", target, "--ports", "all", "--rate", str(args.rate),
                              "--format", "json"], 300)
    ours, j = fwc_states(out, "tcp")
    xml, t_nmap = run_in(lab, ["nmap", *fam, "-sS", "-Pn", "-n", "-p-", "-T4", "-oX", "-", target], 600)
    ok &= compare(f"{tag} TCP, all ports (fwc {t_fwc:.1f} s, nmap {t_nmap:.1f} s)", ours,
                  nmap_states(xml, "tcp"), range(1, 65536))
    # The ruleset's own design, so that agreement is not two tools equally blind.
    must = {22: "open", 80: "open", 8080: "open", 8081: "filtered", 3001: "closed", 1050: "filtered",
            2000: "filtered", 2055: "filtered", 2065: "filtered", 3005: "closed", 443: "closed"}
    ok &= compare(f"{tag} TCP, expected states", ours, must, must)

    out, t_fwc = run_in(lab, [args.fwc, "verify", target, "--ports", UDP_PORTS, "--udp",
                              "--format", "json"], 120)
    ours, _ = fwc_states(out, "udp")
    xml, t_nmap = run_in(lab, ["nmap", *fam, "-sU", "-Pn", "-n", "-p", UDP_PORTS, "-T4", "-oX", "-",
                               target], 300)
    ok &= compare(f"{tag} UDP, ports {UDP_PORTS} (fwc {t_fwc:.1f} s, nmap {t_nmap:.1f} s)", ours,
                  nmap_states(xml, "udp"), expand(UDP_PORTS), UDP_WANT)
    return ok


def agree_policy(args, tmp):
    """UDP on a policy's ports: fwc's port list, handed to nmap -sU."""
    policy = verify_policies.test_copy("remoteingress-edge.yaml", tmp)
    with netlab.NetLab([verify_policies.INTERNET4]) as lab:
        netlab.run([args.fwc, "apply", policy], ns=lab.target)
        lab.start_listener([(53, "udp")])
        out, t_fwc = run_in(lab, [args.fwc, "verify", netlab.TARGET4, "-p", policy, "--udp", "--format", "json"],
                            120)
        ours, j = fwc_states(out, "udp")
        ports = sorted(ours)
        xml, t_nmap = run_in(lab, ["nmap", "-sU", "-Pn", "-n", "-p", ",".join(map(str, ports)), "-T4", "-oX", "-",
                                   netlab.TARGET4], 300)
        return compare(f"IPv4 UDP, the {len(ports)} ports fwc verify probes for remoteingress-edge.yaml "
                       f"(fwc {t_fwc:.1f} s, nmap {t_nmap:.1f} s)", ours, nmap_states(xml, "udp"), ports,
                       {53: "open", 51820: "closed", 123: "open|filtered"})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", default=os.path.join(REPO, "build", "fwc"))
    ap.add_argument("--rate", type=int, default=100000, help="fwc --rate for the full sweep")
    ap.add_argument("--no-ipv6", action="store_true")
    args = ap.parse_args()
    args.fwc = os.path.abspath(args.fwc)
    netlab.require_root()
    if not shutil.which("nmap"):
        if os.environ.get("CI") == "true":
            print("FAIL: nmap is not installed (scripts/setup.sh installs it); CI=true, so not skipped")
            return 1
        print("SKIP: nmap is not installed (scripts/setup.sh installs it)")
        return 77
    ok = True
    try:
        with tempfile.TemporaryDirectory(prefix="fwc-nmap-") as tmp:
            nft = os.path.join(tmp, "ruleset.nft")
            with open(nft, "w") as f:
                f.write(RULESET)
            with netlab.NetLab(SOURCES) as lab:
                lab.load_nft(nft)
                lab.start_listener(LISTEN)
                ok &= agree(args, lab, netlab.TARGET4, False)
                if not args.no_ipv6:
                    ok &= agree(args, lab, netlab.TARGET6, True)
            ok &= agree_policy(args, tmp)
    except (netlab.LabError, subprocess.TimeoutExpired, ValueError, ET.ParseError) as e:
        print(f"FAIL: {e}")
        ok = False
    except KeyboardInterrupt:
        print("interrupted")
        return 130
    print("nmap agreement: " + ("all identical" if ok else "DISAGREEMENT"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
