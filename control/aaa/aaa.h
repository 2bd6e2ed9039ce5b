/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the control lcore asks of AAA and what comes back: plain values
 * (no pointers) so that they can cross to the AAA threads and back.
 * lns.c fills them from L2TP and PPP; aaa_radius.c turns them into RADIUS.
 */
#ifndef AAA_H
#define AAA_H

#include <stdbool.h>
#include <stdint.h>

#include "ppp.h"

#define AAA_NAME_MAX	 64
#define AAA_STR_MAX	 64
#define AAA_CLASS_MAX	 253
#define AAA_MAX_ROUTES	 4
#define AAA_RESPONSE_MAX 49
#define AAA_SESSION_ID	 17 /* 16 hex digits */

/* Which call an answer belongs to: the L2TP IDs and a generation, so that a late answer for a call
 * that is gone, or for an earlier one that had the same IDs, finds nothing. */
struct aaa_ref {
	uint16_t tunnel_id, session_id;
	uint32_t generation;
};

/* The call as RADIUS describes it (RFC 2865, 2867, 2868). */
struct aaa_call {
	char user[AAA_NAME_MAX + 1];
	char session_id[AAA_SESSION_ID];		   /* Acct-Session-Id */
	uint32_t nas_port;				   /* the L2TP session ID */
	char called[AAA_STR_MAX], calling[AAA_STR_MAX];	   /* Called/Calling-Station-Id */
	uint32_t tx_speed, rx_speed;			   /* Connect-Info */
	uint32_t lac_ip, lns_ip;			   /* Tunnel-Client/Server-Endpoint */
	char lac_name[AAA_STR_MAX], lns_name[AAA_STR_MAX]; /* Tunnel-Client/Server-Auth-ID */
	uint16_t lac_tunnel_id, tunnel_id; /* Tunnel-Assignment-ID, Acct-Tunnel-Connection */
};

struct aaa_auth_request {
	struct aaa_ref ref;
	struct aaa_call call;
	enum ppp_auth_proto proto;
	bool proxied;
	uint8_t password[128]; /* PAP */
	uint8_t password_len;
	uint8_t chap_id;
	uint8_t challenge[64]; /* CHAP's challenge, MS-CHAPv2's authenticator challenge */
	uint8_t challenge_len;
	uint8_t response[AAA_RESPONSE_MAX]; /* CHAP 16 bytes, MS-CHAPv2 49 */
	uint8_t response_len;
};

enum aaa_verdict {
	AAA_ACCEPT,
	AAA_REJECT,
	AAA_UNAVAILABLE, /* no server answered, or the queue was full: the call fails cleanly */
};

struct aaa_route4 {
	uint32_t prefix;
	uint8_t len;
};

/* Framed-IP-Address specials (RFC 2865 §5.8) */
#define AAA_IP_USER_CHOOSES 0xffffffffu
#define AAA_IP_FROM_POOL    0xfffffffeu

struct aaa_auth_answer {
	struct aaa_ref ref;
	enum aaa_verdict verdict;
	char message[AAA_STR_MAX * 2]; /* Reply-Message, or why unavailable */
	uint32_t framed_ip;	       /* 0: not given (the pool) */
	uint32_t netmask;
	struct aaa_route4 routes[AAA_MAX_ROUTES];
	uint8_t n_routes;
	char pool[AAA_STR_MAX];	    /* Framed-Pool */
	uint32_t session_timeout_s; /* 0: none */
	uint32_t idle_timeout_s;
	uint32_t interim_s;
	uint32_t dns[2];
	uint8_t class_[AAA_CLASS_MAX];
	uint8_t class_len;
	char mschapv2_success[43]; /* "S=" + 40 hex digits */
};

enum aaa_acct_type { AAA_ACCT_START = 1, AAA_ACCT_STOP = 2, AAA_ACCT_INTERIM = 3 };

struct aaa_counters {
	uint64_t in_octets, out_octets, in_packets, out_packets; /* from the subscriber's view */
};

struct aaa_acct_request {
	enum aaa_acct_type type;
	struct aaa_call call;
	uint32_t framed_ip;
	uint32_t session_time_s;
	struct aaa_counters counters;
	uint32_t terminate_cause; /* Stop: RFC 2866 §5.10 */
	uint8_t class_[AAA_CLASS_MAX];
	uint8_t class_len;
};

#endif
