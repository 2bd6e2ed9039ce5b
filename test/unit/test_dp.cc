// SPDX-License-Identifier: BSD-2-Clause
// The workers' per-burst functions on crafted mbufs, with a real EAL
// (--no-huge --no-pci --no-shconf: DPDK 22.11 refuses --in-memory with
// --no-huge), and the session tables under RCU, including a writer and a
// worker on two lcores at once.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

extern "C" {
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ring.h>

#include "dp.h"
#include "dp_port.h"
#include "dp_worker.h"
#include "l2tp_wire.h"
}

namespace
{

using Bytes = std::vector<uint8_t>;

rte_mempool *pool;
rte_rcu_qsbr *qsbr;

class Eal : public ::testing::Environment
{
      public:
	void SetUp() override
	{
		const char *argv[] = { "test_dp",
				       "--no-huge",
				       "--no-pci",
				       "--no-shconf",
				       "-l",
				       "0-1",
				       "-m",
				       "1536",
				       "--log-level=error",
				       "--file-prefix=lnsd-test-dp" };
		ASSERT_GE(rte_eal_init(10, const_cast<char **>(argv)), 0);
		pool = rte_pktmbuf_pool_create("test_dp", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					       SOCKET_ID_ANY);
		ASSERT_NE(nullptr, pool);
		size_t sz = rte_rcu_qsbr_get_memsize(4);
		qsbr = (rte_rcu_qsbr *)rte_zmalloc("qsbr", sz, RTE_CACHE_LINE_SIZE);
		ASSERT_EQ(0, rte_rcu_qsbr_init(qsbr, 4));
	}
	void TearDown() override
	{
		std::string runtime = rte_eal_get_runtime_dir();
		rte_free(qsbr);
		rte_mempool_free(pool);
		rte_eal_cleanup();
		std::filesystem::remove_all(runtime); /* EAL leaves its runtime dir */
	}
};

const auto *env = ::testing::AddGlobalTestEnvironment(new Eal);

const rte_ether_addr lac_mac = { { 0x02, 0, 0, 0, 0, 0x0a } };
const rte_ether_addr access_mac = { { 0x02, 0, 0, 0, 0, 0x01 } };
const rte_ether_addr core_mac = { { 0x02, 0, 0, 0, 0, 0x02 } };
const rte_ether_addr core_gw = { { 0x02, 0, 0, 0, 0, 0x0c } };
const uint32_t LAC = 0xC0000202;    // 192.0.2.2
const uint32_t LNS = 0xC0000201;    // 192.0.2.1
const uint32_t SUB = 0xCB00710A;    // 203.0.113.10
const uint32_t REMOTE = 0xC6336402; // 198.51.100.2

dp_session
base_session()
{
	dp_session s = {};
	s.tunnel_id = 100;
	s.session_id = 200;
	s.peer_tunnel_id = 300;
	s.peer_session_id = 400;
	s.peer_ip = LAC;
	s.local_ip = LNS;
	s.peer_port = 1701;
	s.local_port = 1701;
	s.peer_mac = lac_mac;
	s.sub_ipv4 = SUB;
	s.magic = 0x11223344;
	s.mtu = 1460;
	return s;
}

struct Rig {
	dp_tables *t;
	dp_ports ports = {};
	dp_worker w = {};
	std::vector<dp_session_counters> sess;

	explicit Rig(uint32_t max = 1024)
	{
		static int n;
		t = dp_tables_create(("t" + std::to_string(n++)).c_str(), max, SOCKET_ID_ANY, qsbr);
		dp_ports_init(&ports);
		ports.n_access = ports.n_core = 1;
		on_ports(0, 0); // crafted mbufs come from port 0
		ports.access[0].mac = access_mac;
		ports.core[0].mac = core_mac;
		ports.core[0].gw = core_gw;
		ports.core[0].gw6 = core_gw;
		ports.l2tp_port = 1701;
		sess.resize(max);
		w.tables = t;
		w.ports = &ports;
		w.sess = sess.data();
	}
	~Rig()
	{
		dp_tables_free(t);
	}
	uint64_t c(dp_counter x) const
	{
		return w.counters[x];
	}
	// interface 0 of each side on these DPDK ports (the same port: one-armed)
	void on_ports(uint16_t access, uint16_t core)
	{
		ports.access[0].port = access;
		ports.core[0].port = core;
		ports.access_of_port[access] = 0;
		ports.core_of_port[core] = 0;
	}
};

// rte_ipv4_cksum's result is stored as it is, in memory order
void
set_cksum(const void *hdr)
{
	uint8_t *ip = (uint8_t *)hdr;
	memset(ip + 10, 0, 2);
	uint16_t c = rte_ipv4_cksum((const rte_ipv4_hdr *)ip);
	memcpy(ip + 10, &c, 2);
}

Bytes
inner_ipv4(uint32_t src, uint32_t dst, uint8_t ttl = 64, size_t payload = 20)
{
	Bytes ip(20 + 8 + payload, 0x5a);
	ip[0] = 0x45;
	ip[1] = 0;
	put_be16(&ip[2], (uint16_t)ip.size());
	put_be16(&ip[4], 7);
	put_be16(&ip[6], 0);
	ip[8] = ttl;
	ip[9] = 17;
	put_be16(&ip[10], 0);
	put_be32(&ip[12], src);
	put_be32(&ip[16], dst);
	set_cksum(ip.data());
	put_be16(&ip[20], 4000);
	put_be16(&ip[22], 53);
	put_be16(&ip[24], (uint16_t)(8 + payload));
	put_be16(&ip[26], 0);
	return ip;
}

struct Outer {
	uint16_t vlan = 0;	 // 802.1Q VLAN ID; 0: untagged
	uint16_t l2tp_flags = 0; // L2TP_FLAG_L / S / O
	uint16_t offset = 0;
	bool acf = true, pfc = false;
	uint16_t tunnel = 100, session = 200;
	uint32_t src = LAC;
	uint16_t sport = 1701, dport = 1701;
	uint16_t ppp_proto = 0x0021;
};

// Ethernet [VLAN] IPv4 UDP L2TP PPP + payload, as a LAC sends it.
Bytes
from_lac(const Outer &o, const Bytes &payload)
{
	Bytes ppp;
	if (o.acf) {
		ppp.push_back(0xff);
		ppp.push_back(0x03);
	}
	if (o.pfc)
		ppp.push_back((uint8_t)o.ppp_proto);
	else {
		ppp.push_back((uint8_t)(o.ppp_proto >> 8));
		ppp.push_back((uint8_t)o.ppp_proto);
	}
	ppp.insert(ppp.end(), payload.begin(), payload.end());
	uint8_t l2tp[32];
	l2tp_data_hdr_opts opts = {};
	opts.length = o.l2tp_flags & L2TP_FLAG_L;
	opts.sequence = o.l2tp_flags & L2TP_FLAG_S;
	opts.offset = o.offset;
	opts.offset_field = o.l2tp_flags & L2TP_FLAG_O;
	opts.ns = 5;
	size_t lh = l2tp_hdr_put_data(l2tp, sizeof(l2tp), o.tunnel, o.session, ppp.size(), &opts);
	Bytes b(14, 0);
	memcpy(&b[0], access_mac.addr_bytes, 6);
	memcpy(&b[6], lac_mac.addr_bytes, 6);
	if (o.vlan) {
		put_be16(&b[12], 0x8100);
		b.push_back((uint8_t)(o.vlan >> 8));
		b.push_back((uint8_t)o.vlan);
		b.push_back(0x08);
		b.push_back(0x00);
	} else {
		put_be16(&b[12], 0x0800);
	}
	size_t ip = b.size();
	size_t udp_len = 8 + lh + ppp.size();
	b.resize(ip + 20 + 8);
	b[ip] = 0x45;
	put_be16(&b[ip + 2], (uint16_t)(20 + udp_len));
	b[ip + 8] = 64;
	b[ip + 9] = 17;
	put_be32(&b[ip + 12], o.src);
	put_be32(&b[ip + 16], LNS);
	set_cksum(&b[ip]);
	put_be16(&b[ip + 20], o.sport);
	put_be16(&b[ip + 22], o.dport);
	put_be16(&b[ip + 24], (uint16_t)udp_len);
	b.insert(b.end(), l2tp, l2tp + lh);
	b.insert(b.end(), ppp.begin(), ppp.end());
	return b;
}

// 2001:db8:0:1::/64, the documentation range, as the table keys it
const uint8_t SUB6[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1 };
const uint8_t REMOTE6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

uint64_t
prefix_key(const uint8_t p[8])
{
	uint64_t k;
	memcpy(&k, p, 8);
	return k;
}

Bytes
inner_ipv6(const uint8_t *src, const uint8_t *dst, uint8_t hops = 64)
{
	Bytes ip(40 + 8, 0x66);
	ip[0] = 0x60;
	ip[1] = ip[2] = ip[3] = 0;
	put_be16(&ip[4], 8);
	ip[6] = 17;
	ip[7] = hops;
	memcpy(&ip[8], src, 16);
	memcpy(&ip[24], dst, 16);
	return ip;
}

// Ethernet [VLAN] + IP from the core toward a subscriber.
Bytes
from_core(const Bytes &ip, uint16_t vlan = 0)
{
	// sized up front: GCC 12 at -O3 warns (-Warray-bounds, a false positive)
	// on insert() at the end of a full vector
	size_t eth = vlan ? 18 : 14;
	Bytes b(eth + ip.size(), 0);
	memcpy(&b[0], core_mac.addr_bytes, 6);
	memcpy(&b[6], core_gw.addr_bytes, 6);
	if (vlan) {
		put_be16(&b[12], 0x8100);
		put_be16(&b[14], vlan);
	}
	put_be16(&b[eth - 2], (ip[0] >> 4) == 6 ? 0x86dd : 0x0800);
	memcpy(&b[eth], ip.data(), ip.size());
	return b;
}

rte_mbuf *
mbuf(const Bytes &b)
{
	rte_mbuf *m = rte_pktmbuf_alloc(pool);
	// no port in it (RTE_MBUF_PORT_INVALID), as net_ring delivers them: the
	// worker's rx_port says where a burst came in
	char *p = rte_pktmbuf_append(m, (uint16_t)b.size());
	memcpy(p, b.data(), b.size());
	return m;
}

Bytes
bytes(rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	return Bytes(p, p + rte_pktmbuf_data_len(m));
}

void
free_out(dp_out &o)
{
	for (unsigned i = 0; i < o.n_core; i++)
		rte_pktmbuf_free(o.core[i]);
	for (unsigned i = 0; i < o.n_access; i++)
		rte_pktmbuf_free(o.access[i]);
	for (unsigned i = 0; i < o.n_punt; i++)
		rte_pktmbuf_free(o.punt[i]);
	o = {};
}

dp_out
run_access(Rig &r, const Bytes &b)
{
	dp_out out = {};
	rte_mbuf *m = mbuf(b);
	dp_access_burst(&r.w, &m, 1, &out);
	return out;
}

} // namespace

TEST(DpAccess, DecapEveryHeaderFlagCombinationVlanAcfcPfc)
{
	Rig r;
	dp_session s = base_session();
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	Bytes inner = inner_ipv4(SUB, REMOTE);
	int n = 0;
	for (int combo = 0; combo < 64; combo++) {
		Outer o;
		o.l2tp_flags = (uint16_t)(((combo & 1) ? L2TP_FLAG_L : 0) |
					  ((combo & 2) ? L2TP_FLAG_S : 0) |
					  ((combo & 4) ? L2TP_FLAG_O : 0));
		o.offset = (combo & 4) ? 3 : 0;
		o.vlan = (combo & 8) ? 10 : 0;
		r.ports.access[0].vlan = o.vlan; // the side is tagged as the LAC sends
		o.acf = !(combo & 16);
		o.pfc = combo & 32;
		dp_out out = run_access(r, from_lac(o, inner));
		ASSERT_EQ(1, out.n_core) << "combo " << combo;
		Bytes got = bytes(out.core[0]);
		Bytes want(14, 0);
		memcpy(&want[0], core_gw.addr_bytes, 6);
		memcpy(&want[6], core_mac.addr_bytes, 6);
		put_be16(&want[12], 0x0800);
		Bytes ttl = inner;
		ttl[8]--;
		set_cksum(ttl.data());
		want.insert(want.end(), ttl.begin(), ttl.end());
		EXPECT_EQ(want, got) << "combo " << combo;
		free_out(out);
		n++;
	}
	EXPECT_EQ((uint64_t)n, r.c(DP_DECAP));
	EXPECT_EQ((uint64_t)n, r.sess[0].rx_packets);
	EXPECT_EQ((uint64_t)n * inner.size(), r.sess[0].rx_bytes);
}

TEST(DpAccess, EveryDropHasItsReason)
{
	Rig r;
	dp_session s = base_session();
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	Bytes inner = inner_ipv4(SUB, REMOTE);
	Outer o;
	struct Case {
		Bytes pkt;
		dp_counter why;
	};
	std::vector<Case> cases;
	Bytes good = from_lac(o, inner);
	cases.push_back({ Bytes(good.begin(), good.begin() + 10), DP_DROP_SHORT });
	Bytes v6 = good;
	put_be16(&v6[12], 0x86dd);
	cases.push_back({ v6, DP_DROP_NOT_IP });
	Bytes badip = good;
	badip[14] = 0x44;
	cases.push_back({ badip, DP_DROP_BAD_IP });
	Bytes frag = good;
	put_be16(&frag[20], 0x2000);
	cases.push_back({ frag, DP_DROP_FRAGMENT });
	Outer other_port = o;
	other_port.dport = 53;
	cases.push_back({ from_lac(other_port, inner), DP_DROP_NOT_L2TP });
	Bytes v3 = good;
	v3[42 + 1] = 0x03;
	cases.push_back({ v3, DP_DROP_L2TP_HEADER });
	Outer wrong_ip = o;
	wrong_ip.src = LAC + 1;
	cases.push_back({ from_lac(wrong_ip, inner), DP_DROP_WRONG_PEER });
	Outer wrong_port = o;
	wrong_port.sport = 1702;
	cases.push_back({ from_lac(wrong_port, inner), DP_DROP_WRONG_PEER });
	cases.push_back({ from_lac(o, inner_ipv4(SUB + 1, REMOTE)), DP_DROP_SPOOFED });
	cases.push_back({ from_lac(o, inner_ipv4(SUB, REMOTE, 1)), DP_DROP_TTL });
	Bytes cut = from_lac(o, Bytes(inner.begin(), inner.begin() + 10));
	cases.push_back({ cut, DP_DROP_BAD_PPP });
	for (const Case &c : cases) {
		uint64_t before = r.c(c.why);
		dp_out out = run_access(r, c.pkt);
		EXPECT_EQ(0, out.n_core + out.n_access + out.n_punt) << dp_counter_name(c.why);
		EXPECT_EQ(before + 1, r.c(c.why)) << dp_counter_name(c.why);
	}
	EXPECT_EQ(0u, r.c(DP_DECAP));
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool)); // every drop freed
}

TEST(DpAccess, ControlIsPuntedAndEchoIsAnsweredByTheWorker)
{
	Rig r;
	dp_session s = base_session();
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	Outer o;
	Bytes hello = from_lac(o, {});
	// make it an L2TP control message (T, L, S): a ZLB
	size_t l2 = 42;
	Bytes ctrl(hello.begin(), hello.begin() + (long)l2);
	uint8_t zlb[12];
	l2tp_hdr_put_ctrl(zlb, 12, 100, 0, 0, 0);
	ctrl.insert(ctrl.end(), zlb, zlb + 12);
	put_be16(&ctrl[16], (uint16_t)(20 + 8 + 12));
	put_be16(&ctrl[38], 8 + 12);
	dp_out out = run_access(r, ctrl);
	EXPECT_EQ(1, out.n_punt);
	EXPECT_EQ(1u, r.c(DP_PUNT_L2TP_CONTROL));
	free_out(out);

	Outer lcp = o;
	lcp.ppp_proto = 0xc021;
	out = run_access(r, from_lac(lcp, { 1, 1, 0, 4 })); // Configure-Request
	EXPECT_EQ(1, out.n_punt);
	EXPECT_EQ(1u, r.c(DP_PUNT_PPP_CONTROL));
	free_out(out);

	Bytes arp = hello;
	put_be16(&arp[12], 0x0806);
	out = run_access(r, arp);
	EXPECT_EQ(1, out.n_punt);
	EXPECT_EQ(1u, r.c(DP_PUNT_ARP));
	free_out(out);

	// a session not in the table yet (PPP still negotiating): the control lcore decides
	Outer unknown = o;
	unknown.session = 201;
	out = run_access(r, from_lac(unknown, { 1, 2, 3 }));
	EXPECT_EQ(1, out.n_punt);
	EXPECT_EQ(1u, r.c(DP_PUNT_NO_SESSION));
	free_out(out);

	// Echo-Request id 9 with the subscriber's magic and some data
	lcp.l2tp_flags = L2TP_FLAG_L | L2TP_FLAG_S;
	out = run_access(r, from_lac(lcp, { 9, 9, 0, 10, 0xde, 0xad, 0xbe, 0xef, 0x55, 0x66 }));
	ASSERT_EQ(1, out.n_access);
	Bytes rep = bytes(out.access[0]);
	EXPECT_EQ(0, memcmp(&rep[0], lac_mac.addr_bytes, 6));
	EXPECT_EQ(0, memcmp(&rep[6], access_mac.addr_bytes, 6));
	EXPECT_EQ(LNS, get_be32(&rep[26]));
	EXPECT_EQ(LAC, get_be32(&rep[30]));
	EXPECT_EQ(0, rte_ipv4_cksum((const rte_ipv4_hdr *)&rep[14])); // valid header
	l2tp_hdr h;
	ASSERT_EQ(L2TP_ST_OK, l2tp_hdr_parse(&h, &rep[42], rep.size() - 42));
	EXPECT_EQ(300, h.tunnel_id);
	EXPECT_EQ(400, h.session_id);
	const uint8_t *ppp = &rep[42 + h.hdr_len];
	EXPECT_EQ(
		Bytes({ 0xff, 0x03, 0xc0, 0x21, 10, 9, 0, 10, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 }),
		Bytes(ppp, ppp + 14));
	EXPECT_EQ(1u, r.c(DP_ECHO_REPLIED));
	free_out(out);
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
}

TEST(DpAccess, MssOfTcpSynIsClamped)
{
	Rig r;
	dp_session s = base_session();
	s.mss = 1400;
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	Bytes ip(20 + 24, 0);
	ip[0] = 0x45;
	put_be16(&ip[2], (uint16_t)ip.size());
	ip[8] = 64;
	ip[9] = 6;
	put_be32(&ip[12], SUB);
	put_be32(&ip[16], REMOTE);
	set_cksum(ip.data());
	uint8_t *tcp = &ip[20];
	put_be16(tcp, 40000);
	put_be16(tcp + 2, 443);
	tcp[12] = 6 << 4; // 24-byte header
	tcp[13] = 0x02;	  // SYN
	tcp[20] = 2;
	tcp[21] = 4;
	put_be16(tcp + 22, 1460);
	uint16_t c = rte_ipv4_udptcp_cksum((const rte_ipv4_hdr *)ip.data(), tcp);
	memcpy(tcp + 16, &c, 2);
	dp_out out = run_access(r, from_lac(Outer(), ip));
	ASSERT_EQ(1, out.n_core);
	Bytes got = bytes(out.core[0]);
	uint8_t *gip = &got[14];
	EXPECT_EQ(1400, get_be16(gip + 20 + 22));
	uint16_t stored, fresh;
	memcpy(&stored, gip + 20 + 16, 2);
	memset(gip + 20 + 16, 0, 2);
	fresh = rte_ipv4_udptcp_cksum((const rte_ipv4_hdr *)gip, gip + 20);
	EXPECT_EQ(fresh, stored); // the incremental update agrees with a full sum
	free_out(out);
}

TEST(DpCore, EncapIsByteExactForEverySessionKind)
{
	for (int flags = 0; flags < 8; flags++) {
		Rig r;
		dp_session s = base_session();
		s.flags = (uint8_t)flags;
		ASSERT_GE(dp_session_add(r.t, &s), 0);
		Bytes inner = inner_ipv4(REMOTE, SUB);
		dp_out out = {};
		rte_mbuf *m = mbuf(from_core(inner));
		dp_core_burst(&r.w, &m, 1, &out);
		ASSERT_EQ(1, out.n_access) << flags;
		Bytes got = bytes(out.access[0]);
		// what a LAC must receive
		Outer o;
		o.l2tp_flags = (flags & DP_SESS_SEQUENCING) ? L2TP_FLAG_L | L2TP_FLAG_S : 0;
		o.acf = !(flags & DP_SESS_NO_ACF);
		o.pfc = flags & DP_SESS_PFC;
		o.tunnel = 300;
		o.session = 400;
		Bytes ttl = inner;
		ttl[8]--;
		set_cksum(ttl.data());
		Bytes want = from_lac(o, ttl);
		// from_lac writes LAC->LNS; the LNS sends LNS->LAC with Ns 0
		memcpy(&want[0], lac_mac.addr_bytes, 6);
		memcpy(&want[6], access_mac.addr_bytes, 6);
		put_be32(&want[26], LNS);
		put_be32(&want[30], LAC);
		put_be16(&want[24], 0);
		set_cksum(&want[14]);
		if (flags & DP_SESS_SEQUENCING)
			put_be16(&want[42 + 8], 0);
		EXPECT_EQ(want, got) << "flags " << flags;
		EXPECT_EQ(1u, r.c(DP_ENCAP));
		EXPECT_EQ(1u, r.sess[0].tx_packets);
		free_out(out);
	}
}

// A NIC that checks checksums: what it marks bad is dropped and counted, on the access side
// for the outer IPv4 and UDP, on the core side for the IPv4 header only (a forwarded
// packet's UDP or TCP checksum belongs to its end hosts). Without the offload the flags
// mean nothing.
TEST(DpOffload, ChecksumsTheNicMarksBadAreDropped)
{
	Rig r;
	dp_session s = base_session();
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	Bytes lac = from_lac(Outer(), inner_ipv4(SUB, REMOTE));
	auto access = [&](uint64_t flags) {
		dp_out out = {};
		rte_mbuf *m = mbuf(lac);
		m->ol_flags = flags;
		dp_access_burst(&r.w, &m, 1, &out);
		unsigned n = out.n_core;
		free_out(out);
		return n;
	};
	auto core = [&](uint64_t flags) {
		dp_out out = {};
		rte_mbuf *m = mbuf(from_core(inner_ipv4(REMOTE, SUB)));
		m->ol_flags = flags;
		dp_core_burst(&r.w, &m, 1, &out);
		unsigned n = out.n_access;
		free_out(out);
		return n;
	};
	EXPECT_EQ(1u, access(RTE_MBUF_F_RX_IP_CKSUM_BAD)) << "no rx_cksum: flags not read";
	r.ports.access[0].rx_cksum = r.ports.core[0].rx_cksum = true;
	EXPECT_EQ(0u, access(RTE_MBUF_F_RX_IP_CKSUM_BAD));
	EXPECT_EQ(0u, access(RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_BAD));
	EXPECT_EQ(1u, access(RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD));
	EXPECT_EQ(1u, access(RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN | RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN));
	EXPECT_EQ(0u, core(RTE_MBUF_F_RX_IP_CKSUM_BAD));
	EXPECT_EQ(1u, core(RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_BAD));
	EXPECT_EQ(3u, r.c(DP_DROP_BAD_CHECKSUM));
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
}

// With the NIC writing the outer IPv4 checksum, the worker leaves it 0 and asks for it in
// the mbuf; a fragment is summed by the worker, whose flags ask nothing.
TEST(DpOffload, OuterIpv4ChecksumLeftToTheNic)
{
	Rig r;
	dp_session s = base_session();
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	r.ports.access[0].tx_ip_cksum = true;
	dp_out out = {};
	rte_mbuf *m = mbuf(from_core(inner_ipv4(REMOTE, SUB)));
	dp_core_burst(&r.w, &m, 1, &out);
	ASSERT_EQ(1, out.n_access);
	rte_mbuf *e = out.access[0];
	const uint8_t *ip = rte_pktmbuf_mtod_offset(e, const uint8_t *, 14);
	EXPECT_EQ(0, get_be16(ip + 10));
	EXPECT_EQ(RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM,
		  e->ol_flags & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM));
	EXPECT_EQ(14u, e->l2_len);
	EXPECT_EQ(20u, e->l3_len);
	free_out(out);
	r.ports.access[0].mtu = 576;
	r.ports.frag_direct = pool;
	r.ports.frag_indirect = pool;
	m = mbuf(from_core(inner_ipv4(REMOTE, SUB, 64, 900)));
	dp_core_burst(&r.w, &m, 1, &out);
	ASSERT_GE(out.n_access, 2);
	for (unsigned i = 0; i < out.n_access; i++) {
		Bytes f = bytes(out.access[i]);
		uint16_t sum = get_be16(&f[14 + 10]);
		set_cksum(&f[14]);
		EXPECT_EQ(get_be16(&f[14 + 10]), sum)
			<< "fragment " << i << ": summed by the worker";
		EXPECT_EQ(0u, out.access[i]->ol_flags & RTE_MBUF_F_TX_IP_CKSUM);
	}
	free_out(out);
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
}

// A port planned from what its device offers: never fewer RX than TX queues (a device that
// pairs them spreads traffic over every pair), RSS over the ones asked for, rings adjusted,
// and a clear reason when the device cannot give what lnsd needs.
TEST(DpPort, PlanPairsRxWithTxQueuesAndSaysWhyNot)
{
	auto mk = [](const std::string &n) {
		return rte_ring_create(n.c_str(), 512, SOCKET_ID_ANY, 0);
	};
	rte_ring *in[2] = { mk("plan_i0"), mk("plan_i1") },
		 *out[2] = { mk("plan_o0"), mk("plan_o1") };
	int port = rte_eth_from_rings("plan0", in, 2, out, 2, SOCKET_ID_ANY);
	ASSERT_GE(port, 0);
	dp_port_want want = {};
	want.n_rxq = 1; // one worker
	want.n_txq = 2; // its TX queue and the control lcore's
	want.rx_ring = 256;
	struct dp_port_plan plan;
	ASSERT_EQ(0, dp_port_plan((uint16_t)port, &want, &plan)) << plan.why;
	EXPECT_EQ(2, plan.n_rxq) << "the second RX queue is polled too";
	EXPECT_EQ(1, plan.rss_queues);
	EXPECT_EQ(2, plan.n_txq);
	EXPECT_EQ(256, plan.rx_ring);
	EXPECT_GT(plan.tx_ring, 0);
	EXPECT_STREQ("net_ring", plan.driver);
	EXPECT_FALSE(plan.rx_cksum) << "a ring port has no offloads: none asked of it";
	ASSERT_EQ(0, dp_port_start_planned((uint16_t)port, &plan, pool)) << plan.why;
	rte_eth_dev_stop((uint16_t)port);

	want.n_txq = 3; // two workers and the control lcore, on a port of two queues
	EXPECT_NE(0, dp_port_plan((uint16_t)port, &want, &plan));
	EXPECT_NE(nullptr, strstr(plan.why, "3 TX queues needed")) << plan.why;
	want.n_txq = 2;
	want.mtu = 9000;
	int rc = dp_port_plan((uint16_t)port, &want, &plan);
	if (rc != 0) // the ring PMD's MTU limit: said, not ignored
		EXPECT_NE(nullptr, strstr(plan.why, "mtu 9000")) << plan.why;
	else
		EXPECT_EQ(9000, plan.mtu);
}

TEST(DpCore, NoRouteTooBigArpAndSequenceNumbers)
{
	Rig r;
	dp_session s = base_session();
	s.flags = DP_SESS_SEQUENCING;
	s.mtu = 100;
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	dp_out out = {};
	rte_mbuf *m[4] = { mbuf(from_core(inner_ipv4(REMOTE, SUB + 5))),
			   mbuf(from_core(inner_ipv4(REMOTE, SUB, 64, 200))),
			   mbuf(from_core(inner_ipv4(REMOTE, SUB))),
			   mbuf(from_core(inner_ipv4(REMOTE, SUB))) };
	dp_core_burst(&r.w, m, 4, &out);
	EXPECT_EQ(1u, r.c(DP_DROP_NO_ROUTE));
	EXPECT_EQ(1u, r.c(DP_DROP_TOO_BIG));
	ASSERT_EQ(2, out.n_access);
	l2tp_hdr h0, h1;
	Bytes a = bytes(out.access[0]), b = bytes(out.access[1]);
	ASSERT_EQ(L2TP_ST_OK, l2tp_hdr_parse(&h0, &a[42], a.size() - 42));
	ASSERT_EQ(L2TP_ST_OK, l2tp_hdr_parse(&h1, &b[42], b.size() - 42));
	EXPECT_EQ(0, h0.ns);
	EXPECT_EQ(1, h1.ns);
	free_out(out);
	Bytes arp = from_core(inner_ipv4(REMOTE, SUB));
	put_be16(&arp[12], 0x0806);
	rte_mbuf *am = mbuf(arp);
	dp_core_burst(&r.w, &am, 1, &out);
	EXPECT_EQ(1, out.n_punt);
	free_out(out);
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
}

// An Ethernet/IPv4 frame (no VLAN) split into two fragments, the first
// carrying `at` bytes of the IP payload (a multiple of 8).
std::pair<Bytes, Bytes>
split_outer(const Bytes &b, size_t at)
{
	const size_t ip = 14;
	Bytes f1(b.begin(), b.begin() + (long)(ip + 20 + at));
	Bytes f2(b.begin(), b.begin() + (long)(ip + 20));
	f2.insert(f2.end(), b.begin() + (long)(ip + 20 + at), b.end());
	put_be16(&f1[ip + 2], (uint16_t)(20 + at));
	put_be16(&f1[ip + 6], 0x2000); // MF
	put_be16(&f2[ip + 2], (uint16_t)(f2.size() - ip));
	put_be16(&f2[ip + 6], (uint16_t)(at / 8));
	set_cksum(&f1[ip]);
	set_cksum(&f2[ip]);
	return { f1, f2 };
}

TEST(DpAccess, FragmentsFromTheLacAreReassembledThenDecapsulated)
{
	Rig r;
	dp_session s = base_session();
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	Bytes inner = inner_ipv4(SUB, REMOTE, 64, 1000);
	auto [f1, f2] = split_outer(from_lac(Outer{}, inner), 512);

	// no reassembly table: dropped, counted
	dp_out out = run_access(r, f1);
	EXPECT_EQ(0, out.n_core);
	EXPECT_EQ(1u, r.c(DP_DROP_FRAGMENT));

	r.w.frag_tbl = rte_ip_frag_table_create(64, 4, 256, rte_get_tsc_hz(), SOCKET_ID_ANY);
	ASSERT_NE(nullptr, r.w.frag_tbl);
	out = run_access(r, f2); // the last fragment first: held
	EXPECT_EQ(0, out.n_core + out.n_punt);
	out = run_access(r, f1);
	ASSERT_EQ(1, out.n_core);
	Bytes got = bytes(out.core[0]);
	ASSERT_EQ(14 + inner.size(), got.size());
	EXPECT_EQ(63, got[14 + 8]); // TTL decremented: decapsulated as a whole
	EXPECT_TRUE(std::equal(inner.begin() + 12, inner.end(), got.begin() + 14 + 12));
	EXPECT_EQ(2u, r.c(DP_FRAGMENT_IN));
	EXPECT_EQ(1u, r.c(DP_REASSEMBLED));
	EXPECT_EQ(1u, r.c(DP_DECAP));
	EXPECT_EQ(1u, r.c(DP_DROP_FRAGMENT));
	free_out(out);

	// a fragment whose partner never comes is freed when it times out, and counted
	run_access(r, f1);
	rte_delay_us_block(1100 * 1000);
	out = run_access(r, from_lac(Outer{}, inner)); // any burst tidies the table
	free_out(out);
	EXPECT_EQ(2u, r.c(DP_DROP_FRAGMENT));
	rte_ip_frag_table_destroy(r.w.frag_tbl);
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
}

TEST(DpTables, AddDeleteReplaceWithRcu)
{
	Rig r(4);
	ASSERT_EQ(0, rte_rcu_qsbr_thread_register(qsbr, 3));
	rte_rcu_qsbr_thread_online(qsbr, 3);
	dp_session s = base_session();
	int idx = dp_session_add(r.t, &s);
	ASSERT_GE(idx, 0);
	EXPECT_EQ(-EEXIST, dp_session_add(r.t, &s));
	s.mss = 1300;
	EXPECT_EQ(idx, dp_session_replace(r.t, &s)); // counters slot kept
	uint32_t key = dp_l2tp_key(100, 200);
	const dp_session *found;
	dp_lookup_l2tp(r.t, &key, 1, &found);
	ASSERT_NE(nullptr, found);
	EXPECT_EQ(1300, found->mss);
	// a worker that has not passed a quiescent state holds the old entry
	EXPECT_EQ(0u, dp_tables_reclaim(r.t));
	rte_rcu_qsbr_quiescent(qsbr, 3);
	EXPECT_EQ(1u, dp_tables_reclaim(r.t));
	EXPECT_EQ(0, dp_session_del(r.t, 100, 200));
	EXPECT_EQ(-ENOENT, dp_session_del(r.t, 100, 200));
	dp_lookup_l2tp(r.t, &key, 1, &found);
	EXPECT_EQ(nullptr, found);
	uint32_t sub = SUB;
	dp_lookup_sub4(r.t, &sub, 1, &found);
	EXPECT_EQ(nullptr, found);
	// capacity 4: the freed slot comes back only after the grace period
	for (uint16_t i = 0; i < 3; i++) {
		dp_session x = base_session();
		x.session_id = (uint16_t)(300 + i);
		x.sub_ipv4 = SUB + 1 + i;
		ASSERT_GE(dp_session_add(r.t, &x), 0);
	}
	dp_session y = base_session();
	y.session_id = 999;
	y.sub_ipv4 = SUB + 100;
	EXPECT_EQ(-ENOSPC, dp_session_add(r.t, &y));
	rte_rcu_qsbr_quiescent(qsbr, 3);
	EXPECT_GE(dp_session_add(r.t, &y), 0);
	EXPECT_EQ(4u, dp_session_count(r.t));
	rte_rcu_qsbr_thread_offline(qsbr, 3);
	rte_rcu_qsbr_thread_unregister(qsbr, 3);
}

TEST(DpTables, AFreedSlotIsClearedBeforeANewSessionTakesIt)
{
	Rig r(1);
	dp_worker *w = &r.w;
	std::vector<uint32_t> freed;
	dp_tables_on_slot_freed(
		r.t,
		[](void *ctx, uint32_t index) {
			static_cast<std::vector<uint32_t> *>(ctx)->push_back(index);
		},
		&freed);
	ASSERT_EQ(0, rte_rcu_qsbr_thread_register(qsbr, 3));
	rte_rcu_qsbr_thread_online(qsbr, 3);
	dp_session s = base_session();
	int idx = dp_session_add(r.t, &s);
	ASSERT_GE(idx, 0);
	r.sess[idx] = { 5, 500, 7, 700, 42 };
	ASSERT_EQ(0, dp_session_del(r.t, s.tunnel_id, s.session_id));
	dp_tables_reclaim(r.t);
	EXPECT_TRUE(freed.empty()); // the worker may still count into it
	rte_rcu_qsbr_quiescent(qsbr, 3);
	EXPECT_EQ(1u, dp_tables_reclaim(r.t));
	ASSERT_EQ(std::vector<uint32_t>{ (uint32_t)idx }, freed);
	dp_session_counters_clear(&w, 1, freed[0]);
	s.session_id = 201;
	ASSERT_EQ(idx, dp_session_add(r.t, &s)); // capacity 1: the same slot
	dp_session_counters c;
	dp_session_counters_sum(&w, 1, (uint32_t)idx, &c);
	EXPECT_EQ(0u, c.rx_packets + c.rx_bytes + c.tx_packets + c.tx_bytes);
	EXPECT_EQ(0u, r.sess[idx].ns);
	rte_rcu_qsbr_thread_offline(qsbr, 3);
	rte_rcu_qsbr_thread_unregister(qsbr, 3);
}

TEST(DpTables, AMillionSessions)
{
	const uint32_t n = 1000000;
	Rig r(n);
	for (uint32_t i = 0; i < n; i++) {
		dp_session s = base_session();
		s.tunnel_id = (uint16_t)(1 + i / 60000);
		s.session_id = (uint16_t)(1 + i % 60000);
		s.sub_ipv4 = 0x0A000000 + i;
		ASSERT_GE(dp_session_add(r.t, &s), 0) << i;
	}
	EXPECT_EQ(n, dp_session_count(r.t));
	for (uint32_t i = 0; i < n; i += DP_BURST) {
		uint32_t keys[DP_BURST];
		const dp_session *out[DP_BURST];
		unsigned k = std::min<uint32_t>(DP_BURST, n - i);
		for (unsigned j = 0; j < k; j++)
			keys[j] = dp_l2tp_key((uint16_t)(1 + (i + j) / 60000),
					      (uint16_t)(1 + (i + j) % 60000));
		dp_lookup_l2tp(r.t, keys, k, out);
		for (unsigned j = 0; j < k; j++)
			ASSERT_TRUE(out[j] && out[j]->sub_ipv4 == 0x0A000000 + i + j);
	}
	for (uint32_t i = 0; i < n; i++)
		ASSERT_EQ(0, dp_session_del(r.t, (uint16_t)(1 + i / 60000),
					    (uint16_t)(1 + i % 60000)));
	EXPECT_EQ(0u, dp_session_count(r.t));
	dp_tables_reclaim(r.t); // no worker registered: everything is free at once
	// every slot and entry came back: the table fills up again
	for (uint32_t i = 0; i < n; i++) {
		dp_session s = base_session();
		s.tunnel_id = (uint16_t)(1 + i / 60000);
		s.session_id = (uint16_t)(1 + i % 60000);
		s.sub_ipv4 = 0x0B000000 + i;
		ASSERT_GE(dp_session_add(r.t, &s), 0) << i;
	}
	dp_session extra = base_session();
	extra.tunnel_id = 999;
	EXPECT_EQ(-ENOSPC, dp_session_add(r.t, &extra));
}

// A writer on this lcore adds, replaces and deletes sessions as fast as it
// can while a worker on the other lcore forwards traffic for them: every
// packet is forwarded for the right subscriber or dropped with a reason,
// and ASan sees nothing used after free.
namespace
{
struct Race {
	Rig *rig;
	std::atomic<bool> stop{ false };
	uint64_t forwarded = 0, wrong = 0, dropped = 0;
};

int
race_worker(void *arg)
{
	Race *race = static_cast<Race *>(arg);
	rte_rcu_qsbr_thread_register(qsbr, 1);
	rte_rcu_qsbr_thread_online(qsbr, 1);
	dp_worker w = race->rig->w;
	w.id = 1;
	std::vector<dp_session_counters> sess(race->rig->sess.size());
	w.sess = sess.data();
	uint32_t i = 0;
	while (!race->stop.load(std::memory_order_relaxed)) {
		rte_mbuf *m[8];
		for (int k = 0; k < 8; k++, i++) {
			Outer o;
			o.session = (uint16_t)(1 + i % 64);
			m[k] = mbuf(from_lac(o, inner_ipv4(SUB + i % 64, REMOTE)));
		}
		dp_out out = {};
		dp_access_burst(&w, m, 8, &out);
		for (unsigned k = 0; k < out.n_core; k++) {
			Bytes b = bytes(out.core[k]);
			uint32_t src = get_be32(&b[14 + 12]);
			race->forwarded++;
			race->wrong += src < SUB || src >= SUB + 64;
		}
		free_out(out);
		rte_rcu_qsbr_quiescent(qsbr, 1);
	}
	for (int c = 0; c < DP_COUNTER_MAX; c++)
		if (c != DP_DECAP)
			race->dropped += w.counters[c];
	rte_rcu_qsbr_thread_offline(qsbr, 1);
	rte_rcu_qsbr_thread_unregister(qsbr, 1);
	return 0;
}
} // namespace

TEST(DpTables, WriterAndWorkerOnTwoLcores)
{
	unsigned worker = rte_get_next_lcore(rte_lcore_id(), 1, 0);
	if (worker >= RTE_MAX_LCORE)
		GTEST_SKIP() << "needs two lcores";
	Rig r(256);
	Race race;
	race.rig = &r;
	ASSERT_EQ(0, rte_eal_remote_launch(race_worker, &race, worker));
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz();
	uint32_t ops = 0;
	while (rte_get_timer_cycles() < deadline) {
		uint16_t sid = (uint16_t)(1 + ops % 64);
		dp_session s = base_session();
		s.session_id = sid;
		s.sub_ipv4 = SUB + (sid - 1);
		switch (ops++ % 3) {
		case 0:
			dp_session_add(r.t, &s);
			break;
		case 1:
			s.mss = (uint16_t)(1000 + ops % 400);
			dp_session_replace(r.t, &s);
			break;
		default:
			dp_session_del(r.t, 100, sid);
			break;
		}
		dp_tables_reclaim(r.t);
	}
	race.stop = true;
	rte_eal_wait_lcore(worker);
	EXPECT_GT(ops, 1000u);
	EXPECT_GT(race.forwarded, 0u);
	EXPECT_GT(race.dropped, 0u); // unknown sessions while deleted
	EXPECT_EQ(0u, race.wrong);
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
}

// The loop on two DPDK ring ports: what arrives on the access port leaves
// decapsulated on the core port, echo replies on the access port, control
// on the punt ring; a full TX queue and a full punt ring are counted.
TEST(DpWorker, PollMovesPacketsBetweenPorts)
{
	static int n;
	std::string tag = std::to_string(n++);
	rte_ring *a_in = rte_ring_create(("ai" + tag).c_str(), 64, SOCKET_ID_ANY,
					 RING_F_SP_ENQ | RING_F_SC_DEQ);
	rte_ring *a_out = rte_ring_create(("ao" + tag).c_str(), 64, SOCKET_ID_ANY,
					  RING_F_SP_ENQ | RING_F_SC_DEQ);
	rte_ring *c_in = rte_ring_create(("ci" + tag).c_str(), 64, SOCKET_ID_ANY,
					 RING_F_SP_ENQ | RING_F_SC_DEQ);
	rte_ring *c_out = rte_ring_create(("co" + tag).c_str(), 4, SOCKET_ID_ANY,
					  RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
	rte_ring *punt = rte_ring_create(("pu" + tag).c_str(), 1, SOCKET_ID_ANY,
					 RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
	ASSERT_TRUE(a_in && a_out && c_in && c_out && punt);
	int access = rte_eth_from_rings(("acc" + tag).c_str(), &a_in, 1, &a_out, 1, SOCKET_ID_ANY);
	int core = rte_eth_from_rings(("core" + tag).c_str(), &c_in, 1, &c_out, 1, SOCKET_ID_ANY);
	ASSERT_GE(access, 0);
	ASSERT_GE(core, 0);
	ASSERT_EQ(0, dp_port_start((uint16_t)access, 1, 1, 64, pool));
	ASSERT_EQ(0, dp_port_start((uint16_t)core, 1, 1, 64, pool));

	Rig r;
	dp_session s = base_session();
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	dp_worker_cfg cfg = {};
	cfg.rx[0] = { (uint16_t)access, 0, DP_SIDE_ACCESS };
	cfg.rx[1] = { (uint16_t)core, 0, DP_SIDE_CORE };
	cfg.n_rx = 2;
	r.on_ports((uint16_t)access, (uint16_t)core);
	cfg.punt = punt;
	dp_worker_state st = {};

	// 6 subscriber packets (the core TX ring holds 4), 1 echo, 2 control frames (punt holds 1)
	Outer o;
	Outer lcp = o;
	lcp.ppp_proto = 0xc021;
	std::vector<Bytes> in;
	for (int i = 0; i < 6; i++)
		in.push_back(from_lac(o, inner_ipv4(SUB, REMOTE)));
	in.push_back(from_lac(lcp, { 9, 1, 0, 8, 1, 2, 3, 4 }));
	in.push_back(from_lac(lcp, { 1, 1, 0, 4 }));
	in.push_back(from_lac(lcp, { 1, 2, 0, 4 }));
	for (const Bytes &b : in) {
		rte_mbuf *m = mbuf(b);
		ASSERT_EQ(0, rte_ring_enqueue(a_in, m));
	}
	EXPECT_EQ(in.size(), dp_worker_poll(&r.w, &cfg, &st));
	EXPECT_EQ(4u, rte_ring_count(c_out));
	EXPECT_EQ(2u, r.c(DP_DROP_TX_FULL));
	EXPECT_EQ(1u, rte_ring_count(a_out));
	EXPECT_EQ(1u, rte_ring_count(punt));
	EXPECT_EQ(1u, r.c(DP_DROP_PUNT_FULL));
	EXPECT_EQ(6u, r.c(DP_DECAP));

	// idle back-off: pauses after idle_polls empty polls, growing to the cap
	cfg.idle_backoff = true;
	cfg.idle_polls = 2;
	cfg.idle_max_us = 4;
	for (int i = 0; i < 6; i++)
		dp_worker_poll(&r.w, &cfg, &st);
	EXPECT_EQ(5u, st.sleeps);
	EXPECT_EQ(4u, st.pause_us);
	rte_mbuf *m = mbuf(from_lac(o, inner_ipv4(SUB, REMOTE)));
	rte_ring_enqueue(a_in, m);
	rte_mbuf *drain[8];
	unsigned got = rte_ring_dequeue_burst(c_out, (void **)drain, 8, nullptr);
	for (unsigned i = 0; i < got; i++)
		rte_pktmbuf_free(drain[i]);
	dp_worker_poll(&r.w, &cfg, &st);
	EXPECT_EQ(0u, st.pause_us); // traffic: busy polling again

	for (rte_ring *ring : { a_out, c_out, punt }) {
		void *x;
		while (rte_ring_dequeue(ring, &x) == 0)
			rte_pktmbuf_free((rte_mbuf *)x);
	}
	rte_eth_dev_stop((uint16_t)access);
	rte_eth_dev_stop((uint16_t)core);
	rte_eth_dev_close((uint16_t)access);
	rte_eth_dev_close((uint16_t)core);
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
}

TEST(DpIpv6, DecapChecksThePrefixAndEncapFindsIt)
{
	Rig r;
	dp_session s = base_session();
	s.sub_ipv6_prefix = prefix_key(SUB6);
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	uint8_t sub[16] = { 0 };
	memcpy(sub, SUB6, 8);
	sub[15] = 0x42;
	Outer o;
	o.ppp_proto = 0x0057;
	Bytes inner = inner_ipv6(sub, REMOTE6);
	dp_out out = run_access(r, from_lac(o, inner));
	ASSERT_EQ(1, out.n_core);
	Bytes got = bytes(out.core[0]);
	EXPECT_EQ(0x86dd, get_be16(&got[12]));
	Bytes want = inner;
	want[7]--;
	EXPECT_EQ(want, Bytes(got.begin() + 14, got.end()));
	free_out(out);

	uint8_t other[16];
	memcpy(other, sub, 16);
	other[7] = 2; // another /64
	out = run_access(r, from_lac(o, inner_ipv6(other, REMOTE6)));
	EXPECT_EQ(1u, r.c(DP_DROP_SPOOFED));
	out = run_access(r, from_lac(o, inner_ipv6(sub, REMOTE6, 1)));
	EXPECT_EQ(1u, r.c(DP_DROP_TTL));
	// a Router Solicitation (fe80:: to ff02::2) and link-local traffic are for the LNS
	const uint8_t ll[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	const uint8_t all_routers[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
	const uint8_t ll_router[16] = { 0xfe, 0xbf, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
	for (const uint8_t *dst : { all_routers, ll_router }) {
		Bytes rs = inner_ipv6(ll, dst, 255);
		rs[6] = 58;   // ICMPv6
		rs[40] = 133; // Router Solicitation
		out = run_access(r, from_lac(o, rs));
		ASSERT_EQ(1, out.n_punt);
		free_out(out);
		// anything else there (UDP: mDNS, DHCPv6) stays in the worker
		out = run_access(r, from_lac(o, inner_ipv6(ll, dst, 255)));
		EXPECT_EQ(0, out.n_punt + out.n_core);
	}
	EXPECT_EQ(2u, r.c(DP_PUNT_IPV6_LINK_LOCAL));
	EXPECT_EQ(2u, r.c(DP_DROP_IPV6_LINK_LOCAL));
	// fec0:: is not link-local: forwarded by the source check, which refuses fe80::
	const uint8_t site[16] = { 0xfe, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
	out = run_access(r, from_lac(o, inner_ipv6(ll, site)));
	EXPECT_EQ(2u, r.c(DP_DROP_SPOOFED));

	rte_mbuf *m = mbuf(from_core(inner_ipv6(REMOTE6, sub)));
	dp_core_burst(&r.w, &m, 1, &out);
	ASSERT_EQ(1, out.n_access);
	Bytes enc = bytes(out.access[0]);
	l2tp_hdr h;
	ASSERT_EQ(L2TP_ST_OK, l2tp_hdr_parse(&h, &enc[42], enc.size() - 42));
	const uint8_t *ppp = &enc[42 + h.hdr_len];
	EXPECT_EQ(0x0057, get_be16(ppp + 2));
	EXPECT_EQ(63, ppp[4 + 7]);
	free_out(out);
	uint8_t nowhere[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 9 };
	m = mbuf(from_core(inner_ipv6(REMOTE6, nowhere)));
	dp_core_burst(&r.w, &m, 1, &out);
	EXPECT_EQ(1u, r.c(DP_DROP_NO_ROUTE));

	// a session without IPv6 refuses its subscriber's IPv6
	dp_session s4 = base_session();
	s4.session_id = 201;
	s4.sub_ipv4 = SUB + 1;
	ASSERT_GE(dp_session_add(r.t, &s4), 0);
	Outer o2 = o;
	o2.session = 201;
	out = run_access(r, from_lac(o2, inner_ipv6(sub, REMOTE6)));
	EXPECT_EQ(3u, r.c(DP_DROP_SPOOFED));
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
}

TEST(DpCore, TooBigForTheAccessMtuIsFragmentedOrAnsweredWithIcmp)
{
	static rte_mempool *indirect;
	if (indirect == nullptr)
		indirect = rte_pktmbuf_pool_create("test_dp_ind", 1023, 32, 0, 0, SOCKET_ID_ANY);
	ASSERT_NE(nullptr, indirect);
	Rig r;
	r.ports.access[0].mtu = 200;
	r.ports.frag_direct = pool;
	r.ports.frag_indirect = indirect;
	r.ports.core[0].ip = LNS;
	dp_session s = base_session();
	ASSERT_GE(dp_session_add(r.t, &s), 0);

	// 300-byte inner packet: 300 + 20 + 8 + 6 + 4 = 338 > 200
	Bytes inner = inner_ipv4(REMOTE, SUB, 64, 272);
	dp_out out = {};
	rte_mbuf *m = mbuf(from_core(inner));
	dp_core_burst(&r.w, &m, 1, &out);
	ASSERT_EQ(2, out.n_access);
	EXPECT_EQ(1u, r.c(DP_FRAGMENTED));
	EXPECT_EQ(0u, r.c(DP_ENCAP));
	size_t payload = 0;
	for (unsigned i = 0; i < 2; i++) {
		rte_mbuf *f = out.access[i];
		Bytes hdr(rte_pktmbuf_mtod(f, uint8_t *), rte_pktmbuf_mtod(f, uint8_t *) + 34);
		EXPECT_EQ(0, memcmp(&hdr[0], lac_mac.addr_bytes, 6));
		EXPECT_EQ(0x0800, get_be16(&hdr[12]));
		EXPECT_LE(rte_pktmbuf_pkt_len(f) - 14, 200u);
		EXPECT_EQ(i == 0 ? 0x2000 : 0, get_be16(&hdr[20]) & 0x2000); // MF on the first
		EXPECT_EQ(0xffff, rte_raw_cksum(&hdr[14], 20))
			<< "fragment " << i << ": header checksum";
		payload += get_be16(&hdr[16]) - 20;
	}
	EXPECT_EQ(8u + 6 + 4 + inner.size(), payload); // UDP + L2TP + PPP + inner
	free_out(out);

	// DF set and the ICMP policy: fragmentation needed goes back to the source
	r.ports.access[0].too_big = DP_TOO_BIG_ICMP_IF_DF;
	Bytes df = inner;
	put_be16(&df[6], 0x4000);
	set_cksum(df.data());
	m = mbuf(from_core(df));
	dp_core_burst(&r.w, &m, 1, &out);
	ASSERT_EQ(1, out.n_core);
	EXPECT_EQ(0, out.n_access);
	Bytes icmp = bytes(out.core[0]);
	EXPECT_EQ(0, memcmp(&icmp[0], core_gw.addr_bytes, 6));
	EXPECT_EQ(1, icmp[14 + 9]);
	EXPECT_EQ(LNS, get_be32(&icmp[14 + 12]));
	EXPECT_EQ(REMOTE, get_be32(&icmp[14 + 16]));
	EXPECT_EQ(3, icmp[34]);
	EXPECT_EQ(4, icmp[35]);
	EXPECT_EQ(200 - 38, get_be16(&icmp[34 + 6])); // what fits inside our encapsulation
	EXPECT_EQ(0, rte_ipv4_cksum((const rte_ipv4_hdr *)&icmp[14]));
	EXPECT_EQ(0xffff, rte_raw_cksum(&icmp[34], icmp.size() - 34));
	EXPECT_EQ(1u, r.c(DP_FRAG_NEEDED_SENT));
	free_out(out);

	// without DF it is fragmented even under that policy; without pools, dropped
	m = mbuf(from_core(inner));
	dp_core_burst(&r.w, &m, 1, &out);
	EXPECT_EQ(2, out.n_access);
	free_out(out);
	r.ports.frag_direct = nullptr;
	m = mbuf(from_core(inner));
	dp_core_burst(&r.w, &m, 1, &out);
	EXPECT_EQ(1u, r.c(DP_DROP_TOO_BIG));
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
	EXPECT_EQ(0u, rte_mempool_in_use_count(indirect));
}

// One tunnel, 64 sessions, every packet on worker 0's queue (as RSS does
// with one tunnel): the sessions worker 1 owns are handed over to it, both
// workers forward, and each session's packets stay in order.
TEST(DpWorker, OneTunnelIsSpreadOverTheWorkersInOrder)
{
	static int n;
	std::string tag = "h" + std::to_string(n++);
	auto mk = [&](const char *x, unsigned size) {
		return rte_ring_create((tag + x).c_str(), size, SOCKET_ID_ANY, 0);
	};
	rte_ring *a_in[2] = { mk("ai0", 512), mk("ai1", 512) };
	rte_ring *a_out[2] = { mk("ao0", 512), mk("ao1", 512) };
	rte_ring *c_in[2] = { mk("ci0", 512), mk("ci1", 512) };
	rte_ring *c_out[2] = { mk("co0", 512), mk("co1", 512) };
	rte_ring *punt = mk("pu", 64);
	rte_ring *handoff[2][2] = { { mk("h0a", 512), mk("h0c", 512) },
				    { mk("h1a", 512), mk("h1c", 512) } };
	int access = rte_eth_from_rings((tag + "acc").c_str(), a_in, 2, a_out, 2, SOCKET_ID_ANY);
	int core = rte_eth_from_rings((tag + "core").c_str(), c_in, 2, c_out, 2, SOCKET_ID_ANY);
	ASSERT_GE(access, 0);
	ASSERT_GE(core, 0);
	ASSERT_EQ(0, dp_port_start((uint16_t)access, 2, 2, 512, pool));
	ASSERT_EQ(0, dp_port_start((uint16_t)core, 2, 2, 512, pool));

	Rig r;
	r.on_ports((uint16_t)access, (uint16_t)core);
	for (uint16_t i = 0; i < 64; i++) {
		dp_session s = base_session();
		s.session_id = (uint16_t)(1 + i);
		s.sub_ipv4 = SUB + i;
		ASSERT_GE(dp_session_add(r.t, &s), 0);
	}
	std::vector<dp_session_counters> sess1(r.sess.size());
	dp_worker w[2] = { r.w, r.w };
	w[0].id = 0;
	w[1].id = 1;
	w[1].sess = sess1.data();
	for (auto &x : w) {
		x.n_workers = 2;
		memset(x.counters, 0, sizeof(x.counters));
	}
	dp_worker_cfg cfg[2] = {};
	for (uint16_t k = 0; k < 2; k++) {
		cfg[k].rx[0] = { (uint16_t)access, k, DP_SIDE_ACCESS };
		cfg[k].n_rx = 1;
		cfg[k].txq = k;
		cfg[k].punt = punt;
		cfg[k].handoff = handoff;
	}
	// 4 packets per session, numbered in the inner IP ID, all on queue 0
	for (uint16_t seq = 0; seq < 4; seq++)
		for (uint16_t i = 0; i < 64; i++) {
			Outer o;
			o.session = (uint16_t)(1 + i);
			Bytes inner = inner_ipv4(SUB + i, REMOTE);
			put_be16(&inner[4], seq);
			set_cksum(inner.data());
			ASSERT_EQ(0, rte_ring_enqueue(a_in[0], mbuf(from_lac(o, inner))));
		}
	dp_worker_state st[2] = {};
	for (int round = 0; round < 40; round++)
		for (int k = 0; k < 2; k++)
			dp_worker_poll(&w[k], &cfg[k], &st[k]);
	EXPECT_EQ(128u, w[0].counters[DP_DECAP]);
	EXPECT_EQ(128u, w[1].counters[DP_DECAP]);
	EXPECT_EQ(128u, w[0].counters[DP_HANDED_OVER]);
	std::map<uint32_t, uint16_t> next;
	for (int k = 0; k < 2; k++) {
		void *x;
		while (rte_ring_dequeue(c_out[k], &x) == 0) {
			Bytes b = bytes((rte_mbuf *)x);
			uint32_t src = get_be32(&b[14 + 12]);
			uint16_t id = get_be16(&b[14 + 4]);
			EXPECT_EQ(next[src]++, id) << "session of " << src << " out of order";
			uint32_t owner = (src - SUB) % 2; // index i of session 1+i
			EXPECT_EQ(owner, (uint32_t)k);
			rte_pktmbuf_free((rte_mbuf *)x);
		}
	}
	EXPECT_EQ(64u, next.size());
	// the control lcore's sums: every packet once, whoever forwarded it
	dp_worker *both[2] = { &w[0], &w[1] };
	uint64_t total[DP_COUNTER_MAX];
	dp_counters_sum(both, 2, total);
	EXPECT_EQ(256u, total[DP_DECAP]);
	dp_session_counters sc;
	dp_session_counters_sum(both, 2, 1, &sc);
	EXPECT_EQ(4u, sc.rx_packets);
	rte_eth_dev_stop((uint16_t)access);
	rte_eth_dev_stop((uint16_t)core);
	rte_eth_dev_close((uint16_t)access);
	rte_eth_dev_close((uint16_t)core);
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
}

// A prefix routed behind a subscriber (RADIUS Framed-Route) reaches its
// session; the subscriber's own /32 wins; without the route, no route.
TEST(DpCore, RoutedPrefixBehindASubscriber)
{
	Rig r;
	ASSERT_EQ(0, dp_routes_enable(r.t, 1024));
	dp_session s = base_session();
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	ASSERT_EQ(0, dp_route4_add(r.t, 0xCB007100, 28, 100, 200)); // 203.0.113.0/28
	EXPECT_EQ(-EINVAL, dp_route4_add(r.t, 0xCB007100, 33, 100, 200));
	dp_out out = {};
	rte_mbuf *m[2] = { mbuf(from_core(inner_ipv4(REMOTE, 0xCB007105))),
			   mbuf(from_core(inner_ipv4(REMOTE, 0xCB007120))) };
	dp_core_burst(&r.w, m, 2, &out);
	ASSERT_EQ(1, out.n_access);
	l2tp_hdr h;
	Bytes b = bytes(out.access[0]);
	ASSERT_EQ(L2TP_ST_OK, l2tp_hdr_parse(&h, &b[42], b.size() - 42));
	EXPECT_EQ(400, h.session_id);
	EXPECT_EQ(1u, r.c(DP_DROP_NO_ROUTE));
	free_out(out);
	// and the LAN behind the subscriber may send from its prefix, nobody else's
	uint64_t spoofed = r.c(DP_DROP_SPOOFED);
	out = run_access(r, from_lac(Outer{}, inner_ipv4(0xCB007105, REMOTE)));
	EXPECT_EQ(1, out.n_core);
	free_out(out);
	out = run_access(r, from_lac(Outer{}, inner_ipv4(0xCB007120, REMOTE)));
	EXPECT_EQ(0, out.n_core);
	EXPECT_EQ(spoofed + 1, r.c(DP_DROP_SPOOFED));
	ASSERT_EQ(0, dp_route4_del(r.t, 0xCB007100, 28));
	out = run_access(r, from_lac(Outer{}, inner_ipv4(0xCB007105, REMOTE)));
	EXPECT_EQ(0, out.n_core);
	EXPECT_EQ(spoofed + 2, r.c(DP_DROP_SPOOFED));
	rte_mbuf *again = mbuf(from_core(inner_ipv4(REMOTE, 0xCB007105)));
	dp_core_burst(&r.w, &again, 1, &out);
	EXPECT_EQ(0, out.n_access);
	EXPECT_EQ(2u, r.c(DP_DROP_NO_ROUTE));
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
}

TEST(DpIpv6, DelegatedPrefixBehindASubscriber)
{
	Rig r;
	ASSERT_EQ(0, dp_routes6_enable(r.t, 1024));
	dp_session s = base_session();
	s.sub_ipv6_prefix = prefix_key(SUB6);
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	const uint8_t delegated[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0 }; // 2001:db8:1::/56
	ASSERT_EQ(0, dp_route6_add(r.t, delegated, 56, 100, 200));
	EXPECT_EQ(-EINVAL, dp_route6_add(r.t, delegated, 65, 100, 200));
	EXPECT_EQ(-EINVAL, dp_route6_add(r.t, delegated, 0, 100, 200));
	uint8_t lan[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 5 }; // 2001:db8:1:5::1
	lan[15] = 1;
	uint8_t outside[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 1, 0 }; // 2001:db8:1:100::1
	outside[15] = 1;
	dp_out out = {};
	rte_mbuf *m[2] = { mbuf(from_core(inner_ipv6(REMOTE6, lan))),
			   mbuf(from_core(inner_ipv6(REMOTE6, outside))) };
	dp_core_burst(&r.w, m, 2, &out);
	ASSERT_EQ(1, out.n_access);
	l2tp_hdr h;
	Bytes b = bytes(out.access[0]);
	ASSERT_EQ(L2TP_ST_OK, l2tp_hdr_parse(&h, &b[42], b.size() - 42));
	EXPECT_EQ(400, h.session_id);
	EXPECT_EQ(0, memcmp(&b[42 + h.hdr_len + 4 + 24], lan, 16)); // PPP a/c + proto, IPv6 dst
	EXPECT_EQ(1u, r.c(DP_DROP_NO_ROUTE));
	free_out(out);
	// the delegated LAN may send from its prefix, nobody else's
	Outer o;
	o.ppp_proto = 0x0057;
	out = run_access(r, from_lac(o, inner_ipv6(lan, REMOTE6)));
	EXPECT_EQ(1, out.n_core);
	free_out(out);
	out = run_access(r, from_lac(o, inner_ipv6(outside, REMOTE6)));
	EXPECT_EQ(0, out.n_core);
	EXPECT_EQ(1u, r.c(DP_DROP_SPOOFED));
	ASSERT_EQ(0, dp_route6_del(r.t, delegated, 56));
	out = run_access(r, from_lac(o, inner_ipv6(lan, REMOTE6)));
	EXPECT_EQ(0, out.n_core);
	EXPECT_EQ(2u, r.c(DP_DROP_SPOOFED));
	rte_mbuf *again = mbuf(from_core(inner_ipv6(REMOTE6, lan)));
	dp_core_burst(&r.w, &again, 1, &out);
	EXPECT_EQ(0, out.n_access);
	EXPECT_EQ(2u, r.c(DP_DROP_NO_ROUTE));
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
}

// 802.1Q on both sides: what arrives on a side must carry its tag (another
// tag, or none, is dropped and counted), and what leaves carries the tag of
// the side it leaves by: decapsulated, encapsulated, fragmented, answered.
TEST(DpVlan, EachSideKeepsItsOwnTag)
{
	static rte_mempool *indirect;
	if (indirect == nullptr)
		indirect = rte_pktmbuf_pool_create("test_dp_vind", 1023, 32, 0, 0, SOCKET_ID_ANY);
	ASSERT_NE(nullptr, indirect);
	Rig r;
	r.ports.access[0].vlan = 100;
	r.ports.core[0].vlan = 200;
	dp_session s = base_session();
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	Bytes inner = inner_ipv4(SUB, REMOTE);
	Bytes ttl = inner;
	ttl[8]--;
	set_cksum(ttl.data());

	Outer o;
	o.vlan = 100;
	dp_out out = run_access(r, from_lac(o, inner));
	ASSERT_EQ(1, out.n_core);
	Bytes want = from_core(ttl, 200);
	memcpy(&want[0], core_gw.addr_bytes, 6); // toward the gateway, from us
	memcpy(&want[6], core_mac.addr_bytes, 6);
	EXPECT_EQ(want, bytes(out.core[0]));
	free_out(out);
	for (uint16_t stranger : { 0, 200, 101 }) {
		o.vlan = stranger;
		out = run_access(r, from_lac(o, inner));
		EXPECT_EQ(0, out.n_core + out.n_punt) << stranger;
	}
	EXPECT_EQ(3u, r.c(DP_DROP_WRONG_VLAN));

	// an echo is answered in place: the reply keeps the access tag
	Outer lcp;
	lcp.vlan = 100;
	lcp.ppp_proto = 0xc021;
	out = run_access(r, from_lac(lcp, { 9, 1, 0, 8, 1, 2, 3, 4 }));
	ASSERT_EQ(1, out.n_access);
	Bytes echo = bytes(out.access[0]);
	EXPECT_EQ(0x8100, get_be16(&echo[12]));
	EXPECT_EQ(100, get_be16(&echo[14]));
	EXPECT_EQ(LAC, get_be32(&echo[18 + 16]));
	free_out(out);

	// toward the subscriber: the LAC gets exactly what it would send us, reversed
	Bytes down = inner_ipv4(REMOTE, SUB);
	rte_mbuf *m = mbuf(from_core(down, 200));
	dp_core_burst(&r.w, &m, 1, &out);
	ASSERT_EQ(1, out.n_access);
	Bytes dttl = down;
	dttl[8]--;
	set_cksum(dttl.data());
	Outer back;
	back.vlan = 100;
	back.tunnel = 300;
	back.session = 400;
	Bytes lac = from_lac(back, dttl);
	memcpy(&lac[0], lac_mac.addr_bytes, 6);
	memcpy(&lac[6], access_mac.addr_bytes, 6);
	put_be32(&lac[18 + 12], LNS);
	put_be32(&lac[18 + 16], LAC);
	set_cksum(&lac[18]);
	EXPECT_EQ(lac, bytes(out.access[0]));
	free_out(out);
	for (uint16_t stranger : { 0, 100 }) {
		m = mbuf(from_core(down, stranger));
		dp_core_burst(&r.w, &m, 1, &out);
		EXPECT_EQ(0, out.n_access) << stranger;
	}
	EXPECT_EQ(5u, r.c(DP_DROP_WRONG_VLAN));

	// fragments for the access MTU each carry the tag; ICMP goes back tagged for the core
	r.ports.access[0].mtu = 200;
	r.ports.frag_direct = pool;
	r.ports.frag_indirect = indirect;
	r.ports.core[0].ip = LNS;
	Bytes big = inner_ipv4(REMOTE, SUB, 64, 272);
	m = mbuf(from_core(big, 200));
	dp_core_burst(&r.w, &m, 1, &out);
	ASSERT_EQ(2, out.n_access);
	for (unsigned i = 0; i < 2; i++) {
		Bytes f = bytes(out.access[i]);
		EXPECT_EQ(0x8100, get_be16(&f[12]));
		EXPECT_EQ(100, get_be16(&f[14]));
		EXPECT_EQ(0x0800, get_be16(&f[16]));
		EXPECT_LE(f.size() - 18, 200u);
		EXPECT_EQ(0xffff, rte_raw_cksum(&f[18], 20)) << "fragment " << i;
	}
	free_out(out);
	r.ports.access[0].too_big = DP_TOO_BIG_ICMP_IF_DF;
	put_be16(&big[6], 0x4000);
	set_cksum(big.data());
	m = mbuf(from_core(big, 200));
	dp_core_burst(&r.w, &m, 1, &out);
	ASSERT_EQ(1, out.n_core);
	Bytes icmp = bytes(out.core[0]);
	EXPECT_EQ(200, get_be16(&icmp[14]));
	EXPECT_EQ(REMOTE, get_be32(&icmp[18 + 16]));
	EXPECT_EQ(200 - 38, get_be16(&icmp[38 + 6]));
	EXPECT_EQ(0xffff, rte_raw_cksum(&icmp[38], icmp.size() - 38));
	free_out(out);
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
}

namespace
{
std::vector<rte_mbuf *>
split_side(Rig &r, const std::vector<Bytes> &in, bool want_access)
{
	std::vector<rte_mbuf *> m;
	for (const Bytes &b : in)
		m.push_back(mbuf(b));
	rte_mbuf *acc[DP_BURST], *core[DP_BURST];
	uint16_t na, nc;
	dp_split_one_armed(&r.w, m.data(), (uint16_t)m.size(), acc, &na, core, &nc);
	EXPECT_EQ(in.size(), (size_t)na + nc);
	std::vector<rte_mbuf *> keep(want_access ? acc : core,
				     (want_access ? acc : core) + (want_access ? na : nc));
	for (uint16_t i = 0; i < (want_access ? nc : na); i++)
		rte_pktmbuf_free(want_access ? core[i] : acc[i]);
	return keep;
}

Bytes
arp_frame(uint16_t vlan)
{
	Bytes b = from_core(Bytes(28, 0), vlan);
	put_be16(&b[vlan ? 16 : 12], 0x0806);
	return b;
}
} // namespace

// One port for both sides: on two VLANs the tag decides; on one, ARP and
// IPv4 to our L2TP address are the access side's and the rest the core's.
TEST(DpOneArmed, SplitByVlanOrByAddress)
{
	Rig r;
	r.ports.access_ip[0] = LNS;
	r.ports.n_access_ip = 1;
	r.ports.access[0].vlan = 100;
	r.ports.core[0].vlan = 200;
	Outer o;
	o.vlan = 100;
	Outer stranger;
	stranger.vlan = 300;
	std::vector<Bytes> in = { from_lac(o, inner_ipv4(SUB, REMOTE)),
				  from_core(inner_ipv4(REMOTE, SUB), 200), arp_frame(200),
				  from_lac(stranger, inner_ipv4(SUB, REMOTE)), arp_frame(100) };
	std::vector<rte_mbuf *> acc = split_side(r, in, true);
	ASSERT_EQ(3u, acc.size());
	EXPECT_EQ(in[0], bytes(acc[0]));
	EXPECT_EQ(in[3], bytes(acc[1])); // the access side drops a stranger's tag and counts it
	EXPECT_EQ(in[4], bytes(acc[2]));
	for (rte_mbuf *m : acc)
		rte_pktmbuf_free(m);
	std::vector<rte_mbuf *> core = split_side(r, in, false);
	ASSERT_EQ(2u, core.size());
	EXPECT_EQ(in[1], bytes(core[0]));
	EXPECT_EQ(in[2], bytes(core[1]));
	for (rte_mbuf *m : core)
		rte_pktmbuf_free(m);

	r.ports.access[0].vlan = r.ports.core[0].vlan = 0;
	Outer plain;
	Bytes to_us_icmp = from_core(inner_ipv4(REMOTE, LNS));
	Bytes v6 = from_core(inner_ipv6(REMOTE6, REMOTE6));
	in = { from_lac(plain, inner_ipv4(SUB, REMOTE)),
	       from_core(inner_ipv4(REMOTE, SUB)),
	       arp_frame(0),
	       to_us_icmp,
	       v6,
	       Bytes(10, 0) };
	acc = split_side(r, in, true);
	ASSERT_EQ(4u, acc.size());
	EXPECT_EQ(in[0], bytes(acc[0]));
	EXPECT_EQ(in[2], bytes(acc[1]));
	EXPECT_EQ(in[3], bytes(acc[2]));
	EXPECT_EQ(in[5], bytes(acc[3])); // too short: the access side counts it
	for (rte_mbuf *m : acc)
		rte_pktmbuf_free(m);
	core = split_side(r, in, false);
	ASSERT_EQ(2u, core.size());
	EXPECT_EQ(in[1], bytes(core[0]));
	EXPECT_EQ(in[4], bytes(core[1]));
	for (rte_mbuf *m : core)
		rte_pktmbuf_free(m);

	// a second L2TP address (a port alias) is the access side's too
	r.ports.access_ip[1] = LNS + 4;
	r.ports.n_access_ip = 2;
	in = { from_core(inner_ipv4(REMOTE, LNS + 4)), from_core(inner_ipv4(REMOTE, LNS + 5)) };
	acc = split_side(r, in, true);
	ASSERT_EQ(1u, acc.size());
	EXPECT_EQ(in[0], bytes(acc[0]));
	rte_pktmbuf_free(acc[0]);
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
}

// A worker polling one ring port for both sides, on two VLANs: a
// subscriber's packet goes out to the core's VLAN and the answer back to
// the access VLAN, on the same port; ARP of both is punted.
TEST(DpOneArmed, WorkerServesBothSidesOnOnePort)
{
	rte_ring *in = rte_ring_create("oa_in", 64, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	rte_ring *outr =
		rte_ring_create("oa_out", 64, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	rte_ring *punt =
		rte_ring_create("oa_punt", 64, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	ASSERT_TRUE(in && outr && punt);
	int port = rte_eth_from_rings("trunk", &in, 1, &outr, 1, SOCKET_ID_ANY);
	ASSERT_GE(port, 0);
	ASSERT_EQ(0, dp_port_start((uint16_t)port, 1, 1, 64, pool));
	Rig r;
	r.ports.access_ip[0] = LNS;
	r.ports.n_access_ip = 1;
	r.ports.access[0].vlan = 100;
	r.ports.core[0].vlan = 200;
	r.ports.core[0].mac = access_mac; // one port, one MAC
	dp_session s = base_session();
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	dp_worker_cfg cfg = {};
	cfg.rx[0] = { (uint16_t)port, 0, DP_SIDE_BOTH };
	cfg.n_rx = 1;
	r.on_ports((uint16_t)port, (uint16_t)port);
	cfg.punt = punt;
	dp_worker_state st = {};

	Outer o;
	o.vlan = 100;
	for (const Bytes &b :
	     { from_lac(o, inner_ipv4(SUB, REMOTE)), from_core(inner_ipv4(REMOTE, SUB), 200),
	       arp_frame(100), arp_frame(200), from_core(inner_ipv4(REMOTE, SUB), 300) })
		ASSERT_EQ(0, rte_ring_enqueue(in, mbuf(b)));
	EXPECT_EQ(5u, dp_worker_poll(&r.w, &cfg, &st));
	EXPECT_EQ(1u, r.c(DP_DECAP));
	EXPECT_EQ(1u, r.c(DP_ENCAP));
	EXPECT_EQ(2u, r.c(DP_PUNT_ARP));
	EXPECT_EQ(1u, r.c(DP_DROP_WRONG_VLAN));
	rte_mbuf *got[4];
	ASSERT_EQ(2u, rte_ring_dequeue_burst(outr, (void **)got, 4, nullptr));
	EXPECT_EQ(200, get_be16(rte_pktmbuf_mtod(got[0], uint8_t *) + 14)); // decapsulated
	EXPECT_EQ(100, get_be16(rte_pktmbuf_mtod(got[1], uint8_t *) + 14)); // encapsulated
	rte_pktmbuf_free(got[0]);
	rte_pktmbuf_free(got[1]);
	void *x;
	while (rte_ring_dequeue(punt, &x) == 0)
		rte_pktmbuf_free((rte_mbuf *)x);
	rte_eth_dev_stop((uint16_t)port);
	rte_eth_dev_close((uint16_t)port);
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
}

// Never to a wrong MAC: an unresolved next hop (the core gateway for either
// family, or a session's LAC) drops and counts; IPv6 for lnsd itself from
// the core (neighbour discovery) is punted, not looked up.
TEST(DpNextHop, UnresolvedIsDroppedAndCoreNdIsPunted)
{
	Rig r;
	dp_session s = base_session();
	s.sub_ipv6_prefix = prefix_key(SUB6);
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	uint8_t sub[16] = { 0 };
	memcpy(sub, SUB6, 8);
	sub[15] = 0x42;
	r.ports.core[0].gw6 = {};
	Outer o;
	dp_out out = run_access(r, from_lac(o, inner_ipv4(SUB, REMOTE)));
	EXPECT_EQ(1, out.n_core); // IPv4 has its gateway
	free_out(out);
	o.ppp_proto = 0x0057;
	out = run_access(r, from_lac(o, inner_ipv6(sub, REMOTE6)));
	EXPECT_EQ(0, out.n_core);
	EXPECT_EQ(1u, r.c(DP_DROP_NO_NEXT_HOP));
	r.ports.core[0].gw = {};
	o.ppp_proto = 0x0021;
	out = run_access(r, from_lac(o, inner_ipv4(SUB, REMOTE)));
	EXPECT_EQ(2u, r.c(DP_DROP_NO_NEXT_HOP));

	const uint8_t ours[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
	};
	memcpy(r.ports.core[0].ip6, ours, 16);
	const uint8_t solicited[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 1 };
	const uint8_t ll[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	for (const uint8_t *dst : { solicited, ll, ours }) {
		rte_mbuf *m = mbuf(from_core(inner_ipv6(REMOTE6, dst, 255)));
		dp_core_burst(&r.w, &m, 1, &out);
		ASSERT_EQ(1, out.n_punt);
		free_out(out);
	}
	EXPECT_EQ(3u, r.c(DP_PUNT_CORE_IPV6));

	dp_session unresolved = base_session();
	unresolved.session_id = 201;
	unresolved.sub_ipv4 = SUB + 1;
	unresolved.peer_mac = {};
	ASSERT_GE(dp_session_add(r.t, &unresolved), 0);
	rte_mbuf *m = mbuf(from_core(inner_ipv4(REMOTE, SUB + 1)));
	dp_core_burst(&r.w, &m, 1, &out);
	EXPECT_EQ(0, out.n_access);
	EXPECT_EQ(3u, r.c(DP_DROP_NO_NEXT_HOP));
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
}

// Bigger than the subscriber's MRU: its source is told (RFC 4443 Packet
// Too Big for IPv6 from our core address, RFC 1191 for IPv4 with DF), at
// most one ICMP error per 100 µs per worker; without DF, or with no IPv6
// address to answer from, dropped and counted.
TEST(DpCore, TooBigForTheSubscriberIsAnsweredWithIcmp)
{
	Rig r;
	dp_session s = base_session();
	s.sub_ipv6_prefix = prefix_key(SUB6);
	s.mtu = 1280;
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	uint8_t sub[16] = { 0 };
	memcpy(sub, SUB6, 8);
	sub[15] = 0x42;
	Bytes big6 = inner_ipv6(REMOTE6, sub);
	big6.resize(1400, 0x77);
	put_be16(&big6[4], (uint16_t)(big6.size() - 40));
	dp_out out = {};
	rte_mbuf *m = mbuf(from_core(big6));
	dp_core_burst(&r.w, &m, 1, &out);
	EXPECT_EQ(0, out.n_core + out.n_access);
	EXPECT_EQ(1u, r.c(DP_DROP_TOO_BIG)); // no core address6: nothing to answer from

	const uint8_t ours[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
	};
	memcpy(r.ports.core[0].ip6, ours, 16);
	m = mbuf(from_core(big6));
	dp_core_burst(&r.w, &m, 1, &out);
	ASSERT_EQ(1, out.n_core);
	Bytes ptb = bytes(out.core[0]);
	ASSERT_EQ(14u + 1280, ptb.size()); // the minimum MTU, no more
	EXPECT_EQ(0x86dd, get_be16(&ptb[12]));
	const uint8_t *ip = &ptb[14];
	EXPECT_EQ(58, ip[6]);
	EXPECT_EQ(0, memcmp(ip + 8, ours, 16));
	EXPECT_EQ(0, memcmp(ip + 24, REMOTE6, 16));
	EXPECT_EQ(2, ip[40]);
	EXPECT_EQ(1280u, get_be32(ip + 44));
	EXPECT_EQ(0, memcmp(ip + 48, big6.data(), 1280 - 48)); // the packet, as it came
	uint32_t sum = 58 + get_be16(ip + 4);		       // pseudo-header: next header, length
	for (size_t i = 8; i < 40; i += 2)
		sum += get_be16(ip + i);
	for (size_t i = 40; i + 1 < 40u + get_be16(ip + 4); i += 2)
		sum += get_be16(ip + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	EXPECT_EQ(0xffffu, sum) << "ICMPv6 checksum";
	EXPECT_EQ(1u, r.c(DP_PKT_TOO_BIG_SENT));
	free_out(out);
	// at once again: over the rate
	m = mbuf(from_core(big6));
	dp_core_burst(&r.w, &m, 1, &out);
	EXPECT_EQ(0, out.n_core);
	EXPECT_EQ(1u, r.c(DP_ICMP_RATE_LIMITED));

	// IPv4 with DF: fragmentation needed with the subscriber's MTU
	r.w.icmp_next_tsc = 0;
	Bytes big4 = inner_ipv4(REMOTE, SUB, 64, 1300);
	put_be16(&big4[6], 0x4000);
	set_cksum(big4.data());
	m = mbuf(from_core(big4));
	dp_core_burst(&r.w, &m, 1, &out);
	ASSERT_EQ(1, out.n_core);
	Bytes fn = bytes(out.core[0]);
	EXPECT_EQ(3, fn[34]);
	EXPECT_EQ(4, fn[35]);
	EXPECT_EQ(1280, get_be16(&fn[34 + 6]));
	free_out(out);
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
}

// A replacement never leaves a moment with no entry for a key both have,
// changes only the keys that change, and when it cannot be done (the new
// address is another session's) leaves the old entry published as it was.
TEST(DpTables, ReplaceSwapsInPlaceAndFailsWithoutLoss)
{
	Rig r(8);
	dp_session a = base_session();
	int idx = dp_session_add(r.t, &a);
	ASSERT_GE(idx, 0);
	dp_session b = base_session();
	b.session_id = 201;
	b.sub_ipv4 = SUB + 1;
	ASSERT_GE(dp_session_add(r.t, &b), 0);
	uint32_t key = dp_l2tp_key(100, 200), sub = SUB;
	uint64_t v6 = prefix_key(SUB6);
	const dp_session *before, *found;
	dp_lookup_l2tp(r.t, &key, 1, &before);

	// IPv6 comes: the same IPv4 and L2TP keys now lead to the new entry
	dp_session a6 = a;
	a6.sub_ipv6_prefix = v6;
	EXPECT_EQ(idx, dp_session_replace(r.t, &a6));
	dp_lookup_l2tp(r.t, &key, 1, &found);
	ASSERT_NE(nullptr, found);
	EXPECT_NE(before, found);
	EXPECT_EQ(v6, found->sub_ipv6_prefix);
	dp_lookup_sub4(r.t, &sub, 1, &found);
	ASSERT_NE(nullptr, found);
	EXPECT_EQ(v6, found->sub_ipv6_prefix);
	dp_lookup_sub6(r.t, &v6, 1, &found);
	ASSERT_NE(nullptr, found);
	EXPECT_EQ(2u, dp_session_count(r.t));

	// another session's address: refused, and nothing changed
	dp_session clash = a6;
	clash.sub_ipv4 = SUB + 1;
	clash.mss = 1000;
	EXPECT_EQ(-EEXIST, dp_session_replace(r.t, &clash));
	dp_lookup_l2tp(r.t, &key, 1, &found);
	ASSERT_NE(nullptr, found);
	EXPECT_EQ(0, found->mss);
	dp_lookup_sub4(r.t, &sub, 1, &found);
	EXPECT_NE(nullptr, found);

	// a changed address: the old key goes, the new one comes
	dp_session moved = a6;
	moved.sub_ipv4 = SUB + 2;
	moved.sub_ipv6_prefix = 0;
	EXPECT_EQ(idx, dp_session_replace(r.t, &moved));
	dp_lookup_sub4(r.t, &sub, 1, &found);
	EXPECT_EQ(nullptr, found);
	uint32_t sub2 = SUB + 2;
	dp_lookup_sub4(r.t, &sub2, 1, &found);
	EXPECT_NE(nullptr, found);
	dp_lookup_sub6(r.t, &v6, 1, &found);
	EXPECT_EQ(nullptr, found);
	EXPECT_EQ(2u, dp_session_count(r.t));
	dp_session none = base_session();
	none.session_id = 7;
	EXPECT_EQ(-ENOENT, dp_session_replace(r.t, &none));
	dp_tables_reclaim(r.t);
}

// Several ports a side. Ports 3 and 4 carry the second access and core
// interfaces (the mbuf's port says where a packet came in); each has its
// own MAC and VLAN.
namespace
{
const rte_ether_addr access2_mac = { { 0x02, 0, 0, 0, 0, 0x21 } };
const rte_ether_addr core2_mac = { { 0x02, 0, 0, 0, 0, 0x22 } };
const rte_ether_addr core2_gw = { { 0x02, 0, 0, 0, 0, 0x2c } };

void
two_ifs_a_side(Rig &r)
{
	r.ports.n_access = r.ports.n_core = 2;
	r.on_ports(1, 2);
	r.ports.access[1] = r.ports.access[0];
	r.ports.access[1].port = 3;
	r.ports.access[1].mac = access2_mac;
	r.ports.access[1].vlan = 30;
	r.ports.core[1] = r.ports.core[0];
	r.ports.core[1].port = 4;
	r.ports.core[1].mac = core2_mac;
	r.ports.core[1].gw = r.ports.core[1].gw6 = core2_gw;
	r.ports.core[1].vlan = 40;
	r.ports.core[1].ip = REMOTE + 100;
	r.ports.access_of_port[3] = 1;
	r.ports.core_of_port[4] = 1;
}

// A packet as if received on a port: the burst's port is the worker's.
rte_mbuf *
received(Rig &r, const Bytes &b, uint16_t port)
{
	r.w.rx_port = port;
	return mbuf(b);
}

Bytes
eth_of(const Bytes &frame, size_t n = 18)
{
	return Bytes(frame.begin(), frame.begin() + (long)n);
}
} // namespace

// A session's LAC is behind the access interface its tunnel was opened on:
// encapsulation writes that interface's MAC and VLAN and names it for TX.
TEST(DpSeveralPorts, EncapLeavesByTheSessionsAccessInterface)
{
	Rig r;
	two_ifs_a_side(r);
	dp_session s = base_session();
	s.access_if = 1;
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	dp_out out = {};
	rte_mbuf *m = received(r, from_core(inner_ipv4(REMOTE, SUB)), 2);
	dp_core_burst(&r.w, &m, 1, &out);
	ASSERT_EQ(1, out.n_access);
	EXPECT_EQ(1, out.access_if[0]);
	Bytes got = bytes(out.access[0]);
	EXPECT_EQ(0, memcmp(&got[0], lac_mac.addr_bytes, 6));
	EXPECT_EQ(0, memcmp(&got[6], access2_mac.addr_bytes, 6));
	EXPECT_EQ(0x8100, get_be16(&got[12]));
	EXPECT_EQ(30, get_be16(&got[14]) & 0xfff);
	free_out(out);

	s.access_if = DP_MAX_IFS; // the workers index an array with it
	s.session_id = 201;
	s.sub_ipv4 = SUB + 1;
	EXPECT_EQ(-EINVAL, dp_session_add(r.t, &s));
}

// Decapsulated packets spread over the core interfaces by session; a
// session whose interface has no gateway MAC leaves by the next one.
TEST(DpSeveralPorts, DecapSpreadsSessionsOverCoreInterfaces)
{
	Rig r;
	two_ifs_a_side(r);
	dp_session a = base_session(), b = base_session();
	b.session_id = 201;
	b.sub_ipv4 = SUB + 1;
	int ia = dp_session_add(r.t, &a), ib = dp_session_add(r.t, &b);
	ASSERT_GE(ia, 0);
	ASSERT_GE(ib, 0);
	ASSERT_NE(ia % 2, ib % 2); // one on each
	Outer oa, ob;
	ob.session = 201;
	auto decap = [&](const Outer &o, uint32_t src, int *ifx, Bytes *eth) {
		dp_out out = run_access(r, from_lac(o, inner_ipv4(src, REMOTE)));
		if (out.n_core != 1)
			return false;
		*ifx = out.core_if[0];
		*eth = eth_of(bytes(out.core[0]));
		free_out(out);
		return true;
	};
	int ifx;
	Bytes eth;
	ASSERT_TRUE(decap(oa, SUB, &ifx, &eth));
	EXPECT_EQ(ia % 2, ifx);
	ASSERT_TRUE(decap(ob, SUB + 1, &ifx, &eth));
	EXPECT_EQ(ib % 2, ifx);
	if (ifx == 1) {
		EXPECT_EQ(0, memcmp(&eth[0], core2_gw.addr_bytes, 6));
		EXPECT_EQ(0, memcmp(&eth[6], core2_mac.addr_bytes, 6));
		EXPECT_EQ(40, get_be16(&eth[14]) & 0xfff);
	}

	// core 1's gateway lost: both sessions leave by core 0
	r.ports.core[1].gw = {};
	const Outer *on1 = ia % 2 == 1 ? &oa : &ob;
	ASSERT_TRUE(decap(*on1, ia % 2 == 1 ? SUB : SUB + 1, &ifx, &eth));
	EXPECT_EQ(0, ifx);
	EXPECT_EQ(0, memcmp(&eth[0], core_gw.addr_bytes, 6));
	EXPECT_EQ(0x0800, get_be16(&eth[12])); // core 0 is untagged
	// and IPv6 still has core 1's gateway6
	EXPECT_FALSE(rte_is_zero_ether_addr(&r.ports.core[1].gw6));

	// no gateway anywhere: dropped and counted, never to a zero MAC
	r.ports.core[0].gw = {};
	dp_out out = run_access(r, from_lac(oa, inner_ipv4(SUB, REMOTE)));
	EXPECT_EQ(0, out.n_core);
	EXPECT_EQ(1u, r.c(DP_DROP_NO_NEXT_HOP));
}

// The interface a packet came in on is its port's: VLAN checked against it,
// an echo answered by it, an ICMP error sent back by the core one.
TEST(DpSeveralPorts, IngressInterfaceIsThePorts)
{
	Rig r;
	two_ifs_a_side(r);
	dp_session s = base_session();
	s.mtu = 100;
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	Outer o;
	o.vlan = 30;
	dp_out out = {};
	rte_mbuf *m = received(r, from_lac(o, inner_ipv4(SUB, REMOTE)), 3);
	dp_access_burst(&r.w, &m, 1, &out);
	EXPECT_EQ(1, out.n_core);
	free_out(out);
	m = received(r, from_lac(o, inner_ipv4(SUB, REMOTE)), 1); // tag 30 on port 1: not its VLAN
	dp_access_burst(&r.w, &m, 1, &out);
	EXPECT_EQ(0, out.n_core);
	EXPECT_EQ(1u, r.c(DP_DROP_WRONG_VLAN));

	Outer lcp = o;
	lcp.ppp_proto = 0xc021;
	m = received(r, from_lac(lcp, { 9, 1, 0, 8, 1, 2, 3, 4 }), 3);
	dp_access_burst(&r.w, &m, 1, &out);
	ASSERT_EQ(1, out.n_access);
	EXPECT_EQ(1, out.access_if[0]);
	Bytes rep = bytes(out.access[0]);
	EXPECT_EQ(0, memcmp(&rep[6], access2_mac.addr_bytes, 6));
	EXPECT_EQ(30, get_be16(&rep[14]) & 0xfff);
	free_out(out);

	// too big for the subscriber, DF set, from core port 4: answered by core 1
	Bytes big = inner_ipv4(REMOTE, SUB, 64, 200);
	put_be16(&big[6], 0x4000);
	set_cksum(big.data());
	m = received(r, from_core(big, 40), 4);
	dp_core_burst(&r.w, &m, 1, &out);
	ASSERT_EQ(1, out.n_core);
	EXPECT_EQ(1, out.core_if[0]);
	Bytes icmp = bytes(out.core[0]);
	EXPECT_EQ(0, memcmp(&icmp[0], core2_gw.addr_bytes, 6));
	EXPECT_EQ(0, memcmp(&icmp[6], core2_mac.addr_bytes, 6));
	EXPECT_EQ(40, get_be16(&icmp[14]) & 0xfff);
	EXPECT_EQ(REMOTE + 100, get_be32(&icmp[18 + 12])); // from core 1's address
	EXPECT_EQ(1u, r.c(DP_FRAG_NEEDED_SENT));
	free_out(out);
}

// The worker sends each packet out of the port of the interface it names.
TEST(DpSeveralPorts, WorkerTransmitsByInterface)
{
	rte_ring *rings[6];
	for (int i = 0; i < 6; i++) {
		rings[i] = rte_ring_create(("mp" + std::to_string(i)).c_str(), 64, SOCKET_ID_ANY,
					   RING_F_SP_ENQ | RING_F_SC_DEQ);
		ASSERT_NE(nullptr, rings[i]);
	}
	// ports: core in (0 -> 1), access 1 out (2), access 2 out (3)
	int core = rte_eth_from_rings("mp_core", &rings[0], 1, &rings[1], 1, SOCKET_ID_ANY);
	int acc1 = rte_eth_from_rings("mp_acc1", &rings[4], 1, &rings[2], 1, SOCKET_ID_ANY);
	int acc2 = rte_eth_from_rings("mp_acc2", &rings[5], 1, &rings[3], 1, SOCKET_ID_ANY);
	ASSERT_GE(core, 0);
	ASSERT_GE(acc1, 0);
	ASSERT_GE(acc2, 0);
	for (int p : { core, acc1, acc2 })
		ASSERT_EQ(0, dp_port_start((uint16_t)p, 1, 1, 64, pool));
	Rig r;
	r.ports.n_access = 2;
	r.ports.n_core = 1;
	r.on_ports((uint16_t)acc1, (uint16_t)core);
	r.ports.access[1] = r.ports.access[0];
	r.ports.access[1].port = (uint16_t)acc2;
	r.ports.access_of_port[acc2] = 1;
	for (uint16_t i = 0; i < 6; i++) {
		dp_session s = base_session();
		s.session_id = (uint16_t)(200 + i);
		s.sub_ipv4 = SUB + i;
		s.access_if = (uint8_t)(i % 2);
		ASSERT_GE(dp_session_add(r.t, &s), 0);
		ASSERT_EQ(0,
			  rte_ring_enqueue(rings[0], mbuf(from_core(inner_ipv4(REMOTE, SUB + i)))));
	}
	dp_worker_cfg cfg = {};
	cfg.rx[0] = { (uint16_t)core, 0, DP_SIDE_CORE };
	cfg.n_rx = 1;
	cfg.punt = rings[1]; // unused: nothing is punted
	dp_worker_state st = {};
	EXPECT_EQ(6u, dp_worker_poll(&r.w, &cfg, &st));
	EXPECT_EQ(6u, r.c(DP_ENCAP));
	EXPECT_EQ(3u, rte_ring_count(rings[2]));
	EXPECT_EQ(3u, rte_ring_count(rings[3]));
	for (int k = 2; k <= 3; k++) {
		void *x;
		while (rte_ring_dequeue(rings[k], &x) == 0) {
			Bytes b = bytes((rte_mbuf *)x);
			uint16_t sid = get_be16(&b[14 + 20 + 8 + 4]); // the peer's session ID
			EXPECT_EQ(400, sid);
			uint32_t sub =
				get_be32(&b[14 + 20 + 8 + 6 + 4 + 16]); // the inner destination
			EXPECT_EQ((sub - SUB) % 2, (uint32_t)(k - 2));
			rte_pktmbuf_free((rte_mbuf *)x);
		}
	}
	for (int p : { core, acc1, acc2 }) {
		rte_eth_dev_stop((uint16_t)p);
		rte_eth_dev_close((uint16_t)p);
	}
	for (rte_ring *ring : rings)
		rte_ring_free(ring);
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
}

// With a core interface's gateway lost, its sessions spread over the live
// ones; the others stay; IPv6 keeps its own gateway6's interface.
TEST(DpSeveralPorts, LostGatewaySpreadsItsSessionsOverTheOthers)
{
	Rig r(64);
	two_ifs_a_side(r);
	r.ports.n_core = 3;
	r.ports.core[2] = r.ports.core[1];
	r.ports.core[2].vlan = 50;
	std::map<int, int> by_slot; // counters slot -> core interface it left by
	std::vector<int> slots;
	for (uint16_t i = 0; i < 12; i++) {
		dp_session s = base_session();
		s.session_id = (uint16_t)(200 + i);
		s.sub_ipv4 = SUB + i;
		s.sub_ipv6_prefix = prefix_key(SUB6) + ((uint64_t)i << 56);
		int slot = dp_session_add(r.t, &s);
		ASSERT_GE(slot, 0);
		slots.push_back(slot);
	}
	auto left_by = [&](uint16_t i, bool v6) {
		Outer o;
		o.session = (uint16_t)(200 + i);
		Bytes inner = inner_ipv4(SUB + i, REMOTE);
		if (v6) {
			uint8_t src[16] = { 0 };
			uint64_t p = prefix_key(SUB6) + ((uint64_t)i << 56);
			memcpy(src, &p, 8);
			src[15] = 1;
			o.ppp_proto = 0x0057;
			inner = inner_ipv6(src, REMOTE6);
		}
		dp_out out = run_access(r, from_lac(o, inner));
		int ifx = out.n_core == 1 ? out.core_if[0] : -1;
		free_out(out);
		return ifx;
	};
	for (uint16_t i = 0; i < 12; i++)
		EXPECT_EQ(slots[i] % 3, left_by(i, false)) << "session " << i;
	r.ports.core[0].gw = {}; // IPv4 gateway of core 0 lost
	std::set<int> took_over;
	for (uint16_t i = 0; i < 12; i++) {
		int ifx = left_by(i, false);
		if (slots[i] % 3 == 0) {
			EXPECT_NE(0, ifx);
			took_over.insert(ifx);
		} else {
			EXPECT_EQ(slots[i] % 3, ifx) << "a healthy interface's session moved";
		}
		EXPECT_EQ(slots[i] % 3, left_by(i, true)) << "IPv6 has core 0's gateway6 still";
	}
	EXPECT_EQ((std::set<int>{ 1, 2 }), took_over); // spread, not all onto the next one
	EXPECT_EQ(0u, r.c(DP_DROP_NO_NEXT_HOP));
}

// Each access interface has its own MTU; a session's packets are cut for its own.
TEST(DpSeveralPorts, AccessMtuIsTheSessionsInterfaces)
{
	Rig r;
	two_ifs_a_side(r);
	r.ports.access[1].mtu = 200;
	r.ports.frag_direct = pool;
	r.ports.frag_indirect = pool;
	dp_session a = base_session(), b = base_session();
	b.session_id = 201;
	b.sub_ipv4 = SUB + 1;
	b.access_if = 1;
	ASSERT_GE(dp_session_add(r.t, &a), 0);
	ASSERT_GE(dp_session_add(r.t, &b), 0);
	dp_out out = {};
	// 316 bytes of outer IPv4 each: whole under 1500, two fragments under 200
	rte_mbuf *m[2] = { mbuf(from_core(inner_ipv4(REMOTE, SUB, 64, 250))),
			   mbuf(from_core(inner_ipv4(REMOTE, SUB + 1, 64, 250))) };
	dp_core_burst(&r.w, m, 2, &out);
	ASSERT_EQ(3, out.n_access); // a's whole, b's in two fragments
	EXPECT_EQ(0, out.access_if[0]);
	EXPECT_EQ(1, out.access_if[1]);
	EXPECT_EQ(1, out.access_if[2]);
	EXPECT_EQ(1u, r.c(DP_FRAGMENTED));
	EXPECT_EQ(1u, r.c(DP_ENCAP));
	free_out(out);
}

// A packet from a port with no interface of that side, or a session naming
// an interface that does not exist: dropped and counted, never sent.
TEST(DpSeveralPorts, NoInterfaceIsDroppedAndCounted)
{
	Rig r;
	dp_session s = base_session();
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	dp_out out = {};
	rte_mbuf *m = received(r, from_lac(Outer(), inner_ipv4(SUB, REMOTE)), 9);
	dp_access_burst(&r.w, &m, 1, &out);
	m = received(r, from_core(inner_ipv4(REMOTE, SUB)), 9);
	dp_core_burst(&r.w, &m, 1, &out);
	EXPECT_EQ(0, out.n_core + out.n_access + out.n_punt);
	EXPECT_EQ(2u, r.c(DP_DROP_NO_INTERFACE));

	s.session_id = 201;
	s.sub_ipv4 = SUB + 1;
	s.access_if = 1; // valid for the table, but this rig has one access interface
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	m = mbuf(from_core(inner_ipv4(REMOTE, SUB + 1)));
	dp_core_burst(&r.w, &m, 1, &out);
	EXPECT_EQ(0, out.n_access);
	EXPECT_EQ(3u, r.c(DP_DROP_NO_INTERFACE));
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
}

// An ICMP error goes back by the interface its packet came in on, or by
// another when that one's gateway is unknown.
TEST(DpSeveralPorts, IcmpErrorFallsBackToALiveInterface)
{
	Rig r;
	two_ifs_a_side(r);
	dp_session s = base_session();
	s.mtu = 100;
	ASSERT_GE(dp_session_add(r.t, &s), 0);
	r.ports.core[1].gw = {};
	Bytes big = inner_ipv4(REMOTE, SUB, 64, 200);
	put_be16(&big[6], 0x4000);
	set_cksum(big.data());
	dp_out out = {};
	rte_mbuf *m = received(r, from_core(big, 40), 4);
	dp_core_burst(&r.w, &m, 1, &out);
	ASSERT_EQ(1, out.n_core);
	EXPECT_EQ(0, out.core_if[0]);
	Bytes icmp = bytes(out.core[0]);
	EXPECT_EQ(0, memcmp(&icmp[0], core_gw.addr_bytes, 6));
	EXPECT_EQ(0x0800, get_be16(&icmp[12])); // core 0 is untagged
	EXPECT_EQ(1u, r.c(DP_FRAG_NEEDED_SENT));
	free_out(out);
}

// The worker sends decapsulated packets out of each core interface's port.
TEST(DpSeveralPorts, WorkerTransmitsByCoreInterface)
{
	rte_ring *rings[4];
	for (int i = 0; i < 4; i++) {
		rings[i] = rte_ring_create(("mc" + std::to_string(i)).c_str(), 64, SOCKET_ID_ANY,
					   RING_F_SP_ENQ | RING_F_SC_DEQ);
		ASSERT_NE(nullptr, rings[i]);
	}
	int acc = rte_eth_from_rings("mc_acc", &rings[0], 1, &rings[1], 1, SOCKET_ID_ANY);
	int c1 = rte_eth_from_rings("mc_c1", &rings[1], 1, &rings[2], 1, SOCKET_ID_ANY);
	int c2 = rte_eth_from_rings("mc_c2", &rings[1], 1, &rings[3], 1, SOCKET_ID_ANY);
	ASSERT_GE(acc, 0);
	ASSERT_GE(c1, 0);
	ASSERT_GE(c2, 0);
	for (int p : { acc, c1, c2 })
		ASSERT_EQ(0, dp_port_start((uint16_t)p, 1, 1, 64, pool));
	Rig r;
	r.on_ports((uint16_t)acc, (uint16_t)c1);
	r.ports.n_core = 2;
	r.ports.core[1] = r.ports.core[0];
	r.ports.core[1].port = (uint16_t)c2;
	r.ports.core_of_port[c2] = 1;
	std::vector<int> slots;
	for (uint16_t i = 0; i < 6; i++) {
		dp_session s = base_session();
		s.session_id = (uint16_t)(200 + i);
		s.sub_ipv4 = SUB + i;
		slots.push_back(dp_session_add(r.t, &s));
		ASSERT_GE(slots.back(), 0);
		Outer o;
		o.session = s.session_id;
		ASSERT_EQ(0, rte_ring_enqueue(rings[0],
					      mbuf(from_lac(o, inner_ipv4(SUB + i, REMOTE)))));
	}
	dp_worker_cfg cfg = {};
	cfg.rx[0] = { (uint16_t)acc, 0, DP_SIDE_ACCESS };
	cfg.n_rx = 1;
	cfg.punt = rings[1]; // unused: nothing is punted
	dp_worker_state st = {};
	EXPECT_EQ(6u, dp_worker_poll(&r.w, &cfg, &st));
	EXPECT_EQ(6u, r.c(DP_DECAP));
	EXPECT_EQ(0u, r.c(DP_DROP_TX_FULL));
	EXPECT_EQ(0u, r.c(DP_DROP_NO_INTERFACE));
	for (int k = 2; k <= 3; k++) {
		void *x;
		unsigned n = 0;
		while (rte_ring_dequeue(rings[k], &x) == 0) {
			Bytes b = bytes((rte_mbuf *)x);
			uint32_t src = get_be32(&b[14 + 12]);
			EXPECT_EQ(k - 2, slots[src - SUB] % 2) << "session " << (src - SUB);
			rte_pktmbuf_free((rte_mbuf *)x);
			n++;
		}
		EXPECT_EQ(3u, n);
	}
	for (int p : { acc, c1, c2 }) {
		rte_eth_dev_stop((uint16_t)p);
		rte_eth_dev_close((uint16_t)p);
	}
	for (rte_ring *ring : rings)
		rte_ring_free(ring);
	EXPECT_EQ(0u, rte_mempool_in_use_count(pool));
}
