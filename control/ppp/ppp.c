/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One subscriber's PPP: phases (RFC 1661 §3.2), frame dispatch by
 * protocol, Protocol-Reject, LCP echo keepalive, timers, and the events
 * the owner sees. DOWN is reported last in a call, so the owner may free
 * the session from its handler.
 */
#include <stdlib.h>
#include <string.h>

#include "byteorder.h"
#include "ppp_internal.h"

const char *
ppp_phase_str(enum ppp_phase ph)
{
	static const char *const names[] = { "DOWN", "ESTABLISHING", "AUTHENTICATING", "UP",
					     "TERMINATING" };

	return (unsigned)ph <= PPP_PHASE_TERMINATE ? names[ph] : "?";
}

const char *
ppp_auth_proto_str(enum ppp_auth_proto a)
{
	static const char *const names[] = { "none", "PAP", "CHAP", "MS-CHAPv2" };

	return (unsigned)a <= PPP_AUTH_MSCHAPV2 ? names[a] : "?";
}

const char *
ppp_down_reason_str(enum ppp_down_reason r)
{
	static const char *const names[] = {
#define X(id, cause, text) [PPP_DOWN_##id] = text,
		PPP_DOWN_REASONS(X)
#undef X
	};

	return (unsigned)r <= PPP_DOWN_NAS_ERROR ? names[r] : "?";
}

uint32_t
ppp_down_acct_cause(enum ppp_down_reason r)
{
	static const uint32_t causes[] = {
#define X(id, cause, text) [PPP_DOWN_##id] = cause,
		PPP_DOWN_REASONS(X)
#undef X
	};

	return (unsigned)r <= PPP_DOWN_NAS_ERROR ? causes[r] : 9;
}

const char *
ppp_event_type_str(enum ppp_event_type t)
{
	static const char *const names[] = { "auth-request", "authenticated", "network-up",
					     "network-down", "down" };

	return (unsigned)t <= PPP_EV_DOWN ? names[t] : "?";
}

void
ppp_cfg_defaults(struct ppp_cfg *cfg, enum ppp_role role)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->role = role;
	ppp_fsm_cfg_defaults(&cfg->fsm);
	cfg->mru = 1460;
	cfg->min_mru = 576;
	cfg->max_mru = 1500;
	if (role == PPP_ROLE_SERVER) {
		cfg->auth[0] = PPP_AUTH_CHAP_MD5;
		cfg->auth[1] = PPP_AUTH_MSCHAPV2;
		cfg->auth[2] = PPP_AUTH_PAP;
		cfg->n_auth = 3;
	}
	cfg->lcp_renegotiate = PPP_LCP_RENEGOTIATE_ON_MISMATCH;
	cfg->accept_proxy_auth = true;
	cfg->auth_timeout_ms = 30000;
	cfg->echo_interval_ms = 30000;
	cfg->echo_failures = 3;
	cfg->ipcp = true;
	cfg->ipv6cp = true;
	cfg->client_wants_dns = true;
}

struct ppp *
ppp_create(const struct ppp_cfg *cfg, const struct ppp_ops *ops, void *ctx)
{
	struct ppp *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->cfg = *cfg;
	p->ops = ops;
	p->ctx = ctx;
	p->echo_at = UINT64_MAX;
	p->auth.rechallenge_at = UINT64_MAX;
	ppp_fsm_init(&p->lcp, "LCP", PPP_PROTO_LCP, &cfg->fsm, &lcp_ops, p, p->cfg.trace);
	ppp_fsm_init(&p->ipcp, "IPCP", PPP_PROTO_IPCP, &cfg->fsm, &ipcp_ops, p, p->cfg.trace);
	ppp_fsm_init(&p->ipv6cp, "IPV6CP", PPP_PROTO_IPV6CP, &cfg->fsm, &ipv6cp_ops, p,
		     p->cfg.trace);
	return p;
}

void
ppp_destroy(struct ppp *p)
{
	free(p);
}

void
ppp_random(struct ppp *p, void *buf, size_t len)
{
	p->ops->random(p->ctx, buf, len);
}

void
ppp_event(struct ppp *p, const struct ppp_event *ev)
{
	if (p->ops->event != NULL)
		p->ops->event(p->ctx, p, ev);
}

void
ppp_send_frame(struct ppp *p, uint16_t proto, const uint8_t *pkt, size_t len)
{
	uint8_t buf[1504];

	if (len > sizeof(buf) - 4)
		return;
	buf[0] = PPP_ADDRESS;
	buf[1] = PPP_CONTROL;
	put_be16(buf + 2, proto);
	memcpy(buf + 4, pkt, len);
	p->stats.tx_frames++;
	p->ops->send(p->ctx, buf, len + 4);
}

void
ppp_fsm_send(struct ppp_fsm *f, const uint8_t *pkt, size_t len)
{
	ppp_send_frame(fsm_ppp(f), f->proto, pkt, len);
}

void
ppp_set_phase(struct ppp *p, enum ppp_phase phase)
{
	if (p->st.phase == phase)
		return;
	p->st.phase = phase;
	if (phase == PPP_PHASE_AUTHENTICATE && p->cfg.role == PPP_ROLE_SERVER)
		PLOG(p, LOG_INFO, "PPP: Phase is %s, by this end", ppp_phase_str(phase));
	else
		PLOG(p, LOG_INFO, "PPP: Phase is %s", ppp_phase_str(phase));
}

/* Report DOWN once, as the last thing a call does. */
static void
flush_down(struct ppp *p)
{
	struct ppp_event ev = { .type = PPP_EV_DOWN };

	if (!p->down_pending || p->down_reported)
		return;
	p->down_reported = true;
	p->down_pending = false;
	ev.reason = p->reason;
	PLOG(p, LOG_INFO, "PPP: session down: %s", ppp_down_reason_str(p->reason));
	ppp_event(p, &ev);
}

void
ppp_fail(struct ppp *p, enum ppp_down_reason reason)
{
	if (p->down_reported || p->down_pending || p->failing)
		return;
	p->reason = reason;
	p->failing = true;
	ppp_fsm_close(&p->lcp, p->now);
	/*
	 * DOWN once LCP has finished: the peer's Terminate-Ack, or the restart
	 * timer. The LAC's CDN would otherwise overtake the CHAP Failure and
	 * the Terminate-Request on their way to the subscriber, whose PPP then
	 * sees its line drop instead of the reason. A peer that has stopped
	 * answering (echoes) is not waited for.
	 */
	if (reason == PPP_DOWN_ECHO_FAILURE || p->lcp.state == PPP_FSM_INITIAL ||
	    p->lcp.state == PPP_FSM_CLOSED || p->lcp.state == PPP_FSM_STOPPED)
		p->down_pending = true;
}

void
ppp_network_phase(struct ppp *p)
{
	if (p->cfg.role == PPP_ROLE_SERVER && !p->ip.have_answer) {
		if (p->auth.state != AUTH_WAIT_AAA)
			auth_request_address(p);
		return;
	}
	if (p->ncps_started)
		return;
	p->ncps_started = true;
	ppp_set_phase(p, PPP_PHASE_NETWORK);
	/* Up before Open: Closed, then Req-Sent ("O CONFREQ [Closed]" as Cisco traces) */
	if (p->cfg.ipcp) {
		ppp_fsm_up(&p->ipcp, p->now);
		ppp_fsm_open(&p->ipcp, p->now);
	}
	if (p->cfg.ipv6cp) {
		ppp_fsm_up(&p->ipv6cp, p->now);
		ppp_fsm_open(&p->ipv6cp, p->now);
	}
}

void
ppp_start(struct ppp *p, uint64_t now, const struct ppp_proxy *proxy)
{
	p->now = now;
	if (p->started)
		return;
	p->started = true;
	ppp_set_phase(p, PPP_PHASE_ESTABLISH);
	if (proxy != NULL && p->cfg.role == PPP_ROLE_SERVER)
		auth_take_proxy(p, proxy);
	if (proxy != NULL && (p->cfg.role == PPP_ROLE_SERVER ? lcp_take_proxy(p, proxy)
							     : lcp_take_proxy_client(p, proxy))) {
		ppp_fsm_force_open(&p->lcp, now);
	} else {
		ppp_fsm_up(&p->lcp, now);
		ppp_fsm_open(&p->lcp, now);
	}
	flush_down(p);
}

/* RFC 1661 §5.7: a protocol we do not speak, once LCP is open. */
static void
protocol_reject(struct ppp *p, uint16_t proto, const uint8_t *info, size_t len)
{
	uint8_t buf[1500];
	size_t max = p->st.peer_mru > 8 ? p->st.peer_mru - 8u : 0;

	p->stats.rx_unknown_proto++;
	if (p->lcp.state != PPP_FSM_OPENED)
		return;
	if (len > max)
		len = max;
	if (len > sizeof(buf) - 2)
		len = sizeof(buf) - 2;
	put_be16(buf, proto);
	memcpy(buf + 2, info, len);
	PLOG(p, LOG_INFO, "LCP: O PROTREJ for protocol 0x%04X", proto);
	ppp_fsm_send_packet(&p->lcp, PPP_PROTREJ, p->lcp.next_id++, buf, len + 2);
}

static void
dispatch(struct ppp *p, const struct ppp_frame *f)
{
	bool net = p->st.phase == PPP_PHASE_NETWORK;

	switch (f->proto) {
	case PPP_PROTO_LCP:
		ppp_fsm_input(&p->lcp, p->now, f->info, f->info_len);
		break;
	case PPP_PROTO_PAP:
	case PPP_PROTO_CHAP:
		auth_input(p, f->proto, f->info, f->info_len);
		break;
	case PPP_PROTO_IPCP:
		if (p->cfg.ipcp && net)
			ppp_fsm_input(&p->ipcp, p->now, f->info, f->info_len);
		else if (p->cfg.ipcp)
			p->stats.rx_discarded++; /* §3.4: NCPs only in the network phase */
		else
			protocol_reject(p, f->proto, f->info, f->info_len);
		break;
	case PPP_PROTO_IPV6CP:
		if (p->cfg.ipv6cp && net)
			ppp_fsm_input(&p->ipv6cp, p->now, f->info, f->info_len);
		else if (p->cfg.ipv6cp)
			p->stats.rx_discarded++;
		else
			protocol_reject(p, f->proto, f->info, f->info_len);
		break;
	case PPP_PROTO_IP:
	case PPP_PROTO_IPV6:
		p->stats.rx_discarded++; /* data belongs to the dataplane */
		break;
	default:
		protocol_reject(p, f->proto, f->info, f->info_len);
		break;
	}
}

void
ppp_input(struct ppp *p, uint64_t now, const uint8_t *frame, size_t len)
{
	struct ppp_frame f;

	p->now = now;
	p->stats.rx_frames++;
	if (ppp_frame_parse(&f, frame, len) != PPP_PARSE_OK) {
		p->stats.rx_malformed++;
		return;
	}
	if (f.proto == PPP_PROTO_LCP && f.info_len >= 1 && f.info[0] == PPP_TERMREQ &&
	    p->lcp.state == PPP_FSM_OPENED && !p->down_pending && !p->down_reported) {
		p->reason = PPP_DOWN_USER_REQUEST; /* the subscriber hangs up */
		p->down_pending = true;
	}
	dispatch(p, &f);
	flush_down(p);
}

static void
echo_timeout(struct ppp *p, uint64_t now)
{
	if (now < p->echo_at || p->lcp.state != PPP_FSM_OPENED)
		return;
	if (p->echo_outstanding >= p->cfg.echo_failures) {
		PLOG(p, LOG_WARN, "LCP: %u Echo-Requests unanswered", p->echo_outstanding);
		ppp_fail(p, PPP_DOWN_ECHO_FAILURE);
		return;
	}
	if (p->echo_outstanding > 0)
		p->stats.echo_missed++;
	p->echo_outstanding++;
	lcp_send_echo(p);
	p->echo_at = now + p->cfg.echo_interval_ms;
}

uint64_t
ppp_next_timeout(const struct ppp *p)
{
	uint64_t t[] = { p->lcp.timer, p->ipcp.timer, p->ipv6cp.timer, auth_next_timeout(p),
			 p->echo_at };
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		next = t[i] < next ? t[i] : next;
	return next;
}

void
ppp_timeout(struct ppp *p, uint64_t now)
{
	p->now = now;
	ppp_fsm_timeout(&p->lcp, now);
	ppp_fsm_timeout(&p->ipcp, now);
	ppp_fsm_timeout(&p->ipv6cp, now);
	if (p->lcp.state == PPP_FSM_OPENED)
		auth_timeout(p, now);
	echo_timeout(p, now);
	flush_down(p);
}

void
ppp_close(struct ppp *p, uint64_t now, enum ppp_down_reason reason)
{
	p->now = now;
	if (p->down_reported)
		return;
	p->reason = reason;
	ppp_fsm_close(&p->lcp, now); /* DOWN when LCP has finished (tlf) */
	if (p->lcp.state == PPP_FSM_INITIAL || p->lcp.state == PPP_FSM_CLOSED)
		p->down_pending = true;
	flush_down(p);
}

void
ppp_lower_down(struct ppp *p, uint64_t now, enum ppp_down_reason reason)
{
	p->now = now;
	if (p->down_reported)
		return;
	if (!p->down_pending)
		p->reason = reason;
	p->down_pending = true;
	ppp_fsm_down(&p->lcp, now);
	ppp_set_phase(p, PPP_PHASE_DEAD);
	flush_down(p);
}

void
ppp_auth_done(struct ppp *p, uint64_t now, const struct ppp_auth_result *r)
{
	p->now = now;
	auth_aaa_done(p, r);
	flush_down(p);
}

const struct ppp_state *
ppp_state(const struct ppp *p)
{
	return &p->st;
}

const struct ppp_stats *
ppp_stats(const struct ppp *p)
{
	return &p->stats;
}

const struct ppp_fsm *
ppp_lcp(const struct ppp *p)
{
	return &p->lcp;
}

const struct ppp_fsm *
ppp_ipcp(const struct ppp *p)
{
	return &p->ipcp;
}

const struct ppp_fsm *
ppp_ipv6cp(const struct ppp *p)
{
	return &p->ipv6cp;
}

void
ppp_set_udata(struct ppp *p, void *udata)
{
	p->udata = udata;
}

void *
ppp_udata(const struct ppp *p)
{
	return p->udata;
}
