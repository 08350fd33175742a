#!/usr/bin/python3
"""`fwc init`: each preset writes a policy that `fwc lint --strict` passes and
the policy JSON Schema accepts; an existing file is kept unless --force;
`-o -` writes to standard output; an unknown preset is a usage error."""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[2]
PRESETS = ["web", "cluster", "edge", "admin-only"]
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(*args, cwd=None):
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    fwc = str(Path(ap.parse_args().fwc).resolve())
    validator = jsonschema.Draft7Validator(json.loads((ROOT / "schema/fwc-policy.schema.json").read_text()))
    with tempfile.TemporaryDirectory() as tmp:
        for preset in PRESETS:
            out = Path(tmp, f"{preset}.yaml")
            r = run(fwc, "init", "--preset", preset, "-o", str(out))
            if r.returncode != 0 or not out.exists():
                fail(f"init --preset {preset}: exit {r.returncode}: {r.stderr}")
                continue
            text = out.read_text()
            if sum(1 for line in text.splitlines() if line.lstrip().startswith("#")) < 3:
                fail(f"{preset}: not a commented starter policy")
            lint = run(fwc, "lint", "--strict", str(out))
            if lint.returncode != 0 or "0 errors, 0 warnings" not in lint.stdout:
                fail(f"{preset}: lint --strict exit {lint.returncode}:\n{lint.stdout}")
            for e in validator.iter_errors(yaml.safe_load(text)):
                fail(f"{preset}: schema rejects /{'/'.join(map(str, e.absolute_path))}: {e.message[:120]}")
            stdout = run(fwc, "init", "--preset", preset, "-o", "-")
            if stdout.returncode != 0 or stdout.stdout != text:
                fail(f"{preset}: -o - differs from the file")
            for target in ["nftables", "iptables"]:
                dest = Path(tmp, f"out-{preset}-{target}") / ""
                c = run(fwc, "compile", str(out), "-t", target, "-o", str(dest) + "/")
                if c.returncode != 0:
                    fail(f"{preset}: compile -t {target} exit {c.returncode}: {c.stderr}")

        # Refuses to overwrite; --force does; the default name is policy.yaml.
        target = Path(tmp, "web.yaml")
        target.write_text("# mine\n")
        r = run(fwc, "init", "--preset", "edge", "-o", str(target))
        if r.returncode != 2 or target.read_text() != "# mine\n" or "--force" not in r.stderr:
            fail(f"overwrote or wrong status without --force: exit {r.returncode}, {r.stderr!r}")
        r = run(fwc, "init", "--preset", "edge", "-o", str(target), "--force")
        if r.returncode != 0 or "name: edge" not in target.read_text():
            fail(f"--force did not overwrite: exit {r.returncode}")
        r = run(fwc, "init", cwd=tmp)
        if r.returncode != 0 or "name: web" not in Path(tmp, "policy.yaml").read_text():
            fail(f"default init: exit {r.returncode}")
        r = run(fwc, "init", "--preset", "nope", "-o", str(Path(tmp, "x.yaml")))
        if r.returncode != 2 or Path(tmp, "x.yaml").exists():
            fail(f"unknown preset: exit {r.returncode}")
        r = run(fwc, "init", "-o", str(Path(tmp, "no/such/dir/p.yaml")))
        if r.returncode != 3:
            fail(f"unwritable output: exit {r.returncode}, expected 3")
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print(f"init presets: {len(PRESETS)} presets ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
