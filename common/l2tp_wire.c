/* SPDX-License-Identifier: BSD-2-Clause */
#include "l2tp_wire.h"

#include <stdio.h>
#include <string.h>

static const char *const status_text[] = {
#define X(id, text) [L2TP_ST_##id] = text,
#include "l2tp_status.def"
#undef X
};

static const char *const status_names[] = {
#define X(id, text) [L2TP_ST_##id] = #id,
#include "l2tp_status.def"
#undef X
};

const char *
l2tp_status_str(enum l2tp_status st)
{
	return (unsigned)st < L2TP_ST_COUNT ? status_text[st] : "?";
}

const char *
l2tp_status_name(enum l2tp_status st)
{
	return (unsigned)st < L2TP_ST_COUNT ? status_names[st] : "?";
}

static enum l2tp_status
check_version(uint16_t flags)
{
	switch (flags & L2TP_VERSION_MASK) {
	case L2TP_VERSION:
		return L2TP_ST_OK;
	case 1:
		return L2TP_ST_VERSION_L2F;
	case 3:
		return L2TP_ST_VERSION_L2TPV3;
	default:
		return L2TP_ST_VERSION_UNKNOWN;
	}
}

/*
 * RFC 2661 §3.1: control messages MUST set L and S and MUST clear O and P.
 * The header length follows from the flags, so it is checked against the
 * datagram once, before any field after the first word is read.
 */
enum l2tp_status
l2tp_hdr_parse(struct l2tp_hdr *h, const uint8_t *buf, size_t len)
{
	size_t need = 6;
	size_t pos = 2;
	enum l2tp_status st;

	memset(h, 0, sizeof(*h));
	if (len < 2)
		return L2TP_ST_SHORT_HEADER;
	h->flags = get_be16(buf);
	st = check_version(h->flags);
	if (st != L2TP_ST_OK)
		return st;
	if (h->flags & L2TP_FLAG_T) {
		uint16_t ctl = L2TP_FLAG_L | L2TP_FLAG_S;

		if ((h->flags & (ctl | L2TP_FLAG_O | L2TP_FLAG_P)) != ctl)
			return L2TP_ST_CTRL_BAD_FLAGS;
	}
	if (h->flags & L2TP_FLAG_L)
		need += 2;
	if (h->flags & L2TP_FLAG_S)
		need += 4;
	if (h->flags & L2TP_FLAG_O)
		need += 2;
	if (len < need)
		return L2TP_ST_SHORT_HEADER;

	if (h->flags & L2TP_FLAG_L) {
		h->length = get_be16(buf + pos);
		pos += 2;
		if (h->length > len)
			return L2TP_ST_LENGTH_PAST_END;
		if (h->length < need)
			return L2TP_ST_LENGTH_TOO_SMALL;
	} else {
		if (len > UINT16_MAX)
			return L2TP_ST_LENGTH_PAST_END;
		h->length = (uint16_t)len;
	}
	h->tunnel_id = get_be16(buf + pos);
	h->session_id = get_be16(buf + pos + 2);
	pos += 4;
	if (h->flags & L2TP_FLAG_S) {
		h->ns = get_be16(buf + pos);
		h->nr = get_be16(buf + pos + 2);
		pos += 4;
	}
	if (h->flags & L2TP_FLAG_O) {
		h->offset = get_be16(buf + pos);
		pos += 2;
		if (h->offset > h->length - pos)
			return L2TP_ST_OFFSET_PAST_END;
		pos += h->offset;
	}
	h->hdr_len = (uint16_t)pos;
	if ((h->flags & L2TP_FLAG_T) && h->length > L2TP_CTRL_MAX_LEN)
		return L2TP_ST_CTRL_TOO_LONG;
	return L2TP_ST_OK;
}

void
l2tp_hdr_put_ctrl(uint8_t *buf, uint16_t length, uint16_t tunnel_id, uint16_t session_id,
		  uint16_t ns, uint16_t nr)
{
	put_be16(buf, L2TP_FLAG_T | L2TP_FLAG_L | L2TP_FLAG_S | L2TP_VERSION);
	put_be16(buf + 2, length);
	put_be16(buf + 4, tunnel_id);
	put_be16(buf + 6, session_id);
	put_be16(buf + L2TP_CTRL_NS_OFF, ns);
	put_be16(buf + L2TP_CTRL_NR_OFF, nr);
}

size_t
l2tp_hdr_put_data(uint8_t *buf, size_t cap, uint16_t tunnel_id, uint16_t session_id,
		  size_t payload_len, const struct l2tp_data_hdr_opts *opts)
{
	uint16_t flags = L2TP_VERSION;
	size_t hlen = 6;
	size_t pos = 2;

	if (opts->length) {
		flags |= L2TP_FLAG_L;
		hlen += 2;
	}
	if (opts->sequence) {
		flags |= L2TP_FLAG_S;
		hlen += 4;
	}
	if (opts->offset || opts->offset_field) {
		flags |= L2TP_FLAG_O;
		hlen += 2 + opts->offset;
	}
	if (opts->priority)
		flags |= L2TP_FLAG_P;
	if (hlen > cap || hlen + payload_len > UINT16_MAX)
		return 0;

	put_be16(buf, flags);
	if (opts->length) {
		put_be16(buf + pos, (uint16_t)(hlen + payload_len));
		pos += 2;
	}
	put_be16(buf + pos, tunnel_id);
	put_be16(buf + pos + 2, session_id);
	pos += 4;
	if (opts->sequence) {
		put_be16(buf + pos, opts->ns);
		put_be16(buf + pos + 2, opts->nr);
		pos += 4;
	}
	if (flags & L2TP_FLAG_O) {
		put_be16(buf + pos, opts->offset);
		pos += 2;
		memset(buf + pos, 0, opts->offset);
	}
	return hlen;
}

int
l2tp_hdr_format(const struct l2tp_hdr *h, char *out, size_t cap)
{
	char flg[8];
	size_t n = 0;

	if (h->flags & L2TP_FLAG_T)
		flg[n++] = 'T';
	if (h->flags & L2TP_FLAG_L)
		flg[n++] = 'L';
	if (h->flags & L2TP_FLAG_S)
		flg[n++] = 'S';
	if (h->flags & L2TP_FLAG_O)
		flg[n++] = 'O';
	if (h->flags & L2TP_FLAG_P)
		flg[n++] = 'P';
	flg[n] = '\0';
	if (h->flags & L2TP_FLAG_S)
		return snprintf(out, cap, "flg %s, ver %u, len %u, tnl %u, cl %u, ns %u, nr %u",
				flg, h->flags & L2TP_VERSION_MASK, h->length, h->tunnel_id,
				h->session_id, h->ns, h->nr);
	return snprintf(out, cap, "flg %s, ver %u, len %u, tnl %u, cl %u", flg,
			h->flags & L2TP_VERSION_MASK, h->length, h->tunnel_id, h->session_id);
}
