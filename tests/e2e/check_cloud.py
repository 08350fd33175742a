#!/usr/bin/python3
"""Check cloud payloads written by fwc: each against its provider's own
schema (tests/cloud-schemas/validate.py), then what the schemas cannot say:
provider limits, enum values, port ranges, address syntax.

usage: check_cloud.py FILE...   (kinds by suffix: .do.json, .hetzner.json,
       .aws-create.json, .aws-ingress.json, .aws-egress.json, .aws-revoke-egress.json)
       check_cloud.py --self-test  (broken payloads must be caught)

Last line: `N passed, M failed`. Exit 0 when all pass, 1 otherwise, 77 when
python3-jsonschema or python3-botocore is missing.
"""
import ipaddress
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "cloud-schemas"))

KINDS = [  # suffix, schema kind
    (".do.json", "digitalocean"),
    (".hetzner.json", "hetzner"),
    (".aws-create.json", "aws:CreateSecurityGroup"),
    (".aws-revoke-egress.json", "aws:RevokeSecurityGroupEgress"),
    (".aws-ingress.json", "aws:AuthorizeSecurityGroupIngress"),
    (".aws-egress.json", "aws:AuthorizeSecurityGroupEgress"),
]

DO_RULES, DO_ADDRESSES, DO_TAGS, DO_DROPLETS = 50, 1000, 5, 10
HZ_RULES, HZ_CIDRS, HZ_NAME, HZ_DESCRIPTION = 50, 100, 128, 255
AWS_RULES_PER_FAMILY = 60
AWS_TEXT = re.compile(r"^[a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]{0,255}$")
AWS_GROUP_ID = re.compile(r"^(sg-[0-9a-z]+|\$\{SG_[A-Z0-9_]+\})$")
DO_TAG = re.compile(r"^[a-zA-Z0-9_\-:]{1,255}$")


def kind_of(path):
    for suffix, kind in KINDS:
        if path.name.endswith(suffix):
            return kind
    return None


def port_problems(text, where):
    """A port or range "N" / "N-M" with 1 <= N < M <= 65535."""
    m = re.fullmatch(r"([0-9]+)(?:-([0-9]+))?", text or "")
    if not m:
        return [f"{where}: port '{text}' is not N or N-M"]
    lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
    if not 1 <= lo <= 65535 or not 1 <= hi <= 65535:
        return [f"{where}: port '{text}' outside 1-65535"]
    if m.group(2) and lo >= hi:
        return [f"{where}: range '{text}' is empty or reversed"]
    return []


def cidr_problems(text, where, family=None, need_prefix=True):
    try:
        net = ipaddress.ip_network(text, strict=True)
    except ValueError as e:
        return [f"{where}: '{text}' is not a CIDR ({e})"]
    out = []
    if need_prefix and "/" not in text:
        out.append(f"{where}: '{text}' has no prefix length")
    if family and net.version != family:
        out.append(f"{where}: '{text}' is not IPv{family}")
    if net.version == 6 and str(net) != text:
        out.append(f"{where}: '{text}' is not in canonical form ({net})")
    return out


def duplicates(items, where):
    seen, out = set(), []
    for i in items:
        if i in seen:
            out.append(f"{where}: '{i}' listed twice")
        seen.add(i)
    return out


def check_digitalocean(doc):
    out = []
    rules = (doc.get("inbound_rules") or []) + (doc.get("outbound_rules") or [])
    if len(rules) > DO_RULES:
        out.append(f"{len(rules)} rules, DigitalOcean allows {DO_RULES}")
    if len(doc.get("tags") or []) > DO_TAGS:
        out.append(f"{len(doc['tags'])} tags, DigitalOcean allows {DO_TAGS}")
    if len(doc.get("droplet_ids") or []) > DO_DROPLETS:
        out.append(f"{len(doc['droplet_ids'])} droplets, DigitalOcean allows {DO_DROPLETS}")
    for key, peers in (("inbound_rules", "sources"), ("outbound_rules", "destinations")):
        for i, r in enumerate(doc.get(key) or []):
            where = f"{key}[{i}]"
            if r.get("protocol") not in ("tcp", "udp", "icmp"):
                out.append(f"{where}: protocol {r.get('protocol')!r}")
            ports = r.get("ports")
            if r.get("protocol") == "icmp" or ports == "0":
                if ports != "0":
                    out.append(f"{where}: ICMP rules carry ports \"0\", not {ports!r}")
            else:
                out += port_problems(ports, where)
            p = r.get(peers) or {}
            if not any(p.get(k) for k in ("addresses", "tags", "droplet_ids", "load_balancer_uids", "kubernetes_ids")):
                out.append(f"{where}: empty {peers}")
            addresses = p.get("addresses") or []
            if len(addresses) > DO_ADDRESSES:
                out.append(f"{where}: {len(addresses)} addresses, DigitalOcean allows {DO_ADDRESSES}")
            for a in addresses:
                out += cidr_problems(a, where, need_prefix=False)
            out += duplicates(addresses, where)
            for t in p.get("tags") or []:
                if not DO_TAG.match(t):
                    out.append(f"{where}: tag '{t}' is not a DigitalOcean tag name")
            for d in p.get("droplet_ids") or []:
                if not isinstance(d, int) or d <= 0:
                    out.append(f"{where}: droplet id {d!r}")
    return out


def check_hetzner(doc):
    out = []
    rules = doc.get("rules") or []
    if len(rules) > HZ_RULES:
        out.append(f"{len(rules)} rules, Hetzner allows {HZ_RULES}")
    if len(doc.get("name", "")) > HZ_NAME:
        out.append(f"name longer than {HZ_NAME}")
    for i, r in enumerate(rules):
        where = f"rules[{i}]"
        field, other = ("source_ips", "destination_ips") if r.get("direction") == "in" else ("destination_ips", "source_ips")
        if r.get("direction") not in ("in", "out"):
            out.append(f"{where}: direction {r.get('direction')!r}")
        if other in r:
            out.append(f"{where}: {other} on a rule with direction {r.get('direction')}")
        ips = r.get(field) or []
        if not ips:
            out.append(f"{where}: no {field}")
        if len(ips) > HZ_CIDRS:
            out.append(f"{where}: {len(ips)} CIDRs in {field}, Hetzner allows {HZ_CIDRS}")
        for a in ips:
            out += cidr_problems(a, where)
        out += duplicates(ips, where)
        proto = r.get("protocol")
        if proto in ("tcp", "udp"):
            out += port_problems(r.get("port"), where)
        elif proto in ("icmp", "esp", "gre"):
            if r.get("port") is not None:
                out.append(f"{where}: a port on a {proto} rule")
        else:
            out.append(f"{where}: protocol {proto!r}")
        if len(r.get("description") or "") > HZ_DESCRIPTION:
            out.append(f"{where}: description longer than {HZ_DESCRIPTION}")
    for i, a in enumerate(doc.get("apply_to") or []):
        t = a.get("type")
        if t not in a or set(a) - {"type", t}:
            out.append(f"apply_to[{i}]: type {t!r} with fields {sorted(a)}")
    return out


def check_aws_create(doc):
    out = []
    name = doc.get("GroupName", "")
    if not name or not AWS_TEXT.match(name) or name.startswith("sg-"):
        out.append(f"GroupName {name!r}: 1-255 of a-zA-Z0-9 ._-:/()#,@[]+=&;{{}}!$*, not starting with sg-")
    if not AWS_TEXT.match(doc.get("Description", "")) or not doc.get("Description"):
        out.append(f"Description {doc.get('Description')!r}: 1-255 of a-zA-Z0-9 ._-:/()#,@[]+=&;{{}}!$*")
    if "VpcId" in doc and not re.fullmatch(r"vpc-[0-9a-f]+", doc["VpcId"]):
        out.append(f"VpcId {doc['VpcId']!r}")
    return out


def check_aws_permissions(doc):
    out = []
    if not AWS_GROUP_ID.match(doc.get("GroupId", "")):
        out.append(f"GroupId {doc.get('GroupId')!r}: sg-... or a ${{SG_NAME}} placeholder")
    perms = doc.get("IpPermissions") or []
    if not perms:
        out.append("no IpPermissions")
    count = {4: 0, 6: 0}
    for i, p in enumerate(perms):
        where = f"IpPermissions[{i}]"
        proto = p.get("IpProtocol")
        lo, hi = p.get("FromPort"), p.get("ToPort")
        if proto in ("tcp", "udp"):
            if not (isinstance(lo, int) and isinstance(hi, int) and 0 <= lo <= hi <= 65535):
                out.append(f"{where}: {proto} ports {lo}-{hi}")
        elif proto in ("icmp", "icmpv6"):
            if not (isinstance(lo, int) and isinstance(hi, int) and -1 <= lo <= 255 and -1 <= hi <= 255):
                out.append(f"{where}: {proto} type/code {lo}/{hi}")
        elif proto == "-1":
            if lo is not None or hi is not None:
                out.append(f"{where}: ports on an all-protocols permission")
        else:
            out.append(f"{where}: IpProtocol {proto!r}")
        v4 = [r.get("CidrIp") for r in p.get("IpRanges") or []]
        v6 = [r.get("CidrIpv6") for r in p.get("Ipv6Ranges") or []]
        pairs = p.get("UserIdGroupPairs") or []
        if not (v4 or v6 or pairs):
            out.append(f"{where}: no peers")
        if proto == "icmp" and v6 or proto == "icmpv6" and v4:
            out.append(f"{where}: {proto} with addresses of the other family")
        for c in v4:
            out += cidr_problems(c, where, family=4)
        for c in v6:
            out += cidr_problems(c, where, family=6)
        out += duplicates(v4 + v6, where)
        for g in pairs:
            if not AWS_GROUP_ID.match(g.get("GroupId", "")):
                out.append(f"{where}: group {g.get('GroupId')!r}")
        for r in (p.get("IpRanges") or []) + (p.get("Ipv6Ranges") or []) + pairs:
            if not AWS_TEXT.match(r.get("Description", "")):
                out.append(f"{where}: description {r.get('Description')!r}")
        count[4] += len(v4) + len(pairs)
        count[6] += len(v6) + len(pairs)
    for family, n in count.items():
        if n > AWS_RULES_PER_FAMILY:
            out.append(f"{n} IPv{family} rules, AWS allows {AWS_RULES_PER_FAMILY} per direction")
    return out


OWN_CHECKS = {
    "digitalocean": check_digitalocean,
    "hetzner": check_hetzner,
    "aws:CreateSecurityGroup": check_aws_create,
    "aws:AuthorizeSecurityGroupIngress": check_aws_permissions,
    "aws:AuthorizeSecurityGroupEgress": check_aws_permissions,
    "aws:RevokeSecurityGroupEgress": check_aws_permissions,
}


def problems_of(kind, doc):
    import validate

    return validate.errors(kind, doc) + OWN_CHECKS[kind](doc)


def self_test():
    """Each broken payload must be caught, each good one pass."""
    any4 = {"addresses": ["0.0.0.0/0"]}
    do_ok = {"name": "web", "inbound_rules": [{"protocol": "tcp", "ports": "443", "sources": any4}]}
    hz_rule = {"direction": "in", "protocol": "tcp", "port": "443", "source_ips": ["0.0.0.0/0"]}
    hz_ok = {"name": "web", "rules": [hz_rule]}
    perm = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    aws_ok = {"GroupId": "${SG_WEB}", "IpPermissions": [perm]}
    ingress = "aws:AuthorizeSecurityGroupIngress"
    cases = [
        ("digitalocean", do_ok, True),
        ("digitalocean", {**do_ok, "extra": 1}, False),
        ("digitalocean", {**do_ok, "inbound_rules": [{"protocol": "tcp", "ports": "70000", "sources": any4}]}, False),
        ("digitalocean", {**do_ok, "inbound_rules": [{"protocol": "icmp", "ports": "22", "sources": any4}]}, False),
        ("digitalocean", {**do_ok, "inbound_rules": [{"protocol": "tcp", "ports": "443", "sources": any4}] * 51}, False),
        ("digitalocean", {**do_ok, "inbound_rules": [{"protocol": "tcp", "ports": "443",
                                                      "sources": {"addresses": [f"10.0.{i // 256}.{i % 256}" for i in range(1001)]}}]}, False),
        ("hetzner", hz_ok, True),
        ("hetzner", {**hz_ok, "rules": [{**hz_rule, "protocol": "sctp"}]}, False),
        ("hetzner", {**hz_ok, "rules": [{**hz_rule, "port": "9-8"}]}, False),
        ("hetzner", {**hz_ok, "rules": [{**hz_rule, "source_ips": ["10.0.0.1"]}]}, False),
        ("hetzner", {**hz_ok, "rules": [{**hz_rule, "source_ips": [f"10.0.0.{i}/32" for i in range(101)]}]}, False),
        ("hetzner", {**hz_ok, "rules": [hz_rule] * 51}, False),
        (ingress, aws_ok, True),
        (ingress, {**aws_ok, "IpPermissions": [{**perm, "ToPort": "443"}]}, False),
        (ingress, {**aws_ok, "IpPermissions": [{**perm, "IpProtocol": "tcpx"}]}, False),
        (ingress, {**aws_ok, "IpPermissions": [{**perm, "IpRanges": [{"CidrIp": f"10.0.0.{i}/32"} for i in range(61)]}]}, False),
        ("aws:CreateSecurityGroup", {"GroupName": "sg-web", "Description": "web"}, False),
        ("aws:CreateSecurityGroup", {"GroupName": "web\nx", "Description": "web"}, False),
        ("aws:CreateSecurityGroup", {"GroupName": "web", "Description": "web"}, True),
    ]
    failed = 0
    for i, (kind, doc, good) in enumerate(cases):
        found = problems_of(kind, doc)
        if bool(found) == good:
            failed += 1
            print(f"FAIL self-test case {i} ({kind}): expected {'no problems' if good else 'problems'}, got {found}")
    print(f"{len(cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv):
    try:
        import botocore  # noqa: F401
        import jsonschema  # noqa: F401
        import validate  # noqa: F401
    except ImportError as e:
        if os.environ.get("CI") == "true":
            print(f"FAIL: {e}: CI must validate against the providers' schemas "
                  "(apt-get install python3-jsonschema python3-botocore)")
            return 1
        print(f"SKIP: {e} (apt-get install python3-jsonschema python3-botocore)")
        return 77
    if argv[1:] == ["--self-test"]:
        return self_test()
    passed, failed = 0, 0
    for name in argv[1:]:
        path = Path(name)
        kind = kind_of(path)
        if kind is None:
            problems = ["not a cloud payload (unknown suffix)"]
        else:
            try:
                doc = json.loads(path.read_text())
                problems = problems_of(kind, doc)
            except (OSError, ValueError) as e:
                problems = [str(e)]
        if problems:
            failed += 1
            print(f"FAIL {name} ({kind})")
            for p in problems[:20]:
                print("  " + p)
        else:
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
