// SPDX-License-Identifier: BSD-2-Clause
// Reliable delivery alone (RFC 2661 §5.8, Appendix A): ordering, acks,
// duplicates, windows, retransmission timing, congestion window, limits,
// and two channels over a lossy, duplicating, reordering link.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <random>
#include <vector>

extern "C" {
#include "l2tp_chan.h"
#include "l2tp_wire.h"
}

namespace
{

using Bytes = std::vector<uint8_t>;

struct Peer {
	l2tp_chan c;
	std::vector<Bytes> tx;
	std::vector<Bytes> delivered;
};

void on_tx(void *ctx, const uint8_t *m, size_t n)
{
	static_cast<Peer *>(ctx)->tx.emplace_back(m, m + n);
}

void on_deliver(void *ctx, const uint8_t *m, size_t n)
{
	static_cast<Peer *>(ctx)->delivered.emplace_back(m, m + n);
}

const l2tp_chan_ops ops = { on_tx, on_deliver };

// A 20-byte control message carrying a sequence marker.
Bytes msg(uint32_t marker)
{
	Bytes b(20, 0);
	l2tp_hdr_put_ctrl(b.data(), 20, 7, 0, 0, 0);
	put_be32(b.data() + 16, marker);
	return b;
}

uint16_t ns_of(const Bytes &b)
{
	return get_be16(b.data() + L2TP_CTRL_NS_OFF);
}
uint16_t nr_of(const Bytes &b)
{
	return get_be16(b.data() + L2TP_CTRL_NR_OFF);
}

struct Fixture : ::testing::Test {
	l2tp_msgpool pool;
	l2tp_chan_cfg cfg;
	Peer a;
	uint64_t now = 1000;

	void SetUp() override
	{
		l2tp_msgpool_init(&pool, 1024);
		l2tp_chan_cfg_defaults(&cfg);
		ASSERT_EQ(0, l2tp_chan_init(&a.c, &cfg, &pool, &ops, &a, now));
		l2tp_chan_set_peer_tunnel(&a.c, 9);
	}
	void TearDown() override
	{
		l2tp_chan_fini(&a.c);
		EXPECT_EQ(0u, pool.n_in_use);
		l2tp_msgpool_fini(&pool);
	}
	// a message from the peer with this Ns and Nr
	l2tp_chan_rx in(uint16_t ns, uint16_t nr, uint32_t marker = 0)
	{
		Bytes b = msg(marker);
		put_be16(b.data() + L2TP_CTRL_NS_OFF, ns);
		put_be16(b.data() + L2TP_CTRL_NR_OFF, nr);
		return l2tp_chan_input(&a.c, b.data(), b.size(), ns, nr, false, now);
	}
	l2tp_chan_rx zlb(uint16_t ns, uint16_t nr)
	{
		uint8_t z[12];
		l2tp_hdr_put_ctrl(z, 12, 7, 0, ns, nr);
		return l2tp_chan_input(&a.c, z, 12, ns, nr, true, now);
	}
};

} // namespace

TEST_F(Fixture, ReplyCarriesTheAckAndNoZlbFollows)
{
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(0, 0, 1));
	ASSERT_EQ(1u, a.delivered.size());
	Bytes m = msg(2);
	ASSERT_EQ(0, l2tp_chan_send(&a.c, m.data(), m.size(), now));
	ASSERT_EQ(1u, a.tx.size());
	EXPECT_EQ(0, ns_of(a.tx[0]));
	EXPECT_EQ(1, nr_of(a.tx[0]));
	now += 1000;
	l2tp_chan_timeout(&a.c, now - 1); // nothing owed: no ZLB
	EXPECT_EQ(1u, a.tx.size());
}

TEST_F(Fixture, UnansweredMessageGetsAZlbAfterTheAckDelay)
{
	in(0, 0);
	EXPECT_EQ(now + 50, l2tp_chan_next_timeout(&a.c));
	l2tp_chan_timeout(&a.c, now + 49);
	EXPECT_TRUE(a.tx.empty());
	l2tp_chan_timeout(&a.c, now + 50);
	ASSERT_EQ(1u, a.tx.size());
	EXPECT_EQ(12u, a.tx[0].size());
	EXPECT_EQ(0, ns_of(a.tx[0]));
	EXPECT_EQ(1, nr_of(a.tx[0]));
	EXPECT_EQ(9, get_be16(a.tx[0].data() + 4)); // to the peer's tunnel
	EXPECT_EQ(1u, a.c.stats.zlb_tx);
}

TEST_F(Fixture, DuplicateIsAckedAgainAndNotDelivered)
{
	in(0, 0, 1);
	EXPECT_EQ(L2TP_CHAN_RX_DUPLICATE, in(0, 0, 1));
	EXPECT_EQ(1u, a.delivered.size());
	ASSERT_EQ(1u, a.tx.size()); // the immediate ZLB
	EXPECT_EQ(1, nr_of(a.tx[0]));
	EXPECT_EQ(1u, a.c.stats.duplicates);
}

TEST_F(Fixture, EarlyMessagesAreHeldAndDeliveredInOrder)
{
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(2, 0, 12));
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(1, 0, 11));
	EXPECT_TRUE(a.delivered.empty());
	EXPECT_EQ(2u, a.c.stats.out_of_order);
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(0, 0, 10));
	ASSERT_EQ(3u, a.delivered.size());
	for (uint32_t i = 0; i < 3; i++)
		EXPECT_EQ(10 + i, get_be32(a.delivered[i].data() + 16));
	EXPECT_EQ(3, a.c.nr);
}

TEST_F(Fixture, BeyondTheWindowIsDropped)
{
	EXPECT_EQ(L2TP_CHAN_RX_OUT_OF_WINDOW, in(4, 0)); // window 4: 0..3
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(3, 0));
	EXPECT_EQ(1u, a.c.stats.out_of_window);
}

TEST_F(Fixture, NrForWhatWasNeverSentIsDroppedUnused)
{
	EXPECT_EQ(L2TP_CHAN_RX_BAD_NR, in(0, 1));
	EXPECT_TRUE(a.delivered.empty());
	EXPECT_EQ(0, a.c.nr);
	EXPECT_EQ(1u, a.c.stats.bad_nr);
	// a stale Nr (behind what was acked) is no error
	Bytes m = msg(1);
	l2tp_chan_send(&a.c, m.data(), m.size(), now);
	EXPECT_EQ(L2TP_CHAN_RX_OK, zlb(0, 1));
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(0, 0));
	EXPECT_EQ(1u, a.delivered.size());
}

TEST_F(Fixture, WindowLimitsWhatIsInFlight)
{
	for (uint32_t i = 0; i < 20; i++) {
		Bytes m = msg(i);
		ASSERT_EQ(0, l2tp_chan_send(&a.c, m.data(), m.size(), now));
	}
	EXPECT_EQ(1u, a.tx.size()); // slow start: cwnd 1
	EXPECT_EQ(19u, a.c.n_waiting);
	uint16_t acked = 0;
	while (acked < 20) {
		ASSERT_LE(a.c.n_in_flight, 4u);
		acked = (uint16_t)(acked + a.c.n_in_flight);
		zlb(0, acked);
	}
	EXPECT_EQ(20u, a.tx.size());
	EXPECT_EQ(4u, a.c.cwnd);
	EXPECT_GT(a.c.stats.window_stalls, 0u);
	for (uint16_t i = 0; i < 20; i++)
		EXPECT_EQ(i, ns_of(a.tx[i]));
}

TEST_F(Fixture, PeerWindowFromAvp10AndSlowStart)
{
	l2tp_chan_set_peer_window(&a.c, 8);
	for (uint32_t i = 0; i < 30; i++) {
		Bytes m = msg(i);
		l2tp_chan_send(&a.c, m.data(), m.size(), now);
	}
	std::vector<uint32_t> flights;
	uint16_t acked = 0;
	while (acked < 30) {
		flights.push_back(a.c.n_in_flight);
		acked = (uint16_t)(acked + a.c.n_in_flight);
		zlb(0, acked);
	}
	// 1, 2, 4, 8, 8 ... : doubling each round trip up to the peer's window
	ASSERT_GE(flights.size(), 4u);
	EXPECT_EQ(1u, flights[0]);
	EXPECT_EQ(2u, flights[1]);
	EXPECT_EQ(4u, flights[2]);
	EXPECT_EQ(8u, flights[3]);
}

TEST_F(Fixture, RetransmissionTimingAndDeath)
{
	Bytes m = msg(1);
	l2tp_chan_send(&a.c, m.data(), m.size(), now);
	const uint64_t t0 = now;
	std::vector<uint64_t> at;
	for (uint64_t t = t0; t <= t0 + 40000; t++) {
		if (l2tp_chan_next_timeout(&a.c) > t)
			continue;
		size_t before = a.tx.size();
		if (!l2tp_chan_timeout(&a.c, t)) {
			at.push_back(t);
			break;
		}
		if (a.tx.size() > before)
			at.push_back(t);
	}
	// retransmissions at 1, 3, 7, 15, 23 s; given up at 31 s
	EXPECT_EQ((std::vector<uint64_t>{ t0 + 1000, t0 + 3000, t0 + 7000, t0 + 15000, t0 + 23000,
					  t0 + 31000 }),
		  at);
	EXPECT_EQ(5u, a.c.stats.retransmits);
	EXPECT_TRUE(a.c.dead);
	EXPECT_EQ(-EPIPE, l2tp_chan_send(&a.c, m.data(), m.size(), now));
	EXPECT_EQ(1u, a.c.cwnd);
}

TEST_F(Fixture, ProgressResetsTheBackOff)
{
	Bytes m = msg(1);
	l2tp_chan_send(&a.c, m.data(), m.size(), now);
	l2tp_chan_timeout(&a.c, now + 1000);
	l2tp_chan_timeout(&a.c, now + 3000);
	zlb(0, 1);
	l2tp_chan_send(&a.c, m.data(), m.size(), now + 3000);
	EXPECT_EQ(now + 4000, l2tp_chan_next_timeout(&a.c));
}

TEST_F(Fixture, SequenceNumbersWrapAt65536)
{
	a.c.nr = 65534;
	a.c.ns_next = a.c.una = 65535;
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(65534, 65535, 1));
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(0, 65535, 3)); // held: 65535 missing
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(65535, 65535, 2));
	ASSERT_EQ(3u, a.delivered.size());
	EXPECT_EQ(1, a.c.nr);
	Bytes m = msg(9);
	l2tp_chan_send(&a.c, m.data(), m.size(), now);
	EXPECT_EQ(65535, ns_of(a.tx.back()));
	EXPECT_EQ(L2TP_CHAN_RX_OK, zlb(1, 0)); // acks 65535
	EXPECT_EQ(0u, a.c.n_in_flight);
	EXPECT_EQ(L2TP_CHAN_RX_DUPLICATE, in(65535, 0));
}

TEST_F(Fixture, LimitsAreReportedNotSilent)
{
	l2tp_chan_cfg small = cfg;
	small.max_queue = 2;
	Peer b;
	l2tp_msgpool tiny;
	l2tp_msgpool_init(&tiny, 3);
	ASSERT_EQ(0, l2tp_chan_init(&b.c, &small, &tiny, &ops, &b, now));
	Bytes m = msg(1);
	EXPECT_EQ(0, l2tp_chan_send(&b.c, m.data(), m.size(), now)); // in flight
	EXPECT_EQ(0, l2tp_chan_send(&b.c, m.data(), m.size(), now)); // waiting
	EXPECT_EQ(0, l2tp_chan_send(&b.c, m.data(), m.size(), now)); // waiting
	EXPECT_EQ(-ENOSPC, l2tp_chan_send(&b.c, m.data(), m.size(), now));
	small.max_queue = 10;
	b.c.cfg.max_queue = 10;
	EXPECT_EQ(-ENOBUFS, l2tp_chan_send(&b.c, m.data(), m.size(), now));
	EXPECT_EQ(1u, b.c.stats.no_buffer);
	EXPECT_EQ(1u, tiny.exhausted);
	EXPECT_EQ(-EINVAL, l2tp_chan_send(&b.c, m.data(), 5, now));
	l2tp_chan_fini(&b.c);
	EXPECT_EQ(0u, tiny.n_in_use);
	l2tp_msgpool_fini(&tiny);
}

// Two channels, 1000 messages each way, over a link that loses 20%,
// duplicates 10% and reorders 20%: every message arrives once, in order.
TEST(ChanPair, LossyLinkDeliversEverythingOnceInOrder)
{
	l2tp_msgpool pool;
	l2tp_msgpool_init(&pool, 4096);
	l2tp_chan_cfg cfg;
	l2tp_chan_cfg_defaults(&cfg);
	Peer x, y;
	uint64_t now = 1000;
	ASSERT_EQ(0, l2tp_chan_init(&x.c, &cfg, &pool, &ops, &x, now));
	ASSERT_EQ(0, l2tp_chan_init(&y.c, &cfg, &pool, &ops, &y, now));
	std::mt19937 rng(42);
	std::uniform_real_distribution<double> u(0, 1);
	struct Flight {
		uint64_t at;
		Peer *to;
		Bytes m;
	};
	std::vector<Flight> wire;
	size_t x_seen = 0, y_seen = 0;
	uint32_t x_next = 0, y_next = 0;
	uint32_t max_flight = 0;
	for (int guard = 0; guard < 2000000; guard++) {
		// queue up to 1000 each, a few at a time
		if (x_next < 1000 && x.c.n_waiting < 8) {
			Bytes m = msg(x_next++);
			ASSERT_EQ(0, l2tp_chan_send(&x.c, m.data(), m.size(), now));
		}
		if (y_next < 1000 && y.c.n_waiting < 8) {
			Bytes m = msg(100000 + y_next++);
			ASSERT_EQ(0, l2tp_chan_send(&y.c, m.data(), m.size(), now));
		}
		for (Peer *p : { &x, &y }) {
			Peer *other = p == &x ? &y : &x;
			size_t &seen = p == &x ? x_seen : y_seen;
			for (; seen < p->tx.size(); seen++) {
				if (u(rng) < 0.2)
					continue;
				int copies = u(rng) < 0.1 ? 2 : 1;
				for (int c = 0; c < copies; c++)
					wire.push_back({ now + 10 + (u(rng) < 0.2 ? 40 : 0), other,
							 p->tx[seen] });
			}
			max_flight = std::max(max_flight, p->c.n_in_flight);
			ASSERT_LE(p->c.n_in_flight, p->c.peer_window);
		}
		if (x.delivered.size() == 1000 && y.delivered.size() == 1000 &&
		    l2tp_chan_idle(&x.c) && l2tp_chan_idle(&y.c))
			break;
		uint64_t next = std::min(l2tp_chan_next_timeout(&x.c), l2tp_chan_next_timeout(&y.c));
		for (const Flight &f : wire)
			next = std::min(next, f.at);
		ASSERT_NE(UINT64_MAX, next);
		now = std::max(now, next);
		for (size_t i = 0; i < wire.size();) {
			if (wire[i].at <= now) {
				Flight f = wire[i];
				wire.erase(wire.begin() + (long)i);
				l2tp_hdr h;
				ASSERT_EQ(L2TP_ST_OK, l2tp_hdr_parse(&h, f.m.data(), f.m.size()));
				l2tp_chan_input(&f.to->c, f.m.data(), f.m.size(), h.ns, h.nr,
						f.m.size() == 12, now);
			} else {
				i++;
			}
		}
		ASSERT_TRUE(l2tp_chan_timeout(&x.c, now));
		ASSERT_TRUE(l2tp_chan_timeout(&y.c, now));
	}
	ASSERT_EQ(1000u, y.delivered.size());
	ASSERT_EQ(1000u, x.delivered.size());
	for (uint32_t i = 0; i < 1000; i++) {
		EXPECT_EQ(i, get_be32(y.delivered[i].data() + 16));
		EXPECT_EQ(100000 + i, get_be32(x.delivered[i].data() + 16));
	}
	EXPECT_EQ(4u, max_flight);
	EXPECT_GT(x.c.stats.retransmits, 0u);
	EXPECT_GT(x.c.stats.duplicates + y.c.stats.duplicates, 0u);
	EXPECT_GT(x.c.stats.out_of_order + y.c.stats.out_of_order, 0u);
	l2tp_chan_fini(&x.c);
	l2tp_chan_fini(&y.c);
	EXPECT_EQ(0u, pool.n_in_use);
	l2tp_msgpool_fini(&pool);
}
