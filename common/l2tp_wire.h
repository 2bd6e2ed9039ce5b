/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * L2TPv2 header (RFC 2661 §3.1): parse and build, for control and data
 * messages. Pure functions over byte buffers; they never write to their
 * input and never read past len.
 */
#ifndef L2TP_WIRE_H
#define L2TP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "byteorder.h"

#define L2TP_UDP_PORT 1701

#define L2TP_FLAG_T	  0x8000 /* control message */
#define L2TP_FLAG_L	  0x4000 /* length field present */
#define L2TP_FLAG_S	  0x0800 /* Ns and Nr present */
#define L2TP_FLAG_O	  0x0200 /* offset size present */
#define L2TP_FLAG_P	  0x0100 /* priority (data messages) */
#define L2TP_VERSION_MASK 0x000f
#define L2TP_VERSION	  2

#define L2TP_CTRL_HDR_LEN 12 /* T L S set, no offset: flags len tid sid ns nr */
#define L2TP_CTRL_NS_OFF  8
#define L2TP_CTRL_NR_OFF  10

/* Largest control message lnsd accepts or builds. */
#define L2TP_CTRL_MAX_LEN 4096

enum l2tp_status {
#define X(id, text) L2TP_ST_##id,
#include "l2tp_status.def"
#undef X
	L2TP_ST_COUNT
};

const char *l2tp_status_str(enum l2tp_status st);
/* Short identifier, e.g. "avp_len_below_6", for counters and metrics. */
const char *l2tp_status_name(enum l2tp_status st);

struct l2tp_hdr {
	uint16_t flags;	 /* the first 16 bits as received */
	uint16_t length; /* Length field, or the datagram length when L is clear */
	uint16_t tunnel_id;
	uint16_t session_id;
	uint16_t ns, nr;  /* valid when S is set */
	uint16_t offset;  /* Offset Size when O is set */
	uint16_t hdr_len; /* where the payload starts (after offset padding) */
};

static inline bool
l2tp_hdr_is_control(const struct l2tp_hdr *h)
{
	return (h->flags & L2TP_FLAG_T) != 0;
}

/* Length of the payload after the header, bounded by the Length field. */
static inline uint16_t
l2tp_hdr_payload_len(const struct l2tp_hdr *h)
{
	return (uint16_t)(h->length - h->hdr_len);
}

/*
 * Parses the header of one UDP payload. Checks the version, the control
 * message flag rules and every length before use; returns L2TP_ST_OK or
 * the reason for refusing it.
 */
enum l2tp_status l2tp_hdr_parse(struct l2tp_hdr *h, const uint8_t *buf, size_t len);

/*
 * Writes a 12-byte control header (T, L, S set; version 2) at buf.
 * length is the whole message including this header.
 */
void l2tp_hdr_put_ctrl(uint8_t *buf, uint16_t length, uint16_t tunnel_id, uint16_t session_id,
		       uint16_t ns, uint16_t nr);

struct l2tp_data_hdr_opts {
	bool length;   /* set L and the Length field */
	bool sequence; /* set S with ns/nr */
	uint16_t ns, nr;
	uint16_t offset;   /* O bit and this many padding bytes when non-zero */
	bool offset_field; /* O bit even when offset is 0 */
	bool priority;
};

/*
 * Writes a data message header for a payload of payload_len bytes.
 * Returns the header length, or 0 when cap is too small.
 */
size_t l2tp_hdr_put_data(uint8_t *buf, size_t cap, uint16_t tunnel_id, uint16_t session_id,
			 size_t payload_len, const struct l2tp_data_hdr_opts *opts);

/* "flg TLS, ver 2, len 12, tnl 17688, cl 0, ns 1, nr 2" as in Cisco's traces. */
int l2tp_hdr_format(const struct l2tp_hdr *h, char *out, size_t cap);


#endif
