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
tel_control(const char *cmd, const char *params, struct rte_tel_data *t)
{
	struct tel_snapshot *s = copy_snapshot();

	(void)cmd;
	(void)params;
	if (s == NULL)
		return -1;
	rte_tel_data_start_dict(t);
	rte_tel_data_add_dict_u64(t, "tunnels", s->tunnels);
	rte_tel_data_add_dict_u64(t, "sessions", s->sessions);
#define X(n, txt) rte_tel_data_add_dict_u64(t, #n, s->lns.n);
	LNS_COUNTERS(X)
#undef X
#define X(n, txt) rte_tel_data_add_dict_u64(t, #n, s->lnsd.n);
	LNSD_COUNTERS(X)
#undef X
	free(s);
	return 0;
}

static int
tel_l2tp(const char *cmd, const char *params, struct rte_tel_data *t)
{
	struct tel_snapshot *s = copy_snapshot();

	(void)cmd;
	(void)params;
	if (s == NULL)
		return -1;
	rte_tel_data_start_dict(t);
#define X(n, txt) rte_tel_data_add_dict_u64(t, #n, s->l2tp.n);
	L2TP_ENGINE_COUNTERS(X)
#undef X
	free(s);
	return 0;
}

static int
tel_radius(const char *cmd, const char *params, struct rte_tel_data *t)
{
	struct tel_snapshot *s = copy_snapshot();

	(void)cmd;
	(void)params;
	if (s == NULL)
		return -1;
	rte_tel_data_start_dict(t);
	if (!s->has_radius) {
		free(s);
		return 0;
	}
#define X(n, txt) rte_tel_data_add_dict_u64(t, #n, s->radius.n);
	AAA_RADIUS_COUNTERS(X)
#undef X
	rte_tel_data_add_dict_u64(t, "auth_queued", s->radius.auth_queued);
	rte_tel_data_add_dict_u64(t, "acct_queued", s->radius.acct_queued);
	rte_tel_data_add_dict_u64(t, "auth_latency_mean_us",
				  s->radius.auth_latency_n
					  ? s->radius.auth_latency_us_sum / s->radius.auth_latency_n
					  : 0);
	rte_tel_data_add_dict_u64(t, "auth_latency_max_us", s->radius.auth_latency_us_max);
	free(s);
	return 0;
}

static int
tel_dataplane(const char *cmd, const char *params, struct rte_tel_data *t)
{
	struct tel_snapshot *s = copy_snapshot();

	(void)cmd;
	(void)params;
	if (s == NULL)
		return -1;
	rte_tel_data_start_dict(t);
	for (int c = 0; c < DP_COUNTER_MAX; c++)
		rte_tel_data_add_dict_u64(t, dp_counter_name(c), s->dp[c]);
	free(s);
	return 0;
}

/* Tunnel ID -> its peer, sessions and control-channel health. */
static int
tel_tunnels(const char *cmd, const char *params, struct rte_tel_data *t)
{
	struct tel_snapshot *s = copy_snapshot();

	(void)cmd;
	(void)params;
	if (s == NULL)
		return -1;
	rte_tel_data_start_dict(t);
	for (unsigned i = 0; i < s->n_tun; i++) {
		struct rte_tel_data *x = rte_tel_data_alloc();
		char id[8];

		if (x == NULL) {
			free(s);
			return -1;
		}
		rte_tel_data_start_dict(x);
		rte_tel_data_add_dict_string(x, "host", s->tun[i].host);
		rte_tel_data_add_dict_u64(x, "peer_tunnel", s->tun[i].peer_id);
		rte_tel_data_add_dict_u64(x, "sessions", s->tun[i].sessions);
		rte_tel_data_add_dict_u64(x, "retransmits", s->tun[i].retransmits);
		rte_tel_data_add_dict_u64(x, "duplicates", s->tun[i].duplicates);
		rte_tel_data_add_dict_u64(x, "out_of_order", s->tun[i].out_of_order);
		rte_tel_data_add_dict_u64(x, "window_stalls", s->tun[i].window_stalls);
		rte_tel_data_add_dict_u64(x, "srtt_ms", s->tun[i].srtt_ms);
		snprintf(id, sizeof(id), "%u", s->tun[i].id);
		rte_tel_data_add_dict_container(t, id, x, 0);
	}
	free(s);
	return 0;
}

int
lnsd_telemetry_start(struct lnsd *d)
{
	(void)d;
	if (rte_telemetry_register_cmd(
		    "/lnsd/control", tel_control,
		    "lnsd: tunnels, sessions and the control lcore's counters") != 0 ||
	    rte_telemetry_register_cmd("/lnsd/l2tp", tel_l2tp,
				       "lnsd: the L2TP control engine's counters") != 0 ||
	    rte_telemetry_register_cmd("/lnsd/radius", tel_radius,
				       "lnsd: RADIUS client counters, queues and latency") != 0 ||
	    rte_telemetry_register_cmd("/lnsd/dataplane", tel_dataplane,
				       "lnsd: the workers' packet counters, summed") != 0 ||
	    rte_telemetry_register_cmd("/lnsd/tunnels", tel_tunnels,
				       "lnsd: tunnels (first 128) with control-channel health") !=
		    0)
		return -1;
	return 0;
}
