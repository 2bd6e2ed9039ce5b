/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One subscriber's PPP (RFC 1661) over an L2TP session, sans-IO: LCP (with
 * proxy LCP from the LAC, RFC 2661 §4.4.5), authentication (PAP, CHAP-MD5,
 * MS-CHAPv2, proxy authentication), IPCP and IPv6CP, LCP echo keepalive.
 * The server role is what lnsd runs per subscriber; the client role is the
 * subscriber that lacsim plays.
 *
 * The owner feeds frames (ppp_input) and time (ppp_timeout), sends what
 * ops->send hands it, and answers ops->event: above all PPP_EV_AUTH_REQUEST,
 * answered later (asynchronously) with ppp_auth_done().
 */
#ifndef PPP_H
#define PPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ppp_fsm.h"

enum ppp_role {
	PPP_ROLE_SERVER,
	PPP_ROLE_CLIENT,
};

enum ppp_phase {
	PPP_PHASE_DEAD,
	PPP_PHASE_ESTABLISH,
	PPP_PHASE_AUTHENTICATE,
	PPP_PHASE_NETWORK,
	PPP_PHASE_TERMINATE,
};

const char *ppp_phase_str(enum ppp_phase p);

enum ppp_auth_proto {
	PPP_AUTH_NONE,
	PPP_AUTH_PAP,
	PPP_AUTH_CHAP_MD5,
	PPP_AUTH_MSCHAPV2,
};

const char *ppp_auth_proto_str(enum ppp_auth_proto a);

/* Why a session went down; ppp_down_acct_cause() maps onto RADIUS. */
#define PPP_DOWN_REASONS(X)                             \
	X(USER_REQUEST, 1, "user request")              \
	X(LOST_CARRIER, 2, "lost carrier")              \
	X(IDLE_TIMEOUT, 4, "idle timeout")              \
	X(SESSION_TIMEOUT, 5, "session timeout")        \
	X(ADMIN_RESET, 6, "admin reset")                \
	X(ECHO_FAILURE, 2, "LCP echo failure")          \
	X(AUTH_FAILURE, 17, "authentication failure")   \
	X(NEGOTIATION_FAILED, 15, "negotiation failed") \
	X(LOOPBACK, 9, "looped-back link")              \
	X(NAS_ERROR, 9, "NAS error")

enum ppp_down_reason {
#define X(id, cause, text) PPP_DOWN_##id,
	PPP_DOWN_REASONS(X)
#undef X
};

const char *ppp_down_reason_str(enum ppp_down_reason r);
/* RFC 2866 Acct-Terminate-Cause. */
uint32_t ppp_down_acct_cause(enum ppp_down_reason r);

enum ppp_lcp_renegotiate {
	PPP_LCP_RENEGOTIATE_ON_MISMATCH, /* take proxy LCP when acceptable */
	PPP_LCP_RENEGOTIATE_NEVER,	 /* take proxy LCP even if not all is to our liking */
	PPP_LCP_RENEGOTIATE_ALWAYS,	 /* ignore proxy LCP */
};

#define PPP_MAX_AUTH   3
#define PPP_NAME_MAX   64
#define PPP_SECRET_MAX 64

struct ppp_cfg {
	enum ppp_role role;
	char trace[40]; /* log prefix, e.g. "Tnl/Cl 55270/45" or "Vi4" */
	struct ppp_fsm_cfg fsm;
	uint16_t mru;				/* what we ask the peer to send us at most; 1460 */
	uint16_t min_mru;			/* the least MRU we accept from the peer; 576 */
	uint16_t max_mru;			/* the most we can send; 1500 */
	enum ppp_auth_proto auth[PPP_MAX_AUTH]; /* server: in order of preference */
	uint8_t n_auth;				/* server: 0 means no authentication */
	enum ppp_lcp_renegotiate lcp_renegotiate;
	bool accept_proxy_auth;	      /* use the ICCN's proxy authentication */
	bool fresh_challenge;	      /* challenge again even when proxy auth is there */
	uint32_t auth_timeout_ms;     /* AAA answer, and peer's response; 30 s */
	uint32_t chap_rechallenge_ms; /* 0: no periodic re-challenge */
	uint32_t echo_interval_ms;    /* LCP Echo-Request period; 0: none; 30 s */
	uint8_t echo_failures;	      /* unanswered in a row before down; 3 */
	char name[PPP_NAME_MAX];      /* server: CHAP name; client: user name */
	char secret[PPP_SECRET_MAX];  /* client: password */
	bool ipcp, ipv6cp;	      /* NCPs to run */
	uint32_t local_ipv4;	      /* server: our IPCP address */
	bool client_wants_dns;	      /* client: ask for DNS (RFC 1877) */
};

void ppp_cfg_defaults(struct ppp_cfg *cfg, enum ppp_role role);

/* The ICCN's proxy LCP and proxy authentication (RFC 2661 §4.4.5). */
struct ppp_proxy {
	const uint8_t *initial_rcvd, *last_sent, *last_rcvd; /* CONFREQ option lists */
	uint16_t initial_rcvd_len, last_sent_len, last_rcvd_len;
	uint16_t auth_type; /* Proxy Authen Type: 2 CHAP, 3 PAP, 0 none */
	const uint8_t *auth_name, *auth_challenge, *auth_response;
	uint16_t auth_name_len, auth_challenge_len, auth_response_len;
	uint8_t auth_id;
};

/* What the authenticator asks AAA; pointers valid during the event only. */
struct ppp_auth_request {
	enum ppp_auth_proto proto;
	bool proxied; /* from the LAC's proxy authentication */
	const uint8_t *name;
	size_t name_len;
	const uint8_t *password; /* PAP */
	size_t password_len;
	uint8_t chap_id;	  /* CHAP-MD5, MS-CHAPv2 */
	const uint8_t *challenge; /* CHAP: ours (or the LAC's); MS-CHAPv2: authenticator's */
	size_t challenge_len;
	const uint8_t *response; /* CHAP: 16 bytes; MS-CHAPv2: the 49-byte Response field */
	size_t response_len;
};

/* AAA's answer. */
struct ppp_auth_result {
	bool accept;
	const char *message;	   /* Reply-Message for the peer, may be NULL */
	const char *mschapv2_auth; /* "S=..." for MS-CHAPv2 Success */
	uint32_t ipv4;		   /* address for the peer; 0: none */
	bool peer_may_choose;	   /* Framed-IP-Address 255.255.255.255: peer's choice */
	uint32_t dns[2];	   /* 0: not offered */
};

enum ppp_event_type {
	PPP_EV_AUTH_REQUEST,  /* answer with ppp_auth_done() */
	PPP_EV_AUTHENTICATED, /* server: peer accepted; client: we were */
	PPP_EV_NETWORK_UP,    /* an NCP opened: addresses below */
	PPP_EV_NETWORK_DOWN,  /* an NCP closed while LCP stays */
	PPP_EV_DOWN,	      /* the whole session: reason below */
};

const char *ppp_event_type_str(enum ppp_event_type t);

struct ppp;

struct ppp_event {
	enum ppp_event_type type;
	const struct ppp_auth_request *auth; /* AUTH_REQUEST */
	const char *user;		     /* AUTHENTICATED */
	uint16_t proto;			     /* NETWORK_UP/DOWN: PPP_PROTO_IPCP or _IPV6CP */
	enum ppp_down_reason reason;	     /* DOWN */
};

struct ppp_ops {
	void (*send)(void *ctx, const uint8_t *frame, size_t len); /* FF 03 + protocol + data */
	void (*event)(void *ctx, struct ppp *p, const struct ppp_event *ev);
	void (*random)(void *ctx, void *buf, size_t len);
};

/* What was negotiated, for the dataplane and for operators. */
struct ppp_state {
	enum ppp_phase phase;
	uint16_t peer_mru; /* what we may send */
	uint32_t our_magic, peer_magic;
	bool peer_pfc, peer_acfc; /* the peer may compress what it sends */
	enum ppp_auth_proto auth; /* negotiated */
	bool proxy_lcp_used, proxy_auth_used;
	char user[PPP_NAME_MAX + 1];
	uint32_t our_ipv4, peer_ipv4;
	uint32_t dns[2];
	uint8_t our_iid[8], peer_iid[8];
	bool ipv4_up, ipv6_up;
};

#define PPP_COUNTERS(X)                                                           \
	X(rx_frames, "frames received")                                           \
	X(rx_malformed, "frames too short or with a bad length")                  \
	X(rx_unknown_proto, "frames of unknown protocols (Protocol-Reject sent)") \
	X(rx_discarded, "frames discarded in this phase")                         \
	X(tx_frames, "frames sent")                                               \
	X(echo_sent, "LCP Echo-Requests sent")                                    \
	X(echo_missed, "LCP Echo-Requests unanswered")                            \
	X(auth_failures, "authentications refused")                               \
	X(magic_collisions, "Magic-Number collisions")

struct ppp_stats {
#define X(name, text) uint64_t name;
	PPP_COUNTERS(X)
#undef X
};

struct ppp *ppp_create(const struct ppp_cfg *cfg, const struct ppp_ops *ops, void *ctx);
void ppp_destroy(struct ppp *p);

/*
 * Starts the link. Server: proxy may carry the ICCN's proxy LCP and proxy
 * authentication (NULL: negotiate everything). Client: proxy, when given,
 * is what its LAC negotiated with it (LCP open at once, ready to answer the
 * Authentication-Protocol the LAC asked for; the LNS's Success ends it).
 */
void ppp_start(struct ppp *p, uint64_t now, const struct ppp_proxy *proxy);
/* One frame from the peer (address/control optional, protocol, data). */
void ppp_input(struct ppp *p, uint64_t now, const uint8_t *frame, size_t len);
void ppp_timeout(struct ppp *p, uint64_t now);
uint64_t ppp_next_timeout(const struct ppp *p);
/* Terminates LCP (Terminate-Request) and reports DOWN with reason. */
void ppp_close(struct ppp *p, uint64_t now, enum ppp_down_reason reason);
/* The lower layer is gone (CDN, tunnel down): DOWN at once, nothing sent. */
void ppp_lower_down(struct ppp *p, uint64_t now, enum ppp_down_reason reason);
/* AAA's answer to PPP_EV_AUTH_REQUEST. */
void ppp_auth_done(struct ppp *p, uint64_t now, const struct ppp_auth_result *r);

const struct ppp_state *ppp_state(const struct ppp *p);
const struct ppp_stats *ppp_stats(const struct ppp *p);
const struct ppp_fsm *ppp_lcp(const struct ppp *p);
const struct ppp_fsm *ppp_ipcp(const struct ppp *p);
const struct ppp_fsm *ppp_ipv6cp(const struct ppp *p);
void ppp_set_udata(struct ppp *p, void *udata);
void *ppp_udata(const struct ppp *p);

#endif
