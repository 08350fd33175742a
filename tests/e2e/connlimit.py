#!/usr/bin/python3
"""Connection floods against a real kernel: `fwc apply` loads a policy with a
per-source connection limit (connections: 3) and a SYN proxy port into a
target namespace; a vantage namespace holds connections open from two
sources over a veth pair.

Checks: source A opens 3 connections, the 4th is refused; source B still
connects; once A closes one, A connects again. On the SYN proxy ports a
connection completes its handshake and reaches the listener, and a port of
the proxied rule with no listener still completes the handshake (the kernel's
SYN proxy sent the SYN-ACK); `fwc diff` after apply reports no change.

usage: connlimit.py --fwc FWC
"""
import argparse
import os
import tempfile
import time

import netlab

SRC_A, SRC_B = "198.51.100.10", "198.51.100.11"
LIMITED, PROXIED, PROXIED_DEAD = 7001, 7002, 7003
LIMIT = 3

POLICY = f"""fwc: 1
name: connlimit-e2e
defaults: {{inbound: drop}}
rate_limits:
  - name: per-source
    services: [{LIMITED}/tcp]
    connections: {LIMIT}
    action: reject
inbound:
  - allow: [22/tcp, {LIMITED}/tcp]
    from: any
  - name: proxied
    allow: [{PROXIED}/tcp, {PROXIED_DEAD}/tcp]
    from: any
    synproxy: true
"""

# Accepts on every given port and holds each connection until the peer
# closes it, echoing what it receives.
SERVER = r"""
import selectors, socket, sys
sel = selectors.DefaultSelector()
for port in map(int, sys.argv[1:]):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(64); sel.register(s, selectors.EVENT_READ, "listen")
print("READY", flush=True)
sel.register(sys.stdin, selectors.EVENT_READ, "stdin")
while True:
    for key, _ in sel.select():
        if key.data == "stdin":
            if not sys.stdin.readline(): sys.exit(0)
        elif key.data == "listen":
            c, _ = key.fileobj.accept(); sel.register(c, selectors.EVENT_READ, "conn")
        else:
            d = key.fileobj.recv(100)
            if d: key.fileobj.sendall(d)
            else: sel.unregister(key.fileobj); key.fileobj.close()
"""

# Reads commands on stdin, one answer line each: "open SRC PORT" -> "ok ID" /
# "fail ERROR"; "echo ID" -> "echo ok" / "echo fail ERROR"; "close ID" -> "closed".
CLIENT = r"""
import socket, sys
conns = {}
for line in sys.stdin:
    cmd = line.split()
    try:
        if cmd[0] == "open":
            s = socket.socket(); s.settimeout(2); s.bind((cmd[1], 0))
            try:
                s.connect((sys.argv[1], int(cmd[2]))); conns[len(conns)] = s; print("ok", len(conns) - 1)
            except OSError as e:
                s.close(); print("fail", type(e).__name__)
        elif cmd[0] == "echo":
            s = conns[int(cmd[1])]; s.sendall(b"ping")
            print("echo ok" if s.recv(100) == b"ping" else "echo fail short")
        elif cmd[0] == "close":
            conns[int(cmd[1])].close(); print("closed")
    except OSError as e:
        print("echo fail", type(e).__name__)
    sys.stdout.flush()
"""


class Client:
    def __init__(self, ns):
        self.p = netlab.start([netlab.PYTHON, "-c", CLIENT, netlab.TARGET4], ns)

    def ask(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        answer = self.p.stdout.readline().strip()
        if not answer:
            raise netlab.LabError(f"client gave no answer to '{line}': {self.p.stderr.read()}")
        return answer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    args = ap.parse_args()
    netlab.require_root()
    t = netlab.Tally()
    with tempfile.TemporaryDirectory(prefix="fwc-connlimit-") as tmp, netlab.NetLab([SRC_A, SRC_B]) as lab:
        policy = os.path.join(tmp, "policy.yaml")
        with open(policy, "w") as f:
            f.write(POLICY)
        fwc = [os.path.abspath(args.fwc)]
        state = ["--state-dir", os.path.join(tmp, "state")]
        res = netlab.run(fwc + ["apply", policy, "--force"] + state, ns=lab.target, check=False)
        if not t.expect(res.returncode == 0, "fwc apply loads the policy", res.stderr):
            return t.summary()
        # The SYN proxy needs conntrack not to pick up connections mid-stream
        # (the handshake's ACK must stay invalid until the proxy sees it).
        netlab.run(["sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_loose=0"], ns=lab.target)
        res = netlab.run(fwc + ["diff", policy], ns=lab.target, check=False)
        t.expect(res.returncode == 0 and "no change" in res.stdout + res.stderr,
                 "fwc diff after apply reports no change", res.stdout + res.stderr)

        server = netlab.start([netlab.PYTHON, "-c", SERVER, str(LIMITED), str(PROXIED)], lab.target)
        if server.stdout.readline().strip() != "READY":
            raise netlab.LabError("server did not start: " + server.stderr.read())
        c = Client(lab.vantage)

        first = [c.ask(f"open {SRC_A} {LIMITED}") for _ in range(LIMIT)]
        t.expect(all(a.startswith("ok") for a in first), f"source A opens {LIMIT} connections", first)
        over = c.ask(f"open {SRC_A} {LIMITED}")
        t.expect(over.startswith("fail"), f"source A's connection {LIMIT + 1} is refused", over)
        other = c.ask(f"open {SRC_B} {LIMITED}")
        t.expect(other.startswith("ok"), "source B still connects", other)
        c.ask(f"close {first[0].split()[1]}")
        again = None
        for _ in range(30):  # the close handshake completes asynchronously
            time.sleep(0.1)
            again = c.ask(f"open {SRC_A} {LIMITED}")
            if again.startswith("ok"):
                break
        t.expect(again.startswith("ok"), "after closing one, source A connects again", again)

        proxied = c.ask(f"open {SRC_B} {PROXIED}")
        ok = t.expect(proxied.startswith("ok"), "a SYN to the proxied port gets a SYN-ACK (connect completes)",
                      proxied)
        if ok:
            echo = c.ask(f"echo {proxied.split()[1]}")
            t.expect(echo == "echo ok", "the proxied connection reaches the listener", echo)
        # Without the proxy the SYN meets a RST (connection refused); with it
        # the handshake completes and the RST comes after it (a reset, or a
        # connect that succeeded just before the reset arrived).
        dead = c.ask(f"open {SRC_B} {PROXIED_DEAD}")
        t.expect(dead.startswith("ok") or dead == "fail ConnectionResetError",
                 "a proxied port without a listener still answers the SYN (the kernel's SYN proxy)", dead)
        direct = c.ask(f"open {SRC_B} 22")
        t.expect(direct == "fail ConnectionRefusedError",
                 "an unproxied port without a listener refuses the SYN (the check can tell them apart)", direct)
        listing = netlab.run(["nft", "list", "chain", "inet", "fwc", "input"], ns=lab.target).stdout
        used = [ln for ln in listing.splitlines() if "synproxy" in ln and "packets 0 " not in ln]
        t.expect(bool(used), "the synproxy rule counted the handshakes", listing)
    return t.summary()


if __name__ == "__main__":
    netlab.exit_with(main)
