/* SPDX-License-Identifier: BSD-2-Clause */
#include "aaa_dae.h"

#include <string.h>

/* State, Proxy-State, Event-Timestamp, Message-Authenticator: carried, not acted on */
#define RADIUS_STATE	   24
#define RADIUS_PROXY_STATE 33

static void
take_string(char *dst, size_t size, const struct radius_avp *a)
{
	size_t n = a->len < size - 1 ? a->len : size - 1;

	memcpy(dst, a->val, n);
	dst[n] = '\0';
}

/* NAS-IP-Address and NAS-Identifier, when given, must be ours (RFC 5176 §3). */
static bool
nas_matches(const struct radius_avp *a, const struct aaa_nas *nas)
{
	uint32_t ip;

	if (a->type == RADIUS_NAS_IP_ADDRESS)
		return radius_avp_u32(a, &ip) && ip == nas->ip;
	return a->len == strlen(nas->identifier) && memcmp(a->val, nas->identifier, a->len) == 0;
}

static enum aaa_dae_error
read_identification(const struct radius_avp *a, struct aaa_dae_request *r)
{
	switch (a->type) {
	case RADIUS_USER_NAME:
		if (a->len == 0 || a->len > AAA_NAME_MAX)
			return AAA_DAE_INVALID_REQUEST;
		take_string(r->user, sizeof(r->user), a);
		r->has_user = true;
		return AAA_DAE_OK;
	case RADIUS_ACCT_SESSION_ID:
		if (a->len == 0 || a->len >= AAA_SESSION_ID)
			return AAA_DAE_SESSION_NOT_FOUND; /* not one of ours */
		take_string(r->session_id, sizeof(r->session_id), a);
		r->has_session_id = true;
		return AAA_DAE_OK;
	default: /* RADIUS_FRAMED_IP_ADDRESS */
		if (!radius_avp_u32(a, &r->framed_ip))
			return AAA_DAE_INVALID_REQUEST;
		r->has_framed_ip = true;
		return AAA_DAE_OK;
	}
}

/* CoA: the limits lnsd can change on a live session. */
static enum aaa_dae_error
read_change(const struct radius_avp *a, struct aaa_dae_request *r)
{
	uint32_t v;

	if (r->disconnect || !radius_avp_u32(a, &v))
		return AAA_DAE_UNSUPPORTED_ATTRIBUTE;
	if (a->type == RADIUS_SESSION_TIMEOUT) {
		r->has_session_timeout = true;
		r->session_timeout_s = v;
	} else if (a->type == RADIUS_IDLE_TIMEOUT) {
		r->has_idle_timeout = true;
		r->idle_timeout_s = v;
	} else {
		r->has_interim = true;
		r->interim_s = v;
	}
	return AAA_DAE_OK;
}

static enum aaa_dae_error
read_attr(const struct radius_avp *a, const struct aaa_nas *nas, struct aaa_dae_request *r)
{
	if (a->vendor != 0)
		return AAA_DAE_UNSUPPORTED_ATTRIBUTE;
	switch (a->type) {
	case RADIUS_NAS_IP_ADDRESS:
	case RADIUS_NAS_IDENTIFIER:
		return nas_matches(a, nas) ? AAA_DAE_OK : AAA_DAE_NAS_MISMATCH;
	case RADIUS_USER_NAME:
	case RADIUS_ACCT_SESSION_ID:
	case RADIUS_FRAMED_IP_ADDRESS:
		return read_identification(a, r);
	case RADIUS_SESSION_TIMEOUT:
	case RADIUS_IDLE_TIMEOUT:
	case RADIUS_ACCT_INTERIM_INTERVAL:
		return read_change(a, r);
	case RADIUS_MESSAGE_AUTHENTICATOR:
	case RADIUS_EVENT_TIMESTAMP:
	case RADIUS_STATE:
	case RADIUS_PROXY_STATE:
	case RADIUS_REPLY_MESSAGE:
		return AAA_DAE_OK;
	default:
		return AAA_DAE_UNSUPPORTED_ATTRIBUTE;
	}
}

enum aaa_dae_error
aaa_dae_parse(const uint8_t *pkt, size_t len, const struct aaa_nas *nas,
	      struct aaa_dae_request *out)
{
	struct radius_attr_it it;
	struct radius_avp a;

	memset(out, 0, sizeof(*out));
	if (pkt[0] != RADIUS_DISCONNECT_REQUEST && pkt[0] != RADIUS_COA_REQUEST)
		return AAA_DAE_INVALID_REQUEST;
	out->disconnect = pkt[0] == RADIUS_DISCONNECT_REQUEST;
	radius_attr_first(&it, pkt, len);
	while (radius_attr_next(&it, &a)) {
		enum aaa_dae_error e = read_attr(&a, nas, out);

		if (e != AAA_DAE_OK)
			return e;
	}
	if (!out->has_user && !out->has_session_id && !out->has_framed_ip)
		return AAA_DAE_MISSING_ATTRIBUTE;
	return AAA_DAE_OK;
}

size_t
aaa_dae_answer(struct radius_pkt *p, const uint8_t *req, enum aaa_dae_error error,
	       const char *secret)
{
	bool disconnect = req[0] == RADIUS_DISCONNECT_REQUEST;
	uint8_t code = error == AAA_DAE_OK ? (disconnect ? RADIUS_DISCONNECT_ACK : RADIUS_COA_ACK)
					   : (disconnect ? RADIUS_DISCONNECT_NAK : RADIUS_COA_NAK);

	radius_begin(p, code, req[1], NULL);
	if (error != AAA_DAE_OK)
		radius_put_u32(p, RADIUS_ERROR_CAUSE, error);
	return radius_finish(p, secret, req + 4);
}
