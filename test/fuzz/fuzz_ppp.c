/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: a server PPP session's whole input path (LCP, PAP,
 * CHAP, IPCP, IPv6CP, Protocol-Reject, timers). The first byte chooses a
 * start with the seed's proxy LCP and proxy authentication or a plain one;
 * then records [op][len hi][len lo][bytes]: op even is one frame from the
 * subscriber, op odd advances the clock by bytes[0] * 100 ms. AAA answers
 * every request after the frame that raised it, accepting when the first
 * byte of the user name is even.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lns_log.h"
#include "ppp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng_state;
static bool aaa_pending, aaa_accept, down;

static void
fz_send(void *ctx, const uint8_t *f, size_t len)
{
	struct ppp_frame fr;

	(void)ctx;
	if (ppp_frame_parse(&fr, f, len) != PPP_PARSE_OK)
		__builtin_trap(); /* the engine must send well-formed frames */
}

static void
fz_event(void *ctx, struct ppp *p, const struct ppp_event *ev)
{
	(void)ctx;
	(void)p;
	if (ev->type == PPP_EV_AUTH_REQUEST) {
		aaa_pending = true;
		aaa_accept = ev->auth->name_len == 0 || (ev->auth->name[0] & 1) == 0;
	} else if (ev->type == PPP_EV_DOWN) {
		down = true;
	}
}

static void
fz_random(void *ctx, void *buf, size_t len)
{
	uint8_t *b = buf;

	(void)ctx;
	for (size_t i = 0; i < len; i++) {
		rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
		b[i] = (uint8_t)(rng_state >> 56);
	}
}

static const struct ppp_ops ops = { fz_send, fz_event, fz_random };

static const uint8_t last_sent[] = { 0x03, 0x05, 0xC2, 0x23, 0x05, 0x05,
				     0x06, 0x10, 0x9D, 0x08, 0xF2 };
static const uint8_t last_rcvd[] = { 0x05, 0x06, 0x6E, 0xE4, 0xE8, 0x65 };
static const uint8_t chal[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static void
answer_aaa(struct ppp *p, uint64_t now)
{
	struct ppp_auth_result r = {
		.accept = aaa_accept,
		.ipv4 = 0xCB00710A,
		.dns = { 0xC6336435, 0 },
		.mschapv2_auth = "S=0000000000000000000000000000000000000000",
	};

	if (!aaa_pending || down)
		return;
	aaa_pending = false;
	ppp_auth_done(p, now, &r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ppp_proxy proxy = {
		.last_sent = last_sent,
		.last_sent_len = sizeof(last_sent),
		.last_rcvd = last_rcvd,
		.last_rcvd_len = sizeof(last_rcvd),
		.auth_type = 2,
		.auth_id = 6,
		.auth_name = (const uint8_t *)"2500-1",
		.auth_name_len = 6,
		.auth_challenge = chal,
		.auth_challenge_len = 16,
		.auth_response = chal,
		.auth_response_len = 16,
	};
	struct ppp_cfg cfg;
	struct ppp *p;
	uint64_t now = 1000;
	size_t pos = 1;

	if (size < 1)
		return 0;
	for (int c = 0; c < LOG_CAT_COUNT; c++)
		log_set_level(c, LOG_ERR);
	rng_state = 1;
	aaa_pending = down = false;
	ppp_cfg_defaults(&cfg, PPP_ROLE_SERVER);
	cfg.local_ipv4 = 0xC6336401;
	cfg.chap_rechallenge_ms = data[0] & 2 ? 5000 : 0;
	p = ppp_create(&cfg, &ops, NULL);
	if (p == NULL)
		return 0;
	ppp_start(p, now, data[0] & 1 ? &proxy : NULL);
	while (size - pos >= 3 && !down) {
		uint8_t op = data[pos];
		size_t len = (size_t)data[pos + 1] << 8 | data[pos + 2];

		pos += 3;
		if (len > size - pos)
			len = size - pos;
		if (op & 1) {
			now += (len > 0 ? data[pos] : 1) * 100u;
			ppp_timeout(p, now);
		} else {
			ppp_input(p, now, data + pos, len);
		}
		answer_aaa(p, now);
		pos += len;
	}
	for (int i = 0; i < 50 && !down; i++) {
		now += 3000;
		ppp_timeout(p, now);
	}
	ppp_destroy(p);
	return 0;
}
