/* SPDX-License-Identifier: BSD-2-Clause */
/* The Internet checksum (RFC 1071) for the simulators' hand-built packets. */
#ifndef INET_CSUM_H
#define INET_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* The value to store big-endian in the checksum field (which was 0 when summed). */
static inline uint16_t
inet_csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

#endif
