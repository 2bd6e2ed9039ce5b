/* SPDX-License-Identifier: BSD-2-Clause */
#include "ppp_wire.h"

#include <stdio.h>
#include <string.h>

#include "byteorder.h" /* get_be16 and friends */

const char *
ppp_code_str(uint8_t code)
{
	static const char *const names[] = {
		[PPP_CONFREQ] = "CONFREQ", [PPP_CONFACK] = "CONFACK", [PPP_CONFNAK] = "CONFNAK",
		[PPP_CONFREJ] = "CONFREJ", [PPP_TERMREQ] = "TERMREQ", [PPP_TERMACK] = "TERMACK",
		[PPP_CODEREJ] = "CODEREJ", [PPP_PROTREJ] = "PROTREJ", [PPP_ECHOREQ] = "ECHOREQ",
		[PPP_ECHOREP] = "ECHOREP", [PPP_DISCREQ] = "DISCREQ", [PPP_IDENT] = "IDENT",
		[PPP_TIMEREM] = "TIMEREM",
	};

	if (code < sizeof(names) / sizeof(names[0]) && names[code] != NULL)
		return names[code];
	return "UNKNOWN";
}

const char *
ppp_proto_str(uint16_t proto)
{
	switch (proto) {
	case PPP_PROTO_IP:
		return "IP";
	case PPP_PROTO_IPV6:
		return "IPV6";
	case PPP_PROTO_IPCP:
		return "IPCP";
	case PPP_PROTO_IPV6CP:
		return "IPV6CP";
	case PPP_PROTO_LCP:
		return "LCP";
	case PPP_PROTO_PAP:
		return "PAP";
	case PPP_PROTO_CHAP:
		return "CHAP";
	default:
		return "unknown";
	}
}

enum ppp_parse
ppp_frame_parse(struct ppp_frame *f, const uint8_t *buf, size_t len)
{
	size_t pos = 0;

	f->has_acf = len >= 2 && buf[0] == PPP_ADDRESS && buf[1] == PPP_CONTROL;
	if (f->has_acf)
		pos = 2;
	if (len - pos < 1)
		return PPP_PARSE_SHORT;
	f->pfc = buf[pos] & 1;
	if (f->pfc) {
		f->proto = buf[pos];
		pos += 1;
	} else {
		if (len - pos < 2)
			return PPP_PARSE_SHORT;
		f->proto = get_be16(buf + pos);
		pos += 2;
	}
	f->info = buf + pos;
	f->info_len = len - pos;
	return PPP_PARSE_OK;
}

enum ppp_parse
ppp_cp_parse(struct ppp_cp *p, const uint8_t *buf, size_t len)
{
	if (len < PPP_CP_HDR_LEN)
		return PPP_PARSE_SHORT;
	p->code = buf[0];
	p->id = buf[1];
	p->length = get_be16(buf + 2);
	if (p->length < PPP_CP_HDR_LEN || p->length > len)
		return PPP_PARSE_BAD_LENGTH;
	p->data = buf + PPP_CP_HDR_LEN;
	p->data_len = p->length - PPP_CP_HDR_LEN;
	return PPP_PARSE_OK;
}

int
ppp_opt_next(const uint8_t *buf, size_t len, size_t *pos, struct ppp_opt *o)
{
	if (*pos >= len)
		return 0;
	if (len - *pos < PPP_OPT_HDR_LEN)
		return -1;
	o->type = buf[*pos];
	o->len = buf[*pos + 1];
	if (o->len < PPP_OPT_HDR_LEN || o->len > len - *pos)
		return -1;
	o->val = buf + *pos + PPP_OPT_HDR_LEN;
	*pos += o->len;
	return 1;
}

bool
ppp_opts_valid(const uint8_t *buf, size_t len)
{
	struct ppp_opt o;
	size_t pos = 0;
	int r;

	while ((r = ppp_opt_next(buf, len, &pos, &o)) > 0)
		;
	return r == 0;
}

void
ppp_w_init(struct ppp_writer *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->cp_start = 0;
	w->failed = false;
}

void
ppp_w_bytes(struct ppp_writer *w, const void *data, size_t len)
{
	if (w->failed || len > w->cap - w->len) {
		w->failed = true;
		return;
	}
	if (len)
		memcpy(w->buf + w->len, data, len);
	w->len += len;
}

void
ppp_w_u8(struct ppp_writer *w, uint8_t v)
{
	ppp_w_bytes(w, &v, 1);
}

void
ppp_w_u16(struct ppp_writer *w, uint16_t v)
{
	uint8_t b[2];

	put_be16(b, v);
	ppp_w_bytes(w, b, 2);
}

void
ppp_w_u32(struct ppp_writer *w, uint32_t v)
{
	uint8_t b[4];

	put_be32(b, v);
	ppp_w_bytes(w, b, 4);
}

void
ppp_w_frame(struct ppp_writer *w, uint16_t proto)
{
	ppp_w_u8(w, PPP_ADDRESS);
	ppp_w_u8(w, PPP_CONTROL);
	ppp_w_u16(w, proto);
}

void
ppp_w_cp_begin(struct ppp_writer *w, uint8_t code, uint8_t id)
{
	w->cp_start = w->len;
	ppp_w_u8(w, code);
	ppp_w_u8(w, id);
	ppp_w_u16(w, 0); /* Length: ppp_w_cp_end */
}

void
ppp_w_cp_end(struct ppp_writer *w)
{
	size_t n = w->len - w->cp_start;

	if (w->failed || n > UINT16_MAX) {
		w->failed = true;
		return;
	}
	put_be16(w->buf + w->cp_start + 2, (uint16_t)n);
}

void
ppp_w_opt(struct ppp_writer *w, uint8_t type, const void *val, size_t len)
{
	if (len > 255 - PPP_OPT_HDR_LEN) {
		w->failed = true;
		return;
	}
	ppp_w_u8(w, type);
	ppp_w_u8(w, (uint8_t)(len + PPP_OPT_HDR_LEN));
	ppp_w_bytes(w, val, len);
}

void
ppp_w_opt_u16(struct ppp_writer *w, uint8_t type, uint16_t v)
{
	uint8_t b[2];

	put_be16(b, v);
	ppp_w_opt(w, type, b, 2);
}

void
ppp_w_opt_u32(struct ppp_writer *w, uint8_t type, uint32_t v)
{
	uint8_t b[4];

	put_be32(b, v);
	ppp_w_opt(w, type, b, 4);
}

void
ppp_hex(char *out, size_t cap, const uint8_t *data, size_t len)
{
	size_t n = 0;

	if (cap < 3) {
		if (cap)
			out[0] = '\0';
		return;
	}
	n += (size_t)snprintf(out, cap, "0x");
	for (size_t i = 0; i < len && n + 3 <= cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%02X", data[i]);
}
