#!/usr/bin/python3
"""The lock-out guard of `fwc apply`, as an operator meets it.

The guard runs after compiling and before any netlink traffic, so these
cases need neither root nor a network namespace:
- an SSH_CONNECTION that does not parse is refused (exit 2, saying so and
  naming --force), not silently skipped;
- an IPv4-mapped client (any spelling) is its IPv4 address: a blocked one
  is refused naming the deciding rule.
"""
import argparse
import os
import subprocess
import sys
import tempfile

POLICY = """fwc: 1
name: guard
block:
  - name: scanners
    from: 198.51.100.66
inbound:
  - name: operators
    allow: [22/tcp]
    from: 203.0.113.0/24
"""


def apply(fwc, policy, ssh_connection, state_dir):
    env = dict(os.environ, SSH_CONNECTION=ssh_connection, FWC_STATE_DIR=state_dir)
    return subprocess.run([fwc, "apply", policy, "--dry-run"], env=env, capture_output=True, text=True,
                          timeout=60)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    fwc = os.path.abspath(ap.parse_args().fwc)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        policy = os.path.join(tmp, "guard.yaml")
        with open(policy, "w") as f:
            f.write(POLICY)
        for value in ["garbage", "203.0.113.5 50000 198.51.100.1", "::ffff:203.0.113 1 198.51.100.1 22",
                      "203.0.113.5 50000 198.51.100.1 22 extra"]:
            res = apply(fwc, policy, value, tmp)
            if res.returncode != 2 or "SSH_CONNECTION" not in res.stderr or "--force" not in res.stderr:
                failures.append(f"SSH_CONNECTION={value!r}: exit {res.returncode}, expected 2\n{res.stderr}")
        for value in ["::FFFF:198.51.100.66 50000 198.51.100.1 22", "0:0:0:0:0:ffff:c633:6442 50000 ::1 22"]:
            res = apply(fwc, policy, value, tmp)
            if res.returncode != 2 or "block[0] scanners" not in res.stderr or "198.51.100.66" not in res.stderr:
                failures.append(f"SSH_CONNECTION={value!r}: exit {res.returncode}, expected 2 naming "
                                f"block[0]\n{res.stderr}")
    for f in failures:
        print("FAIL:", f)
    print(f"lockout guard: {6 - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
