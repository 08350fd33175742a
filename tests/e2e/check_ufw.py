#!/usr/bin/python3
"""Check ufw scripts (fwc compile -t ufw) with ufw itself, never touching the
host's firewall or configuration.

Each script runs inside a private network namespace and a private mount
namespace (`ip netns exec NS unshare -m`) in which scratch copies of
/etc/ufw, /lib/ufw and /etc/default/ufw are bind-mounted over the real ones
and /run is a fresh tmpfs.  Then:
  - the script exits 0 (it ends with `ufw --force enable`, which loads the
    rules into that namespace only);
  - ufw's rule files (user.rules, user6.rules) hold exactly the script's
    rules, in the script's order, family by family (comments included);
  - block-list rules come before rate limits, allow rules and `otherwise`
    clauses (outbound: blocks before allows), read from the rule files;
  - `ufw show added` lists one line per rule command of the script;
  - `ufw status verbose` says active, with the script's defaults, and the
    kernel holds as many rules in ufw-user-input / ufw6-user-input as the
    rule files.

usage: check_ufw.py FILE.ufw.sh...
Exit: 0 all accepted, 1 any rejected or a failure, 77 skipped (not root, or
ufw not installed, and CI is not "true").  The last line is
"N passed, M failed" (counting files).
"""

import ipaddress
import os
import re
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import netlab

UFW_PATHS = {"etc-ufw": "/etc/ufw", "lib-ufw": "/lib/ufw", "default-ufw": "/etc/default/ufw"}
MARKER = ".fwc-scratch"

# Runs "$2..." with the scratch copies under $1 mounted over ufw's paths.  The
# && chain stops before ufw runs if any mount fails, and the marker proves
# /etc/ufw is the scratch copy.
MOUNT_AND_RUN = (
    'S=$1; shift; '
    'mount --make-rprivate / && '
    'mount --bind "$S/etc-ufw" /etc/ufw && '
    'mount --bind "$S/lib-ufw" /lib/ufw && '
    'mount --bind "$S/default-ufw" /etc/default/ufw && '
    'mount -t tmpfs -o size=4m fwc-run /run && '
    f'test -e /etc/ufw/{MARKER} && '
    'exec "$@"'
)

RULE_RE = re.compile(
    r"^ufw (?P<route>route )?(?P<action>allow|deny|reject|limit)(?P<out> out)?(?P<log> log)?"
    r" from (?P<src>\S+) to (?P<dst>\S+)(?: port (?P<port>\S+))?(?: proto (?P<proto>\S+))?"
    r"(?: comment '(?P<comment>[^']*)')?$")
DEFAULT_RE = re.compile(r"^ufw default (\w+) (incoming|outgoing|routed)$")


def require_ufw():
    """Exit 77 (skip) when ufw is not installed, unless CI=true."""
    if shutil.which("ufw") and all(os.path.exists(p) for p in UFW_PATHS.values()):
        return
    if os.environ.get("CI") == "true":
        print("FAIL: ufw is not installed; CI=true, so this is not skipped")
        sys.exit(1)
    print("SKIP: ufw is not installed (apt-get install ufw)")
    sys.exit(77)


def make_scratch(parent):
    """Fresh copies of ufw's configuration and state under a new directory."""
    d = tempfile.mkdtemp(prefix="ufw-", dir=parent)
    for name, path in UFW_PATHS.items():
        if os.path.isdir(path):
            shutil.copytree(path, os.path.join(d, name), symlinks=True)
        else:
            shutil.copy2(path, os.path.join(d, name))
    open(os.path.join(d, "etc-ufw", MARKER), "w").close()
    return d


def in_scratch(ns, scratch, cmd, timeout=1800):
    """Run cmd inside ns with the scratch configuration mounted."""
    return netlab.run(["unshare", "-m", "sh", "-c", MOUNT_AND_RUN, "fwc-ufw", scratch] + cmd,
                      ns=ns, check=False, timeout=timeout)


def family_of(addr):
    return "v6" if ":" in addr else "v4"


def norm_addr(a):
    return a if a == "any" else str(ipaddress.ip_network(a, strict=False))


def expected_rules(script_text):
    """The script's rule commands: [(line, {family: tuple})]; a tuple is
    (action, proto, dport, dst, sport, src, direction, comment-hex) as ufw
    writes it after '### tuple ###'."""
    out = []
    for line in script_text.splitlines():
        if not line.startswith("ufw ") or line.startswith(("ufw default", "ufw logging", "ufw --force")) \
                or line.startswith("ufw show"):
            continue
        m = RULE_RE.match(line)
        if not m:
            raise ValueError(f"cannot read rule command: {line}")
        src, dst = m["src"], m["dst"]
        fams = {family_of(a) for a in (src, dst) if a != "any"}
        if len(fams) > 1:
            raise ValueError(f"mixed families: {line}")
        fams = fams or {"v4", "v6"}
        action = m["action"] + ("_log" if m["log"] else "")
        if m["route"]:
            action = "route:" + action
        comment = m["comment"].encode().hex() if m["comment"] else ""
        tuples = {}
        for fam in fams:
            anyaddr = "0.0.0.0/0" if fam == "v4" else "::/0"
            s = anyaddr if src == "any" else norm_addr(src)
            d = anyaddr if dst == "any" else norm_addr(dst)
            tuples[fam] = (action, m["proto"] or "any", m["port"] or "any", d, "any", s,
                           "out" if m["out"] else "in", comment)
        out.append((line, tuples))
    return out


def stored_rules(path):
    """The tuples of one ufw rules file, in order."""
    rules = []
    with open(path) as f:
        for line in f:
            if not line.startswith("### tuple ### "):
                continue
            parts = line.split()[3:]
            comment = ""
            if parts and parts[-1].startswith("comment="):
                comment = parts.pop()[len("comment="):]
            if len(parts) != 7:
                raise ValueError(f"{path}: cannot read {line.strip()}")
            action, proto, dport, dst, sport, src, direction = parts
            dst = norm_addr(dst) if dst != "any" else dst
            src = norm_addr(src) if src != "any" else src
            rules.append((action, proto, dport, dst, sport, src, direction, comment))
    return rules


def label_rank(rule):
    """Evaluation stage of a stored rule from its comment (the policy label):
    inbound block 0, rate meter 1, allow 2, otherwise 3; outbound block 0,
    allow 1.  None when the comment names no stage."""
    text = bytes.fromhex(rule[7]).decode(errors="replace") if rule[7] else ""
    label = text.split(" (")[0]
    if rule[0].startswith("route:"):
        return None
    if rule[6] == "out":
        return 0 if label.startswith("block[") else 1 if label.startswith("outbound[") else None
    if label.startswith("block["):
        return 0
    if label.startswith("rate_limits["):
        return 1
    if label.startswith("inbound["):
        return 3 if label.endswith(" otherwise") else 2
    return None


def order_problems(rules, fam):
    problems = []
    for direction in ("in", "out"):
        best = -1
        for r in rules:
            if r[6] != direction:
                continue
            rank = label_rank(r)
            if rank is None:
                continue
            if rank < best:
                label = bytes.fromhex(r[7]).decode(errors="replace")
                problems.append(f"{fam}: '{label}' comes after a later evaluation stage")
            best = max(best, rank)
    return problems


def kernel_rule_count(ns, tool, chain):
    r = netlab.run([tool, "-S", chain], ns=ns, check=False)
    if r.returncode != 0:
        return None
    return sum(1 for line in r.stdout.splitlines() if line.startswith(f"-A {chain} "))


def check_script(path, workdir):
    """Returns a list of problems (empty: accepted)."""
    with open(path) as f:
        text = f.read()
    try:
        expected = expected_rules(text)
    except ValueError as e:
        return [str(e)]
    defaults = dict((m.group(2), m.group(1)) for m in map(DEFAULT_RE.match, text.splitlines()) if m)
    scratch = make_scratch(workdir)
    ns = netlab.new_netns("ufw")
    r = in_scratch(ns, scratch, ["sh", os.path.abspath(path)])
    if r.returncode != 0:
        tail = (r.stderr.strip() or r.stdout.strip()).splitlines()[-8:]
        return [f"script exited {r.returncode}"] + tail
    problems = []
    stored = {"v4": stored_rules(os.path.join(scratch, "etc-ufw", "user.rules")),
              "v6": stored_rules(os.path.join(scratch, "etc-ufw", "user6.rules"))}
    for fam in ("v4", "v6"):
        want = [t[fam] for _, t in expected if fam in t]
        got = stored[fam]
        if want != got:
            problems.append(f"{fam}: ufw's rules differ from the script's ({len(got)} stored, {len(want)} expected)")
            for i, (w, g) in enumerate(zip(want, got)):
                if w != g:
                    problems.append(f"  first difference at rule {i + 1}: expected {w[:7]}, stored {g[:7]}")
                    break
        problems += order_problems(got, fam)
    shown = in_scratch(ns, scratch, ["ufw", "show", "added"])
    added = [l for l in shown.stdout.splitlines() if l.startswith("ufw ")]
    if shown.returncode != 0 or len(added) != len(expected):
        problems.append(f"ufw show added lists {len(added)} rules, the script adds {len(expected)}")
    status = in_scratch(ns, scratch, ["ufw", "status", "verbose"])
    if "Status: active" not in status.stdout:
        problems.append("ufw status does not say active")
    for direction in ("incoming", "outgoing"):
        if direction in defaults and f"{defaults[direction]} ({direction})" not in status.stdout:
            problems.append(f"ufw status does not show the default {defaults[direction]} ({direction})")
    for tool, chain, fam, rules_file in (("iptables", "ufw-user-input", "v4", "user.rules"),
                                         ("ip6tables", "ufw6-user-input", "v6", "user6.rules")):
        with open(os.path.join(scratch, "etc-ufw", rules_file)) as f:
            want = sum(1 for line in f if line.startswith(f"-A {chain} "))
        got = kernel_rule_count(ns, tool, chain)
        if got != want:
            problems.append(f"{tool}: {chain} holds {got} rules in the kernel, {rules_file} {want}")
    return problems


def main():
    files = sys.argv[1:]
    if not files or files[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 2 if not files else 0
    netlab.require_root()
    require_ufw()
    passed = failed = 0
    try:
        with tempfile.TemporaryDirectory(prefix="fwc-ufw-") as workdir:
            workers = max(1, min(4, os.cpu_count() or 1))
            with ThreadPoolExecutor(max_workers=workers) as pool:
                results = list(pool.map(lambda f: check_script(f, workdir), files))
            for f, problems in zip(files, results):
                if not problems:
                    passed += 1
                    print(f"ok    {f}")
                else:
                    failed += 1
                    print(f"FAIL  {f}")
                    for line in problems:
                        print(f"      {line}")
    except netlab.LabError as e:
        print(f"FAIL: {e}")
        return 1
    except KeyboardInterrupt:
        print("interrupted")
        return 130
    finally:
        netlab.cleanup()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
