/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reliable delivery (RFC 2661 §5.8, Appendix A): see l2tp_chan.h.
 *
 * Buffers: every message sent stays on the sent list (oldest first) until
 * an Nr covers it; messages the window does not admit yet wait on the
 * wait list with their Ns already assigned; early arrivals sit in
 * held[ns - nr]. All of them come from the engine's pool and go back to it.
 */
#include "l2tp_chan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp_wire.h"

/* Serial-number arithmetic modulo 2^16 (§5.8): how far a is ahead of b. */
static inline int16_t
seq_diff(uint16_t a, uint16_t b)
{
	return (int16_t)(uint16_t)(a - b);
}

/* Distance from b forward to a, modulo 2^16. */
static inline uint16_t
seq_dist(uint16_t a, uint16_t b)
{
	return (uint16_t)(a - b);
}

/*
 * The engine never reads the clock; where no time is passed in (a flush
 * from inside a callback), the latest time the channel was given stands in.
 */
static uint64_t
chan_clock(const struct l2tp_chan *c)
{
	return c->last_rx > c->last_tx ? c->last_rx : c->last_tx;
}

void
l2tp_chan_cfg_defaults(struct l2tp_chan_cfg *cfg)
{
	cfg->rx_window = L2TP_CHAN_DEFAULT_WINDOW;
	cfg->rtx_initial_ms = 1000;
	cfg->rtx_max_ms = 8000;
	cfg->rtx_retries = 5;
	cfg->ack_delay_ms = 50;
	cfg->max_queue = 4096;
}

const char *
l2tp_chan_rx_str(enum l2tp_chan_rx r)
{
	switch (r) {
	case L2TP_CHAN_RX_OK:
		return "ok";
	case L2TP_CHAN_RX_DUPLICATE:
		return "duplicate";
	case L2TP_CHAN_RX_OUT_OF_WINDOW:
		return "out of window";
	case L2TP_CHAN_RX_BAD_NR:
		return "bad Nr";
	case L2TP_CHAN_RX_NO_BUFFER:
		return "no buffer";
	}
	return "?";
}

/*
 * Keeps a configuration the channel can run with: a window of at least one
 * message, a retransmission interval that is never zero (it would resend on
 * every call) and a back-off that never shrinks.
 */
static void
clamp_cfg(struct l2tp_chan_cfg *cfg)
{
	if (cfg->rx_window == 0)
		cfg->rx_window = 1;
	if (cfg->rx_window > L2TP_CHAN_MAX_RX_WINDOW)
		cfg->rx_window = L2TP_CHAN_MAX_RX_WINDOW;
	if (cfg->rtx_initial_ms == 0)
		cfg->rtx_initial_ms = 1;
	if (cfg->rtx_max_ms < cfg->rtx_initial_ms)
		cfg->rtx_max_ms = cfg->rtx_initial_ms;
}

/*
 * §5.8: both sides start at Ns 0 and Nr 0, and the peer's window is 4 until
 * its AVP 10 says otherwise. The held-message array is the only allocation.
 */
int
l2tp_chan_init(struct l2tp_chan *c, const struct l2tp_chan_cfg *cfg, struct l2tp_msgpool *pool,
	       const struct l2tp_chan_ops *ops, void *ctx, uint64_t now)
{
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	clamp_cfg(&c->cfg);
	c->held = calloc(c->cfg.rx_window, sizeof(*c->held));
	if (c->held == NULL)
		return -ENOMEM;
	c->ops = ops;
	c->ctx = ctx;
	c->pool = pool;
	c->peer_window = L2TP_CHAN_DEFAULT_WINDOW;
	c->cwnd = 1;
	c->ssthresh = c->peer_window;
	c->rtx_deadline = UINT64_MAX;
	c->rtx_interval_ms = c->cfg.rtx_initial_ms;
	c->ack_deadline = UINT64_MAX;
	c->last_rx = now;
	c->last_tx = now;
	return 0;
}

static void
free_list(struct l2tp_msgpool *pool, struct l2tp_msgbuf *b)
{
	while (b != NULL) {
		struct l2tp_msgbuf *next = b->next;

		l2tp_msgpool_put(pool, b);
		b = next;
	}
}

void
l2tp_chan_fini(struct l2tp_chan *c)
{
	free_list(c->pool, c->sent_head);
	free_list(c->pool, c->wait_head);
	c->sent_head = c->sent_tail = c->wait_head = c->wait_tail = NULL;
	if (c->held != NULL) {
		for (uint16_t i = 0; i < c->cfg.rx_window; i++)
			if (c->held[i] != NULL)
				l2tp_msgpool_put(c->pool, c->held[i]);
		free(c->held);
		c->held = NULL;
	}
}

void
l2tp_chan_set_peer_tunnel(struct l2tp_chan *c, uint16_t tunnel_id)
{
	c->peer_tunnel_id = tunnel_id;
}

/* Appendix A: slow start runs up to the peer's window. */
void
l2tp_chan_set_peer_window(struct l2tp_chan *c, uint16_t window)
{
	if (window == 0)
		return;
	c->peer_window = window;
	c->ssthresh = window;
	if (c->cwnd > window)
		c->cwnd = window;
}

/* Every transmission carries the current Nr, so it settles any owed ack. */
static void
transmit(struct l2tp_chan *c, struct l2tp_msgbuf *b, uint64_t now)
{
	put_be16(b->data + L2TP_CTRL_NR_OFF, c->nr);
	c->ack_deadline = UINT64_MAX;
	c->last_tx = now;
	c->ops->tx(c->ctx, b->data, b->len);
}

/* §5.8: a ZLB carries Ns = the next Ns without consuming it, and our Nr. */
static void
send_zlb(struct l2tp_chan *c, uint64_t now)
{
	uint8_t zlb[L2TP_CTRL_HDR_LEN];

	l2tp_hdr_put_ctrl(zlb, L2TP_CTRL_HDR_LEN, c->peer_tunnel_id, 0, c->ns_next, c->nr);
	c->ack_deadline = UINT64_MAX;
	c->last_tx = now;
	c->stats.zlb_tx++;
	c->ops->tx(c->ctx, zlb, sizeof(zlb));
}

/*
 * An ack is owed for a message just delivered. An ack already owed keeps
 * its deadline: a steady trickle of messages must not postpone it forever.
 */
static void
owe_ack(struct l2tp_chan *c, uint64_t now)
{
	if (c->ack_deadline == UINT64_MAX)
		c->ack_deadline = now + c->cfg.ack_delay_ms;
}

static uint32_t
send_window(const struct l2tp_chan *c)
{
	return c->cwnd < c->peer_window ? c->cwnd : c->peer_window;
}

/* Moves waiting messages into flight while the window has room. */
static void
send_waiting(struct l2tp_chan *c, uint64_t now)
{
	while (c->wait_head != NULL && c->n_in_flight < send_window(c)) {
		struct l2tp_msgbuf *b = c->wait_head;

		c->wait_head = b->next;
		if (c->wait_head == NULL)
			c->wait_tail = NULL;
		c->n_waiting--;
		b->next = NULL;
		if (c->sent_tail != NULL)
			c->sent_tail->next = b;
		else
			c->sent_head = b;
		c->sent_tail = b;
		c->n_in_flight++;
		b->sent_at = now;
		c->stats.tx_msgs++;
		if (c->rtx_deadline == UINT64_MAX)
			c->rtx_deadline = now + c->rtx_interval_ms;
		transmit(c, b, now);
	}
}

/*
 * Copies the message into a pool buffer and gives it the next Ns now, so
 * messages keep the order they were queued in whether they go at once or
 * wait for the window.
 */
int
l2tp_chan_send(struct l2tp_chan *c, const uint8_t *msg, size_t len, uint64_t now)
{
	struct l2tp_msgbuf *b;

	if (c->dead)
		return -EPIPE;
	if (len < L2TP_CTRL_HDR_LEN || len > L2TP_CTRL_MAX_LEN)
		return -EINVAL;
	if (c->n_waiting >= c->cfg.max_queue)
		return -ENOSPC;
	b = l2tp_msgpool_get(c->pool);
	if (b == NULL) {
		c->stats.no_buffer++;
		return -ENOBUFS;
	}
	memcpy(b->data, msg, len);
	b->len = (uint16_t)len;
	b->ns = c->ns_next++;
	b->retransmitted = 0;
	b->next = NULL;
	put_be16(b->data + L2TP_CTRL_NS_OFF, b->ns);
	if (c->wait_tail != NULL)
		c->wait_tail->next = b;
	else
		c->wait_head = b;
	c->wait_tail = b;
	c->n_waiting++;
	if (c->n_in_flight >= send_window(c))
		c->stats.window_stalls++;
	send_waiting(c, now);
	return 0;
}

/* Appendix A: slow start below ssthresh, then one more per window acked. */
static void
open_cwnd(struct l2tp_chan *c)
{
	if (c->cwnd < c->ssthresh) {
		c->cwnd++;
	} else if (++c->cwnd_acked >= c->cwnd) {
		c->cwnd_acked = 0;
		c->cwnd++;
	}
	if (c->cwnd > c->peer_window)
		c->cwnd = c->peer_window;
}

/*
 * Smoothed round-trip time, a statistic only (the retransmission interval
 * is configured, §5.8). srtt 0 means no sample yet.
 */
static void
rtt_sample(struct l2tp_chan *c, const struct l2tp_msgbuf *b, uint64_t now)
{
	uint32_t rtt = (uint32_t)(now - b->sent_at);

	c->stats.rtt_last_ms = rtt;
	c->stats.srtt_ms = c->stats.srtt_ms == 0 ? rtt : (7 * c->stats.srtt_ms + rtt) / 8;
}

/*
 * §5.8: Nr is the next Ns the peer expects, so it can acknowledge at most
 * what we have sent; beyond that it is forged or confused and nothing of
 * the message may be used. An Nr behind una is a stale ack carried by a
 * reordered or duplicated message: valid, it acknowledges nothing new.
 */
static bool
nr_valid(const struct l2tp_chan *c, uint16_t nr)
{
	return seq_diff(nr, c->una) <= 0 || seq_dist(nr, c->una) <= c->n_in_flight;
}

/*
 * Frees what a valid nr newly acknowledges (no RTT sample from a message
 * sent more than once: Karn), grows cwnd per message acked, restarts the
 * back-off because the peer made progress, and sends what the window now
 * admits.
 */
static void
take_ack(struct l2tp_chan *c, uint16_t nr, uint64_t now)
{
	if (seq_diff(nr, c->una) <= 0)
		return;
	while (c->una != nr) {
		struct l2tp_msgbuf *b = c->sent_head;

		c->sent_head = b->next;
		if (c->sent_head == NULL)
			c->sent_tail = NULL;
		c->n_in_flight--;
		if (!b->retransmitted)
			rtt_sample(c, b, now);
		l2tp_msgpool_put(c->pool, b);
		c->una++;
		open_cwnd(c);
	}
	c->rtx_count = 0;
	c->rtx_interval_ms = c->cfg.rtx_initial_ms;
	c->rtx_deadline = c->sent_head != NULL ? now + c->rtx_interval_ms : UINT64_MAX;
	send_waiting(c, now);
}

/*
 * Advances nr past the message about to be delivered, before the delivery:
 * deliver() may answer through l2tp_chan_send(), and that answer must carry
 * the new Nr. Slot i of held[] again holds Ns nr + i; the message now at
 * nr, if held, is taken out and returned for delivery next. The shift
 * costs rx_window pointers per message, cheap at control message rates.
 */
static struct l2tp_msgbuf *
advance_nr(struct l2tp_chan *c, uint64_t now)
{
	uint16_t w = c->cfg.rx_window;
	struct l2tp_msgbuf *next;

	c->nr++;
	c->stats.rx_msgs++;
	owe_ack(c, now);
	memmove(c->held, c->held + 1, (size_t)(w - 1) * sizeof(*c->held));
	c->held[w - 1] = NULL;
	next = c->held[0];
	c->held[0] = NULL;
	return next;
}

/* Delivers the message at nr and then every held one that follows it. */
static void
deliver_in_order(struct l2tp_chan *c, const uint8_t *msg, size_t len, uint64_t now)
{
	struct l2tp_msgbuf *next = advance_nr(c, now);

	c->ops->deliver(c->ctx, msg, len);
	while (next != NULL) {
		struct l2tp_msgbuf *b = next;

		next = advance_nr(c, now);
		c->ops->deliver(c->ctx, b->data, b->len);
		l2tp_msgpool_put(c->pool, b);
	}
}

/*
 * §5.8: an early message inside our window is kept until the gap before it
 * fills. A second copy of one already held is a network duplicate: our Nr
 * cannot cover it yet, so there is nothing to re-ack.
 */
static enum l2tp_chan_rx
hold(struct l2tp_chan *c, const uint8_t *msg, size_t len, uint16_t slot)
{
	struct l2tp_msgbuf *b;

	if (c->held[slot] != NULL) {
		c->stats.duplicates++;
		return L2TP_CHAN_RX_DUPLICATE;
	}
	b = l2tp_msgpool_get(c->pool);
	if (b == NULL) {
		c->stats.no_buffer++;
		return L2TP_CHAN_RX_NO_BUFFER;
	}
	memcpy(b->data, msg, len);
	b->len = (uint16_t)len;
	b->ns = (uint16_t)(c->nr + slot);
	b->next = NULL;
	c->held[slot] = b;
	c->stats.out_of_order++;
	return L2TP_CHAN_RX_OK;
}

/*
 * Classifies a new (non-ZLB) message by its Ns against nr (§5.8): behind
 * is a duplicate whose ack was lost, so ack again at once; at nr deliver;
 * inside the window hold; beyond it drop.
 */
static enum l2tp_chan_rx
take_msg(struct l2tp_chan *c, const uint8_t *msg, size_t len, uint16_t ns, uint64_t now)
{
	int16_t ahead = seq_diff(ns, c->nr);

	if (ahead < 0) {
		c->stats.duplicates++;
		send_zlb(c, now);
		return L2TP_CHAN_RX_DUPLICATE;
	}
	if (ahead >= c->cfg.rx_window) {
		c->stats.out_of_window++;
		return L2TP_CHAN_RX_OUT_OF_WINDOW;
	}
	if (ahead > 0)
		return hold(c, msg, len, (uint16_t)ahead);
	deliver_in_order(c, msg, len, now);
	return L2TP_CHAN_RX_OK;
}

enum l2tp_chan_rx
l2tp_chan_input(struct l2tp_chan *c, const uint8_t *msg, size_t len, uint16_t ns, uint16_t nr,
		bool zlb, uint64_t now)
{
	if (len < L2TP_CTRL_HDR_LEN || len > L2TP_CTRL_MAX_LEN) {
		/* beyond what lnsd can hold or deliver: dropped, but counted */
		c->stats.out_of_window++;
		return L2TP_CHAN_RX_OUT_OF_WINDOW;
	}
	if (!nr_valid(c, nr)) {
		c->stats.bad_nr++;
		return L2TP_CHAN_RX_BAD_NR;
	}
	c->last_rx = now;
	take_ack(c, nr, now);
	if (zlb) {
		/* §5.8: a ZLB only acknowledges; it is never delivered nor acked */
		c->stats.zlb_rx++;
		return L2TP_CHAN_RX_OK;
	}
	return take_msg(c, msg, len, ns, now);
}

uint64_t
l2tp_chan_next_timeout(const struct l2tp_chan *c)
{
	if (c->dead)
		return UINT64_MAX;
	return c->rtx_deadline < c->ack_deadline ? c->rtx_deadline : c->ack_deadline;
}

/*
 * §5.8: the oldest unacknowledged message goes again with the current Nr,
 * and the interval doubles up to rtx_max_ms. Appendix A: a timeout means
 * congestion, so ssthresh halves and cwnd restarts from one.
 */
static void
retransmit_oldest(struct l2tp_chan *c, uint64_t now)
{
	struct l2tp_msgbuf *b = c->sent_head;
	uint64_t interval = (uint64_t)c->rtx_interval_ms * 2;

	c->rtx_count++;
	c->stats.retransmits++;
	c->ssthresh = c->cwnd / 2 > 1 ? c->cwnd / 2 : 1;
	c->cwnd = 1;
	c->cwnd_acked = 0;
	b->retransmitted = 1;
	c->rtx_interval_ms = interval < c->cfg.rtx_max_ms ? (uint32_t)interval : c->cfg.rtx_max_ms;
	c->rtx_deadline = now + c->rtx_interval_ms;
	transmit(c, b, now);
}

bool
l2tp_chan_timeout(struct l2tp_chan *c, uint64_t now)
{
	if (c->dead)
		return false;
	if (c->sent_head != NULL && c->rtx_deadline <= now) {
		if (c->rtx_count >= c->cfg.rtx_retries) {
			/* no progress after every retry: the peer is gone */
			c->dead = true;
			c->rtx_deadline = UINT64_MAX;
			c->ack_deadline = UINT64_MAX;
			return false;
		}
		retransmit_oldest(c, now);
	}
	if (c->ack_deadline <= now)
		send_zlb(c, now);
	return true;
}

void
l2tp_chan_flush_ack(struct l2tp_chan *c)
{
	if (c->ack_deadline != UINT64_MAX)
		send_zlb(c, chan_clock(c));
}
