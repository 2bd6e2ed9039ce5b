/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Logging by category and level. Engines log through these helpers only;
 * where the lines go (stderr, syslog, a test's buffer) is the sink's choice,
 * set once by the program that owns the process.
 */
#ifndef LNS_LOG_H
#define LNS_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#define LNS_LOG_CATEGORIES(X) \
	X(L2TP, "l2tp")       \
	X(PPP, "ppp")         \
	X(AAA, "aaa")         \
	X(DP, "dataplane")    \
	X(CFG, "config")      \
	X(MAIN, "main")

enum log_category {
#define X(id, name) LOG_CAT_##id,
	LNS_LOG_CATEGORIES(X)
#undef X
		LOG_CAT_COUNT
};

enum log_level {
	LOG_ERR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
};

typedef void (*log_sink_fn)(void *arg, enum log_category cat, enum log_level level,
			    const char *line);

const char *log_category_str(enum log_category cat);
const char *log_level_str(enum log_level level);
/* Parses "l2tp" etc.; returns the category or -1. */
int log_category_parse(const char *name);

void log_set_level(enum log_category cat, enum log_level level);
enum log_level log_get_level(enum log_category cat);
/* NULL restores the default sink: stderr, one line per call. */
void log_set_sink(log_sink_fn fn, void *arg);

/*
 * Every line to syslog(3) as "category: line", ident as given, facility
 * 0: daemon, 1..8: local0..local7, priority from the level.
 */
void log_use_syslog(const char *ident, int facility);
/* Tests: where the syslog sink hands each line instead of syslog(3); NULL restores it. */
typedef void (*log_syslog_writer)(int priority, const char *line);
void log_syslog_set_writer(log_syslog_writer w);

static inline bool
log_enabled(enum log_category cat, enum log_level level)
{
	return level <= log_get_level(cat);
}

void log_write(enum log_category cat, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vwrite(enum log_category cat, enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#define LOG(cat, level, ...)                                          \
	do {                                                          \
		if (log_enabled(LOG_CAT_##cat, level))                \
			log_write(LOG_CAT_##cat, level, __VA_ARGS__); \
	} while (0)

#endif
