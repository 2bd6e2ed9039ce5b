/* SPDX-License-Identifier: BSD-2-Clause */
#include "dp_worker.h"

#include "dp_port.h"

#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

/* What did not fit in a queue or the punt ring is counted, then freed. */
static void
send_or_count(struct dp_worker *w, uint16_t port, uint16_t queue, struct rte_mbuf **pkts,
	      uint16_t n)
{
	uint16_t sent = n ? rte_eth_tx_burst(port, queue, pkts, n) : 0;

	for (uint16_t i = sent; i < n; i++) {
		w->counters[DP_DROP_TX_FULL]++;
		rte_pktmbuf_free(pkts[i]);
	}
}

/*
 * Each packet out by the interface it names: one burst per interface's
 * port (a side has one interface per port).
 */
static void
send_by_iface(struct dp_worker *w, uint16_t txq, const struct dp_iface *ifs, unsigned n_ifs,
	      struct rte_mbuf **pkts, const uint8_t *ifx, uint16_t n)
{
	struct rte_mbuf *mine[DP_BURST * DP_MAX_FRAGMENTS];

	if (n_ifs <= 1) {
		send_or_count(w, ifs[0].port, txq, pkts, n);
		return;
	}
	for (unsigned i = 0; i < n_ifs; i++) {
		uint16_t k = 0;

		for (uint16_t j = 0; j < n; j++)
			if (ifx[j] == i)
				mine[k++] = pkts[j];
		send_or_count(w, ifs[i].port, txq, mine, k);
	}
	for (uint16_t j = 0; j < n; j++) /* cannot be: the sides name only their own */
		if (ifx[j] >= n_ifs) {
			w->counters[DP_DROP_NO_INTERFACE]++;
			rte_pktmbuf_free(pkts[j]);
		}
}

static void
punt_or_count(struct dp_worker *w, struct rte_ring *ring, struct rte_mbuf **pkts, uint16_t n)
{
	unsigned done = n ? rte_ring_enqueue_burst(ring, (void **)pkts, n, NULL) : 0;

	for (unsigned i = done; i < n; i++) {
		w->counters[DP_DROP_PUNT_FULL]++;
		rte_pktmbuf_free(pkts[i]);
	}
}

/*
 * Growing pauses while nothing arrives (l3fwd-power and VPP's poll-sleep do
 * the same): the first after idle_polls empty polls, then doubling up to
 * idle_max_us. One packet brings the worker back to busy polling.
 */
static void
idle(const struct dp_worker_cfg *c, struct dp_worker_state *st, unsigned got)
{
	if (!c->idle_backoff)
		return;
	if (got) {
		st->empty_polls = 0;
		st->pause_us = 0;
		return;
	}
	if (++st->empty_polls < c->idle_polls)
		return;
	st->pause_us = st->pause_us ? st->pause_us * 2 : 1;
	if (st->pause_us > c->idle_max_us)
		st->pause_us = c->idle_max_us;
	st->sleeps++;
	rte_delay_us_sleep(st->pause_us);
}

static void
hand_over(struct dp_worker *w, const struct dp_worker_cfg *c, enum dp_side side,
	  const struct dp_out *out)
{
	for (uint16_t i = 0; i < out->n_handoff; i++) {
		struct rte_ring *r = c->handoff[out->handoff_to[i]][side];

		if (rte_ring_enqueue(r, out->handoff[i]) != 0) {
			w->counters[DP_DROP_HANDOFF_FULL]++;
			rte_pktmbuf_free(out->handoff[i]);
		}
	}
}

static void
work(struct dp_worker *w, const struct dp_worker_cfg *c, enum dp_side side, struct rte_mbuf **pkts,
     uint16_t n)
{
	struct dp_out out;

	out.n_core = out.n_access = out.n_punt = out.n_handoff = 0;
	if (side == DP_SIDE_ACCESS)
		dp_access_burst(w, pkts, n, &out);
	else
		dp_core_burst(w, pkts, n, &out);
	send_by_iface(w, c->txq, w->ports->core, w->ports->n_core, out.core, out.core_if,
		      out.n_core);
	send_by_iface(w, c->txq, w->ports->access, w->ports->n_access, out.access, out.access_if,
		      out.n_access);
	punt_or_count(w, c->punt, out.punt, out.n_punt);
	if (out.n_handoff)
		hand_over(w, c, side, &out);
}

static void
work_one_armed(struct dp_worker *w, const struct dp_worker_cfg *c, struct rte_mbuf **pkts,
	       uint16_t n)
{
	struct rte_mbuf *access[DP_BURST], *core[DP_BURST];
	uint16_t n_access, n_core;

	dp_split_one_armed(w, pkts, n, access, &n_access, core, &n_core);
	if (n_access)
		work(w, c, DP_SIDE_ACCESS, access, n_access);
	if (n_core)
		work(w, c, DP_SIDE_CORE, core, n_core);
}

/* Packets other workers received for sessions this one owns. */
static unsigned
owned(struct dp_worker *w, const struct dp_worker_cfg *c)
{
	unsigned got = 0;

	if (c->handoff == NULL)
		return 0;
	w->owner_pass = true;
	for (int side = DP_SIDE_ACCESS; side <= DP_SIDE_CORE; side++) {
		struct rte_mbuf *pkts[DP_BURST];
		unsigned n = rte_ring_dequeue_burst(c->handoff[w->id][side], (void **)pkts,
						    DP_BURST, NULL);

		if (n > 0)
			work(w, c, (enum dp_side)side, pkts, (uint16_t)n);
		got += n;
	}
	w->owner_pass = false;
	return got;
}

unsigned
dp_worker_poll(struct dp_worker *w, const struct dp_worker_cfg *c, struct dp_worker_state *st)
{
	unsigned got = 0;

	for (unsigned i = 0; i < c->n_rx; i++) {
		struct rte_mbuf *pkts[DP_BURST];
		uint16_t n = rte_eth_rx_burst(c->rx[i].port, c->rx[i].queue, pkts, DP_BURST);

		if (n == 0)
			continue;
		got += n;
		w->rx_port = c->rx[i].port;
		if (c->rx[i].side == DP_SIDE_BOTH)
			work_one_armed(w, c, pkts, n);
		else
			work(w, c, c->rx[i].side, pkts, n);
	}
	got += owned(w, c);
	if (c->qsbr != NULL)
		rte_rcu_qsbr_quiescent(c->qsbr, w->id);
	idle(c, st, got);
	return got;
}

void
dp_worker_run(struct dp_worker *w, const struct dp_worker_cfg *c, const bool *stop)
{
	struct dp_worker_state st = { 0 };

	if (c->qsbr != NULL) {
		rte_rcu_qsbr_thread_register(c->qsbr, w->id);
		rte_rcu_qsbr_thread_online(c->qsbr, w->id);
	}
	while (!__atomic_load_n(stop, __ATOMIC_RELAXED))
		dp_worker_poll(w, c, &st);
	if (c->qsbr != NULL) {
		rte_rcu_qsbr_thread_offline(c->qsbr, w->id);
		rte_rcu_qsbr_thread_unregister(c->qsbr, w->id);
	}
}

int
dp_port_start(uint16_t port, uint16_t n_rxq, uint16_t n_txq, uint16_t ring_size,
	      struct rte_mempool *mp)
{
	struct dp_port_want want = { .n_rxq = n_rxq,
				     .n_txq = n_txq,
				     .rx_ring = ring_size,
				     .tx_ring = ring_size,
				     .promiscuous = true };
	struct dp_port_plan plan;
	int rc = dp_port_plan(port, &want, &plan);

	return rc != 0 ? rc : dp_port_start_planned(port, &plan, mp);
}

void
dp_ports_init(struct dp_ports *ports)
{
	memset(ports, 0, sizeof(*ports));
	memset(ports->access_of_port, DP_NO_IF, sizeof(ports->access_of_port));
	memset(ports->core_of_port, DP_NO_IF, sizeof(ports->core_of_port));
}

void
dp_counters_sum(struct dp_worker *const *workers, unsigned n, uint64_t out[DP_COUNTER_MAX])
{
	for (unsigned c = 0; c < DP_COUNTER_MAX; c++) {
		out[c] = 0;
		for (unsigned i = 0; i < n; i++)
			out[c] += __atomic_load_n(&workers[i]->counters[c], __ATOMIC_RELAXED);
	}
}

void
dp_session_counters_sum(struct dp_worker *const *workers, unsigned n, uint32_t index,
			struct dp_session_counters *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < n; i++) {
		const struct dp_session_counters *c = &workers[i]->sess[index];

		out->rx_packets += __atomic_load_n(&c->rx_packets, __ATOMIC_RELAXED);
		out->rx_bytes += __atomic_load_n(&c->rx_bytes, __ATOMIC_RELAXED);
		out->tx_packets += __atomic_load_n(&c->tx_packets, __ATOMIC_RELAXED);
		out->tx_bytes += __atomic_load_n(&c->tx_bytes, __ATOMIC_RELAXED);
	}
}

void
dp_session_counters_clear(struct dp_worker *const *workers, unsigned n, uint32_t index)
{
	for (unsigned i = 0; i < n; i++)
		memset(&workers[i]->sess[index], 0, sizeof(workers[i]->sess[index]));
}
