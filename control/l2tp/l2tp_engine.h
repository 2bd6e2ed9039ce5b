/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The L2TP control protocol engine (RFC 2661): tunnels, sessions, and their
 * control channels, for the LNS and the LAC role. Sans-IO: it is fed UDP
 * payloads and the time, and hands back datagrams (ops->tx), events
 * (ops->event) and the time it next wants to run (l2tp_engine_next_timeout).
 * It never reads a clock, opens a socket or touches DPDK.
 *
 * Tunnel states (§7.2): idle -> wait-ctl-reply -> established (initiator),
 * idle -> wait-ctl-conn -> established (responder), then no-sessions-left
 * when the last call goes, and shutting-down after a StopCCN until the
 * channel has delivered it or (received) one retransmission cycle passed.
 * Session states (§7.4): LNS incoming idle -> wait-connect -> established;
 * LAC incoming idle -> wait-tunnel -> wait-reply -> established; outgoing
 * calls wait-reply -> wait-connect -> established (LNS) and answered at
 * once by the LAC.
 */
#ifndef L2TP_ENGINE_H
#define L2TP_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2tp_avp.h"
#include "l2tp_chan.h"

enum l2tp_role {
	L2TP_ROLE_LNS, /* accepts incoming calls (ICRQ), places outgoing ones (OCRQ) */
	L2TP_ROLE_LAC, /* places incoming calls, accepts outgoing ones */
};

struct l2tp_addr {
	uint8_t family; /* 4 or 6 */
	uint8_t ip[16]; /* IPv4 in the first four bytes */
	uint16_t port;
	/*
	 * Which of our IPv4 addresses the peer talks to (0: the only one): a
	 * tunnel belongs to the pair, and we answer from the address asked.
	 */
	uint8_t local[4];
};

bool l2tp_addr_eq(const struct l2tp_addr *a, const struct l2tp_addr *b);
/* "192.0.2.1:1701" */
int l2tp_addr_format(const struct l2tp_addr *a, char *out, size_t cap);

#define L2TP_SECRET_MAX	   64
#define L2TP_HOST_NAME_MAX 64

/* What one peer gets: a tunnel profile, reduced to what the engine uses. */
struct l2tp_tunnel_params {
	uint8_t secret[L2TP_SECRET_MAX];
	uint8_t secret_len;	    /* 0: no tunnel authentication */
	uint32_t hello_interval_ms; /* 0: no HELLO */
	uint16_t rx_window;	    /* our AVP 10 */
	uint32_t max_sessions;	    /* 0: the engine's limit */
	uint64_t hide_mask;	    /* AVP types sent hidden (needs a secret) */
	/* a peer quirk: unknown AVPs with the M bit are skipped, not fatal (counted) */
	bool tolerate_unknown_mandatory;
};

#define L2TP_STATES_TUNNEL(X)                   \
	X(IDLE, "idle")                         \
	X(WAIT_CTL_REPLY, "wait-ctl-reply")     \
	X(WAIT_CTL_CONN, "wait-ctl-conn")       \
	X(ESTABLISHED, "established")           \
	X(NO_SESSIONS_LEFT, "no-sessions-left") \
	X(SHUTTING_DOWN, "shutting-down")

enum l2tp_tunnel_state {
#define X(id, name) L2TP_TUNNEL_##id,
	L2TP_STATES_TUNNEL(X)
#undef X
};

#define L2TP_STATES_SESSION(X)            \
	X(IDLE, "idle")                   \
	X(WAIT_TUNNEL, "wait-for-tunnel") \
	X(WAIT_REPLY, "wait-reply")       \
	X(WAIT_CONNECT, "wait-connect")   \
	X(ESTABLISHED, "established")

enum l2tp_session_state {
#define X(id, name) L2TP_SESSION_##id,
	L2TP_STATES_SESSION(X)
#undef X
};

const char *l2tp_tunnel_state_str(enum l2tp_tunnel_state s);
const char *l2tp_session_state_str(enum l2tp_session_state s);

struct l2tp_engine_cfg {
	enum l2tp_role role;
	char host_name[L2TP_HOST_NAME_MAX];
	char vendor_name[L2TP_HOST_NAME_MAX];
	uint16_t firmware_rev;
	uint32_t framing_cap, bearer_cap;
	struct l2tp_chan_cfg chan;	  /* rx_window here is the default for params */
	uint32_t hello_interval_ms;	  /* default 60 s */
	uint32_t nsl_delay_ms;		  /* no-sessions-left: 10 s LNS, 15 s LAC */
	uint32_t setup_timeout_ms;	  /* tunnel or call not up by then is cleared; 60 s */
	uint32_t max_tunnels;		  /* default 4096 */
	uint32_t max_sessions_per_tunnel; /* default 65535 */
	uint32_t max_sessions;		  /* default 131072 */
	uint32_t msgpool_limit;		  /* control message buffers; default 65536 */
	bool send_tie_breaker;		  /* initiator sends AVP 5 (§4.4.3) */
	bool accept_new;		  /* false: soft shutdown, refuse new tunnels and calls */
};

void l2tp_engine_cfg_defaults(struct l2tp_engine_cfg *cfg, enum l2tp_role role);

struct l2tp_engine;
struct l2tp_tunnel;
struct l2tp_session;

enum l2tp_event_type {
	L2TP_EV_TUNNEL_UP,
	L2TP_EV_TUNNEL_DOWN, /* sessions went down first; for tunnels we opened even if
				never up, for the peer's only once up */
	L2TP_EV_SESSION_UP,  /* msg: the ICCN/OCCN (proxy LCP, proxy auth, speeds) */
	L2TP_EV_SESSION_DOWN,
	L2TP_EV_SESSION_WEN, /* msg: the WEN (Call Errors) */
	L2TP_EV_SESSION_SLI, /* msg: the SLI (ACCM) */
};

const char *l2tp_event_type_str(enum l2tp_event_type t);

struct l2tp_event {
	enum l2tp_event_type type;
	struct l2tp_tunnel *tunnel;
	struct l2tp_session *session; /* NULL for tunnel events */
	const struct l2tp_msg *msg;   /* the message behind it, or NULL */
	uint16_t result, error;	      /* DOWN: Result Code and Error Code */
	bool by_peer;		      /* DOWN: the peer's StopCCN/CDN, not ours */
};

struct l2tp_engine_ops {
	/* Sends one UDP payload to peer (from the engine's local address). */
	void (*tx)(void *ctx, const struct l2tp_addr *peer, const uint8_t *pkt, size_t len);
	void (*event)(void *ctx, const struct l2tp_event *ev);
	/*
	 * An SCCRQ from host (not NUL-terminated) at peer: fill out and return
	 * true to accept, false to refuse (StopCCN result 4).
	 */
	bool (*tunnel_policy)(void *ctx, const uint8_t *host, size_t host_len,
			      const struct l2tp_addr *peer, struct l2tp_tunnel_params *out);
	/* Unpredictable bytes: challenges, Random Vectors, tie breakers. */
	void (*random)(void *ctx, void *buf, size_t len);
	/*
	 * Optional: may this tunnel take a new call now? false refuses it with
	 * CDN result 4 (temporary lack of resources): admission control.
	 */
	bool (*admit_call)(void *ctx, struct l2tp_tunnel *t);
};

#define L2TP_ENGINE_COUNTERS(X)                                                              \
	X(rx_datagrams, "control datagrams received")                                        \
	X(rx_malformed, "datagrams or messages refused as malformed (by reason below)")      \
	X(rx_data_ignored, "data messages handed to the control engine")                     \
	X(rx_unknown_tunnel, "messages for a tunnel ID that is not ours")                    \
	X(rx_wrong_peer, "messages for a tunnel from another address or port")               \
	X(rx_bad_nr, "messages acknowledging what was never sent")                           \
	X(rx_duplicates, "duplicate messages (acknowledged again)")                          \
	X(rx_out_of_window, "messages beyond the receive window")                            \
	X(rx_no_buffer, "messages dropped: control buffers exhausted")                       \
	X(rx_unknown_session, "session messages for a session ID that is not ours")          \
	X(rx_ignored_msgtype, "unknown message types without M bit, ignored")                \
	X(rx_fsm_errors, "messages not legal in the state they arrived in")                  \
	X(tunnels_created, "tunnels created")                                                \
	X(tunnels_established, "tunnels established")                                        \
	X(tunnels_refused, "SCCRQs refused (policy, limits, version, shutdown)")             \
	X(tunnels_auth_failed, "tunnel authentication failures")                             \
	X(tunnels_timed_out, "tunnels torn down because the peer stopped acknowledging")     \
	X(tunnels_tie_lost, "tunnels given up to the peer's SCCRQ (tie breaker)")            \
	X(sessions_created, "sessions created")                                              \
	X(sessions_established, "sessions established")                                      \
	X(sessions_refused, "calls refused (limits, shutdown, role)")                        \
	X(stopccn_tx, "StopCCN sent")                                                        \
	X(stopccn_rx, "StopCCN received")                                                    \
	X(cdn_tx, "CDN sent")                                                                \
	X(cdn_rx, "CDN received")                                                            \
	X(hello_tx, "HELLO sent")                                                            \
	X(rx_tolerated_unknown_mandatory, "unknown AVPs with M skipped (a tolerated quirk)") \
	X(tx_failed, "messages that could not be queued (buffers, queue limit)")

struct l2tp_engine_stats {
#define X(name, text) uint64_t name;
	L2TP_ENGINE_COUNTERS(X)
#undef X
	uint64_t malformed[L2TP_ST_COUNT]; /* rx_malformed by reason */
};

struct l2tp_engine *l2tp_engine_create(const struct l2tp_engine_cfg *cfg,
				       const struct l2tp_engine_ops *ops, void *ctx);
/* Frees everything without sending anything. */
void l2tp_engine_destroy(struct l2tp_engine *e);

/* One UDP payload from peer. */
void l2tp_engine_input(struct l2tp_engine *e, uint64_t now, const struct l2tp_addr *peer,
		       const uint8_t *buf, size_t len);
/* Runs whatever is due at now. */
void l2tp_engine_timeout(struct l2tp_engine *e, uint64_t now);
/* Earliest time l2tp_engine_timeout() has work; UINT64_MAX for none. */
uint64_t l2tp_engine_next_timeout(const struct l2tp_engine *e);

const struct l2tp_engine_stats *l2tp_engine_stats(const struct l2tp_engine *e);
uint32_t l2tp_engine_tunnel_count(const struct l2tp_engine *e);
uint32_t l2tp_engine_session_count(const struct l2tp_engine *e);
/* Soft shutdown: refuse new tunnels and calls, keep what is established. */
void l2tp_engine_set_accept_new(struct l2tp_engine *e, bool accept);
/* StopCCN to every tunnel (result 6, "being shut down"). */
void l2tp_engine_close_all(struct l2tp_engine *e, uint64_t now);

struct l2tp_tunnel *l2tp_engine_find_tunnel(const struct l2tp_engine *e, uint16_t tunnel_id);
/* Walks the live tunnels: NULL gives the first; NULL back at the end. */
struct l2tp_tunnel *l2tp_engine_next_tunnel(const struct l2tp_engine *e,
					    const struct l2tp_tunnel *prev);

/* Tunnels */

/* Initiator: sends an SCCRQ. NULL when limits or memory refuse it. */
struct l2tp_tunnel *l2tp_tunnel_open(struct l2tp_engine *e, uint64_t now,
				     const struct l2tp_addr *peer,
				     const struct l2tp_tunnel_params *params);
/* StopCCN with this result; the sessions go down with it. */
void l2tp_tunnel_close(struct l2tp_tunnel *t, uint64_t now, uint16_t result, int error,
		       const char *message);

uint16_t l2tp_tunnel_id(const struct l2tp_tunnel *t);
uint16_t l2tp_tunnel_peer_id(const struct l2tp_tunnel *t);
enum l2tp_tunnel_state l2tp_tunnel_state(const struct l2tp_tunnel *t);
const struct l2tp_addr *l2tp_tunnel_peer(const struct l2tp_tunnel *t);
const char *l2tp_tunnel_peer_name(const struct l2tp_tunnel *t);
uint32_t l2tp_tunnel_session_count(const struct l2tp_tunnel *t);
const struct l2tp_chan_stats *l2tp_tunnel_chan_stats(const struct l2tp_tunnel *t);
/* Hits of the tunnel's tolerated quirks (unknown mandatory AVPs skipped). */
uint64_t l2tp_tunnel_quirk_hits(const struct l2tp_tunnel *t);
struct l2tp_session *l2tp_tunnel_find_session(const struct l2tp_tunnel *t, uint16_t session_id);

/* Sessions */

#define L2TP_CALL_FIELD_MAX 64

struct l2tp_bytes_field {
	uint8_t len;
	uint8_t data[L2TP_CALL_FIELD_MAX];
};

/* What the initiator of a call tells the other side. */
struct l2tp_call_params {
	uint32_t serial;
	uint32_t bearer_type, framing_type;
	uint32_t min_bps, max_bps;
	uint32_t tx_connect_speed, rx_connect_speed; /* rx 0: not sent */
	struct l2tp_bytes_field calling_number, called_number, sub_address;
	/* proxy LCP and proxy authentication for the ICCN (§4.4.5); len 0: absent */
	struct l2tp_bytes_field initial_rcvd_lcp, last_sent_lcp, last_rcvd_lcp;
	uint16_t proxy_auth_type; /* 0: no proxy authentication */
	uint8_t proxy_auth_id;
	struct l2tp_bytes_field proxy_auth_name, proxy_auth_challenge, proxy_auth_response;
	bool sequencing_required;
};

/* LAC: places an incoming call (ICRQ now, or when the tunnel comes up). */
struct l2tp_session *l2tp_session_incoming(struct l2tp_tunnel *t, uint64_t now,
					   const struct l2tp_call_params *p);
/* LNS: asks the LAC to place an outgoing call (OCRQ). */
struct l2tp_session *l2tp_session_outgoing(struct l2tp_tunnel *t, uint64_t now,
					   const struct l2tp_call_params *p);
/* CDN with this result; the session is gone when this returns. */
void l2tp_session_close(struct l2tp_session *s, uint64_t now, uint16_t result, int error,
			const char *message);
/* SLI (§6.16) with the ACCM to use; returns 0 or -errno. */
int l2tp_session_send_sli(struct l2tp_session *s, uint64_t now, uint32_t send_accm,
			  uint32_t recv_accm);
/* WEN (§6.15), LAC to LNS; returns 0 or -errno. */
int l2tp_session_send_wen(struct l2tp_session *s, uint64_t now,
			  const struct l2tp_call_errors *errors);

uint16_t l2tp_session_id(const struct l2tp_session *s);
uint16_t l2tp_session_peer_id(const struct l2tp_session *s);
enum l2tp_session_state l2tp_session_state(const struct l2tp_session *s);
struct l2tp_tunnel *l2tp_session_tunnel(const struct l2tp_session *s);
bool l2tp_session_sequencing(const struct l2tp_session *s);
void l2tp_session_set_udata(struct l2tp_session *s, void *udata);
void *l2tp_session_udata(const struct l2tp_session *s);
/* The peer's ICRQ Calling and Called Number (LNS); len 0: not sent. Longer ones are cut. */
const struct l2tp_bytes_field *l2tp_session_calling_number(const struct l2tp_session *s);
const struct l2tp_bytes_field *l2tp_session_called_number(const struct l2tp_session *s);

#endif
