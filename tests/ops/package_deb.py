#!/usr/bin/python3
"""Installed layout and the Debian package.

- `cmake --install` lays out the binary, compressed man pages, completions,
  schema, documentation, systemd units and /etc/default/fwc in FHS places
  under the prefix, units naming that prefix;
- `cpack` builds a .deb holding exactly those files under /usr and /etc,
  depending on the Debian packages of every shared library fwc links, with
  a real maintainer, /etc/default/fwc as a conffile and maintainer scripts
  that register the units with deb-systemd-helper;
- lintian reports no error and no warning (overrides: the package's own
  lintian-overrides file, each entry explained there);
- the .deb installs into a scratch root with `dpkg --root`, the installed
  fwc runs, its man pages render with `man -l` and `groff -ww` without a
  warning, the units pass `systemd-analyze verify` (when installed),
  `dpkg --root -r` removes every file but the conffile, and a purge that.
Skips (77) without cpack or dpkg; lintian is required (scripts/setup.sh).
"""
import gzip
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
    "share/man/man1/fwc.1.gz",
    "share/man/man5/fwc-policy.5.gz",
    "share/bash-completion/completions/fwc",
    "share/zsh/vendor-completions/_fwc",
    "share/fwc/fwc-policy.schema.json",
    "lib/systemd/system/fwc-apply.service",
    "lib/systemd/system/fwc-verify@.service",
    "lib/systemd/system/fwc-verify@.timer",
    "lib/systemd/system/fwc-refresh.service",
    "lib/systemd/system/fwc-refresh.timer",
    "share/doc/fwc/copyright",
    "share/doc/fwc/changelog.Debian.gz",
    "share/doc/fwc/contract.md",
    "share/lintian/overrides/fwc",
]
# Outside the prefix in the package (/etc), under it for cmake --install.
ETC_FILES = ["etc/default/fwc"]
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
    if not re.search(r"^OnCalendar=\S+$", (unit_dir / "fwc-verify@.timer").read_text(), re.M):
        fail("fwc-verify@.timer has no OnCalendar schedule")
    refresh = (unit_dir / "fwc-refresh.service").read_text()
    if not re.search(rf"^ExecStart={re.escape(str(bindir))}/fwc refresh \$FWC_REFRESH_ARGS$", refresh, re.M):
        fail("fwc-refresh.service does not run fwc refresh $FWC_REFRESH_ARGS")
    timer = (unit_dir / "fwc-refresh.timer").read_text()
    when = re.search(r"^OnCalendar=(\S+)$", timer, re.M)
    if not when or when.group(1) in ("*:*", "minutely", "*:*:00"):
        fail("fwc-refresh.timer has no schedule, or runs every minute")


def check_install(build, tmp):
    prefix = tmp / "prefix"
    r = run("cmake", "--install", build, "--prefix", prefix)
    if r.returncode != 0:
        return fail(f"cmake --install: {r.stderr}")
    for f in FILES + ETC_FILES:
        if not (prefix / f).is_file():
            fail(f"cmake --install: {f} missing")
    installed = sorted(str(p.relative_to(prefix)) for p in prefix.rglob("*") if p.is_file())
    if installed != sorted(FILES + ETC_FILES):
        fail(f"cmake --install: unexpected files {sorted(set(installed) - set(FILES + ETC_FILES))}")
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
    with gzip.open(page) as f:
        source = f.read()
    if page.read_bytes()[4:8] != b"\0\0\0\0":
        fail(f"{page.name}: gzip header carries a timestamp (gzip -n)")
    g = subprocess.run(["groff", "-ww", "-man", "-z", "-Tutf8"], input=source, capture_output=True)
    g.stderr = g.stderr.decode()
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
    in_deb = sorted(line.split()[-1].removeprefix("./") for line in listing.splitlines() if not line.startswith("d"))
    want = sorted(["usr/" + f for f in FILES] + ETC_FILES)
    if in_deb != want:
        fail(f".deb files {in_deb} != {want}")
    check_control(deb)
    check_lintian(deb)

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
    check_man(usr / "share/man/man1/fwc.1.gz")
    check_man(usr / "share/man/man5/fwc-policy.5.gz")
    if shutil.which("systemd-analyze"):
        # The scratch root gets the host's targets so dependencies resolve.
        units = usr / "lib/systemd/system"
        for t in glob.glob("/usr/lib/systemd/system/*.target") + glob.glob("/lib/systemd/system/*.target"):
            if not (units / Path(t).name).exists():
                shutil.copy(t, units)
        v = run("systemd-analyze", "verify", "--man=no", f"--root={root}", "fwc-apply.service",
                "fwc-verify@192.0.2.1.service", "fwc-verify@192.0.2.1.timer",
                "fwc-refresh.service", "fwc-refresh.timer")
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
    if not (root / "etc/default/fwc").is_file():
        fail("dpkg -r removed the conffile /etc/default/fwc")
    status = run("dpkg-query", f"--admindir={root}/var/lib/dpkg", "-W", "-f=${Status}", "fwc").stdout
    if "not-installed" not in status and "config-files" not in status and status:
        fail(f"after dpkg -r the package is {status!r}")
    r = run(*dpkg, "--purge", "fwc")
    if r.returncode != 0 or (root / "etc/default/fwc").exists():
        fail(f"dpkg --purge: exit {r.returncode}, /etc/default/fwc left: {r.stderr}")
    return Path(deb).stat().st_size


def check_control(deb):
    """Maintainer, conffiles and maintainer scripts."""
    maintainer = run("dpkg-deb", "-f", deb, "Maintainer").stdout.strip()
    if not re.fullmatch(r"[^<>]+ <[^@<>\s]+@[^@<>\s]+\.[a-z]+>", maintainer) or "localhost" in maintainer:
        fail(f"Maintainer {maintainer!r} is not a name and a mail address")
    with tempfile.TemporaryDirectory() as t:
        r = run("dpkg-deb", "-e", deb, t)
        if r.returncode != 0:
            return fail(f"dpkg-deb -e: {r.stderr}")
        control = Path(t)
        conffiles = (control / "conffiles").read_text().split() if (control / "conffiles").exists() else []
        if conffiles != ["/etc/default/fwc"]:
            fail(f"conffiles {conffiles}, want ['/etc/default/fwc']")
        for script, tool in [("postinst", "deb-systemd-helper"), ("prerm", "deb-systemd-invoke"),
                             ("postrm", "deb-systemd-helper")]:
            path = control / script
            if not path.exists() or tool not in path.read_text() or not os.access(path, os.X_OK):
                fail(f"{script} missing, not executable, or not using {tool}")
                continue
            sh = run("sh", "-n", path)
            if sh.returncode != 0:
                fail(f"{script}: sh -n: {sh.stderr}")


def check_lintian(deb):
    """No lintian error or warning; what the package overrides is shown."""
    r = run("lintian", "--tag-display-limit", "0", "--show-overrides", deb)
    tags = [line for line in r.stdout.splitlines() if re.match(r"^[EW]: ", line)]
    for line in tags:
        fail(f"lintian: {line}")
    noise = "running with root privileges is not recommended!"
    if r.returncode not in (0, 1) or r.stderr.replace(noise, "").strip():
        fail(f"lintian exit {r.returncode}: {r.stderr.strip()[-500:]}")
    overridden = [line for line in r.stdout.splitlines() if line.startswith("O: ")]
    print(f"lintian: {len(tags)} errors/warnings, {len(overridden)} overridden")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    build = Path(ap.parse_args().build_dir).resolve()
    for tool in ["cpack", "dpkg", "dpkg-deb", "groff", "man"]:
        if not shutil.which(tool):
            print(f"{tool} not installed: skipped")
            return 77
    if not shutil.which("lintian"):
        print("lintian not installed (scripts/setup.sh installs it)")
        return 1
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        check_install(build, tmp)
        size = check_deb(build, tmp)
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print(f"package: ok ({len(FILES) + len(ETC_FILES)} files; .deb {size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
