#!/usr/bin/python3
"""`fwc apply|diff|remove --backend iptables|ufw|firewalld`: fwc's policy
installed through the firewall manager that owns the node, for real.

For each tool, in the target netns of a two-namespace lab (netlab.py) and,
for ufw and firewalld, a private mount namespace with scratch copies of
their configuration over the real paths (as ufw_agreement.py and
firewalld_agreement.py do; the host's own configuration is never touched):
  - the operator's state "before": a rule accepting 2222/tcp (an iptables
    rule in INPUT, `ufw allow 2222/tcp`, a port in firewalld's zone public);
  - `fwc apply --backend X` exits 0, and probes from the vantage netns get
    the verdicts `fwc explain` gives for the policy;
  - `fwc diff --backend X` says no change, `apply --dry-run` changes nothing;
  - `fwc remove --backend X` restores the tool's state exactly
    (iptables-save / ufw status verbose / firewall-cmd --list-all) and the
    probes answer as before (2222/tcp accepted again);
  - ufw: `apply --confirm 2` unconfirmed rolls back to the state before.

usage: manager_apply.py [--fwc FWC] [--only iptables,ufw,firewalld]
Exit: 0 all passed, 1 any failure, 77 skipped (not root, or a tool missing,
and CI is not "true").  The last line is "N passed, M failed".
"""

import argparse
import difflib
import os
import shutil
import tempfile
import time
from pathlib import Path

import check_ufw
import firewalld_agreement
import kernel_agreement
import netlab

ROOT = Path(netlab.HERE).parents[1]

POLICY = """\
fwc: 1
name: manager-apply
networks:
  office: [198.51.100.10, "2001:db8:10::/64"]
defaults: {inbound: drop, icmp: essential}
inbound:
  - name: ssh-office
    allow: [22/tcp]
    from: office
  - name: web
    allow: [80/tcp, 443/tcp]
    from: any
"""
PORTS = [(22, "tcp"), (80, "tcp"), (2222, "tcp")]
SOURCES = ["198.51.100.10", "198.51.100.20", "2001:db8:10::5", "2001:db8:20::5"]
PROBES = [(s, p, proto) for s in SOURCES for p, proto in PORTS]
TOOLS = {"iptables": ["iptables-save", "ip6tables-save", "iptables-restore", "ipset"],
         "ufw": ["ufw"], "firewalld": ["firewalld", "firewall-cmd", "firewall-offline-cmd", "dbus-daemon"]}


def require(tools):
    netlab.require_tools([t for name in tools for t in TOOLS[name]])


def verdicts(results):
    return [r[0] for r in results]


STOP = {"ufw": "disable", "firewalld": "stop"}


class Case:
    """One tool: `run(cmd)` runs cmd where the tool's state lives."""

    def __init__(self, tally, fwc, policy, lab, name, run, state_cmds):
        self.t, self.fwc, self.policy, self.lab = tally, fwc, policy, lab
        self.name, self.run, self.state_cmds = name, run, state_cmds
        self.state_dir = tempfile.mkdtemp(prefix=f"fwc-mgr-{name}-")

    def fwc_cmd(self, *args):
        return self.run([self.fwc, *args, "--backend", self.name, "--state-dir", self.state_dir])

    def state(self):
        out = []
        for cmd in self.state_cmds:
            r = self.run(cmd)
            for line in r.stdout.splitlines():
                if line.startswith("#"):
                    continue
                # counters of iptables-save chains change with traffic
                out.append(line.split(" [")[0] if line.startswith(":") else line)
        return out

    def expect_ok(self, r, what):
        return self.t.expect(r.returncode == 0, f"{self.name}: {what} exits 0",
                             f"exit {r.returncode}\n{r.stdout}\n{r.stderr}")

    def probe_like(self, before):
        """Probes again once when the answers differ from `before`: right
        after a reload, an IPv6 reject can go unanswered while the target
        resolves the vantage's address again."""
        after = verdicts(self.lab.probe(PROBES, timeout=1.0))
        if after != verdicts(before):
            time.sleep(1)
            after = verdicts(self.lab.probe(PROBES, timeout=1.0))
        return after

    def probes_agree(self, expected, what):
        observed = self.lab.probe(PROBES, timeout=1.0)
        bad = [f"{s} {p}/{proto}: fwc explain {e[0]} ({e[1]}), observed {o[0]} {o[1]}"
               for (s, p, proto), e, o in zip(PROBES, expected, observed) if e[0] != o[0]]
        self.t.expect(not bad, f"{self.name}: {what}: {len(PROBES)} probes agree with fwc explain",
                      "\n".join(bad))

    def warns_beside(self, warning):
        """With the tool's own rules loaded, fwc's default backend (nftables)
        names the tool and the remedy; --strict refuses."""
        r = self.run([self.fwc, "apply", "--dry-run", self.policy, "--state-dir", self.state_dir])
        lines = [line for line in r.stderr.splitlines() if line.startswith(warning)]
        self.t.expect(len(lines) == 1 and "also filters input: traffic the policy accepts can still be dropped"
                      in lines[0] and lines[0].endswith(f"Remedy: apply through {self.name} (fwc apply --backend "
                                                        f"{self.name}) or {STOP[self.name]} {self.name}."),
                      f"{self.name}: apply beside it warns, naming it and the remedy", r.stderr)
        r = self.run([self.fwc, "apply", "--strict", self.policy, "--state-dir", self.state_dir])
        self.t.expect(r.returncode == 2 and "--strict" in r.stderr, f"{self.name}: apply --strict refuses (exit 2)",
                      f"exit {r.returncode}\n{r.stderr}")

    def scenario(self, expected, confirm=False, warning=None):
        before_state = self.state()
        if warning:
            self.warns_beside(warning)
            self.t.expect(self.state() == before_state, f"{self.name}: the refused apply changed nothing")
        before = self.lab.probe(PROBES, timeout=1.0)
        self.t.expect(("198.51.100.20", 2222, "tcp") in
                      [(s, p, proto) for (s, p, proto), o in zip(PROBES, before) if o[0] == "accept"],
                      f"{self.name}: the operator's rule accepts 2222/tcp before the apply")
        r = self.run([self.fwc, "apply", "--dry-run", self.policy, "--backend", self.name,
                      "--state-dir", self.state_dir])
        self.expect_ok(r, "apply --dry-run")
        self.t.expect(self.state() == before_state, f"{self.name}: apply --dry-run changes nothing")
        t0 = time.monotonic()
        r = self.fwc_cmd("apply", self.policy)
        self.expect_ok(r, f"apply ({time.monotonic() - t0:.1f} s)")
        self.probes_agree(expected, "after apply")
        r = self.fwc_cmd("diff", self.policy)
        self.t.expect(r.returncode == 0 and "no change" in r.stdout, f"{self.name}: diff says no change after apply",
                      f"exit {r.returncode}\n{r.stdout}\n{r.stderr}")
        r = self.fwc_cmd("remove")
        self.expect_ok(r, "remove")
        after_state = self.state()
        self.t.expect(after_state == before_state, f"{self.name}: remove restores the state exactly",
                      "\n".join(difflib.unified_diff(before_state, after_state, lineterm="")))
        after = self.probe_like(before)
        self.t.expect(after == verdicts(before), f"{self.name}: after remove the probes answer as before",
                      f"before {verdicts(before)}\nafter  {after}")
        if confirm:
            self.rollback(before_state, before, expected)

    def rollback(self, before_state, before, expected):
        r = self.fwc_cmd("apply", self.policy, "--confirm", "2")
        self.expect_ok(r, "apply --confirm 2")
        self.probes_agree(expected, "after apply --confirm")
        pending = Path(self.state_dir) / "pending"
        deadline = time.monotonic() + 20
        while pending.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        log = (Path(self.state_dir) / "rollback.log")
        log_text = log.read_text() if log.exists() else ""
        self.t.expect(not pending.exists() and "previous ruleset is restored" in log_text,
                      f"{self.name}: unconfirmed, the apply rolls back", log_text)
        self.t.expect(self.state() == before_state, f"{self.name}: the rollback restores the state exactly")
        self.t.expect(self.probe_like(before) == verdicts(before),
                      f"{self.name}: after the rollback the probes answer as before")
        self.fwc_cmd("remove")


def iptables_case(tally, fwc, policy, expected):
    with netlab.NetLab(SOURCES) as lab:
        lab.start_listener(PORTS)
        run = lambda cmd: netlab.run(cmd, ns=lab.target, check=False, timeout=120)  # noqa: E731
        for tool in ("iptables", "ip6tables"):
            netlab.run([tool, "-A", "INPUT", "-p", "tcp", "--dport", "2222", "-j", "ACCEPT"], ns=lab.target)
            netlab.run([tool, "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "DROP"], ns=lab.target)
        Case(tally, fwc, policy, lab, "iptables", run, [["iptables-save"], ["ip6tables-save"], ["ipset", "save"]]) \
            .scenario(expected)


def ufw_case(tally, fwc, policy, expected, tmp):
    scratch = check_ufw.make_scratch(tmp)
    with netlab.NetLab(SOURCES) as lab:
        lab.start_listener(PORTS)
        run = lambda cmd: check_ufw.in_scratch(lab.target, scratch, cmd, timeout=120)  # noqa: E731
        for cmd in (["ufw", "allow", "2222/tcp"], ["ufw", "--force", "enable"]):
            r = run(cmd)
            if r.returncode != 0:
                raise netlab.LabError(f"{' '.join(cmd)}: {r.stderr.strip()}")
        Case(tally, fwc, policy, lab, "ufw", run, [["ufw", "status", "verbose"], ["iptables-save"]]) \
            .scenario(expected, confirm=True, warning="fwc: warning: ufw (table ip filter, chain INPUT")


def firewalld_case(tally, fwc, policy, expected, tmp):
    conf = Path(tmp) / "firewalld-conf"
    conf.mkdir()
    shutil.copy2("/etc/firewalld/firewalld.conf", conf / "firewalld.conf")
    with netlab.NetLab(SOURCES) as lab:
        lab.start_listener(PORTS)
        p = firewalld_agreement.start_firewalld(lab, conf, None)
        try:
            run = lambda cmd: netlab.run(["nsenter", "-t", str(p.pid), "-m", "-n", "--", *cmd],  # noqa: E731
                                         check=False, timeout=120)
            for cmd in (["firewall-cmd", "--permanent", "--zone=public", "--add-port=2222/tcp"],
                        ["firewall-cmd", "--reload"]):
                r = run(cmd)
                if r.returncode != 0:
                    raise netlab.LabError(f"{' '.join(cmd)}: {r.stderr.strip()}")
            Case(tally, fwc, policy, lab, "firewalld", run,
                 [["firewall-cmd", "--get-default-zone"], ["firewall-cmd", "--list-all"],
                  ["firewall-cmd", "--get-zones"]]).scenario(
                expected, warning="fwc: warning: firewalld (table inet firewalld, chain filter_INPUT")
        finally:
            netlab._stop(p)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fwc", default=str(ROOT / "build" / "fwc"))
    ap.add_argument("--only", default="iptables,ufw,firewalld")
    args = ap.parse_args()
    fwc = os.path.abspath(args.fwc)
    tools = [t for t in args.only.split(",") if t]
    netlab.require_root()
    require(tools)
    os.environ.pop("SSH_CONNECTION", None)  # the lock-out guard reads it
    tally = netlab.Tally()
    with tempfile.TemporaryDirectory(prefix="fwc-mgr-") as tmp:
        policy = Path(tmp) / "policy.yaml"
        policy.write_text(POLICY)
        ns_args = argparse.Namespace(fwc=fwc, policy=str(policy), node=None, role=None)
        expected = kernel_agreement.explain_all(ns_args, PROBES)
        for name in tools:
            t0 = time.monotonic()
            try:
                if name == "iptables":
                    iptables_case(tally, fwc, str(policy), expected)
                elif name == "ufw":
                    ufw_case(tally, fwc, str(policy), expected, tmp)
                else:
                    firewalld_case(tally, fwc, str(policy), expected, tmp)
            except netlab.LabError as e:
                tally.expect(False, f"{name}: the lab works", str(e))
            print(f"{name}: {time.monotonic() - t0:.1f} s", flush=True)
    return tally.summary()


if __name__ == "__main__":
    netlab.exit_with(main)
