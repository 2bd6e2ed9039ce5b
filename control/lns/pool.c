/* SPDX-License-Identifier: BSD-2-Clause */
#include "pool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_MAX (1u << 24)

struct pool {
	char name[64];
	uint32_t *addrs; /* every usable address, in order */
	uint8_t *used;	 /* [size] */
	uint32_t cursor; /* next place to look */
	struct pool_stats stats;
};

static bool
excluded(const struct pool_range *ex, unsigned n, uint32_t a)
{
	for (unsigned i = 0; i < n; i++)
		if (a >= ex[i].first && a <= ex[i].last)
			return true;
	return false;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

struct pool *
pool_create(const char *name, const struct pool_range *ranges, unsigned n_ranges,
	    const struct pool_range *exclude, unsigned n_exclude)
{
	struct pool *p = calloc(1, sizeof(*p));
	uint64_t total = 0;
	uint32_t n = 0;

	if (p == NULL)
		return NULL;
	snprintf(p->name, sizeof(p->name), "%s", name);
	for (unsigned i = 0; i < n_ranges; i++)
		total += (uint64_t)ranges[i].last - ranges[i].first + 1;
	p->addrs = total <= POOL_MAX ? malloc(sizeof(*p->addrs) * (total ? total : 1)) : NULL;
	p->used = total <= POOL_MAX ? calloc(total ? total : 1, 1) : NULL;
	if (p->addrs == NULL || p->used == NULL) {
		pool_destroy(p);
		return NULL;
	}
	for (unsigned i = 0; i < n_ranges; i++)
		for (uint64_t a = ranges[i].first; a <= ranges[i].last; a++)
			if (!excluded(exclude, n_exclude, (uint32_t)a))
				p->addrs[n++] = (uint32_t)a;
	qsort(p->addrs, n, sizeof(*p->addrs), cmp_u32); /* for the binary search */
	p->stats.size = n;
	return p;
}

void
pool_destroy(struct pool *p)
{
	if (p == NULL)
		return;
	free(p->addrs);
	free(p->used);
	free(p);
}

const char *
pool_name(const struct pool *p)
{
	return p->name;
}

/* Position of addr in the pool, or -1. */
static int64_t
position(const struct pool *p, uint32_t addr)
{
	int64_t lo = 0, hi = (int64_t)p->stats.size - 1;

	while (lo <= hi) {
		int64_t mid = (lo + hi) / 2;

		if (p->addrs[mid] == addr)
			return mid;
		if (p->addrs[mid] < addr)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

bool
pool_contains(const struct pool *p, uint32_t addr)
{
	return position(p, addr) >= 0;
}

uint32_t
pool_alloc(struct pool *p)
{
	for (uint32_t n = 0; n < p->stats.size; n++) {
		uint32_t i = p->cursor;

		p->cursor = p->cursor + 1 == p->stats.size ? 0 : p->cursor + 1;
		if (!p->used[i]) {
			p->used[i] = 1;
			p->stats.in_use++;
			return p->addrs[i];
		}
	}
	p->stats.exhausted++;
	return 0;
}

int
pool_take(struct pool *p, uint32_t addr)
{
	int64_t i = position(p, addr);

	if (i < 0)
		return -EINVAL;
	if (p->used[i])
		return -EADDRINUSE;
	p->used[i] = 1;
	p->stats.in_use++;
	return 0;
}

int
pool_free(struct pool *p, uint32_t addr)
{
	int64_t i = position(p, addr);

	if (i < 0 || !p->used[i]) {
		p->stats.bad_free++;
		return -EINVAL;
	}
	p->used[i] = 0;
	p->stats.in_use--;
	return 0;
}

const struct pool_stats *
pool_stats(const struct pool *p)
{
	return &p->stats;
}
