/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RFC 1661 §4: one automaton for every control protocol. Each event is a
 * function whose switch is the event's row of the state transition table
 * (§4.1); actions are named as the RFC names them.
 */
#include "ppp_fsm.h"

#include <stdio.h>
#include <string.h>

#include "byteorder.h"
#include "lns_log.h"

#define PPP_MAX_PACKET 1500

#define FLOG(f, level, fmt, ...) \
	LOG(PPP, level, "%s %s: " fmt, (f)->trace, (f)->name, ##__VA_ARGS__)

static const char *const state_rfc[] = {
#define X(id, rfc, cisco) [PPP_FSM_##id] = rfc,
	PPP_FSM_STATES(X)
#undef X
};

static const char *const state_cisco[] = {
#define X(id, rfc, cisco) [PPP_FSM_##id] = cisco,
	PPP_FSM_STATES(X)
#undef X
};

const char *
ppp_fsm_state_str(enum ppp_fsm_state s)
{
	return (unsigned)s <= PPP_FSM_OPENED ? state_rfc[s] : "?";
}

const char *
ppp_fsm_state_trace(enum ppp_fsm_state s)
{
	return (unsigned)s <= PPP_FSM_OPENED ? state_cisco[s] : "?";
}

void
ppp_fsm_cfg_defaults(struct ppp_fsm_cfg *cfg)
{
	cfg->restart_ms = 3000;
	cfg->max_configure = 10;
	cfg->max_terminate = 2;
	cfg->max_failure = 5;
}

void
ppp_fsm_init(struct ppp_fsm *f, const char *name, uint16_t proto, const struct ppp_fsm_cfg *cfg,
	     const struct ppp_fsm_ops *ops, void *ctx, const char *trace)
{
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->proto = proto;
	f->cfg = *cfg;
	f->ops = ops;
	f->ctx = ctx;
	f->trace = trace;
	f->state = PPP_FSM_INITIAL;
	f->timer = UINT64_MAX;
	f->next_id = 1;
}

static void
set_state(struct ppp_fsm *f, enum ppp_fsm_state to)
{
	if (f->state == to)
		return;
	f->state = to;
	if (to == PPP_FSM_OPENED || to == PPP_FSM_CLOSED || to == PPP_FSM_STOPPED ||
	    to == PPP_FSM_INITIAL)
		FLOG(f, LOG_INFO, "State is %s", ppp_fsm_state_trace(to));
	else
		FLOG(f, LOG_DEBUG, "State is %s", ppp_fsm_state_trace(to));
	/* the restart timer runs only while a request or a terminate is out */
	if (to != PPP_FSM_CLOSING && to != PPP_FSM_STOPPING && to != PPP_FSM_REQSENT &&
	    to != PPP_FSM_ACKRCVD && to != PPP_FSM_ACKSENT)
		f->timer = UINT64_MAX;
}

/* "LCP: O CONFREQ [Listen] id 11 len 28" and one line per option. */
static void
trace_packet(struct ppp_fsm *f, char dir, const uint8_t *pkt, size_t len)
{
	struct ppp_cp p;
	struct ppp_opt o;
	size_t pos = 0;

	if (!log_enabled(LOG_CAT_PPP, LOG_DEBUG) || ppp_cp_parse(&p, pkt, len) != PPP_PARSE_OK)
		return;
	FLOG(f, LOG_DEBUG, "%c %s [%s] id %u len %u", dir, ppp_code_str(p.code),
	     ppp_fsm_state_trace(f->state), p.id, p.length);
	if (p.code < PPP_CONFREQ || p.code > PPP_CONFREJ || f->ops->describe == NULL)
		return;
	while (ppp_opt_next(p.data, p.data_len, &pos, &o) > 0) {
		char what[96], hex[96];

		f->ops->describe(f, &o, what, sizeof(what));
		ppp_hex(hex, sizeof(hex), o.val - PPP_OPT_HDR_LEN, o.len);
		FLOG(f, LOG_DEBUG, "%s (%s)", what, hex);
	}
}

void
ppp_fsm_send_packet(struct ppp_fsm *f, uint8_t code, uint8_t id, const uint8_t *data, size_t len)
{
	uint8_t buf[PPP_MAX_PACKET];
	struct ppp_writer w;

	ppp_w_init(&w, buf, sizeof(buf));
	ppp_w_cp_begin(&w, code, id);
	ppp_w_bytes(&w, data, len);
	ppp_w_cp_end(&w);
	if (ppp_w_failed(&w))
		return;
	trace_packet(f, 'O', w.buf, w.len);
	f->stats.tx_packets++;
	f->ops->send(f, w.buf, w.len);
}

static void
start_timer(struct ppp_fsm *f)
{
	f->timer = f->now + f->cfg.restart_ms;
}

/* Actions (§4.4). */

static void
irc_configure(struct ppp_fsm *f)
{
	f->restart_count = f->cfg.max_configure;
	f->nak_count = 0;
	f->failed = false;
}

static void
irc_terminate(struct ppp_fsm *f)
{
	f->restart_count = f->cfg.max_terminate;
}

static void
zrc(struct ppp_fsm *f)
{
	f->restart_count = 0;
	start_timer(f);
}

static void
scr(struct ppp_fsm *f)
{
	uint8_t buf[PPP_MAX_PACKET];
	struct ppp_writer w;

	ppp_w_init(&w, f->req, sizeof(f->req));
	f->ops->add_request(f, &w);
	if (ppp_w_failed(&w))
		w.len = 0;
	f->req_len = (uint8_t)w.len;
	memcpy(buf, f->req, w.len);
	f->req_id = f->next_id++;
	ppp_fsm_send_packet(f, PPP_CONFREQ, f->req_id, buf, w.len);
	if (f->restart_count > 0)
		f->restart_count--;
	start_timer(f);
}

static void
str(struct ppp_fsm *f)
{
	f->term_id = f->next_id++;
	ppp_fsm_send_packet(f, PPP_TERMREQ, f->term_id, NULL, 0);
	if (f->restart_count > 0)
		f->restart_count--;
	start_timer(f);
}

static void
sta(struct ppp_fsm *f, uint8_t id)
{
	ppp_fsm_send_packet(f, PPP_TERMACK, id, NULL, 0);
}

static void
tlu(struct ppp_fsm *f)
{
	if (f->ops->up)
		f->ops->up(f);
}

static void
tld(struct ppp_fsm *f)
{
	if (f->ops->down)
		f->ops->down(f);
}

static void
tls(struct ppp_fsm *f)
{
	if (f->ops->starting)
		f->ops->starting(f);
}

static void
tlf(struct ppp_fsm *f)
{
	if (f->ops->finished)
		f->ops->finished(f);
}

static void
irc_scr(struct ppp_fsm *f)
{
	irc_configure(f);
	f->ops->reset(f);
	scr(f);
}

/* Events (§4.3), each the row of the table in §4.1. */

void
ppp_fsm_up(struct ppp_fsm *f, uint64_t now)
{
	f->now = now;
	switch (f->state) {
	case PPP_FSM_INITIAL:
		set_state(f, PPP_FSM_CLOSED);
		break;
	case PPP_FSM_STARTING:
		irc_scr(f);
		set_state(f, PPP_FSM_REQSENT);
		break;
	default:
		f->stats.rx_unexpected++;
		break;
	}
}

void
ppp_fsm_down(struct ppp_fsm *f, uint64_t now)
{
	f->now = now;
	switch (f->state) {
	case PPP_FSM_CLOSED:
	case PPP_FSM_CLOSING:
		set_state(f, PPP_FSM_INITIAL);
		break;
	case PPP_FSM_STOPPED:
		set_state(f, PPP_FSM_STARTING);
		tls(f);
		break;
	case PPP_FSM_STOPPING:
	case PPP_FSM_REQSENT:
	case PPP_FSM_ACKRCVD:
	case PPP_FSM_ACKSENT:
		set_state(f, PPP_FSM_STARTING);
		break;
	case PPP_FSM_OPENED:
		set_state(f, PPP_FSM_STARTING);
		tld(f);
		break;
	default:
		break;
	}
}

void
ppp_fsm_open(struct ppp_fsm *f, uint64_t now)
{
	f->now = now;
	switch (f->state) {
	case PPP_FSM_INITIAL:
		set_state(f, PPP_FSM_STARTING);
		tls(f);
		break;
	case PPP_FSM_CLOSED:
		irc_scr(f);
		set_state(f, PPP_FSM_REQSENT);
		break;
	case PPP_FSM_CLOSING:
		set_state(f, PPP_FSM_STOPPING);
		break;
	default: /* the restart option (r) is not used */
		break;
	}
}

void
ppp_fsm_close(struct ppp_fsm *f, uint64_t now)
{
	f->now = now;
	switch (f->state) {
	case PPP_FSM_STARTING:
		set_state(f, PPP_FSM_INITIAL);
		tlf(f);
		break;
	case PPP_FSM_STOPPED:
		set_state(f, PPP_FSM_CLOSED);
		break;
	case PPP_FSM_STOPPING:
		set_state(f, PPP_FSM_CLOSING);
		break;
	case PPP_FSM_OPENED:
		tld(f);
		/* fall through */
	case PPP_FSM_REQSENT:
	case PPP_FSM_ACKRCVD:
	case PPP_FSM_ACKSENT:
		irc_terminate(f);
		str(f);
		set_state(f, PPP_FSM_CLOSING);
		break;
	default:
		break;
	}
}

void
ppp_fsm_timeout(struct ppp_fsm *f, uint64_t now)
{
	f->now = now;
	if (f->timer > now)
		return;
	f->timer = UINT64_MAX;
	f->stats.timeouts++;
	if (f->restart_count > 0) { /* TO+ */
		switch (f->state) {
		case PPP_FSM_CLOSING:
		case PPP_FSM_STOPPING:
			str(f);
			break;
		case PPP_FSM_REQSENT:
		case PPP_FSM_ACKRCVD:
			scr(f);
			set_state(f, PPP_FSM_REQSENT);
			break;
		case PPP_FSM_ACKSENT:
			scr(f);
			break;
		default:
			break;
		}
		return;
	}
	switch (f->state) { /* TO- */
	case PPP_FSM_CLOSING:
		set_state(f, PPP_FSM_CLOSED);
		tlf(f);
		break;
	case PPP_FSM_STOPPING:
		set_state(f, PPP_FSM_STOPPED);
		tlf(f);
		break;
	case PPP_FSM_REQSENT:
	case PPP_FSM_ACKRCVD:
	case PPP_FSM_ACKSENT:
		f->failed = true;
		FLOG(f, LOG_WARN, "no agreement after %u Configure-Requests", f->cfg.max_configure);
		set_state(f, PPP_FSM_STOPPED);
		tlf(f);
		break;
	default:
		break;
	}
}

/* RCR+ and RCR- (§4.3): the answer is already built in reply. */
static void
rcr(struct ppp_fsm *f, const struct ppp_cp *p)
{
	uint8_t buf[PPP_MAX_PACKET];
	struct ppp_writer reply;
	enum ppp_cr_verdict v;
	bool good;

	switch (f->state) {
	case PPP_FSM_CLOSED:
		sta(f, p->id);
		return;
	case PPP_FSM_CLOSING:
	case PPP_FSM_STOPPING:
	case PPP_FSM_INITIAL:
	case PPP_FSM_STARTING:
		f->stats.rx_unexpected++;
		return;
	default:
		break;
	}
	ppp_w_init(&reply, buf, sizeof(buf));
	v = f->ops->got_request(f, p->data, p->data_len, &reply, f->nak_count < f->cfg.max_failure);
	good = v == PPP_CR_ACK;
	if (ppp_w_failed(&reply)) {
		reply.len = 0;
		v = PPP_CR_REJ;
		good = false;
	}
	if (v == PPP_CR_NAK)
		f->nak_count++;
	switch (f->state) {
	case PPP_FSM_STOPPED:
		irc_scr(f);
		set_state(f, good ? PPP_FSM_ACKSENT : PPP_FSM_REQSENT);
		break;
	case PPP_FSM_OPENED:
		tld(f);
		f->ops->reset(f);
		scr(f);
		set_state(f, good ? PPP_FSM_ACKSENT : PPP_FSM_REQSENT);
		break;
	case PPP_FSM_REQSENT:
		set_state(f, good ? PPP_FSM_ACKSENT : PPP_FSM_REQSENT);
		break;
	case PPP_FSM_ACKRCVD:
		break; /* Opened below, after the ack is sent */
	case PPP_FSM_ACKSENT:
		set_state(f, good ? PPP_FSM_ACKSENT : PPP_FSM_REQSENT);
		break;
	default:
		break;
	}
	ppp_fsm_send_packet(f, (uint8_t)v, p->id, buf, reply.len);
	if (f->state == PPP_FSM_ACKRCVD && good) {
		set_state(f, PPP_FSM_OPENED);
		tlu(f);
	}
}

static void
rca(struct ppp_fsm *f, const struct ppp_cp *p)
{
	if (p->id != f->req_id || p->data_len != f->req_len ||
	    memcmp(p->data, f->req, f->req_len) != 0) {
		f->stats.rx_bad_ack++;
		return;
	}
	switch (f->state) {
	case PPP_FSM_CLOSED:
	case PPP_FSM_STOPPED:
		sta(f, p->id);
		break;
	case PPP_FSM_REQSENT:
		irc_configure(f); /* the timer runs on: TO+ in Ack-Rcvd sends again */
		set_state(f, PPP_FSM_ACKRCVD);
		break;
	case PPP_FSM_ACKRCVD: /* crossed connection */
		scr(f);
		set_state(f, PPP_FSM_REQSENT);
		break;
	case PPP_FSM_ACKSENT:
		irc_configure(f);
		set_state(f, PPP_FSM_OPENED);
		tlu(f);
		break;
	case PPP_FSM_OPENED:
		tld(f);
		scr(f);
		set_state(f, PPP_FSM_REQSENT);
		break;
	default:
		f->stats.rx_unexpected++;
		break;
	}
}

static void
rcn(struct ppp_fsm *f, const struct ppp_cp *p)
{
	if (p->id != f->req_id) {
		f->stats.rx_bad_ack++;
		return;
	}
	switch (f->state) {
	case PPP_FSM_CLOSED:
	case PPP_FSM_STOPPED:
		sta(f, p->id);
		return;
	case PPP_FSM_REQSENT:
	case PPP_FSM_ACKSENT:
	case PPP_FSM_ACKRCVD:
	case PPP_FSM_OPENED:
		break;
	default:
		f->stats.rx_unexpected++;
		return;
	}
	if (p->code == PPP_CONFNAK)
		f->ops->got_nak(f, p->data, p->data_len);
	else
		f->ops->got_rej(f, p->data, p->data_len);
	switch (f->state) {
	case PPP_FSM_REQSENT:
	case PPP_FSM_ACKSENT:
		irc_configure(f);
		scr(f);
		break;
	case PPP_FSM_ACKRCVD:
		scr(f);
		set_state(f, PPP_FSM_REQSENT);
		break;
	case PPP_FSM_OPENED:
		tld(f);
		scr(f);
		set_state(f, PPP_FSM_REQSENT);
		break;
	default:
		break;
	}
}

static void
rtr(struct ppp_fsm *f, const struct ppp_cp *p)
{
	switch (f->state) {
	case PPP_FSM_INITIAL:
	case PPP_FSM_STARTING:
		f->stats.rx_unexpected++;
		return;
	case PPP_FSM_ACKRCVD:
	case PPP_FSM_ACKSENT:
		set_state(f, PPP_FSM_REQSENT);
		break;
	case PPP_FSM_OPENED:
		tld(f);
		zrc(f);
		set_state(f, PPP_FSM_STOPPING);
		break;
	default:
		break;
	}
	sta(f, p->id);
}

static void
rta(struct ppp_fsm *f)
{
	switch (f->state) {
	case PPP_FSM_CLOSING:
		set_state(f, PPP_FSM_CLOSED);
		tlf(f);
		break;
	case PPP_FSM_STOPPING:
		set_state(f, PPP_FSM_STOPPED);
		tlf(f);
		break;
	case PPP_FSM_ACKRCVD:
		set_state(f, PPP_FSM_REQSENT);
		break;
	case PPP_FSM_OPENED:
		tld(f);
		scr(f);
		set_state(f, PPP_FSM_REQSENT);
		break;
	default:
		break;
	}
}

/* RXJ- (§4.3): the peer rejects something we cannot do without. */
static void
rxj_catastrophic(struct ppp_fsm *f)
{
	FLOG(f, LOG_WARN, "peer rejects a code we need");
	switch (f->state) {
	case PPP_FSM_CLOSED:
	case PPP_FSM_CLOSING:
		set_state(f, PPP_FSM_CLOSED);
		tlf(f);
		break;
	case PPP_FSM_STOPPED:
	case PPP_FSM_STOPPING:
	case PPP_FSM_REQSENT:
	case PPP_FSM_ACKRCVD:
	case PPP_FSM_ACKSENT:
		set_state(f, PPP_FSM_STOPPED);
		tlf(f);
		break;
	case PPP_FSM_OPENED:
		tld(f);
		irc_terminate(f);
		str(f);
		set_state(f, PPP_FSM_STOPPING);
		break;
	default:
		break;
	}
}

static void
rxj(struct ppp_fsm *f, const struct ppp_cp *p)
{
	uint8_t rejected = p->data_len > 0 ? p->data[0] : 0;

	if (rejected >= PPP_CONFREQ && rejected <= PPP_CODEREJ)
		rxj_catastrophic(f);
	else if (f->state == PPP_FSM_ACKRCVD)
		set_state(f, PPP_FSM_REQSENT); /* RXJ+ */
}

/* RUC: a code we do not know gets a Code-Reject carrying it (§5.6). */
static void
ruc(struct ppp_fsm *f, const uint8_t *pkt, size_t len)
{
	f->stats.tx_code_rejects++;
	if (len > PPP_MAX_PACKET - 64)
		len = PPP_MAX_PACKET - 64;
	ppp_fsm_send_packet(f, PPP_CODEREJ, f->next_id++, pkt, len);
}

static bool
packet_ok(struct ppp_fsm *f, const struct ppp_cp *p)
{
	if (p->code >= PPP_CONFREQ && p->code <= PPP_CONFREJ &&
	    !ppp_opts_valid(p->data, p->data_len)) {
		f->stats.rx_bad++;
		FLOG(f, LOG_WARN, "%s id %u: malformed option list, discarded",
		     ppp_code_str(p->code), p->id);
		return false;
	}
	return true;
}

void
ppp_fsm_input(struct ppp_fsm *f, uint64_t now, const uint8_t *pkt, size_t len)
{
	struct ppp_cp p;

	f->now = now;
	if (ppp_cp_parse(&p, pkt, len) != PPP_PARSE_OK) {
		f->stats.rx_bad++;
		return; /* §5: silently discarded */
	}
	f->stats.rx_packets++;
	trace_packet(f, 'I', pkt, len);
	if (f->state == PPP_FSM_INITIAL || f->state == PPP_FSM_STARTING) {
		f->stats.rx_unexpected++;
		return;
	}
	if (!packet_ok(f, &p))
		return;
	switch (p.code) {
	case PPP_CONFREQ:
		rcr(f, &p);
		break;
	case PPP_CONFACK:
		rca(f, &p);
		break;
	case PPP_CONFNAK:
	case PPP_CONFREJ:
		rcn(f, &p);
		break;
	case PPP_TERMREQ:
		rtr(f, &p);
		break;
	case PPP_TERMACK:
		rta(f);
		break;
	case PPP_CODEREJ:
		rxj(f, &p);
		break;
	default:
		if (f->ops->other_code == NULL || !f->ops->other_code(f, &p))
			ruc(f, pkt, p.length);
		break;
	}
}

void
ppp_fsm_force_open(struct ppp_fsm *f, uint64_t now)
{
	f->now = now;
	irc_configure(f);
	set_state(f, PPP_FSM_OPENED);
	tlu(f);
}

void
ppp_cr_answer_init(struct ppp_cr_answer *a)
{
	ppp_w_init(&a->wnak, a->nak, sizeof(a->nak));
	ppp_w_init(&a->wrej, a->rej, sizeof(a->rej));
}

void
ppp_cr_reject(struct ppp_cr_answer *a, const struct ppp_opt *o)
{
	ppp_w_bytes(&a->wrej, o->val - PPP_OPT_HDR_LEN, o->len);
}

enum ppp_cr_verdict
ppp_cr_answer_finish(struct ppp_cr_answer *a, const uint8_t *opts, size_t len,
		     struct ppp_writer *reply)
{
	if (a->wrej.len) {
		ppp_w_bytes(reply, a->rej, a->wrej.len);
		return PPP_CR_REJ;
	}
	if (a->wnak.len) {
		ppp_w_bytes(reply, a->nak, a->wnak.len);
		return PPP_CR_NAK;
	}
	ppp_w_bytes(reply, opts, len);
	return PPP_CR_ACK;
}

void
ppp_fsm_protocol_rejected(struct ppp_fsm *f, uint64_t now)
{
	f->now = now;
	rxj_catastrophic(f);
}
