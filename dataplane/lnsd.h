/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lnsd's state, shared by the daemon (lnsd.c: EAL, ports, workers, the
 * control loop) and its operator interface (lnsd_ctl.c: lnsctl's commands,
 * metrics). Everything here belongs to the control lcore.
 */
#ifndef LNSD_H
#define LNSD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "aaa_dae_server.h"
#include "aaa_radius.h"
#include "cfg.h"
#include "ctl_server.h"
#include "dp.h"
#include "dp_port.h"
#include "dp_worker.h"
#include "lns.h"
#include "lns_hmap.h"
#include "neigh.h"
#include "neigh6.h"

#define MAX_WORKERS CFG_MAX_WORKERS
/* The punt and hand-over rings between the workers and the control lcore. */
#define LNSD_RING_SIZE 1024

/* The control lcore's own outcomes, beside the engines' and the workers'. */
#define LNSD_COUNTERS(X)                                                                 \
	X(tx_dropped, "control packets not sent: no mbuf, or the control TX queue full") \
	X(tx_no_mac, "control packets held back: next hop not resolved (retransmitted)") \
	X(punt_not_ours, "UDP to an address that is not our L2TP address")               \
	X(punt_other, "punted frames neither ARP nor UDP")

struct lnsd_counters {
#define X(n, t) uint64_t n;
	LNSD_COUNTERS(X)
#undef X
};

/*
 * One of lnsd's interfaces: a configured port (a device, or one VLAN of
 * it) facing the LACs, the core, or both. ARP and the control lcore's
 * frames name it by its index in lnsd.ifs; the workers by its index among
 * its side's (dp_ports.access[], core[]).
 */
struct lnsd_if {
	const struct cfg_port *cfg;
	uint16_t port;	      /* the DPDK port */
	int access, core;     /* its index on that side; -1: not on that side */
	struct neigh6 neigh6; /* core: IPv6 neighbour discovery */
};

/* A DPDK port as lnsd runs it: as planned against its device, and its link as last seen. */
struct lnsd_nic {
	struct dp_port_plan plan;
	bool link_known, link_up;
	uint32_t speed_mbps; /* 0: down or unknown */
	uint64_t link_changes;
};

/* What lnsd shows of a published session, by its dataplane counters slot. */
struct lnsd_sub {
	bool up;
	uint16_t tunnel_id, session_id;
	uint32_t peer_ip; /* its LAC */
	uint8_t ifx;	  /* the interface its LAC is reached by */
	uint32_t ipv4;
	bool ipv6;	    /* a /64 advertised */
	uint8_t prefix6[8]; /* that /64 */
	char user[65];
	struct aaa_route4 routes[AAA_MAX_ROUTES]; /* RADIUS Framed-Route, in the FIB */
	uint8_t n_routes;
};

struct lnsd {
	const struct lns_config *cfg; /* as started: EAL, ports, L2TP */
	struct lns_config *live;      /* profiles, users, pools: the last reload */
	bool draining;
	struct lnsd_if ifs[CFG_MAX_PORTS];
	unsigned n_ifs;
	struct lnsd_nic nics[CFG_MAX_PORTS]; /* by interface: its port's, on its first interface */
	uint64_t next_link_poll;
	uint16_t ctl_txq;	  /* the control lcore's on every port */
	struct rte_mempool *pool; /* the first access port's socket's: control TX */
	struct rte_mempool *pools[RTE_MAX_NUMA_NODES]; /* mbufs per socket in use */
	unsigned worker_lcore[MAX_WORKERS];
	struct rte_rcu_qsbr *qsbr;
	struct dp_tables *tables;
	struct dp_ports ports[2]; /* published copy and the one being written */
	unsigned ports_cur;
	struct dp_worker workers[MAX_WORKERS];
	struct dp_worker_cfg wcfg[MAX_WORKERS];
	struct rte_ring *punt[MAX_WORKERS];
	struct rte_ring *handoff[MAX_WORKERS][2];
	unsigned n_workers;
	bool stop_workers;
	struct lns *lns;
	struct neigh_table *neigh;
	struct lns_hmap next_hops;  /* access-side next hop -> its published sessions (a count) */
	struct lnsd_sub *subs;	    /* [max_sessions] */
	struct aaa_radius *radius;  /* NULL: no radius section */
	struct aaa_dae_server *dae; /* NULL: no dae_listen */
	struct aaa_auth_answer answers[32];
	struct lnsd_counters cnt;
	struct ctl_server *ctl;	    /* lnsctl; NULL: no socket */
	struct ctl_server *metrics; /* Prometheus over HTTP; NULL: off */
	uint64_t started_ms;
};

/* The dataplane's counters of one session slot, summed over the workers. */
void lnsd_session_counters(struct lnsd *d, uint32_t index, struct dp_session_counters *out);
/* SIGHUP and lnsctl reload: profiles, users, pools and log levels for new calls. */
void lnsd_reload(struct lnsd *d);
/* SIGUSR2 and lnsctl drain: soft shutdown on or off. */
void lnsd_set_draining(struct lnsd *d, bool on);
uint64_t lnsd_now_ms(void);

/* lnsd's interfaces (lnsd_ifs.c). */
/* From the configuration: each port's interface and its DPDK port; 0 or -errno (said). */
int lnsd_find_interfaces(struct lnsd *d);
/* The workers' view of the interfaces, and which interface of each side a port is. */
void lnsd_describe_interfaces(struct lnsd *d, struct dp_ports *dp);
/* A worker's share of every port's RX queues; -ENOSPC (said) when they do not fit. */
int lnsd_worker_queues(struct lnsd *d, struct dp_worker_cfg *wc, unsigned worker);
/* Whether interface i is the first on its DPDK port (for per-port things such as stats). */
bool lnsd_if_first_on_port(const struct lnsd *d, unsigned i);
/* The next hop toward ip by a port: itself on the port's subnet, else its gateway. */
uint32_t lnsd_next_hop(const struct cfg_port *p, uint32_t ip);
/* One of the addresses LACs reach us at (l2tp.listen)? */
bool lnsd_is_local(const struct lnsd *d, uint32_t ip);
/* The access interface that has address ip; -1: none. */
int lnsd_access_if_with(const struct lnsd *d, uint32_t ip);
/* The first access interface, in the configuration's order. */
const struct lnsd_if *lnsd_first_access(const struct lnsd *d);
/* The address a tunnel's LAC talks to, which we answer from. */
uint32_t lnsd_local_of(const struct lnsd *d, const struct l2tp_addr *peer);
/* The interface a tunnel's packets leave by: the one with the address its LAC dialled. */
unsigned lnsd_tunnel_if(const struct lnsd *d, const struct l2tp_addr *peer);
/* The interface a punted frame came in on; -1: none of ours. */
int lnsd_if_of(const struct lnsd *d, uint16_t port, uint16_t vlan);

/* lnsd's DPDK ports (lnsd_ports.c). */
/* Plans every port against its device, makes the mbuf pools, starts them; 0 or -errno (said). */
int lnsd_ports_start(struct lnsd *d);
/* The mbufs of a NUMA socket, made the first time it is asked for; NULL (said) when they cannot be.
 */
struct rte_mempool *lnsd_pool_for_socket(struct lnsd *d, int socket);
/* Where a port's memory belongs: its NIC's socket, or ours for a virtual device. */
int lnsd_port_socket(uint16_t port);
struct lnsd_nic *lnsd_nic_of(struct lnsd *d, unsigned ifx);
/* Reads each port's link now and then; a change is logged, counted and given to
 * lnsd_link_changed(). */
void lnsd_ports_poll_links(struct lnsd *d, uint64_t now);
/* Interface ifx's link is up, or not known yet. */
bool lnsd_link_up(struct lnsd *d, unsigned ifx);
/* Each of the port's DPDK extended stats, as fn(arg, name, value); their count, or -errno. */
typedef void (*lnsd_xstat_fn)(void *arg, const char *name, uint64_t value);
int lnsd_port_xstats(struct lnsd *d, unsigned ifx, lnsd_xstat_fn fn, void *arg);
/* Interface ifx's link went down or came up (lnsd.c): its sessions move, its neighbours are asked
 * again. */
void lnsd_link_changed(struct lnsd *d, unsigned ifx, bool up);

/* lnsctl's commands (lnsd_ctl.c), a ctl_handler_fn. */
int lnsd_ctl(void *ctx, int argc, char **argv, struct ctl_out *out);
/* Prometheus text (lnsd_metrics.c). */
void lnsd_metrics(struct lnsd *d, struct ctl_out *out);
/* A ctl_handler_fn for the HTTP server: GET /metrics. */
int lnsd_metrics_http(void *ctx, int argc, char **argv, struct ctl_out *out);
/* DPDK telemetry /lnsd/... (lnsd_telemetry.c): register once, publish each loop (rate-limited). */
int lnsd_telemetry_start(struct lnsd *d);
void lnsd_telemetry_publish(struct lnsd *d, uint64_t now);
/* SIGUSR1: the tunnels and sessions as "show tunnels" and "show sessions" print them. */
void lnsd_show_state(struct lnsd *d, FILE *f);

#endif
