/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lnsd's state in DPDK telemetry (dpdk-telemetry.py -f PREFIX):
 * /lnsd/control, /lnsd/l2tp, /lnsd/radius, /lnsd/dataplane and
 * /lnsd/tunnels. Telemetry answers on its own thread, so it never reads
 * the control lcore's state: the control loop publishes a copy once a
 * second (a mutex held for a memcpy) and the callbacks read that copy.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "lnsd.h"

#define TEL_TUNNELS	 128 /* the first ones, in /lnsd/tunnels */
#define PUBLISH_EVERY_MS 1000

struct tel_tunnel {
	uint16_t id, peer_id;
	uint32_t sessions;
	char host[33];
	uint64_t retransmits, duplicates, out_of_order, window_stalls;
	uint32_t srtt_ms;
};

struct tel_snapshot {
	uint64_t age_ms; /* when taken, lnsd's clock */
	uint32_t tunnels, sessions;
	struct lns_stats lns;
	struct lnsd_counters lnsd;
	struct l2tp_engine_stats l2tp;
	bool has_radius;
	struct aaa_radius_stats radius;
	uint64_t dp[DP_COUNTER_MAX];
	unsigned n_tun;
	struct tel_tunnel tun[TEL_TUNNELS];
};

static pthread_mutex_t tel_mu = PTHREAD_MUTEX_INITIALIZER;
static struct tel_snapshot tel_published, tel_building;
static uint64_t tel_next_ms;

static void
take_tunnels(struct lnsd *d, struct tel_snapshot *s)
{
	struct l2tp_engine *e = lns_engine(d->lns);

	s->n_tun = 0;
	for (struct l2tp_tunnel *t = l2tp_engine_next_tunnel(e, NULL);
	     t != NULL && s->n_tun < TEL_TUNNELS; t = l2tp_engine_next_tunnel(e, t)) {
		const struct l2tp_chan_stats *cs = l2tp_tunnel_chan_stats(t);
		struct tel_tunnel *x = &s->tun[s->n_tun++];

		x->id = l2tp_tunnel_id(t);
		x->peer_id = l2tp_tunnel_peer_id(t);
		x->sessions = l2tp_tunnel_session_count(t);
		snprintf(x->host, sizeof(x->host), "%s", l2tp_tunnel_peer_name(t));
		x->retransmits = cs->retransmits;
		x->duplicates = cs->duplicates;
		x->out_of_order = cs->out_of_order;
		x->window_stalls = cs->window_stalls;
		x->srtt_ms = cs->srtt_ms;
	}
}

void
lnsd_telemetry_publish(struct lnsd *d, uint64_t now)
{
	struct tel_snapshot *s = &tel_building;
	struct dp_worker *w[MAX_WORKERS];

	if (now < tel_next_ms)
		return;
	tel_next_ms = now + PUBLISH_EVERY_MS;
	s->age_ms = now;
	s->tunnels = l2tp_engine_tunnel_count(lns_engine(d->lns));
	s->sessions = lns_session_count(d->lns);
	s->lns = *lns_stats(d->lns);
	s->lnsd = d->cnt;
	s->l2tp = *l2tp_engine_stats(lns_engine(d->lns));
	s->has_radius = d->radius != NULL;
	if (d->radius != NULL)
		aaa_radius_stats(d->radius, &s->radius);
	for (unsigned i = 0; i < d->n_workers; i++)
		w[i] = &d->workers[i];
	dp_counters_sum(w, d->n_workers, s->dp);
	take_tunnels(d, s);
	pthread_mutex_lock(&tel_mu);
	tel_published = *s;
	pthread_mutex_unlock(&tel_mu);
}

/*
 * The callbacks work on a private copy, taken under the lock: telemetry
 * may run them on several client threads at once. NULL: out of memory.
 */
static struct tel_snapshot *
copy_snapshot(void)
{
	struct tel_snapshot *s = malloc(sizeof(*s));

	if (s == NULL)
		return NULL;
	pthread_mutex_lock(&tel_mu);
	*s = tel_published;
	pthread_mutex_unlock(&tel_mu);
	return s;
}

static int
fill_control(const struct tel_snapshot *s, struct rte_tel_data *t)
{
	rte_tel_data_add_dict_u64(t, "tunnels", s->tunnels);
	rte_tel_data_add_dict_u64(t, "sessions", s->sessions);
#define X(n, txt) rte_tel_data_add_dict_u64(t, #n, s->lns.n);
	LNS_COUNTERS(X)
#undef X
#define X(n, txt) rte_tel_data_add_dict_u64(t, #n, s->lnsd.n);
	LNSD_COUNTERS(X)
#undef X
	return 0;
}

static int
fill_l2tp(const struct tel_snapshot *s, struct rte_tel_data *t)
{
#define X(n, txt) rte_tel_data_add_dict_u64(t, #n, s->l2tp.n);
	L2TP_ENGINE_COUNTERS(X)
#undef X
	return 0;
}

static int
fill_radius(const struct tel_snapshot *s, struct rte_tel_data *t)
{
	const struct aaa_radius_stats *r = &s->radius;

	if (!s->has_radius)
		return 0;
#define X(n, txt) rte_tel_data_add_dict_u64(t, #n, r->n);
	AAA_RADIUS_COUNTERS(X)
#undef X
	rte_tel_data_add_dict_u64(t, "auth_queued", r->auth_queued);
	rte_tel_data_add_dict_u64(t, "acct_queued", r->acct_queued);
	rte_tel_data_add_dict_u64(t, "auth_latency_mean_us",
				  r->auth_latency_n ? r->auth_latency_us_sum / r->auth_latency_n
						    : 0);
	rte_tel_data_add_dict_u64(t, "auth_latency_max_us", r->auth_latency_us_max);
	return 0;
}

static int
fill_dataplane(const struct tel_snapshot *s, struct rte_tel_data *t)
{
	for (int c = 0; c < DP_COUNTER_MAX; c++)
		rte_tel_data_add_dict_u64(t, dp_counter_name(c), s->dp[c]);
	return 0;
}

/* Tunnel ID -> its peer, sessions and control-channel health. */
static int
fill_tunnels(const struct tel_snapshot *s, struct rte_tel_data *t)
{
	for (unsigned i = 0; i < s->n_tun; i++) {
		const struct tel_tunnel *u = &s->tun[i];
		struct rte_tel_data *x = rte_tel_data_alloc();
		char id[8];

		if (x == NULL)
			return -1;
		rte_tel_data_start_dict(x);
		rte_tel_data_add_dict_string(x, "host", u->host);
		rte_tel_data_add_dict_u64(x, "peer_tunnel", u->peer_id);
		rte_tel_data_add_dict_u64(x, "sessions", u->sessions);
		rte_tel_data_add_dict_u64(x, "retransmits", u->retransmits);
		rte_tel_data_add_dict_u64(x, "duplicates", u->duplicates);
		rte_tel_data_add_dict_u64(x, "out_of_order", u->out_of_order);
		rte_tel_data_add_dict_u64(x, "window_stalls", u->window_stalls);
		rte_tel_data_add_dict_u64(x, "srtt_ms", u->srtt_ms);
		snprintf(id, sizeof(id), "%u", u->id);
		rte_tel_data_add_dict_container(t, id, x, 0);
	}
	return 0;
}

static const struct {
	const char *cmd, *help;
	int (*fill)(const struct tel_snapshot *s, struct rte_tel_data *t);
} commands[] = {
	{ "/lnsd/control", "lnsd: tunnels, sessions and the control lcore's counters",
	  fill_control },
	{ "/lnsd/l2tp", "lnsd: the L2TP control engine's counters", fill_l2tp },
	{ "/lnsd/radius", "lnsd: RADIUS client counters, queues and latency", fill_radius },
	{ "/lnsd/dataplane", "lnsd: the workers' packet counters, summed", fill_dataplane },
	{ "/lnsd/tunnels", "lnsd: tunnels (first 128) with control-channel health", fill_tunnels },
};

/* Every /lnsd command: a dict filled from a private copy of the snapshot. */
static int
tel_answer(const char *cmd, const char *params, struct rte_tel_data *t)
{
	struct tel_snapshot *s;
	int rc = -1;

	(void)params;
	for (size_t i = 0; i < RTE_DIM(commands); i++) {
		if (strcmp(cmd, commands[i].cmd) != 0)
			continue;
		s = copy_snapshot();
		if (s == NULL)
			return -1;
		rte_tel_data_start_dict(t);
		rc = commands[i].fill(s, t);
		free(s);
		break;
	}
	return rc;
}

int
lnsd_telemetry_start(struct lnsd *d)
{
	(void)d;
	for (size_t i = 0; i < RTE_DIM(commands); i++)
		if (rte_telemetry_register_cmd(commands[i].cmd, tel_answer, commands[i].help) != 0)
			return -1;
	return 0;
}
