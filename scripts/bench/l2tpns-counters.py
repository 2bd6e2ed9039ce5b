#!/usr/bin/env python3
"""l2tpns's own counters ("show counters" on its CLI), one "name value" a line.

    l2tpns-counters.py [HOST [PORT]]      (default 127.0.0.1 23)

Run it in l2tpns's network namespace (ip netns exec vs-lns ...).  The CLI
is libcli over telnet; with an empty /etc/l2tpns/users it asks for no
login.  Prints the Tunnel RX/TX lines as tunnel_rx_packets,
tunnel_rx_errors, tunnel_tx_packets, tunnel_retries, then every
"counter value" pair of the tables (radius_retries, radius_timeout,
radius_overflow, call_radiusretry, call_sendchap, multi_read_exceeded, ...).
Exit 1 when the CLI does not answer within 3 s.
"""
import re
import socket
import sys
import time


def main():
    host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 23
    try:
        s = socket.create_connection((host, port), timeout=3)
    except OSError as e:
        sys.exit(f"l2tpns-counters: {e}")
    s.settimeout(0.2)
    buf = b""
    deadline = time.time() + 3
    sent = False
    while time.time() < deadline:
        try:
            d = s.recv(65536)
            if not d:
                break
            buf += d
        except socket.timeout:
            pass
        if not sent and buf.rstrip().endswith(b">"):
            buf = b""
            s.sendall(b"show counters\r\n")
            sent = True
        elif sent and b"Last counter reset" in buf and buf.rstrip().endswith(b">"):
            break
    try:
        s.sendall(b"exit\r\n")
    except OSError:
        pass
    s.close()
    text = buf.decode(errors="replace").replace("\r", "")
    if "Counter" not in text:
        sys.exit("l2tpns-counters: no answer from the CLI")
    in_tunnel = False
    for line in text.splitlines():
        f = line.split()
        if not f:
            continue
        if f[0] == "Tunnel":
            in_tunnel = True
            continue
        if f[0] == "Ethernet":
            in_tunnel = False
            continue
        if in_tunnel and f[0] == "RX" and len(f) >= 4:
            print(f"tunnel_rx_packets {f[2]}\ntunnel_rx_errors {f[3]}")
            continue
        if in_tunnel and f[0] == "TX" and len(f) >= 5:
            print(f"tunnel_tx_packets {f[2]}\ntunnel_retries {f[4]}")
            in_tunnel = False
            continue
        if len(f) == 2 and re.fullmatch(r"[a-z_0-9]+", f[0]) and f[1].isdigit():
            print(f"{f[0]} {f[1]}")


if __name__ == "__main__":
    main()
