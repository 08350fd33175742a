#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright 2026 fwc developers. All rights reserved.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: fwc_verify
short_description: Probe a node from outside and compare what answers with the policy
version_added: 0.1.0
description:
  - Runs C(fwc verify TARGET -p POLICY --format json) on the host the task runs on,
    normally a probe host chosen with C(delegate_to), and fails when a port the policy
    refuses answers (exposed), a port it allows is filtered (unreachable), or a port it
    drops answers closed (no firewall enforced the drop).
  - The failing rows are named in the message; the whole report is returned.
  - Never changes anything. Probe only hosts you are responsible for.
author:
  - fwc developers
options:
  target:
    description:
      - The address to probe (one host, IPv4 or IPv6).
    type: str
    required: true
  policy:
    description:
      - Path of the policy on the probe host. Without it, fwc only reports what it
        observes and nothing fails.
    type: path
  node:
    description:
      - The node of the policy that I(target) belongs to (C(--node)).
    type: str
  role:
    description:
      - The role whose rules apply to I(target) (C(--role)).
    type: str
  ports:
    description:
      - C(policy) (the ports the policy names and a sample of others), C(all), or a
        list such as C(22,80,8000-8100).
    type: str
  udp:
    description:
      - Probe UDP ports too.
    type: bool
    default: false
  connect:
    description:
      - Use connect(2) instead of raw packets.
    type: bool
    default: false
  retries:
    description:
      - Probe a port that does not answer this many more times (0 to 10).
    type: int
  fwc_path:
    description:
      - The fwc program on the probe host, a name looked up in C(PATH) or a path.
    type: str
    default: fwc
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
notes:
  - Raw probes need root (or CAP_NET_RAW) on the probe host; without it fwc falls back
    to connect(2) and says so.
seealso:
  - module: fwc.firewall.fwc_apply
'''

EXAMPLES = r'''
- name: Verify every node from the probe host
  fwc.firewall.fwc_verify:
    target: "{{ ansible_host }}"
    policy: /srv/fwc/policy
    node: "{{ inventory_hostname }}"
  delegate_to: probe.example.org
'''

RETURN = r'''
failures:
  description: The rows whose verdict is failure (port, proto, state, expected, rule, note).
  returned: always
  type: list
  elements: dict
report:
  description: The JSON report of C(fwc verify); C(ports) holds at most 2000 rows.
  returned: when fwc printed a report
  type: dict
rc:
  description: Exit status of C(fwc verify) (1 when there are failures).
  returned: always
  type: int
'''

import json

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fwc.firewall.plugins.module_utils.fwc_run import fail_with, printable, run_fwc

# A full sweep has 65,535 rows; the controller gets the failures plus a sample.
ROWS_RETURNED = 2000
REPORT_LIMIT = 32 * 1024 * 1024

ARGUMENT_SPEC = dict(
    target=dict(type='str', required=True),
    policy=dict(type='path'),
    node=dict(type='str'),
    role=dict(type='str'),
    ports=dict(type='str'),
    udp=dict(type='bool', default=False),
    connect=dict(type='bool', default=False),
    retries=dict(type='int'),
    fwc_path=dict(type='str', default='fwc'),
)


def verify_argv(p):
    argv = ['verify', p['target'], '--format', 'json']
    for key in ('policy', 'node', 'role', 'ports', 'retries'):
        if p[key] is not None:
            argv += ['--' + key, str(p[key])]
    argv += ['--udp'] if p['udp'] else []
    argv += ['--connect'] if p['connect'] else []
    return argv


def describe(row):
    text = '%s/%s %s (expected %s' % (row.get('port'), row.get('proto'), row.get('state'), row.get('expected'))
    if row.get('rule'):
        text += ', %s' % row['rule']
    text += ')'
    if row.get('note'):
        text += ': %s' % row['note']
    return printable(text)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                           mutually_exclusive=[('node', 'role')])
    p = module.params
    rc, out, err = run_fwc(module, verify_argv(p), stdout_limit=REPORT_LIMIT)
    try:
        report = json.loads(out)
    except ValueError:
        fail_with(module, 'fwc verify', rc, '', err)
    if rc not in (0, 1):
        fail_with(module, 'fwc verify', rc, '', err, report=report)
    failures = [row for row in report.get('ports', []) if row.get('verdict') == 'failure']
    if len(report.get('ports', [])) > ROWS_RETURNED:
        report['ports'] = report['ports'][:ROWS_RETURNED]
        report['ports_cut'] = True
    result = dict(changed=False, rc=rc, failures=failures[:ROWS_RETURNED], report=report, stderr=err)
    if rc == 1 or failures:
        module.fail_json(msg='fwc verify %s: %d failures: %s' % (
            printable(p['target']), len(failures), '; '.join(describe(r) for r in failures[:20])), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
