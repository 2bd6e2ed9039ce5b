/* SPDX-License-Identifier: BSD-2-Clause */
#include "lns_md5.h"

#include <nettle/md5.h>

void
lns_md5(uint8_t out[LNS_MD5_LEN], const struct lns_iov *parts, size_t n_parts)
{
	struct md5_ctx ctx;

	md5_init(&ctx);
	for (size_t i = 0; i < n_parts; i++)
		md5_update(&ctx, parts[i].len, parts[i].ptr);
	md5_digest(&ctx, LNS_MD5_LEN, out);
}
