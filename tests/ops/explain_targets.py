#!/usr/bin/python3
"""`fwc explain --target T` finds T in the backend registry:

- every target `fwc targets` lists is accepted; an unknown one is exit 2;
- a host target that leaves out (or changes) a meter the packet passes
  through says so, with the target's FWC-W107 warning: a line
  "  on ufw: ..." in text and "meters_approximated" in JSON;
- a host target that keeps the meter answers exactly like explain without
  a target (the host view);
- a cloud target answers with its payload's view.
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

# One shared meter (a single bucket for every source): ufw's 'limit' counts
# per source, so ufw leaves the meter out; nftables keeps it.
POLICY = """fwc: 1
name: shared-meter
defaults: {inbound: drop}
rate_limits:
  - name: web-flood
    service: 8080/tcp
    rate: 100/second
    burst: 20
inbound:
  - allow: [8080/tcp]
    from: any
"""
PACKET = ["--from", "198.51.100.7", "--port", "8080/tcp"]
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def explain(fwc, policy, *args):
    return subprocess.run([fwc, "explain", policy, *PACKET, *args], capture_output=True, text=True)


def check_meter_notes(fwc, policy):
    plain = explain(fwc, policy).stdout
    ufw = explain(fwc, policy, "--target", "ufw")
    if ufw.returncode != 0:
        fail(f"explain --target ufw: exit {ufw.returncode}: {ufw.stderr}")
    notes = [l for l in ufw.stdout.splitlines() if l.startswith("  on ufw: ")]
    if len(notes) != 1 or "web-flood" not in notes[0] or "left out" not in notes[0]:
        fail(f"explain --target ufw does not say the meter is left out:\n{ufw.stdout}")
    if [l for l in ufw.stdout.splitlines() if not l.startswith("  on ufw: ")] != plain.splitlines():
        fail(f"explain --target ufw is not the host view plus the note:\n{ufw.stdout}")
    answer = json.loads(explain(fwc, policy, "--target", "ufw", "--format", "json").stdout)
    left_out = answer.get("meters_approximated", [])
    if answer.get("target") != "ufw" or len(left_out) != 1 or left_out[0].get("code") != "FWC-W107" \
            or left_out[0].get("meter") != "rate_limits[0] web-flood":
        fail(f"explain --target ufw --format json: {answer}")
    for target in ("nftables",):
        for fmt in ("text", "json"):
            kept = explain(fwc, policy, "--target", target, "--format", fmt).stdout
            if kept != explain(fwc, policy, "--format", fmt).stdout:
                fail(f"explain --target {target} --format {fmt} differs from the host view:\n{kept}")


def check_registry(fwc, policy):
    listed = subprocess.run([fwc, "targets"], capture_output=True, text=True).stdout.split("\n")
    names = [l.split()[0] for l in listed if l.strip()]
    for name in names:
        r = explain(fwc, policy, "--target", name)
        if r.returncode != 0 or not r.stdout.startswith("accept"):
            fail(f"explain --target {name}: exit {r.returncode}: {r.stdout}{r.stderr}")
    for name in ("digitalocean", "aws", "hetzner"):
        if name in names and f"on {name}, group " not in explain(fwc, policy, "--target", name).stdout:
            fail(f"explain --target {name} is not the cloud view")
    r = explain(fwc, policy, "--target", "nosuch")
    if r.returncode != 2 or "unknown target 'nosuch'" not in r.stderr:
        fail(f"explain --target nosuch: exit {r.returncode}: {r.stderr}")
    return len(names)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    fwc = str(Path(ap.parse_args().fwc).resolve())
    with tempfile.TemporaryDirectory() as tmp:
        policy = str(Path(tmp) / "shared-meter.yaml")
        Path(policy).write_text(POLICY)
        check_meter_notes(fwc, policy)
        n = check_registry(fwc, policy)
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print(f"explain targets: ok ({n} targets)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
