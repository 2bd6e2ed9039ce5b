/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Authentication phase: PAP (RFC 1334), CHAP-MD5 (RFC 1994), MS-CHAPv2
 * (RFC 2759) and proxy authentication (RFC 2661 §4.4.5), for the server
 * (which asks AAA and waits) and the client (which answers from its
 * configured credentials).
 */
#include <stdio.h>
#include <string.h>

#include "byteorder.h"
#include "ppp_auth_crypto.h"
#include "ppp_internal.h"

enum { CHAP_CHALLENGE = 1, CHAP_RESPONSE = 2, CHAP_SUCCESS = 3, CHAP_FAILURE = 4 };
enum { PAP_AUTH_REQ = 1, PAP_AUTH_ACK = 2, PAP_AUTH_NAK = 3 };

#define MSCHAPV2_RESPONSE_LEN 49 /* peer challenge, 8 reserved, NT-Response, flags */

static const char *
pap_code_str(uint8_t code)
{
	return code == PAP_AUTH_REQ ? "AUTH-REQ" : code == PAP_AUTH_ACK ? "AUTH-ACK" : "AUTH-NAK";
}

static const char *
chap_code_str(uint8_t code)
{
	static const char *const names[] = { "?", "CHALLENGE", "RESPONSE", "SUCCESS", "FAILURE" };

	return code <= CHAP_FAILURE ? names[code] : "?";
}

static void
send_auth_packet(struct ppp *p, uint16_t proto, uint8_t code, uint8_t id, const void *a,
		 size_t alen, const void *b, size_t blen, const char *from)
{
	uint8_t buf[512];
	struct ppp_writer w;

	ppp_w_init(&w, buf, sizeof(buf));
	ppp_w_cp_begin(&w, code, id);
	ppp_w_bytes(&w, a, alen);
	ppp_w_bytes(&w, b, blen);
	ppp_w_cp_end(&w);
	if (ppp_w_failed(&w))
		return;
	if (proto == PPP_PROTO_CHAP)
		PLOG(p, LOG_INFO, "CHAP: O %s id %u len %zu%s%s%s", chap_code_str(code), id, w.len,
		     from ? " from \"" : "", from ? from : "", from ? "\"" : "");
	else
		PLOG(p, LOG_INFO, "PAP: O %s id %u len %zu", pap_code_str(code), id, w.len);
	ppp_send_frame(p, proto, buf, w.len);
}

/* Server */

static void
send_challenge(struct ppp *p)
{
	uint8_t head[1 + 16];
	struct ppp_auth_ctx *a = &p->auth;

	ppp_random(p, &a->id, 1);
	a->challenge_len = 16;
	ppp_random(p, a->challenge, a->challenge_len);
	head[0] = a->challenge_len;
	memcpy(head + 1, a->challenge, a->challenge_len);
	send_auth_packet(p, PPP_PROTO_CHAP, CHAP_CHALLENGE, a->id, head, sizeof(head), p->cfg.name,
			 strlen(p->cfg.name), p->cfg.name);
	a->state = AUTH_WAIT_PEER;
	a->deadline = p->now + p->cfg.fsm.restart_ms;
}

static void
ask_aaa(struct ppp *p, const struct ppp_auth_request *req)
{
	struct ppp_event ev = { .type = PPP_EV_AUTH_REQUEST, .auth = req };

	size_t n = req->name_len < PPP_NAME_MAX ? req->name_len : PPP_NAME_MAX;

	memcpy(p->st.user, req->name, n);
	p->st.user[n] = '\0';
	p->auth.state = AUTH_WAIT_AAA;
	p->auth.deadline = p->now + p->cfg.auth_timeout_ms;
	ppp_event(p, &ev);
}

/* Without authentication, AAA is still asked: it decides the address. */
void
auth_request_address(struct ppp *p)
{
	struct ppp_auth_request req = { .proto = PPP_AUTH_NONE, .name = (const uint8_t *)"" };

	ask_aaa(p, &req);
}

/* RFC 2661 §4.4.5: the LAC's CHAP or PAP exchange stands for ours. */
static bool
use_proxy(struct ppp *p)
{
	struct ppp_auth_ctx *a = &p->auth;
	struct ppp_auth_request req = {
		.proto = p->st.auth,
		.proxied = true,
		.name = a->proxy_name,
		.name_len = a->proxy_name_len,
	};

	if (!p->cfg.accept_proxy_auth || p->cfg.fresh_challenge || a->proxy_type == 0)
		return false;
	if (a->proxy_type == 2 && p->st.auth == PPP_AUTH_CHAP_MD5 && a->proxy_challenge_len > 0 &&
	    a->proxy_response_len == CHAP_MD5_LEN) {
		req.chap_id = a->proxy_id;
		req.challenge = a->proxy_challenge;
		req.challenge_len = a->proxy_challenge_len;
		req.response = a->proxy_response;
		req.response_len = a->proxy_response_len;
		a->id = a->proxy_id;
		PLOG(p, LOG_INFO, "CHAP: I RESPONSE id %u len %u from \"%.*s\" (proxy)",
		     a->proxy_id, 5 + a->proxy_response_len + a->proxy_name_len,
		     (int)a->proxy_name_len, (const char *)a->proxy_name);
	} else if (a->proxy_type == 3 && p->st.auth == PPP_AUTH_PAP) {
		req.password = a->proxy_response;
		req.password_len = a->proxy_response_len;
		a->id = a->proxy_id;
		PLOG(p, LOG_INFO, "PAP: I AUTH-REQ from \"%.*s\" (proxy)", (int)a->proxy_name_len,
		     (const char *)a->proxy_name);
	} else {
		PLOG(p, LOG_INFO, "proxy authentication type %u does not fit %s: challenging",
		     a->proxy_type, ppp_auth_proto_str(p->st.auth));
		return false;
	}
	a->proxied = true;
	p->st.proxy_auth_used = true;
	ask_aaa(p, &req);
	return true;
}

static void
server_start(struct ppp *p)
{
	if (use_proxy(p))
		return;
	if (p->st.auth == PPP_AUTH_PAP) {
		p->auth.state = AUTH_WAIT_PEER;
		p->auth.deadline = p->now + p->cfg.auth_timeout_ms;
		return;
	}
	p->auth.tries = 0;
	send_challenge(p);
}

static void
chap_response_in(struct ppp *p, const struct ppp_cp *c)
{
	struct ppp_auth_ctx *a = &p->auth;
	size_t vlen = c->data_len > 0 ? c->data[0] : 0;
	struct ppp_auth_request req = { .proto = p->st.auth, .chap_id = c->id };
	size_t want = p->st.auth == PPP_AUTH_MSCHAPV2 ? MSCHAPV2_RESPONSE_LEN : CHAP_MD5_LEN;

	if (c->id != a->id || c->data_len < 1 + vlen || vlen != want) {
		p->stats.rx_discarded++;
		return;
	}
	req.response = c->data + 1;
	req.response_len = vlen;
	req.name = c->data + 1 + vlen;
	req.name_len = c->data_len - 1 - vlen;
	req.challenge = a->challenge;
	req.challenge_len = a->challenge_len;
	PLOG(p, LOG_INFO, "CHAP: I RESPONSE id %u len %u from \"%.*s\"", c->id, c->length,
	     (int)req.name_len, (const char *)req.name);
	if (a->state == AUTH_WAIT_PEER)
		ask_aaa(p, &req);
	else if (a->state == AUTH_DONE) /* our Success was lost */
		send_auth_packet(p, PPP_PROTO_CHAP, CHAP_SUCCESS, a->id, NULL, 0, NULL, 0, NULL);
}

static void
pap_request_in(struct ppp *p, const struct ppp_cp *c)
{
	struct ppp_auth_ctx *a = &p->auth;
	struct ppp_auth_request req = { .proto = PPP_AUTH_PAP };
	size_t ulen, plen;

	if (c->data_len < 1 || (ulen = c->data[0]) + 2 > c->data_len ||
	    (plen = c->data[1 + ulen]) + ulen + 2 > c->data_len) {
		p->stats.rx_malformed++;
		return;
	}
	req.name = c->data + 1;
	req.name_len = ulen;
	req.password = c->data + 2 + ulen;
	req.password_len = plen;
	PLOG(p, LOG_INFO, "PAP: I AUTH-REQ id %u len %u from \"%.*s\"", c->id, c->length, (int)ulen,
	     (const char *)req.name);
	if (a->state == AUTH_WAIT_PEER) {
		a->id = c->id;
		ask_aaa(p, &req);
	} else if (a->state == AUTH_DONE) {
		send_auth_packet(p, PPP_PROTO_PAP, PAP_AUTH_ACK, c->id, "\0", 1, NULL, 0, NULL);
	}
}

static void
send_result(struct ppp *p, bool ok, const struct ppp_auth_result *r)
{
	struct ppp_auth_ctx *a = &p->auth;
	const char *msg = r && r->message ? r->message : "";
	char text[256];

	if (p->st.auth == PPP_AUTH_PAP) {
		uint8_t n = (uint8_t)strnlen(msg, 200);

		send_auth_packet(p, PPP_PROTO_PAP, ok ? PAP_AUTH_ACK : PAP_AUTH_NAK, a->id, &n, 1,
				 msg, n, NULL);
		return;
	}
	if (p->st.auth == PPP_AUTH_MSCHAPV2 && ok)
		snprintf(text, sizeof(text), "%s M=%s",
			 r && r->mschapv2_auth ? r->mschapv2_auth : "",
			 msg[0] ? msg : "Authentication succeeded");
	else if (p->st.auth == PPP_AUTH_MSCHAPV2)
		snprintf(text, sizeof(text), "E=691 R=0 V=3 M=%s",
			 msg[0] ? msg : "Authentication failed");
	else
		snprintf(text, sizeof(text), "%s", msg);
	send_auth_packet(p, PPP_PROTO_CHAP, ok ? CHAP_SUCCESS : CHAP_FAILURE, a->id, text,
			 strlen(text), NULL, 0, NULL);
}

void
auth_aaa_done(struct ppp *p, const struct ppp_auth_result *r)
{
	struct ppp_auth_ctx *a = &p->auth;
	bool first = p->st.phase == PPP_PHASE_AUTHENTICATE || p->st.auth == PPP_AUTH_NONE;

	if (a->state != AUTH_WAIT_AAA)
		return; /* late: the session moved on */
	if (p->st.auth != PPP_AUTH_NONE)
		send_result(p, r->accept, r);
	if (!r->accept) {
		a->state = AUTH_FAILED;
		p->stats.auth_failures++;
		PLOG(p, LOG_WARN, "%s: authentication of \"%s\" refused%s%s",
		     ppp_auth_proto_str(p->st.auth), p->st.user, r->message ? ": " : "",
		     r->message ? r->message : "");
		ppp_fail(p, PPP_DOWN_AUTH_FAILURE);
		return;
	}
	a->state = AUTH_DONE;
	p->ip.assigned = r->ipv4;
	p->ip.peer_may_choose = r->peer_may_choose;
	p->ip.have_answer = true;
	p->st.dns[0] = r->dns[0];
	p->st.dns[1] = r->dns[1];
	a->rechallenge_at = p->cfg.chap_rechallenge_ms && p->st.auth != PPP_AUTH_PAP &&
					    p->st.auth != PPP_AUTH_NONE
				    ? p->now + p->cfg.chap_rechallenge_ms
				    : UINT64_MAX;
	if (first) {
		struct ppp_event ev = { .type = PPP_EV_AUTHENTICATED, .user = p->st.user };

		ppp_event(p, &ev);
		ppp_network_phase(p);
	}
}

/* Client */

static void
send_pap_request(struct ppp *p)
{
	uint8_t buf[2 * 256];
	size_t ul = strnlen(p->cfg.name, 255), pl = strnlen(p->cfg.secret, 255);

	buf[0] = (uint8_t)ul;
	memcpy(buf + 1, p->cfg.name, ul);
	buf[1 + ul] = (uint8_t)pl;
	memcpy(buf + 2 + ul, p->cfg.secret, pl);
	send_auth_packet(p, PPP_PROTO_PAP, PAP_AUTH_REQ, ++p->auth.id, buf, 2 + ul + pl, NULL, 0,
			 NULL);
	p->auth.deadline = p->now + p->cfg.fsm.restart_ms;
}

static void
client_start(struct ppp *p)
{
	p->auth.state = AUTH_WAIT_PEER;
	p->auth.tries = 0;
	if (p->st.auth == PPP_AUTH_PAP)
		send_pap_request(p);
	else
		p->auth.deadline = p->now + p->cfg.auth_timeout_ms;
}

/*
 * The Response again after the restart time: if our Response or the
 * authenticator's Success was lost, the authenticator answers the same
 * Response with Success again (RFC 1994 §4.2), and the link goes on.
 */
static void
send_chap_response(struct ppp *p)
{
	size_t nl = strnlen(p->cfg.name, 255);

	send_auth_packet(p, PPP_PROTO_CHAP, CHAP_RESPONSE, p->auth.id, p->auth.response,
			 p->auth.response_len, p->cfg.name, nl, p->cfg.name);
	p->auth.deadline = p->now + p->cfg.fsm.restart_ms;
}

static void
chap_answer(struct ppp *p, const struct ppp_cp *c)
{
	size_t vlen = c->data_len > 0 ? c->data[0] : 0;
	const uint8_t *chal = c->data + 1;
	uint8_t resp[1 + MSCHAPV2_RESPONSE_LEN] = { 0 };
	size_t rlen;
	size_t nl = strnlen(p->cfg.name, 255), sl = strnlen(p->cfg.secret, 255);

	if (c->data_len < 1 + vlen || vlen == 0) {
		p->stats.rx_malformed++;
		return;
	}
	PLOG(p, LOG_INFO, "CHAP: I CHALLENGE id %u len %u", c->id, c->length);
	p->auth.id = c->id;
	if (p->st.auth == PPP_AUTH_MSCHAPV2) {
		if (vlen != MSCHAPV2_CHALLENGE_LEN) {
			p->stats.rx_malformed++;
			return;
		}
		memcpy(p->auth.challenge, chal, 16);
		ppp_random(p, p->auth.peer_challenge, 16);
		mschapv2_nt_response(p->auth.nt_response, chal, p->auth.peer_challenge, p->cfg.name,
				     nl, p->cfg.secret, sl);
		memcpy(resp + 1, p->auth.peer_challenge, 16);
		memcpy(resp + 1 + 24, p->auth.nt_response, 24);
		rlen = MSCHAPV2_RESPONSE_LEN;
	} else {
		chap_md5_response(resp + 1, c->id, p->cfg.secret, sl, chal, vlen);
		rlen = CHAP_MD5_LEN;
	}
	resp[0] = (uint8_t)rlen;
	memcpy(p->auth.response, resp, 1 + rlen);
	p->auth.response_len = (uint8_t)(1 + rlen);
	p->auth.tries = 0;
	send_chap_response(p);
}

/* RFC 2759 §5: the client checks the authenticator's "S=" before trusting it. */
static bool
mschapv2_success_ok(struct ppp *p, const struct ppp_cp *c)
{
	char expect[MSCHAPV2_AUTH_RESP_LEN + 1];

	mschapv2_authenticator_response(expect, p->cfg.secret, strnlen(p->cfg.secret, 255),
					p->auth.nt_response, p->auth.peer_challenge,
					p->auth.challenge, p->cfg.name, strnlen(p->cfg.name, 255));
	return c->data_len >= MSCHAPV2_AUTH_RESP_LEN &&
	       auth_equal(c->data, expect, MSCHAPV2_AUTH_RESP_LEN);
}

static void
client_done(struct ppp *p, bool ok)
{
	bool first = p->auth.state != AUTH_DONE;

	if (!ok) {
		p->auth.state = AUTH_FAILED;
		p->stats.auth_failures++;
		ppp_fail(p, PPP_DOWN_AUTH_FAILURE);
		return;
	}
	p->auth.state = AUTH_DONE;
	p->auth.deadline = UINT64_MAX;
	if (first) {
		struct ppp_event ev = { .type = PPP_EV_AUTHENTICATED, .user = p->cfg.name };

		snprintf(p->st.user, sizeof(p->st.user), "%s", p->cfg.name);
		ppp_event(p, &ev);
		ppp_network_phase(p);
	}
}

static void
client_input(struct ppp *p, uint16_t proto, const struct ppp_cp *c)
{
	if (proto == PPP_PROTO_CHAP && c->code == CHAP_CHALLENGE)
		chap_answer(p, c);
	else if (proto == PPP_PROTO_CHAP && c->code == CHAP_SUCCESS)
		client_done(p, p->st.auth != PPP_AUTH_MSCHAPV2 || mschapv2_success_ok(p, c));
	else if (proto == PPP_PROTO_CHAP && c->code == CHAP_FAILURE)
		client_done(p, false);
	else if (proto == PPP_PROTO_PAP && (c->code == PAP_AUTH_ACK || c->code == PAP_AUTH_NAK) &&
		 c->id == p->auth.id)
		client_done(p, c->code == PAP_AUTH_ACK);
	else
		p->stats.rx_discarded++;
}

/* Entry points */

void
auth_start(struct ppp *p)
{
	ppp_set_phase(p, PPP_PHASE_AUTHENTICATE);
	if (p->cfg.role == PPP_ROLE_SERVER)
		server_start(p);
	else
		client_start(p);
}

void
auth_take_proxy(struct ppp *p, const struct ppp_proxy *x)
{
	struct ppp_auth_ctx *a = &p->auth;

	a->proxy_type = x->auth_type;
	a->proxy_id = x->auth_id;
	a->proxy_name_len =
		(uint8_t)(x->auth_name_len < sizeof(a->proxy_name) ? x->auth_name_len
								   : sizeof(a->proxy_name));
	a->proxy_challenge_len =
		(uint8_t)(x->auth_challenge_len < sizeof(a->proxy_challenge) ? x->auth_challenge_len
									     : 0);
	a->proxy_response_len =
		(uint8_t)(x->auth_response_len < sizeof(a->proxy_response) ? x->auth_response_len
									   : 0);
	if (a->proxy_name_len)
		memcpy(a->proxy_name, x->auth_name, a->proxy_name_len);
	if (a->proxy_challenge_len)
		memcpy(a->proxy_challenge, x->auth_challenge, a->proxy_challenge_len);
	if (a->proxy_response_len)
		memcpy(a->proxy_response, x->auth_response, a->proxy_response_len);
}

void
auth_input(struct ppp *p, uint16_t proto, const uint8_t *pkt, size_t len)
{
	struct ppp_cp c;

	if (ppp_cp_parse(&c, pkt, len) != PPP_PARSE_OK) {
		p->stats.rx_malformed++;
		return;
	}
	if (p->st.phase != PPP_PHASE_AUTHENTICATE && p->st.phase != PPP_PHASE_NETWORK) {
		p->stats.rx_discarded++;
		return;
	}
	if (p->cfg.role == PPP_ROLE_CLIENT)
		client_input(p, proto, &c);
	else if (proto == PPP_PROTO_CHAP && c.code == CHAP_RESPONSE && p->st.auth != PPP_AUTH_PAP)
		chap_response_in(p, &c);
	else if (proto == PPP_PROTO_PAP && c.code == PAP_AUTH_REQ && p->st.auth == PPP_AUTH_PAP)
		pap_request_in(p, &c);
	else
		p->stats.rx_discarded++;
}

uint64_t
auth_next_timeout(const struct ppp *p)
{
	const struct ppp_auth_ctx *a = &p->auth;

	if (a->state == AUTH_WAIT_PEER || a->state == AUTH_WAIT_AAA)
		return a->deadline;
	if (a->state == AUTH_DONE && p->cfg.role == PPP_ROLE_SERVER)
		return a->rechallenge_at;
	return UINT64_MAX;
}

void
auth_timeout(struct ppp *p, uint64_t now)
{
	struct ppp_auth_ctx *a = &p->auth;

	if (now < auth_next_timeout(p))
		return;
	if (a->state == AUTH_DONE) { /* periodic re-challenge (RFC 1994 §2) */
		a->tries = 0;
		send_challenge(p);
		return;
	}
	if (a->state == AUTH_WAIT_AAA) {
		PLOG(p, LOG_WARN, "AAA did not answer in %u ms", p->cfg.auth_timeout_ms);
		ppp_fail(p, PPP_DOWN_NAS_ERROR);
		return;
	}
	/* waiting for the peer: send again, up to Max-Configure times */
	if (++a->tries >= p->cfg.fsm.max_configure) {
		PLOG(p, LOG_WARN, "%s: no answer from the peer", ppp_auth_proto_str(p->st.auth));
		ppp_fail(p, PPP_DOWN_AUTH_FAILURE);
	} else if (p->cfg.role == PPP_ROLE_SERVER && p->st.auth != PPP_AUTH_PAP) {
		send_challenge(p);
	} else if (p->cfg.role == PPP_ROLE_CLIENT && p->st.auth == PPP_AUTH_PAP) {
		send_pap_request(p);
	} else if (p->cfg.role == PPP_ROLE_CLIENT && a->response_len > 0) {
		send_chap_response(p);
		if (a->tries + 1 >= p->cfg.fsm.max_configure) /* the last: AAA may be slow */
			a->deadline = now + p->cfg.auth_timeout_ms;
	} else {
		a->deadline = now + p->cfg.fsm.restart_ms;
	}
}
