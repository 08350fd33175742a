#!/usr/bin/python3
"""Conventions every command follows (fwc(1)):

- exit status 0 ok, 1 findings, 2 bad input or usage, 3 runtime failure;
- a write error on standard output (a full disk, a closed pipe with SIGPIPE
  ignored) is exit 3 with one message, for every command; with SIGPIPE at
  its default a closed pipe ends fwc quietly;
- an unknown command is named, with a suggestion;
- colour only on a terminal, never with NO_COLOR set or TERM=dumb (checked
  on a pty);
- -q/--quiet drops summary lines, -v/--verbose adds progress on stderr,
  before or after the subcommand; every subcommand's --help shows them;
- fwc(1) documents every subcommand, every option with every command that
  takes it, the exit statuses, NO_COLOR, TERM, -q and -v, and carries a
  date (its diagnostic codes: tests/unit/test_diag_codes.cpp).
"""
import argparse
import os
import pty
import re
import signal
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
        (["block", "not-an-address"], 2), (["block", "198.51.100.7", "--for", "5x"], 2),
        (["unblock", "198.51.100.7/24"], 2), (["blocked", "--format", "yaml"], 2),
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


# Commands that write to standard output, with what they read on stdin.
OUTPUT_COMMANDS = [
    (["lint", "policies/"], None), (["lint", "--format", "json", WARN], None),
    (["lint", "--format", "sarif", WARN], None), (["lint", "--format=github", WARN], None),
    (["compile", "policies/quptime.yaml", "-t", "nftables"], None),
    (["compile", "policies/quptime.yaml", "-t", "nftables", "-o", "-"], None),
    (["explain", "policies/quptime.yaml", "--from", "198.51.100.11", "--port", "9901/tcp"], None),
    (["explain", "policies/quptime.yaml", "--format", "json", "--batch"], "198.51.100.11 9901/tcp\n"),
    (["targets"], None), (["schema"], None), (["init", "-o", "-"], None),
    (["completion", "bash"], None), (["completion", "zsh"], None),
    (["--help"], None), (["compile", "--help"], None), (["--version"], None),
]
# Commands that read this host's kernel state: run in a network namespace
# of their own, holding 198.51.100.1 on its loopback for verify to probe.
NETNS_COMMANDS = [
    ["status"], ["status", "--format", "json"], ["status", "--format", "prometheus"],
    ["diff", "policies/quptime.yaml"],
    ["blocked"], ["blocked", "--format", "json"],
    ["refresh", "-p", "policies/quptime.yaml", "--dry-run"],
    ["verify", "198.51.100.1", "--connect", "--ports", "22,80", "-p", "policies/quptime.yaml"],
]
NETNS = ["unshare", "--net", "sh", "-c",
         'ip link set lo up && ip addr add 198.51.100.1/32 dev lo && exec "$@"', "sh"]


def ignore_sigpipe():
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)


def write_to_closed_pipe(argv, stdin, sigpipe_ignored):
    read_end, write_end = os.pipe()
    os.close(read_end)
    proc = subprocess.run(argv, cwd=ROOT, stdout=write_end, stderr=subprocess.PIPE, text=True, input=stdin,
                          preexec_fn=ignore_sigpipe if sigpipe_ignored else None)
    os.close(write_end)
    return proc


def expect_write_error(argv, what, r, reason):
    name = "fwc " + " ".join(argv[len(NETNS) + 1:] if argv[0] == "unshare" else argv[1:])
    want = f"fwc: cannot write output: {reason}\n"
    if r.returncode != 3 or r.stderr.count("cannot write output") != 1 or not r.stderr.endswith(want):
        fail(f"{name} {what}: exit {r.returncode}, stderr {r.stderr[-300:]!r}; want exit 3 and {want!r}")


def check_write_errors(fwc):
    """Standard output that cannot be written is a runtime failure (3)."""
    cases = [([fwc, *args], stdin) for args, stdin in OUTPUT_COMMANDS]
    if os.geteuid() == 0:
        cases += [(NETNS + [fwc, *args], None) for args in NETNS_COMMANDS]
    elif os.environ.get("CI") == "true":
        fail("not root under CI=true: status, diff and verify write errors not checked")
    else:
        print("not root: status, diff and verify write errors not checked (they need a network namespace)")
    for argv, stdin in cases:
        with open("/dev/full", "w") as full:
            r = subprocess.run(argv, cwd=ROOT, stdout=full, stderr=subprocess.PIPE, text=True, input=stdin)
        expect_write_error(argv, "> /dev/full", r, "No space left on device")
        expect_write_error(argv, "| (closed, SIGPIPE ignored)", write_to_closed_pipe(argv, stdin, True),
                           "Broken pipe")
    # SIGPIPE at its default: killed by it, without a word, as other tools are.
    r = write_to_closed_pipe([fwc, "schema"], None, False)
    if r.returncode != -signal.SIGPIPE or r.stderr:
        fail(f"schema | (closed): exit {r.returncode}, {r.stderr!r}; want death by SIGPIPE, silent")
    return len(cases)


def check_unknown_command(fwc):
    for args, want in [(["frobnicate"], "fwc: unknown command 'frobnicate'\n"),
                       (["lnt", "policies/"], "fwc: unknown command 'lnt' (did you mean 'lint'?)\n"),
                       (["-q", "complie"], "fwc: unknown command 'complie' (did you mean 'compile'?)\n")]:
        r = run(fwc, *args)
        if r.returncode != 2 or not r.stderr.startswith(want) or r.stdout:
            fail(f"fwc {' '.join(args)}: exit {r.returncode}, {r.stderr!r}; want exit 2 and {want!r}")


def subcommands_of(fwc):
    return re.findall(r"^  (\S+)\s", run(fwc, "--help").stdout.split("Subcommands:")[1], re.M)


def check_subcommand_help(fwc):
    """Every subcommand's --help shows -q/-v; --node says what it means there."""
    node_help = {}
    for sub in subcommands_of(fwc):
        text = run(fwc, sub, "--help").stdout
        for flag in ["-q,--quiet", "-v,--verbose"]:
            if flag not in text:
                fail(f"fwc {sub} --help does not show {flag}")
        if "--node" in text:
            node_help[sub] = re.search(r"--node \S+(?: Excludes: --role)?\s+(.+)", text).group(1).strip()
    if sorted(node_help) != ["apply", "compile", "diff", "explain", "refresh", "verify"]:
        fail(f"commands with --node: {sorted(node_help)}")
    if len(set(node_help.values())) != len(node_help):
        fail(f"--node help is not specific to each command: {node_help}")
    for sub, text in node_help.items():
        if sub != "compile" and text.lower().startswith("compile"):
            fail(f"fwc {sub} --help: --node help speaks of compiling: {text!r}")


def check_colour(fwc):
    esc = b"\x1b["
    base = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if esc not in on_pty(fwc, ["lint", WARN], base, 1):
        fail("lint on a terminal: no colour")
    if esc in on_pty(fwc, ["lint", WARN], {**base, "NO_COLOR": "1"}, 1):
        fail("lint on a terminal with NO_COLOR=1: colour")
    if esc in on_pty(fwc, ["lint", WARN], {**base, "TERM": "dumb"}, 1):
        fail("lint on a terminal with TERM=dumb: colour")
    if esc in on_pty(fwc, ["compile", BAD, "-t", "nftables"], {**base, "TERM": "dumb"}, 2):
        fail("compile diagnostics on a terminal with TERM=dumb: colour")
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
    help_text = run(fwc, "--help").stdout
    for sub in re.findall(r"^  (\S+)\s", help_text.split("Subcommands:")[1], re.M):
        if not re.search(rf"^\.B fwc {sub}\b", page, re.M):
            fail(f"fwc(1) SYNOPSIS does not show 'fwc {sub}'")
    status = page.split(".SH EXIT STATUS")[1].split(".SH")[0] if ".SH EXIT STATUS" in page else ""
    for n in "0123":
        if not re.search(rf"^\.B {n}$", status, re.M):
            fail(f"fwc(1) EXIT STATUS does not describe {n}")
    for word in ["NO_COLOR", "TERM", "--quiet", "--verbose", "sarif", "github", "--policy"]:
        if word not in page:
            fail(f"fwc(1) does not mention {word}")
    for p in ["man/fwc.1", "man/fwc-policy.5"]:
        th = re.search(r"^\.TH (\S+) (\S+) (\S+)", (ROOT / p).read_text(), re.M)
        if not th or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", th.group(3)):
            fail(f"{p}: .TH carries no date: {th.group(0) if th else None!r}")
    check_manual_options(fwc, page)


def option_entries(page):
    """OPTIONS of fwc(1): {--long-name: the text of its entry}."""
    section = page.split(".SH OPTIONS")[1].split(".SH")[0] if ".SH OPTIONS" in page else ""
    entries = {}
    for entry in section.split(".TP\n")[1:]:
        tag = entry.split("\n")[0]
        for name in re.findall(r"(--[a-z-]+)", tag):
            entries[name] = entry
    return entries


def option_scope(entry):
    """The commands an OPTIONS entry names in its "(cmd, cmd)" line(s)."""
    scope = []
    for line in entry.split("\n")[1:]:
        scope.append(line)
        if ")" in line:
            break
    text = " ".join(scope)
    return {"*"} if "(every command" in text else set(re.findall(r"\b([a-z]+)\b", text)) - {"RB", "BR"}


def check_manual_options(fwc, page):
    """Every option of every subcommand is in OPTIONS, scoped to that command."""
    entries = option_entries(page)
    for sub in subcommands_of(fwc):
        text = run(fwc, sub, "--help").stdout
        for name in sorted(set(re.findall(r"^\s+(?:-\w,)?(--[a-z-]+)", text, re.M))):
            entry = entries.get(name)
            if entry is None:
                fail(f"fwc(1) OPTIONS does not list {name} (fwc {sub})")
            elif not ({"*", sub} & option_scope(entry)):
                fail(f"fwc(1) OPTIONS: {name} does not name {sub} among the commands that take it")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    fwc = str(Path(ap.parse_args().fwc).resolve())
    with tempfile.TemporaryDirectory() as tmp:
        n = check_exit_codes(fwc, tmp)
    check_explain_batch(fwc)
    w = check_write_errors(fwc)
    check_unknown_command(fwc)
    check_subcommand_help(fwc)
    check_colour(fwc)
    check_verbosity(fwc)
    check_manual(fwc)
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print(f"cli conventions: ok ({n} exit statuses, {w} commands writing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
