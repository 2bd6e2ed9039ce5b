/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lacsim's subscribers on IPv6, as a host on a PPP link does it (RFC 5072
 * §5, RFC 4862): a Router Solicitation once IPv6CP is open, the /64 of
 * the Router Advertisement's Prefix Information with the interface
 * identifier IPv6CP gave it, then ICMPv6 echo requests. Pure functions
 * over byte buffers; each frame starts with FF 03 00 57.
 */
#ifndef SUB6_H
#define SUB6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SUB6_RS_FRAME_LEN   (4 + 40 + 8)
#define SUB6_ECHO_FRAME_LEN (4 + 40 + 8 + 32)

/* From fe80::iid to ff02::2 (all routers). */
size_t sub6_router_solicit(const uint8_t iid[8], uint8_t f[SUB6_RS_FRAME_LEN]);
/*
 * A Router Advertisement (an IPv6 packet) with a valid checksum, hop limit
 * 255 and an autonomous /64 Prefix Information: its prefix into
 * prefix[8]. false for anything else.
 */
bool sub6_take_ra(const uint8_t *ip6, size_t len, uint8_t prefix[8]);
/* An echo request from src to dst, identifier id and sequence seq. */
size_t sub6_echo_request(const uint8_t src[16], const uint8_t dst[16], uint16_t id, uint16_t seq,
			 uint8_t f[SUB6_ECHO_FRAME_LEN]);
/* Is this IPv6 packet an echo reply to dst with a valid checksum? */
bool sub6_is_echo_reply(const uint8_t *ip6, size_t len, const uint8_t dst[16]);

#endif
