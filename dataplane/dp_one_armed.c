/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One-armed: the LACs and the core reach lnsd through one port, on two
 * VLANs or on one. Each burst is split by side before the sides' own
 * per-burst functions see it; nothing is dropped here, so every packet
 * still ends in one of the sides' counters.
 */
#include <rte_ether.h>
#include <rte_ip.h>

#include "dp.h"
#include "dp_pkt.h"

static inline bool
is_ours(const struct dp_ports *ports, uint32_t dst)
{
	for (unsigned i = 0; i < ports->n_access_ip; i++)
		if (dst == ports->access_ip[i])
			return true;
	return false;
}

/* A packet from a port with an interface of each side: the access side's? */
static inline bool
is_access(const struct dp_worker *w, const struct rte_mbuf *m)
{
	const struct dp_ports *ports = w->ports;
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct dp_iface *a = dp_access_in(w, m), *c = dp_core_in(w, m);
	uint32_t len = rte_pktmbuf_data_len(m), off;
	uint16_t vlan, type;

	if (a == NULL || c == NULL)
		return c == NULL; /* one side here after all: that side's (which counts it) */
	if (!eth_parse(p, len, &vlan, &type, &off))
		return true; /* the access side counts it as short */
	if (a->vlan != c->vlan)
		return vlan != c->vlan;
	if (type == RTE_ETHER_TYPE_ARP)
		return true;
	/* to our L2TP address, fragments included: L2TP, or the access side's drop */
	return type == RTE_ETHER_TYPE_IPV4 && len >= off + 20 &&
	       is_ours(ports, get_be32(p + off + 16));
}

void
dp_split_one_armed(const struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n,
		   struct rte_mbuf **access, uint16_t *n_access, struct rte_mbuf **core,
		   uint16_t *n_core)
{
	*n_access = *n_core = 0;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (is_access(w, m))
			access[(*n_access)++] = m;
		else
			core[(*n_core)++] = m;
	}
}
