#!/usr/bin/python3
"""Check nftables scripts with `nft -c -f` (the kernel validates, nothing is
applied) inside a private netns, so the host ruleset is never consulted.

usage: nft_check.py FILE.nft...
Exit: 0 all accepted, 1 any rejected or a failure, 77 skipped (not root and
CI is not "true").  The last line is "N passed, M failed" (counting files).
"""

import sys

import netlab


def main():
    files = sys.argv[1:]
    if not files or files[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 2 if not files else 0
    netlab.require_root()
    passed = failed = 0
    try:
        with netlab.private_netns() as ns:
            for f in files:
                r = netlab.run(["nft", "-c", "-f", f], ns=ns, check=False)
                if r.returncode == 0:
                    passed += 1
                    print(f"ok    {f}")
                else:
                    failed += 1
                    print(f"FAIL  {f}")
                    for line in (r.stderr or r.stdout).rstrip().splitlines():
                        print(f"      {line}")
    except netlab.LabError as e:
        print(f"FAIL: {e}")
        return 1
    except KeyboardInterrupt:
        print("interrupted")
        return 130
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
