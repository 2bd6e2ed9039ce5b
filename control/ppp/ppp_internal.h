/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the PPP rooms share: ppp.c (phases, dispatch, echo, timers), lcp.c,
 * ppp_auth.c (PAP, CHAP, MS-CHAPv2, proxy authentication), ipcp.c and
 * ipv6cp.c. Nothing outside control/ includes this.
 */
#ifndef PPP_INTERNAL_H
#define PPP_INTERNAL_H

#include "lns_log.h"
#include "ppp.h"

#define PLOG(p, level, fmt, ...) LOG(PPP, level, "%s " fmt, (p)->cfg.trace, ##__VA_ARGS__)

/* LCP options (RFC 1661 §6, RFC 1570). */
enum {
	LCP_OPT_MRU = 1,
	LCP_OPT_ACCM = 2,
	LCP_OPT_AUTH = 3,
	LCP_OPT_QUALITY = 4,
	LCP_OPT_MAGIC = 5,
	LCP_OPT_PFC = 7,
	LCP_OPT_ACFC = 8,
};

enum auth_state {
	AUTH_IDLE,
	AUTH_WAIT_PEER, /* server: challenge out / waiting for PAP; client: waiting */
	AUTH_WAIT_AAA,	/* server: the request is with AAA */
	AUTH_DONE,
	AUTH_FAILED,
};

struct ppp_lcp_want {
	uint16_t mru;		  /* 0: not asked */
	uint32_t magic;		  /* 0: not asked */
	enum ppp_auth_proto auth; /* server: what we ask for */
	uint8_t auth_idx;	  /* position in cfg.auth */
	bool asked_mru_rejected;
};

struct ppp_auth_ctx {
	enum auth_state state;
	enum ppp_auth_proto proto;
	uint8_t id;
	uint8_t challenge[16];
	uint8_t challenge_len;
	uint8_t peer_challenge[16]; /* MS-CHAPv2 client */
	uint8_t nt_response[24];    /* MS-CHAPv2 client: to check the S= */
	uint8_t response[1 + 49];   /* CHAP client: the last Response value, sent again */
	uint8_t response_len;	    /* when no Success or Failure comes; 0: none yet */
	uint64_t deadline;	    /* peer or AAA must answer by then */
	uint64_t rechallenge_at;
	uint8_t tries;
	bool proxied;
	/* proxy authentication material, copied out of the ICCN */
	uint16_t proxy_type;
	uint8_t proxy_id;
	uint8_t proxy_name[PPP_NAME_MAX];
	uint8_t proxy_name_len;
	uint8_t proxy_challenge[64];
	uint8_t proxy_challenge_len;
	uint8_t proxy_response[64];
	uint8_t proxy_response_len;
};

struct ppp_ipcp_ctx {
	uint32_t assigned;    /* server: the peer's address from AAA */
	bool peer_may_choose; /* server: AAA lets the peer choose */
	bool have_answer;     /* server: AAA has answered */
	uint32_t want_addr;   /* client: what we ask for */
	uint32_t want_dns[2]; /* client */
	bool dns_rejected[2];
};

struct ppp_ipv6cp_ctx {
	bool iid_rejected;
};

struct ppp {
	struct ppp_cfg cfg;
	const struct ppp_ops *ops;
	void *ctx;
	void *udata;
	uint64_t now;
	struct ppp_fsm lcp, ipcp, ipv6cp;
	struct ppp_state st;
	struct ppp_stats stats;
	struct ppp_lcp_want want;
	struct ppp_auth_ctx auth;
	struct ppp_ipcp_ctx ip;
	struct ppp_ipv6cp_ctx ip6;
	uint64_t echo_at;	  /* next Echo-Request */
	uint8_t echo_outstanding; /* unanswered in a row */
	uint8_t magic_collisions;
	bool started;
	bool ncps_started;
	bool down_pending; /* report DOWN at the end of this call */
	bool failing;	   /* ppp_fail() has closed LCP: its reason stands */
	bool down_reported;
	enum ppp_down_reason reason;
};

/* ppp.c */
void ppp_send_frame(struct ppp *p, uint16_t proto, const uint8_t *pkt, size_t len);
/* ppp_fsm_ops.send for every control protocol: its packet in a frame. */
void ppp_fsm_send(struct ppp_fsm *f, const uint8_t *pkt, size_t len);
void ppp_set_phase(struct ppp *p, enum ppp_phase phase);
/* Ends the session for reason: LCP Terminate-Request, DOWN reported now. */
void ppp_fail(struct ppp *p, enum ppp_down_reason reason);
void ppp_event(struct ppp *p, const struct ppp_event *ev);
void ppp_random(struct ppp *p, void *buf, size_t len);
void ppp_network_phase(struct ppp *p);

/* lcp.c */
extern const struct ppp_fsm_ops lcp_ops;
/* RFC 2661 §4.4.5: takes the LAC's negotiation; false to renegotiate. */
bool lcp_take_proxy(struct ppp *p, const struct ppp_proxy *proxy);
bool lcp_take_proxy_client(struct ppp *p, const struct ppp_proxy *proxy);
void lcp_send_echo(struct ppp *p);

/* ppp_auth.c */
void auth_start(struct ppp *p);
void auth_input(struct ppp *p, uint16_t proto, const uint8_t *pkt, size_t len);
void auth_timeout(struct ppp *p, uint64_t now);
uint64_t auth_next_timeout(const struct ppp *p);
void auth_take_proxy(struct ppp *p, const struct ppp_proxy *proxy);
void auth_aaa_done(struct ppp *p, const struct ppp_auth_result *r);
void auth_request_address(struct ppp *p);

/* ipcp.c, ipv6cp.c */
extern const struct ppp_fsm_ops ipcp_ops;
extern const struct ppp_fsm_ops ipv6cp_ops;

static inline struct ppp *
fsm_ppp(struct ppp_fsm *f)
{
	return (struct ppp *)f->ctx;
}

#endif
