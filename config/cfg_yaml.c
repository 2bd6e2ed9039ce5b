/* SPDX-License-Identifier: BSD-2-Clause */
#include "cfg_yaml.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct builder {
	yaml_parser_t parser;
	const char *path;
	char *err;
	size_t err_len;
	unsigned depth;
};

#define MAX_DEPTH 32

static struct cfg_node *
new_node(enum cfg_node_kind kind, const yaml_mark_t *m)
{
	struct cfg_node *n = calloc(1, sizeof(*n));

	if (n != NULL) {
		n->kind = kind;
		n->line = (unsigned)m->line + 1;
		n->col = (unsigned)m->column + 1;
	}
	return n;
}

void
cfg_yaml_free(struct cfg_node *n)
{
	if (n == NULL)
		return;
	free(n->scalar);
	for (size_t i = 0; n->kind == CFG_SEQ && i < n->n; i++)
		cfg_yaml_free(n->items[i]);
	for (size_t i = 0; n->kind == CFG_MAP && i < n->n; i++) {
		cfg_yaml_free(n->pairs[i].key);
		cfg_yaml_free(n->pairs[i].value);
	}
	free(n->items);
	free(n->pairs);
	free(n);
}

static void
fail(struct builder *b, const yaml_mark_t *m, const char *what)
{
	if (b->err[0] == '\0')
		snprintf(b->err, b->err_len, "%s:%zu:%zu: %s", b->path, m->line + 1, m->column + 1,
			 what);
}

static struct cfg_node *build(struct builder *b, yaml_event_t *ev);

static bool
next_event(struct builder *b, yaml_event_t *ev)
{
	if (yaml_parser_parse(&b->parser, ev))
		return true;
	fail(b, &b->parser.problem_mark, b->parser.problem ? b->parser.problem : "YAML error");
	return false;
}

static bool
append(void **arr, size_t *n, size_t size, const void *item)
{
	void *grown = realloc(*arr, (*n + 1) * size);

	if (grown == NULL)
		return false;
	*arr = grown;
	memcpy((char *)grown + *n * size, item, size);
	(*n)++;
	return true;
}

static struct cfg_node *
build_seq(struct builder *b, struct cfg_node *n)
{
	for (;;) {
		yaml_event_t ev;
		struct cfg_node *item;

		if (!next_event(b, &ev))
			return NULL;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return n;
		}
		item = build(b, &ev);
		yaml_event_delete(&ev);
		if (item == NULL || !append((void **)&n->items, &n->n, sizeof(item), &item)) {
			cfg_yaml_free(item);
			return NULL;
		}
	}
}

static struct cfg_node *
build_map(struct builder *b, struct cfg_node *n)
{
	for (;;) {
		yaml_event_t ev;
		struct cfg_pair p = { 0 };

		if (!next_event(b, &ev))
			return NULL;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return n;
		}
		if (ev.type != YAML_SCALAR_EVENT) {
			fail(b, &ev.start_mark, "a key must be a plain word");
			yaml_event_delete(&ev);
			return NULL;
		}
		p.key = build(b, &ev);
		yaml_event_delete(&ev);
		if (p.key == NULL || !next_event(b, &ev)) {
			cfg_yaml_free(p.key);
			return NULL;
		}
		p.value = build(b, &ev);
		yaml_event_delete(&ev);
		if (p.value == NULL || !append((void **)&n->pairs, &n->n, sizeof(p), &p)) {
			cfg_yaml_free(p.key);
			cfg_yaml_free(p.value);
			return NULL;
		}
	}
}

static struct cfg_node *
build(struct builder *b, yaml_event_t *ev)
{
	struct cfg_node *n = NULL, *done;

	if (++b->depth > MAX_DEPTH) {
		fail(b, &ev->start_mark, "nested too deep");
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = new_node(CFG_SCALAR, &ev->start_mark);
		if (n != NULL)
			n->scalar = strndup((const char *)ev->data.scalar.value,
					    ev->data.scalar.length);
		done = n != NULL && n->scalar != NULL ? n : NULL;
		break;
	case YAML_SEQUENCE_START_EVENT:
		n = new_node(CFG_SEQ, &ev->start_mark);
		done = n != NULL ? build_seq(b, n) : NULL;
		break;
	case YAML_MAPPING_START_EVENT:
		n = new_node(CFG_MAP, &ev->start_mark);
		done = n != NULL ? build_map(b, n) : NULL;
		break;
	case YAML_ALIAS_EVENT:
		fail(b, &ev->start_mark, "aliases (*name) are not supported");
		done = NULL;
		break;
	default:
		fail(b, &ev->start_mark, "unexpected YAML structure");
		done = NULL;
		break;
	}
	if (done == NULL) {
		fail(b, &ev->start_mark, "out of memory");
		cfg_yaml_free(n);
	}
	b->depth--;
	return done;
}

/* Stream start, document start, the root node, then nothing else. */
struct cfg_node *
cfg_yaml_load(const char *path, char *err, size_t err_len)
{
	struct builder b = { .path = path, .err = err, .err_len = err_len };
	struct cfg_node *root = NULL;
	yaml_event_t ev;
	FILE *f = fopen(path, "rb");

	err[0] = '\0';
	if (f == NULL) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return NULL;
	}
	yaml_parser_initialize(&b.parser);
	yaml_parser_set_input_file(&b.parser, f);
	while (next_event(&b, &ev)) {
		yaml_event_type_t t = ev.type;

		if (t == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT ||
		    t == YAML_SCALAR_EVENT || t == YAML_ALIAS_EVENT) {
			if (root != NULL) {
				fail(&b, &ev.start_mark, "one YAML document only");
				yaml_event_delete(&ev);
				cfg_yaml_free(root);
				root = NULL;
				break;
			}
			root = build(&b, &ev);
			if (root == NULL) {
				yaml_event_delete(&ev);
				break;
			}
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&b.parser);
	fclose(f);
	if (err[0] != '\0') {
		cfg_yaml_free(root);
		return NULL;
	}
	if (root == NULL) {
		yaml_mark_t m = { 0 };

		root = new_node(CFG_MAP, &m);
	}
	return root;
}
