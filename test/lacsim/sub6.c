/* SPDX-License-Identifier: BSD-2-Clause */
#include "sub6.h"

#include <string.h>

#include "l2tp_wire.h"
#include "nd.h" /* nd_icmp6_cksum */

static uint8_t *
ipv6_header(uint8_t *f, const uint8_t src[16], const uint8_t dst[16], uint16_t payload,
	    uint8_t hops)
{
	uint8_t *ip = f + 4;

	f[0] = 0xff;
	f[1] = 0x03;
	put_be16(f + 2, 0x0057);
	memset(ip, 0, 8);
	ip[0] = 0x60;
	put_be16(ip + 4, payload);
	ip[6] = 58; /* ICMPv6 */
	ip[7] = hops;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	return ip;
}

size_t
sub6_router_solicit(const uint8_t iid[8], uint8_t f[SUB6_RS_FRAME_LEN])
{
	uint8_t src[16] = { 0xfe, 0x80 };
	static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };
	uint8_t *ip;

	memcpy(src + 8, iid, 8);
	ip = ipv6_header(f, src, all_routers, 8, 255);
	memset(ip + 40, 0, 8);
	ip[40] = 133;
	put_be16(ip + 42, nd_icmp6_cksum(ip, 48));
	return SUB6_RS_FRAME_LEN;
}

bool
sub6_take_ra(const uint8_t *ip6, size_t len, uint8_t prefix[8])
{
	size_t end, o;

	if (len < 40 + 16 || (ip6[0] >> 4) != 6 || ip6[6] != 58 || ip6[7] != 255 ||
	    40u + get_be16(ip6 + 4) > len || ip6[40] != 134)
		return false;
	end = 40u + get_be16(ip6 + 4);
	if (nd_icmp6_cksum(ip6, end) != 0)
		return false;
	for (o = 40 + 16; o + 8 <= end && ip6[o + 1] != 0; o += 8u * ip6[o + 1])
		if (ip6[o] == 3 && ip6[o + 1] == 4 && o + 32 <= end && ip6[o + 2] == 64 &&
		    (ip6[o + 3] & 0x40)) {
			memcpy(prefix, ip6 + o + 16, 8);
			return true;
		}
	return false;
}

size_t
sub6_echo_request(const uint8_t src[16], const uint8_t dst[16], uint16_t id, uint16_t seq,
		  uint8_t f[SUB6_ECHO_FRAME_LEN])
{
	uint8_t *ip = ipv6_header(f, src, dst, 8 + 32, 64);
	uint8_t *icmp = ip + 40;

	memset(icmp, 0, 8);
	icmp[0] = 128;
	put_be16(icmp + 4, id);
	put_be16(icmp + 6, seq);
	memset(icmp + 8, 0x5a, 32);
	put_be16(icmp + 2, nd_icmp6_cksum(ip, 40 + 8 + 32));
	return SUB6_ECHO_FRAME_LEN;
}

bool
sub6_is_echo_reply(const uint8_t *ip6, size_t len, const uint8_t dst[16])
{
	if (len < 48 || (ip6[0] >> 4) != 6 || ip6[6] != 58 || 40u + get_be16(ip6 + 4) > len)
		return false;
	return ip6[40] == 129 && memcmp(ip6 + 24, dst, 16) == 0 &&
	       nd_icmp6_cksum(ip6, 40u + get_be16(ip6 + 4)) == 0;
}
