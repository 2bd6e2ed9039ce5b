/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small open-addressing hash map from 32-bit keys to pointers, for the
 * control lcore's own indexes (tunnel and session by ID). Single-threaded;
 * the workers' tables are rte_hash under RCU, not this.
 */
#ifndef LNS_HMAP_H
#define LNS_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct lns_hmap_slot {
	uint32_t key;
	uint32_t state; /* 0 empty, 1 used, 2 deleted */
	void *value;
};

struct lns_hmap {
	struct lns_hmap_slot *slots;
	size_t cap;	/* power of two */
	size_t used;	/* live entries */
	size_t deleted; /* tombstones */
};

int lns_hmap_init(struct lns_hmap *h, size_t expected);
void lns_hmap_fini(struct lns_hmap *h);
void *lns_hmap_get(const struct lns_hmap *h, uint32_t key);
/* Inserts or replaces. Returns 0 or -ENOMEM. */
int lns_hmap_put(struct lns_hmap *h, uint32_t key, void *value);
/* Returns the removed value or NULL. */
void *lns_hmap_del(struct lns_hmap *h, uint32_t key);

static inline size_t
lns_hmap_count(const struct lns_hmap *h)
{
	return h->used;
}

/* Iteration: for (i = 0; lns_hmap_next(h, &i, &key, &val);) — no changes inside. */
int lns_hmap_next(const struct lns_hmap *h, size_t *iter, uint32_t *key, void **value);

#endif
