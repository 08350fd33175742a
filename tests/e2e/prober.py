"""Probe TCP/UDP ports of a target from bound source addresses, all in parallel
(run inside the vantage netns).

stdin:  {"target4": A, "target6": A, "timeout": 1.5, "probes": [[src, port, proto], ...]}
stdout: [[result, detail], ...] in probe order; result is one of
  accept  TCP connected / UDP echo received
  reject  connection refused or an ICMP error (RST, port/admin unreachable, ...)
  drop    no answer within the timeout (UDP: twice)
  error   a local failure (detail says which)
"""

import errno
import json
import resource
import selectors
import socket
import sys
import time
from collections import deque

REJECT = {errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH,
          errno.EACCES, errno.ENOPROTOOPT}
UDP_ATTEMPTS = 2
MAX_INFLIGHT = 1000


def classify(err):
    name = errno.errorcode.get(err, str(err))
    return ("reject" if err in REJECT else "error", name)


class Prober:
    def __init__(self, target4, target6, timeout, probes):
        self.targets = {socket.AF_INET: target4, socket.AF_INET6: target6}
        self.timeout = timeout
        self.probes = probes
        self.results = [None] * len(probes)
        self.queue = deque((i, 1) for i in range(len(probes)))
        self.sel = selectors.DefaultSelector()
        self.inflight = {}   # socket -> (index, attempt, deadline, payload)

    def start(self, i, attempt):
        src, port, proto = self.probes[i]
        fam = socket.AF_INET6 if ":" in src else socket.AF_INET
        dst = (self.targets[fam], port)
        tcp = proto == "tcp"
        s = socket.socket(fam, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
        s.setblocking(False)
        payload = f"fwc-probe {i} {attempt}".encode()
        try:
            s.bind((src, 0))
            if tcp:
                err = s.connect_ex(dst)
                if err not in (0, errno.EINPROGRESS):
                    raise OSError(err, "connect")
            else:
                s.connect(dst)
                s.send(payload)
        except OSError as e:
            s.close()
            self.results[i] = classify(e.errno)
            return
        self.sel.register(s, selectors.EVENT_WRITE if tcp else selectors.EVENT_READ)
        self.inflight[s] = (i, attempt, time.monotonic() + self.timeout, payload)

    def finish(self, s, result):
        i = self.inflight.pop(s)[0]
        self.sel.unregister(s)
        s.close()
        self.results[i] = result

    def ready(self, s):
        i, attempt, deadline, payload = self.inflight[s]
        if s.type == socket.SOCK_STREAM:
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            self.finish(s, ("accept", "connected") if err == 0 else classify(err))
            return
        try:
            data = s.recv(65535)
        except BlockingIOError:
            return
        except OSError as e:
            self.finish(s, classify(e.errno))
            return
        if data == payload:
            self.finish(s, ("accept", f"echo (attempt {attempt})"))

    def expire(self, now):
        for s, (i, attempt, deadline, _) in list(self.inflight.items()):
            if now < deadline:
                continue
            udp = s.type == socket.SOCK_DGRAM
            self.finish(s, ("drop", f"timeout x{attempt}" if udp else "timeout"))
            if udp and attempt < UDP_ATTEMPTS:
                self.queue.append((i, attempt + 1))

    def run(self):
        while self.queue or self.inflight:
            while self.queue and len(self.inflight) < MAX_INFLIGHT:
                self.start(*self.queue.popleft())
            if not self.inflight:
                continue
            wait = min(d for _, _, d, _ in self.inflight.values()) - time.monotonic()
            for key, _ in self.sel.select(max(wait, 0)):
                self.ready(key.fileobj)
            self.expire(time.monotonic())
        return self.results


def main():
    global MAX_INFLIGHT
    req = json.load(sys.stdin)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    soft = max(soft, min(hard, MAX_INFLIGHT + 64))
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    MAX_INFLIGHT = min(MAX_INFLIGHT, soft - 64)
    probes = [(src, int(port), proto) for src, port, proto in req["probes"]]
    results = Prober(req["target4"], req["target6"], float(req["timeout"]), probes).run()
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
