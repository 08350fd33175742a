#!/usr/bin/python3
"""The policy language's JSON Schema (schema/fwc-policy.schema.json).

- `fwc schema` prints exactly the file (the embedded copy is current), and it
  is a valid draft-07 schema;
- every example policy, golden case and init preset validates;
- every structural case of the malformed corpus is rejected, with a schema
  error on each line the corpus file expects an error on;
- the semantic cases are listed with the reason the schema cannot see them;
  every corpus file is in exactly one of the two lists.

- every include fragment (those the policies and corpus cases include, and
  tests/malformed/fragments/) is checked against #/definitions/fragment:
  good ones validate, `bad-*` ones are rejected, and a fragment holding rules
  is rejected.

YAML is read with python3-yaml, its booleans narrowed to YAML 1.2 core
(true/True/TRUE, false/False/FALSE) like fwc and a YAML 1.2 language
server: `yes` and `off` are strings.
"""
import argparse
import glob
import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema/fwc-policy.schema.json"

# Shape errors: unknown keys, wrong types, missing keys, bad choices, and
# syntax the schema spells out (names, IPv4 addresses, prefix lengths,
# ports 1-65535, protocols, rates, log prefixes).
STRUCTURAL = [
    "04-networks-is-list", "05-services-is-number", "06-inbound-is-map", "07-from-is-map",
    "08-unknown-top-level-key-netwroks", "09-unknown-rule-key-alow", "10-unknown-log-key-prefx",
    "11-missing-fwc-version", "12-fwc-version-2", "13-missing-name", "14-bad-ipv4-octet",
    "16-ipv4-prefix-33", "17-ipv6-prefix-129", "18-port-zero", "19-port-70000",
    "21-protocol-icmp", "22-bare-port-number", "33-bad-defaults-inbound", "34-rate-fortnight",
    "35-rate-abc", "36-negative-burst", "37-per-source-not-bool", "38-block-from-and-to",
    "39-block-neither-from-nor-to", "42-empty-document", "43-scalar-document",
    "44-deeply-nested-garbage", "45-alias-to-map-as-address", "47-very-long-strings",
    "48-allow-empty-list", "49-node-bad-address", "50-cloud-unknown-dash-keys",
    "51-multi-unknown-keys", "52-multi-wrong-types", "53-multi-bad-addresses-ports",
    "55-multi-bad-enums", "56-multi-missing-keys", "57-bad-policy-name",
    "61-aws-security-group-id", "62-log-prefix-dollar", "75-missing-from-unknown-ref-bad-port",
    "77-booleans-yaml-1.1-and-quoted", "78-log-prefix-is-a-boolean-word", "79-defaults-ignore-not-w104",
    "81-tests-bad-entries",
]
# Out of the schema's reach, and why.
SEMANTIC = {
    "01-yaml-unclosed-bracket": "YAML syntax (no document to validate)",
    "02-yaml-bad-indentation": "YAML syntax",
    "03-yaml-tab-indentation": "YAML syntax",
    "46-undefined-alias": "YAML syntax (undefined alias)",
    "59-nesting-beyond-parser-limit": "YAML parser limit",
    "60-non-utf8-bytes": "not UTF-8 text",
    "15-bad-ipv6": "IPv6 syntax (the schema checks characters only)",
    "20-port-range-reversed": "range order (LO <= HI) is arithmetic",
    "23-unknown-network-reference": "reference resolution",
    "24-unknown-service-reference": "reference resolution",
    "25-unknown-role-in-rule": "reference resolution",
    "26-unknown-node-in-rule": "reference resolution",
    "27-network-cycle": "reference cycle",
    "28-network-self-reference": "reference cycle",
    "29-service-cycle": "reference cycle",
    "30-duplicate-network-key": "duplicate keys vanish when YAML becomes JSON",
    "31-duplicate-service-key": "duplicate keys vanish when YAML becomes JSON",
    "32-duplicate-service-via-include": "names across included files",
    "40-file-list-missing": "list files are read by fwc",
    "41-file-list-bad-lines": "list files are read by fwc",
    "54-multi-unknown-references": "reference resolution",
    "58-include-missing": "included files are read by fwc",
    "76-block-ipv4-mapped": "a warning: mapped IPv6 entries are valid addresses",
    "80-include-fragment-with-rules": "inside an included fragment (checked against #/definitions/fragment)",
    "65-file-list-directory": "list files are read by fwc",
    "66-file-list-dev-zero": "list files are read by fwc",
    "67-file-list-dev-null": "list files are read by fwc",
    "68-include-directory": "included files are read by fwc",
    "69-include-dev-zero": "included files are read by fwc",
    "70-include-not-a-fragment": "included files are read by fwc",
    "71-include-alias-bomb": "included files are read by fwc (YAML node limit)",
    "72-include-twice": "included files are read by fwc",
    "73-file-list-escape-bytes": "list files are read by fwc",
    "74-include-yaml-error": "included files are read by fwc",
    "82-tests-unknown-references": "reference resolution (and `all`, a service name to the schema)",
    "83-policy-test-fails": "tests are evaluated against the rules by fwc lint",
}
EXPECT = re.compile(r"^# expect: (\d+):\d+ (FWC-[EW]\d{3})\s*$")
# Expected errors out of the schema's reach even in a structural case:
# references, cycles, duplicates, files.
BEYOND_SCHEMA = {"FWC-E007", "FWC-E008", "FWC-E009", "FWC-E011"}


class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core booleans (no yes/no/on/off)."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                   list("tTfF"))

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def node_at(root, path):
    """The YAML node at a JSON path, and the key node naming it (or None)."""
    node, key = root, None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if k.value == str(part) or
                     (isinstance(part, int) and k.value == str(part))]
            if not match:
                break
            key, node = match[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            key, node = None, node.value[part]
        else:
            break
    return node, key


def error_lines(root, error):
    """1-based lines a schema error (and the alternatives under it) points at."""
    lines = set()
    node, key = node_at(root, error.absolute_path)
    if node is not None:
        lines.add(node.start_mark.line + 1)
    if key is not None:
        lines.add(key.start_mark.line + 1)
    if error.validator == "additionalProperties" and isinstance(node, yaml.MappingNode):
        allowed = set(error.schema.get("properties", {}))
        lines.update(k.start_mark.line + 1 for k, _ in node.value if k.value not in allowed)
    if error.validator == "oneOf" and isinstance(node, yaml.MappingNode):
        # "valid under more than one": the keys that made several match.
        keys = {k for sub in error.validator_value for k in sub.get("required", [])}
        lines.update(k.start_mark.line + 1 for k, _ in node.value if k.value in keys)
    for sub in error.context or []:
        lines.update(error_lines(root, sub))
    return lines


def load(path):
    text = path.read_text(encoding="utf-8")
    return yaml.load(text, Loader=Yaml12Loader), yaml.compose(text, Loader=Yaml12Loader)


def included(policy):
    """Fragment paths a policy includes (that exist), relative to it."""
    try:
        doc, _ = load(policy)
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError):
        return []
    inc = doc.get("include") if isinstance(doc, dict) else None
    paths = inc if isinstance(inc, list) else [inc] if isinstance(inc, str) else []
    return [policy.parent / p for p in paths if isinstance(p, str) and (policy.parent / p).is_file()]


def check_fragments(schema, policies):
    fragment = jsonschema.Draft7Validator({**schema, "$ref": "#/definitions/fragment"})
    files = {f.resolve() for p in policies for f in included(p)}
    files |= {f.resolve() for f in (ROOT / "tests/malformed/fragments").glob("*.yaml")}
    for f in sorted(files):
        rel = f.relative_to(ROOT)
        try:
            doc, _ = load(f)
        except yaml.YAMLError:
            continue  # not YAML at all: the loader's E001 (corpus), not the schema's
        errors = list(fragment.iter_errors(doc))
        if f.name.startswith("bad-") and not errors:
            fail(f"{rel}: a bad fragment, accepted by #/definitions/fragment")
        elif not f.name.startswith("bad-") and errors:
            fail(f"{rel}: fragment rejected at /{'/'.join(map(str, errors[0].absolute_path))}: {errors[0].message[:120]}")
    if not list(fragment.iter_errors({"fwc": 1, "inbound": [{"allow": "all", "from": "any"}]})):
        fail("#/definitions/fragment accepts a fragment holding rules")
    print(f"fragments: {len(files)} checked against #/definitions/fragment")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", required=True)
    fwc = ap.parse_args().fwc

    printed = subprocess.run([fwc, "schema"], capture_output=True)
    if printed.returncode != 0 or printed.stdout != SCHEMA.read_bytes():
        fail(f"`fwc schema` (exit {printed.returncode}) differs from {SCHEMA.relative_to(ROOT)}")
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)

    valid = sorted(glob.glob("policies/*.yaml", root_dir=ROOT) + glob.glob("tests/golden/cases/*.yaml", root_dir=ROOT) +
                   glob.glob("presets/*.yaml", root_dir=ROOT))
    for rel in valid:
        doc, _ = load(ROOT / rel)
        for e in validator.iter_errors(doc):
            fail(f"{rel}: rejected at /{'/'.join(map(str, e.absolute_path))}: {e.message[:160]}")
    print(f"accepted: {len(valid)} policies (examples, golden cases, presets)")

    corpus = {Path(p).stem for p in glob.glob(str(ROOT / "tests/malformed/*.yaml"))}
    listed = set(STRUCTURAL) | set(SEMANTIC)
    if set(STRUCTURAL) & set(SEMANTIC):
        fail(f"in both lists: {sorted(set(STRUCTURAL) & set(SEMANTIC))}")
    if corpus != listed:
        fail(f"corpus files not classified: {sorted(corpus - listed)}; listed but missing: {sorted(listed - corpus)}")

    for name in STRUCTURAL:
        path = ROOT / "tests/malformed" / f"{name}.yaml"
        doc, root = load(path)
        errors = list(validator.iter_errors(doc))
        if not errors:
            fail(f"{name}: accepted, but it is a structural error")
            continue
        expected = [int(m.group(1)) for m in map(EXPECT.match, path.read_text().splitlines())
                    if m and m.group(2) not in BEYOND_SCHEMA]
        lines = set().union(*(error_lines(root, e) for e in errors)) if root is not None else {1}
        if root is None:
            continue  # an empty document: no lines to point at
        missing = [ln for ln in expected if ln not in lines]
        if missing:
            fail(f"{name}: no schema error on expected line(s) {missing} (errors on {sorted(lines)})")
    print(f"rejected: {len(STRUCTURAL)} structural corpus cases")

    readable = 0
    for name, why in sorted(SEMANTIC.items()):
        path = ROOT / "tests/malformed" / f"{name}.yaml"
        try:
            doc, _ = load(path)
        except (yaml.YAMLError, UnicodeDecodeError, RecursionError):
            continue
        readable += 1
        # The schema must not be stricter than its stated reach.
        for e in validator.iter_errors(doc):
            fail(f"{name} ({why}): unexpectedly rejected at /{'/'.join(map(str, e.absolute_path))}: {e.message[:120]}")
    print(f"semantic: {len(SEMANTIC)} cases out of reach ({readable} load as YAML and pass the schema)")

    check_fragments(schema, [ROOT / p for p in valid] + sorted((ROOT / "tests/malformed").glob("*.yaml")))

    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("policy schema: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
