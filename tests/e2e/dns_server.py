#!/usr/bin/python3
"""A tiny DNS server for tests: UDP, A and AAAA answers from a table the
test changes while it runs.

usage: dns_server.py --addr 127.0.0.1 [--port 53]
Prints READY once bound. Each line on standard input is a JSON object
{"name": {"A": [...], "AAAA": [...]}} that replaces the table; it prints OK
after each. A name not in the table is NXDOMAIN; a known name without
records of the asked type is an empty answer. Exits when stdin closes.
"""
import argparse
import ipaddress
import json
import select
import socket
import struct
import sys

TYPES = {1: "A", 28: "AAAA"}


def parse_question(msg):
    """(id, flags, qname in lower case, qtype, end offset of the question)."""
    ident, flags, qdcount = struct.unpack("!HHH", msg[:6])
    if qdcount != 1:
        raise ValueError("one question expected")
    labels, i = [], 12
    while msg[i] != 0:
        n = msg[i]
        labels.append(msg[i + 1:i + 1 + n].decode("ascii").lower())
        i += 1 + n
    qtype, _qclass = struct.unpack("!HH", msg[i + 1:i + 5])
    return ident, flags, ".".join(labels), qtype, i + 5


def answer(msg, table):
    ident, flags, name, qtype, end = parse_question(msg)
    records = table.get(name)
    rcode = 3 if records is None else 0   # NXDOMAIN for unknown names
    addrs = [] if records is None else records.get(TYPES.get(qtype, ""), [])
    out = struct.pack("!HHHHHH", ident, 0x8180 | (flags & 0x0100) | rcode, 1, len(addrs), 0, 0)
    out += msg[12:end]
    for a in addrs:
        rdata = ipaddress.ip_address(a).packed
        out += struct.pack("!HHHIH", 0xC00C, qtype, 1, 0, len(rdata)) + rdata
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", required=True)
    ap.add_argument("--port", type=int, default=53)
    args = ap.parse_args()
    sock = socket.socket(socket.AF_INET6 if ":" in args.addr else socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((args.addr, args.port))
    table = {}
    print("READY", flush=True)
    while True:
        ready, _, _ = select.select([sock, sys.stdin], [], [])
        if sys.stdin in ready:
            line = sys.stdin.readline()
            if not line:
                return 0
            table = {k.lower(): v for k, v in json.loads(line).items()}
            print("OK", flush=True)
        if sock in ready:
            msg, peer = sock.recvfrom(4096)
            try:
                sock.sendto(answer(msg, table), peer)
            except (ValueError, IndexError, struct.error):
                pass   # not a query we understand: no answer


if __name__ == "__main__":
    sys.exit(main())
