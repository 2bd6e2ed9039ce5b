// SPDX-License-Identifier: BSD-2-Clause
// Router Advertisements to a PPP subscriber: byte-exact against scapy, the
// RFC 4861 schedule on a clock the test turns, and which Router
// Solicitations count.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

extern "C" {
#include "l2tp_wire.h"
#include "nd.h"
}

namespace
{

using Bytes = std::vector<uint8_t>;

const uint8_t OUR_IID[8] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
const uint8_t PREFIX[8] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0x00, 0x05 }; // 2001:db8:100:5::/64

/*
 * scapy 2.5:
 *   IPv6(src="fe80::211:2233:4455:6677", dst="ff02::1", hlim=255)
 *   / ICMPv6ND_RA(chlim=64, M=0, O=0, H=0, prf=0, routerlifetime=1800)
 *   / ICMPv6NDOptPrefixInfo(prefixlen=64, L=1, A=1, validlifetime=86400,
 *                           preferredlifetime=14400, prefix="2001:db8:100:5::")
 *   / ICMPv6NDOptMTU(mtu=1460) / ICMPv6NDOptRDNSS(lifetime=600, dns=["2001:db8::53"])
 */
const Bytes SCAPY_RA = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x50, 0x3a, 0xff, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86, 0x00, 0x15, 0x77, 0x40,
	0x00, 0x07, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x04, 0x40, 0xc0,
	0x00, 0x01, 0x51, 0x80, 0x00, 0x00, 0x38, 0x40, 0x00, 0x00, 0x00, 0x00, 0x20, 0x01, 0x0d,
	0xb8, 0x01, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x05, 0xb4, 0x19, 0x03, 0x00, 0x00, 0x00, 0x00, 0x02, 0x58, 0x20,
	0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x53,
};

// scapy: IPv6(src="fe80::aabb:ccdd:eeff:1", dst="ff02::2", hlim=255) / ICMPv6ND_RS()
const Bytes SCAPY_RS = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x3a, 0xff, 0xfe, 0x80, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00, 0x01,
	0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02, 0x85, 0x00, 0x16, 0x9d, 0x00, 0x00, 0x00, 0x00,
};

nd_ra_cfg
cfg_with_dns()
{
	nd_ra_cfg c;
	nd_ra_cfg_defaults(&c);
	const uint8_t dns[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53 };
	memcpy(c.dns[0], dns, 16);
	c.n_dns = 1;
	return c;
}

// when each RA of the first n goes out, polling every 100 ms from 0
std::vector<uint64_t>
schedule(nd_sub &n, const nd_ra_cfg &c, unsigned count, uint64_t until)
{
	std::vector<uint64_t> at;
	uint8_t buf[ND_RA_MAX_LEN];
	for (uint64_t t = 0; t <= until && at.size() < count; t += 100)
		if (nd_sub_ra(&n, &c, t, buf) > 0)
			at.push_back(t);
	return at;
}

} // namespace

TEST(Nd, RaIsByteExactAgainstScapy)
{
	nd_ra_cfg c = cfg_with_dns();
	nd_sub n;
	nd_sub_start(&n, OUR_IID, PREFIX, 1460, 0);
	uint8_t buf[ND_RA_MAX_LEN];
	size_t len = nd_sub_ra(&n, &c, 0, buf);
	EXPECT_EQ(SCAPY_RA, Bytes(buf, buf + len));
	EXPECT_EQ(0, nd_icmp6_cksum(buf, len)); // a valid checksum sums to zero

	// no MTU and no DNS: only the prefix
	c.n_dns = 0;
	nd_sub_start(&n, OUR_IID, PREFIX, 0, 0);
	len = nd_sub_ra(&n, &c, 0, buf);
	EXPECT_EQ(40u + 16 + 32, len);
	EXPECT_EQ(16u + 32, get_be16(buf + 4));
	EXPECT_EQ(0, nd_icmp6_cksum(buf, len));
}

TEST(Nd, ThreeInitialRasSixteenSecondsApartThenTheInterval)
{
	nd_ra_cfg c;
	nd_ra_cfg_defaults(&c);
	nd_sub n;
	nd_sub_start(&n, OUR_IID, PREFIX, 1460, 0);
	EXPECT_EQ(0u, nd_sub_next(&n));
	std::vector<uint64_t> want = { 0, 16000, 32000, 232000, 432000 };
	EXPECT_EQ(want, schedule(n, c, 5, 500000));
	EXPECT_EQ(5u, n.sent);

	// an interval shorter than 16 s is kept from the start
	c.interval_ms = 5000;
	nd_sub_start(&n, OUR_IID, PREFIX, 1460, 0);
	want = { 0, 5000, 10000, 15000 };
	EXPECT_EQ(want, schedule(n, c, 4, 20000));
}

TEST(Nd, SolicitationBringsAnRaForwardAtMostOnceInThreeSeconds)
{
	nd_ra_cfg c;
	nd_ra_cfg_defaults(&c);
	nd_sub n;
	nd_sub_start(&n, OUR_IID, PREFIX, 1460, 0);
	uint8_t buf[ND_RA_MAX_LEN];
	ASSERT_GT(nd_sub_ra(&n, &c, 0, buf), 0u);
	EXPECT_EQ(16000u, nd_sub_next(&n));
	// at 1 s: not before 3 s after the last
	EXPECT_EQ(ND_RS, nd_sub_input(&n, 1000, SCAPY_RS.data(), SCAPY_RS.size()));
	EXPECT_EQ(3000u, nd_sub_next(&n));
	EXPECT_EQ(0u, nd_sub_ra(&n, &c, 2900, buf));
	EXPECT_GT(nd_sub_ra(&n, &c, 3000, buf), 0u);
	// at 10 s, 7 s after the last: at once
	EXPECT_EQ(ND_RS, nd_sub_input(&n, 10000, SCAPY_RS.data(), SCAPY_RS.size()));
	EXPECT_EQ(10000u, nd_sub_next(&n));
	EXPECT_EQ(2u, n.solicited);
	// a later due time is never pushed back
	nd_sub_start(&n, OUR_IID, PREFIX, 1460, 500);
	EXPECT_EQ(ND_RS, nd_sub_input(&n, 600, SCAPY_RS.data(), SCAPY_RS.size()));
	EXPECT_EQ(500u, nd_sub_next(&n));
	// a PPP frame padded after the IPv6 packet still counts
	Bytes padded = SCAPY_RS;
	padded.push_back(0);
	padded.push_back(0);
	EXPECT_EQ(ND_RS, nd_sub_input(&n, 700, padded.data(), padded.size()));
}

TEST(Nd, WhatIsNotAValidSolicitation)
{
	nd_sub n;
	nd_sub_start(&n, OUR_IID, PREFIX, 1460, 0);
	struct Case {
		const char *why;
		size_t at;
		uint8_t value;
		nd_input want;
	} cases[] = {
		{ "hop limit 64: forwarded from elsewhere (§6.1.1)", 7, 64, ND_MALFORMED },
		{ "code 1", 41, 1, ND_MALFORMED },
		{ "bad checksum", 43, 0x9e, ND_MALFORMED },
		{ "an echo request, not ND", 40, 128, ND_NOT_ND },
		{ "UDP, not ICMPv6", 6, 17, ND_NOT_ND },
		{ "IPv4 in an IPv6 frame", 0, 0x45, ND_MALFORMED },
		{ "payload length past the frame", 5, 9, ND_MALFORMED },
	};
	for (const Case &k : cases) {
		Bytes b = SCAPY_RS;
		b[k.at] = k.value;
		EXPECT_EQ(k.want, nd_sub_input(&n, 0, b.data(), b.size())) << k.why;
	}
	EXPECT_EQ(ND_MALFORMED, nd_sub_input(&n, 0, SCAPY_RS.data(), 39));
	Bytes short_icmp(SCAPY_RS.begin(), SCAPY_RS.begin() + 44);
	put_be16(&short_icmp[4], 4);
	EXPECT_EQ(ND_NOT_ND, nd_sub_input(&n, 0, short_icmp.data(), short_icmp.size()));
	EXPECT_EQ(0u, n.solicited);
}
