/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * seed_replay: plays the LAC of the seed's call (shared/seed) against a
 * running LNS over a kernel UDP socket, message by message, and checks
 * that the LNS answers as the seed's does: SCCRP with the challenge
 * response the seed prints (it depends only on the LAC's challenge and
 * the secret), ZLB after SCCCN, ICRP, ZLB after ICCN, then with proxy LCP
 * and proxy CHAP accepted no LCP and no authentication, straight to IPCP;
 * the subscriber takes its own address, passes an echo through the LNS,
 * hangs up by CDN; the LNS closes the idle tunnel with StopCCN result 1.
 * Exit status 0 when every step matched.
 *
 *   seed_replay --server 192.0.2.1 --local 192.0.2.2 --address 203.0.113.77
 *               --target 198.51.100.2
 */
#include <arpa/inet.h>
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
#include "../common/seed_build.h"
#include "l2tp_avp.h"
#include "l2tp_wire.h"
#include "ppp_wire.h"

#define LAC_MAGIC 0x6EE4E865u /* the subscriber's, from the seed's proxy LCP */

struct replay {
	int fd;
	struct sockaddr_in lns;
	uint16_t tunnel, session; /* the LNS's IDs */
	uint16_t ns, nr;
	uint32_t addr, target;
	bool ipcp_acked_ours, ipcp_acked_theirs, echo_back, chap_success;
	unsigned lcp_confreqs, auth_challenges;
	unsigned failed;
	uint8_t rx[4096]; /* the last datagram: decoded AVPs point into it */
	uint8_t lns_challenge[64];
	size_t lns_challenge_len;
};

static void
check(struct replay *r, bool ok, const char *what)
{
	printf("seed_replay: %s: %s\n", ok ? "ok" : "FAILED", what);
	r->failed += !ok;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
send_raw(struct replay *r, const uint8_t *p, size_t len)
{
	if (sendto(r->fd, p, len, 0, (const struct sockaddr *)&r->lns, sizeof(r->lns)) < 0)
		perror("seed_replay: sendto");
}

/* A control message from the writer: our Ns, the Nr we owe. */
static void
send_ctl(struct replay *r, struct l2tp_writer *w, uint16_t session)
{
	int n = l2tp_w_finish(w, r->tunnel, session, r->ns++, r->nr);

	if (n > 0)
		send_raw(r, w->buf, (size_t)n);
}

static void
send_zlb(struct replay *r)
{
	uint8_t b[12];

	l2tp_hdr_put_ctrl(b, sizeof(b), r->tunnel, 0, r->ns, r->nr);
	send_raw(r, b, sizeof(b));
}

static void
send_ppp(struct replay *r, uint16_t proto, const uint8_t *info, size_t len)
{
	uint8_t b[1600];
	struct l2tp_data_hdr_opts o = { 0 };
	size_t h = l2tp_hdr_put_data(b, sizeof(b), r->tunnel, r->session, len + 4, &o);

	if (h == 0 || h + 4 + len > sizeof(b))
		return;
	b[h] = 0xff;
	b[h + 1] = 0x03;
	put_be16(b + h + 2, proto);
	memcpy(b + h + 4, info, len);
	send_raw(r, b, h + 4 + len);
}

static void
send_echo(struct replay *r, uint16_t seq)
{
	uint8_t ip[20 + 8 + 16] = { 0x45 };

	put_be16(ip + 2, sizeof(ip));
	ip[8] = 64;
	ip[9] = 1;
	put_be32(ip + 12, r->addr);
	put_be32(ip + 16, r->target);
	put_be16(ip + 10, inet_csum(ip, 20));
	ip[20] = 8;
	put_be16(ip + 26, seq);
	put_be16(ip + 22, inet_csum(ip + 20, sizeof(ip) - 20));
	send_ppp(r, PPP_PROTO_IP, ip, sizeof(ip));
}

/* What the subscriber does with the LNS's PPP: a Cisco client without IPv6. */
static void
ppp_in(struct replay *r, const uint8_t *f, size_t n)
{
	uint16_t proto;
	uint8_t reply[1500];

	if (n >= 2 && f[0] == 0xff && f[1] == 0x03)
		f += 2, n -= 2;
	if (n < 2)
		return;
	proto = get_be16(f);
	f += 2, n -= 2;
	if (proto == PPP_PROTO_IP) {
		r->echo_back |= n >= 28 && f[9] == 1 && f[20] == 0 && get_be32(f + 16) == r->addr;
		return;
	}
	if (n < 4 || get_be16(f + 2) > n || get_be16(f + 2) < 4)
		return;
	n = get_be16(f + 2);
	if (proto == PPP_PROTO_LCP && f[0] == 1) {
		r->lcp_confreqs++; /* the seed's LNS takes the proxy LCP and sends none */
	} else if (proto == PPP_PROTO_LCP && f[0] == 9 && n >= 8) {
		memcpy(reply, f, n); /* Echo-Request: Echo-Reply with our magic */
		reply[0] = 10;
		put_be32(reply + 4, LAC_MAGIC);
		send_ppp(r, PPP_PROTO_LCP, reply, n);
	} else if (proto == PPP_PROTO_CHAP && f[0] == 1) {
		r->auth_challenges++; /* proxy CHAP was accepted: no challenge expected */
	} else if (proto == PPP_PROTO_CHAP && f[0] == 3) {
		r->chap_success |= f[1] == 6; /* the seed's "CHAP: O SUCCESS id 6 len 4" */
	} else if (proto == PPP_PROTO_IPCP && f[0] == 1) {
		memcpy(reply, f, n); /* the LNS's address: acknowledged as it is */
		reply[0] = 2;
		send_ppp(r, PPP_PROTO_IPCP, reply, n);
		r->ipcp_acked_theirs = true;
	} else if (proto == PPP_PROTO_IPCP && f[0] == 2) {
		r->ipcp_acked_ours = true;
	} else if (proto == PPP_PROTO_IPV6CP && f[0] == 1 && n + 6 <= sizeof(reply)) {
		reply[0] = 8; /* Protocol-Reject */
		reply[1] = 1;
		put_be16(reply + 2, (uint16_t)(n + 6));
		put_be16(reply + 4, proto);
		memcpy(reply + 6, f, n);
		send_ppp(r, PPP_PROTO_LCP, reply, n + 6);
	}
}

/*
 * Waits for the next control message (a ZLB counts), handling data on the
 * way. Returns its type, or -1 on timeout. m gets the decoded AVPs.
 */
static int
recv_ctl(struct replay *r, struct l2tp_msg *m, struct l2tp_hdr *h, int timeout_ms)
{
	uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
	uint8_t *b = r->rx;

	while (now_ms() < deadline) {
		struct pollfd p = { .fd = r->fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, (int)(deadline - now_ms())) <= 0)
			continue;
		n = recv(r->fd, b, sizeof(r->rx), 0);
		if (n <= 0 || l2tp_hdr_parse(h, b, (size_t)n) != L2TP_ST_OK)
			continue;
		if (!l2tp_hdr_is_control(h)) {
			ppp_in(r, b + h->hdr_len, l2tp_hdr_payload_len(h));
			continue;
		}
		if (l2tp_msg_decode(m, b + h->hdr_len, h->length - h->hdr_len,
				    (const uint8_t *)SEED_SECRET, 5) != L2TP_ST_OK)
			continue;
		if (m->type != L2TP_MSG_ZLB)
			r->nr = (uint16_t)(h->ns + 1);
		return m->type;
	}
	return -1;
}

static bool
expect(struct replay *r, uint16_t type, struct l2tp_msg *m, struct l2tp_hdr *h, int timeout_ms)
{
	int got = recv_ctl(r, m, h, timeout_ms);
	char what[128];

	snprintf(what, sizeof(what), "the LNS sends %s (got %s)", l2tp_msg_type_str(type),
		 got < 0 ? "nothing" : l2tp_msg_type_str((uint16_t)got));
	check(r, got == type, what);
	return got == type;
}

static bool
tunnel_up(struct replay *r)
{
	static struct l2tp_msg m;
	struct l2tp_hdr h;
	struct l2tp_writer w;
	uint8_t buf[512], resp[16];
	const struct l2tp_avp_val *v;

	l2tp_w_init(&w, buf, sizeof(buf));
	seed_w_sccrq(&w);
	send_ctl(r, &w, 0);
	if (!expect(r, L2TP_MSG_SCCRP, &m, &h, 3000))
		return false;
	check(r, h.tunnel_id == SEED_LAC_TUNNEL && h.ns == 0 && h.nr == 1,
	      "SCCRP to our tunnel 17688, Ns 0, Nr 1");
	v = &m.avp[L2TP_AVP_HOST_NAME];
	check(r,
	      l2tp_msg_has(&m, L2TP_AVP_HOST_NAME) && v->len == 7 && !memcmp(v->ptr, "l2tp-gw", 7),
	      "SCCRP host name l2tp-gw");
	v = &m.avp[L2TP_AVP_CHALLENGE_RESPONSE];
	check(r, v->len == 16 && !memcmp(v->ptr, seed_sccrp_response, 16),
	      "SCCRP challenge response 7C358F7A... as the seed's (secret hello)");
	check(r, l2tp_msg_num(&m, L2TP_AVP_PROTOCOL_VERSION) == 0x0100, "SCCRP protocol 1.0");
	r->tunnel = (uint16_t)l2tp_msg_num(&m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	v = &m.avp[L2TP_AVP_CHALLENGE];
	if (!l2tp_msg_has(&m, L2TP_AVP_CHALLENGE) || v->len > sizeof(r->lns_challenge) ||
	    r->tunnel == 0) {
		check(r, false, "SCCRP carries a challenge and an assigned tunnel");
		return false;
	}
	memcpy(r->lns_challenge, v->ptr, v->len);
	r->lns_challenge_len = v->len;
	l2tp_challenge_response(resp, L2TP_MSG_SCCCN, (const uint8_t *)SEED_SECRET, 5,
				r->lns_challenge, r->lns_challenge_len);
	l2tp_w_init(&w, buf, sizeof(buf));
	l2tp_w_u16(&w, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_SCCCN);
	l2tp_w_bytes(&w, L2TP_AVP_CHALLENGE_RESPONSE, resp, 16);
	send_ctl(r, &w, 0);
	if (!expect(r, L2TP_MSG_ZLB, &m, &h, 3000))
		return false;
	check(r, h.ns == 1 && h.nr == 2, "ZLB after SCCCN: Ns 1, Nr 2, as in the seed");
	return true;
}

static bool
call_up(struct replay *r)
{
	static struct l2tp_msg m;
	struct l2tp_hdr h;
	struct l2tp_writer w;
	uint8_t buf[512];

	l2tp_w_init(&w, buf, sizeof(buf));
	seed_w_icrq(&w);
	send_ctl(r, &w, 0);
	if (!expect(r, L2TP_MSG_ICRP, &m, &h, 3000))
		return false;
	r->session = (uint16_t)l2tp_msg_num(&m, L2TP_AVP_ASSIGNED_SESSION_ID);
	check(r, h.session_id == SEED_LAC_CALL && h.ns == 1 && h.nr == 3 && r->session != 0,
	      "ICRP to our call 7 with the LNS's session ID, Ns 1, Nr 3");

	l2tp_w_init(&w, buf, sizeof(buf));
	seed_w_iccn(&w);
	send_ctl(r, &w, r->session);
	if (!expect(r, L2TP_MSG_ZLB, &m, &h, 3000))
		return false;
	check(r, h.ns == 2 && h.nr == 4, "ZLB after ICCN: Ns 2, Nr 4, as in the seed");
	return true;
}

/* IPCP with the subscriber's own address, then an echo through the LNS. */
static void
network_up(struct replay *r)
{
	uint8_t req[10] = { 1, 1, 0, 10, 3, 6 };
	uint64_t deadline = now_ms() + 5000;
	static struct l2tp_msg m;
	struct l2tp_hdr h;

	put_be32(req + 6, r->addr);
	send_ppp(r, PPP_PROTO_IPCP, req, sizeof(req));
	while (now_ms() < deadline && !(r->ipcp_acked_ours && r->ipcp_acked_theirs))
		recv_ctl(r, &m, &h, 100);
	check(r, r->ipcp_acked_ours && r->ipcp_acked_theirs,
	      "IPCP open with the subscriber's own address");
	check(r, r->lcp_confreqs == 0, "no LCP renegotiation: the proxy LCP was taken");
	check(r, r->auth_challenges == 0 && r->chap_success,
	      "no CHAP challenge, CHAP Success id 6: the proxy CHAP (cisco) was accepted");
	for (uint16_t seq = 0; seq < 5 && !r->echo_back; seq++) {
		send_echo(r, seq);
		deadline = now_ms() + 500;
		while (now_ms() < deadline && !r->echo_back)
			recv_ctl(r, &m, &h, 50);
	}
	check(r, r->echo_back, "an echo from the subscriber comes back through the LNS");
}

static void
hang_up(struct replay *r, int idle_wait_ms)
{
	static struct l2tp_msg m;
	struct l2tp_hdr h;
	struct l2tp_writer w;
	struct l2tp_result res;
	uint8_t buf[256];

	l2tp_w_init(&w, buf, sizeof(buf));
	l2tp_w_u16(&w, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_CDN);
	l2tp_w_result(&w, 1, 0, NULL);
	l2tp_w_u16(&w, L2TP_AVP_ASSIGNED_SESSION_ID, SEED_LAC_CALL);
	send_ctl(r, &w, r->session);
	if (expect(r, L2TP_MSG_ZLB, &m, &h, 3000))
		check(r, h.ns == 2 && h.nr == 5, "ZLB after CDN: Ns 2, Nr 5, as in the seed");
	if (!expect(r, L2TP_MSG_STOPCCN, &m, &h, idle_wait_ms))
		return;
	check(r,
	      l2tp_msg_result(&m, &res) && res.result == 1 &&
		      l2tp_msg_num(&m, L2TP_AVP_ASSIGNED_TUNNEL_ID) == r->tunnel,
	      "StopCCN result 1 (clear control connection) with the LNS's tunnel ID, as in the "
	      "seed");
	send_zlb(r);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", 1, 0, 's' }, { "local", 1, 0, 'l' },     { "address", 1, 0, 'a' },
		{ "target", 1, 0, 'T' }, { "idle-wait", 1, 0, 'i' }, { 0, 0, 0, 0 },
	};
	struct replay r = { .ns = 0 };
	struct sockaddr_in la = { .sin_family = AF_INET, .sin_port = htons(L2TP_UDP_PORT) };
	struct in_addr a = { 0 }, t = { 0 };
	const char *server = NULL, *local = "0.0.0.0";
	int idle_wait_ms = 20000, o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			server = optarg;
			break;
		case 'l':
			local = optarg;
			break;
		case 'a':
			inet_pton(AF_INET, optarg, &a);
			break;
		case 'T':
			inet_pton(AF_INET, optarg, &t);
			break;
		case 'i':
			idle_wait_ms = atoi(optarg) * 1000;
			break;
		default:
			return 2;
		}
	}
	r.lns = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(L2TP_UDP_PORT) };
	if (server == NULL || a.s_addr == 0 || t.s_addr == 0 ||
	    inet_pton(AF_INET, server, &r.lns.sin_addr) != 1 ||
	    inet_pton(AF_INET, local, &la.sin_addr) != 1) {
		fprintf(stderr, "usage: seed_replay --server IP --address IP --target IP "
				"[--local IP] [--idle-wait S]\n");
		return 2;
	}
	r.addr = ntohl(a.s_addr);
	r.target = ntohl(t.s_addr);
	r.fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (r.fd < 0 || bind(r.fd, (struct sockaddr *)&la, sizeof(la)) != 0) {
		perror("seed_replay: socket");
		return 1;
	}
	if (tunnel_up(&r) && call_up(&r)) {
		network_up(&r);
		hang_up(&r, idle_wait_ms);
	}
	close(r.fd);
	printf("seed_replay: %s\n",
	       r.failed ? "the LNS differs from the seed's" : "as in the seed");
	return r.failed ? 1 : 0;
}
