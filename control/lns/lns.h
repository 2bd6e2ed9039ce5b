/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control lcore's protocol work, sans-IO: the L2TP engine in the LNS
 * role, one PPP server per call, tunnel profiles from the configuration,
 * local users and address pools, and the session entries it hands to the
 * dataplane once IPCP is open. The owner feeds it the UDP payloads the
 * workers punt (L2TP control messages and data messages carrying PPP
 * control) with the time, and carries out what ops ask.
 */
#ifndef LNS_H
#define LNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aaa.h"
#include "aaa_dae.h"
#include "cfg.h"
#include "l2tp_engine.h"

/* What the dataplane needs to carry one subscriber. */
struct lns_session_info {
	uint16_t tunnel_id, session_id, peer_tunnel_id, peer_session_id;
	struct l2tp_addr peer;
	uint32_t sub_ipv4;
	uint32_t magic;
	uint16_t mtu, mss;
	bool sequencing, peer_acfc, peer_pfc;
	char user[65];
	struct aaa_route4 routes[AAA_MAX_ROUTES]; /* RADIUS Framed-Route: behind the subscriber */
	uint8_t n_routes;
	bool ipv6;	    /* IPv6CP open and a /64 advertised */
	uint8_t prefix6[8]; /* the subscriber's /64 */
};

/*
 * PPP frames that arrive before their call's ICCN, held for it: a LAC
 * dialling a thousand calls at once can have that many ICCNs waiting for
 * its control window (about 270 bytes each).
 */
#define LNS_EARLY_FRAMES 1024

struct lns_ops {
	/* One UDP payload (L2TP control, or data with PPP) to a LAC, from port 1701. */
	void (*udp_send)(void *ctx, const struct l2tp_addr *peer, const uint8_t *payload,
			 size_t len);
	/* IPCP is open: publish the session to the workers. */
	void (*session_up)(void *ctx, const struct lns_session_info *s);
	/* The session is gone: withdraw it. */
	void (*session_down)(void *ctx, uint16_t tunnel_id, uint16_t session_id);
	void (*random)(void *ctx, void *buf, size_t len);
	/*
	 * Profiles with "aaa: radius". Queue an authentication, answered later
	 * by lns_aaa_answer(); false when it cannot be queued (the call fails).
	 */
	bool (*aaa_auth)(void *ctx, const struct aaa_auth_request *r);
	/* Queue an accounting record (RADIUS profiles). */
	void (*aaa_acct)(void *ctx, const struct aaa_acct_request *r);
	/* A published session's dataplane counters, for accounting and idle time. */
	void (*session_counters)(void *ctx, uint16_t tunnel_id, uint16_t session_id,
				 struct aaa_counters *out);
	/* A published session changed (IPv6CP opened after IPCP): replace its entry. NULL: none. */
	void (*session_update)(void *ctx, const struct lns_session_info *s);
};

#define LNS_COUNTERS(X)                                                                    \
	X(sessions_up, "sessions with IPCP open")                                          \
	X(sessions_down, "sessions ended")                                                 \
	X(auth_accepted, "authentications accepted")                                       \
	X(auth_rejected, "authentications refused (unknown user, wrong password)")         \
	X(no_address, "sessions refused: no address to give")                              \
	X(admission_refused, "calls refused by admission control (rate, calls in setup)")  \
	X(rx_ppp_unknown_session, "PPP frames for a session we do not have")               \
	X(rx_ppp_early_held, "PPP frames before the ICCN: held, replayed when PPP starts") \
	X(rx_ppp_early_dropped, "PPP frames before the ICCN: too big, or pushed out")      \
	X(rx_not_l2tp, "punted payloads that are not L2TPv2")                              \
	X(reloads, "configurations taken by lns_reload()")                                 \
	X(aaa_requests, "authentications asked of RADIUS")                                 \
	X(aaa_unavailable, "authentications failed: RADIUS queue full or no server")       \
	X(aaa_stale_answers, "RADIUS answers for calls already gone")                      \
	X(acct_records, "accounting records queued (Start, Interim, Stop)")                \
	X(session_timeouts, "sessions ended by Session-Timeout")                           \
	X(idle_timeouts, "sessions ended by Idle-Timeout")                                 \
	X(dae_disconnects, "sessions ended by a Disconnect-Request")                       \
	X(dae_changes, "sessions changed by a CoA-Request")                                \
	X(dae_not_found, "Disconnect/CoA-Requests that named no session")                  \
	X(ipv6_up, "sessions given a /64 when IPv6CP opened")                              \
	X(no_prefix6, "IPv6CP open but no /64 to give (no pool prefix6, or exhausted)")    \
	X(ra_sent, "Router Advertisements sent")                                           \
	X(rx_router_solicits, "Router Solicitations answered")                             \
	X(rx_ipv6_dropped, "IPv6 from subscribers at the control lcore, not ND: dropped")

struct lns_stats {
#define X(n, t) uint64_t n;
	LNS_COUNTERS(X)
#undef X
};

struct lns;

/* The configuration must outlive the lns (a reload swaps in a new lns_config). */
struct lns *lns_create(const struct lns_config *cfg, const struct lns_ops *ops, void *ctx);
void lns_destroy(struct lns *l);
void lns_input(struct lns *l, uint64_t now, const struct l2tp_addr *peer, const uint8_t *payload,
	       size_t len);
void lns_timeout(struct lns *l, uint64_t now);
uint64_t lns_next_timeout(const struct lns *l);
/*
 * SIGHUP: profiles, users and pools from cfg for new tunnels and calls;
 * established ones keep what they negotiated, and their addresses stay
 * theirs (taken out of the new pools). The L2TP section (host name,
 * windows, limits) is read only at creation. cfg must outlive the lns or
 * the next reload; the previous one may be freed once this returns 0.
 * Returns 0, or -ENOMEM with nothing changed.
 */
int lns_reload(struct lns *l, const struct lns_config *cfg);
/* An answer to ops->aaa_auth; one for a call that is gone is counted and ignored. */
void lns_aaa_answer(struct lns *l, uint64_t now, const struct aaa_auth_answer *a);
/*
 * Dynamic Authorization: every session the request names (all its
 * identification attributes match) is disconnected (Admin-Reset) or gets
 * the new limits. Returns AAA_DAE_OK, or AAA_DAE_SESSION_NOT_FOUND.
 */
enum aaa_dae_error lns_dae(struct lns *l, uint64_t now, const struct aaa_dae_request *r);
/*
 * Per LAC (by address): how its tunnels and calls ended, Result Codes
 * counted each way. Codes of LNS_RESULT_BUCKETS - 1 and up share the
 * last bucket.
 */
#define LNS_RESULT_BUCKETS 16
struct lns_peer_health {
	uint32_t addr;
	char host[65];
	uint64_t tunnels_down, calls_down;
	uint64_t cdn_rx[LNS_RESULT_BUCKETS], cdn_tx[LNS_RESULT_BUCKETS];
	uint64_t stopccn_rx[LNS_RESULT_BUCKETS], stopccn_tx[LNS_RESULT_BUCKETS];
};
/* Walks the peers seen: *it 0 to start; NULL at the end. */
const struct lns_peer_health *lns_next_peer(const struct lns *l, size_t *it);

/* One call as operators see it (lnsctl show session). */
struct lns_call_view {
	uint16_t tunnel_id, session_id, peer_tunnel_id, peer_session_id;
	const char *l2tp_state;
	const struct ppp_state *ppp;
	const struct ppp_stats *ppp_stats;
	uint32_t local_ipv4; /* the IPCP address we give ourselves (the profile's local_address) */
	const char *lcp_state, *ipcp_state, *ipv6cp_state;
	bool published, radius, acct_started, sequencing;
	char acct_session_id[AAA_SESSION_ID];
	uint64_t up_for_ms;		      /* since IPCP opened; 0 if not yet */
	uint64_t session_timeout_in_ms;	      /* 0: no limit */
	uint64_t idle_timeout_ms, interim_ms; /* 0: none */
	uint8_t class_len;
	bool ipv6;	    /* a /64 advertised */
	uint8_t prefix6[8]; /* that /64 */
};
/* false when there is no such call. */
bool lns_call_view(const struct lns *l, uint64_t now, uint16_t tunnel_id, uint16_t session_id,
		   struct lns_call_view *out);
/* An operator ends a call (LCP Terminate, CDN, Stop with Admin-Reset): -ENOENT if none. */
int lns_clear_session(struct lns *l, uint64_t now, uint16_t tunnel_id, uint16_t session_id);
/* An operator ends a tunnel: its calls as above, then StopCCN. -ENOENT if none. */
int lns_clear_tunnel(struct lns *l, uint64_t now, uint16_t tunnel_id);
/* SIGTERM: CDN for every call and StopCCN for every tunnel. */
void lns_shutdown(struct lns *l, uint64_t now);
/* Soft shutdown: refuse new tunnels and calls, keep what runs. */
void lns_set_accept_new(struct lns *l, bool accept);
const struct lns_stats *lns_stats(const struct lns *l);
struct l2tp_engine *lns_engine(const struct lns *l);
uint32_t lns_session_count(const struct lns *l);

#endif
