/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RADIUS packets (RFC 2865, 2866, 5176) as byte buffers: build a request
 * attribute by attribute, sign it, check an answer, walk its attributes.
 * Pure: no sockets, no clocks, randomness comes from the caller.
 *
 * Every request carries Message-Authenticator (RFC 3579 §3.2) and an
 * Access-Accept/Reject/Challenge is taken only if it carries a valid one:
 * the Blast-RADIUS defence (CVE-2024-3596). Debian 12's radcli (1.2.11)
 * does neither, which is why lnsd has this codec.
 */
#ifndef RADIUS_WIRE_H
#define RADIUS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RADIUS_HDR_LEN	  20
#define RADIUS_AUTH_LEN	  16
#define RADIUS_MAX_LEN	  4096
#define RADIUS_MAX_SECRET 64
#define RADIUS_MAX_ATTR	  253 /* value bytes in one attribute */
#define RADIUS_MAX_PASSWD 128 /* RFC 2865 §5.2 */
#define RADIUS_VENDOR_MS  311 /* Microsoft, RFC 2548 */

enum radius_code {
	RADIUS_ACCESS_REQUEST = 1,
	RADIUS_ACCESS_ACCEPT = 2,
	RADIUS_ACCESS_REJECT = 3,
	RADIUS_ACCOUNTING_REQUEST = 4,
	RADIUS_ACCOUNTING_RESPONSE = 5,
	RADIUS_ACCESS_CHALLENGE = 11,
	RADIUS_DISCONNECT_REQUEST = 40,
	RADIUS_DISCONNECT_ACK = 41,
	RADIUS_DISCONNECT_NAK = 42,
	RADIUS_COA_REQUEST = 43,
	RADIUS_COA_ACK = 44,
	RADIUS_COA_NAK = 45,
};

enum radius_attr {
	RADIUS_USER_NAME = 1,
	RADIUS_USER_PASSWORD = 2,
	RADIUS_CHAP_PASSWORD = 3,
	RADIUS_NAS_IP_ADDRESS = 4,
	RADIUS_NAS_PORT = 5,
	RADIUS_SERVICE_TYPE = 6,
	RADIUS_FRAMED_PROTOCOL = 7,
	RADIUS_FRAMED_IP_ADDRESS = 8,
	RADIUS_FRAMED_IP_NETMASK = 9,
	RADIUS_REPLY_MESSAGE = 18,
	RADIUS_FRAMED_ROUTE = 22,
	RADIUS_CLASS = 25,
	RADIUS_VENDOR_SPECIFIC = 26,
	RADIUS_SESSION_TIMEOUT = 27,
	RADIUS_IDLE_TIMEOUT = 28,
	RADIUS_CALLED_STATION_ID = 30,
	RADIUS_CALLING_STATION_ID = 31,
	RADIUS_NAS_IDENTIFIER = 32,
	RADIUS_ACCT_STATUS_TYPE = 40,
	RADIUS_ACCT_DELAY_TIME = 41,
	RADIUS_ACCT_INPUT_OCTETS = 42,
	RADIUS_ACCT_OUTPUT_OCTETS = 43,
	RADIUS_ACCT_SESSION_ID = 44,
	RADIUS_ACCT_AUTHENTIC = 45,
	RADIUS_ACCT_SESSION_TIME = 46,
	RADIUS_ACCT_INPUT_PACKETS = 47,
	RADIUS_ACCT_OUTPUT_PACKETS = 48,
	RADIUS_ACCT_TERMINATE_CAUSE = 49,
	RADIUS_ACCT_INPUT_GIGAWORDS = 52,
	RADIUS_ACCT_OUTPUT_GIGAWORDS = 53,
	RADIUS_EVENT_TIMESTAMP = 55,
	RADIUS_CHAP_CHALLENGE = 60,
	RADIUS_NAS_PORT_TYPE = 61,
	RADIUS_TUNNEL_TYPE = 64,
	RADIUS_TUNNEL_MEDIUM_TYPE = 65,
	RADIUS_TUNNEL_CLIENT_ENDPOINT = 66,
	RADIUS_TUNNEL_SERVER_ENDPOINT = 67,
	RADIUS_ACCT_TUNNEL_CONNECTION = 68,
	RADIUS_CONNECT_INFO = 77,
	RADIUS_MESSAGE_AUTHENTICATOR = 80,
	RADIUS_TUNNEL_ASSIGNMENT_ID = 82,
	RADIUS_ACCT_INTERIM_INTERVAL = 85,
	RADIUS_NAS_PORT_ID = 87,
	RADIUS_FRAMED_POOL = 88,
	RADIUS_TUNNEL_CLIENT_AUTH_ID = 90,
	RADIUS_TUNNEL_SERVER_AUTH_ID = 91,
	RADIUS_ERROR_CAUSE = 101,
};

/* Microsoft vendor attributes (RFC 2548) */
enum radius_ms_attr {
	RADIUS_MS_CHAP_ERROR = 2,
	RADIUS_MS_CHAP_CHALLENGE = 11,
	RADIUS_MS_CHAP2_RESPONSE = 25,
	RADIUS_MS_CHAP2_SUCCESS = 26,
	RADIUS_MS_PRIMARY_DNS_SERVER = 28,
	RADIUS_MS_SECONDARY_DNS_SERVER = 29,
};

/* A packet under construction; buf holds the wire bytes. */
struct radius_pkt {
	uint8_t buf[RADIUS_MAX_LEN];
	size_t len;
	bool overflow; /* an attribute did not fit: radius_finish() refuses */
};

/* Header with code, identifier and the 16-byte authenticator (random for Access-Request). */
void radius_begin(struct radius_pkt *p, uint8_t code, uint8_t id,
		  const uint8_t authenticator[RADIUS_AUTH_LEN]);
/* One attribute; len above RADIUS_MAX_ATTR sets overflow. */
void radius_put(struct radius_pkt *p, uint8_t type, const void *val, size_t len);
void radius_put_str(struct radius_pkt *p, uint8_t type, const char *s);
void radius_put_u32(struct radius_pkt *p, uint8_t type, uint32_t v);
/* RFC 2868 tunnel attributes: a tag byte first (0: none, 1..31). */
void radius_put_tagged(struct radius_pkt *p, uint8_t type, uint8_t tag, const void *val,
		       size_t len);
/* Vendor-Specific (26) with one vendor attribute inside. */
void radius_put_vsa(struct radius_pkt *p, uint32_t vendor, uint8_t type, const void *val,
		    size_t len);
/* User-Password hidden as RFC 2865 §5.2 says, with the request authenticator. */
void radius_put_password(struct radius_pkt *p, const char *secret, const uint8_t *pw, size_t len);
/*
 * Adds Message-Authenticator and sets the length; for Accounting-Request
 * and Disconnect/CoA (RFC 2866 §3, RFC 5176 §2.3) also the request
 * authenticator, an MD5 over the packet and secret. For an answer (ACK,
 * NAK), request_auth is the authenticator of the request it answers and
 * the response authenticator is computed. Returns the length, 0 on overflow.
 */
size_t radius_finish(struct radius_pkt *p, const char *secret, const uint8_t *request_auth);

enum radius_check {
	RADIUS_OK = 0,
	RADIUS_BAD_LENGTH,	  /* shorter than a header, or its length field is wrong */
	RADIUS_BAD_ATTRIBUTE,	  /* an attribute runs past the end or is shorter than 2 */
	RADIUS_BAD_AUTHENTICATOR, /* response or request authenticator does not match */
	RADIUS_NO_MESSAGE_AUTH,	  /* required, missing (Blast-RADIUS) */
	RADIUS_BAD_MESSAGE_AUTH,  /* present, wrong */
};

const char *radius_check_str(enum radius_check c);

/*
 * An answer to our request: length and attributes well formed, the
 * identifier is the caller's to match, the response authenticator over
 * request_auth and secret, and Message-Authenticator (required for Access
 * answers, checked when present in the others). Returns RADIUS_OK and the
 * packet length in *len (a datagram may carry trailing bytes).
 * RADIUS_NO_MESSAGE_AUTH is returned only once everything else has been
 * checked, so that a caller may take an unsigned answer from a server it
 * knows cannot sign.
 */
enum radius_check radius_check_answer(const uint8_t *pkt, size_t *len, const char *secret,
				      const uint8_t request_auth[RADIUS_AUTH_LEN]);
/*
 * A request to us (Disconnect, CoA: RFC 5176): the request authenticator
 * as for accounting and Message-Authenticator when present (or required).
 */
enum radius_check radius_check_request(const uint8_t *pkt, size_t *len, const char *secret,
				       bool require_message_auth);

/* Walking the attributes of a checked packet. */
struct radius_attr_it {
	const uint8_t *pos, *end;
};
struct radius_avp {
	uint8_t type;
	uint32_t vendor; /* 0, or the vendor of a VSA (type is then the vendor's) */
	const uint8_t *val;
	uint8_t len;
};

void radius_attr_first(struct radius_attr_it *it, const uint8_t *pkt, size_t len);
/* The next attribute; a Vendor-Specific one is opened (one sub-attribute each). */
bool radius_attr_next(struct radius_attr_it *it, struct radius_avp *out);
/* 4-byte integer value, or false when the length is not 4. */
bool radius_avp_u32(const struct radius_avp *a, uint32_t *out);

#endif
