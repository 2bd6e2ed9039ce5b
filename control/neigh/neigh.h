/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ARP (RFC 826) for lnsd's own addresses and the next hops it sends to
 * (LACs on the access side, gateways on the core side), sans-IO on the
 * control lcore: the workers punt ARP here, and read the resolved MACs in
 * the session entries and port settings the control lcore publishes.
 *
 * A next hop is INCOMPLETE while requests go out (every retry_ms, at most
 * retries times), then FAILED for failed_ms (packets for it are dropped and
 * counted, never sent to a wrong MAC); REACHABLE for reachable_ms after an
 * answer, then STALE: still used, and probed again on use.
 */
#ifndef NEIGH_H
#define NEIGH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NEIGH_ARP_FRAME_LEN 42 /* Ethernet 14 + ARP 28 */
#define NEIGH_MAX_IFACES    64 /* our addresses: every port's, and their aliases */

enum neigh_state {
	NEIGH_NONE,
	NEIGH_INCOMPLETE,
	NEIGH_REACHABLE,
	NEIGH_STALE,
	NEIGH_FAILED,
};

const char *neigh_state_str(enum neigh_state s);

struct neigh_cfg {
	uint32_t retry_ms;     /* 1000 */
	uint8_t retries;       /* 3 */
	uint32_t reachable_ms; /* 30000 */
	uint32_t failed_ms;    /* 20000 */
	uint32_t max_entries;  /* 4096 */
};

void neigh_cfg_defaults(struct neigh_cfg *cfg);

/* One interface of lnsd: its MAC and IPv4 address. */
struct neigh_if {
	uint8_t mac[6];
	uint32_t ip; /* host order */
	uint16_t port;
};

struct neigh_ops {
	/* An ARP frame (request or reply) to send on port. */
	void (*send)(void *ctx, uint16_t port, const uint8_t *frame, size_t len);
	/* A next hop's MAC is known now, changed, or lost (mac NULL). */
	void (*changed)(void *ctx, uint32_t ip, const uint8_t *mac);
};

#define NEIGH_COUNTERS(X)                                            \
	X(rx_requests, "ARP requests for our addresses answered")    \
	X(rx_replies, "ARP replies taken")                           \
	X(rx_ignored, "ARP for other addresses")                     \
	X(rx_malformed, "ARP frames too short or not Ethernet/IPv4") \
	X(tx_requests, "ARP requests sent")                          \
	X(failures, "next hops that did not answer")                 \
	X(table_full, "next hops refused: table full")

struct neigh_stats {
#define X(n, t) uint64_t n;
	NEIGH_COUNTERS(X)
#undef X
};

struct neigh_table;

struct neigh_table *neigh_create(const struct neigh_cfg *cfg, const struct neigh_ops *ops,
				 void *ctx);
void neigh_destroy(struct neigh_table *nt);
/* Our addresses: requests for them are answered. */
int neigh_add_interface(struct neigh_table *nt, const struct neigh_if *iface);

/* A punted ARP frame from port. */
void neigh_input(struct neigh_table *nt, uint64_t now, uint16_t port, const uint8_t *frame,
		 size_t len);
/*
 * The MAC for ip as a next hop on port: 0 with mac filled; -EAGAIN while
 * asking (a request goes out now if none is pending); -EHOSTUNREACH while
 * FAILED; -ENOSPC when the table is full.
 */
int neigh_resolve(struct neigh_table *nt, uint64_t now, uint16_t port, uint32_t ip, uint8_t mac[6]);
void neigh_timeout(struct neigh_table *nt, uint64_t now);
uint64_t neigh_next_timeout(const struct neigh_table *nt);
/*
 * What was known of ip goes (its link went down, or came back): the next
 * neigh_resolve() asks afresh, with no FAILED hold-off. No changed() call:
 * the caller knows.
 */
void neigh_forget(struct neigh_table *nt, uint32_t ip);
enum neigh_state neigh_state_of(const struct neigh_table *nt, uint32_t ip);
const struct neigh_stats *neigh_stats(const struct neigh_table *nt);

#endif
