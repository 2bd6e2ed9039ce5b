/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPv6 neighbour discovery on lnsd's core side (RFC 4861 §7), sans-IO on
 * the control lcore: Neighbor Solicitations for our addresses (the
 * configured one and the link-local one from our MAC, EUI-64) are
 * answered, and the one IPv6 next hop lnsd sends to, the core's
 * gateway6, is resolved: INCOMPLETE while solicitations go out (every
 * retry_ms, at most retries), then FAILED for failed_ms (its MAC is
 * gone: the workers drop and count rather than send to a wrong MAC);
 * REACHABLE for reachable_ms after an advertisement, then probed again
 * while its MAC stays in use. IPv6 packets in; whole, untagged Ethernet
 * frames out.
 */
#ifndef NEIGH6_H
#define NEIGH6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "neigh.h" /* enum neigh_state, struct neigh_cfg */

#define NEIGH6_FRAME_LEN (14 + 40 + 32) /* Ethernet, IPv6, NS or NA with a link-layer option */

#define NEIGH6_COUNTERS(X)                                                  \
	X(rx_solicits, "Neighbor Solicitations for our addresses answered") \
	X(rx_adverts, "Neighbor Advertisements of the gateway taken")       \
	X(rx_ignored, "ND for other addresses, and other ICMPv6")           \
	X(rx_malformed, "ND messages that fail RFC 4861's checks")          \
	X(tx_solicits, "Neighbor Solicitations sent for the gateway")       \
	X(failures, "times the gateway did not answer")

struct neigh6_stats {
#define X(n, t) uint64_t n;
	NEIGH6_COUNTERS(X)
#undef X
};

struct neigh6 {
	struct neigh_cfg cfg;
	uint8_t mac[6];
	uint8_t addr[16], ll[16]; /* ours: configured, and fe80::EUI-64 */
	uint8_t gw[16];		  /* all zero: no gateway to resolve */
	enum neigh_state state;
	uint8_t gw_mac[6];
	uint8_t tries;
	uint64_t deadline; /* next solicitation, or end of REACHABLE or FAILED */
	struct neigh6_stats stats;
};

void neigh6_init(struct neigh6 *n, const struct neigh_cfg *cfg, const uint8_t mac[6],
		 const uint8_t addr[16], const uint8_t gw[16]);
/*
 * An IPv6 packet of len bytes from the core, and the Ethernet source it
 * came from (tagged or not: the caller took the header off). An answer to
 * send, a whole untagged frame, goes into out (NEIGH6_FRAME_LEN bytes) and
 * its length is returned, else 0. *gw_changed: the gateway's MAC is new
 * or different.
 */
size_t neigh6_input(struct neigh6 *n, uint64_t now, const uint8_t *eth_src, const uint8_t *ip6,
		    size_t len, uint8_t *out, bool *gw_changed);
/* A solicitation due now into out (its length, else 0); *gw_changed as above (lost). */
size_t neigh6_timeout(struct neigh6 *n, uint64_t now, uint8_t *out, bool *gw_changed);
uint64_t neigh6_next_timeout(const struct neigh6 *n);
/* The gateway's MAC forgotten and solicited again at the next timeout (its link went down or up).
 */
void neigh6_restart(struct neigh6 *n);
/* The gateway's MAC while it is usable (REACHABLE or STALE). */
bool neigh6_gateway(const struct neigh6 *n, uint8_t mac[6]);

#endif
