// SPDX-License-Identifier: BSD-2-Clause
// ARP for lnsd's addresses and next hops, with deterministic time.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

extern "C" {
#include "l2tp_wire.h"
#include "neigh.h"
}

namespace
{

using Bytes = std::vector<uint8_t>;

struct Out {
	std::vector<std::pair<uint16_t, Bytes>> sent;
	std::vector<std::pair<uint32_t, bool>> changes; // ip, known
};

void
on_send(void *ctx, uint16_t port, const uint8_t *f, size_t len)
{
	static_cast<Out *>(ctx)->sent.push_back({ port, Bytes(f, f + len) });
}

void
on_changed(void *ctx, uint32_t ip, const uint8_t *mac)
{
	static_cast<Out *>(ctx)->changes.push_back({ ip, mac != nullptr });
}

const neigh_ops ops = { on_send, on_changed };
const uint32_t US = 0xC0000201, LAC = 0xC0000202, OTHER = 0xC0000209;
const uint8_t our_mac[6] = { 2, 0, 0, 0, 0, 1 }, lac_mac[6] = { 2, 0, 0, 0, 0, 0xa },
	      lac_mac2[6] = { 2, 0, 0, 0, 0, 0xb };

Bytes
arp(uint16_t op, const uint8_t *sha, uint32_t spa, uint32_t tpa)
{
	Bytes f(42, 0);
	memset(f.data(), 0xff, 6);
	memcpy(&f[6], sha, 6);
	put_be16(&f[12], 0x0806);
	put_be16(&f[14], 1);
	put_be16(&f[16], 0x0800);
	f[18] = 6;
	f[19] = 4;
	put_be16(&f[20], op);
	memcpy(&f[22], sha, 6);
	put_be32(&f[28], spa);
	put_be32(&f[38], tpa);
	return f;
}

struct Fixture : ::testing::Test {
	Out out;
	neigh_table *nt = nullptr;
	uint64_t now = 1000;
	void SetUp() override
	{
		neigh_cfg cfg;
		neigh_cfg_defaults(&cfg);
		nt = neigh_create(&cfg, &ops, &out);
		neigh_if i = {};
		memcpy(i.mac, our_mac, 6);
		i.ip = US;
		i.port = 0;
		ASSERT_EQ(0, neigh_add_interface(nt, &i));
	}
	void TearDown() override
	{
		neigh_destroy(nt);
	}
	void in(const Bytes &f)
	{
		neigh_input(nt, now, 0, f.data(), f.size());
	}
	void run_until(uint64_t t)
	{
		while (neigh_next_timeout(nt) <= t) {
			now = neigh_next_timeout(nt);
			neigh_timeout(nt, now);
		}
		now = t;
	}
};

} // namespace

TEST_F(Fixture, RequestsForOurAddressAreAnswered)
{
	in(arp(1, lac_mac, LAC, US));
	ASSERT_EQ(1u, out.sent.size());
	const Bytes &r = out.sent[0].second;
	EXPECT_EQ(0, memcmp(&r[0], lac_mac, 6));
	EXPECT_EQ(2, get_be16(&r[20]));
	EXPECT_EQ(0, memcmp(&r[22], our_mac, 6));
	EXPECT_EQ(US, get_be32(&r[28]));
	EXPECT_EQ(LAC, get_be32(&r[38]));
	// the asker is noted: no request needed to answer it later (RFC 826)
	uint8_t mac[6];
	EXPECT_EQ(0, neigh_resolve(nt, now, 0, LAC, mac));
	EXPECT_EQ(0, memcmp(mac, lac_mac, 6));
	EXPECT_EQ(1u, out.sent.size());
	in(arp(1, lac_mac, LAC, OTHER));
	EXPECT_EQ(1u, out.sent.size());
	EXPECT_EQ(1u, neigh_stats(nt)->rx_ignored);
	in(Bytes(20, 0));
	EXPECT_EQ(1u, neigh_stats(nt)->rx_malformed);
}

TEST_F(Fixture, NextHopIsResolvedRetriedAndFails)
{
	uint8_t mac[6];
	EXPECT_EQ(-EAGAIN, neigh_resolve(nt, now, 0, LAC, mac));
	EXPECT_EQ(1u, out.sent.size());
	EXPECT_EQ(-EAGAIN, neigh_resolve(nt, now, 0, LAC, mac)); // no second request yet
	EXPECT_EQ(1u, out.sent.size());
	run_until(now + 2999);
	EXPECT_EQ(3u, out.sent.size()); // at 0, 1 s, 2 s
	EXPECT_EQ(NEIGH_INCOMPLETE, neigh_state_of(nt, LAC));
	run_until(now + 1);
	EXPECT_EQ(NEIGH_FAILED, neigh_state_of(nt, LAC));
	EXPECT_EQ(-EHOSTUNREACH, neigh_resolve(nt, now, 0, LAC, mac));
	EXPECT_EQ(1u, neigh_stats(nt)->failures);
	run_until(now + 20000);
	EXPECT_EQ(-EAGAIN, neigh_resolve(nt, now, 0, LAC, mac)); // asked again
}

TEST_F(Fixture, AnswerMakesItReachableThenStaleThenProbed)
{
	uint8_t mac[6];
	neigh_resolve(nt, now, 0, LAC, mac);
	in(arp(2, lac_mac, LAC, US));
	ASSERT_EQ(0, neigh_resolve(nt, now, 0, LAC, mac));
	EXPECT_EQ(0, memcmp(mac, lac_mac, 6));
	ASSERT_EQ(1u, out.changes.size());
	EXPECT_TRUE(out.changes[0].second);
	run_until(now + 30000);
	EXPECT_EQ(NEIGH_STALE, neigh_state_of(nt, LAC));
	size_t sent = out.sent.size();
	EXPECT_EQ(0, neigh_resolve(nt, now, 0, LAC, mac)); // still usable, probed
	EXPECT_EQ(sent + 1, out.sent.size());
	in(arp(2, lac_mac2, LAC, US)); // the LAC answers from a new MAC
	EXPECT_EQ(NEIGH_REACHABLE, neigh_state_of(nt, LAC));
	ASSERT_EQ(2u, out.changes.size());
	neigh_resolve(nt, now, 0, LAC, mac);
	EXPECT_EQ(0, memcmp(mac, lac_mac2, 6));
	// stale and silent: lost, and the owner is told
	run_until(now + 30000);
	neigh_resolve(nt, now, 0, LAC, mac);
	run_until(now + 10000);
	EXPECT_EQ(NEIGH_FAILED, neigh_state_of(nt, LAC));
	ASSERT_EQ(3u, out.changes.size());
	EXPECT_FALSE(out.changes[2].second);
}
