/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Local authentication: checks a PPP authentication request (PAP,
 * CHAP-MD5, MS-CHAPv2, proxied or not) against a user's password, for
 * deployments and tests without RADIUS. The answer goes back to the PPP
 * engine by the same asynchronous path RADIUS answers take.
 */
#ifndef LOCAL_AUTH_H
#define LOCAL_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "ppp.h"
#include "ppp_auth_crypto.h"

/*
 * True when the request proves knowledge of password. For MS-CHAPv2 the
 * authenticator response ("S=...") is written to auth_resp.
 */
bool local_auth_verify(const struct ppp_auth_request *req, const char *password,
		       char auth_resp[MSCHAPV2_AUTH_RESP_LEN + 1]);

#endif
