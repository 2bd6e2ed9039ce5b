/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lnsd's DPDK ports: each planned from its configuration against what the
 * device offers (queues, rings, MTU, offloads), the mbuf pools sized from
 * the rings they really got, then started; their links watched from the
 * control loop, each change logged, counted and handed to lnsd.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "dp_pkt.h"
#include "lns_log.h"
#include "lnsd.h"

#define LINK_POLL_MS 100

int
lnsd_port_socket(uint16_t port)
{
	int s = rte_eth_dev_socket_id(port);

	return s >= 0 ? s : (int)rte_socket_id();
}

/* The DPDK port of interface i as lnsd runs it (the first interface on that port holds it). */
struct lnsd_nic *
lnsd_nic_of(struct lnsd *d, unsigned i)
{
	for (unsigned j = 0; j <= i; j++)
		if (d->ifs[j].port == d->ifs[i].port)
			return &d->nics[j];
	return &d->nics[i];
}

/* What each configured port asks, and what its device can give (said when it cannot). */
static int
plan_ports(struct lnsd *d)
{
	for (unsigned i = 0; i < d->n_ifs; i++) {
		const struct cfg_port *p = d->ifs[i].cfg;
		struct dp_port_want w = {
			.n_rxq = p->rx_queues ? p->rx_queues : (uint16_t)d->n_workers,
			.n_txq = (uint16_t)(d->n_workers + 1),
			.rx_ring = p->rx_ring,
			.tx_ring = p->tx_ring,
			.rx_cksum = p->rx_checksum_offload,
			.tx_ip_cksum = p->tx_checksum_offload,
			.promiscuous = !p->pci,
		};

		if (!lnsd_if_first_on_port(d, i))
			continue;
		for (unsigned k = i; k < d->n_ifs; k++) /* a trunk: the largest of its VLANs' */
			if (d->ifs[k].port == d->ifs[i].port && d->ifs[k].cfg->mtu > w.mtu)
				w.mtu = d->ifs[k].cfg->mtu;
		if (dp_port_plan(d->ifs[i].port, &w, &d->nics[i].plan) != 0) {
			fprintf(stderr, "%s:%u:%u: port '%s': %s\n", d->cfg->path, p->at.line,
				p->at.col, p->name, d->nics[i].plan.why);
			return -EINVAL;
		}
	}
	return 0;
}

/* The largest frame any port carries, with a VLAN tag: mbufs hold it whole. */
static unsigned
mbuf_data_room(const struct lnsd *d)
{
	unsigned frame = RTE_MBUF_DEFAULT_DATAROOM;

	for (unsigned i = 0; i < d->n_ifs; i++) {
		unsigned f =
			d->ifs[i].cfg->mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + RTE_ETHER_CRC_LEN;

		frame = f > frame ? f : frame;
	}
	return RTE_ALIGN_CEIL(frame, RTE_CACHE_LINE_SIZE);
}

/*
 * Mbufs a socket needs: every RX and TX ring of its ports full, and per
 * worker receiving from them its punt and hand-over rings full, a burst in
 * flight with its fragments, a mempool cache, and a reassembly table's
 * worth; plus the control lcore's. dpdk.mbufs overrides it.
 */
static unsigned
mbufs_for_socket(struct lnsd *d, int socket)
{
	unsigned ports = 0, n = 1024;

	if (d->cfg->dpdk.mbufs)
		return d->cfg->dpdk.mbufs;
	for (unsigned i = 0; i < d->n_ifs; i++) {
		const struct dp_port_plan *p = &d->nics[i].plan;

		if (!lnsd_if_first_on_port(d, i) || lnsd_port_socket(d->ifs[i].port) != socket)
			continue;
		ports++;
		n += (unsigned)p->n_rxq * p->rx_ring + (unsigned)p->n_txq * p->tx_ring;
	}
	/* a worker holds mbufs of the pools of the ports it receives on, wherever it runs */
	if (ports > 0)
		n += d->n_workers *
		     (3 * LNSD_RING_SIZE + 4 * DP_BURST * DP_MAX_FRAGMENTS + 256 + 4096);
	return rte_align32pow2(n) - 1; /* a mempool is best at 2^n - 1 */
}

struct rte_mempool *
lnsd_pool_for_socket(struct lnsd *d, int socket)
{
	unsigned room = mbuf_data_room(d), n;
	char name[32];

	if (socket < 0 || socket >= RTE_MAX_NUMA_NODES)
		socket = 0;
	if (d->pools[socket] != NULL)
		return d->pools[socket];
	n = mbufs_for_socket(d, socket);
	snprintf(name, sizeof(name), "lnsd_s%d", socket);
	d->pools[socket] = rte_pktmbuf_pool_create(name, n, 256, 0,
						   (uint16_t)(RTE_PKTMBUF_HEADROOM + room), socket);
	if (d->pools[socket] == NULL)
		fprintf(stderr,
			"lnsd: %u mbufs of %u bytes on socket %d: %s (dpdk.memory_mb, "
			"dpdk.mbufs)\n",
			n, room, socket, rte_strerror(rte_errno));
	else
		LOG(MAIN, LOG_INFO, "mempool %s: %u mbufs of %u bytes on socket %d", name, n, room,
		    socket);
	return d->pools[socket];
}

static void
log_port(const struct lnsd *d, unsigned i)
{
	const struct dp_port_plan *p = &d->nics[i].plan;
	char features[96];

	dp_port_features(p, features, sizeof(features));
	LOG(MAIN, LOG_INFO,
	    "port %s: %s, %u RX queues (RSS over %u) and %u TX, rings %u/%u, mtu %u; %s",
	    d->ifs[i].cfg->name, p->driver, p->n_rxq, p->rss ? p->rss_queues : 0, p->n_txq,
	    p->rx_ring, p->tx_ring, p->mtu ? p->mtu : RTE_ETHER_MTU,
	    features[0] ? features : "no offloads");
}

int
lnsd_ports_start(struct lnsd *d)
{
	int rc = plan_ports(d);

	for (unsigned i = 0; rc == 0 && i < d->n_ifs; i++) {
		struct rte_mempool *mp = lnsd_pool_for_socket(d, lnsd_port_socket(d->ifs[i].port));
		const struct cfg_port *p = d->ifs[i].cfg;

		if (mp == NULL)
			return -ENOMEM;
		if (!lnsd_if_first_on_port(d, i))
			continue;
		rc = dp_port_start_planned(d->ifs[i].port, &d->nics[i].plan, mp);
		if (rc != 0)
			fprintf(stderr, "%s:%u:%u: port '%s' did not start: %s\n", d->cfg->path,
				p->at.line, p->at.col, p->name, d->nics[i].plan.why);
		else
			log_port(d, i);
	}
	return rc;
}

static void
link_seen(struct lnsd *d, unsigned i, const struct rte_eth_link *l)
{
	struct lnsd_nic *n = &d->nics[i];
	bool up = l->link_status == RTE_ETH_LINK_UP;

	if (n->link_known && up == n->link_up)
		return;
	if (n->link_known)
		n->link_changes++;
	n->link_known = true;
	n->link_up = up;
	n->speed_mbps = up && l->link_speed != RTE_ETH_SPEED_NUM_UNKNOWN ? l->link_speed : 0;
	if (up && n->speed_mbps == 0) /* virtio says none */
		LOG(MAIN, LOG_INFO, "port %s: link up, speed unknown", d->ifs[i].cfg->name);
	else if (up)
		LOG(MAIN, LOG_INFO, "port %s: link up, %u Mbit/s %s-duplex", d->ifs[i].cfg->name,
		    n->speed_mbps, l->link_duplex ? "full" : "half");
	else
		LOG(MAIN, LOG_WARN, "port %s: link down", d->ifs[i].cfg->name);
	for (unsigned k = i; k < d->n_ifs; k++) /* every interface of the port */
		if (d->ifs[k].port == d->ifs[i].port)
			lnsd_link_changed(d, k, up);
}

/*
 * Every LINK_POLL_MS: a link that went down moves its sessions at once,
 * not when ARP for its gateway gives up. Polled (rte_eth_link_get_nowait
 * reads a register or the PMD's last interrupt) rather than an LSC
 * callback, which would run on EAL's interrupt thread.
 */
void
lnsd_ports_poll_links(struct lnsd *d, uint64_t now)
{
	if (now < d->next_link_poll)
		return;
	d->next_link_poll = now + LINK_POLL_MS;
	for (unsigned i = 0; i < d->n_ifs; i++) {
		struct rte_eth_link l;

		if (lnsd_if_first_on_port(d, i) && rte_eth_link_get_nowait(d->ifs[i].port, &l) == 0)
			link_seen(d, i, &l);
	}
}

bool
lnsd_link_up(struct lnsd *d, unsigned i)
{
	const struct lnsd_nic *n = lnsd_nic_of(d, i);

	return !n->link_known || n->link_up;
}

int
lnsd_port_xstats(struct lnsd *d, unsigned ifx, lnsd_xstat_fn fn, void *arg)
{
	uint16_t port = d->ifs[ifx].port;
	int n = rte_eth_xstats_get_names(port, NULL, 0);
	struct rte_eth_xstat_name *names;
	struct rte_eth_xstat *values;

	if (n <= 0)
		return n < 0 ? n : 0;
	names = calloc((size_t)n, sizeof(*names));
	values = calloc((size_t)n, sizeof(*values));
	if (names == NULL || values == NULL || rte_eth_xstats_get_names(port, names, n) != n ||
	    rte_eth_xstats_get(port, values, (unsigned)n) != n) {
		free(names);
		free(values);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		if (values[i].id < (uint64_t)n)
			fn(arg, names[values[i].id].name, values[i].value);
	free(names);
	free(values);
	return n;
}
