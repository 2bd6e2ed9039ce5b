/* SPDX-License-Identifier: BSD-2-Clause */
#include "neigh6.h"

#include <string.h>

#include "byteorder.h"
#include "nd.h" /* nd_icmp6_cksum */

enum {
	ICMP6 = 58,
	NS = 135,
	NA = 136,
	OPT_SLLA = 1,
	OPT_TLLA = 2,
	NA_ROUTER = 0x80,
	NA_SOLICITED = 0x40,
	NA_OVERRIDE = 0x20,
};

static const uint8_t unspecified[16];

static bool
is_zero16(const uint8_t a[16])
{
	return memcmp(a, unspecified, 16) == 0;
}

void
neigh6_init(struct neigh6 *n, const struct neigh_cfg *cfg, const uint8_t mac[6],
	    const uint8_t addr[16], const uint8_t gw[16])
{
	memset(n, 0, sizeof(*n));
	n->cfg = *cfg;
	memcpy(n->mac, mac, 6);
	memcpy(n->addr, addr, 16);
	memcpy(n->gw, gw, 16);
	/* RFC 4291 §2.5.1: the modified EUI-64 of our MAC */
	n->ll[0] = 0xfe;
	n->ll[1] = 0x80;
	n->ll[8] = mac[0] ^ 0x02;
	n->ll[9] = mac[1];
	n->ll[10] = mac[2];
	n->ll[11] = 0xff;
	n->ll[12] = 0xfe;
	memcpy(n->ll + 13, mac + 3, 3);
	n->state = is_zero16(gw) ? NEIGH_NONE : NEIGH_INCOMPLETE;
	n->deadline = is_zero16(gw) ? UINT64_MAX : 0;
}

void
neigh6_restart(struct neigh6 *n)
{
	if (n->state == NEIGH_NONE)
		return; /* no gateway6 */
	n->state = NEIGH_INCOMPLETE;
	n->tries = 0;
	n->deadline = 0;
	memset(n->gw_mac, 0, sizeof(n->gw_mac));
}

uint64_t
neigh6_next_timeout(const struct neigh6 *n)
{
	return n->deadline;
}

bool
neigh6_gateway(const struct neigh6 *n, uint8_t mac[6])
{
	if (n->state != NEIGH_REACHABLE && n->state != NEIGH_STALE)
		return false;
	memcpy(mac, n->gw_mac, 6);
	return true;
}

/* Ethernet and IPv6 headers of an ND message with one link-layer option; returns the ICMPv6. */
static uint8_t *
nd_frame(const struct neigh6 *n, uint8_t *f, const uint8_t eth_dst[6], const uint8_t src[16],
	 const uint8_t dst[16])
{
	uint8_t *ip = f + 14;

	memcpy(f, eth_dst, 6);
	memcpy(f + 6, n->mac, 6);
	put_be16(f + 12, 0x86dd);
	memset(ip, 0, 8 + 32 + 32);
	ip[0] = 0x60;
	put_be16(ip + 4, 32);
	ip[6] = ICMP6;
	ip[7] = 255; /* §7.1: anything else was forwarded, and is dropped */
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	return ip + 40;
}

static size_t
nd_finish(uint8_t *f, uint8_t type, const uint8_t target[16], uint8_t opt, const uint8_t mac[6])
{
	uint8_t *ip = f + 14, *icmp = ip + 40;

	icmp[0] = type;
	memcpy(icmp + 8, target, 16);
	icmp[24] = opt;
	icmp[25] = 1; /* 8 bytes */
	memcpy(icmp + 26, mac, 6);
	put_be16(icmp + 2, nd_icmp6_cksum(ip, 40 + 32));
	return NEIGH6_FRAME_LEN;
}

/* To the gateway's solicited-node multicast address (RFC 4291 §2.7.1). */
static size_t
solicit_gateway(struct neigh6 *n, uint8_t *out)
{
	uint8_t dst[16] = { 0xff, 0x02, [11] = 1, [12] = 0xff };
	uint8_t eth[6] = { 0x33, 0x33, 0xff };

	memcpy(dst + 13, n->gw + 13, 3);
	memcpy(eth + 3, n->gw + 13, 3);
	nd_frame(n, out, eth, is_zero16(n->addr) ? n->ll : n->addr, dst);
	n->stats.tx_solicits++;
	n->tries++;
	return nd_finish(out, NS, n->gw, OPT_SLLA, n->mac);
}

size_t
neigh6_timeout(struct neigh6 *n, uint64_t now, uint8_t *out, bool *gw_changed)
{
	*gw_changed = false;
	if (now < n->deadline || n->state == NEIGH_NONE)
		return 0;
	if (n->state == NEIGH_REACHABLE || n->state == NEIGH_FAILED) {
		n->state = n->state == NEIGH_REACHABLE ? NEIGH_STALE : NEIGH_INCOMPLETE;
		n->tries = 0;
	} else if (n->tries >= n->cfg.retries) {
		*gw_changed = n->state == NEIGH_STALE; /* its MAC goes */
		n->state = NEIGH_FAILED;
		n->stats.failures++;
		n->deadline = now + n->cfg.failed_ms;
		return 0;
	}
	n->deadline = now + n->cfg.retry_ms;
	return solicit_gateway(n, out);
}

/* The MAC of a link-layer address option of this type among opts; NULL if none. */
static const uint8_t *
lla_option(const uint8_t *opts, size_t len, uint8_t type, bool *bad)
{
	for (size_t o = 0; o + 2 <= len; o += 8u * opts[o + 1]) {
		if (opts[o + 1] == 0 || o + 8u * opts[o + 1] > len) {
			*bad = true; /* §7.1.1: an option of length 0 */
			return NULL;
		}
		if (opts[o] == type && opts[o + 1] == 1)
			return opts + o + 2;
	}
	return NULL;
}

static void
learn(struct neigh6 *n, uint64_t now, const uint8_t *mac, enum neigh_state state, bool *gw_changed)
{
	bool usable = n->state == NEIGH_REACHABLE || n->state == NEIGH_STALE;

	*gw_changed = !usable || memcmp(n->gw_mac, mac, 6) != 0;
	memcpy(n->gw_mac, mac, 6);
	n->state = state;
	n->tries = 0;
	n->deadline = now + (state == NEIGH_REACHABLE ? n->cfg.reachable_ms : n->cfg.retry_ms);
}

/*
 * §7.2.5: an advertisement of the gateway. Unsolicited ones leave it STALE
 * (to be confirmed); one without Override does not move a known MAC; one
 * without a link-layer address teaches nothing to an INCOMPLETE entry.
 */
static size_t
take_advert(struct neigh6 *n, uint64_t now, const uint8_t *ip, const uint8_t *lla, bool *gw_changed)
{
	const uint8_t *icmp = ip + 40;
	bool solicited = icmp[4] & NA_SOLICITED, override = icmp[4] & NA_OVERRIDE;
	bool known = n->state == NEIGH_REACHABLE || n->state == NEIGH_STALE;

	if (solicited && ip[24] == 0xff) { /* §7.1.2: S to a multicast address */
		n->stats.rx_malformed++;
		return 0;
	}
	if (n->state == NEIGH_NONE || memcmp(icmp + 8, n->gw, 16) != 0 || (lla == NULL && !known)) {
		n->stats.rx_ignored++;
		return 0;
	}
	n->stats.rx_adverts++;
	if (known && lla != NULL && !override && memcmp(lla, n->gw_mac, 6) != 0) {
		if (n->state == NEIGH_REACHABLE)
			n->state = NEIGH_STALE; /* and probed when its time comes */
		return 0;
	}
	learn(n, now, lla != NULL ? lla : n->gw_mac, solicited ? NEIGH_REACHABLE : NEIGH_STALE,
	      gw_changed);
	return 0;
}

static size_t
answer_solicit(struct neigh6 *n, const uint8_t *eth_src, const uint8_t *ip, const uint8_t *target,
	       const uint8_t *slla, uint8_t *out)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	bool dad = is_zero16(ip + 8); /* §7.2.4: from ::, answered to all nodes */
	uint8_t *icmp =
		nd_frame(n, out, slla != NULL ? slla : eth_src, target, dad ? all_nodes : ip + 8);

	if (dad)
		memcpy(out, (const uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 1 }, 6);
	icmp[4] = NA_ROUTER | (dad ? 0 : NA_SOLICITED) | NA_OVERRIDE;
	n->stats.rx_solicits++;
	return nd_finish(out, NA, target, OPT_TLLA, n->mac);
}

size_t
neigh6_input(struct neigh6 *n, uint64_t now, const uint8_t *eth_src, const uint8_t *ip, size_t len,
	     uint8_t *out, bool *gw_changed)
{
	const uint8_t *icmp = ip + 40, *target, *lla;
	size_t end;
	bool bad = false;

	*gw_changed = false;
	if (len < 40 + 24 || (ip[0] >> 4) != 6 || ip[6] != ICMP6 ||
	    (icmp[0] != NS && icmp[0] != NA)) {
		n->stats.rx_ignored++;
		return 0;
	}
	end = 40u + get_be16(ip + 4);
	if (end > len || end < 40 + 24 || ip[7] != 255 || icmp[1] != 0 ||
	    nd_icmp6_cksum(ip, end) != 0 || icmp[8] == 0xff) {
		n->stats.rx_malformed++;
		return 0;
	}
	target = icmp + 8;
	lla = lla_option(icmp + 24, end - 40 - 24, icmp[0] == NS ? OPT_SLLA : OPT_TLLA, &bad);
	if (bad) {
		n->stats.rx_malformed++;
		return 0;
	}
	if (icmp[0] == NA)
		return take_advert(n, now, ip, lla, gw_changed);
	if (memcmp(target, n->ll, 16) != 0 &&
	    (is_zero16(n->addr) || memcmp(target, n->addr, 16) != 0)) {
		n->stats.rx_ignored++;
		return 0;
	}
	/* §7.2.3: the asker's link-layer address is worth keeping when it is the gateway */
	if (n->state != NEIGH_NONE && lla != NULL && memcmp(ip + 8, n->gw, 16) == 0 &&
	    n->state != NEIGH_REACHABLE)
		learn(n, now, lla, NEIGH_STALE, gw_changed);
	return answer_solicit(n, eth_src, ip, target, lla, out);
}
