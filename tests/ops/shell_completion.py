#!/usr/bin/python3
"""Shell completions generated from the CLI definition.

Sources `fwc completion bash` in bash and checks COMPREPLY for typical
command lines; the subcommands offered are those `fwc --help` lists; the
targets after -t are those `fwc targets` lists; the names after --node and
--role are those of the policy file on the line (read with PyYAML here);
--format=VALUE completes as --format VALUE does. The zsh script is checked
with `zsh -n` when zsh is installed, and its policy-name helper is run with
a stand-in for compadd. The files the build generates for installation are
the same scripts.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
POLICY = "policies/heroctl.yaml"

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


PATH = os.environ.get("PATH", "")


def complete(script, words):
    """COMPREPLY for a command line whose last word is being completed."""
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    prog = f"""{script}
COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}
_fwc_complete
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", prog], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "PATH": PATH})
    if r.returncode != 0 or r.stderr:
        fail(f"bash failed for {words}: {r.stderr}")
    return [w for w in r.stdout.splitlines() if w]


def expect(script, words, want, exact=True):
    got = complete(script, words)
    ok = sorted(got) == sorted(want) if exact else set(want) <= set(got)
    if not ok:
        fail(f"{' '.join(words)!r}<TAB>: got {got}, want {'exactly ' if exact else 'at least '}{want}")
    return got


def policy_names():
    policy = yaml.safe_load((ROOT / POLICY).read_text())
    nodes = sorted(policy["nodes"])
    roles = sorted(set(policy.get("roles") or []) | {r for n in policy["nodes"].values() for r in n.get("roles", [])})
    return nodes, roles


def check_values(fwc, script):
    """Targets, node and role names, and --format=VALUE."""
    targets = [line.split()[0] for line in subprocess.run([fwc, "targets"], capture_output=True, text=True).stdout.splitlines()]
    if len(targets) < 7:
        fail(f"fwc targets lists {targets}")
    expect(script, ["fwc", "compile", POLICY, "-t", ""], targets)
    expect(script, ["fwc", "compile", "--target", "nf"], ["nftables"])
    expect(script, ["fwc", "explain", POLICY, "--target", "a"], ["aws"])
    nodes, roles = policy_names()
    expect(script, ["fwc", "compile", POLICY, "-t", "nftables", "--node", ""], nodes)
    expect(script, ["fwc", "compile", POLICY, "--node", "node"], [n for n in nodes if n.startswith("node")])
    expect(script, ["fwc", "explain", POLICY, "--role", ""], roles)
    expect(script, ["fwc", "verify", "203.0.113.7", "-p", POLICY, "--node", "node1"], ["node1"])
    expect(script, ["fwc", "apply", "--node", ""], [])  # no policy on the line: nothing, quietly
    expect(script, ["fwc", "compile", "no/such.yaml", "--node", ""], [])
    expect(script, ["fwc", "compile", "tests/malformed/01-yaml-unclosed-bracket.yaml", "--node", ""], [])
    # --format=VALUE: bash splits it at '=' (COMP_WORDBREAKS) or keeps it whole.
    expect(script, ["fwc", "lint", "--format", "="], ["text", "json", "sarif", "github"])
    expect(script, ["fwc", "lint", "--format", "=", "s"], ["sarif"])
    expect(script, ["fwc", "lint", "--format=s"], ["--format=sarif"])
    expect(script, ["fwc", "status", "--format", "=", ""], ["text", "json", "prometheus"])
    expect(script, ["fwc", "verify", "203.0.113.7", "--format", "=", "j"], ["json", "junit"])
    expect(script, ["fwc", "explain", POLICY, "--format=j"], ["--format=json"])
    expect(script, ["fwc", "lint", "-"], ["-q", "--quiet", "-v", "--verbose"], exact=False)


def check_zsh_names(zsh):
    """The zsh script offers the same values; its name helper is run with a
    stand-in for compadd (the completion system needs a terminal)."""
    for spec in ["--format=[", "--node=[", "_fwc_policy_names nodes", "_fwc_policy_names roles",
                 ":value:(nftables "]:
        if spec not in zsh:
            fail(f"zsh script lacks {spec!r}")
    if not shutil.which("zsh"):
        return
    helpers = zsh.split("\n_fwc() {")[0]
    nodes, roles = policy_names()
    for kind, want in [("nodes", nodes), ("roles", roles)]:
        prog = f"""{helpers}
compadd() {{ [[ $1 == -a ]] && print -l -- ${{(P)2}} }}
service=fwc words=(compile {POLICY} --{kind[:-1]} '')
_fwc_policy_names {kind}
"""
        r = subprocess.run(["zsh", "-f", "-c", prog], capture_output=True, text=True, cwd=ROOT,
                           env={**os.environ, "PATH": PATH})
        if r.stdout.split() != want or r.stderr:
            fail(f"zsh _fwc_policy_names {kind}: {r.stdout.split()} {r.stderr!r}, want {want}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    fwc = str(Path(ap.parse_args().fwc).resolve())
    global PATH
    PATH = str(Path(fwc).parent) + os.pathsep + PATH  # the scripts call fwc by name
    script = subprocess.run([fwc, "completion", "bash"], capture_output=True, text=True, check=True).stdout
    zsh = subprocess.run([fwc, "completion", "zsh"], capture_output=True, text=True, check=True).stdout

    help_text = subprocess.run([fwc, "--help"], capture_output=True, text=True).stdout
    subcommands = re.findall(r"^  (\S+)\s", help_text.split("Subcommands:")[1], re.M)
    if len(subcommands) < 8:
        fail(f"could not read the subcommands from --help: {subcommands}")

    expect(script, ["fwc", ""], subcommands)
    expect(script, ["fwc", "l"], ["lint"])
    got = expect(script, ["fwc", "compile", "-"],
                 ["-t", "--target", "-o", "--output", "--strict", "--node", "--role", "-h", "--help"], exact=False)
    if any(not w.startswith("-") for w in got):
        fail(f"compile -<TAB> offers non-options: {got}")
    expect(script, ["fwc", "lint", "--format", ""], ["text", "json", "sarif", "github"])
    expect(script, ["fwc", "lint", "--format", "s"], ["sarif"])
    expect(script, ["fwc", "-q", "lint", "--st"], ["--strict"])
    expect(script, ["fwc", "init", "--preset", ""], ["web", "cluster", "edge", "admin-only"])
    expect(script, ["fwc", "completion", ""], ["bash", "zsh"])
    expect(script, ["fwc", "--"], ["--help", "--version", "--quiet", "--verbose"])
    check_values(fwc, script)
    check_zsh_names(zsh)
    # A value without a list of choices falls back to file names (complete -o default).
    expect(script, ["fwc", "compile", "-o", ""], [])
    if "complete -o default -F _fwc_complete fwc" not in script:
        fail("the completion is not registered for fwc with file-name fallback")

    for sub in subcommands:
        if f"'/{sub}') path='{sub}'" not in script:
            fail(f"bash script does not know subcommand {sub}")
        if f"        {sub}) _fwc_{sub.replace('-', '_')} ;;" not in zsh:
            fail(f"zsh script does not dispatch subcommand {sub}")
    if not zsh.startswith("#compdef fwc\n"):
        fail("zsh script lacks #compdef")
    if shutil.which("zsh"):
        r = subprocess.run(["zsh", "-n"], input=zsh, capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"zsh -n: {r.stderr}")
    else:
        print("zsh not installed: zsh syntax not checked")

    built = Path(fwc).parent / "completions"
    for name, text in [("fwc", script), ("_fwc", zsh)]:
        if not (built / name).exists() or (built / name).read_text() != text:
            fail(f"{built / name} (installed by cmake --install) differs from fwc completion output")

    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print(f"shell completion: ok ({len(subcommands)} subcommands)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
