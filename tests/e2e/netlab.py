"""Two network namespaces joined by a veth pair, for end-to-end firewall tests.

`target` holds TARGET4 and TARGET6 and runs the ruleset under test plus a
listener; `vantage` holds the probe source addresses.  Traffic only ever goes
from vantage to the target's own addresses, inside the pair.

Every namespace and process created here is removed again: by the context
managers, and by an atexit hook plus SIGTERM/SIGHUP handlers as a backstop.
Labs left behind by a killed run (its pid gone) are removed on the next run.
"""

import atexit
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import threading
import uuid
from contextlib import contextmanager

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
PREFIX = "fwc-t-"
TARGET4 = "203.0.113.254"
TARGET6 = "2001:db8:ffff::1"

_namespaces = set()   # names of namespaces this process created and still owns
_processes = set()    # Popen objects this process started and still owns
_CLEANUP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class LabError(Exception):
    """Setting up or driving the lab failed (the message says why)."""


class Tally:
    """Counts a test script's checks: one `ok`/`FAIL` line each, a failure
    followed by up to `detail_lines` lines of detail."""

    detail_lines = 25

    def __init__(self):
        self.passed = self.failed = 0

    def expect(self, cond, what, detail=""):
        print(("ok    " if cond else "FAIL  ") + what)
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            for line in str(detail).rstrip().splitlines()[:self.detail_lines]:
                print(f"      {line}")
        return cond

    check = expect

    def summary(self):
        """Prints the counts; the script's exit status."""
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def exit_with(main):
    """Runs a script's main(): a LabError outside its checks is one failure."""
    try:
        sys.exit(main())
    except LabError as e:
        print(f"FAIL: {e}")
        print("0 passed, 1 failed")
        sys.exit(1)


def require_root():
    """Exit 77 (skip) when not root, unless CI=true, where it is a failure."""
    if os.geteuid() == 0:
        return
    if os.environ.get("CI") == "true":
        print("FAIL: needs root (netns); CI=true, so this is not skipped")
        sys.exit(1)
    print("SKIP: needs root (netns)")
    sys.exit(77)


def require_tools(tools):
    """Exit 77 (skip) when a tool is not installed, unless CI=true, where it
    is a failure."""
    missing = [t for t in tools if not shutil.which(t)]
    if not missing:
        return
    if os.environ.get("CI") == "true":
        print(f"FAIL: missing {', '.join(missing)}; CI=true, so this is not skipped")
        sys.exit(1)
    print(f"SKIP: missing {', '.join(missing)}")
    sys.exit(77)


def run(cmd, ns=None, input=None, check=True, timeout=60):
    """Run cmd (a list), inside namespace ns when given; return CompletedProcess."""
    if ns:
        cmd = ["ip", "netns", "exec", ns] + cmd
    try:
        r = subprocess.run(cmd, input=input, capture_output=True, text=True,
                           timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise LabError(f"{' '.join(cmd)}: {e}") from None
    if check and r.returncode != 0:
        raise LabError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


# --- namespace and process bookkeeping -------------------------------------

def _on_signal(signum, frame):
    raise SystemExit(128 + signum)   # unwinds the with-blocks; atexit follows


def _install_signal_handlers():
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(sig) in (signal.SIG_DFL, None):
                signal.signal(sig, _on_signal)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def _remove_stale():
    """Delete labs of earlier runs whose process no longer exists."""
    out = run(["ip", "netns", "list"], check=False).stdout
    for line in out.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.match(re.escape(PREFIX) + r"(\d+)-", name)
        if m and not _alive(int(m.group(1))):
            run(["ip", "netns", "del", name], check=False)


def new_netns(role):
    """Create an empty namespace named fwc-t-PID-RANDOM-ROLE with lo up."""
    if not _namespaces:
        _install_signal_handlers()
        _remove_stale()
    name = f"{PREFIX}{os.getpid()}-{uuid.uuid4().hex[:6]}-{role}"
    _namespaces.add(name)          # before creating: a signal may land in between
    run(["ip", "netns", "add", name])
    run(["ip", "-n", name, "link", "set", "lo", "up"])
    return name


def start(cmd, ns):
    """Start cmd inside ns in its own session (Ctrl-C is ours to handle).
    Its stdin is a pipe from us: well-behaved helpers exit when it closes,
    so they cannot outlive this process even if it is killed."""
    p = subprocess.Popen(["ip", "netns", "exec", ns] + cmd, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, start_new_session=True)
    _processes.add(p)
    return p


def _stop(p):
    if p.poll() is None:
        p.terminate()              # `ip netns exec` execs: this is the helper's pid
        try:
            p.wait(timeout=3)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    for f in (p.stdin, p.stdout, p.stderr):
        if f:
            f.close()
    _processes.discard(p)


def cleanup():
    """Stop our processes, delete our namespaces (signals held off meanwhile)."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _CLEANUP_SIGNALS)
    try:
        for p in list(_processes):
            _stop(p)
        for name in list(_namespaces):
            r = run(["ip", "netns", "del", name], check=False)
            if not os.path.exists(f"/run/netns/{name}"):
                _namespaces.discard(name)
            else:
                print(f"warning: could not delete netns {name}: {r.stderr.strip()}",
                      file=sys.stderr)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


atexit.register(cleanup)


@contextmanager
def private_netns():
    """One empty namespace (lo up) for the duration of the block."""
    name = new_netns("x")
    try:
        yield name
    finally:
        cleanup()


# --- the two-namespace lab --------------------------------------------------

class NetLab:
    """with NetLab(sources) as lab: lab.load_nft(f); lab.start_listener(ports);
    results = lab.probe([(src, port, proto), ...])"""

    def __init__(self, sources):
        self.sources = list(sources)
        self.target = self.vantage = None
        self.listener = None

    def __enter__(self):
        try:
            self._setup()
        except BaseException:
            cleanup()
            raise
        return self

    def __exit__(self, *exc):
        cleanup()

    def _setup(self):
        t = self.target = new_netns("tgt")
        v = self.vantage = new_netns("van")
        run(["ip", "-n", t, "link", "add", "vt", "type", "veth",
             "peer", "name", "vv", "netns", v])
        # ICMP errors (nft `reject`) are rate limited per destination by default;
        # a probe burst would then see some rejects as drops.
        run(["sysctl", "-qw", "net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0",
             "net.ipv4.icmp_msgs_per_sec=100000", "net.ipv4.icmp_msgs_burst=100000"],
            ns=t)
        # The SYN proxy (synproxy: true) needs conntrack not to pick up
        # connections from mid-stream packets, as fwc(1) tells operators.
        run(["sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_loose=0"], ns=t, check=False)
        self._addr(t, "vt", [TARGET4, TARGET6])
        self._addr(v, "vv", self.sources)
        # The vantage knows the target's MAC up front: hundreds of probes started
        # at once would overflow the queue of an unresolved neighbour.  The target
        # still resolves the vantage (its NS/NA go through the ruleset).
        mac = json.loads(run(["ip", "-j", "-n", t, "link", "show", "vt"]).stdout)[0]["address"]
        for addr in (TARGET4, TARGET6):
            run(["ip", "-n", v, "neigh", "replace", addr, "lladdr", mac,
                 "dev", "vv", "nud", "permanent"])

    @staticmethod
    def _addr(ns, dev, addrs):
        for a in addrs:
            if ":" in a:
                run(["ip", "-n", ns, "-6", "addr", "add", a + "/128", "dev", dev, "nodad"])
            else:
                run(["ip", "-n", ns, "addr", "add", a + "/32", "dev", dev])
        run(["ip", "-n", ns, "link", "set", dev, "up"])
        run(["ip", "-n", ns, "route", "add", "default", "dev", dev])
        run(["ip", "-n", ns, "-6", "route", "add", "default", "dev", dev])

    def load_nft(self, path):
        """Load an nftables script into the target namespace."""
        run(["nft", "-f", path], ns=self.target)

    def start_listener(self, ports, timeout=10):
        """Listen on every (port, proto) on both target addresses; wait for READY."""
        tcp = sorted({p for p, proto in ports if proto == "tcp"})
        udp = sorted({p for p, proto in ports if proto == "udp"})
        self.listener = p = start(
            [PYTHON, os.path.join(HERE, "listener.py"), "--addr", f"{TARGET4},{TARGET6}",
             "--tcp", ",".join(map(str, tcp)), "--udp", ",".join(map(str, udp))],
            self.target)
        ready, _, _ = select.select([p.stdout], [], [], timeout)
        line = p.stdout.readline().strip() if ready else ""
        if line != "READY":
            _stop(p)
            raise LabError(f"listener did not start: {line} {p.stderr.read().strip()}")

    def probe(self, probes, timeout=1.5):
        """Probe [(src, port, proto)] from the vantage; return [(result, detail)]
        in the same order, result being accept | reject | drop | error."""
        req = {"target4": TARGET4, "target6": TARGET6, "timeout": timeout,
               "probes": [list(p) for p in probes]}
        r = run([PYTHON, os.path.join(HERE, "prober.py")], ns=self.vantage,
                input=json.dumps(req), timeout=60 + 4 * timeout)
        return [tuple(x) for x in json.loads(r.stdout)]
