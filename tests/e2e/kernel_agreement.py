#!/usr/bin/python3
"""Kernel agreement: does the compiled nftables ruleset, loaded into a real
kernel, treat traffic the way `fwc explain` says the policy does?

Compiles POLICY to nftables, loads it into a target netns that listens on
every probed port, probes each (source, port/proto) from a vantage netns and
compares accept/reject/drop with `fwc explain --format json`.

Exit: 0 all agree, 1 any mismatch or failure, 77 skipped (not root and CI is
not "true").  The last line is "N passed, M failed" (counting probes) whenever
the probes ran.
"""

import argparse
import ipaddress
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import netlab

REPO = os.path.normpath(os.path.join(netlab.HERE, "..", ".."))
PORTS = [f"{p}/{proto}" for proto in ("tcp", "udp")
         for p in (22, 53, 80, 443, 3000, 4000, 4443, 4646, 4647, 4648,
                   7000, 8080, 8443, 9090, 9901, 51820)] + ["1234/tcp", "5555/udp"]
SOURCES = ["203.0.113.10", "203.0.113.20", "203.0.113.50", "203.0.113.77",
           "198.51.100.10", "198.51.100.11", "198.51.100.99",
           "2001:db8:1::10", "2001:db8:bad::5"]


def port_list(text):
    out = []
    for spec in text.split(","):
        port, _, proto = spec.strip().partition("/")
        if not port.isdigit() or not 1 <= int(port) <= 65535 or proto not in ("tcp", "udp"):
            raise argparse.ArgumentTypeError(f"bad port spec {spec!r} (want N/tcp or N/udp)")
        out.append((int(port), proto))
    return out


def source_list(text):
    out = []
    for a in filter(None, (x.strip() for x in text.split(","))):
        try:
            addr = str(ipaddress.ip_address(a))
        except ValueError:
            raise argparse.ArgumentTypeError(f"bad source address {a!r}") from None
        if addr in (netlab.TARGET4, netlab.TARGET6):
            raise argparse.ArgumentTypeError(f"{addr} is the target's own address")
        out.append(addr)
    return out


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("policy")
    ap.add_argument("--fwc", default=os.path.join(REPO, "build", "fwc"))
    sel = ap.add_mutually_exclusive_group()
    sel.add_argument("--node")
    sel.add_argument("--role")
    ap.add_argument("--ports", type=port_list, default=port_list(",".join(PORTS)),
                    help="comma list of N/tcp, N/udp (default: ports of the example policies)")
    ap.add_argument("--sources", type=source_list, default=SOURCES,
                    help="comma list of vantage source addresses")
    ap.add_argument("--timeout", type=float, default=1.5, help="probe timeout, seconds")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every probe")
    return ap.parse_args()


def selection(args):
    return ["--node", args.node] if args.node else ["--role", args.role] if args.role else []


def compile_policy(args, out):
    cmd = [args.fwc, "compile", args.policy, "-t", "nftables", *selection(args), "-o", out]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        raise netlab.LabError(f"cannot run {args.fwc}: {e.strerror}") from None
    if r.returncode != 0:
        raise netlab.LabError(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stderr.strip()}")


def verdict_of(j):
    """(verdict, rule description, metered?) from one explain JSON answer."""
    rule = f"{j.get('stage', '?')}: {j.get('rule', '-')}"
    if j.get("location"):
        rule += f" at {j['location']}"
    return j["verdict"], rule, bool(j.get("rate_limited") or j.get("meters"))


def explain_all(args, probes):
    """fwc's verdicts for every probe (src, port, proto), from one
    `fwc explain --batch` process: the policy is compiled once."""
    cmd = [args.fwc, "explain", args.policy, "--batch", *selection(args), "--format", "json"]
    lines = "".join(f"{src} {port}/{proto}\n" for src, port, proto in probes)
    try:
        r = subprocess.run(cmd, input=lines, capture_output=True, text=True)
    except OSError as e:
        return [("error", f"cannot run {args.fwc}: {e.strerror}", False)] * len(probes)
    answers = r.stdout.splitlines()
    if r.returncode != 0 or len(answers) != len(probes):
        msg = (r.stderr.strip() or f"{len(answers)} answers for {len(probes)} probes").splitlines()
        return [("error", f"explain --batch exit {r.returncode}: {msg[0]}", False)] * len(probes)
    out = []
    for a in answers:
        try:
            out.append(verdict_of(json.loads(a)))
        except (ValueError, KeyError, TypeError, AttributeError):
            out.append(("error", f"explain --batch answered {a[:80]!r}", False))
    return out


def explain(args, src, port, proto):
    """fwc's verdict: (verdict, rule description, metered?)."""
    cmd = [args.fwc, "explain", args.policy, "--from", src, "--port", f"{port}/{proto}",
           *selection(args), "--format", "json"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        return "error", f"cannot run {args.fwc}: {e.strerror}", False
    try:
        return verdict_of(json.loads(r.stdout))
    except (ValueError, KeyError, TypeError, AttributeError):
        msg = (r.stderr.strip() or r.stdout.strip()).splitlines()
        return "error", f"explain exit {r.returncode}: {msg[0] if msg else ''}", False


def status(row):
    """ok, !! (mismatch) or ~ (a rate meter limited our burst of probes: explain
    gives the verdict of a connection under the rate, so that is no mismatch)."""
    want, metered, got = row[3], row[5], row[6]
    if want == got:
        return "ok"
    return "~" if metered and want == "accept" and got in ("drop", "reject") else "!!"


def report(rows, verbose):
    """rows: (src, port, proto, expected, rule, metered, observed, detail).
    Prints the mismatches (every row when verbose); returns (passed, failed)."""
    marks = [status(r) for r in rows]
    shown = [(m, r) for m, r in zip(marks, rows) if verbose or m != "ok"]
    fmt = "{:<3} {:<18} {:<11} {:<8} {:<8} {:<22} {}"
    if shown:
        print(fmt.format("", "source", "port", "fwc", "kernel", "kernel detail", "fwc rule"))
    for mark, (src, port, proto, want, rule, _, got, detail) in shown:
        print(fmt.format(mark, src, f"{port}/{proto}", want, got, detail, rule))
    if "~" in marks:
        print(f"note: {marks.count('~')} metered probe(s) (~) were limited by a rate "
              "meter; not counted as failures")
    return len(rows) - marks.count("!!"), marks.count("!!")


def main():
    args = parse_args()
    netlab.require_root()
    probes = [(s, port, proto) for s in args.sources for port, proto in args.ports]
    t0 = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 4))
    try:
        with tempfile.TemporaryDirectory(prefix="fwc-e2e-") as tmp:
            nft = os.path.join(tmp, "policy.nft")
            compile_policy(args, nft)
            # explain runs while the lab is built and probed
            expected = pool.submit(explain_all, args, probes)
            with netlab.NetLab(args.sources) as lab:
                lab.load_nft(nft)
                lab.start_listener(args.ports)
                observed = lab.probe(probes, args.timeout)
            expected = expected.result()
    except netlab.LabError as e:
        print(f"FAIL: {e}")
        return 1
    except KeyboardInterrupt:
        print("interrupted")
        return 130
    finally:
        pool.shutdown(cancel_futures=True)
    rows = [p + e + o for p, e, o in zip(probes, expected, observed)]
    where = f" ({' '.join(selection(args))})" if selection(args) else ""
    print(f"kernel agreement: {args.policy}{where}: {len(probes)} probes, "
          f"{time.monotonic() - t0:.1f} s")
    passed, failed = report(rows, args.verbose)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
