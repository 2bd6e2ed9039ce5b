/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the L2TP header and AVP decoder on arbitrary bytes,
 * with a tunnel secret so hidden AVPs are unhidden too. Whatever decodes
 * is also re-read through every accessor.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "l2tp_avp.h"
#include "l2tp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
touch_values(const struct l2tp_msg *m)
{
	struct l2tp_result r;
	struct l2tp_q931 q;
	struct l2tp_call_errors ce;
	struct l2tp_accm a;
	volatile unsigned sink = 0;

	for (unsigned t = 0; t <= L2TP_AVP_MAX; t++)
		if (l2tp_msg_has(m, t))
			for (uint16_t i = 0; i < m->avp[t].len; i++)
				sink += m->avp[t].ptr[i];
	if (l2tp_msg_result(m, &r) && r.message != NULL)
		sink += r.message[r.message_len - 1];
	if (l2tp_msg_q931(m, &q) && q.advisory != NULL)
		sink += q.advisory[q.advisory_len - 1];
	if (l2tp_msg_call_errors(m, &ce))
		sink += ce.alignment;
	if (l2tp_msg_accm(m, &a))
		sink += a.recv;
	(void)sink;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct l2tp_msg m;
	struct l2tp_hdr h;
	char line[128];

	if (l2tp_hdr_parse(&h, data, size) != L2TP_ST_OK)
		return 0;
	l2tp_hdr_format(&h, line, sizeof(line));
	if (!l2tp_hdr_is_control(&h))
		return 0;
	/* strict, then lenient (a tolerated peer quirk): both must hold */
	if (l2tp_msg_decode(&m, data + h.hdr_len, l2tp_hdr_payload_len(&h),
			    (const uint8_t *)"hello", 5) == L2TP_ST_OK) {
		l2tp_msg_check(&m);
		touch_values(&m);
	}
	if (l2tp_msg_decode_lenient(&m, data + h.hdr_len, l2tp_hdr_payload_len(&h),
				    (const uint8_t *)"hello", 5) == L2TP_ST_OK) {
		l2tp_msg_check(&m);
		touch_values(&m);
	}
	return 0;
}
