#!/usr/bin/python3
"""Check iptables artefacts inside a private netns, so the host's rules and
sets are never consulted: `ipset restore` of NAME.ipset (sets are per netns),
then `iptables-restore --test` / `ip6tables-restore --test` of
NAME.v4.rules / NAME.v6.rules (validated, nothing applied) with every
variant installed (nf_tables and legacy).

usage: check_iptables.py FILE...   (any of NAME.ipset, NAME.v4.rules, NAME.v6.rules;
                                    the files of one NAME are checked together)
Exit: 0 all accepted, 1 any rejected or a failure, 77 skipped (not root, or
the tools are missing, and CI is not "true").  The last line is
"N passed, M failed" (counting files).
"""

import os
import shutil
import sys

import netlab

SUFFIXES = (".ipset", ".v4.rules", ".v6.rules")


def variants(family):
    """The restore commands to try for a family: each installed variant,
    else the distribution's default."""
    base = "iptables" if family == 4 else "ip6tables"
    found = [f"{base}-{v}-restore" for v in ("nft", "legacy") if shutil.which(f"{base}-{v}-restore")]
    if not found and shutil.which(f"{base}-restore"):
        found = [f"{base}-restore"]
    return found


def split(path):
    for s in SUFFIXES:
        if path.endswith(s):
            return path[:-len(s)], s
    return None, None


def skip_or_fail(message):
    if os.environ.get("CI") == "true":
        print(f"FAIL: {message}; CI=true, so this is not skipped")
        sys.exit(1)
    print(f"SKIP: {message}")
    sys.exit(77)


def check_group(ns, files):
    """Check one NAME's files; return [(file, ok, detail lines)]."""
    out = []
    # The sets first: the rules files refer to them.
    ipset_file = files.get(".ipset")
    if ipset_file:
        with open(ipset_file) as f:
            r = netlab.run(["ipset", "restore"], ns=ns, input=f.read(), check=False, timeout=300)
        out.append((ipset_file, r.returncode == 0, (r.stderr or r.stdout).strip().splitlines()))
    for suffix, family in ((".v4.rules", 4), (".v6.rules", 6)):
        path = files.get(suffix)
        if not path:
            continue
        with open(path) as f:
            text = f.read()
        ok, detail = True, []
        for tool in variants(family):
            r = netlab.run([tool, "--test", "--noflush"], ns=ns, input=text, check=False, timeout=300)
            if r.returncode != 0:
                ok = False
                detail += [f"{tool}: exit {r.returncode}"] + (r.stderr or r.stdout).strip().splitlines()
        out.append((path, ok, detail))
    # The next NAME starts from no sets (they may share names).
    netlab.run(["ipset", "destroy"], ns=ns, check=False)
    return out


def main():
    files = sys.argv[1:]
    if not files or files[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 2 if not files else 0
    groups = {}
    for path in files:
        name, suffix = split(path)
        if not name:
            print(f"{path}: not an iptables artefact (want {', '.join(SUFFIXES)})")
            return 2
        groups.setdefault(name, {})[suffix] = path
    netlab.require_root()
    if not shutil.which("ipset"):
        skip_or_fail("ipset is not installed")
    if not variants(4) or not variants(6):
        skip_or_fail("iptables-restore / ip6tables-restore are not installed")
    passed = failed = 0
    try:
        with netlab.private_netns() as ns:
            for name in sorted(groups):
                for path, ok, detail in check_group(ns, groups[name]):
                    if ok:
                        passed += 1
                        print(f"ok    {path}")
                    else:
                        failed += 1
                        print(f"FAIL  {path}")
                        for line in detail[:20]:
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
