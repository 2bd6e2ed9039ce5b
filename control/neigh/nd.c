/* SPDX-License-Identifier: BSD-2-Clause */
#include "nd.h"

#include <string.h>

#include "byteorder.h" /* get_be16, put_be16, put_be32 */

enum {
	ICMP6 = 58,
	ND_ROUTER_SOLICIT = 133,
	ND_ROUTER_ADVERT = 134,
	OPT_PREFIX_INFO = 3,
	OPT_MTU = 5,
	OPT_RDNSS = 25,
	MAX_INITIAL_RAS = 3,		 /* RFC 4861 §10 */
	MAX_INITIAL_INTERVAL_MS = 16000, /* MAX_INITIAL_RTR_ADVERT_INTERVAL */
	MIN_DELAY_BETWEEN_RAS_MS = 3000,
};

static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };

void
nd_ra_cfg_defaults(struct nd_ra_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->interval_ms = 200000;
	c->router_lifetime_s = 1800;
	c->valid_s = 86400;
	c->preferred_s = 14400;
}

void
nd_sub_start(struct nd_sub *n, const uint8_t our_iid[8], const uint8_t prefix[8], uint16_t mtu,
	     uint64_t now)
{
	memset(n, 0, sizeof(*n));
	memcpy(n->our_iid, our_iid, 8);
	memcpy(n->prefix, prefix, 8);
	n->mtu = mtu;
	n->initial_left = MAX_INITIAL_RAS;
	n->next_ms = now;
}

uint64_t
nd_sub_next(const struct nd_sub *n)
{
	return n->next_ms;
}

uint16_t
nd_icmp6_cksum(const uint8_t *ip6, size_t len)
{
	uint32_t sum = 0, plen = (uint32_t)(len - 40);
	size_t i;

	for (i = 8; i < 40; i += 2) /* source and destination */
		sum += get_be16(ip6 + i);
	sum += plen >> 16;
	sum += plen & 0xffff;
	sum += ICMP6;
	for (i = 40; i + 1 < len; i += 2)
		sum += get_be16(ip6 + i);
	if (i < len)
		sum += (uint32_t)ip6[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint8_t *
put_prefix_info(uint8_t *o, const struct nd_sub *n, const struct nd_ra_cfg *c)
{
	memset(o, 0, 32);
	o[0] = OPT_PREFIX_INFO;
	o[1] = 4;    /* units of 8 bytes */
	o[2] = 64;   /* prefix length */
	o[3] = 0xc0; /* L: on-link, A: autonomous address configuration */
	put_be32(o + 4, c->valid_s);
	put_be32(o + 8, c->preferred_s);
	memcpy(o + 16, n->prefix, 8);
	return o + 32;
}

static uint8_t *
put_options(uint8_t *o, const struct nd_sub *n, const struct nd_ra_cfg *c)
{
	o = put_prefix_info(o, n, c);
	if (n->mtu) {
		memset(o, 0, 8);
		o[0] = OPT_MTU;
		o[1] = 1;
		put_be32(o + 4, n->mtu);
		o += 8;
	}
	if (c->n_dns) {
		unsigned k = c->n_dns > ND_MAX_DNS ? ND_MAX_DNS : c->n_dns;

		memset(o, 0, 8);
		o[0] = OPT_RDNSS;
		o[1] = (uint8_t)(1 + 2 * k);
		/* RFC 8106 §5.1: at least 3 x MaxRtrAdvInterval */
		put_be32(o + 4, c->interval_ms / 1000 * 3);
		memcpy(o + 8, c->dns, 16 * k);
		o += 8 + 16 * k;
	}
	return o;
}

/*
 * §6.2.1: at least the interval between RAs, so that one lost RA does not
 * end the default route: three intervals, at most 9000 s.
 */
static uint16_t
router_lifetime(const struct nd_ra_cfg *c)
{
	uint32_t three = c->interval_ms / 1000 * 3;
	uint32_t s = c->router_lifetime_s > three ? c->router_lifetime_s : three;

	return (uint16_t)(s > 9000 ? 9000 : s);
}

/* IPv6 header, RA and its options; returns the packet's length. */
static size_t
build_ra(const struct nd_sub *n, const struct nd_ra_cfg *c, uint8_t *buf)
{
	uint8_t *icmp = buf + 40, *end;
	uint16_t sum;

	memset(buf, 0, 40 + 16);
	buf[0] = 0x60;
	buf[6] = ICMP6;
	buf[7] = 255; /* §6.1.2: hosts drop an RA with any other hop limit */
	buf[8] = 0xfe;
	buf[9] = 0x80;
	memcpy(buf + 16, n->our_iid, 8);
	memcpy(buf + 24, all_nodes, 16);
	icmp[0] = ND_ROUTER_ADVERT;
	icmp[4] = 64; /* Cur Hop Limit for the subscriber's packets */
	put_be16(icmp + 6, router_lifetime(c));
	end = put_options(icmp + 16, n, c);
	put_be16(buf + 4, (uint16_t)(end - icmp));
	sum = nd_icmp6_cksum(buf, (size_t)(end - buf));
	put_be16(icmp + 2, sum);
	return (size_t)(end - buf);
}

size_t
nd_sub_ra(struct nd_sub *n, const struct nd_ra_cfg *c, uint64_t now, uint8_t *buf)
{
	uint32_t gap = c->interval_ms;

	if (now < n->next_ms)
		return 0;
	if (n->initial_left > 0) {
		n->initial_left--;
		if (n->initial_left > 0 && gap > MAX_INITIAL_INTERVAL_MS)
			gap = MAX_INITIAL_INTERVAL_MS;
	}
	n->last_ms = now;
	n->next_ms = now + gap;
	n->sent++;
	return build_ra(n, c, buf);
}

enum nd_input
nd_sub_input(struct nd_sub *n, uint64_t now, const uint8_t *ip6, size_t len)
{
	const uint8_t *icmp = ip6 + 40;
	uint64_t earliest;

	if (len < 40 || (ip6[0] >> 4) != 6 || 40u + get_be16(ip6 + 4) > len)
		return ND_MALFORMED;
	len = 40u + get_be16(ip6 + 4); /* the PPP frame may be padded */
	if (ip6[6] != ICMP6 || len < 40 + 8 || icmp[0] != ND_ROUTER_SOLICIT)
		return ND_NOT_ND;
	/* RFC 4861 §6.1.1: hop limit 255, code 0, a valid checksum */
	if (ip6[7] != 255 || icmp[1] != 0 || nd_icmp6_cksum(ip6, len) != 0)
		return ND_MALFORMED;
	n->solicited++;
	earliest = n->sent ? n->last_ms + MIN_DELAY_BETWEEN_RAS_MS : now;
	if (earliest < now)
		earliest = now;
	if (earliest < n->next_ms)
		n->next_ms = earliest;
	return ND_RS;
}
