/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Session tables: rte_hash with lock-free concurrent readers. A deleted
 * key keeps its slot (RTE_HASH_EXTRA_FLAGS_NO_FREE_ON_DEL) and the entry
 * its memory and counters index until every worker has reported a
 * quiescent state since (rte_rcu_qsbr_start/check): only then are the key
 * slots freed (rte_hash_free_key_with_position) and the entry released.
 * The retire list is ours rather than the hash's defer queue so that the
 * control lcore can reclaim when it likes (DPDK 22.11 has no call to
 * drain the hash's queue) and so that one entry indexed twice (by L2TP
 * IDs, by subscriber address) is released once. DPDK 22.11 does not defer
 * the free of a data pointer replaced in place, so a change is always
 * delete + add.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "dp.h"
#include "l2tp_wire.h"

struct retired {
	struct dp_session *s;
	int32_t pos_l2tp, pos_sub4, pos_sub6; /* key slots to free, -1 for none */
	uint64_t token;			      /* rte_rcu_qsbr_start() at withdrawal */
};

/*
 * Entries live in one array (no allocator header per session: the
 * dataplane budget is 256 bytes a session). There are more entries than
 * sessions, by the grace headroom, because a replaced or deleted entry
 * stays readable until its grace period ends.
 */
struct dp_tables {
	struct rte_hash *by_l2tp;
	struct rte_hash *by_sub4;
	struct rte_hash *by_sub6;
	struct rte_fib *routes4;  /* NULL until dp_routes_enable() */
	struct rte_fib6 *routes6; /* NULL until dp_routes6_enable() */
	struct rte_rcu_qsbr *qsbr;
	char name[32];
	uint32_t capacity;
	uint32_t count;
	uint32_t *free_index; /* stack of counters slots */
	uint32_t n_free;
	struct dp_session *entries;
	uint32_t n_entries;
	uint32_t *free_entry; /* stack of entries */
	uint32_t n_free_entries;
	dp_slot_freed_fn *slot_freed;
	void *slot_freed_ctx;
	struct retired *retired; /* FIFO: tokens only grow */
	uint32_t retired_head, n_retired, retired_cap;
};

/* Headroom for entries and keys in their grace period: an eighth, at least 64. */
static uint32_t
grace_room(uint32_t max_sessions)
{
	return max_sessions / 8 + 64;
}

static struct dp_session *
entry_get(struct dp_tables *t)
{
	if (t->n_free_entries == 0)
		dp_tables_reclaim(t);
	if (t->n_free_entries == 0)
		return NULL;
	return &t->entries[t->free_entry[--t->n_free_entries]];
}

static void
entry_put(struct dp_tables *t, struct dp_session *s)
{
	t->free_entry[t->n_free_entries++] = (uint32_t)(s - t->entries);
}

static const char *const counter_text[] = {
#define X(id, text) [DP_##id] = text,
#include "dp_counters.def"
#undef X
};

static char counter_names[DP_COUNTER_MAX][32];

const char *
dp_counter_text(enum dp_counter c)
{
	return (unsigned)c < DP_COUNTER_MAX ? counter_text[c] : "?";
}

/* "DROP_WRONG_PEER" -> "drop_wrong_peer", for lnsctl, telemetry and metrics. */
const char *
dp_counter_name(enum dp_counter c)
{
	static const char *const ids[] = {
#define X(id, text) [DP_##id] = #id,
#include "dp_counters.def"
#undef X
	};

	if ((unsigned)c >= DP_COUNTER_MAX)
		return "?";
	if (counter_names[c][0] == '\0')
		for (size_t i = 0; ids[c][i] && i < sizeof(counter_names[c]) - 1; i++)
			counter_names[c][i] = (char)(ids[c][i] >= 'A' && ids[c][i] <= 'Z'
							     ? ids[c][i] + ('a' - 'A')
							     : ids[c][i]);
	return counter_names[c];
}

/*
 * Key compares for the tables' 4- and 8-byte keys: rte_hash has its own
 * only for keys of 16 bytes and more, and calls memcmp() for shorter ones.
 */
static int
key4_differs(const void *a, const void *b, size_t len)
{
	uint32_t x, y;

	(void)len;
	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return x != y;
}

static int
key8_differs(const void *a, const void *b, size_t len)
{
	uint64_t x, y;

	(void)len;
	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return x != y;
}

static struct rte_hash *
make_hash(const char *name, const char *suffix, uint32_t entries, uint32_t key_len, int socket)
{
	char full[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = full,
		.entries = entries,
		.key_len = key_len,
		.hash_func = rte_hash_crc,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_NO_FREE_ON_DEL,
	};

	struct rte_hash *h;

	snprintf(full, sizeof(full), "%s_%s", name, suffix);
	h = rte_hash_create(&hp);
	if (h != NULL)
		rte_hash_set_cmp_func(h, key_len == sizeof(uint32_t) ? key4_differs : key8_differs);
	return h;
}

struct dp_tables *
dp_tables_create(const char *name, uint32_t max_sessions, int socket, struct rte_rcu_qsbr *qsbr)
{
	struct dp_tables *t = rte_zmalloc_socket(name, sizeof(*t), 0, socket);

	if (t == NULL)
		return NULL;
	t->capacity = max_sessions;
	t->qsbr = qsbr;
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->retired_cap = grace_room(max_sessions);
	t->n_entries = max_sessions + grace_room(max_sessions);
	t->free_index = rte_malloc_socket(name, sizeof(uint32_t) * max_sessions, 0, socket);
	t->free_entry = rte_malloc_socket(name, sizeof(uint32_t) * t->n_entries, 0, socket);
	t->entries = rte_malloc_socket(name, sizeof(*t->entries) * t->n_entries,
				       RTE_CACHE_LINE_SIZE, socket);
	t->retired = rte_malloc_socket(name, sizeof(*t->retired) * t->retired_cap, 0, socket);
	t->by_l2tp = make_hash(name, "l2tp", t->n_entries, sizeof(uint32_t), socket);
	t->by_sub4 = make_hash(name, "sub4", t->n_entries, sizeof(uint32_t), socket);
	t->by_sub6 = make_hash(name, "sub6", t->n_entries, sizeof(uint64_t), socket);
	if (t->free_index == NULL || t->free_entry == NULL || t->entries == NULL ||
	    t->retired == NULL || t->by_l2tp == NULL || t->by_sub4 == NULL || t->by_sub6 == NULL) {
		dp_tables_free(t);
		return NULL;
	}
	for (uint32_t i = 0; i < max_sessions; i++)
		t->free_index[i] = max_sessions - 1 - i;
	t->n_free = max_sessions;
	for (uint32_t i = 0; i < t->n_entries; i++)
		t->free_entry[i] = t->n_entries - 1 - i;
	t->n_free_entries = t->n_entries;
	return t;
}

void
dp_tables_free(struct dp_tables *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->by_l2tp);
	rte_hash_free(t->by_sub4);
	rte_hash_free(t->by_sub6);
	rte_fib_free(t->routes4);
	rte_fib6_free(t->routes6);
	rte_free(t->retired);
	rte_free(t->entries);
	rte_free(t->free_entry);
	rte_free(t->free_index);
	rte_free(t);
}

/* A key added a moment ago, never seen by a reader that could keep it: undone at once. */
static void
unpublish_key(struct rte_hash *h, const void *key)
{
	int32_t pos = rte_hash_del_key(h, key);

	if (pos >= 0)
		rte_hash_free_key_with_position(h, pos);
}

static int
publish(struct dp_tables *t, struct dp_session *s)
{
	uint32_t k = dp_l2tp_key(s->tunnel_id, s->session_id);
	int rc;

	rc = rte_hash_add_key_data(t->by_l2tp, &k, s);
	if (rc != 0)
		return rc;
	if (s->sub_ipv4 != 0) {
		rc = rte_hash_add_key_data(t->by_sub4, &s->sub_ipv4, s);
		if (rc != 0) {
			unpublish_key(t->by_l2tp, &k);
			return rc;
		}
	}
	if (s->sub_ipv6_prefix != 0) {
		rc = rte_hash_add_key_data(t->by_sub6, &s->sub_ipv6_prefix, s);
		if (rc != 0) {
			if (s->sub_ipv4 != 0)
				unpublish_key(t->by_sub4, &s->sub_ipv4);
			unpublish_key(t->by_l2tp, &k);
			return rc;
		}
	}
	t->count++;
	return 0;
}

int
dp_session_add(struct dp_tables *t, const struct dp_session *in)
{
	uint32_t k = dp_l2tp_key(in->tunnel_id, in->session_id);
	struct dp_session *s;
	int rc;

	if (in->access_if >= DP_MAX_IFS)
		return -EINVAL; /* the workers index dp_ports.access[] with it */
	if (rte_hash_lookup(t->by_l2tp, &k) >= 0 ||
	    (in->sub_ipv4 != 0 && rte_hash_lookup(t->by_sub4, &in->sub_ipv4) >= 0) ||
	    (in->sub_ipv6_prefix != 0 && rte_hash_lookup(t->by_sub6, &in->sub_ipv6_prefix) >= 0))
		return -EEXIST;
	if (t->n_free == 0)
		dp_tables_reclaim(t);
	if (t->n_free == 0)
		return -ENOSPC;
	s = entry_get(t);
	if (s == NULL)
		return -EBUSY; /* every spare entry in a grace period: workers stalled */
	*s = *in;
	s->keep_index = false;
	s->index = t->free_index[--t->n_free];
	rc = publish(t, s);
	if (rc != 0) {
		t->free_index[t->n_free++] = s->index;
		entry_put(t, s);
		return rc;
	}
	return (int)s->index;
}

/* Takes a session out of both hashes; its key slots wait for RCU. */
static struct dp_session *
withdraw(struct dp_tables *t, uint16_t tunnel_id, uint16_t session_id)
{
	uint32_t k = dp_l2tp_key(tunnel_id, session_id);
	struct retired *r;
	struct dp_session *s;

	if (rte_hash_lookup_data(t->by_l2tp, &k, (void **)&s) < 0)
		return NULL;
	if (t->n_retired == t->retired_cap)
		dp_tables_reclaim(t);
	if (t->n_retired == t->retired_cap)
		return NULL; /* every slot still in a grace period: workers stalled */
	r = &t->retired[(t->retired_head + t->n_retired) % t->retired_cap];
	r->s = s;
	r->pos_l2tp = rte_hash_del_key(t->by_l2tp, &k);
	r->pos_sub4 = s->sub_ipv4 != 0 ? rte_hash_del_key(t->by_sub4, &s->sub_ipv4) : -1;
	r->pos_sub6 =
		s->sub_ipv6_prefix != 0 ? rte_hash_del_key(t->by_sub6, &s->sub_ipv6_prefix) : -1;
	r->token = rte_rcu_qsbr_start(t->qsbr);
	t->n_retired++;
	t->count--;
	return s;
}

const struct dp_session *
dp_session_find(struct dp_tables *t, uint16_t tunnel_id, uint16_t session_id)
{
	uint32_t k = dp_l2tp_key(tunnel_id, session_id);
	void *s;

	return rte_hash_lookup_data(t->by_l2tp, &k, &s) >= 0 ? s : NULL;
}

int
dp_session_del(struct dp_tables *t, uint16_t tunnel_id, uint16_t session_id)
{
	uint32_t k = dp_l2tp_key(tunnel_id, session_id);

	if (rte_hash_lookup(t->by_l2tp, &k) < 0)
		return -ENOENT;
	return withdraw(t, tunnel_id, session_id) != NULL ? 0 : -EBUSY;
}

/* The keys a replacement adds (ones the old entry does not have): all or none. */
static int
add_new_keys(struct dp_tables *t, const struct dp_session *old, struct dp_session *s)
{
	bool new4 = s->sub_ipv4 != 0 && s->sub_ipv4 != old->sub_ipv4;
	bool new6 = s->sub_ipv6_prefix != 0 && s->sub_ipv6_prefix != old->sub_ipv6_prefix;
	int rc;

	if ((new4 && rte_hash_lookup(t->by_sub4, &s->sub_ipv4) >= 0) ||
	    (new6 && rte_hash_lookup(t->by_sub6, &s->sub_ipv6_prefix) >= 0))
		return -EEXIST; /* another session's */
	if (new4 && (rc = rte_hash_add_key_data(t->by_sub4, &s->sub_ipv4, s)) != 0)
		return rc;
	if (new6 && (rc = rte_hash_add_key_data(t->by_sub6, &s->sub_ipv6_prefix, s)) != 0) {
		if (new4)
			unpublish_key(t->by_sub4, &s->sub_ipv4);
		return rc;
	}
	return 0;
}

/* A key both entries have: its data swapped in place, atomically for readers. */
static void
swap_data(struct rte_hash *h, const void *key, struct dp_session *s)
{
	int rc = rte_hash_add_key_data(h, key, s); /* an existing key: no allocation */

	RTE_VERIFY(rc == 0);
}

/*
 * Readers see the old entry or the new one, never neither: keys the new
 * entry adds go in first, shared keys have their data swapped, and keys
 * only the old one had go last; the old entry and those key slots wait out
 * a grace period. A failure leaves the old entry published as it was.
 */
int
dp_session_replace(struct dp_tables *t, const struct dp_session *in)
{
	uint32_t k = dp_l2tp_key(in->tunnel_id, in->session_id);
	struct dp_session *old, *s;
	struct retired *r;
	int rc;

	if (in->access_if >= DP_MAX_IFS)
		return -EINVAL;
	if (rte_hash_lookup_data(t->by_l2tp, &k, (void **)&old) < 0)
		return -ENOENT;
	if (t->n_retired == t->retired_cap)
		dp_tables_reclaim(t);
	if (t->n_retired == t->retired_cap || (s = entry_get(t)) == NULL)
		return -EBUSY; /* every spare in a grace period: workers stalled */
	*s = *in;
	s->keep_index = false;
	s->index = old->index;
	rc = add_new_keys(t, old, s);
	if (rc != 0) {
		entry_put(t, s);
		return rc;
	}
	swap_data(t->by_l2tp, &k, s);
	if (s->sub_ipv4 != 0 && s->sub_ipv4 == old->sub_ipv4)
		swap_data(t->by_sub4, &s->sub_ipv4, s);
	if (s->sub_ipv6_prefix != 0 && s->sub_ipv6_prefix == old->sub_ipv6_prefix)
		swap_data(t->by_sub6, &s->sub_ipv6_prefix, s);
	old->keep_index = true; /* the counters slot is the new entry's now */
	r = &t->retired[(t->retired_head + t->n_retired) % t->retired_cap];
	r->s = old;
	r->pos_l2tp = -1;
	r->pos_sub4 = old->sub_ipv4 != 0 && old->sub_ipv4 != s->sub_ipv4
			      ? rte_hash_del_key(t->by_sub4, &old->sub_ipv4)
			      : -1;
	r->pos_sub6 = old->sub_ipv6_prefix != 0 && old->sub_ipv6_prefix != s->sub_ipv6_prefix
			      ? rte_hash_del_key(t->by_sub6, &old->sub_ipv6_prefix)
			      : -1;
	r->token = rte_rcu_qsbr_start(t->qsbr);
	t->n_retired++;
	return (int)s->index;
}

uint32_t
dp_session_count(const struct dp_tables *t)
{
	return t->count;
}

uint32_t
dp_tables_capacity(const struct dp_tables *t)
{
	return t->capacity;
}

void
dp_tables_on_slot_freed(struct dp_tables *t, dp_slot_freed_fn *fn, void *ctx)
{
	t->slot_freed = fn;
	t->slot_freed_ctx = ctx;
}

/* Frees, oldest first, what every worker has stopped looking at. */
unsigned
dp_tables_reclaim(struct dp_tables *t)
{
	unsigned freed = 0;

	while (t->n_retired > 0) {
		struct retired *r = &t->retired[t->retired_head];

		if (rte_rcu_qsbr_check(t->qsbr, r->token, false) != 1)
			break;
		if (r->pos_l2tp >= 0)
			rte_hash_free_key_with_position(t->by_l2tp, r->pos_l2tp);
		if (r->pos_sub4 >= 0)
			rte_hash_free_key_with_position(t->by_sub4, r->pos_sub4);
		if (r->pos_sub6 >= 0)
			rte_hash_free_key_with_position(t->by_sub6, r->pos_sub6);
		if (!r->s->keep_index) {
			if (t->slot_freed != NULL)
				t->slot_freed(t->slot_freed_ctx, r->s->index);
			t->free_index[t->n_free++] = r->s->index;
		}
		entry_put(t, r->s);
		t->retired_head = (t->retired_head + 1) % t->retired_cap;
		t->n_retired--;
		freed++;
	}
	return freed;
}

/*
 * A bulk lookup of n keys of key_len bytes. The signatures are computed
 * here, where rte_hash_crc() inlines to one instruction per key, rather
 * than by rte_hash through its function pointer (the same function, init
 * value 0, so the same signatures).
 */
static inline void
lookup(const struct rte_hash *h, const void *keys, size_t key_len, unsigned n,
       const struct dp_session **out)
{
	const void *kp[DP_BURST];
	hash_sig_t sig[DP_BURST];
	void *data[DP_BURST];
	uint64_t hits = 0;

	for (unsigned i = 0; i < n; i++) {
		kp[i] = (const uint8_t *)keys + i * key_len;
		sig[i] = rte_hash_crc(kp[i], (uint32_t)key_len, 0);
	}
	rte_hash_lookup_with_hash_bulk_data(h, kp, sig, n, &hits, data);
	for (unsigned i = 0; i < n; i++)
		out[i] = (hits >> i & 1) ? data[i] : NULL;
}

void
dp_lookup_l2tp(struct dp_tables *t, const uint32_t *keys, unsigned n, const struct dp_session **out)
{
	lookup(t->by_l2tp, keys, sizeof(*keys), n, out);
}

void
dp_lookup_sub4(struct dp_tables *t, const uint32_t *addrs, unsigned n,
	       const struct dp_session **out)
{
	lookup(t->by_sub4, addrs, sizeof(*addrs), n, out);
}

void
dp_lookup_sub6(struct dp_tables *t, const uint64_t *prefixes, unsigned n,
	       const struct dp_session **out)
{
	lookup(t->by_sub6, prefixes, sizeof(*prefixes), n, out);
}

int
dp_routes_enable(struct dp_tables *t, uint32_t max_routes)
{
	char name[RTE_MEMZONE_NAMESIZE];
	struct rte_fib_conf conf = {
		.type = RTE_FIB_DIR24_8,
		.default_nh = 0, /* no route */
		.max_routes = (int)max_routes,
		.dir24_8 = { .nh_sz = RTE_FIB_DIR24_8_4B, .num_tbl8 = max_routes / 4 + 64 },
	};

	if (t->routes4 != NULL)
		return 0;
	snprintf(name, sizeof(name), "%.20s_r4", t->name);
	t->routes4 = rte_fib_create(name, SOCKET_ID_ANY, &conf);
	return t->routes4 != NULL ? 0 : -ENOMEM;
}

/* A route's next hop is the session's key + 1, so that 0 stays "no route". */
static uint64_t
route_nh(uint16_t tunnel_id, uint16_t session_id)
{
	return (uint64_t)dp_l2tp_key(tunnel_id, session_id) + 1;
}

/* Next hops found for the misses idx[0..m) into their sessions, looked up again by key. */
static void
sessions_of_routes(struct dp_tables *t, const uint64_t *nh, const unsigned *idx, unsigned m,
		   const struct dp_session **out)
{
	for (unsigned k = 0; k < m; k++) {
		uint32_t key;
		void *data;

		if (nh[k] == 0)
			continue;
		key = (uint32_t)(nh[k] - 1);
		if (rte_hash_lookup_data(t->by_l2tp, &key, &data) >= 0)
			out[idx[k]] = data;
	}
}

int
dp_route4_add(struct dp_tables *t, uint32_t prefix, uint8_t depth, uint16_t tunnel_id,
	      uint16_t session_id)
{
	if (t->routes4 == NULL)
		return -ENOTSUP;
	if (depth == 0 || depth > 32)
		return -EINVAL;
	return rte_fib_add(t->routes4, prefix, depth, route_nh(tunnel_id, session_id));
}

int
dp_route4_del(struct dp_tables *t, uint32_t prefix, uint8_t depth)
{
	if (t->routes4 == NULL)
		return -ENOTSUP;
	return rte_fib_delete(t->routes4, prefix, depth);
}

bool
dp_route4_is_behind(struct dp_tables *t, uint32_t addr, uint16_t tunnel_id, uint16_t session_id)
{
	uint64_t nh = 0;

	if (t->routes4 == NULL)
		return false;
	rte_fib_lookup_bulk(t->routes4, &addr, &nh, 1);
	return nh == route_nh(tunnel_id, session_id);
}

void
dp_lookup_routes4(struct dp_tables *t, const uint32_t *addrs, unsigned n,
		  const struct dp_session **out)
{
	uint32_t ips[DP_BURST];
	uint64_t nh[DP_BURST];
	unsigned idx[DP_BURST], m = 0;

	if (t->routes4 == NULL)
		return;
	for (unsigned i = 0; i < n; i++)
		if (out[i] == NULL) {
			ips[m] = addrs[i];
			idx[m++] = i;
		}
	if (m == 0)
		return;
	rte_fib_lookup_bulk(t->routes4, ips, nh, (int)m);
	sessions_of_routes(t, nh, idx, m, out);
}

int
dp_routes6_enable(struct dp_tables *t, uint32_t max_routes)
{
	char name[RTE_MEMZONE_NAMESIZE];
	/* a /56 takes four tbl8 groups below the trie's 24-bit first level, a /64 five */
	struct rte_fib6_conf conf = {
		.type = RTE_FIB6_TRIE,
		.default_nh = 0, /* no route */
		.max_routes = (int)max_routes,
		.trie = { .nh_sz = RTE_FIB6_TRIE_4B, .num_tbl8 = max_routes * 5 + 64 },
	};

	if (t->routes6 != NULL)
		return 0;
	snprintf(name, sizeof(name), "%.20s_r6", t->name);
	t->routes6 = rte_fib6_create(name, SOCKET_ID_ANY, &conf);
	return t->routes6 != NULL ? 0 : -ENOMEM;
}

int
dp_route6_add(struct dp_tables *t, const uint8_t prefix[16], uint8_t depth, uint16_t tunnel_id,
	      uint16_t session_id)
{
	if (t->routes6 == NULL)
		return -ENOTSUP;
	if (depth == 0 || depth > 64)
		return -EINVAL;
	return rte_fib6_add(t->routes6, prefix, depth, route_nh(tunnel_id, session_id));
}

int
dp_route6_del(struct dp_tables *t, const uint8_t prefix[16], uint8_t depth)
{
	if (t->routes6 == NULL)
		return -ENOTSUP;
	return rte_fib6_delete(t->routes6, prefix, depth);
}

/* Routes are /64 or shorter, so the first 8 bytes decide; the rest is zero. */
static void
routes6_lookup(struct dp_tables *t, const uint64_t *prefixes, unsigned n, uint64_t *nh)
{
	uint8_t ips[DP_BURST][RTE_FIB6_IPV6_ADDR_SIZE];

	for (unsigned i = 0; i < n; i++) {
		memcpy(ips[i], &prefixes[i], 8);
		memset(ips[i] + 8, 0, 8);
	}
	rte_fib6_lookup_bulk(t->routes6, ips, nh, (int)n);
}

bool
dp_route6_is_behind(struct dp_tables *t, uint64_t prefix, uint16_t tunnel_id, uint16_t session_id)
{
	uint64_t nh = 0;

	if (t->routes6 == NULL)
		return false;
	routes6_lookup(t, &prefix, 1, &nh);
	return nh == route_nh(tunnel_id, session_id);
}

void
dp_lookup_routes6(struct dp_tables *t, const uint64_t *prefixes, unsigned n,
		  const struct dp_session **out)
{
	uint64_t miss[DP_BURST], nh[DP_BURST];
	unsigned idx[DP_BURST], m = 0;

	if (t->routes6 == NULL)
		return;
	for (unsigned i = 0; i < n; i++)
		if (out[i] == NULL) {
			miss[m] = prefixes[i];
			idx[m++] = i;
		}
	if (m == 0)
		return;
	routes6_lookup(t, miss, m, nh);
	sessions_of_routes(t, nh, idx, m, out);
}
