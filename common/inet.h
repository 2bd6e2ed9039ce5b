/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPv4 and IPv6 addresses as people write them, one way for all of lnsd:
 * the configuration, lnsctl, logs and metrics. IPv4 addresses are host
 * order (uint32_t) everywhere outside the wire formats.
 */
#ifndef INET_H
#define INET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* printf of a host-order IPv4 address: LOG(..., "at " INET4_FMT, INET4_ARGS(ip)) */
#define INET4_FMT "%u.%u.%u.%u"
#define INET4_ARGS(ip)                                                                         \
	(unsigned)((ip) >> 24), (unsigned)(((ip) >> 16) & 255), (unsigned)(((ip) >> 8) & 255), \
		(unsigned)((ip)&255)

#define INET4_STRLEN 16 /* "255.255.255.255" and its NUL */
#define INET6_STRLEN 46

/* "192.0.2.1" into buf; buf returned, for a printf argument. */
const char *inet4_str(uint32_t ip, char buf[INET4_STRLEN]);
/* RFC 5952's text of a 16-byte address into buf; buf returned. */
const char *inet6_str(const uint8_t addr[16], char buf[INET6_STRLEN]);
/* Dotted quad to host order; false for anything else (no shorthand forms). */
bool inet4_parse(const char *s, uint32_t *out);
/* Text to 16 bytes; false for anything that is not an IPv6 address. */
bool inet6_parse(const char *s, uint8_t out[16]);

#endif
