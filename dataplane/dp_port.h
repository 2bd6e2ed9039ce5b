/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A DPDK port set up for lnsd: what is asked (queues, rings, MTU,
 * offloads) against what the device offers (rte_eth_dev_info), what it
 * got, and why not when it cannot. Planned first, so that the mbuf pools
 * can be sized from the rings the device will really have, then started.
 */
#ifndef DP_PORT_H
#define DP_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rte_mempool;

struct dp_port_want {
	uint16_t n_rxq, n_txq;	   /* RX spread by RSS; TX: one per worker and the control's */
	uint16_t rx_ring, tx_ring; /* descriptors; 0: the device's preference, else 1024 */
	uint16_t mtu;		   /* set when over 1500 (jumbo); else the device's default */
	bool rx_cksum;		   /* the NIC checks IPv4 and UDP checksums, where it can */
	bool tx_ip_cksum;	   /* the NIC writes the outer IPv4 checksum, where it can */
	bool promiscuous; /* virtual devices; a NIC takes its own MAC, broadcast, multicast */
};

struct dp_port_plan {
	/*
	 * At least as many RX queues as TX queues, every one polled: devices
	 * that pair them (virtio, net_af_packet's fanout sockets) spread the
	 * traffic over every pair, and an unpolled RX queue would lose its
	 * share. RSS spreads over the first rss_queues where the device takes
	 * a redirection table.
	 */
	uint16_t n_rxq, n_txq, rss_queues, rx_ring, tx_ring;
	uint16_t mtu;	    /* 0: the device's default */
	bool rss;	    /* RSS over IP and UDP */
	uint16_t reta_size; /* the device's redirection table; 0: none */
	bool rx_cksum, tx_ip_cksum;
	bool multi_seg; /* chains on TX: rte_ip_frag's fragments are chains */
	bool promiscuous;
	uint64_t rss_hf, rx_offloads, tx_offloads;
	char driver[32];
	char why[200]; /* when dp_port_plan() failed */
};

/* What the device can give of want, into plan; 0, or -EINVAL with plan->why. */
int dp_port_plan(uint16_t port, const struct dp_port_want *want, struct dp_port_plan *plan);
/* Configures and starts the port as planned, RX buffers from mp; 0, or a negative errno with
 * plan->why. */
int dp_port_start_planned(uint16_t port, struct dp_port_plan *plan, struct rte_mempool *mp);
/* "rss rx-cksum tx-ip-cksum multi-seg": what the plan has, for a log line. */
void dp_port_features(const struct dp_port_plan *plan, char *out, size_t cap);

#endif
