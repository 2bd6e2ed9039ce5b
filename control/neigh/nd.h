/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPv6 Router Advertisements to one PPP subscriber (RFC 4861 §6.2, RFC
 * 5072 §5), sans-IO with the caller's clock: the subscriber learns its /64
 * from the Prefix Information option (on-link, autonomous) and forms its
 * address from the interface identifier IPv6CP gave it. Unsolicited RAs go
 * out at once, then every 16 s for the first three (MAX_INITIAL_RTR_
 * ADVERTISEMENTS), then every interval; a Router Solicitation brings one
 * forward, at most one per 3 s (MIN_DELAY_BETWEEN_RAS).
 */
#ifndef ND_H
#define ND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ND_MAX_DNS    2
#define ND_RA_MAX_LEN (40 + 16 + 32 + 8 + 8 + 16 * ND_MAX_DNS)

struct nd_ra_cfg {
	uint32_t interval_ms;	       /* between unsolicited RAs once started; 200 s */
	uint16_t router_lifetime_s;    /* 1800 */
	uint32_t valid_s, preferred_s; /* the prefix's lifetimes; 86400, 14400 */
	uint8_t dns[ND_MAX_DNS][16];   /* RDNSS (RFC 8106) */
	unsigned n_dns;
};

void nd_ra_cfg_defaults(struct nd_ra_cfg *c);

/* One subscriber's advertisements. */
struct nd_sub {
	uint8_t our_iid[8]; /* RAs come from fe80::our_iid */
	uint8_t prefix[8];  /* the subscriber's /64 */
	uint16_t mtu;	    /* its MRU, in an MTU option; 0: none */
	uint8_t initial_left;
	uint64_t next_ms, last_ms;
	uint64_t sent, solicited;
};

/* Starts advertising: the first RA is due now. */
void nd_sub_start(struct nd_sub *n, const uint8_t our_iid[8], const uint8_t prefix[8], uint16_t mtu,
		  uint64_t now);
/* When the next RA is due. */
uint64_t nd_sub_next(const struct nd_sub *n);
/*
 * The RA due at now, an IPv6 packet to ff02::1 in buf (ND_RA_MAX_LEN
 * bytes), with the next one scheduled; 0 when none is due.
 */
size_t nd_sub_ra(struct nd_sub *n, const struct nd_ra_cfg *c, uint64_t now, uint8_t *buf);

enum nd_input {
	ND_RS,	      /* a valid Router Solicitation: an RA is scheduled */
	ND_NOT_ND,    /* IPv6, but not a Router Solicitation */
	ND_MALFORMED, /* not a valid IPv6 packet, or an RS that fails §6.1.1 */
};

/* An IPv6 packet from the subscriber that the workers handed to the control lcore. */
enum nd_input nd_sub_input(struct nd_sub *n, uint64_t now, const uint8_t *ip6, size_t len);

/* The ICMPv6 checksum over the pseudo-header (RFC 8200 §8.1) of an IPv6 packet. */
uint16_t nd_icmp6_cksum(const uint8_t *ip6, size_t len);

#endif
