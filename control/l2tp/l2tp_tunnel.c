/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The tunnel room: the control connection state machine (RFC 2661 §7.2) for
 * both roles, tunnel authentication (§4.4.3 Challenge / Challenge
 * Response), tie breaking, HELLO keepalive, StopCCN in both directions,
 * no-sessions-left, and the decode-and-dispatch of every delivered message.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "l2tp_internal.h"
#include "lns_log.h"

#define PROTOCOL_VERSION_1_0 0x0100
#define CHALLENGE_LEN	     16
/* Tunnels beyond max_tunnels that may exist only to deliver a refusal. */
#define REFUSAL_SLACK 64

void
tunnel_set_state(struct l2tp_tunnel *t, enum l2tp_tunnel_state to)
{
	if (t->state == to)
		return;
	TLOG(t, LOG_INFO, "Tunnel state change from %s to %s", l2tp_tunnel_state_str(t->state),
	     l2tp_tunnel_state_str(to));
	t->state = to;
}

static bool
hides(const struct l2tp_tunnel *t)
{
	return t->params.hide_mask != 0 && t->params.secret_len != 0;
}

/*
 * Every message starts with its Message Type AVP; when this tunnel hides
 * AVPs, a fresh Random Vector follows so that hidden AVPs can come
 * anywhere after it (§4.3).
 */
void
tunnel_msg_begin(struct l2tp_tunnel *t, struct l2tp_writer *w, uint8_t *buf, size_t cap,
		 uint16_t type)
{
	struct l2tp_engine *e = t->engine;

	l2tp_w_init(w, buf, cap);
	l2tp_w_u16(w, L2TP_AVP_MESSAGE_TYPE, type);
	if (hides(t)) {
		uint8_t vector[16];

		e->ops->random(e->ctx, vector, sizeof(vector));
		l2tp_w_set_secret(w, t->params.secret, t->params.secret_len);
		w->hide_mask = t->params.hide_mask;
		l2tp_w_random_vector(w, vector, sizeof(vector));
	}
}

int
tunnel_msg_send(struct l2tp_tunnel *t, struct l2tp_writer *w, uint16_t session_id)
{
	struct l2tp_engine *e = t->engine;
	int len = l2tp_w_finish(w, t->peer_id, session_id, 0, 0);
	int rc;

	if (len < 0) {
		e->stats.tx_failed++;
		TLOG(t, LOG_ERR, "message does not fit in %d bytes, not sent", L2TP_CTRL_MAX_LEN);
		return -EMSGSIZE;
	}
	rc = l2tp_chan_send(&t->chan, w->buf, (size_t)len, e->now);
	if (rc != 0) {
		e->stats.tx_failed++;
		TLOG(t, LOG_ERR, "control message not queued: %s", strerror(-rc));
	}
	return rc;
}

static void
drop_all_sessions(struct l2tp_tunnel *t, uint16_t result, uint16_t error, bool by_peer)
{
	while (t->sessions != NULL)
		session_drop(t->sessions, result, error, by_peer);
}

/*
 * The tunnel is gone for its users: sessions first, then the tunnel. A
 * tunnel we opened always reports its end; one a peer opened only once it
 * was up (a refused SCCRQ is no tunnel to anyone).
 */
static void
tunnel_down(struct l2tp_tunnel *t, uint16_t result, uint16_t error, bool by_peer)
{
	bool was_up =
		t->state == L2TP_TUNNEL_ESTABLISHED || t->state == L2TP_TUNNEL_NO_SESSIONS_LEFT;

	drop_all_sessions(t, result, error, by_peer);
	tunnel_set_state(t, L2TP_TUNNEL_SHUTTING_DOWN);
	if (was_up || t->initiator)
		engine_event(t->engine, L2TP_EV_TUNNEL_DOWN, t, NULL, NULL, result, error, by_peer);
}

static void
tunnel_destroy(struct l2tp_tunnel *t, const char *why)
{
	if (t->state != L2TP_TUNNEL_SHUTTING_DOWN)
		tunnel_down(t, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_NONE, false);
	TLOG(t, LOG_INFO, "Shutdown tunnel%s%s", why ? ": " : "", why ? why : "");
	tunnel_set_state(t, L2TP_TUNNEL_IDLE);
	engine_tunnel_release(t->engine, t);
}

void
tunnel_stop(struct l2tp_tunnel *t, uint16_t result, int error, const char *message)
{
	struct l2tp_engine *e = t->engine;
	struct l2tp_writer w;
	uint8_t buf[L2TP_CTRL_MAX_LEN];

	if (t->state == L2TP_TUNNEL_SHUTTING_DOWN)
		return;
	TLOG(t, LOG_INFO, "O StopCCN to %s tnlid %u", t->peer_name, t->peer_id);
	if (result != L2TP_STOPCCN_CLEAR)
		TLOG(t, LOG_WARN, "Result code(%u): %s%s%s", result,
		     l2tp_stopccn_result_str(result), message ? ": " : "", message ? message : "");
	tunnel_down(t, result, error < 0 ? 0 : (uint16_t)error, false);
	tunnel_msg_begin(t, &w, buf, sizeof(buf), L2TP_MSG_STOPCCN);
	l2tp_w_u16(&w, L2TP_AVP_ASSIGNED_TUNNEL_ID, t->id);
	l2tp_w_result(&w, result, error, message);
	if (tunnel_msg_send(t, &w, 0) == 0)
		e->stats.stopccn_tx++;
	t->hold_deadline = e->now + engine_rtx_cycle_ms(e);
}

void
l2tp_tunnel_close(struct l2tp_tunnel *t, uint64_t now, uint16_t result, int error,
		  const char *message)
{
	t->engine->now = now;
	tunnel_stop(t, result, error, message);
}

/* §7.2 FSM error: StopCCN result 7. */
static void
fsm_error(struct l2tp_tunnel *t, const struct l2tp_msg *m)
{
	t->engine->stats.rx_fsm_errors++;
	TLOG(t, LOG_WARN, "%s not expected in state %s", l2tp_msg_type_str(m->type),
	     l2tp_tunnel_state_str(t->state));
	tunnel_stop(t, L2TP_STOPCCN_FSM_ERROR, -1, NULL);
}

static void
put_identity(struct l2tp_tunnel *t, struct l2tp_writer *w)
{
	const struct l2tp_engine_cfg *cfg = &t->engine->cfg;

	l2tp_w_u16(w, L2TP_AVP_PROTOCOL_VERSION, PROTOCOL_VERSION_1_0);
	l2tp_w_u32(w, L2TP_AVP_FRAMING_CAP, cfg->framing_cap);
	l2tp_w_u32(w, L2TP_AVP_BEARER_CAP, cfg->bearer_cap);
	if (t->tie_breaker != 0)
		l2tp_w_u64(w, L2TP_AVP_TIE_BREAKER, t->tie_breaker);
	l2tp_w_u16(w, L2TP_AVP_FIRMWARE_REV, cfg->firmware_rev);
	l2tp_w_str(w, L2TP_AVP_HOST_NAME, cfg->host_name);
	l2tp_w_str(w, L2TP_AVP_VENDOR_NAME, cfg->vendor_name);
	l2tp_w_u16(w, L2TP_AVP_ASSIGNED_TUNNEL_ID, t->id);
	l2tp_w_u16(w, L2TP_AVP_RX_WINDOW_SIZE, t->params.rx_window);
}

static void
put_challenge(struct l2tp_tunnel *t, struct l2tp_writer *w)
{
	struct l2tp_engine *e = t->engine;

	if (t->params.secret_len == 0)
		return;
	e->ops->random(e->ctx, t->challenge, CHALLENGE_LEN);
	l2tp_w_bytes(w, L2TP_AVP_CHALLENGE, t->challenge, CHALLENGE_LEN);
}

static void
put_response(struct l2tp_tunnel *t, struct l2tp_writer *w, uint8_t msg_type,
	     const struct l2tp_msg *m)
{
	const struct l2tp_avp_val *c = &m->avp[L2TP_AVP_CHALLENGE];
	uint8_t resp[16];

	if (!l2tp_msg_has(m, L2TP_AVP_CHALLENGE))
		return;
	l2tp_challenge_response(resp, msg_type, t->params.secret, t->params.secret_len, c->ptr,
				c->len);
	l2tp_w_bytes(w, L2TP_AVP_CHALLENGE_RESPONSE, resp, sizeof(resp));
}

/*
 * §4.4.3: when we challenged, the answer must be MD5(type, secret,
 * challenge); a missing or wrong one refuses the tunnel (result 4).
 */
static bool
response_ok(struct l2tp_tunnel *t, const struct l2tp_msg *m, uint8_t msg_type)
{
	const struct l2tp_avp_val *r = &m->avp[L2TP_AVP_CHALLENGE_RESPONSE];
	uint8_t expect[16];

	if (t->params.secret_len == 0)
		return true;
	if (!l2tp_msg_has(m, L2TP_AVP_CHALLENGE_RESPONSE)) {
		TLOG(t, LOG_WARN, "Tunnel Authentication fails for %s: no Challenge Response",
		     t->peer_name);
		return false;
	}
	l2tp_challenge_response(expect, msg_type, t->params.secret, t->params.secret_len,
				t->challenge, CHALLENGE_LEN);
	if (memcmp(expect, r->ptr, sizeof(expect)) != 0) {
		TLOG(t, LOG_WARN, "Tunnel Authentication fails for %s: wrong Challenge Response",
		     t->peer_name);
		return false;
	}
	TLOG(t, LOG_INFO, "Tunnel Authentication success");
	return true;
}

static void
auth_failed(struct l2tp_tunnel *t, const char *why)
{
	t->engine->stats.tunnels_auth_failed++;
	tunnel_stop(t, L2TP_STOPCCN_NOT_AUTHORIZED, L2TP_ERR_NONE, why);
}

static void
take_peer_identity(struct l2tp_tunnel *t, const struct l2tp_msg *m)
{
	const struct l2tp_avp_val *host = &m->avp[L2TP_AVP_HOST_NAME];
	size_t n = host->len < L2TP_HOST_NAME_MAX ? host->len : L2TP_HOST_NAME_MAX;

	memcpy(t->peer_name, host->ptr, n);
	t->peer_name[n] = '\0';
	t->peer_id = (uint16_t)l2tp_msg_num(m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	l2tp_chan_set_peer_tunnel(&t->chan, t->peer_id);
	if (l2tp_msg_has(m, L2TP_AVP_RX_WINDOW_SIZE))
		l2tp_chan_set_peer_window(&t->chan,
					  (uint16_t)l2tp_msg_num(m, L2TP_AVP_RX_WINDOW_SIZE));
}

static void
established(struct l2tp_tunnel *t)
{
	tunnel_set_state(t, L2TP_TUNNEL_ESTABLISHED);
	t->engine->stats.tunnels_established++;
	engine_event(t->engine, L2TP_EV_TUNNEL_UP, t, NULL, NULL, 0, 0, false);
}

/* Why an SCCRQ is refused, and how the StopCCN says it. */
struct refusal {
	const char *why; /* NULL: accepted */
	uint16_t result;
	int error; /* -1: no error code */
};

/*
 * Decided at the door, before the tunnel exists, from the message alone
 * and the tunnel policy for its host.
 */
static struct refusal
sccrq_refusal(struct l2tp_engine *e, const struct l2tp_addr *peer, const struct l2tp_msg *m,
	      struct l2tp_tunnel_params *p)
{
	const struct l2tp_avp_val *host = &m->avp[L2TP_AVP_HOST_NAME];

	if (l2tp_msg_num(m, L2TP_AVP_PROTOCOL_VERSION) != PROTOCOL_VERSION_1_0)
		return (struct refusal){ "only L2TP version 1.0 (RFC 2661)",
					 L2TP_STOPCCN_BAD_PROTOCOL_VERSION, L2TP_ERR_NONE };
	if (!e->cfg.accept_new)
		return (struct refusal){ "not accepting new tunnels", L2TP_STOPCCN_SHUTTING_DOWN,
					 -1 };
	if (e->n_tunnels >= e->cfg.max_tunnels)
		return (struct refusal){ "tunnel limit reached", L2TP_STOPCCN_GENERAL_ERROR,
					 L2TP_ERR_NO_RESOURCES };
	if (!l2tp_msg_has(m, L2TP_AVP_HOST_NAME))
		return (struct refusal){ NULL }; /* answered as a missing AVP once delivered */
	if (!e->ops->tunnel_policy(e->ctx, host->ptr, host->len, peer, p))
		return (struct refusal){ "no tunnel profile accepts this host",
					 L2TP_STOPCCN_NOT_AUTHORIZED, L2TP_ERR_NONE };
	if (l2tp_msg_has(m, L2TP_AVP_CHALLENGE) && p->secret_len == 0)
		return (struct refusal){ "peer challenges us and no secret is configured",
					 L2TP_STOPCCN_NOT_AUTHORIZED, L2TP_ERR_NONE };
	return (struct refusal){ NULL };
}

static void
refuse_sccrq(struct l2tp_tunnel *t)
{
	t->engine->stats.tunnels_refused++;
	TLOG(t, LOG_WARN, "SCCRQ from %s refused: %s", t->peer_name, t->refusal);
	tunnel_stop(t, t->refusal_result, t->refusal_error, t->refusal);
}

/* Responder: §7.2 idle + SCCRQ. */
static void
recv_sccrq(struct l2tp_tunnel *t, const struct l2tp_msg *m)
{
	uint8_t buf[L2TP_CTRL_MAX_LEN];
	struct l2tp_writer w;

	take_peer_identity(t, m);
	LOG(L2TP, LOG_INFO, "L2TP: I SCCRQ from %s tnl %u", t->peer_name, t->peer_id);
	if (t->refusal != NULL) {
		refuse_sccrq(t);
		return;
	}
	if (l2tp_msg_has(m, L2TP_AVP_CHALLENGE))
		TLOG(t, LOG_INFO, "Got a challenge in SCCRQ, %s", t->peer_name);
	if (log_enabled(LOG_CAT_L2TP, LOG_INFO)) {
		char addr[64];

		l2tp_addr_format(&t->peer, addr, sizeof(addr));
		TLOG(t, LOG_INFO, "New tunnel created for remote %s, address %s", t->peer_name,
		     addr);
	}
	TLOG(t, LOG_INFO, "O SCCRP to %s tnlid %u", t->peer_name, t->peer_id);
	tunnel_msg_begin(t, &w, buf, sizeof(buf), L2TP_MSG_SCCRP);
	put_identity(t, &w);
	put_challenge(t, &w);
	put_response(t, &w, L2TP_MSG_SCCRP, m);
	tunnel_msg_send(t, &w, 0);
	tunnel_set_state(t, L2TP_TUNNEL_WAIT_CTL_CONN);
}

/* Initiator: §7.2 wait-ctl-reply + SCCRP. */
static void
recv_sccrp(struct l2tp_tunnel *t, const struct l2tp_msg *m)
{
	uint8_t buf[L2TP_CTRL_MAX_LEN];
	struct l2tp_writer w;

	take_peer_identity(t, m);
	TLOG(t, LOG_INFO, "I SCCRP from %s", t->peer_name);
	if (l2tp_msg_num(m, L2TP_AVP_PROTOCOL_VERSION) != PROTOCOL_VERSION_1_0) {
		tunnel_stop(t, L2TP_STOPCCN_BAD_PROTOCOL_VERSION, L2TP_ERR_NONE, NULL);
		return;
	}
	if (l2tp_msg_has(m, L2TP_AVP_CHALLENGE)) {
		TLOG(t, LOG_INFO, "Got a challenge from remote peer, %s", t->peer_name);
		if (t->params.secret_len == 0) {
			auth_failed(t, "peer challenges us and no secret is configured");
			return;
		}
	}
	if (!response_ok(t, m, L2TP_MSG_SCCRP)) {
		auth_failed(t, "tunnel authentication failed");
		return;
	}
	established(t);
	TLOG(t, LOG_INFO, "O SCCCN to %s tnlid %u", t->peer_name, t->peer_id);
	tunnel_msg_begin(t, &w, buf, sizeof(buf), L2TP_MSG_SCCCN);
	put_response(t, &w, L2TP_MSG_SCCCN, m);
	tunnel_msg_send(t, &w, 0);
	session_tunnel_up(t); /* calls that waited go out after the SCCCN */
}

/* Responder: §7.2 wait-ctl-conn + SCCCN. */
static void
recv_scccn(struct l2tp_tunnel *t, const struct l2tp_msg *m)
{
	TLOG(t, LOG_INFO, "I SCCCN from %s tnl %u", t->peer_name, t->peer_id);
	if (l2tp_msg_has(m, L2TP_AVP_CHALLENGE_RESPONSE))
		TLOG(t, LOG_INFO, "Got a Challenge Response in SCCCN from %s", t->peer_name);
	if (!response_ok(t, m, L2TP_MSG_SCCCN)) {
		auth_failed(t, "tunnel authentication failed");
		return;
	}
	established(t);
	session_tunnel_up(t);
}

/*
 * §5.7: a StopCCN is acknowledged and the tunnel's state kept for one full
 * retransmission cycle, so a lost ack is answered when it is sent again.
 */
static void
recv_stopccn(struct l2tp_tunnel *t, const struct l2tp_msg *m)
{
	struct l2tp_engine *e = t->engine;
	struct l2tp_result r = { 0 };

	l2tp_msg_result(m, &r);
	e->stats.stopccn_rx++;
	TLOG(t, LOG_INFO, "I StopCCN from %s tnl %u", t->peer_name, t->peer_id);
	TLOG(t, r.result == L2TP_STOPCCN_CLEAR ? LOG_INFO : LOG_WARN, "Result code(%u): %s%s%.*s",
	     r.result, l2tp_stopccn_result_str(r.result), r.message_len ? ": " : "",
	     (int)r.message_len, r.message ? (const char *)r.message : "");
	if (t->state == L2TP_TUNNEL_SHUTTING_DOWN) {
		t->stop_received = true;
		return;
	}
	tunnel_down(t, r.result, r.error < 0 ? 0 : (uint16_t)r.error, true);
	t->stop_received = true;
	t->hold_deadline = e->now + engine_rtx_cycle_ms(e);
	l2tp_chan_flush_ack(&t->chan);
}

/* §7.2: legality of (state, message) for tunnel messages, one exit for errors. */
static void
tunnel_dispatch(struct l2tp_tunnel *t, const struct l2tp_msg *m)
{
	enum l2tp_tunnel_state st = t->state;
	bool up = st == L2TP_TUNNEL_ESTABLISHED || st == L2TP_TUNNEL_NO_SESSIONS_LEFT;

	if (m->type == L2TP_MSG_STOPCCN) {
		recv_stopccn(t, m);
		return;
	}
	if (st == L2TP_TUNNEL_SHUTTING_DOWN)
		return; /* only acknowledged now */
	if (m->type == L2TP_MSG_SCCRQ && st == L2TP_TUNNEL_IDLE && !t->initiator)
		recv_sccrq(t, m);
	else if (m->type == L2TP_MSG_SCCRP && st == L2TP_TUNNEL_WAIT_CTL_REPLY)
		recv_sccrp(t, m);
	else if (m->type == L2TP_MSG_SCCCN && st == L2TP_TUNNEL_WAIT_CTL_CONN)
		recv_scccn(t, m);
	else if (m->type == L2TP_MSG_HELLO && st != L2TP_TUNNEL_IDLE)
		return; /* the channel acknowledges it */
	else if (l2tp_msg_is_session_scoped(m->type) && up)
		session_dispatch(t, 0, m);
	else
		fsm_error(t, m);
}

/*
 * §4.1: an error in a message about a call clears the call (CDN); any
 * other clears the tunnel (StopCCN). Unknown message types without the M
 * bit are ignored.
 */
static void
malformed_message(struct l2tp_tunnel *t, const struct l2tp_hdr *h, const struct l2tp_msg *m,
		  enum l2tp_status st)
{
	struct l2tp_engine *e = t->engine;
	uint16_t error = st == L2TP_ST_AVP_UNKNOWN_MANDATORY || st == L2TP_ST_MSGTYPE_UNKNOWN
				 ? L2TP_ERR_UNKNOWN_MANDATORY_AVP
			 : st == L2TP_ST_MISSING_MANDATORY_AVP ? L2TP_ERR_BAD_VALUE
							       : L2TP_ERR_BAD_LENGTH;
	bool up = t->state == L2TP_TUNNEL_ESTABLISHED || t->state == L2TP_TUNNEL_NO_SESSIONS_LEFT;
	struct l2tp_session *s;
	char why[128];

	if (st == L2TP_ST_MSGTYPE_UNKNOWN && !m->type_mandatory) {
		e->stats.rx_ignored_msgtype++;
		TLOG(t, LOG_INFO, "ignoring unknown message type %u (no M bit)", m->type);
		return;
	}
	e->stats.rx_malformed++;
	e->stats.malformed[st]++;
	snprintf(why, sizeof(why), "%s: %s (AVP %u)", l2tp_msg_type_str(m->type),
		 l2tp_status_str(st), m->bad_avp);
	TLOG(t, LOG_WARN, "%s", why);
	if (t->state == L2TP_TUNNEL_SHUTTING_DOWN)
		return;
	if (!up || !l2tp_msg_is_session_scoped(m->type)) {
		tunnel_stop(t, L2TP_STOPCCN_GENERAL_ERROR, error, why);
		return;
	}
	s = l2tp_tunnel_find_session(t, h->session_id);
	if (s != NULL)
		l2tp_session_close(s, e->now, L2TP_CDN_GENERAL_ERROR, error, why);
	else if (h->session_id == 0 && l2tp_msg_has(m, L2TP_AVP_ASSIGNED_SESSION_ID))
		session_send_cdn(t, (uint16_t)l2tp_msg_num(m, L2TP_AVP_ASSIGNED_SESSION_ID), 0,
				 L2TP_CDN_GENERAL_ERROR, error, why);
	else
		e->stats.rx_unknown_session++;
}

/* The profile tolerates this peer's unknown mandatory AVPs: counted, said once. */
static void
tolerate_quirk(struct l2tp_tunnel *t, const struct l2tp_msg *m)
{
	if (t->quirk_hits == 0)
		TLOG(t, LOG_INFO,
		     "%s carries an unknown AVP with the M bit: tolerated for this peer",
		     l2tp_msg_type_str(m->type));
	t->quirk_hits += m->n_unknown_mandatory;
	t->engine->stats.rx_tolerated_unknown_mandatory += m->n_unknown_mandatory;
}

void
tunnel_deliver(struct l2tp_tunnel *t, const uint8_t *msg, size_t len)
{
	struct l2tp_engine *e = t->engine;
	struct l2tp_msg *m = &e->msg;
	enum l2tp_status st;
	struct l2tp_hdr h;

	if (t->dead || l2tp_hdr_parse(&h, msg, len) != L2TP_ST_OK)
		return;
	st = (t->params.tolerate_unknown_mandatory ? l2tp_msg_decode_lenient : l2tp_msg_decode)(
		m, msg + h.hdr_len, l2tp_hdr_payload_len(&h), t->params.secret,
		t->params.secret_len);
	if (st == L2TP_ST_OK)
		st = l2tp_msg_check(m);
	if (st == L2TP_ST_OK && m->n_unknown_mandatory > 0)
		tolerate_quirk(t, m);
	if (st != L2TP_ST_OK) {
		malformed_message(t, &h, m, st);
		return;
	}
	if (log_enabled(LOG_CAT_L2TP, LOG_DEBUG)) {
		char line[128];

		l2tp_hdr_format(&h, line, sizeof(line));
		TLOG(t, LOG_DEBUG, "I %s, %s", l2tp_msg_type_str(m->type), line);
	}
	if (l2tp_msg_is_session_scoped(m->type) && h.session_id != 0) {
		if (t->state == L2TP_TUNNEL_ESTABLISHED || t->state == L2TP_TUNNEL_NO_SESSIONS_LEFT)
			session_dispatch(t, h.session_id, m);
		else if (t->state != L2TP_TUNNEL_SHUTTING_DOWN)
			fsm_error(t, m);
		return;
	}
	tunnel_dispatch(t, m);
}

/*
 * §4.4.3: when both sides open a tunnel to each other at once and the
 * peer's SCCRQ carries a Tie Breaker, the lower value wins and the loser
 * discards its own tunnel; equal values discard both. An initiator that
 * sent no tie breaker loses to one that did. Returns whether the peer's
 * SCCRQ goes on.
 */
static bool
tie_break(struct l2tp_engine *e, const struct l2tp_addr *peer, const struct l2tp_msg *m)
{
	uint64_t theirs = l2tp_msg_num(m, L2TP_AVP_TIE_BREAKER);

	if (!l2tp_msg_has(m, L2TP_AVP_TIE_BREAKER))
		return true;
	for (struct l2tp_tunnel *t = e->tunnel_list; t != NULL; t = t->next) {
		struct l2tp_addr same_host = *peer;

		same_host.port = t->peer.port;
		if (t->dead || !t->initiator || t->state != L2TP_TUNNEL_WAIT_CTL_REPLY ||
		    !l2tp_addr_eq(&t->peer, &same_host))
			continue;
		if (t->tie_breaker != 0 && t->tie_breaker < theirs) {
			TLOG(t, LOG_INFO, "SCCRQ from the same peer loses the tie breaker");
			e->stats.tunnels_refused++;
			return false;
		}
		e->stats.tunnels_tie_lost++;
		tunnel_destroy(t, "the peer's SCCRQ won the tie breaker");
		if (t->tie_breaker == theirs)
			return false;
	}
	return true;
}

/* The responder's door: an SCCRQ (tunnel ID 0) from a peer. */
void
tunnel_accept_sccrq(struct l2tp_engine *e, const struct l2tp_addr *peer, const struct l2tp_hdr *h,
		    const uint8_t *buf, size_t len)
{
	struct l2tp_tunnel_params params = { 0 };
	struct l2tp_msg *m = &e->msg;
	enum l2tp_status st;
	struct l2tp_tunnel *t;
	struct refusal no;
	uint16_t peer_id;

	/* lenient: the host's profile, not known yet, decides on unknown M AVPs */
	st = l2tp_msg_decode_lenient(m, buf + h->hdr_len, l2tp_hdr_payload_len(h), NULL, 0);
	if (st == L2TP_ST_OK && m->type != L2TP_MSG_SCCRQ) {
		e->stats.rx_unknown_tunnel++;
		return;
	}
	if (st == L2TP_ST_OK && !l2tp_msg_has(m, L2TP_AVP_ASSIGNED_TUNNEL_ID))
		st = L2TP_ST_MISSING_MANDATORY_AVP;
	if (st != L2TP_ST_OK) {
		/* without the peer's tunnel ID there is nobody to answer */
		e->stats.rx_malformed++;
		e->stats.malformed[st]++;
		return;
	}
	peer_id = (uint16_t)l2tp_msg_num(m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	for (t = e->tunnel_list; t != NULL; t = t->next) {
		if (!t->dead && !t->initiator && t->peer_id == peer_id &&
		    l2tp_addr_eq(&t->peer, peer)) {
			/* our SCCRP was lost: the channel answers the duplicate */
			e->stats.rx_duplicates++;
			l2tp_chan_input(&t->chan, buf, len, h->ns, h->nr, false, e->now);
			return;
		}
	}
	if (!tie_break(e, peer, m))
		return;
	no = sccrq_refusal(e, peer, m, &params);
	if (no.why != NULL && e->n_tunnels >= e->cfg.max_tunnels + REFUSAL_SLACK) {
		e->stats.tunnels_refused++;
		return; /* too many even to refuse: the peer retries */
	}
	t = engine_tunnel_alloc(e, peer, no.why == NULL ? &params : NULL, false);
	if (t == NULL) {
		e->stats.tunnels_refused++;
		LOG(L2TP, LOG_ERR, "L2TP: no memory or tunnel ID for an SCCRQ");
		return;
	}
	t->refusal = no.why;
	t->refusal_result = no.result;
	t->refusal_error = no.error;
	l2tp_chan_input(&t->chan, buf, len, h->ns, h->nr, false, e->now);
}

static void
send_hello(struct l2tp_tunnel *t)
{
	uint8_t buf[64];
	struct l2tp_writer w;

	tunnel_msg_begin(t, &w, buf, sizeof(buf), L2TP_MSG_HELLO);
	if (tunnel_msg_send(t, &w, 0) == 0)
		t->engine->stats.hello_tx++;
}

static bool
tunnel_up(const struct l2tp_tunnel *t)
{
	return t->state == L2TP_TUNNEL_ESTABLISHED || t->state == L2TP_TUNNEL_NO_SESSIONS_LEFT;
}

/* §6.5: HELLO once the channel has been quiet for the interval. */
static uint64_t
hello_deadline(const struct l2tp_tunnel *t)
{
	if (!tunnel_up(t) || t->params.hello_interval_ms == 0 || !l2tp_chan_idle(&t->chan))
		return UINT64_MAX;
	return t->chan.last_rx + t->params.hello_interval_ms;
}

static uint64_t
setup_deadline(const struct l2tp_tunnel *t)
{
	if (t->state != L2TP_TUNNEL_WAIT_CTL_CONN && t->state != L2TP_TUNNEL_WAIT_CTL_REPLY)
		return UINT64_MAX;
	return t->created_at + t->engine->cfg.setup_timeout_ms;
}

uint64_t
tunnel_next_timeout(const struct l2tp_tunnel *t)
{
	uint64_t next = l2tp_chan_next_timeout(&t->chan);
	uint64_t at;

	switch (t->state) {
	case L2TP_TUNNEL_SHUTTING_DOWN:
		at = !t->stop_received && l2tp_chan_idle(&t->chan) ? 0 : t->hold_deadline;
		break;
	case L2TP_TUNNEL_NO_SESSIONS_LEFT:
		at = t->nsl_deadline;
		break;
	default:
		at = setup_deadline(t);
		break;
	}
	next = at < next ? at : next;
	at = hello_deadline(t);
	next = at < next ? at : next;
	at = session_next_timeout(t);
	return at < next ? at : next;
}

void
tunnel_timeout(struct l2tp_tunnel *t, uint64_t now)
{
	if (t->dead)
		return;
	if (!l2tp_chan_timeout(&t->chan, now)) {
		if (t->state != L2TP_TUNNEL_SHUTTING_DOWN) {
			t->engine->stats.tunnels_timed_out++;
			TLOG(t, LOG_WARN, "%s stopped acknowledging after %u retransmissions",
			     t->peer_name, t->chan.cfg.rtx_retries);
		}
		tunnel_destroy(t, "no acknowledgement from the peer");
		return;
	}
	if (t->state == L2TP_TUNNEL_SHUTTING_DOWN) {
		if ((!t->stop_received && l2tp_chan_idle(&t->chan)) || now >= t->hold_deadline)
			tunnel_destroy(t, NULL);
		return;
	}
	if (t->state == L2TP_TUNNEL_NO_SESSIONS_LEFT && now >= t->nsl_deadline) {
		tunnel_stop(t, L2TP_STOPCCN_CLEAR, -1, NULL);
		return;
	}
	if (now >= setup_deadline(t)) {
		tunnel_stop(t, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_NONE,
			    "control connection not completed in time");
		return;
	}
	if (now >= hello_deadline(t))
		send_hello(t);
	session_timeout(t, now);
}

void
tunnel_session_added(struct l2tp_tunnel *t)
{
	t->n_sessions++;
	if (t->state == L2TP_TUNNEL_NO_SESSIONS_LEFT) {
		tunnel_set_state(t, L2TP_TUNNEL_ESTABLISHED);
		t->nsl_deadline = UINT64_MAX;
	}
}

/* The seed: "No more sessions in tunnel, shutdown (likely) in 10 seconds". */
void
tunnel_session_removed(struct l2tp_tunnel *t)
{
	uint32_t delay = t->engine->cfg.nsl_delay_ms;

	t->n_sessions--;
	if (t->n_sessions != 0 || t->state != L2TP_TUNNEL_ESTABLISHED || delay == 0)
		return;
	tunnel_set_state(t, L2TP_TUNNEL_NO_SESSIONS_LEFT);
	TLOG(t, LOG_INFO, "No more sessions in tunnel, shutdown (likely) in %u seconds",
	     delay / 1000);
	t->nsl_deadline = t->engine->now + delay;
}

struct l2tp_tunnel *
l2tp_tunnel_open(struct l2tp_engine *e, uint64_t now, const struct l2tp_addr *peer,
		 const struct l2tp_tunnel_params *params)
{
	uint8_t buf[L2TP_CTRL_MAX_LEN];
	struct l2tp_writer w;
	struct l2tp_tunnel *t;

	e->now = now;
	if (!e->cfg.accept_new || e->n_tunnels >= e->cfg.max_tunnels)
		return NULL;
	t = engine_tunnel_alloc(e, peer, params, true);
	if (t == NULL)
		return NULL;
	snprintf(t->peer_name, sizeof(t->peer_name), "?");
	if (e->cfg.send_tie_breaker)
		while (t->tie_breaker == 0)
			e->ops->random(e->ctx, &t->tie_breaker, sizeof(t->tie_breaker));
	TLOG(t, LOG_INFO, "O SCCRQ");
	tunnel_msg_begin(t, &w, buf, sizeof(buf), L2TP_MSG_SCCRQ);
	put_identity(t, &w);
	put_challenge(t, &w);
	if (tunnel_msg_send(t, &w, 0) != 0) {
		tunnel_destroy(t, "SCCRQ could not be sent");
		return NULL;
	}
	tunnel_set_state(t, L2TP_TUNNEL_WAIT_CTL_REPLY);
	return t;
}

uint16_t
l2tp_tunnel_id(const struct l2tp_tunnel *t)
{
	return t->id;
}

uint16_t
l2tp_tunnel_peer_id(const struct l2tp_tunnel *t)
{
	return t->peer_id;
}

enum l2tp_tunnel_state
l2tp_tunnel_state(const struct l2tp_tunnel *t)
{
	return t->state;
}

const struct l2tp_addr *
l2tp_tunnel_peer(const struct l2tp_tunnel *t)
{
	return &t->peer;
}

const char *
l2tp_tunnel_peer_name(const struct l2tp_tunnel *t)
{
	return t->peer_name;
}

uint32_t
l2tp_tunnel_session_count(const struct l2tp_tunnel *t)
{
	return t->n_sessions;
}

const struct l2tp_chan_stats *
l2tp_tunnel_chan_stats(const struct l2tp_tunnel *t)
{
	return &t->chan.stats;
}

uint64_t
l2tp_tunnel_quirk_hits(const struct l2tp_tunnel *t)
{
	return t->quirk_hits;
}
