/* SPDX-License-Identifier: BSD-2-Clause */
#include "aaa_dae_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "inet.h"
#include "lns_log.h"

#define POLL_BUDGET 16 /* requests per control loop */

struct aaa_dae_server {
	int fd;
	struct cfg_radius cfg;
	struct aaa_nas nas;
	struct aaa_dae_stats stats;
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_pkt answer;
};

struct aaa_dae_server *
aaa_dae_server_open(const struct cfg_radius *cfg, const struct aaa_nas *nas)
{
	struct aaa_dae_server *s = calloc(1, sizeof(*s));
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(cfg->dae_port) };
	int err;

	if (s == NULL)
		return NULL;
	s->cfg = *cfg;
	s->nas = *nas;
	sa.sin_addr.s_addr = htonl(cfg->dae_listen);
	s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		err = errno;
		if (s->fd >= 0)
			close(s->fd);
		free(s);
		errno = err;
		return NULL;
	}
	return s;
}

void
aaa_dae_server_close(struct aaa_dae_server *s)
{
	if (s == NULL)
		return;
	close(s->fd);
	free(s);
}

static const struct cfg_radius_server *
client_of(const struct aaa_dae_server *s, const struct sockaddr_in *from)
{
	for (unsigned i = 0; i < s->cfg.n_dae_clients; i++)
		if (s->cfg.dae_clients[i].address == ntohl(from->sin_addr.s_addr))
			return &s->cfg.dae_clients[i];
	return NULL;
}

static void
handle(struct aaa_dae_server *s, struct lns *l, uint64_t now, size_t len,
       const struct sockaddr_in *from)
{
	const struct cfg_radius_server *c = client_of(s, from);
	struct aaa_dae_request r;
	enum aaa_dae_error e;
	enum radius_check chk;
	size_t n;

	if (c == NULL) {
		s->stats.dae_unknown_client++;
		return;
	}
	chk = radius_check_request(s->buf, &len, c->secret, false);
	if (chk != RADIUS_OK ||
	    (s->buf[0] != RADIUS_DISCONNECT_REQUEST && s->buf[0] != RADIUS_COA_REQUEST)) {
		s->stats.dae_bad_packet++;
		LOG(AAA, LOG_WARN, "Dynamic Authorization from " INET4_FMT " dropped: %s",
		    INET4_ARGS(ntohl(from->sin_addr.s_addr)),
		    chk != RADIUS_OK ? radius_check_str(chk) : "not a Disconnect or CoA-Request");
		return;
	}
	e = aaa_dae_parse(s->buf, len, &s->nas, &r);
	if (e == AAA_DAE_OK)
		e = lns_dae(l, now, &r);
	n = aaa_dae_answer(&s->answer, s->buf, e, c->secret);
	if (e == AAA_DAE_OK)
		s->stats.dae_acked++;
	else
		s->stats.dae_naked++;
	LOG(AAA, e == AAA_DAE_OK ? LOG_INFO : LOG_WARN,
	    "%s-Request from " INET4_FMT ": %s (Error-Cause %u)",
	    s->buf[0] == RADIUS_DISCONNECT_REQUEST ? "Disconnect" : "CoA",
	    INET4_ARGS(ntohl(from->sin_addr.s_addr)), e == AAA_DAE_OK ? "ACK" : "NAK", (unsigned)e);
	if (n > 0)
		sendto(s->fd, s->answer.buf, n, 0, (const struct sockaddr *)from, sizeof(*from));
}

unsigned
aaa_dae_server_poll(struct aaa_dae_server *s, struct lns *l, uint64_t now)
{
	unsigned done = 0;

	while (done < POLL_BUDGET) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n =
			recvfrom(s->fd, s->buf, sizeof(s->buf), 0, (struct sockaddr *)&from, &fl);

		if (n < 0)
			break;
		done++;
		s->stats.dae_received++;
		handle(s, l, now, (size_t)n, &from);
	}
	return done;
}

const struct aaa_dae_stats *
aaa_dae_server_stats(const struct aaa_dae_server *s)
{
	return &s->stats;
}

uint16_t
aaa_dae_server_port(const struct aaa_dae_server *s)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	if (getsockname(s->fd, (struct sockaddr *)&sa, &len) != 0)
		return 0;
	return ntohs(sa.sin_port);
}
