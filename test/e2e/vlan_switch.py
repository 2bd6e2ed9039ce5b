#!/usr/bin/env python3
"""An 802.1Q switch in user space for the one-armed test: this machine's
kernel has neither bridges nor VLAN devices. One trunk port (tagged) and
access ports (untagged, one VLAN each). A frame from the trunk goes,
untagged, to every access port of its VLAN; a frame from an access port goes,
tagged, to the trunk and, as it is, to the other access ports of its VLAN.
Frames on the trunk for a VLAN no port has are counted and dropped.

  vlan_switch.py --trunk IF --port IF:VLAN [--port IF:VLAN ...] --seconds N

It stops by itself after N seconds, or on SIGTERM, and prints its counts.
"""
import argparse
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
PACKET_OUTGOING = 4


def open_port(name):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((name, 0))
    return s


def receive(s):
    """A frame as it was on the wire: the kernel hands the tag over apart."""
    data, anc, _, addr = s.recvmsg(65535, socket.CMSG_SPACE(32))
    if addr[2] == PACKET_OUTGOING:
        return None
    for level, kind, value in anc:
        if level == SOL_PACKET and kind == PACKET_AUXDATA and len(value) >= 20:
            status, _, _, _, _, tci, tpid = struct.unpack("IIIHHHH", value[:20])
            if status & TP_STATUS_VLAN_VALID:
                tpid = tpid or 0x8100
                return data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
    return data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trunk", required=True)
    ap.add_argument("--port", action="append", required=True, help="IF:VLAN")
    ap.add_argument("--seconds", type=float, default=300)
    a = ap.parse_args()

    trunk = open_port(a.trunk)
    ports = []  # (socket, vlan)
    for p in a.port:
        name, vlan = p.split(":")
        ports.append((open_port(name), int(vlan)))
    counts = {"from_trunk": 0, "to_trunk": 0, "unknown_vlan": 0, "untagged_on_trunk": 0}
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    deadline = time.monotonic() + a.seconds
    socks = [trunk] + [s for s, _ in ports]
    while not stop and time.monotonic() < deadline:
        ready, _, _ = select.select(socks, [], [], 0.2)
        for s in ready:
            f = receive(s)
            if f is None or len(f) < 14:
                continue
            if s is trunk:
                if struct.unpack("!H", f[12:14])[0] != 0x8100 or len(f) < 18:
                    counts["untagged_on_trunk"] += 1
                    continue
                vlan = struct.unpack("!H", f[14:16])[0] & 0xFFF
                outs = [p for p, v in ports if v == vlan]
                if not outs:
                    counts["unknown_vlan"] += 1
                for p in outs:
                    p.send(f[:12] + f[16:])
                counts["from_trunk"] += 1
            else:
                vlan = next(v for p, v in ports if p is s)
                trunk.send(f[:12] + struct.pack("!HH", 0x8100, vlan) + f[12:])
                for p, v in ports:
                    if v == vlan and p is not s:
                        p.send(f)
                counts["to_trunk"] += 1
    print("vlan_switch:", " ".join(f"{k} {v}" for k, v in counts.items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
