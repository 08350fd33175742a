# -*- coding: utf-8 -*-
# Copyright 2026 fwc developers. All rights reserved.
"""Shared by the fwc modules: the argument vectors of fwc's options, running
fwc without a shell, and bounding what comes back."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

# fwc's own reports are small; a runaway one must not flood the controller.
OUTPUT_LIMIT = 64 * 1024

_UNPRINTABLE = re.compile(r'[\x00-\x08\x0b-\x1f\x7f-\x9f]')


def printable(text):
    """Control characters (other than tab and newline) as \\xNN, so output
    from the node cannot drive the controller's terminal."""
    return _UNPRINTABLE.sub(lambda m: '\\x%02x' % ord(m.group(0)), text)


def bounded(text, limit=OUTPUT_LIMIT):
    """text cut to limit characters, saying so, and made printable."""
    if len(text) > limit:
        text = text[:limit] + '\n[output cut at %d characters]\n' % limit
    return printable(text)


def lines_of(text):
    return [line for line in bounded(text).splitlines() if line.strip()]


def selection_args(params):
    """--node/--role/--strict/--backend/--state-dir as fwc takes them."""
    argv = []
    if params.get('node'):
        argv += ['--node', params['node']]
    if params.get('role'):
        argv += ['--role', params['role']]
    if params.get('strict'):
        argv.append('--strict')
    if params.get('backend'):
        argv += ['--backend', params['backend']]
    return argv


def state_dir_args(params):
    return ['--state-dir', params['state_dir']] if params.get('state_dir') else []


def run_fwc(module, argv, data=None, stdout_limit=OUTPUT_LIMIT, cwd=None):
    """Run fwc with an argument vector (never a shell); (rc, stdout, stderr)
    with the output bounded (stdout to stdout_limit, for a JSON report that
    is parsed whole) and printable."""
    fwc = module.params['fwc_path']
    if '/' not in fwc:
        found = module.get_bin_path(fwc, opt_dirs=['/usr/local/sbin', '/usr/sbin', '/sbin'])
        if not found:
            module.fail_json(msg='fwc not found on the node (fwc_path: %s)' % printable(fwc))
        fwc = found
    rc, out, err = module.run_command([fwc] + argv, data=data, cwd=cwd, environ_update={'LC_ALL': 'C'})
    return rc, bounded(out, stdout_limit), bounded(err)


def fail_with(module, what, rc, out, err, **extra):
    """Fail the task naming the fwc command, its exit status and its words."""
    msg = '%s failed (exit %d): %s' % (what, rc, (err.strip() or out.strip() or 'no output'))
    module.fail_json(msg=msg, rc=rc, stdout=out, stderr=err, **extra)
