/* SPDX-License-Identifier: BSD-2-Clause */
/* Addresses to and from text, by libc's inet_pton/inet_ntop where they exist. */
#include "inet.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

const char *
inet4_str(uint32_t ip, char buf[INET4_STRLEN])
{
	snprintf(buf, INET4_STRLEN, INET4_FMT, INET4_ARGS(ip));
	return buf;
}

const char *
inet6_str(const uint8_t addr[16], char buf[INET6_STRLEN])
{
	if (inet_ntop(AF_INET6, addr, buf, INET6_STRLEN) == NULL)
		snprintf(buf, INET6_STRLEN, "?");
	return buf;
}

bool
inet4_parse(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

bool
inet6_parse(const char *s, uint8_t out[16])
{
	return inet_pton(AF_INET6, s, out) == 1;
}
