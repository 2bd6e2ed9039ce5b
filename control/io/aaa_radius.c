/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * AAA threads: each takes a job from the queues (authentication first, it
 * holds a subscriber up), talks to the servers in order over its own UDP
 * socket, and hands the answer back through a ring and an eventfd. One
 * mutex guards the queues, the ring and the counters; it is held only to
 * move a job or an answer, never across the network.
 */
#include "aaa_radius.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lns_log.h"
#include "inet.h"

#define ACCT_BACKOFF_MAX_MS 60000

enum job_kind { JOB_AUTH, JOB_ACCT, JOB_ONOFF };

struct job {
	struct job *next;
	enum job_kind kind;
	bool on;
	unsigned rounds; /* accounting: times no server answered */
	uint64_t queued_ms, not_before_ms;
	union {
		struct aaa_auth_request auth;
		struct aaa_acct_request acct;
	} u;
};

struct fifo {
	struct job *head, *tail;
	uint32_t n;
};

struct aaa_radius {
	struct cfg_radius cfg;
	struct aaa_nas nas;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct fifo auth_q, acct_q;
	struct aaa_auth_answer *ring; /* answers, cfg.queue of them */
	uint32_t ring_head, ring_n;
	uint32_t auth_outstanding; /* queued, in flight or answered but not collected */
	bool stopping, stopped;
	uint64_t drain_until_ms;
	atomic_uint server; /* tried first */
	int efd;
	pthread_t *threads;
	struct thread_arg *args;
	unsigned n_threads;
	char (*acct_inflight)[AAA_SESSION_ID + 1]; /* per thread: its record's session, or "" */
	unsigned acct_busy;			   /* accounting exchanges under way */
	bool told_unsigned[CFG_MAX_RADIUS];	   /* its first unsigned answer was logged */
	struct aaa_radius_stats stats;
};

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t
now_ms(void)
{
	return now_us() / 1000;
}

static void
fifo_push(struct fifo *f, struct job *j)
{
	j->next = NULL;
	if (f->tail != NULL)
		f->tail->next = j;
	else
		f->head = j;
	f->tail = j;
	f->n++;
}

static void
fifo_push_front(struct fifo *f, struct job *j)
{
	j->next = f->head;
	f->head = j;
	if (f->tail == NULL)
		f->tail = j;
	f->n++;
}

static struct job *
fifo_pop(struct fifo *f)
{
	struct job *j = f->head;

	if (j == NULL)
		return NULL;
	f->head = j->next;
	if (f->head == NULL)
		f->tail = NULL;
	f->n--;
	return j;
}

#define STAT_ADD(r, field, v)                   \
	do {                                    \
		pthread_mutex_lock(&(r)->mu);   \
		(r)->stats.field += (v);        \
		pthread_mutex_unlock(&(r)->mu); \
	} while (0)

/* A counter of both the whole and server idx. */
#define SERVER_STAT_ADD(r, idx, field, total)    \
	do {                                     \
		pthread_mutex_lock(&(r)->mu);    \
		(r)->stats.servers[idx].field++; \
		(r)->stats.total++;              \
		pthread_mutex_unlock(&(r)->mu);  \
	} while (0)

/* One exchange with one server: what came back, if anything did. */
struct exchange {
	int fd;
	uint8_t id;
	unsigned server; /* index in cfg.servers */
	const uint8_t *req;
	size_t req_len;
	uint8_t answer[RADIUS_MAX_LEN];
	size_t answer_len;
	bool refused_unsigned; /* a server answered, but without Message-Authenticator */
};

void
aaa_radius_server_name(const struct aaa_radius *r, unsigned idx, char *out, size_t cap)
{
	const struct cfg_radius_server *s = &r->cfg.servers[idx % r->cfg.n_servers];

	snprintf(out, cap, INET4_FMT ":%u", INET4_ARGS(s->address), s->auth_port);
}

/* True the first time for each server: its first unsigned answer is told once. */
static bool
first_unsigned(struct aaa_radius *r, unsigned idx)
{
	bool first;

	pthread_mutex_lock(&r->mu);
	first = !r->told_unsigned[idx];
	r->told_unsigned[idx] = true;
	pthread_mutex_unlock(&r->mu);
	return first;
}

/*
 * An Access answer whose response authenticator matched but that carries
 * no Message-Authenticator. Refused unless the server is configured as
 * unable to sign; either way told once, and at error level when refused,
 * since then every subscriber of that server fails to log in.
 */
static bool
take_unsigned(struct aaa_radius *r, struct exchange *x)
{
	const struct cfg_radius_server *s = &r->cfg.servers[x->server];
	bool first = first_unsigned(r, x->server);
	char name[32];

	aaa_radius_server_name(r, x->server, name, sizeof(name));
	if (!s->require_message_authenticator) {
		SERVER_STAT_ADD(r, x->server, unsigned_accepted, unsigned_accepted);
		if (first)
			LOG(AAA, LOG_WARN,
			    "RADIUS server %s answers unsigned (no Message-Authenticator): taken, "
			    "as require_message_authenticator is false for it; this is open to "
			    "Blast-RADIUS (CVE-2024-3596) until the server signs",
			    name);
		return true;
	}
	SERVER_STAT_ADD(r, x->server, unsigned_refused, unsigned_refused);
	x->refused_unsigned = true;
	if (first)
		LOG(AAA, LOG_ERR,
		    "RADIUS server %s answers unsigned (no Message-Authenticator): refused "
		    "(Blast-RADIUS, CVE-2024-3596), so none of its subscribers can log in. "
		    "Fix: on FreeRADIUS 3.2 put 'update reply { Message-Authenticator := 0x00 }' "
		    "first in authorize of sites-enabled/default, or set "
		    "'require_message_authenticator: false' under this server in radius.servers "
		    "(docs/radius.md)",
		    name);
	else
		LOG(AAA, LOG_DEBUG, "RADIUS server %s: unsigned answer refused", name);
	return false;
}

static bool
wanted_code(uint8_t req_code, uint8_t code)
{
	if (req_code == RADIUS_ACCESS_REQUEST)
		return code == RADIUS_ACCESS_ACCEPT || code == RADIUS_ACCESS_REJECT ||
		       code == RADIUS_ACCESS_CHALLENGE;
	return code == RADIUS_ACCOUNTING_RESPONSE;
}

/* Reads answers until ours arrives (true) or the deadline passes. */
static bool
await_answer(struct aaa_radius *r, struct exchange *x, uint64_t deadline)
{
	const char *secret = r->cfg.servers[x->server].secret;

	for (;;) {
		uint64_t t = now_ms();
		struct pollfd pfd = { .fd = x->fd, .events = POLLIN };
		ssize_t n;
		size_t len;
		enum radius_check c;

		if (t >= deadline || poll(&pfd, 1, (int)(deadline - t)) <= 0)
			return false;
		n = recv(x->fd, x->answer, sizeof(x->answer), 0);
		if (n < 0)
			continue; /* ICMP port unreachable and the like: wait out the attempt */
		len = (size_t)n;
		if (len < RADIUS_HDR_LEN || x->answer[1] != x->id ||
		    !wanted_code(x->req[0], x->answer[0])) {
			STAT_ADD(r, unexpected_answers, 1);
			continue;
		}
		c = radius_check_answer(x->answer, &len, secret, x->req + 4);
		if (c == RADIUS_NO_MESSAGE_AUTH && !take_unsigned(r, x))
			continue;
		if (c != RADIUS_OK && c != RADIUS_NO_MESSAGE_AUTH) {
			char name[32];

			aaa_radius_server_name(r, x->server, name, sizeof(name));
			SERVER_STAT_ADD(r, x->server, bad_answers, bad_answers);
			LOG(AAA, LOG_WARN, "RADIUS server %s: answer refused: %s", name,
			    radius_check_str(c));
			continue;
		}
		pthread_mutex_lock(&r->mu);
		r->stats.servers[x->server].answers++;
		pthread_mutex_unlock(&r->mu);
		x->answer_len = len;
		return true;
	}
}

static bool
try_server(struct aaa_radius *r, struct exchange *x, uint16_t port)
{
	const struct cfg_radius_server *s = &r->cfg.servers[x->server];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };

	sa.sin_addr.s_addr = htonl(s->address);
	if (connect(x->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return false;
	for (unsigned attempt = 0; attempt <= r->cfg.retries; attempt++) {
		bool is_auth = x->req[0] == RADIUS_ACCESS_REQUEST;

		if (send(x->fd, x->req, x->req_len, 0) < 0 && errno != ECONNREFUSED)
			return false;
		if (is_auth)
			SERVER_STAT_ADD(r, x->server, requests, auth_sent);
		else
			SERVER_STAT_ADD(r, x->server, requests, acct_sent);
		if (await_answer(r, x, now_ms() + r->cfg.timeout_ms))
			return true;
		SERVER_STAT_ADD(r, x->server, timeouts, timeouts);
	}
	return false;
}

typedef size_t (*build_fn)(struct aaa_radius *r, const struct job *j, struct radius_pkt *p,
			   uint8_t id, const char *secret);

enum outcome { ANSWERED, NO_ANSWER, NOT_BUILT };

/* Servers in order from the preferred one; the one that answers becomes preferred. */
static enum outcome
exchange(struct aaa_radius *r, int fd, uint8_t *next_id, const struct job *j, build_fn build,
	 bool acct, struct exchange *x)
{
	static _Thread_local struct radius_pkt pkt;
	unsigned first = atomic_load(&r->server) % r->cfg.n_servers;

	x->fd = fd;
	x->refused_unsigned = false;
	for (unsigned k = 0; k < r->cfg.n_servers; k++) {
		unsigned idx = (first + k) % r->cfg.n_servers;
		const struct cfg_radius_server *s = &r->cfg.servers[idx];

		x->server = idx;
		x->id = (*next_id)++;
		x->req_len = build(r, j, &pkt, x->id, s->secret);
		x->req = pkt.buf;
		if (x->req_len == 0)
			return NOT_BUILT;
		if (try_server(r, x, acct ? s->acct_port : s->auth_port)) {
			if (k > 0) {
				atomic_store(&r->server, idx);
				LOG(AAA, LOG_WARN, "RADIUS: server %u answers, using it first",
				    idx + 1);
			}
			return ANSWERED;
		}
		if (k + 1 < r->cfg.n_servers) {
			STAT_ADD(r, failovers, 1);
			LOG(AAA, LOG_WARN, "RADIUS: server %u does not answer, trying the next",
			    idx + 1);
		}
	}
	return NO_ANSWER;
}

static size_t
build_auth(struct aaa_radius *r, const struct job *j, struct radius_pkt *p, uint8_t id,
	   const char *secret)
{
	uint8_t auth[RADIUS_AUTH_LEN];

	if (getrandom(auth, sizeof(auth), 0) != sizeof(auth))
		return 0;
	return aaa_radius_auth_request(p, &r->nas, &j->u.auth, id, auth, secret);
}

static size_t
build_acct(struct aaa_radius *r, const struct job *j, struct radius_pkt *p, uint8_t id,
	   const char *secret)
{
	uint32_t delay = (uint32_t)((now_ms() - j->queued_ms) / 1000);

	if (j->kind == JOB_ONOFF)
		return aaa_radius_onoff_request(p, &r->nas, j->on, id, secret);
	return aaa_radius_acct_request(p, &r->nas, &j->u.acct, delay, id, secret);
}

static void
answer_push(struct aaa_radius *r, const struct aaa_auth_answer *a, uint64_t latency_us)
{
	uint64_t one = 1;

	pthread_mutex_lock(&r->mu);
	/* room is certain: auth_outstanding never exceeds the ring */
	r->ring[(r->ring_head + r->ring_n) % r->cfg.queue] = *a;
	r->ring_n++;
	if (a->verdict == AAA_ACCEPT)
		r->stats.auth_accepted++;
	else if (a->verdict == AAA_REJECT)
		r->stats.auth_rejected++;
	else
		r->stats.auth_unavailable++;
	r->stats.auth_latency_us_sum += latency_us;
	r->stats.auth_latency_n++;
	if (latency_us > r->stats.auth_latency_us_max)
		r->stats.auth_latency_us_max = latency_us;
	pthread_mutex_unlock(&r->mu);
	if (write(r->efd, &one, sizeof(one)) < 0) { /* the counter only saturates */
	}
}

static void
run_auth(struct aaa_radius *r, int fd, uint8_t *next_id, struct job *j)
{
	static _Thread_local struct exchange x;
	static _Thread_local struct aaa_auth_answer a;

	enum outcome o = exchange(r, fd, next_id, j, build_auth, false, &x);

	if (o == ANSWERED) {
		aaa_radius_read_answer(x.answer, x.answer_len, &j->u.auth, &a);
	} else {
		memset(&a, 0, sizeof(a));
		a.ref = j->u.auth.ref;
		a.verdict = AAA_UNAVAILABLE;
		snprintf(a.message, sizeof(a.message), "%s",
			 o == NOT_BUILT	      ? "credentials that no Access-Request can carry"
			 : x.refused_unsigned ? "RADIUS answers refused: not signed (no "
						"Message-Authenticator)"
					      : "no RADIUS server answered");
	}
	answer_push(r, &a, now_us() - j->queued_ms * 1000); /* queued and exchanged */
	free(j);
}

/* The session an accounting record belongs to; "" for Accounting-On/Off. */
static const char *
acct_key(const struct job *j)
{
	return j->kind == JOB_ONOFF ? "" : j->u.acct.call.session_id;
}

static void
acct_done(struct aaa_radius *r, unsigned thread)
{
	pthread_mutex_lock(&r->mu);
	r->acct_inflight[thread][0] = '\0';
	r->acct_busy--;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

static void
run_acct(struct aaa_radius *r, int fd, uint8_t *next_id, struct job *j, unsigned thread)
{
	static _Thread_local struct exchange x;
	enum outcome o = exchange(r, fd, next_id, j, build_acct, true, &x);

	if (o != NO_ANSWER) {
		if (o == ANSWERED)
			STAT_ADD(r, acct_answered, 1);
		else
			LOG(AAA, LOG_ERR,
			    "RADIUS: accounting record for '%s' cannot be built: lost",
			    j->u.acct.call.user);
		free(j);
		acct_done(r, thread);
		return;
	}
	/* kept, at the head: no later record of its session has gone meanwhile (see next_acct) */
	j->rounds++;
	j->not_before_ms = now_ms() + (r->cfg.timeout_ms << (j->rounds < 6 ? j->rounds : 6));
	if (j->not_before_ms > now_ms() + ACCT_BACKOFF_MAX_MS)
		j->not_before_ms = now_ms() + ACCT_BACKOFF_MAX_MS;
	pthread_mutex_lock(&r->mu);
	r->stats.acct_requeued++;
	fifo_push_front(&r->acct_q, j);
	r->acct_inflight[thread][0] = '\0';
	r->acct_busy--;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

static bool
session_in_flight(const struct aaa_radius *r, const char *key)
{
	for (unsigned t = 0; t < r->cfg.threads; t++)
		if (strcmp(r->acct_inflight[t], key) == 0)
			return true;
	return false;
}

/*
 * Under the lock: the first accounting record that may go now. Records of
 * one session go one at a time and in order (a Start is never overtaken by
 * its Stop, even when it has to be retried); Accounting-On/Off wait for
 * everything before them and hold back everything after them.
 */
static struct job *
next_acct(struct aaa_radius *r, uint64_t now)
{
	struct job *prev = NULL;
	unsigned scanned = 0;

	for (struct job *j = r->acct_q.head; j != NULL && scanned < 64;
	     prev = j, j = j->next, scanned++) {
		bool barrier = j->kind == JOB_ONOFF;

		if (barrier && (prev != NULL || r->acct_busy > 0))
			return NULL;
		if (j->not_before_ms > now || (!barrier && session_in_flight(r, acct_key(j))))
			continue;
		if (prev == NULL)
			r->acct_q.head = j->next;
		else
			prev->next = j->next;
		if (r->acct_q.tail == j)
			r->acct_q.tail = prev;
		r->acct_q.n--;
		return j;
	}
	return NULL;
}

/* Under the lock: the next job, or NULL when the thread should end. */
static struct job *
next_job(struct aaa_radius *r, unsigned thread)
{
	for (;;) {
		uint64_t t = now_ms();
		struct job *acct = r->acct_q.head, *j;
		struct timespec ts;
		uint64_t wake;

		if (r->auth_q.head != NULL && !r->stopping)
			return fifo_pop(&r->auth_q);
		if (r->stopping && (acct == NULL || t >= r->drain_until_ms))
			return NULL;
		if (acct != NULL && (j = next_acct(r, t)) != NULL) {
			snprintf(r->acct_inflight[thread], sizeof(r->acct_inflight[thread]), "%s",
				 j->kind == JOB_ONOFF ? "*" : acct_key(j));
			r->acct_busy++;
			return j;
		}
		if (acct == NULL) {
			pthread_cond_wait(&r->cv, &r->mu);
			continue;
		}
		/* records wait for their time or their session: look again in a while */
		wake = acct->not_before_ms > t ? acct->not_before_ms : t + 50;
		if (wake > t + 1000)
			wake = t + 1000;
		if (r->stopping && r->drain_until_ms < wake)
			wake = r->drain_until_ms;
		clock_gettime(CLOCK_REALTIME, &ts); /* the condvar's clock */
		wake = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 + (wake - t);
		ts.tv_sec = (time_t)(wake / 1000);
		ts.tv_nsec = (long)(wake % 1000) * 1000000;
		pthread_cond_timedwait(&r->cv, &r->mu, &ts);
	}
}

struct thread_arg {
	struct aaa_radius *r;
	unsigned index;
};

static void *
aaa_thread(void *arg)
{
	struct aaa_radius *r = ((struct thread_arg *)arg)->r;
	unsigned index = ((struct thread_arg *)arg)->index;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	uint8_t next_id = 0;

	if (fd < 0)
		LOG(AAA, LOG_ERR, "RADIUS: no socket: %s", strerror(errno));
	if (getrandom(&next_id, 1, 0) != 1)
		next_id = 0;
	pthread_mutex_lock(&r->mu);
	for (struct job *j; fd >= 0 && (j = next_job(r, index)) != NULL;) {
		pthread_mutex_unlock(&r->mu);
		if (j->kind == JOB_AUTH)
			run_auth(r, fd, &next_id, j);
		else
			run_acct(r, fd, &next_id, j, index);
		pthread_mutex_lock(&r->mu);
	}
	pthread_mutex_unlock(&r->mu);
	if (fd >= 0)
		close(fd);
	return NULL;
}

struct aaa_radius *
aaa_radius_create(const struct cfg_radius *cfg, const struct aaa_nas *nas)
{
	struct aaa_radius *r;

	if (cfg->n_servers == 0 || cfg->threads == 0 || cfg->queue == 0)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->cfg = *cfg;
	r->nas = *nas;
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	r->ring = calloc(cfg->queue, sizeof(*r->ring));
	r->threads = calloc(cfg->threads, sizeof(*r->threads));
	r->args = calloc(cfg->threads, sizeof(*r->args));
	r->acct_inflight = calloc(cfg->threads, sizeof(*r->acct_inflight));
	if (r->efd < 0 || r->ring == NULL || r->threads == NULL || r->args == NULL ||
	    r->acct_inflight == NULL) {
		aaa_radius_destroy(r, 0);
		return NULL;
	}
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	for (; r->n_threads < cfg->threads; r->n_threads++) {
		r->args[r->n_threads] = (struct thread_arg){ r, r->n_threads };
		if (pthread_create(&r->threads[r->n_threads], NULL, aaa_thread,
				   &r->args[r->n_threads]) != 0) {
			aaa_radius_destroy(r, 0);
			return NULL;
		}
	}
	return r;
}

static void
fifo_free(struct fifo *f)
{
	for (struct job *j; (j = fifo_pop(f)) != NULL;)
		free(j);
}

void
aaa_radius_stop(struct aaa_radius *r, uint32_t drain_ms)
{
	if (r->threads == NULL || r->efd < 0 || r->ring == NULL || r->stopped)
		return;
	pthread_mutex_lock(&r->mu);
	r->stopping = true;
	r->drain_until_ms = now_ms() + drain_ms;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	for (unsigned i = 0; i < r->n_threads; i++)
		pthread_join(r->threads[i], NULL);
	r->stopped = true;
	if (r->acct_q.n > 0)
		LOG(AAA, LOG_ERR,
		    "RADIUS: %u accounting records lost at shutdown: no server took them",
		    r->acct_q.n);
}

void
aaa_radius_destroy(struct aaa_radius *r, uint32_t drain_ms)
{
	if (r == NULL)
		return;
	if (r->threads != NULL && r->efd >= 0 && r->ring != NULL) {
		aaa_radius_stop(r, drain_ms);
		fifo_free(&r->auth_q);
		fifo_free(&r->acct_q);
		pthread_mutex_destroy(&r->mu);
		pthread_cond_destroy(&r->cv);
	}
	if (r->efd >= 0)
		close(r->efd);
	free(r->ring);
	free(r->threads);
	free(r->args);
	free(r->acct_inflight);
	free(r);
}

int
aaa_radius_auth(struct aaa_radius *r, const struct aaa_auth_request *req)
{
	struct job *j;

	pthread_mutex_lock(&r->mu);
	if (r->auth_outstanding >= r->cfg.queue || r->stopping) {
		r->stats.auth_queue_full++;
		pthread_mutex_unlock(&r->mu);
		return -ENOSPC;
	}
	r->auth_outstanding++;
	pthread_mutex_unlock(&r->mu);
	j = malloc(sizeof(*j));
	if (j == NULL) {
		pthread_mutex_lock(&r->mu);
		r->auth_outstanding--;
		pthread_mutex_unlock(&r->mu);
		return -ENOMEM;
	}
	memset(j, 0, offsetof(struct job, u));
	j->kind = JOB_AUTH;
	j->queued_ms = now_ms();
	j->u.auth = *req;
	pthread_mutex_lock(&r->mu);
	fifo_push(&r->auth_q, j);
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return 0;
}

static int
acct_submit(struct aaa_radius *r, struct job *j)
{
	pthread_mutex_lock(&r->mu);
	if (r->acct_q.n >= r->cfg.acct_backlog || r->stopped) {
		r->stats.acct_dropped++;
		pthread_mutex_unlock(&r->mu);
		LOG(AAA, LOG_ERR, "RADIUS: %s: record for '%s' lost",
		    r->stopped ? "stopped" : "accounting backlog full",
		    j->kind == JOB_ONOFF ? "accounting on/off" : j->u.acct.call.user);
		free(j);
		return -ENOSPC;
	}
	fifo_push(&r->acct_q, j);
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return 0;
}

int
aaa_radius_acct(struct aaa_radius *r, const struct aaa_acct_request *req)
{
	struct job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return -ENOMEM;
	j->kind = JOB_ACCT;
	j->queued_ms = now_ms();
	j->u.acct = *req;
	return acct_submit(r, j);
}

int
aaa_radius_acct_onoff(struct aaa_radius *r, bool on)
{
	struct job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return -ENOMEM;
	j->kind = JOB_ONOFF;
	j->on = on;
	j->queued_ms = now_ms();
	return acct_submit(r, j);
}

unsigned
aaa_radius_answers(struct aaa_radius *r, struct aaa_auth_answer *out, unsigned max)
{
	unsigned n = 0;
	uint64_t drained;

	if (read(r->efd, &drained, sizeof(drained)) < 0) { /* nothing signalled is fine */
	}
	pthread_mutex_lock(&r->mu);
	while (n < max && r->ring_n > 0) {
		out[n++] = r->ring[r->ring_head];
		r->ring_head = (r->ring_head + 1) % r->cfg.queue;
		r->ring_n--;
		r->auth_outstanding--;
	}
	if (r->ring_n > 0) { /* the fd stays readable while answers wait */
		uint64_t one = 1;

		if (write(r->efd, &one, sizeof(one)) < 0) { /* it only saturates */
		}
	}
	pthread_mutex_unlock(&r->mu);
	return n;
}

int
aaa_radius_fd(const struct aaa_radius *r)
{
	return r->efd;
}

void
aaa_radius_stats(struct aaa_radius *r, struct aaa_radius_stats *out)
{
	pthread_mutex_lock(&r->mu);
	*out = r->stats;
	out->auth_queued = r->auth_q.n;
	out->acct_queued = r->acct_q.n;
	pthread_mutex_unlock(&r->mu);
	out->n_servers = r->cfg.n_servers;
	out->server = atomic_load(&r->server);
}
