#!/usr/bin/python3
"""`fwc diff OLD NEW` and `fwc diff --git REV POLICY`: the semantic diff.

Each pair tests/ops/inputs/policy-diff/NAME.old.yaml / NAME.new.yaml is
compared in text, markdown and json; the outputs must match
tests/ops/golden/policy-diff/NAME.{txt,md,json} (FWC_UPDATE_GOLDEN=1
rewrites them). Also: exit status 0 for no verdict change, 1 for changes,
2 for a policy with errors; the json is well-formed; github annotations
point at the new file's rule lines; --git reads the committed version.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ROOT / "tests/ops/inputs/policy-diff"
GOLDEN = ROOT / "tests/ops/golden/policy-diff"
FORMATS = {"text": "txt", "markdown": "md", "json": "json"}
UPDATE = os.environ.get("FWC_UPDATE_GOLDEN") == "1"

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def diff(fwc, *args, cwd=INPUTS):
    return subprocess.run([fwc, "diff", *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def check_golden(fwc, name):
    old, new = f"{name}.old.yaml", f"{name}.new.yaml"
    for fmt, ext in FORMATS.items():
        res = diff(fwc, "--format", fmt, old, new)
        if res.returncode != 1:
            fail(f"{name} {fmt}: exit {res.returncode}, expected 1 (changes): {res.stderr}")
            continue
        if fmt == "json":
            doc = json.loads(res.stdout)
            if not doc["changed"] or doc["schema"] != "fwc-policy-diff/1":
                fail(f"{name}: json says no change or has another schema")
        golden = GOLDEN / f"{name}.{ext}"
        if UPDATE:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(res.stdout)
        elif not golden.exists() or golden.read_text() != res.stdout:
            fail(f"{name} {fmt}: output differs from {golden.relative_to(ROOT)}:\n{res.stdout}")
    same = diff(fwc, old, old)
    if same.returncode != 0 or same.stdout != "no verdict change\n":
        fail(f"{name}: a policy against itself: exit {same.returncode}, {same.stdout!r}")


def check_github(fwc):
    res = diff(fwc, "--format", "github", "admin-office.old.yaml", "admin-office.new.yaml")
    lines = res.stdout.splitlines()
    want = "::warning file=admin-office.new.yaml,line="
    if res.returncode != 1 or not lines or not all(l.startswith(want) for l in lines):
        fail(f"github: exit {res.returncode}, {res.stdout!r}")
        return
    line = int(lines[0][len(want):].split(",")[0])
    rule = (INPUTS / "admin-office.new.yaml").read_text().splitlines()[line - 1]
    if "office-admin" not in rule:
        fail(f"github: line {line} is not the new rule: {rule!r}")


def check_github_outbound(fwc):
    # Outbound regions and forward/setting lines are anchored at the new
    # file's rule or default, like the input regions.
    for name, word, rule in (("egress-allowlist", "outbound", "outbound: drop"), ("forward-icmp", "forward", "dmz-web")):
        res = diff(fwc, "--format", "github", f"{name}.old.yaml", f"{name}.new.yaml")
        want = f"::notice file={name}.new.yaml,line="
        lines = [l for l in res.stdout.splitlines() if l.startswith(want) and f" {word} " in l]
        if res.returncode != 1 or not lines:
            fail(f"github {name}: exit {res.returncode}, {res.stdout!r}")
            continue
        line = int(lines[0][len(want):].split(",")[0])
        text = (INPUTS / f"{name}.new.yaml").read_text().splitlines()[line - 1]
        if rule not in text:
            fail(f"github {name}: line {line} is not {rule!r}: {text!r}")


def check_bad_input(fwc):
    with tempfile.TemporaryDirectory() as tmp:
        bad = Path(tmp) / "bad.yaml"
        bad.write_text("fwc: 1\nname: bad\ninbound:\n  - alow: [22/tcp]\n    from: any\n")
        res = diff(fwc, str(INPUTS / "admin-office.old.yaml"), str(bad))
        if res.returncode != 2 or "FWC-E003" not in res.stderr:
            fail(f"bad input: exit {res.returncode}, stderr {res.stderr!r}")
    # Options of the live comparison are refused with two versions, and
    # --format without them (nothing is read from the kernel either way).
    for args in (["--strict", "admin-office.old.yaml", "admin-office.new.yaml"],
                 ["--format", "json", "admin-office.new.yaml"]):
        res = diff(fwc, *args)
        if res.returncode != 2:
            fail(f"diff {' '.join(args)}: exit {res.returncode}, expected 2")


def check_git(fwc):
    git = shutil.which("git")
    if not git:
        print("SKIP: --git: git is not installed")
        return
    with tempfile.TemporaryDirectory() as tmp:
        sub = Path(tmp) / "repo" / "policies"
        sub.mkdir(parents=True)
        env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
                   GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
        run = lambda *a: subprocess.run([git, *a], cwd=sub, env=env, capture_output=True, check=True)
        run("init", "-q")
        shutil.copy(INPUTS / "admin-office.old.yaml", sub / "web.yaml")
        run("add", "web.yaml")
        run("commit", "-qm", "web")
        shutil.copy(INPUTS / "admin-office.new.yaml", sub / "web.yaml")
        res = diff(fwc, "--git", "HEAD", "web.yaml", cwd=sub)
        want = (GOLDEN / "admin-office.txt").read_text()
        if res.returncode != 1 or res.stdout != want.replace("admin-office.new.yaml", "web.yaml").replace(
                "admin-office.old.yaml", "web.yaml@HEAD"):
            fail(f"--git HEAD: exit {res.returncode}, {res.stdout!r} {res.stderr!r}")
        res = diff(fwc, "--git", "no-such-rev", "web.yaml", cwd=sub)
        if res.returncode != 2:
            fail(f"--git with an unknown revision: exit {res.returncode}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    fwc = os.path.abspath(ap.parse_args().fwc)
    names = sorted(p.name[: -len(".old.yaml")] for p in INPUTS.glob("*.old.yaml"))
    for name in names:
        check_golden(fwc, name)
    check_github(fwc)
    check_github_outbound(fwc)
    check_bad_input(fwc)
    check_git(fwc)
    print(f"{len(names)} cases, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
