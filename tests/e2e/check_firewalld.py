#!/usr/bin/python3
"""Check firewalld scripts from `fwc compile -t firewalld` with firewalld's own
offline tool: each script runs against a scratch configuration directory
(FWCMD="firewall-offline-cmd --system-config DIR", a copy of
/etc/firewalld/firewalld.conf in it; no daemon, no D-Bus, the host's
configuration is never read or written), then firewall-offline-cmd lists
what it stored and that must be exactly what the script asked for: zone fwc
(target, ports, rich rules), the policy objects fwc-out / fwc-fwd, every
ipset with its entries, and fwc as the default zone. With --rerun each
script runs a second time on the same directory and must leave the same
configuration (what an operator does when the policy changes).

firewall-offline-cmd reports some bad rich rules as a warning and still
exits 0, and does not check rich-rule addresses against ipsets: those are
checked here (addresses valid for the rule's family, ipsets present with
that family, ipset entries valid and disjoint).

usage: check_firewalld.py [--rerun] FILE.firewalld.sh...
Exit: 0 all accepted, 1 any rejected or a failure, 77 skipped (not root or
firewalld not installed, and CI is not "true").  The last line is
"N passed, M failed" (counting files).
"""

import hashlib
import ipaddress
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

OFFLINE = "firewall-offline-cmd"
HOST_CONF = Path("/etc/firewalld")
FAMILY_OF_SET = {"inet": 4, "inet6": 6}
FAMILY_OF_RULE = {"ipv4": 4, "ipv6": 6}


def skip_or_fail(reason):
    if os.environ.get("CI") == "true":
        print(f"FAIL: {reason}; CI=true, so this is not skipped")
        sys.exit(1)
    print(f"SKIP: {reason}")
    sys.exit(77)


class Expected:
    """What a script asks firewalld to store, read from the script itself."""

    def __init__(self):
        self.containers = {}   # ("zone"|"policy", name) -> dict
        self.ipsets = {}       # name -> {"family": "inet", "entries": [...], "options": {...}}

    def container(self, kind, name):
        return self.containers.setdefault((kind, name), {
            "target": None, "ports": [], "rules": [], "ingress": [], "egress": []})


def parse_script(text):
    exp = Expected()
    args = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        m = re.match(r"""cat >"\$tmp/([^"]+)" <<'EOF'$""", line)
        if m:
            entries = []
            while i < len(lines) and lines[i] != "EOF":
                entries.append(lines[i])
                i += 1
            i += 1
            exp.ipsets.setdefault(m.group(1), {})["entries"] = entries
            continue
        if not (line.startswith("set --") or re.match(r"fw --(zone|policy|new-ipset)=", line)):
            continue
        words = shlex.split(line)
        if words[:2] == ["set", "--"]:
            args = [] if len(words) == 2 else args + words[3:]
            continue
        opts = words[1:]
        target = opts[0]
        if target.startswith("--new-ipset="):
            name = target.split("=", 1)[1]
            s = exp.ipsets.setdefault(name, {})
            s["options"] = {}
            for o in opts[1:]:
                if o.startswith("--type="):
                    s["type"] = o.split("=", 1)[1]
                elif o.startswith("--option="):
                    k, v = o.split("=", 1)[1].split("=", 1)
                    s["options"][k] = v
            continue
        m = re.match(r"--(zone|policy)=(.+)$", target)
        if not m:
            continue
        c = exp.container(m.group(1), m.group(2))
        rest = args if opts[1:] == ["$@"] else opts[1:]
        for o in rest:
            key, _, value = o.partition("=")
            if key == "--set-target":
                c["target"] = value
            elif key == "--add-port":
                c["ports"].append(value)
            elif key == "--add-rich-rule":
                c["rules"].append(value)
            elif key == "--add-ingress-zone":
                c["ingress"].append(value)
            elif key == "--add-egress-zone":
                c["egress"].append(value)
    return exp


def parse_listing(text):
    """--list-all-zones / --info-policy / --info-ipset output: name -> {key: value, "rich rules": [...]}."""
    out, current, key = {}, None, None
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line[0].isspace():
            current = out.setdefault(line.split()[0], {})
            key = None
        elif line.startswith("\t") and key == "rich rules":
            current["rich rules"].append(line.strip())
        elif current is not None:
            k, _, v = line.strip().partition(":")
            key = k
            current[k] = [] if k == "rich rules" else v.strip()
    return out


class Check:
    def __init__(self, script):
        self.script = script
        self.problems = []

    def fail(self, msg):
        self.problems.append(msg)

    def offline(self, confdir, *args, check=True):
        r = subprocess.run([OFFLINE, "--system-config", str(confdir), *args],
                           capture_output=True, text=True, timeout=600)
        if check and r.returncode != 0:
            self.fail(f"{OFFLINE} {' '.join(args)}: exit {r.returncode}: {(r.stderr or r.stdout).strip()[:500]}")
        return r

    def run_script(self, confdir, label):
        env = dict(os.environ, FWCMD=f"{OFFLINE} --system-config {confdir}")
        r = subprocess.run(["sh", self.script], env=env, capture_output=True, text=True, timeout=3600)
        if r.returncode != 0:
            self.fail(f"{label}: the script exited {r.returncode}: {(r.stderr or r.stdout).strip()[-1500:]}")
            return False
        noise = [l for l in (r.stdout + r.stderr).splitlines()
                 if re.search(r"\b(error|warning)\b", l, re.I) and not l.startswith("fwc: zone ")]
        if noise:
            self.fail(f"{label}: {OFFLINE} complained: " + " | ".join(noise[:5]))
        return True

    def snapshot(self, confdir, exp):
        """Everything this check compares, as firewalld reports it."""
        snap = {"default": self.offline(confdir, "--get-default-zone").stdout.strip(),
                "zones": parse_listing(self.offline(confdir, "--list-all-zones").stdout),
                "policies": {}, "ipsets": {},
                "ipset names": sorted(n for n in self.offline(confdir, "--get-ipsets").stdout.split()
                                      if n.startswith("fwc-")),
                "policy names": sorted(n for n in self.offline(confdir, "--get-policies").stdout.split()
                                       if n.startswith("fwc-"))}
        if snap["policy names"]:
            snap["policies"] = parse_listing(self.offline(confdir, "--list-all-policies").stdout)
        for name in snap["ipset names"]:
            snap["ipsets"].update(parse_listing(self.offline(confdir, f"--info-ipset={name}").stdout))
        return snap

    def compare(self, exp, snap):
        if snap["default"] != "fwc":
            self.fail(f"default zone is {snap['default']!r}, not fwc")
        want_policies = sorted(n for (k, n) in exp.containers if k == "policy")
        if snap["policy names"] != want_policies:
            self.fail(f"fwc policies {snap['policy names']} != {want_policies}")
        if snap["ipset names"] != sorted(exp.ipsets):
            self.fail(f"fwc ipsets {snap['ipset names']} != {sorted(exp.ipsets)}")
        if ("zone", "fwc") not in exp.containers:
            self.fail("the script configures no zone fwc")
        for (kind, name), want in sorted(exp.containers.items()):
            got = (snap["zones"] if kind == "zone" else snap["policies"]).get(name)
            if got is None:
                self.fail(f"{kind} {name} missing")
                continue
            if got.get("target") != want["target"]:
                self.fail(f"{kind} {name}: target {got.get('target')!r} != {want['target']!r}")
            ports = got.get("ports", "").split()
            if sorted(ports) != sorted(want["ports"]) or len(set(want["ports"])) != len(want["ports"]):
                self.fail(f"{kind} {name}: ports {ports} != {want['ports']}")
            rules = got.get("rich rules", [])
            missing = sorted(set(want["rules"]) - set(rules))
            extra = sorted(set(rules) - set(want["rules"]))
            for r in missing[:5]:
                self.fail(f"{kind} {name}: rich rule not stored: {r}")
            for r in extra[:5]:
                self.fail(f"{kind} {name}: unexpected rich rule: {r}")
            if len(rules) != len(want["rules"]):
                self.fail(f"{kind} {name}: {len(rules)} rich rules stored, {len(want['rules'])} in the script")
            if kind == "policy":
                for side in ("ingress", "egress"):
                    got_side = got.get(f"{side}-zones", "").split()
                    if got_side != want[side]:
                        self.fail(f"policy {name}: {side} zones {got_side} != {want[side]}")
        for name, want in sorted(exp.ipsets.items()):
            got = snap["ipsets"].get(name)
            if got is None:
                continue
            if got.get("type") != want.get("type"):
                self.fail(f"ipset {name}: type {got.get('type')!r} != {want.get('type')!r}")
            opts = dict(o.split("=", 1) for o in got.get("options", "").split() if "=" in o)
            if opts != want.get("options"):
                self.fail(f"ipset {name}: options {opts} != {want.get('options')}")
            entries = got.get("entries", "").split()
            if sorted(entries) != sorted(want.get("entries", [])):
                self.fail(f"ipset {name}: {len(entries)} entries stored, {len(want.get('entries', []))} in the script")

    def validate(self, exp):
        """What firewall-offline-cmd does not check itself."""
        for name, s in sorted(exp.ipsets.items()):
            version = FAMILY_OF_SET.get(s.get("options", {}).get("family"))
            if version is None:
                self.fail(f"ipset {name}: no family option")
                continue
            nets = []
            for e in s.get("entries", []):
                try:
                    n = ipaddress.ip_network(e, strict=True)
                except ValueError as err:
                    self.fail(f"ipset {name}: bad entry {e!r}: {err}")
                    continue
                if n.version != version:
                    self.fail(f"ipset {name}: entry {e} is not {s['options']['family']}")
                nets.append(n)
            nets.sort(key=lambda n: (int(n.network_address), n.prefixlen))
            for a, b in zip(nets, nets[1:]):
                if int(b.network_address) <= int(a.broadcast_address):
                    self.fail(f"ipset {name}: entries {a} and {b} overlap (nftables refuses the set)")
                    break
            if not nets:
                self.fail(f"ipset {name}: empty")
        for (kind, cname), c in sorted(exp.containers.items()):
            for rule in c["rules"]:
                fam = re.search(r'\bfamily="(ipv[46])"', rule)
                version = FAMILY_OF_RULE[fam.group(1)] if fam else None
                for side, what, value in re.findall(r'\b(source|destination) (address|ipset)="([^"]*)"', rule):
                    if not version:
                        self.fail(f"{kind} {cname}: {side} without family: {rule}")
                        continue
                    if what == "address":
                        try:
                            n = ipaddress.ip_network(value, strict=True)
                            if n.version != version:
                                self.fail(f"{kind} {cname}: {value} is not {fam.group(1)}: {rule}")
                        except ValueError as err:
                            self.fail(f"{kind} {cname}: bad address {value!r} ({err}): {rule}")
                    else:
                        s = exp.ipsets.get(value)
                        if s is None:
                            self.fail(f"{kind} {cname}: ipset {value} is not created by the script: {rule}")
                        elif FAMILY_OF_SET.get(s.get("options", {}).get("family")) != version:
                            self.fail(f"{kind} {cname}: ipset {value} has the wrong family: {rule}")
                prefix = re.search(r'\bprefix="([^"]*)"', rule)
                if prefix and "=" in prefix.group(1):
                    self.fail(f"{kind} {cname}: '=' in a log prefix: {rule}")

    def run(self, workdir):
        exp = parse_script(Path(self.script).read_text())
        self.validate(exp)
        confdir = Path(workdir)
        shutil.copy2(HOST_CONF / "firewalld.conf", confdir / "firewalld.conf")
        if not self.run_script(confdir, "first run"):
            return self
        self.offline(confdir, "--check-config")
        first = self.snapshot(confdir, exp)
        self.compare(exp, first)
        if RERUN and not self.problems:
            if self.run_script(confdir, "second run"):
                second = self.snapshot(confdir, exp)
                if second != first:
                    self.fail("a second run leaves a different configuration")
        return self


def tree_digest(path):
    h = hashlib.sha256()
    if not path.exists():
        return "absent"
    for p in sorted(path.rglob("*")):
        h.update(str(p).encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


RERUN = False


def main():
    global RERUN
    files = sys.argv[1:]
    if files and files[0] == "--rerun":
        RERUN = True
        files = files[1:]
    if not files or files[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 2 if not files else 0
    if os.geteuid() != 0:
        skip_or_fail("needs root (firewall-offline-cmd)")
    if not shutil.which(OFFLINE) or not (HOST_CONF / "firewalld.conf").exists():
        skip_or_fail("firewalld is not installed (firewall-offline-cmd, /etc/firewalld/firewalld.conf)")
    before = tree_digest(HOST_CONF)
    passed = failed = 0
    try:
        with tempfile.TemporaryDirectory(prefix="fwc-firewalld-") as tmp:
            dirs = []
            for i, _ in enumerate(files):
                d = Path(tmp) / str(i)
                d.mkdir()
                dirs.append(d)
            with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
                results = list(pool.map(lambda a: Check(a[0]).run(a[1]), zip(files, dirs)))
    except KeyboardInterrupt:
        print("interrupted")
        return 130
    for c in results:
        if c.problems:
            failed += 1
            print(f"FAIL  {c.script}")
            for p in c.problems:
                print(f"      {p}")
        else:
            passed += 1
            print(f"ok    {c.script}")
    if tree_digest(HOST_CONF) != before:
        print(f"FAIL: {HOST_CONF} changed during the checks")
        failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
