#!/usr/bin/python3
"""End to end for `fwc verify`: a target netns enforcing a policy compiled to
nftables, with listeners on some ports, probed from a vantage netns at
different source addresses.  Checks every verdict against the policy, the
scanner report without a policy, the connect() fallback, that the scan runs
as nobody with no capabilities (read from /proc while it runs), and that a port
opened by hand (`nft insert rule`) is reported as exposed with exit 1.

Probes go only to the lab target's own addresses (netlab.TARGET4/TARGET6),
inside the namespaces this test creates.

usage: verify_check.py [--fwc PATH] [--sweep]
Exit: 0 all passed, 1 any failure, 77 skipped (not root and CI is not
"true").  The last line is "N passed, M failed" (counting checks).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import netlab

REPO = os.path.normpath(os.path.join(netlab.HERE, "..", ".."))
POLICY = os.path.join(REPO, "policies", "quptime.yaml")
LISTEN = [(22, "tcp"), (80, "tcp"), (9901, "tcp"), (9999, "tcp")]
PORTS = "22,80,443,9901,9999"
# Vantage addresses and what quptime.yaml lets each of them reach.
VANTAGES = {
    "198.51.100.10": {22: "filtered", 80: "filtered", 443: "filtered", 9901: "open", 9999: "filtered"},
    "203.0.113.10": {22: "open", 80: "filtered", 443: "filtered", 9901: "filtered", 9999: "filtered"},
    "192.0.2.77": {22: "filtered", 80: "filtered", 443: "filtered", 9901: "filtered", 9999: "filtered"},
    "2001:db8:1::10": {22: "filtered", 80: "filtered", 443: "filtered", 9901: "filtered", 9999: "filtered"},
}


class Checks(netlab.Tally):
    detail_lines = 40


def use_source(lab, addr):
    """Make addr the vantage's only address, so the kernel picks it."""
    netlab.run(["ip", "-n", lab.vantage, "addr", "flush", "dev", "vv", "scope", "global"])
    if ":" in addr:
        netlab.run(["ip", "-n", lab.vantage, "-6", "addr", "add", addr + "/128", "dev", "vv", "nodad"])
    else:
        netlab.run(["ip", "-n", lab.vantage, "addr", "add", addr + "/32", "dev", "vv"])
    netlab.run(["ip", "-n", lab.vantage, "route", "replace", "default", "dev", "vv"])
    netlab.run(["ip", "-n", lab.vantage, "-6", "route", "replace", "default", "dev", "vv"])


def verify(fwc, lab, target, *args, timeout=120):
    cmd = ["ip", "netns", "exec", lab.vantage, fwc, "verify", target, *args]
    t0 = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return r, time.monotonic() - t0


def states(r):
    try:
        j = json.loads(r.stdout)
    except ValueError:
        return None, {}
    return j, {(p["port"], p["proto"]): p for p in j["ports"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", default=os.path.join(REPO, "build", "fwc"))
    ap.add_argument("--sweep", action="store_true",
                    help="also time a full 65,535-port sweep of a default-drop target")
    args = ap.parse_args()
    netlab.require_root()
    c = Checks()
    try:
        with tempfile.TemporaryDirectory(prefix="fwc-verify-") as tmp:
            nft = os.path.join(tmp, "policy.nft")
            r = subprocess.run([args.fwc, "compile", POLICY, "-t", "nftables", "-o", nft],
                               capture_output=True, text=True)
            if r.returncode != 0:
                print(f"FAIL: compile: {r.stderr.strip()}")
                return 1
            with netlab.NetLab(["192.0.2.77"]) as lab:
                lab.load_nft(nft)
                lab.start_listener(LISTEN)
                run_checks(args, lab, c)
    except netlab.LabError as e:
        print(f"FAIL: {e}")
        c.failed += 1
    except KeyboardInterrupt:
        print("interrupted")
        return 130
    return c.summary()


def run_checks(args, lab, c):
    fwc = args.fwc
    # Policy verdicts from each vantage, IPv4 and IPv6 targets.
    for src, want in VANTAGES.items():
        use_source(lab, src)
        target = netlab.TARGET6 if ":" in src else netlab.TARGET4
        r, secs = verify(fwc, lab, target, "-p", POLICY, "--ports", PORTS, "--format", "json")
        j, got = states(r)
        observed = {p: got.get((p, "tcp"), {}).get("state") for p in want}
        c.check(r.returncode == 0 and observed == want and j and j["source"] == src,
                f"verify {target} from {src}: exit {r.returncode}, {secs:.1f} s",
                f"want {want}\ngot  {observed}\n{r.stdout}{r.stderr}")
        if j:
            bad = [p for p in j["ports"] if p["verdict"] != "ok"]
            c.check(not bad, f"  every port as the policy says from {src}", json.dumps(bad))

    # The policy's own port list (default --ports policy), text output.
    use_source(lab, "203.0.113.10")
    r, secs = verify(fwc, lab, netlab.TARGET4, "-p", POLICY)
    c.check(r.returncode == 0 and "0 failures" in r.stdout,
            f"verify --ports policy (text): exit {r.returncode}, {secs:.1f} s", r.stdout + r.stderr)

    # Without a policy: a scanner report.
    r, _ = verify(fwc, lab, netlab.TARGET4, "--ports", PORTS, "--format", "json")
    j, got = states(r)
    c.check(r.returncode == 0 and got.get((22, "tcp"), {}).get("state") == "open"
            and got.get((22, "tcp"), {}).get("reason") == "syn-ack"
            and got.get((80, "tcp"), {}).get("state") == "filtered",
            "scanner report without a policy", r.stdout + r.stderr)

    # The unprivileged fallback says so and agrees on these ports.
    r, _ = verify(fwc, lab, netlab.TARGET4, "-p", POLICY, "--ports", PORTS, "--connect",
                  "--format", "json")
    j, got = states(r)
    observed = {p: got.get((p, "tcp"), {}).get("state") for p in VANTAGES["203.0.113.10"]}
    c.check(r.returncode == 0 and j and j["method"] == "connect() scan"
            and observed == VANTAGES["203.0.113.10"],
            "connect() fallback agrees", r.stdout + r.stderr)

    # UDP: the policy drops every UDP port for this vantage.
    r, _ = verify(fwc, lab, netlab.TARGET4, "-p", POLICY, "--ports", "53,123,9901", "--udp",
                  "--format", "json")
    j, got = states(r)
    c.check(r.returncode == 0 and got.get((53, "udp"), {}).get("state") == "open|filtered",
            "UDP probes of dropped ports: open|filtered, no failure", r.stdout + r.stderr)

    check_progress(fwc, lab, c)
    check_privileges(fwc, lab, c)
    check_privileges(fwc, lab, c, as_user=True)
    r, _ = verify(fwc, lab, netlab.TARGET4, "--ports", "22", "--user", "no-such-user-fwc")
    c.check(r.returncode == 3 and "no such user: no-such-user-fwc" in r.stderr and r.stdout == "",
            "an unknown --user stops before probing, exit 3", r.stdout + r.stderr)

    # A port opened by hand is exposed: exit 1, the port named, as JUnit too.
    netlab.run(["nft", "insert", "rule", "inet", "fwc", "input", "tcp", "dport", "9999", "accept"],
               ns=lab.target)
    r, _ = verify(fwc, lab, netlab.TARGET4, "-p", POLICY, "--ports", PORTS, "--format", "json")
    j, got = states(r)
    p = got.get((9999, "tcp"), {})
    c.check(r.returncode == 1 and p.get("state") == "open" and p.get("verdict") == "failure"
            and "exposed" in p.get("note", ""),
            f"hand-opened 9999/tcp reported exposed, exit {r.returncode}", r.stdout + r.stderr)
    r, _ = verify(fwc, lab, netlab.TARGET4, "-p", POLICY, "--ports", PORTS, "--format", "junit")
    c.check(r.returncode == 1 and 'failures="1"' in r.stdout and 'name="9999/tcp"><failure' in r.stdout,
            "JUnit output carries the failure", r.stdout)

    if args.sweep:
        # Default drop and four reachable ports: a full sweep.
        r, secs = verify(fwc, lab, netlab.TARGET4, "--ports", "all", "--rate", "1000000",
                         "--format", "json", timeout=300)
        j, got = states(r)
        open_ports = sorted(p for (p, _), v in got.items() if v["state"] == "open")
        others = {v["state"] for (p, _), v in got.items() if v["state"] != "open"}
        c.check(r.returncode == 0 and len(got) == 65535 and open_ports == [22, 9999]
                and others == {"filtered"},
                f"full 65,535-port sweep: {secs:.2f} s wall, {j and j['elapsed']:.2f} s scanning, "
                f"{j and j['sent']} probes",
                f"open {open_ports} others {others}\n{r.stderr}")


def check_progress(fwc, lab, c):
    """A progress line (\\r updates) on stderr when it is a terminal; nothing
    on stderr when it is not."""
    args = [netlab.TARGET4, "--ports", "1000-1300", "--rate", "500", "--retries", "0", "--format", "json"]
    master, slave = os.openpty()
    try:
        p = subprocess.Popen(["ip", "netns", "exec", lab.vantage, fwc, "verify", *args],
                             stdout=subprocess.PIPE, stderr=slave, text=True)
        os.close(slave)
        slave = -1
        try:
            out, _ = p.communicate(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        tty = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:   # EIO: the terminal's other end is closed
                break
            if not chunk:
                break
            tty += chunk
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
    updates = tty.count(b"\rprobing: ") + tty.count(b"\r\x1b[Kprobing: ")
    c.check(p.returncode == 0 and updates >= 2 and b"/301 ports" in tty and tty.endswith(b"\r\x1b[K"),
            f"progress line on a terminal: {updates} updates, cleared at the end", repr(tty[-300:]))
    r, _ = verify(fwc, lab, *args)
    c.check(r.returncode == 0 and r.stderr == "", "no progress line when stderr is not a terminal",
            repr(r.stderr[:300]))


def proc_status(pid):
    """{'Uid': [...], 'CapEff': '...', ...} of a running process, {} once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return {k: v.split() for k, _, v in (line.partition(":") for line in f)}
    except OSError:
        return {}


def check_privileges(fwc, lab, c, as_user=False):
    """During a slow scan (silent ports, 200 pps), fwc runs as nobody with no
    capabilities; it started as root (or, as_user, as nobody holding
    CAP_NET_RAW as an ambient capability, like a binary given it by setcap)
    to open the raw socket and the capture."""
    wrap = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=+net_raw",
            "--ambient-caps=+net_raw"] if as_user else []
    cmd = ["ip", "netns", "exec", lab.vantage, *wrap, fwc, "verify", netlab.TARGET4, "--ports", "1000-1300",
           "--rate", "200", "--retries", "0", "--format", "json"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    try:
        deadline = time.monotonic() + 10
        while p.poll() is None and time.monotonic() < deadline:
            st = proc_status(p.pid)
            if st.get("Name") == ["fwc"]:
                seen.append((tuple(st["Uid"]), tuple(st["Gid"]), st["CapEff"][0], st["CapPrm"][0]))
            time.sleep(0.05)
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    later = seen[len(seen) // 2:]   # well into the scan
    dropped = bool(later) and all(u == ("65534",) * 4 and g == ("65534",) * 4 and int(e, 16) == 0
                                  and int(m, 16) == 0 for u, g, e, m in later)
    try:
        j = json.loads(out)
    except ValueError:
        j = {}
    c.check(p.returncode == 0 and dropped and j.get("method") == "raw SYN scan"
            and j.get("privileges", "").startswith("uid 65534"),
            f"scanning as nobody with no capabilities, started as {'nobody+CAP_NET_RAW' if as_user else 'root'}"
            f" ({len(seen)} looks at /proc during the scan)",
            f"seen {seen[:3]} ... {seen[-3:]}\n{err}")


if __name__ == "__main__":
    sys.exit(main())
