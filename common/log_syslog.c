/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The syslog sink. <syslog.h> defines LOG_ERR, LOG_INFO and LOG_DEBUG as
 * macros that clash with lns_log.h's levels, so this file names ours only
 * by number, in the order lns_log.h declares them: err, warn, info, debug.
 */
#include "lns_log.h"

_Static_assert(LOG_ERR == 0 && LOG_WARN == 1 && LOG_INFO == 2 && LOG_DEBUG == 3,
	       "the priority table below follows lns_log.h's order");

#include <stdio.h>
#include <syslog.h>

static const int priority_of_level[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
static const int facilities[] = { LOG_DAEMON, LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
				  LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7 };

static void
to_syslog(int priority, const char *line)
{
	syslog(priority, "%s", line);
}

static log_syslog_writer writer = to_syslog;
static int facility = LOG_DAEMON;

static void
syslog_sink(void *arg, enum log_category cat, enum log_level level, const char *line)
{
	char buf[600];
	unsigned l = (unsigned)level < 4 ? (unsigned)level : 3;

	(void)arg;
	snprintf(buf, sizeof(buf), "%s: %s", log_category_str(cat), line);
	writer(facility | priority_of_level[l], buf);
}

void
log_use_syslog(const char *ident, int facility_index)
{
	if (facility_index < 0 || facility_index > 8)
		facility_index = 0;
	facility = facilities[facility_index];
	if (writer == to_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
	log_set_sink(syslog_sink, NULL);
}

void
log_syslog_set_writer(log_syslog_writer w)
{
	writer = w != NULL ? w : to_syslog;
}
