/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPv4 address pools: ranges less exclusions, each address handed out at
 * most once and returned when its session ends. Allocation walks a cursor
 * so that a just-freed address is the last to be reused (a subscriber's
 * old address lingers in caches and ACLs for a while).
 */
#ifndef POOL_H
#define POOL_H

#include <stdbool.h>
#include <stdint.h>

struct pool;

struct pool_range {
	uint32_t first, last; /* host order, inclusive */
};

/*
 * Ranges must not overlap (the configuration checks that). Returns NULL
 * when they hold more than 2^24 addresses or memory fails.
 */
struct pool *pool_create(const char *name, const struct pool_range *ranges, unsigned n_ranges,
			 const struct pool_range *exclude, unsigned n_exclude);
void pool_destroy(struct pool *p);
const char *pool_name(const struct pool *p);

/* An address (host order), or 0 when the pool is exhausted (counted). */
uint32_t pool_alloc(struct pool *p);
/* A given address, if it is in the pool and free: 0 or -errno. */
int pool_take(struct pool *p, uint32_t addr);
/* Returns 0, or -EINVAL for an address not from this pool or already free. */
int pool_free(struct pool *p, uint32_t addr);
bool pool_contains(const struct pool *p, uint32_t addr);

struct pool_stats {
	uint32_t size, in_use;
	uint64_t exhausted; /* allocations refused */
	uint64_t bad_free;  /* frees of addresses not handed out */
};

const struct pool_stats *pool_stats(const struct pool *p);

#endif
