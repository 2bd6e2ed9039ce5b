/* SPDX-License-Identifier: BSD-2-Clause */
#include "aaa_radius_msg.h"

#include <stdio.h>
#include <string.h>

#include "inet.h"

/* RFC 2865 §5.6, 5.7, 5.41; RFC 2868 §3.1, 3.2; RFC 2866 §5.6 */
#define SERVICE_FRAMED	    2
#define PROTOCOL_PPP	    1
#define PORT_TYPE_VIRTUAL   5
#define TUNNEL_L2TP	    3
#define MEDIUM_IPV4	    1
#define ACCT_AUTHENTIC_RAD  1
#define ACCT_ACCOUNTING_ON  7
#define ACCT_ACCOUNTING_OFF 8
#define MSCHAPV2_RESP_LEN   49

static void
put_ipv4_string(struct radius_pkt *p, uint8_t type, uint32_t ip)
{
	char s[INET4_STRLEN];

	inet4_str(ip, s);
	radius_put_tagged(p, type, 0, s, strlen(s));
}

static void
put_nas(struct radius_pkt *p, const struct aaa_nas *nas)
{
	if (nas->identifier[0])
		radius_put_str(p, RADIUS_NAS_IDENTIFIER, nas->identifier);
	if (nas->ip != 0)
		radius_put_u32(p, RADIUS_NAS_IP_ADDRESS, nas->ip);
}

/* User, port, station IDs, connect speed and the L2TP tunnel (RFC 2868, 2867). */
static void
put_call(struct radius_pkt *p, const struct aaa_call *c)
{
	char info[48];

	radius_put_str(p, RADIUS_USER_NAME, c->user);
	radius_put_u32(p, RADIUS_NAS_PORT, c->nas_port);
	radius_put_u32(p, RADIUS_NAS_PORT_TYPE, PORT_TYPE_VIRTUAL);
	radius_put_u32(p, RADIUS_SERVICE_TYPE, SERVICE_FRAMED);
	radius_put_u32(p, RADIUS_FRAMED_PROTOCOL, PROTOCOL_PPP);
	if (c->called[0])
		radius_put_str(p, RADIUS_CALLED_STATION_ID, c->called);
	if (c->calling[0])
		radius_put_str(p, RADIUS_CALLING_STATION_ID, c->calling);
	if (c->tx_speed != 0) {
		if (c->rx_speed != 0 && c->rx_speed != c->tx_speed)
			snprintf(info, sizeof(info), "%u/%u", c->tx_speed, c->rx_speed);
		else
			snprintf(info, sizeof(info), "%u", c->tx_speed);
		radius_put_str(p, RADIUS_CONNECT_INFO, info);
	}
	radius_put_str(p, RADIUS_ACCT_SESSION_ID, c->session_id);
	radius_put_tagged(p, RADIUS_TUNNEL_TYPE, 0, (const uint8_t[]){ 0, 0, TUNNEL_L2TP }, 3);
	radius_put_tagged(p, RADIUS_TUNNEL_MEDIUM_TYPE, 0, (const uint8_t[]){ 0, 0, MEDIUM_IPV4 },
			  3);
	put_ipv4_string(p, RADIUS_TUNNEL_CLIENT_ENDPOINT, c->lac_ip);
	put_ipv4_string(p, RADIUS_TUNNEL_SERVER_ENDPOINT, c->lns_ip);
	if (c->lac_name[0])
		radius_put_tagged(p, RADIUS_TUNNEL_CLIENT_AUTH_ID, 0, c->lac_name,
				  strlen(c->lac_name));
	if (c->lns_name[0])
		radius_put_tagged(p, RADIUS_TUNNEL_SERVER_AUTH_ID, 0, c->lns_name,
				  strlen(c->lns_name));
	snprintf(info, sizeof(info), "%u", c->lac_tunnel_id);
	radius_put_tagged(p, RADIUS_TUNNEL_ASSIGNMENT_ID, 0, info, strlen(info));
	snprintf(info, sizeof(info), "%u", c->tunnel_id);
	radius_put_str(p, RADIUS_ACCT_TUNNEL_CONNECTION, info);
}

/* RFC 2548 §2.3.2: ident, flags, peer challenge, 8 reserved, NT-Response */
static void
put_mschapv2(struct radius_pkt *p, const struct aaa_auth_request *r)
{
	uint8_t v[50];

	v[0] = r->chap_id;
	v[1] = r->response[48];
	memcpy(v + 2, r->response, 48);
	radius_put_vsa(p, RADIUS_VENDOR_MS, RADIUS_MS_CHAP_CHALLENGE, r->challenge,
		       r->challenge_len);
	radius_put_vsa(p, RADIUS_VENDOR_MS, RADIUS_MS_CHAP2_RESPONSE, v, sizeof(v));
}

static void
put_credentials(struct radius_pkt *p, const struct aaa_auth_request *r, const char *secret)
{
	uint8_t chap[1 + 16];

	switch (r->proto) {
	case PPP_AUTH_PAP:
		radius_put_password(p, secret, r->password, r->password_len);
		break;
	case PPP_AUTH_CHAP_MD5: /* RFC 2865 §5.3, 5.40 */
		if (r->response_len != 16) {
			p->overflow = true; /* not a CHAP-MD5 answer: refuse to build */
			return;
		}
		chap[0] = r->chap_id;
		memcpy(chap + 1, r->response, 16);
		radius_put(p, RADIUS_CHAP_PASSWORD, chap, sizeof(chap));
		radius_put(p, RADIUS_CHAP_CHALLENGE, r->challenge, r->challenge_len);
		break;
	case PPP_AUTH_MSCHAPV2:
		if (r->response_len != MSCHAPV2_RESP_LEN) {
			p->overflow = true;
			return;
		}
		put_mschapv2(p, r);
		break;
	case PPP_AUTH_NONE:
		break;
	}
}

size_t
aaa_radius_auth_request(struct radius_pkt *p, const struct aaa_nas *nas,
			const struct aaa_auth_request *r, uint8_t id,
			const uint8_t auth[RADIUS_AUTH_LEN], const char *secret)
{
	radius_begin(p, RADIUS_ACCESS_REQUEST, id, auth);
	put_call(p, &r->call);
	put_nas(p, nas);
	put_credentials(p, r, secret);
	return radius_finish(p, secret, NULL);
}

/* Octets as a 32-bit counter and the times it wrapped (RFC 2869 §5.1, 5.2). */
static void
put_octets(struct radius_pkt *p, uint8_t type, uint8_t giga_type, uint64_t v)
{
	radius_put_u32(p, type, (uint32_t)v);
	if (v >> 32)
		radius_put_u32(p, giga_type, (uint32_t)(v >> 32));
}

size_t
aaa_radius_acct_request(struct radius_pkt *p, const struct aaa_nas *nas,
			const struct aaa_acct_request *r, uint32_t delay_s, uint8_t id,
			const char *secret)
{
	radius_begin(p, RADIUS_ACCOUNTING_REQUEST, id, NULL);
	radius_put_u32(p, RADIUS_ACCT_STATUS_TYPE, r->type);
	put_call(p, &r->call);
	put_nas(p, nas);
	radius_put_u32(p, RADIUS_ACCT_AUTHENTIC, ACCT_AUTHENTIC_RAD);
	radius_put_u32(p, RADIUS_ACCT_DELAY_TIME, delay_s);
	if (r->framed_ip != 0)
		radius_put_u32(p, RADIUS_FRAMED_IP_ADDRESS, r->framed_ip);
	if (r->class_len > 0)
		radius_put(p, RADIUS_CLASS, r->class_, r->class_len);
	if (r->type != AAA_ACCT_START) {
		radius_put_u32(p, RADIUS_ACCT_SESSION_TIME, r->session_time_s);
		put_octets(p, RADIUS_ACCT_INPUT_OCTETS, RADIUS_ACCT_INPUT_GIGAWORDS,
			   r->counters.in_octets);
		put_octets(p, RADIUS_ACCT_OUTPUT_OCTETS, RADIUS_ACCT_OUTPUT_GIGAWORDS,
			   r->counters.out_octets);
		radius_put_u32(p, RADIUS_ACCT_INPUT_PACKETS, (uint32_t)r->counters.in_packets);
		radius_put_u32(p, RADIUS_ACCT_OUTPUT_PACKETS, (uint32_t)r->counters.out_packets);
	}
	if (r->type == AAA_ACCT_STOP)
		radius_put_u32(p, RADIUS_ACCT_TERMINATE_CAUSE, r->terminate_cause);
	return radius_finish(p, secret, NULL);
}

size_t
aaa_radius_onoff_request(struct radius_pkt *p, const struct aaa_nas *nas, bool on, uint8_t id,
			 const char *secret)
{
	radius_begin(p, RADIUS_ACCOUNTING_REQUEST, id, NULL);
	radius_put_u32(p, RADIUS_ACCT_STATUS_TYPE, on ? ACCT_ACCOUNTING_ON : ACCT_ACCOUNTING_OFF);
	put_nas(p, nas);
	radius_put_str(p, RADIUS_ACCT_SESSION_ID, "0");
	radius_put_u32(p, RADIUS_ACCT_DELAY_TIME, 0);
	return radius_finish(p, secret, NULL);
}

static void
copy_string(char *dst, size_t size, const struct radius_avp *a)
{
	size_t n = a->len < size - 1 ? a->len : size - 1;

	memcpy(dst, a->val, n);
	dst[n] = '\0';
}

/* Framed-Route "203.0.113.128/28 0.0.0.0 1" (RFC 2865 §5.22): the prefix is what matters. */
static void
read_route(const struct radius_avp *a, struct aaa_auth_answer *out)
{
	char s[64];
	unsigned b[4], len = 32;
	struct aaa_route4 *r;

	copy_string(s, sizeof(s), a);
	if (out->n_routes >= AAA_MAX_ROUTES ||
	    sscanf(s, "%u.%u.%u.%u/%u", &b[0], &b[1], &b[2], &b[3], &len) < 4 || b[0] > 255 ||
	    b[1] > 255 || b[2] > 255 || b[3] > 255 || len == 0 || len > 32)
		return;
	r = &out->routes[out->n_routes++];
	r->len = (uint8_t)len;
	r->prefix = (b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]) & (~0u << (32 - len));
}

static void
read_ms_attr(const struct radius_avp *a, struct aaa_auth_answer *out)
{
	uint32_t v;

	if (a->type == RADIUS_MS_PRIMARY_DNS_SERVER && radius_avp_u32(a, &v))
		out->dns[0] = v;
	else if (a->type == RADIUS_MS_SECONDARY_DNS_SERVER && radius_avp_u32(a, &v))
		out->dns[1] = v;
	else if (a->type == RADIUS_MS_CHAP2_SUCCESS && a->len == 43) /* ident, "S=" 40 hex */
		memcpy(out->mschapv2_success, a->val + 1, 42);
	else if (a->type == RADIUS_MS_CHAP_ERROR && a->len > 1 && out->message[0] == '\0') {
		struct radius_avp m = { .val = a->val + 1, .len = (uint8_t)(a->len - 1) };

		copy_string(out->message, sizeof(out->message), &m);
	}
}

static void
read_attr(const struct radius_avp *a, struct aaa_auth_answer *out)
{
	uint32_t v = 0;
	bool u32 = radius_avp_u32(a, &v);

	switch (a->type) {
	case RADIUS_FRAMED_IP_ADDRESS:
		out->framed_ip = u32 ? v : 0;
		break;
	case RADIUS_FRAMED_IP_NETMASK:
		out->netmask = u32 ? v : 0;
		break;
	case RADIUS_FRAMED_ROUTE:
		read_route(a, out);
		break;
	case RADIUS_FRAMED_POOL:
		copy_string(out->pool, sizeof(out->pool), a);
		break;
	case RADIUS_SESSION_TIMEOUT:
		out->session_timeout_s = u32 ? v : 0;
		break;
	case RADIUS_IDLE_TIMEOUT:
		out->idle_timeout_s = u32 ? v : 0;
		break;
	case RADIUS_ACCT_INTERIM_INTERVAL:
		out->interim_s = u32 ? v : 0;
		break;
	case RADIUS_CLASS:
		out->class_len = a->len;
		memcpy(out->class_, a->val, a->len);
		break;
	case RADIUS_REPLY_MESSAGE: {
		size_t have = strlen(out->message);

		if (have + 1 < sizeof(out->message)) { /* several are concatenated (§5.18) */
			char *end = out->message + have;

			copy_string(end, sizeof(out->message) - have, a);
		}
		break;
	}
	default:
		break;
	}
}

void
aaa_radius_read_answer(const uint8_t *pkt, size_t len, const struct aaa_auth_request *r,
		       struct aaa_auth_answer *out)
{
	struct radius_attr_it it;
	struct radius_avp a;

	memset(out, 0, sizeof(*out));
	out->ref = r->ref;
	out->verdict = pkt[0] == RADIUS_ACCESS_ACCEPT ? AAA_ACCEPT : AAA_REJECT;
	radius_attr_first(&it, pkt, len);
	while (radius_attr_next(&it, &a)) {
		if (a.vendor == RADIUS_VENDOR_MS)
			read_ms_attr(&a, out);
		else if (a.vendor == 0)
			read_attr(&a, out);
	}
	/* MS-CHAPv2 without the server's proof would leave the client unable to trust us */
	if (out->verdict == AAA_ACCEPT && r->proto == PPP_AUTH_MSCHAPV2 &&
	    out->mschapv2_success[0] == '\0') {
		out->verdict = AAA_REJECT;
		snprintf(out->message, sizeof(out->message),
			 "no MS-CHAP2-Success in Access-Accept");
	}
}
