#!/usr/bin/python3
"""`fwc diff`, `status`, `confirm` and the safety of `fwc apply`, each in a
private netns this test creates (and deletes, also on failure).

Checks: diff exit codes (3 without privilege is not tested); an unchanged
re-apply is skipped; --dry-run prints the diff; `status` in three formats;
node auto-selection by address and by hostname; the lock-out guard
(SSH_CONNECTION) with and without --force; --confirm rolls back to the
exact previous table (also after the calling shell died), and `confirm`
keeps the new one; a concurrent `nft add rule` between reading the
generation and committing is detected: retried when it touched another
table, reported when it touched table inet fwc (FWC_TEST_PAUSE_BEFORE_COMMIT,
in fwc-testhooks). The rollback restores set elements added behind fwc's
back; a second --confirm apply rolls back to the last confirmed table, not
the unconfirmed one in between. A pending file naming a live process that
is not the watcher (a reused PID) never gets it signalled by confirm,
remove or apply; a dead watcher is reported by status and confirm. Status
counts a logged policy rule once (its verdict rule), its logged packets
apart; promtool accepts the textfile (when installed).

usage: apply_safety_check.py --fwc FWC --fwc-hooks FWC_TESTHOOKS
Exit 0 ok, 1 failure, 77 skipped (not root and CI is not "true").
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import netlab

ROOT = os.path.normpath(os.path.join(netlab.HERE, "..", ".."))
QUPTIME = "policies/quptime.yaml"
HEROCTL = "policies/heroctl.yaml"
NODES = """fwc: 1
name: nodes
nodes:
  alpha: {address: 198.51.100.21, roles: [server]}
  beta: {address: 203.0.113.22, roles: [worker], hostname: beta.example.org}
inbound:
  - name: ssh
    allow: [22/tcp]
    from: [203.0.113.0/24]
  - name: admin
    allow: [8080/tcp]
    from: any
    roles: [server]
"""


class Checker(netlab.Tally):
    def __init__(self, fwc, hooks, tmp):
        super().__init__()
        self.fwc, self.hooks, self.tmp = fwc, hooks, tmp
        self.state = os.path.join(tmp, "state")
        self.watchers = []

    def fwc_run(self, ns, *args, env=None, prefix=(), timeout=120):
        cmd = ["ip", "netns", "exec", ns, *prefix, self.fwc, *args]
        e = {k: v for k, v in os.environ.items() if k != "SSH_CONNECTION"}
        e.update({"FWC_STATE_DIR": self.state, **(env or {})})
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=e)

    def pending_pid(self):
        try:
            with open(os.path.join(self.state, "pending")) as f:
                return int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def kill_watchers(self):
        for pid in self.watchers:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass


def listing(ns):
    return netlab.run(["nft", "list", "table", "inet", "fwc"], ns=ns, check=False).stdout


def diff_checks(c):
    with netlab.private_netns() as ns:
        r = c.fwc_run(ns, "diff", QUPTIME)
        c.expect(r.returncode == 1 and "+ table inet fwc (not installed yet)" in r.stdout,
                 "diff without a table: exit 1, table to add", r.stdout + r.stderr)
        r = c.fwc_run(ns, "apply", QUPTIME, "--dry-run")
        c.expect(r.returncode == 0 and "+ rule in chain input: inbound[1] ssh-operator" in r.stdout
                 and listing(ns) == "", "--dry-run prints the diff and applies nothing", r.stdout + r.stderr)
        r = c.fwc_run(ns, "apply", QUPTIME)
        c.expect(r.returncode == 0, "apply", r.stderr)
        first = listing(ns)
        r = c.fwc_run(ns, "diff", QUPTIME)
        c.expect(r.returncode == 0 and "no change" in r.stdout, "diff after apply: exit 0", r.stdout + r.stderr)
        r = c.fwc_run(ns, "apply", QUPTIME)
        c.expect(r.returncode == 0 and "no change" in r.stdout and listing(ns) == first,
                 "an unchanged re-apply is skipped", r.stdout + r.stderr)
        r = c.fwc_run(ns, "apply", QUPTIME, "--always")
        c.expect(r.returncode == 0 and "applied" in r.stdout, "--always re-applies", r.stdout + r.stderr)
        files = sorted(os.listdir(c.state))
        with open(os.path.join(c.state, "applied.yaml")) as f, open(os.path.join(ROOT, QUPTIME)) as g:
            same = f.read() == g.read()
        c.expect(same and {"applied.nft", "previous.nft", "fwc.lock"} <= set(files),
                 "the state directory records the policy and the compiled scripts", files)
        r = c.fwc_run(ns, "diff", HEROCTL, "--node", "node1")
        c.expect(r.returncode == 1 and "- rule in chain input: inbound[1] ssh-operator" in r.stdout
                 and "- set meter_quptime_join_rate_v4" in r.stdout, "diff to another policy lists rules and sets", r.stdout + r.stderr)
        r = c.fwc_run(ns, "status")
        c.expect(r.returncode == 0 and "inbound[0] quptime-peers" in r.stdout, "status (text)", r.stdout)
        r = c.fwc_run(ns, "status", "--format", "json")
        try:
            doc = json.loads(r.stdout)
            ok = doc["installed"] and any(x["rule"] == "inbound[1] ssh-operator" for x in doc["rules"])
        except (ValueError, KeyError):
            ok = False
        c.expect(r.returncode == 0 and ok, "status (json)", r.stdout)
        r = c.fwc_run(ns, "status", "--format", "prometheus")
        c.expect(r.returncode == 0 and "# TYPE fwc_rule_packets_total counter" in r.stdout and
                 'fwc_rule_packets_total{chain="input",rule="inbound[1] ssh-operator"} 0' in r.stdout,
                 "status (prometheus textfile)", r.stdout)
        netlab.run(["ip", "link", "add", "d0", "type", "veth", "peer", "name", "d1"], ns=ns)
        netlab.run(["ip", "addr", "add", "203.0.113.250/32", "dev", "d0"], ns=ns)
        netlab.run([netlab.PYTHON, "-c", "import socket; s = socket.socket(); s.settimeout(1); "
                    "s.connect_ex(('203.0.113.250', 9))"], ns=ns, check=False)
        r = c.fwc_run(ns, "status", "--format", "prometheus")
        c.expect("fwc_rule_packets_total" in r.stdout and 'rule="loopback"} 0' not in r.stdout,
                 "status counters count packets", r.stdout)


def selection_checks(c):
    policy = os.path.join(c.tmp, "nodes.yaml")
    with open(policy, "w") as f:
        f.write(NODES)
    with netlab.private_netns() as ns:
        r = c.fwc_run(ns, "diff", policy, prefix=["unshare", "-u", "sh", "-c", 'hostname nowhere; exec "$0" "$@"'])
        c.expect(r.returncode == 2 and "alpha, beta" in r.stderr, "no matching node: exit 2, candidates listed",
                 r.stderr)
        netlab.run(["ip", "link", "add", "d0", "type", "veth", "peer", "name", "d1"], ns=ns)
        netlab.run(["ip", "addr", "add", "198.51.100.21/32", "dev", "d0"], ns=ns)
        r = c.fwc_run(ns, "apply", policy, prefix=["unshare", "-u", "sh", "-c", 'hostname nowhere; exec "$0" "$@"'])
        c.expect(r.returncode == 0 and "node alpha (address 198.51.100.21)" in r.stderr and "admin" in listing(ns),
                 "the node is selected by address", r.stderr)
        r = c.fwc_run(ns, "diff", policy, prefix=["unshare", "-u", "sh", "-c", 'hostname beta; exec "$0" "$@"'])
        c.expect(r.returncode == 2 and "several nodes" in r.stderr, "two matching nodes: exit 2", r.stderr)
        netlab.run(["ip", "addr", "del", "198.51.100.21/32", "dev", "d0"], ns=ns)
        r = c.fwc_run(ns, "diff", policy, prefix=["unshare", "-u", "sh", "-c", 'hostname beta; exec "$0" "$@"'])
        c.expect(r.returncode == 1 and "node beta (hostname beta)" in r.stderr, "the node is selected by hostname",
                 r.stdout + r.stderr)


def lockout_checks(c):
    with netlab.private_netns() as ns:
        env = {"SSH_CONNECTION": "198.51.100.99 50000 203.0.113.254 22"}
        r = c.fwc_run(ns, "apply", QUPTIME, env=env)
        c.expect(r.returncode == 2 and "198.51.100.99" in r.stderr and "defaults.inbound" in r.stderr
                 and listing(ns) == "", "lock-out guard refuses, naming the deciding rule", r.stderr)
        r = c.fwc_run(ns, "apply", QUPTIME, "--force", env=env)
        c.expect(r.returncode == 0 and listing(ns) != "", "--force overrides the lock-out guard", r.stderr)
        r = c.fwc_run(ns, "apply", HEROCTL, "--node", "node1", env={"SSH_CONNECTION": "2001:db8::99 5 2001:db8::1 22"})
        c.expect(r.returncode == 2 and "2001:db8::99" in r.stderr and "decided by" in r.stderr,
                 "lock-out guard over IPv6, on a second policy", r.stderr)
        env = {"SSH_CONNECTION": "203.0.113.10 50000 203.0.113.254 22"}
        r = c.fwc_run(ns, "apply", QUPTIME, "--always", env=env)
        c.expect(r.returncode == 0, "a policy keeping the session applies", r.stderr)


def confirm_checks(c):
    with netlab.private_netns() as ns:
        c.fwc_run(ns, "apply", QUPTIME)
        before = listing(ns)
        # The caller's shell dies right after apply returns: the watcher lives on.
        r = c.fwc_run(ns, "apply", HEROCTL, "--node", "node1", "--confirm", "2",
                      prefix=["sh", "-c", '"$0" "$@"; kill -9 $$'])
        pid = c.pending_pid()
        if pid:
            c.watchers.append(pid)
        applied = listing(ns)
        c.expect(pid and "public-web" in applied, "--confirm applies and leaves a watcher", r.stdout + r.stderr)
        for _ in range(60):
            if c.pending_pid() is None:
                break
            time.sleep(0.2)
        time.sleep(0.3)
        c.expect(listing(ns) == before, "unconfirmed: the exact previous table is back", listing(ns)[:800])
        r = c.fwc_run(ns, "apply", HEROCTL, "--node", "node1", "--confirm", "2")
        pid = c.pending_pid()
        if pid:
            c.watchers.append(pid)
        r = c.fwc_run(ns, "confirm")
        c.expect(r.returncode == 0 and c.pending_pid() is None, "confirm cancels the rollback", r.stderr)
        time.sleep(3)
        c.expect("public-web" in listing(ns), "confirmed: the new table stays")
        r = c.fwc_run(ns, "confirm")
        c.expect(r.returncode == 1, "confirm with nothing pending: exit 1", r.stderr)
        netlab.run(["nft", "delete", "table", "inet", "fwc"], ns=ns)
        r = c.fwc_run(ns, "apply", QUPTIME, "--confirm", "1")
        pid = c.pending_pid()
        if pid:
            c.watchers.append(pid)
        for _ in range(50):
            if c.pending_pid() is None:
                break
            time.sleep(0.2)
        time.sleep(0.3)
        c.expect(listing(ns) == "", "unconfirmed with no previous table: table inet fwc is removed")
        # Named sets: their elements come from the batch that installed them.
        c.fwc_run(ns, "apply", "policies/remoteingress-edge.yaml")
        before = listing(ns)
        for attempt in (1, 2):  # the second time, after a rollback recorded its own batch
            r = c.fwc_run(ns, "apply", QUPTIME, "--confirm", "1")
            pid = c.pending_pid()
            if pid:
                c.watchers.append(pid)
            for _ in range(50):
                if c.pending_pid() is None:
                    break
                time.sleep(0.2)
            time.sleep(0.3)
            c.expect(pid and listing(ns) == before and "blocked_feed_v4" in before,
                     f"unconfirmed: a table with named sets is restored exactly ({attempt})", r.stderr)


def wait_rollback(c, polls=60):
    for _ in range(polls):
        if c.pending_pid() is None:
            break
        time.sleep(0.2)
    time.sleep(0.3)


def confirm_apply(c, ns, policy, seconds, *sel):
    r = c.fwc_run(ns, "apply", policy, *sel, "--confirm", str(seconds))
    pid = c.pending_pid()
    if pid:
        c.watchers.append(pid)
    return r


STATUS_TYPES = {"rules": {"chain": str, "rule": str, "comment": str, "packets": int, "bytes": int,
                          "logged_packets": int},
                "sets": {"name": str, "fingerprint": str, "elements_known": bool, "cidrs": int}}


def without_expiry(text):
    return re.sub(r" expires [0-9hms]+", "", text)


def json_type_checks(c, ns):
    """Every field of `status --format json` has one type (a table with
    fingerprinted named sets whose elements are not read back)."""
    doc = json.loads(c.fwc_run(ns, "status", "--format", "json").stdout)
    bad = []
    for key, fields in STATUS_TYPES.items():
        for entry in doc[key]:
            for name, kind in fields.items():
                v = entry.get(name)
                if not isinstance(v, kind) or (kind is int and isinstance(v, bool)):
                    bad.append(f"{key}.{name} = {v!r}")
    rb = doc.get("rollback", {})
    for name, kind in (("pending", bool), ("armed", bool), ("watcher_pid", int), ("deadline", int)):
        if not isinstance(rb.get(name), kind):
            bad.append(f"rollback.{name} = {rb.get(name)!r}")
    c.expect(doc["sets"] and not bad, "status (json): one type per field", "\n".join(bad))


def rollback_checks(c):
    with netlab.private_netns() as ns:
        # An element added behind fwc's back since the apply comes back too.
        c.fwc_run(ns, "apply", "policies/remoteingress-edge.yaml")
        installed = listing(ns)
        json_type_checks(c, ns)
        netlab.run(["nft", "add element inet fwc blocked_feed_v4 { 198.51.100.99 }"], ns=ns)
        # A timeout set (a meter) holding an element added by hand: it comes
        # back with its timeout and the expiry it had left at the apply.
        netlab.run(["nft", "add element inet fwc meter_http_rate_v4 { 192.0.2.6 timeout 1h }"], ns=ns)
        before = listing(ns)
        r = confirm_apply(c, ns, QUPTIME, 1)
        wait_rollback(c)
        after = listing(ns)
        c.expect(r.returncode == 0 and before != installed and without_expiry(after) == without_expiry(before),
                 "unconfirmed: elements added with nft add element are restored", r.stderr + after[:600])
        c.expect("192.0.2.6 timeout 1h expires 59m" in after,
                 "... a timeout set's element with its timeout and remaining expiry", after)
        # Two --confirm applies: the rollback restores the last confirmed table.
        c.fwc_run(ns, "apply", QUPTIME, "--always")
        confirmed = listing(ns)
        confirm_apply(c, ns, HEROCTL, 30, "--node", "node1")
        first = c.pending_pid()
        r = confirm_apply(c, ns, "policies/remoteingress-edge.yaml", 1)
        time.sleep(0.3)
        c.expect(first and not running(first), "the second --confirm apply stops the first watcher", r.stderr)
        wait_rollback(c)
        c.expect(r.returncode == 0 and listing(ns) == confirmed,
                 "two --confirm applies in a row roll back to the last confirmed table", r.stdout + r.stderr)
        with open(os.path.join(c.state, "applied.yaml")) as f, open(os.path.join(ROOT, QUPTIME)) as g:
            c.expect(f.read() == g.read(), "... and the state names the confirmed policy as applied")


def running(pid):
    """Whether pid runs (a zombie, exited but not reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def fake_pending(c, pid):
    with open(f"/proc/{pid}/stat") as f:
        start = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/sys/kernel/random/boot_id") as f:
        boot = f.read().strip()
    # The PID of a live process that is not the watcher (recorded with
    # another start time: the watcher's PID, reused since).
    with open(os.path.join(c.state, "pending"), "w") as f:
        f.write(f"{pid} {int(time.time()) + 600} {start + 1} {boot}\n")


def watcher_checks(c):
    with netlab.private_netns() as ns:
        c.fwc_run(ns, "apply", QUPTIME, "--always")
        bystander = subprocess.Popen(["sleep", "300"])
        try:
            for cmd in (["confirm"], ["remove"], ["apply", QUPTIME, "--always"], ["apply", HEROCTL, "--node", "node1",
                        "--confirm", "30"]):
                fake_pending(c, bystander.pid)
                r = c.fwc_run(ns, *cmd)
                time.sleep(0.2)
                c.expect(bystander.poll() is None, f"fwc {cmd[0]} never signals a reused watcher PID "
                         f"({' '.join(cmd[1:]) or 'no options'})", r.stdout + r.stderr)
                if bystander.poll() is not None:
                    bystander = subprocess.Popen(["sleep", "300"])
                if cmd[0] == "confirm":
                    c.expect(r.returncode == 3 and "no longer armed" in r.stderr,
                             "confirm of a rollback whose watcher is gone: exit 3, says so", r.stderr)
            c.fwc_run(ns, "confirm")
        finally:
            bystander.kill()
            bystander.wait()
        r = confirm_apply(c, ns, QUPTIME, 60)
        pid = c.pending_pid()
        r = c.fwc_run(ns, "status", "--format", "json")
        rb = json.loads(r.stdout).get("rollback", {})
        c.expect(pid and rb.get("pending") is True and rb.get("armed") is True and rb.get("watcher_pid") == pid
                 and isinstance(rb.get("deadline"), int), "status: the rollback is armed", r.stdout[-400:])
        os.kill(pid, 9)
        time.sleep(0.3)
        r = c.fwc_run(ns, "status")
        c.expect(r.returncode == 1 and "no longer armed" in r.stdout, "status: a killed watcher is reported",
                 r.stdout + r.stderr)
        r = c.fwc_run(ns, "status", "--format", "prometheus")
        c.expect("fwc_rollback_pending 1" in r.stdout and "fwc_rollback_armed 0" in r.stdout,
                 "status (prometheus): pending but not armed", r.stdout[-400:])
        r = c.fwc_run(ns, "confirm")
        c.expect(r.returncode == 3 and "no longer armed" in r.stderr, "confirm: a killed watcher is reported",
                 r.stderr)


LOGGED = """fwc: 1
name: logged
defaults:
  inbound: drop
  log: "fwc-drop: "
inbound:
  - name: ssh
    allow: [22/tcp]
    from: [203.0.113.0/24]
    log: "ssh-new: "
"""


def counter_checks(c):
    policy = os.path.join(c.tmp, "logged.yaml")
    with open(policy, "w") as f:
        f.write(LOGGED)
    with netlab.private_netns() as ns, netlab.private_netns() as peer:
        for n in (ns, peer):
            netlab.run(["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"],
                       ns=n)
        netlab.run(["ip", "link", "add", "d0", "type", "veth", "peer", "name", "d1", "netns", peer], ns=ns)
        netlab.run(["ip", "addr", "add", "198.51.100.1/24", "dev", "d0"], ns=ns)
        netlab.run(["ip", "link", "set", "d0", "up"], ns=ns)
        netlab.run(["ip", "addr", "add", "198.51.100.2/24", "dev", "d1"], ns=peer)
        netlab.run(["ip", "link", "set", "d1", "up"], ns=peer)
        r = c.fwc_run(ns, "apply", policy, "--force")
        c.expect(r.returncode == 0, "apply a policy with logged rules", r.stderr)
        sent = 3
        netlab.run([netlab.PYTHON, "-c", "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                    f"for i in range({sent}): s.sendto(b'x', ('198.51.100.1', 9))"], ns=peer)
        time.sleep(0.2)
        doc = json.loads(c.fwc_run(ns, "status", "--format", "json").stdout)
        default = [x for x in doc["rules"] if x["chain"] == "input" and x["rule"].startswith("defaults.inbound")]
        c.expect(len(default) == 1 and default[0]["packets"] == sent and 1 <= default[0]["logged_packets"] <= sent,
                 f"status (json): the logged default counts its {sent} dropped packets once", default)
        r = c.fwc_run(ns, "status", "--format", "prometheus")
        rule = default[0]["rule"] if default else "?"
        c.expect(f'fwc_rule_packets_total{{chain="input",rule="{rule}"}} {sent}' in r.stdout and
                 f'fwc_rule_logged_packets_total{{chain="input",rule="{rule}"}}' in r.stdout,
                 "status (prometheus): packets once, logged packets as their own metric", r.stdout)
        promtool = shutil.which("promtool")
        if promtool:
            p = subprocess.run([promtool, "check", "metrics"], input=r.stdout, capture_output=True, text=True)
            c.expect(p.returncode == 0, "promtool check metrics accepts the textfile", p.stdout + p.stderr)
        elif os.environ.get("CI") == "true":
            c.expect(False, "promtool check metrics: promtool is installed (Debian package prometheus)", "")
        else:
            print("skip  promtool check metrics: promtool is not installed (Debian package prometheus)")
        text = c.fwc_run(ns, "status").stdout
        # One line per (chain, policy rule): the inbound default ends input and published.
        c.expect(sum(1 for l in text.splitlines()
                     if l.split()[:1] == ["input"] and l.endswith(default[0]["comment"] if default else "?")) == 1,
                 "status (text): one line per policy rule", text)


def concurrency_checks(c):
    with netlab.private_netns() as ns:
        netlab.run(["nft", "add table inet other; add chain inet other c"], ns=ns)
        c.fwc_run(ns, "apply", QUPTIME)
        for target, expect_ok in (("inet other c", True), ("inet fwc input", False)):
            gate = os.path.join(c.tmp, "gate")
            for f in (gate, gate + ".waiting"):
                if os.path.exists(f):
                    os.unlink(f)
            env = {**os.environ, "FWC_STATE_DIR": c.state, "FWC_TEST_PAUSE_BEFORE_COMMIT": gate}
            p = subprocess.Popen(["ip", "netns", "exec", ns, c.hooks, "apply", HEROCTL, "--node", "node1"],
                                 cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                for _ in range(400):  # fwc has read the generation when it says it waits
                    if p.poll() is not None or os.path.exists(gate + ".waiting"):
                        break
                    time.sleep(0.05)
                netlab.run(["nft", f"add rule {target} counter"], ns=ns)
                open(gate, "w").close()
                out, err = p.communicate(timeout=60)
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()
            if expect_ok:
                c.expect(p.returncode == 0 and "retrying" in err and "public-web" in listing(ns),
                         "a concurrent change to another table: detected, retried, applied", err)
                c.fwc_run(ns, "apply", QUPTIME)
            else:
                c.expect(p.returncode == 3 and "changed by someone else" in err and "public-web" not in listing(ns),
                         "a concurrent change to table inet fwc: detected and reported, nothing applied", err)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    ap.add_argument("--fwc-hooks", required=True, help="fwc built with the FWC_TEST_* hooks")
    args = ap.parse_args()
    netlab.require_root()
    with tempfile.TemporaryDirectory(prefix="fwc-safety-") as tmp:
        c = Checker(os.path.abspath(args.fwc), os.path.abspath(args.fwc_hooks), tmp)
        try:
            for step in (diff_checks, selection_checks, lockout_checks, confirm_checks, rollback_checks,
                         watcher_checks, counter_checks, concurrency_checks):
                step(c)
        finally:
            c.kill_watchers()
    return c.summary()


if __name__ == "__main__":
    netlab.exit_with(main)
