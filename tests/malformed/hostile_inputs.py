#!/usr/bin/python3
"""Hostile inputs a policy can name, through the real command line.

- `file:` and `include:` naming a FIFO (no writer), a device or an oversized
  file: FWC-E011 at once (a subprocess timeout catches a hang).
- Terminal escapes and other control bytes in list lines and file names:
  never raw in text, github, json or sarif output (decoded JSON strings
  included).
- A list or include that is not one (a file of secrets): at most a short
  excerpt of its first bad line, in every format.
- 80,000 bad entries: text output shows 100 diagnostics and one count line,
  with an exact summary; github the same; json all of them.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

CORPUS = Path(__file__).resolve().parent
FORMATS = ["text", "json", "sarif", "github"]
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def lint(fwc, paths, fmt="text", cwd=None):
    try:
        return subprocess.run([fwc, "lint", "--format", fmt, *paths], capture_output=True, timeout=20, cwd=cwd)
    except subprocess.TimeoutExpired:
        fail(f"lint {paths} --format {fmt}: no answer in 20 s")
        return None


def policy(directory, name, networks):
    path = Path(directory) / name
    path.write_text("fwc: 1\nname: demo\n" + networks + "inbound:\n  - allow: [22/tcp]\n    from: 203.0.113.10\n")
    return str(path)


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def control_free(fmt, out, what):
    raw = re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", out)
    if raw:
        fail(f"{what} --format {fmt}: raw control byte {raw.group()!r} in the output")
    if fmt in ("json", "sarif"):
        for s in strings(json.loads(out)):
            if re.search(r"[\x00-\x1f\x7f-\x9f]", s):
                fail(f"{what} --format {fmt}: control character in the string {s!r}")


def check_not_regular(fwc, tmp):
    fifo = Path(tmp) / "fifo"
    os.mkfifo(fifo)
    big = Path(tmp) / "big.txt"
    with open(big, "wb") as f:
        f.truncate((64 << 20) + 1)
    cases = {"fifo": "is a FIFO", "/dev/zero": "is a character device", str(tmp): "is a directory",
             "big.txt": "is larger than 64 MiB"}
    for target, why in cases.items():
        for key in ("file", "include"):
            text = (f"networks:\n  blocked: {{file: '{target}'}}\n" if key == "file" else f"include: ['{target}']\n")
            p = policy(tmp, "p.yaml", text)
            res = lint(fwc, [p])
            if res is None:
                continue
            out = res.stdout.decode(errors="replace")
            if res.returncode != 2 or "[FWC-E011]" not in out or why not in out:
                if not (key == "include" and target == "big.txt" and "larger than 1 MiB" in out):
                    fail(f"{key}: {target}: exit {res.returncode}, expected E011 '{why}':\n{out}")


def check_escapes_and_disclosure(fwc, tmp):
    secrets = Path(tmp) / "secrets"
    secrets.write_text("root:$y$j9T$hunter2hunter2hunter2hunter2hunter2hunter2:19700:0:99999:7:::\n"
                       "admin:hunter2-second-line:19700::::::\n")
    evil_dir = Path(tmp) / "evil\x1b[2J\ndir"
    evil_dir.mkdir()
    p1 = policy(evil_dir, "po\x1b]0;x\x07licy.yaml", f"networks:\n  blocked: {{file: '{secrets}'}}\n")
    p2 = str(CORPUS / "73-file-list-escape-bytes.yaml")
    p3 = str(CORPUS / "70-include-not-a-fragment.yaml")
    for fmt in FORMATS:
        res = lint(fwc, [p1, p2, p3], fmt)
        if res is None:
            continue
        if res.returncode != 2:
            fail(f"--format {fmt}: exit {res.returncode}, expected 2")
        control_free(fmt, res.stdout, "escape bytes")
        out = res.stdout.decode(errors="replace")
        if "hunter2-second-line" in out or "hunter2hunter2hunter2hunter2hunter2" in out:
            fail(f"--format {fmt}: a secret file's content is shown:\n{out}")
        if "0123456789abcdef" in out:
            fail(f"--format {fmt}: the not-a-fragment include's content is shown:\n{out}")
        if "\\x1b" not in out:
            fail(f"--format {fmt}: ESC not shown escaped:\n{out}")


def check_many_diagnostics(fwc, tmp):
    lines = "".join(f"    - 10.0.{i % 256}.{300 + i}\n" for i in range(80000))
    p = policy(tmp, "many.yaml", "networks:\n  blocked:\n" + lines)
    res = lint(fwc, [p])
    if res is not None:
        out = res.stdout.decode()
        shown = len(re.findall(r"^\S+:\d+:\d+: error: ", out, re.M))
        if shown != 100 or "79900 more diagnostics in " not in out or "1 file checked: 80000 errors" not in out:
            fail(f"text: {shown} diagnostics shown, expected 100, a count and the exact summary:\n{out[-400:]}")
    res = lint(fwc, [p], "github")
    if res is not None:
        out = res.stdout.decode()
        if out.count("::error ") != 100 or "::notice " not in out or "79900 more diagnostics" not in out:
            fail(f"github: expected 100 annotations and one notice:\n{out[-400:]}")
    res = lint(fwc, [p], "json")
    if res is not None and len(json.loads(res.stdout)) != 80000:
        fail("json: expected all 80000 diagnostics")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    fwc = os.path.abspath(ap.parse_args().fwc)
    with tempfile.TemporaryDirectory(prefix="fwc-hostile-") as tmp:
        check_not_regular(fwc, tmp)
        check_escapes_and_disclosure(fwc, tmp)
        check_many_diagnostics(fwc, tmp)
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("hostile inputs: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
