#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright 2026 fwc developers. All rights reserved.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: fwc_facts
short_description: Gather what fwc has applied on a node
version_added: 0.1.0
description:
  - Returns, under C(ansible_facts.fwc), the SHA-256 of the policy the last
    C(fwc apply) installed (C(applied.yaml) in the state directory), a fingerprint of the
    live table inet fwc, and the rule counters of C(fwc status --format json).
  - The fingerprint is the SHA-256 of C(nft --stateless --terse list table inet fwc),
    that is the chains, sets and rules of the table without counters and without set elements, so it
    changes with the ruleset but not with traffic or C(fwc block). Nodes running the same
    policy for the same node or role have the same fingerprint. It is null when the nft
    program is not installed or the table is missing.
  - Never changes anything.
author:
  - fwc developers
options:
  state_dir:
    description:
      - fwc's state directory. By default C($FWC_STATE_DIR), else C(/var/lib/fwc).
    type: path
  fwc_path:
    description:
      - The fwc program on the node, a name looked up in C(PATH) or a path.
    type: str
    default: fwc
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  facts:
    support: full
notes:
  - Needs root on the node (become) to read the ruleset and the state directory.
seealso:
  - module: fwc.firewall.fwc_apply
'''

EXAMPLES = r'''
- name: Gather fwc facts
  fwc.firewall.fwc_facts:

- name: Every node runs the policy of the repository
  ansible.builtin.assert:
    that: ansible_facts.fwc.policy_sha256 == lookup('file', 'policy.yaml') | hash('sha256')
'''

RETURN = r'''
ansible_facts:
  description: Facts about fwc on the node.
  returned: always
  type: complex
  contains:
    fwc:
      description: What fwc has applied.
      type: dict
      returned: always
      sample:
        installed: true
        policy_sha256: 4f2a...
        table_fingerprint: 9c1e...
        rollback_pending: false
        packets: 1042
        bytes: 88231
        counters:
          - {chain: input, rule: "inbound[0] ssh", packets: 1042, bytes: 88231, logged_packets: 0}
'''

import hashlib
import json
import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fwc.firewall.plugins.module_utils.fwc_run import (
    bounded, fail_with, run_fwc, state_dir_args)

ARGUMENT_SPEC = dict(
    state_dir=dict(type='path'),
    fwc_path=dict(type='str', default='fwc'),
)


def policy_sha256(state_dir):
    """SHA-256 of the applied policy, or None when nothing was applied."""
    try:
        with open(os.path.join(state_dir, 'applied.yaml'), 'rb') as f:
            return hashlib.sha256(f.read()).hexdigest()
    except (IOError, OSError):
        return None


def table_fingerprint(module):
    nft = module.get_bin_path('nft', opt_dirs=['/usr/sbin', '/sbin'])
    if not nft:
        return None
    rc, out, dummy = module.run_command([nft, '--stateless', '--terse', 'list', 'table', 'inet', 'fwc'],
                                        environ_update={'LC_ALL': 'C'})
    return hashlib.sha256(out.encode('utf-8')).hexdigest() if rc == 0 else None


def counters_of(status):
    keep = ('chain', 'rule', 'packets', 'bytes', 'logged_packets')
    return [dict((k, row.get(k)) for k in keep) for row in status.get('rules', [])]


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    p = module.params
    state_dir = p['state_dir'] or os.environ.get('FWC_STATE_DIR') or '/var/lib/fwc'
    rc, out, err = run_fwc(module, ['status', '--format', 'json'] + state_dir_args(p),
                           stdout_limit=16 * 1024 * 1024)
    try:
        status = json.loads(out)
    except ValueError:
        status = None
    if rc not in (0, 1) or not isinstance(status, dict):
        fail_with(module, 'fwc status', rc, bounded(out), err)
    counters = counters_of(status)
    rollback = status.get('rollback', {})
    facts = dict(
        installed=bool(status.get('installed')),
        policy_sha256=policy_sha256(state_dir),
        table_fingerprint=table_fingerprint(module) if status.get('installed') else None,
        rollback_pending=bool(rollback.get('pending')),
        rollback_armed=bool(rollback.get('armed')),
        packets=sum(int(c['packets'] or 0) for c in counters),
        bytes=sum(int(c['bytes'] or 0) for c in counters),
        counters=counters,
    )
    module.exit_json(changed=False, ansible_facts=dict(fwc=facts))


if __name__ == '__main__':
    main()
