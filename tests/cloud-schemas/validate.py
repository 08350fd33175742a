#!/usr/bin/python3
"""Check cloud payloads against the providers' own request schemas.

usage: validate.py KIND FILE...
  KIND  digitalocean | hetzner      the strict JSON Schema of the request body
        aws:OPERATION               botocore's EC2 model for that operation
                                    (CreateSecurityGroup, AuthorizeSecurityGroupIngress, ...)

Prints one line per file; exit status 0 when all are valid, 1 when one is
not, 2 on usage errors. See SOURCE.md for where the schemas come from.
"""
import functools
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
JSON_SCHEMAS = {
    "digitalocean": "do_firewall_create.strict.schema.json",
    "hetzner": "hcloud_firewall_create.strict.schema.json",
}
EC2_SUBSET = os.path.join(HERE, "aws", "ec2-sg-subset.service-2.json")


@functools.lru_cache(maxsize=None)
def _validator(kind):
    import jsonschema

    with open(os.path.join(HERE, JSON_SCHEMAS[kind])) as fh:
        return jsonschema.Draft7Validator(json.load(fh))


def _json_schema_errors(kind, payload):
    validator = _validator(kind)
    found = []
    for err in validator.iter_errors(payload):
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        found.append(f"{where}: {err.message}")
    return sorted(found)


@functools.lru_cache(maxsize=None)
def _ec2_models():
    """The project's copy of the model, and botocore's own when installed."""
    from botocore.model import ServiceModel

    with open(EC2_SUBSET) as fh:
        models = [("project copy", ServiceModel(json.load(fh), service_name="ec2"))]
    try:
        import botocore.session

        models.append(("botocore", botocore.session.get_session().get_service_model("ec2")))
    except Exception:  # no data files installed: the copy alone
        pass
    return models


def _botocore_errors(operation, payload):
    from botocore.validate import ParamValidator

    found = []
    for name, model in _ec2_models():
        shape = model.operation_model(operation).input_shape
        report = ParamValidator().validate(payload, shape)
        if report.has_errors():
            found += [f"{name}: {line.strip()}" for line in report.generate_report().splitlines() if line.strip()]
    return found


def errors(kind, payload):
    """Schema errors of one payload (a parsed JSON document)."""
    if kind.startswith("aws:"):
        return _botocore_errors(kind[4:], payload)
    if kind in JSON_SCHEMAS:
        return _json_schema_errors(kind, payload)
    raise ValueError(f"unknown kind '{kind}'")


def main(argv):
    if len(argv) < 3 or not (argv[1] in JSON_SCHEMAS or argv[1].startswith("aws:")):
        print(__doc__, file=sys.stderr)
        return 2
    kind, status = argv[1], 0
    for path in argv[2:]:
        with open(path) as fh:
            found = errors(kind, json.load(fh))
        print(("valid    " if not found else "INVALID  ") + f"{path} ({kind})")
        for e in found:
            print("  " + e)
        status = status or (1 if found else 0)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
