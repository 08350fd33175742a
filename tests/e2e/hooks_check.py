#!/usr/bin/python3
"""The FWC_TEST_* hooks are compiled into fwc-testhooks only: the shipped
fwc holds no FWC_TEST_ string, so it cannot read such a variable (the
nft-apply test also shows it ignores FWC_TEST_INJECT_BAD_ELEMENT).

usage: hooks_check.py --fwc FWC --fwc-hooks FWC_TESTHOOKS
Exit 0 ok, 1 failure.
"""
import argparse
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    ap.add_argument("--fwc-hooks", required=True)
    args = ap.parse_args()
    with open(args.fwc, "rb") as f:
        shipped = f.read()
    with open(args.fwc_hooks, "rb") as f:
        hooked = f.read()
    failed = 0
    for cond, what in ((b"FWC_TEST_" not in shipped, "fwc holds no FWC_TEST_ string"),
                       (b"FWC_TEST_INJECT_BAD_ELEMENT" in hooked and b"FWC_TEST_PAUSE_BEFORE_COMMIT" in hooked,
                        "fwc-testhooks holds both hooks (the search finds them where they are)")):
        print(("ok    " if cond else "FAIL  ") + what)
        failed += not cond
    print(f"{2 - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
