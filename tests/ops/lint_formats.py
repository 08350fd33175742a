#!/usr/bin/python3
"""`fwc lint --format sarif|github`.

SARIF: the log for the example policies and the whole malformed corpus
validates against the SARIF 2.1.0 schema (tests/schemas/, see SOURCE.md),
and carries exactly the diagnostics of `--format json`: rule id, level,
file, line, column, message and hint; every rule used is described once.

GitHub: annotations for a fixed set of policies match
tests/ops/golden/github-annotations.txt (FWC_UPDATE_GOLDEN=1 rewrites it),
and workflow-command escaping (% CR LF, and , : in properties) is checked on
a file whose name needs it.

Policy tests: a failing `tests:` entry in text and SARIF; the example
policies' tests pass.
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = ROOT / "tests/schemas/sarif-schema-2.1.0.json"
GOLDEN = ROOT / "tests/ops/golden/github-annotations.txt"
# Errors with and without hints, a warning, a list-file error, an include,
# non-UTF-8 bytes, clean policies, warnings.
GOLDEN_INPUTS = [
    "tests/malformed/09-unknown-rule-key-alow.yaml",
    "tests/malformed/12-fwc-version-2.yaml",
    "tests/malformed/32-duplicate-service-via-include.yaml",
    "tests/malformed/41-file-list-bad-lines.yaml",
    "tests/malformed/51-multi-unknown-keys.yaml",
    "tests/malformed/54-multi-unknown-references.yaml",
    "tests/malformed/60-non-utf8-bytes.yaml",
    "tests/malformed/83-policy-test-fails.yaml",
    "tests/golden/cases/sets-and-except.yaml",
    "policies/heroctl.yaml",
    "tests/ops/inputs/warnings.yaml",
]

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def lint(fwc, fmt, paths, cwd=ROOT):
    res = subprocess.run([fwc, "lint", "--format", fmt, *paths], cwd=cwd, capture_output=True)
    if res.returncode not in (0, 1, 2):
        fail(f"lint --format {fmt} exited {res.returncode}: {res.stderr.decode(errors='replace')}")
    return res


def uri_of(path):
    # The inverse of fwc's encoding, enough for the paths used here.
    return re.sub(r"%([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), path)


def check_sarif(fwc, paths):
    res = lint(fwc, "sarif", paths)
    ref = lint(fwc, "json", paths)
    if res.returncode != ref.returncode:
        fail(f"sarif exit {res.returncode} != json exit {ref.returncode}")
    try:
        log = json.loads(res.stdout)
    except ValueError as e:
        return fail(f"SARIF output is not JSON: {e}")
    schema = json.loads(SARIF_SCHEMA.read_text())
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    for e in errors[:10]:
        fail(f"SARIF schema: {'/'.join(map(str, e.absolute_path))}: {e.message[:200]}")
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    if driver.get("name") != "fwc":
        fail(f"driver name {driver.get('name')!r}")
    rules = [r["id"] for r in driver.get("rules", [])]
    if len(rules) != len(set(rules)):
        fail(f"rules listed twice: {rules}")
    got = []
    for r in run["results"]:
        if rules[r["ruleIndex"]] != r["ruleId"]:
            fail(f"ruleIndex {r['ruleIndex']} does not point at {r['ruleId']}")
        loc = r["locations"][0]["physicalLocation"]
        region = loc.get("region", {})
        hint = r.get("properties", {}).get("hint", "")
        text = r["message"]["text"]
        if hint and f"hint: {hint}" not in text:
            fail(f"hint missing from the message text: {text!r}")
        got.append((uri_of(loc["artifactLocation"]["uri"]), region.get("startLine", 0),
                    region.get("startColumn", 0), r["ruleId"], r["level"], hint))
    want = [(d["file"], d["line"], d["column"], d["code"], d["severity"], d["hint"])
            for d in json.loads(ref.stdout)]
    if got != want:
        fail("SARIF results differ from --format json:\n  " +
             "\n  ".join(f"{g} | {w}" for g, w in zip(got, want) if g != w) +
             f"\n  ({len(got)} results, {len(want)} diagnostics)")
    used = {w[3] for w in want}
    if set(rules) != used:
        fail(f"rules {sorted(rules)} != codes used {sorted(used)}")
    # What GitHub code scanning shows with each alert: the rule's full
    # description and a link to its documentation, and the tool's own link.
    info_uri = driver.get("informationUri", "")
    if not re.match(r"^[a-z]+://", info_uri):
        fail(f"driver.informationUri is not an absolute URI: {info_uri!r}")
    for rule in driver["rules"]:
        short = rule.get("shortDescription", {}).get("text")
        full = rule.get("fullDescription", {}).get("text")
        if not short:
            fail(f"rule {rule['id']} has no description")
        if not full or full == short or not full.endswith("."):
            fail(f"rule {rule['id']} has no full description: {full!r}")
        if rule.get("helpUri") != info_uri + "#diagnostic-codes":
            fail(f"rule {rule['id']} helpUri {rule.get('helpUri')!r}, want {info_uri}#diagnostic-codes")
    if info_uri.endswith("/contract.md") and "## Diagnostic codes" not in (ROOT / "docs/contract.md").read_text():
        fail("docs/contract.md has no 'Diagnostic codes' section for helpUri to point at")
    return len(want)


def check_github_golden(fwc):
    res = lint(fwc, "github", GOLDEN_INPUTS)
    out = res.stdout.decode("utf-8", errors="strict")
    for line in out.splitlines():
        if not re.match(r"^::(error|warning|notice)( [a-zA-Z]+=[^,:]*(,[a-zA-Z]+=[^,:]*)*)?::.*$", line):
            fail(f"not a workflow command: {line!r}")
    if os.environ.get("FWC_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(out)
        print(f"updated {GOLDEN.relative_to(ROOT)}")
    elif GOLDEN.read_text() != out:
        import difflib
        diff = difflib.unified_diff(GOLDEN.read_text().splitlines(), out.splitlines(), "golden", "fwc", lineterm="")
        fail("github annotations differ from the golden file:\n" + "\n".join(diff))
    if res.returncode != 2:
        fail(f"github format exit {res.returncode}, expected 2 (the inputs hold errors)")


def check_github_escaping(fwc):
    with tempfile.TemporaryDirectory() as tmp:
        name = "odd, name:100%.yaml"
        Path(tmp, name).write_text("fwc: 1\nname: demo\nnetwroks: {}\n")
        res = lint(fwc, "github", [name], cwd=tmp)
        want = ("::error file=odd%2C name%3A100%25.yaml,line=3,col=1,endColumn=8,title=FWC-E003::"
                "unknown key 'netwroks' in the policy%0Ahint: did you mean 'networks'?\n")
        if res.stdout.decode() != want:
            fail(f"escaping:\n  got  {res.stdout.decode()!r}\n  want {want!r}")


def check_policy_tests(fwc):
    """A failing `tests:` entry: FWC-E020 at the entry in text and SARIF,
    naming the packet and (hint) the deciding rule; the example policies'
    tests all pass, counted under --verbose."""
    case = "tests/malformed/83-policy-test-fails.yaml"
    text = lint(fwc, "text", [case]).stdout.decode()
    want = (f"{case}:23:5: error: policy test tests[1] admin-never-from-internet failed: 8080/tcp from "
            "203.0.113.9 to node node1: expected drop, got accept [FWC-E020]")
    if want not in text or f"hint: decided by inbound[1] admin at {case}:15" not in text:
        fail(f"policy test failure in text:\n{text}")
    sarif = json.loads(lint(fwc, "sarif", [case]).stdout)
    found = [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
             for r in sarif["runs"][0]["results"]]
    if found != [("FWC-E020", 23), ("FWC-E020", 27)]:
        fail(f"policy test failures in SARIF: {found}")
    res = subprocess.run([fwc, "lint", "--verbose", "policies/"], cwd=ROOT, capture_output=True)
    summary = re.search(r"fwc: (\d+) policy tests passed, 0 failed", res.stderr.decode())
    if res.returncode != 0 or not summary or int(summary.group(1)) < 30:
        fail(f"policies/ tests: exit {res.returncode}, {res.stderr.decode()[-300:]}")
    else:
        print(f"policy tests: {summary.group(1)} in policies/ pass; failures located in text and SARIF")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    fwc = os.path.abspath(ap.parse_args().fwc)
    corpus = sorted(glob.glob("tests/malformed/*.yaml", root_dir=ROOT))
    policies = sorted(glob.glob("policies/*.yaml", root_dir=ROOT))
    inputs = policies + corpus + ["tests/ops/inputs/warnings.yaml"]
    n = check_sarif(fwc, inputs)
    print(f"SARIF: {len(inputs)} files, {n} results validated")
    for p in policies:  # clean policies: an empty result list is valid SARIF too
        check_sarif(fwc, [p])
    check_github_golden(fwc)
    check_github_escaping(fwc)
    check_policy_tests(fwc)
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("lint formats: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
