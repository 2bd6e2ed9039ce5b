/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lnsctl's commands, run on the control lcore when a request line is
 * complete (control/io/ctl_server.c), and the Prometheus text (metrics). Each
 * command writes through ctl_out, so the same code gives people aligned
 * tables and scripts JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ring.h>

#include "inet.h"
#include "l2tp_wire.h"
#include "lns_log.h"
#include "lnsd.h"

/* An IPv6CP Interface-Identifier as the low half of an address: "0211:2233:4455:6677". */
static void
format_iid(char *buf, size_t size, const uint8_t iid[8])
{
	snprintf(buf, size, "%02x%02x:%02x%02x:%02x%02x:%02x%02x", iid[0], iid[1], iid[2], iid[3],
		 iid[4], iid[5], iid[6], iid[7]);
}

static bool
parse_u16(const char *s, uint16_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v == 0 || v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

/* "TUNNEL/SESSION", as show sessions prints them */
static bool
parse_call(const char *s, uint16_t *t, uint16_t *sid)
{
	char buf[16];
	char *slash;

	if (strlen(s) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash == NULL)
		return false;
	*slash = '\0';
	return parse_u16(buf, t) && parse_u16(slash + 1, sid);
}

static int
fail(struct ctl_out *o, const char *fmt, const char *arg)
{
	o->json = false; /* errors are one line of text */
	o->len = 0;
	ctl_text(o, fmt, arg);
	ctl_text(o, "\n");
	return -1;
}

static const struct ctl_col tunnel_cols[] = {
	{ "tunnel", 6 },   { "peer_tunnel", 11 }, { "peer", -21 },	  { "host", -12 },
	{ "state", -16 },  { "sessions", 8 },	  { "sent", 8 },	  { "resent", 6 },
	{ "received", 8 }, { "duplicates", 10 },  { "out_of_order", 12 }, { "window_stalls", 13 },
	{ "srtt_ms", 7 },  { "quirks", 6 },
};

static int
show_tunnels(struct lnsd *d, struct ctl_out *o)
{
	struct l2tp_engine *e = lns_engine(d->lns);

	ctl_table_begin(o, "tunnels", tunnel_cols, RTE_DIM(tunnel_cols));
	for (struct l2tp_tunnel *t = l2tp_engine_next_tunnel(e, NULL); t != NULL;
	     t = l2tp_engine_next_tunnel(e, t)) {
		const struct l2tp_chan_stats *cs = l2tp_tunnel_chan_stats(t);
		char peer[64];

		l2tp_addr_format(l2tp_tunnel_peer(t), peer, sizeof(peer));
		ctl_cell_u64(o, l2tp_tunnel_id(t));
		ctl_cell_u64(o, l2tp_tunnel_peer_id(t));
		ctl_cell_str(o, peer);
		ctl_cell_str(o, l2tp_tunnel_peer_name(t));
		ctl_cell_str(o, l2tp_tunnel_state_str(l2tp_tunnel_state(t)));
		ctl_cell_u64(o, l2tp_tunnel_session_count(t));
		ctl_cell_u64(o, cs->tx_msgs);
		ctl_cell_u64(o, cs->retransmits);
		ctl_cell_u64(o, cs->rx_msgs);
		ctl_cell_u64(o, cs->duplicates);
		ctl_cell_u64(o, cs->out_of_order);
		ctl_cell_u64(o, cs->window_stalls);
		ctl_cell_u64(o, cs->srtt_ms);
		ctl_cell_u64(o, l2tp_tunnel_quirk_hits(t));
	}
	ctl_table_end(o);
	return 0;
}

/* "2:5 6:1": how many times each Result Code was seen. */
static void
histogram(char *buf, size_t size, const uint64_t *h)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < LNS_RESULT_BUCKETS && len < size; i++)
		if (h[i] != 0)
			len += (size_t)snprintf(
				buf + len, size - len, "%s%u%s:%llu", len ? " " : "", i,
				i == LNS_RESULT_BUCKETS - 1 ? "+" : "", (unsigned long long)h[i]);
	if (buf[0] == '\0')
		snprintf(buf, size, "-");
}

static const struct ctl_col peer_cols[] = {
	{ "peer", -15 },
	{ "host", -12 },
	{ "tunnels_down", 12 },
	{ "calls_down", 10 },
	{ "cdn_received", -16 },
	{ "cdn_sent", -16 },
	{ "stopccn_received", -16 },
	{ "stopccn_sent", -16 },
};

/* Per LAC: how its calls and tunnels ended, by Result Code each way. */
static int
show_peers(struct lnsd *d, struct ctl_out *o)
{
	size_t it = 0;
	const struct lns_peer_health *h;

	ctl_table_begin(o, "peers", peer_cols, RTE_DIM(peer_cols));
	while ((h = lns_next_peer(d->lns, &it)) != NULL) {
		char addr[16], hist[128];

		inet4_str(h->addr, addr);
		ctl_cell_str(o, addr);
		ctl_cell_str(o, h->host);
		ctl_cell_u64(o, h->tunnels_down);
		ctl_cell_u64(o, h->calls_down);
		histogram(hist, sizeof(hist), h->cdn_rx);
		ctl_cell_str(o, hist);
		histogram(hist, sizeof(hist), h->cdn_tx);
		ctl_cell_str(o, hist);
		histogram(hist, sizeof(hist), h->stopccn_rx);
		ctl_cell_str(o, hist);
		histogram(hist, sizeof(hist), h->stopccn_tx);
		ctl_cell_str(o, hist);
	}
	ctl_table_end(o);
	return 0;
}

struct session_filter {
	uint16_t tunnel_id; /* 0: any */
	const char *user;   /* NULL: any */
	uint32_t address;   /* 0: any */
};

static int
parse_filter(int argc, char **argv, struct session_filter *f, struct ctl_out *o)
{
	memset(f, 0, sizeof(*f));
	for (int i = 0; i < argc; i += 2) {
		if (i + 1 >= argc)
			return fail(o, "show sessions: '%s' needs a value", argv[i]);
		if (strcmp(argv[i], "tunnel") == 0) {
			if (!parse_u16(argv[i + 1], &f->tunnel_id))
				return fail(o, "show sessions: bad tunnel ID '%s'", argv[i + 1]);
		} else if (strcmp(argv[i], "user") == 0) {
			f->user = argv[i + 1];
		} else if (strcmp(argv[i], "address") == 0) {
			if (!inet4_parse(argv[i + 1], &f->address))
				return fail(o, "show sessions: bad address '%s'", argv[i + 1]);
		} else {
			return fail(o, "show sessions: unknown filter '%s' (tunnel, user, address)",
				    argv[i]);
		}
	}
	return 0;
}

static const struct ctl_col session_cols[] = {
	{ "session", 13 },  { "user", -16 },	   { "address", -15 },	{ "in_packets", 10 },
	{ "in_bytes", 12 }, { "out_packets", 10 }, { "out_bytes", 12 },
};

static int
show_sessions(struct lnsd *d, int argc, char **argv, struct ctl_out *o)
{
	struct session_filter f;

	if (parse_filter(argc, argv, &f, o) != 0)
		return -1;
	ctl_table_begin(o, "sessions", session_cols, RTE_DIM(session_cols));
	for (uint32_t i = 0; i < d->cfg->l2tp.max_sessions; i++) {
		const struct lnsd_sub *u = &d->subs[i];
		struct dp_session_counters c;
		char id[16], addr[16];

		if (!u->up || (f.tunnel_id && u->tunnel_id != f.tunnel_id) ||
		    (f.user && strcmp(f.user, u->user) != 0) || (f.address && u->ipv4 != f.address))
			continue;
		lnsd_session_counters(d, i, &c);
		snprintf(id, sizeof(id), "%u/%u", u->tunnel_id, u->session_id);
		inet4_str(u->ipv4, addr);
		ctl_cell_str(o, id);
		ctl_cell_str(o, u->user);
		ctl_cell_str(o, addr);
		ctl_cell_u64(o, c.rx_packets);
		ctl_cell_u64(o, c.rx_bytes);
		ctl_cell_u64(o, c.tx_packets);
		ctl_cell_u64(o, c.tx_bytes);
	}
	ctl_table_end(o);
	return 0;
}

static const struct lnsd_sub *
published(struct lnsd *d, uint16_t t, uint16_t s, struct dp_session_counters *c)
{
	uint32_t key = dp_l2tp_key(t, s);
	const struct dp_session *e;

	dp_lookup_l2tp(d->tables, &key, 1, &e);
	if (e == NULL)
		return NULL;
	lnsd_session_counters(d, e->index, c);
	return &d->subs[e->index];
}

static int
show_session(struct lnsd *d, const char *arg, struct ctl_out *o)
{
	struct lns_call_view v;
	struct dp_session_counters c = { 0 };
	uint16_t t, s;
	char buf[64];

	if (!parse_call(arg, &t, &s))
		return fail(o, "show session: expected TUNNEL/SESSION, not '%s'", arg);
	if (!lns_call_view(d->lns, lnsd_now_ms(), t, s, &v))
		return fail(o, "no session %s", arg);
	ctl_section_begin(o, "l2tp");
	ctl_kv_u64(o, "tunnel", v.tunnel_id);
	ctl_kv_u64(o, "session", v.session_id);
	ctl_kv_u64(o, "peer_tunnel", v.peer_tunnel_id);
	ctl_kv_u64(o, "peer_session", v.peer_session_id);
	ctl_kv_str(o, "state", v.l2tp_state);
	ctl_kv_str(o, "data_sequencing", v.sequencing ? "yes" : "no");
	ctl_section_end(o);
	ctl_section_begin(o, "ppp");
	ctl_kv_str(o, "user", v.ppp->user);
	ctl_kv_str(o, "lcp", v.lcp_state);
	ctl_kv_str(o, "ipcp", v.ipcp_state);
	ctl_kv_str(o, "authentication", ppp_auth_proto_str(v.ppp->auth));
	ctl_kv_str(o, "proxy_lcp", v.ppp->proxy_lcp_used ? "yes" : "no");
	ctl_kv_str(o, "proxy_authentication", v.ppp->proxy_auth_used ? "yes" : "no");
	ctl_kv_u64(o, "peer_mru", v.ppp->peer_mru);
	ctl_kv_str(o, "peer_acfc", v.ppp->peer_acfc ? "yes" : "no");
	ctl_kv_str(o, "peer_pfc", v.ppp->peer_pfc ? "yes" : "no");
	snprintf(buf, sizeof(buf), "%08x", v.ppp->our_magic);
	ctl_kv_str(o, "our_magic", buf);
	inet4_str(v.local_ipv4, buf);
	ctl_kv_str(o, "local_address", buf);
	inet4_str(v.ppp->our_ipv4, buf);
	ctl_kv_str(o, "our_address", buf);
	inet4_str(v.ppp->peer_ipv4, buf);
	ctl_kv_str(o, "peer_address", buf);
	inet4_str(v.ppp->dns[0], buf);
	ctl_kv_str(o, "dns", buf);
	ctl_kv_str(o, "ipv6cp", v.ipv6cp_state);
	if (v.ppp->ipv6_up) {
		format_iid(buf, sizeof(buf), v.ppp->our_iid);
		ctl_kv_str(o, "our_interface_id", buf);
		format_iid(buf, sizeof(buf), v.ppp->peer_iid);
		ctl_kv_str(o, "peer_interface_id", buf);
	}
	if (v.ipv6) {
		uint8_t a6[16] = { 0 };
		char text[INET6_STRLEN];

		memcpy(a6, v.prefix6, 8);
		snprintf(buf, sizeof(buf), "%s/64", inet6_str(a6, text));
		ctl_kv_str(o, "ipv6_prefix", buf);
	}
	ctl_section_end(o);
	if (published(d, t, s, &c) != NULL) {
		ctl_section_begin(o, "counters");
		ctl_kv_u64(o, "in_packets", c.rx_packets);
		ctl_kv_u64(o, "in_bytes", c.rx_bytes);
		ctl_kv_u64(o, "out_packets", c.tx_packets);
		ctl_kv_u64(o, "out_bytes", c.tx_bytes);
		ctl_section_end(o);
	}
	ctl_section_begin(o, "accounting");
	ctl_kv_str(o, "aaa", v.radius ? "radius" : "local");
	ctl_kv_str(o, "acct_session_id", v.acct_session_id);
	ctl_kv_str(o, "accounting", v.acct_started ? "started" : "not started");
	ctl_kv_u64(o, "up_seconds", v.up_for_ms / 1000);
	ctl_kv_u64(o, "session_timeout_in_s", v.session_timeout_in_ms / 1000);
	ctl_kv_u64(o, "idle_timeout_s", v.idle_timeout_ms / 1000);
	ctl_kv_u64(o, "interim_s", v.interim_ms / 1000);
	ctl_kv_u64(o, "class_bytes", v.class_len);
	ctl_section_end(o);
	return 0;
}

/* The dataplane's counters, one column per worker and their sum. */
static void
stats_dataplane(struct lnsd *d, struct ctl_out *o)
{
	static struct ctl_col cols[2 + MAX_WORKERS];
	static char names[MAX_WORKERS][16];
	uint64_t per[MAX_WORKERS][DP_COUNTER_MAX], sum[DP_COUNTER_MAX] = { 0 };
	unsigned n = 0;

	cols[n++] = (struct ctl_col){ "counter", -26 };
	for (unsigned w = 0; w < d->n_workers && w < CTL_MAX_COLS - 2; w++) {
		struct dp_worker *wp = &d->workers[w];

		snprintf(names[w], sizeof(names[w]), "worker%u", w);
		cols[n++] = (struct ctl_col){ names[w], 12 };
		dp_counters_sum(&wp, 1, per[w]);
		for (int c = 0; c < DP_COUNTER_MAX; c++)
			sum[c] += per[w][c];
	}
	cols[n++] = (struct ctl_col){ "total", 12 };
	ctl_table_begin(o, "dataplane", cols, n);
	for (int c = 0; c < DP_COUNTER_MAX; c++) {
		ctl_cell_str(o, dp_counter_name(c));
		for (unsigned w = 0; w + 2 < n; w++)
			ctl_cell_u64(o, per[w][c]);
		ctl_cell_u64(o, sum[c]);
	}
	ctl_table_end(o);
}

static void
stats_rings(struct lnsd *d, struct ctl_out *o)
{
	char key[32];

	ctl_section_begin(o, "punt_rings");
	for (unsigned w = 0; w < d->n_workers; w++) {
		snprintf(key, sizeof(key), "worker%u_used", w);
		ctl_kv_u64(o, key, rte_ring_count(d->punt[w]));
		snprintf(key, sizeof(key), "worker%u_size", w);
		ctl_kv_u64(o, key, rte_ring_get_capacity(d->punt[w]));
	}
	ctl_section_end(o);
}

/* ARP on both sides, IPv6 neighbour discovery on the core side, and the gateways' state. */
static void
stats_neighbours(struct lnsd *d, struct ctl_out *o)
{
	const struct neigh_stats *ns = neigh_stats(d->neigh);
	static const uint8_t none[16];
	struct neigh6_stats n6 = { 0 };
	char key[16 + CFG_NAME_MAX];

	ctl_section_begin(o, "arp");
	for (unsigned i = 0; i < d->n_ifs; i++) {
		const struct cfg_port *p = d->ifs[i].cfg;

		if (d->ifs[i].core < 0 || p->gateway == 0)
			continue;
		snprintf(key, sizeof(key), "gateway_%s", p->name);
		ctl_kv_str(o, key, neigh_state_str(neigh_state_of(d->neigh, p->gateway)));
	}
#define X(n, t) ctl_kv_u64(o, #n, ns->n);
	NEIGH_COUNTERS(X)
#undef X
	ctl_section_end(o);
	ctl_section_begin(o, "nd");
	for (unsigned i = 0; i < d->n_ifs; i++) {
		const struct neigh6 *nd = &d->ifs[i].neigh6;

		if (d->ifs[i].core < 0)
			continue;
		snprintf(key, sizeof(key), "gateway6_%s", d->ifs[i].cfg->name);
		if (memcmp(d->ifs[i].cfg->gateway6, none, 16) != 0)
			ctl_kv_str(o, key, neigh_state_str(nd->state));
#define X(n, t) n6.n += nd->stats.n;
		NEIGH6_COUNTERS(X)
#undef X
	}
#define X(n, t) ctl_kv_u64(o, #n, n6.n);
	NEIGH6_COUNTERS(X)
#undef X
	ctl_section_end(o);
}

static void
stats_control(struct lnsd *d, struct ctl_out *o)
{
	const struct lns_stats *ls = lns_stats(d->lns);
	const struct l2tp_engine_stats *es = l2tp_engine_stats(lns_engine(d->lns));

	ctl_section_begin(o, "control");
	ctl_kv_u64(o, "tunnels", l2tp_engine_tunnel_count(lns_engine(d->lns)));
	ctl_kv_u64(o, "sessions", lns_session_count(d->lns));
	ctl_kv_str(o, "accepting_new", d->draining ? "no (draining)" : "yes");
#define X(n, t) ctl_kv_u64(o, #n, ls->n);
	LNS_COUNTERS(X)
#undef X
#define X(n, t) ctl_kv_u64(o, #n, d->cnt.n);
	LNSD_COUNTERS(X)
#undef X
	ctl_section_end(o);
	ctl_section_begin(o, "l2tp");
#define X(n, t) ctl_kv_u64(o, #n, es->n);
	L2TP_ENGINE_COUNTERS(X)
#undef X
	ctl_section_end(o);
	stats_neighbours(d, o);
}

static void
stats_radius(struct lnsd *d, struct ctl_out *o)
{
	struct aaa_radius_stats rs;

	if (d->radius == NULL)
		return;
	aaa_radius_stats(d->radius, &rs);
	ctl_section_begin(o, "radius");
#define X(n, t) ctl_kv_u64(o, #n, rs.n);
	AAA_RADIUS_COUNTERS(X)
#undef X
	ctl_kv_u64(o, "auth_queued", rs.auth_queued);
	ctl_kv_u64(o, "acct_queued", rs.acct_queued);
	ctl_kv_u64(o, "server_first", rs.server + 1);
	ctl_kv_u64(o, "auth_latency_mean_us",
		   rs.auth_latency_n ? rs.auth_latency_us_sum / rs.auth_latency_n : 0);
	ctl_kv_u64(o, "auth_latency_max_us", rs.auth_latency_us_max);
	if (d->dae != NULL) {
		const struct aaa_dae_stats *ds = aaa_dae_server_stats(d->dae);
#define X(n, t) ctl_kv_u64(o, #n, ds->n);
		AAA_DAE_COUNTERS(X)
#undef X
	}
	ctl_section_end(o);
	for (unsigned i = 0; i < rs.n_servers; i++) {
		char section[32], name[32];

		snprintf(section, sizeof(section), "radius_server%u", i + 1);
		aaa_radius_server_name(d->radius, i, name, sizeof(name));
		ctl_section_begin(o, section);
		ctl_kv_str(o, "server", name);
#define X(n, t) ctl_kv_u64(o, #n, rs.servers[i].n);
		AAA_RADIUS_SERVER_COUNTERS(X)
#undef X
		ctl_section_end(o);
	}
}

/* Each DPDK port: what it got from its device, and its link. */
static void
stats_ports(struct lnsd *d, struct ctl_out *o)
{
	for (unsigned i = 0; i < d->n_ifs; i++) {
		const struct lnsd_nic *n = lnsd_nic_of(d, i);
		char section[CFG_NAME_MAX + 8], features[96];

		if (!lnsd_if_first_on_port(d, i))
			continue;
		snprintf(section, sizeof(section), "port_%s", d->ifs[i].cfg->name);
		dp_port_features(&n->plan, features, sizeof(features));
		ctl_section_begin(o, section);
		ctl_kv_str(o, "driver", n->plan.driver);
		ctl_kv_str(o, "link", !n->link_known ? "unknown" : n->link_up ? "up" : "down");
		ctl_kv_u64(o, "link_speed_mbps", n->speed_mbps);
		ctl_kv_u64(o, "link_changes", n->link_changes);
		ctl_kv_u64(o, "rx_queues", n->plan.n_rxq);
		ctl_kv_u64(o, "rss_queues", n->plan.rss ? n->plan.rss_queues : 0);
		ctl_kv_u64(o, "tx_queues", n->plan.n_txq);
		ctl_kv_u64(o, "rx_ring", n->plan.rx_ring);
		ctl_kv_u64(o, "tx_ring", n->plan.tx_ring);
		ctl_kv_str(o, "features", features);
		ctl_section_end(o);
	}
}

static void
xstat_kv(void *arg, const char *name, uint64_t value)
{
	ctl_kv_u64(arg, name, value);
}

/* show stats --port NAME: the port's DPDK extended stats, as its driver names them. */
static int
stats_port_xstats(struct lnsd *d, const char *name, struct ctl_out *o)
{
	for (unsigned i = 0; i < d->n_ifs; i++) {
		if (strcmp(d->ifs[i].cfg->name, name) != 0)
			continue;
		ctl_section_begin(o, "xstats");
		if (lnsd_port_xstats(d, i, xstat_kv, o) < 0) {
			ctl_section_end(o);
			return fail(o, "port %s: its extended stats cannot be read", name);
		}
		ctl_section_end(o);
		return 0;
	}
	return fail(o, "show stats --port: no port named '%s'", name);
}

static int
show_stats(struct lnsd *d, int argc, char **argv, struct ctl_out *o)
{
	if (argc == 2 && strcmp(argv[0], "--port") == 0)
		return stats_port_xstats(d, argv[1], o);
	if (argc != 0)
		return fail(o, "show stats: expected nothing, or --port NAME%s", "");
	stats_dataplane(d, o);
	stats_rings(d, o);
	stats_ports(d, o);
	stats_control(d, o);
	stats_radius(d, o);
	return 0;
}

static int
show(struct lnsd *d, int argc, char **argv, struct ctl_out *o)
{
	if (argc < 1)
		return fail(o, "show what? (%s)",
			    "tunnels, peers, sessions, session T/S, stats, metrics");
	if (strcmp(argv[0], "tunnels") == 0)
		return show_tunnels(d, o);
	if (strcmp(argv[0], "peers") == 0)
		return show_peers(d, o);
	if (strcmp(argv[0], "sessions") == 0)
		return show_sessions(d, argc - 1, argv + 1, o);
	if (strcmp(argv[0], "session") == 0)
		return argc == 2 ? show_session(d, argv[1], o)
				 : fail(o, "show session: expected TUNNEL/SESSION%s", "");
	if (strcmp(argv[0], "stats") == 0)
		return show_stats(d, argc - 1, argv + 1, o);
	if (strcmp(argv[0], "metrics") == 0) {
		o->json = false;
		lnsd_metrics(d, o);
		return 0;
	}
	return fail(o, "show: unknown '%s' (tunnels, peers, sessions, session T/S, stats, metrics)",
		    argv[0]);
}

static int
clear(struct lnsd *d, int argc, char **argv, struct ctl_out *o)
{
	uint16_t t, s;

	if (argc == 2 && strcmp(argv[0], "session") == 0) {
		if (!parse_call(argv[1], &t, &s))
			return fail(o, "clear session: expected TUNNEL/SESSION, not '%s'", argv[1]);
		if (lns_clear_session(d->lns, lnsd_now_ms(), t, s) != 0)
			return fail(o, "no session %s", argv[1]);
		ctl_text(o, "session %s: LCP Terminate, CDN and accounting Stop on their way\n",
			 argv[1]);
		return 0;
	}
	if (argc == 2 && strcmp(argv[0], "tunnel") == 0) {
		if (!parse_u16(argv[1], &t))
			return fail(o, "clear tunnel: bad tunnel ID '%s'", argv[1]);
		if (lns_clear_tunnel(d->lns, lnsd_now_ms(), t) != 0)
			return fail(o, "no tunnel %s", argv[1]);
		ctl_text(o, "tunnel %s: CDN for its calls, then StopCCN\n", argv[1]);
		return 0;
	}
	return fail(o, "clear: expected 'session TUNNEL/SESSION' or 'tunnel TUNNEL'%s", "");
}

static int
debug(int argc, char **argv, struct ctl_out *o)
{
	int cat;

	if (argc != 2 || (strcmp(argv[1], "on") != 0 && strcmp(argv[1], "off") != 0))
		return fail(o, "debug: expected CATEGORY on|off (l2tp, ppp, radius, dataplane%s)",
			    ", config, main");
	cat = strcmp(argv[0], "radius") == 0 ? LOG_CAT_AAA : log_category_parse(argv[0]);
	if (cat < 0)
		return fail(o, "debug: unknown category '%s'", argv[0]);
	log_set_level(cat, strcmp(argv[1], "on") == 0 ? LOG_DEBUG : LOG_INFO);
	ctl_text(o, "%s debugging %s\n", argv[0], argv[1]);
	return 0;
}

int
lnsd_ctl(void *ctx, int argc, char **argv, struct ctl_out *o)
{
	struct lnsd *d = ctx;

	if (strcmp(argv[0], "show") == 0)
		return show(d, argc - 1, argv + 1, o);
	if (strcmp(argv[0], "clear") == 0)
		return clear(d, argc - 1, argv + 1, o);
	if (strcmp(argv[0], "debug") == 0)
		return debug(argc - 1, argv + 1, o);
	if (strcmp(argv[0], "reload") == 0 && argc == 1) {
		uint64_t before = lns_stats(d->lns)->reloads;

		lnsd_reload(d);
		if (lns_stats(d->lns)->reloads == before)
			return fail(o, "reload of %s refused: see lnsd's log", d->cfg->path);
		ctl_text(o, "reloaded %s\n", d->cfg->path);
		return 0;
	}
	if (strcmp(argv[0], "drain") == 0 && argc == 2 &&
	    (strcmp(argv[1], "on") == 0 || strcmp(argv[1], "off") == 0)) {
		lnsd_set_draining(d, strcmp(argv[1], "on") == 0);
		ctl_text(o, "draining %s\n", argv[1]);
		return 0;
	}
	return fail(o,
		    "unknown command '%s' (show tunnels|peers|sessions|session T/S|stats|metrics, "
		    "clear session T/S|tunnel T, debug CATEGORY on|off, reload, drain on|off)",
		    argv[0]);
}

/* SIGUSR1: what lnsctl show tunnels and show sessions print, with a summary line. */
void
lnsd_show_state(struct lnsd *d, FILE *f)
{
	struct ctl_out o;

	ctl_out_init(&o, false);
	ctl_text(&o, "lnsd: %u tunnels, %u sessions\n",
		 l2tp_engine_tunnel_count(lns_engine(d->lns)), lns_session_count(d->lns));
	show_tunnels(d, &o);
	show_sessions(d, 0, NULL, &o);
	ctl_out_finish(&o);
	fwrite(o.buf, 1, o.len, f);
	fflush(f);
	ctl_out_free(&o);
}
