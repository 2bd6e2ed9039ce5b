// SPDX-License-Identifier: BSD-2-Clause
// Reliable delivery alone (RFC 2661 §5.8, Appendix A): ordering, acks,
// duplicates, windows, retransmission timing, congestion window, limits,
// and two channels over a lossy, duplicating, reordering link.
//
// Time is a plain millisecond count passed in; nothing reads a clock. Every
// transmission is checked on the way out (Ns, Nr, window) by the tx hook.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <random>
#include <tuple>
#include <vector>

extern "C" {
#include "l2tp_chan.h"
#include "l2tp_msgpool.h"
#include "l2tp_wire.h"
}

namespace
{

using Bytes = std::vector<uint8_t>;

constexpr size_t MSG_LEN = 20;	    // 12-byte header, then 8 bytes of body
constexpr size_t MARKER_OFF = 16;   // where the test writes its sequence marker
constexpr uint16_t OUR_TUNNEL = 7;  // written by the test into its messages
constexpr uint16_t PEER_TUNNEL = 9; // what ZLBs must be addressed to

uint16_t
ns_of(const Bytes &b)
{
	return get_be16(b.data() + L2TP_CTRL_NS_OFF);
}

uint16_t
nr_of(const Bytes &b)
{
	return get_be16(b.data() + L2TP_CTRL_NR_OFF);
}

uint32_t
marker_of(const Bytes &b)
{
	return get_be32(b.data() + MARKER_OFF);
}

// A 20-byte control message carrying a marker; Ns/Nr left 0 for the channel.
Bytes
msg(uint32_t marker)
{
	Bytes b(MSG_LEN, 0);
	l2tp_hdr_put_ctrl(b.data(), MSG_LEN, OUR_TUNNEL, 0, 0, 0);
	put_be32(b.data() + MARKER_OFF, marker);
	return b;
}

// One end of a channel, with what it transmitted and delivered, and the
// invariants every transmission must satisfy checked as it happens.
struct Peer {
	l2tp_chan c;
	std::vector<Bytes> tx;
	std::vector<Bytes> delivered;
	std::function<void(const Bytes &)> on_deliver; // e.g. answer at once
	uint32_t max_in_flight = 0;
};

void
check_tx(const Peer *p, const uint8_t *raw, const Bytes &m)
{
	const l2tp_chan &c = p->c;

	// §5.8: every message, retransmissions and ZLBs included, carries the current Nr
	EXPECT_EQ(c.nr, nr_of(m));
	if (m.size() == L2TP_CTRL_HDR_LEN) {
		// a ZLB uses the next Ns without consuming it, session 0, to the peer
		EXPECT_EQ(c.ns_next, ns_of(m));
		EXPECT_EQ(c.peer_tunnel_id, get_be16(m.data() + 4));
		EXPECT_EQ(0, get_be16(m.data() + 6));
		EXPECT_EQ(L2TP_CTRL_HDR_LEN, get_be16(m.data() + 2));
		return;
	}
	// a message is in flight: Ns in [una, ns_next)
	EXPECT_LT((uint16_t)(ns_of(m) - c.una), (uint16_t)(c.ns_next - c.una));
	EXPECT_LE(c.n_in_flight, c.peer_window);
	// a first transmission (the newest in flight) must also fit cwnd
	bool first =
		c.sent_tail != nullptr && raw == c.sent_tail->data && !c.sent_tail->retransmitted;
	if (first) {
		EXPECT_LE(c.n_in_flight, std::min<uint32_t>(c.cwnd, c.peer_window));
	}
}

void
on_tx(void *ctx, const uint8_t *m, size_t n)
{
	Peer *p = static_cast<Peer *>(ctx);
	Bytes b(m, m + n);

	check_tx(p, m, b);
	p->max_in_flight = std::max(p->max_in_flight, p->c.n_in_flight);
	p->tx.push_back(b);
}

void
on_deliver(void *ctx, const uint8_t *m, size_t n)
{
	Peer *p = static_cast<Peer *>(ctx);

	p->delivered.emplace_back(m, m + n);
	if (p->on_deliver)
		p->on_deliver(p->delivered.back());
}

const l2tp_chan_ops ops = { on_tx, on_deliver };

struct ChanTest : ::testing::Test {
	l2tp_msgpool pool;
	l2tp_chan_cfg cfg;
	Peer a;
	uint64_t now = 1000;
	bool started = false;

	void SetUp() override
	{
		l2tp_msgpool_init(&pool, 1024);
		l2tp_chan_cfg_defaults(&cfg);
		start();
	}
	// re-creates the channel after a test changed cfg
	void start()
	{
		if (started)
			l2tp_chan_fini(&a.c);
		ASSERT_EQ(0, l2tp_chan_init(&a.c, &cfg, &pool, &ops, &a, now));
		l2tp_chan_set_peer_tunnel(&a.c, PEER_TUNNEL);
		started = true;
	}
	void TearDown() override
	{
		l2tp_chan_fini(&a.c);
		EXPECT_EQ(0u, pool.n_in_use);
		l2tp_msgpool_fini(&pool);
		EXPECT_EQ(0u, pool.n_allocated);
	}
	// a message from the peer with this Ns, Nr and marker
	l2tp_chan_rx in(uint16_t ns, uint16_t nr, uint32_t marker = 0)
	{
		Bytes b = msg(marker);
		put_be16(b.data() + L2TP_CTRL_NS_OFF, ns);
		put_be16(b.data() + L2TP_CTRL_NR_OFF, nr);
		return l2tp_chan_input(&a.c, b.data(), b.size(), ns, nr, false, now);
	}
	l2tp_chan_rx zlb(uint16_t ns, uint16_t nr)
	{
		uint8_t z[L2TP_CTRL_HDR_LEN];
		l2tp_hdr_put_ctrl(z, sizeof(z), OUR_TUNNEL, 0, ns, nr);
		return l2tp_chan_input(&a.c, z, sizeof(z), ns, nr, true, now);
	}
	int send(uint32_t marker)
	{
		Bytes m = msg(marker);
		return l2tp_chan_send(&a.c, m.data(), m.size(), now);
	}
};

} // namespace

// ---- message pool ------------------------------------------------------

TEST(MsgPool, ReusesFreedBuffersAndRefusesAtTheLimit)
{
	l2tp_msgpool p;
	l2tp_msgpool_init(&p, 2);
	l2tp_msgbuf *x = l2tp_msgpool_get(&p);
	l2tp_msgbuf *y = l2tp_msgpool_get(&p);
	ASSERT_NE(nullptr, x);
	ASSERT_NE(nullptr, y);
	EXPECT_EQ(nullptr, l2tp_msgpool_get(&p)); // limit 2
	EXPECT_EQ(1u, p.exhausted);
	EXPECT_EQ(2u, p.n_in_use);
	l2tp_msgpool_put(&p, x);
	EXPECT_EQ(1u, p.n_in_use);
	EXPECT_EQ(x, l2tp_msgpool_get(&p)); // from the free list, no malloc
	EXPECT_EQ(2u, p.n_allocated);
	l2tp_msgpool_put(&p, x);
	l2tp_msgpool_put(&p, y);
	EXPECT_EQ(0u, p.n_in_use);
	l2tp_msgpool_fini(&p);
	EXPECT_EQ(0u, p.n_allocated);
	EXPECT_EQ(nullptr, p.free);
}

// ---- configuration and initial state -----------------------------------

TEST_F(ChanTest, DefaultsAndInitialState)
{
	EXPECT_EQ(4, cfg.rx_window);
	EXPECT_EQ(1000u, cfg.rtx_initial_ms);
	EXPECT_EQ(8000u, cfg.rtx_max_ms);
	EXPECT_EQ(5, cfg.rtx_retries);
	EXPECT_EQ(50u, cfg.ack_delay_ms);
	EXPECT_EQ(4096u, cfg.max_queue);
	EXPECT_EQ(L2TP_CHAN_DEFAULT_WINDOW, a.c.peer_window); // §5.8: no AVP 10 yet
	EXPECT_EQ(1u, a.c.cwnd);
	EXPECT_EQ(4u, a.c.ssthresh);
	EXPECT_EQ(UINT64_MAX, l2tp_chan_next_timeout(&a.c));
	EXPECT_TRUE(l2tp_chan_idle(&a.c));
	EXPECT_EQ(now, a.c.last_rx);
	EXPECT_EQ(now, a.c.last_tx);
	l2tp_chan_set_peer_window(&a.c, 0); // invalid AVP 10 value: ignored
	EXPECT_EQ(4, a.c.peer_window);
	l2tp_chan_set_peer_window(&a.c, 10);
	EXPECT_EQ(10, a.c.peer_window);
	EXPECT_EQ(10u, a.c.ssthresh);
}

TEST_F(ChanTest, RxWindowIsClamped)
{
	cfg.rx_window = 0;
	start();
	EXPECT_EQ(1, a.c.cfg.rx_window);
	cfg.rx_window = L2TP_CHAN_MAX_RX_WINDOW + 1;
	start();
	EXPECT_EQ(L2TP_CHAN_MAX_RX_WINDOW, a.c.cfg.rx_window);
	// the largest window holds its last slot
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(L2TP_CHAN_MAX_RX_WINDOW - 1, 0));
	EXPECT_EQ(L2TP_CHAN_RX_OUT_OF_WINDOW, in(L2TP_CHAN_MAX_RX_WINDOW, 0));
}

TEST(Chan, RxResultsHaveNames)
{
	EXPECT_STREQ("ok", l2tp_chan_rx_str(L2TP_CHAN_RX_OK));
	EXPECT_STREQ("duplicate", l2tp_chan_rx_str(L2TP_CHAN_RX_DUPLICATE));
	EXPECT_STREQ("out of window", l2tp_chan_rx_str(L2TP_CHAN_RX_OUT_OF_WINDOW));
	EXPECT_STREQ("bad Nr", l2tp_chan_rx_str(L2TP_CHAN_RX_BAD_NR));
	EXPECT_STREQ("no buffer", l2tp_chan_rx_str(L2TP_CHAN_RX_NO_BUFFER));
	EXPECT_STREQ("?", l2tp_chan_rx_str((l2tp_chan_rx)99));
}

// ---- acknowledgement ---------------------------------------------------

// Request/answer in turn, like SCCRQ/SCCRP/SCCCN: every answer carries the
// ack, so no ZLB is ever needed until the last message.
TEST_F(ChanTest, InOrderExchangeWithPiggybackedAcks)
{
	for (uint16_t i = 0; i < 5; i++) {
		ASSERT_EQ(0, send(100 + i));
		EXPECT_EQ(now, a.c.last_tx);
		ASSERT_EQ(i + 1u, a.tx.size());
		EXPECT_EQ(i, ns_of(a.tx.back()));
		EXPECT_EQ(i, nr_of(a.tx.back()));
		now += 20;
		// the peer answers with its Ns i, acknowledging ours
		EXPECT_EQ(L2TP_CHAN_RX_OK, in(i, (uint16_t)(i + 1), 200 + i));
		EXPECT_EQ(now, a.c.last_rx);
		EXPECT_EQ(0u, a.c.n_in_flight);
		EXPECT_EQ(i + 1u, a.delivered.size());
		EXPECT_EQ(200u + i, marker_of(a.delivered.back()));
		now += 20; // answered before the ack delay runs out
		l2tp_chan_timeout(&a.c, now);
	}
	EXPECT_EQ(0u, a.c.stats.zlb_tx);
	EXPECT_EQ(5u, a.c.stats.tx_msgs);
	EXPECT_EQ(5u, a.c.stats.rx_msgs);
	EXPECT_EQ(20u, a.c.stats.rtt_last_ms);
	EXPECT_EQ(20u, a.c.stats.srtt_ms);
	// the last answer is owed an ack: a ZLB after the delay
	l2tp_chan_timeout(&a.c, now + 50);
	ASSERT_EQ(6u, a.tx.size());
	EXPECT_EQ(L2TP_CTRL_HDR_LEN, a.tx.back().size());
	EXPECT_EQ(5, nr_of(a.tx.back()));
}

// The engine answers from inside deliver(). Held messages released by one
// arrival are delivered one at a time with Nr already past each, so every
// answer acknowledges exactly what came, and no ZLB is owed afterwards.
TEST_F(ChanTest, AnswersToReleasedHeldMessagesCarryEachNr)
{
	l2tp_chan_set_peer_window(&a.c, 8);
	a.c.cwnd = 8; // let every answer go at once
	std::vector<uint16_t> nr_at_deliver;
	a.on_deliver = [this, &nr_at_deliver](const Bytes &m) {
		nr_at_deliver.push_back(a.c.nr);
		ASSERT_EQ(0, send(marker_of(m)));
	};
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(2, 0, 12));
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(1, 0, 11));
	EXPECT_TRUE(a.tx.empty());
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(0, 0, 10));
	EXPECT_EQ((std::vector<uint16_t>{ 1, 2, 3 }), nr_at_deliver);
	ASSERT_EQ(3u, a.tx.size());
	for (uint16_t i = 0; i < 3; i++) {
		EXPECT_EQ(i, ns_of(a.tx[i]));
		EXPECT_EQ(i + 1, nr_of(a.tx[i]));
		EXPECT_EQ(10u + i, marker_of(a.tx[i]));
	}
	EXPECT_EQ(UINT64_MAX, a.c.ack_deadline);
	EXPECT_EQ(now + 1000, l2tp_chan_next_timeout(&a.c)); // only the retransmission
	l2tp_chan_timeout(&a.c, now + 999);
	EXPECT_EQ(3u, a.tx.size());
	EXPECT_EQ(0u, a.c.stats.zlb_tx);
}

TEST_F(ChanTest, UnansweredMessageGetsAZlbAfterTheAckDelay)
{
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(0, 0));
	EXPECT_EQ(now + 50, l2tp_chan_next_timeout(&a.c));
	EXPECT_TRUE(l2tp_chan_timeout(&a.c, now + 49));
	EXPECT_TRUE(a.tx.empty());
	EXPECT_TRUE(l2tp_chan_timeout(&a.c, now + 50));
	ASSERT_EQ(1u, a.tx.size());
	EXPECT_EQ(L2TP_CTRL_HDR_LEN, a.tx[0].size());
	EXPECT_EQ(0, ns_of(a.tx[0]));
	EXPECT_EQ(1, nr_of(a.tx[0]));
	EXPECT_EQ(PEER_TUNNEL, get_be16(a.tx[0].data() + 4));
	EXPECT_EQ(L2TP_FLAG_T | L2TP_FLAG_L | L2TP_FLAG_S | L2TP_VERSION, get_be16(a.tx[0].data()));
	EXPECT_EQ(1u, a.c.stats.zlb_tx);
	EXPECT_EQ(now + 50, a.c.last_tx);
	EXPECT_EQ(UINT64_MAX, l2tp_chan_next_timeout(&a.c));
	// the ZLB consumed no Ns: the next message is still Ns 0
	ASSERT_EQ(0, send(1));
	EXPECT_EQ(0, ns_of(a.tx.back()));
}

// An ack already owed keeps its deadline when more messages arrive.
TEST_F(ChanTest, OwedAckIsNotPostponedByLaterMessages)
{
	in(0, 0);
	const uint64_t due = now + 50;
	now += 30;
	in(1, 0);
	EXPECT_EQ(due, l2tp_chan_next_timeout(&a.c));
	l2tp_chan_timeout(&a.c, due);
	ASSERT_EQ(1u, a.tx.size());
	EXPECT_EQ(2, nr_of(a.tx[0])); // one ZLB acknowledges both
}

TEST_F(ChanTest, FlushAckSendsTheOwedZlbNow)
{
	l2tp_chan_flush_ack(&a.c); // nothing owed: nothing sent
	EXPECT_TRUE(a.tx.empty());
	now += 100;
	in(0, 0);
	l2tp_chan_flush_ack(&a.c);
	ASSERT_EQ(1u, a.tx.size());
	EXPECT_EQ(1, nr_of(a.tx[0]));
	EXPECT_EQ(now, a.c.last_tx);
	EXPECT_EQ(UINT64_MAX, l2tp_chan_next_timeout(&a.c));
}

// §5.8: a ZLB only acknowledges: never delivered, never acknowledged.
TEST_F(ChanTest, ZlbIsNeitherDeliveredNorAcked)
{
	ASSERT_EQ(0, send(1));
	now += 10;
	EXPECT_EQ(L2TP_CHAN_RX_OK, zlb(0, 1));
	EXPECT_TRUE(a.delivered.empty());
	EXPECT_EQ(0, a.c.nr);
	EXPECT_EQ(1u, a.c.stats.zlb_rx);
	EXPECT_EQ(0u, a.c.n_in_flight);
	EXPECT_EQ(UINT64_MAX, l2tp_chan_next_timeout(&a.c));
	EXPECT_EQ(now, a.c.last_rx);
	l2tp_chan_timeout(&a.c, now + 10000);
	EXPECT_EQ(1u, a.tx.size()); // no ZLB answers a ZLB
}

// ---- receive classification --------------------------------------------

TEST_F(ChanTest, DuplicateIsAckedAgainAndNotDelivered)
{
	in(0, 0, 1);
	in(1, 0, 2);
	now += 5;
	EXPECT_EQ(L2TP_CHAN_RX_DUPLICATE, in(0, 0, 1));
	EXPECT_EQ(2u, a.delivered.size());
	ASSERT_EQ(1u, a.tx.size()); // the immediate ZLB, not waiting for the delay
	EXPECT_EQ(L2TP_CTRL_HDR_LEN, a.tx[0].size());
	EXPECT_EQ(2, nr_of(a.tx[0]));
	EXPECT_EQ(now, a.c.last_tx);
	EXPECT_EQ(UINT64_MAX, a.c.ack_deadline); // that ZLB acked everything
	EXPECT_EQ(1u, a.c.stats.duplicates);
	EXPECT_EQ(2u, a.c.stats.rx_msgs);
}

TEST_F(ChanTest, EarlyMessagesAreHeldAndDeliveredInOrder)
{
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(3, 0, 13));
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(1, 0, 11));
	EXPECT_EQ(L2TP_CHAN_RX_DUPLICATE, in(3, 0, 13)); // held already: not twice
	EXPECT_TRUE(a.delivered.empty());
	EXPECT_TRUE(a.tx.empty()); // nothing to ack yet
	EXPECT_EQ(2u, a.c.stats.out_of_order);
	EXPECT_EQ(2u, pool.n_in_use);
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(0, 0, 10)); // 0 and 1 go; 3 waits for 2
	ASSERT_EQ(2u, a.delivered.size());
	EXPECT_EQ(2, a.c.nr);
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(2, 0, 12));
	ASSERT_EQ(4u, a.delivered.size());
	for (uint32_t i = 0; i < 4; i++)
		EXPECT_EQ(10 + i, marker_of(a.delivered[i]));
	EXPECT_EQ(4, a.c.nr);
	EXPECT_EQ(0u, pool.n_in_use);
}

// Each row pins one clause of §5.8 as applied by the receiver, against an
// expected Nr that may sit anywhere in the sequence space (rx_window 4).
TEST_F(ChanTest, ReceiveClassificationTable)
{
	struct Row {
		uint16_t nr;
		uint16_t ns;
		l2tp_chan_rx want;
		const char *why;
	};
	const Row rows[] = {
		{ 10, 10, L2TP_CHAN_RX_OK, "the expected message is delivered" },
		{ 10, 11, L2TP_CHAN_RX_OK, "one early: held" },
		{ 10, 13, L2TP_CHAN_RX_OK, "last slot of the window: held" },
		{ 10, 14, L2TP_CHAN_RX_OUT_OF_WINDOW, "first beyond the window" },
		{ 10, 9, L2TP_CHAN_RX_DUPLICATE, "just behind: our ack was lost" },
		{ 10, (uint16_t)(10 - 32768), L2TP_CHAN_RX_DUPLICATE, "half the space behind" },
		{ 10, (uint16_t)(10 + 32767), L2TP_CHAN_RX_OUT_OF_WINDOW, "half the space ahead" },
		{ 65534, 1, L2TP_CHAN_RX_OK, "held across the wrap (65534 + 3)" },
		{ 65534, 2, L2TP_CHAN_RX_OUT_OF_WINDOW, "beyond the window across the wrap" },
		{ 1, 65535, L2TP_CHAN_RX_DUPLICATE, "behind across the wrap" },
		{ 0, 65535, L2TP_CHAN_RX_DUPLICATE, "Nr 0 after a wrap: 65535 was seen" },
	};
	for (const Row &r : rows) {
		SCOPED_TRACE(r.why);
		start();
		a.c.nr = r.nr;
		EXPECT_EQ(r.want, in(r.ns, 0));
		bool delivered = r.want == L2TP_CHAN_RX_OK && r.ns == r.nr;
		EXPECT_EQ(delivered ? (uint16_t)(r.nr + 1) : r.nr, a.c.nr);
		a.delivered.clear();
		a.tx.clear();
	}
}

// ---- Nr validation -----------------------------------------------------

// An Nr acknowledging what was never sent marks a forged or confused
// message: nothing of it is used, not even its acknowledgement.
TEST_F(ChanTest, BadNrIsDroppedWithNoStateChange)
{
	ASSERT_EQ(0, send(1)); // Ns 0 in flight (cwnd 1)
	ASSERT_EQ(0, send(2)); // Ns 1 waits for the window: not sent
	now += 100;
	auto state = [this] {
		const l2tp_chan &c = a.c;
		return std::make_tuple(c.nr, c.una, c.ns_next, c.n_in_flight, c.n_waiting, c.cwnd,
				       c.rtx_deadline, c.ack_deadline, c.last_rx, c.stats.rx_msgs,
				       c.stats.zlb_rx, c.stats.out_of_order, a.tx.size());
	};
	const auto before = state();
	// Ns 1 was given but never sent; 32767 is the farthest "ahead" there is
	for (uint16_t nr : { 2, 3, 100, 32767 }) {
		SCOPED_TRACE(nr);
		EXPECT_EQ(L2TP_CHAN_RX_BAD_NR, in(0, nr, 9));
		EXPECT_EQ(L2TP_CHAN_RX_BAD_NR, zlb(0, nr));
	}
	EXPECT_EQ(8u, a.c.stats.bad_nr);
	EXPECT_TRUE(a.delivered.empty());
	EXPECT_EQ(before, state()); // last_rx too: no sign of life for HELLO
	// a valid Nr after all that is taken as usual
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(0, 1, 9));
	EXPECT_EQ(1u, a.delivered.size());
	EXPECT_EQ(1, a.c.una);
}

// A reordered or duplicated message carries an Nr behind what is already
// acknowledged: it acknowledges nothing new, and the message itself counts.
TEST_F(ChanTest, StaleNrIsNoError)
{
	ASSERT_EQ(0, send(1));
	EXPECT_EQ(L2TP_CHAN_RX_OK, zlb(0, 1));
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(0, 0, 5)); // sent by the peer before our ZLB came
	EXPECT_EQ(1u, a.delivered.size());
	EXPECT_EQ(1, a.c.una);
	EXPECT_EQ(0u, a.c.stats.bad_nr);
}

// ---- send window and congestion window ---------------------------------

TEST_F(ChanTest, WindowLimitsWhatIsInFlight)
{
	for (uint32_t i = 0; i < 20; i++)
		ASSERT_EQ(0, send(i));
	EXPECT_EQ(1u, a.tx.size()); // slow start: cwnd 1
	EXPECT_EQ(19u, a.c.n_waiting);
	EXPECT_EQ(19u, a.c.stats.window_stalls);
	uint16_t acked = 0;
	int rounds = 0;
	while (acked < 20) {
		ASSERT_GT(a.c.n_in_flight, 0u);
		ASSERT_LE(a.c.n_in_flight, 4u);
		acked = (uint16_t)(acked + a.c.n_in_flight);
		now += 10;
		ASSERT_EQ(L2TP_CHAN_RX_OK, zlb(0, acked));
		rounds++;
	}
	EXPECT_TRUE(l2tp_chan_idle(&a.c));
	EXPECT_EQ(4u, a.max_in_flight);
	ASSERT_EQ(20u, a.tx.size());
	for (uint16_t i = 0; i < 20; i++) {
		EXPECT_EQ(i, ns_of(a.tx[i])); // sent in the order queued
		EXPECT_EQ(i, marker_of(a.tx[i]));
	}
	EXPECT_EQ(4u, a.c.cwnd);
	EXPECT_EQ(7, rounds); // 1, 2, 4, 4, 4, 4, 1
	EXPECT_EQ(UINT64_MAX, l2tp_chan_next_timeout(&a.c));
}

// Appendix A: cwnd doubles per round trip up to the peer's window.
TEST_F(ChanTest, SlowStartDoublesPerRoundTrip)
{
	l2tp_chan_set_peer_window(&a.c, 8);
	for (uint32_t i = 0; i < 30; i++)
		ASSERT_EQ(0, send(i));
	std::vector<uint32_t> flights;
	uint16_t acked = 0;
	while (acked < 30) {
		flights.push_back(a.c.n_in_flight);
		acked = (uint16_t)(acked + a.c.n_in_flight);
		zlb(0, acked);
	}
	EXPECT_EQ((std::vector<uint32_t>{ 1, 2, 4, 8, 8, 7 }), flights);
	EXPECT_EQ(8u, a.c.cwnd); // congestion avoidance would be at 9: capped at the window
	EXPECT_EQ(8u, a.max_in_flight);
}

// Appendix A: after a timeout, slow start up to the halved ssthresh, then
// one more per cwnd messages acknowledged (congestion avoidance).
TEST_F(ChanTest, CongestionAvoidanceAfterATimeout)
{
	l2tp_chan_set_peer_window(&a.c, 16);
	for (uint32_t i = 0; i < 60; i++)
		ASSERT_EQ(0, send(i));
	uint16_t acked = 0;
	while (a.c.cwnd < 8) { // slow start 1 -> 2 -> 4 -> 8
		acked = (uint16_t)(acked + a.c.n_in_flight);
		zlb(0, acked);
	}
	ASSERT_EQ(8u, a.c.cwnd);
	ASSERT_EQ(8u, a.c.n_in_flight);
	now = a.c.rtx_deadline;
	ASSERT_TRUE(l2tp_chan_timeout(&a.c, now));
	EXPECT_EQ(4u, a.c.ssthresh);
	EXPECT_EQ(1u, a.c.cwnd);
	// one ack at a time; cwnd after each
	std::vector<uint32_t> cwnd;
	for (int i = 0; i < 12; i++) {
		acked++;
		ASSERT_EQ(L2TP_CHAN_RX_OK, zlb(0, acked));
		cwnd.push_back(a.c.cwnd);
	}
	EXPECT_EQ((std::vector<uint32_t>{ 2, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5, 6 }), cwnd);
	EXPECT_LE(a.max_in_flight, 8u);
}

// ---- retransmission ----------------------------------------------------

// Defaults 1 s, 8 s, 5 retries: retransmissions at 1, 3, 7, 15, 23 s and
// given up at 31 s, each retransmission with the Nr current at the time.
TEST_F(ChanTest, RetransmissionTimingAndDeath)
{
	ASSERT_EQ(0, send(1));
	ASSERT_EQ(0, send(2)); // waits: cwnd 1
	const uint64_t t0 = now;
	std::vector<uint64_t> at;
	uint64_t died = 0;
	for (uint64_t t = t0; t <= t0 + 40000; t++) {
		now = t;
		if (t == t0 + 2000)
			in(0, 0, 50); // the peer talks but never acks: Nr moves on
		if (l2tp_chan_next_timeout(&a.c) > t)
			continue;
		size_t before = a.tx.size();
		if (!l2tp_chan_timeout(&a.c, t)) {
			died = t;
			break;
		}
		for (size_t i = before; i < a.tx.size(); i++)
			if (a.tx[i].size() > L2TP_CTRL_HDR_LEN)
				at.push_back(t);
	}
	EXPECT_EQ(
		(std::vector<uint64_t>{ t0 + 1000, t0 + 3000, t0 + 7000, t0 + 15000, t0 + 23000 }),
		at);
	EXPECT_EQ(t0 + 31000, died);
	for (const Bytes &m : a.tx) {
		if (m.size() == L2TP_CTRL_HDR_LEN)
			continue;	// the ZLB for the peer's message
		EXPECT_EQ(0, ns_of(m)); // only the oldest; the waiting one never went
		EXPECT_EQ(1u, marker_of(m));
	}
	EXPECT_EQ(0, nr_of(a.tx[1]));	  // before the peer's message
	EXPECT_EQ(1, nr_of(a.tx.back())); // after it
	EXPECT_EQ(5u, a.c.stats.retransmits);
	EXPECT_EQ(1u, a.c.stats.tx_msgs);
	EXPECT_TRUE(a.c.dead);
	EXPECT_FALSE(l2tp_chan_timeout(&a.c, now + 1));
	EXPECT_EQ(UINT64_MAX, l2tp_chan_next_timeout(&a.c));
	EXPECT_EQ(-EPIPE, send(3));
	EXPECT_EQ(1u, a.c.cwnd);
	EXPECT_EQ(1u, a.c.ssthresh);
}

TEST_F(ChanTest, BackOffIsCappedAtRtxMax)
{
	cfg.rtx_initial_ms = 500;
	cfg.rtx_max_ms = 3000;
	cfg.rtx_retries = 8;
	start();
	ASSERT_EQ(0, send(1));
	std::vector<uint64_t> gaps; // between expiries, from the first send
	uint64_t last = now;
	for (int i = 0; i < 20; i++) {
		uint64_t t = l2tp_chan_next_timeout(&a.c);
		gaps.push_back(t - last);
		last = t;
		if (!l2tp_chan_timeout(&a.c, t))
			break;
	}
	// 8 retransmissions doubling from 500 ms up to 3 s, then the last expiry
	EXPECT_EQ((std::vector<uint64_t>{ 500, 1000, 2000, 3000, 3000, 3000, 3000, 3000, 3000 }),
		  gaps);
	EXPECT_TRUE(a.c.dead);
	EXPECT_EQ(8u, a.c.stats.retransmits);
	EXPECT_EQ(3000u, a.c.rtx_interval_ms);
}

TEST_F(ChanTest, ProgressResetsTheBackOff)
{
	ASSERT_EQ(0, send(1));
	ASSERT_EQ(0, send(2));
	l2tp_chan_timeout(&a.c, now + 1000);
	l2tp_chan_timeout(&a.c, now + 3000);
	EXPECT_EQ(2, a.c.rtx_count);
	EXPECT_EQ(4000u, a.c.rtx_interval_ms);
	now += 3500;
	EXPECT_EQ(L2TP_CHAN_RX_OK, zlb(0, 1)); // progress: Ns 0 acked, Ns 1 goes
	EXPECT_EQ(0, a.c.rtx_count);
	EXPECT_EQ(1000u, a.c.rtx_interval_ms);
	EXPECT_EQ(now + 1000, l2tp_chan_next_timeout(&a.c));
	EXPECT_EQ(1, ns_of(a.tx.back()));
	EXPECT_EQ(L2TP_CHAN_RX_OK, zlb(0, 2));
	EXPECT_EQ(UINT64_MAX, l2tp_chan_next_timeout(&a.c)); // nothing in flight
	EXPECT_TRUE(l2tp_chan_idle(&a.c));
}

// Karn: an ack for a message sent twice gives no RTT sample.
TEST_F(ChanTest, RttSamplesSkipRetransmittedMessages)
{
	ASSERT_EQ(0, send(1));
	now += 80;
	zlb(0, 1);
	EXPECT_EQ(80u, a.c.stats.rtt_last_ms);
	EXPECT_EQ(80u, a.c.stats.srtt_ms);
	ASSERT_EQ(0, send(2));
	now += 40;
	zlb(0, 2);
	EXPECT_EQ(40u, a.c.stats.rtt_last_ms);
	EXPECT_EQ(75u, a.c.stats.srtt_ms); // 7/8 * 80 + 1/8 * 40
	ASSERT_EQ(0, send(3));
	l2tp_chan_timeout(&a.c, now + 1000);
	now += 1200;
	zlb(0, 3);
	EXPECT_EQ(40u, a.c.stats.rtt_last_ms);
	EXPECT_EQ(75u, a.c.stats.srtt_ms);
}

// ---- sequence number wraparound ----------------------------------------

TEST_F(ChanTest, SequenceNumbersWrapAt65536)
{
	a.c.nr = 65534;
	a.c.ns_next = a.c.una = 65534;
	l2tp_chan_set_peer_window(&a.c, 4);
	a.c.cwnd = 4;
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(65534, 65534, 1));
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(0, 65534, 3)); // held: 65535 missing
	EXPECT_EQ(L2TP_CHAN_RX_OK, in(65535, 65534, 2));
	ASSERT_EQ(3u, a.delivered.size());
	for (uint32_t i = 0; i < 3; i++)
		EXPECT_EQ(1 + i, marker_of(a.delivered[i]));
	EXPECT_EQ(1, a.c.nr);
	for (uint32_t i = 0; i < 4; i++)
		ASSERT_EQ(0, send(10 + i));
	ASSERT_EQ(4u, a.tx.size());
	EXPECT_EQ((std::vector<uint16_t>{ 65534, 65535, 0, 1 }),
		  (std::vector<uint16_t>{ ns_of(a.tx[0]), ns_of(a.tx[1]), ns_of(a.tx[2]),
					  ns_of(a.tx[3]) }));
	EXPECT_EQ(L2TP_CHAN_RX_BAD_NR, zlb(1, 3)); // one beyond what was sent
	EXPECT_EQ(L2TP_CHAN_RX_OK, zlb(1, 0));	   // acks 65534 and 65535
	EXPECT_EQ(2u, a.c.n_in_flight);
	EXPECT_EQ(0, a.c.una);
	EXPECT_EQ(L2TP_CHAN_RX_OK, zlb(1, 65535)); // stale across the wrap
	EXPECT_EQ(L2TP_CHAN_RX_OK, zlb(1, 2));
	EXPECT_TRUE(l2tp_chan_idle(&a.c));
	EXPECT_EQ(L2TP_CHAN_RX_DUPLICATE, in(65535, 2));
	EXPECT_EQ(3u, a.delivered.size());
}

// ---- limits ------------------------------------------------------------

TEST_F(ChanTest, PoolExhaustionIsENOBUFS)
{
	l2tp_msgpool tiny;
	l2tp_msgpool_init(&tiny, 2);
	Peer b;
	ASSERT_EQ(0, l2tp_chan_init(&b.c, &cfg, &tiny, &ops, &b, now));
	Bytes m = msg(1);
	EXPECT_EQ(0, l2tp_chan_send(&b.c, m.data(), m.size(), now));
	EXPECT_EQ(0, l2tp_chan_send(&b.c, m.data(), m.size(), now));
	EXPECT_EQ(-ENOBUFS, l2tp_chan_send(&b.c, m.data(), m.size(), now));
	EXPECT_EQ(1u, b.c.stats.no_buffer);
	EXPECT_EQ(1u, tiny.exhausted);
	EXPECT_EQ(2, b.c.ns_next); // a refused message takes no Ns
	// an early message cannot be held either: dropped, the peer retransmits
	m = msg(2);
	put_be16(m.data() + L2TP_CTRL_NS_OFF, 1);
	EXPECT_EQ(L2TP_CHAN_RX_NO_BUFFER,
		  l2tp_chan_input(&b.c, m.data(), m.size(), 1, 0, false, now));
	EXPECT_EQ(2u, b.c.stats.no_buffer);
	// the one in order needs no buffer
	EXPECT_EQ(L2TP_CHAN_RX_OK, l2tp_chan_input(&b.c, m.data(), m.size(), 0, 0, false, now));
	EXPECT_EQ(1u, b.delivered.size());
	l2tp_chan_fini(&b.c);
	EXPECT_EQ(0u, tiny.n_in_use);
	l2tp_msgpool_fini(&tiny);
}

TEST_F(ChanTest, MaxQueueIsENOSPC)
{
	cfg.max_queue = 2;
	start();
	EXPECT_EQ(0, send(1)); // in flight
	EXPECT_EQ(0, send(2)); // waiting
	EXPECT_EQ(0, send(3)); // waiting
	EXPECT_EQ(-ENOSPC, send(4));
	EXPECT_EQ(2u, a.c.n_waiting);
	EXPECT_EQ(3, a.c.ns_next);
	zlb(0, 1); // one waiting message goes: room again
	EXPECT_EQ(0, send(4));
}

TEST_F(ChanTest, BadLengthIsEINVAL)
{
	Bytes big(L2TP_CTRL_MAX_LEN + 1, 0);
	l2tp_hdr_put_ctrl(big.data(), 0, OUR_TUNNEL, 0, 0, 0);
	EXPECT_EQ(-EINVAL, l2tp_chan_send(&a.c, big.data(), big.size(), now));
	EXPECT_EQ(-EINVAL, l2tp_chan_send(&a.c, big.data(), L2TP_CTRL_HDR_LEN - 1, now));
	EXPECT_EQ(0, l2tp_chan_send(&a.c, big.data(), L2TP_CTRL_MAX_LEN, now));
	EXPECT_EQ(1, a.c.ns_next);
	// nor is a message of a length lnsd cannot hold taken in
	EXPECT_EQ(L2TP_CHAN_RX_OUT_OF_WINDOW,
		  l2tp_chan_input(&a.c, big.data(), big.size(), 0, 0, false, now));
	EXPECT_EQ(1u, a.c.stats.out_of_window);
	EXPECT_EQ(0, a.c.nr);
}

TEST_F(ChanTest, FiniReturnsEveryBuffer)
{
	for (uint32_t i = 0; i < 5; i++)
		ASSERT_EQ(0, send(i)); // 1 in flight, 4 waiting
	in(2, 0);
	in(3, 0); // 2 held
	EXPECT_EQ(7u, pool.n_in_use);
	// TearDown checks the pool is whole after fini
}

// ---- two channels over a lossy link -------------------------------------

namespace
{

// A datagram on its way, due at a time.
struct Flight {
	uint64_t at;
	Peer *to;
	Bytes m;
};

struct LinkParams {
	unsigned seed;
	uint16_t x_rx_window, y_rx_window;
};

class LossyLink : public ::testing::TestWithParam<LinkParams>
{
};

} // namespace

// Two channels, 1000 messages each way, over a link that loses 20%,
// duplicates 10% and delays 20% (reordering). y answers half of what it
// receives from inside deliver(). Every message arrives once, in order,
// and no channel ever has more in flight than its peer's window.
TEST_P(LossyLink, DeliversEverythingOnceInOrder)
{
	const LinkParams lp = GetParam();
	const uint32_t N = 1000;
	l2tp_msgpool pool;
	l2tp_msgpool_init(&pool, 4096);
	l2tp_chan_cfg cfg;
	l2tp_chan_cfg_defaults(&cfg);
	cfg.rtx_retries = 10; // six losses in a row must not end the run
	Peer x, y;
	uint64_t now = 1000;
	cfg.rx_window = lp.x_rx_window;
	ASSERT_EQ(0, l2tp_chan_init(&x.c, &cfg, &pool, &ops, &x, now));
	cfg.rx_window = lp.y_rx_window;
	ASSERT_EQ(0, l2tp_chan_init(&y.c, &cfg, &pool, &ops, &y, now));
	l2tp_chan_set_peer_tunnel(&x.c, 2);
	l2tp_chan_set_peer_tunnel(&y.c, 1);
	l2tp_chan_set_peer_window(&x.c, lp.y_rx_window); // AVP 10 of each side
	l2tp_chan_set_peer_window(&y.c, lp.x_rx_window);

	std::mt19937 rng(lp.seed);
	std::uniform_real_distribution<double> u(0, 1);
	uint32_t x_next = 0, y_next = 0;
	auto send_next = [&now](Peer &p, uint32_t &next, uint32_t base) {
		Bytes m = msg(base + next++);
		ASSERT_EQ(0, l2tp_chan_send(&p.c, m.data(), m.size(), now));
	};
	y.on_deliver = [&](const Bytes &) {
		if (y_next < N && u(rng) < 0.5)
			send_next(y, y_next, 100000);
	};

	std::vector<Flight> wire;
	size_t x_seen = 0, y_seen = 0;
	auto to_wire = [&](Peer &from, size_t &seen, Peer *to) {
		for (; seen < from.tx.size(); seen++) {
			if (u(rng) < 0.2)
				continue; // lost
			int copies = u(rng) < 0.1 ? 2 : 1;
			for (int k = 0; k < copies; k++) {
				uint64_t delay = 10 + (u(rng) < 0.2 ? 40 : 0) + (uint64_t)k * 5;
				wire.push_back({ now + delay, to, from.tx[seen] });
			}
		}
	};

	int turns = 0;
	for (; turns < 1000000; turns++) {
		if (x_next < N && x.c.n_waiting < 8)
			send_next(x, x_next, 0);
		if (y_next < N && y.c.n_waiting < 8 && u(rng) < 0.5)
			send_next(y, y_next, 100000);
		to_wire(x, x_seen, &y);
		to_wire(y, y_seen, &x);
		if (x_next == N && y_next == N && l2tp_chan_idle(&x.c) && l2tp_chan_idle(&y.c))
			break;
		uint64_t next =
			std::min(l2tp_chan_next_timeout(&x.c), l2tp_chan_next_timeout(&y.c));
		for (const Flight &f : wire)
			next = std::min(next, f.at);
		ASSERT_NE(UINT64_MAX, next) << "stalled with nothing to do";
		now = std::max(now, next);
		// deliver what is due, in the order it was put on the wire
		std::vector<Flight> due;
		auto split = std::stable_partition(
			wire.begin(), wire.end(),
			[this_now = now](const Flight &f) { return f.at > this_now; });
		due.assign(split, wire.end());
		wire.erase(split, wire.end());
		for (Flight &f : due) {
			uint16_t ns = get_be16(f.m.data() + L2TP_CTRL_NS_OFF);
			uint16_t nr = get_be16(f.m.data() + L2TP_CTRL_NR_OFF);
			l2tp_chan_rx r = l2tp_chan_input(&f.to->c, f.m.data(), f.m.size(), ns, nr,
							 f.m.size() == L2TP_CTRL_HDR_LEN, now);
			ASSERT_NE(L2TP_CHAN_RX_BAD_NR, r);
			ASSERT_NE(L2TP_CHAN_RX_NO_BUFFER, r);
		}
		ASSERT_TRUE(l2tp_chan_timeout(&x.c, now));
		ASSERT_TRUE(l2tp_chan_timeout(&y.c, now));
	}
	ASSERT_LT(turns, 1000000);
	ASSERT_EQ(N, y.delivered.size());
	ASSERT_EQ(N, x.delivered.size());
	for (uint32_t i = 0; i < N; i++) {
		EXPECT_EQ(i, marker_of(y.delivered[i]));
		EXPECT_EQ(100000 + i, marker_of(x.delivered[i]));
	}
	EXPECT_EQ(N, x.c.stats.tx_msgs);
	EXPECT_EQ(N, y.c.stats.tx_msgs);
	EXPECT_EQ(N, x.c.stats.rx_msgs);
	EXPECT_EQ(N, y.c.stats.rx_msgs);
	EXPECT_LE(x.max_in_flight, (uint32_t)lp.y_rx_window);
	EXPECT_LE(y.max_in_flight, (uint32_t)lp.x_rx_window);
	EXPECT_GE(x.max_in_flight, 2u); // the window did open
	EXPECT_GT(x.c.stats.retransmits + y.c.stats.retransmits, 0u);
	EXPECT_GT(x.c.stats.duplicates + y.c.stats.duplicates, 0u);
	EXPECT_GT(x.c.stats.out_of_order + y.c.stats.out_of_order, 0u);
	EXPECT_EQ(0u, x.c.stats.out_of_window + y.c.stats.out_of_window);
	EXPECT_FALSE(x.c.dead || y.c.dead);
	l2tp_chan_fini(&x.c);
	l2tp_chan_fini(&y.c);
	EXPECT_EQ(0u, pool.n_in_use);
	l2tp_msgpool_fini(&pool);
}

INSTANTIATE_TEST_SUITE_P(Seeds, LossyLink,
			 ::testing::Values(LinkParams{ 42, 4, 4 }, LinkParams{ 7, 4, 4 },
					   LinkParams{ 2024, 8, 4 }, LinkParams{ 99, 16, 16 }));
