/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Per-peer admission control: a token bucket on new calls a second and a
 * cap on calls still being set up. Past either, the call is refused with
 * CDN result 4 ("temporary lack of resources"), so that a LAC that
 * reconnects 50 000 subscribers at once is paced rather than drowning the
 * control lcore. Deterministic: time comes in as now (ms).
 */
#ifndef ADMISSION_H
#define ADMISSION_H

#include <stdbool.h>
#include <stdint.h>

struct admission {
	uint32_t rate;	       /* calls a second; 0: no limit */
	uint32_t burst;	       /* bucket size; default the rate */
	uint32_t max_in_setup; /* 0: no limit */
	uint64_t tokens_milli; /* thousandths of a token */
	uint64_t last;	       /* ms */
	uint32_t in_setup;
	uint64_t refused_rate, refused_setup;
};

void admission_init(struct admission *a, uint32_t rate, uint32_t max_in_setup, uint64_t now);
/* May a new call start now? If so it counts as being set up. */
bool admission_try(struct admission *a, uint64_t now);
/* The call is up, or gone: it no longer counts as being set up. */
void admission_done(struct admission *a);

#endif
