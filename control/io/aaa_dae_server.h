/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Dynamic Authorization server (RFC 5176) on the control lcore: a
 * non-blocking UDP socket polled each loop. A request is taken only from a
 * configured client, with that client's secret, and (when it carries one)
 * a valid Message-Authenticator; anything else is dropped and counted, as
 * §3.5 wants for packets that fail authentication. The rest is answered
 * ACK or NAK with an Error-Cause.
 */
#ifndef AAA_DAE_SERVER_H
#define AAA_DAE_SERVER_H

#include <stdint.h>

#include "aaa_dae.h"
#include "cfg.h"
#include "lns.h"

#define AAA_DAE_COUNTERS(X)                                                                  \
	X(dae_received, "Disconnect/CoA datagrams received")                                 \
	X(dae_unknown_client, "datagrams from an address that is not a dae_client: dropped") \
	X(dae_bad_packet, "malformed, wrong code, or failed authentication: dropped")        \
	X(dae_acked, "ACKs sent")                                                            \
	X(dae_naked, "NAKs sent (Error-Cause)")

struct aaa_dae_stats {
#define X(n, t) uint64_t n;
	AAA_DAE_COUNTERS(X)
#undef X
};

struct aaa_dae_server;

/* Listens on cfg->dae_listen:dae_port; NULL (errno set) if it cannot. */
struct aaa_dae_server *aaa_dae_server_open(const struct cfg_radius *cfg, const struct aaa_nas *nas);
void aaa_dae_server_close(struct aaa_dae_server *s);
/* Up to a few waiting requests, each acted on through lns_dae() and answered. */
unsigned aaa_dae_server_poll(struct aaa_dae_server *s, struct lns *l, uint64_t now);
const struct aaa_dae_stats *aaa_dae_server_stats(const struct aaa_dae_server *s);
uint16_t aaa_dae_server_port(const struct aaa_dae_server *s); /* the bound port */

#endif
