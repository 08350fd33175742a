#!/usr/bin/python3
"""Malformed-policy corpus: every file must make `fwc lint --strict` exit 2
(1 when it expects only warnings) with each expected diagnostic (code at
file:line:col) and never crash.

Each corpus file starts with one or more `# expect: LINE:COL CODE` lines;
`?:?` accepts any location, `lists/x.txt:LINE:COL` points into another file
relative to the corpus folder.
"""
import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parent
EXPECT = re.compile(rb"^# expect: (\S+) (FWC-[EW]\d{3})\s*$")


def expectations(path):
    out = []
    for line in path.read_bytes().splitlines():
        m = EXPECT.match(line)
        if not m:
            break
        out.append((m.group(1).decode(), m.group(2).decode()))
    return out


def check(fwc, path):
    rel = os.path.relpath(path)
    res = subprocess.run([fwc, "lint", "--strict", rel], capture_output=True)
    text = res.stdout.decode(errors="replace") + res.stderr.decode(errors="replace")
    problems = []
    if res.returncode < 0 or res.returncode > 3:
        return [f"crashed (status {res.returncode})\n{text}"]
    wanted = expectations(path)
    # A file that only expects warnings fails `lint --strict` with exit 1.
    status = 2 if any(code.startswith("FWC-E") for _, code in wanted) else 1
    if res.returncode != status:
        problems.append(f"exit {res.returncode}, expected {status}")
    if not wanted:
        problems.append("no '# expect:' header")
    for where, code in wanted:
        severity = "error" if code.startswith("FWC-E") else "warning"
        if where == "?:?":
            pattern = rf"^\S+:\d+:\d+: {severity}: .*\[{code}\]$"
        elif re.match(r"^\d+:\d+$", where):
            pattern = rf"^{re.escape(rel)}:{where}: {severity}: .*\[{code}\]$"
        else:
            target = os.path.relpath(CORPUS / where.rsplit(":", 2)[0])
            loc = ":".join(where.rsplit(":", 2)[1:])
            pattern = rf"^{re.escape(target)}:{loc}: {severity}: .*\[{code}\]$"
        if not re.search(pattern, text, re.M):
            problems.append(f"missing {code} at {where}")
    if problems:
        problems.append("output was:\n" + text)
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    args = ap.parse_args()
    fwc = os.path.abspath(args.fwc)
    files = sorted(CORPUS.glob("*.yaml"))
    passed, failed = 0, 0
    for f in files:
        problems = check(fwc, f)
        if problems:
            failed += 1
            print(f"FAIL {f.name}: " + "\n  ".join(problems))
        else:
            passed += 1
    if len(files) < 30:
        failed += 1
        print(f"FAIL corpus has {len(files)} files, expected at least 30")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
