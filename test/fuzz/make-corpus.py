#!/usr/bin/env python3
"""Writes the fuzzers' starting corpus: the seed's call (shared/seed), as
single messages for fuzz_l2tp_parse and as a scripted call for
fuzz_l2tp_engine. Run it again after changing it; the output is committed."""
import hashlib
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def avp(typ, value, m=True, vendor=0):
    flags = (0x8000 if m else 0) | (6 + len(value))
    return struct.pack(">HHH", flags, vendor, typ) + value


def u16(v):
    return struct.pack(">H", v)


def u32(v):
    return struct.pack(">I", v)


def msg(tid, sid, ns, nr, *avps):
    body = b"".join(avps)
    return struct.pack(">HHHHHH", 0xC802, 12 + len(body), tid, sid, ns, nr) + body


chal_lac = bytes.fromhex("545A2343FBE20EA08BCA7B56E4A7D29E")
chal_lns = bytes.fromhex("98B296C28429E7ADC767237A45F31040")
sccrq = msg(0, 0, 0, 0, avp(0, u16(1)), avp(2, u16(0x100)), avp(3, u32(3)), avp(4, u32(3)),
            avp(6, u16(0x1130), False), avp(7, b"hgw"), avp(8, b"Cisco Systems, Inc.", False),
            avp(9, u16(17688)), avp(10, u16(800)), avp(11, chal_lac))
resp = hashlib.md5(bytes([3]) + b"hello" + chal_lns).digest()
scccn = msg(1, 0, 1, 1, avp(0, u16(3)), avp(13, resp))
icrq = msg(1, 0, 2, 1, avp(0, u16(10)), avp(14, u16(7)), avp(15, u32(0xD114C7C5)),
           avp(18, u32(1)), avp(22, b"2085730592"), avp(21, b"614629"),
           avp(100, b"Serial0:0", False, 9))
iccn = msg(1, 1, 3, 2, avp(0, u16(12)), avp(24, u32(64000)), avp(38, u32(64000), False),
           avp(19, u32(2)), avp(27, bytes.fromhex("0305C223050506109D08F2"), False),
           avp(28, bytes.fromhex("05066EE4E865"), False),
           avp(31, bytes.fromhex("5D0D008CB1677CF8BC354556321A7A74"), False),
           avp(32, u16(6), False), avp(30, b"2500-1", False),
           avp(33, bytes.fromhex("CA1CC2E4FA6899E8DF1B695C0A80883E")), avp(29, u16(2), False))
cdn = msg(1, 1, 4, 2, avp(0, u16(14)), avp(14, u16(7)), avp(1, u16(1) + u16(0)))
stopccn = msg(1, 0, 5, 3, avp(0, u16(4)), avp(9, u16(17688)), avp(1, u16(1)))
zlb = msg(1, 0, 5, 3)
hello = msg(1, 0, 4, 2, avp(0, u16(6)))


def write(sub, name, data):
    with open(os.path.join(HERE, "corpus", sub, name), "wb") as f:
        f.write(data)


for name, m in [("sccrq", sccrq), ("scccn", scccn), ("icrq", icrq), ("iccn", iccn),
                ("cdn", cdn), ("stopccn", stopccn), ("zlb", zlb), ("hello", hello)]:
    write("l2tp_parse", name, m)


def rec(op, data):
    return bytes([op]) + u16(len(data)) + data


# The engine fuzzer's LNS gets tunnel ID 1 and the call session ID 1 when
# its cursors are where rng_state 1 puts them; the fuzzer finds the rest.
call = b"".join([rec(0, sccrq), rec(0, scccn), rec(1, b"\x01"), rec(0, icrq), rec(0, iccn),
                 rec(1, b"\x05"), rec(0, hello), rec(0, cdn), rec(1, b"\x64"), rec(0, zlb)])
write("l2tp_engine", "seed-call", call)
write("l2tp_engine", "sccrq-only", rec(0, sccrq) + rec(1, b"\xff"))
write("l2tp_engine", "other-peer", rec(2, sccrq) + rec(0, scccn))


# PPP: frames a subscriber sends (FF 03, protocol, packet).
def ppp(proto, code, ident, data):
    return b"\xff\x03" + u16(proto) + bytes([code, ident]) + u16(4 + len(data)) + data


os.makedirs(os.path.join(HERE, "corpus", "ppp"), exist_ok=True)
lcp_req = ppp(0xC021, 1, 1, bytes.fromhex("010405dc05066EE4E865"))
lcp_ack_any = ppp(0xC021, 2, 1, b"")
chap_resp = ppp(0xC223, 2, 0, bytes([16]) + bytes(16) + b"alice")
pap_req = ppp(0xC023, 1, 1, bytes([5]) + b"alice" + bytes([6]) + b"s3cret")
ipcp_req = ppp(0x8021, 1, 187, bytes.fromhex("0206002D0F0003060A0A3502"))
ipcp_req2 = ppp(0x8021, 1, 188, bytes.fromhex("03060A0A3502"))
ipv6cp_req = ppp(0x8057, 1, 1, bytes.fromhex("010a0200000000000001"))
echo = ppp(0xC021, 9, 7, bytes.fromhex("6EE4E865"))
term = ppp(0xC021, 5, 8, b"")
write("ppp", "proxied", b"\x01" + b"".join(rec(0, f) for f in [ipcp_req, ipcp_req2, ipv6cp_req, echo, term]))
write("ppp", "negotiated", b"\x00" + b"".join(rec(0, f) for f in [lcp_req, lcp_ack_any, chap_resp, pap_req, ipcp_req2]) + rec(1, b"\x1e"))
write("ppp", "rechallenge", b"\x03" + rec(0, ipcp_req2) + rec(1, b"\x40") + rec(0, chap_resp))
