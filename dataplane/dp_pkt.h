/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Per-packet helpers for the workers: byte accessors, the incremental
 * checksum update of RFC 1624, TTL decrement, TCP MSS clamping.
 */
#ifndef DP_PKT_H
#define DP_PKT_H

#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>

#include "byteorder.h" /* get_be16, put_be16, get_be32 */

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for one 16-bit word. */
static inline uint16_t
csum_update16(uint16_t csum, uint16_t old, uint16_t new_)
{
	uint32_t s = (uint16_t)~csum + (uint16_t)~old + new_;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Decrements an IPv4 header's TTL; false when it would reach zero. */
static inline bool
ipv4_ttl_dec(uint8_t *ip)
{
	uint16_t old = get_be16(ip + 8);

	if (ip[8] <= 1)
		return false;
	ip[8]--;
	put_be16(ip + 10, csum_update16(get_be16(ip + 10), old, get_be16(ip + 8)));
	return true;
}

/*
 * Writes a 16-bit value at offset off of a TCP segment of seg_len bytes and
 * updates its checksum. At an odd offset the value straddles two of the
 * checksum's 16-bit words, and each is updated.
 */
static inline void
set_be16_csum(uint8_t *tcp, unsigned off, uint16_t v, unsigned seg_len)
{
	uint16_t csum = get_be16(tcp + 16);

	if ((off & 1) == 0) {
		csum = csum_update16(csum, get_be16(tcp + off), v);
		put_be16(tcp + off, v);
	} else {
		uint16_t a = get_be16(tcp + off - 1);
		uint16_t b =
			off + 2 < seg_len ? get_be16(tcp + off + 1) : (uint16_t)(tcp[off + 1] << 8);

		put_be16(tcp + off, v);
		csum = csum_update16(csum, a, get_be16(tcp + off - 1));
		csum = csum_update16(csum, b,
				     off + 2 < seg_len ? get_be16(tcp + off + 1)
						       : (uint16_t)(tcp[off + 1] << 8));
	}
	put_be16(tcp + 16, csum);
}

/*
 * A TCP SYN's MSS option above mss is lowered to mss (RFC 6691 practice
 * on tunnels), with the TCP checksum updated. ip points at an IPv4 header
 * of ihl bytes inside len bytes.
 */
static inline void
tcp_mss_clamp(uint8_t *ip, unsigned ihl, unsigned len, uint16_t mss)
{
	uint8_t *tcp = ip + ihl;
	unsigned doff, pos;

	if (mss == 0 || ip[9] != 6 || len < ihl + 20 || (get_be16(ip + 6) & 0x1fff) != 0)
		return;
	if (!(tcp[13] & 0x02)) /* SYN */
		return;
	doff = (unsigned)(tcp[12] >> 4) * 4;
	if (doff < 20 || ihl + doff > len)
		return;
	for (pos = 20; pos + 1 < doff;) {
		uint8_t kind = tcp[pos];

		if (kind == 0)
			break;
		if (kind == 1) {
			pos++;
			continue;
		}
		if (tcp[pos + 1] < 2 || pos + tcp[pos + 1] > doff)
			break;
		if (kind == 2 && tcp[pos + 1] == 4 && get_be16(tcp + pos + 2) > mss)
			set_be16_csum(tcp, pos + 2, mss, len - ihl);
		pos += tcp[pos + 1];
	}
}

/*
 * The IPv4 header checksum, written as rte_ipv4_cksum() means it: a value
 * to store in memory order, not a number to put big-endian.
 */
static inline void
ipv4_set_cksum(uint8_t *ip)
{
	uint16_t c;

	memset(ip + 10, 0, 2);
	c = rte_ipv4_cksum((const struct rte_ipv4_hdr *)ip);
	memcpy(ip + 10, &c, 2);
}

/* The Ethernet header's length on a side with this VLAN (0: untagged). */
static inline unsigned
eth_hdr_len(uint16_t vlan)
{
	return vlan ? RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN : RTE_ETHER_HDR_LEN;
}

/*
 * Ethernet header at p, which need not be aligned (after an odd adj), with
 * an 802.1Q tag when vlan is not 0: eth_hdr_len(vlan) bytes.
 */
static inline void
eth_write(uint8_t *p, const struct rte_ether_addr *dst, const struct rte_ether_addr *src,
	  uint16_t vlan, uint16_t type)
{
	memcpy(p, dst->addr_bytes, RTE_ETHER_ADDR_LEN);
	memcpy(p + RTE_ETHER_ADDR_LEN, src->addr_bytes, RTE_ETHER_ADDR_LEN);
	p += 2 * RTE_ETHER_ADDR_LEN;
	if (vlan) {
		put_be16(p, RTE_ETHER_TYPE_VLAN);
		put_be16(p + 2, vlan);
		p += RTE_VLAN_HLEN;
	}
	put_be16(p, type);
}

/*
 * The VLAN ID of a frame of len bytes (0: untagged, or priority-tagged
 * with ID 0 as 802.1Q allows), its EtherType, and where its payload
 * starts; false when it is too short for its headers.
 */
static inline bool
eth_parse(const uint8_t *p, uint32_t len, uint16_t *vlan, uint16_t *type, uint32_t *off)
{
	if (len < RTE_ETHER_HDR_LEN)
		return false;
	*type = get_be16(p + 12);
	*vlan = 0;
	*off = RTE_ETHER_HDR_LEN;
	if (*type == RTE_ETHER_TYPE_VLAN) {
		if (len < RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)
			return false;
		*vlan = get_be16(p + 14) & 0xfff;
		*type = get_be16(p + 16);
		*off += RTE_VLAN_HLEN;
	}
	return true;
}

#endif
