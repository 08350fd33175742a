#!/usr/bin/python3
"""Dynamic block sets in the kernel: `fwc block`, `unblock`, `blocked`, and
the entries kept across `fwc apply` and a --confirm rollback.

Two namespaces joined by a veth (netlab.py). The target holds table inet
fwc with a dynamic set `abuse` (dyn_abuse_v4/_v6, never_v4/_v6, the block
rule of docs/contract.md) and a TCP listener; a prober in the vantage
connects from PEER every few milliseconds and logs each attempt's times.

Checks: after `fwc block PEER --for 2s` returns, no connection succeeds
later than 100 ms after it until the entry expires, and connections succeed
again after the timeout; `fwc unblock` reopens at once; a never: address is
refused (exit 2, nothing added); `blocked --format json` lists entries with
time left and reason. 10,000 entries added by one `fwc block -` are all
still there, time left not reset, after the table is replaced: through
`fwc apply` of a policy with the same dynamic set (when the policy language
has `block: - dynamic:`), and through an `apply --confirm` rollback, which
also brings back an entry blocked while it waited for confirmation.

usage: dynamic_blocks.py --fwc FWC
Exit 0 ok, 1 failure, 77 skipped (not root and CI is not "true").
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

import netlab

ROOT = os.path.normpath(os.path.join(netlab.HERE, "..", ".."))
PEER = "198.51.100.77"
NEVER = "198.51.100.3"  # inside never: 198.51.100.0/28
PORT = 8080
TABLE = f"""table inet fwc {{
  set never_v4 {{ type ipv4_addr; flags interval; elements = {{ 198.51.100.0/28 }}; }}
  set never_v6 {{ type ipv6_addr; flags interval; }}
  set dyn_abuse_v4 {{ type ipv4_addr; flags interval,timeout; size 100000; timeout 1h; comment "dynamic abuse"; }}
  set dyn_abuse_v6 {{ type ipv6_addr; flags interval,timeout; size 100000; timeout 1h; comment "dynamic abuse"; }}
  chain input {{
    type filter hook input priority 0; policy accept;
    ip saddr @dyn_abuse_v4 ip saddr != @never_v4 drop
    ip6 saddr @dyn_abuse_v6 ip6 saddr != @never_v6 drop
  }}
}}
"""
POLICY = """fwc: 1
name: dynamic-blocks
never: [198.51.100.0/28]
block:
  - dynamic: abuse
    timeout: 1h
    max: 100000
inbound:
  - name: ssh
    allow: [22/tcp]
    from: [198.51.100.0/28]
  - name: web
    allow: [8080/tcp]
    from: any
"""
# Connects from PEER every few ms; one line per attempt: start end ok.
PROBER = """
import socket, sys, time
src, dst, port, until = sys.argv[1], sys.argv[2], int(sys.argv[3]), time.monotonic() + float(sys.argv[4])
while time.monotonic() < until:
    s = socket.socket(); s.bind((src, 0)); s.settimeout(0.05)
    t0 = time.monotonic()
    try:
        s.connect((dst, port)); ok = 1
    except OSError:
        ok = 0
    s.close()
    print(f"{t0:.4f} {time.monotonic():.4f} {ok}", flush=True)
    time.sleep(0.004)
"""


class Prober:
    """The prober in the vantage, its attempts collected by a thread."""

    def __init__(self, lab, seconds):
        self.attempts = []
        self.p = netlab.start([netlab.PYTHON, "-c", PROBER, PEER, netlab.TARGET4, str(PORT), str(seconds)],
                              lab.vantage)
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for line in self.p.stdout:
            a, b, ok = line.split()
            self.attempts.append((float(a), float(b), ok == "1"))

    def wait(self):
        self.p.wait(timeout=60)
        self.t.join(timeout=5)
        return self.attempts


class Checker(netlab.Tally):
    def __init__(self, fwc, lab, tmp):
        super().__init__()
        self.fwc, self.lab, self.tmp = fwc, lab, tmp
        self.state = os.path.join(tmp, "state")

    def fwc_run(self, *args, input=None):
        return netlab.run([self.fwc, *args], ns=self.lab.target, input=input, check=False)

    def block(self, *args, input=None):
        return self.fwc_run("block", *args, "--state-dir", self.state, input=input)

    def entries(self):
        r = self.fwc_run("blocked", "--format", "json")
        if r.returncode != 0:
            raise netlab.LabError(f"fwc blocked: exit {r.returncode}: {r.stderr}")
        return json.loads(r.stdout)["entries"]

    def load_table(self):
        netlab.run(["nft", "delete", "table", "inet", "fwc"], ns=self.lab.target, check=False)
        path = os.path.join(self.tmp, "table.nft")
        with open(path, "w") as f:
            f.write(TABLE)
        self.lab.load_nft(path)

    def block_expires(self):
        """fwc block --for 2s: closed within 100 ms of returning, open again after 2 s."""
        prober = Prober(self.lab, 4.0)
        time.sleep(0.5)
        r = self.block(PEER, "--for", "2s", "--reason", "probe test")
        done = time.monotonic()
        attempts = prober.wait()
        self.check(r.returncode == 0, "fwc block PEER --for 2s", r.stderr)
        before = [a for a in attempts if a[1] < done - 0.2]
        late = [a for a in attempts if a[2] and done + 0.1 < a[1] < done + 1.9]
        after = [a for a in attempts if a[2] and a[0] > done + 2.0]
        blocked = [a for a in attempts if done + 0.1 < a[0] < done + 1.9]
        self.check(before and all(a[2] for a in before), f"connections succeed before the block ({len(before)})")
        self.check(len(blocked) > 10 and not late,
                   f"no connection succeeds from 100 ms after fwc block returns ({len(blocked)} attempts, "
                   f"{len(late)} succeeded)", late[:5])
        first = min((a[0] - done for a in after), default=None)
        self.check(first is not None and first < 3.0,
                   f"connections succeed again once the entry expires (first {first and round(first, 2)} s after)")

    def unblock_reopens(self):
        r = self.block(PEER, "--for", "1h")
        prober = Prober(self.lab, 1.0)
        time.sleep(0.4)
        u = self.fwc_run("unblock", PEER, "--state-dir", self.state)
        done = time.monotonic()
        attempts = prober.wait()
        self.check(r.returncode == 0 and u.returncode == 0, "fwc block, then fwc unblock", r.stderr + u.stderr)
        while_blocked = [a for a in attempts if a[1] < done - 0.05]
        ok_after = [a for a in attempts if a[2] and a[0] > done]
        self.check(while_blocked and not any(a[2] for a in while_blocked), "blocked until unblocked")
        self.check(ok_after and min(a[0] for a in ok_after) < done + 0.1, "fwc unblock reopens at once")

    def never_refused(self):
        r = self.block(NEVER, PEER)
        self.check(r.returncode == 2 and "never" in r.stderr, "a never: address is refused (exit 2)", r.stderr)
        self.check(not self.entries(), "nothing was added with it")
        r = self.block("198.51.100.300")
        self.check(r.returncode == 2, "an invalid address is refused (exit 2)", r.stderr)

    def blocked_json(self):
        self.block(PEER, "--for", "30s", "--reason", 'incident "42"')
        e = self.entries()
        ok = (len(e) == 1 and e[0]["address"] == PEER and e[0]["reason"] == "incident 42" and
              25000 < e[0]["expires_ms"] <= 30000 and e[0]["timeout_ms"] == 30000)
        self.check(ok, "blocked --format json: address, time left, timeout, reason (escaped)", e)
        self.fwc_run("unblock", PEER, "--state-dir", self.state)

    def status_figures(self):
        """status --format prometheus: the set's entries and size, the blocks added; promtool accepts it."""
        self.block(PEER, "203.0.113.9", "--for", "1m")
        r = self.fwc_run("status", "--format", "prometheus", "--state-dir", self.state)
        self.check(r.returncode == 0, "fwc status --format prometheus", r.stderr)
        series = {}
        for line in r.stdout.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                series[name] = float(value)
        self.check(series.get('fwc_dynamic_set_elements{set="abuse"}') == 2 and
                   series.get('fwc_dynamic_set_max{set="abuse"}') == 100000,
                   "status: the dynamic set holds 2 entries of at most 100000",
                   {k: v for k, v in series.items() if "dynamic" in k})
        # Every block call so far added its entries: 1 + 1 + 1 + 2.
        self.check(series.get("fwc_blocks_added_total", 0) >= 5, "status: blocks added counted",
                   series.get("fwc_blocks_added_total"))
        p = subprocess.run(["promtool", "check", "metrics"], input=r.stdout, capture_output=True, text=True)
        self.check(p.returncode == 0, "promtool check metrics accepts the textfile", p.stdout + p.stderr)
        self.fwc_run("unblock", PEER, "203.0.113.9", "--state-dir", self.state)

    def many_kept(self, how, replace):
        """10,000 entries, then the table replaced by `replace()`: all kept, time left not reset."""
        self.load_table()
        addrs = "".join(f"2001:db8:1::{i:x}\n" for i in range(1, 10001))
        r = self.block("-", "--for", "10m", "--reason", "bulk", input=addrs)
        self.check(r.returncode == 0, "fwc block - (10,000 entries from stdin)", r.stderr)
        before = {e["address"]: e["expires_ms"] for e in self.entries()}
        t0 = time.monotonic()
        replace()
        after = {e["address"]: e["expires_ms"] for e in self.entries()}
        waited = (time.monotonic() - t0) * 1000
        self.check(len(before) == 10000 and set(after) == set(before),
                   f"{how}: all {len(before)} entries still present ({len(after)})")
        reset = [a for a in after if after[a] > before[a] + 200]
        self.check(not reset, f"{how}: time left not reset (waited {waited:.0f} ms)",
                   [(a, before[a], after[a]) for a in reset[:5]])

    def apply_keeps(self):
        pol = os.path.join(self.tmp, "dynamic.yaml")
        with open(pol, "w") as f:
            f.write(POLICY)
        c = subprocess.run([self.fwc, "compile", pol, "-t", "nftables"], capture_output=True, text=True)
        if c.returncode != 0 or "dyn_abuse_v4" not in c.stdout:
            print("SKIP part: the policy language has no `block: - dynamic:` yet (apply of a dynamic policy)")
            return

        def apply():
            r = self.fwc_run("apply", pol, "--state-dir", self.state)
            self.check(r.returncode == 0, "fwc apply of a policy with the same dynamic set", r.stderr)
            d = self.fwc_run("diff", pol)
            self.check(d.returncode == 0, "fwc diff sees no change from dynamic entries", d.stdout + d.stderr)
        self.many_kept("apply", apply)

    def rollback_keeps(self):
        def apply_and_roll_back():
            r = self.fwc_run("apply", "policies/quptime.yaml", "--confirm", "1", "--state-dir", self.state)
            self.check(r.returncode == 0 and "dropped" in r.stderr,
                       "apply --confirm of a policy without the set (its entries dropped, noted)", r.stderr)
            deadline = time.monotonic() + 10
            while os.path.exists(os.path.join(self.state, "pending")) and time.monotonic() < deadline:
                time.sleep(0.1)
            self.check(not os.path.exists(os.path.join(self.state, "pending")), "the rollback ran")
        self.many_kept("--confirm rollback", apply_and_roll_back)

    def rollback_takes_window_blocks(self):
        """A block added while an apply waits for confirmation is in the table the rollback restores."""
        self.load_table()
        r = self.fwc_run("apply", "policies/quptime.yaml", "--confirm", "2", "--state-dir", self.state)
        self.check(r.returncode == 0, "apply --confirm 2", r.stderr)
        # The applied table gets a dynamic set as a policy with one would have it.
        sets = "\n".join(line for line in TABLE.splitlines() if line.strip().startswith("set "))
        netlab.run(["nft", "-f", "-"], ns=self.lab.target, input=f"table inet fwc {{\n{sets}\n}}\n")
        b = self.block("2001:db8:2::1", "--for", "10m", "--reason", "window")
        deadline = time.monotonic() + 10
        while os.path.exists(os.path.join(self.state, "pending")) and time.monotonic() < deadline:
            time.sleep(0.1)
        e = [x for x in self.entries() if x["address"] == "2001:db8:2::1"]
        self.check(b.returncode == 0 and len(e) == 1 and e[0]["reason"] == "window" and
                   0 < e[0]["expires_ms"] < 600000,
                   "the rollback brings back a block added during the confirm window", b.stderr + str(e))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    fwc = os.path.abspath(ap.parse_args().fwc)
    netlab.require_root()
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory() as tmp, netlab.NetLab([PEER, NEVER]) as lab:
        c = Checker(fwc, lab, tmp)
        c.load_table()
        lab.start_listener([(PORT, "tcp")])
        c.block_expires()
        c.unblock_reopens()
        c.never_refused()
        c.blocked_json()
        c.status_figures()
        c.apply_keeps()
        c.rollback_keeps()
        c.rollback_takes_window_blocks()
        return c.summary()


if __name__ == "__main__":
    netlab.exit_with(main)
