/* SPDX-License-Identifier: BSD-2-Clause */
#include "ctl_out.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
reserve(struct ctl_out *o, size_t more)
{
	size_t cap = o->cap ? o->cap : 4096;
	char *b;

	if (o->failed)
		return false;
	if (o->len + more + 1 <= o->cap)
		return true;
	while (cap < o->len + more + 1)
		cap *= 2;
	b = realloc(o->buf, cap);
	if (b == NULL) {
		o->failed = true;
		return false;
	}
	o->buf = b;
	o->cap = cap;
	return true;
}

static void
vput(struct ctl_out *o, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, again);
	va_end(again);
	if (n < 0 || !reserve(o, (size_t)n))
		return;
	vsnprintf(o->buf + o->len, (size_t)n + 1, fmt, ap);
	o->len += (size_t)n;
}

static void __attribute__((format(printf, 2, 3))) put(struct ctl_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vput(o, fmt, ap);
	va_end(ap);
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void
put_json_string(struct ctl_out *o, const char *s)
{
	put(o, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			put(o, "\\%c", c);
		else if (c < 0x20)
			put(o, "\\u%04x", c);
		else
			put(o, "%c", c);
	}
	put(o, "\"");
}

static void
json_open(struct ctl_out *o, char open, char close)
{
	put(o, "%c", open);
	if (o->depth < CTL_MAX_DEPTH)
		o->close[o->depth] = close;
	o->depth++;
	o->first_item = true;
}

static void
json_close(struct ctl_out *o)
{
	if (o->depth == 0)
		return;
	o->depth--;
	put(o, "%c", o->depth < CTL_MAX_DEPTH ? o->close[o->depth] : '}');
	o->first_item = false;
}

/* Before a JSON member or element: a comma unless it is the first. */
static void
json_next(struct ctl_out *o)
{
	if (!o->first_item)
		put(o, ",");
	o->first_item = false;
}

void
ctl_out_init(struct ctl_out *o, bool json)
{
	memset(o, 0, sizeof(*o));
	o->json = json;
	o->first_item = true;
	if (json)
		json_open(o, '{', '}');
}

void
ctl_out_free(struct ctl_out *o)
{
	free(o->buf);
	memset(o, 0, sizeof(*o));
}

void
ctl_out_finish(struct ctl_out *o)
{
	if (o->json) {
		while (o->depth > 0)
			json_close(o);
		put(o, "\n");
	}
	if (o->failed && o->buf != NULL && o->cap > 32) /* say so rather than cut silently */
		o->len = (size_t)snprintf(o->buf, o->cap, "error: out of memory\n");
}

void
ctl_section_begin(struct ctl_out *o, const char *name)
{
	if (!o->json) {
		put(o, "%s:\n", name);
		return;
	}
	json_next(o);
	put_json_string(o, name);
	put(o, ":");
	json_open(o, '{', '}');
}

void
ctl_kv_str(struct ctl_out *o, const char *key, const char *value)
{
	if (!o->json) {
		put(o, "  %-28s %s\n", key, value);
		return;
	}
	json_next(o);
	put_json_string(o, key);
	put(o, ":");
	put_json_string(o, value);
}

void
ctl_kv_u64(struct ctl_out *o, const char *key, uint64_t value)
{
	if (!o->json) {
		put(o, "  %-28s %llu\n", key, (unsigned long long)value);
		return;
	}
	json_next(o);
	put_json_string(o, key);
	put(o, ":%llu", (unsigned long long)value);
}

void
ctl_section_end(struct ctl_out *o)
{
	if (o->json)
		json_close(o);
}

void
ctl_table_begin(struct ctl_out *o, const char *name, const struct ctl_col *cols, unsigned n)
{
	o->cols = cols;
	o->n_cols = n < CTL_MAX_COLS ? n : CTL_MAX_COLS;
	o->col = 0;
	if (o->json) {
		json_next(o);
		put_json_string(o, name);
		put(o, ":");
		json_open(o, '[', ']');
		return;
	}
	for (unsigned i = 0; i < o->n_cols; i++)
		put(o, "%*s%s", cols[i].width, cols[i].name, i + 1 < o->n_cols ? " " : "\n");
}

static void
cell_begin(struct ctl_out *o)
{
	if (!o->json || o->col != 0)
		return;
	json_next(o);
	json_open(o, '{', '}');
}

static void
cell_end(struct ctl_out *o)
{
	if (++o->col < o->n_cols) {
		if (!o->json)
			put(o, " ");
		return;
	}
	o->col = 0;
	if (o->json)
		json_close(o);
	else
		put(o, "\n");
}

/* One cell: its column's name as the JSON key, or its column's width in text. */
static const struct ctl_col *
cell_key(struct ctl_out *o)
{
	const struct ctl_col *c;

	if (o->cols == NULL)
		return NULL;
	c = &o->cols[o->col];
	cell_begin(o);
	if (o->json) {
		json_next(o);
		put_json_string(o, c->name);
		put(o, ":");
	}
	return c;
}

void
ctl_cell_str(struct ctl_out *o, const char *s)
{
	const struct ctl_col *c = cell_key(o);

	if (c == NULL)
		return;
	if (o->json)
		put_json_string(o, s);
	else
		put(o, "%*s", c->width, s);
	cell_end(o);
}

void
ctl_cell_u64(struct ctl_out *o, uint64_t v)
{
	const struct ctl_col *c = cell_key(o);

	if (c == NULL)
		return;
	put(o, "%*llu", o->json ? 0 : c->width, (unsigned long long)v);
	cell_end(o);
}

void
ctl_table_end(struct ctl_out *o)
{
	if (o->cols != NULL && o->col != 0) { /* a short last row: end it first */
		if (o->json) {
			json_close(o);
		} else {
			if (o->len > 0 && o->buf[o->len - 1] == ' ')
				o->len--; /* the separator before a cell that never came */
			put(o, "\n");
		}
		o->col = 0;
	}
	if (o->json)
		json_close(o);
	o->cols = NULL;
	o->n_cols = 0;
}

void
ctl_text(struct ctl_out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->json)
		return;
	va_start(ap, fmt);
	vput(o, fmt, ap);
	va_end(ap);
}
