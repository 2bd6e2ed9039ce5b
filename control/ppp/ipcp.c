/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPCP (RFC 1332) with DNS addresses (RFC 1877). The server gives the
 * address AAA decided (or lets the peer keep its own, as the seed's RADIUS
 * does with Framed-IP-Address 255.255.255.255) and rejects VJ compression;
 * the client asks for 0.0.0.0 and takes what it is told.
 */
#include <stdio.h>
#include <string.h>

#include "byteorder.h"
#include "inet.h"
#include "ppp_internal.h"

enum {
	IPCP_OPT_ADDRESSES = 1,
	IPCP_OPT_COMPRESSION = 2,
	IPCP_OPT_ADDRESS = 3,
	IPCP_OPT_DNS1 = 129,
	IPCP_OPT_NBNS1 = 130,
	IPCP_OPT_DNS2 = 131,
	IPCP_OPT_NBNS2 = 132,
};

static int
dns_index(uint8_t type)
{
	return type == IPCP_OPT_DNS1 ? 0 : type == IPCP_OPT_DNS2 ? 1 : -1;
}

static void
ipcp_reset(struct ppp_fsm *f)
{
	struct ppp *p = fsm_ppp(f);

	if (p->cfg.role == PPP_ROLE_CLIENT) {
		p->ip.want_addr = 0;
		p->ip.want_dns[0] = p->ip.want_dns[1] = 0;
		p->ip.dns_rejected[0] = p->ip.dns_rejected[1] = !p->cfg.client_wants_dns;
	}
}

static void
ipcp_add_request(struct ppp_fsm *f, struct ppp_writer *w)
{
	struct ppp *p = fsm_ppp(f);

	if (p->cfg.role == PPP_ROLE_SERVER) {
		if (p->cfg.local_ipv4)
			ppp_w_opt_u32(w, IPCP_OPT_ADDRESS, p->cfg.local_ipv4);
		return;
	}
	ppp_w_opt_u32(w, IPCP_OPT_ADDRESS, p->ip.want_addr);
	if (!p->ip.dns_rejected[0])
		ppp_w_opt_u32(w, IPCP_OPT_DNS1, p->ip.want_dns[0]);
	if (!p->ip.dns_rejected[1])
		ppp_w_opt_u32(w, IPCP_OPT_DNS2, p->ip.want_dns[1]);
}

static void
ipcp_got_nak(struct ppp_fsm *f, const uint8_t *opts, size_t len)
{
	struct ppp *p = fsm_ppp(f);
	struct ppp_opt o;
	size_t pos = 0;

	if (p->cfg.role == PPP_ROLE_SERVER)
		return; /* our own address is ours to choose */
	while (ppp_opt_next(opts, len, &pos, &o) > 0) {
		if (o.len != 6)
			continue;
		if (o.type == IPCP_OPT_ADDRESS)
			p->ip.want_addr = get_be32(o.val);
		else if (dns_index(o.type) >= 0)
			p->ip.want_dns[dns_index(o.type)] = get_be32(o.val);
	}
}

static void
ipcp_got_rej(struct ppp_fsm *f, const uint8_t *opts, size_t len)
{
	struct ppp *p = fsm_ppp(f);
	struct ppp_opt o;
	size_t pos = 0;

	while (ppp_opt_next(opts, len, &pos, &o) > 0) {
		if (dns_index(o.type) >= 0)
			p->ip.dns_rejected[dns_index(o.type)] = true;
		else if (o.type == IPCP_OPT_ADDRESS && p->cfg.role == PPP_ROLE_SERVER)
			p->cfg.local_ipv4 = 0; /* stop offering ours */
	}
}

/*
 * The subscriber's IP-Address: the one AAA chose, or its own when AAA lets
 * it choose, but never ours (both ends would route it over the link).
 * After Max-Failure Naks the peer is still asking for something
 * else: the session ends (RFC 1661 §4.6 would reject, which leaves the
 * subscriber without an address).
 */
static bool
peer_address(struct ppp *p, uint32_t asked, struct ppp_writer *nak, bool may_nak)
{
	char a[16], want[16];

	inet4_str(asked, a);
	if (p->ip.assigned != 0 && p->ip.assigned == p->cfg.local_ipv4) {
		inet4_str(p->ip.assigned, want);
		PLOG(p, LOG_WARN, "IPCP: the address for the peer, %s, is our own", want);
		ppp_fail(p, PPP_DOWN_NAS_ERROR);
		return false;
	}
	if (asked != 0 && asked != p->cfg.local_ipv4 &&
	    (p->ip.peer_may_choose || asked == p->ip.assigned)) {
		p->st.peer_ipv4 = asked;
		PLOG(p, LOG_INFO, "IPCP: Her address %s, we want %s", a, a);
		return true;
	}
	if (p->ip.assigned == 0) {
		PLOG(p, LOG_WARN, "IPCP: no address to give the peer");
		ppp_fail(p, PPP_DOWN_NAS_ERROR);
		return false;
	}
	inet4_str(p->ip.assigned, want);
	PLOG(p, LOG_INFO, "IPCP: Her address %s, we want %s", a, want);
	if (!may_nak) {
		PLOG(p, LOG_WARN, "IPCP: peer insists on %s after %u Naks", a,
		     p->cfg.fsm.max_failure);
		ppp_fail(p, PPP_DOWN_NEGOTIATION_FAILED);
		return false;
	}
	ppp_w_opt_u32(nak, IPCP_OPT_ADDRESS, p->ip.assigned);
	return false;
}

static enum ppp_cr_verdict
server_request(struct ppp *p, const uint8_t *opts, size_t len, struct ppp_writer *reply,
	       bool may_nak)
{
	struct ppp_cr_answer a;
	struct ppp_opt o;
	size_t pos = 0;
	bool has_addr = false;

	ppp_cr_answer_init(&a);
	while (ppp_opt_next(opts, len, &pos, &o) > 0) {
		int d = dns_index(o.type);

		if (o.type == IPCP_OPT_ADDRESS && o.len == 6) {
			has_addr = true;
			peer_address(p, get_be32(o.val), &a.wnak, may_nak);
		} else if (d >= 0 && o.len == 6 && p->st.dns[d] != 0) {
			if (get_be32(o.val) != p->st.dns[d] && may_nak)
				ppp_w_opt_u32(&a.wnak, o.type, p->st.dns[d]);
		} else {
			ppp_cr_reject(&a, &o); /* VJ compression (as the seed's LNS), NBNS, … */
		}
	}
	if (!has_addr && p->ip.assigned != 0 && !p->ip.peer_may_choose && may_nak)
		ppp_w_opt_u32(&a.wnak, IPCP_OPT_ADDRESS, p->ip.assigned); /* ask for it (§4.1) */
	return ppp_cr_answer_finish(&a, opts, len, reply);
}

static enum ppp_cr_verdict
client_request(struct ppp *p, const uint8_t *opts, size_t len, struct ppp_writer *reply)
{
	struct ppp_cr_answer a;
	struct ppp_opt o;
	size_t pos = 0;

	ppp_cr_answer_init(&a);
	while (ppp_opt_next(opts, len, &pos, &o) > 0) {
		if (o.type == IPCP_OPT_ADDRESS && o.len == 6)
			p->st.peer_ipv4 = get_be32(o.val);
		else
			ppp_cr_reject(&a, &o);
	}
	return ppp_cr_answer_finish(&a, opts, len, reply);
}

static enum ppp_cr_verdict
ipcp_got_request(struct ppp_fsm *f, const uint8_t *opts, size_t len, struct ppp_writer *reply,
		 bool may_nak)
{
	struct ppp *p = fsm_ppp(f);

	if (p->cfg.role == PPP_ROLE_SERVER)
		return server_request(p, opts, len, reply, may_nak);
	return client_request(p, opts, len, reply);
}

static void
ipcp_up(struct ppp_fsm *f)
{
	struct ppp *p = fsm_ppp(f);
	struct ppp_event ev = { .type = PPP_EV_NETWORK_UP, .proto = PPP_PROTO_IPCP };
	char a[16];

	if (p->cfg.role == PPP_ROLE_SERVER) {
		p->st.our_ipv4 = p->cfg.local_ipv4;
		inet4_str(p->st.peer_ipv4, a);
		PLOG(p, LOG_INFO, "IPCP: Install route to %s", a);
	} else {
		p->st.our_ipv4 = p->ip.want_addr;
		p->st.dns[0] = p->ip.dns_rejected[0] ? 0 : p->ip.want_dns[0];
		p->st.dns[1] = p->ip.dns_rejected[1] ? 0 : p->ip.want_dns[1];
	}
	p->st.ipv4_up = true;
	ppp_event(p, &ev);
}

static void
ipcp_down(struct ppp_fsm *f)
{
	struct ppp *p = fsm_ppp(f);
	struct ppp_event ev = { .type = PPP_EV_NETWORK_DOWN, .proto = PPP_PROTO_IPCP };
	char a[16];

	if (p->cfg.role == PPP_ROLE_SERVER) {
		inet4_str(p->st.peer_ipv4, a);
		PLOG(p, LOG_INFO, "IPCP: Remove route to %s", a);
	}
	p->st.ipv4_up = false;
	ppp_event(p, &ev);
}

static void
ipcp_finished(struct ppp_fsm *f)
{
	struct ppp *p = fsm_ppp(f);

	/* IPCP gave up: without IPv6 either there is nothing left to carry */
	if (f->failed && !p->st.ipv6_up && p->lcp.state == PPP_FSM_OPENED)
		ppp_fail(p, PPP_DOWN_NEGOTIATION_FAILED);
}

static void
ipcp_describe(struct ppp_fsm *f, const struct ppp_opt *o, char *out, size_t cap)
{
	char a[16];

	(void)f;
	if (o->len == 6)
		inet4_str(get_be32(o->val), a);
	else
		snprintf(a, sizeof(a), "?");
	switch (o->type) {
	case IPCP_OPT_ADDRESS:
		snprintf(out, cap, "Address %s", a);
		break;
	case IPCP_OPT_COMPRESSION:
		if (o->len >= 6 && get_be16(o->val) == 0x002d)
			snprintf(out, cap, "CompressType VJ %u slots", o->val[2]);
		else
			snprintf(out, cap, "CompressType");
		break;
	case IPCP_OPT_DNS1:
		snprintf(out, cap, "PrimaryDNS %s", a);
		break;
	case IPCP_OPT_DNS2:
		snprintf(out, cap, "SecondaryDNS %s", a);
		break;
	default:
		snprintf(out, cap, "Option %u", o->type);
		break;
	}
}

const struct ppp_fsm_ops ipcp_ops = {
	.reset = ipcp_reset,
	.add_request = ipcp_add_request,
	.got_nak = ipcp_got_nak,
	.got_rej = ipcp_got_rej,
	.got_request = ipcp_got_request,
	.up = ipcp_up,
	.down = ipcp_down,
	.finished = ipcp_finished,
	.describe = ipcp_describe,
	.send = ppp_fsm_send,
};
