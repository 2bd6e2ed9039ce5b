/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A port set up from what its device says it can do: every choice made
 * against rte_eth_dev_info, so that one configuration runs on a virtual
 * device and on a NIC, each with what it has, and says what it got.
 */
#include "dp_port.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ether.h>

#define DEFAULT_RING 1024

static uint16_t
ring_or_default(uint16_t want, uint16_t preferred)
{
	return want != 0 ? want : preferred != 0 ? preferred : DEFAULT_RING;
}

static bool
plan_queues(const struct rte_eth_dev_info *info, const struct dp_port_want *want,
	    struct dp_port_plan *p)
{
	p->n_txq = want->n_txq;
	if (p->n_txq > info->max_tx_queues) {
		snprintf(p->why, sizeof(p->why),
			 "%u TX queues needed (one per worker and the control lcore's), %s has %u "
			 "(for net_af_packet: qpairs=<workers + 1>)",
			 p->n_txq, p->driver, info->max_tx_queues);
		return false;
	}
	p->rss_queues = want->n_rxq < info->max_rx_queues ? want->n_rxq : info->max_rx_queues;
	p->n_rxq = p->rss_queues > p->n_txq ? p->rss_queues : p->n_txq;
	if (p->n_rxq > info->max_rx_queues)
		p->n_rxq =
			info->max_rx_queues; /* a device with fewer RX than TX queues pairs none */
	p->rss_hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) & info->flow_type_rss_offloads;
	p->rss = p->n_rxq > 1 && p->rss_hf != 0;
	p->reta_size = info->reta_size;
	return true;
}

static void
plan_offloads(const struct rte_eth_dev_info *info, const struct dp_port_want *want,
	      struct dp_port_plan *p)
{
	const uint64_t rx_ck = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM;

	p->rx_cksum = want->rx_cksum && (info->rx_offload_capa & rx_ck) == rx_ck;
	p->tx_ip_cksum =
		want->tx_ip_cksum && (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0;
	p->multi_seg = (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) != 0;
	p->rx_offloads = p->rx_cksum ? rx_ck : 0;
	p->tx_offloads = (p->tx_ip_cksum ? RTE_ETH_TX_OFFLOAD_IPV4_CKSUM : 0) |
			 (p->multi_seg ? RTE_ETH_TX_OFFLOAD_MULTI_SEGS : 0);
}

int
dp_port_plan(uint16_t port, const struct dp_port_want *want, struct dp_port_plan *p)
{
	struct rte_eth_dev_info info;
	int rc;

	memset(p, 0, sizeof(*p));
	rc = rte_eth_dev_info_get(port, &info);
	if (rc != 0) {
		snprintf(p->why, sizeof(p->why), "no device information: %s", rte_strerror(-rc));
		return -EINVAL;
	}
	snprintf(p->driver, sizeof(p->driver), "%s", info.driver_name);
	if (!plan_queues(&info, want, p))
		return -EINVAL;
	if (want->mtu > RTE_ETHER_MTU) {
		if (want->mtu > info.max_mtu) {
			snprintf(p->why, sizeof(p->why), "mtu %u: %s takes %u at most", want->mtu,
				 p->driver, info.max_mtu);
			return -EINVAL;
		}
		p->mtu = want->mtu;
	}
	plan_offloads(&info, want, p);
	p->promiscuous = want->promiscuous;
	p->rx_ring = ring_or_default(want->rx_ring, info.default_rxportconf.ring_size);
	p->tx_ring = ring_or_default(want->tx_ring, info.default_txportconf.ring_size);
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &p->rx_ring, &p->tx_ring);
	if (rc != 0) {
		snprintf(p->why, sizeof(p->why), "rings of %u and %u descriptors: %s", p->rx_ring,
			 p->tx_ring, rte_strerror(-rc));
		return -EINVAL;
	}
	return 0;
}

static int
failed(struct dp_port_plan *p, const char *step, int rc)
{
	snprintf(p->why, sizeof(p->why), "%s: %s", step, rte_strerror(rc < 0 ? -rc : rc));
	return rc < 0 ? rc : -rc;
}

/*
 * RSS over the first rss_queues only: the queues beyond are there for
 * devices that pair RX with TX queues, and get nothing on a NIC that
 * takes a table. One that does not keeps its default table, over all.
 */
static void
spread_rss(uint16_t port, const struct dp_port_plan *p)
{
	struct rte_eth_rss_reta_entry64 reta[512 / RTE_ETH_RETA_GROUP_SIZE];

	if (!p->rss || p->rss_queues >= p->n_rxq || p->rss_queues == 0 || p->reta_size == 0 ||
	    p->reta_size > 512)
		return;
	memset(reta, 0, sizeof(reta));
	for (unsigned i = 0; i < p->reta_size; i++) {
		reta[i / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ull << (i % RTE_ETH_RETA_GROUP_SIZE);
		reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] =
			(uint16_t)(i % p->rss_queues);
	}
	rte_eth_dev_rss_reta_update(port, reta, p->reta_size); /* best effort, as said above */
}

int
dp_port_start_planned(uint16_t port, struct dp_port_plan *p, struct rte_mempool *mp)
{
	struct rte_eth_conf conf = { 0 };
	int socket = rte_eth_dev_socket_id(port), rc;

	if (p->rss) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = p->rss_hf;
	}
	conf.rxmode.mtu = p->mtu;
	conf.rxmode.offloads = p->rx_offloads;
	conf.txmode.offloads = p->tx_offloads;
	rc = rte_eth_dev_configure(port, p->n_rxq, p->n_txq, &conf);
	if (rc != 0)
		return failed(p, "configure", rc);
	for (uint16_t q = 0; q < p->n_rxq; q++)
		if ((rc = rte_eth_rx_queue_setup(port, q, p->rx_ring, socket, NULL, mp)) != 0)
			return failed(p, "RX queue", rc);
	for (uint16_t q = 0; q < p->n_txq; q++)
		if ((rc = rte_eth_tx_queue_setup(port, q, p->tx_ring, socket, NULL)) != 0)
			return failed(p, "TX queue", rc);
	if ((rc = rte_eth_dev_start(port)) != 0)
		return failed(p, "start", rc);
	spread_rss(port, p);
	/* not every device can; IPv6 neighbour discovery needs multicast */
	if (p->promiscuous)
		rte_eth_promiscuous_enable(port);
	rte_eth_allmulticast_enable(port);
	return 0;
}

void
dp_port_features(const struct dp_port_plan *p, char *out, size_t cap)
{
	snprintf(out, cap, "%s%s%s%s%s", p->rss ? "rss " : "", p->rx_cksum ? "rx-cksum " : "",
		 p->tx_ip_cksum ? "tx-ip-cksum " : "", p->multi_seg ? "multi-seg " : "",
		 p->promiscuous ? "promiscuous" : "");
}
