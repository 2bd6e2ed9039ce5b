/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * MD5 over a list of byte ranges (nettle underneath). L2TP tunnel
 * authentication, hidden AVPs and CHAP all hash a few concatenated pieces.
 */
#ifndef LNS_MD5_H
#define LNS_MD5_H

#include <stddef.h>
#include <stdint.h>

#define LNS_MD5_LEN 16

struct lns_iov {
	const void *ptr;
	size_t len;
};

void lns_md5(uint8_t out[LNS_MD5_LEN], const struct lns_iov *parts, size_t n_parts);

#endif
