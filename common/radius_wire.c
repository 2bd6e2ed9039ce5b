/* SPDX-License-Identifier: BSD-2-Clause */
#include "radius_wire.h"

#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <string.h>

#include "lns_md5.h"

#define MA_ATTR_LEN (2 + LNS_MD5_LEN)

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void
radius_begin(struct radius_pkt *p, uint8_t code, uint8_t id,
	     const uint8_t authenticator[RADIUS_AUTH_LEN])
{
	p->buf[0] = code;
	p->buf[1] = id;
	put16(p->buf + 2, RADIUS_HDR_LEN);
	if (authenticator != NULL)
		memcpy(p->buf + 4, authenticator, RADIUS_AUTH_LEN);
	else
		memset(p->buf + 4, 0, RADIUS_AUTH_LEN);
	p->len = RADIUS_HDR_LEN;
	p->overflow = false;
}

/* Room for an attribute of n value bytes, and for Message-Authenticator after it. */
static uint8_t *
attr_room(struct radius_pkt *p, uint8_t type, size_t n)
{
	uint8_t *a;

	if (n > RADIUS_MAX_ATTR || p->len + 2 + n + MA_ATTR_LEN > sizeof(p->buf)) {
		p->overflow = true;
		return NULL;
	}
	a = p->buf + p->len;
	a[0] = type;
	a[1] = (uint8_t)(2 + n);
	p->len += 2 + n;
	return a + 2;
}

void
radius_put(struct radius_pkt *p, uint8_t type, const void *val, size_t len)
{
	uint8_t *v = attr_room(p, type, len);

	if (v != NULL && len > 0)
		memcpy(v, val, len);
}

void
radius_put_str(struct radius_pkt *p, uint8_t type, const char *s)
{
	radius_put(p, type, s, strlen(s));
}

void
radius_put_u32(struct radius_pkt *p, uint8_t type, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	radius_put(p, type, b, sizeof(b));
}

void
radius_put_tagged(struct radius_pkt *p, uint8_t type, uint8_t tag, const void *val, size_t len)
{
	uint8_t *v = len < RADIUS_MAX_ATTR ? attr_room(p, type, len + 1) : NULL;

	if (v == NULL) {
		p->overflow = true;
		return;
	}
	v[0] = tag;
	if (len > 0)
		memcpy(v + 1, val, len);
}

void
radius_put_vsa(struct radius_pkt *p, uint32_t vendor, uint8_t type, const void *val, size_t len)
{
	uint8_t *v =
		len + 6 <= RADIUS_MAX_ATTR ? attr_room(p, RADIUS_VENDOR_SPECIFIC, len + 6) : NULL;

	if (v == NULL) {
		p->overflow = true;
		return;
	}
	v[0] = (uint8_t)(vendor >> 24);
	v[1] = (uint8_t)(vendor >> 16);
	v[2] = (uint8_t)(vendor >> 8);
	v[3] = (uint8_t)vendor;
	v[4] = type;
	v[5] = (uint8_t)(len + 2);
	if (len > 0)
		memcpy(v + 6, val, len);
}

/*
 * RFC 2865 §5.2: the password padded to 16-byte blocks, each XORed with
 * MD5(secret + previous ciphertext block), the first with the authenticator.
 */
void
radius_put_password(struct radius_pkt *p, const char *secret, const uint8_t *pw, size_t len)
{
	uint8_t plain[RADIUS_MAX_PASSWD] = { 0 };
	size_t n = len == 0 ? 16 : (len + 15) / 16 * 16;
	const uint8_t *prev = p->buf + 4;
	uint8_t *v;

	if (len > RADIUS_MAX_PASSWD || (v = attr_room(p, RADIUS_USER_PASSWORD, n)) == NULL) {
		p->overflow = true;
		return;
	}
	if (len > 0)
		memcpy(plain, pw, len);
	for (size_t off = 0; off < n; off += 16) {
		uint8_t b[LNS_MD5_LEN];
		struct lns_iov parts[] = { { secret, strlen(secret) }, { prev, 16 } };

		lns_md5(b, parts, 2);
		for (size_t i = 0; i < 16; i++)
			v[off + i] = plain[off + i] ^ b[i];
		prev = v + off;
	}
	memset(plain, 0, sizeof(plain));
}

static void
hmac_md5(uint8_t out[LNS_MD5_LEN], const char *secret, const uint8_t *data, size_t len)
{
	struct hmac_md5_ctx ctx;

	hmac_md5_set_key(&ctx, strlen(secret), (const uint8_t *)secret);
	hmac_md5_update(&ctx, len, data);
	hmac_md5_digest(&ctx, LNS_MD5_LEN, out);
}

/* MD5(packet with the given authenticator in place, secret) */
static void
packet_md5(uint8_t out[LNS_MD5_LEN], const uint8_t *pkt, size_t len, const uint8_t *auth,
	   const char *secret)
{
	struct lns_iov parts[] = { { pkt, 4 },
				   { auth, RADIUS_AUTH_LEN },
				   { pkt + RADIUS_HDR_LEN, len - RADIUS_HDR_LEN },
				   { secret, strlen(secret) } };

	lns_md5(out, parts, 4);
}

static bool
code_is_request_signed(uint8_t code)
{
	return code == RADIUS_ACCOUNTING_REQUEST || code == RADIUS_DISCONNECT_REQUEST ||
	       code == RADIUS_COA_REQUEST;
}

size_t
radius_finish(struct radius_pkt *p, const char *secret, const uint8_t *request_auth)
{
	static const uint8_t zero[RADIUS_AUTH_LEN];
	uint8_t *ma;
	uint8_t code = p->buf[0];

	if (p->overflow)
		return 0;
	ma = p->buf + p->len;
	ma[0] = RADIUS_MESSAGE_AUTHENTICATOR;
	ma[1] = MA_ATTR_LEN;
	memset(ma + 2, 0, LNS_MD5_LEN);
	p->len += MA_ATTR_LEN;
	put16(p->buf + 2, p->len);
	/* RFC 3579 §3.2, RFC 5176 §3.1: the HMAC is over the authenticator as sent (zeros
	 * for a signed request), or the request's for an answer */
	if (request_auth != NULL)
		memcpy(p->buf + 4, request_auth, RADIUS_AUTH_LEN);
	else if (code_is_request_signed(code))
		memcpy(p->buf + 4, zero, RADIUS_AUTH_LEN);
	hmac_md5(ma + 2, secret, p->buf, p->len);
	if (request_auth != NULL || code_is_request_signed(code)) {
		uint8_t a[LNS_MD5_LEN];

		packet_md5(a, p->buf, p->len, request_auth != NULL ? request_auth : zero, secret);
		memcpy(p->buf + 4, a, RADIUS_AUTH_LEN);
	}
	return p->len;
}

const char *
radius_check_str(enum radius_check c)
{
	switch (c) {
	case RADIUS_OK:
		return "ok";
	case RADIUS_BAD_LENGTH:
		return "bad length";
	case RADIUS_BAD_ATTRIBUTE:
		return "malformed attribute";
	case RADIUS_BAD_AUTHENTICATOR:
		return "authenticator does not match (wrong secret?)";
	case RADIUS_NO_MESSAGE_AUTH:
		return "no Message-Authenticator";
	case RADIUS_BAD_MESSAGE_AUTH:
		return "Message-Authenticator does not match";
	}
	return "?";
}

/* Length field and attribute framing; the offset of Message-Authenticator's value or 0. */
static enum radius_check
check_framing(const uint8_t *pkt, size_t *len, size_t *ma_off)
{
	size_t n, off;

	*ma_off = 0;
	if (*len < RADIUS_HDR_LEN)
		return RADIUS_BAD_LENGTH;
	n = get16(pkt + 2);
	if (n < RADIUS_HDR_LEN || n > *len || n > RADIUS_MAX_LEN)
		return RADIUS_BAD_LENGTH;
	for (off = RADIUS_HDR_LEN; off < n;) {
		if (n - off < 2 || pkt[off + 1] < 2 || pkt[off + 1] > n - off)
			return RADIUS_BAD_ATTRIBUTE;
		if (pkt[off] == RADIUS_MESSAGE_AUTHENTICATOR) {
			if (pkt[off + 1] != MA_ATTR_LEN)
				return RADIUS_BAD_ATTRIBUTE;
			*ma_off = off + 2;
		}
		off += pkt[off + 1];
	}
	*len = n;
	return RADIUS_OK;
}

/* HMAC-MD5 over the packet with Message-Authenticator zeroed and auth in the header. */
static bool
message_auth_ok(const uint8_t *pkt, size_t len, size_t ma_off, const uint8_t *auth,
		const char *secret)
{
	uint8_t copy[RADIUS_MAX_LEN], want[LNS_MD5_LEN];

	memcpy(copy, pkt, len);
	memcpy(copy + 4, auth, RADIUS_AUTH_LEN);
	memset(copy + ma_off, 0, LNS_MD5_LEN);
	hmac_md5(want, secret, copy, len);
	return memeql_sec(want, pkt + ma_off, LNS_MD5_LEN);
}

static bool
code_is_access_answer(uint8_t code)
{
	return code == RADIUS_ACCESS_ACCEPT || code == RADIUS_ACCESS_REJECT ||
	       code == RADIUS_ACCESS_CHALLENGE;
}

enum radius_check
radius_check_answer(const uint8_t *pkt, size_t *len, const char *secret,
		    const uint8_t request_auth[RADIUS_AUTH_LEN])
{
	size_t ma_off;
	uint8_t want[LNS_MD5_LEN];
	enum radius_check r = check_framing(pkt, len, &ma_off);

	if (r != RADIUS_OK)
		return r;
	packet_md5(want, pkt, *len, request_auth, secret);
	if (!memeql_sec(want, pkt + 4, RADIUS_AUTH_LEN))
		return RADIUS_BAD_AUTHENTICATOR;
	if (ma_off == 0)
		return code_is_access_answer(pkt[0]) ? RADIUS_NO_MESSAGE_AUTH : RADIUS_OK;
	return message_auth_ok(pkt, *len, ma_off, request_auth, secret) ? RADIUS_OK
									: RADIUS_BAD_MESSAGE_AUTH;
}

enum radius_check
radius_check_request(const uint8_t *pkt, size_t *len, const char *secret, bool require_message_auth)
{
	static const uint8_t zero[RADIUS_AUTH_LEN];
	size_t ma_off;
	uint8_t want[LNS_MD5_LEN];
	enum radius_check r = check_framing(pkt, len, &ma_off);

	if (r != RADIUS_OK)
		return r;
	packet_md5(want, pkt, *len, zero, secret);
	if (!memeql_sec(want, pkt + 4, RADIUS_AUTH_LEN))
		return RADIUS_BAD_AUTHENTICATOR;
	if (ma_off == 0)
		return require_message_auth ? RADIUS_NO_MESSAGE_AUTH : RADIUS_OK;
	return message_auth_ok(pkt, *len, ma_off, zero, secret) ? RADIUS_OK
								: RADIUS_BAD_MESSAGE_AUTH;
}

void
radius_attr_first(struct radius_attr_it *it, const uint8_t *pkt, size_t len)
{
	it->pos = pkt + RADIUS_HDR_LEN;
	it->end = pkt + (len >= RADIUS_HDR_LEN ? len : RADIUS_HDR_LEN);
}

/* A Vendor-Specific value: vendor ID, then type, length, value; else returned raw. */
static void
open_vsa(struct radius_avp *a)
{
	if (a->len < 6 || a->val[4 + 1] < 2 || a->val[4 + 1] != a->len - 4)
		return; /* several sub-attributes, or not the RFC 2865 format: raw */
	a->vendor = (uint32_t)a->val[0] << 24 | (uint32_t)a->val[1] << 16 |
		    (uint32_t)a->val[2] << 8 | a->val[3];
	a->type = a->val[4];
	a->len = (uint8_t)(a->val[5] - 2);
	a->val += 6;
}

bool
radius_attr_next(struct radius_attr_it *it, struct radius_avp *out)
{
	if (it->end - it->pos < 2 || it->pos[1] < 2 || it->pos[1] > it->end - it->pos)
		return false;
	out->type = it->pos[0];
	out->vendor = 0;
	out->val = it->pos + 2;
	out->len = (uint8_t)(it->pos[1] - 2);
	it->pos += it->pos[1];
	if (out->type == RADIUS_VENDOR_SPECIFIC)
		open_vsa(out);
	return true;
}

bool
radius_avp_u32(const struct radius_avp *a, uint32_t *out)
{
	if (a->len != 4)
		return false;
	*out = (uint32_t)a->val[0] << 24 | (uint32_t)a->val[1] << 16 | (uint32_t)a->val[2] << 8 |
	       a->val[3];
	return true;
}
