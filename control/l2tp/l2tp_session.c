/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The session room: call state machines (RFC 2661 §7.4) for incoming and
 * outgoing calls on both sides, CDN in both directions, WEN and SLI, and
 * the limits and ID allocation of calls.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp_internal.h"
#include "lns_log.h"

static void
set_state(struct l2tp_session *s, enum l2tp_session_state to)
{
	if (s->state == to)
		return;
	SLOG(s, LOG_INFO, "Session state change from %s to %s", l2tp_session_state_str(s->state),
	     l2tp_session_state_str(to));
	s->state = to;
}

static void
setup_unlink(struct l2tp_session *s)
{
	struct l2tp_tunnel *t = s->tunnel;

	if (s->setup_deadline == 0)
		return;
	if (s->setup_prev != NULL)
		s->setup_prev->setup_next = s->setup_next;
	else
		t->setup_head = s->setup_next;
	if (s->setup_next != NULL)
		s->setup_next->setup_prev = s->setup_prev;
	else
		t->setup_tail = s->setup_prev;
	s->setup_prev = s->setup_next = NULL;
	s->setup_deadline = 0;
}

/* Setup deadlines all use the same delay, so the list stays in order. */
static void
setup_link(struct l2tp_session *s)
{
	struct l2tp_tunnel *t = s->tunnel;
	struct l2tp_engine *e = t->engine;

	s->setup_deadline = e->now + e->cfg.setup_timeout_ms;
	s->setup_prev = t->setup_tail;
	if (t->setup_tail != NULL)
		t->setup_tail->setup_next = s;
	else
		t->setup_head = s;
	t->setup_tail = s;
}

/* Session IDs: a per-tunnel cursor, so an ID returns only after 65535 others. */
static int
alloc_session_id(struct l2tp_tunnel *t, uint16_t *out)
{
	struct l2tp_engine *e = t->engine;

	for (unsigned n = 0; n < 65536; n++) {
		uint16_t id = t->next_session_id++;

		if (id != 0 && lns_hmap_get(&e->sessions, session_key(t->id, id)) == NULL) {
			*out = id;
			return 0;
		}
	}
	return -EAGAIN;
}

/* Why a new call on t is refused (CDN result 4 or 5), or NULL. */
static const char *
admission_refusal(const struct l2tp_tunnel *t)
{
	const struct l2tp_engine *e = t->engine;
	uint32_t per_tunnel = e->cfg.max_sessions_per_tunnel;

	if (t->params.max_sessions != 0 && t->params.max_sessions < per_tunnel)
		per_tunnel = t->params.max_sessions;
	if (!e->cfg.accept_new)
		return "not accepting new calls";
	if (t->state != L2TP_TUNNEL_ESTABLISHED && t->state != L2TP_TUNNEL_NO_SESSIONS_LEFT &&
	    t->state != L2TP_TUNNEL_WAIT_CTL_REPLY)
		return "tunnel is not up";
	if (t->n_sessions >= per_tunnel)
		return "session limit of the tunnel reached";
	if (e->n_sessions >= e->cfg.max_sessions)
		return "session limit reached";
	return NULL;
}

static struct l2tp_session *
session_create(struct l2tp_tunnel *t, uint16_t peer_id, bool initiator, bool outgoing)
{
	struct l2tp_engine *e = t->engine;
	struct l2tp_session *s;
	uint16_t id;

	if (alloc_session_id(t, &id) != 0)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	if (lns_hmap_put(&e->sessions, session_key(t->id, id), s) != 0) {
		free(s);
		return NULL;
	}
	s->tunnel = t;
	s->id = id;
	s->peer_id = peer_id;
	s->initiator = initiator;
	s->outgoing = outgoing;
	s->state = L2TP_SESSION_IDLE;
	s->next = t->sessions;
	if (s->next != NULL)
		s->next->prev = s;
	t->sessions = s;
	e->n_sessions++;
	e->stats.sessions_created++;
	tunnel_session_added(t);
	setup_link(s);
	return s;
}

static void
session_destroy(struct l2tp_session *s)
{
	struct l2tp_tunnel *t = s->tunnel;
	struct l2tp_engine *e = t->engine;

	SLOG(s, LOG_INFO, "Destroying session");
	set_state(s, L2TP_SESSION_IDLE);
	setup_unlink(s);
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		t->sessions = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	lns_hmap_del(&e->sessions, session_key(t->id, s->id));
	e->n_sessions--;
	free(s->params);
	free(s);
	tunnel_session_removed(t);
}

static void
session_up(struct l2tp_session *s, const struct l2tp_msg *m)
{
	setup_unlink(s);
	set_state(s, L2TP_SESSION_ESTABLISHED);
	s->tunnel->engine->stats.sessions_established++;
	engine_event(s->tunnel->engine, L2TP_EV_SESSION_UP, s->tunnel, s, m, 0, 0, false);
}

void
session_drop(struct l2tp_session *s, uint16_t result, uint16_t error, bool by_peer)
{
	engine_event(s->tunnel->engine, L2TP_EV_SESSION_DOWN, s->tunnel, s, NULL, result, error,
		     by_peer);
	session_destroy(s);
}

void
session_send_cdn(struct l2tp_tunnel *t, uint16_t peer_session_id, uint16_t our_id, uint16_t result,
		 int error, const char *message)
{
	uint8_t buf[L2TP_CTRL_MAX_LEN];
	struct l2tp_writer w;

	LOG(L2TP, LOG_INFO, "Tnl/Cl %u/%u L2TP: O CDN to %s %u/%u", t->id, our_id, t->peer_name,
	    t->peer_id, peer_session_id);
	tunnel_msg_begin(t, &w, buf, sizeof(buf), L2TP_MSG_CDN);
	l2tp_w_u16(&w, L2TP_AVP_ASSIGNED_SESSION_ID, our_id);
	l2tp_w_result(&w, result, error, message);
	if (tunnel_msg_send(t, &w, peer_session_id) == 0)
		t->engine->stats.cdn_tx++;
}

void
l2tp_session_close(struct l2tp_session *s, uint64_t now, uint16_t result, int error,
		   const char *message)
{
	struct l2tp_tunnel *t = s->tunnel;

	t->engine->now = now;
	if (result != L2TP_CDN_LOST_CARRIER && result != L2TP_CDN_ADMIN)
		SLOG(s, LOG_WARN, "Result code(%u): %s%s%s", result, l2tp_cdn_result_str(result),
		     message ? ": " : "", message ? message : "");
	if (s->state != L2TP_SESSION_WAIT_TUNNEL)
		session_send_cdn(t, s->peer_id, s->id, result, error, message);
	engine_event(t->engine, L2TP_EV_SESSION_DOWN, t, s, NULL, result,
		     error < 0 ? 0 : (uint16_t)error, false);
	session_destroy(s);
}

static void
put_bytes(struct l2tp_writer *w, uint16_t type, const struct l2tp_bytes_field *f)
{
	if (f->len != 0)
		l2tp_w_bytes(w, type, f->data, f->len);
}

static void
send_icrq(struct l2tp_session *s)
{
	const struct l2tp_call_params *p = s->params;
	struct l2tp_tunnel *t = s->tunnel;
	uint8_t buf[L2TP_CTRL_MAX_LEN];
	struct l2tp_writer w;

	SLOG(s, LOG_INFO, "O ICRQ to %s %u/0", t->peer_name, t->peer_id);
	tunnel_msg_begin(t, &w, buf, sizeof(buf), L2TP_MSG_ICRQ);
	l2tp_w_u16(&w, L2TP_AVP_ASSIGNED_SESSION_ID, s->id);
	l2tp_w_u32(&w, L2TP_AVP_CALL_SERIAL_NUMBER, p->serial);
	if (p->bearer_type != 0)
		l2tp_w_u32(&w, L2TP_AVP_BEARER_TYPE, p->bearer_type);
	put_bytes(&w, L2TP_AVP_CALLING_NUMBER, &p->calling_number);
	put_bytes(&w, L2TP_AVP_CALLED_NUMBER, &p->called_number);
	put_bytes(&w, L2TP_AVP_SUB_ADDRESS, &p->sub_address);
	tunnel_msg_send(t, &w, 0);
	set_state(s, L2TP_SESSION_WAIT_REPLY);
}

/* ICCN in the seed's AVP order, with proxy LCP and proxy authentication. */
static void
send_iccn(struct l2tp_session *s)
{
	const struct l2tp_call_params *p = s->params;
	struct l2tp_tunnel *t = s->tunnel;
	uint8_t buf[L2TP_CTRL_MAX_LEN];
	struct l2tp_writer w;

	SLOG(s, LOG_INFO, "O ICCN to %s %u/%u", t->peer_name, t->peer_id, s->peer_id);
	tunnel_msg_begin(t, &w, buf, sizeof(buf), L2TP_MSG_ICCN);
	l2tp_w_u32(&w, L2TP_AVP_TX_CONNECT_SPEED, p->tx_connect_speed);
	if (p->rx_connect_speed != 0)
		l2tp_w_u32(&w, L2TP_AVP_RX_CONNECT_SPEED, p->rx_connect_speed);
	l2tp_w_u32(&w, L2TP_AVP_FRAMING_TYPE, p->framing_type);
	put_bytes(&w, L2TP_AVP_INITIAL_RCVD_LCP_CONFREQ, &p->initial_rcvd_lcp);
	put_bytes(&w, L2TP_AVP_LAST_SENT_LCP_CONFREQ, &p->last_sent_lcp);
	put_bytes(&w, L2TP_AVP_LAST_RCVD_LCP_CONFREQ, &p->last_rcvd_lcp);
	if (p->proxy_auth_type != 0) {
		put_bytes(&w, L2TP_AVP_PROXY_AUTHEN_CHALLENGE, &p->proxy_auth_challenge);
		if (p->proxy_auth_type == L2TP_PROXY_AUTH_CHAP)
			l2tp_w_u16(&w, L2TP_AVP_PROXY_AUTHEN_ID, p->proxy_auth_id);
		put_bytes(&w, L2TP_AVP_PROXY_AUTHEN_NAME, &p->proxy_auth_name);
		put_bytes(&w, L2TP_AVP_PROXY_AUTHEN_RESPONSE, &p->proxy_auth_response);
		l2tp_w_u16(&w, L2TP_AVP_PROXY_AUTHEN_TYPE, p->proxy_auth_type);
	}
	if (p->sequencing_required)
		l2tp_w_empty(&w, L2TP_AVP_SEQUENCING_REQUIRED);
	tunnel_msg_send(t, &w, s->peer_id);
}

static void
send_ocrq(struct l2tp_session *s)
{
	const struct l2tp_call_params *p = s->params;
	struct l2tp_tunnel *t = s->tunnel;
	uint8_t buf[L2TP_CTRL_MAX_LEN];
	struct l2tp_writer w;

	SLOG(s, LOG_INFO, "O OCRQ to %s %u/0", t->peer_name, t->peer_id);
	tunnel_msg_begin(t, &w, buf, sizeof(buf), L2TP_MSG_OCRQ);
	l2tp_w_u16(&w, L2TP_AVP_ASSIGNED_SESSION_ID, s->id);
	l2tp_w_u32(&w, L2TP_AVP_CALL_SERIAL_NUMBER, p->serial);
	l2tp_w_u32(&w, L2TP_AVP_MINIMUM_BPS, p->min_bps);
	l2tp_w_u32(&w, L2TP_AVP_MAXIMUM_BPS, p->max_bps);
	l2tp_w_u32(&w, L2TP_AVP_BEARER_TYPE, p->bearer_type);
	l2tp_w_u32(&w, L2TP_AVP_FRAMING_TYPE, p->framing_type);
	l2tp_w_bytes(&w, L2TP_AVP_CALLED_NUMBER, p->called_number.data, p->called_number.len);
	put_bytes(&w, L2TP_AVP_SUB_ADDRESS, &p->sub_address);
	tunnel_msg_send(t, &w, 0);
	set_state(s, L2TP_SESSION_WAIT_REPLY);
}

void
session_tunnel_up(struct l2tp_tunnel *t)
{
	for (struct l2tp_session *s = t->sessions; s != NULL; s = s->next)
		if (s->state == L2TP_SESSION_WAIT_TUNNEL)
			send_icrq(s);
}

static struct l2tp_session *
initiate(struct l2tp_tunnel *t, uint64_t now, const struct l2tp_call_params *p, bool outgoing)
{
	struct l2tp_engine *e = t->engine;
	const char *why;
	struct l2tp_session *s;

	e->now = now;
	why = admission_refusal(t);
	if (why == NULL && outgoing && t->state == L2TP_TUNNEL_WAIT_CTL_REPLY)
		why = "tunnel is not up";
	if (why != NULL) {
		e->stats.sessions_refused++;
		TLOG(t, LOG_WARN, "call not placed: %s", why);
		return NULL;
	}
	s = session_create(t, 0, true, outgoing);
	if (s == NULL)
		return NULL;
	s->params = malloc(sizeof(*s->params));
	if (s->params == NULL) {
		session_destroy(s);
		return NULL;
	}
	*s->params = *p;
	s->sequencing = p->sequencing_required;
	SLOG(s, LOG_INFO, "Create session");
	if (outgoing)
		send_ocrq(s);
	else if (t->state == L2TP_TUNNEL_WAIT_CTL_REPLY)
		set_state(s, L2TP_SESSION_WAIT_TUNNEL);
	else
		send_icrq(s);
	return s;
}

struct l2tp_session *
l2tp_session_incoming(struct l2tp_tunnel *t, uint64_t now, const struct l2tp_call_params *p)
{
	if (t->engine->cfg.role != L2TP_ROLE_LAC)
		return NULL;
	return initiate(t, now, p, false);
}

struct l2tp_session *
l2tp_session_outgoing(struct l2tp_tunnel *t, uint64_t now, const struct l2tp_call_params *p)
{
	if (t->engine->cfg.role != L2TP_ROLE_LNS)
		return NULL;
	return initiate(t, now, p, true);
}

/*
 * A new call from the peer (ICRQ to an LNS, OCRQ to a LAC). Refusals are
 * answered with a CDN to the peer's session: result 4 (temporary lack of
 * resources) for limits and soft shutdown, 2 for a role that does not take
 * this kind of call.
 */
static struct l2tp_session *
accept_call(struct l2tp_tunnel *t, const struct l2tp_msg *m, enum l2tp_role role, bool outgoing)
{
	struct l2tp_engine *e = t->engine;
	uint16_t peer_id = (uint16_t)l2tp_msg_num(m, L2TP_AVP_ASSIGNED_SESSION_ID);
	const char *why = admission_refusal(t);
	uint16_t result = L2TP_CDN_NO_FACILITIES_TEMP;
	uint16_t error = L2TP_ERR_NO_RESOURCES;
	struct l2tp_session *s = NULL;

	TLOG(t, LOG_INFO, "I %s from %s tnl %u", l2tp_msg_type_str(m->type), t->peer_name,
	     t->peer_id);
	if (e->cfg.role != role) {
		why = outgoing ? "an LNS does not place calls" : "a LAC does not accept calls";
		result = L2TP_CDN_GENERAL_ERROR;
		error = L2TP_ERR_NONE;
	} else if (why == NULL && e->ops->admit_call != NULL && !e->ops->admit_call(e->ctx, t)) {
		why = "admission control: too many calls being set up, or too fast";
	}
	if (why == NULL) {
		s = session_create(t, peer_id, false, outgoing);
		if (s == NULL)
			why = "no memory or session ID";
	}
	if (s == NULL) {
		e->stats.sessions_refused++;
		TLOG(t, LOG_WARN, "%s from %s refused: %s", l2tp_msg_type_str(m->type),
		     t->peer_name, why);
		session_send_cdn(t, peer_id, 0, result, error, why);
		return NULL;
	}
	s->sequencing = l2tp_msg_has(m, L2TP_AVP_SEQUENCING_REQUIRED);
	SLOG(s, LOG_INFO, "New session created");
	return s;
}

static void
keep_number(struct l2tp_bytes_field *f, const struct l2tp_msg *m, unsigned type)
{
	if (!l2tp_msg_has(m, type))
		return;
	f->len = m->avp[type].len < sizeof(f->data) ? (uint8_t)m->avp[type].len
						    : (uint8_t)sizeof(f->data);
	memcpy(f->data, m->avp[type].ptr, f->len);
}

/* LNS: §7.4.1 idle + ICRQ -> ICRP, wait-connect. */
static void
recv_icrq(struct l2tp_tunnel *t, const struct l2tp_msg *m)
{
	uint8_t buf[64];
	struct l2tp_writer w;
	struct l2tp_session *s = accept_call(t, m, L2TP_ROLE_LNS, false);

	if (s == NULL)
		return;
	keep_number(&s->calling_number, m, L2TP_AVP_CALLING_NUMBER);
	keep_number(&s->called_number, m, L2TP_AVP_CALLED_NUMBER);
	set_state(s, L2TP_SESSION_WAIT_CONNECT);
	SLOG(s, LOG_INFO, "O ICRP to %s %u/%u", t->peer_name, t->peer_id, s->peer_id);
	tunnel_msg_begin(t, &w, buf, sizeof(buf), L2TP_MSG_ICRP);
	l2tp_w_u16(&w, L2TP_AVP_ASSIGNED_SESSION_ID, s->id);
	tunnel_msg_send(t, &w, s->peer_id);
}

/*
 * LAC: §7.4.2 idle + OCRQ -> OCRP. The simulated bearer connects at once,
 * so the OCCN follows straight away.
 */
static void
recv_ocrq(struct l2tp_tunnel *t, const struct l2tp_msg *m)
{
	uint8_t buf[128];
	struct l2tp_writer w;
	struct l2tp_session *s = accept_call(t, m, L2TP_ROLE_LAC, true);
	uint32_t bps;

	if (s == NULL)
		return;
	SLOG(s, LOG_INFO, "O OCRP to %s %u/%u", t->peer_name, t->peer_id, s->peer_id);
	tunnel_msg_begin(t, &w, buf, sizeof(buf), L2TP_MSG_OCRP);
	l2tp_w_u16(&w, L2TP_AVP_ASSIGNED_SESSION_ID, s->id);
	tunnel_msg_send(t, &w, s->peer_id);
	set_state(s, L2TP_SESSION_WAIT_CONNECT);

	bps = (uint32_t)l2tp_msg_num(m, L2TP_AVP_MAXIMUM_BPS);
	SLOG(s, LOG_INFO, "O OCCN to %s %u/%u", t->peer_name, t->peer_id, s->peer_id);
	tunnel_msg_begin(t, &w, buf, sizeof(buf), L2TP_MSG_OCCN);
	l2tp_w_u32(&w, L2TP_AVP_TX_CONNECT_SPEED, bps);
	l2tp_w_u32(&w, L2TP_AVP_FRAMING_TYPE, (uint32_t)l2tp_msg_num(m, L2TP_AVP_FRAMING_TYPE));
	tunnel_msg_send(t, &w, s->peer_id);
	session_up(s, m);
}

static void
recv_cdn(struct l2tp_session *s, const struct l2tp_msg *m)
{
	struct l2tp_tunnel *t = s->tunnel;
	struct l2tp_result r = { 0 };

	l2tp_msg_result(m, &r);
	t->engine->stats.cdn_rx++;
	SLOG(s, LOG_INFO, "I CDN from %s tnl %u, cl %u", t->peer_name, t->peer_id, s->peer_id);
	SLOG(s, LOG_INFO, "Result code(%u): %s, Error code(%d): %s%s%.*s", r.result,
	     l2tp_cdn_result_str(r.result), r.error < 0 ? 0 : r.error,
	     l2tp_error_code_str(r.error < 0 ? 0 : (uint16_t)r.error), r.message_len ? ": " : "",
	     (int)r.message_len, r.message ? (const char *)r.message : "");
	if (s->peer_id == 0)
		s->peer_id = (uint16_t)l2tp_msg_num(m, L2TP_AVP_ASSIGNED_SESSION_ID);
	session_drop(s, r.result, r.error < 0 ? 0 : (uint16_t)r.error, true);
}

/* §7.4: (state, message) legality for a known call; FSM errors clear it. */
static void
session_input(struct l2tp_session *s, const struct l2tp_msg *m)
{
	bool in = !s->outgoing;
	enum l2tp_session_state st = s->state;

	if (m->type == L2TP_MSG_CDN) {
		recv_cdn(s, m);
	} else if (m->type == L2TP_MSG_ICRP && in && s->initiator &&
		   st == L2TP_SESSION_WAIT_REPLY) {
		s->peer_id = (uint16_t)l2tp_msg_num(m, L2TP_AVP_ASSIGNED_SESSION_ID);
		send_iccn(s);
		session_up(s, m);
	} else if (m->type == L2TP_MSG_ICCN && in && !s->initiator &&
		   st == L2TP_SESSION_WAIT_CONNECT) {
		SLOG(s, LOG_INFO, "I ICCN from %s tnl %u, cl %u", s->tunnel->peer_name,
		     s->tunnel->peer_id, s->peer_id);
		s->sequencing = s->sequencing || l2tp_msg_has(m, L2TP_AVP_SEQUENCING_REQUIRED);
		session_up(s, m);
	} else if (m->type == L2TP_MSG_OCRP && !in && s->initiator &&
		   st == L2TP_SESSION_WAIT_REPLY) {
		s->peer_id = (uint16_t)l2tp_msg_num(m, L2TP_AVP_ASSIGNED_SESSION_ID);
		set_state(s, L2TP_SESSION_WAIT_CONNECT);
	} else if (m->type == L2TP_MSG_OCCN && !in && s->initiator &&
		   st == L2TP_SESSION_WAIT_CONNECT) {
		s->sequencing = s->sequencing || l2tp_msg_has(m, L2TP_AVP_SEQUENCING_REQUIRED);
		session_up(s, m);
	} else if (m->type == L2TP_MSG_WEN && st == L2TP_SESSION_ESTABLISHED) {
		engine_event(s->tunnel->engine, L2TP_EV_SESSION_WEN, s->tunnel, s, m, 0, 0, true);
	} else if (m->type == L2TP_MSG_SLI && st == L2TP_SESSION_ESTABLISHED) {
		engine_event(s->tunnel->engine, L2TP_EV_SESSION_SLI, s->tunnel, s, m, 0, 0, true);
	} else {
		s->tunnel->engine->stats.rx_fsm_errors++;
		SLOG(s, LOG_WARN, "%s not expected in state %s", l2tp_msg_type_str(m->type),
		     l2tp_session_state_str(st));
		l2tp_session_close(s, s->tunnel->engine->now, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_NONE,
				   "message not expected in this call state");
	}
}

/*
 * A CDN sent before its sender learnt our session ID comes with session 0;
 * its Assigned Session ID names the call from the sender's side.
 */
static struct l2tp_session *
cdn_before_reply(const struct l2tp_tunnel *t, const struct l2tp_msg *m)
{
	uint16_t peer_id = (uint16_t)l2tp_msg_num(m, L2TP_AVP_ASSIGNED_SESSION_ID);

	if (m->type != L2TP_MSG_CDN || peer_id == 0)
		return NULL;
	for (struct l2tp_session *s = t->sessions; s != NULL; s = s->next)
		if (s->peer_id == peer_id)
			return s;
	return NULL;
}

void
session_dispatch(struct l2tp_tunnel *t, uint16_t session_id, const struct l2tp_msg *m)
{
	struct l2tp_session *s;

	if (session_id == 0 && m->type == L2TP_MSG_ICRQ) {
		recv_icrq(t, m);
		return;
	}
	if (session_id == 0 && m->type == L2TP_MSG_OCRQ) {
		recv_ocrq(t, m);
		return;
	}
	s = session_id != 0 ? l2tp_tunnel_find_session(t, session_id) : cdn_before_reply(t, m);
	if (s == NULL) {
		/* e.g. a CDN that crossed ours: acknowledged, nothing to clear */
		t->engine->stats.rx_unknown_session++;
		TLOG(t, LOG_INFO, "%s for unknown session %u ignored", l2tp_msg_type_str(m->type),
		     session_id);
		return;
	}
	session_input(s, m);
}

uint64_t
session_next_timeout(const struct l2tp_tunnel *t)
{
	return t->setup_head != NULL ? t->setup_head->setup_deadline : UINT64_MAX;
}

/* A call still not up setup_timeout_ms after it began is cleared (CDN 10). */
void
session_timeout(struct l2tp_tunnel *t, uint64_t now)
{
	while (t->setup_head != NULL && t->setup_head->setup_deadline <= now && !t->dead &&
	       t->state != L2TP_TUNNEL_SHUTTING_DOWN)
		l2tp_session_close(t->setup_head, now, L2TP_CDN_TIMEOUT, L2TP_ERR_NONE,
				   "call not established in time");
}

int
l2tp_session_send_sli(struct l2tp_session *s, uint64_t now, uint32_t send_accm, uint32_t recv_accm)
{
	uint8_t buf[64];
	struct l2tp_writer w;

	if (s->state != L2TP_SESSION_ESTABLISHED)
		return -ENOTCONN;
	s->tunnel->engine->now = now;
	tunnel_msg_begin(s->tunnel, &w, buf, sizeof(buf), L2TP_MSG_SLI);
	l2tp_w_accm(&w, send_accm, recv_accm);
	return tunnel_msg_send(s->tunnel, &w, s->peer_id);
}

int
l2tp_session_send_wen(struct l2tp_session *s, uint64_t now, const struct l2tp_call_errors *c)
{
	uint8_t buf[96];
	uint8_t v[26] = { 0 };
	const uint32_t counts[] = { c->crc,	c->framing,  c->hw_overruns, c->buffer_overruns,
				    c->timeout, c->alignment };
	struct l2tp_writer w;

	if (s->state != L2TP_SESSION_ESTABLISHED)
		return -ENOTCONN;
	for (size_t i = 0; i < 6; i++)
		put_be32(v + 2 + 4 * i, counts[i]);
	s->tunnel->engine->now = now;
	tunnel_msg_begin(s->tunnel, &w, buf, sizeof(buf), L2TP_MSG_WEN);
	l2tp_w_bytes(&w, L2TP_AVP_CALL_ERRORS, v, sizeof(v));
	return tunnel_msg_send(s->tunnel, &w, s->peer_id);
}

struct l2tp_session *
l2tp_tunnel_find_session(const struct l2tp_tunnel *t, uint16_t session_id)
{
	if (session_id == 0)
		return NULL;
	return lns_hmap_get(&t->engine->sessions, session_key(t->id, session_id));
}

uint16_t
l2tp_session_id(const struct l2tp_session *s)
{
	return s->id;
}

uint16_t
l2tp_session_peer_id(const struct l2tp_session *s)
{
	return s->peer_id;
}

enum l2tp_session_state
l2tp_session_state(const struct l2tp_session *s)
{
	return s->state;
}

struct l2tp_tunnel *
l2tp_session_tunnel(const struct l2tp_session *s)
{
	return s->tunnel;
}

bool
l2tp_session_sequencing(const struct l2tp_session *s)
{
	return s->sequencing;
}

void
l2tp_session_set_udata(struct l2tp_session *s, void *udata)
{
	s->udata = udata;
}

void *
l2tp_session_udata(const struct l2tp_session *s)
{
	return s->udata;
}

const struct l2tp_bytes_field *
l2tp_session_calling_number(const struct l2tp_session *s)
{
	return &s->calling_number;
}

const struct l2tp_bytes_field *
l2tp_session_called_number(const struct l2tp_session *s)
{
	return &s->called_number;
}
