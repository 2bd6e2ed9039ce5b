// SPDX-License-Identifier: BSD-2-Clause
// The control lcore's glue, in process: a LAC engine with PPP clients
// dials the LNS (L2TP engine, PPP servers, profiles, local users, pools),
// over a simulated UDP path, with deterministic time. What the dataplane
// would be told is recorded.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <vector>

extern "C" {
#include "l2tp_engine.h"
#include "lns.h"
#include "lns_log.h"
#include "nd.h"
#include "ppp.h"
}

namespace
{

using Bytes = std::vector<uint8_t>;

const char *config_text = R"(
l2tp:
  host_name: l2tp-gw
  no_sessions_left_s: 10
profiles:
  - name: hgw
    match_host: hgw
    secret: hello
    pool: subscribers
    dns: [198.51.100.53]
    max_in_setup: 50
users:
  - name: 2500-1
    password: cisco
    address: 255.255.255.255
  - name: alice
    password: s3cret
  - name: fixed
    password: pw
    address: 203.0.113.77
pools:
  - name: subscribers
    ranges: [203.0.113.10-203.0.113.20]
)";

struct Pkt {
	uint64_t at;
	bool to_lns;
	Bytes data;
};

struct Harness;

struct LacCall {
	Harness *h;
	l2tp_session *s = nullptr;
	ppp *p = nullptr;
	bool up = false, down = false;
	std::vector<Bytes> ipv6_rx; // IPv6 packets the LNS sent the subscriber
};

struct Harness {
	uint64_t now = 1000000;
	lns_config *cfg = nullptr;
	lns *l = nullptr;
	l2tp_engine *lac = nullptr;
	l2tp_tunnel *tunnel = nullptr;
	std::vector<Pkt> wire;
	std::map<uint32_t, lns_session_info> published; // tunnel<<16|session
	std::vector<uint32_t> withdrawn;
	std::vector<std::unique_ptr<LacCall>> calls;
	std::map<l2tp_session *, LacCall *> by_session;
	std::mt19937_64 rng{ 5 };
	std::string user = "alice", password = "s3cret";
	bool ipv6 = false; // the subscribers run IPv6CP
	unsigned updates = 0;
	uint64_t lac_ctl_delay = 5; // the LAC's control messages; its PPP data takes 5 ms
	l2tp_addr lac_addr = make(192, 0, 2, 2);
	const l2tp_addr lns_addr = make(192, 0, 2, 1);

	static l2tp_addr make(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
	{
		l2tp_addr x = {};
		x.family = 4;
		x.ip[0] = a;
		x.ip[1] = b;
		x.ip[2] = c;
		x.ip[3] = d;
		x.port = 1701;
		return x;
	}

	std::vector<Bytes> lns_sent; // every UDP payload the LNS sent
	std::vector<l2tp_addr> lns_sent_to;
	// RADIUS, as the AAA threads would see it
	std::vector<aaa_auth_request> aaa_asked;
	std::vector<aaa_acct_request> acct;
	bool aaa_queue_full = false;
	aaa_counters counters = {}; // what the dataplane would count for every session

	explicit Harness(const char *text = config_text)
	{
		static int n;
		std::string path = "test_lns_" + std::to_string(n++) + ".yaml";
		std::ofstream(path) << text;
		cfg_errors errs;
		cfg = cfg_load(path.c_str(), &errs);
		remove(path.c_str());
		EXPECT_NE(nullptr, cfg) << (errs.n ? errs.msg[0] : "");
		l = lns_create(cfg, &lns_ops_, this);
		l2tp_engine_cfg ec;
		l2tp_engine_cfg_defaults(&ec, L2TP_ROLE_LAC);
		snprintf(ec.host_name, sizeof(ec.host_name), "hgw");
		lac = l2tp_engine_create(&ec, &lac_ops_, this);
	}
	~Harness()
	{
		for (auto &c : calls)
			ppp_destroy(c->p);
		l2tp_engine_destroy(lac);
		lns_destroy(l);
		cfg_free(cfg);
	}

	// as lnsd does on SIGHUP: the new configuration in, the old one freed
	int reload(const char *text)
	{
		static int n;
		std::string path = "test_lns_reload_" + std::to_string(n++) + ".yaml";
		std::ofstream(path) << text;
		cfg_errors errs;
		lns_config *next = cfg_load(path.c_str(), &errs);
		remove(path.c_str());
		EXPECT_NE(nullptr, next) << (errs.n ? errs.msg[0] : "");
		if (next == nullptr)
			return -EINVAL;
		int rc = lns_reload(l, next);
		if (rc == 0) {
			cfg_free(cfg);
			cfg = next;
		} else {
			cfg_free(next);
		}
		return rc;
	}

	void open(const char *secret = "hello")
	{
		l2tp_tunnel_params p = {};
		p.secret_len = (uint8_t)strlen(secret);
		memcpy(p.secret, secret, p.secret_len);
		p.hello_interval_ms = 60000;
		tunnel = l2tp_tunnel_open(lac, now, &lns_addr, &p);
	}

	LacCall *dial()
	{
		auto c = std::make_unique<LacCall>();
		c->h = this;
		l2tp_call_params cp = {};
		cp.serial = (uint32_t)calls.size();
		cp.bearer_type = 1;
		cp.framing_type = 1;
		cp.tx_connect_speed = 1000000;
		c->s = l2tp_session_incoming(tunnel, now, &cp);
		EXPECT_NE(nullptr, c->s);
		l2tp_session_set_udata(c->s, c.get());
		ppp_cfg pc;
		ppp_cfg_defaults(&pc, PPP_ROLE_CLIENT);
		snprintf(pc.name, sizeof(pc.name), "%s", user.c_str());
		snprintf(pc.secret, sizeof(pc.secret), "%s", password.c_str());
		pc.ipv6cp = ipv6;
		c->p = ppp_create(&pc, &client_ops_, c.get());
		calls.push_back(std::move(c));
		return calls.back().get();
	}

	void run_for(uint64_t ms)
	{
		uint64_t until = now + ms;
		for (int guard = 0; guard < 1000000; guard++) {
			uint64_t next =
				std::min(lns_next_timeout(l), l2tp_engine_next_timeout(lac));
			for (auto &c : calls)
				if (c->p && !c->down)
					next = std::min(next, ppp_next_timeout(c->p));
			for (auto &p : wire)
				next = std::min(next, p.at);
			if (next > until)
				break;
			now = std::max(now, next);
			for (size_t i = 0; i < wire.size();) {
				if (wire[i].at <= now) {
					Pkt p = wire[i];
					wire.erase(wire.begin() + (long)i);
					deliver(p);
				} else {
					i++;
				}
			}
			if (lns_next_timeout(l) <= now)
				lns_timeout(l, now);
			if (l2tp_engine_next_timeout(lac) <= now)
				l2tp_engine_timeout(lac, now);
			for (auto &c : calls)
				if (c->p && !c->down && ppp_next_timeout(c->p) <= now)
					ppp_timeout(c->p, now);
		}
		now = until;
	}

	void deliver(const Pkt &p)
	{
		if (p.to_lns) {
			lns_input(l, now, &lac_addr, p.data.data(), p.data.size());
			return;
		}
		l2tp_hdr h;
		if (l2tp_hdr_parse(&h, p.data.data(), p.data.size()) != L2TP_ST_OK)
			return;
		if (l2tp_hdr_is_control(&h)) {
			l2tp_engine_input(lac, now, &lns_addr, p.data.data(), p.data.size());
			return;
		}
		l2tp_tunnel *t = l2tp_engine_find_tunnel(lac, h.tunnel_id);
		l2tp_session *s = t ? l2tp_tunnel_find_session(t, h.session_id) : nullptr;
		LacCall *c = s ? static_cast<LacCall *>(l2tp_session_udata(s)) : nullptr;
		const uint8_t *f = p.data.data() + h.hdr_len;
		size_t n = l2tp_hdr_payload_len(&h);
		if (c && n > 4 && f[2] == 0x00 && f[3] == 0x57) // FF 03 00 57: IPv6
			c->ipv6_rx.emplace_back(f + 4, f + n);
		else if (c && c->p && !c->down)
			ppp_input(c->p, now, f, n);
	}

	// the LNS side
	static void lns_udp(void *ctx, const l2tp_addr *to, const uint8_t *b, size_t n)
	{
		Harness *h = static_cast<Harness *>(ctx);
		h->lns_sent.emplace_back(b, b + n);
		h->lns_sent_to.push_back(*to);
		h->wire.push_back({ h->now + 5, false, Bytes(b, b + n) });
	}
	static void lns_up(void *ctx, const lns_session_info *s)
	{
		Harness *h = static_cast<Harness *>(ctx);
		h->published[(uint32_t)s->tunnel_id << 16 | s->session_id] = *s;
	}
	static void lns_down(void *ctx, uint16_t t, uint16_t s)
	{
		Harness *h = static_cast<Harness *>(ctx);
		uint32_t k = (uint32_t)t << 16 | s;
		EXPECT_EQ(1u, h->published.count(k));
		h->published.erase(k);
		h->withdrawn.push_back(k);
	}
	static void rnd(void *ctx, void *b, size_t n)
	{
		Harness *h = static_cast<Harness *>(ctx);
		for (size_t i = 0; i < n; i++)
			static_cast<uint8_t *>(b)[i] = (uint8_t)h->rng();
	}
	static bool aaa_auth(void *ctx, const aaa_auth_request *r)
	{
		Harness *h = static_cast<Harness *>(ctx);
		if (h->aaa_queue_full)
			return false;
		h->aaa_asked.push_back(*r);
		return true;
	}
	static void aaa_acct(void *ctx, const aaa_acct_request *r)
	{
		static_cast<Harness *>(ctx)->acct.push_back(*r);
	}
	static void counters_of(void *ctx, uint16_t, uint16_t, aaa_counters *out)
	{
		*out = static_cast<Harness *>(ctx)->counters;
	}
	static void lns_update(void *ctx, const lns_session_info *s)
	{
		Harness *h = static_cast<Harness *>(ctx);
		uint32_t k = (uint32_t)s->tunnel_id << 16 | s->session_id;
		EXPECT_EQ(1u, h->published.count(k)) << "an update for a session not published";
		h->published[k] = *s;
		h->updates++;
	}
	static constexpr lns_ops lns_ops_ = { lns_udp,	lns_up,	  lns_down,    rnd,
					      aaa_auth, aaa_acct, counters_of, lns_update };

	// the LAC side
	static void lac_tx(void *ctx, const l2tp_addr *, const uint8_t *b, size_t n)
	{
		Harness *h = static_cast<Harness *>(ctx);
		h->wire.push_back({ h->now + h->lac_ctl_delay, true, Bytes(b, b + n) });
	}
	static void lac_event(void *ctx, const l2tp_event *ev)
	{
		Harness *h = static_cast<Harness *>(ctx);
		LacCall *c = ev->session ? static_cast<LacCall *>(l2tp_session_udata(ev->session))
					 : nullptr;
		if (c == nullptr)
			return;
		if (ev->type == L2TP_EV_SESSION_UP)
			ppp_start(c->p, h->now, nullptr);
		if (ev->type == L2TP_EV_SESSION_DOWN) {
			c->s = nullptr;
			if (!c->down)
				ppp_lower_down(c->p, h->now, PPP_DOWN_LOST_CARRIER);
		}
	}
	static bool lac_policy(void *, const uint8_t *, size_t, const l2tp_addr *,
			       l2tp_tunnel_params *)
	{
		return false;
	}
	static constexpr l2tp_engine_ops lac_ops_ = { lac_tx, lac_event, lac_policy, rnd, nullptr };

	// the subscriber's PPP, carried in L2TP data messages by the LAC
	static void client_send(void *ctx, const uint8_t *f, size_t n)
	{
		LacCall *c = static_cast<LacCall *>(ctx);
		if (c->s == nullptr)
			return;
		l2tp_tunnel *t = l2tp_session_tunnel(c->s);
		uint8_t buf[1600];
		l2tp_data_hdr_opts o = {};
		size_t hl = l2tp_hdr_put_data(buf, sizeof(buf), l2tp_tunnel_peer_id(t),
					      l2tp_session_peer_id(c->s), n, &o);
		memcpy(buf + hl, f, n);
		c->h->wire.push_back({ c->h->now + 5, true, Bytes(buf, buf + hl + n) });
	}
	static void client_event(void *ctx, ppp *, const ppp_event *ev)
	{
		LacCall *c = static_cast<LacCall *>(ctx);
		if (ev->type == PPP_EV_NETWORK_UP)
			c->up = true;
		if (ev->type == PPP_EV_DOWN)
			c->down = true;
	}
	static void client_random(void *ctx, void *b, size_t n)
	{
		rnd(static_cast<LacCall *>(ctx)->h, b, n);
	}
	static constexpr ppp_ops client_ops_ = { client_send, client_event, client_random };
};

const bool quiet = [] {
	log_set_level(LOG_CAT_L2TP, LOG_ERR);
	log_set_level(LOG_CAT_PPP, LOG_ERR);
	return true;
}();

} // namespace

TEST(Lns, SubscribersComeUpWithPoolAddressesAndGoDownCleanly)
{
	Harness h;
	ASSERT_NE(nullptr, h.l);
	h.open();
	for (int i = 0; i < 5; i++)
		h.dial();
	h.run_for(10000);
	ASSERT_EQ(5u, h.published.size());
	std::set<uint32_t> addrs;
	for (auto &kv : h.published) {
		EXPECT_GE(kv.second.sub_ipv4, 0xCB00710Au);
		EXPECT_LE(kv.second.sub_ipv4, 0xCB007114u);
		EXPECT_TRUE(addrs.insert(kv.second.sub_ipv4).second) << "address handed out twice";
		EXPECT_STREQ("alice", kv.second.user);
		EXPECT_NE(0u, kv.second.magic);
		EXPECT_EQ(0, memcmp(kv.second.peer.ip, h.lac_addr.ip, 4));
	}
	for (auto &c : h.calls) {
		EXPECT_TRUE(c->up);
		EXPECT_EQ(0xC6336435u, ppp_state(c->p)->dns[0]);
		EXPECT_TRUE(addrs.count(ppp_state(c->p)->our_ipv4));
	}
	EXPECT_EQ(5u, lns_stats(h.l)->auth_accepted);
	// the subscribers hang up (LAC sends CDN): withdrawn, and the addresses come back
	for (auto &c : h.calls)
		l2tp_session_close(c->s, h.now, L2TP_CDN_LOST_CARRIER, 0, nullptr);
	h.run_for(5000);
	EXPECT_EQ(0u, h.published.size());
	EXPECT_EQ(5u, h.withdrawn.size());
	EXPECT_EQ(0u, lns_session_count(h.l));
	// no sessions left: the LNS closes the tunnel after 10 s
	h.run_for(15000);
	EXPECT_EQ(0u, l2tp_engine_tunnel_count(lns_engine(h.l)));
	// pool addresses are free again: 5 more come up
	h.open();
	for (int i = 0; i < 5; i++)
		h.dial();
	h.run_for(10000);
	EXPECT_EQ(5u, h.published.size());
}

// The LAC starts PPP on the ICRP; its ICCN (slower here, as when it waits
// for the control window) arrives after the first Configure-Request.
TEST(Lns, PppFramesThatOvertakeTheIccnAreHeldAndReplayed)
{
	Harness h;
	h.lac_ctl_delay = 200;
	h.open();
	for (int i = 0; i < 3; i++)
		h.dial();
	h.run_for(2000); // a dropped Configure-Request would take the 3 s restart
	EXPECT_EQ(3u, h.published.size());
	for (auto &c : h.calls)
		EXPECT_TRUE(c->up);
	EXPECT_GE(lns_stats(h.l)->rx_ppp_early_held, 3u);
	EXPECT_EQ(0u, lns_stats(h.l)->rx_ppp_early_dropped);
	EXPECT_EQ(0u, lns_stats(h.l)->rx_ppp_unknown_session);
}

// Held frames are bounded: past the ring's size the oldest are pushed out, counted.
TEST(Lns, EarlyFramesAreBounded)
{
	Harness h;
	h.lac_ctl_delay = 200;
	h.open();
	h.run_for(1000);
	LacCall *c = h.dial();
	h.run_for(300); // the LAC has the ICRP, its PPP has started; the ICCN is on its way
	ASSERT_EQ(L2TP_SESSION_ESTABLISHED, l2tp_session_state(c->s));
	ASSERT_EQ(0u, lns_session_count(h.l));
	const uint8_t lcp_echo[] = { 0xc0, 0x21, 0x09, 0x01, 0x00, 0x08, 1, 2, 3, 4 };
	const unsigned n = LNS_EARLY_FRAMES + 6;
	for (unsigned i = 0; i < n; i++)
		Harness::client_send(c, lcp_echo, sizeof(lcp_echo));
	h.run_for(10);
	EXPECT_EQ(n + 1, lns_stats(h.l)->rx_ppp_early_held); // and the Configure-Request
	EXPECT_EQ(n + 1 - LNS_EARLY_FRAMES, lns_stats(h.l)->rx_ppp_early_dropped);
}

TEST(Lns, PeerChosenAndFixedAddresses)
{
	Harness h;
	h.user = "2500-1";
	h.password = "cisco";
	h.open();
	h.dial();
	h.run_for(10000);
	ASSERT_EQ(1u, h.published.size());
	// the client asked for 0.0.0.0: the pool's address was offered
	EXPECT_GE(h.published.begin()->second.sub_ipv4, 0xCB00710Au);
	h.user = "fixed";
	h.password = "pw";
	h.dial();
	h.run_for(10000);
	ASSERT_EQ(2u, h.published.size());
	bool saw_fixed = false;
	for (auto &kv : h.published)
		saw_fixed |= kv.second.sub_ipv4 == 0xCB00714Du;
	EXPECT_TRUE(saw_fixed);
}

// The IPCP address lnsd gives itself is the profile's local_address, else ppp.local_address;
// a reload changes it for new calls only.
TEST(Lns, IpcpLocalAddressComesFromTheConfiguration)
{
	std::string text = config_text;
	text += "ppp:\n  local_address: 198.51.100.1\n";
	Harness h(text.c_str());
	h.open();
	LacCall *first = h.dial();
	h.run_for(10000);
	ASSERT_TRUE(first->up);
	EXPECT_EQ(0xC6336401u, ppp_state(first->p)->peer_ipv4) << "the subscriber's view of us";
	struct lns_call_view v;
	const lns_session_info &i = h.published.begin()->second;
	ASSERT_TRUE(lns_call_view(h.l, h.now, i.tunnel_id, i.session_id, &v));
	EXPECT_EQ(0xC6336401u, v.local_ipv4);
	std::string next = text;
	next.replace(next.find("    max_in_setup: 50\n"), 0, "    local_address: 198.51.100.77\n");
	ASSERT_EQ(0, h.reload(next.c_str()));
	LacCall *second = h.dial();
	h.run_for(10000);
	ASSERT_TRUE(second->up);
	EXPECT_EQ(0xC633644Du, ppp_state(second->p)->peer_ipv4);
	EXPECT_EQ(0xC6336401u, ppp_state(first->p)->peer_ipv4) << "a held call keeps its own";
}

TEST(Lns, WrongPasswordUnknownUserAndUnknownLac)
{
	Harness h;
	h.password = "wrong";
	h.open();
	h.dial();
	h.user = "mallory";
	h.dial();
	h.run_for(20000);
	EXPECT_EQ(0u, h.published.size());
	EXPECT_EQ(2u, lns_stats(h.l)->auth_rejected);
	EXPECT_TRUE(h.calls[0]->down);
	EXPECT_TRUE(h.calls[1]->down);
	EXPECT_EQ(0u, lns_session_count(h.l));

	Harness h2;
	h2.open("not-hello"); // wrong tunnel secret: refused
	h2.run_for(5000);
	EXPECT_EQ(0u, l2tp_engine_tunnel_count(h2.lac));
	EXPECT_EQ(1u, l2tp_engine_stats(lns_engine(h2.l))->tunnels_auth_failed +
			      l2tp_engine_stats(h2.lac)->tunnels_auth_failed);
}

TEST(Lns, ReloadChangesNewCallsOnlyAndKeepsAddressesInUse)
{
	Harness h;
	h.open();
	for (int i = 0; i < 3; i++)
		h.dial();
	h.user = "fixed";
	h.password = "pw";
	LacCall *fixed = h.dial();
	h.run_for(10000);
	ASSERT_EQ(4u, h.published.size());
	std::set<uint32_t> before;
	for (auto &kv : h.published)
		before.insert(kv.second.sub_ipv4);

	// alice's password changes; the pool shrinks to .10-.13 and now holds .77
	std::string next = config_text;
	next.replace(next.find("s3cret"), 6, "n3w");
	next.replace(next.find("203.0.113.10-203.0.113.20]"), 26,
		     "203.0.113.10-203.0.113.13, 203.0.113.77-203.0.113.77]");
	ASSERT_EQ(0, h.reload(next.c_str()));
	EXPECT_EQ(1u, lns_stats(h.l)->reloads);

	h.user = "alice";
	h.password = "s3cret";
	h.dial();
	h.run_for(10000);
	EXPECT_EQ(1u, lns_stats(h.l)->auth_rejected); // the old password no longer works
	h.password = "n3w";
	h.dial();
	h.run_for(10000);
	ASSERT_EQ(5u, h.published.size()); // the four established ones untouched
	std::set<uint32_t> after;
	for (auto &kv : h.published)
		after.insert(kv.second.sub_ipv4);
	EXPECT_EQ(5u, after.size()) << "an address in use was handed out again";
	EXPECT_TRUE(after.count(0xCB00710Du)); // .13: the one address left
	h.dial();
	h.run_for(10000);
	EXPECT_EQ(1u, lns_stats(h.l)->no_address);

	// .77 was fixed, and is now in the pool: back to it when its call ends
	l2tp_session_close(fixed->s, h.now, L2TP_CDN_LOST_CARRIER, 0, nullptr);
	h.run_for(5000);
	h.dial();
	h.run_for(10000);
	ASSERT_EQ(5u, h.published.size());
	after.clear();
	for (auto &kv : h.published)
		after.insert(kv.second.sub_ipv4);
	EXPECT_TRUE(after.count(0xCB00714Du));
}

// l2tp.hide_avps and a profile's "sequencing: always", as configured
TEST(Lns, HiddenAvpsAndSequencingComeFromTheConfiguration)
{
	std::string text = config_text;
	text.insert(text.find("profiles:"), "  hide_avps: true\n");
	text.insert(text.find("    max_in_setup: 50"), "    sequencing: always\n");
	Harness h(text.c_str());
	h.open();
	h.dial();
	h.run_for(10000);
	ASSERT_EQ(1u, h.published.size());
	EXPECT_TRUE(h.published.begin()->second.sequencing);
	unsigned hidden = 0, data = 0, data_sequenced = 0;
	for (const Bytes &p : h.lns_sent) {
		bool control = p[0] & 0x80;
		if (!control) {
			data++;
			data_sequenced += (p[0] & 0x08) != 0;
			continue;
		}
		for (size_t o = 12; o + 6 <= p.size();) {
			size_t len = (p[o] & 0x03) << 8 | p[o + 1];
			hidden += (p[o] & 0x40) != 0;
			if (len < 6)
				break;
			o += len;
		}
	}
	EXPECT_GE(hidden, 2u); // SCCRP's Assigned Tunnel ID, ICRP's Assigned Session ID
	EXPECT_GT(data, 0u);
	EXPECT_EQ(data, data_sequenced) << "every PPP frame from the LNS carries Ns/Nr";
}

TEST(Lns, PoolExhaustionRefusesTheSessionAndSaysSo)
{
	Harness h;
	h.open();
	for (int i = 0; i < 13; i++) // the pool holds 11
		h.dial();
	h.run_for(20000);
	EXPECT_EQ(11u, h.published.size());
	EXPECT_EQ(2u, lns_stats(h.l)->no_address);
}

TEST(Lns, ShutdownClosesEverything)
{
	Harness h;
	h.open();
	for (int i = 0; i < 3; i++)
		h.dial();
	h.run_for(10000);
	ASSERT_EQ(3u, h.published.size());
	lns_shutdown(h.l, h.now);
	EXPECT_EQ(0u, h.published.size());
	h.run_for(5000);
	EXPECT_EQ(0u, l2tp_engine_tunnel_count(lns_engine(h.l))); // its StopCCN was acknowledged
	EXPECT_EQ(1u, l2tp_engine_tunnel_count(h.lac)); // holds the state to re-ack (§5.7)
	h.run_for(30000);
	EXPECT_EQ(0u, l2tp_engine_tunnel_count(h.lac));
}

// RADIUS: the same LAC and subscribers, a profile with "aaa: radius", and the
// test playing the AAA threads: it sees each request and answers when it likes.
namespace
{

const char *radius_config = R"(
l2tp:
  host_name: l2tp-gw
profiles:
  - name: hgw
    match_host: hgw
    secret: hello
    pool: subscribers
    dns: [198.51.100.53]
    aaa: radius
    realm: strip
    auth: [chap]
pools:
  - name: subscribers
    ranges: [203.0.113.10-203.0.113.20]
  - name: business
    ranges: [203.0.113.100-203.0.113.101]
radius:
  servers:
    - address: 127.0.0.1
      secret: testing123
  interim_interval_s: 600
)";

aaa_auth_answer
answer_for(const aaa_auth_request &r, aaa_verdict v)
{
	aaa_auth_answer a = {};
	a.ref = r.ref;
	a.verdict = v;
	return a;
}

} // namespace

TEST(LnsRadius, AcceptAppliesTheAttributesAndAccountingFollowsTheSession)
{
	Harness h(radius_config);
	h.user = "alice@isp.example";
	h.password = "s3cret";
	const uint8_t dialled[4] = { 192, 0, 2, 9 }; // lnsd says which of its addresses was asked
	memcpy(h.lac_addr.local, dialled, 4);
	h.open();
	h.dial();
	h.run_for(2000);
	ASSERT_EQ(1u, h.aaa_asked.size());
	const aaa_auth_request &r = h.aaa_asked[0];
	EXPECT_STREQ("alice", r.call.user); // realm: strip
	EXPECT_EQ(PPP_AUTH_CHAP_MD5, r.proto);
	EXPECT_EQ(16, r.response_len);
	EXPECT_GT(r.challenge_len, 0);
	EXPECT_STREQ("hgw", r.call.lac_name);
	EXPECT_STREQ("l2tp-gw", r.call.lns_name);
	EXPECT_EQ(0xC0000202u, r.call.lac_ip);
	EXPECT_EQ(0xC0000209u, r.call.lns_ip)
		<< "Tunnel-Server-Endpoint: the address the LAC dialled";
	EXPECT_EQ(1000000u, r.call.tx_speed);
	EXPECT_EQ(r.ref.session_id, r.call.nas_port);
	EXPECT_EQ(16u, strlen(r.call.session_id));
	EXPECT_EQ(0u, h.published.size()) << "nothing goes up before RADIUS answers";

	aaa_auth_answer a = answer_for(r, AAA_ACCEPT);
	a.framed_ip = 0xCB00714D; // 203.0.113.77
	a.routes[0] = { 0xCB007180, 28 };
	a.n_routes = 1;
	a.dns[0] = 0xC6336401;
	memcpy(a.class_, "seed-class", 10);
	a.class_len = 10;
	a.session_timeout_s = 100;
	a.interim_s = 30;
	lns_aaa_answer(h.l, h.now, &a);
	h.run_for(5000);
	ASSERT_EQ(1u, h.published.size());
	const lns_session_info &up = h.published.begin()->second;
	EXPECT_EQ(0xCB00714Du, up.sub_ipv4);
	ASSERT_EQ(1, up.n_routes);
	EXPECT_EQ(0xCB007180u, up.routes[0].prefix);
	EXPECT_EQ(0xC6336401u, ppp_state(h.calls[0]->p)->dns[0]); // RADIUS's DNS over the profile's
	ASSERT_EQ(1u, h.acct.size());
	EXPECT_EQ(AAA_ACCT_START, h.acct[0].type);
	EXPECT_EQ(0xCB00714Du, h.acct[0].framed_ip);
	EXPECT_EQ(std::string("seed-class"), std::string((char *)h.acct[0].class_, 10));
	EXPECT_STREQ(r.call.session_id, h.acct[0].call.session_id);

	h.counters = { 1000, 2000, 10, 20 };
	h.run_for(30000); // Acct-Interim-Interval from RADIUS, not the profile's 600 s
	ASSERT_EQ(2u, h.acct.size());
	EXPECT_EQ(AAA_ACCT_INTERIM, h.acct[1].type);
	EXPECT_EQ(1000u, h.acct[1].counters.in_octets);
	EXPECT_GE(h.acct[1].session_time_s, 29u);

	h.counters = { 5000, 6000, 50, 60 };
	h.run_for(70000); // Session-Timeout: 100 s after IPCP opened
	EXPECT_EQ(1u, lns_stats(h.l)->session_timeouts);
	EXPECT_EQ(0u, h.published.size());
	ASSERT_GE(h.acct.size(), 3u);
	const aaa_acct_request &stop = h.acct.back();
	EXPECT_EQ(AAA_ACCT_STOP, stop.type);
	EXPECT_EQ(5u, stop.terminate_cause); // Session-Timeout
	EXPECT_EQ(6000u, stop.counters.out_octets);
	EXPECT_GE(stop.session_time_s, 99u);
	EXPECT_LE(stop.session_time_s, 101u);
	EXPECT_TRUE(h.calls[0]->down);
}

TEST(LnsRadius, RejectQueueFullAndNoServerEachEndTheCall)
{
	Harness h(radius_config);
	h.open();
	h.dial();
	h.run_for(2000);
	ASSERT_EQ(1u, h.aaa_asked.size());
	aaa_auth_answer a = answer_for(h.aaa_asked[0], AAA_REJECT);
	snprintf(a.message, sizeof(a.message), "account disabled");
	lns_aaa_answer(h.l, h.now, &a);
	h.dial();
	h.run_for(2000);
	ASSERT_EQ(2u, h.aaa_asked.size());
	a = answer_for(h.aaa_asked[1], AAA_UNAVAILABLE);
	lns_aaa_answer(h.l, h.now, &a);
	h.aaa_queue_full = true;
	h.dial();
	h.run_for(20000);
	EXPECT_EQ(0u, h.published.size());
	for (auto &c : h.calls)
		EXPECT_TRUE(c->down);
	EXPECT_EQ(1u, lns_stats(h.l)->auth_rejected);
	EXPECT_EQ(2u, lns_stats(h.l)->aaa_unavailable);
	EXPECT_EQ(0u, h.acct.size()) << "no session, no accounting";
	EXPECT_EQ(0u, lns_session_count(h.l));
}

TEST(LnsRadius, AnAnswerForACallThatIsGoneIsIgnored)
{
	Harness h(radius_config);
	h.open();
	LacCall *c = h.dial();
	h.run_for(2000);
	ASSERT_EQ(1u, h.aaa_asked.size());
	l2tp_session_close(c->s, h.now, L2TP_CDN_LOST_CARRIER, 0, nullptr);
	h.run_for(2000);
	ASSERT_EQ(0u, lns_session_count(h.l));
	aaa_auth_answer a = answer_for(h.aaa_asked[0], AAA_ACCEPT);
	lns_aaa_answer(h.l, h.now, &a);
	EXPECT_EQ(1u, lns_stats(h.l)->aaa_stale_answers);
	// a new call that reuses the IDs is not fooled by the old answer either
	h.dial();
	h.run_for(2000);
	ASSERT_EQ(2u, h.aaa_asked.size());
	aaa_auth_answer old = a;
	old.ref.tunnel_id = h.aaa_asked[1].ref.tunnel_id;
	old.ref.session_id = h.aaa_asked[1].ref.session_id;
	lns_aaa_answer(h.l, h.now, &old);
	EXPECT_EQ(2u, lns_stats(h.l)->aaa_stale_answers);
	EXPECT_EQ(0u, h.published.size());
}

TEST(LnsRadius, AddressFromThePoolTheUsersChoiceOrAFramedPool)
{
	Harness h(radius_config);
	h.open();
	const uint32_t how[] = { AAA_IP_FROM_POOL, 0, AAA_IP_USER_CHOOSES };
	for (uint32_t ip : how) {
		h.dial();
		h.run_for(2000);
		aaa_auth_answer a = answer_for(h.aaa_asked.back(), AAA_ACCEPT);
		a.framed_ip = ip;
		lns_aaa_answer(h.l, h.now, &a);
		h.run_for(3000);
	}
	ASSERT_EQ(3u, h.published.size());
	for (auto &kv : h.published) { // the client asks 0.0.0.0: each gets one of the pool
		EXPECT_GE(kv.second.sub_ipv4, 0xCB00710Au);
		EXPECT_LE(kv.second.sub_ipv4, 0xCB007114u);
	}
	h.dial();
	h.run_for(2000);
	aaa_auth_answer a = answer_for(h.aaa_asked.back(), AAA_ACCEPT);
	snprintf(a.pool, sizeof(a.pool), "business");
	lns_aaa_answer(h.l, h.now, &a);
	h.dial();
	h.run_for(2000);
	a = answer_for(h.aaa_asked.back(), AAA_ACCEPT);
	snprintf(a.pool, sizeof(a.pool), "nowhere");
	lns_aaa_answer(h.l, h.now, &a);
	h.run_for(5000);
	ASSERT_EQ(4u, h.published.size());
	bool business = false;
	for (auto &kv : h.published)
		business |= kv.second.sub_ipv4 == 0xCB007164u;
	EXPECT_TRUE(business) << "Framed-Pool business: 203.0.113.100";
	EXPECT_EQ(1u, lns_stats(h.l)->no_address) << "a Framed-Pool that does not exist";
}

TEST(LnsRadius, IdleTimeoutCountsOnlyWhenNoPacketMoves)
{
	Harness h(radius_config);
	h.open();
	h.dial();
	h.run_for(2000);
	aaa_auth_answer a = answer_for(h.aaa_asked[0], AAA_ACCEPT);
	a.idle_timeout_s = 10;
	lns_aaa_answer(h.l, h.now, &a);
	h.run_for(3000);
	ASSERT_EQ(1u, h.published.size());
	for (int i = 1; i <= 30; i++) { // traffic every second for 30 s: stays up
		h.counters.in_packets = (uint64_t)i;
		h.run_for(1000);
	}
	EXPECT_EQ(1u, h.published.size());
	EXPECT_EQ(0u, lns_stats(h.l)->idle_timeouts);
	h.run_for(12000); // then silence
	EXPECT_EQ(1u, lns_stats(h.l)->idle_timeouts);
	EXPECT_EQ(0u, h.published.size());
	ASSERT_FALSE(h.acct.empty());
	EXPECT_EQ(AAA_ACCT_STOP, h.acct.back().type);
	EXPECT_EQ(4u, h.acct.back().terminate_cause); // Idle-Timeout
}

TEST(LnsRadius, DynamicAuthorizationDisconnectsAndChangesNamedSessions)
{
	Harness h(radius_config);
	h.open();
	for (int i = 0; i < 3; i++) {
		h.dial();
		h.run_for(2000);
		aaa_auth_answer a = answer_for(h.aaa_asked.back(), AAA_ACCEPT);
		a.framed_ip = 0xCB007140 + (uint32_t)i; // .64, .65, .66
		lns_aaa_answer(h.l, h.now, &a);
		h.run_for(3000);
	}
	ASSERT_EQ(3u, h.published.size());
	aaa_dae_request r = {};
	r.disconnect = true;
	r.has_framed_ip = true;
	r.framed_ip = 0xCB007140;
	EXPECT_EQ(AAA_DAE_OK, lns_dae(h.l, h.now, &r));
	h.run_for(3000);
	EXPECT_EQ(2u, h.published.size());
	EXPECT_EQ(AAA_ACCT_STOP, h.acct.back().type);
	EXPECT_EQ(6u, h.acct.back().terminate_cause); // Admin-Reset
	EXPECT_EQ(0xCB007140u, h.acct.back().framed_ip);
	// every identification given must match: the right address, someone else's session ID
	r.framed_ip = 0xCB007141;
	r.has_session_id = true;
	snprintf(r.session_id, sizeof(r.session_id), "%s", h.aaa_asked[2].call.session_id);
	EXPECT_EQ(AAA_DAE_SESSION_NOT_FOUND, lns_dae(h.l, h.now, &r));
	EXPECT_EQ(1u, lns_stats(h.l)->dae_not_found);
	// CoA: Session-Timeout counted from IPCP open, so 4 s ends .66 almost at once
	aaa_dae_request coa = {};
	coa.has_session_id = true;
	snprintf(coa.session_id, sizeof(coa.session_id), "%s", h.aaa_asked[2].call.session_id);
	coa.has_session_timeout = true;
	coa.session_timeout_s = 4;
	EXPECT_EQ(AAA_DAE_OK, lns_dae(h.l, h.now, &coa));
	h.run_for(2000);
	EXPECT_EQ(1u, lns_stats(h.l)->session_timeouts);
	EXPECT_EQ(1u, h.published.size());
	EXPECT_EQ(0xCB007141u, h.published.begin()->second.sub_ipv4);
	EXPECT_EQ(1u, lns_stats(h.l)->dae_disconnects);
	EXPECT_EQ(1u, lns_stats(h.l)->dae_changes);
}

// lnsctl's clear session / clear tunnel, and the per-peer histograms of how calls and tunnels end
TEST(Lns, OperatorClearsAndPeerResultHistograms)
{
	Harness h;
	h.open();
	LacCall *a = h.dial();
	h.dial();
	h.dial();
	h.run_for(10000);
	ASSERT_EQ(3u, h.published.size());
	// the LAC hangs one up (CDN, result 1): received
	l2tp_session_close(a->s, h.now, L2TP_CDN_LOST_CARRIER, 0, nullptr);
	h.run_for(2000);
	ASSERT_EQ(2u, h.published.size());
	uint32_t key = h.published.begin()->first;
	uint16_t tid = (uint16_t)(key >> 16), sid = (uint16_t)key;
	struct lns_call_view v;
	ASSERT_TRUE(lns_call_view(h.l, h.now, tid, sid, &v));
	EXPECT_STREQ("established", v.l2tp_state);
	EXPECT_STREQ("Opened", v.ipcp_state);
	EXPECT_TRUE(v.published);
	EXPECT_GE(v.up_for_ms, 1000u);
	EXPECT_EQ(16u, strlen(v.acct_session_id));
	// the operator clears one (CDN result 3, sent), then the tunnel (StopCCN result 1, sent)
	EXPECT_EQ(-ENOENT, lns_clear_session(h.l, h.now, tid, (uint16_t)(sid + 1000)));
	EXPECT_EQ(0, lns_clear_session(h.l, h.now, tid, sid));
	h.run_for(5000);
	EXPECT_EQ(1u, h.published.size());
	EXPECT_FALSE(lns_call_view(h.l, h.now, tid, sid, &v));
	EXPECT_EQ(-ENOENT, lns_clear_tunnel(h.l, h.now, (uint16_t)(tid + 1)));
	EXPECT_EQ(0, lns_clear_tunnel(h.l, h.now, tid));
	h.run_for(5000);
	EXPECT_EQ(0u, h.published.size());
	EXPECT_EQ(0u, l2tp_engine_tunnel_count(lns_engine(h.l)));
	size_t it = 0;
	const lns_peer_health *p = lns_next_peer(h.l, &it);
	ASSERT_NE(nullptr, p);
	EXPECT_EQ(0xC0000202u, p->addr);
	EXPECT_STREQ("hgw", p->host);
	EXPECT_EQ(1u, p->cdn_rx[L2TP_CDN_LOST_CARRIER]);
	EXPECT_EQ(2u, p->cdn_tx[L2TP_CDN_ADMIN]); // the cleared call and the tunnel's last one
	EXPECT_EQ(1u, p->stopccn_tx[L2TP_STOPCCN_CLEAR]);
	EXPECT_EQ(1u, p->tunnels_down);
	EXPECT_EQ(3u, p->calls_down);
	EXPECT_EQ(nullptr, lns_next_peer(h.l, &it));
}

namespace
{
const char *ipv6_config = R"(
l2tp:
  host_name: l2tp-gw
profiles:
  - name: hgw
    match_host: hgw
    secret: hello
    pool: subscribers
    ipv6: true
    dns6: [2001:db8::53]
    ra_interval_s: 30
    mru: 1400
users:
  - name: alice
    password: s3cret
pools:
  - name: subscribers
    ranges: [203.0.113.10-203.0.113.20]
    prefix6: 2001:db8:100::/48
)";

// The option of type t in an RA's options, or nullptr.
const uint8_t *
ra_option(const Bytes &ra, uint8_t t)
{
	for (size_t o = 40 + 16; o + 2 <= ra.size() && ra[o + 1] != 0; o += 8u * ra[o + 1])
		if (ra[o] == t)
			return &ra[o];
	return nullptr;
}

// A Router Solicitation from the subscriber, in PPP (scapy's bytes, test_nd.cc).
Bytes
router_solicit()
{
	return { 0xff, 0x03, 0x00, 0x57, 0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x3a, 0xff, 0xfe,
		 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
		 0x00, 0x01, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		 0x00, 0x00, 0x00, 0x00, 0x02, 0x85, 0x00, 0x16, 0x9d, 0x00, 0x00, 0x00, 0x00 };
}
} // namespace

// Dual stack: IPv6CP opens, the subscriber gets a /64 of the pool's prefix6
// by Router Advertisement (from fe80:: and the identifier IPv6CP gave us),
// the workers get it in the session entry, solicitations are answered.
TEST(LnsIpv6, DualStackSubscriberGetsItsOwnPrefixByRa)
{
	Harness h(ipv6_config);
	h.ipv6 = true;
	h.open();
	LacCall *a = h.dial();
	LacCall *b = h.dial();
	h.run_for(10000);
	ASSERT_EQ(2u, h.published.size());
	std::set<Bytes> prefixes;
	for (auto &kv : h.published) {
		EXPECT_TRUE(kv.second.ipv6);
		EXPECT_NE(0u, kv.second.sub_ipv4);
		Bytes pfx(kv.second.prefix6, kv.second.prefix6 + 8);
		EXPECT_EQ(Bytes({ 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00 }),
			  Bytes(pfx.begin(), pfx.begin() + 6));
		EXPECT_TRUE(prefixes.insert(pfx).second) << "a /64 handed out twice";
	}
	EXPECT_EQ(2u, lns_stats(h.l)->ipv6_up);
	ASSERT_TRUE(ppp_state(a->p)->ipv6_up);
	ASSERT_EQ(1u, a->ipv6_rx.size());
	const Bytes &ra = a->ipv6_rx[0];
	ASSERT_GE(ra.size(), 40u + 16);
	EXPECT_EQ(134, ra[40]);
	EXPECT_EQ(255, ra[7]);
	EXPECT_EQ(0, nd_icmp6_cksum(ra.data(), ra.size()));
	EXPECT_EQ(Bytes({ 0xfe, 0x80, 0, 0, 0, 0, 0, 0 }), Bytes(&ra[8], &ra[16]));
	EXPECT_EQ(Bytes(ppp_state(a->p)->peer_iid, ppp_state(a->p)->peer_iid + 8),
		  Bytes(&ra[16], &ra[24])); // the identifier IPv6CP gave the LNS
	const uint8_t *pi = ra_option(ra, 3);
	ASSERT_NE(nullptr, pi);
	const lns_session_info &ia = h.published.at((uint32_t)l2tp_tunnel_peer_id(h.tunnel) << 16 |
						    l2tp_session_peer_id(a->s));
	EXPECT_EQ(Bytes(ia.prefix6, ia.prefix6 + 8), Bytes(pi + 16, pi + 24));
	EXPECT_EQ(64, pi[2]);
	const uint8_t *rdnss = ra_option(ra, 25);
	ASSERT_NE(nullptr, rdnss);
	EXPECT_EQ(0x53, rdnss[8 + 15]);
	const uint8_t *mtu = ra_option(ra, 5);
	ASSERT_NE(nullptr, mtu);
	EXPECT_EQ(1400u, get_be32(mtu + 4)); // our MRU (1400) below the subscriber's (1460)

	// unsolicited: 16 s after the first, again 16 s later, then every 30 s
	uint64_t first = h.now;
	h.run_for(16000 + 16000 + 30000 - 10000 + 100);
	EXPECT_EQ(4u, a->ipv6_rx.size()) << "since " << first;
	// a solicitation: answered at once when the last RA is 3 s old or more
	h.run_for(5000);
	size_t before = a->ipv6_rx.size();
	Harness::client_send(a, router_solicit().data(), router_solicit().size());
	h.run_for(100);
	EXPECT_EQ(before + 1, a->ipv6_rx.size());
	EXPECT_EQ(1u, lns_stats(h.l)->rx_router_solicits);
	// IPv6 that is not ND, at the control lcore: counted and dropped
	Bytes echo = router_solicit();
	echo[4 + 40] = 128;
	Harness::client_send(b, echo.data(), echo.size());
	h.run_for(100);
	EXPECT_EQ(1u, lns_stats(h.l)->rx_ipv6_dropped);

	// the subscriber ends LCP (IPv6CP closes first): withdrawn, never replaced on the way
	unsigned updates = h.updates;
	ppp_close(a->p, h.now, PPP_DOWN_USER_REQUEST);
	h.run_for(5000);
	EXPECT_EQ(1u, h.published.size());
	EXPECT_EQ(updates, h.updates);
	h.dial();
	h.run_for(10000);
	ASSERT_EQ(2u, h.published.size());
	std::set<Bytes> now_in_use;
	for (auto &kv : h.published)
		EXPECT_TRUE(
			now_in_use.insert(Bytes(kv.second.prefix6, kv.second.prefix6 + 8)).second);
}

// A /63 holds two /64s: the third subscriber comes up on IPv4 alone, and
// it is counted.
TEST(LnsIpv6, NoPrefixLeftMeansNoRaButTheSessionStaysUp)
{
	std::string text = ipv6_config;
	text.replace(text.find("/48"), 3, "/63");
	Harness h(text.c_str());
	h.ipv6 = true;
	h.open();
	for (int i = 0; i < 3; i++)
		h.dial();
	h.run_for(10000);
	ASSERT_EQ(3u, h.published.size());
	EXPECT_EQ(2u, lns_stats(h.l)->ipv6_up);
	EXPECT_EQ(1u, lns_stats(h.l)->no_prefix6);
	std::set<Bytes> given;
	for (auto &kv : h.published)
		if (kv.second.ipv6)
			given.insert(Bytes(kv.second.prefix6, kv.second.prefix6 + 8));
	// both /64s of 2001:db8:100::/63, the first one included
	std::set<Bytes> want = { { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0x00, 0x00 },
				 { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0x00, 0x01 } };
	EXPECT_EQ(want, given);
	size_t ras = 0;
	for (auto &c : h.calls)
		ras += c->ipv6_rx.size();
	EXPECT_EQ(2u, ras);
}

// A LAC that talks to one of several LNS addresses is answered from it, its
// sessions carry it to the dataplane, and the same LAC at another of our
// addresses is another endpoint: its messages do not reach this tunnel.
TEST(Lns, ATunnelIsAnsweredFromTheAddressItWasAsked)
{
	Harness h;
	const uint8_t alias[4] = { 192, 0, 2, 5 };
	memcpy(h.lac_addr.local, alias, 4);
	h.open();
	h.dial();
	h.run_for(10000);
	ASSERT_EQ(1u, h.published.size());
	EXPECT_EQ(0, memcmp(h.published.begin()->second.peer.local, alias, 4));
	ASSERT_FALSE(h.lns_sent_to.empty());
	for (const l2tp_addr &a : h.lns_sent_to)
		EXPECT_EQ(0, memcmp(a.local, alias, 4)) << "a reply from another address";
	// the same LAC and port, to our main address: not this tunnel's peer
	uint64_t unknown = lns_stats(h.l)->rx_ppp_unknown_session;
	h.lac_addr.local[3] = 1;
	h.calls[0]->up = false;
	Harness::client_send(h.calls[0].get(),
			     (const uint8_t *)"\xff\x03\xc0\x21\x09\x01\x00\x08\x00\x00\x00\x00",
			     12);
	h.run_for(100);
	EXPECT_EQ(unknown + 1, lns_stats(h.l)->rx_ppp_unknown_session);
}
