/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the engine's three rooms share: l2tp_engine.c (input, lookup, IDs,
 * timers), l2tp_tunnel.c (control connection FSM) and l2tp_session.c (call
 * FSM). Nothing outside control/ includes this.
 */
#ifndef L2TP_INTERNAL_H
#define L2TP_INTERNAL_H

#include "l2tp_engine.h"
#include "lns_hmap.h"

#define TUNNEL_ID_SPACE 65536

struct l2tp_session {
	struct l2tp_tunnel *tunnel;
	struct l2tp_session *prev, *next;	      /* tunnel->sessions */
	struct l2tp_session *setup_prev, *setup_next; /* tunnel->setup_head: not yet up */
	uint64_t setup_deadline;
	uint16_t id, peer_id;
	enum l2tp_session_state state;
	bool outgoing;	/* OCRQ call rather than ICRQ */
	bool initiator; /* we sent the ICRQ/OCRQ */
	bool sequencing;
	void *udata;
	struct l2tp_call_params *params; /* initiator only: what the call says */
	/* responder: the peer's ICRQ numbers, for RADIUS Called/Calling-Station-Id */
	struct l2tp_bytes_field calling_number, called_number;
};

struct l2tp_tunnel {
	struct l2tp_engine *engine;
	struct l2tp_tunnel *next_dead;	 /* reap list */
	struct l2tp_tunnel *prev, *next; /* engine->tunnel_list */
	uint16_t id, peer_id;
	enum l2tp_tunnel_state state;
	uint64_t quirk_hits; /* unknown mandatory AVPs tolerated */
	bool initiator;
	bool dead; /* freed at the end of the current engine call */
	bool stop_received;
	const char *refusal; /* responder: why the SCCRQ's answer is a StopCCN */
	uint16_t refusal_result;
	int refusal_error;
	struct l2tp_addr peer;
	char peer_name[L2TP_HOST_NAME_MAX + 1];
	struct l2tp_tunnel_params params;
	uint8_t challenge[16]; /* the one we sent, when we have a secret */
	uint64_t tie_breaker;  /* the one we sent, 0 when none */
	struct l2tp_chan chan;

	struct l2tp_session *sessions;
	struct l2tp_session *setup_head, *setup_tail; /* oldest setup first */
	uint32_t n_sessions;
	uint16_t next_session_id; /* allocation cursor */

	uint64_t created_at;
	uint64_t nsl_deadline;	/* no-sessions-left: StopCCN then */
	uint64_t hold_deadline; /* shutting-down: freed then */
	uint64_t hello_sent_at; /* last HELLO, so one is not sent per tick */
};

struct l2tp_engine {
	struct l2tp_engine_cfg cfg;
	const struct l2tp_engine_ops *ops;
	void *ctx;
	struct l2tp_msgpool pool;
	struct l2tp_tunnel *tunnels[TUNNEL_ID_SPACE]; /* by local tunnel ID */
	struct l2tp_tunnel *tunnel_list;	      /* every tunnel, for timers */
	uint64_t tunnel_freed_at[TUNNEL_ID_SPACE];    /* ID quarantine */
	uint32_t n_tunnels, n_sessions;
	uint16_t next_tunnel_id;
	struct lns_hmap sessions; /* tunnel_id << 16 | session_id */
	struct l2tp_tunnel *dead; /* to free after the current call */
	uint64_t now;		  /* of the current call */
	struct l2tp_engine_stats stats;
	struct l2tp_msg msg; /* decode space for the message being handled */
};

static inline uint32_t
session_key(uint16_t tunnel_id, uint16_t session_id)
{
	return (uint32_t)tunnel_id << 16 | session_id;
}

/* l2tp_engine.c */
void engine_event(struct l2tp_engine *e, enum l2tp_event_type type, struct l2tp_tunnel *t,
		  struct l2tp_session *s, const struct l2tp_msg *m, uint16_t result, uint16_t error,
		  bool by_peer);
struct l2tp_tunnel *engine_tunnel_alloc(struct l2tp_engine *e, const struct l2tp_addr *peer,
					const struct l2tp_tunnel_params *params, bool initiator);
void engine_tunnel_release(struct l2tp_engine *e, struct l2tp_tunnel *t);
/* One full retransmission cycle (§5.7): how long a closed tunnel is held. */
uint64_t engine_rtx_cycle_ms(const struct l2tp_engine *e);

/* l2tp_tunnel.c */
void tunnel_set_state(struct l2tp_tunnel *t, enum l2tp_tunnel_state to);
/* Starts a writer for a message of this type, header left for the channel. */
void tunnel_msg_begin(struct l2tp_tunnel *t, struct l2tp_writer *w, uint8_t *buf, size_t cap,
		      uint16_t type);
/* Finishes and queues on the channel; returns 0 or -errno (counted). */
int tunnel_msg_send(struct l2tp_tunnel *t, struct l2tp_writer *w, uint16_t session_id);
void tunnel_deliver(struct l2tp_tunnel *t, const uint8_t *msg, size_t len);
void tunnel_timeout(struct l2tp_tunnel *t, uint64_t now);
uint64_t tunnel_next_timeout(const struct l2tp_tunnel *t);
void tunnel_session_added(struct l2tp_tunnel *t);
void tunnel_session_removed(struct l2tp_tunnel *t);
/* Responder side of an SCCRQ that found no tunnel (tunnel ID 0). */
void tunnel_accept_sccrq(struct l2tp_engine *e, const struct l2tp_addr *peer,
			 const struct l2tp_hdr *h, const uint8_t *buf, size_t len);
/* Sends StopCCN and moves to shutting-down; sessions go down first. */
void tunnel_stop(struct l2tp_tunnel *t, uint16_t result, int error, const char *message);

/* l2tp_session.c */
void session_dispatch(struct l2tp_tunnel *t, uint16_t session_id, const struct l2tp_msg *m);
/* Session down without a CDN (the tunnel is going); event raised. */
void session_drop(struct l2tp_session *s, uint16_t result, uint16_t error, bool by_peer);
/* Sends the ICRQs of calls that waited for the tunnel. */
void session_tunnel_up(struct l2tp_tunnel *t);
/* Calls not up within setup_timeout_ms are cleared. */
uint64_t session_next_timeout(const struct l2tp_tunnel *t);
void session_timeout(struct l2tp_tunnel *t, uint64_t now);
void session_send_cdn(struct l2tp_tunnel *t, uint16_t peer_session_id, uint16_t our_id,
		      uint16_t result, int error, const char *message);

/* Logging with the seed's prefixes: "Tnl 55270 L2TP: ...", "Tnl/Cl 55270/45 L2TP: ..." */
#define TLOG(t, level, fmt, ...) LOG(L2TP, level, "Tnl %u L2TP: " fmt, (t)->id, ##__VA_ARGS__)
#define SLOG(s, level, fmt, ...) \
	LOG(L2TP, level, "Tnl/Cl %u/%u L2TP: " fmt, (s)->tunnel->id, (s)->id, ##__VA_ARGS__)

#endif
