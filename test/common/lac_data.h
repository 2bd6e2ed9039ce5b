/* SPDX-License-Identifier: BSD-2-Clause */
/* A LAC's PPP frame for its session, in an L2TP data message (no L, S or O bits). */
#ifndef LAC_DATA_H
#define LAC_DATA_H

#include <string.h>

#include "l2tp_engine.h"
#include "l2tp_wire.h"

/* Its length in buf, or 0 when it does not fit. */
static inline size_t
lac_data_message(uint8_t *buf, size_t cap, const struct l2tp_session *s, const uint8_t *frame,
		 size_t len)
{
	struct l2tp_data_hdr_opts o = { 0 };
	struct l2tp_tunnel *t = l2tp_session_tunnel(s);
	size_t h;

	if (len + 16 > cap)
		return 0;
	h = l2tp_hdr_put_data(buf, cap, l2tp_tunnel_peer_id(t), l2tp_session_peer_id(s), len, &o);
	memcpy(buf + h, frame, len);
	return h + len;
}

#endif
