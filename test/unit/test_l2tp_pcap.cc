// SPDX-License-Identifier: BSD-2-Clause
// A whole LAC <-> LNS exchange written to a pcap file and read back by
// tshark: Wireshark's L2TP dissector must find nothing malformed and raise
// no expert warning or error. The capture stays in the build directory
// (l2tp-engines.pcap) for a person to open.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>

#include "../common/l2tp_sim.h"
#include "../common/seed_vectors.h"

using namespace sim;

namespace
{

std::string
run(const std::string &cmd)
{
	std::string out;
	std::unique_ptr<FILE, int (*)(FILE *)> p(popen(cmd.c_str(), "r"), pclose);
	if (!p)
		return out;
	std::array<char, 4096> buf;
	size_t n;
	while ((n = fread(buf.data(), 1, buf.size(), p.get())) > 0)
		out.append(buf.data(), n);
	return out;
}

bool
have_tshark()
{
	return system("command -v tshark >/dev/null 2>&1") == 0;
}

} // namespace

TEST(Pcap, EngineExchangeDissectsCleanlyInTshark)
{
	const std::string path = "l2tp-engines.pcap";
	{
		PcapWriter pcap(path);
		ASSERT_TRUE(pcap.ok());
		World w;
		w.capture = &pcap;
		l2tp_engine_cfg lns_cfg, lac_cfg;
		l2tp_engine_cfg_defaults(&lns_cfg, L2TP_ROLE_LNS);
		l2tp_engine_cfg_defaults(&lac_cfg, L2TP_ROLE_LAC);
		const l2tp_addr lns_addr = addr4(198, 51, 100, 1, 1701);
		Node &lns = w.add(lns_cfg, lns_addr);
		Node &lac = w.add(lac_cfg, addr4(192, 0, 2, 1, 1701));
		set_secret(lns.policy, "s3cret");
		l2tp_tunnel_params p = {};
		set_secret(p, "s3cret");
		p.hello_interval_ms = 5000;
		lns.policy.hello_interval_ms = 5000;
		l2tp_tunnel *t = l2tp_tunnel_open(lac.engine, w.now, &lns_addr, &p);
		ASSERT_NE(nullptr, t);
		std::vector<l2tp_session *> calls;
		for (uint32_t i = 0; i < 3; i++) {
			l2tp_call_params c = {};
			c.serial = i;
			c.bearer_type = 1;
			c.framing_type = 2;
			c.tx_connect_speed = c.rx_connect_speed = 64000;
			set_field(c.calling_number, "2085730592");
			set_field(c.called_number, "614629");
			set_field(c.last_sent_lcp, seed_last_sent_lcp, sizeof(seed_last_sent_lcp));
			set_field(c.last_rcvd_lcp, seed_last_rcvd_lcp, sizeof(seed_last_rcvd_lcp));
			c.proxy_auth_type = L2TP_PROXY_AUTH_CHAP;
			c.proxy_auth_id = 6;
			set_field(c.proxy_auth_name, "2500-1");
			set_field(c.proxy_auth_challenge, seed_proxy_challenge, 16);
			set_field(c.proxy_auth_response, seed_proxy_response, 16);
			calls.push_back(l2tp_session_incoming(t, w.now, &c));
		}
		w.run_for(2000);
		ASSERT_EQ(3u, lns.count(L2TP_EV_SESSION_UP));
		l2tp_session_send_sli(calls[0], w.now, 0, 0xffffffff);
		l2tp_call_errors ce = { 1, 0, 0, 0, 0, 0 };
		l2tp_session_send_wen(calls[1], w.now, &ce);
		w.run_for(12000); // HELLOs on the idle channel
		for (l2tp_session *s : calls)
			l2tp_session_close(s, w.now, L2TP_CDN_LOST_CARRIER, 0, nullptr);
		w.run_for(60000); // no-sessions-left, StopCCN, its ZLB
		ASSERT_EQ(0u, l2tp_engine_tunnel_count(lns.engine));
	}
	if (!have_tshark())
		GTEST_SKIP() << "tshark is not installed (scripts/install-deps.sh installs it)";

	std::string fields = run("tshark -r " + path +
				 " -d udp.port==1701,l2tp -T fields -e l2tp.avp.message_type 2>&1");
	for (const char *type : { "1", "2", "3", "10", "11", "12", "14", "15", "16", "6", "4" })
		EXPECT_NE(std::string::npos, fields.find(std::string(type) + "\n"))
			<< "message type " << type << " not dissected:\n"
			<< fields;

	std::string verbose = run("tshark -r " + path + " -V 2>&1");
	EXPECT_NE(std::string::npos, verbose.find("Layer 2 Tunneling Protocol"));
	EXPECT_EQ(std::string::npos, verbose.find("Malformed")) << verbose;
	std::string expert = run("tshark -r " + path + " -q -z expert,warn 2>&1");
	EXPECT_EQ(std::string::npos, expert.find("Warnings")) << expert;
	EXPECT_EQ(std::string::npos, expert.find("Errors")) << expert;
}
