"""Listen on TCP and UDP ports of the given addresses (run inside the target netns).

TCP connections are accepted and closed; UDP datagrams are echoed back.
Prints READY once every socket is bound.  Exits when stdin reaches EOF (the
harness closed it or died) or on SIGTERM.

usage: listener.py --addr 203.0.113.254,2001:db8:ffff::1 --tcp 22,80 --udp 53
"""

import argparse
import os
import selectors
import signal
import socket
import sys


def ports(text):
    return [int(p) for p in text.split(",") if p]


def bind(addr, port, kind):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    if kind == socket.SOCK_STREAM:
        s.listen(1024)
    s.setblocking(False)
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", required=True)
    ap.add_argument("--tcp", type=ports, default=[])
    ap.add_argument("--udp", type=ports, default=[])
    args = ap.parse_args()
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the harness stops us by pid

    sel = selectors.DefaultSelector()
    for addr in args.addr.split(","):
        for port in args.tcp:
            sel.register(bind(addr, port, socket.SOCK_STREAM), selectors.EVENT_READ, "tcp")
        for port in args.udp:
            sel.register(bind(addr, port, socket.SOCK_DGRAM), selectors.EVENT_READ, "udp")
    sel.register(sys.stdin, selectors.EVENT_READ, "stdin")
    print("READY", flush=True)

    while True:
        for key, _ in sel.select():
            s = key.fileobj
            try:
                if key.data == "stdin":
                    if not os.read(sys.stdin.fileno(), 4096):
                        return
                elif key.data == "tcp":
                    s.accept()[0].close()
                else:
                    data, peer = s.recvfrom(65535)
                    s.sendto(data, peer)
            except OSError:
                pass   # a peer that went away, or a would-block: nothing to do


if __name__ == "__main__":
    main()
