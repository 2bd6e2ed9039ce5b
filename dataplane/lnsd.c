/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lnsd: the L2TPv2 Network Server. Reads the configuration, starts EAL and
 * the ports it names, launches the workers, and runs the control loop on
 * the main lcore: punted packets into the LNS engines (L2TP, PPP) and ARP,
 * their answers out on each port's control TX queue, sessions published to
 * and withdrawn from the workers' tables.
 *
 *   lnsd -c FILE [--debug l2tp,ppp,dataplane]
 *   kill -USR1 PID    tunnels, sessions and their counters on stdout
 *   kill -HUP PID     reload profiles, users and pools (for new calls)
 *   kill -USR2 PID    soft shutdown: refuse new tunnels and calls; again: accept
 *   kill -TERM PID    CDN and StopCCN to every peer, then exit
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pdump.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "aaa_dae_server.h"
#include "aaa_radius.h"
#include "cfg.h"
#include "dp.h"
#include "dp_pkt.h"
#include "dp_worker.h"
#include "inet.h"
#include "lns.h"
#include "lns_log.h"
#include "lnsd.h"
#include "lnsd_host.h"
#include "neigh.h"

_Static_assert(DP_MAX_IFS >= CFG_MAX_SIDE_PORTS, "the dataplane holds every port of a side");
_Static_assert(DP_MAX_ACCESS_IPS >= CFG_MAX_LISTEN, "the workers know every L2TP address");
_Static_assert(NEIGH_MAX_IFACES >= CFG_MAX_PORTS * CFG_MAX_LISTEN, "ARP answers every address");
/* At SIGTERM: how long the Stop records and Accounting-Off may take to be delivered. */
#define RADIUS_DRAIN_MS 3000

static volatile sig_atomic_t stop_requested, show_requested, reload_requested, drain_toggled;

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		show_requested = 1;
	else if (sig == SIGHUP)
		reload_requested = 1;
	else if (sig == SIGUSR2)
		drain_toggled = 1;
	else
		stop_requested = 1;
}

uint64_t
lnsd_now_ms(void)
{
	return rte_get_timer_cycles() * 1000 / rte_get_timer_hz();
}

static void
random_bytes(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)rte_rand();
}

/* An untagged Ethernet frame out of an interface, tagged there when it has a VLAN. */
static void
send_frame(struct lnsd *d, uint16_t ifx, const uint8_t *frame, size_t len)
{
	const struct lnsd_if *f = &d->ifs[ifx];
	unsigned tag = f->cfg->vlan ? RTE_VLAN_HLEN : 0;
	struct rte_mbuf *m = rte_pktmbuf_alloc(d->pool);
	uint8_t *p;

	if (m == NULL || len < RTE_ETHER_HDR_LEN ||
	    (p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(len + tag))) == NULL) {
		rte_pktmbuf_free(m);
		d->cnt.tx_dropped++;
		return;
	}
	memcpy(p, frame, 2 * RTE_ETHER_ADDR_LEN);
	if (tag) {
		put_be16(p + 12, RTE_ETHER_TYPE_VLAN);
		put_be16(p + 14, f->cfg->vlan);
	}
	memcpy(p + 12 + tag, frame + 12, len - 12);
	if (rte_eth_tx_burst(f->port, d->ctl_txq, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		d->cnt.tx_dropped++;
	}
}

static void
neigh_send(void *ctx, uint16_t ifx, const uint8_t *frame, size_t len)
{
	send_frame(ctx, ifx, frame, len);
}

/* Published sessions behind an access-side next hop, counted so that most ARP costs nothing. */
static void
next_hop_count(struct lnsd *d, uint32_t ip, int delta)
{
	uintptr_t n = (uintptr_t)lns_hmap_get(&d->next_hops, ip) + (uintptr_t)(intptr_t)delta;

	if (n == 0)
		lns_hmap_del(&d->next_hops, ip);
	else if (lns_hmap_put(&d->next_hops, ip, (void *)n) != 0)
		LOG(DP, LOG_WARN, "next-hop index: no memory (a MAC change may be missed)");
}

/*
 * A LAC's MAC (or the access gateway's, for LACs behind it) is known or
 * changed: the entries of its sessions follow, so that none is left
 * dropping for want of it or sending to an old one. This walks every slot
 * on the control lcore (milliseconds at a million); it happens when a MAC
 * changes, not on each ARP refresh.
 */
static void
lac_mac_changed(struct lnsd *d, uint32_t ip, const uint8_t *mac)
{
	unsigned moved = 0;

	if (lns_hmap_get(&d->next_hops, ip) == NULL)
		return; /* no session behind it: an ARP from anyone costs no walk */
	for (uint32_t i = 0; i < d->cfg->l2tp.max_sessions; i++) {
		const struct lnsd_sub *u = &d->subs[i];
		const struct dp_session *cur;
		struct dp_session s;

		if (!u->up || lnsd_next_hop(d->ifs[u->ifx].cfg, u->peer_ip) != ip)
			continue;
		cur = dp_session_find(d->tables, u->tunnel_id, u->session_id);
		if (cur == NULL || memcmp(cur->peer_mac.addr_bytes, mac, 6) == 0)
			continue;
		s = *cur;
		memcpy(s.peer_mac.addr_bytes, mac, 6);
		if (dp_session_replace(d->tables, &s) < 0)
			LOG(DP, LOG_WARN, "session %u/%u: its LAC's new MAC not published",
			    u->tunnel_id, u->session_id);
		else
			moved++;
	}
	if (moved > 0)
		LOG(DP, LOG_INFO, INET4_FMT " at a new MAC: %u sessions follow", INET4_ARGS(ip),
		    moved);
}

static bool
has_gateway6(const struct cfg_port *p)
{
	static const uint8_t none[16];

	return memcmp(p->gateway6, none, 16) != 0;
}

/* Is there a core interface whose gateway (IPv4, else IPv6) is known? */
static bool
other_gateway_known(const struct dp_ports *p, bool v4)
{
	for (unsigned i = 0; i < p->n_core; i++)
		if (!rte_is_zero_ether_addr(dp_iface_gateway(&p->core[i], !v4)))
			return true;
	return false;
}

/*
 * A core gateway's MAC (NULL: lost) for IPv4, IPv6 or both: the workers
 * see a new copy of the port settings, switched atomically.
 */
static void
publish_gateway(struct lnsd *d, const struct lnsd_if *f, bool v4, bool v6, const uint8_t *mac)
{
	struct dp_ports *next = &d->ports[d->ports_cur ^ 1];
	struct rte_ether_addr a = { 0 };

	/* the spare copy may still be read by a worker from the switch before this one */
	rte_rcu_qsbr_synchronize(d->qsbr, RTE_QSBR_THRID_INVALID);
	if (mac != NULL)
		memcpy(a.addr_bytes, mac, 6);
	*next = d->ports[d->ports_cur];
	if (v4)
		next->core[f->core].gw = a;
	if (v6)
		next->core[f->core].gw6 = a;
	d->ports_cur ^= 1;
	for (unsigned i = 0; i < d->n_workers; i++)
		__atomic_store_n(&d->workers[i].ports, next, __ATOMIC_RELEASE);
	LOG(DP, LOG_INFO, "port %s: core gateway%s %s", f->cfg->name,
	    v4 && v6 ? ""
	    : v4     ? " (IPv4)"
		     : " (IPv6)",
	    mac != NULL			    ? "resolved"
	    : other_gateway_known(next, v4) ? "lost: its sessions leave by the other core ports"
					    : "lost: its packets are dropped and counted");
}

static void
neigh_changed(void *ctx, uint32_t ip, const uint8_t *mac)
{
	struct lnsd *d = ctx;

	for (unsigned i = 0; i < d->n_ifs; i++)
		if (d->ifs[i].core >= 0 && ip == d->ifs[i].cfg->gateway)
			publish_gateway(d, &d->ifs[i], true, !has_gateway6(d->ifs[i].cfg), mac);
	/* one-armed, LACs on other subnets: the core gateway is their next hop too */
	if (mac != NULL)
		lac_mac_changed(d, ip, mac);
}

static const struct neigh_ops neigh_ops = { neigh_send, neigh_changed };

/*
 * A link went down: a core interface's sessions leave by the other core
 * ports now, as when its gateway stops answering ARP, but at once; what
 * was known of its gateways goes, so that the link's return asks them
 * again at once instead of sitting out a FAILED hold-off.
 */
void
lnsd_link_changed(struct lnsd *d, unsigned ifx, bool up)
{
	struct lnsd_if *f = &d->ifs[ifx];
	uint8_t mac[6];

	if (f->core < 0)
		return; /* a LAC's link: its tunnels retransmit, or time out */
	if (!up)
		publish_gateway(d, f, true, true, NULL);
	if (f->cfg->gateway != 0) {
		neigh_forget(d->neigh, f->cfg->gateway);
		if (up)
			neigh_resolve(d->neigh, lnsd_now_ms(), (uint16_t)ifx, f->cfg->gateway, mac);
	}
	neigh6_restart(&f->neigh6);
}

/* What neighbour discovery on a core interface sent and learnt. */
static void
core_ipv6_done(struct lnsd *d, unsigned ifx, const uint8_t *out, size_t n, bool changed)
{
	uint8_t mac[6];

	if (n > 0)
		send_frame(d, (uint16_t)ifx, out, n);
	if (changed)
		publish_gateway(d, &d->ifs[ifx], false, true,
				neigh6_gateway(&d->ifs[ifx].neigh6, mac) ? mac : NULL);
}

/* IPv6 from the core for lnsd: neighbour discovery. */
static void
core_ipv6_input(struct lnsd *d, unsigned ifx, const uint8_t *eth_src, const uint8_t *ip6,
		size_t len, uint64_t now)
{
	uint8_t out[NEIGH6_FRAME_LEN];
	bool changed;
	size_t n = neigh6_input(&d->ifs[ifx].neigh6, now, eth_src, ip6, len, out, &changed);

	core_ipv6_done(d, ifx, out, n, changed);
}

static void
core_ipv6_timeout(struct lnsd *d, uint64_t now)
{
	for (unsigned i = 0; i < d->n_ifs; i++) {
		uint8_t out[NEIGH6_FRAME_LEN];
		bool changed;
		size_t n;

		if (d->ifs[i].core < 0 || neigh6_next_timeout(&d->ifs[i].neigh6) > now)
			continue;
		n = neigh6_timeout(&d->ifs[i].neigh6, now, out, &changed);
		core_ipv6_done(d, i, out, n, changed);
	}
}

/* An L2TP payload to a LAC: UDP from 1701, IPv4, Ethernet to the next hop. */
static void
udp_send(void *ctx, const struct l2tp_addr *peer, const uint8_t *payload, size_t len)
{
	struct lnsd *d = ctx;
	uint8_t f[1600];
	uint8_t mac[6];
	uint32_t dst = get_be32(peer->ip);
	unsigned ifx = lnsd_tunnel_if(d, peer);
	const struct lnsd_if *out = &d->ifs[ifx];
	struct rte_ether_addr dmac;

	if (len + 42 > sizeof(f)) {
		d->cnt.tx_dropped++;
		return;
	}
	if (neigh_resolve(d->neigh, lnsd_now_ms(), (uint16_t)ifx, lnsd_next_hop(out->cfg, dst),
			  mac) != 0) {
		d->cnt.tx_no_mac++; /* the L2TP channel and PPP retransmit */
		return;
	}
	memcpy(dmac.addr_bytes, mac, 6);
	eth_write(f, &dmac, &d->ports[d->ports_cur].access[out->access].mac, 0,
		  RTE_ETHER_TYPE_IPV4);
	memset(f + 14, 0, 20);
	f[14] = 0x45;
	put_be16(f + 16, (uint16_t)(20 + 8 + len));
	f[22] = 64;
	f[23] = IPPROTO_UDP;
	put_be32(f + 26, lnsd_local_of(d, peer));
	put_be32(f + 30, dst);
	ipv4_set_cksum(f + 14);
	put_be16(f + 34, L2TP_UDP_PORT);
	put_be16(f + 36, peer->port);
	put_be16(f + 38, (uint16_t)(8 + len));
	put_be16(f + 40, 0);
	memcpy(f + 42, payload, len);
	send_frame(d, (uint16_t)ifx, f, 42 + len);
}

/* RADIUS Framed-Route: the prefixes behind the subscriber go into the FIB. */
static void
publish_routes(struct lnsd *d, struct lnsd_sub *sub, const struct lns_session_info *i)
{
	for (unsigned k = 0; k < i->n_routes; k++) {
		const struct aaa_route4 *r = &i->routes[k];
		int rc = dp_route4_add(d->tables, r->prefix, r->len, i->tunnel_id, i->session_id);

		if (rc != 0) {
			LOG(DP, LOG_WARN, "session %u/%u: route " INET4_FMT "/%u not installed: %s",
			    i->tunnel_id, i->session_id, INET4_ARGS(r->prefix), r->len,
			    strerror(-rc));
			continue;
		}
		sub->routes[sub->n_routes++] = *r;
	}
}

/* The workers' entry for a call, from what the LNS engines say of it. */
static void
dp_session_of(struct lnsd *d, const struct lns_session_info *i, struct dp_session *s)
{
	unsigned ifx = lnsd_tunnel_if(d, &i->peer);
	uint8_t mac[6];

	memset(s, 0, sizeof(*s));
	s->tunnel_id = i->tunnel_id;
	s->session_id = i->session_id;
	s->peer_tunnel_id = i->peer_tunnel_id;
	s->peer_session_id = i->peer_session_id;
	s->peer_ip = get_be32(i->peer.ip);
	s->peer_port = i->peer.port;
	s->local_ip = lnsd_local_of(d, &i->peer);
	s->local_port = L2TP_UDP_PORT;
	s->access_if = (uint8_t)d->ifs[ifx].access;
	if (neigh_resolve(d->neigh, lnsd_now_ms(), (uint16_t)ifx,
			  lnsd_next_hop(d->ifs[ifx].cfg, s->peer_ip), mac) == 0)
		memcpy(s->peer_mac.addr_bytes, mac, 6);
	s->sub_ipv4 = i->sub_ipv4;
	if (i->ipv6)
		memcpy(&s->sub_ipv6_prefix, i->prefix6, 8);
	s->magic = i->magic;
	s->mtu = i->mtu;
	s->mss = i->mss;
	s->flags = (uint8_t)((i->sequencing ? DP_SESS_SEQUENCING : 0));
}

static void
session_up(void *ctx, const struct lns_session_info *i)
{
	struct lnsd *d = ctx;
	struct dp_session s;
	int rc;

	dp_session_of(d, i, &s);
	rc = dp_session_add(d->tables, &s);
	if (rc < 0) {
		LOG(DP, LOG_ERR, "session %u/%u for %s not published: %s", i->tunnel_id,
		    i->session_id, i->user, strerror(-rc));
		return;
	}
	d->subs[rc] = (struct lnsd_sub){ .up = true,
					 .tunnel_id = i->tunnel_id,
					 .session_id = i->session_id,
					 .peer_ip = get_be32(i->peer.ip),
					 .ifx = (uint8_t)lnsd_tunnel_if(d, &i->peer),
					 .ipv4 = i->sub_ipv4,
					 .ipv6 = i->ipv6 };
	memcpy(d->subs[rc].prefix6, i->prefix6, 8);
	snprintf(d->subs[rc].user, sizeof(d->subs[rc].user), "%s", i->user);
	publish_routes(d, &d->subs[rc], i);
	next_hop_count(d, lnsd_next_hop(d->ifs[d->subs[rc].ifx].cfg, d->subs[rc].peer_ip), +1);
	LOG(DP, LOG_INFO, "session %u/%u for %s up: " INET4_FMT "%s", i->tunnel_id, i->session_id,
	    i->user, INET4_ARGS(i->sub_ipv4), i->ipv6 ? " and IPv6" : "");
}

/* IPv6 came up after IPCP: a new entry replaces the old, keeping its counters and routes. */
static void
session_update(void *ctx, const struct lns_session_info *i)
{
	struct lnsd *d = ctx;
	struct dp_session s;
	int rc;

	dp_session_of(d, i, &s);
	rc = dp_session_replace(d->tables, &s);
	if (rc < 0) {
		LOG(DP, LOG_ERR, "session %u/%u for %s not updated: %s", i->tunnel_id,
		    i->session_id, i->user, strerror(-rc));
		return;
	}
	d->subs[rc].ipv6 = i->ipv6;
	memcpy(d->subs[rc].prefix6, i->prefix6, 8);
	LOG(DP, LOG_INFO, "session %u/%u for %s: IPv6 up", i->tunnel_id, i->session_id, i->user);
}

void
lnsd_session_counters(struct lnsd *d, uint32_t index, struct dp_session_counters *out)
{
	struct dp_worker *w[MAX_WORKERS];

	for (unsigned i = 0; i < d->n_workers; i++)
		w[i] = &d->workers[i];
	dp_session_counters_sum(w, d->n_workers, index, out);
}

static void
slot_freed(void *ctx, uint32_t index)
{
	struct lnsd *d = ctx;
	struct dp_worker *w[MAX_WORKERS];

	for (unsigned i = 0; i < d->n_workers; i++)
		w[i] = &d->workers[i];
	dp_session_counters_clear(w, d->n_workers, index);
}

static void
session_down(void *ctx, uint16_t t, uint16_t s)
{
	struct lnsd *d = ctx;
	uint32_t key = dp_l2tp_key(t, s);
	const struct dp_session *e;
	struct dp_session_counters c;

	/* the control lcore is the tables' only writer: its own lookup is safe */
	dp_lookup_l2tp(d->tables, &key, 1, &e);
	if (e == NULL)
		return;
	lnsd_session_counters(d, e->index, &c);
	d->subs[e->index].up = false;
	next_hop_count(
		d, lnsd_next_hop(d->ifs[d->subs[e->index].ifx].cfg, d->subs[e->index].peer_ip), -1);
	for (unsigned k = 0; k < d->subs[e->index].n_routes; k++) /* routes go first */
		dp_route4_del(d->tables, d->subs[e->index].routes[k].prefix,
			      d->subs[e->index].routes[k].len);
	d->subs[e->index].n_routes = 0;
	dp_session_del(d->tables, t, s);
	LOG(DP, LOG_INFO,
	    "session %u/%u down: from subscriber %llu packets %llu bytes, to it %llu "
	    "packets %llu bytes",
	    t, s, (unsigned long long)c.rx_packets, (unsigned long long)c.rx_bytes,
	    (unsigned long long)c.tx_packets, (unsigned long long)c.tx_bytes);
}

static bool
aaa_auth(void *ctx, const struct aaa_auth_request *r)
{
	struct lnsd *d = ctx;

	return d->radius != NULL && aaa_radius_auth(d->radius, r) == 0;
}

static void
aaa_acct(void *ctx, const struct aaa_acct_request *r)
{
	struct lnsd *d = ctx;

	if (d->radius != NULL) /* a full backlog is counted and logged there */
		aaa_radius_acct(d->radius, r);
}

/* RADIUS input is what the subscriber sent, output what it was sent. */
static void
aaa_counters(void *ctx, uint16_t t, uint16_t s, struct aaa_counters *out)
{
	struct lnsd *d = ctx;
	uint32_t key = dp_l2tp_key(t, s);
	const struct dp_session *e;
	struct dp_session_counters c;

	memset(out, 0, sizeof(*out));
	dp_lookup_l2tp(d->tables, &key, 1, &e);
	if (e == NULL)
		return;
	lnsd_session_counters(d, e->index, &c);
	*out = (struct aaa_counters){ c.rx_bytes, c.tx_bytes, c.rx_packets, c.tx_packets };
}

static const struct lns_ops lns_ops = {
	.udp_send = udp_send,
	.session_up = session_up,
	.session_down = session_down,
	.random = random_bytes,
	.aaa_auth = aaa_auth,
	.aaa_acct = aaa_acct,
	.session_counters = aaa_counters,
	.session_update = session_update,
};

/* The radius section: AAA threads, Framed-Route in a FIB, and Accounting-On. */
static int
radius_start(struct lnsd *d)
{
	const struct lns_config *c = d->cfg;
	struct aaa_nas nas = { .ip = c->radius.nas_ip_address ? c->radius.nas_ip_address
							      : lnsd_first_access(d)->cfg->ipv4 };

	if (c->radius.n_servers == 0)
		return 0;
	snprintf(nas.identifier, sizeof(nas.identifier), "%s",
		 c->radius.nas_identifier[0] ? c->radius.nas_identifier : c->l2tp.host_name);
	if (dp_routes_enable(d->tables, c->l2tp.max_sessions) != 0)
		return -ENOMEM;
	d->radius = aaa_radius_create(&c->radius, &nas);
	if (d->radius == NULL)
		return -ENOMEM;
	aaa_radius_acct_onoff(d->radius, true);
	if (c->radius.dae_listen == 0)
		return 0;
	d->dae = aaa_dae_server_open(&c->radius, &nas);
	if (d->dae == NULL) {
		fprintf(stderr, "lnsd: Dynamic Authorization on " INET4_FMT ":%u: %s\n",
			INET4_ARGS(c->radius.dae_listen), c->radius.dae_port, strerror(errno));
		return -EADDRNOTAVAIL;
	}
	return 0;
}

/* lnsctl's socket and the Prometheus endpoint, both polled by the control loop. */
static int
management_start(struct lnsd *d)
{
	const struct cfg_management *m = &d->cfg->management;

	if (m->socket[0] != '\0') {
		d->ctl = ctl_server_open(m->socket, lnsd_ctl, d);
		if (d->ctl == NULL) {
			fprintf(stderr, "lnsd: lnsctl socket %s: %s\n", m->socket, strerror(errno));
			return -1;
		}
	}
	if (m->metrics_listen != 0) {
		d->metrics = ctl_server_open_http(m->metrics_listen, m->metrics_port,
						  lnsd_metrics_http, d);
		if (d->metrics == NULL) {
			fprintf(stderr, "lnsd: metrics on " INET4_FMT ":%u: %s\n",
				INET4_ARGS(m->metrics_listen), m->metrics_port, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Answers from the AAA threads to the PPP sessions waiting for them. */
static unsigned
radius_answers(struct lnsd *d, uint64_t now)
{
	unsigned n;

	if (d->radius == NULL)
		return 0;
	n = aaa_radius_answers(d->radius, d->answers, RTE_DIM(d->answers));
	for (unsigned i = 0; i < n; i++)
		lns_aaa_answer(d->lns, now, &d->answers[i]);
	if (d->dae != NULL)
		n += aaa_dae_server_poll(d->dae, d->lns, now);
	return n;
}

/* A packet a worker punted: ARP, or UDP to 1701 for the LNS. */
static void
control_input(struct lnsd *d, struct rte_mbuf *m, uint64_t now)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), off, ihl;
	uint16_t type, vlan;
	struct l2tp_addr peer = { .family = 4 };
	int ifx;

	if (!eth_parse(p, len, &vlan, &type, &off) || (ifx = lnsd_if_of(d, m->port, vlan)) < 0) {
		d->cnt.punt_other++; /* the workers drop other VLANs: cannot be */
		return;
	}
	if (type == RTE_ETHER_TYPE_ARP) {
		/* neigh reads the ARP body 14 bytes in: skip the tag's 4 */
		neigh_input(d->neigh, now, (uint16_t)ifx, p + off - 14, len - (off - 14));
		return;
	}
	if (type == RTE_ETHER_TYPE_IPV6 && d->ifs[ifx].core >= 0) {
		core_ipv6_input(d, (unsigned)ifx, p + RTE_ETHER_ADDR_LEN, p + off, len - off, now);
		return;
	}
	if (type != RTE_ETHER_TYPE_IPV4 || len < off + 28) {
		d->cnt.punt_other++;
		return;
	}
	ihl = (p[off] & 0xfu) * 4;
	if (p[off + 9] != IPPROTO_UDP || len < off + ihl + 8) {
		d->cnt.punt_other++;
		return;
	}
	/* L2TP only to the access addresses (l2tp.listen), each by its own interface */
	if (!lnsd_is_local(d, get_be32(p + off + 16)) ||
	    lnsd_access_if_with(d, get_be32(p + off + 16)) != ifx) {
		d->cnt.punt_not_ours++;
		return;
	}
	memcpy(peer.ip, p + off + 12, 4);
	memcpy(peer.local, p + off + 16, 4); /* the tunnel's: we answer from it */
	peer.port = get_be16(p + off + ihl);
	lns_input(d->lns, now, &peer, p + off + ihl + 8,
		  get_be16(p + off + ihl + 4) >= 8 ? get_be16(p + off + ihl + 4) - 8u : 0);
}

static int
worker_main(void *arg)
{
	struct lnsd *d = arg;
	unsigned id = rte_lcore_index(rte_lcore_id()) - 1;

	dp_worker_run(&d->workers[id], &d->wcfg[id], &d->stop_workers);
	return 0;
}

/* A secondary process cannot map a --no-huge primary's memory: capture needs hugepages. */
static bool
capture_possible(const struct lns_config *c)
{
	return c->dpdk.capture && c->dpdk.hugepages;
}

static int
eal_start(const struct lns_config *c, const char *prog)
{
	static struct lnsd_eal_args a;

	lnsd_eal_args(c, prog, &a);
	return rte_eal_init(a.argc, a.argv);
}

/* The lcores the workers run on, in launch order: their sockets place their memory. */
static int
assign_worker_lcores(struct lnsd *d)
{
	unsigned lcore, i = 0;

	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		if (i < d->n_workers)
			d->worker_lcore[i] = lcore;
		i++;
	}
	if (i < d->n_workers) {
		fprintf(stderr, "lnsd: %u workers configured, %u lcores to run them\n",
			d->n_workers, i);
		return -EINVAL;
	}
	return 0;
}

/* ARP answers for a port's address and its aliases. */
static int
arp_interfaces(struct lnsd *d, const struct cfg_port *p, uint16_t ifx,
	       const struct rte_ether_addr *mac)
{
	struct neigh_if nif = { .ip = p->ipv4, .port = ifx };
	int rc;

	memcpy(nif.mac, mac->addr_bytes, 6);
	rc = neigh_add_interface(d->neigh, &nif);
	for (unsigned k = 0; rc == 0 && k < p->n_aliases; k++) {
		nif.ip = p->aliases[k];
		rc = neigh_add_interface(d->neigh, &nif);
	}
	return rc;
}

/* ARP on every interface, IPv6 neighbour discovery on the core ones. */
static int
neighbours_start(struct lnsd *d)
{
	struct neigh_cfg nc;

	neigh_cfg_defaults(&nc);
	d->neigh = neigh_create(&nc, &neigh_ops, d);
	if (d->neigh == NULL || lns_hmap_init(&d->next_hops, 64) != 0)
		return -ENOMEM;
	for (unsigned i = 0; i < d->n_ifs; i++) {
		struct lnsd_if *f = &d->ifs[i];
		struct rte_ether_addr mac;

		rte_eth_macaddr_get(f->port, &mac);
		if (arp_interfaces(d, f->cfg, (uint16_t)i, &mac) != 0)
			return -ENOSPC;
		if (f->core >= 0)
			neigh6_init(&f->neigh6, &nc, mac.addr_bytes, f->cfg->ipv6,
				    f->cfg->gateway6);
	}
	return 0;
}

static int
setup(struct lnsd *d)
{
	const struct lns_config *c = d->cfg;
	struct dp_ports *dp = &d->ports[0];
	const struct lnsd_if *a;
	int rc;

	d->n_workers = c->dpdk.workers;
	d->ctl_txq = (uint16_t)d->n_workers;
	if ((rc = lnsd_find_interfaces(d)) != 0 || (rc = assign_worker_lcores(d)) != 0)
		return rc;
	a = lnsd_first_access(d);
	if ((rc = lnsd_ports_start(d)) != 0)
		return rc;
	d->pool = lnsd_pool_for_socket(d, lnsd_port_socket(a->port));
	if (d->pool == NULL)
		return -ENOMEM;
	d->qsbr = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(MAX_WORKERS), RTE_CACHE_LINE_SIZE);
	if (d->qsbr == NULL || rte_rcu_qsbr_init(d->qsbr, MAX_WORKERS) != 0)
		return -ENOMEM;
	d->tables = dp_tables_create("lnsd", c->l2tp.max_sessions, rte_socket_id(), d->qsbr);
	d->subs = calloc(c->l2tp.max_sessions, sizeof(*d->subs));
	if (d->tables == NULL || d->subs == NULL)
		return -ENOMEM;
	dp_tables_on_slot_freed(d->tables, slot_freed, d);
	lnsd_describe_interfaces(d, dp);
	/* rte_ip_frag: direct buffers for the headers, indirect ones for the payload */
	dp->frag_direct = d->pool;
	dp->frag_indirect =
		rte_pktmbuf_pool_create("lnsd_frag", 4095, 256, 0, 0, lnsd_port_socket(a->port));
	if (dp->frag_indirect == NULL)
		return -ENOMEM;
	if ((rc = neighbours_start(d)) != 0)
		return rc;
	d->lns = lns_create(c, &lns_ops, d);
	if (d->lns == NULL)
		return -ENOMEM;
	if (management_start(d) != 0)
		return -EADDRNOTAVAIL;
	if (c->management.telemetry && lnsd_telemetry_start(d) != 0)
		LOG(MAIN, LOG_WARN, "DPDK telemetry: /lnsd commands not registered");
	return radius_start(d);
}

static bool
far_from_ports(const struct lnsd *d, int socket)
{
	for (unsigned i = 0; i < d->n_ifs; i++)
		if (lnsd_port_socket(d->ifs[i].port) != socket)
			return true;
	return false;
}

static int
start_workers(struct lnsd *d)
{
	int control = (int)rte_socket_id();

	if (far_from_ports(d, control))
		LOG(MAIN, LOG_WARN,
		    "the control lcore (lcore %u) is on socket %d, a port is not: its punted "
		    "packets and control frames cross NUMA nodes (dpdk.lcores)",
		    rte_lcore_id(), control);
	for (unsigned w = 0; w < d->n_workers; w++) {
		int socket = (int)rte_lcore_to_socket_id(d->worker_lcore[w]);
		char name[32];

		if (far_from_ports(d, socket))
			LOG(MAIN, LOG_WARN,
			    "worker %u (lcore %u) is on socket %d, a port it polls is not: every "
			    "packet crosses NUMA nodes (dpdk.lcores)",
			    w, d->worker_lcore[w], socket);
		snprintf(name, sizeof(name), "punt%u", w);
		d->punt[w] = rte_ring_create(name, LNSD_RING_SIZE, socket,
					     RING_F_SP_ENQ | RING_F_SC_DEQ);
		for (int side = 0; side < 2; side++) {
			snprintf(name, sizeof(name), "hand%u_%d", w, side);
			d->handoff[w][side] =
				rte_ring_create(name, LNSD_RING_SIZE, socket, RING_F_SC_DEQ);
		}
		if (d->punt[w] == NULL || d->handoff[w][0] == NULL || d->handoff[w][1] == NULL)
			return -ENOMEM;
		d->workers[w] = (struct dp_worker){ .id = w,
						    .tables = d->tables,
						    .ports = &d->ports[0],
						    .n_workers = d->n_workers };
		d->workers[w].sess = rte_zmalloc_socket(
			NULL, sizeof(struct dp_session_counters) * d->cfg->l2tp.max_sessions, 0,
			socket);
		if (d->workers[w].sess == NULL)
			return -ENOMEM;
		/* a LAC's fragments: up to 4096 datagrams in reassembly, 2 s each */
		d->workers[w].frag_tbl =
			rte_ip_frag_table_create(1024, 8, 4096, rte_get_tsc_hz() * 2, socket);
		if (d->workers[w].frag_tbl == NULL)
			return -ENOMEM;
		d->wcfg[w] = (struct dp_worker_cfg){
			.txq = (uint16_t)w,
			.punt = d->punt[w],
			.qsbr = d->qsbr,
			.handoff = d->n_workers > 1 ? d->handoff : NULL,
			.idle_backoff = true,
			.idle_max_us = 100,
			.idle_polls = 256,
		};
		if (lnsd_worker_queues(d, &d->wcfg[w], w) != 0)
			return -ENOSPC;
	}
	for (unsigned w = 0; w < d->n_workers; w++)
		rte_eal_remote_launch(worker_main, d, d->worker_lcore[w]);
	return 0;
}

/* The configuration's log section: where lines go, and each category's level. */
static void
apply_log(const struct cfg_log *l)
{
	for (int c = 0; c < LOG_CAT_COUNT; c++)
		log_set_level(c, (enum log_level)l->level[c]);
	if (l->target == CFG_LOG_SYSLOG)
		log_use_syslog("lnsd", l->facility);
	else
		log_set_sink(NULL, NULL);
}

/* --debug l2tp,ppp: those categories at debug, over what the file says. */
static int
debug_categories(char *list)
{
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		int cat = log_category_parse(tok);

		if (cat < 0) {
			fprintf(stderr, "lnsd: --debug: unknown category '%s'\n", tok);
			return -1;
		}
		log_set_level(cat, LOG_DEBUG);
	}
	return 0;
}

/*
 * SIGHUP: profiles, users, pools and log levels for new tunnels and calls. A file that
 * does not validate changes nothing; EAL, ports and the L2TP section are
 * read only at start.
 */
void
lnsd_reload(struct lnsd *d)
{
	struct cfg_errors errs;
	struct lns_config *next = cfg_load(d->cfg->path, &errs);

	if (next == NULL) {
		for (unsigned i = 0; i < errs.n; i++)
			LOG(MAIN, LOG_ERR, "%s", errs.msg[i]);
		LOG(MAIN, LOG_ERR, "lnsd: reload of %s refused (%u error%s): nothing changed",
		    d->cfg->path, errs.n, errs.n == 1 ? "" : "s");
		return;
	}
	for (unsigned i = 0; i < errs.n_warnings; i++)
		LOG(MAIN, LOG_WARN, "%s", errs.warning[i]);
	if (lns_reload(d->lns, next) != 0) {
		LOG(MAIN, LOG_ERR, "lnsd: reload of %s: out of memory: nothing changed",
		    d->cfg->path);
		cfg_free(next);
		return;
	}
	if (memcmp(&next->dpdk, &d->cfg->dpdk, sizeof(next->dpdk)) != 0 ||
	    next->n_ports != d->cfg->n_ports ||
	    memcmp(next->ports, d->cfg->ports, sizeof(next->ports)) != 0 ||
	    memcmp(&next->l2tp, &d->cfg->l2tp, sizeof(next->l2tp)) != 0 ||
	    memcmp(&next->radius, &d->cfg->radius, sizeof(next->radius)) != 0)
		LOG(MAIN, LOG_WARN,
		    "lnsd: %s: changes to dpdk, ports, l2tp and radius take effect at "
		    "the next start",
		    d->cfg->path);
	if (d->live != d->cfg)
		cfg_free(d->live);
	d->live = next;
	apply_log(&next->log);
	LOG(MAIN, LOG_INFO, "lnsd: reloaded %s: %u profiles, %u users, %u pools for new calls",
	    next->path, next->n_profiles, next->n_users, next->n_pools);
}

/* SIGUSR2 (a toggle) and lnsctl: soft shutdown on, or off again. */
void
lnsd_set_draining(struct lnsd *d, bool on)
{
	d->draining = on;
	lns_set_accept_new(d->lns, !d->draining);
	if (d->draining)
		LOG(MAIN, LOG_INFO,
		    "lnsd: draining: new tunnels and calls refused, %u sessions "
		    "kept (SIGUSR2 again to accept)",
		    lns_session_count(d->lns));
	else
		LOG(MAIN, LOG_INFO, "lnsd: accepting new tunnels and calls again");
}

/* The control loop: punted packets, timers, ARP for the core gateway. */
static void
control_loop(struct lnsd *d)
{
	uint64_t next_arp = 0, shutdown_deadline = 0;
	bool shutting_down = false;

	while (true) {
		uint64_t now = lnsd_now_ms();
		unsigned work = 0;
		uint8_t mac[6];

		for (unsigned w = 0; w < d->n_workers; w++) {
			struct rte_mbuf *m[32];
			unsigned n = rte_ring_dequeue_burst(d->punt[w], (void **)m, 32, NULL);

			for (unsigned i = 0; i < n; i++) {
				control_input(d, m[i], now);
				rte_pktmbuf_free(m[i]);
			}
			work += n;
		}
		work += radius_answers(d, now);
		if (d->ctl != NULL)
			work += ctl_server_poll(d->ctl, now);
		if (d->metrics != NULL)
			work += ctl_server_poll(d->metrics, now);
		if (d->cfg->management.telemetry)
			lnsd_telemetry_publish(d, now);
		if (lns_next_timeout(d->lns) <= now)
			lns_timeout(d->lns, now);
		if (neigh_next_timeout(d->neigh) <= now)
			neigh_timeout(d->neigh, now);
		core_ipv6_timeout(d, now);
		lnsd_ports_poll_links(d, now);
		for (unsigned i = 0; now >= next_arp && i < d->n_ifs; i++)
			if (d->ifs[i].core >= 0 && d->ifs[i].cfg->gateway != 0 &&
			    lnsd_link_up(d, i))
				neigh_resolve(d->neigh, now, (uint16_t)i, d->ifs[i].cfg->gateway,
					      mac);
		if (now >= next_arp)
			next_arp = now + 1000;
		dp_tables_reclaim(d->tables);
		if (show_requested) {
			show_requested = 0;
			lnsd_show_state(d, stdout);
		}
		if (reload_requested) {
			reload_requested = 0;
			lnsd_reload(d);
		}
		if (drain_toggled) {
			drain_toggled = 0;
			lnsd_set_draining(d, !d->draining);
		}
		if (stop_requested && !shutting_down) {
			LOG(MAIN, LOG_INFO, "lnsd: stopping: CDN and StopCCN to every peer");
			lns_shutdown(d->lns, now);
			shutting_down = true;
			shutdown_deadline = now + 3000;
		}
		if (shutting_down &&
		    (l2tp_engine_tunnel_count(lns_engine(d->lns)) == 0 || now >= shutdown_deadline))
			break;
		if (work == 0)
			rte_delay_us_sleep(200); /* the control lcore shares a small machine */
	}
}

static void
print_port(const char *name, uint16_t port)
{
	struct rte_eth_stats st;

	if (rte_eth_stats_get(port, &st) != 0)
		return;
	fprintf(stderr,
		"  port %-8s rx %llu tx %llu; missed %llu, rx errors %llu, tx errors %llu, no mbuf "
		"%llu\n",
		name, (unsigned long long)st.ipackets, (unsigned long long)st.opackets,
		(unsigned long long)st.imissed, (unsigned long long)st.ierrors,
		(unsigned long long)st.oerrors, (unsigned long long)st.rx_nombuf);
}

/* One counter, when it counted anything. */
static void
counter_line(const char *name, uint64_t value, const char *text)
{
	if (value != 0)
		fprintf(stderr, "  %-24s %12llu  %s\n", name, (unsigned long long)value, text);
}

static void
print_counters(struct lnsd *d)
{
	struct dp_worker *w[MAX_WORKERS];
	uint64_t sum[DP_COUNTER_MAX];
	const struct lns_stats *ls = lns_stats(d->lns);

	for (unsigned i = 0; i < d->n_workers; i++)
		w[i] = &d->workers[i];
	dp_counters_sum(w, d->n_workers, sum);
	fprintf(stderr, "lnsd: dataplane counters:\n");
	for (int c = 0; c < DP_COUNTER_MAX; c++)
		counter_line(dp_counter_name(c), sum[c], dp_counter_text(c));
	for (unsigned i = 0; i < d->n_ifs; i++)
		if (lnsd_if_first_on_port(d, i))
			print_port(d->ifs[i].cfg->name, d->ifs[i].port);
	fprintf(stderr, "lnsd: control lcore counters:\n");
#define X(n, t) counter_line(#n, ls->n, t);
	LNS_COUNTERS(X)
#undef X
#define X(n, t) counter_line(#n, d->cnt.n, t);
	LNSD_COUNTERS(X)
#undef X
	if (d->radius != NULL) {
		struct aaa_radius_stats rs;

		aaa_radius_stats(d->radius, &rs);
		fprintf(stderr, "lnsd: RADIUS counters:\n");
#define X(n, t) counter_line(#n, rs.n, t);
		AAA_RADIUS_COUNTERS(X)
#undef X
		for (unsigned i = 0; i < rs.n_servers; i++) {
			char name[32];

			aaa_radius_server_name(d->radius, i, name, sizeof(name));
			fprintf(stderr, "lnsd: RADIUS server %u, %s:\n", i + 1, name);
#define X(n, t) counter_line(#n, rs.servers[i].n, t);
			AAA_RADIUS_SERVER_COUNTERS(X)
#undef X
		}
		if (d->dae != NULL) {
			const struct aaa_dae_stats *ds = aaa_dae_server_stats(d->dae);
#define X(n, t) counter_line(#n, ds->n, t);
			AAA_DAE_COUNTERS(X)
#undef X
		}
		if (rs.auth_latency_n > 0)
			fprintf(stderr, "  authentication latency: mean %llu us, max %llu us\n",
				(unsigned long long)(rs.auth_latency_us_sum / rs.auth_latency_n),
				(unsigned long long)rs.auth_latency_us_max);
	}
}

/* Stop records queued by the shutdown, then Accounting-Off, delivered within a bound. */
static void
radius_stop(struct lnsd *d)
{
	if (d->radius == NULL)
		return;
	aaa_radius_acct_onoff(d->radius, false);
	aaa_radius_stop(d->radius, RADIUS_DRAIN_MS);
}

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s -c FILE [--debug l2tp,ppp,dataplane,...]\n"
		"       %s --check-config FILE   validate FILE and exit: 0 it would start, 1 not\n"
		"       %s --version\n",
		prog, prog, prog);
}

/* Every error and warning with its file:line:column; the configuration, or NULL. */
static struct lns_config *
load_config(const char *path, unsigned *warnings)
{
	struct cfg_errors errs;
	struct lns_config *cfg = cfg_load(path, &errs);

	for (unsigned i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msg[i]);
	if (errs.dropped > 0)
		fprintf(stderr, "%s: %u more errors not shown\n", path, errs.dropped);
	for (unsigned i = 0; i < errs.n_warnings; i++)
		fprintf(stderr, "%s\n", errs.warning[i]);
	if (errs.warnings_dropped > 0)
		fprintf(stderr, "%s: %u more warnings not shown\n", path, errs.warnings_dropped);
	*warnings = errs.n_warnings + errs.warnings_dropped;
	if (cfg == NULL)
		fprintf(stderr, "lnsd: %s: not started (%u error%s)\n", path, errs.n + errs.dropped,
			errs.n + errs.dropped == 1 ? "" : "s");
	return cfg;
}

/* The machine against the configuration: CPUs, PCI ports, hugepages; the errors found. */
static unsigned
check_host(const struct lns_config *cfg)
{
	cpu_set_t allowed;
	unsigned errors;

	CPU_ZERO(&allowed);
	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		for (unsigned i = 0; i < CPU_SETSIZE; i++)
			CPU_SET(i, &allowed); /* unknown: let EAL judge */
	errors = lnsd_check_host(cfg, "/sys", &allowed, stderr);
	if (errors > 0)
		fprintf(stderr, "lnsd: %s: not started (%u error%s on this machine)\n", cfg->path,
			errors, errors == 1 ? "" : "s");
	return errors;
}

/*
 * --check-config, as nginx -t: everything that can be known without EAL
 * and the ports, the machine's CPUs, PCI drivers and hugepages included.
 */
static int
check_config(const char *path)
{
	unsigned warnings;
	struct lns_config *cfg = load_config(path, &warnings);

	if (cfg == NULL)
		return 1;
	if (check_host(cfg) != 0) {
		cfg_free(cfg);
		return 1;
	}
	if (warnings > 0)
		fprintf(stderr, "lnsd: %s: configuration ok (%u warning%s)\n", path, warnings,
			warnings == 1 ? "" : "s");
	else
		fprintf(stderr, "lnsd: %s: configuration ok\n", path);
	cfg_free(cfg);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = { { "config", required_argument, NULL, 'c' },
					      { "debug", required_argument, NULL, 'd' },
					      { "check-config", required_argument, NULL, 't' },
					      { "version", no_argument, NULL, 'V' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	struct lnsd d = { 0 };
	const char *path = NULL;
	char *debug = NULL;
	struct lns_config *cfg;
	unsigned warnings;
	int o, rc;

	while ((o = getopt_long(argc, argv, "c:d:t:Vh", opts, NULL)) != -1) {
		if (o == 'c') {
			path = optarg;
		} else if (o == 'd') {
			debug = optarg;
		} else if (o == 't') {
			return check_config(optarg);
		} else if (o == 'V') {
			printf("lnsd %s\n", LNSD_VERSION);
			return 0;
		} else if (o == 'h') {
			usage(argv[0]);
			return 0;
		} else {
			usage(argv[0]);
			return 2;
		}
	}
	if (path == NULL || optind < argc) {
		usage(argv[0]);
		return 2;
	}
	cfg = load_config(path, &warnings);
	if (cfg == NULL)
		return 1;
	if (check_host(cfg) != 0) {
		cfg_free(cfg);
		return 1;
	}
	d.cfg = cfg;
	d.live = cfg;
	apply_log(&cfg->log);
	if (debug != NULL && debug_categories(debug) != 0) {
		cfg_free(cfg);
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGUSR1, on_signal);
	signal(SIGUSR2, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN); /* a peer gone from a socket is an error return, not a death */
	if (eal_start(cfg, argv[0]) < 0) {
		fprintf(stderr, "lnsd: EAL did not start\n");
		return 1;
	}
	if (capture_possible(cfg) && rte_pdump_init() != 0)
		LOG(MAIN, LOG_WARN, "rte_pdump: not initialised, dpdk-dumpcap will not attach");
	else if (cfg->dpdk.capture && !cfg->dpdk.hugepages)
		LOG(MAIN, LOG_INFO, "live capture (dpdk-dumpcap) needs dpdk: hugepages: true");
	rc = setup(&d);
	if (rc == 0)
		rc = start_workers(&d);
	if (rc == 0) {
		LOG(MAIN, LOG_INFO, "lnsd: %s up: %u access and %u core interface(s), %u worker(s)",
		    cfg->l2tp.host_name, d.ports[0].n_access, d.ports[0].n_core, d.n_workers);
		control_loop(&d);
	}
	__atomic_store_n(&d.stop_workers, true, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	for (unsigned w = 0; w < d.n_workers; w++) {
		rte_ip_frag_free_death_row(&d.workers[w].death_row, 0);
		if (d.workers[w].frag_tbl != NULL)
			rte_ip_frag_table_destroy(d.workers[w].frag_tbl);
	}
	radius_stop(&d);
	if (d.lns != NULL)
		print_counters(&d);
	lns_destroy(d.lns);
	aaa_radius_destroy(d.radius, 0);
	aaa_dae_server_close(d.dae);
	ctl_server_close(d.ctl);
	ctl_server_close(d.metrics);
	neigh_destroy(d.neigh);
	lns_hmap_fini(&d.next_hops);
	free(d.subs);
	if (capture_possible(cfg))
		rte_pdump_uninit();
	rte_eal_cleanup();
	if (d.live != cfg)
		cfg_free(d.live);
	cfg_free(cfg);
	return rc == 0 ? 0 : 1;
}
