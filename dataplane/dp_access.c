/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The access side: packets from LACs. A burst is classified packet by
 * packet (Ethernet, optional VLAN, IPv4, UDP to the L2TP port, L2TP data
 * header), looked up in bulk by (tunnel ID, session ID), checked against
 * the session (peer address and port, subscriber source), and then
 * decapsulated toward the core, answered (LCP Echo-Request), punted, or
 * dropped with its reason. A LAC's outer IPv4 fragments are reassembled
 * first (rte_ip_frag), when the worker has a table for them.
 */
/* rte_ip_frag_table_del_expired_entries() is still experimental in 22.11 */
#define ALLOW_EXPERIMENTAL_API

#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>

#include "dp.h"
#include "dp_pkt.h"
#include "l2tp_wire.h"
#include "ppp_wire.h"

enum verdict { V_LOOKUP, V_PUNT, V_DROP, V_REASSEMBLE };

/* What the classification learnt about one packet. */
struct access_pkt {
	enum verdict v;
	enum dp_counter reason; /* for V_DROP and V_PUNT */
	uint32_t key;
	uint32_t src_ip, dst_ip;
	uint16_t src_port;
	uint16_t ip_off;   /* the outer IPv4 header */
	uint16_t l2tp_off; /* where the L2TP header starts */
	uint16_t l2tp_flags;
	uint16_t ppp_off; /* where the PPP frame starts */
	uint16_t ppp_len;
	uint8_t in_if; /* the access interface it came in on */
};

static inline void
classify(const struct dp_worker *w, struct rte_mbuf *m, struct access_pkt *a)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct dp_iface *in = dp_access_in(w, m);
	uint32_t len = rte_pktmbuf_data_len(m);
	uint32_t off, ihl, udp_len;
	uint16_t type, vlan;
	struct l2tp_hdr h;

	a->v = V_DROP;
	a->reason = DP_DROP_SHORT;
	if (!eth_parse(p, len, &vlan, &type, &off))
		return;
	a->reason = DP_DROP_NO_INTERFACE;
	if (in == NULL)
		return;
	a->in_if = (uint8_t)(in - w->ports->access);
	a->reason = DP_DROP_WRONG_VLAN;
	if (vlan != in->vlan)
		return;
	if (type == RTE_ETHER_TYPE_ARP) {
		a->v = V_PUNT;
		a->reason = DP_PUNT_ARP;
		return;
	}
	a->reason = DP_DROP_NOT_IP;
	if (type != RTE_ETHER_TYPE_IPV4)
		return;
	a->reason = DP_DROP_BAD_IP;
	if (len < off + 20 || (p[off] >> 4) != 4)
		return;
	a->reason = DP_DROP_BAD_CHECKSUM;
	if (dp_rx_cksum_bad(in, m, true))
		return;
	a->reason = DP_DROP_BAD_IP;
	ihl = (p[off] & 0xfu) * 4;
	if (ihl < 20 || get_be16(p + off + 2) < ihl + 8 || off + get_be16(p + off + 2) > len)
		return;
	a->ip_off = (uint16_t)off;
	a->reason = DP_DROP_FRAGMENT;
	if (get_be16(p + off + 6) & 0x3fff) {
		if (w->frag_tbl != NULL)
			a->v = V_REASSEMBLE;
		return;
	}
	a->reason = DP_DROP_NOT_L2TP;
	if (p[off + 9] != IPPROTO_UDP || get_be16(p + off + ihl + 2) != w->ports->l2tp_port)
		return;
	a->src_ip = get_be32(p + off + 12);
	a->dst_ip = get_be32(p + off + 16);
	a->src_port = get_be16(p + off + ihl);
	udp_len = get_be16(p + off + ihl + 4);
	a->reason = DP_DROP_SHORT;
	if (udp_len < 8 || udp_len > get_be16(p + off + 2) - ihl)
		return;
	a->l2tp_off = (uint16_t)(off + ihl + 8);
	/*
	 * Nearly all data has the bare header (flags word 0x0002: no L, S,
	 * O, P): read inline what l2tp_hdr_parse() would find, since the
	 * call across files costs more than the whole check.
	 */
	if (udp_len >= 8 + 6 && get_be16(p + a->l2tp_off) == L2TP_VERSION) {
		a->key = get_be32(p + a->l2tp_off + 2); /* dp_l2tp_key(tunnel, session) */
		a->l2tp_flags = L2TP_VERSION;
		a->ppp_off = (uint16_t)(a->l2tp_off + 6);
		a->ppp_len = (uint16_t)(udp_len - 8 - 6);
		a->v = V_LOOKUP;
		return;
	}
	a->reason = DP_DROP_L2TP_HEADER;
	if (l2tp_hdr_parse(&h, p + a->l2tp_off, udp_len - 8) != L2TP_ST_OK)
		return;
	if (l2tp_hdr_is_control(&h)) {
		a->v = V_PUNT;
		a->reason = DP_PUNT_L2TP_CONTROL;
		return;
	}
	a->key = dp_l2tp_key(h.tunnel_id, h.session_id);
	a->l2tp_flags = h.flags;
	a->ppp_off = (uint16_t)(a->l2tp_off + h.hdr_len);
	a->ppp_len = l2tp_hdr_payload_len(&h);
	a->v = V_LOOKUP;
}

static inline void
drop(struct dp_worker *w, struct rte_mbuf *m, enum dp_counter why)
{
	w->counters[why]++;
	rte_pktmbuf_free(m);
}

/*
 * A fragment into the table; the whole packet, in one segment and
 * classified again, once its last fragment is in. NULL while it waits.
 */
static struct rte_mbuf *
reassemble(struct dp_worker *w, struct rte_mbuf *m, struct access_pkt *a)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, a->ip_off);

	w->counters[DP_FRAGMENT_IN]++;
	m->l2_len = a->ip_off;
	m->l3_len = (ip->version_ihl & 0xfu) * 4u;
	m = rte_ipv4_frag_reassemble_packet(w->frag_tbl, &w->death_row, m, rte_rdtsc(), ip);
	if (m == NULL)
		return NULL;
	if (rte_pktmbuf_linearize(m) != 0) {
		drop(w, m, DP_DROP_FRAGMENT);
		return NULL;
	}
	w->counters[DP_REASSEMBLED]++;
	classify(w, m, a);
	if (a->v == V_REASSEMBLE) { /* cannot be: the table gave a whole packet */
		drop(w, m, DP_DROP_FRAGMENT);
		return NULL;
	}
	return m;
}

/* Fragments given up (timed out, table full) are freed here and counted. */
static void
reassembly_tidy(struct dp_worker *w)
{
	w->counters[DP_DROP_FRAGMENT] += w->death_row.cnt;
	rte_ip_frag_free_death_row(&w->death_row, 0);
	rte_ip_frag_table_del_expired_entries(w->frag_tbl, &w->death_row, rte_rdtsc());
	w->counters[DP_DROP_FRAGMENT] += w->death_row.cnt;
	rte_ip_frag_free_death_row(&w->death_row, 0);
}

static inline void
punt(struct dp_worker *w, struct rte_mbuf *m, enum dp_counter why, struct dp_out *out)
{
	w->counters[why]++;
	out->punt[out->n_punt++] = m;
}

/*
 * The core interface a session's packets leave by: with several, each
 * session has its own (by counters slot, so that a subscriber's packets
 * keep one path and one order). While that one's gateway is unresolved,
 * its sessions are spread over the interfaces whose gateway is known; the
 * other sessions stay where they are.
 */
static inline unsigned
core_if_of(const struct dp_ports *ports, const struct dp_session *s, uint16_t type)
{
	unsigned n = ports->n_core, first, live[DP_MAX_IFS], n_live = 0;

	if (n <= 1)
		return 0;
	first = s->index % n;
	if (!rte_is_zero_ether_addr(
		    dp_iface_gateway(&ports->core[first], type == RTE_ETHER_TYPE_IPV6)))
		return first;
	for (unsigned i = 0; i < n; i++)
		if (!rte_is_zero_ether_addr(
			    dp_iface_gateway(&ports->core[i], type == RTE_ETHER_TYPE_IPV6)))
			live[n_live++] = i;
	return n_live > 0 ? live[s->index / n % n_live] : first;
}

/*
 * The inner packet (ip_len bytes at ip_off) leaves with a core-side
 * Ethernet header in place of everything before it; ip_off is past the
 * outer headers, so there is room even for a tag.
 */
static inline void
to_core(struct dp_worker *w, struct rte_mbuf *m, const struct dp_session *s, uint32_t ip_off,
	uint32_t ip_len, uint16_t type, struct dp_out *out)
{
	unsigned ifx = core_if_of(w->ports, s, type);
	const struct dp_iface *c = &w->ports->core[ifx];
	unsigned l2 = eth_hdr_len(c->vlan);
	const struct rte_ether_addr *gw = dp_iface_gateway(c, type == RTE_ETHER_TYPE_IPV6);

	if (rte_is_zero_ether_addr(gw)) {
		drop(w, m, DP_DROP_NO_NEXT_HOP);
		return;
	}
	rte_pktmbuf_adj(m, (uint16_t)(ip_off - l2));
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - l2 - ip_len));
	eth_write(rte_pktmbuf_mtod(m, uint8_t *), gw, &c->mac, c->vlan, type);
	w->sess[s->index].rx_packets++;
	w->sess[s->index].rx_bytes += ip_len;
	w->counters[DP_DECAP]++;
	dp_out_core(out, m, ifx);
}

/* The inner IPv4 packet leaves with a core-side Ethernet header. */
static inline void
decap_ipv4(struct dp_worker *w, struct rte_mbuf *m, const struct dp_session *s, uint32_t ip_off,
	   uint32_t ip_len, struct dp_out *out)
{
	uint8_t *ip = rte_pktmbuf_mtod_offset(m, uint8_t *, ip_off);
	uint32_t ihl;

	if (ip_len < 20 || (ip[0] >> 4) != 4 || get_be16(ip + 2) > ip_len) {
		drop(w, m, DP_DROP_BAD_PPP);
		return;
	}
	ihl = (ip[0] & 0xfu) * 4;
	/* the subscriber's address, or a prefix routed behind it (Framed-Route) */
	if (get_be32(ip + 12) != s->sub_ipv4 &&
	    !dp_route4_is_behind(w->tables, get_be32(ip + 12), s->tunnel_id, s->session_id)) {
		drop(w, m, DP_DROP_SPOOFED);
		return;
	}
	if (!ipv4_ttl_dec(ip)) {
		drop(w, m, DP_DROP_TTL);
		return;
	}
	tcp_mss_clamp(ip, ihl, get_be16(ip + 2), s->mss);
	to_core(w, m, s, ip_off, get_be16(ip + 2), RTE_ETHER_TYPE_IPV4, out);
}

/* IPv6 from the subscriber: its source must be in the session's /64. */
static inline void
decap_ipv6(struct dp_worker *w, struct rte_mbuf *m, const struct dp_session *s, uint32_t ip_off,
	   uint32_t ip_len, struct dp_out *out)
{
	uint8_t *ip = rte_pktmbuf_mtod_offset(m, uint8_t *, ip_off);
	uint32_t total;
	uint64_t prefix;

	if (ip_len < 40 || (ip[0] >> 4) != 6 || 40u + get_be16(ip + 4) > ip_len) {
		drop(w, m, DP_DROP_BAD_PPP);
		return;
	}
	/*
	 * To fe80::/10 or ff00::/8: not for the core. A Router Solicitation
	 * is for the control lcore; the rest (mDNS, MLD, DHCPv6, ...) is
	 * dropped here, so that it never crowds L2TP control out of the punt
	 * ring.
	 */
	if (ip[24] == 0xff || (ip[24] == 0xfe && (ip[25] & 0xc0) == 0x80)) {
		if (ip[6] == 58 && ip[7] == 255 && ip_len >= 48 && ip[40] == 133)
			punt(w, m, DP_PUNT_IPV6_LINK_LOCAL, out);
		else
			drop(w, m, DP_DROP_IPV6_LINK_LOCAL);
		return;
	}
	memcpy(&prefix, ip + 8, sizeof(prefix));
	if ((s->sub_ipv6_prefix == 0 || prefix != s->sub_ipv6_prefix) &&
	    !dp_route6_is_behind(w->tables, prefix, s->tunnel_id, s->session_id)) {
		drop(w, m, DP_DROP_SPOOFED);
		return;
	}
	if (ip[7] <= 1) {
		drop(w, m, DP_DROP_TTL);
		return;
	}
	ip[7]--; /* no header checksum in IPv6 */
	total = 40u + get_be16(ip + 4);
	to_core(w, m, s, ip_off, total, RTE_ETHER_TYPE_IPV6, out);
}

/*
 * LCP Echo-Request from the subscriber: the worker answers in place (the
 * entry carries our magic) so that an echo storm after a LAC restart never
 * reaches the control lcore. Outer addresses are swapped, L2TP carries the
 * peer's IDs, and the reply leaves by the interface it came in on.
 */
static inline void
echo_reply(struct dp_worker *w, struct rte_mbuf *m, const struct dp_session *s,
	   const struct access_pkt *a, uint32_t lcp_off, struct dp_out *out)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *ip = p + a->ip_off;
	uint8_t *udp = p + a->l2tp_off - 8;
	uint8_t *ids = p + a->l2tp_off + ((a->l2tp_flags & L2TP_FLAG_L) ? 4 : 2);
	struct rte_ether_addr lac;

	p[lcp_off] = PPP_ECHOREP;
	put_be32(p + lcp_off + 4, s->magic);
	memcpy(lac.addr_bytes, p + RTE_ETHER_ADDR_LEN, RTE_ETHER_ADDR_LEN);
	memcpy(p, lac.addr_bytes, RTE_ETHER_ADDR_LEN);
	memcpy(p + RTE_ETHER_ADDR_LEN, w->ports->access[a->in_if].mac.addr_bytes,
	       RTE_ETHER_ADDR_LEN);
	put_be32(ip + 12, a->dst_ip);
	put_be32(ip + 16, a->src_ip);
	ip[8] = 64;
	ipv4_set_cksum(ip);
	put_be16(udp, s->local_port);
	put_be16(udp + 2, s->peer_port);
	put_be16(udp + 6, 0); /* UDP checksum is optional over IPv4 */
	put_be16(ids, s->peer_tunnel_id);
	put_be16(ids + 2, s->peer_session_id);
	if (a->l2tp_flags & L2TP_FLAG_S)
		put_be16(ids + 4, w->sess[s->index].ns++);
	w->counters[DP_ECHO_REPLIED]++;
	dp_out_access(out, m, a->in_if);
}

/* By PPP protocol: IPv4 leaves toward the core, echoes are answered, the rest is punted. */
static inline void
deliver(struct dp_worker *w, struct rte_mbuf *m, const struct dp_session *s,
	const struct access_pkt *a, struct dp_out *out)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	struct ppp_frame f;
	uint32_t info_off;

	/* FF 03 00 21, IPv4 in the usual framing: what ppp_frame_parse() would find */
	if (a->ppp_len >= 4 &&
	    get_be32(p + a->ppp_off) ==
		    ((uint32_t)PPP_ADDRESS << 24 | (uint32_t)PPP_CONTROL << 16 | PPP_PROTO_IP)) {
		decap_ipv4(w, m, s, a->ppp_off + 4u, a->ppp_len - 4u, out);
		return;
	}
	if (ppp_frame_parse(&f, p + a->ppp_off, a->ppp_len) != PPP_PARSE_OK) {
		drop(w, m, DP_DROP_BAD_PPP);
		return;
	}
	info_off = (uint32_t)(f.info - p);
	if (f.proto == PPP_PROTO_IP) {
		decap_ipv4(w, m, s, info_off, (uint32_t)f.info_len, out);
	} else if (f.proto == PPP_PROTO_IPV6) {
		decap_ipv6(w, m, s, info_off, (uint32_t)f.info_len, out);
	} else if (f.proto == PPP_PROTO_LCP && f.info_len >= 8 && f.info[0] == PPP_ECHOREQ &&
		   s->magic != 0) {
		w->sess[s->index].rx_packets++;
		w->sess[s->index].rx_bytes += f.info_len;
		echo_reply(w, m, s, a, info_off, out);
	} else {
		punt(w, m, DP_PUNT_PPP_CONTROL, out);
	}
}

void
dp_access_burst(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n, struct dp_out *out)
{
	struct access_pkt a[DP_BURST];
	const struct dp_session *s[DP_BURST];
	uint32_t keys[DP_BURST];
	uint16_t idx[DP_BURST];
	unsigned nk = 0;

	for (uint16_t i = 0; i < n && i < DP_PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (uint16_t i = 0; i < n; i++) {
		if (i + DP_PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + DP_PREFETCH_AHEAD], void *));
		classify(w, pkts[i], &a[i]);
		if (a[i].v == V_REASSEMBLE && (pkts[i] = reassemble(w, pkts[i], &a[i])) == NULL)
			continue; /* held until the rest comes, or dropped */
		if (a[i].v == V_LOOKUP) {
			keys[nk] = a[i].key;
			idx[nk++] = i;
		} else if (a[i].v == V_PUNT) {
			punt(w, pkts[i], a[i].reason, out);
		} else {
			drop(w, pkts[i], a[i].reason);
		}
	}
	if (w->frag_tbl != NULL)
		reassembly_tidy(w);
	if (nk == 0)
		return;
	dp_lookup_l2tp(w->tables, keys, nk, s);
	dp_prefetch_sessions(s, nk);
	for (unsigned k = 0; k < nk; k++) {
		struct rte_mbuf *m = pkts[idx[k]];
		const struct access_pkt *ap = &a[idx[k]];

		if (k + DP_PREFETCH_SESS < nk && s[k + DP_PREFETCH_SESS] != NULL)
			rte_prefetch0(&w->sess[s[k + DP_PREFETCH_SESS]->index]);

		if (s[k] == NULL)
			punt(w, m, DP_PUNT_NO_SESSION, out); /* PPP of a call being set up */
		else if (s[k]->peer_ip != ap->src_ip || s[k]->peer_port != ap->src_port)
			drop(w, m, DP_DROP_WRONG_PEER);
		else if (!w->owner_pass && dp_session_owner(w, s[k]->index) != w->id)
			dp_hand_over(w, m, dp_session_owner(w, s[k]->index), out);
		else
			deliver(w, m, s[k], ap, out);
	}
}
