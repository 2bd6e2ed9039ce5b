/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The RADIUS client: AAA threads that block on the network so that the
 * control lcore never does. The control lcore submits requests (never
 * blocking: a full queue is an error it handles) and collects answers
 * each loop. Servers are tried in order; one that stops answering is left
 * for the next until it answers again. Authentication that no server
 * answers fails cleanly (AAA_UNAVAILABLE); accounting is kept and retried
 * until a server takes it, and what cannot be kept is counted and logged.
 */
#ifndef AAA_RADIUS_H
#define AAA_RADIUS_H

#include <stdbool.h>
#include <stdint.h>

#include "aaa.h"
#include "aaa_radius_msg.h"
#include "cfg.h"

#define AAA_RADIUS_COUNTERS(X)                                                              \
	X(auth_sent, "Access-Requests sent (retransmissions included)")                     \
	X(auth_accepted, "Access-Accepts")                                                  \
	X(auth_rejected, "Access-Rejects")                                                  \
	X(auth_unavailable, "authentications no server answered (or every answer refused)") \
	X(auth_queue_full, "authentications refused: queue full")                           \
	X(acct_sent, "Accounting-Requests sent (retransmissions included)")                 \
	X(acct_answered, "Accounting-Responses")                                            \
	X(acct_requeued, "accounting records kept for a later try: no server answered")     \
	X(acct_dropped, "accounting records lost: backlog full (logged)")                   \
	X(timeouts, "attempts without an answer in time")                                   \
	X(failovers, "moves to the next server")                                            \
	X(unsigned_refused, "answers refused: not signed (no Message-Authenticator)")       \
	X(unsigned_accepted,                                                                \
	  "answers taken unsigned from a server with require_message_authenticator false")  \
	X(bad_answers,                                                                      \
	  "answers refused: malformed, wrong authenticator or bad Message-Authenticator")   \
	X(unexpected_answers, "answers from elsewhere, with another ID, or of the wrong code")

/* The same story for each server, so that an operator sees which one. */
#define AAA_RADIUS_SERVER_COUNTERS(X)                                                            \
	X(requests, "requests sent to it (retransmissions included)")                            \
	X(answers, "answers taken from it")                                                      \
	X(timeouts, "attempts it did not answer in time")                                        \
	X(unsigned_refused, "its answers refused: not signed (no Message-Authenticator)")        \
	X(unsigned_accepted, "its answers taken unsigned (require_message_authenticator false)") \
	X(bad_answers, "its answers refused otherwise (authenticator, Message-Authenticator)")

struct aaa_radius_server_stats {
#define X(n, t) uint64_t n;
	AAA_RADIUS_SERVER_COUNTERS(X)
#undef X
};

struct aaa_radius_stats {
#define X(n, t) uint64_t n;
	AAA_RADIUS_COUNTERS(X)
#undef X
	uint64_t auth_latency_us_sum, auth_latency_us_max, auth_latency_n;
	uint32_t auth_queued, acct_queued; /* now */
	uint32_t server;		   /* the server tried first now */
	unsigned n_servers;
	struct aaa_radius_server_stats servers[CFG_MAX_RADIUS]; /* as cfg->servers */
};

struct aaa_radius;

/*
 * Starts cfg->threads threads. The cfg is copied. Returns NULL on failure
 * (no servers, out of memory, a thread that would not start).
 */
struct aaa_radius *aaa_radius_create(const struct cfg_radius *cfg, const struct aaa_nas *nas);
/*
 * Stops the threads after giving the accounting queue up to drain_ms (and
 * the exchange in progress) to empty: the Stop records of a shutdown.
 * What is left is logged as lost. Requests are refused from then on; the
 * counters stay readable.
 */
void aaa_radius_stop(struct aaa_radius *r, uint32_t drain_ms);
/* aaa_radius_stop() if not done, and frees everything. */
void aaa_radius_destroy(struct aaa_radius *r, uint32_t drain_ms);
/* 0, or -ENOSPC when cfg->queue authentications are already waiting or unanswered. */
int aaa_radius_auth(struct aaa_radius *r, const struct aaa_auth_request *req);
/* 0, or -ENOSPC when the backlog is full (counted and logged). */
int aaa_radius_acct(struct aaa_radius *r, const struct aaa_acct_request *req);
/* Accounting-On/Off, queued as accounting is. */
int aaa_radius_acct_onoff(struct aaa_radius *r, bool on);
/* Up to max answers that have arrived; never blocks. */
unsigned aaa_radius_answers(struct aaa_radius *r, struct aaa_auth_answer *out, unsigned max);
/* A file descriptor that becomes readable when answers wait (for a poll loop), or -1. */
int aaa_radius_fd(const struct aaa_radius *r);
void aaa_radius_stats(struct aaa_radius *r, struct aaa_radius_stats *out);
/* Server idx (of cfg->servers) as operators know it: "192.0.2.10:1812" (its auth port). */
void aaa_radius_server_name(const struct aaa_radius *r, unsigned idx, char *out, size_t cap);

#endif
