#!/usr/bin/python3
"""State files and `compile -o` artefacts are written whole or not at all,
with fixed modes, and fwc refuses a state directory it cannot trust.

Checks: `compile -o` onto a full disk (a tiny tmpfs mounted in a private
mount namespace) or onto /dev/full exits 3 with a message, keeps the old
file (a device is written to, never replaced) and leaves no temporary
file; artefacts are 0644 and a fresh state directory 0700 with 0600 files
whatever the umask; `apply` whose state cannot be recorded (full
disk) exits 3 and leaves no temporary file; a state directory or state file
that is a symlink, or owned by another user, is refused with exit 3 before
anything is applied.

usage: state_files_check.py --fwc FWC
Exit 0 ok, 1 failure, 77 skipped (not root and CI is not "true").
"""
import argparse
import os
import stat
import subprocess
import sys
import tempfile

import netlab

ROOT = os.path.normpath(os.path.join(netlab.HERE, "..", ".."))
POLICY = "policies/heroctl.yaml"
# Runs "$@" with a 4 KiB tmpfs on $FULL, then reports the exit status and
# what the tmpfs holds (the mount vanishes with the namespace).
ON_FULL_DISK = ('mount -t tmpfs -o size=4k,mode=0700 fwc-full "$FULL" || exit 99; '
                'printf old > "$FULL/out.nft"; "$@"; echo "rc=$?"; ls -A "$FULL"; cat "$FULL/out.nft"')


class Checker(netlab.Tally):
    def __init__(self, fwc, tmp):
        super().__init__()
        self.fwc, self.tmp = fwc, tmp

    def fwc_run(self, *args, ns=None, state=None, umask=None, prefix=()):
        cmd = [*(["ip", "netns", "exec", ns] if ns else []), *prefix, self.fwc, *args]
        env = {k: v for k, v in os.environ.items() if k != "SSH_CONNECTION"}
        if state:
            env["FWC_STATE_DIR"] = state
        pre = (lambda: os.umask(umask)) if umask is not None else None
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, env=env,
                              preexec_fn=pre)


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def full_disk_run(c, *args, ns=None, state=None):
    full = os.path.join(c.tmp, "full")
    os.makedirs(full, exist_ok=True)
    os.environ["FULL"] = full
    try:
        return c.fwc_run(*args, ns=ns, state=state,
                         prefix=["unshare", "-m", "--propagation", "private", "sh", "-c", ON_FULL_DISK, "sh"])
    finally:
        del os.environ["FULL"]


def compile_checks(c):
    full = os.path.join(c.tmp, "full")
    r = full_disk_run(c, "compile", POLICY, "-t", "nftables", "--node", "node1", "-o", os.path.join(full, "out.nft"))
    lines = r.stdout.splitlines()
    c.expect("rc=3" in lines and "No space left" in r.stderr,
             "compile -o onto a full disk: exit 3 and a message", r.stdout + r.stderr)
    c.expect(lines[-2:] == ["out.nft", "old"], "... the old file is intact and no temporary file is left",
             r.stdout)
    r = c.fwc_run("compile", POLICY, "-t", "nftables", "--node", "node1", "-o", "/dev/full")
    c.expect(r.returncode == 3 and "No space left" in r.stderr and os.path.exists("/dev/full") and
             not [f for f in os.listdir("/dev") if f.endswith(".tmp")],
             "compile -o onto a device writes to it (/dev/full: exit 3), never replacing it", r.stderr)
    out = os.path.join(c.tmp, "artefacts") + "/"
    for umask in (0o000, 0o077):
        r = c.fwc_run("compile", POLICY, "-t", "nftables", "-o", out, umask=umask)
        files = [os.path.join(out, f) for f in os.listdir(out)] if os.path.isdir(out) else []
        c.expect(r.returncode == 0 and files and all(mode(f) == 0o644 for f in files),
                 f"compile -o artefacts are 0644 under umask {umask:03o}", r.stderr)


def state_checks(c):
    with netlab.private_netns() as ns:
        state = os.path.join(c.tmp, "state")
        r = c.fwc_run("apply", POLICY, "--node", "node1", ns=ns, state=state, umask=0)
        files = sorted(os.listdir(state)) if os.path.isdir(state) else []
        c.expect(r.returncode == 0 and mode(state) == 0o700 and "applied.yaml" in files and
                 all(mode(os.path.join(state, f)) == 0o600 for f in files),
                 "under umask 000 the state directory is 0700 and its files 0600",
                 r.stderr + "\n" + " ".join(f"{f}:{mode(os.path.join(state, f)):o}" for f in files))
        link = os.path.join(c.tmp, "state-link")
        os.symlink(state, link)
        r = c.fwc_run("apply", "policies/quptime.yaml", ns=ns, state=link)
        table = netlab.run(["nft", "list", "table", "inet", "fwc"], ns=ns, check=False).stdout
        c.expect(r.returncode == 3 and "symlink" in r.stderr and "public-web" in table,
                 "a state directory that is a symlink is refused before applying", r.stderr)
        os.rename(os.path.join(state, "applied.nft"), os.path.join(c.tmp, "elsewhere.nft"))
        os.symlink(os.path.join(c.tmp, "elsewhere.nft"), os.path.join(state, "applied.nft"))
        r = c.fwc_run("apply", "policies/quptime.yaml", ns=ns, state=state)
        c.expect(r.returncode == 3 and "applied.nft" in r.stderr and "symlink" in r.stderr,
                 "a state file that is a symlink is refused", r.stderr)
        os.unlink(os.path.join(state, "applied.nft"))
        os.chown(state, 65534, 65534)
        r = c.fwc_run("confirm", ns=ns, state=state)
        c.expect(r.returncode == 3 and "owned by uid 65534" in r.stderr,
                 "a state directory owned by another user is refused", r.stderr)
        os.chown(state, 0, 0)
        r = full_disk_run(c, "apply", "policies/quptime.yaml", "--always", ns=ns, state=os.path.join(c.tmp, "full"))
        lines = r.stdout.splitlines()
        leftovers = [l for l in lines if ".tmp" in l]
        c.expect("rc=3" in lines and "state was not recorded" in r.stderr and not leftovers,
                 "apply with a full state disk: exit 3, a message, no temporary file", r.stdout + r.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    args = ap.parse_args()
    netlab.require_root()
    with tempfile.TemporaryDirectory(prefix="fwc-state-") as tmp:
        c = Checker(os.path.abspath(args.fwc), tmp)
        compile_checks(c)
        state_checks(c)
    return c.summary()


if __name__ == "__main__":
    netlab.exit_with(main)
