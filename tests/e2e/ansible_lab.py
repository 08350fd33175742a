#!/usr/bin/python3
"""The Ansible collection (ansible/) against a lab of three SSH nodes.

A controller netns and three node netns on a bridge (ansible_nodes.py), each
node with its own sshd.  The collection is built and installed with
ansible-galaxy into a temp dir, and ansible-playbook runs in the controller
netns (json callback) to check:
- check mode reports changes and leaves the live tables alone; diff mode
  shows fwc diff's lines; apply installs the policy on all three nodes and a
  second run reports changed=0; fwc_facts agrees with the policy applied;
- the collection's canary playbook (fwc.firewall.rollout) rolls a new
  policy out one node first, confirms it on every node and verifies each;
- a policy that cuts the controller's SSH is refused by the lock-out guard,
  and with confirm: 5 fails saying it rolled back, after which the node
  answers SSH again with its old table;
- fwc_verify delegated to the controller passes, then fails after a port is
  opened by hand (nft insert rule, and a listener) on one node;
- ansible-doc shows every module without a warning.

Nothing outside the temp dir is touched: ansible's home, temp and control
sockets, the SSH keys and known hosts all live there.
usage: ansible_lab.py [--fwc PATH]; exit 0 passed, 1 failed, 77 skipped.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import ansible_nodes
import netlab

REPO = os.path.normpath(os.path.join(netlab.HERE, "..", ".."))
MODULES = ("fwc_apply", "fwc_verify", "fwc_facts")

POLICY = """fwc: 1
name: lab
networks:
  controller: 198.51.100.1
  operators: 203.0.113.10
services:
  ssh: 22/tcp
  web: 8080/tcp
defaults:
  inbound: drop
  outbound: accept
  icmp: essential
inbound:
  - name: ssh-from-{ssh}
    allow: [ssh]
    from: {ssh}
  - name: web
    allow: [web]
    from: {web}
"""

APPLY = """- hosts: "{{ target | default('nodes') }}"
  gather_facts: false
  tasks:
    - name: copy the policy
      ansible.builtin.copy:
        src: "{{ policy_src }}"
        dest: "{{ node_dir }}/policy.yaml"
        mode: "0600"
      check_mode: false
    - name: apply
      fwc.firewall.fwc_apply:
        policy: "{{ node_dir }}/policy.yaml"
        fwc_path: "{{ fwc_bin }}"
        confirm: "{{ confirm | default(omit) }}"
    - name: facts
      fwc.firewall.fwc_facts:
        fwc_path: "{{ fwc_bin }}"
"""

VERIFY = """- hosts: nodes
  gather_facts: false
  tasks:
    - name: verify
      fwc.firewall.fwc_verify:
        target: "{{ ansible_host }}"
        policy: "{{ policy_src }}"
        ports: "22,8080,9000"
        fwc_path: "{{ fwc_bin }}"
      delegate_to: localhost
"""


class Ansible:
    """ansible-playbook in the controller netns with everything in tmp."""

    def __init__(self, lab, tmp, fwc):
        self.lab, self.tmp, self.fwc = lab, tmp, fwc
        self.control_dir = os.path.join(tmp, "cp")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "SSH_"))}
        self.env.update(HOME=os.path.join(tmp, "home"), ANSIBLE_CONFIG=os.path.join(tmp, "ansible.cfg"),
                        ANSIBLE_HOME=os.path.join(tmp, "home", ".ansible"),
                        ANSIBLE_COLLECTIONS_PATH=os.path.join(tmp, "collections"),
                        ANSIBLE_STDOUT_CALLBACK="json", ANSIBLE_NOCOLOR="1", ANSIBLE_TIMEOUT="4")
        for d in ("home", "cp", "local", "remote"):
            os.makedirs(os.path.join(tmp, d), exist_ok=True)
        with open(self.env["ANSIBLE_CONFIG"], "w") as f:
            f.write(f"[defaults]\nhost_key_checking = False\nretry_files_enabled = False\n"
                    f"local_tmp = {tmp}/local\nremote_tmp = {tmp}/remote\nforks = 5\n"
                    f"[ssh_connection]\ncontrol_path_dir = {self.control_dir}\npipelining = True\n")
        self.inventory = os.path.join(tmp, "inventory.ini")
        ssh_args = ("-F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
                    "-o GlobalKnownHostsFile=/dev/null -o LogLevel=ERROR")
        with open(self.inventory, "w") as f:
            f.write("[nodes]\n")
            for name, (addr4, _) in ansible_nodes.NODES.items():
                f.write(f"{name} ansible_host={addr4} node_dir={lab.node_dir(name)}\n")
            f.write(f"[nodes:vars]\nansible_user=root\nansible_ssh_private_key_file={lab.key}\n"
                    f"ansible_ssh_common_args='{ssh_args}'\nansible_python_interpreter=/usr/bin/python3\n"
                    f"fwc_bin={fwc}\n")

    def tool(self, argv, timeout=120):
        return subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=timeout, check=False)

    def install(self):
        build = self.tool(["ansible-galaxy", "collection", "build", os.path.join(REPO, "ansible"),
                           "--output-path", self.tmp, "--force"])
        tarballs = [f for f in os.listdir(self.tmp) if f.endswith(".tar.gz")]
        if build.returncode != 0 or len(tarballs) != 1:
            raise netlab.LabError(f"ansible-galaxy collection build: {build.stdout}{build.stderr}")
        inst = self.tool(["ansible-galaxy", "collection", "install", "--offline", "-p",
                          self.env["ANSIBLE_COLLECTIONS_PATH"], os.path.join(self.tmp, tarballs[0])])
        if inst.returncode != 0:
            raise netlab.LabError(f"ansible-galaxy collection install: {inst.stdout}{inst.stderr}")
        return tarballs[0]

    def playbook(self, text, extra, *flags):
        """(exit status, json callback document, seconds)."""
        path = os.path.join(self.tmp, "playbook.yml")
        with open(path, "w") as f:
            f.write(text)
        return self.run(path, dict(extra, fwc_bin=self.fwc), *flags)

    def run(self, playbook, extra, *flags):
        """ansible-playbook (a path or a collection's playbook) in the controller netns."""
        t0 = time.monotonic()
        r = self.tool(["ip", "netns", "exec", self.lab.controller, "ansible-playbook", "-i", self.inventory,
                       playbook, "-e", json.dumps(extra), *flags], timeout=180)
        try:
            doc = json.loads(r.stdout)
        except ValueError:
            doc = {"stdout": r.stdout[-3000:], "stderr": r.stderr[-3000:]}
        return r.returncode, doc, time.monotonic() - t0


def task_results(doc, name):
    """{host: result} of the tasks whose name starts with name, in every
    play (a serial play runs once per batch)."""
    out = {}
    for play in doc.get("plays", []):
        for task in play.get("tasks", []):
            if task["task"]["name"].startswith(name):
                out.update(task["hosts"])
    return out


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def diff_list(diff):
    """A result's diff: one dict, or a list of them."""
    if isinstance(diff, dict):
        return [diff]
    return [d for d in diff or [] if isinstance(d, dict)]


def short(doc):
    return json.dumps(doc, indent=1)[-2500:]


def check_docs(c, ans):
    for m in MODULES:
        r = ans.tool(["ansible-doc", "-t", "module", "fwc.firewall." + m])
        c.check(r.returncode == 0 and "OPTIONS" in r.stdout and not r.stderr.strip(),
                f"ansible-doc fwc.firewall.{m}: exit {r.returncode}, no warnings", r.stderr)


def check_argspecs(c, ans):
    r = ans.tool([netlab.PYTHON, os.path.join(netlab.HERE, "ansible_argspec.py"),
                  ans.env["ANSIBLE_COLLECTIONS_PATH"], *MODULES])
    c.check(r.returncode == 0, "argument_spec of every module matches its DOCUMENTATION", r.stdout + r.stderr)


def check_rollout_syntax(c, ans):
    r = ans.tool(["ansible-playbook", "-i", ans.inventory, "--syntax-check", "fwc.firewall.rollout",
                  "-e", "fwc_policy_src=p.yaml"])
    # Every playbook run from a collection gets this one.
    other = [line for line in r.stderr.splitlines() if line.strip() and "inside collection" not in line]
    c.check(r.returncode == 0 and not other, "ansible-playbook --syntax-check fwc.firewall.rollout",
            r.stdout + r.stderr)


def check_apply(c, lab, ans, v1):
    rc, doc, secs = ans.playbook(APPLY, {"policy_src": v1}, "--check", "--diff")
    res = task_results(doc, "apply")
    c.check(rc == 0 and len(res) == 3 and all(r.get("changed") for r in res.values()),
            f"--check: all 3 nodes report changes ({secs:.1f} s)", short(doc))
    c.check(all(lab.live_table(n) is None for n in lab.nodes), "--check: no node has table inet fwc")
    rc, doc, secs = ans.playbook(APPLY, {"policy_src": v1}, "--diff")
    res = task_results(doc, "apply")
    diffs = [d.get("prepared", "") for r in res.values() for d in diff_list(r.get("diff"))]
    c.check(rc == 0 and len(res) == 3 and all(r.get("changed") for r in res.values()),
            f"apply: changed on all 3 nodes ({secs:.1f} s)", short(doc))
    c.check(len(diffs) == 3 and all("+ rule in chain input: inbound[0] ssh-from-controller" in d for d in diffs),
            "--diff: fwc diff's lines for every node", "\n".join(diffs)[:2000])
    tables = {n: lab.live_table(n) for n in lab.nodes}
    c.check(all(t and "inbound[0] ssh-from-controller" in t for t in tables.values()),
            "apply: every node enforces the policy", json.dumps(tables)[:2000])
    facts = {h: r.get("ansible_facts", {}).get("fwc", {}) for h, r in task_results(doc, "facts").items()}
    with open(v1, "rb") as f:
        want = hashlib.sha256(f.read()).hexdigest()
    prints = {f.get("table_fingerprint") for f in facts.values()}
    c.check(len(facts) == 3 and all(f.get("policy_sha256") == want and f.get("installed") for f in facts.values())
            and len(prints) == 1 and None not in prints,
            "fwc_facts: applied policy's SHA-256 on every node, one table fingerprint",
            f"want {want}\n" + json.dumps({h: [f.get(k) for k in ("installed", "policy_sha256", "table_fingerprint")]
                                            for h, f in facts.items()}, indent=1))
    rc, doc, secs = ans.playbook(APPLY, {"policy_src": v1})
    stats = doc.get("stats", {})
    c.check(rc == 0 and len(stats) == 3 and all(s.get("changed") == 0 for s in stats.values()),
            f"second run: changed=0 on every node ({secs:.1f} s)", json.dumps(stats) + short(doc))


def check_rollout(c, lab, ans, v2):
    """The collection's canary playbook: batches, confirm, verify from the controller."""
    extra = {"fwc_policy_src": v2, "fwc_hosts": "nodes", "fwc_confirm": 8, "fwc_path": ans.fwc,
             "fwc_policy_dir": os.path.join(ans.tmp, "staged"), "ansible_become": False}
    rc, doc, secs = ans.run("fwc.firewall.rollout", extra)
    plays = doc.get("plays", [])
    applied, verified = task_results(doc, "Apply"), task_results(doc, "Verify")
    canary = (plays[0].get("tasks") or [{}])[0].get("hosts", {}) if plays else {}
    c.check(rc == 0 and len(plays) >= 2 and len(canary) == 1
            and len(applied) == 3 and all(r.get("changed") and r.get("confirmed") is True for r in applied.values())
            and len(verified) == 3 and not any(r.get("failed") for r in verified.values()),
            f"fwc.firewall.rollout: {len(plays)} batches, each node confirmed and verified ({secs:.1f} s)",
            json.dumps([[(t["task"]["name"], sorted(t["hosts"])) for t in p.get("tasks", [])] for p in plays])
            + short(doc))
    facts = {h: r.get("ansible_facts", {}).get("fwc", {}) for h, r in task_results(doc, "Record").items()}
    tables = {n: lab.live_table(n) or "" for n in lab.nodes}
    c.check(len(facts) == 3 and not any(f.get("rollback_pending", True) for f in facts.values())
            and all("ip saddr 203.0.113.10 tcp dport 8080" in t for t in tables.values()),
            "  every node runs the new policy with no rollback pending (fwc_facts)",
            json.dumps(facts)[:1000] + json.dumps(tables)[:1000])


def check_lockout(c, lab, ans, cut):
    before = lab.live_table("n1")
    rc, doc, _ = ans.playbook(APPLY, {"policy_src": cut, "target": "n1"})
    r = task_results(doc, "apply").get("n1", {})
    c.check(rc != 0 and r.get("failed") and "exit 2" in r.get("msg", "") and "SSH" in r.get("msg", ""),
            "policy cutting SSH without confirm: the lock-out guard refuses", short(doc))
    rc, doc, secs = ans.playbook(APPLY, {"policy_src": cut, "target": "n1", "confirm": 5})
    r = task_results(doc, "apply").get("n1", {})
    c.check(rc != 0 and r.get("failed") and r.get("msg", "").startswith("rolled back:") and r.get("rolled_back"),
            f"policy cutting SSH with confirm: 5: the task fails saying it rolled back ({secs:.1f} s)", short(doc))
    c.check(r.get("reachable_after_rollback") is True, "  the task saw the node answer again after 5 s", short(doc))
    c.check(lab.answers_ssh("n1"), "  n1 answers a new SSH connection")
    c.check(lab.live_table("n1") == before, "  n1 has its old table back",
            f"before:\n{before}\nnow:\n{lab.live_table('n1')}")


def check_verify(c, lab, ans, policy):
    rc, doc, secs = ans.playbook(VERIFY, {"policy_src": policy})
    res = task_results(doc, "verify")
    c.check(rc == 0 and len(res) == 3 and not any(r.get("failed") for r in res.values()),
            f"fwc_verify from the controller passes on all 3 nodes ({secs:.1f} s)", short(doc))
    lab.listen("n2", 9000)
    netlab.run(["nft", "insert", "rule", "inet", "fwc", "input", "tcp", "dport", "9000", "accept"],
               ns=lab.nodes["n2"])
    rc, doc, secs = ans.playbook(VERIFY, {"policy_src": policy})
    res = task_results(doc, "verify")
    n2 = res.get("n2", {})
    c.check(rc != 0 and n2.get("failed") and "9000/tcp open" in n2.get("msg", "")
            and not res.get("n1", {}).get("failed") and not res.get("n3", {}).get("failed"),
            f"after opening 9000/tcp by hand on n2, fwc_verify fails there only ({secs:.1f} s)", short(doc))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fwc", default=os.path.join(REPO, "build", "fwc"))
    fwc = os.path.abspath(ap.parse_args().fwc)
    netlab.require_root()
    netlab.require_tools(["ansible-playbook", "ansible-galaxy", "ansible-doc", "ssh", "ssh-keygen",
                          ansible_nodes.SSHD, "nft"])
    c = netlab.Tally()
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fwc-ansible-") as tmp:
        os.chmod(tmp, 0o755)
        v1 = write(tmp, "policy-v1.yaml", POLICY.format(ssh="controller", web="controller"))
        v2 = write(tmp, "policy-v2.yaml", POLICY.format(ssh="controller", web="operators"))
        cut = write(tmp, "policy-cut.yaml", POLICY.format(ssh="operators", web="controller"))
        with ansible_nodes.Lab(tmp) as lab:
            ans = Ansible(lab, tmp, fwc)
            try:
                c.check(bool(ans.install()), "ansible-galaxy collection build + install")
                check_docs(c, ans)
                check_argspecs(c, ans)
                check_rollout_syntax(c, ans)
                check_apply(c, lab, ans, v1)
                check_rollout(c, lab, ans, v2)
                check_lockout(c, lab, ans, cut)
                check_verify(c, lab, ans, v2)
            finally:
                lab.stop_ssh_masters(ans.control_dir)
    print(f"ansible lab: {time.monotonic() - t0:.1f} s")
    return c.summary()


if __name__ == "__main__":
    netlab.exit_with(main)
