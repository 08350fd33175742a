"""A controller netns and three node netns on one bridge, each node running
its own sshd, for the Ansible collection's lab test (ansible_lab.py).

Addresses are documentation ones: the controller 198.51.100.1 and
2001:db8:100::1, node i 198.51.100.1i and 2001:db8:100::1i.  Every sshd has
its own configuration, host key, pid file and FWC_STATE_DIR in the lab's temp
directory; clients use a key made for the lab and never read or write
~/.ssh.  Namespaces and processes are removed by netlab's cleanup.
"""

import os
import select
import subprocess

import netlab

CONTROLLER4 = "198.51.100.1"
NODES = {f"n{i}": (f"198.51.100.1{i}", f"2001:db8:100::1{i}") for i in (1, 2, 3)}
SSHD = "/usr/sbin/sshd"
PRIVSEP = "/run/sshd"   # sshd refuses to start without it

SSHD_CONFIG = """Port 22
ListenAddress {addr}
HostKey {dir}/host_key
AuthorizedKeysFile {tmp}/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
PidFile {dir}/sshd.pid
SetEnv FWC_STATE_DIR={dir}/state
Subsystem sftp internal-sftp
"""


class Lab:
    """with Lab(tmp) as lab: lab.controller, lab.nodes {name: netns}, lab.key."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.controller = None
        self.nodes = {}
        self.key = os.path.join(tmp, "id_ed25519")
        self._made_privsep = False

    def __enter__(self):
        try:
            self._setup()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        netlab.cleanup()
        if self._made_privsep:
            os.rmdir(PRIVSEP)
            self._made_privsep = False

    def node_dir(self, name):
        return os.path.join(self.tmp, name)

    def _setup(self):
        netlab.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "fwc-lab", "-f", self.key])
        with open(self.key + ".pub") as src, open(os.path.join(self.tmp, "authorized_keys"), "w") as dst:
            dst.write(src.read())
        if not os.path.isdir(PRIVSEP):
            os.mkdir(PRIVSEP, 0o755)
            self._made_privsep = True
        c = self.controller = netlab.new_netns("ctl")
        netlab.run(["ip", "-n", c, "link", "add", "br0", "type", "bridge"])
        netlab.run(["ip", "-n", c, "addr", "add", CONTROLLER4 + "/24", "dev", "br0"])
        netlab.run(["ip", "-n", c, "-6", "addr", "add", "2001:db8:100::1/64", "dev", "br0", "nodad"])
        netlab.run(["ip", "-n", c, "link", "set", "br0", "up"])
        for name, (addr4, addr6) in NODES.items():
            self._add_node(name, addr4, addr6)

    def _add_node(self, name, addr4, addr6):
        n = self.nodes[name] = netlab.new_netns(name)
        c = self.controller
        netlab.run(["ip", "-n", c, "link", "add", "p" + name, "type", "veth", "peer", "name", "eth0",
                    "netns", n])
        netlab.run(["ip", "-n", c, "link", "set", "p" + name, "master", "br0", "up"])
        netlab.run(["ip", "-n", n, "addr", "add", addr4 + "/24", "dev", "eth0"])
        netlab.run(["ip", "-n", n, "-6", "addr", "add", addr6 + "/64", "dev", "eth0", "nodad"])
        netlab.run(["ip", "-n", n, "link", "set", "eth0", "up"])
        d = self.node_dir(name)
        os.makedirs(os.path.join(d, "state"), mode=0o700)
        netlab.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(d, "host_key")])
        cfg = os.path.join(d, "sshd_config")
        with open(cfg, "w") as f:
            f.write(SSHD_CONFIG.format(addr=addr4, dir=d, tmp=self.tmp))
        netlab.run([SSHD, "-t", "-f", cfg])
        p = netlab.start([SSHD, "-D", "-e", "-f", cfg], n)
        if not self._wait_port(addr4, 22):
            raise netlab.LabError(f"sshd of {name} does not answer: {p.stderr.read() if p.poll() else ''}")

    def _wait_port(self, addr, port, tries=50):
        probe = ("import socket,sys\ns=socket.socket();s.settimeout(0.2)\n"
                 f"sys.exit(s.connect_ex(('{addr}',{port})))")
        for _ in range(tries):
            if netlab.run([netlab.PYTHON, "-c", probe], ns=self.controller, check=False).returncode == 0:
                return True
        return False

    def answers_ssh(self, name, timeout=3):
        """True when a fresh SSH login to the node runs a command."""
        r = netlab.run(["ssh", "-F", "/dev/null", "-i", self.key, "-o", "BatchMode=yes",
                        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                        "-o", "GlobalKnownHostsFile=/dev/null", "-o", f"ConnectTimeout={timeout}",
                        "-o", "LogLevel=ERROR", "root@" + NODES[name][0], "true"],
                       ns=self.controller, check=False, timeout=timeout + 10)
        return r.returncode == 0

    def live_table(self, name):
        """The node's table inet fwc without counters, or None when missing."""
        r = netlab.run(["nft", "-s", "list", "table", "inet", "fwc"], ns=self.nodes[name], check=False)
        return r.stdout if r.returncode == 0 else None

    def listen(self, name, port):
        """A TCP listener on the node's IPv4 address (stopped by cleanup)."""
        p = netlab.start([netlab.PYTHON, os.path.join(netlab.HERE, "listener.py"), "--addr",
                          NODES[name][0], "--tcp", str(port)], self.nodes[name])
        ready, _, _ = select.select([p.stdout], [], [], 10)
        if not ready or p.stdout.readline().strip() != "READY":
            raise netlab.LabError(f"listener on {name}:{port} did not start")

    def stop_ssh_masters(self, control_dir):
        """ControlPersist masters ansible left in control_dir (its own temp dir)."""
        if not os.path.isdir(control_dir):
            return
        for sock in os.listdir(control_dir):
            subprocess.run(["ip", "netns", "exec", self.controller, "ssh", "-F", "/dev/null", "-O", "exit",
                            "-S", os.path.join(control_dir, sock), "lab"], capture_output=True, timeout=10,
                           check=False)
