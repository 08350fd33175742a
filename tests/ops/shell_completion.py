#!/usr/bin/python3
"""Shell completions generated from the CLI definition.

Sources `fwc completion bash` in bash and checks COMPREPLY for typical
command lines; the subcommands offered are those `fwc --help` lists. The
zsh script is checked with `zsh -n` when zsh is installed. The files the
build generates for installation are the same scripts.
"""
import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def complete(script, words):
    """COMPREPLY for a command line whose last word is being completed."""
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    prog = f"""{script}
COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}
_fwc_complete
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", prog], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"bash failed for {words}: {r.stderr}")
    return [w for w in r.stdout.splitlines() if w]


def expect(script, words, want, exact=True):
    got = complete(script, words)
    ok = sorted(got) == sorted(want) if exact else set(want) <= set(got)
    if not ok:
        fail(f"{' '.join(words)!r}<TAB>: got {got}, want {'exactly ' if exact else 'at least '}{want}")
    return got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    fwc = str(Path(ap.parse_args().fwc).resolve())
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
