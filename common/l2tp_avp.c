/* SPDX-License-Identifier: BSD-2-Clause */
#include "l2tp_avp.h"

#include <string.h>

#include "lns_md5.h"

#define M(x) (UINT64_C(1) << L2TP_AVP_##x)

enum msg_scope { TUNNEL, SESSION };

struct msg_info {
	const char *name;
	enum msg_scope scope;
	uint64_t must;
	uint64_t may;
};

static const struct l2tp_avp_info avp_table[L2TP_AVP_MAX + 1] = {
#define X(id, type, nm, kd, mn, mx, m, hide)   \
	[type] = { .name = nm,                 \
		   .kind = L2TP_AVP_KIND_##kd, \
		   .min_len = mn,              \
		   .max_len = mx,              \
		   .mandatory = m,             \
		   .may_hide = hide },
#include "l2tp_avp.def"
#undef X
};

#define L2TP_MSG_TYPE_MAX 16
static const struct msg_info msg_table[L2TP_MSG_TYPE_MAX + 1] = {
#define X(id, type, sc, must_avps, may_avps) \
	[type] = { .name = #id, .scope = sc, .must = must_avps, .may = may_avps },
#include "l2tp_msgtype.def"
#undef X
};

const struct l2tp_avp_info *
l2tp_avp_info(uint16_t type)
{
	if (type > L2TP_AVP_MAX || avp_table[type].name == NULL)
		return NULL;
	return &avp_table[type];
}

const char *
l2tp_avp_name(uint16_t type)
{
	const struct l2tp_avp_info *info = l2tp_avp_info(type);

	return info != NULL ? info->name : "unknown AVP";
}

static const struct msg_info *
msg_info(uint16_t type)
{
	if (type > L2TP_MSG_TYPE_MAX || msg_table[type].name == NULL)
		return NULL;
	return &msg_table[type];
}

bool
l2tp_msg_type_known(uint16_t type)
{
	return msg_info(type) != NULL;
}

const char *
l2tp_msg_type_str(uint16_t type)
{
	const struct msg_info *info = msg_info(type);

	if (type == L2TP_MSG_ZLB)
		return "ZLB";
	if (info == NULL)
		return "unknown";
	/* the RFC's spelling, as Cisco's traces print it */
	return type == L2TP_MSG_STOPCCN ? "StopCCN" : info->name;
}

bool
l2tp_msg_is_session_scoped(uint16_t type)
{
	const struct msg_info *info = msg_info(type);

	return info != NULL && info->scope == SESSION;
}

const char *
l2tp_stopccn_result_str(uint16_t code)
{
	static const char *const text[] = {
		[0] = "Reserved",
		[L2TP_STOPCCN_CLEAR] = "Request to clear control connection",
		[L2TP_STOPCCN_GENERAL_ERROR] = "General error, see Error Code",
		[L2TP_STOPCCN_ALREADY_EXISTS] = "Control channel already exists",
		[L2TP_STOPCCN_NOT_AUTHORIZED] = "Requester is not authorized to establish a "
						"control channel",
		[L2TP_STOPCCN_BAD_PROTOCOL_VERSION] = "The protocol version of the requester is "
						      "not supported",
		[L2TP_STOPCCN_SHUTTING_DOWN] = "Requester is being shut down",
		[L2TP_STOPCCN_FSM_ERROR] = "Finite State Machine error",
	};

	return code < sizeof(text) / sizeof(text[0]) ? text[code] : "Unknown result code";
}

const char *
l2tp_cdn_result_str(uint16_t code)
{
	static const char *const text[] = {
		[0] = "Reserved",
		[L2TP_CDN_LOST_CARRIER] = "Loss of carrier",
		[L2TP_CDN_GENERAL_ERROR] = "General error, see Error Code",
		[L2TP_CDN_ADMIN] = "Administrative disconnect",
		[L2TP_CDN_NO_FACILITIES_TEMP] = "Temporary lack of resources",
		[L2TP_CDN_NO_FACILITIES_PERM] = "Permanent lack of resources",
		[L2TP_CDN_INVALID_DEST] = "Invalid destination",
		[L2TP_CDN_NO_CARRIER] = "No carrier detected",
		[L2TP_CDN_BUSY] = "Busy signal",
		[L2TP_CDN_NO_DIALTONE] = "No dial tone",
		[L2TP_CDN_TIMEOUT] = "Call not established within time allotted",
		[L2TP_CDN_NO_FRAMING] = "No appropriate framing detected",
	};

	return code < sizeof(text) / sizeof(text[0]) ? text[code] : "Unknown result code";
}

const char *
l2tp_error_code_str(uint16_t code)
{
	static const char *const text[] = {
		[L2TP_ERR_NONE] = "No error",
		[L2TP_ERR_NO_CONTROL_CONNECTION] = "No control connection exists yet",
		[L2TP_ERR_BAD_LENGTH] = "Length is wrong",
		[L2TP_ERR_BAD_VALUE] = "Field value out of range or reserved field non-zero",
		[L2TP_ERR_NO_RESOURCES] = "Insufficient resources",
		[L2TP_ERR_BAD_SESSION_ID] = "Session ID invalid in this context",
		[L2TP_ERR_VENDOR] = "Vendor-specific error",
		[L2TP_ERR_TRY_ANOTHER] = "Try another",
		[L2TP_ERR_UNKNOWN_MANDATORY_AVP] = "Unknown mandatory AVP",
	};

	return code < sizeof(text) / sizeof(text[0]) ? text[code] : "Unknown error code";
}

void
l2tp_challenge_response(uint8_t out[16], uint8_t msg_type, const uint8_t *secret, size_t secret_len,
			const uint8_t *challenge, size_t challenge_len)
{
	const struct lns_iov parts[] = {
		{ &msg_type, 1 },
		{ secret, secret_len },
		{ challenge, challenge_len },
	};

	lns_md5(out, parts, 3);
}

/*
 * §4.3: the first 16-byte block is XORed with MD5(type, secret, vector),
 * each later block with MD5(secret, previous ciphertext block).
 */
static void
hidden_block_key(uint8_t key[16], bool first, uint16_t type, const uint8_t *secret,
		 size_t secret_len, const uint8_t *chain, size_t chain_len)
{
	uint8_t type_be[2];

	put_be16(type_be, type);
	if (first) {
		const struct lns_iov parts[] = { { type_be, 2 },
						 { secret, secret_len },
						 { chain, chain_len } };

		lns_md5(key, parts, 3);
	} else {
		const struct lns_iov parts[] = { { secret, secret_len }, { chain, chain_len } };

		lns_md5(key, parts, 2);
	}
}

void
l2tp_avp_hide(uint8_t *data, size_t len, uint16_t type, const uint8_t *secret, size_t secret_len,
	      const uint8_t *vector, size_t vector_len)
{
	uint8_t key[16];

	for (size_t off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16;

		if (off == 0)
			hidden_block_key(key, true, type, secret, secret_len, vector, vector_len);
		else
			hidden_block_key(key, false, type, secret, secret_len, data + off - 16, 16);
		for (size_t i = 0; i < n; i++)
			data[off + i] ^= key[i];
	}
}

void
l2tp_avp_unhide(uint8_t *out, const uint8_t *in, size_t len, uint16_t type, const uint8_t *secret,
		size_t secret_len, const uint8_t *vector, size_t vector_len)
{
	uint8_t key[16];

	for (size_t off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16;

		if (off == 0)
			hidden_block_key(key, true, type, secret, secret_len, vector, vector_len);
		else
			hidden_block_key(key, false, type, secret, secret_len, in + off - 16, 16);
		for (size_t i = 0; i < n; i++)
			out[off + i] = in[off + i] ^ key[i];
	}
}

/* Decoding */

struct avp_raw {
	uint16_t flags;
	uint16_t vendor;
	uint16_t type;
	const uint8_t *value;
	uint16_t len;
};

struct decode_ctx {
	struct l2tp_msg *m;
	const uint8_t *secret;
	size_t secret_len;
	const uint8_t *vector; /* last Random Vector seen */
	uint16_t vector_len;
	bool lenient; /* unknown AVPs with M skipped and counted */
};

/* §4.1: checks the 6-byte header and the length, lower bound first. */
static enum l2tp_status
avp_next(const uint8_t *buf, size_t remaining, struct avp_raw *a)
{
	uint16_t len;

	if (remaining < L2TP_AVP_HDR_LEN)
		return L2TP_ST_AVP_TRUNCATED;
	a->flags = get_be16(buf);
	len = a->flags & L2TP_AVP_LEN;
	if (len < L2TP_AVP_HDR_LEN)
		return L2TP_ST_AVP_LEN_BELOW_6;
	if (len > remaining)
		return L2TP_ST_AVP_LEN_PAST_END;
	a->vendor = get_be16(buf + 2);
	a->type = get_be16(buf + 4);
	a->value = buf + L2TP_AVP_HDR_LEN;
	a->len = (uint16_t)(len - L2TP_AVP_HDR_LEN);
	return L2TP_ST_OK;
}

static enum l2tp_status
unhide(struct decode_ctx *d, struct avp_raw *a)
{
	struct l2tp_msg *m = d->m;
	uint8_t *plain = m->arena + m->arena_used;
	uint16_t orig_len;

	if (d->secret == NULL || d->secret_len == 0)
		return L2TP_ST_AVP_HIDDEN_NO_SECRET;
	if (d->vector == NULL)
		return L2TP_ST_AVP_HIDDEN_NO_VECTOR;
	if (a->len < 2)
		return L2TP_ST_AVP_HIDDEN_BAD_LEN;
	if (a->len > sizeof(m->arena) - m->arena_used)
		return L2TP_ST_AVP_HIDDEN_TOO_BIG;
	l2tp_avp_unhide(plain, a->value, a->len, a->type, d->secret, d->secret_len, d->vector,
			d->vector_len);
	orig_len = get_be16(plain);
	if (orig_len > a->len - 2)
		return L2TP_ST_AVP_HIDDEN_BAD_LEN;
	m->arena_used = (uint16_t)(m->arena_used + a->len);
	a->value = plain + 2;
	a->len = orig_len;
	return L2TP_ST_OK;
}

static void
store_value(struct l2tp_avp_val *v, const struct l2tp_avp_info *info, const struct avp_raw *a)
{
	v->ptr = a->value;
	v->len = a->len;
	v->mandatory = (a->flags & L2TP_AVP_FLAG_M) != 0;
	v->hidden = (a->flags & L2TP_AVP_FLAG_H) != 0;
	switch (info->kind) {
	case L2TP_AVP_KIND_U16:
		v->num = get_be16(a->value);
		break;
	case L2TP_AVP_KIND_U32:
		v->num = get_be32(a->value);
		break;
	case L2TP_AVP_KIND_U64:
		v->num = (uint64_t)get_be32(a->value) << 32 | get_be32(a->value + 4);
		break;
	default:
		v->num = 0;
		break;
	}
}

/*
 * One AVP. Unknown or vendor AVPs without M are skipped (§4.1); with M
 * they fail the message. Reserved bits set make an AVP unrecognised too.
 */
static enum l2tp_status
decode_one(struct decode_ctx *d, struct avp_raw *a)
{
	struct l2tp_msg *m = d->m;
	const struct l2tp_avp_info *info = NULL;
	enum l2tp_status st;

	if (a->vendor == 0 && !(a->flags & L2TP_AVP_RSVD))
		info = l2tp_avp_info(a->type);
	if (info == NULL) {
		if ((a->flags & L2TP_AVP_FLAG_M) && !d->lenient)
			return L2TP_ST_AVP_UNKNOWN_MANDATORY;
		if (a->flags & L2TP_AVP_FLAG_M)
			m->n_unknown_mandatory++;
		else
			m->n_skipped++;
		return L2TP_ST_OK;
	}
	if (a->flags & L2TP_AVP_FLAG_H) {
		if (!info->may_hide)
			return L2TP_ST_BAD_VALUE;
		st = unhide(d, a);
		if (st != L2TP_ST_OK)
			return st;
	}
	if (a->len < info->min_len || a->len > info->max_len)
		return L2TP_ST_AVP_BAD_VALUE_LEN;
	if (a->type == L2TP_AVP_RANDOM_VECTOR) {
		d->vector = a->value;
		d->vector_len = a->len;
	}
	if (l2tp_msg_has(m, a->type)) {
		m->n_duplicates++;
		return L2TP_ST_OK;
	}
	m->present |= UINT64_C(1) << a->type;
	store_value(&m->avp[a->type], info, a);
	return L2TP_ST_OK;
}

/* §4.4.1: the Message Type AVP comes first and is never hidden. */
static enum l2tp_status
decode_msgtype(struct l2tp_msg *m, const struct avp_raw *a)
{
	if (a->vendor != 0 || a->type != L2TP_AVP_MESSAGE_TYPE || (a->flags & L2TP_AVP_FLAG_H))
		return L2TP_ST_FIRST_AVP_NOT_MSGTYPE;
	if (a->len != 2)
		return L2TP_ST_AVP_BAD_VALUE_LEN;
	m->type = get_be16(a->value);
	m->type_mandatory = (a->flags & L2TP_AVP_FLAG_M) != 0;
	m->present |= M(MESSAGE_TYPE);
	store_value(&m->avp[0], &avp_table[0], a);
	if (!l2tp_msg_type_known(m->type))
		return L2TP_ST_MSGTYPE_UNKNOWN;
	return L2TP_ST_OK;
}

static enum l2tp_status
decode(struct l2tp_msg *m, const uint8_t *body, size_t len, const uint8_t *secret,
       size_t secret_len, bool lenient)
{
	struct decode_ctx d = {
		.m = m, .secret = secret, .secret_len = secret_len, .lenient = lenient
	};
	struct avp_raw a;
	enum l2tp_status st;
	size_t pos = 0;

	m->present = 0;
	m->n_skipped = 0;
	m->n_duplicates = 0;
	m->n_unknown_mandatory = 0;
	m->bad_avp = 0;
	m->bad_vendor = 0;
	m->arena_used = 0;
	m->type_mandatory = false;
	m->type = L2TP_MSG_ZLB;
	if (len == 0)
		return L2TP_ST_OK;

	while (pos < len) {
		st = avp_next(body + pos, len - pos, &a);
		if (st == L2TP_ST_OK) {
			m->bad_avp = a.type;
			m->bad_vendor = a.vendor;
			st = pos == 0 ? decode_msgtype(m, &a) : decode_one(&d, &a);
		}
		if (st != L2TP_ST_OK)
			return st;
		pos += get_be16(body + pos) & L2TP_AVP_LEN; /* >= 6: checked */
	}
	m->bad_avp = 0;
	m->bad_vendor = 0;
	return L2TP_ST_OK;
}

enum l2tp_status
l2tp_msg_decode(struct l2tp_msg *m, const uint8_t *body, size_t len, const uint8_t *secret,
		size_t secret_len)
{
	return decode(m, body, len, secret, secret_len, false);
}

enum l2tp_status
l2tp_msg_decode_lenient(struct l2tp_msg *m, const uint8_t *body, size_t len, const uint8_t *secret,
			size_t secret_len)
{
	return decode(m, body, len, secret, secret_len, true);
}

enum l2tp_status
l2tp_msg_check(struct l2tp_msg *m)
{
	const struct msg_info *info = msg_info(m->type);
	uint64_t missing;

	if (info == NULL)
		return m->type == L2TP_MSG_ZLB ? L2TP_ST_OK : L2TP_ST_MSGTYPE_UNKNOWN;
	missing = info->must & ~m->present;
	if (missing == 0)
		return L2TP_ST_OK;
	m->bad_avp = (uint16_t)__builtin_ctzll(missing);
	return L2TP_ST_MISSING_MANDATORY_AVP;
}

bool
l2tp_msg_result(const struct l2tp_msg *m, struct l2tp_result *out)
{
	const struct l2tp_avp_val *v = &m->avp[L2TP_AVP_RESULT_CODE];

	if (!l2tp_msg_has(m, L2TP_AVP_RESULT_CODE))
		return false;
	out->result = get_be16(v->ptr);
	out->error = v->len >= 4 ? get_be16(v->ptr + 2) : -1;
	out->message = v->len > 4 ? v->ptr + 4 : NULL;
	out->message_len = v->len > 4 ? (uint16_t)(v->len - 4) : 0;
	return true;
}

bool
l2tp_msg_q931(const struct l2tp_msg *m, struct l2tp_q931 *out)
{
	const struct l2tp_avp_val *v = &m->avp[L2TP_AVP_Q931_CAUSE];

	if (!l2tp_msg_has(m, L2TP_AVP_Q931_CAUSE))
		return false;
	out->cause = get_be16(v->ptr);
	out->msg_code = v->ptr[2];
	out->advisory = v->len > 3 ? v->ptr + 3 : NULL;
	out->advisory_len = (uint16_t)(v->len - 3);
	return true;
}

bool
l2tp_msg_call_errors(const struct l2tp_msg *m, struct l2tp_call_errors *out)
{
	const uint8_t *p = m->avp[L2TP_AVP_CALL_ERRORS].ptr;

	if (!l2tp_msg_has(m, L2TP_AVP_CALL_ERRORS))
		return false;
	/* 2 reserved bytes, then six 32-bit counters (§4.4.6) */
	out->crc = get_be32(p + 2);
	out->framing = get_be32(p + 6);
	out->hw_overruns = get_be32(p + 10);
	out->buffer_overruns = get_be32(p + 14);
	out->timeout = get_be32(p + 18);
	out->alignment = get_be32(p + 22);
	return true;
}

bool
l2tp_msg_accm(const struct l2tp_msg *m, struct l2tp_accm *out)
{
	const uint8_t *p = m->avp[L2TP_AVP_ACCM].ptr;

	if (!l2tp_msg_has(m, L2TP_AVP_ACCM))
		return false;
	/* 2 reserved bytes, Send ACCM, Receive ACCM (§4.4.6) */
	out->send = get_be32(p + 2);
	out->recv = get_be32(p + 6);
	return true;
}

/* Encoding */

void
l2tp_w_init(struct l2tp_writer *w, uint8_t *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	w->len = L2TP_CTRL_HDR_LEN;
	if (cap < L2TP_CTRL_HDR_LEN)
		w->failed = true;
}

void
l2tp_w_set_secret(struct l2tp_writer *w, const uint8_t *secret, size_t len)
{
	w->secret = secret;
	w->secret_len = len;
}

static uint8_t *
w_reserve(struct l2tp_writer *w, size_t n)
{
	uint8_t *p;

	if (w->failed || n > w->cap - w->len) {
		w->failed = true;
		return NULL;
	}
	p = w->buf + w->len;
	w->len += n;
	return p;
}

void
l2tp_w_raw(struct l2tp_writer *w, uint16_t flags, uint16_t vendor, uint16_t type, const void *value,
	   size_t len)
{
	uint8_t *p;

	if (len > L2TP_AVP_LEN - L2TP_AVP_HDR_LEN) {
		w->failed = true;
		return;
	}
	p = w_reserve(w, L2TP_AVP_HDR_LEN + len);
	if (p == NULL)
		return;
	put_be16(p, (uint16_t)((flags & ~L2TP_AVP_LEN) | (L2TP_AVP_HDR_LEN + len)));
	put_be16(p + 2, vendor);
	put_be16(p + 4, type);
	if (len)
		memcpy(p + L2TP_AVP_HDR_LEN, value, len);
}

/* §4.3 hidden subformat: original length, value, no padding. */
static void
w_hidden(struct l2tp_writer *w, uint16_t flags, uint16_t type, const void *value, size_t len)
{
	uint8_t *p;

	if (w->secret == NULL || w->vector == NULL || len + 2 > L2TP_AVP_LEN - L2TP_AVP_HDR_LEN) {
		w->failed = true;
		return;
	}
	p = w_reserve(w, L2TP_AVP_HDR_LEN + 2 + len);
	if (p == NULL)
		return;
	put_be16(p, (uint16_t)(flags | L2TP_AVP_FLAG_H | (L2TP_AVP_HDR_LEN + 2 + len)));
	put_be16(p + 2, 0);
	put_be16(p + 4, type);
	put_be16(p + 6, (uint16_t)len);
	if (len)
		memcpy(p + 8, value, len);
	l2tp_avp_hide(p + 6, 2 + len, type, w->secret, w->secret_len, w->vector, w->vector_len);
}

static void
w_avp(struct l2tp_writer *w, uint16_t type, const void *value, size_t len)
{
	const struct l2tp_avp_info *info = l2tp_avp_info(type);
	uint16_t flags = info != NULL && info->mandatory ? L2TP_AVP_FLAG_M : 0;

	if (info != NULL && info->may_hide && (w->hide_mask >> type & 1))
		w_hidden(w, flags, type, value, len);
	else
		l2tp_w_raw(w, flags, 0, type, value, len);
}

void
l2tp_w_u16(struct l2tp_writer *w, uint16_t type, uint16_t v)
{
	uint8_t b[2];

	put_be16(b, v);
	w_avp(w, type, b, sizeof(b));
}

void
l2tp_w_u32(struct l2tp_writer *w, uint16_t type, uint32_t v)
{
	uint8_t b[4];

	put_be32(b, v);
	w_avp(w, type, b, sizeof(b));
}

void
l2tp_w_u64(struct l2tp_writer *w, uint16_t type, uint64_t v)
{
	uint8_t b[8];

	put_be32(b, (uint32_t)(v >> 32));
	put_be32(b + 4, (uint32_t)v);
	w_avp(w, type, b, sizeof(b));
}

void
l2tp_w_bytes(struct l2tp_writer *w, uint16_t type, const void *value, size_t len)
{
	w_avp(w, type, value, len);
}

void
l2tp_w_str(struct l2tp_writer *w, uint16_t type, const char *s)
{
	w_avp(w, type, s, strlen(s));
}

void
l2tp_w_empty(struct l2tp_writer *w, uint16_t type)
{
	w_avp(w, type, NULL, 0);
}

void
l2tp_w_result(struct l2tp_writer *w, uint16_t result, int error, const char *message)
{
	uint8_t b[2 + 2 + 256];
	size_t len = 2;
	size_t mlen = message != NULL ? strnlen(message, 256) : 0;

	put_be16(b, result);
	if (error >= 0) {
		put_be16(b + 2, (uint16_t)error);
		len += 2;
		if (mlen) {
			memcpy(b + 4, message, mlen);
			len += mlen;
		}
	}
	w_avp(w, L2TP_AVP_RESULT_CODE, b, len);
}

void
l2tp_w_accm(struct l2tp_writer *w, uint32_t send, uint32_t recv)
{
	uint8_t b[10] = { 0 };

	put_be32(b + 2, send);
	put_be32(b + 6, recv);
	w_avp(w, L2TP_AVP_ACCM, b, sizeof(b));
}

void
l2tp_w_random_vector(struct l2tp_writer *w, const uint8_t *vector, size_t len)
{
	size_t at = w->len + L2TP_AVP_HDR_LEN;

	l2tp_w_raw(w, L2TP_AVP_FLAG_M, 0, L2TP_AVP_RANDOM_VECTOR, vector, len);
	if (!w->failed) {
		w->vector = w->buf + at;
		w->vector_len = len;
	}
}

int
l2tp_w_finish(struct l2tp_writer *w, uint16_t tunnel_id, uint16_t session_id, uint16_t ns,
	      uint16_t nr)
{
	if (w->failed || w->len > L2TP_CTRL_MAX_LEN)
		return -1;
	l2tp_hdr_put_ctrl(w->buf, (uint16_t)w->len, tunnel_id, session_id, ns, nr);
	return (int)w->len;
}
