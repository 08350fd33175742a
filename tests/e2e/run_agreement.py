#!/usr/bin/python3
"""Kernel agreement over every example policy and focused golden case: each
distinct node ruleset is loaded into a netns and probed (kernel_agreement.py).

Nodes whose compiled rulesets are identical (same roles) are probed once.
Exit: 0 all agree, 1 any mismatch, 77 skipped (not root, CI not "true").
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
import kernel_agreement  # noqa: E402

# Ports the focused cases use beyond the default list.
EXTRA_PORTS = ["8000/tcp", "8050/tcp", "9000/tcp", "9000/udp", "123/udp"]


def selections(fwc, policy, tmp):
    """(args, label) per distinct ruleset of the policy."""
    outdir = Path(tempfile.mkdtemp(dir=tmp))
    res = subprocess.run([fwc, "compile", str(policy), "-t", "nftables", "-o", f"{outdir}/"],
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"{policy}: compile failed\n{res.stderr}")
    seen, out = set(), []
    for f in sorted(outdir.glob("*.nft")):
        body = "\n".join(l for l in f.read_text().splitlines() if not l.startswith("#"))
        if body in seen:
            continue
        seen.add(body)
        parts = f.name[:-len(".nft")].split(".", 1)
        if len(parts) == 1:
            out.append(([], "all nodes"))
        elif parts[1].startswith("role-"):
            out.append((["--role", parts[1][5:]], f"role {parts[1][5:]}"))
        else:
            out.append((["--node", parts[1]], f"node {parts[1]}"))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    args = ap.parse_args()
    fwc = os.path.abspath(args.fwc)
    policies = sorted((ROOT / "policies").glob("*.yaml")) + sorted((ROOT / "tests/golden/cases").glob("*.yaml"))
    ports = ",".join(kernel_agreement.PORTS + EXTRA_PORTS)
    total_pass = total_fail = runs = skipped = 0
    failed_runs = []
    with tempfile.TemporaryDirectory(prefix="fwc-agree-") as tmp:
        for policy in policies:
            rel = policy.relative_to(ROOT)
            for sel_args, label in selections(fwc, rel, tmp):
                print(f"== {rel} ({label})", flush=True)
                res = subprocess.run([sys.executable, str(HERE / "kernel_agreement.py"), "--fwc", fwc, str(rel),
                                      *sel_args, "--ports", ports], cwd=ROOT, capture_output=True, text=True)
                sys.stdout.write(res.stdout[-6000:])
                sys.stderr.write(res.stderr[-3000:])
                runs += 1
                if res.returncode == 77:
                    skipped += 1
                    continue
                m = re.search(r"^(\d+) passed, (\d+) failed$", res.stdout, re.M)
                if m:
                    total_pass += int(m.group(1))
                    total_fail += int(m.group(2))
                if res.returncode != 0:
                    failed_runs.append(f"{rel} ({label})")
    if skipped == runs and runs:
        print("SKIP: kernel agreement needs root (network namespaces)")
        return 77
    for r in failed_runs:
        print(f"FAIL {r}")
    print(f"{runs} rulesets probed")
    print(f"{total_pass} passed, {total_fail + (len(failed_runs) if not total_fail else 0)} failed")
    return 1 if failed_runs else 0


if __name__ == "__main__":
    sys.exit(main())
