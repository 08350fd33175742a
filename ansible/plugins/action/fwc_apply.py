# -*- coding: utf-8 -*-
# Copyright 2026 fwc developers. All rights reserved.
"""fwc_apply with confirm: runs the module (fwc apply --confirm N --force),
then drops the connection (ControlPersist masters too) and runs fwc confirm
over a new one. A ruleset that cuts new SSH connections cannot be confirmed,
so fwc's watcher restores the previous ruleset after N seconds."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import shlex
import time

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase

# After the rollback time, give the watcher this long to restore the table.
ROLLBACK_GRACE = 2


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('policy', 'node', 'role', 'state_dir', 'fwc_path', 'confirm', 'force',
                             'strict', 'backend'))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        result.update(self._execute_module(module_name='fwc.firewall.fwc_apply',
                                           module_args=self._task.args, task_vars=task_vars))
        if result.get('failed') or not result.get('confirm_pending'):
            return result
        applied_at = time.monotonic()
        seconds = int(self._task.args['confirm'])
        if self._confirm_over_new_connection():
            result.update(confirmed=True, confirm_pending=False)
            return result
        result.update(failed=True, confirmed=False, rolled_back=True,
                      msg='rolled back: the new ruleset cut the connection; fwc restores the previous '
                          'ruleset after %d seconds' % seconds)
        time.sleep(max(0.0, applied_at + seconds + ROLLBACK_GRACE - time.monotonic()))
        result['reachable_after_rollback'] = self._reachable()
        return result

    def _fwc_command(self, *words):
        args = self._task.args
        argv = [args.get('fwc_path') or 'fwc'] + list(words)
        if args.get('state_dir'):
            argv += ['--state-dir', args['state_dir']]
        return ' '.join(shlex.quote(str(w)) for w in argv)

    def _fresh(self, command):
        """Run command over a new connection; its result, or None when the
        node cannot be reached."""
        try:
            self._connection.reset()
            return self._low_level_execute_command(command)
        except AnsibleError as e:
            self._display.vvv('fwc_apply: new connection failed: %s' % e)
            return None

    def _confirm_over_new_connection(self):
        """fwc confirm succeeds only while the rollback is still pending: exit 1
        (none pending) means it ran already."""
        res = self._fresh(self._fwc_command('confirm'))
        return res is not None and res.get('rc') == 0

    def _reachable(self):
        res = self._fresh('true')
        return res is not None and res.get('rc') == 0
