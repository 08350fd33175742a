#!/usr/bin/python3
"""Golden tests: every example policy and focused case compiled per target,
compared byte for byte with the committed files in tests/golden/<target>/,
then each golden checked by the real consumer (nft -c in a private netns).

FWC_UPDATE_GOLDEN=1 rewrites the goldens instead of comparing them; review
the diff before committing it.
"""
import argparse
import difflib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
# Per target: the checker that runs the real consumer, which goldens it reads.
CHECKERS = {
    "nftables": ("nft_check.py", "*.nft", "nft -c"),
    "iptables": ("check_iptables.py", "*[.]*", "ipset restore / iptables-restore --test"),
    "firewalld": ("check_firewalld.py", "*.firewalld.sh", "firewall-offline-cmd"),
    "ufw": ("check_ufw.py", "*.ufw.sh", "ufw"),
    "digitalocean": ("check_cloud.py", "*.do.json", "the DigitalOcean schema and limits"),
    "hetzner": ("check_cloud.py", "*.hetzner.json", "the Hetzner schema and limits"),
    "aws": ("check_cloud.py", "*.aws-*.json", "botocore's EC2 model and AWS limits"),
}
# Targets where a policy may not fit (provider limits): the diagnostics of a
# refused compile are the golden, POLICY.errors, so the refusal is reviewed too.
REFUSING_TARGETS = {"digitalocean", "hetzner", "aws"}


def inputs():
    return sorted((ROOT / "policies").glob("*.yaml")) + sorted((GOLDEN / "cases").glob("*.yaml"))


def compile_all(fwc, target, outdir):
    failures = []
    for policy in inputs():
        rel = policy.relative_to(ROOT)
        res = subprocess.run([fwc, "compile", str(rel), "-t", target, "-o", str(outdir) + "/"],
                             cwd=ROOT, capture_output=True, text=True)
        if res.returncode == 2 and target in REFUSING_TARGETS:
            (Path(outdir) / (policy.stem + ".errors")).write_text(res.stderr)
        elif res.returncode != 0:
            failures.append(f"{rel}: fwc compile exited {res.returncode}\n{res.stderr}")
    return failures


def compare(target, outdir, update):
    golden_dir = GOLDEN / target
    produced = {p.name: p.read_text() for p in Path(outdir).iterdir()}
    committed = {p.name: p.read_text() for p in golden_dir.glob("*") if p.is_file()}
    passed, failed = 0, []
    if update:
        for p in golden_dir.glob("*"):
            if p.name not in produced:
                p.unlink()
        for name, text in produced.items():
            (golden_dir / name).write_text(text)
        print(f"updated {len(produced)} goldens in {golden_dir.relative_to(ROOT)}")
        return len(produced), []
    for name in sorted(set(produced) | set(committed)):
        if name not in committed:
            failed.append(f"{name}: produced but no golden (run with FWC_UPDATE_GOLDEN=1)")
        elif name not in produced:
            failed.append(f"{name}: golden exists but nothing produced it")
        elif produced[name] != committed[name]:
            diff = "".join(difflib.unified_diff(committed[name].splitlines(True), produced[name].splitlines(True),
                                                f"golden/{name}", f"produced/{name}", n=2))
            failed.append(f"{name}: differs from golden\n{diff[:4000]}")
        else:
            passed += 1
    return passed, failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    ap.add_argument("--target", default="nftables")
    args = ap.parse_args()
    fwc = os.path.abspath(args.fwc)
    update = os.environ.get("FWC_UPDATE_GOLDEN") == "1"
    (GOLDEN / args.target).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fwc-golden-") as outdir:
        failed = compile_all(fwc, args.target, outdir)
        passed, cmp_failed = compare(args.target, outdir, update)
        failed += cmp_failed
    for f in failed:
        print("FAIL " + f)
    # The real consumer accepts every golden.
    checker, pattern, what = CHECKERS[args.target]
    goldens = sorted(str(p) for p in (GOLDEN / args.target).glob(pattern))
    check = subprocess.run([sys.executable, str(ROOT / "tests/e2e" / checker), *goldens])
    if check.returncode == 77:
        print(f"SKIP: {what} checks need root (network namespaces)")
    elif check.returncode != 0:
        failed.append(f"{what} rejected at least one golden (see above)")
    print(f"{passed} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
