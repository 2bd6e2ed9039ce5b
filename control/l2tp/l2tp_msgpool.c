/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Control message buffers: a free list that only grows (see l2tp_msgpool.h).
 * Buffers are never returned to malloc before fini, so a busy engine reaches
 * a steady state with no allocation per message.
 */
#include "l2tp_msgpool.h"

#include <stdlib.h>

void
l2tp_msgpool_init(struct l2tp_msgpool *pool, size_t limit)
{
	pool->free = NULL;
	pool->n_allocated = 0;
	pool->n_in_use = 0;
	pool->limit = limit;
	pool->exhausted = 0;
}

void
l2tp_msgpool_fini(struct l2tp_msgpool *pool)
{
	while (pool->free != NULL) {
		struct l2tp_msgbuf *b = pool->free;

		pool->free = b->next;
		free(b);
		pool->n_allocated--;
	}
}

/*
 * A buffer from the free list, or a new one while the pool is under its
 * limit. A refusal is counted: the caller maps it to its own drop reason.
 */
struct l2tp_msgbuf *
l2tp_msgpool_get(struct l2tp_msgpool *pool)
{
	struct l2tp_msgbuf *b = pool->free;

	if (b != NULL) {
		pool->free = b->next;
	} else {
		if (pool->n_allocated >= pool->limit || (b = malloc(sizeof(*b))) == NULL) {
			pool->exhausted++;
			return NULL;
		}
		pool->n_allocated++;
	}
	b->next = NULL;
	pool->n_in_use++;
	return b;
}

void
l2tp_msgpool_put(struct l2tp_msgpool *pool, struct l2tp_msgbuf *b)
{
	b->next = pool->free;
	pool->free = b;
	pool->n_in_use--;
}
