/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Session setup benchmark: how many full setups a second the control
 * lcore's work sustains (ICRQ to IPCP open: L2TP, LCP, CHAP against the
 * local users, an address from a pool, IPCP), and in the same run the
 * reference: the same calls through the L2TP engine alone (ICRQ, ICRP,
 * ICCN; no PPP). The LNS (control/lns/, as lnsd runs it) and a LAC with
 * PPP clients (as lacsim runs them) talk over an in-memory wire in one
 * thread; only the time spent inside the LNS is counted, so the figure is
 * the LNS's own cost, whatever the LAC costs.
 *
 * Calls come in waves over the tunnels (up, then cleared by CDN), because
 * a pool in the documentation ranges holds some 720 addresses: 10 000
 * setups are 14 waves of 720. Timers run on a virtual clock that jumps to
 * the next deadline when the wire is idle, so no run waits for real time.
 *
 *   bench_setup [--sessions 10000] [--tunnels 10] [--json]
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/lac_data.h"
#include "cfg.h"
#include "l2tp_engine.h"
#include "lns.h"
#include "lns_log.h"
#include "ppp.h"

#define WAVE_MAX 720 /* the pool below, less a margin */

static const char config_text[] =
	"l2tp:\n"
	"  host_name: l2tp-gw\n"
	"  rx_window: 300\n"
	"  max_sessions: 20000\n"
	"  max_sessions_per_tunnel: 10000\n"
	"profiles:\n"
	"  - name: hgw\n"
	"    match_host: hgw\n"
	"    secret: hello\n"
	"    auth: [chap]\n"
	"    pool: subscribers\n"
	"users:\n"
	"  - name: 2500-1\n"
	"    password: cisco\n"
	"pools:\n"
	"  - name: subscribers\n"
	"    ranges: [192.0.2.10-192.0.2.250, 198.51.100.10-198.51.100.250,\n"
	"             203.0.113.10-203.0.113.250]\n";

struct pkt {
	bool to_lns;
	uint16_t len;
	uint8_t data[1600];
};

struct call {
	struct bench *b;
	struct l2tp_session *s;
	struct ppp *ppp;
	bool up, down;
};

struct bench {
	bool with_ppp; /* false: the reference, the L2TP engine alone as the LNS */
	uint64_t now;  /* virtual ms */
	struct pkt *wire;
	size_t head, tail, cap;
	struct lns_config *cfg;
	struct lns *lns;
	struct l2tp_engine *ref_lns;
	struct l2tp_engine *lac;
	uint16_t *tunnels; /* the LAC's tunnel IDs */
	struct call *calls;
	unsigned n_calls;
	uint64_t lns_ns; /* time inside the LNS */
	uint64_t lns_up, lns_down;
	unsigned rnd_state;
};

static const struct l2tp_addr lac_addr = { .family = 4, .ip = { 192, 0, 2, 2 }, .port = 1701 };
static const struct l2tp_addr lns_addr = { .family = 4, .ip = { 192, 0, 2, 1 }, .port = 1701 };

static uint64_t
ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
rnd(void *ctx, void *buf, size_t len)
{
	struct bench *b = ctx;

	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = (uint8_t)(rand_r(&b->rnd_state) >> 7);
}

static void
wire_push(struct bench *b, bool to_lns, const uint8_t *p, size_t len)
{
	struct pkt *k;

	if (len > sizeof(k->data))
		abort();
	if (b->tail - b->head == b->cap) {
		struct pkt *w = malloc(sizeof(*w) * b->cap * 2);

		if (w == NULL)
			abort();
		for (size_t i = 0; i < b->cap; i++)
			w[i] = b->wire[(b->head + i) % b->cap];
		free(b->wire);
		b->wire = w;
		b->tail -= b->head;
		b->head = 0;
		b->cap *= 2;
	}
	k = &b->wire[b->tail++ % b->cap];
	k->to_lns = to_lns;
	k->len = (uint16_t)len;
	memcpy(k->data, p, len);
}

/* The LNS side: lnsd's glue, or the bare engine for the reference. */

static void
lns_udp(void *ctx, const struct l2tp_addr *peer, const uint8_t *p, size_t len)
{
	(void)peer;
	wire_push(ctx, false, p, len);
}

static void
lns_up(void *ctx, const struct lns_session_info *s)
{
	(void)s;
	((struct bench *)ctx)->lns_up++;
}

static void
lns_down(void *ctx, uint16_t t, uint16_t s)
{
	(void)t, (void)s;
	((struct bench *)ctx)->lns_down++;
}

static const struct lns_ops lns_ops = { lns_udp, lns_up, lns_down, rnd };

static void
ref_event(void *ctx, const struct l2tp_event *ev)
{
	struct bench *b = ctx;

	b->lns_up += ev->type == L2TP_EV_SESSION_UP;
	b->lns_down += ev->type == L2TP_EV_SESSION_DOWN;
}

static bool
ref_policy(void *ctx, const uint8_t *h, size_t n, const struct l2tp_addr *a,
	   struct l2tp_tunnel_params *p)
{
	(void)ctx, (void)h, (void)n, (void)a;
	memset(p, 0, sizeof(*p));
	memcpy(p->secret, "hello", 5);
	p->secret_len = 5;
	p->rx_window = 300;
	return true;
}

static const struct l2tp_engine_ops ref_ops = { lns_udp, ref_event, ref_policy, rnd, NULL };

static void
lns_deliver(struct bench *b, const struct pkt *k)
{
	uint64_t t0 = ns_now();

	if (b->with_ppp)
		lns_input(b->lns, b->now, &lac_addr, k->data, k->len);
	else
		l2tp_engine_input(b->ref_lns, b->now, &lac_addr, k->data, k->len);
	b->lns_ns += ns_now() - t0;
}

static uint64_t
lns_next(struct bench *b)
{
	return b->with_ppp ? lns_next_timeout(b->lns) : l2tp_engine_next_timeout(b->ref_lns);
}

static void
lns_timers(struct bench *b)
{
	uint64_t t0 = ns_now();

	if (b->with_ppp)
		lns_timeout(b->lns, b->now);
	else
		l2tp_engine_timeout(b->ref_lns, b->now);
	b->lns_ns += ns_now() - t0;
}

/* The LAC side, as lacsim: PPP clients in L2TP data messages. */

static void
lac_tx(void *ctx, const struct l2tp_addr *peer, const uint8_t *p, size_t len)
{
	(void)peer;
	wire_push(ctx, true, p, len);
}

static void
client_send(void *ctx, const uint8_t *frame, size_t len)
{
	struct call *c = ctx;
	uint8_t buf[1600];
	size_t n = c->s != NULL ? lac_data_message(buf, sizeof(buf), c->s, frame, len) : 0;

	if (n > 0)
		wire_push(c->b, true, buf, n);
}

static void
client_event(void *ctx, struct ppp *p, const struct ppp_event *ev)
{
	struct call *c = ctx;

	(void)p;
	if (ev->type == PPP_EV_NETWORK_UP && ev->proto == PPP_PROTO_IPCP)
		c->up = true;
	else if (ev->type == PPP_EV_DOWN)
		c->down = true;
}

static void
client_random(void *ctx, void *buf, size_t len)
{
	rnd(((struct call *)ctx)->b, buf, len);
}

static const struct ppp_ops client_ops = { client_send, client_event, client_random };

static void
lac_event(void *ctx, const struct l2tp_event *ev)
{
	struct bench *b = ctx;
	struct call *c = ev->session ? l2tp_session_udata(ev->session) : NULL;

	if (c == NULL)
		return;
	if (ev->type == L2TP_EV_SESSION_UP) {
		if (b->with_ppp)
			ppp_start(c->ppp, b->now, NULL);
		else
			c->up = true;
	} else if (ev->type == L2TP_EV_SESSION_DOWN) {
		c->s = NULL;
		if (c->ppp != NULL && !c->down)
			ppp_lower_down(c->ppp, b->now, PPP_DOWN_LOST_CARRIER);
		c->down = true;
	}
}

static bool
lac_policy(void *ctx, const uint8_t *h, size_t n, const struct l2tp_addr *a,
	   struct l2tp_tunnel_params *p)
{
	(void)ctx, (void)h, (void)n, (void)a, (void)p;
	return false;
}

static const struct l2tp_engine_ops lac_ops = { lac_tx, lac_event, lac_policy, rnd, NULL };

static void
lac_deliver(struct bench *b, const struct pkt *k)
{
	struct l2tp_hdr h;
	struct l2tp_tunnel *t;
	struct l2tp_session *s;
	struct call *c;

	if (l2tp_hdr_parse(&h, k->data, k->len) != L2TP_ST_OK)
		return;
	if (l2tp_hdr_is_control(&h)) {
		l2tp_engine_input(b->lac, b->now, &lns_addr, k->data, k->len);
		return;
	}
	t = l2tp_engine_find_tunnel(b->lac, h.tunnel_id);
	s = t ? l2tp_tunnel_find_session(t, h.session_id) : NULL;
	c = s ? l2tp_session_udata(s) : NULL;
	if (c != NULL && c->ppp != NULL && !c->down)
		ppp_input(c->ppp, b->now, k->data + h.hdr_len, l2tp_hdr_payload_len(&h));
}

/*
 * Delivers everything on the wire; when it is idle and jump allows, moves
 * the clock to the next deadline.
 */
static void
step(struct bench *b, bool jump)
{
	uint64_t next;

	while (b->head != b->tail) {
		struct pkt k = b->wire[b->head++ % b->cap];

		if (k.to_lns)
			lns_deliver(b, &k);
		else
			lac_deliver(b, &k);
	}
	next = lns_next(b);
	if (l2tp_engine_next_timeout(b->lac) < next)
		next = l2tp_engine_next_timeout(b->lac);
	for (unsigned i = 0; i < b->n_calls; i++)
		if (b->calls[i].ppp != NULL && !b->calls[i].down &&
		    ppp_next_timeout(b->calls[i].ppp) < next)
			next = ppp_next_timeout(b->calls[i].ppp);
	if (jump && b->head == b->tail && next != UINT64_MAX && next > b->now)
		b->now = next;
	if (lns_next(b) <= b->now)
		lns_timers(b);
	l2tp_engine_timeout(b->lac, b->now);
	for (unsigned i = 0; i < b->n_calls; i++)
		if (b->calls[i].ppp != NULL && !b->calls[i].down &&
		    ppp_next_timeout(b->calls[i].ppp) <= b->now)
			ppp_timeout(b->calls[i].ppp, b->now);
}

static void
dial(struct bench *b, struct call *c, struct l2tp_tunnel *t, uint32_t serial)
{
	struct l2tp_call_params cp = {
		.serial = serial, .bearer_type = 1, .framing_type = 1, .tx_connect_speed = 100000000
	};

	memset(c, 0, sizeof(*c));
	c->b = b;
	if (b->with_ppp) {
		struct ppp_cfg pc;

		ppp_cfg_defaults(&pc, PPP_ROLE_CLIENT);
		snprintf(pc.name, sizeof(pc.name), "2500-1");
		snprintf(pc.secret, sizeof(pc.secret), "cisco");
		pc.ipv6cp = false;
		c->ppp = ppp_create(&pc, &client_ops, c);
	}
	c->s = l2tp_session_incoming(t, b->now, &cp);
	if (c->s == NULL)
		c->down = true;
	else
		l2tp_session_set_udata(c->s, c);
}

static bool
wave_settled(const struct bench *b, bool want_down)
{
	for (unsigned i = 0; i < b->n_calls; i++)
		if (want_down ? !b->calls[i].down : !b->calls[i].up && !b->calls[i].down)
			return false;
	return true;
}

static void
run_until(struct bench *b, bool want_down)
{
	for (unsigned guard = 0; guard < 1000000 && !wave_settled(b, want_down); guard++)
		step(b, true);
}

static bool
tunnels_up(const struct bench *b, unsigned n)
{
	for (unsigned t = 0; t < n; t++) {
		struct l2tp_tunnel *x = l2tp_engine_find_tunnel(b->lac, b->tunnels[t]);

		if (x == NULL || (l2tp_tunnel_state(x) != L2TP_TUNNEL_ESTABLISHED &&
				  l2tp_tunnel_state(x) != L2TP_TUNNEL_NO_SESSIONS_LEFT))
			return false;
	}
	return true;
}

static void
bench_free(struct bench *b)
{
	for (unsigned i = 0; b->calls != NULL && i < b->n_calls; i++)
		ppp_destroy(b->calls[i].ppp);
	lns_destroy(b->lns);
	l2tp_engine_destroy(b->ref_lns);
	l2tp_engine_destroy(b->lac);
	cfg_free(b->cfg);
	free(b->wire);
	free(b->calls);
	free(b->tunnels);
}

struct result {
	unsigned setups, failed;
	uint64_t auth_accepted; /* each full setup authenticated once */
	double setup_s, teardown_s, per_s, virtual_s;
};

static int
run(bool with_ppp, unsigned sessions, unsigned n_tunnels, struct result *r)
{
	struct bench b = { .with_ppp = with_ppp, .now = 1000000, .cap = 4096, .rnd_state = 7 };
	struct l2tp_engine_cfg ec;
	struct l2tp_tunnel_params tp = { .secret = "hello", .secret_len = 5, .rx_window = 300 };
	struct cfg_errors errs;
	char path[] = "/tmp/bench_setup_XXXXXX";
	uint64_t start_virtual = b.now;
	unsigned serial = 0, per_wave = WAVE_MAX / n_tunnels * n_tunnels;
	int fd = mkstemp(path);

	memset(r, 0, sizeof(*r));
	if (fd < 0 || write(fd, config_text, sizeof(config_text) - 1) < 0)
		return -1;
	close(fd);
	b.cfg = cfg_load(path, &errs);
	unlink(path);
	if (b.cfg == NULL) {
		fprintf(stderr, "bench_setup: %s\n", errs.msg[0]);
		return -1;
	}
	b.wire = malloc(sizeof(*b.wire) * b.cap);
	b.calls = calloc(per_wave, sizeof(*b.calls));
	b.tunnels = calloc(n_tunnels, sizeof(*b.tunnels));
	if (with_ppp) {
		b.lns = lns_create(b.cfg, &lns_ops, &b);
	} else {
		l2tp_engine_cfg_defaults(&ec, L2TP_ROLE_LNS);
		snprintf(ec.host_name, sizeof(ec.host_name), "l2tp-gw");
		ec.max_sessions = 20000;
		ec.max_sessions_per_tunnel = 10000;
		b.ref_lns = l2tp_engine_create(&ec, &ref_ops, &b);
	}
	l2tp_engine_cfg_defaults(&ec, L2TP_ROLE_LAC);
	snprintf(ec.host_name, sizeof(ec.host_name), "hgw");
	ec.chan.rx_window = 300;
	ec.max_sessions = 20000;
	ec.max_sessions_per_tunnel = 10000;
	b.lac = l2tp_engine_create(&ec, &lac_ops, &b);
	if (b.wire == NULL || b.calls == NULL || b.tunnels == NULL || b.lac == NULL ||
	    (with_ppp ? b.lns == NULL : b.ref_lns == NULL)) {
		bench_free(&b);
		return -1;
	}
	for (unsigned t = 0; t < n_tunnels; t++) {
		struct l2tp_tunnel *x = l2tp_tunnel_open(b.lac, b.now, &lns_addr, &tp);

		b.tunnels[t] = x != NULL ? l2tp_tunnel_id(x) : 0;
	}
	for (unsigned guard = 0; guard < 1000 && !tunnels_up(&b, n_tunnels); guard++)
		step(&b, true);
	while (r->setups + r->failed < sessions) {
		uint64_t t0 = b.lns_ns, up0 = b.lns_up;
		unsigned n = sessions - r->setups - r->failed;

		b.n_calls = n < per_wave ? n : per_wave;
		if (!tunnels_up(&b, n_tunnels)) {
			bench_free(&b);
			fprintf(stderr, "bench_setup: a tunnel is not up (%s, after %u setups)\n",
				with_ppp ? "full" : "reference", r->setups);
			return -1;
		}
		for (unsigned i = 0; i < b.n_calls; i++)
			dial(&b, &b.calls[i],
			     l2tp_engine_find_tunnel(b.lac, b.tunnels[i % n_tunnels]), ++serial);
		run_until(&b, false);
		r->setup_s += (double)(b.lns_ns - t0) / 1e9;
		r->setups += (unsigned)(b.lns_up - up0);
		r->failed += b.n_calls - (unsigned)(b.lns_up - up0);
		t0 = b.lns_ns;
		for (unsigned i = 0; i < b.n_calls; i++)
			if (b.calls[i].s != NULL)
				l2tp_session_close(b.calls[i].s, b.now, L2TP_CDN_LOST_CARRIER, 0,
						   NULL);
		run_until(&b, true);
		while (b.head != b.tail)
			step(&b, false); /* the acks of the last CDNs; no idle timer runs out */
		r->teardown_s += (double)(b.lns_ns - t0) / 1e9;
		for (unsigned i = 0; i < b.n_calls; i++)
			ppp_destroy(b.calls[i].ppp);
		b.n_calls = 0;
	}
	r->per_s = r->setup_s > 0 ? r->setups / r->setup_s : 0;
	r->virtual_s = (double)(b.now - start_virtual) / 1000;
	r->auth_accepted = with_ppp ? lns_stats(b.lns)->auth_accepted : 0;
	bench_free(&b);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = { { "sessions", 1, 0, 's' },
					      { "tunnels", 1, 0, 't' },
					      { "json", 0, 0, 'j' },
					      { 0, 0, 0, 0 } };
	unsigned sessions = 10000, tunnels = 10;
	bool json = false;
	struct result full, ref;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 's')
			sessions = (unsigned)atoi(optarg);
		else if (o == 't')
			tunnels = (unsigned)atoi(optarg);
		else if (o == 'j')
			json = true;
		else
			return 2;
	}
	if (sessions == 0 || tunnels == 0 || tunnels > WAVE_MAX) {
		fprintf(stderr, "bench_setup: --sessions N (> 0) --tunnels M (1..%d)\n", WAVE_MAX);
		return 2;
	}
	for (int c = 0; c < LOG_CAT_COUNT; c++)
		log_set_level(c, LOG_ERR);
	if (run(true, sessions, tunnels, &full) != 0 || run(false, sessions, tunnels, &ref) != 0) {
		fprintf(stderr, "bench_setup: could not set up\n");
		return 1;
	}
	if (json) {
		printf("{\"case\":\"setup\",\"sessions\":%u,\"tunnels\":%u,\"failed\":%u,"
		       "\"setups_per_second\":%.0f,\"us_per_setup\":%.1f,"
		       "\"teardowns_per_second\":%.0f,\"reference_l2tp_only_per_second\":%.0f}\n",
		       full.setups, tunnels, full.failed, full.per_s, 1e6 / full.per_s,
		       full.teardown_s > 0 ? full.setups / full.teardown_s : 0, ref.per_s);
	} else {
		printf("session setups through the LNS (control lcore time only), %u tunnels, "
		       "waves "
		       "of up to %d\n",
		       tunnels, WAVE_MAX);
		printf("  full (L2TP, LCP, CHAP, pool, IPCP): %u up, %u failed: %.0f setups/s "
		       "(%.1f us each); teardowns %.0f/s\n",
		       full.setups, full.failed, full.per_s, 1e6 / full.per_s,
		       full.teardown_s > 0 ? full.setups / full.teardown_s : 0);
		printf("  reference (L2TP engine alone: ICRQ, ICRP, ICCN): %u up, %u failed: %.0f "
		       "setups/s (%.1f us each)\n",
		       ref.setups, ref.failed, ref.per_s, 1e6 / ref.per_s);
	}
	if (full.auth_accepted != full.setups) {
		fprintf(stderr, "bench_setup: %llu authentications for %u setups\n",
			(unsigned long long)full.auth_accepted, full.setups);
		return 1;
	}
	return full.failed == 0 && ref.failed == 0 ? 0 : 1;
}
