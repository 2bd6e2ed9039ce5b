/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The core side: packets toward subscribers. A burst is classified
 * (Ethernet, optional VLAN, IPv4), looked up in bulk by destination
 * address, and each packet is wrapped for its subscriber's LAC: PPP (with
 * or without address/control and with a one- or two-byte protocol, as
 * negotiated), L2TP data header (Length and Ns when the session wants
 * sequencing), UDP, IPv4, Ethernet to the LAC's next hop.
 */
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>

#include "dp.h"
#include "dp_pkt.h"
#include "l2tp_wire.h"
#include "ppp_wire.h"

#define OUTER_IP_LEN  20
#define OUTER_UDP_LEN 8

struct core_pkt {
	bool ok;
	bool v6;
	enum dp_counter reason;
	uint32_t dst;
	uint64_t dst6; /* the destination's /64 */
	uint16_t ip_off;
	uint16_t ip_len;
	uint8_t in_if; /* the core interface it came in on: ICMP errors go back by it */
};

static inline void
classify(const struct dp_worker *w, struct rte_mbuf *m, struct core_pkt *c)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct dp_iface *in = dp_core_in(w, m);
	uint32_t len = rte_pktmbuf_data_len(m);
	uint32_t off;
	uint16_t type, vlan;

	c->ok = false;
	c->v6 = false;
	c->reason = DP_DROP_SHORT;
	if (!eth_parse(p, len, &vlan, &type, &off))
		return;
	c->reason = DP_DROP_NO_INTERFACE;
	if (in == NULL)
		return;
	c->in_if = (uint8_t)(in - w->ports->core);
	c->reason = DP_DROP_WRONG_VLAN;
	if (vlan != in->vlan)
		return;
	c->reason = type == RTE_ETHER_TYPE_ARP ? DP_PUNT_ARP : DP_DROP_NOT_IP;
	if (type == RTE_ETHER_TYPE_IPV6) {
		c->reason = DP_DROP_BAD_IP;
		if (len < off + 40 || (p[off] >> 4) != 6 || off + 40 + get_be16(p + off + 4) > len)
			return;
		/* multicast, link-local, or ours: neighbour discovery, for the control lcore */
		if (p[off + 24] == 0xff || (p[off + 24] == 0xfe && (p[off + 25] & 0xc0) == 0x80) ||
		    memcmp(p + off + 24, in->ip6, 16) == 0) {
			c->reason = DP_PUNT_CORE_IPV6;
			return;
		}
		memcpy(&c->dst6, p + off + 24, sizeof(c->dst6));
		c->ip_off = (uint16_t)off;
		c->ip_len = (uint16_t)(40 + get_be16(p + off + 4));
		c->v6 = true;
		c->ok = true;
		return;
	}
	if (type != RTE_ETHER_TYPE_IPV4)
		return;
	c->reason = DP_DROP_BAD_IP;
	if (len < off + 20 || (p[off] >> 4) != 4 || (p[off] & 0xf) < 5 ||
	    get_be16(p + off + 2) < 20 || off + get_be16(p + off + 2) > len)
		return;
	c->reason = DP_DROP_BAD_CHECKSUM;
	if (dp_rx_cksum_bad(in, m, false))
		return;
	c->dst = get_be32(p + off + 16);
	c->ip_off = (uint16_t)off;
	c->ip_len = get_be16(p + off + 2);
	c->ok = true;
}

static inline unsigned
ppp_header_len(const struct dp_session *s)
{
	return ((s->flags & DP_SESS_NO_ACF) ? 0 : 2) + ((s->flags & DP_SESS_PFC) ? 1 : 2);
}

static inline unsigned
l2tp_header_len(const struct dp_session *s)
{
	return (s->flags & DP_SESS_SEQUENCING) ? 12 : 6;
}

/*
 * The outer IPv4 header's checksum (RFC 1071), to put_be16(): of its ten
 * 16-bit words only the length and the addresses vary; the rest is
 * write_outer()'s constants 45 00, ID 0, no fragment, TTL 64 and UDP.
 */
static inline uint16_t
outer_ip_cksum(uint32_t src, uint32_t dst, uint16_t total_len)
{
	uint32_t sum = 0x4500u + (64u << 8 | IPPROTO_UDP) + total_len + (src >> 16) +
		       (src & 0xffff) + (dst >> 16) + (dst & 0xffff);

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Ethernet, outer IPv4, UDP and L2TP in front of the PPP frame of ppp_len bytes. */
static inline void
write_outer(struct dp_worker *w, uint8_t *p, const struct dp_iface *a, const struct dp_session *s,
	    unsigned ppp_len)
{
	uint8_t *ip = p + eth_hdr_len(a->vlan);
	uint8_t *udp = ip + OUTER_IP_LEN;
	uint8_t *l2tp = udp + OUTER_UDP_LEN;
	unsigned l2tp_len = l2tp_header_len(s) + ppp_len;
	struct l2tp_data_hdr_opts o = {
		.length = (s->flags & DP_SESS_SEQUENCING) != 0,
		.sequence = (s->flags & DP_SESS_SEQUENCING) != 0,
	};

	eth_write(p, &s->peer_mac, &a->mac, a->vlan, RTE_ETHER_TYPE_IPV4);
	ip[0] = 0x45;
	ip[1] = 0;
	put_be16(ip + 2, (uint16_t)(OUTER_IP_LEN + OUTER_UDP_LEN + l2tp_len));
	put_be16(ip + 4, 0);
	put_be16(ip + 6, 0);
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	put_be32(ip + 12, s->local_ip);
	put_be32(ip + 16, s->peer_ip);
	/* the NIC's, when it writes it (tx_ip_cksum); fragments are summed in fragment() */
	put_be16(ip + 10,
		 a->tx_ip_cksum ? 0 : outer_ip_cksum(s->local_ip, s->peer_ip, get_be16(ip + 2)));
	put_be16(udp, s->local_port);
	put_be16(udp + 2, s->peer_port);
	put_be16(udp + 4, (uint16_t)(OUTER_UDP_LEN + l2tp_len));
	put_be16(udp + 6, 0); /* optional over IPv4 */
	if (!o.sequence) {    /* the bare header, written here: cheaper than the call */
		put_be16(l2tp, L2TP_VERSION);
		put_be16(l2tp + 2, s->peer_tunnel_id);
		put_be16(l2tp + 4, s->peer_session_id);
		return;
	}
	o.ns = w->sess[s->index].ns++;
	l2tp_hdr_put_data(l2tp, l2tp_header_len(s), s->peer_tunnel_id, s->peer_session_id, ppp_len,
			  &o);
}

/* RFC 4443 §2.4 (f), RFC 1812 §4.3.2.8: at most one ICMP error per 100 µs per worker. */
static bool
icmp_allowed(struct dp_worker *w)
{
	uint64_t now = rte_rdtsc();

	if (now < w->icmp_next_tsc) {
		w->counters[DP_ICMP_RATE_LIMITED]++;
		return false;
	}
	w->icmp_next_tsc = now + rte_get_tsc_hz() / 10000;
	return true;
}

/*
 * The core interface an ICMP error leaves by: the one its packet came in
 * on, or, when that one cannot send it (gateway unresolved, no address6
 * for ICMPv6), another that can.
 */
static unsigned
icmp_if(const struct dp_ports *ports, unsigned in_if, bool v6)
{
	static const uint8_t none[16];

	for (unsigned k = 0; k < ports->n_core; k++) {
		unsigned i = (in_if + k) % ports->n_core;
		const struct dp_iface *c = &ports->core[i];

		if (!rte_is_zero_ether_addr(dp_iface_gateway(c, v6)) &&
		    (!v6 || memcmp(c->ip6, none, 16) != 0))
			return i;
	}
	return in_if;
}

/*
 * An ICMP error toward the core by interface `in`: its gateway's MAC
 * known, within the rate, an mbuf with our Ethernet header and room for
 * len bytes of IP; the IP header's start, or NULL with the reason counted.
 */
static uint8_t *
icmp_error_alloc(struct dp_worker *w, struct rte_mbuf *orig, const struct dp_iface *in,
		 uint16_t type, unsigned len, struct rte_mbuf **m)
{
	const struct rte_ether_addr *gw = dp_iface_gateway(in, type == RTE_ETHER_TYPE_IPV6);
	unsigned l2 = eth_hdr_len(in->vlan);
	uint8_t *p;

	if (rte_is_zero_ether_addr(gw)) {
		w->counters[DP_DROP_NO_NEXT_HOP]++;
		return NULL;
	}
	if (!icmp_allowed(w))
		return NULL;
	*m = rte_pktmbuf_alloc(orig->pool);
	p = *m != NULL ? (uint8_t *)rte_pktmbuf_append(*m, (uint16_t)(l2 + len)) : NULL;
	if (p == NULL) {
		rte_pktmbuf_free(*m);
		w->counters[DP_DROP_TOO_BIG]++;
		return NULL;
	}
	eth_write(p, gw, &in->mac, in->vlan, type);
	return p + l2;
}

/*
 * RFC 4443 §3.2: Packet Too Big to the inner IPv6 packet's source, from our
 * core address, quoting as much of it as fits in the minimum MTU, with the
 * MTU the subscriber can be reached with. The original is freed by the
 * caller.
 */
static void
send_pkt_too_big(struct dp_worker *w, struct rte_mbuf *orig, unsigned in_if, const uint8_t *inner,
		 unsigned inner_len, uint16_t mtu, struct dp_out *out)
{
	static const uint8_t none[16];
	unsigned ifx = icmp_if(w->ports, in_if, true);
	const struct dp_iface *in = &w->ports->core[ifx];
	unsigned quote = RTE_MIN(inner_len, 1280u - 40 - 8);
	struct rte_mbuf *m;
	uint8_t *ip, *icmp;
	uint16_t c;

	if (memcmp(in->ip6, none, 16) == 0) {
		w->counters[DP_DROP_TOO_BIG]++; /* no address to send it from */
		return;
	}
	ip = icmp_error_alloc(w, orig, in, RTE_ETHER_TYPE_IPV6, 40 + 8 + quote, &m);
	if (ip == NULL)
		return;
	memset(ip, 0, 40 + 8);
	ip[0] = 0x60;
	put_be16(ip + 4, (uint16_t)(8 + quote));
	ip[6] = IPPROTO_ICMPV6;
	ip[7] = 64;
	memcpy(ip + 8, in->ip6, 16);
	memcpy(ip + 24, inner + 8, 16);
	icmp = ip + 40;
	icmp[0] = 2; /* Packet Too Big */
	put_be32(icmp + 4, mtu);
	memcpy(icmp + 8, inner, quote);
	c = rte_ipv6_udptcp_cksum((const struct rte_ipv6_hdr *)ip, icmp);
	memcpy(icmp + 2, &c, 2);
	w->counters[DP_PKT_TOO_BIG_SENT]++;
	dp_out_core(out, m, ifx);
}

/*
 * RFC 792/1191: "fragmentation needed and DF set" to the inner packet's
 * source, carrying its header and 8 bytes, and the MTU the subscriber can
 * be reached with. The original is freed by the caller.
 */
static void
send_frag_needed(struct dp_worker *w, struct rte_mbuf *orig, unsigned in_if, const uint8_t *inner,
		 uint16_t next_mtu, struct dp_out *out)
{
	unsigned ifx = icmp_if(w->ports, in_if, false);
	const struct dp_iface *in = &w->ports->core[ifx];
	unsigned quote = (inner[0] & 0xfu) * 4 + 8;
	struct rte_mbuf *m;
	uint8_t *ip, *icmp;
	uint16_t c;

	if (quote > get_be16(inner + 2)) {
		w->counters[DP_DROP_TOO_BIG]++;
		return;
	}
	ip = icmp_error_alloc(w, orig, in, RTE_ETHER_TYPE_IPV4, 20 + 8 + quote, &m);
	if (ip == NULL)
		return;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put_be16(ip + 2, (uint16_t)(20 + 8 + quote));
	ip[8] = 64;
	ip[9] = IPPROTO_ICMP;
	put_be32(ip + 12, in->ip);
	memcpy(ip + 16, inner + 12, 4);
	ipv4_set_cksum(ip);
	icmp = ip + 20;
	icmp[0] = 3; /* destination unreachable */
	icmp[1] = 4; /* fragmentation needed and DF set */
	put_be16(icmp + 2, 0);
	put_be16(icmp + 4, 0);
	put_be16(icmp + 6, next_mtu);
	memcpy(icmp + 8, inner, quote);
	c = rte_raw_cksum(icmp, 8 + quote);
	c = (uint16_t)~c;
	memcpy(icmp + 2, &c, 2);
	w->counters[DP_FRAG_NEEDED_SENT]++;
	dp_out_core(out, m, ifx);
}

/* Splits an encapsulated packet into outer IPv4 fragments (rte_ip_frag). */
static void
fragment(struct dp_worker *w, struct rte_mbuf *m, const struct dp_session *s, struct dp_out *out)
{
	struct rte_mbuf *frags[DP_MAX_FRAGMENTS];
	const struct dp_iface *a = &w->ports->access[s->access_if];
	unsigned l2 = eth_hdr_len(a->vlan);
	int32_t n;

	rte_pktmbuf_adj(m, (uint16_t)l2);
	n = rte_ipv4_fragment_packet(m, frags, DP_MAX_FRAGMENTS, a->mtu, w->ports->frag_direct,
				     w->ports->frag_indirect);
	rte_pktmbuf_free(m);
	if (n < 0) {
		w->counters[DP_DROP_TOO_BIG]++;
		return;
	}
	for (int32_t i = 0; i < n; i++) {
		uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(frags[i], (uint16_t)l2);

		if (p == NULL) {
			w->counters[DP_DROP_NO_HEADROOM]++;
			rte_pktmbuf_free(frags[i]);
			continue;
		}
		eth_write(p, &s->peer_mac, &a->mac, a->vlan, RTE_ETHER_TYPE_IPV4);
		ipv4_set_cksum(p + l2); /* rte_ip_frag leaves it to us */
		frags[i]->ol_flags &= ~(RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM);
		dp_out_access(out, frags[i], s->access_if);
	}
	w->counters[DP_FRAGMENTED]++;
}

/*
 * The encapsulated packet exceeds the access MTU: ICMP back when the
 * inner IPv4 says DF and that is the policy, otherwise fragments.
 */
static void
too_big(struct dp_worker *w, struct rte_mbuf *m, const struct dp_session *s,
	const struct core_pkt *c, unsigned overhead, struct dp_out *out)
{
	const uint8_t *inner = rte_pktmbuf_mtod_offset(m, const uint8_t *, overhead);
	const struct dp_iface *a = &w->ports->access[s->access_if];
	bool v4 = (inner[0] >> 4) == 4;

	if (a->too_big == DP_TOO_BIG_ICMP_IF_DF && v4 && (get_be16(inner + 6) & 0x4000)) {
		send_frag_needed(w, m, c->in_if, inner,
				 (uint16_t)(a->mtu - (overhead - eth_hdr_len(a->vlan))), out);
		rte_pktmbuf_free(m);
		return;
	}
	if (w->ports->frag_direct == NULL) {
		w->counters[DP_DROP_TOO_BIG]++;
		rte_pktmbuf_free(m);
		return;
	}
	fragment(w, m, s, out);
}

static inline void
encap(struct dp_worker *w, struct rte_mbuf *m, const struct dp_session *s, const struct core_pkt *c,
      struct dp_out *out)
{
	const struct dp_iface *a = &w->ports->access[s->access_if];
	unsigned ppp_hlen = ppp_header_len(s);
	unsigned outer = eth_hdr_len(a->vlan) + OUTER_IP_LEN + OUTER_UDP_LEN + l2tp_header_len(s);
	uint8_t *ip = rte_pktmbuf_mtod_offset(m, uint8_t *, c->ip_off);
	uint8_t *p, *ppp;

	if (s->access_if >= w->ports->n_access) {
		w->counters[DP_DROP_NO_INTERFACE]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (rte_is_zero_ether_addr(&s->peer_mac)) {
		w->counters[DP_DROP_NO_NEXT_HOP]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (c->ip_len > s->mtu) { /* more than the subscriber takes: its source is told */
		if (c->v6)
			send_pkt_too_big(w, m, c->in_if, ip, c->ip_len, s->mtu, out);
		else if (get_be16(ip + 6) & 0x4000)
			send_frag_needed(w, m, c->in_if, ip, s->mtu, out);
		else
			w->counters[DP_DROP_TOO_BIG]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (c->v6 ? ip[7] <= 1 : !ipv4_ttl_dec(ip)) {
		w->counters[DP_DROP_TTL]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (c->v6)
		ip[7]--;
	else
		tcp_mss_clamp(ip, (ip[0] & 0xfu) * 4, c->ip_len, s->mss);
	/* keep only the IP packet, then put our headers in front of it */
	rte_pktmbuf_adj(m, c->ip_off);
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - c->ip_len));
	p = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)(outer + ppp_hlen));
	if (p == NULL) {
		w->counters[DP_DROP_NO_HEADROOM]++;
		rte_pktmbuf_free(m);
		return;
	}
	ppp = p + outer;
	if (!(s->flags & DP_SESS_NO_ACF)) {
		*ppp++ = PPP_ADDRESS;
		*ppp++ = PPP_CONTROL;
	}
	if (s->flags & DP_SESS_PFC)
		*ppp = (uint8_t)(c->v6 ? PPP_PROTO_IPV6 : PPP_PROTO_IP);
	else
		put_be16(ppp, c->v6 ? PPP_PROTO_IPV6 : PPP_PROTO_IP);
	write_outer(w, p, a, s, ppp_hlen + c->ip_len);
	w->sess[s->index].tx_packets++;
	w->sess[s->index].tx_bytes += c->ip_len;
	if (a->mtu != 0 && rte_pktmbuf_pkt_len(m) - eth_hdr_len(a->vlan) > a->mtu) {
		too_big(w, m, s, c, outer + ppp_hlen, out);
		return;
	}
	if (a->tx_ip_cksum) {
		m->l2_len = eth_hdr_len(a->vlan);
		m->l3_len = OUTER_IP_LEN;
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	}
	w->counters[DP_ENCAP]++;
	dp_out_access(out, m, s->access_if);
}

void
dp_core_burst(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n, struct dp_out *out)
{
	struct core_pkt c[DP_BURST];
	const struct dp_session *s4[DP_BURST], *s6[DP_BURST];
	uint32_t dst[DP_BURST];
	uint64_t dst6[DP_BURST];
	uint16_t idx4[DP_BURST], idx6[DP_BURST];
	unsigned n4 = 0, n6 = 0;

	for (uint16_t i = 0; i < n && i < DP_PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (uint16_t i = 0; i < n; i++) {
		if (i + DP_PREFETCH_AHEAD < n) {
			const uint8_t *d = rte_pktmbuf_mtod(pkts[i + DP_PREFETCH_AHEAD], uint8_t *);

			rte_prefetch0(d);
			rte_prefetch0(d - RTE_CACHE_LINE_SIZE); /* the headroom our headers go to */
		}
		classify(w, pkts[i], &c[i]);
		if (c[i].ok && c[i].v6) {
			dst6[n6] = c[i].dst6;
			idx6[n6++] = i;
		} else if (c[i].ok) {
			dst[n4] = c[i].dst;
			idx4[n4++] = i;
		} else if (c[i].reason == DP_PUNT_ARP || c[i].reason == DP_PUNT_CORE_IPV6) {
			w->counters[c[i].reason]++;
			out->punt[out->n_punt++] = pkts[i];
		} else {
			w->counters[c[i].reason]++;
			rte_pktmbuf_free(pkts[i]);
		}
	}
	if (n4) {
		dp_lookup_sub4(w->tables, dst, n4, s4);
		dp_lookup_routes4(w->tables, dst, n4, s4); /* the misses: routed prefixes */
	}
	if (n6) {
		dp_lookup_sub6(w->tables, dst6, n6, s6);
		dp_lookup_routes6(w->tables, dst6, n6, s6); /* the misses: routed prefixes */
	}
	dp_prefetch_sessions(s4, n4);
	dp_prefetch_sessions(s6, n6);
	for (unsigned k = 0; k < n4 + n6; k++) {
		uint16_t i = k < n4 ? idx4[k] : idx6[k - n4];
		const struct dp_session *s = k < n4 ? s4[k] : s6[k - n4];
		unsigned f = k + DP_PREFETCH_SESS;
		const struct dp_session *ahead = f < n4 ? s4[f] : f < n4 + n6 ? s6[f - n4] : NULL;

		if (ahead != NULL)
			rte_prefetch0(&w->sess[ahead->index]);

		if (s == NULL) {
			w->counters[DP_DROP_NO_ROUTE]++;
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		if (!w->owner_pass && dp_session_owner(w, s->index) != w->id)
			dp_hand_over(w, pkts[i], dp_session_owner(w, s->index), out);
		else
			encap(w, pkts[i], s, &c[i], out);
	}
}
