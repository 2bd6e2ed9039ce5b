/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reliable delivery (RFC 2661 §5.8, Appendix A): see l2tp_chan.h.
 */
#include "l2tp_chan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp_wire.h"

/* Serial-number arithmetic modulo 2^16 (§5.8). */
static inline int16_t
seq_diff(uint16_t a, uint16_t b)
{
	return (int16_t)(uint16_t)(a - b);
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

int
l2tp_chan_init(struct l2tp_chan *c, const struct l2tp_chan_cfg *cfg, struct l2tp_msgpool *pool,
	       const struct l2tp_chan_ops *ops, void *ctx, uint64_t now)
{
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	if (c->cfg.rx_window == 0)
		c->cfg.rx_window = 1;
	if (c->cfg.rx_window > L2TP_CHAN_MAX_RX_WINDOW)
		c->cfg.rx_window = L2TP_CHAN_MAX_RX_WINDOW;
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

static void
send_zlb(struct l2tp_chan *c)
{
	uint8_t zlb[L2TP_CTRL_HDR_LEN];

	l2tp_hdr_put_ctrl(zlb, L2TP_CTRL_HDR_LEN, c->peer_tunnel_id, 0, c->ns_next, c->nr);
	c->ack_deadline = UINT64_MAX;
	c->stats.zlb_tx++;
	c->ops->tx(c->ctx, zlb, sizeof(zlb));
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
		transmit(c, b, now);
		if (c->rtx_deadline == UINT64_MAX)
			c->rtx_deadline = now + c->rtx_interval_ms;
	}
}

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

static void
rtt_sample(struct l2tp_chan *c, const struct l2tp_msgbuf *b, uint64_t now)
{
	uint32_t rtt = (uint32_t)(now - b->sent_at);

	c->stats.rtt_last_ms = rtt;
	c->stats.srtt_ms = c->stats.srtt_ms == 0 ? rtt : (7 * c->stats.srtt_ms + rtt) / 8;
}

/*
 * Frees what nr acknowledges. An Nr behind una is a stale ack (a duplicate
 * or reordered message) and acknowledges nothing new; one beyond the last
 * message sent is impossible: false.
 */
static bool
take_nr(struct l2tp_chan *c, uint16_t nr, uint64_t now)
{
	if (seq_diff(nr, c->una) <= 0)
		return true;
	if ((uint16_t)(nr - c->una) > c->n_in_flight)
		return false;
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
	return true;
}

static struct l2tp_msgbuf *
copy_msg(struct l2tp_chan *c, const uint8_t *msg, size_t len)
{
	struct l2tp_msgbuf *b = l2tp_msgpool_get(c->pool);

	if (b == NULL) {
		c->stats.no_buffer++;
		return NULL;
	}
	memcpy(b->data, msg, len);
	b->len = (uint16_t)len;
	b->next = NULL;
	return b;
}

/* Delivers the message at nr and every held one that follows it. */
static void
deliver_in_order(struct l2tp_chan *c, const uint8_t *msg, size_t len, uint64_t now)
{
	uint16_t w = c->cfg.rx_window;

	c->nr++;
	c->stats.rx_msgs++;
	c->ack_deadline = now + c->cfg.ack_delay_ms;
	c->ops->deliver(c->ctx, msg, len);
	for (;;) {
		struct l2tp_msgbuf *b;

		/* slot 0 is the message at nr - 1: shift the window by one */
		if (c->held[0] != NULL)
			l2tp_msgpool_put(c->pool, c->held[0]);
		memmove(c->held, c->held + 1, (size_t)(w - 1) * sizeof(*c->held));
		c->held[w - 1] = NULL;
		b = c->held[0];
		if (b == NULL || c->dead)
			break;
		c->held[0] = NULL;
		c->nr++;
		c->stats.rx_msgs++;
		c->ack_deadline = now + c->cfg.ack_delay_ms;
		c->ops->deliver(c->ctx, b->data, b->len);
		l2tp_msgpool_put(c->pool, b);
	}
}

enum l2tp_chan_rx
l2tp_chan_input(struct l2tp_chan *c, const uint8_t *msg, size_t len, uint16_t ns, uint16_t nr,
		bool zlb, uint64_t now)
{
	int16_t ahead;

	if (len < L2TP_CTRL_HDR_LEN || len > L2TP_CTRL_MAX_LEN)
		return L2TP_CHAN_RX_OUT_OF_WINDOW;
	if (!take_nr(c, nr, now)) {
		c->stats.bad_nr++;
		return L2TP_CHAN_RX_BAD_NR;
	}
	c->last_rx = now;
	if (zlb) {
		c->stats.zlb_rx++;
		return L2TP_CHAN_RX_OK;
	}
	ahead = seq_diff(ns, c->nr);
	if (ahead < 0) {
		c->stats.duplicates++;
		send_zlb(c);
		return L2TP_CHAN_RX_DUPLICATE;
	}
	if (ahead >= c->cfg.rx_window) {
		c->stats.out_of_window++;
		return L2TP_CHAN_RX_OUT_OF_WINDOW;
	}
	if (ahead > 0) {
		if (c->held[ahead] != NULL) {
			c->stats.duplicates++;
			return L2TP_CHAN_RX_DUPLICATE;
		}
		c->held[ahead] = copy_msg(c, msg, len);
		if (c->held[ahead] == NULL)
			return L2TP_CHAN_RX_NO_BUFFER;
		c->stats.out_of_order++;
		return L2TP_CHAN_RX_OK;
	}
	deliver_in_order(c, msg, len, now);
	return L2TP_CHAN_RX_OK;
}

uint64_t
l2tp_chan_next_timeout(const struct l2tp_chan *c)
{
	if (c->dead)
		return UINT64_MAX;
	return c->rtx_deadline < c->ack_deadline ? c->rtx_deadline : c->ack_deadline;
}

/* Appendix A: a timeout halves ssthresh and restarts from a window of one. */
static void
retransmit_oldest(struct l2tp_chan *c, uint64_t now)
{
	struct l2tp_msgbuf *b = c->sent_head;

	c->rtx_count++;
	c->stats.retransmits++;
	c->ssthresh = c->cwnd / 2 > 1 ? c->cwnd / 2 : 1;
	c->cwnd = 1;
	c->cwnd_acked = 0;
	b->retransmitted = 1;
	transmit(c, b, now);
	c->rtx_interval_ms = c->rtx_interval_ms * 2 < c->cfg.rtx_max_ms ? c->rtx_interval_ms * 2
									: c->cfg.rtx_max_ms;
	c->rtx_deadline = now + c->rtx_interval_ms;
}

bool
l2tp_chan_timeout(struct l2tp_chan *c, uint64_t now)
{
	if (c->dead)
		return false;
	if (c->rtx_deadline <= now && c->sent_head != NULL) {
		if (c->rtx_count >= c->cfg.rtx_retries) {
			c->dead = true;
			c->rtx_deadline = UINT64_MAX;
			return false;
		}
		retransmit_oldest(c, now);
	}
	if (c->ack_deadline <= now)
		send_zlb(c);
	return true;
}

void
l2tp_chan_flush_ack(struct l2tp_chan *c)
{
	if (c->ack_deadline != UINT64_MAX)
		send_zlb(c);
}
