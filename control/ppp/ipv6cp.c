/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPv6CP (RFC 5072): Interface-Identifier negotiation. A zero or colliding
 * identifier from the peer is answered with a Nak carrying a fresh one
 * (§4.1); ours, when nak'd, takes the peer's suggestion unless it collides.
 */
#include <stdio.h>
#include <string.h>

#include "byteorder.h"
#include "ppp_internal.h"

enum { IPV6CP_OPT_IID = 1 };

static bool
iid_zero(const uint8_t iid[8])
{
	static const uint8_t zero[8];

	return memcmp(iid, zero, 8) == 0;
}

static void
new_iid(struct ppp *p, uint8_t out[8], const uint8_t avoid[8])
{
	do {
		ppp_random(p, out, 8);
	} while (iid_zero(out) || memcmp(out, avoid, 8) == 0);
}

static void
ipv6cp_reset(struct ppp_fsm *f)
{
	struct ppp *p = fsm_ppp(f);

	p->ip6.iid_rejected = false;
	if (iid_zero(p->st.our_iid))
		new_iid(p, p->st.our_iid, p->st.peer_iid);
}

static void
ipv6cp_add_request(struct ppp_fsm *f, struct ppp_writer *w)
{
	struct ppp *p = fsm_ppp(f);

	if (!p->ip6.iid_rejected)
		ppp_w_opt(w, IPV6CP_OPT_IID, p->st.our_iid, 8);
}

static void
ipv6cp_got_nak(struct ppp_fsm *f, const uint8_t *opts, size_t len)
{
	struct ppp *p = fsm_ppp(f);
	struct ppp_opt o;
	size_t pos = 0;

	while (ppp_opt_next(opts, len, &pos, &o) > 0) {
		if (o.type != IPV6CP_OPT_IID || o.len != 10)
			continue;
		if (!iid_zero(o.val) && memcmp(o.val, p->st.peer_iid, 8) != 0)
			memcpy(p->st.our_iid, o.val, 8);
		else
			new_iid(p, p->st.our_iid, p->st.peer_iid);
	}
}

static void
ipv6cp_got_rej(struct ppp_fsm *f, const uint8_t *opts, size_t len)
{
	struct ppp *p = fsm_ppp(f);
	struct ppp_opt o;
	size_t pos = 0;

	while (ppp_opt_next(opts, len, &pos, &o) > 0)
		if (o.type == IPV6CP_OPT_IID)
			p->ip6.iid_rejected = true;
}

static enum ppp_cr_verdict
ipv6cp_got_request(struct ppp_fsm *f, const uint8_t *opts, size_t len, struct ppp_writer *reply,
		   bool may_nak)
{
	struct ppp *p = fsm_ppp(f);
	struct ppp_cr_answer a;
	struct ppp_opt o;
	size_t pos = 0;

	ppp_cr_answer_init(&a);
	while (ppp_opt_next(opts, len, &pos, &o) > 0) {
		if (o.type != IPV6CP_OPT_IID || o.len != 10) {
			ppp_cr_reject(&a, &o);
		} else if (iid_zero(o.val) || memcmp(o.val, p->st.our_iid, 8) == 0) {
			uint8_t suggest[8];

			new_iid(p, suggest, p->st.our_iid);
			if (may_nak)
				ppp_w_opt(&a.wnak, IPV6CP_OPT_IID, suggest, 8);
			else
				ppp_cr_reject(&a, &o);
		} else {
			memcpy(p->st.peer_iid, o.val, 8);
		}
	}
	return ppp_cr_answer_finish(&a, opts, len, reply);
}

static void
ipv6cp_up(struct ppp_fsm *f)
{
	struct ppp *p = fsm_ppp(f);
	struct ppp_event ev = { .type = PPP_EV_NETWORK_UP, .proto = PPP_PROTO_IPV6CP };

	p->st.ipv6_up = true;
	ppp_event(p, &ev);
}

static void
ipv6cp_down(struct ppp_fsm *f)
{
	struct ppp *p = fsm_ppp(f);
	struct ppp_event ev = { .type = PPP_EV_NETWORK_DOWN, .proto = PPP_PROTO_IPV6CP };

	p->st.ipv6_up = false;
	ppp_event(p, &ev);
}

static void
ipv6cp_describe(struct ppp_fsm *f, const struct ppp_opt *o, char *out, size_t cap)
{
	(void)f;
	if (o->type == IPV6CP_OPT_IID && o->len == 10)
		snprintf(out, cap, "InterfaceId %02x%02x:%02x%02x:%02x%02x:%02x%02x", o->val[0],
			 o->val[1], o->val[2], o->val[3], o->val[4], o->val[5], o->val[6],
			 o->val[7]);
	else
		snprintf(out, cap, "Option %u", o->type);
}

const struct ppp_fsm_ops ipv6cp_ops = {
	.reset = ipv6cp_reset,
	.add_request = ipv6cp_add_request,
	.got_nak = ipv6cp_got_nak,
	.got_rej = ipv6cp_got_rej,
	.got_request = ipv6cp_got_request,
	.up = ipv6cp_up,
	.down = ipv6cp_down,
	.describe = ipv6cp_describe,
	.send = ppp_fsm_send,
};
