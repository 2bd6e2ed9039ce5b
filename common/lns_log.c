/* SPDX-License-Identifier: BSD-2-Clause */
#include "lns_log.h"

#include <stdio.h>
#include <string.h>

static const char *const category_names[] = {
#define X(id, name) [LOG_CAT_##id] = name,
	LNS_LOG_CATEGORIES(X)
#undef X
};

static enum log_level levels[LOG_CAT_COUNT] = {
#define X(id, name) [LOG_CAT_##id] = LOG_INFO,
	LNS_LOG_CATEGORIES(X)
#undef X
};

static log_sink_fn sink_fn;
static void *sink_arg;

const char *
log_category_str(enum log_category cat)
{
	return (unsigned)cat < LOG_CAT_COUNT ? category_names[cat] : "?";
}

const char *
log_level_str(enum log_level level)
{
	static const char *const names[] = { "err", "warn", "info", "debug" };

	return (unsigned)level <= LOG_DEBUG ? names[level] : "?";
}

int
log_category_parse(const char *name)
{
	for (int i = 0; i < LOG_CAT_COUNT; i++)
		if (strcmp(name, category_names[i]) == 0)
			return i;
	return -1;
}

void
log_set_level(enum log_category cat, enum log_level level)
{
	if ((unsigned)cat < LOG_CAT_COUNT)
		levels[cat] = level;
}

enum log_level
log_get_level(enum log_category cat)
{
	return (unsigned)cat < LOG_CAT_COUNT ? levels[cat] : LOG_ERR;
}

void
log_set_sink(log_sink_fn fn, void *arg)
{
	sink_fn = fn;
	sink_arg = arg;
}

void
log_vwrite(enum log_category cat, enum log_level level, const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (sink_fn != NULL)
		sink_fn(sink_arg, cat, level, line);
	else
		fprintf(stderr, "%s: %s\n", log_category_str(cat), line);
}

void
log_write(enum log_category cat, enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(cat, level, fmt, ap);
	va_end(ap);
}
