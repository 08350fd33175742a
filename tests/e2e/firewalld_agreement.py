#!/usr/bin/python3
"""Firewalld agreement: does firewalld itself, configured by the script of
`fwc compile -t firewalld`, treat traffic the way `fwc explain` says?

For each policy and each distinct selection (as run_agreement.py picks
them), the script builds a scratch configuration with firewall-offline-cmd;
a real firewalld daemon (with its own D-Bus system bus) then loads it inside
the target namespace of the two-namespace lab (netlab.py), in a private mount
namespace where /etc/firewalld is the scratch directory and /run and
/var/log are empty: the host's firewalld configuration, bus and ruleset are
never touched. With --online the daemon starts on an empty configuration
and the script configures it through `firewall-cmd --permanent` (then
reloads it and sets the default zone itself), twice, as an operator
re-running it would. Every (source, port/proto) is probed from the vantage
namespace and compared with `fwc explain --format json`, as
kernel_agreement.py does for nftables.

usage: firewalld_agreement.py [--fwc FWC] [--online] [POLICY...]
  (default: every example policy and focused golden case)
Exit: 0 all agree, 1 any mismatch or failure, 77 skipped (not root, or
firewalld / dbus-daemon missing, and CI is not "true").  The last line is
"N passed, M failed" (counting probes).
"""

import argparse
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
import kernel_agreement  # noqa: E402
import netlab  # noqa: E402
import run_agreement  # noqa: E402

# Runs in the target namespace, in a mount namespace of its own: a private
# system bus and firewalld on the scratch configuration ($1); with a script
# ($2), runs it twice through firewall-cmd --permanent. Prints READY once
# firewalld runs configured, then waits until its stdin closes or it is told
# to stop.
LIVE = r"""
set -e
conf=$1
mount -t tmpfs fwc-run /run
mkdir -p /run/dbus
mount --bind "$conf" /etc/firewalld
mount -t tmpfs fwc-log /var/log
dbus=
fw=
trap 'kill $fw $dbus 2>/dev/null || true; wait' EXIT
trap 'exit 143' TERM INT HUP
dbus-daemon --system --nofork --nopidfile &
dbus=$!
i=0
until [ -S /run/dbus/system_bus_socket ]; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "no system bus"; exit 1; }; sleep 0.1
done
firewalld --nofork --nopid &
fw=$!
i=0
until [ "$(firewall-cmd --state 2>/dev/null)" = running ]; do
	i=$((i + 1)); [ $i -lt 240 ] || { echo "firewalld did not start"; exit 1; }; sleep 0.25
done
if [ -n "${2:-}" ]; then
	for run in 1 2; do
		FWCMD="firewall-cmd --permanent" sh "$2" >/dev/null || { echo "run $run of the script failed"; exit 1; }
	done
fi
echo READY
read -r _ || true
"""


class Args:
    def __init__(self, fwc, policy, sel_args):
        self.fwc, self.policy = fwc, policy
        self.node = sel_args[1] if sel_args[:1] == ["--node"] else None
        self.role = sel_args[1] if sel_args[:1] == ["--role"] else None


def build_config(fwc, policy, sel_args, tmp, online):
    """Compile to firewalld and, unless online, run the script offline; return
    (config directory, script)."""
    script = Path(tmp) / "policy.firewalld.sh"
    r = subprocess.run([fwc, "compile", str(policy), "-t", "firewalld", *sel_args, "-o", str(script)],
                       cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        raise netlab.LabError(f"fwc compile -t firewalld exited {r.returncode}\n{r.stderr.strip()}")
    conf = Path(tmp) / "conf"
    conf.mkdir()
    shutil.copy2("/etc/firewalld/firewalld.conf", conf / "firewalld.conf")
    if online:
        return conf, script
    env = dict(os.environ, FWCMD=f"firewall-offline-cmd --system-config {conf}")
    r = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise netlab.LabError(f"the firewalld script exited {r.returncode}: {r.stderr.strip()[-800:]}")
    return conf, None


def start_firewalld(lab, conf, script, timeout=300):
    p = netlab.start(["unshare", "-m", "--propagation", "private", "sh", "-c", LIVE, "sh", str(conf),
                      str(script or "")], lab.target)
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([p.stdout], [], [], deadline - time.monotonic())
        if not ready:
            break
        line = p.stdout.readline()
        if not line:
            break
        if line.strip() == "READY":
            return p
        last = line.strip()
    netlab._stop(p)
    raise netlab.LabError(f"firewalld did not start: {last} {p.stderr.read().strip()[-800:] if p.stderr else ''}")


def agree(fwc, policy, sel_args, label, ports, sources, timeout, verbose, online):
    args = Args(fwc, str(policy), sel_args)
    probes = [(s, port, proto) for s in sources for port, proto in ports]
    t0 = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 4))
    try:
        with tempfile.TemporaryDirectory(prefix="fwc-fwd-agree-") as tmp:
            conf, script = build_config(fwc, policy, sel_args, tmp, online)
            expected = pool.submit(kernel_agreement.explain_all, args, probes)
            with netlab.NetLab(sources) as lab:
                start_firewalld(lab, conf, script)
                lab.start_listener(ports)
                observed = lab.probe(probes, timeout)
            expected = expected.result()
    finally:
        pool.shutdown(cancel_futures=True)
    rows = [p + e + o for p, e, o in zip(probes, expected, observed)]
    print(f"firewalld agreement: {policy} ({label}): {len(probes)} probes, {time.monotonic() - t0:.1f} s")
    return kernel_agreement.report(rows, verbose)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("policies", nargs="*")
    ap.add_argument("--fwc", default=str(ROOT / "build" / "fwc"))
    ap.add_argument("--timeout", type=float, default=1.5, help="probe timeout, seconds")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every probe")
    ap.add_argument("--online", action="store_true",
                    help="configure the running daemon with firewall-cmd --permanent instead")
    a = ap.parse_args()
    fwc = os.path.abspath(a.fwc)
    netlab.require_root()
    missing = [t for t in ("firewalld", "firewall-offline-cmd", "firewall-cmd", "dbus-daemon", "unshare")
               if not shutil.which(t)]
    if missing or not os.path.exists("/etc/firewalld/firewalld.conf"):
        what = ", ".join(missing) or "/etc/firewalld/firewalld.conf"
        if os.environ.get("CI") == "true":
            print(f"FAIL: {what} missing; CI=true, so this is not skipped")
            return 1
        print(f"SKIP: {what} missing")
        return 77
    policies = [Path(p).resolve() for p in a.policies] or (
        sorted((ROOT / "policies").glob("*.yaml")) + sorted((ROOT / "tests/golden/cases").glob("*.yaml")))
    ports = kernel_agreement.port_list(",".join(kernel_agreement.PORTS + run_agreement.EXTRA_PORTS))
    total_pass = total_fail = 0
    failed_runs = []
    try:
        with tempfile.TemporaryDirectory(prefix="fwc-fwd-sel-") as tmp:
            for policy in policies:
                rel = policy.relative_to(ROOT) if policy.is_relative_to(ROOT) else policy
                for sel_args, label in run_agreement.selections(fwc, policy, tmp):
                    print(f"== {rel} ({label})", flush=True)
                    try:
                        p, f = agree(fwc, policy, sel_args, label, ports, kernel_agreement.SOURCES,
                                     a.timeout, a.verbose, a.online)
                    except netlab.LabError as e:
                        print(f"FAIL: {e}")
                        failed_runs.append(f"{rel} ({label})")
                        continue
                    total_pass += p
                    total_fail += f
                    if f:
                        failed_runs.append(f"{rel} ({label})")
    except KeyboardInterrupt:
        print("interrupted")
        return 130
    for r in failed_runs:
        print(f"FAIL {r}")
    print(f"{total_pass} passed, {total_fail} failed")
    return 1 if failed_runs else 0


if __name__ == "__main__":
    sys.exit(main())
