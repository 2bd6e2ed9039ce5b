// SPDX-License-Identifier: BSD-2-Clause
// A deterministic world for L2TP engines: a scheduler with virtual time, a
// simulated UDP network that can lose, duplicate and reorder (seeded PRNG),
// scripted randomness, and a record of every event and datagram.
#ifndef L2TP_SIM_H
#define L2TP_SIM_H

#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "pcap_writer.h"

extern "C" {
#include "l2tp_engine.h"
#include "l2tp_internal.h"
#include "lns_log.h"
}

namespace sim
{

// Engines log at info; tests that read the log raise it themselves.
inline const bool quiet_logs = [] {
	log_set_level(LOG_CAT_L2TP, LOG_WARN);
	return true;
}();

using Bytes = std::vector<uint8_t>;

inline l2tp_addr
addr4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	l2tp_addr x = {};
	x.family = 4;
	x.ip[0] = a;
	x.ip[1] = b;
	x.ip[2] = c;
	x.ip[3] = d;
	x.port = port;
	return x;
}

struct Event {
	l2tp_event_type type;
	uint16_t tunnel_id, session_id, result, error;
	bool by_peer;
	uint16_t msg_type;
	std::map<unsigned, Bytes> avps; // copied from the message
};

struct Datagram {
	uint64_t at;
	int to; // node index
	l2tp_addr from;
	Bytes data;
};

struct Link {
	double loss = 0, dup = 0, reorder = 0;
	uint64_t latency_ms = 10;
	uint64_t jitter_ms = 0;
};

class World;

struct Node {
	World *world = nullptr;
	int index = 0;
	l2tp_addr addr = {};
	l2tp_engine *engine = nullptr;
	std::vector<Event> events;
	std::vector<Bytes> sent; // every datagram this node sent
	std::deque<uint8_t> scripted_random;
	std::mt19937_64 rng{ 1 };
	bool accept_all = true;
	l2tp_tunnel_params policy = {};
	std::string last_policy_host;
	std::function<void(Node &, const l2tp_event *)> on_event;

	~Node()
	{
		l2tp_engine_destroy(engine);
	}

	size_t count(l2tp_event_type t) const
	{
		size_t n = 0;
		for (const Event &e : events)
			n += e.type == t;
		return n;
	}

	l2tp_tunnel *tunnel(uint16_t id) const
	{
		return l2tp_engine_find_tunnel(engine, id);
	}
};

class World
{
      public:
	uint64_t now = 1000000; // arbitrary non-zero start, ms
	Link link;
	std::mt19937_64 net_rng{ 7 };
	std::vector<std::unique_ptr<Node>> nodes;
	std::vector<Datagram> in_flight;
	uint64_t delivered = 0, dropped = 0;
	size_t max_in_flight_seen = 0; // window check: the highest n_in_flight of any channel
	bool window_violated = false;
	// A node index that swallows everything sent to it (a silent peer).
	int black_hole = -1;
	// When set, every datagram sent is written here (before any loss).
	PcapWriter *capture = nullptr;

	Node &add(const l2tp_engine_cfg &cfg, l2tp_addr a)
	{
		auto n = std::make_unique<Node>();
		n->world = this;
		n->index = (int)nodes.size();
		n->addr = a;
		n->rng.seed(100 + n->index);
		n->policy.hello_interval_ms = 60000;
		nodes.push_back(std::move(n));
		Node &node = *nodes.back();
		node.engine = l2tp_engine_create(&cfg, &ops, &node);
		return node;
	}

	int find(const l2tp_addr &a) const
	{
		for (const auto &n : nodes) {
			l2tp_addr x = n->addr;
			x.port = a.port;
			if (l2tp_addr_eq(&x, &a))
				return n->index;
		}
		return -1;
	}

	void check_windows()
	{
		for (const auto &n : nodes) {
			for (l2tp_tunnel *t = n->engine->tunnel_list; t; t = t->next) {
				if (t->chan.n_in_flight > max_in_flight_seen)
					max_in_flight_seen = t->chan.n_in_flight;
				if (t->chan.n_in_flight > t->chan.peer_window)
					window_violated = true;
			}
		}
	}

	uint64_t next_event_time() const
	{
		uint64_t next = UINT64_MAX;
		for (const Datagram &d : in_flight)
			next = std::min(next, d.at);
		for (const auto &n : nodes)
			next = std::min(next, l2tp_engine_next_timeout(n->engine));
		return next;
	}

	// Runs until nothing is left to do or until `until`; returns steps taken.
	size_t run_until(uint64_t until)
	{
		size_t steps = 0;
		for (;;) {
			uint64_t next = next_event_time();
			if (next == UINT64_MAX || next > until)
				break;
			if (next > now)
				now = next;
			step();
			steps++;
			if (steps > 5000000)
				abort();
		}
		if (until != UINT64_MAX && now < until)
			now = until;
		return steps;
	}

	void run_for(uint64_t ms)
	{
		run_until(now + ms);
	}

	void step()
	{
		// deliver everything due now (in arrival order), then timers
		for (;;) {
			size_t best = SIZE_MAX;
			for (size_t i = 0; i < in_flight.size(); i++)
				if (in_flight[i].at <= now &&
				    (best == SIZE_MAX || in_flight[i].at < in_flight[best].at))
					best = i;
			if (best == SIZE_MAX)
				break;
			Datagram d = std::move(in_flight[best]);
			in_flight.erase(in_flight.begin() + (long)best);
			delivered++;
			Node &n = *nodes[d.to];
			l2tp_engine_input(n.engine, now, &d.from, d.data.data(), d.data.size());
			check_windows();
		}
		for (auto &n : nodes)
			if (l2tp_engine_next_timeout(n->engine) <= now)
				l2tp_engine_timeout(n->engine, now);
		check_windows();
	}

	void send(Node &from, const l2tp_addr *to, const uint8_t *pkt, size_t len)
	{
		from.sent.emplace_back(pkt, pkt + len);
		if (capture && from.addr.family == 4 && to->family == 4)
			capture->udp(now, from.addr.ip, from.addr.port, to->ip, to->port, pkt, len);
		int dst = find(*to);
		if (dst < 0 || dst == black_hole)
			return;
		std::uniform_real_distribution<double> u(0, 1);
		if (u(net_rng) < link.loss) {
			dropped++;
			return;
		}
		int copies = u(net_rng) < link.dup ? 2 : 1;
		for (int i = 0; i < copies; i++) {
			uint64_t delay = link.latency_ms;
			if (link.jitter_ms)
				delay += net_rng() % (link.jitter_ms + 1);
			if (u(net_rng) < link.reorder)
				delay += link.latency_ms * 3;
			Datagram d{ now + delay, dst, from.addr, Bytes(pkt, pkt + len) };
			in_flight.push_back(std::move(d));
		}
	}

	// Hand-crafted input to a node, from an address.
	void inject(Node &to, const l2tp_addr &from, const Bytes &b)
	{
		l2tp_engine_input(to.engine, now, &from, b.data(), b.size());
	}

	static void op_tx(void *ctx, const l2tp_addr *peer, const uint8_t *pkt, size_t len)
	{
		Node *n = static_cast<Node *>(ctx);
		n->world->send(*n, peer, pkt, len);
	}

	static void op_event(void *ctx, const l2tp_event *ev)
	{
		Node *n = static_cast<Node *>(ctx);
		Event e = {};
		e.type = ev->type;
		e.tunnel_id = ev->tunnel ? l2tp_tunnel_id(ev->tunnel) : 0;
		e.session_id = ev->session ? l2tp_session_id(ev->session) : 0;
		e.result = ev->result;
		e.error = ev->error;
		e.by_peer = ev->by_peer;
		e.msg_type = ev->msg ? ev->msg->type : 0;
		if (ev->msg)
			for (unsigned t = 0; t <= L2TP_AVP_MAX; t++)
				if (l2tp_msg_has(ev->msg, t))
					e.avps[t] =
						Bytes(ev->msg->avp[t].ptr,
						      ev->msg->avp[t].ptr + ev->msg->avp[t].len);
		n->events.push_back(e);
		if (n->on_event)
			n->on_event(*n, ev);
	}

	static bool op_policy(void *ctx, const uint8_t *host, size_t host_len, const l2tp_addr *,
			      l2tp_tunnel_params *out)
	{
		Node *n = static_cast<Node *>(ctx);
		n->last_policy_host.assign(reinterpret_cast<const char *>(host), host_len);
		*out = n->policy;
		return n->accept_all;
	}

	static void op_random(void *ctx, void *buf, size_t len)
	{
		Node *n = static_cast<Node *>(ctx);
		uint8_t *p = static_cast<uint8_t *>(buf);
		for (size_t i = 0; i < len; i++) {
			if (!n->scripted_random.empty()) {
				p[i] = n->scripted_random.front();
				n->scripted_random.pop_front();
			} else {
				p[i] = (uint8_t)n->rng();
			}
		}
	}

	static constexpr l2tp_engine_ops ops = { op_tx, op_event, op_policy, op_random };
};

inline void
set_secret(l2tp_tunnel_params &p, const char *s)
{
	p.secret_len = (uint8_t)strlen(s);
	memcpy(p.secret, s, p.secret_len);
}

inline void
set_field(l2tp_bytes_field &f, const void *data, size_t len)
{
	f.len = (uint8_t)len;
	memcpy(f.data, data, len);
}

inline void
set_field(l2tp_bytes_field &f, const char *s)
{
	set_field(f, s, strlen(s));
}

} // namespace sim

#endif
