// SPDX-License-Identifier: BSD-2-Clause
// The PPP engine: client against server over a simulated link (every
// authentication method accepted and refused, proxy LCP and proxy
// authentication from the seed, MRU, Magic-Number, IPCP, DNS, IPv6CP,
// echo, Protocol-Reject, termination), then malformed frames.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>

#include "../common/ppp_sim.h"
#include "../common/seed_vectors.h"

extern "C" {
#include "ppp_internal.h"
}

using namespace pppsim;

namespace
{

ppp_cfg
with_auth(ppp_cfg c, ppp_auth_proto a)
{
	c.auth[0] = a;
	c.n_auth = 1;
	return c;
}

struct AuthCase {
	ppp_auth_proto proto;
	bool good;
};

class AuthMatrix : public ::testing::TestWithParam<AuthCase>
{
};

} // namespace

TEST_P(AuthMatrix, ClientAgainstServer)
{
	const AuthCase &c = GetParam();
	Link l(with_auth(Link::server_cfg(), c.proto),
	       Link::client_cfg("alice", c.good ? "s3cret" : "wrong"));
	l.start();
	l.run_for(20000);
	ASSERT_EQ(1u, l.server.auths.size());
	EXPECT_EQ(c.proto, l.server.auths[0].proto);
	EXPECT_EQ("alice", l.server.auths[0].name);
	EXPECT_FALSE(l.server.auths[0].proxied);
	if (c.good) {
		EXPECT_FALSE(l.server.down);
		EXPECT_FALSE(l.client.down);
		EXPECT_EQ(1u, l.server.count(PPP_EV_AUTHENTICATED));
		EXPECT_EQ(1u, l.client.count(PPP_EV_AUTHENTICATED));
		const struct ppp_state *s = ppp_state(l.server.p), *k = ppp_state(l.client.p);
		EXPECT_TRUE(s->ipv4_up);
		EXPECT_TRUE(s->ipv6_up);
		EXPECT_TRUE(k->ipv4_up);
		EXPECT_EQ(0xCB00710Au, s->peer_ipv4);
		EXPECT_EQ(0xCB00710Au, k->our_ipv4);
		EXPECT_EQ(0xC6336401u, k->peer_ipv4);
		EXPECT_EQ(0xC6336435u, k->dns[0]);
		EXPECT_EQ(0, memcmp(s->peer_iid, k->our_iid, 8));
		EXPECT_NE(0, memcmp(s->our_iid, s->peer_iid, 8));
		EXPECT_EQ(PPP_PHASE_NETWORK, s->phase);
		EXPECT_STREQ("alice", s->user);
	} else {
		EXPECT_TRUE(l.server.down);
		EXPECT_EQ(PPP_DOWN_AUTH_FAILURE, l.server.reason);
		EXPECT_TRUE(l.client.down);
		EXPECT_EQ(1u, ppp_stats(l.server.p)->auth_failures);
		EXPECT_FALSE(ppp_state(l.server.p)->ipv4_up);
		uint8_t fail_code = c.proto == PPP_AUTH_PAP ? 3 : 4;
		uint16_t proto = c.proto == PPP_AUTH_PAP ? PPP_PROTO_PAP : PPP_PROTO_CHAP;
		EXPECT_EQ(1u, count_sent(l.server, proto, fail_code));
		EXPECT_EQ(1u, count_sent(l.server, PPP_PROTO_LCP, PPP_TERMREQ));
	}
}

INSTANTIATE_TEST_SUITE_P(Ppp, AuthMatrix,
			 ::testing::Values(AuthCase{ PPP_AUTH_PAP, true },
					   AuthCase{ PPP_AUTH_PAP, false },
					   AuthCase{ PPP_AUTH_CHAP_MD5, true },
					   AuthCase{ PPP_AUTH_CHAP_MD5, false },
					   AuthCase{ PPP_AUTH_MSCHAPV2, true },
					   AuthCase{ PPP_AUTH_MSCHAPV2, false }));

TEST(Ppp, LossyLinkStillComesUp)
{
	Link l(Link::server_cfg(), Link::client_cfg());
	l.loss = 0.2;
	l.start();
	l.run_for(120000);
	EXPECT_TRUE(ppp_state(l.server.p)->ipv4_up);
	EXPECT_TRUE(ppp_state(l.client.p)->ipv4_up);
	EXPECT_FALSE(l.server.down);
}

// The authenticator's CHAP Success is lost: the client sends its Response
// again after the restart time, the server answers it with Success again.
TEST(Ppp, LostChapSuccessIsRecoveredByTheClientsRepeatedResponse)
{
	Link l(Link::server_cfg(), Link::client_cfg());
	int dropped = 0;
	l.drop = [&](bool from_server, const uint8_t *f, size_t n) {
		size_t o = n >= 2 && f[0] == 0xff && f[1] == 0x03 ? 2 : 0;
		bool success = from_server && n >= o + 3 && f[o] == 0xc2 && f[o + 1] == 0x23 &&
			       f[o + 2] == 3;
		return success && dropped++ == 0;
	};
	l.start();
	l.run_for(2000);
	EXPECT_EQ(1, dropped);
	EXPECT_FALSE(ppp_state(l.client.p)->ipv4_up); // waiting for the Success
	l.run_for(5000);
	EXPECT_EQ(2, dropped); // the second Success went through
	EXPECT_TRUE(ppp_state(l.server.p)->ipv4_up);
	EXPECT_TRUE(ppp_state(l.client.p)->ipv4_up);
	EXPECT_FALSE(l.server.down);
}

TEST(Ppp, MsChapV2ClientChecksTheAuthenticatorResponse)
{
	Link l(with_auth(Link::server_cfg(), PPP_AUTH_MSCHAPV2), Link::client_cfg());
	l.start();
	l.run_for(20000);
	const Bytes *ok = last_sent(l.server, PPP_PROTO_CHAP);
	ASSERT_NE(nullptr, ok);
	EXPECT_EQ(3, (*ok)[4]); // Success
	std::string text(ok->begin() + 8, ok->end());
	EXPECT_EQ(0u, text.find("S=")) << text;
	EXPECT_NE(std::string::npos, text.find(" M="));
	EXPECT_TRUE(ppp_state(l.client.p)->ipv4_up);
}

// The seed: the LAC hands over LCP (AuthProto CHAP, Magic 0x109D08F2 sent;
// Magic 0x6EE4E865 received) and the subscriber's CHAP answer (ID 6, name
// 2500-1, password "cisco" as MD5 shows).
namespace
{
ppp_proxy
seed_proxy()
{
	ppp_proxy x = {};
	x.last_sent = seed_last_sent_lcp;
	x.last_sent_len = sizeof(seed_last_sent_lcp);
	x.last_rcvd = seed_last_rcvd_lcp;
	x.last_rcvd_len = sizeof(seed_last_rcvd_lcp);
	x.auth_type = 2;
	x.auth_id = 6;
	x.auth_name = reinterpret_cast<const uint8_t *>("2500-1");
	x.auth_name_len = 6;
	x.auth_challenge = seed_proxy_challenge;
	x.auth_challenge_len = 16;
	x.auth_response = seed_proxy_response;
	x.auth_response_len = 16;
	return x;
}
} // namespace

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
	for (const std::string &l : g_log)
		if (l.find(needle) != std::string::npos)
			return true;
	return false;
}
} // namespace

TEST(PppProxy, SeedCallAuthenticatesWithoutANewNegotiation)
{
	g_log.clear();
	log_set_sink(capture_log, nullptr);
	log_set_level(LOG_CAT_PPP, LOG_DEBUG);
	ppp_cfg s = Link::server_cfg();
	s.local_ipv4 = 0x0A330652; // the seed's 10.51.6.82: bytes only, no network
	Link l(s, Link::client_cfg(), false);
	l.peer_may_choose = true; // RADIUS Framed-IP-Address 255.255.255.255
	l.assign = 0;
	ppp_proxy x = seed_proxy();
	l.start(&x);
	const struct ppp_state *st = ppp_state(l.server.p);
	EXPECT_TRUE(st->proxy_lcp_used);
	EXPECT_EQ(PPP_FSM_OPENED, ppp_lcp(l.server.p)->state);
	EXPECT_EQ(0x109D08F2u, st->our_magic);
	EXPECT_EQ(0x6EE4E865u, st->peer_magic);
	EXPECT_EQ(PPP_AUTH_CHAP_MD5, st->auth);
	EXPECT_EQ(0u, count_sent(l.server, PPP_PROTO_LCP, PPP_CONFREQ));
	EXPECT_EQ(0u, count_sent(l.server, PPP_PROTO_CHAP, 1)); // no new challenge
	ASSERT_EQ(1u, l.server.auths.size());
	const AuthSeen &a = l.server.auths[0];
	EXPECT_TRUE(a.proxied);
	EXPECT_EQ(6, a.chap_id);
	EXPECT_EQ("2500-1", a.name);
	EXPECT_EQ(Bytes(seed_proxy_challenge, seed_proxy_challenge + 16), a.challenge);
	EXPECT_EQ(Bytes(seed_proxy_response, seed_proxy_response + 16), a.response);

	l.run_for(100); // AAA accepts (password cisco)
	ASSERT_EQ(1u, count_sent(l.server, PPP_PROTO_CHAP, 3));
	// "CHAP: O SUCCESS id 6 len 4"
	EXPECT_EQ(Bytes({ 0xff, 0x03, 0xc2, 0x23, 0x03, 0x06, 0x00, 0x04 }),
		  *last_sent(l.server, PPP_PROTO_CHAP));
	// "IPCP: O CONFREQ [Closed] id 1 len 10, Address 10.51.6.82 (0x03060A330652)"
	const Bytes *ipcp = last_sent(l.server, PPP_PROTO_IPCP);
	ASSERT_NE(nullptr, ipcp);
	EXPECT_EQ(Bytes({ 0xff, 0x03, 0x80, 0x21, 0x01, 0x01, 0x00, 0x0a, 0x03, 0x06, 0x0a, 0x33,
			  0x06, 0x52 }),
		  *ipcp);

	// "IPCP: I CONFREQ [REQsent] id 187 len 16": VJ rejected, address kept
	l.inject(frame(PPP_PROTO_IPCP, 1, 187,
		       { 0x02, 0x06, 0x00, 0x2d, 0x0f, 0x00, 0x03, 0x06, 0x0a, 0x0a, 0x35, 0x02 }));
	EXPECT_EQ(frame(PPP_PROTO_IPCP, 4, 187, { 0x02, 0x06, 0x00, 0x2d, 0x0f, 0x00 }),
		  *last_sent(l.server, PPP_PROTO_IPCP));
	l.inject(frame(PPP_PROTO_IPCP, 2, 1, { 0x03, 0x06, 0x0a, 0x33, 0x06, 0x52 }));
	l.inject(frame(PPP_PROTO_IPCP, 1, 188, { 0x03, 0x06, 0x0a, 0x0a, 0x35, 0x02 }));
	EXPECT_EQ(frame(PPP_PROTO_IPCP, 2, 188, { 0x03, 0x06, 0x0a, 0x0a, 0x35, 0x02 }),
		  *last_sent(l.server, PPP_PROTO_IPCP));
	EXPECT_TRUE(st->ipv4_up);
	EXPECT_EQ(0x0A0A3502u, st->peer_ipv4);
	EXPECT_EQ(1u, l.server.count(PPP_EV_NETWORK_UP));

	// the seed's LNS trace, line for line where lnsd does the same thing
	log_set_sink(nullptr, nullptr);
	log_set_level(LOG_CAT_PPP, LOG_WARN);
	for (const char *line : {
		     "Vi4 PPP: Phase is ESTABLISHING",
		     "Vi4 LCP: I FORCED CONFREQ len 11",
		     "Vi4 LCP: AuthProto CHAP (0x0305C22305)",
		     "Vi4 LCP: MagicNumber 0x109D08F2 (0x0506109D08F2)",
		     "Vi4 VPDN: PPP LCP accepted rcv CONFACK",
		     "Vi4 VPDN: PPP LCP accepted sent CONFACK",
		     "Vi4 PPP: Phase is AUTHENTICATING, by this end",
		     "Vi4 CHAP: I RESPONSE id 6 len 27 from \"2500-1\"",
		     "Vi4 CHAP: O SUCCESS id 6 len 4",
		     "Vi4 PPP: Phase is UP",
		     "Vi4 IPCP: O CONFREQ [Closed] id 1 len 10",
		     "Vi4 IPCP: Address 10.51.6.82 (0x03060A330652)",
		     "Vi4 IPCP: I CONFREQ [REQsent] id 187 len 16",
		     "Vi4 IPCP: CompressType VJ 15 slots (0x0206002D0F00)",
		     "Vi4 IPCP: Address 10.10.53.2 (0x03060A0A3502)",
		     "Vi4 IPCP: I CONFACK [REQsent] id 1 len 10",
		     "Vi4 IPCP: O CONFACK [ACKrcvd] id 188 len 10",
		     "Vi4 IPCP: State is Open",
		     "Vi4 IPCP: Install route to 10.10.53.2",
	     })
		EXPECT_TRUE(logged(line)) << line;
}

// A client behind a proxying LAC (lacsim --proxy): both ends start from the
// proxy; no LCP and no challenge on the wire, straight to IPCP.
// A subscriber free to choose its address may still not take ours: both ends would
// route it over the link (xl2tpd with pppd then loops its tunnel into ppp0).
TEST(PppIpcp, ASubscriberMayNotTakeOurOwnAddress)
{
	Link l(Link::server_cfg(), Link::client_cfg(), false); // ours: 198.51.100.1
	l.peer_may_choose = true;
	ppp_proxy x = seed_proxy();
	l.start(&x);
	l.run_for(100);
	l.inject(frame(PPP_PROTO_IPCP, 1, 7, { 0x03, 0x06, 0xc6, 0x33, 0x64, 0x01 }));
	EXPECT_EQ(frame(PPP_PROTO_IPCP, 3, 7, { 0x03, 0x06, 0xcb, 0x00, 0x71, 0x0a }),
		  *last_sent(l.server, PPP_PROTO_IPCP))
		<< "Nak'd with the address AAA suggested";
	l.inject(frame(PPP_PROTO_IPCP, 1, 8, { 0x03, 0x06, 0xcb, 0x00, 0x71, 0x42 }));
	EXPECT_EQ(frame(PPP_PROTO_IPCP, 2, 8, { 0x03, 0x06, 0xcb, 0x00, 0x71, 0x42 }),
		  *last_sent(l.server, PPP_PROTO_IPCP))
		<< "another address of its own is taken";
}

TEST(PppIpcp, AnAddressForThePeerThatIsOursEndsTheSession)
{
	Link l(Link::server_cfg(), Link::client_cfg());
	l.assign = 0xC6336401; // what AAA gives is our own 198.51.100.1
	l.start();
	l.run_for(5000);
	EXPECT_TRUE(l.server.down);
	EXPECT_EQ(PPP_DOWN_NAS_ERROR, l.server.reason);
	EXPECT_FALSE(ppp_state(l.server.p)->ipv4_up);
}

TEST(PppProxy, ClientFromTheSameProxyGoesStraightToIpcp)
{
	ppp_cfg c = Link::client_cfg();
	snprintf(c.name, sizeof(c.name), "2500-1");
	snprintf(c.secret, sizeof(c.secret), "cisco");
	Link l(Link::server_cfg(), c);
	ppp_proxy x = seed_proxy();
	l.start(&x, &x);
	EXPECT_EQ(PPP_FSM_OPENED, ppp_lcp(l.client.p)->state);
	EXPECT_EQ(0x6EE4E865u, ppp_state(l.client.p)->our_magic);
	EXPECT_EQ(0x109D08F2u, ppp_state(l.client.p)->peer_magic);
	EXPECT_EQ(PPP_AUTH_CHAP_MD5, ppp_state(l.client.p)->auth);
	l.run_for(5000);
	EXPECT_TRUE(ppp_state(l.server.p)->ipv4_up);
	EXPECT_TRUE(ppp_state(l.client.p)->ipv4_up);
	EXPECT_EQ(0u, count_sent(l.client, PPP_PROTO_LCP, PPP_CONFREQ));
	EXPECT_EQ(0u, count_sent(l.server, PPP_PROTO_LCP, PPP_CONFREQ));
	EXPECT_EQ(0u, count_sent(l.server, PPP_PROTO_CHAP, 1));
	EXPECT_EQ(0u, count_sent(l.client, PPP_PROTO_CHAP, 2)); // the LAC answered for it
	// and the link is sound: echoes use the magic numbers of the proxy
	EXPECT_FALSE(l.client.down);
}

TEST(PppProxy, NotAcceptableProxyLcpIsRenegotiated)
{
	Link l(with_auth(Link::server_cfg(), PPP_AUTH_MSCHAPV2), Link::client_cfg());
	ppp_proxy x = seed_proxy(); // the LAC negotiated CHAP-MD5: not allowed here
	l.start(&x);
	EXPECT_FALSE(ppp_state(l.server.p)->proxy_lcp_used);
	EXPECT_EQ(1u, count_sent(l.server, PPP_PROTO_LCP, PPP_CONFREQ));
	l.run_for(20000);
	EXPECT_EQ(PPP_AUTH_MSCHAPV2, ppp_state(l.server.p)->auth);
	EXPECT_TRUE(ppp_state(l.server.p)->ipv4_up);
}

TEST(PppProxy, PolicyAlwaysRenegotiatesAndFreshChallengeChallenges)
{
	ppp_cfg s = Link::server_cfg();
	s.lcp_renegotiate = PPP_LCP_RENEGOTIATE_ALWAYS;
	s.fresh_challenge = true;
	Link l(s, Link::client_cfg(), false);
	ppp_proxy x = seed_proxy();
	l.start(&x);
	EXPECT_FALSE(ppp_state(l.server.p)->proxy_lcp_used);
	EXPECT_EQ(1u, count_sent(l.server, PPP_PROTO_LCP, PPP_CONFREQ));

	ppp_cfg s2 = Link::server_cfg();
	s2.fresh_challenge = true;
	Link l2(s2, Link::client_cfg(), false);
	l2.start(&x);
	EXPECT_TRUE(ppp_state(l2.server.p)->proxy_lcp_used);
	EXPECT_EQ(1u, count_sent(l2.server, PPP_PROTO_CHAP, 1)); // a fresh CHALLENGE
	EXPECT_TRUE(l2.server.auths.empty());
}

TEST(Ppp, MruBelowOurMinimumIsNakedUp)
{
	ppp_cfg c = Link::client_cfg();
	c.mru = 300;
	c.min_mru = 64;
	Link l(Link::server_cfg(), c);
	l.start();
	l.run_for(20000);
	EXPECT_EQ(576, ppp_state(l.server.p)->peer_mru);
	EXPECT_TRUE(ppp_state(l.server.p)->ipv4_up);

	ppp_cfg c2 = Link::client_cfg();
	c2.mru = 1400;
	Link l2(Link::server_cfg(), c2);
	l2.start();
	l2.run_for(20000);
	EXPECT_EQ(1400, ppp_state(l2.server.p)->peer_mru);
	EXPECT_EQ(1460, ppp_state(l2.client.p)->peer_mru);
}

TEST(Ppp, MagicNumberCollisionIsResolved)
{
	Link l(Link::server_cfg(), Link::client_cfg());
	// both sides draw the same first magic number
	l.server.scripted_random = { 0x11, 0x22, 0x33, 0x44 };
	l.client.scripted_random = { 0x11, 0x22, 0x33, 0x44 };
	l.start();
	l.run_for(20000);
	EXPECT_GE(ppp_stats(l.server.p)->magic_collisions + ppp_stats(l.client.p)->magic_collisions,
		  1u);
	EXPECT_NE(ppp_state(l.server.p)->our_magic, ppp_state(l.server.p)->peer_magic);
	EXPECT_TRUE(ppp_state(l.server.p)->ipv4_up);
}

// Found by fuzz_ppp: a request whose Magic-Number collides with ours and
// that carries a second, short Magic-Number option at its end. The short
// one must not be read as four bytes (ASan sees past the frame).
TEST(Ppp, CollidingMagicWithAShortSecondMagicOption)
{
	Link l(Link::server_cfg(), Link::client_cfg(), false);
	l.start();
	// our magic, from our Configure-Request (FF 03 C0 21 01 id len len, then options)
	const Bytes *req = last_sent(l.server, PPP_PROTO_LCP);
	ASSERT_NE(nullptr, req);
	uint32_t ours = 0;
	for (size_t i = 8; i + 6 <= req->size(); i += (*req)[i + 1] ? (*req)[i + 1] : 1)
		if ((*req)[i] == 5 && (*req)[i + 1] == 6)
			ours = get_be32(req->data() + i + 2);
	ASSERT_NE(0u, ours);
	Bytes frame = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x0e, 0x05, 0x06 };
	for (int shift = 24; shift >= 0; shift -= 8)
		frame.push_back((uint8_t)(ours >> shift));
	frame.insert(frame.end(), { 0x05, 0x04, 0x01, 0x10 });
	frame.shrink_to_fit(); // exactly its size: nothing readable past it
	uint64_t before = ppp_stats(l.server.p)->magic_collisions;
	ppp_input(l.server.p, l.now, frame.data(), frame.size());
	EXPECT_EQ(before + 1, ppp_stats(l.server.p)->magic_collisions);
	EXPECT_FALSE(l.server.down);
}

TEST(Ppp, LoopedBackLinkIsDetected)
{
	Link l(Link::server_cfg(), Link::client_cfg(), false);
	l.loopback = true;
	l.start();
	l.run_for(60000);
	EXPECT_TRUE(l.server.down);
	EXPECT_EQ(PPP_DOWN_LOOPBACK, l.server.reason);
}

TEST(Ppp, PeerKeepsAskingForAForbiddenAddress)
{
	Link l(with_auth(Link::server_cfg(), PPP_AUTH_PAP), Link::client_cfg(), false);
	l.start();
	l.inject(frame(PPP_PROTO_LCP, PPP_CONFACK, ppp_lcp(l.server.p)->req_id,
		       Bytes(last_sent(l.server, PPP_PROTO_LCP)->begin() + 8,
			     last_sent(l.server, PPP_PROTO_LCP)->end())));
	l.inject(frame(PPP_PROTO_LCP, PPP_CONFREQ, 1, { 0x05, 0x06, 0x01, 0x02, 0x03, 0x04 }));
	ASSERT_EQ(PPP_FSM_OPENED, ppp_lcp(l.server.p)->state);
	l.inject(frame(PPP_PROTO_PAP, 1, 1,
		       { 5, 'a', 'l', 'i', 'c', 'e', 6, 's', '3', 'c', 'r', 'e', 't' }));
	l.run_for(100);
	ASSERT_TRUE(ppp_state(l.server.p)->phase == PPP_PHASE_NETWORK);
	for (uint8_t id = 1; id <= 6 && !l.server.down; id++)
		l.inject(frame(PPP_PROTO_IPCP, PPP_CONFREQ, id, { 0x03, 0x06, 203, 0, 113, 99 }));
	EXPECT_EQ(5u, count_sent(l.server, PPP_PROTO_IPCP, PPP_CONFNAK));
	// the peer is told (Terminate-Request), and the call goes once it has answered
	const Bytes *term = last_sent(l.server, PPP_PROTO_LCP);
	ASSERT_NE(nullptr, term);
	ASSERT_EQ(PPP_TERMREQ, (*term)[4]);
	EXPECT_FALSE(l.server.down) << "not before the subscriber has had the Terminate-Request";
	l.inject(frame(PPP_PROTO_LCP, PPP_TERMACK, (*term)[5], {}));
	EXPECT_TRUE(l.server.down);
	EXPECT_EQ(PPP_DOWN_NEGOTIATION_FAILED, l.server.reason);
}

// A failure (here a wrong password) is told to the subscriber, and the call waits for
// its Terminate-Ack before it goes: a CDN right away would overtake the CHAP Failure and
// the Terminate-Request on the LAC's side. A subscriber that never acks is given up on
// when the restart timer runs out.
TEST(Ppp, AFailedCallGoesOnceTheSubscriberHasHeardWhy)
{
	for (bool acks : { true, false }) {
		Link l(with_auth(Link::server_cfg(), PPP_AUTH_PAP), Link::client_cfg(), false);
		l.start();
		l.inject(frame(PPP_PROTO_LCP, PPP_CONFACK, ppp_lcp(l.server.p)->req_id,
			       Bytes(last_sent(l.server, PPP_PROTO_LCP)->begin() + 8,
				     last_sent(l.server, PPP_PROTO_LCP)->end())));
		l.inject(frame(PPP_PROTO_LCP, PPP_CONFREQ, 1,
			       { 0x05, 0x06, 0x01, 0x02, 0x03, 0x04 }));
		l.inject(frame(PPP_PROTO_PAP, 1, 1,
			       { 5, 'a', 'l', 'i', 'c', 'e', 3, 'b', 'a', 'd' }));
		l.run_for(100); // AAA refuses
		ASSERT_EQ(1u, count_sent(l.server, PPP_PROTO_PAP, 3)) << "PAP Authenticate-Nak";
		const Bytes *term = last_sent(l.server, PPP_PROTO_LCP);
		ASSERT_NE(nullptr, term);
		ASSERT_EQ(PPP_TERMREQ, (*term)[4]);
		EXPECT_FALSE(l.server.down);
		if (acks)
			l.inject(frame(PPP_PROTO_LCP, PPP_TERMACK, (*term)[5], {}));
		else
			l.run_for(10000);
		EXPECT_TRUE(l.server.down) << (acks ? "acked" : "timed out");
		EXPECT_EQ(PPP_DOWN_AUTH_FAILURE, l.server.reason);
	}
}

TEST(Ppp, DnsOfferedOrRejected)
{
	Link l(Link::server_cfg(), Link::client_cfg());
	l.dns[1] = 0xC6336436;
	l.start();
	l.run_for(20000);
	EXPECT_EQ(0xC6336435u, ppp_state(l.client.p)->dns[0]);
	EXPECT_EQ(0xC6336436u, ppp_state(l.client.p)->dns[1]);

	Link l2(Link::server_cfg(), Link::client_cfg());
	l2.dns[0] = 0;
	l2.start();
	l2.run_for(20000);
	EXPECT_TRUE(ppp_state(l2.client.p)->ipv4_up);
	EXPECT_EQ(0u, ppp_state(l2.client.p)->dns[0]);
	EXPECT_GE(count_sent(l2.server, PPP_PROTO_IPCP, PPP_CONFREJ), 1u);
}

TEST(Ppp, Ipv6cpInterfaceIdentifierCollision)
{
	Link l(Link::server_cfg(), Link::client_cfg());
	l.start();
	l.run_for(15); // LCP still going: IPv6CP has not drawn identifiers yet
	static const uint8_t same[8] = { 2, 0, 0, 0xff, 0xfe, 0, 0, 1 };
	memcpy(l.client.p->st.our_iid, same, 8);
	memcpy(l.server.p->st.our_iid, same, 8);
	l.run_for(20000);
	const struct ppp_state *s = ppp_state(l.server.p), *c = ppp_state(l.client.p);
	ASSERT_TRUE(s->ipv6_up);
	ASSERT_TRUE(c->ipv6_up);
	EXPECT_NE(0, memcmp(s->our_iid, s->peer_iid, 8));
	EXPECT_EQ(0, memcmp(s->peer_iid, c->our_iid, 8));
	EXPECT_EQ(0, memcmp(c->peer_iid, s->our_iid, 8));
	EXPECT_GE(count_sent(l.server, PPP_PROTO_IPV6CP, PPP_CONFNAK) +
			  count_sent(l.client, PPP_PROTO_IPV6CP, PPP_CONFNAK),
		  1u);
}

TEST(Ppp, EchoFailureTakesTheSessionDown)
{
	ppp_cfg s = Link::server_cfg();
	s.echo_interval_ms = 10000;
	s.echo_failures = 3;
	Link l(s, Link::client_cfg());
	l.start();
	l.run_for(25000);
	EXPECT_TRUE(ppp_state(l.server.p)->ipv4_up);
	EXPECT_GE(ppp_stats(l.server.p)->echo_sent, 1u);
	EXPECT_FALSE(l.server.down); // echoes answered
	l.cut = true;
	l.run_for(50000);
	EXPECT_TRUE(l.server.down);
	EXPECT_EQ(PPP_DOWN_ECHO_FAILURE, l.server.reason);
	EXPECT_EQ(2u, ppp_down_acct_cause(l.server.reason)); // Lost-Carrier
}

TEST(Ppp, UnknownProtocolGetsProtocolReject)
{
	Link l(Link::server_cfg(), Link::client_cfg());
	l.start();
	l.run_for(20000);
	l.inject(frame(0x80fd, 1, 1, { 0x12, 0x06, 0, 0, 0, 1 })); // CCP
	const Bytes *rej = last_sent(l.server, PPP_PROTO_LCP);
	ASSERT_NE(nullptr, rej);
	EXPECT_EQ(PPP_PROTREJ, (*rej)[4]);
	EXPECT_EQ(0x80fd, get_be16(rej->data() + 8));
	EXPECT_EQ(1u, ppp_stats(l.server.p)->rx_unknown_proto);
	EXPECT_FALSE(l.server.down);
}

TEST(Ppp, TerminationFromEitherSide)
{
	Link l(Link::server_cfg(), Link::client_cfg());
	l.start();
	l.run_for(20000);
	ppp_close(l.client.p, l.now, PPP_DOWN_USER_REQUEST);
	l.run_for(10000);
	EXPECT_TRUE(l.server.down);
	EXPECT_EQ(PPP_DOWN_USER_REQUEST, l.server.reason);
	EXPECT_TRUE(l.client.down);

	Link l2(Link::server_cfg(), Link::client_cfg());
	l2.start();
	l2.run_for(20000);
	ppp_close(l2.server.p, l2.now, PPP_DOWN_ADMIN_RESET);
	EXPECT_FALSE(l2.server.down); // waits for the Terminate-Ack
	l2.run_for(10000);
	EXPECT_TRUE(l2.server.down);
	EXPECT_EQ(PPP_DOWN_ADMIN_RESET, l2.server.reason);
	EXPECT_EQ(6u, ppp_down_acct_cause(l2.server.reason));
	EXPECT_TRUE(l2.client.down);
}

TEST(Ppp, LowerLayerDownReportsAtOnce)
{
	Link l(Link::server_cfg(), Link::client_cfg());
	l.start();
	l.run_for(20000);
	size_t sent = l.server.sent.size();
	ppp_lower_down(l.server.p, l.now, PPP_DOWN_LOST_CARRIER);
	EXPECT_TRUE(l.server.down);
	EXPECT_EQ(PPP_DOWN_LOST_CARRIER, l.server.reason);
	EXPECT_EQ(sent, l.server.sent.size());
	EXPECT_EQ(1u, l.server.count(PPP_EV_DOWN));
}

TEST(Ppp, AaaThatNeverAnswersEndsTheSession)
{
	Link l(Link::server_cfg(), Link::client_cfg());
	l.aaa_silent = true;
	l.start();
	l.run_for(60000);
	EXPECT_TRUE(l.server.down);
	EXPECT_EQ(PPP_DOWN_NAS_ERROR, l.server.reason);
}

TEST(Ppp, ChapRechallengesPeriodically)
{
	ppp_cfg s = Link::server_cfg();
	s.chap_rechallenge_ms = 10000;
	Link l(s, Link::client_cfg());
	l.start();
	l.run_for(35000);
	EXPECT_GE(l.server.auths.size(), 3u);
	EXPECT_FALSE(l.server.down);
	EXPECT_EQ(1u, l.server.count(PPP_EV_AUTHENTICATED));
	EXPECT_TRUE(ppp_state(l.server.p)->ipv4_up);
}

TEST(Ppp, NoAuthenticationStillAsksAaaForTheAddress)
{
	ppp_cfg s = Link::server_cfg();
	s.n_auth = 0;
	Link l(s, Link::client_cfg());
	l.start();
	l.run_for(20000);
	ASSERT_EQ(1u, l.server.auths.size());
	EXPECT_EQ(PPP_AUTH_NONE, l.server.auths[0].proto);
	EXPECT_EQ(0xCB00710Au, ppp_state(l.client.p)->our_ipv4);
}

// Malformed frames: each is discarded or answered as RFC 1661 says, counted.
TEST(PppMalformed, FramesAreDiscardedOrAnsweredAndCounted)
{
	Link l(Link::server_cfg(), Link::client_cfg(), false);
	l.start();
	size_t sent = l.server.sent.size();
	l.inject(Bytes{});						// nothing
	l.inject(Bytes{ 0xff, 0x03 });					// no protocol field
	l.inject(Bytes{ 0xff, 0x03, 0xc0 });				// protocol cut
	l.inject(Bytes{ 0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 40 });		// Length beyond the frame
	l.inject(frame(PPP_PROTO_LCP, PPP_CONFREQ, 2, { 0x05, 0x00 })); // option length 0
	l.inject(frame(PPP_PROTO_LCP, PPP_CONFREQ, 3, { 0x05, 0x01 })); // option length 1
	l.inject(frame(PPP_PROTO_LCP, PPP_CONFREQ, 4, { 0x05, 0x06, 1, 2 })); // past the end
	EXPECT_EQ(sent, l.server.sent.size());
	EXPECT_EQ(3u, ppp_stats(l.server.p)->rx_malformed);
	EXPECT_EQ(4u, ppp_lcp(l.server.p)->stats.rx_bad);
	l.inject(frame(PPP_PROTO_LCP, 42, 5, { 1, 2, 3 })); // unknown code
	ASSERT_EQ(sent + 1, l.server.sent.size());
	EXPECT_EQ(PPP_CODEREJ, l.server.sent.back()[4]);
	EXPECT_EQ(42, l.server.sent.back()[8]);
	EXPECT_EQ(1u, ppp_lcp(l.server.p)->stats.tx_code_rejects);
	// an NCP before the network phase is discarded (RFC 1661 §3.4)
	l.inject(frame(PPP_PROTO_IPCP, PPP_CONFREQ, 1, { 0x03, 0x06, 0, 0, 0, 0 }));
	EXPECT_EQ(1u, ppp_stats(l.server.p)->rx_discarded);
	EXPECT_FALSE(l.server.down);
}

TEST(PppMalformed, ShortPapAndChapAreDiscarded)
{
	Link l(with_auth(Link::server_cfg(), PPP_AUTH_PAP), Link::client_cfg(), false);
	l.start();
	ppp_fsm_force_open(&l.server.p->lcp, l.now);		  // straight to authentication
	l.inject(frame(PPP_PROTO_PAP, 1, 1, { 9, 'a' }));	  // name past the end
	l.inject(frame(PPP_PROTO_PAP, 1, 1, { 1, 'a', 9, 'b' })); // password past the end
	EXPECT_EQ(2u, ppp_stats(l.server.p)->rx_malformed);
	EXPECT_TRUE(l.server.auths.empty());
}

namespace
{
std::string
run(const std::string &cmd)
{
	std::string out;
	std::unique_ptr<FILE, int (*)(FILE *)> p(popen(cmd.c_str(), "r"), pclose);
	std::array<char, 4096> buf;
	size_t n;
	while (p && (n = fread(buf.data(), 1, buf.size(), p.get())) > 0)
		out.append(buf.data(), n);
	return out;
}
} // namespace

// PPP over L2TP as Wireshark sees it: LCP, CHAP, IPCP, IPv6CP, echo and
// termination, with no malformed packet and no expert warning.
TEST(PppPcap, SessionDissectsCleanlyInTshark)
{
	const std::string path = "ppp-session.pcap";
	{
		PcapWriter pcap(path);
		ASSERT_TRUE(pcap.ok());
		ppp_cfg s = Link::server_cfg();
		s.echo_interval_ms = 5000;
		Link l(s, Link::client_cfg());
		l.capture = &pcap;
		l.start();
		l.run_for(12000);
		ASSERT_TRUE(ppp_state(l.server.p)->ipv4_up);
		ppp_close(l.client.p, l.now, PPP_DOWN_USER_REQUEST);
		l.run_for(5000);
		ASSERT_TRUE(l.server.down);
	}
	if (system("command -v tshark >/dev/null 2>&1") != 0)
		GTEST_SKIP() << "tshark is not installed (scripts/install-deps.sh installs it)";
	std::string protos = run("tshark -r " + path + " -T fields -e frame.protocols 2>&1");
	for (const char *p : { "ppp:lcp", "ppp:chap", "ppp:ipcp", "ppp:ipv6cp" })
		EXPECT_NE(std::string::npos, protos.find(p)) << p << " missing:\n" << protos;
	std::string verbose = run("tshark -r " + path + " -V 2>&1");
	EXPECT_EQ(std::string::npos, verbose.find("Malformed")) << verbose;
	std::string expert = run("tshark -r " + path + " -q -z expert,warn 2>&1");
	EXPECT_EQ(std::string::npos, expert.find("Warnings")) << expert;
	EXPECT_EQ(std::string::npos, expert.find("Errors")) << expert;
}
