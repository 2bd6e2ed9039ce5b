// SPDX-License-Identifier: BSD-2-Clause
// The L2TP engine: the seed's call replayed against the LNS and the LAC
// role byte for byte, then LAC and LNS engines talking through a lossy
// simulated network, then refusals, timeouts and malformed input.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "../common/l2tp_sim.h"
#include "../common/seed_msgs.h"

extern "C" {
#include "lns_log.h"
}

using namespace sim;
using namespace seed;

namespace
{

std::vector<std::string> g_log;

void
capture_log(void *, log_category, log_level, const char *line)
{
	g_log.emplace_back(line);
}

bool
logged(const std::string &needle)
{
	return std::any_of(g_log.begin(), g_log.end(), [&](const std::string &l) {
		return l.find(needle) != std::string::npos;
	});
}

class LogCapture : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		g_log.clear();
		log_set_sink(capture_log, nullptr);
		log_set_level(LOG_CAT_L2TP, LOG_DEBUG);
	}
	void TearDown() override
	{
		log_set_sink(nullptr, nullptr);
		log_set_level(LOG_CAT_L2TP, LOG_WARN);
	}
};

// The seed's boxes: Cisco acknowledges at once, as the seed's traces show.
l2tp_engine_cfg
seed_cfg(l2tp_role role, const char *host, uint16_t firmware)
{
	l2tp_engine_cfg c;
	l2tp_engine_cfg_defaults(&c, role);
	snprintf(c.host_name, sizeof(c.host_name), "%s", host);
	snprintf(c.vendor_name, sizeof(c.vendor_name), "Cisco Systems, Inc.");
	c.firmware_rev = firmware;
	c.framing_cap = 3;
	c.bearer_cap = 3;
	c.chan.ack_delay_ms = 0;
	return c;
}

l2tp_engine_cfg
seed_lns_cfg()
{
	return seed_cfg(L2TP_ROLE_LNS, "l2tp-gw", 0x1120);
}

l2tp_engine_cfg
seed_lac_cfg()
{
	return seed_cfg(L2TP_ROLE_LAC, "hgw", 0x1130);
}

void
script(Node &n, std::initializer_list<uint8_t> bytes)
{
	n.scripted_random.insert(n.scripted_random.end(), bytes);
}

void
script(Node &n, const uint8_t *p, size_t len)
{
	n.scripted_random.insert(n.scripted_random.end(), p, p + len);
}

l2tp_call_params
seed_call()
{
	l2tp_call_params p = {};
	p.serial = 0xD114C7C5;
	p.bearer_type = 1;
	p.framing_type = 2;
	p.tx_connect_speed = 64000;
	p.rx_connect_speed = 64000;
	set_field(p.calling_number, "2085730592");
	set_field(p.called_number, "614629");
	set_field(p.last_sent_lcp, seed_last_sent_lcp, sizeof(seed_last_sent_lcp));
	set_field(p.last_rcvd_lcp, seed_last_rcvd_lcp, sizeof(seed_last_rcvd_lcp));
	p.proxy_auth_type = L2TP_PROXY_AUTH_CHAP;
	p.proxy_auth_id = 6;
	set_field(p.proxy_auth_name, "2500-1");
	set_field(p.proxy_auth_challenge, seed_proxy_challenge, 16);
	set_field(p.proxy_auth_response, seed_proxy_response, 16);
	return p;
}

} // namespace

// The seed's LNS side, exactly: every message lnsd sends is compared with
// the seed's bytes (complete dumps) or the seed's fields (rebuilt ones).
class SeedLns : public LogCapture
{
};

TEST_F(SeedLns, PlaysTheLnsSideOfTheSeedByteForByte)
{
	World w;
	w.link.latency_ms = 4;
	Node &lns = w.add(seed_lns_cfg(), addr4(198, 51, 100, 82, 1701));
	const l2tp_addr lac = addr4(192, 0, 2, 68, 1701);
	set_secret(lns.policy, SEED_SECRET);
	lns.policy.rx_window = 300;
	// (engine creation already drew its tunnel cursor: script the next draws)
	lns.engine->next_tunnel_id = SEED_LNS_TUNNEL;
	script(lns, { 0x00, SEED_LNS_CALL });
	script(lns, seed_sccrp_challenge, 16);

	w.inject(lns, lac, seed_sccrq());
	ASSERT_EQ(1u, lns.sent.size());
	EXPECT_EQ(seed_sccrp(), lns.sent[0]);
	EXPECT_EQ("hgw", lns.last_policy_host);
	EXPECT_TRUE(logged("L2TP: I SCCRQ from hgw tnl 17688"));
	EXPECT_TRUE(logged("Tnl 55270 L2TP: Got a challenge in SCCRQ, hgw"));
	EXPECT_TRUE(
		logged("Tnl 55270 L2TP: New tunnel created for remote hgw, address 192.0.2.68"));
	EXPECT_TRUE(logged("Tnl 55270 L2TP: O SCCRP to hgw tnlid 17688"));
	EXPECT_TRUE(logged("Tnl 55270 L2TP: Tunnel state change from idle to wait-ctl-conn"));

	w.now += 44;
	w.inject(lns, lac, exact(seed_scccn, sizeof(seed_scccn)));
	w.run_for(1);
	ASSERT_EQ(2u, lns.sent.size());
	EXPECT_EQ(exact(seed_zlb_after_scccn, 12), lns.sent[1]);
	EXPECT_TRUE(logged("Tnl 55270 L2TP: Got a Challenge Response in SCCCN from hgw"));
	EXPECT_TRUE(logged("Tnl 55270 L2TP: Tunnel Authentication success"));
	EXPECT_TRUE(
		logged("Tnl 55270 L2TP: Tunnel state change from wait-ctl-conn to established"));
	EXPECT_TRUE(
		logged("Tnl 55270 L2TP: O ZLB ctrl ack, flg TLS, ver 2, len 12, tnl 17688, cl 0, "
		       "ns 1, nr 2"));
	EXPECT_EQ(1u, lns.count(L2TP_EV_TUNNEL_UP));

	w.now += 48;
	w.inject(lns, lac, seed_icrq());
	w.run_for(1);
	ASSERT_EQ(3u, lns.sent.size());
	EXPECT_EQ(exact(seed_icrp, sizeof(seed_icrp)), lns.sent[2]);
	EXPECT_TRUE(logged("Tnl/Cl 55270/45 L2TP: Session state change from idle to wait-connect"));
	EXPECT_TRUE(logged("Tnl/Cl 55270/45 L2TP: O ICRP to hgw 17688/7"));

	w.now += 87;
	w.inject(lns, lac, seed_iccn());
	w.run_for(1);
	ASSERT_EQ(4u, lns.sent.size());
	EXPECT_EQ(exact(seed_zlb_after_iccn, 12), lns.sent[3]);
	EXPECT_TRUE(logged("Tnl/Cl 55270/45 L2TP: I ICCN from hgw tnl 17688, cl 7"));
	EXPECT_TRUE(logged("Tnl/Cl 55270/45 L2TP: Session state change from wait-connect to "
			   "established"));
	ASSERT_EQ(1u, lns.count(L2TP_EV_SESSION_UP));
	const Event &up = lns.events.back();
	EXPECT_EQ(L2TP_MSG_ICCN, up.msg_type);
	EXPECT_EQ(45, up.session_id);
	EXPECT_EQ(Bytes({ 0, 6 }), up.avps.at(L2TP_AVP_PROXY_AUTHEN_ID));
	EXPECT_EQ(Bytes(seed_proxy_response, seed_proxy_response + 16),
		  up.avps.at(L2TP_AVP_PROXY_AUTHEN_RESPONSE));
	EXPECT_EQ(Bytes(seed_last_rcvd_lcp, seed_last_rcvd_lcp + 6),
		  up.avps.at(L2TP_AVP_LAST_RCVD_LCP_CONFREQ));

	w.now += 16000;
	w.inject(lns, lac, exact(seed_cdn, sizeof(seed_cdn)));
	w.run_for(1);
	ASSERT_EQ(5u, lns.sent.size());
	EXPECT_EQ(exact(seed_zlb_after_cdn, 12), lns.sent[4]);
	ASSERT_EQ(1u, lns.count(L2TP_EV_SESSION_DOWN));
	EXPECT_EQ(L2TP_CDN_LOST_CARRIER, lns.events.back().result);
	EXPECT_TRUE(lns.events.back().by_peer);
	EXPECT_TRUE(logged("Tnl/Cl 55270/45 L2TP: I CDN from hgw tnl 17688, cl 7"));
	EXPECT_TRUE(logged("Tnl/Cl 55270/45 L2TP: Destroying session"));
	EXPECT_TRUE(logged("Tnl/Cl 55270/45 L2TP: Session state change from established to idle"));
	EXPECT_TRUE(logged("Tnl 55270 L2TP: Tunnel state change from established to "
			   "no-sessions-left"));
	EXPECT_TRUE(logged("Tnl 55270 L2TP: No more sessions in tunnel, shutdown (likely) in 10 "
			   "seconds"));

	// no-sessions-left: StopCCN exactly 10 s later, as the seed's LNS does
	w.run_for(9998);
	EXPECT_EQ(5u, lns.sent.size());
	w.run_for(1);
	ASSERT_EQ(6u, lns.sent.size());
	EXPECT_EQ(exact(seed_stopccn, sizeof(seed_stopccn)), lns.sent[5]);
	EXPECT_TRUE(logged("Tnl 55270 L2TP: O StopCCN to hgw tnlid 17688"));
	EXPECT_TRUE(logged("Tnl 55270 L2TP: Tunnel state change from no-sessions-left to "
			   "shutting-down"));
	EXPECT_EQ(1u, l2tp_engine_tunnel_count(lns.engine));

	w.now += 4;
	w.inject(lns, lac, exact(seed_zlb_after_stopccn, 12));
	EXPECT_EQ(0u, l2tp_engine_tunnel_count(lns.engine));
	EXPECT_TRUE(logged("Tnl 55270 L2TP: Shutdown tunnel"));
	EXPECT_TRUE(logged("Tnl 55270 L2TP: Tunnel state change from shutting-down to idle"));
	EXPECT_EQ(1u, lns.count(L2TP_EV_TUNNEL_DOWN));
	EXPECT_EQ(0u, l2tp_engine_stats(lns.engine)->rx_malformed);
}

class SeedLac : public LogCapture
{
};

TEST_F(SeedLac, PlaysTheLacSideOfTheSeed)
{
	World w;
	Node &lac = w.add(seed_lac_cfg(), addr4(192, 0, 2, 68, 1701));
	const l2tp_addr lns = addr4(198, 51, 100, 82, 1701);
	l2tp_tunnel_params p = {};
	set_secret(p, SEED_SECRET);
	p.rx_window = 800;
	lac.engine->next_tunnel_id = SEED_LAC_TUNNEL;
	script(lac, { 0x00, SEED_LAC_CALL });
	script(lac, seed_sccrq_challenge, 16);

	l2tp_tunnel *t = l2tp_tunnel_open(lac.engine, w.now, &lns, &p);
	ASSERT_NE(nullptr, t);
	l2tp_call_params call = seed_call();
	ASSERT_NE(nullptr, l2tp_session_incoming(t, w.now, &call));
	ASSERT_EQ(1u, lac.sent.size());
	EXPECT_EQ(seed_sccrq(), lac.sent[0]);
	EXPECT_TRUE(logged("Tnl 17688 L2TP: Tunnel state change from idle to wait-ctl-reply"));
	EXPECT_TRUE(
		logged("Tnl/Cl 17688/7 L2TP: Session state change from idle to wait-for-tunnel"));

	w.now += 88;
	w.inject(lac, lns, seed_sccrp());
	ASSERT_EQ(3u, lac.sent.size());
	EXPECT_EQ(exact(seed_scccn, sizeof(seed_scccn)), lac.sent[1]);
	// the ICRQ: the seed's, less Cisco's vendor AVP 100 (15 bytes)
	Bytes icrq = seed_icrq();
	ASSERT_EQ(icrq.size() - 15, lac.sent[2].size());
	EXPECT_TRUE(std::equal(lac.sent[2].begin() + 4, lac.sent[2].end(), icrq.begin() + 4));
	EXPECT_TRUE(logged("Tnl 17688 L2TP: Got a challenge from remote peer, l2tp-gw"));
	EXPECT_TRUE(logged("Tnl 17688 L2TP: Tunnel Authentication success"));
	EXPECT_TRUE(
		logged("Tnl 17688 L2TP: Tunnel state change from wait-ctl-reply to established"));
	EXPECT_TRUE(logged("Tnl 17688 L2TP: O SCCCN to l2tp-gw tnlid 55270"));
	EXPECT_TRUE(logged("Tnl/Cl 17688/7 L2TP: O ICRQ to l2tp-gw 55270/0"));
	EXPECT_TRUE(logged("Tnl/Cl 17688/7 L2TP: Session state change from wait-for-tunnel to "
			   "wait-reply"));

	w.now += 40;
	w.inject(lac, lns, exact(seed_zlb_after_scccn, 12));
	w.now += 92;
	w.inject(lac, lns, exact(seed_icrp, sizeof(seed_icrp)));
	ASSERT_EQ(4u, lac.sent.size());
	EXPECT_EQ(seed_iccn(), lac.sent[3]);
	EXPECT_TRUE(logged("Tnl/Cl 17688/7 L2TP: O ICCN to l2tp-gw 55270/45"));
	EXPECT_TRUE(logged("Tnl/Cl 17688/7 L2TP: Session state change from wait-reply to "
			   "established"));
	w.now += 104;
	w.inject(lac, lns, exact(seed_zlb_after_iccn, 12));

	w.now += 16488;
	l2tp_session *s = l2tp_tunnel_find_session(t, SEED_LAC_CALL);
	ASSERT_NE(nullptr, s);
	l2tp_session_close(s, w.now, L2TP_CDN_LOST_CARRIER, L2TP_ERR_NONE, nullptr);
	ASSERT_EQ(5u, lac.sent.size());
	EXPECT_EQ(exact(seed_cdn, sizeof(seed_cdn)), lac.sent[4]);
	EXPECT_TRUE(logged("Tnl 17688 L2TP: No more sessions in tunnel, shutdown (likely) in 15 "
			   "seconds"));
	w.now += 44;
	w.inject(lac, lns, exact(seed_zlb_after_cdn, 12));

	w.now += 9952;
	w.inject(lac, lns, exact(seed_stopccn, sizeof(seed_stopccn)));
	w.run_for(1);
	ASSERT_EQ(6u, lac.sent.size());
	EXPECT_EQ(exact(seed_zlb_after_stopccn, 12), lac.sent[5]);
	EXPECT_TRUE(logged("Tnl 17688 L2TP: I StopCCN from l2tp-gw tnl 55270"));
	EXPECT_EQ(1u, lac.count(L2TP_EV_TUNNEL_DOWN));
	EXPECT_TRUE(lac.events.back().by_peer);

	// §5.7: the state is held one retransmission cycle to re-ack a lost ack
	w.now += 1000;
	w.inject(lac, lns, exact(seed_stopccn, sizeof(seed_stopccn)));
	ASSERT_EQ(7u, lac.sent.size());
	EXPECT_EQ(exact(seed_zlb_after_stopccn, 12), lac.sent[6]);
	EXPECT_EQ(1u, l2tp_engine_tunnel_count(lac.engine));
	w.run_for(31000);
	EXPECT_EQ(0u, l2tp_engine_tunnel_count(lac.engine));
}

// LAC and LNS engines through a simulated network.
namespace
{

struct Pair {
	World w;
	Node *lac, *lns;
	l2tp_tunnel_params lac_params = {};
	const l2tp_addr lns_addr = addr4(198, 51, 100, 1, 1701);
	const l2tp_addr lac_addr = addr4(192, 0, 2, 1, 1701);

	explicit Pair(const char *secret = "s3cret", l2tp_engine_cfg lns_cfg = lns_defaults(),
		      l2tp_engine_cfg lac_cfg = lac_defaults())
	{
		lns = &w.add(lns_cfg, lns_addr);
		lac = &w.add(lac_cfg, lac_addr);
		if (secret) {
			set_secret(lns->policy, secret);
			set_secret(lac_params, secret);
		}
		lac_params.hello_interval_ms = 60000;
	}

	static l2tp_engine_cfg lns_defaults()
	{
		l2tp_engine_cfg c;
		l2tp_engine_cfg_defaults(&c, L2TP_ROLE_LNS);
		return c;
	}

	static l2tp_engine_cfg lac_defaults()
	{
		l2tp_engine_cfg c;
		l2tp_engine_cfg_defaults(&c, L2TP_ROLE_LAC);
		return c;
	}

	l2tp_tunnel *open()
	{
		return l2tp_tunnel_open(lac->engine, w.now, &lns_addr, &lac_params);
	}

	l2tp_tunnel *lns_tunnel() const
	{
		l2tp_engine *e = lns->engine;
		return e->tunnel_list;
	}
};

l2tp_call_params
simple_call(uint32_t serial)
{
	l2tp_call_params p = {};
	p.serial = serial;
	p.bearer_type = 1;
	p.framing_type = 1;
	p.tx_connect_speed = 10000000;
	p.min_bps = 64000;
	p.max_bps = 10000000;
	set_field(p.calling_number, std::to_string(5550000 + serial).c_str());
	set_field(p.called_number, "614629");
	return p;
}

std::unique_ptr<l2tp_msg>
decode_sent(const Bytes &b, l2tp_hdr *h = nullptr)
{
	auto m = std::make_unique<l2tp_msg>();
	l2tp_hdr hdr;
	EXPECT_EQ(L2TP_ST_OK, l2tp_hdr_parse(&hdr, b.data(), b.size()));
	EXPECT_EQ(L2TP_ST_OK, l2tp_msg_decode(m.get(), b.data() + hdr.hdr_len,
					      l2tp_hdr_payload_len(&hdr), nullptr, 0));
	if (h)
		*h = hdr;
	return m;
}

// The last non-ZLB message a node sent.
std::unique_ptr<l2tp_msg>
last_message(const Node &n, l2tp_hdr *h = nullptr)
{
	for (auto it = n.sent.rbegin(); it != n.sent.rend(); ++it)
		if (it->size() > L2TP_CTRL_HDR_LEN)
			return decode_sent(*it, h);
	return nullptr;
}

size_t
count_sent(const Node &n, uint16_t type)
{
	size_t c = 0;
	for (const Bytes &b : n.sent)
		if (b.size() > 19 && get_be16(b.data() + 18) == type)
			c++;
	return c;
}

} // namespace

TEST(Engines, HundredSessionsOverALossyLinkComeUpAndGoDownFromBothSides)
{
	Pair p;
	p.w.link = { 0.05, 0.05, 0.10, 10, 20 };
	l2tp_tunnel *t = p.open();
	ASSERT_NE(nullptr, t);
	for (uint32_t i = 0; i < 100; i++) {
		l2tp_call_params c = simple_call(i);
		ASSERT_NE(nullptr, l2tp_session_incoming(t, p.w.now, &c));
	}
	p.w.run_for(120000);
	EXPECT_EQ(1u, p.lac->count(L2TP_EV_TUNNEL_UP));
	EXPECT_EQ(1u, p.lns->count(L2TP_EV_TUNNEL_UP));
	EXPECT_EQ(100u, p.lac->count(L2TP_EV_SESSION_UP));
	ASSERT_EQ(100u, p.lns->count(L2TP_EV_SESSION_UP));
	EXPECT_EQ(0u, p.lns->count(L2TP_EV_SESSION_DOWN));
	EXPECT_EQ(100u, l2tp_engine_session_count(p.lns->engine));
	EXPECT_GT(p.w.dropped, 0u);

	// half the calls end at the LAC, half at the LNS
	l2tp_tunnel *lt = p.lns_tunnel();
	std::vector<uint16_t> lac_ids, lns_ids;
	for (l2tp_session *s = t->sessions; s; s = s->next)
		lac_ids.push_back(s->id);
	for (l2tp_session *s = lt->sessions; s; s = s->next)
		lns_ids.push_back(s->id);
	for (size_t i = 0; i < 50; i++)
		l2tp_session_close(l2tp_tunnel_find_session(t, lac_ids[i]), p.w.now,
				   L2TP_CDN_LOST_CARRIER, L2TP_ERR_NONE, nullptr);
	// the LNS clears the other 50 and 5 of the LAC's: those CDNs cross
	std::set<uint16_t> lns_closes(lac_ids.begin() + 45, lac_ids.end());
	for (uint16_t id : lns_ids) {
		l2tp_session *s = l2tp_tunnel_find_session(lt, id);
		if (lns_closes.count(l2tp_session_peer_id(s)))
			l2tp_session_close(s, p.w.now, L2TP_CDN_ADMIN, -1, nullptr);
	}
	p.w.run_for(9000);
	EXPECT_EQ(100u, p.lac->count(L2TP_EV_SESSION_DOWN));
	EXPECT_EQ(100u, p.lns->count(L2TP_EV_SESSION_DOWN));
	EXPECT_EQ(0u, l2tp_engine_session_count(p.lac->engine));
	EXPECT_EQ(0u, l2tp_engine_session_count(p.lns->engine));

	// no sessions left: the LNS closes first (10 s), the LAC follows its StopCCN
	p.w.run_for(120000);
	EXPECT_EQ(0u, l2tp_engine_tunnel_count(p.lns->engine));
	EXPECT_EQ(0u, l2tp_engine_tunnel_count(p.lac->engine));
	EXPECT_EQ(1u, p.lac->count(L2TP_EV_TUNNEL_DOWN));
	EXPECT_EQ(1u, p.lns->count(L2TP_EV_TUNNEL_DOWN));
	EXPECT_EQ(L2TP_STOPCCN_CLEAR, p.lac->events.back().result);
	EXPECT_TRUE(p.lac->events.back().by_peer);

	EXPECT_FALSE(p.w.window_violated);
	EXPECT_GE(p.w.max_in_flight_seen, 2u);
	EXPECT_LE(p.w.max_in_flight_seen, 4u);
	for (Node *n : { p.lac, p.lns }) {
		const struct l2tp_engine_stats *st = l2tp_engine_stats(n->engine);
		EXPECT_EQ(0u, st->rx_malformed);
		EXPECT_GT(st->rx_unknown_session, 0u); // the crossed CDNs
		EXPECT_EQ(0u, st->rx_bad_nr);
		EXPECT_EQ(0u, st->rx_fsm_errors);
		EXPECT_GT(st->rx_duplicates, 0u);
		EXPECT_EQ(0u, st->tx_failed);
	}
}

TEST(Engines, TunnelClosedWithSessionsInItTakesThemDown)
{
	Pair p;
	p.w.link = { 0.05, 0.05, 0.05, 10, 5 };
	l2tp_tunnel *t = p.open();
	for (uint32_t i = 0; i < 10; i++) {
		l2tp_call_params c = simple_call(i);
		l2tp_session_incoming(t, p.w.now, &c);
	}
	p.w.run_for(30000);
	ASSERT_EQ(10u, p.lns->count(L2TP_EV_SESSION_UP));
	l2tp_tunnel_close(t, p.w.now, L2TP_STOPCCN_CLEAR, -1, nullptr);
	EXPECT_EQ(10u, p.lac->count(L2TP_EV_SESSION_DOWN));
	p.w.run_for(60000);
	EXPECT_EQ(10u, p.lns->count(L2TP_EV_SESSION_DOWN));
	EXPECT_EQ(1u, p.lns->count(L2TP_EV_TUNNEL_DOWN));
	EXPECT_EQ(0u, l2tp_engine_tunnel_count(p.lns->engine));
	EXPECT_EQ(0u, l2tp_engine_tunnel_count(p.lac->engine));
	EXPECT_EQ(0u, l2tp_engine_session_count(p.lns->engine));
}

TEST(Engines, SilentPeerClosesTheTunnelAfterExactlyTheConfiguredRetries)
{
	Pair p;
	p.w.black_hole = p.lns->index;
	uint64_t t0 = p.w.now;
	l2tp_tunnel *t = p.open();
	ASSERT_NE(nullptr, t);
	l2tp_call_params c = simple_call(1);
	l2tp_session_incoming(t, p.w.now, &c);
	p.w.run_until(t0 + 30999);
	EXPECT_EQ(1u, l2tp_engine_tunnel_count(p.lac->engine));
	EXPECT_EQ(6u, count_sent(*p.lac, L2TP_MSG_SCCRQ)); // first + 5 retransmissions
	p.w.run_until(t0 + 31000);
	EXPECT_EQ(0u, l2tp_engine_tunnel_count(p.lac->engine));
	EXPECT_EQ(6u, p.lac->sent.size());
	EXPECT_EQ(1u, l2tp_engine_stats(p.lac->engine)->tunnels_timed_out);
	EXPECT_EQ(1u, p.lac->count(L2TP_EV_SESSION_DOWN));
	EXPECT_EQ(1u, p.lac->count(L2TP_EV_TUNNEL_DOWN));
}

TEST(Engines, RetryCountAndTimersAreConfigurable)
{
	l2tp_engine_cfg lac = Pair::lac_defaults();
	lac.chan.rtx_initial_ms = 500;
	lac.chan.rtx_max_ms = 2000;
	lac.chan.rtx_retries = 3;
	Pair p("s3cret", Pair::lns_defaults(), lac);
	p.w.black_hole = p.lns->index;
	uint64_t t0 = p.w.now;
	p.open();
	// 500 + 1000 + 2000 + 2000 = 5.5 s
	p.w.run_until(t0 + 5499);
	EXPECT_EQ(1u, l2tp_engine_tunnel_count(p.lac->engine));
	p.w.run_until(t0 + 5500);
	EXPECT_EQ(0u, l2tp_engine_tunnel_count(p.lac->engine));
	EXPECT_EQ(4u, count_sent(*p.lac, L2TP_MSG_SCCRQ));
}

TEST(Engines, HelloKeepsAnIdleTunnelAndFindsADeadPeer)
{
	Pair p;
	p.lns->policy.hello_interval_ms = 60000;
	p.open();
	p.w.run_for(1000);
	ASSERT_EQ(1u, p.lns->count(L2TP_EV_TUNNEL_UP));
	p.w.run_for(300000);
	EXPECT_EQ(1u, l2tp_engine_tunnel_count(p.lac->engine));
	// whichever side's interval ends first says HELLO; the other hears it
	EXPECT_GE(count_sent(*p.lac, L2TP_MSG_HELLO) + count_sent(*p.lns, L2TP_MSG_HELLO), 4u);
	EXPECT_EQ(count_sent(*p.lac, L2TP_MSG_HELLO), l2tp_engine_stats(p.lac->engine)->hello_tx);
	// the LNS disappears: the LAC's next HELLO goes unanswered
	p.w.black_hole = p.lns->index;
	p.w.run_for(60000 + 31000 + 1000);
	EXPECT_EQ(0u, l2tp_engine_tunnel_count(p.lac->engine));
	EXPECT_EQ(1u, l2tp_engine_stats(p.lac->engine)->tunnels_timed_out);
}

TEST(Engines, WrongSecretOnEitherSideIsRefusedWithResultFour)
{
	{
		Pair p;
		set_secret(p.lac_params, "wrong");
		p.open();
		p.w.run_for(5000);
		EXPECT_EQ(0u, p.lac->count(L2TP_EV_TUNNEL_UP));
		EXPECT_EQ(0u, p.lns->count(L2TP_EV_TUNNEL_UP));
		EXPECT_EQ(1u, l2tp_engine_stats(p.lac->engine)->tunnels_auth_failed);
		auto m = last_message(*p.lac);
		ASSERT_TRUE(m);
		EXPECT_EQ(L2TP_MSG_STOPCCN, m->type);
		l2tp_result r;
		ASSERT_TRUE(l2tp_msg_result(m.get(), &r));
		EXPECT_EQ(L2TP_STOPCCN_NOT_AUTHORIZED, r.result);
		p.w.run_for(60000);
		EXPECT_EQ(0u, l2tp_engine_tunnel_count(p.lns->engine));
		EXPECT_EQ(0u, l2tp_engine_tunnel_count(p.lac->engine));
	}
	{
		// the LNS challenges a LAC that has no secret: the LAC refuses
		Pair p;
		p.lac_params.secret_len = 0;
		p.open();
		p.w.run_for(5000);
		EXPECT_EQ(0u, p.lns->count(L2TP_EV_TUNNEL_UP));
		EXPECT_EQ(1u, l2tp_engine_stats(p.lac->engine)->tunnels_auth_failed);
		EXPECT_EQ(1u, l2tp_engine_stats(p.lns->engine)->stopccn_rx);
	}
}

TEST(Engines, ChallengeWithoutALocalSecretIsRefused)
{
	Pair p(nullptr);
	set_secret(p.lac_params, "s3cret"); // the LAC challenges, the LNS has no secret
	p.open();
	p.w.run_for(5000);
	auto m = last_message(*p.lns);
	ASSERT_TRUE(m);
	EXPECT_EQ(L2TP_MSG_STOPCCN, m->type);
	l2tp_result r;
	ASSERT_TRUE(l2tp_msg_result(m.get(), &r));
	EXPECT_EQ(L2TP_STOPCCN_NOT_AUTHORIZED, r.result);
	EXPECT_EQ(1u, l2tp_engine_stats(p.lns->engine)->tunnels_refused);
	EXPECT_EQ(1u, p.lac->count(L2TP_EV_TUNNEL_DOWN));
	EXPECT_TRUE(p.lac->events.back().by_peer);
}

TEST(Engines, NoAuthenticationOnEitherSideWorks)
{
	Pair p(nullptr);
	p.open();
	p.w.run_for(1000);
	EXPECT_EQ(1u, p.lns->count(L2TP_EV_TUNNEL_UP));
	EXPECT_EQ(1u, p.lac->count(L2TP_EV_TUNNEL_UP));
}

class Policy : public LogCapture
{
};

TEST_F(Policy, UnknownHostIsRefusedWithStopccnAndALogLineThatSaysWhy)
{
	Pair p;
	p.lns->accept_all = false;
	p.open();
	p.w.run_for(5000);
	auto m = last_message(*p.lns);
	ASSERT_TRUE(m);
	EXPECT_EQ(L2TP_MSG_STOPCCN, m->type);
	l2tp_result r;
	ASSERT_TRUE(l2tp_msg_result(m.get(), &r));
	EXPECT_EQ(L2TP_STOPCCN_NOT_AUTHORIZED, r.result);
	EXPECT_TRUE(logged("SCCRQ from lac refused: no tunnel profile accepts this host"));
	EXPECT_EQ("lac", p.lns->last_policy_host);
	p.w.run_for(60000);
	EXPECT_EQ(0u, l2tp_engine_tunnel_count(p.lns->engine));
}

TEST(Engines, TieBreakerLeavesOneTunnel)
{
	l2tp_engine_cfg a = Pair::lns_defaults();
	a.send_tie_breaker = true;
	l2tp_engine_cfg b = Pair::lac_defaults();
	b.send_tie_breaker = true;
	Pair p("s3cret", a, b);
	set_secret(p.lac->policy, "s3cret");
	// the LNS's tie breaker is lower: its tunnel wins
	script(*p.lac, { 0, 1 });			  // session cursor
	script(*p.lac, { 0xff, 0, 0, 0, 0, 0, 0, 0x20 }); // tie breaker
	l2tp_tunnel *from_lac = p.open();
	script(*p.lns, { 0, 1 });
	script(*p.lns, { 0x10, 0, 0, 0, 0, 0, 0, 0x01 });
	l2tp_tunnel_params lp = p.lac_params;
	l2tp_tunnel *from_lns = l2tp_tunnel_open(p.lns->engine, p.w.now, &p.lac_addr, &lp);
	ASSERT_NE(nullptr, from_lac);
	ASSERT_NE(nullptr, from_lns);
	p.w.run_for(10000);
	EXPECT_EQ(1u, l2tp_engine_tunnel_count(p.lac->engine));
	EXPECT_EQ(1u, l2tp_engine_tunnel_count(p.lns->engine));
	EXPECT_EQ(1u, l2tp_engine_stats(p.lac->engine)->tunnels_tie_lost);
	EXPECT_EQ(0u, l2tp_engine_stats(p.lns->engine)->tunnels_tie_lost);
	ASSERT_NE(nullptr, p.lns->engine->tunnel_list);
	EXPECT_TRUE(p.lns->engine->tunnel_list->initiator);
	EXPECT_EQ(L2TP_TUNNEL_ESTABLISHED, p.lns->engine->tunnel_list->state);
	EXPECT_EQ(L2TP_TUNNEL_ESTABLISHED, p.lac->engine->tunnel_list->state);
}

TEST(Engines, OutgoingCallFromTheLns)
{
	Pair p;
	p.open();
	p.w.run_for(1000);
	l2tp_tunnel *lt = p.lns_tunnel();
	ASSERT_NE(nullptr, lt);
	l2tp_call_params c = simple_call(9);
	l2tp_session *s = l2tp_session_outgoing(lt, p.w.now, &c);
	ASSERT_NE(nullptr, s);
	EXPECT_EQ(L2TP_SESSION_WAIT_REPLY, l2tp_session_state(s));
	p.w.run_for(1000);
	EXPECT_EQ(L2TP_SESSION_ESTABLISHED, l2tp_session_state(s));
	EXPECT_EQ(1u, p.lns->count(L2TP_EV_SESSION_UP));
	EXPECT_EQ(1u, p.lac->count(L2TP_EV_SESSION_UP));
	EXPECT_EQ(L2TP_MSG_OCCN, p.lns->events.back().msg_type);
	// an LNS does not take outgoing-call requests, nor a LAC incoming calls
	EXPECT_EQ(nullptr, l2tp_session_incoming(lt, p.w.now, &c));
}

TEST(Engines, SessionLimitAnswersCdnResultFour)
{
	l2tp_engine_cfg lns = Pair::lns_defaults();
	lns.max_sessions_per_tunnel = 2;
	Pair p("s3cret", lns);
	l2tp_tunnel *t = p.open();
	for (uint32_t i = 0; i < 3; i++) {
		l2tp_call_params c = simple_call(i);
		l2tp_session_incoming(t, p.w.now, &c);
	}
	p.w.run_for(5000);
	EXPECT_EQ(2u, p.lns->count(L2TP_EV_SESSION_UP));
	EXPECT_EQ(1u, l2tp_engine_stats(p.lns->engine)->sessions_refused);
	ASSERT_EQ(1u, p.lac->count(L2TP_EV_SESSION_DOWN));
	const Event *down = nullptr;
	for (const Event &e : p.lac->events)
		if (e.type == L2TP_EV_SESSION_DOWN)
			down = &e;
	EXPECT_EQ(L2TP_CDN_NO_FACILITIES_TEMP, down->result);
	EXPECT_EQ(L2TP_ERR_NO_RESOURCES, down->error);
	EXPECT_TRUE(down->by_peer);
}

TEST(Engines, TotalSessionLimitCountsEveryTunnel)
{
	l2tp_engine_cfg lns = Pair::lns_defaults();
	lns.max_sessions = 3;
	Pair p("s3cret", lns);
	Node &lac2 = p.w.add(Pair::lac_defaults(), addr4(192, 0, 2, 2, 1701));
	l2tp_tunnel *t1 = p.open();
	l2tp_tunnel *t2 = l2tp_tunnel_open(lac2.engine, p.w.now, &p.lns_addr, &p.lac_params);
	for (uint32_t i = 0; i < 2; i++) {
		l2tp_call_params c = simple_call(i);
		l2tp_session_incoming(t1, p.w.now, &c);
		l2tp_session_incoming(t2, p.w.now, &c);
	}
	p.w.run_for(5000);
	EXPECT_EQ(3u, l2tp_engine_session_count(p.lns->engine));
	EXPECT_EQ(1u, l2tp_engine_stats(p.lns->engine)->sessions_refused);
	EXPECT_EQ(1u, p.lac->count(L2TP_EV_SESSION_DOWN) + lac2.count(L2TP_EV_SESSION_DOWN));
}

TEST(Engines, TunnelLimitAnswersStopccnNoResources)
{
	l2tp_engine_cfg lns = Pair::lns_defaults();
	lns.max_tunnels = 1;
	Pair p("s3cret", lns);
	p.open();
	p.w.run_for(1000);
	Node &lac2 = p.w.add(Pair::lac_defaults(), addr4(192, 0, 2, 2, 1701));
	l2tp_tunnel_open(lac2.engine, p.w.now, &p.lns_addr, &p.lac_params);
	p.w.run_for(1000);
	auto m = last_message(*p.lns);
	ASSERT_TRUE(m);
	EXPECT_EQ(L2TP_MSG_STOPCCN, m->type);
	l2tp_result r;
	ASSERT_TRUE(l2tp_msg_result(m.get(), &r));
	EXPECT_EQ(L2TP_STOPCCN_GENERAL_ERROR, r.result);
	EXPECT_EQ(L2TP_ERR_NO_RESOURCES, r.error);
	EXPECT_EQ(1u, lac2.count(L2TP_EV_TUNNEL_DOWN));
	EXPECT_EQ(1u, p.lac->count(L2TP_EV_TUNNEL_UP));
}

TEST(Engines, SoftShutdownKeepsCallsAndRefusesNewOnes)
{
	Pair p;
	l2tp_tunnel *t = p.open();
	l2tp_call_params c = simple_call(1);
	l2tp_session_incoming(t, p.w.now, &c);
	p.w.run_for(2000);
	ASSERT_EQ(1u, p.lns->count(L2TP_EV_SESSION_UP));
	l2tp_engine_set_accept_new(p.lns->engine, false);
	c = simple_call(2);
	l2tp_session_incoming(t, p.w.now, &c);
	p.w.run_for(2000);
	EXPECT_EQ(1u, p.lns->count(L2TP_EV_SESSION_UP));
	EXPECT_EQ(1u, l2tp_engine_session_count(p.lns->engine));
	EXPECT_EQ(1u, p.lac->count(L2TP_EV_SESSION_DOWN));
	Node &lac2 = p.w.add(Pair::lac_defaults(), addr4(192, 0, 2, 2, 1701));
	l2tp_tunnel_open(lac2.engine, p.w.now, &p.lns_addr, &p.lac_params);
	p.w.run_for(2000);
	auto m = last_message(*p.lns);
	l2tp_result r;
	ASSERT_TRUE(l2tp_msg_result(m.get(), &r));
	EXPECT_EQ(L2TP_STOPCCN_SHUTTING_DOWN, r.result);
	// close_all: every tunnel gets StopCCN 6
	l2tp_engine_close_all(p.lns->engine, p.w.now);
	p.w.run_for(60000);
	EXPECT_EQ(0u, l2tp_engine_tunnel_count(p.lns->engine));
	EXPECT_EQ(0u, l2tp_engine_tunnel_count(p.lac->engine));
}

TEST(Engines, NewCallCancelsNoSessionsLeft)
{
	Pair p;
	l2tp_tunnel *t = p.open();
	l2tp_call_params c = simple_call(1);
	l2tp_session *s = l2tp_session_incoming(t, p.w.now, &c);
	p.w.run_for(2000);
	l2tp_session_close(s, p.w.now, L2TP_CDN_LOST_CARRIER, 0, nullptr);
	p.w.run_for(5000);
	EXPECT_EQ(L2TP_TUNNEL_NO_SESSIONS_LEFT, l2tp_tunnel_state(p.lns_tunnel()));
	c = simple_call(2);
	l2tp_session_incoming(t, p.w.now, &c);
	p.w.run_for(1000);
	EXPECT_EQ(L2TP_TUNNEL_ESTABLISHED, l2tp_tunnel_state(p.lns_tunnel()));
	p.w.run_for(20000);
	EXPECT_EQ(1u, l2tp_engine_tunnel_count(p.lns->engine));
	EXPECT_EQ(2u, p.lns->count(L2TP_EV_SESSION_UP));
}

TEST(Engines, HiddenAvpsCrossBetweenEngines)
{
	Pair p;
	p.lac_params.hide_mask = (UINT64_C(1) << L2TP_AVP_CALLING_NUMBER) |
				 (UINT64_C(1) << L2TP_AVP_PROXY_AUTHEN_NAME) |
				 (UINT64_C(1) << L2TP_AVP_PROXY_AUTHEN_RESPONSE);
	l2tp_tunnel *t = p.open();
	l2tp_call_params c = seed_call();
	l2tp_session_incoming(t, p.w.now, &c);
	p.w.run_for(2000);
	ASSERT_EQ(1u, p.lns->count(L2TP_EV_SESSION_UP));
	const Event &up = p.lns->events.back();
	EXPECT_EQ(Bytes({ '2', '5', '0', '0', '-', '1' }), up.avps.at(L2TP_AVP_PROXY_AUTHEN_NAME));
	EXPECT_EQ(Bytes(seed_proxy_response, seed_proxy_response + 16),
		  up.avps.at(L2TP_AVP_PROXY_AUTHEN_RESPONSE));
	// on the wire, neither the number nor the name is in clear
	for (const Bytes &b : p.lac->sent) {
		std::string s(b.begin(), b.end());
		EXPECT_EQ(std::string::npos, s.find("2085730592"));
		EXPECT_EQ(std::string::npos, s.find("2500-1"));
	}
	// the LNS saw them: the ICRQ's calling number unhidden
	EXPECT_EQ(0u, l2tp_engine_stats(p.lns->engine)->rx_malformed);
}

TEST(Engines, SliAndWenReachTheOtherSide)
{
	Pair p;
	l2tp_tunnel *t = p.open();
	l2tp_call_params c = simple_call(1);
	l2tp_session *s = l2tp_session_incoming(t, p.w.now, &c);
	p.w.run_for(2000);
	ASSERT_EQ(0, l2tp_session_send_sli(s, p.w.now, 0x000a0000, 0xffffffff));
	l2tp_call_errors ce = { 1, 2, 3, 4, 5, 6 };
	ASSERT_EQ(0, l2tp_session_send_wen(s, p.w.now, &ce));
	p.w.run_for(2000);
	ASSERT_EQ(1u, p.lns->count(L2TP_EV_SESSION_SLI));
	ASSERT_EQ(1u, p.lns->count(L2TP_EV_SESSION_WEN));
	for (const Event &e : p.lns->events) {
		if (e.type == L2TP_EV_SESSION_SLI) {
			EXPECT_EQ(Bytes({ 0, 0, 0, 0x0a, 0, 0, 0xff, 0xff, 0xff, 0xff }),
				  e.avps.at(L2TP_AVP_ACCM));
		}
		if (e.type == L2TP_EV_SESSION_WEN) {
			EXPECT_EQ(26u, e.avps.at(L2TP_AVP_CALL_ERRORS).size());
		}
	}
}

// The LNS alone, driven by hand-made messages from a LAC at 192.0.2.68.
namespace
{

struct SeedRig {
	World w;
	Node *lns;
	const l2tp_addr lac = addr4(192, 0, 2, 68, 1701);
	uint16_t ns = 0; // the LAC's next Ns
	uint16_t nr = 0; // what the LAC acknowledges

	SeedRig()
	{
		lns = &w.add(seed_lns_cfg(), addr4(198, 51, 100, 82, 1701));
		set_secret(lns->policy, SEED_SECRET);
		lns->policy.rx_window = 300;
		lns->engine->next_tunnel_id = SEED_LNS_TUNNEL;
		script(*lns, { 0x00, SEED_LNS_CALL });
		script(*lns, seed_sccrp_challenge, 16);
	}

	void up_to_tunnel()
	{
		w.inject(*lns, lac, seed_sccrq());
		w.inject(*lns, lac, exact(seed_scccn, sizeof(seed_scccn)));
		ns = 2;
		nr = 1;
		w.run_for(1);
	}

	void up_to_session()
	{
		up_to_tunnel();
		w.inject(*lns, lac, seed_icrq());
		w.inject(*lns, lac, seed_iccn());
		ns = 4;
		nr = 2;
		w.run_for(1);
	}

	l2tp_tunnel *tunnel() const
	{
		return lns->tunnel(SEED_LNS_TUNNEL);
	}

	// A message from the LAC: begin, add AVPs, send.
	uint8_t buf[512];
	l2tp_writer wr;

	l2tp_writer *begin(uint16_t type)
	{
		l2tp_w_init(&wr, buf, sizeof(buf));
		l2tp_w_u16(&wr, L2TP_AVP_MESSAGE_TYPE, type);
		return &wr;
	}

	Bytes build(uint16_t session_id = 0)
	{
		return finish_msg(wr, SEED_LNS_TUNNEL, session_id, ns, nr);
	}

	void send(const Bytes &b)
	{
		w.inject(*lns, lac, b);
		if (b.size() > L2TP_CTRL_HDR_LEN)
			ns++;
		w.run_for(1);
	}

	const struct l2tp_engine_stats *stats() const
	{
		return l2tp_engine_stats(lns->engine);
	}
};

void
expect_last(const Node &n, uint16_t type, uint16_t result, int error)
{
	auto m = last_message(n);
	ASSERT_TRUE(m);
	EXPECT_EQ(type, m->type) << l2tp_msg_type_str(m->type);
	l2tp_result r;
	ASSERT_TRUE(l2tp_msg_result(m.get(), &r));
	EXPECT_EQ(result, r.result);
	EXPECT_EQ(error, r.error);
}

} // namespace

TEST(Malformed, BrokenHeadersAreCountedAndDropped)
{
	SeedRig r;
	r.up_to_session();
	size_t sent = r.lns->sent.size();
	r.w.inject(*r.lns, r.lac, Bytes{ 0xC8, 0x02, 0x00 });
	r.w.inject(*r.lns, r.lac, Bytes{ 0xC8, 0x02, 0x00, 0x40, 0xD7, 0xE6, 0, 0, 0, 4, 0, 2 });
	r.w.inject(*r.lns, r.lac, Bytes{ 0xC8, 0x02, 0x00, 0x08, 0xD7, 0xE6, 0, 0, 0, 4, 0, 2 });
	r.w.inject(*r.lns, r.lac, Bytes{ 0xC8, 0x01, 0x00, 0x0C, 0xD7, 0xE6, 0, 0, 0, 4, 0, 2 });
	r.w.run_for(10);
	EXPECT_EQ(sent, r.lns->sent.size());
	EXPECT_EQ(1u, r.stats()->malformed[L2TP_ST_SHORT_HEADER]);
	EXPECT_EQ(1u, r.stats()->malformed[L2TP_ST_LENGTH_PAST_END]);
	EXPECT_EQ(1u, r.stats()->malformed[L2TP_ST_LENGTH_TOO_SMALL]);
	EXPECT_EQ(1u, r.stats()->malformed[L2TP_ST_VERSION_L2F]);
	EXPECT_EQ(4u, r.stats()->rx_malformed);
	EXPECT_EQ(1u, l2tp_engine_session_count(r.lns->engine));
}

TEST(Malformed, WrongTunnelIdOrWrongPeerIsCountedAndDropped)
{
	SeedRig r;
	r.up_to_session();
	size_t sent = r.lns->sent.size();
	r.begin(L2TP_MSG_HELLO);
	Bytes hello = r.build();
	put_be16(hello.data() + 4, 1234);
	r.w.inject(*r.lns, r.lac, hello);
	r.begin(L2TP_MSG_HELLO);
	r.w.inject(*r.lns, addr4(192, 0, 2, 99, 1701), r.build());
	r.w.inject(*r.lns, addr4(192, 0, 2, 68, 1702), r.build());
	r.w.run_for(10);
	EXPECT_EQ(sent, r.lns->sent.size());
	EXPECT_EQ(1u, r.stats()->rx_unknown_tunnel);
	EXPECT_EQ(2u, r.stats()->rx_wrong_peer);
}

TEST(Malformed, NrAcknowledgingWhatWasNeverSentIsDroppedUnused)
{
	SeedRig r;
	r.up_to_session();
	l2tp_writer *w = r.begin(L2TP_MSG_CDN);
	l2tp_w_u16(w, L2TP_AVP_ASSIGNED_SESSION_ID, SEED_LAC_CALL);
	l2tp_w_result(w, L2TP_CDN_LOST_CARRIER, 0, nullptr);
	r.nr = 50;
	r.w.inject(*r.lns, r.lac, r.build(SEED_LNS_CALL));
	EXPECT_EQ(1u, r.stats()->rx_bad_nr);
	EXPECT_EQ(1u, l2tp_engine_session_count(r.lns->engine)); // the CDN was not used
	r.nr = 2;
	r.send(r.build(SEED_LNS_CALL));
	EXPECT_EQ(0u, l2tp_engine_session_count(r.lns->engine));
}

TEST(Malformed, AvpLengthBelowSixInACallMessageClearsTheCall)
{
	SeedRig r;
	r.up_to_session();
	l2tp_writer *w = r.begin(L2TP_MSG_SLI);
	l2tp_w_raw(w, L2TP_AVP_FLAG_M, 0, L2TP_AVP_ACCM, "0123456789", 10);
	Bytes b = r.build(SEED_LNS_CALL);
	put_be16(b.data() + 20, L2TP_AVP_FLAG_M | 5); // the ACCM AVP says length 5
	r.send(b);
	EXPECT_EQ(1u, r.stats()->malformed[L2TP_ST_AVP_LEN_BELOW_6]);
	EXPECT_EQ(0u, l2tp_engine_session_count(r.lns->engine));
	expect_last(*r.lns, L2TP_MSG_CDN, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_BAD_LENGTH);
	EXPECT_EQ(L2TP_TUNNEL_NO_SESSIONS_LEFT, l2tp_tunnel_state(r.tunnel()));
}

TEST(Malformed, AvpLengthPastTheEndInATunnelMessageClearsTheTunnel)
{
	SeedRig r;
	r.up_to_session();
	l2tp_writer *w = r.begin(L2TP_MSG_HELLO);
	l2tp_w_raw(w, 0, 0, L2TP_AVP_VENDOR_NAME, "x", 1);
	Bytes b = r.build();
	put_be16(b.data() + 20, 40); // past the end
	r.send(b);
	EXPECT_EQ(1u, r.stats()->malformed[L2TP_ST_AVP_LEN_PAST_END]);
	expect_last(*r.lns, L2TP_MSG_STOPCCN, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_BAD_LENGTH);
	EXPECT_EQ(L2TP_TUNNEL_SHUTTING_DOWN, l2tp_tunnel_state(r.tunnel()));
	EXPECT_EQ(1u, r.lns->count(L2TP_EV_SESSION_DOWN));
	EXPECT_EQ(1u, r.lns->count(L2TP_EV_TUNNEL_DOWN));
}

TEST(Malformed, UnknownMandatoryAvpClearsTheCallOrTheTunnel)
{
	{
		SeedRig r;
		r.up_to_session();
		l2tp_writer *w = r.begin(L2TP_MSG_SLI);
		l2tp_w_accm(w, 0, 0);
		l2tp_w_raw(w, L2TP_AVP_FLAG_M, 9, 100, "abc", 3); // vendor AVP with M
		r.send(r.build(SEED_LNS_CALL));
		expect_last(*r.lns, L2TP_MSG_CDN, L2TP_CDN_GENERAL_ERROR,
			    L2TP_ERR_UNKNOWN_MANDATORY_AVP);
		EXPECT_EQ(0u, l2tp_engine_session_count(r.lns->engine));
		EXPECT_EQ(L2TP_TUNNEL_NO_SESSIONS_LEFT, l2tp_tunnel_state(r.tunnel()));
	}
	{
		SeedRig r;
		r.up_to_session();
		l2tp_writer *w = r.begin(L2TP_MSG_HELLO);
		l2tp_w_raw(w, L2TP_AVP_FLAG_M, 0, 20, "", 0); // type 20: unassigned
		r.send(r.build());
		expect_last(*r.lns, L2TP_MSG_STOPCCN, L2TP_STOPCCN_GENERAL_ERROR,
			    L2TP_ERR_UNKNOWN_MANDATORY_AVP);
		EXPECT_EQ(1u, r.stats()->malformed[L2TP_ST_AVP_UNKNOWN_MANDATORY]);
	}
}

// The profile's peer quirk: the same message is taken, the hit counted.
TEST(Malformed, ToleratedUnknownMandatoryAvpIsSkippedAndCounted)
{
	SeedRig r;
	r.lns->policy.tolerate_unknown_mandatory = true;
	r.up_to_session();
	size_t sent = r.lns->sent.size();
	l2tp_writer *w = r.begin(L2TP_MSG_SLI);
	l2tp_w_accm(w, 0, 0);
	l2tp_w_raw(w, L2TP_AVP_FLAG_M, 9, 100, "abc", 3); // vendor AVP with M
	r.send(r.build(SEED_LNS_CALL));
	r.w.run_for(1000);
	EXPECT_EQ(1u, l2tp_engine_session_count(r.lns->engine));
	EXPECT_EQ(L2TP_TUNNEL_ESTABLISHED, l2tp_tunnel_state(r.tunnel()));
	EXPECT_EQ(1u, l2tp_tunnel_quirk_hits(r.tunnel()));
	EXPECT_EQ(1u, r.stats()->rx_tolerated_unknown_mandatory);
	EXPECT_EQ(0u, r.stats()->rx_malformed);
	for (size_t i = sent; i < r.lns->sent.size(); i++) // only acknowledged
		EXPECT_EQ(12u, r.lns->sent[i].size());
}

// Not tolerated, an SCCRQ with an unknown M AVP is answered (StopCCN, §4.1)
// rather than dropped: the host's profile is known by then.
TEST(Malformed, UnknownMandatoryAvpInSccrqIsRefusedWithStopccn)
{
	SeedRig r;
	uint8_t buf[512];
	l2tp_writer w;
	l2tp_w_init(&w, buf, sizeof(buf));
	seed_w_sccrq(&w);
	l2tp_w_raw(&w, L2TP_AVP_FLAG_M, 9, 100, "abc", 3);
	int n = l2tp_w_finish(&w, 0, 0, 0, 0);
	ASSERT_GT(n, 0);
	r.w.inject(*r.lns, r.lac, Bytes(buf, buf + n));
	r.w.run_for(1000);
	expect_last(*r.lns, L2TP_MSG_STOPCCN, L2TP_STOPCCN_GENERAL_ERROR,
		    L2TP_ERR_UNKNOWN_MANDATORY_AVP);
}

TEST(Malformed, UnknownAvpOrMessageTypeWithoutMIsIgnored)
{
	SeedRig r;
	r.up_to_session();
	size_t sent = r.lns->sent.size();
	l2tp_writer *w = r.begin(L2TP_MSG_HELLO);
	l2tp_w_raw(w, 0, 9, 100, "Serial0:0", 9);
	l2tp_w_raw(w, 0, 0, 20, "", 0);
	r.send(r.build());
	uint8_t b[64];
	l2tp_w_init(&r.wr, b, sizeof(b));
	l2tp_w_raw(&r.wr, 0, 0, L2TP_AVP_MESSAGE_TYPE, "\x00\x63", 2); // type 99, no M
	Bytes unknown = finish_msg(r.wr, SEED_LNS_TUNNEL, 0, r.ns, r.nr);
	r.send(unknown);
	r.w.run_for(100);
	EXPECT_EQ(1u, r.stats()->rx_ignored_msgtype);
	EXPECT_EQ(0u, r.stats()->stopccn_tx);
	EXPECT_EQ(L2TP_TUNNEL_ESTABLISHED, l2tp_tunnel_state(r.tunnel()));
	// both were acknowledged: only ZLBs went out
	for (size_t i = sent; i < r.lns->sent.size(); i++)
		EXPECT_EQ(12u, r.lns->sent[i].size());
	EXPECT_GT(r.lns->sent.size(), sent);
}

TEST(Malformed, UnknownMessageTypeWithMClearsTheTunnel)
{
	SeedRig r;
	r.up_to_tunnel();
	uint8_t b[64];
	l2tp_w_init(&r.wr, b, sizeof(b));
	l2tp_w_raw(&r.wr, L2TP_AVP_FLAG_M, 0, L2TP_AVP_MESSAGE_TYPE, "\x00\x63", 2);
	r.send(finish_msg(r.wr, SEED_LNS_TUNNEL, 0, r.ns, r.nr));
	expect_last(*r.lns, L2TP_MSG_STOPCCN, L2TP_STOPCCN_GENERAL_ERROR,
		    L2TP_ERR_UNKNOWN_MANDATORY_AVP);
}

TEST(Malformed, MissingMandatoryAvpIsAnsweredInItsScope)
{
	{
		SeedRig r;
		r.up_to_tunnel();
		l2tp_writer *w = r.begin(L2TP_MSG_ICRQ); // no Call Serial Number
		l2tp_w_u16(w, L2TP_AVP_ASSIGNED_SESSION_ID, 9);
		r.send(r.build());
		l2tp_hdr h;
		auto m = last_message(*r.lns, &h);
		ASSERT_TRUE(m);
		EXPECT_EQ(L2TP_MSG_CDN, m->type);
		EXPECT_EQ(9, h.session_id);
		expect_last(*r.lns, L2TP_MSG_CDN, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_BAD_VALUE);
		EXPECT_EQ(1u, r.stats()->malformed[L2TP_ST_MISSING_MANDATORY_AVP]);
		EXPECT_EQ(L2TP_TUNNEL_ESTABLISHED, l2tp_tunnel_state(r.tunnel()));
	}
	{
		SeedRig r; // an SCCRQ without Host Name
		uint8_t b[128];
		l2tp_writer w;
		l2tp_w_init(&w, b, sizeof(b));
		l2tp_w_u16(&w, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_SCCRQ);
		l2tp_w_u16(&w, L2TP_AVP_PROTOCOL_VERSION, 0x0100);
		l2tp_w_u32(&w, L2TP_AVP_FRAMING_CAP, 3);
		l2tp_w_u16(&w, L2TP_AVP_ASSIGNED_TUNNEL_ID, 17688);
		r.w.inject(*r.lns, r.lac, finish_msg(w, 0, 0, 0, 0));
		expect_last(*r.lns, L2TP_MSG_STOPCCN, L2TP_STOPCCN_GENERAL_ERROR,
			    L2TP_ERR_BAD_VALUE);
	}
}

TEST(Malformed, CallMessageBeforeTheTunnelIsUpIsAnFsmError)
{
	// an ICRQ (with Ns 1) right after the SCCRQ, before any SCCCN
	SeedRig r2;
	r2.w.inject(*r2.lns, r2.lac, seed_sccrq());
	Bytes icrq = seed_icrq();
	put_be16(icrq.data() + 8, 1);
	r2.w.inject(*r2.lns, r2.lac, icrq);
	expect_last(*r2.lns, L2TP_MSG_STOPCCN, L2TP_STOPCCN_FSM_ERROR, -1);
	EXPECT_EQ(1u, r2.stats()->rx_fsm_errors);
}

TEST(Malformed, SccnWithAWrongOrMissingResponseIsRefused)
{
	{
		SeedRig r;
		r.w.inject(*r.lns, r.lac, seed_sccrq());
		Bytes scccn = exact(seed_scccn, sizeof(seed_scccn));
		scccn[30] ^= 1;
		r.w.inject(*r.lns, r.lac, scccn);
		expect_last(*r.lns, L2TP_MSG_STOPCCN, L2TP_STOPCCN_NOT_AUTHORIZED, 0);
		EXPECT_EQ(1u, r.stats()->tunnels_auth_failed);
		EXPECT_EQ(0u, r.lns->count(L2TP_EV_TUNNEL_UP));
	}
	{
		SeedRig r;
		r.w.inject(*r.lns, r.lac, seed_sccrq());
		r.ns = 1;
		r.nr = 1;
		r.begin(L2TP_MSG_SCCCN);
		r.send(r.build());
		expect_last(*r.lns, L2TP_MSG_STOPCCN, L2TP_STOPCCN_NOT_AUTHORIZED, 0);
	}
}

TEST(Malformed, RetransmittedSccrqDoesNotMakeASecondTunnel)
{
	SeedRig r;
	r.w.inject(*r.lns, r.lac, seed_sccrq());
	r.w.inject(*r.lns, r.lac, seed_sccrq());
	EXPECT_EQ(1u, l2tp_engine_tunnel_count(r.lns->engine));
	EXPECT_EQ(1u, r.stats()->rx_duplicates);
	EXPECT_EQ(1u, count_sent(*r.lns, L2TP_MSG_SCCRP));
}

TEST(Malformed, ProtocolVersionOtherThanOneZeroIsRefusedWithResultFive)
{
	SeedRig r;
	Bytes sccrq = seed_sccrq();
	sccrq[26] = 2; // Protocol Version 2.0
	r.w.inject(*r.lns, r.lac, sccrq);
	expect_last(*r.lns, L2TP_MSG_STOPCCN, L2TP_STOPCCN_BAD_PROTOCOL_VERSION, 0);
}

TEST(Malformed, CallNeverConnectedIsClearedAfterTheSetupTimeout)
{
	SeedRig r;
	r.up_to_tunnel();
	r.send(seed_icrq());
	r.nr = 2; // the LAC acknowledges the ICRP but never sends its ICCN
	uint8_t zlb[12];
	l2tp_hdr_put_ctrl(zlb, 12, SEED_LNS_TUNNEL, 0, r.ns, r.nr);
	r.w.inject(*r.lns, r.lac, Bytes(zlb, zlb + 12));
	r.w.run_for(59990);
	EXPECT_EQ(1u, l2tp_engine_session_count(r.lns->engine));
	r.w.run_for(20);
	EXPECT_EQ(0u, l2tp_engine_session_count(r.lns->engine));
	expect_last(*r.lns, L2TP_MSG_CDN, L2TP_CDN_TIMEOUT, 0);
}

TEST(Engines, TunnelWalkSeesEveryLiveTunnelOnce)
{
	Pair p;
	std::set<uint16_t> opened;
	for (int i = 0; i < 3; i++)
		opened.insert(l2tp_tunnel_id(p.open()));
	p.w.run_for(5000);
	ASSERT_EQ(3u, l2tp_engine_tunnel_count(p.lns->engine));
	auto walk = [](l2tp_engine *e) {
		std::multiset<uint16_t> ids;
		for (l2tp_tunnel *t = l2tp_engine_next_tunnel(e, nullptr); t;
		     t = l2tp_engine_next_tunnel(e, t))
			ids.insert(l2tp_tunnel_id(t));
		return ids;
	};
	std::multiset<uint16_t> lac_ids = walk(p.lac->engine);
	EXPECT_EQ(std::multiset<uint16_t>(opened.begin(), opened.end()), lac_ids);
	EXPECT_EQ(3u, walk(p.lns->engine).size());

	// a closing tunnel stays in the walk (shutting down) until it is gone
	l2tp_tunnel *closing = l2tp_engine_find_tunnel(p.lac->engine, *opened.begin());
	l2tp_tunnel_close(closing, p.w.now, L2TP_STOPCCN_CLEAR, -1, nullptr);
	ASSERT_EQ(1u, walk(p.lac->engine).count(*opened.begin()));
	EXPECT_EQ(L2TP_TUNNEL_SHUTTING_DOWN, l2tp_tunnel_state(closing));
	p.w.run_for(60000);
	EXPECT_EQ(0u, walk(p.lac->engine).count(*opened.begin()));
	EXPECT_EQ(2u, walk(p.lns->engine).size());
	EXPECT_EQ(2u, walk(p.lac->engine).size());
}
