#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright 2026 fwc developers. All rights reserved.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: fwc_apply
short_description: Apply an fwc firewall policy on a node
version_added: 0.1.0
description:
  - Compares the live firewall of the node with what the policy asks for (C(fwc diff))
    and, when they differ, installs the policy with C(fwc apply).
  - C(changed) comes from the exit status of C(fwc diff) (0 equal, 1 different), so a
    second run of the same policy reports no change.
  - In check mode the module runs C(fwc apply --dry-run), which prints the differences
    and has the kernel check the whole batch without committing it.
  - In diff mode the lines of C(fwc diff) (chains, sets and rules added C(+), removed
    C(-) or changed C(~)) are returned as the task's diff.
  - With I(confirm) the ruleset is applied with C(fwc apply --confirm) and the action
    plugin then runs C(fwc confirm) over a new connection. A ruleset that cuts the
    controller's SSH cannot be confirmed, the task fails saying so, and fwc restores
    the previous ruleset by itself after I(confirm) seconds.
  - The module runs only fwc, with argument vectors (never a shell).
author:
  - fwc developers
options:
  policy:
    description:
      - Path of the policy on the managed node (a file, or a directory of policy files).
        Copy it there first, for example with M(ansible.builtin.copy).
    type: path
    required: true
  node:
    description:
      - The node of the policy this host is (C(--node)). Without I(node) or I(role)
        fwc picks the node by the host's addresses and name.
    type: str
  role:
    description:
      - Apply the rules of a role instead of a node (C(--role)).
    type: str
  state_dir:
    description:
      - Where fwc keeps its state and lock (C(--state-dir)). By default fwc's own
        (C($FWC_STATE_DIR), else C(/var/lib/fwc)).
    type: path
  fwc_path:
    description:
      - The fwc program on the node, a name looked up in C(PATH) or a path.
    type: str
    default: fwc
  confirm:
    description:
      - Seconds (1 to 86400) after which fwc rolls the new ruleset back unless it is
        confirmed. The action plugin confirms it over a fresh SSH connection, so a
        ruleset that cuts SSH is rolled back on its own.
      - Implies I(force) for the lock-out guard. C(fwc apply) refuses a ruleset that
        would cut the SSH session it runs in (C($SSH_CONNECTION)); with I(confirm) the
        rollback is the safety net, so the guard is passed with C(--force). The
        failed confirmation is what then reports the lock-out.
    type: int
  force:
    description:
      - Pass C(--force), applying even when the lock-out guard refuses and even when
        nothing changed.
    type: bool
    default: false
  strict:
    description:
      - Pass C(--strict), refusing to apply when other firewalls on the node would
        interfere (warnings count as findings).
    type: bool
    default: false
  backend:
    description:
      - Install through another tool instead of fwc's own table (C(--backend)).
    type: str
    choices: [nftables, iptables, ufw, firewalld]
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - Needs root on the node (become).
  - Mutually exclusive options are I(node) and I(role).
seealso:
  - module: fwc.firewall.fwc_verify
  - module: fwc.firewall.fwc_facts
'''

EXAMPLES = r'''
- name: Copy the policy
  ansible.builtin.copy:
    src: policy/
    dest: /etc/fwc/policy/
    mode: '0600'

- name: Apply it, rolled back unless the node is still reachable after 30 s
  fwc.firewall.fwc_apply:
    policy: /etc/fwc/policy
    node: "{{ inventory_hostname }}"
    confirm: 30
'''

RETURN = r'''
changes:
  description: The lines of C(fwc diff), one per difference (empty when nothing changes).
  returned: always
  type: list
  elements: str
  sample: ["+ rule input: inbound[1] web (policy.yaml:20)"]
stdout:
  description: What the last fwc command printed (bounded to 64 KiB).
  returned: always
  type: str
stderr:
  description: Warnings fwc printed (bounded to 64 KiB).
  returned: always
  type: str
rc:
  description: Exit status of the last fwc command.
  returned: always
  type: int
confirm_pending:
  description: A rollback is armed and waits for C(fwc confirm) (the action plugin sends it).
  returned: always
  type: bool
confirmed:
  description: The action plugin confirmed the ruleset over a new connection.
  returned: when confirm is set and the ruleset changed
  type: bool
rolled_back:
  description: The ruleset could not be confirmed over a new connection and fwc rolls it back.
  returned: when confirm is set and the confirmation failed
  type: bool
reachable_after_rollback:
  description: Whether a new connection worked again once the rollback time had passed.
  returned: when rolled_back is true
  type: bool
'''

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fwc.firewall.plugins.module_utils.fwc_run import (
    fail_with, lines_of, run_fwc, selection_args, state_dir_args)


ARGUMENT_SPEC = dict(
    policy=dict(type='path', required=True),
    node=dict(type='str'),
    role=dict(type='str'),
    state_dir=dict(type='path'),
    fwc_path=dict(type='str', default='fwc'),
    confirm=dict(type='int'),
    force=dict(type='bool', default=False),
    strict=dict(type='bool', default=False),
    backend=dict(type='str', choices=['nftables', 'iptables', 'ufw', 'firewalld']),
)


def policy_place(policy):
    """(directory, name): fwc runs in the policy's directory and is given its
    name, so the rule comments in the table (file:line) do not depend on
    where the policy was copied to, and nodes running one policy have one
    table fingerprint (fwc_facts)."""
    policy = os.path.abspath(policy)
    return os.path.dirname(policy) or '/', os.path.basename(policy) or '.'


def differences(module):
    """(changed, lines) from `fwc diff`: exit 0 equal, 1 different."""
    p = module.params
    where, name = policy_place(p['policy'])
    rc, out, err = run_fwc(module, ['diff', name] + selection_args(p) + state_dir_args(p), cwd=where)
    if rc not in (0, 1):
        fail_with(module, 'fwc diff', rc, out, err, changed=False)
    return rc == 1, lines_of(out)


def apply_argv(module):
    p = module.params
    argv = ['apply', policy_place(p['policy'])[1]] + selection_args(p) + state_dir_args(p)
    if module.check_mode:
        return argv + ['--dry-run']
    if p['confirm']:
        argv += ['--confirm', str(p['confirm']), '--force']
    elif p['force']:
        argv.append('--force')
    return argv


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                           mutually_exclusive=[('node', 'role')])
    p = module.params
    if p['confirm'] is not None and not 1 <= p['confirm'] <= 86400:
        module.fail_json(msg='confirm must be 1 to 86400 seconds, not %d' % p['confirm'])
    changed, lines = differences(module)
    result = dict(changed=changed, changes=lines, rc=0, stdout='', stderr='', confirm_pending=False)
    if module._diff:
        result['diff'] = dict(prepared='\n'.join(lines) + '\n' if lines else '')
    if changed or p['force'] or module.check_mode:
        rc, out, err = run_fwc(module, apply_argv(module), cwd=policy_place(p['policy'])[0])
        result.update(rc=rc, stdout=out, stderr=err)
        if rc != 0:
            fail_with(module, 'fwc apply', rc, out, err, changed=False, changes=lines)
        if 'fwc: applied table' in out or (p['backend'] and not module.check_mode):
            result['changed'] = True
            result['confirm_pending'] = bool(p['confirm'])
    module.exit_json(**result)


if __name__ == '__main__':
    main()
