/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * LCP (RFC 1661 §5-6, RFC 1570): option handling for the automaton,
 * Echo/Discard/Identification/Time-Remaining/Protocol-Reject, and proxy LCP
 * from the LAC (RFC 2661 §4.4.5).
 */
#include <stdio.h>
#include <string.h>

#include "byteorder.h"
#include "ppp_internal.h"

static uint16_t
auth_proto_field(enum ppp_auth_proto a, uint8_t *algo)
{
	*algo = 0;
	switch (a) {
	case PPP_AUTH_PAP:
		return PPP_PROTO_PAP;
	case PPP_AUTH_CHAP_MD5:
		*algo = 5;
		return PPP_PROTO_CHAP;
	case PPP_AUTH_MSCHAPV2:
		*algo = 0x81;
		return PPP_PROTO_CHAP;
	default:
		return 0;
	}
}

/* The Authentication-Protocol option's value, or PPP_AUTH_NONE if unknown. */
static enum ppp_auth_proto
auth_from_opt(const struct ppp_opt *o)
{
	uint16_t proto;

	if (o->len < 4)
		return PPP_AUTH_NONE;
	proto = get_be16(o->val);
	if (proto == PPP_PROTO_PAP && o->len == 4)
		return PPP_AUTH_PAP;
	if (proto == PPP_PROTO_CHAP && o->len == 5 && o->val[2] == 5)
		return PPP_AUTH_CHAP_MD5;
	if (proto == PPP_PROTO_CHAP && o->len == 5 && o->val[2] == 0x81)
		return PPP_AUTH_MSCHAPV2;
	return PPP_AUTH_NONE;
}

static void
put_auth_opt(struct ppp_writer *w, enum ppp_auth_proto a)
{
	uint8_t v[3], algo;

	put_be16(v, auth_proto_field(a, &algo));
	v[2] = algo;
	ppp_w_opt(w, LCP_OPT_AUTH, v, algo ? 3 : 2);
}

static uint32_t
new_magic(struct ppp *p)
{
	uint32_t m = 0;

	while (m == 0)
		ppp_random(p, &m, sizeof(m));
	return m;
}

static void
lcp_reset(struct ppp_fsm *f)
{
	struct ppp *p = fsm_ppp(f);

	p->want.mru = p->cfg.mru != 1500 ? p->cfg.mru : 0;
	p->want.magic = new_magic(p);
	p->want.auth_idx = 0;
	p->want.auth = p->cfg.role == PPP_ROLE_SERVER && p->cfg.n_auth > 0 ? p->cfg.auth[0]
									   : PPP_AUTH_NONE;
	p->st.peer_mru = 1500 < p->cfg.max_mru ? 1500 : p->cfg.max_mru;
	p->st.peer_pfc = p->st.peer_acfc = false;
	p->magic_collisions = 0;
	if (p->cfg.role == PPP_ROLE_CLIENT)
		p->st.auth = PPP_AUTH_NONE;
}

static void
lcp_add_request(struct ppp_fsm *f, struct ppp_writer *w)
{
	struct ppp *p = fsm_ppp(f);

	if (p->want.mru)
		ppp_w_opt_u16(w, LCP_OPT_MRU, p->want.mru);
	if (p->want.auth != PPP_AUTH_NONE)
		put_auth_opt(w, p->want.auth);
	if (p->want.magic)
		ppp_w_opt_u32(w, LCP_OPT_MAGIC, p->want.magic);
}

/* The next authentication protocol we accept after the current one. */
static bool
next_auth(struct ppp *p, enum ppp_auth_proto suggested)
{
	for (uint8_t i = 0; i < p->cfg.n_auth; i++) {
		if (p->cfg.auth[i] == suggested && suggested != p->want.auth) {
			p->want.auth = suggested;
			p->want.auth_idx = i;
			return true;
		}
	}
	if (p->want.auth_idx + 1 >= p->cfg.n_auth)
		return false;
	p->want.auth = p->cfg.auth[++p->want.auth_idx];
	return true;
}

static void
lcp_got_nak(struct ppp_fsm *f, const uint8_t *opts, size_t len)
{
	struct ppp *p = fsm_ppp(f);
	struct ppp_opt o;
	size_t pos = 0;

	while (ppp_opt_next(opts, len, &pos, &o) > 0) {
		if (o.type == LCP_OPT_MRU && o.len == 4) {
			uint16_t mru = get_be16(o.val);

			p->want.mru = mru >= p->cfg.min_mru && mru <= 1500 ? mru : 0;
		} else if (o.type == LCP_OPT_MAGIC && o.len == 6) {
			p->st.peer_magic = 0;
			p->want.magic = new_magic(p);
			p->stats.magic_collisions++;
		} else if (o.type == LCP_OPT_AUTH && p->want.auth != PPP_AUTH_NONE) {
			if (!next_auth(p, auth_from_opt(&o))) {
				PLOG(p, LOG_WARN,
				     "LCP: peer refuses every authentication we accept");
				ppp_fail(p, PPP_DOWN_AUTH_FAILURE);
			}
		}
	}
}

static void
lcp_got_rej(struct ppp_fsm *f, const uint8_t *opts, size_t len)
{
	struct ppp *p = fsm_ppp(f);
	struct ppp_opt o;
	size_t pos = 0;

	while (ppp_opt_next(opts, len, &pos, &o) > 0) {
		if (o.type == LCP_OPT_MRU)
			p->want.mru = 0;
		else if (o.type == LCP_OPT_MAGIC)
			p->want.magic = 0;
		else if (o.type == LCP_OPT_AUTH && p->want.auth != PPP_AUTH_NONE) {
			PLOG(p, LOG_WARN, "LCP: peer rejects authentication");
			ppp_fail(p, PPP_DOWN_AUTH_FAILURE);
		}
	}
}

/* How one option of the peer's request is answered. */
enum opt_verdict { OPT_ACK, OPT_NAK, OPT_REJ };

static enum opt_verdict
client_auth(struct ppp *p, const struct ppp_opt *o, struct ppp_cr_answer *rb)
{
	enum ppp_auth_proto a = auth_from_opt(o);

	if (a != PPP_AUTH_NONE && p->cfg.secret[0] != '\0') {
		p->st.auth = a;
		return OPT_ACK;
	}
	put_auth_opt(&rb->wnak, PPP_AUTH_CHAP_MD5);
	return OPT_NAK;
}

static enum opt_verdict
peer_magic(struct ppp *p, const struct ppp_opt *o, struct ppp_cr_answer *rb)
{
	uint32_t m = get_be32(o->val);

	if (m != 0 && m != p->want.magic) {
		p->st.peer_magic = m;
		return OPT_ACK;
	}
	/* §6.4: the same number as ours may be a looped-back link */
	p->stats.magic_collisions++;
	if (++p->magic_collisions > p->cfg.fsm.max_failure) {
		PLOG(p, LOG_WARN, "LCP: Magic-Number collides every time: looped-back link");
		ppp_fail(p, PPP_DOWN_LOOPBACK);
	}
	p->want.magic = new_magic(p);
	ppp_w_opt_u32(&rb->wnak, LCP_OPT_MAGIC, new_magic(p));
	return OPT_NAK;
}

static enum opt_verdict
judge_option(struct ppp *p, const struct ppp_opt *o, struct ppp_cr_answer *rb)
{
	switch (o->type) {
	case LCP_OPT_MRU:
		if (o->len != 4)
			return OPT_REJ;
		if (get_be16(o->val) < p->cfg.min_mru) {
			ppp_w_opt_u16(&rb->wnak, LCP_OPT_MRU, p->cfg.min_mru);
			return OPT_NAK;
		}
		p->st.peer_mru =
			get_be16(o->val) < p->cfg.max_mru ? get_be16(o->val) : p->cfg.max_mru;
		return OPT_ACK;
	case LCP_OPT_ACCM: /* no meaning over L2TP, accepted (RFC 2661 §4.4.6) */
		return o->len == 6 ? OPT_ACK : OPT_REJ;
	case LCP_OPT_AUTH:
		if (p->cfg.role == PPP_ROLE_SERVER)
			return OPT_REJ; /* we do not authenticate ourselves to subscribers */
		return client_auth(p, o, rb);
	case LCP_OPT_MAGIC:
		return o->len == 6 ? peer_magic(p, o, rb) : OPT_REJ;
	case LCP_OPT_PFC:
		p->st.peer_pfc = o->len == 2;
		return o->len == 2 ? OPT_ACK : OPT_REJ;
	case LCP_OPT_ACFC:
		p->st.peer_acfc = o->len == 2;
		return o->len == 2 ? OPT_ACK : OPT_REJ;
	default:
		return OPT_REJ;
	}
}

static bool
magic_collides(const struct ppp *p, const uint8_t *opts, size_t len)
{
	struct ppp_opt o;
	size_t pos = 0;

	while (ppp_opt_next(opts, len, &pos, &o) > 0)
		if (o.type == LCP_OPT_MAGIC && o.len == 6 && p->want.magic != 0 &&
		    get_be32(o.val) == p->want.magic)
			return true;
	return false;
}

static enum ppp_cr_verdict
lcp_got_request(struct ppp_fsm *f, const uint8_t *opts, size_t len, struct ppp_writer *reply,
		bool may_nak)
{
	struct ppp *p = fsm_ppp(f);
	struct ppp_cr_answer rb;
	struct ppp_opt o;
	size_t pos = 0;

	ppp_cr_answer_init(&rb);
	if (magic_collides(p, opts, len)) {
		/* our own request coming back, or a twin: settle that first (§6.4) */
		pos = 0;
		while (ppp_opt_next(opts, len, &pos, &o) > 0)
			if (o.type == LCP_OPT_MAGIC && o.len == 6) /* another may be short */
				peer_magic(p, &o, &rb);
		ppp_w_bytes(reply, rb.nak, rb.wnak.len);
		return may_nak ? PPP_CR_NAK : PPP_CR_REJ;
	}
	while (ppp_opt_next(opts, len, &pos, &o) > 0) {
		size_t before = rb.wnak.len;
		enum opt_verdict v = judge_option(p, &o, &rb);

		if (v == OPT_NAK && !may_nak) {
			rb.wnak.len = before; /* §4.6 Max-Failure: Reject instead */
			v = OPT_REJ;
		}
		if (v == OPT_REJ)
			ppp_cr_reject(&rb, &o);
	}
	return ppp_cr_answer_finish(&rb, opts, len, reply);
}

static void
lcp_up(struct ppp_fsm *f)
{
	struct ppp *p = fsm_ppp(f);

	p->st.our_magic = p->want.magic;
	if (p->cfg.role == PPP_ROLE_SERVER)
		p->st.auth = p->want.auth;
	p->echo_outstanding = 0;
	p->echo_at = p->cfg.echo_interval_ms ? p->now + p->cfg.echo_interval_ms : UINT64_MAX;
	if (p->st.auth != PPP_AUTH_NONE)
		auth_start(p);
	else
		ppp_network_phase(p);
}

static void
lcp_down(struct ppp_fsm *f)
{
	struct ppp *p = fsm_ppp(f);

	p->echo_at = UINT64_MAX;
	ppp_fsm_down(&p->ipcp, p->now);
	ppp_fsm_down(&p->ipv6cp, p->now);
	p->auth.state = AUTH_IDLE;
	ppp_set_phase(p, PPP_PHASE_TERMINATE);
}

static void
lcp_finished(struct ppp_fsm *f)
{
	struct ppp *p = fsm_ppp(f);

	ppp_set_phase(p, PPP_PHASE_DEAD);
	if (!p->down_reported && !p->down_pending) {
		p->down_pending = true;
		if (f->failed)
			p->reason = PPP_DOWN_NEGOTIATION_FAILED;
	}
}

static void
echo_reply(struct ppp *p, const struct ppp_cp *c)
{
	uint8_t buf[1500];
	size_t n = c->data_len < sizeof(buf) ? c->data_len : sizeof(buf);

	if (c->data_len < 4)
		return;
	memcpy(buf, c->data, n);
	put_be32(buf, p->st.our_magic);
	ppp_fsm_send_packet(&p->lcp, PPP_ECHOREP, c->id, buf, n);
}

/* A Protocol-Reject for a network protocol closes that NCP only (§5.7). */
static void
protocol_rejected(struct ppp *p, const struct ppp_cp *c)
{
	uint16_t proto = c->data_len >= 2 ? get_be16(c->data) : 0;

	PLOG(p, LOG_INFO, "LCP: peer rejects protocol %s (0x%04X)", ppp_proto_str(proto), proto);
	if (proto == PPP_PROTO_IPCP)
		ppp_fsm_protocol_rejected(&p->ipcp, p->now);
	else if (proto == PPP_PROTO_IPV6CP)
		ppp_fsm_protocol_rejected(&p->ipv6cp, p->now);
	else if (proto == PPP_PROTO_PAP || proto == PPP_PROTO_CHAP)
		ppp_fail(p, PPP_DOWN_AUTH_FAILURE);
}

static bool
lcp_other_code(struct ppp_fsm *f, const struct ppp_cp *c)
{
	struct ppp *p = fsm_ppp(f);

	switch (c->code) {
	case PPP_ECHOREQ:
		if (f->state == PPP_FSM_OPENED)
			echo_reply(p, c);
		return true;
	case PPP_ECHOREP:
		if (c->data_len >= 4 && get_be32(c->data) == p->st.our_magic && p->st.our_magic)
			p->stats.magic_collisions++; /* our own echo came back */
		else
			p->echo_outstanding = 0;
		return true;
	case PPP_PROTREJ:
		if (f->state == PPP_FSM_OPENED)
			protocol_rejected(p, c);
		return true;
	case PPP_DISCREQ:
	case PPP_IDENT:
	case PPP_TIMEREM:
		return true; /* tolerated, nothing to do */
	default:
		return false;
	}
}

void
lcp_send_echo(struct ppp *p)
{
	uint8_t magic[4];

	put_be32(magic, p->st.our_magic);
	ppp_fsm_send_packet(&p->lcp, PPP_ECHOREQ, p->lcp.next_id++, magic, sizeof(magic));
	p->stats.echo_sent++;
}

static void
lcp_describe(struct ppp_fsm *f, const struct ppp_opt *o, char *out, size_t cap)
{
	static const char *const auth_names[] = { "none", "PAP", "CHAP", "MSCHAP_V2" };

	(void)f;
	switch (o->type) {
	case LCP_OPT_MRU:
		snprintf(out, cap, "MRU %u", o->len == 4 ? get_be16(o->val) : 0);
		break;
	case LCP_OPT_ACCM:
		snprintf(out, cap, "ACCM 0x%08X", o->len == 6 ? get_be32(o->val) : 0);
		break;
	case LCP_OPT_AUTH:
		snprintf(out, cap, "AuthProto %s", auth_names[auth_from_opt(o)]);
		break;
	case LCP_OPT_MAGIC:
		snprintf(out, cap, "MagicNumber 0x%08X", o->len == 6 ? get_be32(o->val) : 0);
		break;
	case LCP_OPT_PFC:
		snprintf(out, cap, "PFC");
		break;
	case LCP_OPT_ACFC:
		snprintf(out, cap, "ACFC");
		break;
	default:
		snprintf(out, cap, "Option %u", o->type);
		break;
	}
}

const struct ppp_fsm_ops lcp_ops = {
	.reset = lcp_reset,
	.add_request = lcp_add_request,
	.got_nak = lcp_got_nak,
	.got_rej = lcp_got_rej,
	.got_request = lcp_got_request,
	.up = lcp_up,
	.down = lcp_down,
	.finished = lcp_finished,
	.other_code = lcp_other_code,
	.describe = lcp_describe,
	.send = ppp_fsm_send,
};

/* Proxy LCP */

/* Our side as the LAC negotiated it: its Last Sent CONFREQ. */
static bool
proxy_ours(struct ppp *p, const uint8_t *opts, size_t len)
{
	enum ppp_auth_proto auth = PPP_AUTH_NONE;
	struct ppp_opt o;
	size_t pos = 0;
	int r;

	p->want.magic = 0;
	p->want.mru = 0;
	while ((r = ppp_opt_next(opts, len, &pos, &o)) > 0) {
		if (o.type == LCP_OPT_AUTH)
			auth = auth_from_opt(&o);
		else if (o.type == LCP_OPT_MAGIC && o.len == 6)
			p->want.magic = get_be32(o.val);
		else if (o.type == LCP_OPT_MRU && o.len == 4)
			p->want.mru = get_be16(o.val);
		else if (o.type != LCP_OPT_ACCM && o.type != LCP_OPT_PFC && o.type != LCP_OPT_ACFC)
			return false;
	}
	if (r < 0)
		return false;
	p->want.auth = auth;
	if (p->cfg.n_auth == 0)
		return auth == PPP_AUTH_NONE;
	for (uint8_t i = 0; i < p->cfg.n_auth; i++)
		if (p->cfg.auth[i] == auth)
			return true;
	return false;
}

/* The subscriber's side: the LAC's Last Received CONFREQ. */
static bool
proxy_theirs(struct ppp *p, const uint8_t *opts, size_t len)
{
	struct ppp_opt o;
	size_t pos = 0;
	int r;

	while ((r = ppp_opt_next(opts, len, &pos, &o)) > 0) {
		if (o.type == LCP_OPT_MRU && o.len == 4) {
			if (get_be16(o.val) < p->cfg.min_mru)
				return false;
			p->st.peer_mru =
				get_be16(o.val) < p->cfg.max_mru ? get_be16(o.val) : p->cfg.max_mru;
		} else if (o.type == LCP_OPT_MAGIC && o.len == 6) {
			p->st.peer_magic = get_be32(o.val);
		} else if (o.type == LCP_OPT_PFC) {
			p->st.peer_pfc = true;
		} else if (o.type == LCP_OPT_ACFC) {
			p->st.peer_acfc = true;
		} else if (o.type != LCP_OPT_ACCM) {
			return false;
		}
	}
	return r == 0;
}

static void
trace_forced(struct ppp *p, const uint8_t *opts, size_t len)
{
	struct ppp_opt o;
	size_t pos = 0;

	PLOG(p, LOG_INFO, "LCP: I FORCED CONFREQ len %zu", len); /* options only, as Cisco */
	while (ppp_opt_next(opts, len, &pos, &o) > 0) {
		char what[64], hex[96];

		lcp_describe(&p->lcp, &o, what, sizeof(what));
		ppp_hex(hex, sizeof(hex), o.val - PPP_OPT_HDR_LEN, o.len);
		PLOG(p, LOG_INFO, "LCP: %s (%s)", what, hex);
	}
}

/*
 * The subscriber's side of the same handover (a client behind a LAC that
 * proxies): its LCP is already open with the LAC. Its own request is the
 * LAC's Last Received CONFREQ, the LAC's (which the LNS takes over) the
 * Last Sent one, whose Authentication-Protocol it must answer.
 */
bool
lcp_take_proxy_client(struct ppp *p, const struct ppp_proxy *x)
{
	struct ppp_opt o;
	size_t pos = 0;

	if (x->last_sent == NULL || x->last_rcvd == NULL ||
	    !ppp_opts_valid(x->last_sent, x->last_sent_len) ||
	    !ppp_opts_valid(x->last_rcvd, x->last_rcvd_len))
		return false;
	lcp_reset(&p->lcp);
	p->want.magic = 0;
	p->want.mru = 0;
	while (ppp_opt_next(x->last_rcvd, x->last_rcvd_len, &pos, &o) > 0) {
		if (o.type == LCP_OPT_MAGIC && o.len == 6)
			p->want.magic = get_be32(o.val);
		else if (o.type == LCP_OPT_MRU && o.len == 4)
			p->want.mru = get_be16(o.val);
	}
	pos = 0;
	p->st.auth = PPP_AUTH_NONE;
	while (ppp_opt_next(x->last_sent, x->last_sent_len, &pos, &o) > 0) {
		if (o.type == LCP_OPT_AUTH)
			p->st.auth = auth_from_opt(&o);
		else if (o.type == LCP_OPT_MAGIC && o.len == 6)
			p->st.peer_magic = get_be32(o.val);
		else if (o.type == LCP_OPT_MRU && o.len == 4)
			p->st.peer_mru = get_be16(o.val);
	}
	p->st.proxy_lcp_used = true;
	return true;
}

bool
lcp_take_proxy(struct ppp *p, const struct ppp_proxy *x)
{
	bool ours, theirs;

	if (p->cfg.lcp_renegotiate == PPP_LCP_RENEGOTIATE_ALWAYS || x->last_sent == NULL ||
	    x->last_rcvd == NULL)
		return false;
	lcp_reset(&p->lcp);
	ours = proxy_ours(p, x->last_sent, x->last_sent_len);
	theirs = proxy_theirs(p, x->last_rcvd, x->last_rcvd_len);
	if (!ppp_opts_valid(x->last_sent, x->last_sent_len) ||
	    !ppp_opts_valid(x->last_rcvd, x->last_rcvd_len))
		return false;
	if ((!ours || !theirs) && p->cfg.lcp_renegotiate != PPP_LCP_RENEGOTIATE_NEVER) {
		PLOG(p, LOG_INFO, "LCP: proxy LCP not acceptable, renegotiating");
		return false;
	}
	if (p->cfg.n_auth > 0 && p->want.auth == PPP_AUTH_NONE)
		return false; /* even "never" cannot skip authentication */
	trace_forced(p, x->last_sent, x->last_sent_len);
	PLOG(p, LOG_INFO, "VPDN: PPP LCP accepted rcv CONFACK");
	PLOG(p, LOG_INFO, "VPDN: PPP LCP accepted sent CONFACK");
	p->st.proxy_lcp_used = true;
	return true;
}
