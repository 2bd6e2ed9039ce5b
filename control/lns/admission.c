/* SPDX-License-Identifier: BSD-2-Clause */
#include "admission.h"

void
admission_init(struct admission *a, uint32_t rate, uint32_t max_in_setup, uint64_t now)
{
	*a = (struct admission){ .rate = rate,
				 .burst = rate,
				 .max_in_setup = max_in_setup,
				 .tokens_milli = (uint64_t)rate * 1000,
				 .last = now };
}

static void
refill(struct admission *a, uint64_t now)
{
	uint64_t cap = (uint64_t)a->burst * 1000;

	if (now > a->last) {
		a->tokens_milli += (now - a->last) * a->rate; /* rate/s = rate thousandths per ms */
		if (a->tokens_milli > cap)
			a->tokens_milli = cap;
	}
	a->last = now;
}

bool
admission_try(struct admission *a, uint64_t now)
{
	if (a->max_in_setup != 0 && a->in_setup >= a->max_in_setup) {
		a->refused_setup++;
		return false;
	}
	if (a->rate != 0) {
		refill(a, now);
		if (a->tokens_milli < 1000) {
			a->refused_rate++;
			return false;
		}
		a->tokens_milli -= 1000;
	}
	a->in_setup++;
	return true;
}

void
admission_done(struct admission *a)
{
	if (a->in_setup > 0)
		a->in_setup--;
}
