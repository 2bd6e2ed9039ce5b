/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the LNS engine's whole input path. The input is a
 * script of records, each [op][len hi][len lo][bytes]: op even feeds the
 * bytes as one datagram from the LAC (op 2 from another address), op odd
 * advances the clock by bytes[0] * 100 ms and runs the timers. A fresh
 * engine per input, destroyed at the end: leaks and stale pointers show.
 * IDs are drawn at random by the engine, so a datagram whose tunnel ID is
 * 1 goes to the newest tunnel, and session ID 1 to its newest session:
 * that lets a corpus hold whole calls.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "l2tp_engine.h"
#include "l2tp_internal.h"
#include "lns_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng_state;

static void
fz_tx(void *ctx, const struct l2tp_addr *peer, const uint8_t *pkt, size_t len)
{
	struct l2tp_hdr h;

	(void)ctx;
	(void)peer;
	/* everything the engine sends must parse as what it claims to be */
	if (l2tp_hdr_parse(&h, pkt, len) != L2TP_ST_OK || !l2tp_hdr_is_control(&h))
		__builtin_trap();
}

static void
fz_event(void *ctx, const struct l2tp_event *ev)
{
	(void)ctx;
	(void)ev;
}

static bool
fz_policy(void *ctx, const uint8_t *host, size_t host_len, const struct l2tp_addr *peer,
	  struct l2tp_tunnel_params *out)
{
	(void)ctx;
	(void)peer;
	memset(out, 0, sizeof(*out));
	if (host_len > 0 && host[0] == 'x')
		return false;
	if (host_len > 0 && host[0] != 'n') {
		memcpy(out->secret, "hello", 5);
		out->secret_len = 5;
	}
	out->hello_interval_ms = 60000;
	out->hide_mask =
		host_len > 1 && host[1] == 'h' ? UINT64_C(1) << L2TP_AVP_ASSIGNED_SESSION_ID : 0;
	return true;
}

static void
fz_random(void *ctx, void *buf, size_t len)
{
	uint8_t *p = buf;

	(void)ctx;
	for (size_t i = 0; i < len; i++) {
		rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
		p[i] = (uint8_t)(rng_state >> 56);
	}
}

static const struct l2tp_engine_ops ops = { fz_tx, fz_event, fz_policy, fz_random };

static void
feed(struct l2tp_engine *e, uint64_t now, const struct l2tp_addr *from, const uint8_t *data,
     size_t len)
{
	static uint8_t buf[65536];
	struct l2tp_tunnel *t = e->tunnel_list;
	size_t at;

	memcpy(buf, data, len);
	if (len >= 2 && (buf[0] & 0x40))
		at = 4; /* Length field present: tunnel ID after it */
	else
		at = 2;
	if (t != NULL && len >= at + 4 && get_be16(buf + at) == 1) {
		put_be16(buf + at, t->id);
		if (get_be16(buf + at + 2) == 1 && t->sessions != NULL)
			put_be16(buf + at + 2, t->sessions->id);
	}
	l2tp_engine_input(e, now, from, buf, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	struct l2tp_engine_cfg cfg;
	struct l2tp_engine *e;
	struct l2tp_addr lac = { .family = 4, .ip = { 192, 0, 2, 68 }, .port = 1701 };
	struct l2tp_addr other = { .family = 4, .ip = { 192, 0, 2, 69 }, .port = 1701 };
	uint64_t now = 1000;
	size_t pos = 0;

	if (!quiet) {
		for (int c = 0; c < LOG_CAT_COUNT; c++)
			log_set_level(c, LOG_ERR);
		quiet = true;
	}
	rng_state = 1;
	l2tp_engine_cfg_defaults(&cfg, L2TP_ROLE_LNS);
	cfg.max_tunnels = 4;
	cfg.max_sessions_per_tunnel = 8;
	cfg.chan.ack_delay_ms = 0;
	e = l2tp_engine_create(&cfg, &ops, NULL);
	if (e == NULL)
		return 0;
	while (size - pos >= 3) {
		uint8_t op = data[pos];
		size_t len = (size_t)data[pos + 1] << 8 | data[pos + 2];

		pos += 3;
		if (len > size - pos)
			len = size - pos;
		if (op & 1) {
			now += (len > 0 ? data[pos] : 1) * 100u;
			l2tp_engine_timeout(e, now);
		} else {
			feed(e, now, op == 2 ? &other : &lac, data + pos, len);
		}
		pos += len;
	}
	now += 120000;
	l2tp_engine_timeout(e, now);
	l2tp_engine_destroy(e);
	return 0;
}
