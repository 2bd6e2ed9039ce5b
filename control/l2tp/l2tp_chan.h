/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reliable delivery of control messages for one tunnel (RFC 2661 §5.8 and
 * Appendix A). Pure and sans-IO: fed messages and the time, it hands
 * complete messages to ops->tx and new in-order messages to ops->deliver.
 *
 * - Ns/Nr with serial-number arithmetic modulo 2^16.
 * - Receive side: messages inside our window (cfg.rx_window) that arrive
 *   early are held and delivered in order; duplicates are acknowledged
 *   again (immediately, by ZLB) and not delivered; messages beyond the
 *   window are dropped and counted.
 * - Acknowledgement: every message sent carries the current Nr. When a
 *   delivered message is not answered within cfg.ack_delay_ms, a ZLB
 *   acknowledges it.
 * - Send side: at most min(cwnd, peer window) messages unacknowledged;
 *   the rest wait in order (up to cfg.max_queue). cwnd follows Appendix A:
 *   slow start from 1 up to the peer's window, then congestion avoidance;
 *   a retransmission timeout halves ssthresh and resets cwnd to 1.
 * - Retransmission of the oldest unacknowledged message with exponential
 *   back-off from cfg.rtx_initial_ms, doubling up to cfg.rtx_max_ms. After
 *   cfg.rtx_retries retransmissions without progress, the next expiry
 *   declares the channel dead: with 1 s, 8 s, 5 retries a silent peer is
 *   given up 1+2+4+8+8+8 = 31 s after the first transmission.
 *
 * The owner must not destroy the channel from inside ops callbacks.
 */
#ifndef L2TP_CHAN_H
#define L2TP_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2tp_msgpool.h"

#define L2TP_CHAN_DEFAULT_WINDOW 4 /* §5.8: when the peer sends no AVP 10 */
#define L2TP_CHAN_MAX_RX_WINDOW	 1024

struct l2tp_chan_cfg {
	uint16_t rx_window;	 /* our receive window, advertised in AVP 10 */
	uint32_t rtx_initial_ms; /* default 1000 */
	uint32_t rtx_max_ms;	 /* default 8000 */
	uint8_t rtx_retries;	 /* default 5 */
	uint32_t ack_delay_ms;	 /* default 50 */
	uint32_t max_queue;	 /* messages waiting for the window; default 4096 */
};

void l2tp_chan_cfg_defaults(struct l2tp_chan_cfg *cfg);

struct l2tp_chan_ops {
	/* Send one complete control message; Ns and Nr are already current. */
	void (*tx)(void *ctx, const uint8_t *msg, size_t len);
	/* One new message, in order, never a ZLB or a duplicate. */
	void (*deliver)(void *ctx, const uint8_t *msg, size_t len);
};

struct l2tp_chan_stats {
	uint64_t tx_msgs; /* new messages sent (first transmissions) */
	uint64_t retransmits;
	uint64_t rx_msgs;	/* new messages delivered */
	uint64_t duplicates;	/* received again: re-acked, not delivered */
	uint64_t out_of_order;	/* held until the gap before them filled */
	uint64_t out_of_window; /* beyond our window: dropped */
	uint64_t bad_nr;	/* acknowledged what was never sent: dropped */
	uint64_t zlb_tx, zlb_rx;
	uint64_t window_stalls; /* sends that had to wait for the window */
	uint64_t no_buffer;	/* message pool exhausted */
	uint32_t rtt_last_ms, srtt_ms;
};

enum l2tp_chan_rx {
	L2TP_CHAN_RX_OK,	    /* delivered, held, or a ZLB taken */
	L2TP_CHAN_RX_DUPLICATE,	    /* seen before: acked again */
	L2TP_CHAN_RX_OUT_OF_WINDOW, /* dropped */
	L2TP_CHAN_RX_BAD_NR,	    /* dropped, nothing of it used */
	L2TP_CHAN_RX_NO_BUFFER,	    /* could not hold it: dropped, peer retransmits */
};

const char *l2tp_chan_rx_str(enum l2tp_chan_rx r);

struct l2tp_chan {
	struct l2tp_chan_cfg cfg;
	const struct l2tp_chan_ops *ops;
	void *ctx;
	struct l2tp_msgpool *pool;

	uint16_t peer_tunnel_id; /* for ZLB headers */
	uint16_t peer_window;	 /* from the peer's AVP 10 */

	/* send side */
	uint16_t ns_next;	       /* Ns of the next new message */
	uint16_t una;		       /* oldest unacknowledged Ns */
	struct l2tp_msgbuf *sent_head; /* in flight, oldest first */
	struct l2tp_msgbuf *sent_tail;
	struct l2tp_msgbuf *wait_head; /* not yet sent: window full */
	struct l2tp_msgbuf *wait_tail;
	uint32_t n_in_flight, n_waiting;
	uint32_t cwnd, ssthresh, cwnd_acked;
	uint64_t rtx_deadline; /* UINT64_MAX when nothing in flight */
	uint32_t rtx_interval_ms;
	uint8_t rtx_count;
	bool dead;

	/* receive side */
	uint16_t nr;		   /* next Ns expected from the peer */
	struct l2tp_msgbuf **held; /* [rx_window], slot i holds Ns nr+i */
	uint64_t ack_deadline;	   /* UINT64_MAX when no ack is owed */
	uint64_t last_rx;	   /* any valid message or ZLB, for HELLO */
	uint64_t last_tx;

	struct l2tp_chan_stats stats;
};

/* Returns 0 or -ENOMEM (the held-message array). */
int l2tp_chan_init(struct l2tp_chan *c, const struct l2tp_chan_cfg *cfg, struct l2tp_msgpool *pool,
		   const struct l2tp_chan_ops *ops, void *ctx, uint64_t now);
/* Returns every buffer to the pool. */
void l2tp_chan_fini(struct l2tp_chan *c);

void l2tp_chan_set_peer_tunnel(struct l2tp_chan *c, uint16_t tunnel_id);
/* From the peer's AVP 10; 0 is invalid and ignored. */
void l2tp_chan_set_peer_window(struct l2tp_chan *c, uint16_t window);

/*
 * Queues a complete message (header included; the channel writes Ns and
 * Nr). Copies it; sends it now when the window allows. Returns 0,
 * -ENOBUFS when the pool is empty, -ENOSPC when max_queue is reached,
 * -EPIPE when the channel is dead, -EINVAL for a bad length.
 */
int l2tp_chan_send(struct l2tp_chan *c, const uint8_t *msg, size_t len, uint64_t now);

/*
 * One received control message with its parsed Ns and Nr; zlb when it
 * has no AVPs. Nr is processed first (acknowledging, opening the window,
 * sending what waited); then the message is delivered, held, or re-acked.
 */
enum l2tp_chan_rx l2tp_chan_input(struct l2tp_chan *c, const uint8_t *msg, size_t len, uint16_t ns,
				  uint16_t nr, bool zlb, uint64_t now);

/* Earliest time l2tp_chan_timeout() has work; UINT64_MAX for none. */
uint64_t l2tp_chan_next_timeout(const struct l2tp_chan *c);
/* Retransmits and sends owed ZLBs. Returns false once the channel is dead. */
bool l2tp_chan_timeout(struct l2tp_chan *c, uint64_t now);

/* Sends a ZLB now if an acknowledgement is owed. */
void l2tp_chan_flush_ack(struct l2tp_chan *c);

/* Nothing in flight and nothing waiting. */
static inline bool
l2tp_chan_idle(const struct l2tp_chan *c)
{
	return c->n_in_flight == 0 && c->n_waiting == 0;
}

#endif
