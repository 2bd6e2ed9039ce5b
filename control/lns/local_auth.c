/* SPDX-License-Identifier: BSD-2-Clause */
#include "local_auth.h"

#include <string.h>

#define MSCHAPV2_PEER_CHALLENGE 0
#define MSCHAPV2_NT_RESPONSE	24

bool
local_auth_verify(const struct ppp_auth_request *req, const char *password,
		  char auth_resp[MSCHAPV2_AUTH_RESP_LEN + 1])
{
	size_t pl = strlen(password);
	uint8_t want[MSCHAPV2_NT_RESP_LEN];

	auth_resp[0] = '\0';
	switch (req->proto) {
	case PPP_AUTH_NONE:
		return true;
	case PPP_AUTH_PAP:
		return req->password_len == pl && auth_equal(req->password, password, pl);
	case PPP_AUTH_CHAP_MD5:
		if (req->response_len != CHAP_MD5_LEN)
			return false;
		chap_md5_response(want, req->chap_id, password, pl, req->challenge,
				  req->challenge_len);
		return auth_equal(want, req->response, CHAP_MD5_LEN);
	case PPP_AUTH_MSCHAPV2:
		/* RFC 2759 §4: peer challenge, 8 reserved, NT-Response, flags */
		if (req->response_len != 49 || req->challenge_len != MSCHAPV2_CHALLENGE_LEN)
			return false;
		mschapv2_nt_response(want, req->challenge, req->response + MSCHAPV2_PEER_CHALLENGE,
				     (const char *)req->name, req->name_len, password, pl);
		if (!auth_equal(want, req->response + MSCHAPV2_NT_RESPONSE, MSCHAPV2_NT_RESP_LEN))
			return false;
		mschapv2_authenticator_response(
			auth_resp, password, pl, want, req->response + MSCHAPV2_PEER_CHALLENGE,
			req->challenge, (const char *)req->name, req->name_len);
		return true;
	}
	return false;
}
