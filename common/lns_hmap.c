/* SPDX-License-Identifier: BSD-2-Clause */
#include "lns_hmap.h"

#include <errno.h>
#include <stdlib.h>

enum { SLOT_EMPTY, SLOT_USED, SLOT_DELETED };

static uint32_t
hash32(uint32_t x)
{
	/* a 32-bit finaliser (murmur3 fmix32): IDs are often sequential */
	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x *= 0xc2b2ae35u;
	x ^= x >> 16;
	return x;
}

static int
alloc_slots(struct lns_hmap *h, size_t cap)
{
	h->slots = calloc(cap, sizeof(*h->slots));
	if (h->slots == NULL)
		return -ENOMEM;
	h->cap = cap;
	h->used = 0;
	h->deleted = 0;
	return 0;
}

int
lns_hmap_init(struct lns_hmap *h, size_t expected)
{
	size_t cap = 16;

	while (cap < expected * 2)
		cap <<= 1;
	return alloc_slots(h, cap);
}

void
lns_hmap_fini(struct lns_hmap *h)
{
	free(h->slots);
	h->slots = NULL;
	h->cap = h->used = h->deleted = 0;
}

static struct lns_hmap_slot *
find(const struct lns_hmap *h, uint32_t key)
{
	size_t mask = h->cap - 1;

	for (size_t i = hash32(key) & mask, n = 0; n < h->cap; i = (i + 1) & mask, n++) {
		struct lns_hmap_slot *s = &h->slots[i];

		if (s->state == SLOT_EMPTY)
			return NULL;
		if (s->state == SLOT_USED && s->key == key)
			return s;
	}
	return NULL;
}

void *
lns_hmap_get(const struct lns_hmap *h, uint32_t key)
{
	struct lns_hmap_slot *s = find(h, key);

	return s != NULL ? s->value : NULL;
}

static void
insert_new(struct lns_hmap *h, uint32_t key, void *value)
{
	size_t mask = h->cap - 1;
	size_t i = hash32(key) & mask;

	while (h->slots[i].state == SLOT_USED)
		i = (i + 1) & mask;
	if (h->slots[i].state == SLOT_DELETED)
		h->deleted--;
	h->slots[i] = (struct lns_hmap_slot){ .key = key, .state = SLOT_USED, .value = value };
	h->used++;
}

/* Keeps the load (live + tombstones) at or under one half. */
static int
grow_if_needed(struct lns_hmap *h)
{
	struct lns_hmap old = *h;
	size_t cap = h->cap;

	if ((h->used + h->deleted + 1) * 2 <= h->cap)
		return 0;
	if ((h->used + 1) * 2 > h->cap)
		cap <<= 1;
	if (alloc_slots(h, cap) != 0) {
		*h = old;
		return -ENOMEM;
	}
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].state == SLOT_USED)
			insert_new(h, old.slots[i].key, old.slots[i].value);
	free(old.slots);
	return 0;
}

int
lns_hmap_put(struct lns_hmap *h, uint32_t key, void *value)
{
	struct lns_hmap_slot *s = find(h, key);

	if (s != NULL) {
		s->value = value;
		return 0;
	}
	if (grow_if_needed(h) != 0)
		return -ENOMEM;
	insert_new(h, key, value);
	return 0;
}

void *
lns_hmap_del(struct lns_hmap *h, uint32_t key)
{
	struct lns_hmap_slot *s = find(h, key);
	void *value;

	if (s == NULL)
		return NULL;
	value = s->value;
	s->state = SLOT_DELETED;
	s->value = NULL;
	h->used--;
	h->deleted++;
	return value;
}

int
lns_hmap_next(const struct lns_hmap *h, size_t *iter, uint32_t *key, void **value)
{
	for (; *iter < h->cap; (*iter)++) {
		const struct lns_hmap_slot *s = &h->slots[*iter];

		if (s->state == SLOT_USED) {
			*key = s->key;
			*value = s->value;
			(*iter)++;
			return 1;
		}
	}
	return 0;
}
