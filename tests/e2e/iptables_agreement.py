#!/usr/bin/python3
"""Cross-backend agreement for iptables: does the compiled iptables + ipset
output, loaded into a real kernel, treat traffic the way `fwc explain` says
the policy does (and so the way the nftables output does)?

Compiles POLICY with `-t iptables`, loads the sets and both families' rules
into a target netns the way an operator would (`ipset restore`, then
`iptables-restore --noflush` / `ip6tables-restore --noflush`), loads them a
second time as a reload does and removes the extra jump as the files' header
says, checks that a foreign chain and rule loaded beforehand survived, then
probes each (source, port/proto) from a vantage netns and compares
accept/reject/drop with `fwc explain --format json` (kernel_agreement.py's
probes and comparison).

With --all, does that for every example policy and focused golden case, per
distinct node ruleset (as run_agreement.py does).

Exit: 0 all agree, 1 any mismatch or failure, 77 skipped (not root, or the
tools are missing, and CI is not "true").  The last line is
"N passed, M failed" (counting probes) whenever the probes ran.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import netlab
import kernel_agreement as ka

HERE = Path(netlab.HERE)
ROOT = HERE.parents[1]

# A rule of "another tool", loaded before fwc's files; it must survive them.
FOREIGN_CHAIN = "OTHER-TOOL"
FOREIGN_SOURCE = {4: "192.0.2.123", 6: "2001:db8:ffff:ff::123"}


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("policy", nargs="?")
    ap.add_argument("--all", action="store_true",
                    help="every policy in policies/ and tests/golden/cases/, each distinct node ruleset")
    ap.add_argument("--fwc", default=os.path.join(ka.REPO, "build", "fwc"))
    ap.add_argument("--variant", choices=("nft", "legacy"), default="nft",
                    help="iptables variant to load with (default nft, Debian's iptables)")
    sel = ap.add_mutually_exclusive_group()
    sel.add_argument("--node")
    sel.add_argument("--role")
    ap.add_argument("--ports", type=ka.port_list, default=None,
                    help="comma list of N/tcp, N/udp (default: ports of the example policies)")
    ap.add_argument("--sources", type=ka.source_list, default=ka.SOURCES,
                    help="comma list of vantage source addresses")
    ap.add_argument("--timeout", type=float, default=1.5, help="probe timeout, seconds")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every probe")
    args = ap.parse_args()
    if bool(args.policy) == args.all:
        ap.error("give a POLICY or --all")
    if args.all and (args.node or args.role):
        ap.error("--all probes every node; --node/--role go with one POLICY")
    return args


def tool(args, name):
    """The command of the chosen variant: "iptables-restore" → "iptables-nft-restore"."""
    family, verb = name.split("-", 1)
    cand = f"{family}-{args.variant}-{verb}"
    return cand if shutil.which(cand) else None


def require_tools(args):
    missing = [t for t in ("ipset",) if not shutil.which(t)]
    missing += [n for n in ("iptables-restore", "ip6tables-restore", "iptables-save", "ip6tables-save")
                if not tool(args, n)]
    if not missing:
        return
    msg = f"missing {', '.join(missing)} ({args.variant} variant)"
    if os.environ.get("CI") == "true":
        print(f"FAIL: {msg}; CI=true, so this is not skipped")
        sys.exit(1)
    print(f"SKIP: {msg}")
    sys.exit(77)


def compile_policy(args, outdir):
    """fwc compile -t iptables -o DIR/; returns {suffix: path}."""
    cmd = [args.fwc, "compile", args.policy, "-t", "iptables", *ka.selection(args), "-o", outdir + "/"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        raise netlab.LabError(f"cannot run {args.fwc}: {e.strerror}") from None
    if r.returncode != 0:
        raise netlab.LabError(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stderr.strip()}")
    files = {}
    for line in r.stdout.split():
        for suffix in ("ipset", "v4.rules", "v6.rules"):
            if line.endswith("." + suffix):
                files[suffix] = line
    if len(files) != 3:
        raise netlab.LabError(f"{' '.join(cmd)}: expected .ipset, .v4.rules and .v6.rules, got {r.stdout.split()}")
    return files


def restore(ns, cmd, path):
    with open(path) as f:
        netlab.run(cmd, ns=ns, input=f.read(), timeout=300)


def jumps(args, ns, family, hook):
    save = tool(args, "iptables-save" if family == 4 else "ip6tables-save")
    out = netlab.run([save, "-t", "filter"], ns=ns).stdout
    return out, sum(1 for l in out.splitlines() if l == f"-A {hook} -j FWC-{hook}")


def load(args, ns, files):
    """Load like an operator, twice (first load, then a reload), and check
    what the files promise: one jump per hook, other tools' rules intact."""
    restore_cmd = {4: [tool(args, "iptables-restore"), "--noflush"],
                   6: [tool(args, "ip6tables-restore"), "--noflush"]}
    for fam in (4, 6):
        netlab.run([restore_cmd[fam][0], "--noflush"], ns=ns, input=(
            f"*filter\n:{FOREIGN_CHAIN} - [0:0]\n-A INPUT -j {FOREIGN_CHAIN}\n"
            f"-A {FOREIGN_CHAIN} -s {FOREIGN_SOURCE[fam]} -j DROP\nCOMMIT\n"))
    hooks = {}
    for _ in ("load", "reload"):
        restore(ns, ["ipset", "restore"], files["ipset"])
        for fam, suffix in ((4, "v4.rules"), (6, "v6.rules")):
            restore(ns, restore_cmd[fam], files[suffix])
            text = Path(files[suffix]).read_text()
            # The filter table's hooks (a SYN proxy's raw PREROUTING jump is
            # advised with `-t raw` and not reloaded here).
            filter_part = text[text.index("*filter"):]
            filter_part = filter_part[:filter_part.index("\nCOMMIT")]
            hooks[fam] = re.findall(r"^-I (\w+) 1 -j FWC-\1$", filter_part, re.M)
    # The header's advice after a reload: delete the extra jump.
    for fam in (4, 6):
        cmd = "iptables" if fam == 4 else "ip6tables"
        header = Path(files["v4.rules" if fam == 4 else "v6.rules"]).read_text()
        for hook in hooks[fam]:
            advice = f"#   {cmd} -D {hook} -j FWC-{hook}"
            if advice not in header:
                raise netlab.LabError(f"{files['v4.rules']}: header lacks {advice!r}")
            netlab.run([tool(args, cmd + "-restore"), "--noflush"], ns=ns,
                       input=f"*filter\n-D {hook} -j FWC-{hook}\nCOMMIT\n")
            _, n = jumps(args, ns, fam, hook)
            if n != 1:
                raise netlab.LabError(f"IPv{fam}: {n} jumps from {hook} to FWC-{hook} after a reload, want 1")
        out, _ = jumps(args, ns, fam, "INPUT")
        want = f"-A {FOREIGN_CHAIN} -s {FOREIGN_SOURCE[fam]}/{32 if fam == 4 else 128} -j DROP"
        if want not in out.splitlines() or f"-A INPUT -j {FOREIGN_CHAIN}" not in out.splitlines():
            raise netlab.LabError(f"IPv{fam}: another tool's rule did not survive loading fwc's files")


def run_one(args):
    """Probe one policy/selection; print the report; return (passed, failed) or None on failure."""
    ports = args.ports or ka.port_list(",".join(ka.PORTS))
    probes = [(s, port, proto) for s in args.sources for port, proto in ports]
    t0 = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 4))
    try:
        with tempfile.TemporaryDirectory(prefix="fwc-ipt-e2e-") as tmp:
            files = compile_policy(args, tmp)
            expected = pool.submit(ka.explain_all, args, probes)
            with netlab.NetLab(args.sources) as lab:
                t_load = time.monotonic()
                load(args, lab.target, files)
                t_load = time.monotonic() - t_load
                lab.start_listener(ports)
                observed = lab.probe(probes, args.timeout)
            expected = expected.result()
    except netlab.LabError as e:
        print(f"FAIL: {e}")
        return None
    finally:
        pool.shutdown(cancel_futures=True)
    rows = [p + e + o for p, e, o in zip(probes, expected, observed)]
    where = f" ({' '.join(ka.selection(args))})" if ka.selection(args) else ""
    print(f"iptables agreement ({args.variant}): {args.policy}{where}: {len(probes)} probes, "
          f"{time.monotonic() - t0:.1f} s (two loads {t_load:.1f} s)")
    return ka.report(rows, args.verbose)


def run_all(args):
    import run_agreement  # the policy list, the extra ports and the distinct node rulesets
    policies = sorted((ROOT / "policies").glob("*.yaml")) + sorted((ROOT / "tests/golden/cases").glob("*.yaml"))
    args.ports = args.ports or ka.port_list(",".join(ka.PORTS + run_agreement.EXTRA_PORTS))
    total_pass = total_fail = 0
    failed_runs = []
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory(prefix="fwc-ipt-agree-") as tmp:
        for policy in policies:
            rel = policy.relative_to(ROOT)
            for sel_args, label in run_agreement.selections(args.fwc, rel, tmp):
                print(f"== {rel} ({label})", flush=True)
                args.policy = str(rel)
                args.node = sel_args[1] if sel_args[:1] == ["--node"] else None
                args.role = sel_args[1] if sel_args[:1] == ["--role"] else None
                res = run_one(args)
                if res is None:
                    failed_runs.append(f"{rel} ({label})")
                    continue
                total_pass += res[0]
                total_fail += res[1]
                if res[1]:
                    failed_runs.append(f"{rel} ({label})")
                print(f"{res[0]} passed, {res[1]} failed", flush=True)
    for r in failed_runs:
        print(f"FAIL {r}")
    print(f"{len(failed_runs)} of the rulesets failed")
    print(f"{total_pass} passed, {total_fail + (len(failed_runs) if not total_fail else 0)} failed")
    return 1 if failed_runs else 0


def main():
    args = parse_args()
    args.fwc = os.path.abspath(args.fwc)
    netlab.require_root()
    require_tools(args)
    try:
        if args.all:
            return run_all(args)
        res = run_one(args)
    except KeyboardInterrupt:
        print("interrupted")
        return 130
    if res is None:
        return 1
    print(f"{res[0]} passed, {res[1]} failed")
    return 1 if res[1] else 0


if __name__ == "__main__":
    sys.exit(main())
