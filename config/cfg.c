/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The schema: each section is a table of fields (key, type, where it goes,
 * range). One walker reads any section against its table, so every error
 * reads the same way and no key is silently ignored.
 */
#include "cfg.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_yaml.h"
#include "inet.h"

enum ftype {
	F_STR,
	F_BOOL,
	F_UINT,	      /* into uint8/16/32 by size, within [min, max] */
	F_IPV4,	      /* "192.0.2.1" */
	F_IPV4_PFX,   /* "192.0.2.1/24": address, and the prefix length at off2 */
	F_IPV6_PFX,   /* "2001:db8::1/64": 16 bytes, and the prefix length (uint8_t) at off2 */
	F_IPV6_NET,   /* as F_IPV6_PFX, with the host bits cleared: "2001:db8:100::/48" */
	F_IPV6,	      /* "2001:db8::1": 16 bytes */
	F_ENUM,	      /* one of names[], into an int-sized enum */
	F_SKIP,	      /* read by its section's own code (a list of maps) */
	F_IPV4_LIST,  /* into uint32_t[max], count (unsigned) at off2 */
	F_AUTH_LIST,  /* pap, chap, mschapv2: into enum cfg_auth[max], count at off2 */
	F_RANGE_LIST, /* "a-b" or "a/len": into struct cfg_range[max], count at off2 */
	F_STR_LIST,   /* into char[max][size], count at off2 */
	F_IPV6_LIST,  /* into uint8_t[max][16], count at off2 */
};

struct field {
	const char *key;
	enum ftype type;
	size_t off, size;
	uint64_t min, max; /* F_UINT range; list capacity in max */
	size_t off2;
	const char *const *names;
};

struct ctx {
	const char *path;
	struct cfg_errors *errs;
};

static void
report(struct ctx *x, const struct cfg_node *n, bool warning, const char *fmt, va_list ap)
{
	char(*msg)[CFG_MSG_MAX] = warning ? x->errs->warning : x->errs->msg;
	unsigned *count = warning ? &x->errs->n_warnings : &x->errs->n;
	char what[CFG_MSG_MAX - 128];

	if (*count == CFG_MAX_ERRORS) {
		(*(warning ? &x->errs->warnings_dropped : &x->errs->dropped))++;
		return;
	}
	vsnprintf(what, sizeof(what), fmt, ap);
	snprintf(msg[(*count)++], sizeof(msg[0]), "%s:%u:%u: %s%s", x->path, n ? n->line : 0,
		 n ? n->col : 0, warning ? "warning: " : "", what);
}

static void __attribute__((format(printf, 3, 4)))
error_at(struct ctx *x, const struct cfg_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(x, n, false, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
warn_at(struct ctx *x, const struct cfg_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(x, n, true, fmt, ap);
	va_end(ap);
}

static const char *const kind_names[] = { "a value", "a map (key: value lines)",
					  "a list (- item lines)" };

static bool
want_kind(struct ctx *x, const struct cfg_node *n, enum cfg_node_kind k, const char *what)
{
	if (n->kind == k)
		return true;
	error_at(x, n, "%s must be %s", what, kind_names[k]);
	return false;
}

/* "address/len": the address part into buf, the length (at most max) into len. */
static bool
split_prefix(const char *s, char buf[64], unsigned max, uint8_t *len)
{
	const char *slash = strchr(s, '/');
	char *end;
	unsigned long l;

	if (slash == NULL || (size_t)(slash - s) >= 64)
		return false;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	errno = 0;
	l = strtoul(slash + 1, &end, 10);
	if (errno || *end || end == slash + 1 || l > max)
		return false;
	*len = (uint8_t)l;
	return true;
}

static bool
parse_prefix(const char *s, uint32_t *addr, uint8_t *len)
{
	char buf[64];

	return split_prefix(s, buf, 32, len) && inet4_parse(buf, addr);
}

/* "2001:db8::1/64": an address and a prefix length */
static bool
parse_prefix6(const char *s, uint8_t addr[16], uint8_t *len)
{
	char buf[64];

	return split_prefix(s, buf, 128, len) && inet6_parse(buf, addr);
}

static void
clear_host_bits6(uint8_t addr[16], uint8_t len)
{
	for (unsigned bit = len; bit < 128; bit++)
		addr[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
}

static bool
parse_range(const char *s, struct cfg_range *r)
{
	char a[64];
	const char *dash = strchr(s, '-');
	uint8_t len;

	if (dash != NULL && (size_t)(dash - s) < sizeof(a)) {
		memcpy(a, s, (size_t)(dash - s));
		a[dash - s] = '\0';
		return inet4_parse(a, &r->first) && inet4_parse(dash + 1, &r->last) &&
		       r->first <= r->last;
	}
	if (parse_prefix(s, &r->first, &len)) {
		uint32_t mask = len ? ~0u << (32 - len) : 0;

		r->first &= mask;
		r->last = r->first | ~mask;
		return true;
	}
	return inet4_parse(s, &r->first) && (r->last = r->first, true);
}

static bool
parse_uint(const char *s, uint64_t *v)
{
	char *end;

	if (s[0] == '\0' || s[0] == '-' || s[0] == '+')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno == 0 && *end == '\0';
}

static void
store_uint(void *p, size_t size, uint64_t v)
{
	if (size == 1)
		*(uint8_t *)p = (uint8_t)v;
	else if (size == 2)
		*(uint16_t *)p = (uint16_t)v;
	else
		*(uint32_t *)p = (uint32_t)v;
}

static void
read_scalar(struct ctx *x, const struct field *f, const struct cfg_node *v, char *base)
{
	const char *s = v->scalar;
	uint64_t u;

	switch (f->type) {
	case F_STR:
		if (strlen(s) >= f->size)
			error_at(x, v, "%s: longer than %zu characters", f->key, f->size - 1);
		else
			strcpy(base + f->off, s);
		return;
	case F_BOOL:
		if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 || strcmp(s, "on") == 0)
			*(bool *)(base + f->off) = true;
		else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 || strcmp(s, "off") == 0)
			*(bool *)(base + f->off) = false;
		else
			error_at(x, v, "%s: expected true or false, not '%s'", f->key, s);
		return;
	case F_UINT:
		if (!parse_uint(s, &u))
			error_at(x, v, "%s: expected a whole number, not '%s'", f->key, s);
		else if (u < f->min || u > f->max)
			error_at(x, v, "%s: %s is out of range (%llu to %llu)", f->key, s,
				 (unsigned long long)f->min, (unsigned long long)f->max);
		else
			store_uint(base + f->off, f->size, u);
		return;
	case F_IPV4:
		if (!inet4_parse(s, (uint32_t *)(base + f->off)))
			error_at(x, v, "%s: expected an IPv4 address, not '%s'", f->key, s);
		return;
	case F_IPV4_PFX:
		if (!parse_prefix(s, (uint32_t *)(base + f->off), (uint8_t *)(base + f->off2)))
			error_at(x, v, "%s: expected address/length, not '%s'", f->key, s);
		return;
	case F_IPV6:
		if (!inet6_parse(s, (uint8_t *)(base + f->off)))
			error_at(x, v, "%s: expected an IPv6 address, not '%s'", f->key, s);
		return;
	case F_IPV6_PFX:
	case F_IPV6_NET:
		if (!parse_prefix6(s, (uint8_t *)(base + f->off), (uint8_t *)(base + f->off2)))
			error_at(x, v, "%s: expected an IPv6 prefix/length, not '%s'", f->key, s);
		else if (f->type == F_IPV6_NET)
			clear_host_bits6((uint8_t *)(base + f->off), *(uint8_t *)(base + f->off2));
		return;
	case F_ENUM:
		for (int i = 0; f->names[i] != NULL; i++)
			if (strcmp(s, f->names[i]) == 0) {
				*(int *)(base + f->off) = i;
				return;
			}
		error_at(x, v, "%s: '%s' is not one of the choices", f->key, s);
		return;
	default:
		error_at(x, v, "%s must be a list", f->key);
		return;
	}
}

static bool
read_item(struct ctx *x, const struct field *f, const struct cfg_node *it, char *base, unsigned i)
{
	static const char *const auth_names[] = { "pap", "chap", "mschapv2", NULL };
	const char *s = it->scalar;

	switch (f->type) {
	case F_IPV4_LIST:
		if (inet4_parse(s, (uint32_t *)(base + f->off) + i))
			return true;
		error_at(x, it, "%s: expected an IPv4 address, not '%s'", f->key, s);
		return false;
	case F_RANGE_LIST:
		if (parse_range(s, (struct cfg_range *)(base + f->off) + i))
			return true;
		error_at(x, it, "%s: expected first-last, address/length or an address, not '%s'",
			 f->key, s);
		return false;
	case F_IPV6_LIST:
		if (inet6_parse(s, (uint8_t *)(base + f->off) + 16 * i))
			return true;
		error_at(x, it, "%s: expected an IPv6 address, not '%s'", f->key, s);
		return false;
	case F_STR_LIST:
		if (strlen(s) < f->size) {
			strcpy(base + f->off + i * f->size, s);
			return true;
		}
		error_at(x, it, "%s: longer than %zu characters", f->key, f->size - 1);
		return false;
	default: /* F_AUTH_LIST */
		for (int k = 0; auth_names[k]; k++)
			if (strcmp(s, auth_names[k]) == 0) {
				((enum cfg_auth *)(base + f->off))[i] = (enum cfg_auth)k;
				return true;
			}
		error_at(x, it, "%s: '%s' is not pap, chap or mschapv2", f->key, s);
		return false;
	}
}

static void
read_list(struct ctx *x, const struct field *f, const struct cfg_node *v, char *base)
{
	unsigned *count = (unsigned *)(base + f->off2);

	if (!want_kind(x, v, CFG_SEQ, f->key))
		return;
	if (v->n > f->max) {
		error_at(x, v, "%s: at most %llu entries", f->key, (unsigned long long)f->max);
		return;
	}
	*count = 0;
	for (size_t i = 0; i < v->n; i++)
		if (want_kind(x, v->items[i], CFG_SCALAR, f->key) &&
		    read_item(x, f, v->items[i], base, *count))
			(*count)++;
}

/* One map against its field table; what is not in the table is an error. */
static void
read_map(struct ctx *x, const struct cfg_node *map, const struct field *fields, char *base,
	 const char *what)
{
	if (!want_kind(x, map, CFG_MAP, what))
		return;
	for (size_t i = 0; i < map->n; i++) {
		const struct cfg_node *k = map->pairs[i].key, *v = map->pairs[i].value;
		const struct field *f = fields;
		char known[512] = "";

		for (; f->key != NULL && strcmp(f->key, k->scalar) != 0; f++)
			;
		for (size_t j = 0; f->key == NULL && fields[j].key; j++)
			snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
				 j ? ", " : "", fields[j].key);
		for (size_t j = 0; j < i; j++)
			if (strcmp(map->pairs[j].key->scalar, k->scalar) == 0)
				error_at(x, k, "%s: '%s' given twice", what, k->scalar);
		if (f->key == NULL)
			error_at(x, k, "unknown key '%s' in %s (expected one of: %s)", k->scalar,
				 what, known);
		else if (f->type == F_SKIP)
			continue;
		else if (f->type >= F_IPV4_LIST)
			read_list(x, f, v, base);
		else if (want_kind(x, v, CFG_SCALAR, f->key))
			read_scalar(x, f, v, base);
	}
}

#define FLD(st, name, type, ...)                                                      \
	{                                                                             \
#name, type, offsetof(st, name), sizeof(((st *)0)->name), __VA_ARGS__ \
	}

static const char *const role_names[] = { "access", "core", "both", NULL };
static const char *const too_big_names[] = { "fragment", "icmp", NULL };
static const char *const reneg_names[] = { "on-mismatch", "never", "always", NULL };
static const char *const seq_names[] = { "peer", "never", "always", NULL };
static const char *const aaa_names[] = { "local", "radius", NULL };
static const char *const realm_names[] = { "keep", "strip", NULL };

static const struct field dpdk_fields[] = {
	FLD(struct cfg_dpdk, workers, F_UINT, 1, CFG_MAX_WORKERS),
	FLD(struct cfg_dpdk, lcores, F_STR),
	FLD(struct cfg_dpdk, memory_mb, F_UINT, 64, 1 << 20),
	FLD(struct cfg_dpdk, mbufs, F_UINT, 0, 1 << 24),
	FLD(struct cfg_dpdk, hugepages, F_BOOL),
	FLD(struct cfg_dpdk, file_prefix, F_STR),
	FLD(struct cfg_dpdk, capture, F_BOOL),
	{ "eal_args", F_STR_LIST, offsetof(struct cfg_dpdk, eal_args), 128, 0, CFG_MAX_EAL_ARGS,
	  offsetof(struct cfg_dpdk, n_eal_args), NULL },
	{ NULL },
};

static const struct field port_fields[] = {
	FLD(struct cfg_port, name, F_STR),
	FLD(struct cfg_port, device, F_STR),
	{ "role", F_ENUM, offsetof(struct cfg_port, role), sizeof(int), 0, 0, 0, role_names },
	{ "address", F_IPV4_PFX, offsetof(struct cfg_port, ipv4), 4, 0, 0,
	  offsetof(struct cfg_port, prefix_len), NULL },
	{ "aliases", F_IPV4_LIST, offsetof(struct cfg_port, aliases), 4, 0, CFG_MAX_LISTEN - 1,
	  offsetof(struct cfg_port, n_aliases), NULL },
	FLD(struct cfg_port, vlan, F_UINT, 1, 4094),
	{ "address6", F_IPV6_PFX, offsetof(struct cfg_port, ipv6), 16, 0, 0,
	  offsetof(struct cfg_port, ipv6_len), NULL },
	{ "gateway6", F_IPV6, offsetof(struct cfg_port, gateway6), 16, 0, 0, 0, NULL },
	FLD(struct cfg_port, mtu, F_UINT, 576, 9600),
	FLD(struct cfg_port, rx_queues, F_UINT, 1, 16),
	FLD(struct cfg_port, rx_ring, F_UINT, 64, 32768),
	FLD(struct cfg_port, tx_ring, F_UINT, 64, 32768),
	FLD(struct cfg_port, rx_checksum_offload, F_BOOL),
	FLD(struct cfg_port, tx_checksum_offload, F_BOOL),
	FLD(struct cfg_port, gateway, F_IPV4),
	{ "too_big", F_ENUM, offsetof(struct cfg_port, too_big), sizeof(int), 0, 0, 0,
	  too_big_names },
	{ NULL },
};

static const struct field l2tp_fields[] = {
	FLD(struct cfg_l2tp, host_name, F_STR),
	{ "listen", F_IPV4_LIST, offsetof(struct cfg_l2tp, listen), 4, 0, CFG_MAX_LISTEN,
	  offsetof(struct cfg_l2tp, n_listen), NULL },
	FLD(struct cfg_l2tp, rx_window, F_UINT, 1, 1024),
	FLD(struct cfg_l2tp, hello_interval_s, F_UINT, 0, 3600),
	FLD(struct cfg_l2tp, rtx_initial_ms, F_UINT, 100, 60000),
	FLD(struct cfg_l2tp, rtx_max_ms, F_UINT, 100, 600000),
	FLD(struct cfg_l2tp, rtx_retries, F_UINT, 1, 20),
	FLD(struct cfg_l2tp, no_sessions_left_s, F_UINT, 0, 3600),
	FLD(struct cfg_l2tp, hide_avps, F_BOOL),
	FLD(struct cfg_l2tp, max_tunnels, F_UINT, 1, 65535),
	FLD(struct cfg_l2tp, max_sessions, F_UINT, 1, 4000000),
	FLD(struct cfg_l2tp, max_sessions_per_tunnel, F_UINT, 1, 65535),
	{ NULL },
};

static const struct field profile_fields[] = {
	FLD(struct cfg_profile, name, F_STR),
	FLD(struct cfg_profile, match_host, F_STR),
	{ "match_address", F_IPV4_PFX, offsetof(struct cfg_profile, match_addr), 4, 0, 0,
	  offsetof(struct cfg_profile, match_prefix), NULL },
	FLD(struct cfg_profile, secret, F_STR),
	FLD(struct cfg_profile, hello_interval_s, F_UINT, 0, 3600),
	FLD(struct cfg_profile, rx_window, F_UINT, 1, 1024),
	FLD(struct cfg_profile, max_sessions, F_UINT, 0, 65535),
	{ "lcp_renegotiate", F_ENUM, offsetof(struct cfg_profile, lcp_renegotiate), sizeof(int), 0,
	  0, 0, reneg_names },
	{ "auth", F_AUTH_LIST, offsetof(struct cfg_profile, auth), 0, 0, CFG_MAX_AUTH,
	  offsetof(struct cfg_profile, n_auth), NULL },
	FLD(struct cfg_profile, proxy_auth, F_BOOL),
	FLD(struct cfg_profile, mru, F_UINT, 576, 1500),
	FLD(struct cfg_profile, mss_clamp, F_UINT, 0, 1460),
	FLD(struct cfg_profile, pool, F_STR),
	FLD(struct cfg_profile, ipv6, F_BOOL),
	{ "dns6", F_IPV6_LIST, offsetof(struct cfg_profile, dns6), 16, 0, 2,
	  offsetof(struct cfg_profile, n_dns6), NULL },
	FLD(struct cfg_profile, ra_interval_s, F_UINT, 4, 1800),
	{ "dns", F_IPV4_LIST, offsetof(struct cfg_profile, dns), 4, 0, 2,
	  offsetof(struct cfg_profile, n_dns), NULL },
	{ "sequencing", F_ENUM, offsetof(struct cfg_profile, sequencing), sizeof(int), 0, 0, 0,
	  seq_names },
	FLD(struct cfg_profile, setup_rate, F_UINT, 0, 1000000),
	FLD(struct cfg_profile, max_in_setup, F_UINT, 0, 1000000),
	FLD(struct cfg_profile, send_hello, F_BOOL),
	FLD(struct cfg_profile, tolerate_unknown_mandatory_avp, F_BOOL),
	FLD(struct cfg_profile, local_address, F_IPV4),
	{ "aaa", F_ENUM, offsetof(struct cfg_profile, aaa), sizeof(int), 0, 0, 0, aaa_names },
	{ "realm", F_ENUM, offsetof(struct cfg_profile, realm), sizeof(int), 0, 0, 0, realm_names },
	{ NULL },
};

static const struct field ppp_fields[] = {
	FLD(struct cfg_ppp, local_address, F_IPV4),
	{ NULL },
};

static const struct field radius_server_fields[] = {
	FLD(struct cfg_radius_server, address, F_IPV4),
	FLD(struct cfg_radius_server, auth_port, F_UINT, 1, 65535),
	FLD(struct cfg_radius_server, acct_port, F_UINT, 1, 65535),
	FLD(struct cfg_radius_server, secret, F_STR),
	FLD(struct cfg_radius_server, require_message_authenticator, F_BOOL),
	{ NULL },
};

static const struct field dae_client_fields[] = {
	FLD(struct cfg_radius_server, address, F_IPV4),
	FLD(struct cfg_radius_server, secret, F_STR),
	{ NULL },
};

/* "servers" is read by read_radius(): a list of maps */
static const struct field radius_fields[] = {
	FLD(struct cfg_radius, nas_identifier, F_STR),
	FLD(struct cfg_radius, nas_ip_address, F_IPV4),
	FLD(struct cfg_radius, timeout_ms, F_UINT, 50, 60000),
	FLD(struct cfg_radius, retries, F_UINT, 0, 10),
	FLD(struct cfg_radius, threads, F_UINT, 1, 64),
	FLD(struct cfg_radius, queue, F_UINT, 1, 1000000),
	FLD(struct cfg_radius, acct_backlog, F_UINT, 1, 10000000),
	FLD(struct cfg_radius, interim_interval_s, F_UINT, 0, 86400),
	FLD(struct cfg_radius, dae_listen, F_IPV4),
	FLD(struct cfg_radius, dae_port, F_UINT, 1, 65535),
	{ "servers", F_SKIP, 0, 0, 0, 0, 0, NULL },	/* read_radius() */
	{ "dae_clients", F_SKIP, 0, 0, 0, 0, 0, NULL }, /* read_radius() */
	{ NULL },
};

static const struct field user_fields[] = {
	FLD(struct cfg_user, name, F_STR),
	FLD(struct cfg_user, password, F_STR),
	/* 255.255.255.255: the subscriber chooses, as with RADIUS Framed-IP-Address */
	{ "address", F_IPV4, offsetof(struct cfg_user, ipv4), 4, 0, 0, 0, NULL },
	{ NULL },
};

static const char *const target_names[] = { "stderr", "syslog", NULL };
static const char *const facility_names[] = { "daemon", "local0", "local1", "local2", "local3",
					      "local4", "local5", "local6", "local7", NULL };
static const char *const level_names[] = { "err", "warn", "info", "debug", NULL };

#define LEVEL(key, i)                                                                             \
	{                                                                                         \
		key, F_ENUM, offsetof(struct cfg_log, level) + (i) * sizeof(int), sizeof(int), 0, \
			0, 0, level_names                                                         \
	}

/* A level per log category, keyed by the category's name. */
static const struct field log_fields[] = {
	{ "target", F_ENUM, offsetof(struct cfg_log, target), sizeof(int), 0, 0, 0, target_names },
	{ "facility", F_ENUM, offsetof(struct cfg_log, facility), sizeof(int), 0, 0, 0,
	  facility_names },
#define X(id, name) LEVEL(name, LOG_CAT_##id),
	LNS_LOG_CATEGORIES(X)
#undef X
		{ NULL },
};

static const struct field pool_fields[] = {
	FLD(struct cfg_pool, name, F_STR),
	{ "ranges", F_RANGE_LIST, offsetof(struct cfg_pool, ranges), 0, 0, CFG_MAX_RANGES,
	  offsetof(struct cfg_pool, n_ranges), NULL },
	{ "exclude", F_RANGE_LIST, offsetof(struct cfg_pool, exclude), 0, 0, CFG_MAX_RANGES,
	  offsetof(struct cfg_pool, n_exclude), NULL },
	{ "prefix6", F_IPV6_NET, offsetof(struct cfg_pool, prefix6), 16, 0, 0,
	  offsetof(struct cfg_pool, prefix6_len), NULL },
	{ NULL },
};

static const struct field management_fields[] = {
	FLD(struct cfg_management, socket, F_STR),
	FLD(struct cfg_management, metrics_listen, F_IPV4),
	FLD(struct cfg_management, metrics_port, F_UINT, 1, 65535),
	FLD(struct cfg_management, telemetry, F_BOOL),
	{ NULL },
};

static void
defaults(struct lns_config *c)
{
	c->dpdk.workers = 1;
	c->dpdk.memory_mb = 512;
	snprintf(c->dpdk.file_prefix, sizeof(c->dpdk.file_prefix), "lnsd");
	c->dpdk.capture = true;
	snprintf(c->l2tp.host_name, sizeof(c->l2tp.host_name), "lnsd");
	c->l2tp.rx_window = 4;
	c->l2tp.hello_interval_s = 60;
	c->l2tp.rtx_initial_ms = 1000;
	c->l2tp.rtx_max_ms = 8000;
	c->l2tp.rtx_retries = 5;
	c->l2tp.no_sessions_left_s = 10;
	c->l2tp.max_tunnels = 4096;
	c->l2tp.max_sessions = 131072;
	c->l2tp.max_sessions_per_tunnel = 65535;
	c->radius.timeout_ms = 1000;
	c->radius.retries = 2;
	c->radius.threads = 2;
	c->radius.queue = 4096;
	c->radius.acct_backlog = 65536;
	c->radius.dae_port = 3799;
	snprintf(c->management.socket, sizeof(c->management.socket), "/run/lnsd.sock");
	c->management.metrics_port = 9464;
	c->management.telemetry = true;
	for (unsigned i = 0; i < sizeof(c->log.level) / sizeof(c->log.level[0]); i++)
		c->log.level[i] = LOG_INFO;
}

static void
profile_defaults(struct cfg_profile *p, const struct lns_config *c)
{
	p->hello_interval_s = c->l2tp.hello_interval_s;
	p->rx_window = c->l2tp.rx_window;
	p->auth[0] = CFG_AUTH_CHAP;
	p->auth[1] = CFG_AUTH_MSCHAPV2;
	p->auth[2] = CFG_AUTH_PAP;
	p->n_auth = 3;
	p->proxy_auth = true;
	p->mru = 1460;
	p->send_hello = true;
	p->ra_interval_s = 200;
}

/* A list of maps into a growing array of items of size sz. */
static void *
read_list_of(struct ctx *x, const struct cfg_node *seq, const struct field *fields, size_t sz,
	     unsigned *n, const char *what, void (*init)(void *, const void *), const void *arg)
{
	char *arr;

	*n = 0;
	if (!want_kind(x, seq, CFG_SEQ, what))
		return NULL;
	arr = calloc(seq->n ? seq->n : 1, sz);
	if (arr == NULL) {
		error_at(x, seq, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < seq->n; i++) {
		char *item = arr + (*n)++ * sz;

		if (init != NULL)
			init(item, arg);
		read_map(x, seq->items[i], fields, item, what);
	}
	return arr;
}

static void
init_profile(void *p, const void *c)
{
	profile_defaults(p, c);
}

static void
init_port(void *p, const void *c)
{
	(void)c;
	((struct cfg_port *)p)->mtu = 1500;
	((struct cfg_port *)p)->rx_checksum_offload = true;
}

static bool
ranges_overlap(const struct cfg_range *a, const struct cfg_range *b)
{
	return a->first <= b->last && b->first <= a->last;
}

static const struct cfg_node *
nth_item(const struct cfg_node *seq, unsigned i)
{
	return seq != NULL && seq->kind == CFG_SEQ && i < seq->n ? seq->items[i] : seq;
}

/* Two prefixes overlap when they agree on the shorter one's bits. */
static bool
prefixes6_overlap(const struct cfg_pool *a, const struct cfg_pool *b)
{
	unsigned len = a->prefix6_len < b->prefix6_len ? a->prefix6_len : b->prefix6_len;

	for (unsigned bit = 0; bit < len; bit++) {
		uint8_t m = (uint8_t)(0x80u >> (bit % 8));

		if ((a->prefix6[bit / 8] & m) != (b->prefix6[bit / 8] & m))
			return false;
	}
	return true;
}

static void
check_pools(struct ctx *x, const struct lns_config *c, const struct cfg_node *seq)
{
	for (unsigned i = 0; i < c->n_pools; i++) {
		const struct cfg_pool *p = &c->pools[i];

		if (p->name[0] == '\0')
			error_at(x, nth_item(seq, i), "pool: a name is required");
		if (p->n_ranges == 0)
			error_at(x, nth_item(seq, i), "pool '%s': at least one range is required",
				 p->name);
		if (p->prefix6_len != 0 && (p->prefix6_len < 32 || p->prefix6_len > 63))
			error_at(x, nth_item(seq, i),
				 "pool '%s': prefix6 must be /32 to /63 (each subscriber gets a "
				 "/64)",
				 p->name);
		for (unsigned j = 0; j < i; j++)
			if (p->prefix6_len && c->pools[j].prefix6_len &&
			    prefixes6_overlap(p, &c->pools[j]))
				error_at(x, nth_item(seq, i),
					 "pool '%s': prefix6 overlaps pool '%s'", p->name,
					 c->pools[j].name);
		for (unsigned j = 0; j <= i; j++) {
			const struct cfg_pool *q = &c->pools[j];

			if (j < i && strcmp(p->name, q->name) == 0)
				error_at(x, nth_item(seq, i), "pool '%s' defined twice", p->name);
			for (unsigned a = 0; a < p->n_ranges; a++)
				for (unsigned b = 0; b < q->n_ranges; b++)
					if ((j < i || b < a) &&
					    ranges_overlap(&p->ranges[a], &q->ranges[b]))
						error_at(x, nth_item(seq, i),
							 "pool '%s' overlaps pool '%s'", p->name,
							 q->name);
		}
	}
}

static void
check_profiles(struct ctx *x, const struct lns_config *c, const struct cfg_node *seq)
{
	for (unsigned i = 0; i < c->n_profiles; i++) {
		const struct cfg_profile *p = &c->profiles[i];
		const struct cfg_node *at = nth_item(seq, i);

		if (p->name[0] == '\0')
			error_at(x, at, "profile: a name is required");
		if (p->pool[0] != '\0' && cfg_find_pool(c, p->pool) == NULL)
			error_at(x, at, "profile '%s' names pool '%s', which does not exist",
				 p->name, p->pool);
		else if (p->ipv6 &&
			 (p->pool[0] == '\0' || cfg_find_pool(c, p->pool)->prefix6_len == 0))
			error_at(x, at,
				 "profile '%s': ipv6 needs a pool with a prefix6 to give each "
				 "subscriber a /64",
				 p->name);
		for (unsigned j = 0; j < i; j++) {
			const struct cfg_profile *q = &c->profiles[j];

			if (strcmp(p->name, q->name) == 0)
				error_at(x, at, "profile '%s' defined twice", p->name);
			else if (p->match_host[0] && strcmp(p->match_host, q->match_host) == 0)
				error_at(x, at, "profiles '%s' and '%s' both match host '%s'",
					 q->name, p->name, p->match_host);
		}
	}
}

static const struct cfg_node *
section(const struct cfg_node *root, const char *key)
{
	for (size_t i = 0; i < root->n; i++)
		if (strcmp(root->pairs[i].key->scalar, key) == 0)
			return root->pairs[i].value;
	return NULL;
}

/* A key's value in a map, for messages; the map itself when the key is not there. */
static const struct cfg_node *
value_of(const struct cfg_node *map, const char *key)
{
	const struct cfg_node *v = map != NULL && map->kind == CFG_MAP ? section(map, key) : NULL;

	return v != NULL ? v : map;
}

/*
 * dpdk.lcores, as EAL reads it: "-l" is a list of lcores and ranges
 * ("0-2,4"), each lcore on the CPU of its number; "--lcores" is a list of
 * groups, "LCORES[@CPUS]", where either side is a number, a range or a
 * parenthesised list ("(0-2)@(0,1)", "0@0,1@1,2@1"). The parse gives the
 * lcores in order and the CPUs they run on, so that lnsd can say what is
 * wrong before EAL prints its usage text.
 */
struct lcore_parse {
	const char *s, *err;
	struct cfg_dpdk *d;
};

static bool
parse_number(struct lcore_parse *p, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (*p->s < '0' || *p->s > '9') {
		p->err = "a number was expected";
		return false;
	}
	errno = 0;
	v = strtoul(p->s, &end, 10);
	if (errno != 0 || v >= max) {
		p->err = max == CFG_MAX_LCORE ? "an lcore is 0 to 127" : "a CPU is 0 to 1023";
		return false;
	}
	p->s = end;
	*out = (unsigned)v;
	return true;
}

/* NUM or NUM-NUM, into first and last; a range runs forwards. */
static bool
parse_item(struct lcore_parse *p, unsigned max, unsigned *first, unsigned *last)
{
	if (!parse_number(p, max, first))
		return false;
	*last = *first;
	if (*p->s != '-')
		return true;
	p->s++;
	if (!parse_number(p, max, last))
		return false;
	if (*last < *first) {
		p->err = "a range runs backwards";
		return false;
	}
	return true;
}

/* An item, or (ITEM,ITEM...): into [first[i], last[i]], *n of them; *bare: an unbracketed range. */
static bool
parse_set(struct lcore_parse *p, unsigned max, unsigned first[], unsigned last[], unsigned *n,
	  bool *bare_range)
{
	bool paren = *p->s == '(';

	*n = 0;
	p->s += paren;
	for (;;) {
		if (*n == CFG_MAX_LCORE) {
			p->err = "too many ranges";
			return false;
		}
		if (!parse_item(p, max, &first[*n], &last[*n]))
			return false;
		(*n)++;
		if (!paren || *p->s != ',')
			break;
		p->s++;
	}
	if (paren && *p->s++ != ')') {
		p->err = "a ')' is missing";
		return false;
	}
	*bare_range = !paren && first[0] != last[0];
	return true;
}

static bool
add_lcore(struct lcore_parse *p, unsigned lcore)
{
	struct cfg_dpdk *d = p->d;

	for (unsigned i = 0; i < d->n_lcores; i++)
		if (d->lcore_ids[i] == lcore) {
			p->err = "an lcore is named twice";
			return false;
		}
	if (d->n_lcores == CFG_MAX_LCORE) {
		p->err = "too many lcores";
		return false;
	}
	d->lcore_ids[d->n_lcores++] = (uint16_t)lcore;
	return true;
}

static void
use_cpu(struct cfg_dpdk *d, unsigned c)
{
	d->cpus[c / 8] |= (uint8_t)(1u << (c % 8));
}

/* One group: its lcores, and the CPUs they run on (by default, each its own number). */
static bool
parse_group(struct lcore_parse *p)
{
	unsigned lf[CFG_MAX_LCORE], ll[CFG_MAX_LCORE], cf[CFG_MAX_LCORE], cl[CFG_MAX_LCORE];
	unsigned nl, nc = 0;
	bool bare, cpus_bare;

	if (!parse_set(p, CFG_MAX_LCORE, lf, ll, &nl, &bare))
		return false;
	if (*p->s == '@') {
		if (!p->d->lcores_map || bare) {
			p->err = bare ? "a range before '@' needs brackets: (0-2)@0"
				      : "'@' belongs to the --lcores form";
			return false;
		}
		p->s++;
		if (!parse_set(p, CFG_MAX_CPU, cf, cl, &nc, &cpus_bare))
			return false;
	}
	for (unsigned i = 0; i < nl; i++)
		for (unsigned l = lf[i]; l <= ll[i]; l++) {
			if (!add_lcore(p, l))
				return false;
			if (nc == 0)
				use_cpu(p->d, l);
		}
	for (unsigned i = 0; i < nc; i++)
		for (unsigned c = cf[i]; c <= cl[i]; c++)
			use_cpu(p->d, c);
	return true;
}

static const char *
parse_lcores(struct cfg_dpdk *d)
{
	struct lcore_parse p = { .s = d->lcores, .d = d };

	d->lcores_map = strpbrk(d->lcores, "@(") != NULL;
	for (;;) {
		if (!parse_group(&p))
			return p.err;
		if (*p.s != ',')
			break;
		p.s++;
	}
	return *p.s == '\0' ? NULL : "unexpected characters";
}

/*
 * Each port's place in the file and whether it is a PCI device. A PCI
 * PMD cannot DMA into --no-huge memory: hugepages default to true then.
 */
static void
settle_pci(struct ctx *x, struct lns_config *c, const struct cfg_node *dpdk,
	   const struct cfg_node *ports)
{
	bool any = false;

	for (unsigned i = 0; i < c->n_ports; i++) {
		const struct cfg_node *at = nth_item(ports, i);

		c->ports[i].pci = cfg_device_is_pci(c->ports[i].device);
		c->ports[i].at = (struct cfg_where){ at->line, at->col };
		any = any || c->ports[i].pci;
	}
	if (!any)
		return;
	if (dpdk == NULL || dpdk->kind != CFG_MAP || section(dpdk, "hugepages") == NULL)
		c->dpdk.hugepages = true;
	else if (!c->dpdk.hugepages)
		error_at(x, section(dpdk, "hugepages"),
			 "dpdk.hugepages: false, but a port is a PCI device: a NIC cannot DMA "
			 "into --no-huge memory (leave hugepages out, or set it true)");
}

static void
settle_lcores(struct ctx *x, struct cfg_dpdk *d, const struct cfg_node *dpdk)
{
	const struct cfg_node *at = value_of(dpdk, "lcores");
	const char *err;

	if (d->lcores[0] == '\0') {
		snprintf(d->lcores, sizeof(d->lcores), "0-%u", d->workers);
		at = value_of(dpdk, "workers"); /* what the default comes from */
	}
	if (at != NULL)
		d->lcores_at = (struct cfg_where){ at->line, at->col };
	err = parse_lcores(d);
	if (err != NULL)
		error_at(x, at,
			 "dpdk.lcores '%s': %s (EAL's -l form '0-2', or its --lcores form "
			 "'0@0,1@1,2@1' for more lcores than CPUs)",
			 d->lcores, err);
	else if (d->n_lcores < d->workers + 1u)
		error_at(x, at,
			 "dpdk.lcores '%s' names %u lcores: %u workers need %u (the control "
			 "lcore and one each)",
			 d->lcores, d->n_lcores, d->workers, d->workers + 1u);
}

bool
cfg_uses_cpu(const struct cfg_dpdk *d, unsigned c)
{
	return c < CFG_MAX_CPU && (d->cpus[c / 8] >> (c % 8) & 1);
}

static bool
hex_digits(const char *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

bool
cfg_device_is_pci(const char *dev)
{
	size_t n = strcspn(dev, ",");

	if (n == 12 && hex_digits(dev, 4) && dev[4] == ':')
		dev += 5, n -= 5; /* the domain */
	return n == 7 && hex_digits(dev, 2) && dev[2] == ':' && hex_digits(dev + 3, 2) &&
	       dev[5] == '.' && dev[6] >= '0' && dev[6] <= '7';
}

bool
cfg_same_device(const char *a, const char *b)
{
	size_t la = strcspn(a, ","), lb = strcspn(b, ",");

	return la == lb && strncmp(a, b, la) == 0;
}

/*
 * One to CFG_MAX_SIDE_PORTS ports facing the LACs (access) and as many
 * facing the core (core); a port with role both is one of each (one-armed
 * on one VLAN). Two entries may share a device (EAL knows it by the name
 * before its first comma) only as access and core on two VLANs (one-armed
 * on a trunk).
 */
static void
check_port_sides(struct ctx *x, const struct lns_config *c, const struct cfg_node *ports)
{
	unsigned n_access = 0, n_core = 0;

	for (unsigned i = 0; i < c->n_ports; i++) {
		const struct cfg_port *p = &c->ports[i];

		n_access += p->role != CFG_PORT_CORE;
		n_core += p->role != CFG_PORT_ACCESS;
		for (unsigned j = 0; j < i; j++) {
			const struct cfg_port *q = &c->ports[j];

			if (!cfg_same_device(p->device, q->device))
				continue;
			if (p->role == CFG_PORT_BOTH || q->role == CFG_PORT_BOTH ||
			    p->role == q->role || p->vlan == q->vlan)
				error_at(x, nth_item(ports, i),
					 "port '%s': device also used by port '%s': one device "
					 "carries access and core only on two different VLANs "
					 "(or use one port with role both)",
					 p->name, q->name);
		}
	}
	if (n_access < 1 || n_core < 1 || n_access > CFG_MAX_SIDE_PORTS ||
	    n_core > CFG_MAX_SIDE_PORTS)
		error_at(x, ports,
			 "ports: %u facing the LACs and %u facing the core: 1 to %d of each are "
			 "needed (role access, role core, or role both for one port that is both)",
			 n_access, n_core, CFG_MAX_SIDE_PORTS);
}

static bool
on_subnet(const struct cfg_port *p, uint32_t ip)
{
	uint32_t mask = p->prefix_len ? ~0u << (32 - p->prefix_len) : 0;

	return (ip & mask) == (p->ipv4 & mask);
}

static bool
name_is_plain(const char *name)
{
	for (const char *c = name; *c != '\0'; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
			return false;
	return true;
}

/*
 * Each port its own subnet: lnsd knows a neighbour (a LAC, a gateway) by
 * its address alone, and chooses the port from it, so two ports must not
 * both reach one. Aliases and gateways on the port's subnet; names that
 * counters and lnsctl's key names can carry.
 */
static void
check_port_addresses(struct ctx *x, const struct lns_config *c, const struct cfg_node *ports)
{
	for (unsigned i = 0; i < c->n_ports; i++) {
		const struct cfg_port *p = &c->ports[i];

		if (!name_is_plain(p->name))
			error_at(x, nth_item(ports, i),
				 "port '%s': a name of letters, digits, '-', '_' and '.' only",
				 p->name);
		for (unsigned k = 0; k < p->n_aliases; k++)
			if (!on_subnet(p, p->aliases[k]))
				error_at(x, nth_item(ports, i),
					 "port '%s': alias " INET4_FMT " is not on its subnet",
					 p->name, INET4_ARGS(p->aliases[k]));
		if (p->gateway != 0 && !on_subnet(p, p->gateway))
			error_at(x, nth_item(ports, i), "port '%s': gateway is not on its subnet",
				 p->name);
		for (unsigned j = 0; j < i; j++) {
			const struct cfg_port *q = &c->ports[j];

			if (p->ipv4 != 0 && q->ipv4 != 0 &&
			    (on_subnet(p, q->ipv4) || on_subnet(q, p->ipv4)))
				error_at(x, nth_item(ports, i),
					 "port '%s': its subnet overlaps port '%s''s: each port "
					 "needs its own",
					 p->name, q->name);
		}
	}
}

/* The access ports' addresses (address and aliases): out has room for every port's. */
static unsigned
access_addresses(const struct lns_config *c, uint32_t out[CFG_MAX_PORTS * CFG_MAX_LISTEN])
{
	unsigned n = 0;

	for (unsigned i = 0; i < c->n_ports; i++) {
		const struct cfg_port *p = &c->ports[i];

		if (p->role == CFG_PORT_CORE)
			continue;
		out[n++] = p->ipv4;
		for (unsigned k = 0; k < p->n_aliases; k++)
			out[n++] = p->aliases[k];
	}
	return n;
}

/*
 * l2tp.listen: access addresses only. Without it, every access address
 * (CFG_MAX_LISTEN at most), filled in here so that lnsd reads one list.
 */
static void
settle_listen(struct ctx *x, struct lns_config *c, const struct cfg_node *l2tp,
	      const struct cfg_node *ports)
{
	uint32_t all[CFG_MAX_PORTS * CFG_MAX_LISTEN];
	unsigned n = access_addresses(c, all);
	const struct cfg_node *at;

	if (c->l2tp.n_listen == 0) {
		if (n > CFG_MAX_LISTEN)
			error_at(x, ports,
				 "ports: %u addresses on the access ports, lnsd listens on %d at "
				 "most: name the ones LACs use in l2tp.listen",
				 n, CFG_MAX_LISTEN);
		c->l2tp.n_listen = (n < CFG_MAX_LISTEN ? n : CFG_MAX_LISTEN);
		memcpy(c->l2tp.listen, all, c->l2tp.n_listen * sizeof(all[0]));
		return;
	}
	at = l2tp != NULL && l2tp->kind == CFG_MAP ? section(l2tp, "listen") : NULL;
	for (unsigned i = 0; i < c->l2tp.n_listen; i++) {
		uint32_t ip = c->l2tp.listen[i];
		bool known = false;

		for (unsigned k = 0; k < n; k++)
			known = known || all[k] == ip;
		if (!known)
			error_at(x, nth_item(at != NULL ? at : l2tp, i),
				 "l2tp.listen: " INET4_FMT " is not one of the access ports' "
				 "addresses (address, aliases)",
				 INET4_ARGS(ip));
	}
}

static bool
lacs_dial(const struct lns_config *c, uint32_t ip)
{
	uint32_t all[CFG_MAX_PORTS * CFG_MAX_LISTEN];
	unsigned n = access_addresses(c, all);

	for (unsigned k = 0; k < n; k++)
		if (all[k] == ip)
			return true;
	return false;
}

static void
warn_if_dialled(struct ctx *x, const struct lns_config *c, const struct cfg_node *at,
		const char *what, uint32_t ip)
{
	if (ip != 0 && lacs_dial(c, ip))
		warn_at(x, at,
			"%s " INET4_FMT " is an address LACs dial (an access address): a LAC "
			"whose PPP client shares its host (xl2tpd with pppd, VPN clients, CPE) "
			"routes its own tunnel into the tunnel; give a core or loopback address",
			what, INET4_ARGS(ip));
}

static bool
pool_holds(const struct cfg_pool *p, uint32_t ip)
{
	for (unsigned i = 0; i < p->n_ranges; i++)
		if (p->ranges[i].first <= ip && ip <= p->ranges[i].last) {
			for (unsigned k = 0; k < p->n_exclude; k++)
				if (p->exclude[k].first <= ip && ip <= p->exclude[k].last)
					return false;
			return true;
		}
	return false;
}

/* The first port facing the core, one that LACs do not dial if there is one; -1: none. */
static int
first_core_port(const struct lns_config *c)
{
	int both = -1;

	for (unsigned i = 0; i < c->n_ports; i++) {
		if (c->ports[i].role == CFG_PORT_CORE)
			return (int)i;
		if (c->ports[i].role == CFG_PORT_BOTH && both < 0)
			both = (int)i;
	}
	return both;
}

/*
 * No pool holds an address lnsd gives itself in IPCP: any profile's pool
 * may be named by RADIUS (Framed-Pool), so every pool against every one.
 */
static void
check_pools_against_local(struct ctx *x, const struct lns_config *c, const struct cfg_node *pools)
{
	for (unsigned i = 0; i < c->n_pools; i++)
		for (unsigned k = 0; k <= c->n_profiles; k++) {
			uint32_t ip = k < c->n_profiles ? c->profiles[k].local_address
							: c->ppp.local_address;

			if (ip == 0 || !pool_holds(&c->pools[i], ip))
				continue;
			error_at(x, nth_item(pools, i),
				 "pool '%s' holds " INET4_FMT
				 ", the IPCP address lnsd gives itself "
				 "(%s%s): exclude it from the pool",
				 c->pools[i].name, INET4_ARGS(ip),
				 k < c->n_profiles ? "local_address of profile "
						   : "ppp.local_address",
				 k < c->n_profiles ? c->profiles[k].name : "");
			break;
		}
}

/*
 * The IPCP address lnsd gives itself: ppp.local_address, else the first
 * core port's address; a profile without its own takes that one. An
 * address LACs dial loads with a warning (a one-armed port with role both
 * has no other); one that a subscriber could be given is an error.
 */
static void
settle_local_addresses(struct ctx *x, struct lns_config *c, const struct cfg_node *root)
{
	const struct cfg_node *ppp = section(root, "ppp"), *profiles = section(root, "profiles");
	int core = first_core_port(c);

	if (c->ppp.local_address != 0) {
		warn_if_dialled(x, c, value_of(ppp, "local_address"), "ppp.local_address",
				c->ppp.local_address);
	} else if (core >= 0) {
		c->ppp.local_address = c->ports[core].ipv4;
		warn_if_dialled(x, c,
				value_of(nth_item(section(root, "ports"), (unsigned)core), "role"),
				"ppp.local_address, not given, is this role both port's address:",
				c->ppp.local_address);
	}
	for (unsigned i = 0; i < c->n_profiles; i++) {
		struct cfg_profile *p = &c->profiles[i];

		if (p->local_address != 0)
			warn_if_dialled(x, c, value_of(nth_item(profiles, i), "local_address"),
					"local_address", p->local_address);
		else
			p->local_address = c->ppp.local_address;
	}
	check_pools_against_local(x, c, section(root, "pools"));
}

static void
check_users_and_ports(struct ctx *x, const struct lns_config *c, const struct cfg_node *users,
		      const struct cfg_node *ports)
{
	for (unsigned i = 0; i < c->n_users; i++) {
		if (c->users[i].name[0] == '\0')
			error_at(x, nth_item(users, i), "user: a name is required");
		for (unsigned j = 0; j < i; j++)
			if (strcmp(c->users[i].name, c->users[j].name) == 0)
				error_at(x, nth_item(users, i), "user '%s' defined twice",
					 c->users[i].name);
	}
	for (unsigned i = 0; i < c->n_ports; i++) {
		if (c->ports[i].name[0] == '\0' || c->ports[i].device[0] == '\0')
			error_at(x, nth_item(ports, i), "port: name and device are required");
		if (c->ports[i].ipv4 == 0)
			error_at(x, nth_item(ports, i), "port '%s': an address is required",
				 c->ports[i].name);
		if (c->ports[i].role == CFG_PORT_ACCESS &&
		    (c->ports[i].ipv6_len != 0 || c->ports[i].gateway6[0] != 0))
			error_at(x, nth_item(ports, i),
				 "port '%s': address6 and gateway6 are for the core side (the LACs "
				 "speak IPv4)",
				 c->ports[i].name);
	}
	if (c->n_ports > 0) {
		check_port_sides(x, c, ports);
		check_port_addresses(x, c, ports);
	}
}

static void
init_radius_server(void *p, const void *c)
{
	(void)c;
	((struct cfg_radius_server *)p)->auth_port = 1812;
	((struct cfg_radius_server *)p)->acct_port = 1813;
	((struct cfg_radius_server *)p)->require_message_authenticator = true;
}

/* radius: servers or dae_clients, a list of maps with an address and a secret each */
static unsigned
read_radius_peers(struct ctx *x, const struct cfg_node *v, const struct field *fields,
		  struct cfg_radius_server *out, const char *what)
{
	struct cfg_radius_server *s;
	unsigned count = 0;

	if (v->kind == CFG_SEQ && v->n > CFG_MAX_RADIUS) {
		error_at(x, v, "radius: at most %d %ss", CFG_MAX_RADIUS, what);
		return 0;
	}
	s = read_list_of(x, v, fields, sizeof(*s), &count, what, init_radius_server, NULL);
	for (unsigned k = 0; s != NULL && k < count; k++) {
		if (s[k].address == 0 || s[k].secret[0] == '\0')
			error_at(x, nth_item(v, k), "%s: address and secret are required", what);
		out[k] = s[k];
	}
	free(s);
	return s != NULL ? count : 0;
}

static void
read_radius(struct ctx *x, struct lns_config *c, const struct cfg_node *n)
{
	read_map(x, n, radius_fields, (char *)&c->radius, "radius");
	for (size_t i = 0; n->kind == CFG_MAP && i < n->n; i++) {
		const char *key = n->pairs[i].key->scalar;

		if (strcmp(key, "servers") == 0)
			c->radius.n_servers =
				read_radius_peers(x, n->pairs[i].value, radius_server_fields,
						  c->radius.servers, "radius server");
		else if (strcmp(key, "dae_clients") == 0)
			c->radius.n_dae_clients =
				read_radius_peers(x, n->pairs[i].value, dae_client_fields,
						  c->radius.dae_clients, "dae client");
	}
	if (c->radius.dae_listen != 0 && c->radius.n_dae_clients == 0)
		error_at(x, n, "radius: dae_listen needs dae_clients (address and secret)");
}

static void
check_radius(struct ctx *x, const struct lns_config *c, const struct cfg_node *profiles)
{
	for (unsigned i = 0; i < c->n_profiles; i++)
		if (c->profiles[i].aaa == CFG_AAA_RADIUS && c->radius.n_servers == 0)
			error_at(x, nth_item(profiles, i),
				 "profile '%s' authenticates by RADIUS, but the radius section "
				 "names no servers",
				 c->profiles[i].name);
}

static const struct cfg_node *
section_key(const struct cfg_node *root, const char *key)
{
	for (size_t i = 0; i < root->n; i++)
		if (strcmp(root->pairs[i].key->scalar, key) == 0)
			return root->pairs[i].key;
	return NULL;
}

static void
read_all(struct ctx *x, struct lns_config *c, const struct cfg_node *root)
{
	static const char *const sections[] = { "dpdk",	  "ports",	"l2tp",	 "ppp",
						"log",	  "profiles",	"users", "pools",
						"radius", "management", NULL };
	const struct cfg_node *n;
	struct cfg_port *ports;

	for (size_t i = 0; i < root->n; i++) {
		size_t k = 0;

		while (sections[k] && strcmp(sections[k], root->pairs[i].key->scalar) != 0)
			k++;
		if (sections[k] == NULL)
			error_at(x, root->pairs[i].key,
				 "unknown section '%s' (expected dpdk, ports, l2tp, ppp, log, "
				 "profiles, users, pools, radius, management)",
				 root->pairs[i].key->scalar);
		else if (section(root, sections[k]) != root->pairs[i].value)
			error_at(x, root->pairs[i].key,
				 "section '%s' given twice (first at line %u)", sections[k],
				 section_key(root, sections[k])->line);
	}
	if ((n = section(root, "dpdk")) != NULL)
		read_map(x, n, dpdk_fields, (char *)&c->dpdk, "dpdk");
	if ((n = section(root, "l2tp")) != NULL)
		read_map(x, n, l2tp_fields, (char *)&c->l2tp, "l2tp");
	if ((n = section(root, "ppp")) != NULL)
		read_map(x, n, ppp_fields, (char *)&c->ppp, "ppp");
	if ((n = section(root, "log")) != NULL)
		read_map(x, n, log_fields, (char *)&c->log, "log");
	if ((n = section(root, "management")) != NULL)
		read_map(x, n, management_fields, (char *)&c->management, "management");
	if ((n = section(root, "ports")) != NULL) {
		if (n->kind == CFG_SEQ && n->n > CFG_MAX_PORTS) {
			error_at(x, n, "ports: at most %d", CFG_MAX_PORTS);
		} else {
			ports = read_list_of(x, n, port_fields, sizeof(*ports), &c->n_ports, "port",
					     init_port, NULL);
			if (ports != NULL)
				memcpy(c->ports, ports, sizeof(*ports) * c->n_ports);
			free(ports);
		}
	}
	settle_lcores(x, &c->dpdk, section(root, "dpdk"));
	settle_pci(x, c, section(root, "dpdk"), section(root, "ports"));
	if ((n = section(root, "pools")) != NULL)
		c->pools = read_list_of(x, n, pool_fields, sizeof(*c->pools), &c->n_pools, "pool",
					NULL, NULL);
	if ((n = section(root, "profiles")) != NULL)
		c->profiles = read_list_of(x, n, profile_fields, sizeof(*c->profiles),
					   &c->n_profiles, "profile", init_profile, c);
	if ((n = section(root, "users")) != NULL)
		c->users = read_list_of(x, n, user_fields, sizeof(*c->users), &c->n_users, "user",
					NULL, NULL);
	for (unsigned i = 0; i < c->n_profiles; i++) {
		c->profiles[i].is_default = strcmp(c->profiles[i].name, "default") == 0;
		c->profiles[i].line = nth_item(section(root, "profiles"), i)->line;
	}
	if ((n = section(root, "radius")) != NULL)
		read_radius(x, c, n);
	check_radius(x, c, section(root, "profiles"));
	check_pools(x, c, section(root, "pools"));
	check_profiles(x, c, section(root, "profiles"));
	check_users_and_ports(x, c, section(root, "users"), section(root, "ports"));
	if (c->n_ports > 0)
		settle_listen(x, c, section(root, "l2tp"), section(root, "ports"));
	settle_local_addresses(x, c, root);
	if (c->dpdk.mbufs != 0 && c->dpdk.mbufs < 1023) /* below 1.5 x the 256 cache: refused */
		error_at(x, section(root, "dpdk"),
			 "dpdk: mbufs %u is below 1023 (0: computed from the ports and workers)",
			 c->dpdk.mbufs);
	if (c->l2tp.rtx_max_ms < c->l2tp.rtx_initial_ms)
		error_at(x, section(root, "l2tp"), "l2tp: rtx_max_ms is below rtx_initial_ms");
}

struct lns_config *
cfg_load(const char *path, struct cfg_errors *errs)
{
	struct ctx x = { .path = path, .errs = errs };
	struct lns_config *c;
	struct cfg_node *root;

	memset(errs, 0, sizeof(*errs));
	root = cfg_yaml_load(path, errs->msg[0], sizeof(errs->msg[0]));
	if (root == NULL) {
		errs->n = 1;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		cfg_yaml_free(root);
		snprintf(errs->msg[0], sizeof(errs->msg[0]), "%s: out of memory", path);
		errs->n = 1;
		return NULL;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	defaults(c);
	if (want_kind(&x, root, CFG_MAP, "the configuration"))
		read_all(&x, c, root);
	cfg_yaml_free(root);
	if (errs->n > 0) {
		cfg_free(c);
		return NULL;
	}
	return c;
}

void
cfg_free(struct lns_config *c)
{
	if (c == NULL)
		return;
	free(c->profiles);
	free(c->users);
	free(c->pools);
	free(c);
}

const struct cfg_profile *
cfg_find_profile(const struct lns_config *c, const char *host, size_t host_len, uint32_t addr)
{
	const struct cfg_profile *by_addr = NULL, *fallback = NULL;

	for (unsigned i = 0; i < c->n_profiles; i++) {
		const struct cfg_profile *p = &c->profiles[i];
		uint32_t mask = p->match_prefix ? ~0u << (32 - p->match_prefix) : 0;

		if (p->match_host[0] && strlen(p->match_host) == host_len &&
		    memcmp(p->match_host, host, host_len) == 0 &&
		    (p->match_addr == 0 || (addr & mask) == (p->match_addr & mask)))
			return p;
		if (!p->match_host[0] && p->match_addr != 0 &&
		    (addr & mask) == (p->match_addr & mask))
			by_addr = by_addr ? by_addr : p;
		if (p->is_default)
			fallback = p;
	}
	return by_addr ? by_addr : fallback;
}

const struct cfg_pool *
cfg_find_pool(const struct lns_config *c, const char *name)
{
	for (unsigned i = 0; i < c->n_pools; i++)
		if (strcmp(c->pools[i].name, name) == 0)
			return &c->pools[i];
	return NULL;
}

const struct cfg_user *
cfg_find_user(const struct lns_config *c, const char *name, size_t name_len)
{
	for (unsigned i = 0; i < c->n_users; i++)
		if (strlen(c->users[i].name) == name_len &&
		    memcmp(c->users[i].name, name, name_len) == 0)
			return &c->users[i];
	return NULL;
}
