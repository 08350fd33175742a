"""Checks that each module's argument_spec says what its DOCUMENTATION says
(types, defaults, choices, required), as ansible-test's validate-modules
does, which needs packages from the network.  Run with the collections
root as its argument; prints one line per mismatch, exit 1 when any."""

import importlib
import sys

import yaml

ANSIBLE_TYPES = {"str": "str", "path": "path", "int": "int", "bool": "bool", "list": "list", "dict": "dict"}


def mismatches(name):
    mod = importlib.import_module(f"ansible_collections.fwc.firewall.plugins.modules.{name}")
    doc = yaml.safe_load(mod.DOCUMENTATION)["options"]
    spec = mod.ARGUMENT_SPEC
    out = []
    for opt in sorted(set(doc) | set(spec)):
        d, s = doc.get(opt), spec.get(opt)
        if d is None or s is None:
            out.append(f"{name}: {opt} only in {'the code' if d is None else 'the docs'}")
            continue
        for key, default in (("type", "str"), ("default", None), ("choices", None), ("required", False)):
            if d.get(key, default) != s.get(key, default):
                out.append(f"{name}: {opt}: {key} is {d.get(key, default)!r} in the docs, "
                           f"{s.get(key, default)!r} in the code")
    return out


def main():
    sys.path.insert(0, sys.argv[1])
    found = [m for name in sys.argv[2:] for m in mismatches(name)]
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
