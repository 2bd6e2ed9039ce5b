/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lnsd's interfaces: one per configured port, facing the LACs, the core
 * or both. Which interface has an address, which a tunnel or a punted
 * frame belongs to, the workers' view of them (dp_ports) and the queues
 * each worker polls. The control lcore's, like the rest of struct lnsd.
 */
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "dp_pkt.h"
#include "lnsd.h"
#include "lnsd_host.h"

/* The next hop toward ip on a port: itself on the port's subnet, else its gateway. */
uint32_t
lnsd_next_hop(const struct cfg_port *p, uint32_t ip)
{
	uint32_t mask = p->prefix_len ? ~0u << (32 - p->prefix_len) : 0;

	return (ip & mask) == (p->ipv4 & mask) || p->gateway == 0 ? ip : p->gateway;
}

bool
lnsd_if_first_on_port(const struct lnsd *d, unsigned i)
{
	for (unsigned j = 0; j < i; j++)
		if (d->ifs[j].port == d->ifs[i].port)
			return false;
	return true;
}

/* One of the addresses LACs reach us at (l2tp.listen)? */
bool
lnsd_is_local(const struct lnsd *d, uint32_t ip)
{
	for (unsigned i = 0; i < d->cfg->l2tp.n_listen; i++)
		if (d->cfg->l2tp.listen[i] == ip)
			return true;
	return false;
}

static bool
has_address(const struct cfg_port *p, uint32_t ip)
{
	if (p->ipv4 == ip)
		return true;
	for (unsigned k = 0; k < p->n_aliases; k++)
		if (p->aliases[k] == ip)
			return true;
	return false;
}

/* The access interface that has address ip; -1: none. */
int
lnsd_access_if_with(const struct lnsd *d, uint32_t ip)
{
	for (unsigned i = 0; i < d->n_ifs; i++)
		if (d->ifs[i].access >= 0 && has_address(d->ifs[i].cfg, ip))
			return (int)i;
	return -1;
}

/* The first access interface: its address is the NAS's, its socket's mbufs the control lcore's. */
const struct lnsd_if *
lnsd_first_access(const struct lnsd *d)
{
	for (unsigned i = 0; i < d->n_ifs; i++)
		if (d->ifs[i].access == 0)
			return &d->ifs[i];
	return &d->ifs[0];
}

/* The address a tunnel's peer talks to, which we answer from. */
uint32_t
lnsd_local_of(const struct lnsd *d, const struct l2tp_addr *peer)
{
	uint32_t ip = get_be32(peer->local);

	return ip != 0 ? ip : d->cfg->l2tp.listen[0];
}

/* The interface a tunnel's packets leave by: the one with the address its LAC asked. */
unsigned
lnsd_tunnel_if(const struct lnsd *d, const struct l2tp_addr *peer)
{
	int ifx = lnsd_access_if_with(d, lnsd_local_of(d, peer));

	/* cannot be otherwise: control_input takes L2TP only to our access addresses */
	return ifx >= 0 ? (unsigned)ifx : (unsigned)(lnsd_first_access(d) - d->ifs);
}

/* The interface a punted frame came in on; -1: none of ours. */
int
lnsd_if_of(const struct lnsd *d, uint16_t port, uint16_t vlan)
{
	for (unsigned i = 0; i < d->n_ifs; i++)
		if (d->ifs[i].port == port && d->ifs[i].cfg->vlan == vlan)
			return (int)i;
	return -1;
}

static int
port_of(const struct cfg_port *p, uint16_t *id)
{
	char name[128];

	lnsd_device_name(p->device, name, sizeof(name));
	return rte_eth_dev_get_port_by_name(name, id);
}

/* A port EAL did not bring up: where it is configured, and why when lnsd can tell. */
static void
say_not_up(const struct lns_config *c, const struct cfg_port *p)
{
	char why[512];

	if (!p->pci || !lnsd_pci_diagnose("/sys", p->device, why, sizeof(why)))
		snprintf(why, sizeof(why),
			 "device %s did not come up (EAL's messages above say why)", p->device);
	fprintf(stderr, "%s:%u:%u: port '%s': %s\n", c->path, p->at.line, p->at.col, p->name, why);
}

/*
 * lnsd's interfaces, one per configured port, numbered on each side in
 * the configuration's order; cfg.c has checked the layout (a side on
 * every device at most once, at most DP_MAX_IFS a side).
 */
int
lnsd_find_interfaces(struct lnsd *d)
{
	const struct lns_config *c = d->cfg;
	unsigned n_access = 0, n_core = 0;

	for (unsigned i = 0; i < c->n_ports; i++) {
		struct lnsd_if *f = &d->ifs[d->n_ifs++];

		f->cfg = &c->ports[i];
		f->access = c->ports[i].role != CFG_PORT_CORE ? (int)n_access++ : -1;
		f->core = c->ports[i].role != CFG_PORT_ACCESS ? (int)n_core++ : -1;
		if (port_of(f->cfg, &f->port) != 0) {
			say_not_up(c, f->cfg);
			return -ENODEV;
		}
	}
	if (n_access == 0 || n_core == 0 || n_access > DP_MAX_IFS || n_core > DP_MAX_IFS) {
		fprintf(stderr,
			"lnsd: %s: needs 1 to %d ports facing the LACs (role access) and 1 to %d "
			"facing the core (role core), or ports with role both\n",
			c->path, DP_MAX_IFS, DP_MAX_IFS);
		return -EINVAL;
	}
	return 0;
}

/* The workers' view of each interface, and which interface of each side a port is. */
void
lnsd_describe_interfaces(struct lnsd *d, struct dp_ports *dp)
{
	dp_ports_init(dp);
	for (unsigned i = 0; i < d->n_ifs; i++) {
		const struct lnsd_if *f = &d->ifs[i];
		struct dp_iface x = { .port = f->port, .vlan = f->cfg->vlan, .ip = f->cfg->ipv4 };

		rte_eth_macaddr_get(f->port, &x.mac);
		x.rx_cksum = lnsd_nic_of(d, i)->plan.rx_cksum;
		x.tx_ip_cksum = lnsd_nic_of(d, i)->plan.tx_ip_cksum;
		if (f->access >= 0) {
			x.mtu = f->cfg->mtu;
			x.too_big = f->cfg->too_big == CFG_TOO_BIG_ICMP ? DP_TOO_BIG_ICMP_IF_DF
									: DP_TOO_BIG_FRAGMENT;
			dp->access[f->access] = x;
			dp->access_of_port[f->port] = (uint8_t)f->access;
			dp->n_access++;
		}
		if (f->core >= 0) {
			x.mtu = 0;
			memcpy(x.ip6, f->cfg->ipv6, 16);
			dp->core[f->core] = x;
			dp->core_of_port[f->port] = (uint8_t)f->core;
			dp->n_core++;
		}
	}
	dp->l2tp_port = L2TP_UDP_PORT;
	memcpy(dp->access_ip, d->cfg->l2tp.listen, sizeof(d->cfg->l2tp.listen));
	dp->n_access_ip = (uint8_t)d->cfg->l2tp.n_listen;
}

/*
 * A worker's queues: of every port, the RX queues q with q % workers ==
 * worker, by the sides the port carries. A NIC's RSS queues spread so;
 * a virtual device's extra queue pair, the control lcore's TX queue's
 * partner, falls to worker 0. -ENOSPC (said) past DP_WORKER_MAX_RX.
 */
int
lnsd_worker_queues(struct lnsd *d, struct dp_worker_cfg *wc, unsigned worker)
{
	for (unsigned i = 0; i < d->n_ifs; i++) {
		const struct lnsd_if *f = &d->ifs[i];
		bool access = false, core = false;

		if (!lnsd_if_first_on_port(d, i))
			continue;
		for (unsigned j = i; j < d->n_ifs; j++) {
			access = access || (d->ifs[j].port == f->port && d->ifs[j].access >= 0);
			core = core || (d->ifs[j].port == f->port && d->ifs[j].core >= 0);
		}
		for (uint16_t q = (uint16_t)worker; q < d->nics[i].plan.n_rxq;
		     q = (uint16_t)(q + d->n_workers)) {
			if (wc->n_rx == DP_WORKER_MAX_RX) {
				fprintf(stderr,
					"lnsd: worker %u would poll more than %d RX queues: fewer "
					"rx_queues, or more workers\n",
					worker, DP_WORKER_MAX_RX);
				return -ENOSPC;
			}
			wc->rx[wc->n_rx++] = (struct dp_rx){ f->port, q,
							     access && core ? DP_SIDE_BOTH
							     : access	    ? DP_SIDE_ACCESS
									    : DP_SIDE_CORE };
		}
	}
	return 0;
}
