/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What lnsctl shows, written once and rendered two ways: aligned text for
 * people, JSON for scripts. A command writes sections (name/value pairs)
 * and tables (named columns, rows of cells); the buffer grows as needed.
 *
 *   text:  a table is a header line of column names and one line per row;
 *          a section is "stats:" then "  name  value" lines
 *   JSON:  {"tunnels": [{"tunnel": 1, ...}, ...], "stats": {"name": value}}
 */
#ifndef CTL_OUT_H
#define CTL_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_MAX_COLS 16

#define CTL_MAX_DEPTH 8

struct ctl_col {
	const char *name;
	int width; /* text: negative left-aligns */
};

struct ctl_out {
	char *buf;
	size_t len, cap;
	bool json;
	bool failed; /* out of memory: the output is cut, and says so */
	/* where we are */
	unsigned depth;		   /* JSON: open objects and arrays */
	char close[CTL_MAX_DEPTH]; /* what closes each: '}' or ']' */
	bool first_item;	   /* JSON: no comma before the next member */
	const struct ctl_col *cols;
	unsigned n_cols, col;
};

void ctl_out_init(struct ctl_out *o, bool json);
void ctl_out_free(struct ctl_out *o);
/* Closes what is open; the result is buf[0..len). */
void ctl_out_finish(struct ctl_out *o);

void ctl_section_begin(struct ctl_out *o, const char *name);
void ctl_kv_str(struct ctl_out *o, const char *key, const char *value);
void ctl_kv_u64(struct ctl_out *o, const char *key, uint64_t value);
void ctl_section_end(struct ctl_out *o);

void ctl_table_begin(struct ctl_out *o, const char *name, const struct ctl_col *cols, unsigned n);
/* Cells left to right; a row ends after the last column. */
void ctl_cell_str(struct ctl_out *o, const char *s);
void ctl_cell_u64(struct ctl_out *o, uint64_t v);
void ctl_table_end(struct ctl_out *o);

/* Raw text, outside any section (text mode only: ignored in JSON). */
void ctl_text(struct ctl_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
