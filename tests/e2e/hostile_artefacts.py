#!/usr/bin/python3
"""Hostile text cannot add anything to an artefact.

One policy is written twice: at a plain path, and at a path whose directory
and file name hold newlines, quotes, `$()`, backticks and ESC; the hostile
copy also carries such text in every free-text field (descriptions,
comments, node hostname, cloud names) and log prefixes with quotes, `$()`,
backticks and '='. Both are compiled to every target `fwc targets` lists,
and each artefact is handed to its real consumer in a fresh netns:

  nftables   `nft -f` after a decoy table exists: the ruleset then holds
             the decoy and table inet fwc, with as many rules as the plain
             copy loads (a `flush ruleset` or an extra table had no effect);
  iptables   check_iptables.py (`ipset restore`, `*-restore --test`), then a
             real load: as many ipsets and rules as the plain copy;
  ufw        check_ufw.py (scratch ufw config: the stored rules are exactly
             the script's), and as many rules as the plain copy;
  firewalld  check_firewalld.py (scratch offline config: exactly what the
             script asked for);
  cloud      check_cloud.py (the providers' schemas and limits).

The shell scripts must be `shellcheck` clean, and no canary file (`touch`
inside `$()` or backticks) may exist once everything ran.

usage: hostile_artefacts.py --fwc PATH
Exit 0 pass, 1 fail, 77 skipped (not root or a consumer missing, CI not "true").
"""

import argparse
import glob
import json
import re
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import netlab  # noqa: E402

TOOLS = ("nft", "ipset", "iptables-restore", "ip6tables-restore", "ufw", "firewall-offline-cmd", "shellcheck")
# A directory and file name: no '/' possible, so the canaries are relative
# (the consumers run with the canary directory as their working directory).
HOSTILE_DIR = "d\nflush ruleset\n$(touch pwned-dir)`touch pwned-dir2`\x1b[31m'\""
HOSTILE_FILE = ("p\nflush ruleset\ntable ip evil { chain c { type filter hook input priority -500; } }\n"
                "-A INPUT -j ACCEPT\ncreate evil hash:net\n$(touch pwned-file)`touch pwned-file2`\x1b'\".yaml")

POLICY = """fwc: 1
name: web
description: {text}
networks:
  bad:
    addresses: [203.0.113.1, 203.0.113.3, 203.0.113.5, 203.0.113.7, 203.0.113.9]
    description: {text}
nodes:
  n1: {{address: 198.51.100.1, hostname: {text}}}
defaults:
  log: {{prefix: {prefix1}}}
block:
  - {{name: bad-actors, from: bad, comment: {text}, log: {prefix2}}}
inbound:
  - {{name: web, allow: [443/tcp], from: any, comment: {text}, log: {prefix3}}}
  - {{allow: [22/tcp], from: [198.51.100.0/24], comment: {text}}}
rate_limits:
  - {{services: [443/tcp], rate: 10/second, per_source: true, log: {prefix1}}}
cloud:
  digitalocean: {{name: {name}}}
  aws: {{group_name: {name}, description: {text}}}
  hetzner: {{name: {name}}}
"""
# Cloud names fit every provider's length (a longer one is refused).
HOSTILE_NAME = json.dumps("n\nflush ruleset\r\n\"'\\ $(touch pwned-n) `touch pwned-n2` \x1b[2J\x7f")


def hostile_text(canary_dir):
    raw = (f"x\nflush ruleset\r\n-A INPUT -j ACCEPT\n\"'\\ $(touch {canary_dir}/pwned-a) "
           f"`touch {canary_dir}/pwned-b` \x1b[2J\x07\x7f; # end")
    return json.dumps(raw)  # a YAML double-quoted scalar reads JSON escapes


def prefixes(canary_dir):
    # 1-64 printable characters without '"', '\\' or '$' (the language's rule).
    return {"prefix1": json.dumps(f"a'`touch {canary_dir}/p1`=#"[:64]),
            "prefix2": json.dumps("b'`touch pwned-p2`;= "),
            "prefix3": json.dumps("c';(id)`id` ")}


def skip_or_fail(msg):
    if os.environ.get("CI") == "true":
        print(f"FAIL: {msg}; CI=true, so this is not skipped")
        sys.exit(1)
    print(f"SKIP: {msg}")
    sys.exit(77)


class Run:
    def __init__(self, fwc, work):
        self.fwc, self.work = fwc, Path(work)
        self.canary = self.work / "canary"
        self.canary.mkdir()
        self.failures = []

    def fail(self, msg):
        print(f"FAIL  {msg}")
        self.failures.append(msg)

    def ok(self, msg):
        print(f"ok    {msg}")

    def write_policies(self):
        canary = str(self.canary)
        plain = self.work / "plain" / "p.yaml"
        plain.parent.mkdir()
        plain.write_text(POLICY.format(text=json.dumps("plain text"), name="plain", **prefixes(canary)))
        hostile = self.work / HOSTILE_DIR / HOSTILE_FILE
        hostile.parent.mkdir()
        hostile.write_text(POLICY.format(text=hostile_text(canary), name=HOSTILE_NAME, **prefixes(canary)))
        return plain, hostile

    def compile(self, policy, target, tag):
        out = self.work / f"out-{tag}-{target}"
        r = subprocess.run([self.fwc, "compile", "-t", target, "--node", "n1", "-o", f"{out}/", str(policy)],
                           capture_output=True, text=True, cwd=self.canary, timeout=120)
        if r.returncode != 0:
            self.fail(f"compile {tag} -t {target}: exit {r.returncode}: {r.stderr.strip()[-400:]}")
            return []
        return sorted(glob.glob(f"{out}/*"))

    def consumer(self, script, files):
        r = subprocess.run([sys.executable, str(HERE / script)] + files, capture_output=True, text=True,
                           cwd=self.canary, timeout=1800)
        last = (r.stdout.strip().splitlines() or ["(no output)"])[-1]
        if r.returncode != 0:
            self.fail(f"{script}: exit {r.returncode}: {r.stdout.strip()[-1500:]}")
        else:
            self.ok(f"{script}: {last}")

    # --- what reaches the operator's terminal --------------------------------

    def raw_control(self, text):
        """The first raw control byte (other than newline) in text, or None."""
        m = re.search(r"[\x00-\x09\x0b-\x1f\x7f]", text)
        return m.group() if m else None

    def check_terminal(self, hostile):
        """explain, status and diff print policy and kernel text escaped: a
        comment with ESC cannot drive the terminal."""
        for fmt in ("text", "json"):
            r = subprocess.run([self.fwc, "explain", str(hostile), "--node", "n1", "--from", "203.0.113.200",
                                "--port", "443/tcp", "--format", fmt], capture_output=True, text=True, timeout=60)
            bad = self.raw_control(r.stdout + r.stderr)
            if r.returncode != 0 or bad:
                self.fail(f"explain --format {fmt}: exit {r.returncode}, raw control byte {bad!r}: {r.stdout[-300:]}")
            else:
                self.ok(f"explain --format {fmt}: no raw control byte")
        state = self.work / "state"
        with netlab.private_netns() as ns:
            netlab.run([self.fwc, "apply", str(hostile), "--node", "n1", "--state-dir", str(state)], ns=ns)
            # A rule someone else added to fwc's table, its comment holding ESC and BEL.
            netlab.run(["nft", "add", "rule", "inet", "fwc", "input", "counter", "comment",
                        "\"x\x1b[2J\x07y\""], ns=ns)
            for args in (["status"], ["status", "--format", "prometheus"], ["diff", str(hostile), "--node", "n1"]):
                r = netlab.run([self.fwc, *args, "--state-dir", str(state)] if args[0] == "status"
                               else [self.fwc, *args], ns=ns, check=False)
                bad = self.raw_control(r.stdout + r.stderr)
                shown = "\\x1b" in r.stdout
                if bad or not shown:
                    self.fail(f"{' '.join(args[:3])}: raw control byte {bad!r}, escaped comment shown: {shown}: "
                              f"{r.stdout[-400:]}")
                else:
                    self.ok(f"{' '.join(args[:3])}: the ESC comment is shown escaped")


    # --- per target ---------------------------------------------------------

    def nft_view(self, path):
        """(tables, rules in inet fwc) after `nft -f` in a netns holding a decoy table."""
        with netlab.private_netns() as ns:
            netlab.run(["nft", "add", "table", "ip", "decoy"], ns=ns)
            r = netlab.run(["nft", "-f", path], ns=ns, check=False)
            if r.returncode != 0:
                return None, r.stderr.strip()[-800:]
            listing = json.loads(netlab.run(["nft", "-j", "list", "ruleset"], ns=ns).stdout)["nftables"]
        tables = sorted((o["table"]["family"], o["table"]["name"]) for o in listing if "table" in o)
        rules = sum(1 for o in listing if "rule" in o and o["rule"]["table"] == "fwc")
        return (tables, rules), ""

    def check_nftables(self, plain, hostile):
        (want, _), (got, err) = self.nft_view(plain[0]), self.nft_view(hostile[0])
        if got is None:
            return self.fail(f"nft -f refused the hostile artefact: {err}")
        if got[0] != [("inet", "fwc"), ("ip", "decoy")]:
            return self.fail(f"nftables: the hostile artefact left tables {got[0]}")
        if got != want:
            return self.fail(f"nftables: {got[1]} rules loaded, the plain policy loads {want[1]}")
        self.ok(f"nftables: tables {got[0]}, {got[1]} rules, as from the plain path")

    def ipt_view(self, files):
        """(ipsets, v4 rules, v6 rules) after a real load in a fresh netns."""
        by = {Path(f).name.split(".", 2)[-1]: f for f in files}
        with netlab.private_netns() as ns:
            for tool, suffix in (("ipset", "ipset"), ("iptables-restore", "v4.rules"),
                                 ("ip6tables-restore", "v6.rules")):
                args = [tool, "restore"] if tool == "ipset" else [tool, "--noflush"]
                r = netlab.run(args, ns=ns, input=Path(by[suffix]).read_text(), check=False, timeout=300)
                if r.returncode != 0:
                    return None, f"{tool}: {r.stderr.strip()[-800:]}"
            sets = netlab.run(["ipset", "list", "-n"], ns=ns).stdout.split()
            count = [sum(1 for l in netlab.run([t, "-S"], ns=ns).stdout.splitlines() if l.startswith("-A "))
                     for t in ("iptables", "ip6tables")]
        return (sorted(sets), *count), ""

    def check_iptables(self, plain, hostile):
        self.consumer("check_iptables.py", hostile)
        (want, _), (got, err) = self.ipt_view(plain), self.ipt_view(hostile)
        if got is None:
            return self.fail(f"iptables: the hostile artefacts do not load: {err}")
        if got != want:
            return self.fail(f"iptables: loaded {got}, the plain policy loads {want}")
        self.ok(f"iptables: {len(got[0])} ipsets, {got[1]} IPv4 and {got[2]} IPv6 rules, as from the plain path")

    def check_script(self, plain, hostile, checker, command_prefixes):
        for f in hostile:
            # SC2016 notes that `$(...)` inside single quotes is not expanded:
            # exactly what the quoting is for.
            r = subprocess.run(["shellcheck", "-s", "sh", "--exclude=SC2016", f], capture_output=True, text=True,
                               timeout=300)
            if r.returncode != 0:
                self.fail(f"shellcheck {Path(f).name}: {r.stdout.strip()[:1500]}")
            else:
                self.ok(f"shellcheck {Path(f).name!r}")
        self.consumer(checker, hostile)

        def commands(path):
            return sum(1 for l in Path(path).read_text().splitlines() if l.startswith(command_prefixes))
        want, got = commands(plain[0]), commands(hostile[0])
        if want != got:
            self.fail(f"{checker}: the hostile script has {got} commands, the plain one {want}")

    def check_target(self, target, plain, hostile):
        if len(plain) != len(hostile) or not hostile:
            return self.fail(f"{target}: {len(hostile)} hostile artefacts, {len(plain)} plain")
        if target == "nftables":
            self.check_nftables(plain, hostile)
        elif target == "iptables":
            self.check_iptables(plain, hostile)
        elif target == "ufw":
            self.check_script(plain, hostile, "check_ufw.py", ("ufw ",))
        elif target == "firewalld":
            self.check_script(plain, hostile, "check_firewalld.py", ("fw ", "set -- "))
        else:
            self.consumer("check_cloud.py", hostile)


def targets(fwc):
    r = subprocess.run([fwc, "targets"], capture_output=True, text=True, check=True)
    return [line.split()[0] for line in r.stdout.splitlines() if line.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fwc", required=True)
    args = ap.parse_args()
    netlab.require_root()
    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        skip_or_fail(f"missing {', '.join(missing)}")
    fwc = os.path.abspath(args.fwc)
    with tempfile.TemporaryDirectory(prefix="fwc-hostile-") as work:
        run = Run(fwc, work)
        plain, hostile = run.write_policies()
        try:
            for target in targets(fwc):
                run.check_target(target, run.compile(plain, target, "plain"), run.compile(hostile, target, "hostile"))
            run.check_terminal(hostile)
        except netlab.LabError as e:
            run.fail(str(e))
        finally:
            netlab.cleanup()
        canaries = sorted(p.name for p in run.canary.rglob("*"))
        if canaries:
            run.fail(f"canary files exist: {canaries}")
        else:
            run.ok("no canary file was created")
    print(f"{len(run.failures)} failed")
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
