/* SPDX-License-Identifier: BSD-2-Clause */
#include "neigh.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "byteorder.h"
#include "lns_hmap.h"
#include "lns_log.h"
#include "inet.h"

#define ARP_REQUEST 1
#define ARP_REPLY   2

struct neigh {
	uint32_t ip;
	uint16_t port;
	enum neigh_state state;
	uint8_t mac[6];
	uint8_t tries;
	uint64_t deadline; /* next retry, end of REACHABLE or of FAILED */
};

struct neigh_table {
	struct neigh_cfg cfg;
	const struct neigh_ops *ops;
	void *ctx;
	struct neigh_if ifs[NEIGH_MAX_IFACES];
	unsigned n_ifs;
	struct lns_hmap by_ip;
	struct neigh_stats stats;
};

const char *
neigh_state_str(enum neigh_state s)
{
	static const char *const names[] = { "none", "incomplete", "reachable", "stale", "failed" };

	return (unsigned)s <= NEIGH_FAILED ? names[s] : "?";
}

void
neigh_cfg_defaults(struct neigh_cfg *cfg)
{
	cfg->retry_ms = 1000;
	cfg->retries = 3;
	cfg->reachable_ms = 30000;
	cfg->failed_ms = 20000;
	cfg->max_entries = 4096;
}

struct neigh_table *
neigh_create(const struct neigh_cfg *cfg, const struct neigh_ops *ops, void *ctx)
{
	struct neigh_table *nt = calloc(1, sizeof(*nt));

	if (nt == NULL)
		return NULL;
	nt->cfg = *cfg;
	nt->ops = ops;
	nt->ctx = ctx;
	if (lns_hmap_init(&nt->by_ip, 64) != 0) {
		free(nt);
		return NULL;
	}
	return nt;
}

void
neigh_destroy(struct neigh_table *nt)
{
	size_t it = 0;
	uint32_t key;
	void *v;

	if (nt == NULL)
		return;
	while (lns_hmap_next(&nt->by_ip, &it, &key, &v))
		free(v);
	lns_hmap_fini(&nt->by_ip);
	free(nt);
}

int
neigh_add_interface(struct neigh_table *nt, const struct neigh_if *iface)
{
	if (nt->n_ifs == NEIGH_MAX_IFACES)
		return -ENOSPC;
	nt->ifs[nt->n_ifs++] = *iface;
	return 0;
}

static const struct neigh_if *
iface_by_ip(const struct neigh_table *nt, uint32_t ip)
{
	for (unsigned i = 0; i < nt->n_ifs; i++)
		if (nt->ifs[i].ip == ip)
			return &nt->ifs[i];
	return NULL;
}

static const struct neigh_if *
iface_by_port(const struct neigh_table *nt, uint16_t port)
{
	for (unsigned i = 0; i < nt->n_ifs; i++)
		if (nt->ifs[i].port == port)
			return &nt->ifs[i];
	return NULL;
}

/* Ethernet + ARP for IPv4 over Ethernet (RFC 826). */
static void
arp_frame(uint8_t *f, uint16_t op, const uint8_t *eth_dst, const uint8_t *sha, uint32_t spa,
	  const uint8_t *tha, uint32_t tpa)
{
	memcpy(f, eth_dst, 6);
	memcpy(f + 6, sha, 6);
	put_be16(f + 12, 0x0806);
	put_be16(f + 14, 1);	  /* Ethernet */
	put_be16(f + 16, 0x0800); /* IPv4 */
	f[18] = 6;
	f[19] = 4;
	put_be16(f + 20, op);
	memcpy(f + 22, sha, 6);
	put_be32(f + 28, spa);
	memcpy(f + 32, tha, 6);
	put_be32(f + 38, tpa);
}

static void
send_request(struct neigh_table *nt, const struct neigh *n)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, zero[6];
	const struct neigh_if *iface = iface_by_port(nt, n->port);
	uint8_t f[NEIGH_ARP_FRAME_LEN];

	if (iface == NULL)
		return;
	arp_frame(f, ARP_REQUEST, bcast, iface->mac, iface->ip, zero, n->ip);
	nt->stats.tx_requests++;
	nt->ops->send(nt->ctx, n->port, f, sizeof(f));
}

/* A new entry, NONE; NULL when the table is full (counted) or memory fails. */
static struct neigh *
neigh_new(struct neigh_table *nt, uint16_t port, uint32_t ip)
{
	struct neigh *n;

	if (lns_hmap_count(&nt->by_ip) >= nt->cfg.max_entries) {
		nt->stats.table_full++;
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (n == NULL || lns_hmap_put(&nt->by_ip, ip, n) != 0) {
		free(n);
		return NULL;
	}
	n->ip = ip;
	n->port = port;
	n->state = NEIGH_NONE;
	n->deadline = UINT64_MAX;
	return n;
}

static void
learn(struct neigh_table *nt, uint64_t now, struct neigh *n, const uint8_t *mac)
{
	bool changed = n->state != NEIGH_REACHABLE && n->state != NEIGH_STALE;

	changed = changed || memcmp(n->mac, mac, 6) != 0;
	memcpy(n->mac, mac, 6);
	n->state = NEIGH_REACHABLE;
	n->tries = 0;
	n->deadline = now + nt->cfg.reachable_ms;
	if (changed && nt->ops->changed != NULL)
		nt->ops->changed(nt->ctx, n->ip, n->mac);
}

/*
 * RFC 826's merge: a sender we already track is updated from any ARP; a
 * request for our address is answered (and its sender noted only if we
 * track it: we ask for what we need rather than learn everyone).
 */
void
neigh_input(struct neigh_table *nt, uint64_t now, uint16_t port, const uint8_t *f, size_t len)
{
	const struct neigh_if *us;
	struct neigh *n;
	uint32_t spa, tpa;
	uint16_t op;

	if (len < NEIGH_ARP_FRAME_LEN || get_be16(f + 12) != 0x0806 || get_be16(f + 14) != 1 ||
	    get_be16(f + 16) != 0x0800 || f[18] != 6 || f[19] != 4) {
		nt->stats.rx_malformed++;
		return;
	}
	op = get_be16(f + 20);
	spa = get_be32(f + 28);
	tpa = get_be32(f + 38);
	n = lns_hmap_get(&nt->by_ip, spa);
	if (n != NULL && n->port == port)
		learn(nt, now, n, f + 22);
	us = iface_by_ip(nt, tpa);
	if (us == NULL || us->port != port) {
		nt->stats.rx_ignored++;
		return;
	}
	if (n == NULL && spa != 0 && (n = neigh_new(nt, port, spa)) != NULL)
		learn(nt, now, n, f + 22); /* RFC 826: one asking for us we will talk to */
	if (op == ARP_REQUEST) {
		uint8_t r[NEIGH_ARP_FRAME_LEN];

		arp_frame(r, ARP_REPLY, f + 22, us->mac, us->ip, f + 22, spa);
		nt->stats.rx_requests++;
		nt->ops->send(nt->ctx, port, r, sizeof(r));
	} else if (op == ARP_REPLY) {
		nt->stats.rx_replies++;
	}
}

int
neigh_resolve(struct neigh_table *nt, uint64_t now, uint16_t port, uint32_t ip, uint8_t mac[6])
{
	struct neigh *n = lns_hmap_get(&nt->by_ip, ip);

	if (n == NULL && (n = neigh_new(nt, port, ip)) == NULL)
		return -ENOSPC;
	switch (n->state) {
	case NEIGH_REACHABLE:
	case NEIGH_STALE:
		memcpy(mac, n->mac, 6);
		if (n->state == NEIGH_STALE && n->tries == 0) {
			n->tries = 1; /* probe once; the entry stays usable meanwhile */
			n->deadline = now + nt->cfg.retry_ms;
			send_request(nt, n);
		}
		return 0;
	case NEIGH_FAILED:
		return -EHOSTUNREACH;
	case NEIGH_INCOMPLETE:
		return -EAGAIN;
	case NEIGH_NONE:
		n->state = NEIGH_INCOMPLETE;
		n->tries = 1;
		n->deadline = now + nt->cfg.retry_ms;
		send_request(nt, n);
		return -EAGAIN;
	}
	return -EINVAL;
}

static void
expire(struct neigh_table *nt, uint64_t now, struct neigh *n)
{
	switch (n->state) {
	case NEIGH_INCOMPLETE:
		if (n->tries < nt->cfg.retries) {
			n->tries++;
			n->deadline = now + nt->cfg.retry_ms;
			send_request(nt, n);
			return;
		}
		n->state = NEIGH_FAILED;
		n->deadline = now + nt->cfg.failed_ms;
		nt->stats.failures++;
		LOG(DP, LOG_WARN, "ARP: " INET4_FMT " does not answer", INET4_ARGS(n->ip));
		return;
	case NEIGH_REACHABLE:
		n->state = NEIGH_STALE;
		n->tries = 0;
		n->deadline = UINT64_MAX;
		return;
	case NEIGH_STALE: /* the probe went unanswered: gone */
		if (n->tries >= nt->cfg.retries) {
			n->state = NEIGH_FAILED;
			n->deadline = now + nt->cfg.failed_ms;
			nt->stats.failures++;
			if (nt->ops->changed != NULL)
				nt->ops->changed(nt->ctx, n->ip, NULL);
			return;
		}
		n->tries++;
		n->deadline = now + nt->cfg.retry_ms;
		send_request(nt, n);
		return;
	case NEIGH_FAILED: /* may be asked again */
		n->state = NEIGH_NONE;
		n->deadline = UINT64_MAX;
		return;
	default:
		n->deadline = UINT64_MAX;
		return;
	}
}

void
neigh_timeout(struct neigh_table *nt, uint64_t now)
{
	size_t it = 0;
	uint32_t key;
	void *v;

	while (lns_hmap_next(&nt->by_ip, &it, &key, &v)) {
		struct neigh *n = v;

		if (n->deadline <= now)
			expire(nt, now, n);
	}
}

uint64_t
neigh_next_timeout(const struct neigh_table *nt)
{
	uint64_t next = UINT64_MAX;
	size_t it = 0;
	uint32_t key;
	void *v;

	while (lns_hmap_next(&nt->by_ip, &it, &key, &v)) {
		const struct neigh *n = v;

		if (n->deadline < next)
			next = n->deadline;
	}
	return next;
}

void
neigh_forget(struct neigh_table *nt, uint32_t ip)
{
	struct neigh *n = lns_hmap_get(&nt->by_ip, ip);

	if (n == NULL)
		return;
	n->state = NEIGH_NONE;
	n->tries = 0;
	n->deadline = UINT64_MAX;
	memset(n->mac, 0, sizeof(n->mac));
}

enum neigh_state
neigh_state_of(const struct neigh_table *nt, uint32_t ip)
{
	const struct neigh *n = lns_hmap_get(&nt->by_ip, ip);

	return n != NULL ? n->state : NEIGH_NONE;
}

const struct neigh_stats *
neigh_stats(const struct neigh_table *nt)
{
	return &nt->stats;
}
