#!/usr/bin/python3
"""ufw agreement: does the ufw script fwc compiles, run by ufw itself, treat
traffic the way `fwc explain` says the policy does?

Compiles the policy to a ufw script and runs it in the target netns of a
two-namespace lab (tests/e2e/netlab.py) with scratch copies of ufw's
configuration mounted over the real ones (check_ufw.py): its closing
`ufw --force enable` loads the rules into that netns only.  Then every
(source, port/proto) is probed from the vantage netns and compared with
`fwc explain --format json`, as kernel_agreement.py does for nftables.
Probes are single connections and TCP/UDP only, so what ufw approximates
(rate meters, log prefixes, ICMP) does not change the expected verdicts.

usage: ufw_agreement.py --fwc FWC POLICY [--node N | --role R]
       ufw_agreement.py --fwc FWC --all    (every example policy and focused
                                            case, each distinct ruleset once)
Exit: 0 all agree, 1 any mismatch or failure, 77 skipped (not root, or ufw
missing, and CI is not "true").  The last line is "N passed, M failed"
(counting probes).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import check_ufw
import kernel_agreement
import netlab

ROOT = Path(netlab.HERE).parents[1]
# Ports of the focused golden cases beyond kernel_agreement's list.
EXTRA_PORTS = ["8000/tcp", "8050/tcp", "9000/tcp", "9000/udp", "123/udp"]
# Sources inside the example networks beyond kernel_agreement's list: a
# cluster member (10.0.0.0/24, fd00:fc::/64), the monitoring host, a customer.
EXTRA_SOURCES = ["10.0.0.5", "fd00:fc::5", "192.0.2.40", "2001:db8:c::1"]


def compile_ufw(fwc, policy, sel_args, out):
    cmd = [fwc, "compile", str(policy), "-t", "ufw", *sel_args, "-o", out]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        raise netlab.LabError(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stderr.strip()}")


def rulesets(fwc, policy, tmp):
    """(selection args, label) per distinct ufw ruleset of the policy."""
    outdir = tempfile.mkdtemp(dir=tmp)
    compile_ufw(fwc, policy, [], outdir + "/")
    seen, out = set(), []
    for f in sorted(Path(outdir).glob("*.ufw.sh")):
        body = "\n".join(l for l in f.read_text().splitlines() if not l.startswith("#"))
        if body in seen:
            continue
        seen.add(body)
        parts = f.name[:-len(".ufw.sh")].split(".", 1)
        if len(parts) == 1:
            out.append(([], "all nodes"))
        elif parts[1].startswith("role-"):
            out.append((["--role", parts[1][5:]], f"role {parts[1][5:]}"))
        else:
            out.append((["--node", parts[1]], f"node {parts[1]}"))
    return out


def agree(fwc, policy, sel_args, ports, sources, timeout, verbose):
    """Probes one ruleset; returns (passed, failed)."""
    policy = ROOT / policy  # unchanged when absolute
    ns_args = argparse.Namespace(fwc=fwc, policy=str(policy), node=None, role=None)
    if sel_args:
        setattr(ns_args, sel_args[0][2:], sel_args[1])
    probes = [(s, port, proto) for s in sources for port, proto in ports]
    pool = ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 4))
    t0 = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="fwc-ufw-agree-") as tmp:
            script = os.path.join(tmp, "policy.ufw.sh")
            compile_ufw(fwc, policy, sel_args, script)
            expected = pool.submit(kernel_agreement.explain_all, ns_args, probes)
            scratch = check_ufw.make_scratch(tmp)
            with netlab.NetLab(sources) as lab:
                r = check_ufw.in_scratch(lab.target, scratch, ["sh", script])
                if r.returncode != 0:
                    tail = (r.stderr.strip() or r.stdout.strip()).splitlines()[-5:]
                    raise netlab.LabError("the ufw script failed: " + " / ".join(tail))
                lab.start_listener(ports)
                observed = lab.probe(probes, timeout)
            expected = expected.result()
    finally:
        pool.shutdown(cancel_futures=True)
    rows = [p + e + o for p, e, o in zip(probes, expected, observed)]
    print(f"ufw agreement: {policy}{' (' + ' '.join(sel_args) + ')' if sel_args else ''}: "
          f"{len(probes)} probes, {time.monotonic() - t0:.1f} s", flush=True)
    return kernel_agreement.report(rows, verbose)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("policy", nargs="?")
    ap.add_argument("--fwc", default=str(ROOT / "build" / "fwc"))
    ap.add_argument("--all", action="store_true", help="every example policy and focused case")
    sel = ap.add_mutually_exclusive_group()
    sel.add_argument("--node")
    sel.add_argument("--role")
    ap.add_argument("--timeout", type=float, default=1.5, help="probe timeout, seconds")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every probe")
    args = ap.parse_args()
    if bool(args.all) == bool(args.policy):
        ap.error("give a POLICY or --all")
    fwc = os.path.abspath(args.fwc)
    netlab.require_root()
    check_ufw.require_ufw()
    ports = kernel_agreement.port_list(",".join(kernel_agreement.PORTS + EXTRA_PORTS))
    sources = kernel_agreement.SOURCES + EXTRA_SOURCES
    passed = failed = 0
    failed_runs = []
    try:
        if args.all:
            policies = sorted((ROOT / "policies").glob("*.yaml")) + sorted((ROOT / "tests/golden/cases").glob("*.yaml"))
            jobs = []
            with tempfile.TemporaryDirectory(prefix="fwc-ufw-agree-") as tmp:
                for p in policies:
                    rel = p.relative_to(ROOT)
                    jobs += [(rel, sel_args, label) for sel_args, label in rulesets(fwc, rel, tmp)]
        else:
            sel_args = ["--node", args.node] if args.node else ["--role", args.role] if args.role else []
            jobs = [(Path(os.path.abspath(args.policy)), sel_args, "")]
        for policy, sel_args, label in jobs:
            if label:
                print(f"== {policy} ({label})", flush=True)
            try:
                p, f = agree(fwc, policy, sel_args, ports, sources, args.timeout, args.verbose)
            except netlab.LabError as e:
                print(f"FAIL: {e}")
                failed_runs.append(f"{policy} {' '.join(sel_args)}")
                continue
            passed += p
            failed += f
            if f:
                failed_runs.append(f"{policy} {' '.join(sel_args)}")
    except netlab.LabError as e:
        print(f"FAIL: {e}")
        return 1
    except KeyboardInterrupt:
        print("interrupted")
        return 130
    for r in failed_runs:
        print(f"FAIL {r}")
    if args.all:
        print(f"{len(jobs)} rulesets probed")
    print(f"{passed} passed, {failed + (len(failed_runs) if not failed else 0)} failed")
    return 1 if failed_runs else 0


if __name__ == "__main__":
    sys.exit(main())
