#!/usr/bin/python3
"""Installed layout and the Debian package.

- `cmake --install` lays out the binary, man pages, completions, schema and
  systemd units in FHS places under the prefix, units naming that prefix;
- `cpack` builds a .deb holding exactly those files under /usr, depending
  on the Debian packages of every shared library fwc links;
- the .deb installs into a scratch root with `dpkg --root`, the installed
  fwc runs, its man pages render with `man -l` and `groff -ww` without a
  warning, the units pass `systemd-analyze verify` (when installed), and
  `dpkg --root -r` removes every file again.
Skips (77) without cpack or dpkg.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILES = [
    "bin/fwc",
    "share/man/man1/fwc.1",
    "share/man/man5/fwc-policy.5",
    "share/bash-completion/completions/fwc",
    "share/zsh/vendor-completions/_fwc",
    "share/fwc/fwc-policy.schema.json",
    "lib/systemd/system/fwc-apply.service",
    "lib/systemd/system/fwc-verify@.service",
    "lib/systemd/system/fwc-verify@.timer",
]
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(*args, **kw):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)


def check_units(unit_dir, bindir):
    apply = (unit_dir / "fwc-apply.service").read_text()
    for line in ["Type=oneshot", "Before=network-pre.target", "Wants=network-pre.target",
                 f"ExecStart={bindir}/fwc apply $FWC_APPLY_ARGS /etc/fwc/policy.yaml",
                 "WantedBy=sysinit.target", "DefaultDependencies=no"]:
        if not re.search(rf"^{re.escape(line)}$", apply, re.M):
            fail(f"fwc-apply.service lacks {line!r}")
    if "--confirm" in apply:
        fail("fwc-apply.service must apply without --confirm")
    verify = (unit_dir / "fwc-verify@.service").read_text()
    if f"ExecStart={bindir}/fwc verify %i -p /etc/fwc/policy.yaml" not in verify:
        fail("fwc-verify@.service does not verify %i against /etc/fwc/policy.yaml")
    if "OnUnitActiveSec=" not in (unit_dir / "fwc-verify@.timer").read_text():
        fail("fwc-verify@.timer has no schedule")


def check_install(build, tmp):
    prefix = tmp / "prefix"
    r = run("cmake", "--install", build, "--prefix", prefix)
    if r.returncode != 0:
        return fail(f"cmake --install: {r.stderr}")
    for f in FILES:
        if not (prefix / f).is_file():
            fail(f"cmake --install: {f} missing")
    installed = sorted(str(p.relative_to(prefix)) for p in prefix.rglob("*") if p.is_file())
    if installed != sorted(FILES):
        fail(f"cmake --install: unexpected files {sorted(set(installed) - set(FILES))}")
    check_units(prefix / "lib/systemd/system", prefix / "bin")
    if run(prefix / "bin/fwc", "--version").returncode != 0:
        fail("installed fwc --version fails")


def needed_packages(binary):
    """Debian packages owning the shared libraries `binary` links directly."""
    pkgs = set()
    direct = set(re.findall(r"\(NEEDED\)\s+Shared library: \[(\S+)\]", run("readelf", "-d", binary).stdout))
    if not direct:
        fail("readelf found no NEEDED entries")
    for line in run("ldd", binary).stdout.splitlines():
        m = re.search(r"^\s*(\S+) => (\S+) \(", line)
        if not m or m.group(1) not in direct:  # indirect ones come with their packages
            continue
        m = re.search(r"=> (\S+) \(", line)
        path = os.path.realpath(m.group(1))
        for candidate in {path, path.removeprefix("/usr"), m.group(1), "/usr" + m.group(1)}:
            r = run("dpkg", "-S", candidate)
            if r.returncode == 0:
                pkgs.add(r.stdout.split(":")[0])
                break
        else:
            fail(f"no package owns {m.group(1)}")
    return pkgs


def check_man(page):
    g = run("groff", "-ww", "-man", "-z", "-Tutf8", page)
    if g.returncode != 0 or g.stderr:
        fail(f"groff -ww {page.name}: {g.stderr.strip()}")
    m = run("man", "--warnings=w", "-l", page, env={**os.environ, "MANWIDTH": "80", "MAN_KEEP_FORMATTING": ""})
    if m.returncode != 0 or m.stderr or "NAME" not in m.stdout:
        fail(f"man -l {page.name}: exit {m.returncode}: {m.stderr.strip()}")


def check_deb(build, tmp):
    r = run("cpack", "--config", build / "CPackConfig.cmake", "-B", tmp / "pkg")
    debs = glob.glob(str(tmp / "pkg/*.deb"))
    if r.returncode != 0 or len(debs) != 1:
        return fail(f"cpack: exit {r.returncode}, {debs}: {r.stdout[-500:]}{r.stderr[-500:]}")
    deb = debs[0]
    depends = {d.strip().split(" ")[0] for d in run("dpkg-deb", "-f", deb, "Depends").stdout.split(",")}
    for want in ["libnftnl11", "libmnl0", "libyaml-cpp0.7", "libpcap0.8"]:
        if want not in depends:
            fail(f"Depends lacks {want}: {sorted(depends)}")
    needed = needed_packages(build / "fwc")
    for pkg in sorted(needed - depends):
        fail(f"fwc links a library of {pkg}, which Depends does not list")
    for pkg in sorted(depends - needed):
        fail(f"Depends lists {pkg}, whose libraries fwc does not link")
    listing = run("dpkg-deb", "-c", deb).stdout
    in_deb = sorted(line.split()[-1].removeprefix("./usr/") for line in listing.splitlines() if not line.startswith("d"))
    if in_deb != sorted(FILES):
        fail(f".deb files {in_deb} != {sorted(FILES)}")

    root = tmp / "root"
    for d in ["var/lib/dpkg/info", "var/lib/dpkg/updates"]:
        (root / d).mkdir(parents=True)
    (root / "var/lib/dpkg/status").touch()
    dpkg = ["dpkg", f"--root={root}", "--force-not-root", "--force-script-chrootless"]
    r = run(*dpkg, "--force-depends", "-i", deb)
    if r.returncode != 0:
        return fail(f"dpkg -i into a scratch root: {r.stderr}")
    usr = root / "usr"
    for f in FILES:
        if not (usr / f).is_file():
            fail(f"after dpkg -i: /usr/{f} missing")
    check_units(usr / "lib/systemd/system", "/usr/bin")
    fwc = usr / "bin/fwc"
    if run(fwc, "--version").returncode != 0:
        fail("installed fwc does not run")
    if run(fwc, "schema").stdout != (usr / "share/fwc/fwc-policy.schema.json").read_text():
        fail("installed schema differs from fwc schema")
    if run(fwc, "completion", "bash").stdout != (usr / "share/bash-completion/completions/fwc").read_text():
        fail("installed bash completion differs from fwc completion bash")
    check_man(usr / "share/man/man1/fwc.1")
    check_man(usr / "share/man/man5/fwc-policy.5")
    if shutil.which("systemd-analyze"):
        # The scratch root gets the host's targets so dependencies resolve.
        units = usr / "lib/systemd/system"
        for t in glob.glob("/usr/lib/systemd/system/*.target") + glob.glob("/lib/systemd/system/*.target"):
            if not (units / Path(t).name).exists():
                shutil.copy(t, units)
        v = run("systemd-analyze", "verify", "--man=no", f"--root={root}", "fwc-apply.service",
                "fwc-verify@192.0.2.1.service", "fwc-verify@192.0.2.1.timer")
        if v.returncode != 0 or v.stderr.strip() or v.stdout.strip():
            fail(f"systemd-analyze verify: {v.stdout}{v.stderr}")
        for t in units.glob("*.target"):
            t.unlink()
    else:
        print("systemd-analyze not installed: units not verified")

    r = run(*dpkg, "-r", "fwc")
    if r.returncode != 0:
        fail(f"dpkg -r: {r.stderr}")
    left = [str(p.relative_to(root)) for p in usr.rglob("*") if p.is_file()] if usr.exists() else []
    if left:
        fail(f"files left after dpkg -r: {left}")
    status = run("dpkg-query", f"--admindir={root}/var/lib/dpkg", "-W", "-f=${Status}", "fwc").stdout
    if "not-installed" not in status and "config-files" not in status and status:
        fail(f"after dpkg -r the package is {status!r}")
    return Path(deb).stat().st_size


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    build = Path(ap.parse_args().build_dir).resolve()
    for tool in ["cpack", "dpkg", "dpkg-deb", "groff", "man"]:
        if not shutil.which(tool):
            print(f"{tool} not installed: skipped")
            return 77
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        check_install(build, tmp)
        size = check_deb(build, tmp)
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print(f"package: ok ({len(FILES)} files; .deb {size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
