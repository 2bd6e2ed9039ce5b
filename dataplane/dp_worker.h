/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A worker lcore's loop: receive a burst from each of its queues, run the
 * per-burst function of that side, transmit, punt, report an RCU
 * quiescent state; with idle back-off when asked for, so that lnsd can
 * share a small machine.
 */
#ifndef DP_WORKER_H
#define DP_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "dp.h"

#define DP_WORKER_MAX_RX 16

enum dp_side {
	DP_SIDE_ACCESS, /* faces the LACs */
	DP_SIDE_CORE,	/* faces the network */
	DP_SIDE_BOTH,	/* one-armed: split by dp_split_one_armed() */
};

struct dp_rx {
	uint16_t port, queue;
	enum dp_side side;
};

struct dp_worker_cfg {
	struct dp_rx rx[DP_WORKER_MAX_RX];
	unsigned n_rx;
	uint16_t txq;	       /* its TX queue on every port (dp_iface.port) */
	struct rte_ring *punt; /* to the control lcore */
	struct rte_rcu_qsbr *qsbr;
	/* hand-over rings, [worker][side]: multi-producer, the owner consumes */
	struct rte_ring *(*handoff)[2];
	bool idle_backoff;    /* sleep when idle; off for benchmarks */
	uint32_t idle_max_us; /* longest pause; default 100 */
	uint32_t idle_polls;  /* empty polls before the first pause; default 256 */
};

struct dp_worker_state {
	uint32_t empty_polls;
	uint32_t pause_us;
	uint64_t sleeps;
};

/* One turn of the loop; returns the packets received. */
unsigned dp_worker_poll(struct dp_worker *w, const struct dp_worker_cfg *c,
			struct dp_worker_state *st);
/* The loop itself, until *stop turns true (read atomically). */
void dp_worker_run(struct dp_worker *w, const struct dp_worker_cfg *c, const bool *stop);

/*
 * A port with n_rxq RX queues (RSS over IP and UDP when more than one, as
 * far as the device can) and n_txq TX queues, promiscuous, nothing else
 * asked (tests and benchmarks; lnsd plans its ports with dp_port.h).
 * Returns 0 or a negative errno.
 */
int dp_port_start(uint16_t port, uint16_t n_rxq, uint16_t n_txq, uint16_t ring_size,
		  struct rte_mempool *mp);

#endif
