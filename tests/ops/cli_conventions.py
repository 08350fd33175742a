#!/usr/bin/python3
"""Conventions every command follows (fwc(1)):

- exit status 0 ok, 1 findings, 2 bad input or usage, 3 runtime failure;
- colour only on a terminal, never with NO_COLOR set (checked on a pty);
- -q/--quiet drops summary lines, -v/--verbose adds progress on stderr,
  before or after the subcommand;
- fwc(1) documents every subcommand, every diagnostic code of
  compiler/diag/diagnostic.h, the exit statuses, NO_COLOR, -q and -v.
"""
import argparse
import os
import pty
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WARN = "tests/ops/inputs/warnings.yaml"
BAD = "tests/malformed/08-unknown-top-level-key-netwroks.yaml"
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(fwc, *args, env=None):
    return subprocess.run([fwc, *args], cwd=ROOT, capture_output=True, text=True, env=env)


def on_pty(fwc, args, env, stream):
    """Runs fwc with `stream` (1 or 2) on a pseudo-terminal; returns its bytes."""
    master, slave = pty.openpty()
    kw = {"stdout": slave if stream == 1 else subprocess.DEVNULL,
          "stderr": slave if stream == 2 else subprocess.DEVNULL}
    proc = subprocess.Popen([fwc, *args], cwd=ROOT, env=env, stdin=subprocess.DEVNULL, **kw)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait()
    os.close(master)
    return out


def check_exit_codes(fwc, tmp):
    cases = [
        ([], 2), (["--help"], 0), (["--version"], 0), (["nosuchcommand"], 2),
        (["lint", "--bogus", "policies/"], 2), (["lint"], 2),
        (["lint", "policies/"], 0), (["lint", "--strict", "policies/"], 0),
        (["lint", WARN], 0), (["lint", "--strict", WARN], 1),
        (["lint", BAD], 2), (["lint", "--format", "sarif", BAD], 2), (["lint", "no/such/file.yaml"], 2),
        (["lint", "--format", "yaml", "policies/"], 2),
        (["compile", "policies/quptime.yaml", "-t", "nftables"], 0),
        (["compile", "policies/quptime.yaml", "-t", "nosuchtarget"], 2),
        (["compile", BAD, "-t", "nftables"], 2),
        (["compile", "--strict", WARN, "-t", "nftables"], 1),
        (["compile", "policies/quptime.yaml", "-t", "nftables", "-o", f"{tmp}/no/such/dir/x.nft"], 3),
        (["explain", "policies/quptime.yaml", "--from", "198.51.100.11", "--port", "9901/tcp"], 0),
        (["explain", "policies/quptime.yaml", "--from", "not-an-address", "--port", "9901/tcp"], 2),
        (["explain", "policies/quptime.yaml"], 2),
        (["explain", "policies/quptime.yaml", "--batch", "--from", "198.51.100.11"], 2),
        (["targets"], 0), (["schema"], 0),
        (["completion", "bash"], 0), (["completion", "fish"], 2),
        (["init", "--preset", "nope", "-o", "-"], 2), (["init", "-o", f"{tmp}/no/such/dir/p.yaml"], 3),
    ]
    for args, want in cases:
        r = run(fwc, *args)
        if r.returncode != want:
            fail(f"fwc {' '.join(args)}: exit {r.returncode}, expected {want}\n{r.stdout[-300:]}{r.stderr[-300:]}")
    return len(cases)


def check_explain_batch(fwc):
    """--batch answers line by line, as single runs do; a bad line is exit 2."""
    packets = ["198.51.100.11 9901/tcp", "203.0.113.99 9901/tcp", "2001:db8::1 22/tcp"]
    single = [run(fwc, "explain", "policies/quptime.yaml", "--from", p.split()[0], "--port", p.split()[1],
                  "--format", "json").stdout for p in packets]
    batch = subprocess.run([fwc, "explain", "policies/quptime.yaml", "--batch", "--format", "json"], cwd=ROOT,
                           input="# comment\n\n" + "\n".join(packets) + "\n", capture_output=True, text=True)
    if batch.returncode != 0 or batch.stdout != "".join(single):
        fail(f"explain --batch differs from single runs:\n{batch.stdout}{batch.stderr}\nvs\n{''.join(single)}")
    bad = subprocess.run([fwc, "explain", "policies/quptime.yaml", "--batch"], cwd=ROOT,
                         input=packets[0] + "\n9901/tcp\n", capture_output=True, text=True)
    if bad.returncode != 2 or "line 2" not in bad.stderr or bad.stdout.count("\n") < 1:
        fail(f"explain --batch with a bad second line: exit {bad.returncode}, {bad.stderr!r}")


def check_colour(fwc):
    esc = b"\x1b["
    base = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if esc not in on_pty(fwc, ["lint", WARN], base, 1):
        fail("lint on a terminal: no colour")
    if esc in on_pty(fwc, ["lint", WARN], {**base, "NO_COLOR": "1"}, 1):
        fail("lint on a terminal with NO_COLOR=1: colour")
    if esc not in on_pty(fwc, ["lint", WARN], {**base, "NO_COLOR": ""}, 1):
        fail("NO_COLOR set but empty should not disable colour (no-color.org)")
    if esc in run(fwc, "lint", WARN, env=base).stdout.encode():
        fail("lint into a pipe: colour")
    if esc not in on_pty(fwc, ["compile", BAD, "-t", "nftables"], base, 2):
        fail("compile diagnostics on a terminal (stderr): no colour")
    if esc in on_pty(fwc, ["compile", BAD, "-t", "nftables"], {**base, "NO_COLOR": "yes"}, 2):
        fail("compile diagnostics with NO_COLOR: colour")
    for fmt in ["json", "sarif", "github"]:
        if esc in on_pty(fwc, ["lint", "--format", fmt, WARN], base, 1):
            fail(f"--format {fmt} on a terminal: colour codes in machine output")


def check_verbosity(fwc):
    normal = run(fwc, "lint", "policies/")
    if "files checked" not in normal.stdout:
        fail("lint prints no summary line")
    for args in (["-q", "lint", "policies/"], ["lint", "--quiet", "policies/"]):
        r = run(fwc, *args)
        if r.returncode != 0 or r.stdout or r.stderr:
            fail(f"fwc {' '.join(args)}: not quiet: {r.stdout!r} {r.stderr!r}")
    r = run(fwc, "lint", "-q", BAD)
    if r.returncode != 2 or "FWC-E003" not in r.stdout:
        fail("--quiet hid an error")
    policies = sorted(p.name for p in (ROOT / "policies").glob("*.yaml"))
    for args in (["-v", "lint", "policies/"], ["lint", "--verbose", "policies/"]):
        r = run(fwc, *args)
        checked = re.findall(r"checking \S*/(\S+)$", r.stderr, re.M)
        if r.returncode != 0 or checked != policies or r.stdout != normal.stdout:
            fail(f"fwc {' '.join(args)}: progress {checked}, expected {policies}")


def check_manual(fwc):
    page = (ROOT / "man/fwc.1").read_text().replace("\\-", "-")
    header = (ROOT / "compiler/diag/diagnostic.h").read_text()
    codes = sorted(set(re.findall(r'"(FWC-[EW]\d{3})"', header)))
    listed = page.split(".SS Diagnostic codes")[1].split(".SH")[0] if ".SS Diagnostic codes" in page else ""
    for code in codes:
        if not re.search(rf"^\.B {code}$", listed, re.M):
            fail(f"fwc(1) Diagnostic codes does not list {code}")
    help_text = run(fwc, "--help").stdout
    for sub in re.findall(r"^  (\S+)\s", help_text.split("Subcommands:")[1], re.M):
        if not re.search(rf"^\.B fwc {sub}\b", page, re.M):
            fail(f"fwc(1) SYNOPSIS does not show 'fwc {sub}'")
    status = page.split(".SH EXIT STATUS")[1].split(".SH")[0] if ".SH EXIT STATUS" in page else ""
    for n in "0123":
        if not re.search(rf"^\.B {n}$", status, re.M):
            fail(f"fwc(1) EXIT STATUS does not describe {n}")
    for word in ["NO_COLOR", "--quiet", "--verbose", "sarif", "github"]:
        if word not in page:
            fail(f"fwc(1) does not mention {word}")
    return len(codes)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    fwc = str(Path(ap.parse_args().fwc).resolve())
    with tempfile.TemporaryDirectory() as tmp:
        n = check_exit_codes(fwc, tmp)
    check_explain_batch(fwc)
    check_colour(fwc)
    check_verbosity(fwc)
    codes = check_manual(fwc)
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print(f"cli conventions: ok ({n} exit statuses, {codes} codes documented)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
