/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A YAML document as a tree (libyaml's parser underneath), every node
 * marked with its line and column, so that every configuration error can
 * say where it is. Anchors and aliases are refused: a carrier's config is
 * read by people, and lnsd keeps it plain.
 */
#ifndef CFG_YAML_H
#define CFG_YAML_H

#include <stddef.h>

enum cfg_node_kind { CFG_SCALAR, CFG_MAP, CFG_SEQ };

struct cfg_node;

struct cfg_pair {
	struct cfg_node *key; /* a scalar */
	struct cfg_node *value;
};

struct cfg_node {
	enum cfg_node_kind kind;
	unsigned line, col;	 /* 1-based */
	char *scalar;		 /* CFG_SCALAR */
	struct cfg_node **items; /* CFG_SEQ */
	struct cfg_pair *pairs;	 /* CFG_MAP */
	size_t n;
};

/*
 * Parses path. Returns the root (an empty map for an empty file), or NULL
 * with "file:line:col: what" in err.
 */
struct cfg_node *cfg_yaml_load(const char *path, char *err, size_t err_len);
void cfg_yaml_free(struct cfg_node *n);

#endif
