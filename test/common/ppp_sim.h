// SPDX-License-Identifier: BSD-2-Clause
// A deterministic link between a PPP server and a PPP client (or a server
// and hand-made frames): virtual time, seeded loss, an AAA that checks
// PAP, CHAP-MD5 and MS-CHAPv2 against a user table after a delay.
#ifndef PPP_SIM_H
#define PPP_SIM_H

#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "pcap_writer.h"

extern "C" {
#include "l2tp_wire.h"
#include "lns_log.h"
#include "ppp.h"
#include "ppp_auth_crypto.h"
}

namespace pppsim
{

using Bytes = std::vector<uint8_t>;

inline const bool quiet_logs = [] {
	log_set_level(LOG_CAT_PPP, LOG_WARN);
	return true;
}();

struct AuthSeen {
	ppp_auth_proto proto;
	bool proxied;
	std::string name;
	uint8_t chap_id;
	Bytes challenge, response, password;
};

struct Side {
	ppp *p = nullptr;
	std::vector<Bytes> sent;
	std::vector<ppp_event_type> events;
	std::vector<AuthSeen> auths;
	bool down = false;
	ppp_down_reason reason = PPP_DOWN_NAS_ERROR;
	std::deque<uint8_t> scripted_random;
	std::mt19937_64 rng{ 3 };
	struct Link *link = nullptr;
	bool is_server = false;

	size_t count(ppp_event_type t) const
	{
		size_t n = 0;
		for (auto e : events)
			n += e == t;
		return n;
	}
};

struct Pending {
	uint64_t at;
	int to; // 0 server, 1 client
	Bytes frame;
};

struct AaaAnswer {
	uint64_t at;
	ppp_auth_result r;
	std::string auth_resp;
};

struct Link {
	uint64_t now = 1000000;
	uint64_t latency = 5;
	double loss = 0;
	bool cut = false; // drop everything
	// drops the frames it returns true for (from_server, frame, length)
	std::function<bool(bool, const uint8_t *, size_t)> drop;
	bool loopback = false; // the server hears itself
	std::mt19937_64 rng{ 11 };
	Side server, client;
	std::deque<Pending> wire;
	// AAA
	std::map<std::string, std::string> users = { { "alice", "s3cret" }, { "2500-1", "cisco" } };
	uint64_t aaa_delay = 20;
	bool aaa_silent = false;
	uint32_t assign = 0xCB00710A; // 203.0.113.10
	bool peer_may_choose = false;
	uint32_t dns[2] = { 0xC6336435, 0 }; // 198.51.100.53
	std::vector<AaaAnswer> answers;
	// When set, every frame is written as PPP in an L2TP data message.
	PcapWriter *capture = nullptr;

	Link(ppp_cfg scfg, ppp_cfg ccfg, bool with_client = true)
	{
		server.link = this;
		server.is_server = true;
		server.rng.seed(3);
		client.rng.seed(5);
		client.link = this;
		server.p = ppp_create(&scfg, &ops, &server);
		if (with_client)
			client.p = ppp_create(&ccfg, &ops, &client);
	}
	~Link()
	{
		ppp_destroy(server.p);
		if (client.p)
			ppp_destroy(client.p);
	}

	static ppp_cfg server_cfg()
	{
		ppp_cfg c;
		ppp_cfg_defaults(&c, PPP_ROLE_SERVER);
		snprintf(c.name, sizeof(c.name), "l2tp-gw");
		snprintf(c.trace, sizeof(c.trace), "Vi4");
		c.local_ipv4 = 0xC6336401; // 198.51.100.1
		return c;
	}
	static ppp_cfg client_cfg(const char *user = "alice", const char *pw = "s3cret")
	{
		ppp_cfg c;
		ppp_cfg_defaults(&c, PPP_ROLE_CLIENT);
		snprintf(c.name, sizeof(c.name), "%s", user);
		snprintf(c.secret, sizeof(c.secret), "%s", pw);
		snprintf(c.trace, sizeof(c.trace), "Se0:0");
		return c;
	}

	void start(const ppp_proxy *proxy = nullptr, const ppp_proxy *client_proxy = nullptr)
	{
		ppp_start(server.p, now, proxy);
		if (client.p)
			ppp_start(client.p, now, client_proxy);
	}

	// A frame to the server as if from the client.
	void inject(const Bytes &frame)
	{
		ppp_input(server.p, now, frame.data(), frame.size());
	}

	uint64_t next() const
	{
		uint64_t n = ppp_next_timeout(server.p);
		if (client.p)
			n = std::min(n, ppp_next_timeout(client.p));
		for (const auto &w : wire)
			n = std::min(n, w.at);
		for (const auto &a : answers)
			n = std::min(n, a.at);
		return n;
	}

	void run_until(uint64_t until)
	{
		for (int guard = 0; guard < 1000000; guard++) {
			uint64_t n = next();
			if (n == UINT64_MAX || n > until)
				break;
			now = std::max(now, n);
			step();
		}
		now = std::max(now, until);
	}

	void run_for(uint64_t ms)
	{
		run_until(now + ms);
	}

	void step()
	{
		for (size_t i = 0; i < answers.size();) {
			if (answers[i].at <= now) {
				AaaAnswer a = answers[i];
				answers.erase(answers.begin() + (long)i);
				a.r.mschapv2_auth =
					a.auth_resp.empty() ? nullptr : a.auth_resp.c_str();
				if (!server.down)
					ppp_auth_done(server.p, now, &a.r);
			} else {
				i++;
			}
		}
		while (!wire.empty() && wire.front().at <= now) {
			Pending w = wire.front();
			wire.pop_front();
			Side &s = w.to == 0 ? server : client;
			if (s.p && !s.down)
				ppp_input(s.p, now, w.frame.data(), w.frame.size());
		}
		if (!server.down && ppp_next_timeout(server.p) <= now)
			ppp_timeout(server.p, now);
		if (client.p && !client.down && ppp_next_timeout(client.p) <= now)
			ppp_timeout(client.p, now);
	}

	void transmit(Side &from, const uint8_t *f, size_t len)
	{
		from.sent.emplace_back(f, f + len);
		if (capture)
			write_capture(&from == &server, f, len);
		std::uniform_real_distribution<double> u(0, 1);
		if (cut || u(rng) < loss || (drop && drop(&from == &server, f, len)))
			return;
		int to = &from == &server ? (loopback ? 0 : 1) : 0;
		if (to == 1 && !client.p)
			return;
		wire.push_back({ now + latency, to, Bytes(f, f + len) });
	}

	// LNS 198.51.100.1 tunnel 2 session 20, LAC 192.0.2.1 tunnel 1 session 10
	void write_capture(bool from_server, const uint8_t *f, size_t len)
	{
		static const uint8_t lns[4] = { 198, 51, 100, 1 }, lac[4] = { 192, 0, 2, 1 };
		uint8_t buf[2048];
		l2tp_data_hdr_opts o = {};
		o.length = true;
		size_t h = l2tp_hdr_put_data(buf, sizeof(buf), from_server ? 1 : 2,
					     from_server ? 10 : 20, len, &o);
		memcpy(buf + h, f, len);
		if (from_server)
			capture->udp(now, lns, 1701, lac, 1701, buf, h + len);
		else
			capture->udp(now, lac, 1701, lns, 1701, buf, h + len);
	}

	bool check(const ppp_auth_request *r, std::string *auth_resp)
	{
		std::string name((const char *)r->name, r->name_len);
		if (r->proto == PPP_AUTH_NONE)
			return true;
		if (!users.count(name))
			return false;
		const std::string &pw = users[name];
		if (r->proto == PPP_AUTH_PAP)
			return r->password_len == pw.size() &&
			       memcmp(r->password, pw.data(), pw.size()) == 0;
		if (r->proto == PPP_AUTH_CHAP_MD5) {
			uint8_t want[16];
			chap_md5_response(want, r->chap_id, pw.data(), pw.size(), r->challenge,
					  r->challenge_len);
			return r->response_len == 16 && memcmp(want, r->response, 16) == 0;
		}
		// MS-CHAPv2: the Response field is peer challenge, 8 reserved, NT-Response, flags
		if (r->response_len != 49 || r->challenge_len != 16)
			return false;
		uint8_t nt[24];
		mschapv2_nt_response(nt, r->challenge, r->response, name.data(), name.size(),
				     pw.data(), pw.size());
		if (memcmp(nt, r->response + 24, 24) != 0)
			return false;
		char s[MSCHAPV2_AUTH_RESP_LEN + 1];
		mschapv2_authenticator_response(s, pw.data(), pw.size(), nt, r->response,
						r->challenge, name.data(), name.size());
		*auth_resp = s;
		return true;
	}

	void on_auth(Side &s, const ppp_auth_request *r)
	{
		AuthSeen a;
		a.proto = r->proto;
		a.proxied = r->proxied;
		a.name.assign((const char *)r->name, r->name_len);
		a.chap_id = r->chap_id;
		a.challenge.assign(r->challenge, r->challenge + r->challenge_len);
		a.response.assign(r->response, r->response + r->response_len);
		a.password.assign(r->password, r->password + r->password_len);
		s.auths.push_back(a);
		if (aaa_silent)
			return;
		AaaAnswer ans = {};
		ans.at = now + aaa_delay;
		ans.r.accept = check(r, &ans.auth_resp);
		ans.r.message = ans.r.accept ? nullptr : "bad password";
		ans.r.ipv4 = assign;
		ans.r.peer_may_choose = peer_may_choose;
		ans.r.dns[0] = dns[0];
		ans.r.dns[1] = dns[1];
		answers.push_back(ans);
	}

	static void op_send(void *ctx, const uint8_t *f, size_t len)
	{
		Side *s = static_cast<Side *>(ctx);
		s->link->transmit(*s, f, len);
	}
	static void op_event(void *ctx, ppp *, const ppp_event *ev)
	{
		Side *s = static_cast<Side *>(ctx);
		s->events.push_back(ev->type);
		if (ev->type == PPP_EV_AUTH_REQUEST)
			s->link->on_auth(*s, ev->auth);
		if (ev->type == PPP_EV_DOWN) {
			s->down = true;
			s->reason = ev->reason;
		}
	}
	static void op_random(void *ctx, void *buf, size_t len)
	{
		Side *s = static_cast<Side *>(ctx);
		uint8_t *b = static_cast<uint8_t *>(buf);
		for (size_t i = 0; i < len; i++) {
			if (!s->scripted_random.empty()) {
				b[i] = s->scripted_random.front();
				s->scripted_random.pop_front();
			} else {
				b[i] = (uint8_t)s->rng();
			}
		}
	}
	static constexpr ppp_ops ops = { op_send, op_event, op_random };
};

// Frames sent by a side with this protocol and code.
inline size_t
count_sent(const Side &s, uint16_t proto, uint8_t code)
{
	size_t n = 0;
	for (const Bytes &f : s.sent)
		n += f.size() >= 5 && get_be16(f.data() + 2) == proto && f[4] == code;
	return n;
}

inline const Bytes *
last_sent(const Side &s, uint16_t proto)
{
	for (auto it = s.sent.rbegin(); it != s.sent.rend(); ++it)
		if (it->size() >= 4 && get_be16(it->data() + 2) == proto)
			return &*it;
	return nullptr;
}

inline Bytes
frame(uint16_t proto, uint8_t code, uint8_t id, const Bytes &data)
{
	// sized up front: GCC 12 at -O3 warns (-Warray-bounds, a false positive)
	// on insert() at the end of a vector built from a braced list
	Bytes f(8 + data.size());
	f[0] = 0xff;
	f[1] = 0x03;
	put_be16(&f[2], proto);
	f[4] = code;
	f[5] = id;
	put_be16(&f[6], (uint16_t)(4 + data.size()));
	if (!data.empty())
		memcpy(&f[8], data.data(), data.size());
	return f;
}

} // namespace pppsim

#endif
