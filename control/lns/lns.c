/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The glue of the control lcore: L2TP events start and end PPP, PPP asks
 * for authentication and an address, IPCP open publishes the session to
 * the workers, and either side's end takes everything down once.
 */
#include "lns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission.h"
#include "l2tp_wire.h"
#include "lns_hmap.h"
#include "lns_log.h"
#include "local_auth.h"
#include "nd.h"
#include "pool.h"
#include "ppp.h"
#include "ppp_wire.h"

struct lns;

/* What a RADIUS call keeps for its accounting records. */
struct radius_call {
	struct aaa_call call;
	uint8_t class_[AAA_CLASS_MAX];
	uint8_t class_len;
	struct aaa_route4 routes[AAA_MAX_ROUTES];
	uint8_t n_routes;
};

/* One subscriber call: the L2TP session's udata, the PPP session's ctx. */
struct lns_call {
	struct lns *l;
	struct l2tp_session *s; /* NULL once L2TP has let go */
	struct ppp *ppp;
	uint16_t tunnel_id, session_id;
	struct pool *pool; /* where addr came from; NULL: not from a pool */
	uint32_t addr;
	uint32_t local_ip; /* ours in IPCP, the profile's when the call started */
	bool published, admitted, dead;
	bool sequencing_always; /* the profile's, when the call started */
	struct lns_call *next;	/* dead list, or pending AAA answers */
	struct ppp_auth_result answer;
	char auth_resp[MSCHAPV2_AUTH_RESP_LEN + 1];
	bool answer_pending;
	/* RADIUS */
	bool radius;	  /* the profile's aaa, when the call started */
	bool aaa_waiting; /* an Access-Request is out */
	bool realm_strip;
	uint32_t generation;
	uint32_t tx_speed, rx_speed; /* from the ICCN */
	char message[AAA_STR_MAX * 2];
	struct radius_call *rc; /* NULL unless radius */
	bool acct_started;
	uint64_t session_timeout_ms; /* RADIUS's Session-Timeout, counted from IPCP open */
	uint64_t start_ms, deadline_ms, idle_ms, interim_ms, next_interim_ms, next_idle_check_ms;
	uint64_t idle_since_ms, last_activity; /* packets seen at the last idle check */
	/*
	 * IPv6: a /64 out of a pool's prefix6, the call's until it ends (an
	 * IPv6CP that closes and opens again gets the same one back), and
	 * advertised while IPv6CP is open.
	 */
	bool v6_up, ra_on;
	struct pool *pool6; /* where prefix6_n came from; NULL: returns nowhere */
	uint32_t prefix6_n;
	uint8_t prefix6[8];
	struct nd_sub nd;
	struct nd_ra_cfg ra_cfg; /* the profile's, when IPv6CP opened */
};

/*
 * PPP frames that overtake the ICCN. A LAC may start PPP once it has the
 * ICRP while its ICCN still waits for room in the control window, so the
 * subscriber's first Configure-Request can reach us before the call is
 * connected; dropping it would cost the subscriber a 3 s restart. A few
 * are held, in a ring that overwrites its oldest, and replayed when PPP
 * starts.
 */
#define EARLY_SLOTS   LNS_EARLY_FRAMES
#define EARLY_MAX_LEN 256

struct early_frame {
	uint32_t key; /* call_key(); 0: empty (tunnel ID 0 is never ours) */
	uint16_t len;
	uint8_t data[EARLY_MAX_LEN];
};

struct lns {
	const struct lns_config *cfg;
	const struct lns_ops *ops;
	void *ctx;
	struct l2tp_engine *engine;
	struct pool **pools;	   /* as cfg->pools, then their prefix6 (pools6()) */
	struct lns_hmap admission; /* tunnel ID -> struct admission */
	struct lns_hmap calls;	   /* tunnel << 16 | session -> struct lns_call */
	struct lns_hmap peers;	   /* LAC IPv4 address -> struct lns_peer_health */
	struct lns_call *dead, *answers;
	struct early_frame early[EARLY_SLOTS];
	unsigned early_next; /* the oldest slot, written next */
	unsigned early_n;    /* slots in use: most calls find none to scan for */
	uint64_t now;
	uint32_t boot_id, next_generation; /* Acct-Session-Id: unique across restarts */
	struct aaa_auth_request aaa_req;   /* scratch: the ops copy what they keep */
	struct aaa_acct_request acct_req;
	struct lns_stats stats;
};

static const struct ppp_ops call_ppp_ops;
static void settle(struct lns *l);

static uint32_t
call_key(uint16_t t, uint16_t s)
{
	return (uint32_t)t << 16 | s;
}

static struct pool *
pool_named(struct lns *l, const char *name)
{
	for (unsigned i = 0; i < l->cfg->n_pools; i++)
		if (strcmp(l->cfg->pools[i].name, name) == 0)
			return l->pools[i];
	return NULL;
}

/* A pool's prefix6 as /64 numbers: pools[n_pools + i], NULL without a prefix6. */
static struct pool **
pools6(struct lns *l)
{
	return l->pools + l->cfg->n_pools;
}

static uint64_t
be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* The /64 numbered n (from 1) of a pool's prefix6, first 8 bytes as on the wire. */
static void
prefix6_of(const struct cfg_pool *p, uint32_t n, uint8_t out[8])
{
	uint64_t v = be64(p->prefix6) + n - 1;

	put_be32(out, (uint32_t)(v >> 32));
	put_be32(out + 4, (uint32_t)v);
}

/* Which /64 of the pool's prefix6 this is; 0: outside it. */
static uint32_t
prefix6_number(const struct cfg_pool *p, const uint8_t prefix[8])
{
	uint64_t off = be64(prefix) - be64(p->prefix6);
	unsigned bits = 64u - p->prefix6_len;

	return p->prefix6_len && off < (1ull << bits) && off + 1 < (1u << 24) ? (uint32_t)off + 1
									      : 0;
}

static const struct cfg_profile *
profile_of(struct lns *l, struct l2tp_tunnel *t)
{
	const char *host = l2tp_tunnel_peer_name(t);
	const struct l2tp_addr *a = l2tp_tunnel_peer(t);

	return cfg_find_profile(l->cfg, host, strlen(host), get_be32(a->ip));
}

/* Engine callbacks */

static void
eng_tx(void *ctx, const struct l2tp_addr *peer, const uint8_t *pkt, size_t len)
{
	struct lns *l = ctx;

	l->ops->udp_send(l->ctx, peer, pkt, len);
}

static bool
eng_policy(void *ctx, const uint8_t *host, size_t host_len, const struct l2tp_addr *peer,
	   struct l2tp_tunnel_params *out)
{
	struct lns *l = ctx;
	const struct cfg_profile *p =
		cfg_find_profile(l->cfg, (const char *)host, host_len, get_be32(peer->ip));

	if (p == NULL) {
		LOG(L2TP, LOG_WARN, "L2TP: no profile for host %.*s and no default profile",
		    (int)host_len, (const char *)host);
		return false;
	}
	memset(out, 0, sizeof(*out));
	out->secret_len = (uint8_t)strnlen(p->secret, sizeof(out->secret));
	memcpy(out->secret, p->secret, out->secret_len);
	out->hello_interval_ms = p->send_hello ? p->hello_interval_s * 1000 : 0;
	out->rx_window = p->rx_window;
	out->max_sessions = p->max_sessions;
	out->tolerate_unknown_mandatory = p->tolerate_unknown_mandatory_avp;
	if (l->cfg->l2tp.hide_avps && out->secret_len > 0)
		out->hide_mask = UINT64_C(1) << L2TP_AVP_ASSIGNED_TUNNEL_ID |
				 UINT64_C(1) << L2TP_AVP_ASSIGNED_SESSION_ID;
	return true;
}

static void
eng_random(void *ctx, void *buf, size_t len)
{
	struct lns *l = ctx;

	l->ops->random(l->ctx, buf, len);
}

static bool
eng_admit(void *ctx, struct l2tp_tunnel *t)
{
	struct lns *l = ctx;
	struct admission *a = lns_hmap_get(&l->admission, l2tp_tunnel_id(t));

	if (a == NULL) {
		const struct cfg_profile *p = profile_of(l, t);

		a = calloc(1, sizeof(*a));
		if (a == NULL || lns_hmap_put(&l->admission, l2tp_tunnel_id(t), a) != 0) {
			free(a);
			return false;
		}
		admission_init(a, p ? p->setup_rate : 0, p ? p->max_in_setup : 0, l->now);
	}
	if (admission_try(a, l->now))
		return true;
	l->stats.admission_refused++;
	return false;
}

static void
admission_release(struct lns_call *c)
{
	struct admission *a;

	if (!c->admitted)
		return;
	c->admitted = false;
	a = lns_hmap_get(&c->l->admission, c->tunnel_id);
	if (a != NULL)
		admission_done(a);
}

static void
ppp_cfg_from_profile(struct lns *l, const struct cfg_profile *p, struct ppp_cfg *pc, uint16_t tid,
		     uint16_t sid)
{
	static const enum ppp_auth_proto map[] = { [CFG_AUTH_PAP] = PPP_AUTH_PAP,
						   [CFG_AUTH_CHAP] = PPP_AUTH_CHAP_MD5,
						   [CFG_AUTH_MSCHAPV2] = PPP_AUTH_MSCHAPV2 };
	static const enum ppp_lcp_renegotiate reneg[] = {
		[CFG_RENEG_ON_MISMATCH] = PPP_LCP_RENEGOTIATE_ON_MISMATCH,
		[CFG_RENEG_NEVER] = PPP_LCP_RENEGOTIATE_NEVER,
		[CFG_RENEG_ALWAYS] = PPP_LCP_RENEGOTIATE_ALWAYS,
	};

	ppp_cfg_defaults(pc, PPP_ROLE_SERVER);
	snprintf(pc->trace, sizeof(pc->trace), "Tnl/Cl %u/%u", tid, sid);
	snprintf(pc->name, sizeof(pc->name), "%s", l->cfg->l2tp.host_name);
	pc->local_ipv4 = l->cfg->ppp.local_address;
	if (p == NULL)
		return;
	pc->local_ipv4 = p->local_address;
	pc->n_auth = (uint8_t)p->n_auth;
	for (unsigned i = 0; i < p->n_auth; i++)
		pc->auth[i] = map[p->auth[i]];
	pc->mru = p->mru;
	pc->lcp_renegotiate = reneg[p->lcp_renegotiate];
	pc->accept_proxy_auth = p->proxy_auth;
	pc->ipv6cp = p->ipv6;
}

static void
take_bytes(const struct l2tp_msg *m, unsigned type, const uint8_t **ptr, uint16_t *len)
{
	if (l2tp_msg_has(m, type)) {
		*ptr = m->avp[type].ptr;
		*len = m->avp[type].len;
	}
}

/* The ICCN's proxy LCP and proxy authentication, as PPP takes them. */
static void
proxy_from_iccn(const struct l2tp_msg *m, struct ppp_proxy *x)
{
	memset(x, 0, sizeof(*x));
	if (m == NULL || m->type != L2TP_MSG_ICCN)
		return;
	take_bytes(m, L2TP_AVP_INITIAL_RCVD_LCP_CONFREQ, &x->initial_rcvd, &x->initial_rcvd_len);
	take_bytes(m, L2TP_AVP_LAST_SENT_LCP_CONFREQ, &x->last_sent, &x->last_sent_len);
	take_bytes(m, L2TP_AVP_LAST_RCVD_LCP_CONFREQ, &x->last_rcvd, &x->last_rcvd_len);
	x->auth_type = (uint16_t)l2tp_msg_num(m, L2TP_AVP_PROXY_AUTHEN_TYPE);
	x->auth_id = (uint8_t)l2tp_msg_num(m, L2TP_AVP_PROXY_AUTHEN_ID);
	take_bytes(m, L2TP_AVP_PROXY_AUTHEN_NAME, &x->auth_name, &x->auth_name_len);
	take_bytes(m, L2TP_AVP_PROXY_AUTHEN_CHALLENGE, &x->auth_challenge, &x->auth_challenge_len);
	take_bytes(m, L2TP_AVP_PROXY_AUTHEN_RESPONSE, &x->auth_response, &x->auth_response_len);
}

static void
early_hold(struct lns *l, uint32_t key, const uint8_t *frame, size_t len)
{
	struct early_frame *e = &l->early[l->early_next];

	if (len > EARLY_MAX_LEN) {
		l->stats.rx_ppp_early_dropped++;
		return;
	}
	if (e->key != 0)
		l->stats.rx_ppp_early_dropped++;
	else
		l->early_n++;
	e->key = key;
	e->len = (uint16_t)len;
	memcpy(e->data, frame, len);
	l->early_next = (l->early_next + 1) % EARLY_SLOTS;
	l->stats.rx_ppp_early_held++;
}

/* Oldest first; a call that dies on the way gets no more. */
static void
early_replay(struct lns *l, struct lns_call *c)
{
	uint32_t key = call_key(c->tunnel_id, c->session_id);

	for (unsigned i = 0; i < EARLY_SLOTS && l->early_n > 0; i++) {
		struct early_frame *e = &l->early[(l->early_next + i) % EARLY_SLOTS];

		if (e->key != key)
			continue;
		e->key = 0;
		l->early_n--;
		if (!c->dead)
			ppp_input(c->ppp, l->now, e->data, e->len);
	}
}

static void
early_forget(struct lns *l, uint32_t key)
{
	for (unsigned i = 0; i < EARLY_SLOTS && l->early_n > 0; i++)
		if (l->early[i].key == key) {
			l->early[i].key = 0;
			l->early_n--;
		}
}

static void
call_start(struct lns *l, const struct l2tp_event *ev)
{
	struct l2tp_session *s = ev->session;
	struct l2tp_tunnel *t = ev->tunnel;
	uint16_t tid = l2tp_tunnel_id(t), sid = l2tp_session_id(s);
	struct lns_call *c = calloc(1, sizeof(*c));
	const struct cfg_profile *p = profile_of(l, t);
	struct ppp_cfg pc;
	struct ppp_proxy proxy;

	if (c == NULL) {
		l2tp_session_close(s, l->now, L2TP_CDN_NO_FACILITIES_TEMP, L2TP_ERR_NO_RESOURCES,
				   "out of memory");
		return;
	}
	c->l = l;
	c->s = s;
	c->tunnel_id = tid;
	c->session_id = sid;
	c->admitted = true;
	c->sequencing_always = p != NULL && p->sequencing == CFG_SEQ_ALWAYS;
	c->generation = ++l->next_generation;
	c->radius = p != NULL && p->aaa == CFG_AAA_RADIUS;
	c->realm_strip = p != NULL && p->realm == CFG_REALM_STRIP;
	if (ev->msg != NULL) {
		c->tx_speed = l2tp_msg_num(ev->msg, L2TP_AVP_TX_CONNECT_SPEED);
		c->rx_speed = l2tp_msg_num(ev->msg, L2TP_AVP_RX_CONNECT_SPEED);
	}
	ppp_cfg_from_profile(l, p, &pc, tid, sid);
	c->local_ip = pc.local_ipv4;
	c->ppp = ppp_create(&pc, &call_ppp_ops, c);
	if (c->ppp == NULL || lns_hmap_put(&l->calls, call_key(tid, sid), c) != 0) {
		ppp_destroy(c->ppp);
		free(c);
		l2tp_session_close(s, l->now, L2TP_CDN_NO_FACILITIES_TEMP, L2TP_ERR_NO_RESOURCES,
				   "out of memory");
		return;
	}
	l2tp_session_set_udata(s, c);
	proxy_from_iccn(ev->msg, &proxy);
	ppp_start(c->ppp, l->now, &proxy);
	early_replay(l, c);
}

/*
 * Peers are remembered by address, at most LNS_MAX_PEERS of them: SCCRQs
 * from ever new (perhaps spoofed) addresses must not grow this without
 * bound, so past it they share one entry, address 0.0.0.0, "(others)".
 */
#define LNS_MAX_PEERS 4096

static struct lns_peer_health *
peer_health(struct lns *l, struct l2tp_tunnel *t)
{
	uint32_t addr = get_be32(l2tp_tunnel_peer(t)->ip);
	struct lns_peer_health *h = lns_hmap_get(&l->peers, addr);

	if (h == NULL && lns_hmap_count(&l->peers) >= LNS_MAX_PEERS) {
		addr = 0;
		h = lns_hmap_get(&l->peers, addr);
	}
	if (h == NULL) {
		h = calloc(1, sizeof(*h));
		if (h == NULL || lns_hmap_put(&l->peers, addr, h) != 0) {
			free(h);
			return NULL;
		}
		h->addr = addr;
	}
	snprintf(h->host, sizeof(h->host), "%s", addr != 0 ? l2tp_tunnel_peer_name(t) : "(others)");
	return h;
}

/* How a call or tunnel ended, counted per peer and Result Code, each way. */
static void
count_ending(struct lns *l, const struct l2tp_event *ev)
{
	struct lns_peer_health *h = peer_health(l, ev->tunnel);
	unsigned b = ev->result < LNS_RESULT_BUCKETS ? ev->result : LNS_RESULT_BUCKETS - 1;

	if (h == NULL)
		return;
	if (ev->type == L2TP_EV_SESSION_DOWN) {
		h->calls_down++;
		(ev->by_peer ? h->cdn_rx : h->cdn_tx)[b]++;
	} else {
		h->tunnels_down++;
		(ev->by_peer ? h->stopccn_rx : h->stopccn_tx)[b]++;
	}
}

static void
eng_event(void *ctx, const struct l2tp_event *ev)
{
	struct lns *l = ctx;
	struct lns_call *c = ev->session ? l2tp_session_udata(ev->session) : NULL;

	if (ev->type == L2TP_EV_SESSION_DOWN || ev->type == L2TP_EV_TUNNEL_DOWN)
		count_ending(l, ev);

	switch (ev->type) {
	case L2TP_EV_SESSION_UP:
		call_start(l, ev);
		break;
	case L2TP_EV_SESSION_DOWN:
		if (c != NULL) {
			c->s = NULL; /* L2TP has let go: no CDN from us */
			ppp_lower_down(c->ppp, l->now, PPP_DOWN_LOST_CARRIER);
		} else if (ev->session != NULL) {
			struct admission *a =
				lns_hmap_get(&l->admission, l2tp_tunnel_id(ev->tunnel));

			early_forget(l, call_key(l2tp_tunnel_id(ev->tunnel),
						 l2tp_session_id(ev->session)));
			if (a != NULL) /* admitted, never up */
				admission_done(a);
		}
		break;
	case L2TP_EV_TUNNEL_DOWN:
		free(lns_hmap_del(&l->admission, l2tp_tunnel_id(ev->tunnel)));
		break;
	default:
		break;
	}
}

/* Whether our data messages carry Ns/Nr: the LAC's demand, or the profile's "always". */
static bool
call_sequencing(const struct lns_call *c)
{
	return l2tp_session_sequencing(c->s) || c->sequencing_always;
}

/* PPP callbacks */

static void
call_send(void *ctx, const uint8_t *frame, size_t len)
{
	struct lns_call *c = ctx;
	uint8_t buf[1600];
	struct l2tp_data_hdr_opts o = { 0 };
	size_t h;
	struct l2tp_tunnel *t;

	if (c->s == NULL)
		return;
	t = l2tp_session_tunnel(c->s);
	o.length = o.sequence = call_sequencing(c);
	h = l2tp_hdr_put_data(buf, sizeof(buf), l2tp_tunnel_peer_id(t), l2tp_session_peer_id(c->s),
			      len, &o);
	if (h == 0 || h + len > sizeof(buf))
		return;
	memcpy(buf + h, frame, len);
	c->l->ops->udp_send(c->l->ctx, l2tp_tunnel_peer(t), buf, h + len);
}

/* The Router Advertisement due now, if one is. */
static void
call_send_ra(struct lns_call *c)
{
	uint8_t f[4 + ND_RA_MAX_LEN] = { PPP_ADDRESS, PPP_CONTROL, PPP_PROTO_IPV6 >> 8,
					 PPP_PROTO_IPV6 & 0xff };
	size_t n = nd_sub_ra(&c->nd, &c->ra_cfg, c->l->now, f + 4);

	if (n > 0) {
		call_send(c, f, 4 + n);
		c->l->stats.ra_sent++;
	}
}

/*
 * The subscriber's address: fixed (from the user or RADIUS), its own
 * choice (255.255.255.255, with a pool address to suggest), or from the
 * pool (0, or RADIUS's 255.255.255.254).
 */
static bool
choose_address(struct lns_call *c, uint32_t want, struct pool *pool, struct ppp_auth_result *r)
{
	c->pool = pool;
	if (want != 0 && want != AAA_IP_USER_CHOOSES && want != AAA_IP_FROM_POOL) {
		if (c->pool != NULL && pool_take(c->pool, want) != 0)
			c->pool = NULL; /* outside the pool, or already taken: fixed as is */
		c->addr = want;
		r->ipv4 = want;
		return true;
	}
	r->peer_may_choose = want == AAA_IP_USER_CHOOSES;
	c->addr = c->pool != NULL ? pool_alloc(c->pool) : 0;
	if (c->addr == 0)
		c->pool = NULL;
	r->ipv4 = c->addr;
	return c->addr != 0 || r->peer_may_choose;
}

static struct pool *
profile_pool(struct lns_call *c, const struct cfg_profile *p)
{
	return p != NULL && p->pool[0] ? pool_named(c->l, p->pool) : NULL;
}

static void
offer_dns(struct ppp_auth_result *r, const struct cfg_profile *p)
{
	if (p != NULL) {
		r->dns[0] = p->n_dns > 0 ? p->dns[0] : 0;
		r->dns[1] = p->n_dns > 1 ? p->dns[1] : 0;
	}
}

/* answered after the current entry point returns, as RADIUS would be */
static void
answer_later(struct lns_call *c)
{
	c->answer_pending = true;
	c->next = c->l->answers;
	c->l->answers = c;
}

static void
copy_number(char *dst, size_t size, const struct l2tp_bytes_field *f)
{
	size_t n = f->len < size - 1 ? f->len : size - 1;

	memcpy(dst, f->data, n);
	dst[n] = '\0';
}

/* The address the LAC dialled (Tunnel-Server-Endpoint); lnsd always says which. */
static uint32_t
tunnel_local_ip(const struct lns *l, struct l2tp_tunnel *t)
{
	uint32_t ip = get_be32(l2tp_tunnel_peer(t)->local);

	return ip != 0 || l->cfg->l2tp.n_listen == 0 ? ip : l->cfg->l2tp.listen[0];
}

/* The call as RADIUS describes it; the user name without its realm if the profile says so. */
static void
call_describe(struct lns_call *c, const uint8_t *user, size_t user_len, struct aaa_call *a)
{
	struct lns *l = c->l;
	struct l2tp_tunnel *t = l2tp_session_tunnel(c->s);
	const uint8_t *at = c->realm_strip ? memchr(user, '@', user_len) : NULL;
	size_t n = at != NULL ? (size_t)(at - user) : user_len;

	memset(a, 0, sizeof(*a));
	memcpy(a->user, user, n < AAA_NAME_MAX ? n : AAA_NAME_MAX);
	snprintf(a->session_id, sizeof(a->session_id), "%08X%08X", l->boot_id, c->generation);
	a->nas_port = c->session_id;
	copy_number(a->calling, sizeof(a->calling), l2tp_session_calling_number(c->s));
	copy_number(a->called, sizeof(a->called), l2tp_session_called_number(c->s));
	a->tx_speed = c->tx_speed;
	a->rx_speed = c->rx_speed;
	a->lac_ip = get_be32(l2tp_tunnel_peer(t)->ip);
	a->lns_ip = tunnel_local_ip(l, t);
	snprintf(a->lac_name, sizeof(a->lac_name), "%s", l2tp_tunnel_peer_name(t));
	snprintf(a->lns_name, sizeof(a->lns_name), "%s", l->cfg->l2tp.host_name);
	a->lac_tunnel_id = l2tp_tunnel_peer_id(t);
	a->tunnel_id = c->tunnel_id;
}

static bool
copy_field(uint8_t *dst, uint8_t *dst_len, size_t cap, const uint8_t *src, size_t len)
{
	if (len > cap)
		return false;
	if (len > 0)
		memcpy(dst, src, len);
	*dst_len = (uint8_t)len;
	return true;
}

/* Hands the credentials to the AAA threads; false when they cannot be asked. */
static bool
radius_ask(struct lns_call *c, const struct ppp_auth_request *req)
{
	struct lns *l = c->l;
	struct aaa_auth_request *r = &l->aaa_req;

	if (c->s == NULL || l->ops->aaa_auth == NULL)
		return false;
	if (c->rc == NULL && (c->rc = calloc(1, sizeof(*c->rc))) == NULL)
		return false;
	memset(r, 0, sizeof(*r));
	r->ref = (struct aaa_ref){ c->tunnel_id, c->session_id, c->generation };
	call_describe(c, req->name, req->name_len, &c->rc->call);
	r->call = c->rc->call;
	r->proto = req->proto;
	r->proxied = req->proxied;
	r->chap_id = req->chap_id;
	if (!copy_field(r->password, &r->password_len, sizeof(r->password), req->password,
			req->password_len) ||
	    !copy_field(r->challenge, &r->challenge_len, sizeof(r->challenge), req->challenge,
			req->challenge_len) ||
	    !copy_field(r->response, &r->response_len, sizeof(r->response), req->response,
			req->response_len))
		return false;
	l->stats.aaa_requests++;
	return l->ops->aaa_auth(l->ctx, r);
}

static void
call_auth(struct lns_call *c, const struct ppp_auth_request *req)
{
	struct lns *l = c->l;
	const struct cfg_profile *p = c->s ? profile_of(l, l2tp_session_tunnel(c->s)) : NULL;
	const struct cfg_user *u;
	struct ppp_auth_result *r = &c->answer;

	memset(r, 0, sizeof(*r));
	if (c->radius) {
		if (radius_ask(c, req)) {
			c->aaa_waiting = true; /* lns_aaa_answer() goes on */
			return;
		}
		l->stats.aaa_unavailable++;
		LOG(AAA, LOG_WARN,
		    "Tnl/Sn %u/%u: RADIUS cannot be asked (queue full, or credentials too long to "
		    "carry)",
		    c->tunnel_id, c->session_id);
		r->message = "authentication service unavailable";
		answer_later(c);
		return;
	}
	u = cfg_find_user(l->cfg, (const char *)req->name, req->name_len);
	if (req->proto != PPP_AUTH_NONE &&
	    (u == NULL || !local_auth_verify(req, u->password, c->auth_resp))) {
		l->stats.auth_rejected++;
		r->message = u == NULL ? "unknown user" : "wrong password";
	} else if (!choose_address(c, u != NULL ? u->ipv4 : 0, profile_pool(c, p), r)) {
		l->stats.no_address++;
		r->message = "no address available";
	} else {
		l->stats.auth_accepted++;
		r->accept = true;
		r->mschapv2_auth = c->auth_resp;
		offer_dns(r, p);
	}
	answer_later(c);
}

/* RADIUS accepted: an address (Framed-IP-Address, Framed-Pool), DNS, and what to keep. */
static bool
radius_grant(struct lns_call *c, const struct aaa_auth_answer *a, struct ppp_auth_result *r)
{
	struct lns *l = c->l;
	const struct cfg_profile *p = c->s ? profile_of(l, l2tp_session_tunnel(c->s)) : NULL;
	struct pool *pool = a->pool[0] ? pool_named(l, a->pool) : profile_pool(c, p);

	if (a->pool[0] && pool == NULL) {
		snprintf(c->message, sizeof(c->message), "Framed-Pool '%s' does not exist",
			 a->pool);
		LOG(AAA, LOG_WARN, "Tnl/Sn %u/%u: %s", c->tunnel_id, c->session_id, c->message);
		return false;
	}
	if (!choose_address(c, a->framed_ip, pool, r)) {
		snprintf(c->message, sizeof(c->message), "no address available");
		return false;
	}
	snprintf(c->auth_resp, sizeof(c->auth_resp), "%s", a->mschapv2_success);
	r->mschapv2_auth = c->auth_resp;
	offer_dns(r, p);
	if (a->dns[0] != 0) {
		r->dns[0] = a->dns[0];
		r->dns[1] = a->dns[1];
	}
	memcpy(c->rc->class_, a->class_, a->class_len);
	c->rc->class_len = a->class_len;
	memcpy(c->rc->routes, a->routes, sizeof(a->routes));
	c->rc->n_routes = a->n_routes;
	c->session_timeout_ms = (uint64_t)a->session_timeout_s * 1000;
	c->idle_ms = (uint64_t)a->idle_timeout_s * 1000;
	c->interim_ms =
		(uint64_t)(a->interim_s ? a->interim_s : l->cfg->radius.interim_interval_s) * 1000;
	return true;
}

void
lns_aaa_answer(struct lns *l, uint64_t now, const struct aaa_auth_answer *a)
{
	struct lns_call *c = lns_hmap_get(&l->calls, call_key(a->ref.tunnel_id, a->ref.session_id));
	struct ppp_auth_result *r;

	l->now = now;
	if (c == NULL || c->dead || !c->aaa_waiting || c->generation != a->ref.generation) {
		l->stats.aaa_stale_answers++;
		return;
	}
	c->aaa_waiting = false;
	r = &c->answer;
	memset(r, 0, sizeof(*r));
	snprintf(c->message, sizeof(c->message), "%s", a->message);
	if (a->verdict == AAA_UNAVAILABLE) {
		l->stats.aaa_unavailable++;
		LOG(AAA, LOG_WARN, "Tnl/Sn %u/%u: %s", c->tunnel_id, c->session_id, a->message);
	} else if (a->verdict == AAA_REJECT) {
		l->stats.auth_rejected++;
	} else if (!radius_grant(c, a, r)) {
		l->stats.no_address++;
	} else {
		l->stats.auth_accepted++;
		r->accept = true;
	}
	r->message = c->message[0] ? c->message : NULL;
	ppp_auth_done(c->ppp, now, r);
	settle(l);
}

static void
acct_send(struct lns_call *c, enum aaa_acct_type type, uint32_t cause)
{
	struct lns *l = c->l;
	struct aaa_acct_request *r = &l->acct_req;

	if (l->ops->aaa_acct == NULL || c->rc == NULL)
		return;
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->call = c->rc->call;
	r->framed_ip = ppp_state(c->ppp)->peer_ipv4;
	r->session_time_s = (uint32_t)((l->now - c->start_ms) / 1000);
	if (type != AAA_ACCT_START && l->ops->session_counters != NULL)
		l->ops->session_counters(l->ctx, c->tunnel_id, c->session_id, &r->counters);
	r->terminate_cause = cause;
	memcpy(r->class_, c->rc->class_, c->rc->class_len);
	r->class_len = c->rc->class_len;
	l->stats.acct_records++;
	l->ops->aaa_acct(l->ctx, r);
}

/* IPCP is open: accounting starts and so do the session's clocks. */
static void
radius_session_up(struct lns_call *c)
{
	uint64_t now = c->l->now;

	c->deadline_ms = c->session_timeout_ms ? now + c->session_timeout_ms : 0;
	c->idle_since_ms = now;
	c->next_idle_check_ms = c->idle_ms ? now + 1000 : 0;
	c->next_interim_ms = c->interim_ms ? now + c->interim_ms : 0;
	c->acct_started = true;
	acct_send(c, AAA_ACCT_START, 0);
}

/* Idle: no packet either way since the last check that saw one. */
static void
check_idle(struct lns_call *c, uint64_t now)
{
	struct aaa_counters k = { 0 };
	uint64_t activity, step = c->idle_ms / 10;

	if (c->l->ops->session_counters != NULL)
		c->l->ops->session_counters(c->l->ctx, c->tunnel_id, c->session_id, &k);
	activity = k.in_packets + k.out_packets;
	if (activity != c->last_activity) {
		c->last_activity = activity;
		c->idle_since_ms = now;
	}
	step = step < 1000 ? 1000 : step > 60000 ? 60000 : step;
	c->next_idle_check_ms = now + step;
}

/* Router Advertisements, Session-Timeout, Idle-Timeout, Interim-Update: what is due now. */
static void
call_clocks(struct lns_call *c, uint64_t now)
{
	if (c->ra_on && now >= nd_sub_next(&c->nd))
		call_send_ra(c);
	if (c->deadline_ms != 0 && now >= c->deadline_ms) {
		c->deadline_ms = c->next_idle_check_ms = c->next_interim_ms = 0;
		c->l->stats.session_timeouts++;
		ppp_close(c->ppp, now, PPP_DOWN_SESSION_TIMEOUT);
		return;
	}
	if (c->next_idle_check_ms != 0 && now >= c->next_idle_check_ms) {
		check_idle(c, now);
		if (now - c->idle_since_ms >= c->idle_ms) {
			c->deadline_ms = c->next_idle_check_ms = c->next_interim_ms = 0;
			c->l->stats.idle_timeouts++;
			ppp_close(c->ppp, now, PPP_DOWN_IDLE_TIMEOUT);
			return;
		}
	}
	if (c->next_interim_ms != 0 && now >= c->next_interim_ms) {
		c->next_interim_ms += c->interim_ms;
		if (c->next_interim_ms <= now)
			c->next_interim_ms = now + c->interim_ms;
		acct_send(c, AAA_ACCT_INTERIM, 0);
	}
}

static uint64_t
call_next_clock(const struct lns_call *c)
{
	uint64_t next = c->ra_on && !c->dead ? nd_sub_next(&c->nd) : UINT64_MAX;

	if (!c->published || c->dead)
		return next;
	if (c->deadline_ms != 0 && c->deadline_ms < next)
		next = c->deadline_ms;
	if (c->next_idle_check_ms != 0 && c->next_idle_check_ms < next)
		next = c->next_idle_check_ms;
	if (c->next_interim_ms != 0 && c->next_interim_ms < next)
		next = c->next_interim_ms;
	return next;
}

/* What the workers need of a call, as lnsd publishes it. */
static void
call_info(struct lns_call *c, struct lns_session_info *info)
{
	const struct ppp_state *st = ppp_state(c->ppp);
	struct l2tp_tunnel *t = l2tp_session_tunnel(c->s);
	const struct cfg_profile *p = profile_of(c->l, t);

	memset(info, 0, sizeof(*info));
	info->tunnel_id = c->tunnel_id;
	info->session_id = c->session_id;
	info->peer_tunnel_id = l2tp_tunnel_peer_id(t);
	info->peer_session_id = l2tp_session_peer_id(c->s);
	info->peer = *l2tp_tunnel_peer(t);
	info->sub_ipv4 = st->peer_ipv4;
	info->magic = st->our_magic;
	info->mtu = st->peer_mru;
	info->mss = p != NULL ? p->mss_clamp : 0;
	info->sequencing = call_sequencing(c);
	info->peer_acfc = st->peer_acfc;
	info->peer_pfc = st->peer_pfc;
	snprintf(info->user, sizeof(info->user), "%s", st->user);
	if (c->rc != NULL) {
		memcpy(info->routes, c->rc->routes, sizeof(info->routes));
		info->n_routes = c->rc->n_routes;
	}
	info->ipv6 = c->v6_up;
	memcpy(info->prefix6, c->prefix6, 8);
}

static void
call_network_up(struct lns_call *c)
{
	struct lns_session_info info;

	if (c->s == NULL || c->published || !ppp_state(c->ppp)->ipv4_up)
		return;
	call_info(c, &info);
	c->published = true;
	c->start_ms = c->l->now;
	c->l->stats.sessions_up++;
	admission_release(c);
	c->l->ops->session_up(c->l->ctx, &info);
	if (c->radius && c->rc != NULL)
		radius_session_up(c);
}

/* IPv6CP opened on a published session: the workers get an entry with its /64. */
static void
call_republish(struct lns_call *c)
{
	struct lns_session_info info;

	if (c->s == NULL || !c->published || c->dead || c->l->ops->session_update == NULL)
		return;
	call_info(c, &info);
	c->l->ops->session_update(c->l->ctx, &info);
}

static struct pool *
profile_pool6(struct lns_call *c, const struct cfg_profile *p, const struct cfg_pool **cp)
{
	for (unsigned i = 0; p != NULL && i < c->l->cfg->n_pools; i++)
		if (strcmp(c->l->cfg->pools[i].name, p->pool) == 0) {
			*cp = &c->l->cfg->pools[i];
			return pools6(c->l)[i];
		}
	return NULL;
}

static void
ra_cfg_from_profile(struct nd_ra_cfg *rc, const struct cfg_profile *p)
{
	nd_ra_cfg_defaults(rc);
	rc->interval_ms = p->ra_interval_s * 1000;
	rc->n_dns = p->n_dns6;
	memcpy(rc->dns, p->dns6, sizeof(rc->dns));
}

/* Ours, the subscriber's MRU and the MRU we asked for: the MTU its hosts should use. */
static uint16_t
call_ipv6_mtu(const struct lns_call *c, const struct cfg_profile *p)
{
	uint16_t peer = ppp_state(c->ppp)->peer_mru;

	return p != NULL && p->mru < peer ? p->mru : peer;
}

/* IPv6CP opened: a /64 from the profile's pool (the call's already, if it has one), advertised at
 * once. */
static void
call_ipv6_up(struct lns_call *c)
{
	const struct cfg_profile *p =
		c->s != NULL ? profile_of(c->l, l2tp_session_tunnel(c->s)) : NULL;
	const struct cfg_pool *cp = NULL;
	struct pool *pool6;
	uint32_t n;

	if (c->ra_on || c->dead)
		return;
	if (c->v6_up) { /* IPv6CP again on the same call: the same /64 */
		nd_sub_start(&c->nd, ppp_state(c->ppp)->our_iid, c->prefix6, call_ipv6_mtu(c, p),
			     c->l->now);
		c->ra_on = true;
		call_send_ra(c);
		return;
	}
	pool6 = profile_pool6(c, p, &cp);
	n = pool6 != NULL ? pool_alloc(pool6) : 0;
	if (n == 0) {
		c->l->stats.no_prefix6++;
		LOG(PPP, LOG_WARN, "Tnl/Sn %u/%u: IPv6CP open but no /64 to give: no RA",
		    c->tunnel_id, c->session_id);
		return;
	}
	c->pool6 = pool6;
	c->prefix6_n = n;
	prefix6_of(cp, n, c->prefix6);
	ra_cfg_from_profile(&c->ra_cfg, p);
	nd_sub_start(&c->nd, ppp_state(c->ppp)->our_iid, c->prefix6, call_ipv6_mtu(c, p),
		     c->l->now);
	c->v6_up = c->ra_on = true;
	c->l->stats.ipv6_up++;
	LOG(PPP, LOG_INFO, "Tnl/Sn %u/%u: IPv6 up: %02x%02x:%02x%02x:%02x%02x:%02x%02x::/64",
	    c->tunnel_id, c->session_id, c->prefix6[0], c->prefix6[1], c->prefix6[2], c->prefix6[3],
	    c->prefix6[4], c->prefix6[5], c->prefix6[6], c->prefix6[7]);
	call_send_ra(c);
	call_republish(c);
}

static void
call_ipv6_release(struct lns_call *c)
{
	if (!c->v6_up)
		return;
	if (c->pool6 != NULL)
		pool_free(c->pool6, c->prefix6_n);
	c->pool6 = NULL;
	c->v6_up = c->ra_on = false;
}

/*
 * IPv6 the workers punted to us (to link-local or multicast addresses, or
 * before the session was published): a Router Solicitation brings an RA,
 * the rest is counted and dropped. false: not IPv6, for PPP to take.
 */
static bool
call_ipv6_input(struct lns_call *c, const uint8_t *frame, size_t len)
{
	struct ppp_frame f;

	if (ppp_frame_parse(&f, frame, len) != PPP_PARSE_OK || f.proto != PPP_PROTO_IPV6)
		return false;
	if (c->ra_on && nd_sub_input(&c->nd, c->l->now, f.info, f.info_len) == ND_RS) {
		c->l->stats.rx_router_solicits++;
		call_send_ra(c);
	} else {
		c->l->stats.rx_ipv6_dropped++;
	}
	return true;
}

static void
call_down(struct lns_call *c, enum ppp_down_reason why)
{
	struct lns *l = c->l;

	if (c->dead)
		return;
	c->dead = true;
	l->stats.sessions_down++;
	admission_release(c);
	if (c->acct_started) /* before the dataplane forgets the counters */
		acct_send(c, AAA_ACCT_STOP, ppp_down_acct_cause(why));
	if (c->published)
		l->ops->session_down(l->ctx, c->tunnel_id, c->session_id);
	if (c->pool != NULL && c->addr != 0)
		pool_free(c->pool, c->addr);
	call_ipv6_release(c);
	if (c->s != NULL) {
		l2tp_session_set_udata(c->s, NULL);
		bool admin = why == PPP_DOWN_USER_REQUEST || why == PPP_DOWN_ADMIN_RESET;

		l2tp_session_close(c->s, l->now, admin ? L2TP_CDN_ADMIN : L2TP_CDN_GENERAL_ERROR,
				   admin ? -1 : L2TP_ERR_NONE, ppp_down_reason_str(why));
		c->s = NULL;
	}
	lns_hmap_del(&l->calls, call_key(c->tunnel_id, c->session_id));
	c->next = l->dead;
	l->dead = c;
}

static void
call_event(void *ctx, struct ppp *p, const struct ppp_event *ev)
{
	struct lns_call *c = ctx;

	(void)p;
	switch (ev->type) {
	case PPP_EV_AUTH_REQUEST:
		call_auth(c, ev->auth);
		break;
	case PPP_EV_NETWORK_UP:
		if (ev->proto == PPP_PROTO_IPV6CP)
			call_ipv6_up(c);
		else
			call_network_up(c);
		break;
	case PPP_EV_NETWORK_DOWN:
		/*
		 * RAs stop; the /64 stays the call's, and in its entry, so that
		 * neither an LCP teardown (which closes IPv6CP first) nor an
		 * IPv6CP restart costs a replacement or a new prefix.
		 */
		if (ev->proto == PPP_PROTO_IPV6CP)
			c->ra_on = false;
		break;
	case PPP_EV_DOWN:
		call_down(c, ev->reason);
		break;
	default:
		break;
	}
}

static void
call_random(void *ctx, void *buf, size_t len)
{
	struct lns_call *c = ctx;

	c->l->ops->random(c->l->ctx, buf, len);
}

static const struct ppp_ops call_ppp_ops = { call_send, call_event, call_random };

static const struct l2tp_engine_ops engine_ops = {
	.tx = eng_tx,
	.event = eng_event,
	.tunnel_policy = eng_policy,
	.random = eng_random,
	.admit_call = eng_admit,
};

/* End of every entry point: AAA answers go out, the dead are freed. */
static void
settle(struct lns *l)
{
	while (l->answers != NULL) {
		struct lns_call *c = l->answers;

		l->answers = c->next;
		c->next = NULL;
		if (c->answer_pending && !c->dead) {
			c->answer_pending = false;
			ppp_auth_done(c->ppp, l->now, &c->answer);
		}
	}
	while (l->dead != NULL) {
		struct lns_call *c = l->dead;

		l->dead = c->next;
		ppp_destroy(c->ppp);
		free(c->rc);
		free(c);
	}
}

static struct pool **
pools_alloc(const struct lns_config *cfg)
{
	return calloc(cfg->n_pools ? 2 * cfg->n_pools : 1, sizeof(struct pool *));
}

static void
pools_destroy(const struct lns_config *cfg, struct pool **pools)
{
	for (unsigned i = 0; pools != NULL && i < 2 * cfg->n_pools; i++)
		pool_destroy(pools[i]);
	free(pools);
}

/*
 * A prefix6 as a pool of /64 numbers, from 1 (0 is pool_alloc's "none"):
 * every /64 of it, up to 2^24 - 1 of them (pool.c's limit).
 */
static struct pool *
pool6_create(const struct cfg_pool *p)
{
	unsigned bits = 64u - p->prefix6_len;
	struct pool_range r = { 1, bits >= 24 ? (1u << 24) - 1 : 1u << bits };

	return pool_create(p->name, &r, 1, NULL, 0);
}

/* One pool per configured pool; on failure the caller destroys what was made. */
static int
pools_create(const struct lns_config *cfg, struct pool **out)
{
	for (unsigned i = 0; i < cfg->n_pools; i++) {
		const struct cfg_pool *p = &cfg->pools[i];
		struct pool_range r[CFG_MAX_RANGES], x[CFG_MAX_RANGES];

		for (unsigned k = 0; k < p->n_ranges; k++)
			r[k] = (struct pool_range){ p->ranges[k].first, p->ranges[k].last };
		for (unsigned k = 0; k < p->n_exclude; k++)
			x[k] = (struct pool_range){ p->exclude[k].first, p->exclude[k].last };
		out[i] = pool_create(p->name, r, p->n_ranges, x, p->n_exclude);
		if (out[i] == NULL)
			return -ENOMEM;
		if (p->prefix6_len && (out[cfg->n_pools + i] = pool6_create(p)) == NULL)
			return -ENOMEM;
	}
	return 0;
}

/*
 * A live call's address is taken from whichever new pool holds it, so
 * that no new call gets it and it goes back there when the call ends; an
 * address no new pool holds stays with its call and returns nowhere.
 */
static void
call_move_address(struct lns_call *c, const struct lns_config *cfg, struct pool **pools)
{
	c->pool = NULL;
	if (c->dead || c->addr == 0)
		return;
	for (unsigned i = 0; i < cfg->n_pools; i++)
		if (pool_contains(pools[i], c->addr)) {
			if (pool_take(pools[i], c->addr) == 0)
				c->pool = pools[i];
			return;
		}
}

/* A live call's /64 likewise. */
static void
call_move_prefix6(struct lns_call *c, const struct lns_config *cfg, struct pool **pools)
{
	c->pool6 = NULL;
	if (c->dead || !c->v6_up)
		return;
	for (unsigned i = 0; i < cfg->n_pools; i++) {
		uint32_t n = prefix6_number(&cfg->pools[i], c->prefix6);

		if (n != 0 && pools[cfg->n_pools + i] != NULL) {
			if (pool_take(pools[cfg->n_pools + i], n) == 0) {
				c->pool6 = pools[cfg->n_pools + i];
				c->prefix6_n = n;
			}
			return;
		}
	}
}

int
lns_reload(struct lns *l, const struct lns_config *cfg)
{
	struct pool **pools = pools_alloc(cfg);
	size_t it = 0;
	uint32_t key;
	void *v;

	if (pools == NULL || pools_create(cfg, pools) != 0) {
		pools_destroy(cfg, pools);
		return -ENOMEM;
	}
	while (lns_hmap_next(&l->calls, &it, &key, &v)) {
		call_move_address(v, cfg, pools);
		call_move_prefix6(v, cfg, pools);
	}
	pools_destroy(l->cfg, l->pools);
	l->pools = pools;
	l->cfg = cfg;
	l->stats.reloads++;
	return 0;
}

struct lns *
lns_create(const struct lns_config *cfg, const struct lns_ops *ops, void *ctx)
{
	struct lns *l = calloc(1, sizeof(*l));
	struct l2tp_engine_cfg ec;

	if (l == NULL)
		return NULL;
	l->cfg = cfg;
	l->ops = ops;
	l->ctx = ctx;
	ops->random(ctx, &l->boot_id, sizeof(l->boot_id));
	l2tp_engine_cfg_defaults(&ec, L2TP_ROLE_LNS);
	snprintf(ec.host_name, sizeof(ec.host_name), "%s", cfg->l2tp.host_name);
	ec.chan.rx_window = cfg->l2tp.rx_window;
	ec.chan.rtx_initial_ms = cfg->l2tp.rtx_initial_ms;
	ec.chan.rtx_max_ms = cfg->l2tp.rtx_max_ms;
	ec.chan.rtx_retries = cfg->l2tp.rtx_retries;
	ec.hello_interval_ms = cfg->l2tp.hello_interval_s * 1000;
	ec.nsl_delay_ms = cfg->l2tp.no_sessions_left_s * 1000;
	ec.max_tunnels = cfg->l2tp.max_tunnels;
	ec.max_sessions = cfg->l2tp.max_sessions;
	ec.max_sessions_per_tunnel = cfg->l2tp.max_sessions_per_tunnel;
	l->pools = pools_alloc(cfg);
	if (l->pools == NULL || lns_hmap_init(&l->admission, 64) != 0 ||
	    lns_hmap_init(&l->calls, 1024) != 0 || lns_hmap_init(&l->peers, 64) != 0) {
		lns_destroy(l);
		return NULL;
	}
	if (pools_create(cfg, l->pools) != 0) {
		lns_destroy(l);
		return NULL;
	}
	l->engine = l2tp_engine_create(&ec, &engine_ops, l);
	if (l->engine == NULL) {
		lns_destroy(l);
		return NULL;
	}
	return l;
}

void
lns_destroy(struct lns *l)
{
	size_t it = 0;
	uint32_t key;
	void *v;

	if (l == NULL)
		return;
	while (lns_hmap_next(&l->calls, &it, &key, &v)) {
		ppp_destroy(((struct lns_call *)v)->ppp);
		free(((struct lns_call *)v)->rc);
		free(v);
	}
	it = 0;
	while (lns_hmap_next(&l->admission, &it, &key, &v))
		free(v);
	it = 0;
	while (lns_hmap_next(&l->peers, &it, &key, &v))
		free(v);
	lns_hmap_fini(&l->peers);
	settle(l);
	l2tp_engine_destroy(l->engine);
	pools_destroy(l->cfg, l->pools);
	lns_hmap_fini(&l->admission);
	lns_hmap_fini(&l->calls);
	free(l);
}

/* A data message carries PPP control for one of our calls. */
static void
ppp_in(struct lns *l, const struct l2tp_addr *peer, const struct l2tp_hdr *h,
       const uint8_t *payload)
{
	struct l2tp_tunnel *t = l2tp_engine_find_tunnel(l->engine, h->tunnel_id);
	struct l2tp_session *s = t != NULL ? l2tp_tunnel_find_session(t, h->session_id) : NULL;
	struct lns_call *c = s != NULL ? l2tp_session_udata(s) : NULL;

	if (s == NULL || !l2tp_addr_eq(peer, l2tp_tunnel_peer(t))) {
		l->stats.rx_ppp_unknown_session++;
		return;
	}
	if (c == NULL) {
		if (l2tp_session_state(s) == L2TP_SESSION_WAIT_CONNECT)
			early_hold(l, call_key(h->tunnel_id, h->session_id), payload + h->hdr_len,
				   l2tp_hdr_payload_len(h));
		else
			l->stats.rx_ppp_unknown_session++;
		return;
	}
	if (!call_ipv6_input(c, payload + h->hdr_len, l2tp_hdr_payload_len(h)))
		ppp_input(c->ppp, l->now, payload + h->hdr_len, l2tp_hdr_payload_len(h));
}

void
lns_input(struct lns *l, uint64_t now, const struct l2tp_addr *peer, const uint8_t *payload,
	  size_t len)
{
	struct l2tp_hdr h;

	l->now = now;
	if (l2tp_hdr_parse(&h, payload, len) != L2TP_ST_OK) {
		l->stats.rx_not_l2tp++;
		l2tp_engine_input(l->engine, now, peer, payload, len); /* counts the reason */
	} else if (l2tp_hdr_is_control(&h)) {
		l2tp_engine_input(l->engine, now, peer, payload, len);
	} else {
		ppp_in(l, peer, &h, payload);
	}
	settle(l);
}

uint64_t
lns_next_timeout(const struct lns *l)
{
	uint64_t next = l2tp_engine_next_timeout(l->engine);
	size_t it = 0;
	uint32_t key;
	void *v;

	while (lns_hmap_next(&l->calls, &it, &key, &v)) {
		uint64_t t = ppp_next_timeout(((struct lns_call *)v)->ppp);
		uint64_t k = call_next_clock(v);

		next = t < next ? t : next;
		next = k < next ? k : next;
	}
	return next;
}

void
lns_timeout(struct lns *l, uint64_t now)
{
	size_t it = 0;
	uint32_t key;
	void *v;

	l->now = now;
	l2tp_engine_timeout(l->engine, now);
	while (lns_hmap_next(&l->calls, &it, &key, &v)) {
		struct lns_call *c = v;

		if (!c->dead && ppp_next_timeout(c->ppp) <= now)
			ppp_timeout(c->ppp, now);
		if (!c->dead && call_next_clock(c) <= now)
			call_clocks(c, now);
	}
	settle(l);
}

static bool
dae_names(const struct lns_call *c, const struct aaa_dae_request *r)
{
	const struct ppp_state *st = ppp_state(c->ppp);
	char sid[AAA_SESSION_ID];

	if (c->dead || !c->published)
		return false;
	if (r->has_user && strcmp(r->user, c->rc != NULL ? c->rc->call.user : st->user) != 0)
		return false;
	snprintf(sid, sizeof(sid), "%08X%08X", c->l->boot_id, c->generation);
	if (r->has_session_id && strcmp(r->session_id, sid) != 0)
		return false;
	return !r->has_framed_ip || r->framed_ip == st->peer_ipv4;
}

/* CoA: Session-Timeout counts from IPCP open, as the first one did; 0 removes a limit. */
static void
dae_change(struct lns_call *c, const struct aaa_dae_request *r, uint64_t now)
{
	if (r->has_session_timeout)
		c->deadline_ms =
			r->session_timeout_s ? c->start_ms + r->session_timeout_s * 1000ull : 0;
	if (r->has_idle_timeout) {
		c->idle_ms = r->idle_timeout_s * 1000ull;
		c->idle_since_ms = now;
		c->next_idle_check_ms = c->idle_ms ? now + 1000 : 0;
	}
	if (r->has_interim) {
		c->interim_ms = r->interim_s * 1000ull;
		c->next_interim_ms = c->interim_ms ? now + c->interim_ms : 0;
	}
	c->l->stats.dae_changes++;
}

enum aaa_dae_error
lns_dae(struct lns *l, uint64_t now, const struct aaa_dae_request *r)
{
	size_t it = 0, n = 0, cap = lns_hmap_count(&l->calls);
	struct lns_call **hit = calloc(cap ? cap : 1, sizeof(*hit));
	uint32_t key;
	void *v;

	if (hit == NULL)
		return AAA_DAE_RESOURCES_UNAVAILABLE;
	l->now = now;
	while (lns_hmap_next(&l->calls, &it, &key, &v) && n < cap)
		if (dae_names(v, r))
			hit[n++] = v;
	/* acted on once the walk is over: a close may change the table */
	for (size_t i = 0; i < n; i++) {
		LOG(AAA, LOG_INFO, "Tnl/Sn %u/%u: %s by Dynamic Authorization", hit[i]->tunnel_id,
		    hit[i]->session_id, r->disconnect ? "disconnected" : "changed");
		if (!r->disconnect) {
			dae_change(hit[i], r, now);
		} else if (!hit[i]->dead) {
			l->stats.dae_disconnects++;
			ppp_close(hit[i]->ppp, now, PPP_DOWN_ADMIN_RESET);
		}
	}
	free(hit);
	if (n == 0)
		l->stats.dae_not_found++;
	settle(l);
	return n > 0 ? AAA_DAE_OK : AAA_DAE_SESSION_NOT_FOUND;
}

void
lns_shutdown(struct lns *l, uint64_t now)
{
	l->now = now;
	l2tp_engine_set_accept_new(l->engine, false);
	l2tp_engine_close_all(l->engine, now);
	settle(l);
}

void
lns_set_accept_new(struct lns *l, bool accept)
{
	l2tp_engine_set_accept_new(l->engine, accept);
}

const struct lns_stats *
lns_stats(const struct lns *l)
{
	return &l->stats;
}

struct l2tp_engine *
lns_engine(const struct lns *l)
{
	return l->engine;
}

uint32_t
lns_session_count(const struct lns *l)
{
	return (uint32_t)lns_hmap_count(&l->calls);
}

const struct lns_peer_health *
lns_next_peer(const struct lns *l, size_t *it)
{
	uint32_t key;
	void *v;

	return lns_hmap_next(&l->peers, it, &key, &v) ? v : NULL;
}

bool
lns_call_view(const struct lns *l, uint64_t now, uint16_t tunnel_id, uint16_t session_id,
	      struct lns_call_view *out)
{
	const struct lns_call *c = lns_hmap_get(&l->calls, call_key(tunnel_id, session_id));

	if (c == NULL || c->dead)
		return false;
	memset(out, 0, sizeof(*out));
	out->tunnel_id = tunnel_id;
	out->session_id = session_id;
	if (c->s != NULL) {
		out->peer_tunnel_id = l2tp_tunnel_peer_id(l2tp_session_tunnel(c->s));
		out->peer_session_id = l2tp_session_peer_id(c->s);
		out->l2tp_state = l2tp_session_state_str(l2tp_session_state(c->s));
		out->sequencing = call_sequencing(c);
	} else {
		out->l2tp_state = "gone";
	}
	out->ppp = ppp_state(c->ppp);
	out->ppp_stats = ppp_stats(c->ppp);
	out->local_ipv4 = c->local_ip;
	out->lcp_state = ppp_fsm_state_str(ppp_lcp(c->ppp)->state);
	out->ipcp_state = ppp_fsm_state_str(ppp_ipcp(c->ppp)->state);
	out->ipv6cp_state = ppp_fsm_state_str(ppp_ipv6cp(c->ppp)->state);
	out->published = c->published;
	out->radius = c->radius;
	out->acct_started = c->acct_started;
	snprintf(out->acct_session_id, sizeof(out->acct_session_id), "%08X%08X", l->boot_id,
		 c->generation);
	out->up_for_ms = c->published && now > c->start_ms ? now - c->start_ms : 0;
	out->session_timeout_in_ms = c->deadline_ms > now ? c->deadline_ms - now : 0;
	out->ipv6 = c->v6_up;
	memcpy(out->prefix6, c->prefix6, 8);
	out->idle_timeout_ms = c->idle_ms;
	out->interim_ms = c->interim_ms;
	out->class_len = c->rc != NULL ? c->rc->class_len : 0;
	return true;
}

int
lns_clear_session(struct lns *l, uint64_t now, uint16_t tunnel_id, uint16_t session_id)
{
	struct lns_call *c = lns_hmap_get(&l->calls, call_key(tunnel_id, session_id));

	if (c == NULL || c->dead)
		return -ENOENT;
	l->now = now;
	LOG(PPP, LOG_INFO, "Tnl/Sn %u/%u: cleared by the operator", tunnel_id, session_id);
	ppp_close(c->ppp, now, PPP_DOWN_ADMIN_RESET);
	settle(l);
	return 0;
}

int
lns_clear_tunnel(struct lns *l, uint64_t now, uint16_t tunnel_id)
{
	struct l2tp_tunnel *t = l2tp_engine_find_tunnel(l->engine, tunnel_id);
	size_t it = 0;
	uint32_t key;
	void *v;

	if (t == NULL)
		return -ENOENT;
	l->now = now;
	LOG(L2TP, LOG_INFO, "Tnl %u: cleared by the operator", tunnel_id);
	/* its calls first, so that each Stop says Admin-Reset and each gets its CDN */
	while (lns_hmap_next(&l->calls, &it, &key, &v)) {
		struct lns_call *c = v;

		if (c->tunnel_id == tunnel_id && !c->dead)
			ppp_lower_down(c->ppp, now, PPP_DOWN_ADMIN_RESET);
	}
	l2tp_tunnel_close(t, now, L2TP_STOPCCN_CLEAR, -1, "cleared by the operator");
	settle(l);
	return 0;
}
