/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Dataplane benchmark: the real worker loop (dp_worker_poll) on DPDK ring
 * ports, fed pre-built packets for 1, 1 000, 100 000 and 1 000 000
 * sessions, decap, encap and mixed; and in the same run the I/O ceiling,
 * a loop on the same ports that only receives, touches the Ethernet header
 * and transmits. Only the polls are timed (TSC): refilling the input ring
 * and draining the output rings happen outside the measurement, for the
 * worker and the ceiling alike.
 *
 *   bench_dp [--json] [--seconds S] [--max-sessions N]
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp.h"
#include "dp_worker.h"
#include "l2tp_wire.h"

#define BATCH	  1024 /* packets per refill */
#define TEMPLATES 4096
#define PKT_MAX	  128

static struct rte_mempool *pool;
static struct rte_ring *a_in, *a_out, *c_in, *c_out, *punt;
static uint16_t access_port, core_port;
static bool json;
static double seconds = 1.0;

struct tmpl {
	uint8_t data[PKT_MAX];
	uint16_t len;
};

static struct tmpl *decap_t, *encap_t;

static const uint32_t LAC = 0xC0000202, LNS = 0xC0000201, SUB0 = 0x0A000000, REMOTE = 0xC6336402;

static void
put_ip(uint8_t *ip, uint16_t total, uint32_t src, uint32_t dst)
{
	uint16_t c;

	memset(ip, 0, 20);
	ip[0] = 0x45;
	put_be16(ip + 2, total);
	ip[8] = 64;
	ip[9] = 17;
	put_be32(ip + 12, src);
	put_be32(ip + 16, dst);
	c = rte_ipv4_cksum((const struct rte_ipv4_hdr *)ip);
	memcpy(ip + 10, &c, 2);
}

static uint16_t
tid_of(uint32_t i)
{
	return (uint16_t)(1 + i / 60000);
}

static uint16_t
sid_of(uint32_t i)
{
	return (uint16_t)(1 + i % 60000);
}

/* A 64-byte inner UDP packet in PPP in L2TP in UDP in IPv4 from the LAC. */
static void
make_decap(struct tmpl *t, uint32_t i)
{
	uint8_t *p = t->data;
	const uint16_t inner = 46;
	uint16_t l2tp_len = 6 + 4 + inner;

	memset(p, 0, PKT_MAX);
	put_be16(p + 12, 0x0800);
	put_ip(p + 14, (uint16_t)(20 + 8 + l2tp_len), LAC, LNS);
	put_be16(p + 34, 1701);
	put_be16(p + 36, 1701);
	put_be16(p + 38, (uint16_t)(8 + l2tp_len));
	put_be16(p + 42, 0x0002);
	put_be16(p + 44, tid_of(i));
	put_be16(p + 46, sid_of(i));
	p[48] = 0xff;
	p[49] = 0x03;
	put_be16(p + 50, 0x0021);
	put_ip(p + 52, inner, SUB0 + i, REMOTE);
	t->len = (uint16_t)(52 + inner);
}

/* A 64-byte frame from the core toward subscriber i. */
static void
make_encap(struct tmpl *t, uint32_t i)
{
	memset(t->data, 0, PKT_MAX);
	put_be16(t->data + 12, 0x0800);
	put_ip(t->data + 14, 46, REMOTE, SUB0 + i);
	t->len = 60;
}

static void
refill(struct rte_ring *r, const struct tmpl *t, unsigned n_tmpl, unsigned *cursor, unsigned n)
{
	struct rte_mbuf *m[BATCH];

	if (rte_pktmbuf_alloc_bulk(pool, m, n) != 0) {
		fprintf(stderr, "bench: mbuf pool exhausted\n");
		exit(1);
	}
	for (unsigned k = 0; k < n; k++) {
		const struct tmpl *x = &t[(*cursor)++ % n_tmpl];

		memcpy(rte_pktmbuf_append(m[k], x->len), x->data, x->len);
	}
	rte_ring_enqueue_bulk(r, (void **)m, n, NULL);
}

static void
drain(void)
{
	struct rte_ring *rings[] = { a_out, c_out, punt, a_in, c_in };
	void *x[256];
	unsigned n;

	for (size_t i = 0; i < sizeof(rings) / sizeof(rings[0]); i++)
		while ((n = rte_ring_dequeue_burst(rings[i], x, 256, NULL)) > 0)
			rte_pktmbuf_free_bulk((struct rte_mbuf **)x, n);
}

/* The reference: receive, touch the Ethernet header, transmit. */
static unsigned
ceiling_poll(uint16_t rx_port, uint16_t tx_port)
{
	struct rte_mbuf *m[DP_BURST];
	uint16_t n = rte_eth_rx_burst(rx_port, 0, m, DP_BURST);
	uint16_t sent;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_ether_hdr *e = rte_pktmbuf_mtod(m[i], struct rte_ether_hdr *);
		struct rte_ether_addr a = e->src_addr;

		e->src_addr = e->dst_addr;
		e->dst_addr = a;
	}
	sent = rte_eth_tx_burst(tx_port, 0, m, n);
	if (sent < n)
		rte_pktmbuf_free_bulk(m + sent, n - sent);
	return n;
}

struct result {
	double cycles_per_packet, mpps;
	uint64_t packets;
};

enum mode { DECAP, ENCAP, MIXED, CEILING, SPREAD };

/* For SPREAD: a second worker that owns half the sessions, polled on this core. */
static struct dp_worker *spread_w1;
static struct dp_worker_cfg spread_cfg1;

static struct result measure_spread(struct dp_worker *w0, const struct dp_worker_cfg *cfg0,
				    unsigned n_tmpl, uint32_t sessions);

static struct result
measure(enum mode mode, struct dp_worker *w, const struct dp_worker_cfg *cfg, unsigned n_tmpl)
{
	uint64_t hz = rte_get_tsc_hz(), busy = 0, packets = 0;
	uint64_t end = rte_get_tsc_cycles() + (uint64_t)(seconds * (double)hz);
	unsigned cur_a = 0, cur_c = 0;
	struct dp_worker_state st = { 0 };
	struct result r;

	while (rte_get_tsc_cycles() < end) {
		unsigned fed = 0;

		if (mode == DECAP || mode == MIXED || mode == CEILING || mode == SPREAD) {
			refill(a_in, decap_t, n_tmpl, &cur_a, mode == MIXED ? BATCH / 2 : BATCH);
			fed += mode == MIXED ? BATCH / 2 : BATCH;
		}
		if (mode == ENCAP || mode == MIXED) {
			refill(c_in, encap_t, n_tmpl, &cur_c, mode == MIXED ? BATCH / 2 : BATCH);
			fed += mode == MIXED ? BATCH / 2 : BATCH;
		}
		for (unsigned done = 0; done < fed;) {
			uint64_t t0 = rte_rdtsc_precise();
			unsigned got = mode == CEILING ? ceiling_poll(access_port, core_port)
						       : dp_worker_poll(w, cfg, &st);

			if (mode == SPREAD)
				dp_worker_poll(spread_w1, &spread_cfg1, &st);

			busy += rte_rdtsc_precise() - t0;
			done += got;
			packets += got;
			if (got == 0)
				break;
		}
		drain();
	}
	r.packets = packets;
	r.cycles_per_packet = packets ? (double)busy / (double)packets : 0;
	r.mpps = r.cycles_per_packet > 0 ? (double)hz / r.cycles_per_packet / 1e6 : 0;
	return r;
}

/*
 * One tunnel's packets all reach worker 0, which owns half the sessions
 * and hands the other half to worker 1 (both polled on this core): the
 * cycles of both per packet, to set against "decap" for the hand-over cost.
 */
static struct result
measure_spread(struct dp_worker *w0, const struct dp_worker_cfg *cfg0, unsigned n_tmpl,
	       uint32_t sessions)
{
	static struct rte_ring *h[2][2];
	struct dp_worker w1 = *w0;
	struct dp_worker_cfg c0 = *cfg0;
	struct result r;

	if (h[0][0] == NULL)
		for (int i = 0; i < 2; i++)
			for (int j = 0; j < 2; j++) {
				char name[16];

				snprintf(name, sizeof(name), "hand%d%d", i, j);
				h[i][j] = rte_ring_create(name, 4096, SOCKET_ID_ANY, RING_F_SC_DEQ);
			}
	w1.id = 1;
	w1.sess = rte_zmalloc(NULL, sizeof(*w1.sess) * sessions, 0);
	w0->n_workers = w1.n_workers = 2;
	c0.handoff = h;
	spread_cfg1 = c0;
	spread_cfg1.n_rx = 0; /* worker 1 has only what worker 0 hands it */
	spread_w1 = &w1;
	r = measure(SPREAD, w0, &c0, n_tmpl);
	w0->n_workers = 0;
	rte_free(w1.sess);
	return r;
}

static size_t
heap_used(void)
{
	struct rte_malloc_socket_stats s;
	size_t used = 0;

	for (int sock = 0; sock < RTE_MAX_NUMA_NODES; sock++)
		if (rte_malloc_get_socket_stats(sock, &s) == 0)
			used += s.heap_allocsz_bytes;
	return used;
}

static void
report(const char *name, uint32_t sessions, const struct result *r, const struct result *ceil,
       double bytes_per_session)
{
	if (json) {
		printf("{\"case\":\"%s\",\"sessions\":%u,\"workers\":1,\"mpps\":%.2f,"
		       "\"cycles_per_packet\":%.1f,\"ceiling_mpps\":%.2f,"
		       "\"ceiling_cycles_per_packet\":%.1f,\"bytes_per_session\":%.0f}\n",
		       name, sessions, r->mpps, r->cycles_per_packet, ceil->mpps,
		       ceil->cycles_per_packet, bytes_per_session);
	} else {
		printf("%-6s %8u sessions: %6.2f Mpps %7.1f cycles/pkt | ceiling %6.2f Mpps %6.1f "
		       "cycles/pkt | %4.0f%% of ceiling | %.0f B/session\n",
		       name, sessions, r->mpps, r->cycles_per_packet, ceil->mpps,
		       ceil->cycles_per_packet, ceil->mpps > 0 ? 100 * r->mpps / ceil->mpps : 0,
		       bytes_per_session);
	}
	fflush(stdout);
}

/*
 * The same worker as on a NIC with the checksum offloads: the NIC's RX
 * flags read on every packet, or the outer IPv4 checksum left to the NIC
 * (0 in the header, the lengths and flags in the mbuf; the ring PMD
 * computes nothing, so this is the CPU's side of it). Measured right
 * after the case without, so that both see the same caches.
 */
static struct result
measure_offloaded(enum mode mode, struct dp_worker *w, const struct dp_worker_cfg *cfg,
		  unsigned n_tmpl)
{
	static struct dp_ports off;
	const struct dp_ports *plain = w->ports;
	struct result r;

	off = *plain;
	off.access[0].tx_ip_cksum = true;
	off.access[0].rx_cksum = off.core[0].rx_cksum = true;
	w->ports = &off;
	r = measure(mode, w, cfg, n_tmpl);
	w->ports = plain;
	return r;
}

static void
run_case(uint32_t sessions, struct rte_rcu_qsbr *qsbr, const struct dp_ports *ports,
	 struct dp_worker_cfg *cfg)
{
	static int n;
	char name[32];
	size_t before = heap_used();
	struct dp_tables *t;
	struct dp_worker w = { 0 };
	struct result ceil, r;
	unsigned n_tmpl = sessions < TEMPLATES ? sessions : TEMPLATES;
	double per_session;

	snprintf(name, sizeof(name), "bench%d", n++);
	t = dp_tables_create(name, sessions, SOCKET_ID_ANY, qsbr);
	w.sess = rte_zmalloc(NULL, sizeof(*w.sess) * sessions, 0);
	if (t == NULL || w.sess == NULL) {
		fprintf(stderr, "bench: no memory for %u sessions\n", sessions);
		exit(1);
	}
	for (uint32_t i = 0; i < sessions; i++) {
		struct dp_session s = { .tunnel_id = tid_of(i),
					.session_id = sid_of(i),
					.peer_tunnel_id = tid_of(i),
					.peer_session_id = sid_of(i),
					.peer_ip = LAC,
					.local_ip = LNS,
					.peer_port = 1701,
					.local_port = 1701,
					.sub_ipv4 = SUB0 + i,
					.mtu = 1460,
					.peer_mac = { { 0x02, 0, 0, 0, 0, 0x0a } } };

		if (dp_session_add(t, &s) < 0) {
			fprintf(stderr, "bench: session %u not added\n", i);
			exit(1);
		}
	}
	per_session = (double)(heap_used() - before) / sessions;
	/* templates spread over all sessions: every lookup a different entry */
	for (unsigned i = 0; i < n_tmpl; i++) {
		uint32_t s = (uint32_t)((uint64_t)i * sessions / n_tmpl);

		make_decap(&decap_t[i], s);
		make_encap(&encap_t[i], s);
	}
	w.tables = t;
	w.ports = ports;
	ceil = measure(CEILING, &w, cfg, n_tmpl);
	r = measure(DECAP, &w, cfg, n_tmpl);
	report("decap", sessions, &r, &ceil, per_session);
	r = measure_offloaded(DECAP, &w, cfg, n_tmpl);
	report("decap_rx_offload", sessions, &r, &ceil, per_session);
	r = measure(ENCAP, &w, cfg, n_tmpl);
	report("encap", sessions, &r, &ceil, per_session);
	r = measure_offloaded(ENCAP, &w, cfg, n_tmpl);
	report("encap_tx_offload", sessions, &r, &ceil, per_session);
	r = measure(MIXED, &w, cfg, n_tmpl);
	report("mixed", sessions, &r, &ceil, per_session);
	r = measure_spread(&w, cfg, n_tmpl, sessions);
	report("spread", sessions, &r, &ceil, per_session);
	if (w.counters[DP_DECAP] == 0 || w.counters[DP_ENCAP] == 0) {
		fprintf(stderr, "bench: nothing was forwarded: the benchmark is broken\n");
		exit(1);
	}
	rte_free(w.sess);
	dp_tables_free(t);
}

static struct rte_ring *
ring(const char *name)
{
	return rte_ring_create(name, 4096, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
}

int
main(int argc, char **argv)
{
	char *eal[] = {
		argv[0], "--no-huge", "--no-pci", "--no-shconf",       "-l",
		"0",	 "-m",	      "3072",	  "--log-level=error", "--file-prefix=lnsd-bench"
	};
	uint32_t cases[] = { 1, 1000, 100000, 1000000 };
	uint32_t max_sessions = 1000000;
	struct dp_ports ports = { .l2tp_port = 1701, .n_access = 1, .n_core = 1 };
	struct dp_worker_cfg cfg = { 0 };

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--max-sessions") == 0 && i + 1 < argc)
			max_sessions = (uint32_t)strtoul(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "usage: %s [--json] [--seconds S] [--max-sessions N]\n",
				argv[0]);
			return 2;
		}
	}
	if (rte_eal_init(10, eal) < 0) {
		fprintf(stderr, "bench: EAL init failed\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("bench", 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	a_in = ring("a_in");
	a_out = ring("a_out");
	c_in = ring("c_in");
	c_out = ring("c_out");
	punt = ring("punt");
	decap_t = calloc(TEMPLATES, sizeof(*decap_t));
	encap_t = calloc(TEMPLATES, sizeof(*encap_t));
	if (!pool || !a_in || !a_out || !c_in || !c_out || !punt || !decap_t || !encap_t)
		return 1;
	access_port = (uint16_t)rte_eth_from_rings("access", &a_in, 1, &a_out, 1, SOCKET_ID_ANY);
	core_port = (uint16_t)rte_eth_from_rings("core", &c_in, 1, &c_out, 1, SOCKET_ID_ANY);
	if (dp_port_start(access_port, 1, 1, 1024, pool) != 0 ||
	    dp_port_start(core_port, 1, 1, 1024, pool) != 0)
		return 1;
	cfg.rx[0] = (struct dp_rx){ access_port, 0, DP_SIDE_ACCESS };
	cfg.rx[1] = (struct dp_rx){ core_port, 0, DP_SIDE_CORE };
	cfg.n_rx = 2;
	ports.access[0].port = access_port;
	ports.core[0].port = core_port;
	ports.core[0].gw = ports.core[0].gw6 =
		(struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 0x0c } };
	cfg.punt = punt;
	if (!json)
		printf("lnsd dataplane benchmark: 1 worker, ring ports, 64-byte inner packets, "
		       "TSC %.2f GHz, %.1f s per case\n",
		       (double)rte_get_tsc_hz() / 1e9, seconds);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (cases[i] <= max_sessions)
			run_case(cases[i], NULL, &ports, &cfg);
	rte_eal_cleanup();
	return 0;
}
