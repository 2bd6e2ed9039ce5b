// SPDX-License-Identifier: BSD-2-Clause
// The RFC 1661 automaton against RFC 1661 §4.1's state transition table,
// row by row: for each state and event, the next state and the actions
// (packets sent, this-layer callbacks). irc and zrc are not visible and so
// not listed; "r" (restart option) is not used by lnsd.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

extern "C" {
#include "ppp_fsm.h"
}

namespace
{

struct Probe {
	std::vector<std::string> actions;
	bool request_good = true;
};

Probe *
probe(ppp_fsm *f)
{
	return static_cast<Probe *>(f->ctx);
}

void
p_reset(ppp_fsm *)
{
}
void
p_add(ppp_fsm *, ppp_writer *w)
{
	ppp_w_opt_u16(w, 1, 1500);
}
void
p_nak(ppp_fsm *, const uint8_t *, size_t)
{
}
ppp_cr_verdict
p_req(ppp_fsm *f, const uint8_t *o, size_t n, ppp_writer *reply, bool)
{
	ppp_w_bytes(reply, o, n);
	return probe(f)->request_good ? PPP_CR_ACK : PPP_CR_NAK;
}
void
p_up(ppp_fsm *f)
{
	probe(f)->actions.push_back("tlu");
}
void
p_down(ppp_fsm *f)
{
	probe(f)->actions.push_back("tld");
}
void
p_starting(ppp_fsm *f)
{
	probe(f)->actions.push_back("tls");
}
void
p_finished(ppp_fsm *f)
{
	probe(f)->actions.push_back("tlf");
}
bool
p_other(ppp_fsm *f, const ppp_cp *c)
{
	if (c->code == PPP_ECHOREQ) {
		probe(f)->actions.push_back("ser");
		return true;
	}
	return false;
}
void
p_send(ppp_fsm *f, const uint8_t *pkt, size_t)
{
	static const char *names[] = { "?", "scr", "sca", "scn", "scn", "str", "sta", "scj" };
	probe(f)->actions.push_back(pkt[0] <= 7 ? names[pkt[0]] : "other");
}

const ppp_fsm_ops ops = { p_reset, p_add,      p_nak,	   p_nak,   p_req,   p_up,
			  p_down,  p_starting, p_finished, p_other, nullptr, p_send };

enum Ev { UP, DOWN, OPEN, CLOSE, TOP, TOM, RCRP, RCRM, RCA, RCN, RTR, RTA, RUC, RXJP, RXJM, RXR };
const char *ev_names[] = { "Up",  "Down", "Open", "Close", "TO+", "TO-",  "RCR+", "RCR-",
			   "RCA", "RCN",  "RTR",  "RTA",   "RUC", "RXJ+", "RXJ-", "RXR" };

std::vector<uint8_t>
packet(uint8_t code, uint8_t id, std::vector<uint8_t> data = {})
{
	// sized up front: GCC 12 at -O3 warns (-Warray-bounds, a false positive)
	// on insert() at the end of a vector built from a braced list
	std::vector<uint8_t> p(4 + data.size());
	p[0] = code;
	p[1] = id;
	p[3] = (uint8_t)p.size();
	std::copy(data.begin(), data.end(), p.begin() + 4);
	return p;
}

void
fire(ppp_fsm *f, Ev e)
{
	uint64_t now = 1000;
	std::vector<uint8_t> pkt;
	switch (e) {
	case UP:
		return ppp_fsm_up(f, now);
	case DOWN:
		return ppp_fsm_down(f, now);
	case OPEN:
		return ppp_fsm_open(f, now);
	case CLOSE:
		return ppp_fsm_close(f, now);
	case TOP:
		f->restart_count = 3;
		f->timer = 0;
		return ppp_fsm_timeout(f, now);
	case TOM:
		f->restart_count = 0;
		f->timer = 0;
		return ppp_fsm_timeout(f, now);
	case RCRP:
	case RCRM:
		probe(f)->request_good = e == RCRP;
		pkt = packet(PPP_CONFREQ, 9, { 1, 4, 5, 0xdc });
		break;
	case RCA: /* an Ack repeats our last request (§5.2) */
		pkt = packet(PPP_CONFACK, f->req_id,
			     std::vector<uint8_t>(f->req, f->req + f->req_len));
		break;
	case RCN:
		pkt = packet(PPP_CONFNAK, f->req_id, { 1, 4, 5, 0xdc });
		break;
	case RTR:
		pkt = packet(PPP_TERMREQ, 7);
		break;
	case RTA:
		pkt = packet(PPP_TERMACK, f->term_id);
		break;
	case RUC:
		pkt = packet(99, 7);
		break;
	case RXJP:
		pkt = packet(PPP_CODEREJ, 7, { 99, 1, 0, 4 });
		break;
	case RXJM:
		pkt = packet(PPP_CODEREJ, 7, { PPP_CONFREQ, 1, 0, 4 });
		break;
	case RXR:
		pkt = packet(PPP_ECHOREQ, 7, { 0, 0, 0, 0 });
		break;
	}
	ppp_fsm_input(f, now, pkt.data(), pkt.size());
}

struct Row {
	ppp_fsm_state from;
	Ev ev;
	ppp_fsm_state to;
	std::string actions; // comma separated, in order
};

class Rfc1661Table : public ::testing::TestWithParam<Row>
{
};

TEST_P(Rfc1661Table, Transition)
{
	const Row &r = GetParam();
	Probe pr;
	ppp_fsm f;
	ppp_fsm_cfg cfg;
	ppp_fsm_cfg_defaults(&cfg);
	ppp_fsm_init(&f, "TEST", 0xc021, &cfg, &ops, &pr, "t");
	f.state = r.from;
	f.restart_count = 3;
	fire(&f, r.ev);
	std::string got;
	for (const std::string &a : pr.actions)
		got += (got.empty() ? "" : ",") + a;
	EXPECT_EQ(r.to, f.state) << ppp_fsm_state_str(r.from) << " + " << ev_names[r.ev] << " -> "
				 << ppp_fsm_state_str(f.state);
	EXPECT_EQ(r.actions, got) << ppp_fsm_state_str(r.from) << " + " << ev_names[r.ev];
}

#define S(x) PPP_FSM_##x
// clang-format off
INSTANTIATE_TEST_SUITE_P(Rfc1661, Rfc1661Table, ::testing::Values(
	Row{ S(INITIAL), UP, S(CLOSED), "" },
	Row{ S(STARTING), UP, S(REQSENT), "scr" },
	Row{ S(CLOSED), DOWN, S(INITIAL), "" },
	Row{ S(STOPPED), DOWN, S(STARTING), "tls" },
	Row{ S(CLOSING), DOWN, S(INITIAL), "" },
	Row{ S(STOPPING), DOWN, S(STARTING), "" },
	Row{ S(REQSENT), DOWN, S(STARTING), "" },
	Row{ S(ACKRCVD), DOWN, S(STARTING), "" },
	Row{ S(ACKSENT), DOWN, S(STARTING), "" },
	Row{ S(OPENED), DOWN, S(STARTING), "tld" },
	Row{ S(INITIAL), OPEN, S(STARTING), "tls" },
	Row{ S(STARTING), OPEN, S(STARTING), "" },
	Row{ S(CLOSED), OPEN, S(REQSENT), "scr" },
	Row{ S(STOPPED), OPEN, S(STOPPED), "" },
	Row{ S(CLOSING), OPEN, S(STOPPING), "" },
	Row{ S(STOPPING), OPEN, S(STOPPING), "" },
	Row{ S(REQSENT), OPEN, S(REQSENT), "" },
	Row{ S(OPENED), OPEN, S(OPENED), "" },
	Row{ S(INITIAL), CLOSE, S(INITIAL), "" },
	Row{ S(STARTING), CLOSE, S(INITIAL), "tlf" },
	Row{ S(CLOSED), CLOSE, S(CLOSED), "" },
	Row{ S(STOPPED), CLOSE, S(CLOSED), "" },
	Row{ S(CLOSING), CLOSE, S(CLOSING), "" },
	Row{ S(STOPPING), CLOSE, S(CLOSING), "" },
	Row{ S(REQSENT), CLOSE, S(CLOSING), "str" },
	Row{ S(ACKRCVD), CLOSE, S(CLOSING), "str" },
	Row{ S(ACKSENT), CLOSE, S(CLOSING), "str" },
	Row{ S(OPENED), CLOSE, S(CLOSING), "tld,str" },
	Row{ S(CLOSING), TOP, S(CLOSING), "str" },
	Row{ S(STOPPING), TOP, S(STOPPING), "str" },
	Row{ S(REQSENT), TOP, S(REQSENT), "scr" },
	Row{ S(ACKRCVD), TOP, S(REQSENT), "scr" },
	Row{ S(ACKSENT), TOP, S(ACKSENT), "scr" },
	Row{ S(CLOSING), TOM, S(CLOSED), "tlf" },
	Row{ S(STOPPING), TOM, S(STOPPED), "tlf" },
	Row{ S(REQSENT), TOM, S(STOPPED), "tlf" },
	Row{ S(ACKRCVD), TOM, S(STOPPED), "tlf" },
	Row{ S(ACKSENT), TOM, S(STOPPED), "tlf" },
	Row{ S(CLOSED), RCRP, S(CLOSED), "sta" },
	Row{ S(STOPPED), RCRP, S(ACKSENT), "scr,sca" },
	Row{ S(CLOSING), RCRP, S(CLOSING), "" },
	Row{ S(STOPPING), RCRP, S(STOPPING), "" },
	Row{ S(REQSENT), RCRP, S(ACKSENT), "sca" },
	Row{ S(ACKRCVD), RCRP, S(OPENED), "sca,tlu" },
	Row{ S(ACKSENT), RCRP, S(ACKSENT), "sca" },
	Row{ S(OPENED), RCRP, S(ACKSENT), "tld,scr,sca" },
	Row{ S(CLOSED), RCRM, S(CLOSED), "sta" },
	Row{ S(STOPPED), RCRM, S(REQSENT), "scr,scn" },
	Row{ S(REQSENT), RCRM, S(REQSENT), "scn" },
	Row{ S(ACKRCVD), RCRM, S(ACKRCVD), "scn" },
	Row{ S(ACKSENT), RCRM, S(REQSENT), "scn" },
	Row{ S(OPENED), RCRM, S(REQSENT), "tld,scr,scn" },
	Row{ S(CLOSED), RCA, S(CLOSED), "sta" },
	Row{ S(STOPPED), RCA, S(STOPPED), "sta" },
	Row{ S(CLOSING), RCA, S(CLOSING), "" },
	Row{ S(STOPPING), RCA, S(STOPPING), "" },
	Row{ S(REQSENT), RCA, S(ACKRCVD), "" },
	Row{ S(ACKRCVD), RCA, S(REQSENT), "scr" },
	Row{ S(ACKSENT), RCA, S(OPENED), "tlu" },
	Row{ S(OPENED), RCA, S(REQSENT), "tld,scr" },
	Row{ S(CLOSED), RCN, S(CLOSED), "sta" },
	Row{ S(STOPPED), RCN, S(STOPPED), "sta" },
	Row{ S(REQSENT), RCN, S(REQSENT), "scr" },
	Row{ S(ACKRCVD), RCN, S(REQSENT), "scr" },
	Row{ S(ACKSENT), RCN, S(ACKSENT), "scr" },
	Row{ S(OPENED), RCN, S(REQSENT), "tld,scr" },
	Row{ S(CLOSED), RTR, S(CLOSED), "sta" },
	Row{ S(STOPPED), RTR, S(STOPPED), "sta" },
	Row{ S(CLOSING), RTR, S(CLOSING), "sta" },
	Row{ S(STOPPING), RTR, S(STOPPING), "sta" },
	Row{ S(REQSENT), RTR, S(REQSENT), "sta" },
	Row{ S(ACKRCVD), RTR, S(REQSENT), "sta" },
	Row{ S(ACKSENT), RTR, S(REQSENT), "sta" },
	Row{ S(OPENED), RTR, S(STOPPING), "tld,sta" },
	Row{ S(CLOSED), RTA, S(CLOSED), "" },
	Row{ S(STOPPED), RTA, S(STOPPED), "" },
	Row{ S(CLOSING), RTA, S(CLOSED), "tlf" },
	Row{ S(STOPPING), RTA, S(STOPPED), "tlf" },
	Row{ S(REQSENT), RTA, S(REQSENT), "" },
	Row{ S(ACKRCVD), RTA, S(REQSENT), "" },
	Row{ S(ACKSENT), RTA, S(ACKSENT), "" },
	Row{ S(OPENED), RTA, S(REQSENT), "tld,scr" },
	Row{ S(CLOSED), RUC, S(CLOSED), "scj" },
	Row{ S(OPENED), RUC, S(OPENED), "scj" },
	Row{ S(REQSENT), RUC, S(REQSENT), "scj" },
	Row{ S(ACKRCVD), RXJP, S(REQSENT), "" },
	Row{ S(OPENED), RXJP, S(OPENED), "" },
	Row{ S(CLOSED), RXJM, S(CLOSED), "tlf" },
	Row{ S(STOPPED), RXJM, S(STOPPED), "tlf" },
	Row{ S(CLOSING), RXJM, S(CLOSED), "tlf" },
	Row{ S(STOPPING), RXJM, S(STOPPED), "tlf" },
	Row{ S(REQSENT), RXJM, S(STOPPED), "tlf" },
	Row{ S(ACKRCVD), RXJM, S(STOPPED), "tlf" },
	Row{ S(ACKSENT), RXJM, S(STOPPED), "tlf" },
	Row{ S(OPENED), RXJM, S(STOPPING), "tld,str" },
	Row{ S(OPENED), RXR, S(OPENED), "ser" },
	Row{ S(INITIAL), RCRP, S(INITIAL), "" },
	Row{ S(STARTING), RTR, S(STARTING), "" }));
// clang-format on

TEST(PppFsm, RestartTimerRunsOnlyWhileSomethingIsOut)
{
	Probe pr;
	ppp_fsm f;
	ppp_fsm_cfg cfg;
	ppp_fsm_cfg_defaults(&cfg);
	ppp_fsm_init(&f, "TEST", 0xc021, &cfg, &ops, &pr, "t");
	ppp_fsm_open(&f, 1000);
	EXPECT_EQ(UINT64_MAX, ppp_fsm_next_timeout(&f));
	ppp_fsm_up(&f, 1000);
	EXPECT_EQ(4000u, ppp_fsm_next_timeout(&f));
	// Max-Configure: 10 requests, then TO- gives up (tlf, Stopped)
	uint64_t now = 1000;
	int requests = 1;
	while (f.state == PPP_FSM_REQSENT) {
		now = ppp_fsm_next_timeout(&f);
		ppp_fsm_timeout(&f, now);
		requests += f.state == PPP_FSM_REQSENT;
	}
	EXPECT_EQ(10, requests);
	EXPECT_EQ(PPP_FSM_STOPPED, f.state);
	EXPECT_TRUE(f.failed);
	EXPECT_EQ(31000u, now); // 10 requests 3 s apart, then one more timeout
	EXPECT_EQ(UINT64_MAX, ppp_fsm_next_timeout(&f));
}

TEST(PppFsm, AckThatDoesNotRepeatOurRequestIsIgnored)
{
	Probe pr;
	ppp_fsm f;
	ppp_fsm_cfg cfg;
	ppp_fsm_cfg_defaults(&cfg);
	ppp_fsm_init(&f, "TEST", 0xc021, &cfg, &ops, &pr, "t");
	ppp_fsm_up(&f, 1000);
	ppp_fsm_open(&f, 1000); // scr: MRU 1500
	auto bad = packet(PPP_CONFACK, f.req_id, { 1, 4, 5, 0xdb });
	ppp_fsm_input(&f, 1000, bad.data(), bad.size());
	EXPECT_EQ(PPP_FSM_REQSENT, f.state);
	auto wrong_id = packet(PPP_CONFACK, (uint8_t)(f.req_id + 1), { 1, 4, 5, 0xdc });
	ppp_fsm_input(&f, 1000, wrong_id.data(), wrong_id.size());
	EXPECT_EQ(PPP_FSM_REQSENT, f.state);
	EXPECT_EQ(2u, f.stats.rx_bad_ack);
	auto good = packet(PPP_CONFACK, f.req_id, { 1, 4, 5, 0xdc });
	ppp_fsm_input(&f, 1000, good.data(), good.size());
	EXPECT_EQ(PPP_FSM_ACKRCVD, f.state);
}

TEST(PppFsm, MalformedPacketsAreDiscardedAndCounted)
{
	Probe pr;
	ppp_fsm f;
	ppp_fsm_cfg cfg;
	ppp_fsm_cfg_defaults(&cfg);
	ppp_fsm_init(&f, "TEST", 0xc021, &cfg, &ops, &pr, "t");
	f.state = PPP_FSM_REQSENT;
	const std::vector<std::vector<uint8_t>> bad = {
		{ 1, 1, 0 },		 // shorter than the header
		{ 1, 1, 0, 3 },		 // Length below 4
		{ 1, 1, 0, 9, 1, 4, 5 }, // Length past the packet
		{ 1, 1, 0, 6, 1, 0 },	 // option length 0
		{ 1, 1, 0, 6, 1, 1 },	 // option length 1
		{ 1, 1, 0, 7, 1, 4, 5 }, // option past the end
	};
	for (const auto &b : bad)
		ppp_fsm_input(&f, 1000, b.data(), b.size());
	EXPECT_EQ(bad.size(), f.stats.rx_bad);
	EXPECT_TRUE(pr.actions.empty());
	EXPECT_EQ(PPP_FSM_REQSENT, f.state);
}
} // namespace
