/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Dynamic Authorization (RFC 5176): a Disconnect-Request or CoA-Request
 * from a RADIUS server, read into what it identifies and what it changes,
 * and the ACK or NAK that answers it. Pure; the daemon owns the socket and
 * lns_dae() finds and acts on the sessions.
 */
#ifndef AAA_DAE_H
#define AAA_DAE_H

#include <stdbool.h>
#include <stdint.h>

#include "aaa.h"
#include "aaa_radius_msg.h"

/* RFC 5176 §3.5 Error-Cause values lnsd sends */
enum aaa_dae_error {
	AAA_DAE_OK = 0,
	AAA_DAE_UNSUPPORTED_ATTRIBUTE = 401,
	AAA_DAE_MISSING_ATTRIBUTE = 402,
	AAA_DAE_NAS_MISMATCH = 403,
	AAA_DAE_INVALID_REQUEST = 404,
	AAA_DAE_SESSION_NOT_FOUND = 503,
	AAA_DAE_RESOURCES_UNAVAILABLE = 506,
};

struct aaa_dae_request {
	bool disconnect; /* Disconnect-Request; else CoA-Request */
	/* which sessions: every given one must match */
	char user[AAA_NAME_MAX + 1];
	char session_id[AAA_SESSION_ID];
	uint32_t framed_ip;
	bool has_user, has_session_id, has_framed_ip;
	/* CoA: what changes (Session-Timeout 0 removes the limit) */
	bool has_session_timeout, has_idle_timeout, has_interim;
	uint32_t session_timeout_s, idle_timeout_s, interim_s;
};

/*
 * A checked request (radius_check_request) into *out. Returns AAA_DAE_OK,
 * or the Error-Cause for the NAK: an attribute lnsd cannot act on, no
 * session identification, or NAS identification that is not ours.
 */
enum aaa_dae_error aaa_dae_parse(const uint8_t *pkt, size_t len, const struct aaa_nas *nas,
				 struct aaa_dae_request *out);
/* The ACK (error 0) or NAK for req (its code, ID and authenticator), signed with secret. */
size_t aaa_dae_answer(struct radius_pkt *p, const uint8_t *req, enum aaa_dae_error error,
		      const char *secret);

#endif
