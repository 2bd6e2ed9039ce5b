#!/usr/bin/env python3
# Reads the interop capture (tshark fields, one L2TP packet a line, as
# run.sh writes them) and answers one question per call, exit status 0
# when the capture shows it. Tunnels are named by lnsd's tunnel ID, which
# the LAC's messages carry and lnsd's SCCRP assigns.
#
# GUEST is the LAC's address; every other source is lnsd (its alias too).
#
#   capture.py FIELDS GUEST setup CALLS         CALLS tunnels: SCCRQ SCCRP SCCCN ICRQ ICRP ICCN
#   capture.py FIELDS GUEST teardown            data both ways, CDNs, every StopCCN acked
#   capture.py FIELDS GUEST pppd-hangup TUNNEL  LAC: LCP TermReq; a CDN; LAC StopCCN, acked
#   capture.py FIELDS GUEST lns-clear TUNNEL    lnsd: LCP TermReq, then CDN
import sys

NAMES = {1: "SCCRQ", 2: "SCCRP", 3: "SCCCN", 4: "StopCCN", 6: "HELLO", 10: "ICRQ",
         11: "ICRP", 12: "ICCN", 14: "CDN", 16: "SLI"}
PPP_LCP, TERM_REQ = 0xC021, 5
COLUMNS = ("frame", "src", "type", "tunnel", "session", "ns", "nr", "msg", "assigned",
           "proto", "code")


def num(v):
    if not v:
        return None
    return int(v, 16) if v.startswith("0x") else int(v)


class Packet:
    def __init__(self, line, lac):
        f = dict(zip(COLUMNS, line.rstrip("\n").split("\t") + [""] * len(COLUMNS)))
        self.frame = int(f["frame"])
        self.by = "LAC" if f["src"] == lac else "LNS"
        self.control = f["type"] == "1"  # the T bit

        self.tunnel, self.session = num(f["tunnel"]), num(f["session"])
        self.ns, self.nr = num(f["ns"]), num(f["nr"])
        self.msg = NAMES.get(num(f["msg"]), "type" + f["msg"]) if f["msg"] else None
        self.assigned = num(f["assigned"])
        self.proto, self.code = num(f["proto"]), num(f["code"])
        self.lns_tunnel = None  # filled in by load()

    def zlb(self):
        return self.control and self.msg is None

    def __str__(self):
        what = self.msg or ("ZLB" if self.zlb() else f"data {self.proto or 0:#06x}/{self.code}")
        return f"#{self.frame} {self.by} {what} tunnel {self.lns_tunnel} Ns {self.ns} Nr {self.nr}"


def load(path, lac):
    """The packets, each with lnsd's ID of its tunnel (SCCRP pairs the IDs)."""
    pkts = [Packet(l, lac) for l in open(path) if l.strip()]
    lac_to_lns = {}
    for p in pkts:
        if p.by == "LNS" and p.msg == "SCCRP" and p.assigned is not None:
            lac_to_lns[p.tunnel] = p.assigned
    for p in pkts:
        if p.by == "LAC":
            p.lns_tunnel = p.tunnel if p.tunnel else None
        else:
            p.lns_tunnel = lac_to_lns.get(p.tunnel)
    return pkts


def acked(pkts, i):
    """A later packet from the other side in the tunnel acknowledges pkts[i]."""
    m = pkts[i]
    want = (m.ns + 1) % 65536
    return any(p.by != m.by and p.control and p.lns_tunnel == m.lns_tunnel and p.nr is not None
               and (p.nr - want) % 65536 < 32768 for p in pkts[i + 1:])


def in_order(pkts, tunnel, steps):
    """steps: (who, predicate, label) in order within the tunnel; says what is missing."""
    k = 0
    for p in pkts:
        if (k < len(steps) and p.lns_tunnel == tunnel and steps[k][0] in (None, p.by)
                and steps[k][1](p)):
            print(f"  {steps[k][2]}: {p}")
            k += 1
    if k < len(steps):
        print(f"  missing in tunnel {tunnel}: {steps[k][2]}")
        return False
    return True


def setup(pkts, calls):
    """At least CALLS tunnels went SCCRQ to ICCN in order, and one LNS answered."""
    tunnels = sorted({p.lns_tunnel for p in pkts if p.msg == "SCCRP" and p.lns_tunnel})
    full = 0
    for t in tunnels:
        seq = [(p.by, p.msg) for p in pkts if p.msg and (p.lns_tunnel == t or
               (p.msg == "SCCRQ" and p.assigned is not None and lac_id(pkts, t) == p.assigned))]
        want = [("LAC", "SCCRQ"), ("LNS", "SCCRP"), ("LAC", "SCCCN"),
                ("LAC", "ICRQ"), ("LNS", "ICRP"), ("LAC", "ICCN")]
        it = iter(seq)
        if all(step in it for step in want):
            full += 1
    # two SCCRPs assigning different IDs to one LAC tunnel: a second LNS on the link
    answers = {}
    for p in pkts:
        if p.by == "LNS" and p.msg == "SCCRP":
            answers.setdefault(p.tunnel, set()).add(p.assigned)
    others = {lac: ids for lac, ids in answers.items() if len(ids) > 1}
    print(f"  {full} of {len(tunnels)} tunnels from SCCRQ to ICCN, {calls} calls expected")
    if others:
        print(f"  another LNS answered on the access link (lab shared?): {others}")
    return full >= calls and not others


def lac_id(pkts, tunnel):
    """The LAC's ID of lnsd's tunnel, from lnsd's SCCRP."""
    return next((p.tunnel for p in pkts if p.by == "LNS" and p.msg == "SCCRP"
                 and p.assigned == tunnel), None)


def teardown(pkts):
    data = {"LAC": 0, "LNS": 0}
    for p in pkts:
        if not p.control:
            data[p.by] += 1
    cdns = sum(1 for p in pkts if p.msg == "CDN")
    stops = [i for i, p in enumerate(pkts) if p.msg == "StopCCN"]
    unacked = [str(pkts[i]) for i in stops if not acked(pkts, i)]
    print(f"  data LAC->LNS {data['LAC']}, LNS->LAC {data['LNS']}; CDN x{cdns}; "
          f"StopCCN x{len(stops)}, unacknowledged: {unacked or 'none'}")
    return data["LAC"] > 0 and data["LNS"] > 0 and cdns > 0 and stops and not unacked


def pppd_hangup(pkts, tunnel):
    """pppd's LCP Terminate-Request, a CDN from either side (lnsd may clear
    the call on the Terminate before xl2tpd does), then the LAC's StopCCN,
    acknowledged by lnsd."""
    steps = [("LAC", lambda p: p.proto == PPP_LCP and p.code == TERM_REQ, "LAC LCP Terminate-Request"),
             (None, lambda p: p.msg == "CDN", "CDN"),
             ("LAC", lambda p: p.msg == "StopCCN", "LAC StopCCN")]
    if not in_order(pkts, tunnel, steps):
        return False
    i = max(i for i, p in enumerate(pkts) if p.lns_tunnel == tunnel and p.msg == "StopCCN")
    ok = acked(pkts, i)
    print(f"  lnsd acknowledged the StopCCN: {'yes' if ok else 'no'}")
    return ok


def lns_clear(pkts, tunnel):
    steps = [("LNS", lambda p: p.proto == PPP_LCP and p.code == TERM_REQ, "lnsd LCP Terminate-Request"),
             ("LNS", lambda p: p.msg == "CDN", "lnsd CDN")]
    return in_order(pkts, tunnel, steps)


def main():
    pkts = load(sys.argv[1], sys.argv[2])
    what, args = sys.argv[3], [int(a) for a in sys.argv[4:] if a]
    if what in ("pppd-hangup", "lns-clear") and not args:
        print("  no tunnel ID known for this call")
        sys.exit(1)
    run = {"setup": setup, "teardown": teardown, "pppd-hangup": pppd_hangup,
           "lns-clear": lns_clear}[what]
    sys.exit(0 if run(pkts, *args) else 1)


if __name__ == "__main__":
    main()
