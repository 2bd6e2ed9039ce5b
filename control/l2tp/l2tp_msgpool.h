/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Control message buffers. The control channel keeps a copy of every
 * message until the peer acknowledges it, and holds messages that arrive
 * out of order; these buffers come from one free list per engine, grown
 * on demand up to a limit, so no control message costs a malloc.
 */
#ifndef L2TP_MSGPOOL_H
#define L2TP_MSGPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "l2tp_wire.h"

struct l2tp_msgbuf {
	struct l2tp_msgbuf *next; /* free list or a channel's queue */
	uint64_t sent_at;	  /* first transmission, for RTT (ms) */
	uint16_t len;
	uint16_t ns;
	uint8_t retransmitted; /* Karn: no RTT sample from these */
	uint8_t data[L2TP_CTRL_MAX_LEN];
};

struct l2tp_msgpool {
	struct l2tp_msgbuf *free;
	size_t n_allocated; /* buffers obtained from malloc */
	size_t n_in_use;
	size_t limit;	    /* n_allocated never exceeds this */
	uint64_t exhausted; /* gets refused at the limit */
};

void l2tp_msgpool_init(struct l2tp_msgpool *pool, size_t limit);
/* Frees every buffer on the free list; buffers in use must be put first. */
void l2tp_msgpool_fini(struct l2tp_msgpool *pool);
/* NULL when the limit is reached or malloc fails (counted). */
struct l2tp_msgbuf *l2tp_msgpool_get(struct l2tp_msgpool *pool);
void l2tp_msgpool_put(struct l2tp_msgpool *pool, struct l2tp_msgbuf *buf);

#endif
