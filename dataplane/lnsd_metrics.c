/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Prometheus text exposition (version 0.0.4) of what lnsctl shows: the
 * counters of the workers, the ports, the control lcore, the L2TP engine
 * and RADIUS, and how each peer's calls and tunnels ended. Served over
 * HTTP by the control loop (management: metrics_listen) and printed by
 * lnsctl show metrics.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "inet.h"
#include "lnsd.h"

static void
family(struct ctl_out *o, const char *name, const char *type, const char *help)
{
	ctl_text(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
dataplane(struct lnsd *d, struct ctl_out *o)
{
	family(o, "lnsd_dataplane_packets_total", "counter",
	       "Packets per worker by outcome (forwarded, punted, or dropped with a reason)");
	for (unsigned w = 0; w < d->n_workers; w++) {
		struct dp_worker *wp = &d->workers[w];
		uint64_t c[DP_COUNTER_MAX];

		dp_counters_sum(&wp, 1, c);
		for (int i = 0; i < DP_COUNTER_MAX; i++)
			ctl_text(
				o,
				"lnsd_dataplane_packets_total{worker=\"%u\",counter=\"%s\"} %llu\n",
				w, dp_counter_name(i), (unsigned long long)c[i]);
	}
}

/* One ethdev counter of every port, as one family: Prometheus wants a family's samples together. */
static void
port_family(struct lnsd *d, struct ctl_out *o, const char *name, const char *label, size_t offset)
{
	for (unsigned i = 0; i < d->n_ifs; i++) {
		struct rte_eth_stats st;

		if (!lnsd_if_first_on_port(d, i) || rte_eth_stats_get(d->ifs[i].port, &st) != 0)
			continue;
		ctl_text(o, "%s{port=\"%s\"%s} %llu\n", name, d->ifs[i].cfg->name, label,
			 (unsigned long long)*(const uint64_t *)((const char *)&st + offset));
	}
}

struct xstat_line {
	struct ctl_out *o;
	const char *port;
};

static void
xstat_line(void *arg, const char *name, uint64_t value)
{
	struct xstat_line *x = arg;

	ctl_text(x->o, "lnsd_port_xstats_total{port=\"%s\",name=\"%s\"} %llu\n", x->port, name,
		 (unsigned long long)value);
}

static void
port_links(struct lnsd *d, struct ctl_out *o)
{
	family(o, "lnsd_port_link_up", "gauge", "1 while the port's link is up");
	for (unsigned i = 0; i < d->n_ifs; i++)
		if (lnsd_if_first_on_port(d, i))
			ctl_text(o, "lnsd_port_link_up{port=\"%s\"} %d\n", d->ifs[i].cfg->name,
				 lnsd_link_up(d, i) ? 1 : 0);
	family(o, "lnsd_port_link_changes_total", "counter",
	       "Times the port's link went down or up");
	for (unsigned i = 0; i < d->n_ifs; i++)
		if (lnsd_if_first_on_port(d, i))
			ctl_text(o, "lnsd_port_link_changes_total{port=\"%s\"} %llu\n",
				 d->ifs[i].cfg->name,
				 (unsigned long long)lnsd_nic_of(d, i)->link_changes);
}

static void
ports(struct lnsd *d, struct ctl_out *o)
{
	/* a family's rows follow one another; the first of each carries its help */
	static const struct {
		const char *name, *label, *help;
		size_t off;
	} stats[] = {
		{ "lnsd_port_packets_total", ",direction=\"rx\"", "Packets through each DPDK port",
		  offsetof(struct rte_eth_stats, ipackets) },
		{ "lnsd_port_packets_total", ",direction=\"tx\"", NULL,
		  offsetof(struct rte_eth_stats, opackets) },
		{ "lnsd_port_bytes_total", ",direction=\"rx\"", "Bytes through each DPDK port",
		  offsetof(struct rte_eth_stats, ibytes) },
		{ "lnsd_port_bytes_total", ",direction=\"tx\"", NULL,
		  offsetof(struct rte_eth_stats, obytes) },
		{ "lnsd_port_missed_total", "", "Packets the NIC dropped: RX queue full",
		  offsetof(struct rte_eth_stats, imissed) },
		{ "lnsd_port_errors_total", ",direction=\"rx\"", "Errored packets per DPDK port",
		  offsetof(struct rte_eth_stats, ierrors) },
		{ "lnsd_port_errors_total", ",direction=\"tx\"", NULL,
		  offsetof(struct rte_eth_stats, oerrors) },
	};

	for (unsigned k = 0; k < sizeof(stats) / sizeof(stats[0]); k++) {
		if (stats[k].help != NULL)
			family(o, stats[k].name, "counter", stats[k].help);
		port_family(d, o, stats[k].name, stats[k].label, stats[k].off);
	}
	port_links(d, o);
	family(o, "lnsd_port_xstats_total", "counter",
	       "Each port's DPDK extended stats, as its driver names them");
	for (unsigned i = 0; i < d->n_ifs; i++) {
		struct xstat_line x = { o, d->ifs[i].cfg->name };

		if (lnsd_if_first_on_port(d, i))
			lnsd_port_xstats(d, i, xstat_line, &x);
	}
}

static void
control(struct lnsd *d, struct ctl_out *o)
{
	const struct lns_stats *ls = lns_stats(d->lns);
	const struct l2tp_engine_stats *es = l2tp_engine_stats(lns_engine(d->lns));

	family(o, "lnsd_tunnels", "gauge", "L2TP tunnels");
	ctl_text(o, "lnsd_tunnels %u\n", l2tp_engine_tunnel_count(lns_engine(d->lns)));
	family(o, "lnsd_sessions", "gauge", "Subscriber sessions (calls)");
	ctl_text(o, "lnsd_sessions %u\n", lns_session_count(d->lns));
	family(o, "lnsd_control_events_total", "counter",
	       "Control lcore outcomes: setups, teardowns, AAA, refusals");
#define X(n, t)                                                           \
	ctl_text(o, "lnsd_control_events_total{event=\"" #n "\"} %llu\n", \
		 (unsigned long long)ls->n);
	LNS_COUNTERS(X)
#undef X
#define X(n, t)                                                           \
	ctl_text(o, "lnsd_control_events_total{event=\"" #n "\"} %llu\n", \
		 (unsigned long long)d->cnt.n);
	LNSD_COUNTERS(X)
#undef X
	family(o, "lnsd_l2tp_events_total", "counter", "L2TP control engine counters");
#define X(n, t) \
	ctl_text(o, "lnsd_l2tp_events_total{event=\"" #n "\"} %llu\n", (unsigned long long)es->n);
	L2TP_ENGINE_COUNTERS(X)
#undef X
}

/*
 * Each tunnel's control channel: what an operator debugging a LAC looks at
 * first. One family after the other: Prometheus wants each one's samples
 * together.
 */
static void
tunnels(struct lnsd *d, struct ctl_out *o)
{
	struct l2tp_engine *e = lns_engine(d->lns);

	family(o, "lnsd_tunnel_control_messages_total", "counter",
	       "Control messages per tunnel: sent, retransmitted, received, duplicates, out of "
	       "order, window stalls");
	for (struct l2tp_tunnel *t = l2tp_engine_next_tunnel(e, NULL); t != NULL;
	     t = l2tp_engine_next_tunnel(e, t)) {
		const struct l2tp_chan_stats *cs = l2tp_tunnel_chan_stats(t);
		const struct {
			const char *kind;
			uint64_t v;
		} k[] = { { "sent", cs->tx_msgs },
			  { "retransmitted", cs->retransmits },
			  { "received", cs->rx_msgs },
			  { "duplicate", cs->duplicates },
			  { "out_of_order", cs->out_of_order },
			  { "window_stall", cs->window_stalls } };

		for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
			ctl_text(o,
				 "lnsd_tunnel_control_messages_total{tunnel=\"%u\",host=\"%s\","
				 "kind=\"%s\"} %llu\n",
				 l2tp_tunnel_id(t), l2tp_tunnel_peer_name(t), k[i].kind,
				 (unsigned long long)k[i].v);
	}
	family(o, "lnsd_tunnel_srtt_seconds", "gauge",
	       "Smoothed control round-trip time per tunnel");
	for (struct l2tp_tunnel *t = l2tp_engine_next_tunnel(e, NULL); t != NULL;
	     t = l2tp_engine_next_tunnel(e, t))
		ctl_text(o, "lnsd_tunnel_srtt_seconds{tunnel=\"%u\",host=\"%s\"} %.3f\n",
			 l2tp_tunnel_id(t), l2tp_tunnel_peer_name(t),
			 l2tp_tunnel_chan_stats(t)->srtt_ms / 1000.0);
}

static void
results(struct ctl_out *o, const struct lns_peer_health *h, const char *peer, const char *msg,
	const char *dir, const uint64_t *v)
{
	for (unsigned i = 0; i < LNS_RESULT_BUCKETS; i++)
		if (v[i] != 0)
			ctl_text(o,
				 "lnsd_peer_%s_results_total{peer=\"%s\",host=\"%s\",direction=\"%"
				 "s\","
				 "result=\"%u\"} %llu\n",
				 msg, peer, h->host, dir, i, (unsigned long long)v[i]);
}

/* One message's Result Codes of every peer, received and sent: one family. */
static void
peer_results(struct lnsd *d, struct ctl_out *o, const char *msg)
{
	size_t it = 0;
	const struct lns_peer_health *h;

	while ((h = lns_next_peer(d->lns, &it)) != NULL) {
		bool cdn = strcmp(msg, "cdn") == 0;
		char peer[INET4_STRLEN];

		inet4_str(h->addr, peer);
		results(o, h, peer, msg, "received", cdn ? h->cdn_rx : h->stopccn_rx);
		results(o, h, peer, msg, "sent", cdn ? h->cdn_tx : h->stopccn_tx);
	}
}

static void
peers(struct lnsd *d, struct ctl_out *o)
{
	family(o, "lnsd_peer_cdn_results_total", "counter",
	       "CDN Result Codes per LAC, received from it or sent to it");
	peer_results(d, o, "cdn");
	family(o, "lnsd_peer_stopccn_results_total", "counter",
	       "StopCCN Result Codes per LAC, received from it or sent to it");
	peer_results(d, o, "stopccn");
}

static void
radius(struct lnsd *d, struct ctl_out *o)
{
	struct aaa_radius_stats rs;

	if (d->radius == NULL)
		return;
	aaa_radius_stats(d->radius, &rs);
	family(o, "lnsd_radius_events_total", "counter", "RADIUS client counters");
#define X(n, t) \
	ctl_text(o, "lnsd_radius_events_total{event=\"" #n "\"} %llu\n", (unsigned long long)rs.n);
	AAA_RADIUS_COUNTERS(X)
#undef X
	family(o, "lnsd_radius_server_events_total", "counter", "RADIUS counters per server");
	for (unsigned i = 0; i < rs.n_servers; i++) {
		char name[32];

		aaa_radius_server_name(d->radius, i, name, sizeof(name));
#define X(n, t)                                                                               \
	ctl_text(o, "lnsd_radius_server_events_total{server=\"%s\",event=\"" #n "\"} %llu\n", \
		 name, (unsigned long long)rs.servers[i].n);
		AAA_RADIUS_SERVER_COUNTERS(X)
#undef X
	}
	family(o, "lnsd_radius_queued", "gauge", "RADIUS requests waiting");
	ctl_text(o, "lnsd_radius_queued{kind=\"auth\"} %u\n", rs.auth_queued);
	ctl_text(o, "lnsd_radius_queued{kind=\"acct\"} %u\n", rs.acct_queued);
	family(o, "lnsd_radius_auth_latency_seconds", "summary",
	       "Authentication time from queueing to answer");
	ctl_text(o, "lnsd_radius_auth_latency_seconds_sum %.6f\n",
		 (double)rs.auth_latency_us_sum / 1e6);
	ctl_text(o, "lnsd_radius_auth_latency_seconds_count %llu\n",
		 (unsigned long long)rs.auth_latency_n);
	family(o, "lnsd_radius_auth_latency_max_seconds", "gauge", "Slowest authentication");
	ctl_text(o, "lnsd_radius_auth_latency_max_seconds %.6f\n",
		 (double)rs.auth_latency_us_max / 1e6);
}

void
lnsd_metrics(struct lnsd *d, struct ctl_out *o)
{
	control(d, o);
	tunnels(d, o);
	peers(d, o);
	radius(d, o);
	dataplane(d, o);
	ports(d, o);
}

int
lnsd_metrics_http(void *ctx, int argc, char **argv, struct ctl_out *o)
{
	if (argc >= 2 && strcmp(argv[0], "GET") == 0 &&
	    (strcmp(argv[1], "/metrics") == 0 || strcmp(argv[1], "/") == 0)) {
		lnsd_metrics(ctx, o);
		return 0;
	}
	ctl_text(o, "lnsd serves GET /metrics only\n");
	return -1;
}
