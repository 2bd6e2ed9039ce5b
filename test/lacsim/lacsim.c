/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lacsim: a LAC and its subscribers, for tests, demos and load. The same
 * L2TP engine as lnsd in the LAC role and the PPP engine in the client
 * role, over a kernel UDP socket (it runs in the lab's LAC namespace):
 * N tunnels of M calls, each subscriber authenticating, taking its address
 * by IPCP, then sending ICMP echo requests to a target on the core side
 * and counting the replies; echo requests to its subscribers' addresses
 * are answered (for traffic from the core, e.g. while --hold keeps the
 * sessions up); then everything is torn down. Exit status 0 only if every
 * session came up and every echo came back.
 *
 *   lacsim --server 192.0.2.1 --local 192.0.2.2 --target 198.51.100.2 [options]
 *
 * The options, their arguments, defaults and meaning are in one table,
 * lacsim_options below: getopt_long's table and "lacsim --help" are both
 * made from it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../common/inet_csum.h"
#include "../common/lac_data.h"
#include "l2tp_engine.h"
#include "lns_log.h"
#include "ppp.h"
#include "ppp_auth_crypto.h"
#include "sub6.h"

/*
 * lacsim's options: getopt_long's table and --help are both made from this one.
 * arg: the argument's name in --help, NULL for an option that takes none.
 */
static const struct lacsim_option {
	const char *name;
	const char *arg;
	int val;
	const char *help;
} lacsim_options[] = {
	{ "server", "IP", 's', "the LNS's L2TP address (required)" },
	{ "local", "IP", 'l', "the LAC's address to send from (0.0.0.0)" },
	{ "local-port", "PORT", 'L', "the LAC's UDP port (1701; another lacsim may hold 1701)" },
	{ "target", "IP", 'T', "the core-side host each subscriber pings (required)" },
	{ "target6", "IP6", '6',
	  "dual stack: subscribers run IPv6CP too, take a /64 by Router Advertisement "
	  "and ping this address as well (both ways must answer)" },
	{ "host", "NAME", 'H', "the LAC's Host Name AVP (hgw)" },
	{ "secret", "SECRET", 'S', "the tunnel secret (hello)" },
	{ "tunnels", "N", 't', "tunnels to open (1)" },
	{ "sessions", "M", 'n', "calls in each tunnel (1)" },
	{ "serial-tunnels", NULL, 'Z',
	  "open each tunnel once the one before is established (for LNSes that take "
	  "a second SCCRQ from one address and port for a retransmission)" },
	{ "user", "NAME", 'u', "the subscribers' user name (alice)" },
	{ "password", "PASSWORD", 'p', "their password (s3cret)" },
	{ "proxy", NULL, 'x',
	  "the LAC negotiated LCP and took the CHAP answer itself: proxy LCP and "
	  "proxy authentication in the ICCN" },
	{ "pings", "N", 'P', "echo requests each subscriber sends to the target (3)" },
	{ "udp", NULL, 'U',
	  "UDP probes to closed ports of the target instead of echoes; the ICMP port "
	  "unreachable counts as the reply" },
	{ "timeout", "SECONDS", 'w', "how long the calls of a round may take to come up (60)" },
	{ "rounds", "R", 'r',
	  "the calls come up, pass their echoes and hang up (CDN) R times over the same "
	  "tunnels (1)" },
	{ "rate", "N", 'R', "at most N calls dialled a second, 1-1000 (0: all at once)" },
	{ "hold", "SECONDS", 'o',
	  "keep the sessions up this long after the echoes, answering echo requests "
	  "from the core (0)" },
	{ "teardown", "cdn|stopccn", 'd', "how the calls end: CDN for each, or StopCCN (cdn)" },
	{ "pcap", "FILE", 'c',
	  "write to FILE one echo request of each session of the first round, as the LNS "
	  "receives it" },
	{ "debug", NULL, 'D', "L2TP and PPP log lines at debug" },
	{ "help", NULL, 'h', "this text, then exit 0" },
};

#define N_LACSIM_OPTIONS (sizeof(lacsim_options) / sizeof(lacsim_options[0]))

/* --help: each option on the left, its help wrapped to 80 columns on the right. */
static void
usage(FILE *f)
{
	enum { LEFT = 26, WIDTH = 80 };

	fprintf(f,
		"usage: lacsim --server IP --target IP [options]\n"
		"A LAC and its subscribers: tunnels of calls that authenticate, take an address,\n"
		"ping the target and hang up. Exit status 0 only if every session came up and\n"
		"every echo came back, 1 otherwise, 2 for a bad option.\n\n");
	for (size_t i = 0; i < N_LACSIM_OPTIONS; i++) {
		const struct lacsim_option *o = &lacsim_options[i];
		const char *w = o->help;
		int col;

		col = fprintf(f, "  --%s%s%s", o->name, o->arg != NULL ? " " : "",
			      o->arg != NULL ? o->arg : "");
		while (*w != '\0') {
			int len = (int)strcspn(w, " ");

			if (col >= LEFT && col + 1 + len > WIDTH) {
				fputc('\n', f);
				col = 0;
			}
			col += fprintf(f, "%*s%.*s", col < LEFT ? LEFT - col : 1, "", len, w);
			w += len;
			w += strspn(w, " ");
		}
		fputc('\n', f);
	}
}

struct sim;

struct call {
	struct sim *sim;
	struct l2tp_session *s;
	struct ppp *ppp;
	bool up, down;
	uint16_t pings_sent, pings_back;
	bool has6; /* an RA gave it a /64: addr6 */
	uint8_t addr6[16];
	uint16_t pings6_sent, pings6_back;
	uint32_t echoes_answered; /* requests from the core to this subscriber */
	uint64_t dialled_at, up_at;
	/* --proxy: what the LAC negotiated with the subscriber, for the ICCN and for it */
	uint8_t lcp_theirs[10], lcp_ours[11]; /* its CONFREQ options, and the LAC's */
	uint8_t chap_id, challenge[16], response[CHAP_MD5_LEN];
};

struct sim {
	int fd;
	struct sockaddr_in server, local;
	struct l2tp_addr server_addr;
	struct l2tp_engine *engine;
	struct l2tp_tunnel **tunnels;
	uint16_t *tunnel_ids;
	struct call *calls;
	unsigned n_tunnels, n_sessions, n_calls;
	const char *user, *password, *secret;
	uint32_t target;
	unsigned pings, hold_s;
	unsigned rate;	     /* calls dialled a second; 0: all at once */
	bool proxy;	     /* proxy LCP and proxy CHAP in the ICCN */
	bool serial_tunnels; /* open each tunnel once the one before is up */
	unsigned opening;    /* --serial-tunnels: the tunnel being opened */
	bool udp;	     /* UDP probes rather than ICMP echoes */
	bool v6;	     /* --target6: dual stack */
	uint8_t target6[16];
	unsigned round; /* calls' trace names stay unique over rounds */
	bool stopccn;
	uint64_t now;
};

static uint64_t
clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
rnd(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = (uint8_t)random();
}

static void
udp_out(struct sim *s, const uint8_t *p, size_t len)
{
	if (sendto(s->fd, p, len, 0, (const struct sockaddr *)&s->server, sizeof(s->server)) < 0)
		perror("lacsim: sendto");
}

static void
eng_tx(void *ctx, const struct l2tp_addr *peer, const uint8_t *pkt, size_t len)
{
	(void)peer;
	udp_out(ctx, pkt, len);
}

/* PPP frames of a call travel in L2TP data messages. */
static void
call_send(void *ctx, const uint8_t *frame, size_t len)
{
	struct call *c = ctx;
	uint8_t buf[1600];
	size_t n = c->s != NULL ? lac_data_message(buf, sizeof(buf), c->s, frame, len) : 0;

	if (n > 0)
		udp_out(c->sim, buf, n);
}

static void
call_event(void *ctx, struct ppp *p, const struct ppp_event *ev)
{
	struct call *c = ctx;

	if (ev->type == PPP_EV_NETWORK_UP && ev->proto == PPP_PROTO_IPV6CP) {
		uint8_t f[SUB6_RS_FRAME_LEN];

		call_send(c, f, sub6_router_solicit(ppp_state(p)->our_iid, f));
	} else if (ev->type == PPP_EV_NETWORK_UP && ev->proto == PPP_PROTO_IPCP && !c->up) {
		c->up = true;
		c->up_at = c->sim->now;
	} else if (ev->type == PPP_EV_DOWN) {
		c->down = true;
	}
}

static void
call_random(void *ctx, void *buf, size_t len)
{
	rnd(ctx, buf, len);
}

static const struct ppp_ops call_ops = { call_send, call_event, call_random };

static void
eng_event(void *ctx, const struct l2tp_event *ev)
{
	struct sim *s = ctx;
	struct call *c = ev->session ? l2tp_session_udata(ev->session) : NULL;

	if (c == NULL)
		return;
	if (ev->type == L2TP_EV_SESSION_UP) {
		struct ppp_proxy x = { .last_sent = c->lcp_ours,
				       .last_sent_len = sizeof(c->lcp_ours),
				       .last_rcvd = c->lcp_theirs,
				       .last_rcvd_len = sizeof(c->lcp_theirs) };

		ppp_start(c->ppp, s->now, s->proxy ? &x : NULL);
	} else if (ev->type == L2TP_EV_SESSION_DOWN) {
		c->s = NULL;
		if (!c->down)
			ppp_lower_down(c->ppp, s->now, PPP_DOWN_LOST_CARRIER);
	}
}

static bool
eng_policy(void *ctx, const uint8_t *h, size_t n, const struct l2tp_addr *a,
	   struct l2tp_tunnel_params *p)
{
	(void)ctx, (void)h, (void)n, (void)a, (void)p;
	return false; /* a LAC accepts no tunnels */
}

static const struct l2tp_engine_ops eng_ops = { eng_tx, eng_event, eng_policy, rnd, NULL };

/* An ICMP echo request in IPv4 in PPP, from the subscriber's address. */
static size_t
build_udp(struct call *c, uint16_t seq, uint8_t *f)
{
	uint8_t *ip = f + 4, *udp = ip + 20;

	memset(f, 0, 4 + 20 + 8 + 32);
	f[0] = 0xff;
	f[1] = 0x03;
	put_be16(f + 2, PPP_PROTO_IP);
	ip[0] = 0x45;
	put_be16(ip + 2, 20 + 8 + 32);
	put_be16(ip + 4, seq);
	ip[8] = 64;
	ip[9] = 17;
	put_be32(ip + 12, ppp_state(c->ppp)->our_ipv4);
	put_be32(ip + 16, c->sim->target);
	put_be16(ip + 10, inet_csum(ip, 20));
	put_be16(udp, (uint16_t)(40000 + (c - c->sim->calls) % 20000));
	put_be16(udp + 2, (uint16_t)(33434 + seq));
	put_be16(udp + 4, 8 + 32);
	memset(udp + 8, 0x5a, 32); /* checksum 0: none (RFC 768) */
	return 4 + 20 + 8 + 32;
}

/*
 * A probe in IPv4 in PPP, from the subscriber's address; its length. ICMP:
 * an echo request. UDP (--udp): a datagram to a closed port of the target
 * (33434 + seq, as traceroute), whose ICMP "port unreachable" comes back.
 */
static size_t
build_ping(struct call *c, uint16_t seq, uint8_t *f)
{
	uint8_t *ip = f + 4, *icmp = ip + 20;
	uint32_t src = ppp_state(c->ppp)->our_ipv4;

	if (c->sim->udp)
		return build_udp(c, seq, f);
	memset(f, 0, 4 + 20 + 8 + 32);
	f[0] = 0xff;
	f[1] = 0x03;
	f[2] = 0x00;
	f[3] = 0x21;
	ip[0] = 0x45;
	put_be16(ip + 2, 20 + 8 + 32);
	put_be16(ip + 4, seq);
	ip[8] = 64;
	ip[9] = 1;
	put_be32(ip + 12, src);
	put_be32(ip + 16, c->sim->target);
	put_be16(ip + 10, inet_csum(ip, 20));
	icmp[0] = 8;
	put_be16(icmp + 4, (uint16_t)(c - c->sim->calls));
	put_be16(icmp + 6, seq);
	memset(icmp + 8, 0x5a, 32);
	put_be16(icmp + 2, inet_csum(icmp, 8 + 32));
	return 4 + 20 + 8 + 32;
}

static void
send_ping(struct call *c, uint16_t seq)
{
	uint8_t f[4 + 20 + 8 + 32];

	if (c->pings_back < c->sim->pings) {
		call_send(c, f, build_ping(c, seq, f));
		c->pings_sent++;
	}
	if (c->has6 && c->pings6_back < c->sim->pings) {
		uint8_t f6[SUB6_ECHO_FRAME_LEN];

		call_send(c, f6,
			  sub6_echo_request(c->addr6, c->sim->target6,
					    (uint16_t)(c - c->sim->calls), seq, f6));
		c->pings6_sent++;
	}
}

/* IPv6 from the LNS: the RA that gives the /64, and echo replies. */
static void
ipv6_in(struct call *c, const uint8_t *ip6, size_t len)
{
	if (!c->has6 && sub6_take_ra(ip6, len, c->addr6)) {
		memcpy(c->addr6 + 8, ppp_state(c->ppp)->our_iid, 8);
		c->has6 = true;
	} else if (c->has6 && sub6_is_echo_reply(ip6, len, c->addr6)) {
		c->pings6_back++;
	}
}

/* An ICMP echo request to the subscriber (ip: its IPv4 packet): answered. */
static void
answer_echo(struct call *c, const uint8_t *ip, size_t len)
{
	uint8_t f[4 + 1500];
	uint8_t *r = f + 4;
	size_t ihl = (ip[0] & 0xfu) * 4u;
	uint16_t tot = get_be16(ip + 2);

	if (tot > len || tot > sizeof(f) - 4 || ihl < 20 || tot < ihl + 8)
		return;
	f[0] = 0xff;
	f[1] = 0x03;
	put_be16(f + 2, PPP_PROTO_IP);
	memcpy(r, ip, tot);
	memcpy(r + 12, ip + 16, 4);
	memcpy(r + 16, ip + 12, 4);
	r[8] = 64;
	put_be16(r + 10, 0);
	put_be16(r + 10, inet_csum(r, ihl));
	r[ihl] = 0; /* echo reply */
	put_be16(r + ihl + 2, 0);
	put_be16(r + ihl + 2, inet_csum(r + ihl, tot - ihl));
	call_send(c, f, 4u + tot);
	c->echoes_answered++;
}

/* Data from the LNS: PPP control to the engine, IPv4 echo replies counted, requests answered. */
static void
data_in(struct sim *s, const struct l2tp_hdr *h, const uint8_t *p)
{
	struct l2tp_tunnel *t = l2tp_engine_find_tunnel(s->engine, h->tunnel_id);
	struct l2tp_session *ses = t ? l2tp_tunnel_find_session(t, h->session_id) : NULL;
	struct call *c = ses ? l2tp_session_udata(ses) : NULL;
	const uint8_t *f = p + h->hdr_len;
	size_t n = l2tp_hdr_payload_len(h);
	struct ppp_frame fr;

	if (c == NULL || ppp_frame_parse(&fr, f, n) != PPP_PARSE_OK)
		return;
	if (fr.proto == PPP_PROTO_IPV6) {
		ipv6_in(c, fr.info, fr.info_len);
		return;
	}
	if (fr.proto != PPP_PROTO_IP) {
		ppp_input(c->ppp, s->now, f, n);
		return;
	}
	if (fr.info_len < 28 || fr.info[9] != 1 || (fr.info[0] & 0xf0) != 0x40 ||
	    get_be32(fr.info + 16) != ppp_state(c->ppp)->our_ipv4)
		return;
	if (fr.info[(fr.info[0] & 0xfu) * 4u] == 0 && !c->sim->udp)
		c->pings_back++;
	else if (fr.info[(fr.info[0] & 0xfu) * 4u] == 3 && c->sim->udp)
		c->pings_back++; /* port unreachable: the UDP probe got there */
	else if (fr.info[(fr.info[0] & 0xfu) * 4u] == 8)
		answer_echo(c, fr.info, fr.info_len);
}

static void
receive(struct sim *s)
{
	uint8_t buf[2048];
	ssize_t n;
	struct l2tp_hdr h;

	while ((n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		if (l2tp_hdr_parse(&h, buf, (size_t)n) != L2TP_ST_OK)
			continue;
		if (l2tp_hdr_is_control(&h))
			l2tp_engine_input(s->engine, s->now, &s->server_addr, buf, (size_t)n);
		else
			data_in(s, &h, buf);
	}
}

static uint64_t
next_timeout(struct sim *s)
{
	uint64_t next = l2tp_engine_next_timeout(s->engine);

	for (unsigned i = 0; i < s->n_calls; i++)
		if (!s->calls[i].down) {
			uint64_t t = ppp_next_timeout(s->calls[i].ppp);

			next = t < next ? t : next;
		}
	return next;
}

static void
timers(struct sim *s)
{
	l2tp_engine_timeout(s->engine, s->now);
	for (unsigned i = 0; i < s->n_calls; i++)
		if (!s->calls[i].down && ppp_next_timeout(s->calls[i].ppp) <= s->now)
			ppp_timeout(s->calls[i].ppp, s->now);
}

/* Runs until done() or the deadline; returns whether done() came true. */
static bool
run_until(struct sim *s, uint64_t deadline, bool (*done)(struct sim *))
{
	while (!done(s)) {
		struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
		uint64_t next = next_timeout(s);
		int wait;

		s->now = clock_ms();
		if (s->now >= deadline)
			return false;
		next = next < deadline ? next : deadline;
		wait = next > s->now ? (int)(next - s->now) : 0;
		poll(&pfd, 1, wait > 50 ? 50 : wait);
		s->now = clock_ms();
		receive(s);
		timers(s);
	}
	return true;
}

static bool
never(struct sim *s)
{
	(void)s;
	return false;
}

static bool
all_settled(struct sim *s)
{
	for (unsigned i = 0; i < s->n_calls; i++)
		if (!s->calls[i].up && !s->calls[i].down)
			return false;
	return true;
}

/* Has this call all its replies, IPv6 ones too when dual stack? */
static bool
call_answered(const struct call *c)
{
	return c->pings_back >= c->sim->pings && (!c->sim->v6 || c->pings6_back >= c->sim->pings);
}

static bool
pings_back(struct sim *s)
{
	for (unsigned i = 0; i < s->n_calls; i++)
		if (s->calls[i].up && !s->calls[i].down && !call_answered(&s->calls[i]))
			return false;
	return true;
}

/* Every tunnel closed, or closing with the StopCCN exchanged (its state is then kept a while). */
static bool
all_gone(struct sim *s)
{
	for (unsigned t = 0; t < s->n_tunnels; t++) {
		struct l2tp_tunnel *x = l2tp_engine_find_tunnel(s->engine, s->tunnel_ids[t]);

		if (x != NULL && l2tp_tunnel_state(x) != L2TP_TUNNEL_SHUTTING_DOWN)
			return false;
	}
	return true;
}

static bool
tunnel_settled(struct sim *s)
{
	struct l2tp_tunnel *x = l2tp_engine_find_tunnel(s->engine, s->tunnel_ids[s->opening]);

	return x == NULL || l2tp_tunnel_state(x) == L2TP_TUNNEL_ESTABLISHED;
}

static void
open_tunnels(struct sim *s)
{
	struct l2tp_tunnel_params tp = { .hello_interval_ms = 60000 };

	tp.secret_len = (uint8_t)strlen(s->secret);
	memcpy(tp.secret, s->secret, tp.secret_len);
	for (unsigned t = 0; t < s->n_tunnels; t++) {
		s->tunnels[t] = l2tp_tunnel_open(s->engine, s->now, &s->server_addr, &tp);
		s->tunnel_ids[t] = s->tunnels[t] ? l2tp_tunnel_id(s->tunnels[t]) : 0;
		if (s->serial_tunnels) {
			s->opening = t;
			run_until(s, clock_ms() + 10000, tunnel_settled);
		}
	}
}

static void
put_field(struct l2tp_bytes_field *f, const void *v, size_t len)
{
	f->len = (uint8_t)len;
	memcpy(f->data, v, len);
}

/*
 * As a LAC that negotiated LCP and took the CHAP answer itself (RFC 2661
 * §4.4.5): the subscriber asked MRU 1460 and its magic, the LAC asked CHAP
 * and its own magic, and the subscriber answered the LAC's challenge.
 */
static void
proxy_negotiate(struct sim *s, struct call *c, struct l2tp_call_params *cp)
{
	uint8_t mine[4], lacs[4];

	rnd(s, mine, 4);
	rnd(s, lacs, 4);
	mine[0] |= 1; /* never 0 */
	lacs[0] |= 1;
	memcpy(c->lcp_theirs, (uint8_t[]){ 0x01, 0x04, 0x05, 0xb4, 0x05, 0x06 }, 6);
	memcpy(c->lcp_theirs + 6, mine, 4);
	memcpy(c->lcp_ours, (uint8_t[]){ 0x03, 0x05, 0xc2, 0x23, 0x05, 0x05, 0x06 }, 7);
	memcpy(c->lcp_ours + 7, lacs, 4);
	rnd(s, &c->chap_id, 1);
	rnd(s, c->challenge, sizeof(c->challenge));
	chap_md5_response(c->response, c->chap_id, s->password, strlen(s->password), c->challenge,
			  sizeof(c->challenge));
	put_field(&cp->initial_rcvd_lcp, c->lcp_theirs, sizeof(c->lcp_theirs));
	put_field(&cp->last_rcvd_lcp, c->lcp_theirs, sizeof(c->lcp_theirs));
	put_field(&cp->last_sent_lcp, c->lcp_ours, sizeof(c->lcp_ours));
	cp->proxy_auth_type = L2TP_PROXY_AUTH_CHAP;
	cp->proxy_auth_id = c->chap_id;
	put_field(&cp->proxy_auth_name, s->user, strnlen(s->user, 64));
	put_field(&cp->proxy_auth_challenge, c->challenge, sizeof(c->challenge));
	put_field(&cp->proxy_auth_response, c->response, sizeof(c->response));
}

static void
dial_one(struct sim *s, struct l2tp_tunnel *t)
{
	struct call *c = &s->calls[s->n_calls++];
	struct l2tp_call_params cp = { .serial = s->round * 1000000u + s->n_calls,
				       .bearer_type = 1,
				       .framing_type = 1,
				       .tx_connect_speed = 100000000 };
	struct ppp_cfg pc;

	memset(c, 0, sizeof(*c));
	c->sim = s;
	c->dialled_at = s->now;
	c->down = true; /* until it is dialled */
	if (t == NULL)
		return;
	ppp_cfg_defaults(&pc, PPP_ROLE_CLIENT);
	snprintf(pc.name, sizeof(pc.name), "%s", s->user);
	snprintf(pc.secret, sizeof(pc.secret), "%s", s->password);
	snprintf(pc.trace, sizeof(pc.trace), "sub%u.%u", s->round, s->n_calls);
	pc.ipv6cp = s->v6;
	c->ppp = ppp_create(&pc, &call_ops, c);
	if (s->proxy)
		proxy_negotiate(s, c, &cp);
	c->s = c->ppp != NULL ? l2tp_session_incoming(t, s->now, &cp) : NULL;
	if (c->s == NULL)
		return;
	c->down = false;
	l2tp_session_set_udata(c->s, c);
}

/* M calls in each tunnel, round robin over the tunnels, paced by --rate. */
static void
dial(struct sim *s)
{
	for (unsigned i = 0; i < s->n_calls; i++)
		ppp_destroy(s->calls[i].ppp);
	s->n_calls = 0;
	for (unsigned k = 0; k < s->n_sessions; k++)
		for (unsigned t = 0; t < s->n_tunnels; t++) {
			dial_one(s, l2tp_engine_find_tunnel(s->engine, s->tunnel_ids[t]));
			if (s->rate > 0)
				run_until(s, clock_ms() + 1000 / s->rate, never);
		}
}

static void
teardown(struct sim *s)
{
	for (unsigned t = 0; t < s->n_tunnels; t++) {
		struct l2tp_tunnel *x = l2tp_engine_find_tunnel(s->engine, s->tunnel_ids[t]);

		if (x == NULL)
			continue;
		if (s->stopccn) {
			l2tp_tunnel_close(x, s->now, L2TP_STOPCCN_CLEAR, -1, NULL);
			continue;
		}
		for (unsigned i = 0; i < s->n_calls; i++)
			if (s->calls[i].s != NULL && l2tp_session_tunnel(s->calls[i].s) == x) {
				l2tp_session_close(s->calls[i].s, s->now, L2TP_CDN_LOST_CARRIER, 0,
						   NULL);
				s->calls[i].s = NULL;
			}
	}
}

/* Rounds of echoes until each session has its replies (a few rounds to spare). */
static void
pings(struct sim *s)
{
	for (unsigned k = 0; k < s->pings + 5 && !pings_back(s); k++) {
		for (unsigned i = 0; i < s->n_calls; i++)
			if (s->calls[i].up && !s->calls[i].down && !call_answered(&s->calls[i]))
				send_ping(&s->calls[i], (uint16_t)k);
		s->now = clock_ms();
		run_until(s, s->now + 300, pings_back);
	}
}

static void
le32(FILE *f, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	fwrite(b, 1, 4, f);
}

/*
 * One echo request per session that is up, as the LNS's access port gets
 * it (Ethernet, IPv4, UDP 1701, L2TP data, PPP), for tcpreplay or pktgen:
 * the MAC addresses are placeholders for tcprewrite to set.
 */
static int
write_pcap(struct sim *s, const char *path)
{
	FILE *f = fopen(path, "wb");
	unsigned n = 0;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	le32(f, 0xa1b2c3d4);
	le32(f, 0x00040002); /* version 2.4 */
	le32(f, 0);
	le32(f, 0);
	le32(f, 65535);
	le32(f, 1); /* Ethernet */
	for (unsigned i = 0; i < s->n_calls; i++) {
		struct call *c = &s->calls[i];
		uint8_t fr[1600] = { 0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00 };
		uint8_t *ip = fr + 14, *udp = ip + 20, *l2tp = udp + 8;
		struct l2tp_tunnel *t;
		size_t ppp_len, h, len;

		if (!c->up || c->down || c->s == NULL)
			continue;
		t = l2tp_session_tunnel(c->s);
		ppp_len = build_ping(c, 0, l2tp + 16);
		h = l2tp_hdr_put_data(l2tp, 16, l2tp_tunnel_peer_id(t), l2tp_session_peer_id(c->s),
				      ppp_len, &(struct l2tp_data_hdr_opts){ 0 });
		memmove(l2tp + h, l2tp + 16, ppp_len);
		len = 14 + 20 + 8 + h + ppp_len;
		ip[0] = 0x45;
		put_be16(ip + 2, (uint16_t)(len - 14));
		ip[8] = 64;
		ip[9] = 17;
		memcpy(ip + 12, &s->local.sin_addr, 4);
		memcpy(ip + 16, &s->server.sin_addr, 4);
		put_be16(ip + 10, inet_csum(ip, 20));
		put_be16(udp, L2TP_UDP_PORT);
		put_be16(udp + 2, L2TP_UDP_PORT);
		put_be16(udp + 4, (uint16_t)(len - 34));
		le32(f, 0);
		le32(f, 0);
		le32(f, (uint32_t)len);
		le32(f, (uint32_t)len);
		fwrite(fr, 1, len, f);
		n++;
	}
	if (fclose(f) != 0) {
		perror(path);
		return -1;
	}
	printf("lacsim: %s: %u frames, one echo request per session\n", path, n);
	return 0;
}

struct totals {
	unsigned up, failed, short_pings;
	uint64_t sent, back, sent6, back6;
	uint64_t setup_ms;
};

/* One round into the totals, and a line for it. */
static void
count_round(struct sim *s, struct totals *t, uint64_t started, uint64_t all_up_at)
{
	struct totals r = { .setup_ms = all_up_at - started };

	for (unsigned i = 0; i < s->n_calls; i++) {
		struct call *c = &s->calls[i];

		r.up += c->up_at != 0;
		r.failed += c->up_at == 0;
		r.sent += c->pings_sent;
		r.back += c->pings_back;
		r.sent6 += c->pings6_sent;
		r.back6 += c->pings6_back;
		r.short_pings += c->up_at != 0 && !call_answered(c);
	}
	printf("lacsim: %u sessions up, %u failed; setup %.2f s (%.0f sessions/s); "
	       "echo %llu sent, %llu back; %u sessions short of replies\n",
	       r.up, r.failed, (double)r.setup_ms / 1000,
	       r.setup_ms > 0 ? r.up * 1000.0 / (double)r.setup_ms : (double)r.up * 1000,
	       (unsigned long long)r.sent, (unsigned long long)r.back, r.short_pings);
	if (s->v6)
		printf("lacsim: IPv6: echo %llu sent, %llu back\n", (unsigned long long)r.sent6,
		       (unsigned long long)r.back6);
	fflush(stdout);
	t->up += r.up;
	t->failed += r.failed;
	t->short_pings += r.short_pings;
	t->sent += r.sent;
	t->back += r.back;
	t->setup_ms += r.setup_ms;
}

static bool
calls_down(struct sim *s)
{
	for (unsigned i = 0; i < s->n_calls; i++)
		if (!s->calls[i].down)
			return false;
	return true;
}

/* Between rounds: every call hangs up (CDN); the tunnels stay. */
static void
hang_up_all(struct sim *s)
{
	s->now = clock_ms();
	for (unsigned i = 0; i < s->n_calls; i++)
		if (s->calls[i].s != NULL) {
			l2tp_session_close(s->calls[i].s, s->now, L2TP_CDN_LOST_CARRIER, 0, NULL);
			s->calls[i].s = NULL;
		}
	run_until(s, clock_ms() + 10000, calls_down);
}

int
main(int argc, char **argv)
{
	struct option opts[N_LACSIM_OPTIONS + 1] = { { 0 } };
	struct sim s = { .n_tunnels = 1,
			 .n_sessions = 1,
			 .user = "alice",
			 .password = "s3cret",
			 .secret = "hello",
			 .pings = 3 };
	const char *server = NULL, *local = "0.0.0.0", *host = "hgw";
	unsigned timeout = 60;
	struct l2tp_engine_cfg ec;
	struct sockaddr_in la = { .sin_family = AF_INET, .sin_port = htons(L2TP_UDP_PORT) };
	uint64_t started, all_up;
	unsigned rounds = 1;
	int rcvbuf = 8 << 20;
	const char *pcap = NULL;
	struct totals total = { 0 };
	struct in_addr tgt = { 0 };
	int o, rc;

	for (size_t i = 0; i < N_LACSIM_OPTIONS; i++)
		opts[i] = (struct option){ lacsim_options[i].name,
					   lacsim_options[i].arg != NULL ? required_argument
									 : no_argument,
					   NULL, lacsim_options[i].val };
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'h':
			usage(stdout);
			return 0;
		case 's':
			server = optarg;
			break;
		case 'l':
			local = optarg;
			break;
		case 'Z':
			s.serial_tunnels = true;
			break;
		case 'L':
			la.sin_port = htons((uint16_t)strtoul(optarg, NULL, 10));
			break;
		case 'T':
			inet_pton(AF_INET, optarg, &tgt);
			break;
		case 'H':
			host = optarg;
			break;
		case '6':
			s.v6 = inet_pton(AF_INET6, optarg, s.target6) == 1;
			if (!s.v6) {
				fprintf(stderr, "lacsim: --target6: not an IPv6 address\n");
				return 2;
			}
			break;
		case 'S':
			s.secret = optarg;
			break;
		case 't':
			s.n_tunnels = (unsigned)atoi(optarg);
			break;
		case 'n':
			s.n_sessions = (unsigned)atoi(optarg);
			break;
		case 'u':
			s.user = optarg;
			break;
		case 'p':
			s.password = optarg;
			break;
		case 'P':
			s.pings = (unsigned)atoi(optarg);
			break;
		case 'w':
			timeout = (unsigned)atoi(optarg);
			break;
		case 'r':
			rounds = (unsigned)atoi(optarg);
			break;
		case 'R':
			s.rate = (unsigned)atoi(optarg);
			break;
		case 'c':
			pcap = optarg;
			break;
		case 'x':
			s.proxy = true;
			break;
		case 'U':
			s.udp = true;
			break;
		case 'o':
			s.hold_s = (unsigned)atoi(optarg);
			break;
		case 'd':
			s.stopccn = strcmp(optarg, "stopccn") == 0;
			break;
		case 'D':
			log_set_level(LOG_CAT_L2TP, LOG_DEBUG);
			log_set_level(LOG_CAT_PPP, LOG_DEBUG);
			break;
		default:
			fprintf(stderr, "lacsim: lacsim --help lists the options\n");
			return 2;
		}
	}
	if (server == NULL || tgt.s_addr == 0 || s.n_tunnels == 0 || s.n_sessions == 0 ||
	    rounds == 0 || s.rate > 1000) {
		fprintf(stderr,
			"usage: lacsim --server IP --target IP [options] (lacsim --help)\n");
		return 2;
	}
	s.target = ntohl(tgt.s_addr);
	s.server = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(L2TP_UDP_PORT) };
	if (inet_pton(AF_INET, server, &s.server.sin_addr) != 1 ||
	    inet_pton(AF_INET, local, &la.sin_addr) != 1) {
		fprintf(stderr, "lacsim: bad address\n");
		return 2;
	}
	s.server_addr = (struct l2tp_addr){ .family = 4, .port = L2TP_UDP_PORT };
	memcpy(s.server_addr.ip, &s.server.sin_addr, 4);
	s.local = la;
	s.fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (s.fd < 0 || bind(s.fd, (struct sockaddr *)&la, sizeof(la)) != 0) {
		perror("lacsim: socket");
		return 1;
	}
	/* an LNS answers a thousand calls in bursts: room for them (FORCE needs root) */
	if (setsockopt(s.fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0)
		setsockopt(s.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	srandom((unsigned)getpid());
	l2tp_engine_cfg_defaults(&ec, L2TP_ROLE_LAC);
	snprintf(ec.host_name, sizeof(ec.host_name), "%s", host);
	s.engine = l2tp_engine_create(&ec, &eng_ops, &s);
	s.tunnels = calloc(s.n_tunnels, sizeof(*s.tunnels));
	s.tunnel_ids = calloc(s.n_tunnels, sizeof(*s.tunnel_ids));
	s.calls = calloc((size_t)s.n_tunnels * s.n_sessions, sizeof(*s.calls));
	if (s.engine == NULL || s.tunnels == NULL || s.tunnel_ids == NULL || s.calls == NULL)
		return 1;
	s.now = clock_ms();
	open_tunnels(&s);
	for (unsigned r = 0; r < rounds; r++) {
		s.round = r;
		s.now = started = clock_ms();
		dial(&s);
		run_until(&s, started + timeout * 1000ull, all_settled);
		all_up = clock_ms();
		pings(&s);
		count_round(&s, &total, started, all_up);
		if (r == 0 && pcap != NULL && write_pcap(&s, pcap) != 0)
			total.failed++;
		if (r + 1 < rounds)
			hang_up_all(&s);
	}
	if (rounds > 1)
		printf("lacsim: %u rounds: %u sessions up, %u failed; setup %.2f s in all (%.0f "
		       "sessions/s); echo %llu sent, %llu back; %u sessions short of replies\n",
		       rounds, total.up, total.failed, (double)total.setup_ms / 1000,
		       total.setup_ms > 0 ? total.up * 1000.0 / (double)total.setup_ms : 0.0,
		       (unsigned long long)total.sent, (unsigned long long)total.back,
		       total.short_pings);
	rc = total.failed == 0 && total.short_pings == 0 && total.up > 0 ? 0 : 1;
	if (s.hold_s > 0) {
		uint64_t answered = 0;

		printf("lacsim: holding the sessions for %u s\n", s.hold_s);
		fflush(stdout);
		run_until(&s, clock_ms() + s.hold_s * 1000ull, never);
		for (unsigned i = 0; i < s.n_calls; i++)
			answered += s.calls[i].echoes_answered;
		printf("lacsim: answered %llu echo requests from the core\n",
		       (unsigned long long)answered);
	}
	s.now = clock_ms();
	teardown(&s);
	if (!run_until(&s, clock_ms() + 60000, all_gone)) {
		fprintf(stderr, "lacsim: tunnels still open after teardown\n");
		rc = 1;
	}
	for (unsigned i = 0; i < s.n_calls; i++)
		ppp_destroy(s.calls[i].ppp);
	l2tp_engine_destroy(s.engine);
	free(s.calls);
	free(s.tunnels);
	free(s.tunnel_ids);
	close(s.fd);
	return rc;
}
