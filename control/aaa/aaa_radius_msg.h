/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lnsd's AAA requests as RADIUS packets and RADIUS answers as AAA answers,
 * pure (radius_wire.h underneath): what the AAA threads send and read.
 */
#ifndef AAA_RADIUS_MSG_H
#define AAA_RADIUS_MSG_H

#include "aaa.h"
#include "radius_wire.h"

/* What every request says of the NAS. */
struct aaa_nas {
	char identifier[AAA_STR_MAX];
	uint32_t ip; /* host order */
};

/* Access-Request; auth is the random Request Authenticator. Returns the length, 0 if too big. */
size_t aaa_radius_auth_request(struct radius_pkt *p, const struct aaa_nas *nas,
			       const struct aaa_auth_request *r, uint8_t id,
			       const uint8_t auth[RADIUS_AUTH_LEN], const char *secret);
/* Accounting-Request; delay_s is Acct-Delay-Time (time spent queued and retried). */
size_t aaa_radius_acct_request(struct radius_pkt *p, const struct aaa_nas *nas,
			       const struct aaa_acct_request *r, uint32_t delay_s, uint8_t id,
			       const char *secret);
/* Accounting-On (on true) or -Off: the NAS restarted, its sessions are gone (RFC 2866 §5.1). */
size_t aaa_radius_onoff_request(struct radius_pkt *p, const struct aaa_nas *nas, bool on,
				uint8_t id, const char *secret);
/*
 * A checked Access-Accept or -Reject into an answer (ref and verdict
 * included); the caller has matched it to the request.
 */
void aaa_radius_read_answer(const uint8_t *pkt, size_t len, const struct aaa_auth_request *r,
			    struct aaa_auth_answer *out);

#endif
