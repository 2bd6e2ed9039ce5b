/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The engine room: datagram input up to the channel, tunnel and session
 * lookup, ID allocation, timers, events and the end-of-call reaping of
 * tunnels that died during it.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inet.h"
#include "l2tp_internal.h"
#include "lns_log.h"

static const char *const tunnel_state_names[] = {
#define X(id, name) [L2TP_TUNNEL_##id] = name,
	L2TP_STATES_TUNNEL(X)
#undef X
};

static const char *const session_state_names[] = {
#define X(id, name) [L2TP_SESSION_##id] = name,
	L2TP_STATES_SESSION(X)
#undef X
};

const char *
l2tp_tunnel_state_str(enum l2tp_tunnel_state s)
{
	return (unsigned)s <= L2TP_TUNNEL_SHUTTING_DOWN ? tunnel_state_names[s] : "?";
}

const char *
l2tp_session_state_str(enum l2tp_session_state s)
{
	return (unsigned)s <= L2TP_SESSION_ESTABLISHED ? session_state_names[s] : "?";
}

const char *
l2tp_event_type_str(enum l2tp_event_type t)
{
	static const char *const names[] = {
		[L2TP_EV_TUNNEL_UP] = "tunnel-up",     [L2TP_EV_TUNNEL_DOWN] = "tunnel-down",
		[L2TP_EV_SESSION_UP] = "session-up",   [L2TP_EV_SESSION_DOWN] = "session-down",
		[L2TP_EV_SESSION_WEN] = "session-wen", [L2TP_EV_SESSION_SLI] = "session-sli",
	};

	return (unsigned)t <= L2TP_EV_SESSION_SLI ? names[t] : "?";
}

bool
l2tp_addr_eq(const struct l2tp_addr *a, const struct l2tp_addr *b)
{
	size_t n = a->family == 6 ? 16 : 4;

	return a->family == b->family && a->port == b->port && memcmp(a->ip, b->ip, n) == 0 &&
	       memcmp(a->local, b->local, sizeof(a->local)) == 0;
}

int
l2tp_addr_format(const struct l2tp_addr *a, char *out, size_t cap)
{
	char ip[INET6_STRLEN];

	if (a->family == 6)
		return snprintf(out, cap, "[%s]:%u", inet6_str(a->ip, ip), a->port);
	return snprintf(out, cap, INET4_FMT ":%u", INET4_ARGS(get_be32(a->ip)), a->port);
}

void
l2tp_engine_cfg_defaults(struct l2tp_engine_cfg *cfg, enum l2tp_role role)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->role = role;
	snprintf(cfg->host_name, sizeof(cfg->host_name), "%s",
		 role == L2TP_ROLE_LNS ? "lnsd" : "lac");
	snprintf(cfg->vendor_name, sizeof(cfg->vendor_name), "lnsd");
	cfg->firmware_rev = 0x0100;
	cfg->framing_cap = L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC;
	cfg->bearer_cap = L2TP_BEARER_DIGITAL | L2TP_BEARER_ANALOG;
	l2tp_chan_cfg_defaults(&cfg->chan);
	cfg->hello_interval_ms = 60000;
	cfg->nsl_delay_ms = role == L2TP_ROLE_LNS ? 10000 : 15000;
	cfg->setup_timeout_ms = 60000;
	cfg->max_tunnels = 4096;
	cfg->max_sessions_per_tunnel = 65535;
	cfg->max_sessions = 131072;
	cfg->msgpool_limit = 65536;
	cfg->send_tie_breaker = false;
	cfg->accept_new = true;
}

uint64_t
engine_rtx_cycle_ms(const struct l2tp_engine *e)
{
	const struct l2tp_chan_cfg *c = &e->cfg.chan;
	uint64_t total = 0;
	uint64_t step = c->rtx_initial_ms;

	for (unsigned i = 0; i <= c->rtx_retries; i++) {
		total += step;
		step = step * 2 < c->rtx_max_ms ? step * 2 : c->rtx_max_ms;
	}
	return total;
}

/* ID cursors start at random places, so IDs are not guessable across restarts. */
static uint16_t
random_u16(struct l2tp_engine *e)
{
	uint8_t b[2];

	e->ops->random(e->ctx, b, sizeof(b));
	return get_be16(b);
}

struct l2tp_engine *
l2tp_engine_create(const struct l2tp_engine_cfg *cfg, const struct l2tp_engine_ops *ops, void *ctx)
{
	struct l2tp_engine *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->cfg = *cfg;
	e->ops = ops;
	e->ctx = ctx;
	l2tp_msgpool_init(&e->pool, cfg->msgpool_limit);
	if (lns_hmap_init(&e->sessions, 1024) != 0) {
		free(e);
		return NULL;
	}
	e->next_tunnel_id = random_u16(e);
	return e;
}

static void
tunnel_free(struct l2tp_engine *e, struct l2tp_tunnel *t)
{
	l2tp_chan_fini(&t->chan);
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		e->tunnel_list = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	e->tunnels[t->id] = NULL;
	e->tunnel_freed_at[t->id] = e->now;
	e->n_tunnels--;
	free(t);
}

void
l2tp_engine_destroy(struct l2tp_engine *e)
{
	if (e == NULL)
		return;
	while (e->tunnel_list != NULL) {
		struct l2tp_tunnel *t = e->tunnel_list;

		while (t->sessions != NULL) {
			struct l2tp_session *s = t->sessions;

			t->sessions = s->next;
			free(s->params);
			free(s);
		}
		tunnel_free(e, t);
	}
	lns_hmap_fini(&e->sessions);
	l2tp_msgpool_fini(&e->pool);
	free(e);
}

void
engine_event(struct l2tp_engine *e, enum l2tp_event_type type, struct l2tp_tunnel *t,
	     struct l2tp_session *s, const struct l2tp_msg *m, uint16_t result, uint16_t error,
	     bool by_peer)
{
	struct l2tp_event ev = {
		.type = type,
		.tunnel = t,
		.session = s,
		.msg = m,
		.result = result,
		.error = error,
		.by_peer = by_peer,
	};

	if (e->ops->event != NULL)
		e->ops->event(e->ctx, &ev);
}

/* Channel callbacks: the engine sits between a tunnel's channel and the wire. */
static void
chan_tx(void *ctx, const uint8_t *msg, size_t len)
{
	struct l2tp_tunnel *t = ctx;

	if (log_enabled(LOG_CAT_L2TP, LOG_DEBUG)) {
		struct l2tp_hdr h;
		char line[128];
		bool zlb = len <= L2TP_CTRL_HDR_LEN;

		l2tp_hdr_parse(&h, msg, len);
		l2tp_hdr_format(&h, line, sizeof(line));
		if (zlb)
			TLOG(t, LOG_DEBUG, "O ZLB ctrl ack, %s", line);
		else
			TLOG(t, LOG_DEBUG, "O %s, %s",
			     l2tp_msg_type_str(len >= 20 ? get_be16(msg + 18) : 0xfffe), line);
	}
	t->engine->ops->tx(t->engine->ctx, &t->peer, msg, len);
}

static void
chan_deliver(void *ctx, const uint8_t *msg, size_t len)
{
	tunnel_deliver(ctx, msg, len);
}

static const struct l2tp_chan_ops tunnel_chan_ops = {
	.tx = chan_tx,
	.deliver = chan_deliver,
};

/*
 * Tunnel IDs come from a cursor that starts at random and skips IDs in use
 * or freed less than two retransmission cycles ago, so a late message for
 * an old tunnel never lands in a new one.
 */
static int
alloc_tunnel_id(struct l2tp_engine *e, uint16_t *out)
{
	uint64_t quarantine = 2 * engine_rtx_cycle_ms(e);

	for (unsigned n = 0; n < TUNNEL_ID_SPACE; n++) {
		uint16_t id = e->next_tunnel_id++;
		uint64_t freed = e->tunnel_freed_at[id];

		if (id == 0 || e->tunnels[id] != NULL)
			continue;
		if (freed != 0 && e->now < freed + quarantine)
			continue;
		*out = id;
		return 0;
	}
	return -EAGAIN;
}

struct l2tp_tunnel *
engine_tunnel_alloc(struct l2tp_engine *e, const struct l2tp_addr *peer,
		    const struct l2tp_tunnel_params *params, bool initiator)
{
	struct l2tp_chan_cfg ccfg = e->cfg.chan;
	struct l2tp_tunnel *t;
	uint16_t id;

	if (alloc_tunnel_id(e, &id) != 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->engine = e;
	t->id = id;
	t->peer = *peer;
	t->initiator = initiator;
	t->state = L2TP_TUNNEL_IDLE;
	t->next_session_id = random_u16(e);
	t->created_at = e->now;
	t->nsl_deadline = UINT64_MAX;
	if (params != NULL)
		t->params = *params;
	if (t->params.rx_window != 0)
		ccfg.rx_window = t->params.rx_window;
	t->params.rx_window = ccfg.rx_window;
	if (l2tp_chan_init(&t->chan, &ccfg, &e->pool, &tunnel_chan_ops, t, e->now) != 0) {
		free(t);
		return NULL;
	}
	t->params.rx_window = t->chan.cfg.rx_window;
	e->tunnels[id] = t;
	t->next = e->tunnel_list;
	if (t->next != NULL)
		t->next->prev = t;
	e->tunnel_list = t;
	e->n_tunnels++;
	e->stats.tunnels_created++;
	return t;
}

/* Marks a tunnel for freeing at the end of the current engine call. */
void
engine_tunnel_release(struct l2tp_engine *e, struct l2tp_tunnel *t)
{
	if (t->dead)
		return;
	t->dead = true;
	t->next_dead = e->dead;
	e->dead = t;
}

static void
reap(struct l2tp_engine *e)
{
	while (e->dead != NULL) {
		struct l2tp_tunnel *t = e->dead;

		e->dead = t->next_dead;
		tunnel_free(e, t);
	}
}

static bool
count_malformed(struct l2tp_engine *e, enum l2tp_status st)
{
	if (st == L2TP_ST_OK)
		return false;
	e->stats.rx_malformed++;
	e->stats.malformed[st]++;
	return true;
}

static void
count_chan_rx(struct l2tp_engine *e, enum l2tp_chan_rx rx)
{
	switch (rx) {
	case L2TP_CHAN_RX_OK:
		break;
	case L2TP_CHAN_RX_DUPLICATE:
		e->stats.rx_duplicates++;
		break;
	case L2TP_CHAN_RX_OUT_OF_WINDOW:
		e->stats.rx_out_of_window++;
		break;
	case L2TP_CHAN_RX_BAD_NR:
		e->stats.rx_bad_nr++;
		break;
	case L2TP_CHAN_RX_NO_BUFFER:
		e->stats.rx_no_buffer++;
		break;
	}
}

/*
 * §8.1: the responder may answer an SCCRQ from another UDP port, so an
 * initiator still waiting for the SCCRP takes the port the reply comes from.
 */
static bool
peer_matches(struct l2tp_tunnel *t, const struct l2tp_addr *from)
{
	struct l2tp_addr adopted;

	if (l2tp_addr_eq(&t->peer, from))
		return true;
	if (!t->initiator || t->state != L2TP_TUNNEL_WAIT_CTL_REPLY)
		return false;
	adopted = *from;
	adopted.port = t->peer.port;
	if (!l2tp_addr_eq(&t->peer, &adopted))
		return false;
	t->peer.port = from->port;
	return true;
}

void
l2tp_engine_input(struct l2tp_engine *e, uint64_t now, const struct l2tp_addr *peer,
		  const uint8_t *buf, size_t len)
{
	struct l2tp_tunnel *t;
	struct l2tp_hdr h;

	e->now = now;
	e->stats.rx_datagrams++;
	if (count_malformed(e, l2tp_hdr_parse(&h, buf, len)))
		return;
	if (!l2tp_hdr_is_control(&h)) {
		e->stats.rx_data_ignored++;
		return;
	}
	if (h.tunnel_id == 0) {
		tunnel_accept_sccrq(e, peer, &h, buf, h.length);
		reap(e);
		return;
	}
	t = e->tunnels[h.tunnel_id];
	if (t == NULL || t->dead) {
		e->stats.rx_unknown_tunnel++;
		return;
	}
	if (!peer_matches(t, peer)) {
		e->stats.rx_wrong_peer++;
		return;
	}
	count_chan_rx(e, l2tp_chan_input(&t->chan, buf, h.length, h.ns, h.nr,
					 h.length == L2TP_CTRL_HDR_LEN, now));
	tunnel_timeout(t, now); /* a StopCCN acked just now frees the tunnel at once */
	reap(e);
}

void
l2tp_engine_timeout(struct l2tp_engine *e, uint64_t now)
{
	e->now = now;
	for (struct l2tp_tunnel *t = e->tunnel_list; t != NULL; t = t->next)
		if (!t->dead && tunnel_next_timeout(t) <= now)
			tunnel_timeout(t, now);
	reap(e);
}

uint64_t
l2tp_engine_next_timeout(const struct l2tp_engine *e)
{
	uint64_t next = UINT64_MAX;

	for (const struct l2tp_tunnel *t = e->tunnel_list; t != NULL; t = t->next) {
		uint64_t at = t->dead ? UINT64_MAX : tunnel_next_timeout(t);

		if (at < next)
			next = at;
	}
	return next;
}

const struct l2tp_engine_stats *
l2tp_engine_stats(const struct l2tp_engine *e)
{
	return &e->stats;
}

uint32_t
l2tp_engine_tunnel_count(const struct l2tp_engine *e)
{
	return e->n_tunnels;
}

uint32_t
l2tp_engine_session_count(const struct l2tp_engine *e)
{
	return e->n_sessions;
}

void
l2tp_engine_set_accept_new(struct l2tp_engine *e, bool accept)
{
	e->cfg.accept_new = accept;
}

void
l2tp_engine_close_all(struct l2tp_engine *e, uint64_t now)
{
	e->now = now;
	for (struct l2tp_tunnel *t = e->tunnel_list; t != NULL; t = t->next)
		if (!t->dead && t->state != L2TP_TUNNEL_SHUTTING_DOWN)
			tunnel_stop(t, L2TP_STOPCCN_SHUTTING_DOWN, -1, NULL);
	reap(e);
}

struct l2tp_tunnel *
l2tp_engine_next_tunnel(const struct l2tp_engine *e, const struct l2tp_tunnel *prev)
{
	struct l2tp_tunnel *t = prev != NULL ? prev->next : e->tunnel_list;

	while (t != NULL && t->dead)
		t = t->next;
	return t;
}

struct l2tp_tunnel *
l2tp_engine_find_tunnel(const struct l2tp_engine *e, uint16_t tunnel_id)
{
	struct l2tp_tunnel *t = e->tunnels[tunnel_id];

	return t != NULL && !t->dead ? t : NULL;
}
