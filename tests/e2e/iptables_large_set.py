#!/usr/bin/python3
"""A large block list through the iptables backend: generates a policy whose
block rule reads an N-entry list (bench/gen_policy.py, default 100,000),
compiles it with `-t iptables` and `-t nftables`, loads each into a fresh
private netns (`ipset restore` + `iptables-restore --noflush` +
`ip6tables-restore --noflush`, and `nft -f`), checks that the set holds every
entry, and prints the load times side by side.

usage: iptables_large_set.py [--fwc FWC] [--entries N] [--variant nft|legacy]
Exit: 0 loaded, 1 a failure, 77 skipped (not root, or the tools are missing,
and CI is not "true").  The last line is "N passed, M failed" (counting loads).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import netlab

ROOT = Path(netlab.HERE).parents[1]


def timed(cmd, ns, path):
    with open(path) as f:
        text = f.read()
    t0 = time.monotonic()
    netlab.run(cmd, ns=ns, input=text, timeout=600)
    return time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fwc", default=str(ROOT / "build" / "fwc"))
    ap.add_argument("--entries", type=int, default=100000)
    ap.add_argument("--variant", choices=("nft", "legacy"), default="nft")
    args = ap.parse_args()
    netlab.require_root()
    netlab.require_tools(["ipset", "nft", f"iptables-{args.variant}-restore", f"ip6tables-{args.variant}-restore"])
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="fwc-large-") as tmp:
        policy = os.path.join(tmp, "bl.yaml")
        subprocess.run([sys.executable, str(ROOT / "bench" / "gen_policy.py"), "--blocklist",
                        str(args.entries), policy], check=True, capture_output=True)
        times = {}
        for target in ("iptables", "nftables"):
            out = os.path.join(tmp, target) + "/"
            t0 = time.monotonic()
            r = subprocess.run([args.fwc, "compile", policy, "-t", target, "-o", out],
                               capture_output=True, text=True)
            times[f"compile {target}"] = time.monotonic() - t0
            if r.returncode != 0:
                print(f"FAIL: fwc compile -t {target}: exit {r.returncode}\n{r.stderr.strip()}")
                return 1
        files = {p.name.split(".", 1)[1]: str(p) for p in Path(tmp, "iptables").iterdir()}
        try:
            with netlab.private_netns() as ns:
                t = timed(["ipset", "restore"], ns, files["ipset"])
                t += timed([f"iptables-{args.variant}-restore", "--noflush"], ns, files["v4.rules"])
                t += timed([f"ip6tables-{args.variant}-restore", "--noflush"], ns, files["v6.rules"])
                times[f"load iptables ({args.variant}) + ipset"] = t
                listing = netlab.run(["ipset", "list", "-t"], ns=ns).stdout
                counts = [int(n) for n in re.findall(r"^Number of entries: (\d+)$", listing, re.M)]
                sizes = re.findall(r"^add \S+ ", Path(files["ipset"]).read_text(), re.M)
                if sum(counts) == len(sizes) and len(sizes) > 0:
                    passed += 1
                    print(f"ok    ipset holds all {len(sizes)} entries")
                else:
                    failed += 1
                    print(f"FAIL  ipset holds {sum(counts)} entries, the file adds {len(sizes)}")
            with netlab.private_netns() as ns:
                nft_file = next(Path(tmp, "nftables").iterdir())
                times["load nftables"] = timed(["nft", "-f", "-"], ns, str(nft_file))
                passed += 1
                print("ok    nft -f loaded")
        except netlab.LabError as e:
            print(f"FAIL: {e}")
            return 1
    for what, secs in times.items():
        print(f"{what:<34} {secs:6.2f} s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
