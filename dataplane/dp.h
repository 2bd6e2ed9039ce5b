/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fast path's data and its per-burst functions. The control lcore is
 * the only writer of the session tables (dp_table.c); workers read them
 * lock-free and report an RCU quiescent state once per loop. A session
 * entry is immutable once published: a change is a new entry.
 */
#ifndef DP_H
#define DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ip_frag.h>
#include <rte_mbuf.h>

#define DP_BURST 32
/*
 * Prefetch distances: packets whose data the classify loops ask for ahead
 * of use, and sessions whose counters the delivery loops ask for. They
 * pay once the tables outgrow the caches (100 000 sessions and up).
 */
#define DP_PREFETCH_AHEAD 4
#define DP_PREFETCH_SESS  2
#define DP_MAX_ACCESS_IPS 8

enum dp_counter {
#define X(id, text) DP_##id,
#include "dp_counters.def"
#undef X
	DP_COUNTER_MAX
};

const char *dp_counter_name(enum dp_counter c); /* "drop_wrong_peer" */
const char *dp_counter_text(enum dp_counter c);

#define DP_SESS_SEQUENCING 0x01 /* send data with L and S (Ns/Nr) */
#define DP_SESS_NO_ACF	   0x02 /* peer agreed to ACFC: send without FF 03 */
#define DP_SESS_PFC	   0x04 /* peer agreed to PFC: one-byte protocol */

/* One subscriber session as the workers see it. Addresses in host order. */
struct dp_session {
	uint16_t tunnel_id, session_id;		  /* ours: the access-side key */
	uint16_t peer_tunnel_id, peer_session_id; /* what we send */
	uint32_t peer_ip, local_ip;		  /* the LAC, and us */
	uint16_t peer_port, local_port;
	struct rte_ether_addr peer_mac; /* the LAC's next hop */
	uint32_t sub_ipv4;		/* the subscriber: the core-side key */
	uint64_t sub_ipv6_prefix;	/* its /64: first 8 bytes as on the wire; 0: none */
	uint32_t magic;			/* our LCP magic, for echo replies */
	uint16_t mtu;			/* the peer's MRU */
	uint16_t mss;			/* TCP MSS clamp, 0: none */
	uint8_t flags;			/* DP_SESS_* */
	uint8_t access_if;		/* dp_ports.access[]: where its LAC is reached */
	uint32_t index;			/* counters slot, set by the table */
	bool keep_index;		/* table-internal: replaced, slot lives on */
};

struct dp_session_counters {
	uint64_t rx_packets, rx_bytes; /* from the subscriber */
	uint64_t tx_packets, tx_bytes; /* to the subscriber */
	uint16_t ns;		       /* next data Ns when sequencing */
};

struct dp_tables;

/* What to do with a packet whose encapsulation exceeds the access MTU. */
enum dp_too_big {
	DP_TOO_BIG_FRAGMENT,   /* fragment the outer IPv4 packet */
	DP_TOO_BIG_ICMP_IF_DF, /* ICMP "fragmentation needed" when the inner IPv4 has DF */
};

/* Interfaces per side: a port, or one VLAN of a port. */
#define DP_MAX_IFS 4

/*
 * One side of a port as the workers see it: the DPDK port (its TX queue
 * is the worker's index), the 802.1Q VLAN of that side (0: untagged;
 * frames in with another tag are dropped, frames out carry it), our MAC.
 */
struct dp_iface {
	uint16_t port;
	uint16_t vlan;
	struct rte_ether_addr mac;
	/* core side */
	struct rte_ether_addr gw;  /* the IPv4 next hop's MAC; zero: unresolved */
	struct rte_ether_addr gw6; /* the IPv6 next hop's (gateway6, else gw) */
	uint8_t ip6[16];	   /* ours: its neighbour discovery is punted */
	uint32_t ip;		   /* ours: the source of ICMP errors (host order) */
	/* access side */
	uint16_t mtu; /* outer IPv4 size at most; 0: no limit */
	enum dp_too_big too_big;
	/* the NIC's offloads (dp_port_plan): it checks checksums in, writes the outer IPv4 one out
	 */
	bool rx_cksum, tx_ip_cksum;
};

/*
 * The NIC said a checksum is bad: the IPv4 header's, and with l4 the UDP
 * one (ours to check on L2TP from a LAC; a forwarded packet's belongs to
 * its end hosts).
 */
static inline bool
dp_rx_cksum_bad(const struct dp_iface *in, const struct rte_mbuf *m, bool l4)
{
	return in->rx_cksum &&
	       ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
		(l4 && (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_BAD));
}

/* A core interface's next hop for IPv6 or IPv4; zero: unresolved. */
static inline const struct rte_ether_addr *
dp_iface_gateway(const struct dp_iface *c, bool v6)
{
	return v6 ? &c->gw6 : &c->gw;
}

/* In dp_ports' port maps: the port has no interface of that side. */
#define DP_NO_IF 0xff

/*
 * What a worker needs to rewrite headers on each side: every interface of
 * each side. A port carries at most one interface of each side; one with
 * both is one-armed. The interface a packet came in on is its port's
 * (dp_in_port), and the maps say which interface that is.
 */
struct dp_ports {
	struct dp_iface access[DP_MAX_IFS]; /* the LACs; a session names its own */
	struct dp_iface core[DP_MAX_IFS];   /* a session's traffic leaves by one (core_if_of) */
	uint8_t n_access, n_core;
	/* by DPDK port: its interface of each side, or DP_NO_IF */
	uint8_t access_of_port[RTE_MAX_ETHPORTS], core_of_port[RTE_MAX_ETHPORTS];
	uint32_t access_ip[DP_MAX_ACCESS_IPS]; /* our L2TP addresses: one-armed split */
	uint8_t n_access_ip;
	uint16_t l2tp_port;				 /* 1701 */
	struct rte_mempool *frag_direct, *frag_indirect; /* for rte_ip_frag */
};

/* Both maps: no interface on any port, until the caller adds them. */
void dp_ports_init(struct dp_ports *ports);

/*
 * One tunnel must not mean one core: RSS hashes the outer header, so all of
 * a tunnel's packets reach one worker. Each session belongs to one worker
 * (its index modulo the number of workers); a worker that receives a
 * packet of another worker's session hands it over on that worker's ring,
 * which keeps each session's packets in order. The owner looks the session
 * up again rather than trusting a pointer across an RCU quiescent state.
 */
struct dp_worker {
	unsigned id; /* RCU thread ID, and index among workers */
	struct dp_tables *tables;
	const struct dp_ports *ports;
	uint64_t counters[DP_COUNTER_MAX];
	struct dp_session_counters *sess; /* [max sessions], by dp_session.index */
	unsigned n_workers;		  /* 0 or 1: no hand-over */
	bool owner_pass;		  /* processing packets handed over: keep them */
	uint16_t rx_port;		  /* the DPDK port of the burst being processed */
	/*
	 * A LAC's outer IPv4 fragments are put back together here; NULL:
	 * dropped and counted. Fragments of one datagram share their
	 * addresses, so RSS brings them all to one worker.
	 */
	struct rte_ip_frag_tbl *frag_tbl;
	struct rte_ip_frag_death_row death_row;
	uint64_t icmp_next_tsc; /* ICMP errors: the earliest the next may go (RFC 4443 §2.4 f) */
};

static inline unsigned
dp_session_owner(const struct dp_worker *w, uint32_t index)
{
	return w->n_workers > 1 ? index % w->n_workers : w->id;
}

/* A packet split for the access MTU makes at most this many fragments. */
#define DP_MAX_FRAGMENTS 2

/*
 * Where a burst's packets go (the access side may carry fragments), each
 * with the interface of its side it leaves by.
 */
struct dp_out {
	struct rte_mbuf *core[DP_BURST];
	struct rte_mbuf *access[DP_BURST * DP_MAX_FRAGMENTS];
	uint8_t core_if[DP_BURST];
	uint8_t access_if[DP_BURST * DP_MAX_FRAGMENTS];
	struct rte_mbuf *punt[DP_BURST];
	struct rte_mbuf *handoff[DP_BURST]; /* for their owner worker */
	uint16_t handoff_to[DP_BURST];
	uint16_t n_core, n_access, n_punt, n_handoff;
};

/*
 * Packets from the LACs: decapsulated toward the core, LCP Echo-Requests
 * answered toward the access side, control punted; every drop counted and
 * freed. At most DP_BURST packets.
 */
void dp_access_burst(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n, struct dp_out *out);
/* Packets from the core toward subscribers: encapsulated to their LAC. */
void dp_core_burst(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n, struct dp_out *out);
/*
 * A one-armed port's burst split by side: with two VLANs, by tag (what is
 * not the core's goes to the access side, which drops a stranger's tag);
 * on one VLAN, ARP and IPv4 to our L2TP address are the access side's, the
 * rest the core's. Keeps the order within each side.
 */
void dp_split_one_armed(const struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n,
			struct rte_mbuf **access, uint16_t *n_access, struct rte_mbuf **core,
			uint16_t *n_core);

static inline void
dp_out_core(struct dp_out *out, struct rte_mbuf *m, unsigned ifx)
{
	out->core_if[out->n_core] = (uint8_t)ifx;
	out->core[out->n_core++] = m;
}

static inline void
dp_out_access(struct dp_out *out, struct rte_mbuf *m, unsigned ifx)
{
	out->access_if[out->n_access] = (uint8_t)ifx;
	out->access[out->n_access++] = m;
}

/*
 * The DPDK port a packet came in on: the burst's, which the worker knows
 * (not every PMD writes the mbuf's port: net_ring does not); for a packet
 * handed over, the one the handing worker wrote into it.
 */
static inline uint16_t
dp_in_port(const struct dp_worker *w, const struct rte_mbuf *m)
{
	return w->owner_pass ? m->port : w->rx_port;
}

/* The access or core interface a packet came in on; NULL: its port has none. */
static inline const struct dp_iface *
dp_access_in(const struct dp_worker *w, const struct rte_mbuf *m)
{
	uint16_t port = dp_in_port(w, m);
	uint8_t i = port < RTE_MAX_ETHPORTS ? w->ports->access_of_port[port] : DP_NO_IF;

	return i < w->ports->n_access ? &w->ports->access[i] : NULL;
}

static inline const struct dp_iface *
dp_core_in(const struct dp_worker *w, const struct rte_mbuf *m)
{
	uint16_t port = dp_in_port(w, m);
	uint8_t i = port < RTE_MAX_ETHPORTS ? w->ports->core_of_port[port] : DP_NO_IF;

	return i < w->ports->n_core ? &w->ports->core[i] : NULL;
}

static inline void
dp_hand_over(struct dp_worker *w, struct rte_mbuf *m, unsigned owner, struct dp_out *out)
{
	m->port = w->rx_port; /* its owner finds its interface by it */
	w->counters[DP_HANDED_OVER]++;
	out->handoff_to[out->n_handoff] = (uint16_t)owner;
	out->handoff[out->n_handoff++] = m;
}

/*
 * The control lcore's view of the counters: sums over the workers' own
 * arrays, read without atomics (a sum may lag a packet or two; each 64-bit
 * counter is written by one worker and read whole on x86-64).
 */
void dp_counters_sum(struct dp_worker *const *workers, unsigned n, uint64_t out[DP_COUNTER_MAX]);
void dp_session_counters_sum(struct dp_worker *const *workers, unsigned n, uint32_t index,
			     struct dp_session_counters *out);
/* Zeroes a slot in every worker; only for a slot no worker can reach (see dp_slot_freed_fn). */
void dp_session_counters_clear(struct dp_worker *const *workers, unsigned n, uint32_t index);

/* Tables (dp_table.c), written by the control lcore only. */
struct rte_rcu_qsbr;
struct dp_tables *dp_tables_create(const char *name, uint32_t max_sessions, int socket,
				   struct rte_rcu_qsbr *qsbr);
void dp_tables_free(struct dp_tables *t);
/*
 * Called by dp_tables_reclaim() (on the control lcore) when a counters slot
 * goes back to the free list: its grace period is over, no worker counts
 * into it any more, so the owner clears it before a new session takes it
 * (else that session would start with the old one's counters and data Ns).
 */
typedef void dp_slot_freed_fn(void *ctx, uint32_t index);
void dp_tables_on_slot_freed(struct dp_tables *t, dp_slot_freed_fn *fn, void *ctx);
/* Publishes a copy of s; returns its counters index, or -errno. */
int dp_session_add(struct dp_tables *t, const struct dp_session *s);
/* Withdraws a session; freed once every worker has passed a quiescent state. */
int dp_session_del(struct dp_tables *t, uint16_t tunnel_id, uint16_t session_id);
/* A changed entry (same IDs) replaces the old one and keeps its counters. */
int dp_session_replace(struct dp_tables *t, const struct dp_session *s);
/* The published entry (for the control lcore, the writer): NULL if none. */
const struct dp_session *dp_session_find(struct dp_tables *t, uint16_t tunnel_id,
					 uint16_t session_id);
uint32_t dp_session_count(const struct dp_tables *t);
uint32_t dp_tables_capacity(const struct dp_tables *t);
/* Frees what RCU allows now (also done by add and delete); returns how many. */
unsigned dp_tables_reclaim(struct dp_tables *t);

/*
 * Routed prefixes behind subscribers (RADIUS Framed-Route): an rte_fib
 * (DIR-24-8) whose next hop is the session's L2TP key. Remove a session's
 * routes before the session. Returns 0 or -errno.
 */
int dp_routes_enable(struct dp_tables *t, uint32_t max_routes);
int dp_route4_add(struct dp_tables *t, uint32_t prefix, uint8_t depth, uint16_t tunnel_id,
		  uint16_t session_id);
int dp_route4_del(struct dp_tables *t, uint32_t prefix, uint8_t depth);
/* Anti-spoofing for routed prefixes: is addr in a prefix routed to this session? */
bool dp_route4_is_behind(struct dp_tables *t, uint32_t addr, uint16_t tunnel_id,
			 uint16_t session_id);

/*
 * Routed IPv6 prefixes behind subscribers (DHCPv6 prefix delegation,
 * Framed-IPv6-Route), /64 or shorter: an rte_fib6 trie, next hop the
 * session's L2TP key as for IPv4. The trie's first level is 64 MiB too.
 */
int dp_routes6_enable(struct dp_tables *t, uint32_t max_routes);
int dp_route6_add(struct dp_tables *t, const uint8_t prefix[16], uint8_t depth, uint16_t tunnel_id,
		  uint16_t session_id);
int dp_route6_del(struct dp_tables *t, const uint8_t prefix[16], uint8_t depth);
/* Anti-spoofing: is this /64 (first 8 bytes, as on the wire) routed to the session? */
bool dp_route6_is_behind(struct dp_tables *t, uint64_t prefix, uint16_t tunnel_id,
			 uint16_t session_id);
/* For the misses of dp_lookup_sub6 (out[i] NULL): the routed prefixes. */
void dp_lookup_routes6(struct dp_tables *t, const uint64_t *prefixes, unsigned n,
		       const struct dp_session **out);

/* Lookups used by the workers (bulk): entries, NULL where none. */
void dp_lookup_l2tp(struct dp_tables *t, const uint32_t *keys, unsigned n,
		    const struct dp_session **out);
void dp_lookup_sub4(struct dp_tables *t, const uint32_t *addrs, unsigned n,
		    const struct dp_session **out);
/* For the misses of dp_lookup_sub4 (out[i] NULL): the routed prefixes. */
void dp_lookup_routes4(struct dp_tables *t, const uint32_t *addrs, unsigned n,
		       const struct dp_session **out);
/* By the /64 of an IPv6 address (its first 8 bytes, copied as they are). */
void dp_lookup_sub6(struct dp_tables *t, const uint64_t *prefixes, unsigned n,
		    const struct dp_session **out);

/* The entries a bulk lookup found, into the cache before they are read. */
static inline void
dp_prefetch_sessions(const struct dp_session *const *s, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		if (s[k] != NULL)
			rte_prefetch0(s[k]);
}

static inline uint32_t
dp_l2tp_key(uint16_t tunnel_id, uint16_t session_id)
{
	return (uint32_t)tunnel_id << 16 | session_id;
}

#endif
