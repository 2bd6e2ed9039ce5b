// SPDX-License-Identifier: BSD-2-Clause
// IPv6 neighbour discovery on the core side: byte-exact against scapy,
// the gateway's states on a clock the test turns, and what is refused.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

extern "C" {
#include "l2tp_wire.h"
#include "nd.h"
#include "neigh6.h"
}

namespace
{

using Bytes = std::vector<uint8_t>;

const uint8_t ME[6] = { 0x02, 0, 0, 0, 0, 0x02 };
const uint8_t GW_MAC[6] = { 0x02, 0, 0, 0, 0, 0x0c };
const uint8_t ADDR[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
const uint8_t GW[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

// scapy 2.5, e.g. OUR_NS: Ether(dst="33:33:ff:00:00:02", src=ME) / IPv6(src="2001:db8:ffff::1",
// dst="ff02::1:ff00:2", hlim=255) / ICMPv6ND_NS(tgt="2001:db8:ffff::2") /
// ICMPv6NDOptSrcLLAddr(lladdr=ME). ROUTER_NS: the gateway (fe80::c) asks for 2001:db8:ffff::1;
// OUR_NA: the answer (R, S, O, target link-layer address); GW_NA: the gateway's answer
// to OUR_NS; LL_NS: the gateway asks for our link-local address fe80::ff:fe00:2.
const Bytes OUR_NS = {
	0x33, 0x33, 0xff, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x86, 0xdd, 0x60,
	0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x02, 0x87, 0x00, 0x1c, 0x26, 0x00, 0x00,
	0x00, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x02, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
};
const Bytes ROUTER_NS = {
	0x33, 0x33, 0xff, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x86, 0xdd, 0x60,
	0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x01, 0x87, 0x00, 0x4b, 0x4b, 0x00, 0x00,
	0x00, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0c,
};
const Bytes OUR_NA = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x86, 0xdd, 0x60,
	0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x88, 0x00, 0x39, 0xa0, 0xe0, 0x00,
	0x00, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
};
const Bytes GW_NA = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x86, 0xdd, 0x60,
	0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x88, 0x00, 0x0a, 0x67, 0xe0, 0x00,
	0x00, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x02, 0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0c,
};
const Bytes LL_NS = {
	0x33, 0x33, 0xff, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x86, 0xdd, 0x60,
	0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x02, 0x87, 0x00, 0x4c, 0x53, 0x00, 0x00,
	0x00, 0x00, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xfe,
	0x00, 0x00, 0x02, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0c,
};

neigh_cfg
cfg()
{
	neigh_cfg c;
	neigh_cfg_defaults(&c);
	return c;
}

struct Nd {
	neigh6 n;
	uint8_t out[NEIGH6_FRAME_LEN];
	bool changed = false;
	Nd(const uint8_t *gw = GW)
	{
		neigh_cfg c = cfg();
		neigh6_init(&n, &c, ME, ADDR, gw);
	}
	Bytes in(uint64_t now, const Bytes &f)
	{
		size_t len = f.size() >= 14 ? neigh6_input(&n, now, &f[6], &f[14], f.size() - 14,
							   out, &changed)
					    : 0;
		return Bytes(out, out + len);
	}
	Bytes tick(uint64_t now)
	{
		size_t len = neigh6_timeout(&n, now, out, &changed);
		return Bytes(out, out + len);
	}
};

} // namespace

TEST(Neigh6, SolicitationsForOurAddressesAreAnsweredAsScapySays)
{
	Nd d;
	EXPECT_EQ(OUR_NA, d.in(0, ROUTER_NS));
	Bytes ll = d.in(0, LL_NS);
	ASSERT_EQ(NEIGH6_FRAME_LEN, ll.size());
	EXPECT_EQ(0, memcmp(&ll[0], GW_MAC, 6));
	EXPECT_EQ(Bytes({ 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0, 0, 2 }),
		  Bytes(&ll[14 + 8], &ll[14 + 24])); // from our link-local, EUI-64 of our MAC
	EXPECT_EQ(0, memcmp(&ll[14 + 24], GW, 16));
	EXPECT_EQ(2u, d.n.stats.rx_solicits);
	// the gateway asked, with its link-layer address: kept (STALE), and probed
	EXPECT_TRUE(d.changed);
	uint8_t mac[6];
	ASSERT_TRUE(neigh6_gateway(&d.n, mac));
	EXPECT_EQ(0, memcmp(mac, GW_MAC, 6));
	EXPECT_EQ(NEIGH_STALE, d.n.state);

	// duplicate address detection (from ::): to all nodes, not solicited
	Bytes dad = ROUTER_NS;
	memset(&dad[14 + 8], 0, 16);
	dad.resize(dad.size() - 8); // no source link-layer option from ::
	put_be16(&dad[14 + 4], 24);
	put_be16(&dad[14 + 42], 0);
	put_be16(&dad[14 + 42], nd_icmp6_cksum(&dad[14], 40 + 24));
	Bytes na = d.in(0, dad);
	ASSERT_EQ(NEIGH6_FRAME_LEN, na.size());
	EXPECT_EQ(Bytes({ 0x33, 0x33, 0, 0, 0, 1 }), Bytes(na.begin(), na.begin() + 6));
	EXPECT_EQ(0xa0, na[14 + 40 + 4]); // R and O, not S
	EXPECT_EQ(0, nd_icmp6_cksum(&na[14], 72));
}

TEST(Neigh6, TheGatewayIsSolicitedLearntProbedAndLost)
{
	Nd d;
	uint8_t mac[6];
	EXPECT_EQ(0u, neigh6_next_timeout(&d.n));
	EXPECT_FALSE(neigh6_gateway(&d.n, mac));
	EXPECT_EQ(OUR_NS, d.tick(0));
	EXPECT_EQ(Bytes(), d.tick(999));
	EXPECT_EQ(OUR_NS, d.tick(1000));
	EXPECT_EQ(Bytes(), d.in(1500, GW_NA));
	EXPECT_TRUE(d.changed);
	ASSERT_TRUE(neigh6_gateway(&d.n, mac));
	EXPECT_EQ(0, memcmp(mac, GW_MAC, 6));
	EXPECT_EQ(NEIGH_REACHABLE, d.n.state);
	EXPECT_EQ(31500u, neigh6_next_timeout(&d.n));
	// REACHABLE ends: STALE, the MAC still used while it is probed
	EXPECT_EQ(OUR_NS, d.tick(31500));
	EXPECT_TRUE(neigh6_gateway(&d.n, mac));
	EXPECT_EQ(OUR_NS, d.tick(32500));
	EXPECT_EQ(OUR_NS, d.tick(33500));
	EXPECT_FALSE(d.changed);
	// three unanswered: FAILED, the MAC goes
	EXPECT_EQ(Bytes(), d.tick(34500));
	EXPECT_TRUE(d.changed);
	EXPECT_FALSE(neigh6_gateway(&d.n, mac));
	EXPECT_EQ(NEIGH_FAILED, d.n.state);
	EXPECT_EQ(1u, d.n.stats.failures);
	// after failed_ms, asked again
	EXPECT_EQ(Bytes(), d.tick(54499));
	EXPECT_EQ(OUR_NS, d.tick(54500));
	EXPECT_EQ(NEIGH_INCOMPLETE, d.n.state);
	EXPECT_EQ(6u, d.n.stats.tx_solicits);

	// no gateway configured: nothing to resolve, ever
	const uint8_t none[16] = {};
	Nd quiet(none);
	EXPECT_EQ(UINT64_MAX, neigh6_next_timeout(&quiet.n));
	EXPECT_EQ(Bytes(), quiet.tick(1000000));
	EXPECT_EQ(Bytes(), quiet.in(0, GW_NA));
	EXPECT_EQ(1u, quiet.n.stats.rx_ignored);
}

TEST(Neigh6, WhatRfc4861RefusesOrIgnores)
{
	struct Case {
		const char *why;
		size_t at;
		uint8_t value;
		bool malformed; // else ignored
	} cases[] = {
		{ "hop limit 254: it crossed a router", 14 + 7, 254, true },
		{ "code 1", 14 + 41, 1, true },
		{ "bad checksum", 14 + 43, 0x4c, true },
		{ "target multicast", 14 + 48, 0xff, true },
		{ "option of length 0", 14 + 65, 0, true },
		{ "another target", 14 + 63, 9, false },
		{ "an echo request", 14 + 40, 128, false },
		{ "UDP", 14 + 6, 17, false },
	};
	for (const Case &k : cases) {
		Nd d;
		Bytes f = ROUTER_NS;
		f[k.at] = k.value;
		if (k.at != 14 + 43 && k.at != 14 + 7 && k.at != 14 + 6 && k.at != 14 + 40) {
			put_be16(&f[14 + 42], 0); // a valid checksum, so the check at stake is seen
			put_be16(&f[14 + 42], nd_icmp6_cksum(&f[14], 40 + 32));
		}
		EXPECT_EQ(Bytes(), d.in(0, f)) << k.why;
		EXPECT_EQ(k.malformed ? 1u : 0u, d.n.stats.rx_malformed) << k.why;
		EXPECT_EQ(k.malformed ? 0u : 1u, d.n.stats.rx_ignored) << k.why;
	}
	Nd d;
	EXPECT_EQ(Bytes(), d.in(0, Bytes(ROUTER_NS.begin(), ROUTER_NS.begin() + 60)));
	EXPECT_EQ(1u, d.n.stats.rx_ignored); // too short to be ND
	Bytes na = GW_NA;
	na[14 + 63] = 3; // an advertisement for someone else
	put_be16(&na[14 + 42], 0);
	put_be16(&na[14 + 42], nd_icmp6_cksum(&na[14], 72));
	EXPECT_EQ(Bytes(), d.in(0, na));
	EXPECT_EQ(2u, d.n.stats.rx_ignored);
	EXPECT_EQ(0u, d.n.stats.rx_adverts);
}

namespace
{
// GW_NA with other flags (and MAC), its checksum made good again.
Bytes
advert(uint8_t flags, uint8_t mac_last = 0x0c, bool with_lla = true, bool to_multicast = false)
{
	Bytes f = GW_NA;
	f[14 + 40 + 4] = flags;
	f[f.size() - 1] = mac_last;
	if (to_multicast) {
		const uint8_t all[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
		memcpy(&f[14 + 24], all, 16);
	}
	if (!with_lla) {
		f.resize(f.size() - 8);
		put_be16(&f[14 + 4], 24);
	}
	put_be16(&f[14 + 42], 0);
	put_be16(&f[14 + 42], nd_icmp6_cksum(&f[14], f.size() - 14));
	return f;
}
} // namespace

// RFC 4861 §7.2.5: what an advertisement may change.
TEST(Neigh6, AdvertisementFlagsDecideWhatChanges)
{
	uint8_t mac[6];
	Nd d;
	d.tick(0);
	EXPECT_EQ(Bytes(), d.in(10, advert(0xe0, 0x0c, false))); // no link-layer address
	EXPECT_EQ(NEIGH_INCOMPLETE, d.n.state);
	d.in(10, advert(0x20)); // unsolicited, Override: taken, but STALE
	EXPECT_EQ(NEIGH_STALE, d.n.state);
	EXPECT_TRUE(d.changed);
	d.in(20, advert(0xe0)); // solicited: REACHABLE
	EXPECT_EQ(NEIGH_REACHABLE, d.n.state);
	d.in(30, advert(0xc0, 0x0d)); // no Override, another MAC: kept, STALE
	ASSERT_TRUE(neigh6_gateway(&d.n, mac));
	EXPECT_EQ(0x0c, mac[5]);
	EXPECT_EQ(NEIGH_STALE, d.n.state);
	EXPECT_FALSE(d.changed);
	d.in(40, advert(0xe0, 0x0d)); // Override: the new MAC
	ASSERT_TRUE(neigh6_gateway(&d.n, mac));
	EXPECT_EQ(0x0d, mac[5]);
	EXPECT_TRUE(d.changed);
	uint64_t bad = d.n.stats.rx_malformed;
	d.in(50, advert(0xe0, 0x0e, true, true)); // Solicited to a multicast address
	EXPECT_EQ(bad + 1, d.n.stats.rx_malformed);
	ASSERT_TRUE(neigh6_gateway(&d.n, mac));
	EXPECT_EQ(0x0d, mac[5]);
}
