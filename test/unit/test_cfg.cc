// SPDX-License-Identifier: BSD-2-Clause
// The YAML configuration: the example files load; every kind of mistake is
// refused with file:line:column and what was expected.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

extern "C" {
#include "cfg.h"
}

namespace
{

std::string
write_tmp(const std::string &text)
{
	static int n;
	std::string path = "test_cfg_" + std::to_string(n++) + ".yaml";
	std::ofstream(path) << text;
	return path;
}

struct Loaded {
	lns_config *c;
	cfg_errors errs;
	std::string path;
	~Loaded()
	{
		cfg_free(c);
		remove(path.c_str());
	}
	std::string all() const
	{
		std::string s;
		for (unsigned i = 0; i < errs.n; i++)
			s += std::string(errs.msg[i]) + "\n";
		return s;
	}
};

std::unique_ptr<Loaded>
load(const std::string &text)
{
	auto l = std::make_unique<Loaded>();
	l->path = write_tmp(text);
	l->c = cfg_load(l->path.c_str(), &l->errs);
	return l;
}

} // namespace

TEST(Config, SeedExampleLoads)
{
	cfg_errors errs;
	lns_config *c = cfg_load(LNSD_SOURCE_DIR "/config/seed.yaml", &errs);
	ASSERT_NE(nullptr, c) << (errs.n ? errs.msg[0] : "");
	EXPECT_STREQ("l2tp-gw", c->l2tp.host_name);
	EXPECT_EQ(300, c->l2tp.rx_window);
	ASSERT_EQ(2u, c->n_ports);
	EXPECT_EQ(CFG_PORT_ACCESS, c->ports[0].role);
	EXPECT_EQ(0xC0000201u, c->ports[0].ipv4);
	EXPECT_EQ(24, c->ports[0].prefix_len);
	EXPECT_EQ(CFG_TOO_BIG_FRAGMENT, c->ports[0].too_big);
	EXPECT_EQ(0xC6336402u, c->ports[1].gateway);
	const cfg_profile *p = cfg_find_profile(c, "hgw", 3, 0xC0000202);
	ASSERT_NE(nullptr, p);
	EXPECT_STREQ("hello", p->secret);
	EXPECT_EQ(3u, p->n_auth);
	EXPECT_EQ(CFG_AUTH_CHAP, p->auth[0]);
	EXPECT_EQ(nullptr, cfg_find_profile(c, "other", 5, 0xC0000202)); // no default profile
	const cfg_user *u = cfg_find_user(c, "2500-1", 6);
	ASSERT_NE(nullptr, u);
	EXPECT_STREQ("cisco", u->password);
	EXPECT_EQ(0xFFFFFFFFu, u->ipv4);
	const cfg_pool *pool = cfg_find_pool(c, "subscribers");
	ASSERT_NE(nullptr, pool);
	EXPECT_EQ(0xCB00710Au, pool->ranges[0].first);
	EXPECT_EQ(0xCB0071FAu, pool->ranges[0].last);
	EXPECT_EQ(1u, pool->n_exclude);
	cfg_free(c);
}

TEST(Config, PeerQuirkSwitches)
{
	auto l = load("profiles:\n  - name: old-lac\n    tolerate_unknown_mandatory_avp: true\n"
		      "    send_hello: false\n");
	ASSERT_NE(nullptr, l->c) << l->all();
	EXPECT_TRUE(l->c->profiles[0].tolerate_unknown_mandatory_avp);
	EXPECT_FALSE(l->c->profiles[0].send_hello);
}

TEST(Config, LogSection)
{
	auto l = load("log:\n  target: syslog\n  facility: local3\n  l2tp: debug\n  main: warn\n");
	ASSERT_NE(nullptr, l->c) << l->all();
	EXPECT_EQ(CFG_LOG_SYSLOG, l->c->log.target);
	EXPECT_EQ(4, l->c->log.facility);
	EXPECT_EQ(3, l->c->log.level[0]); // l2tp
	EXPECT_EQ(2, l->c->log.level[1]); // ppp: the default, info
	EXPECT_EQ(1, l->c->log.level[5]); // main
	auto d = load("l2tp:\n  rx_window: 4\n");
	ASSERT_NE(nullptr, d->c);
	EXPECT_EQ(CFG_LOG_STDERR, d->c->log.target);
	for (int lv : d->c->log.level)
		EXPECT_EQ(2, lv);
}

TEST(Config, DefaultsAndProfileSelection)
{
	auto l = load("profiles:\n"
		      "  - name: default\n"
		      "  - name: by-address\n"
		      "    match_address: 192.0.2.0/24\n"
		      "  - name: by-host\n"
		      "    match_host: lac1\n");
	ASSERT_NE(nullptr, l->c) << l->all();
	EXPECT_EQ(4, l->c->l2tp.rx_window);
	EXPECT_EQ(60u, l->c->l2tp.hello_interval_s);
	EXPECT_STREQ("by-host", cfg_find_profile(l->c, "lac1", 4, 0xC6336401)->name);
	EXPECT_STREQ("by-address", cfg_find_profile(l->c, "lac9", 4, 0xC0000209)->name);
	EXPECT_STREQ("default", cfg_find_profile(l->c, "lac9", 4, 0xC6336401)->name);
	EXPECT_TRUE(l->c->profiles[0].proxy_auth);
	EXPECT_EQ(1460, l->c->profiles[0].mru);
}

struct Bad {
	const char *why;
	const char *yaml;
	const char *expect; // a part of the message, location included
};

class ConfigErrors : public ::testing::TestWithParam<Bad>
{
};

TEST_P(ConfigErrors, AreRefusedWithFileLineColumn)
{
	const Bad &b = GetParam();
	auto l = load(b.yaml);
	EXPECT_EQ(nullptr, l->c) << b.why;
	ASSERT_GT(l->errs.n, 0u) << b.why;
	std::string all = l->all();
	EXPECT_NE(std::string::npos, all.find(l->path + ":")) << all;
	EXPECT_NE(std::string::npos, all.find(b.expect)) << b.why << "\n" << all;
}

INSTANTIATE_TEST_SUITE_P(
	Table, ConfigErrors,
	::testing::Values(
		Bad{ "unknown section", "dpkd:\n  workers: 1\n", ":1:1: unknown section 'dpkd'" },
		Bad{ "unknown key", "l2tp:\n  hello: 30\n",
		     ":2:3: unknown key 'hello' in l2tp (expected one of: host_name" },
		Bad{ "wrong type", "l2tp:\n  rx_window: many\n",
		     ":2:14: rx_window: expected a whole number, not 'many'" },
		Bad{ "out of range", "l2tp:\n  rx_window: 5000\n",
		     ":2:14: rx_window: 5000 is out of range (1 to 1024)" },
		Bad{ "negative", "dpdk:\n  workers: -1\n", "workers: expected a whole number" },
		Bad{ "a map where a value goes", "l2tp:\n  host_name:\n    a: b\n",
		     ":3:5: host_name must be a value" },
		Bad{ "bad address", "users:\n  - name: a\n    password: b\n    address: 10.1\n",
		     ":4:14: address: expected an IPv4 address, not '10.1'" },
		Bad{ "bad enum", "profiles:\n  - name: p\n    lcp_renegotiate: sometimes\n",
		     ":3:22: lcp_renegotiate: 'sometimes' is not one of the choices" },
		Bad{ "bad auth", "profiles:\n  - name: p\n    auth: [chap, eap]\n",
		     ":3:18: auth: 'eap' is not pap, chap or mschapv2" },
		Bad{ "duplicate profile", "profiles:\n  - name: p\n  - name: p\n",
		     ":3:5: profile 'p' defined twice" },
		Bad{ "same host twice",
		     "profiles:\n  - name: a\n    match_host: h\n  - name: b\n    match_host: h\n",
		     "both match host 'h'" },
		Bad{ "missing pool", "profiles:\n  - name: p\n    pool: nope\n",
		     ":2:5: profile 'p' names pool 'nope', which does not exist" },
		Bad{ "overlapping pools",
		     "pools:\n  - name: a\n    ranges: [203.0.113.0/25]\n  - name: b\n    ranges: "
		     "[203.0.113.100-203.0.113.200]\n",
		     ":4:5: pool 'b' overlaps pool 'a'" },
		Bad{ "bad range", "pools:\n  - name: a\n    ranges: [203.0.113.9-203.0.113.1]\n",
		     ":3:14: ranges: expected first-last" },
		Bad{ "key given twice", "l2tp:\n  rx_window: 4\n  rx_window: 8\n",
		     ":3:3: l2tp: 'rx_window' given twice" },
		Bad{ "log level", "log:\n  ppp: loud\n",
		     ":2:8: ppp: 'loud' is not one of the choices" },
		Bad{ "log target", "log:\n  target: file\n",
		     ":2:11: target: 'file' is not one of the choices" },
		Bad{ "too_big", "ports:\n  - name: p\n    too_big: drop\n",
		     ":3:14: too_big: 'drop' is not one of the choices" },
		Bad{ "section given twice",
		     "pools:\n  - name: a\n    ranges: [203.0.113.10]\npools:\n  - name: b\n    "
		     "ranges: [203.0.113.11]\n",
		     ":4:1: section 'pools' given twice (first at line 1)" },
		Bad{ "YAML syntax", "l2tp:\n  rx_window: [1\n", "test_cfg_" },
		Bad{ "alias", "l2tp: &a\n  rx_window: 4\ndpdk: *a\n", "aliases" },
		Bad{ "port without address", "ports:\n  - name: p\n    device: net_null0\n",
		     ":2:5: port 'p': an address is required" },
		Bad{ "two access ports",
		     "ports:\n  - name: a\n    device: net_null0\n    role: access\n    address: "
		     "192.0.2.1/24\n  - name: b\n    device: net_null1\n    role: access\n    "
		     "address: 192.0.2.2/24\n",
		     ":2:3: ports: 2 facing the LACs and 0 facing the core: 1 to 4 of each are "
		     "needed" },
		Bad{ "five access ports",
		     "ports:\n  - {name: a, device: net_null0, role: access, address: "
		     "192.0.2.1/28}\n"
		     "  - {name: b, device: net_null1, role: access, address: 192.0.2.17/28}\n"
		     "  - {name: c, device: net_null2, role: access, address: 192.0.2.33/28}\n"
		     "  - {name: d, device: net_null3, role: access, address: 192.0.2.49/28}\n"
		     "  - {name: e, device: net_null4, role: both, address: 192.0.2.65/28}\n",
		     ":2:3: ports: 5 facing the LACs and 1 facing the core: 1 to 4 of each" },
		Bad{ "five core ports",
		     "ports:\n  - {name: a, device: net_null0, role: access, address: "
		     "192.0.2.1/24}\n"
		     "  - {name: b, device: net_null1, role: core, address: 198.51.100.1/28}\n"
		     "  - {name: c, device: net_null2, role: core, address: 198.51.100.17/28}\n"
		     "  - {name: d, device: net_null3, role: core, address: 198.51.100.33/28}\n"
		     "  - {name: e, device: net_null4, role: core, address: 198.51.100.49/28}\n"
		     "  - {name: f, device: net_null5, role: core, address: 198.51.100.65/28}\n",
		     ":2:3: ports: 1 facing the LACs and 5 facing the core: 1 to 4 of each" },
		Bad{ "one device, two access VLANs",
		     "ports:\n  - {name: a, device: net_null0, role: access, vlan: 7, address: "
		     "192.0.2.1/25}\n  - {name: b, device: net_null0, role: access, vlan: 8, "
		     "address: "
		     "192.0.2.129/25}\n  - {name: c, device: net_null1, role: core, address: "
		     "198.51.100.1/24}\n",
		     ":3:5: port 'b': device also used by port 'a': one device carries access and "
		     "core only on two different VLANs" },
		Bad{ "one device, one VLAN",
		     "ports:\n  - name: a\n    device: net_null0\n    role: access\n    vlan: 7\n"
		     "    address: 192.0.2.1/24\n  - name: b\n    device: net_null0\n    role: "
		     "core\n    vlan: 7\n    address: 198.51.100.1/24\n",
		     ":7:5: port 'b': device also used by port 'a': one device carries access and "
		     "core only on two different VLANs" },
		Bad{ "overlapping subnets",
		     "ports:\n  - {name: a, device: net_null0, role: access, address: "
		     "192.0.2.1/24}\n"
		     "  - {name: b, device: net_null1, role: core, address: 192.0.2.129/25}\n",
		     ":3:5: port 'b': its subnet overlaps port 'a''s: each port needs its own" },
		Bad{ "alias off the subnet",
		     "ports:\n  - {name: a, device: net_null0, role: both, address: 192.0.2.1/25, "
		     "aliases: [192.0.2.200]}\n",
		     ":2:5: port 'a': alias 192.0.2.200 is not on its subnet" },
		Bad{ "gateway off the subnet",
		     "ports:\n  - {name: a, device: net_null0, role: both, address: 192.0.2.1/24, "
		     "gateway: 198.51.100.1}\n",
		     ":2:5: port 'a': gateway is not on its subnet" },
		Bad{ "port name with a space",
		     "ports:\n  - {name: 'up link', device: net_null0, role: both, address: "
		     "192.0.2.1/24}\n",
		     ":2:5: port 'up link': a name of letters, digits" },
		Bad{ "one device spelt two ways",
		     "ports:\n  - {name: a, device: 'net_null0,size=64', role: access, address: "
		     "192.0.2.1/24}\n  - {name: b, device: net_null0, role: core, address: "
		     "198.51.100.1/24}\n",
		     ":3:5: port 'b': device also used by port 'a'" },
		Bad{ "listen not ours",
		     "ports:\n  - {name: a, device: net_null0, role: both, address: 192.0.2.1/24}\n"
		     "l2tp:\n  listen: [192.0.2.1, 192.0.2.9]\n",
		     ":4:23: l2tp.listen: 192.0.2.9 is not one of the access ports' addresses" },
		Bad{ "more access addresses than listen takes",
		     "ports:\n  - {name: a, device: net_null0, role: access, address: "
		     "192.0.2.1/25, "
		     "aliases: [192.0.2.2, 192.0.2.3, 192.0.2.4, 192.0.2.5]}\n"
		     "  - {name: b, device: net_null1, role: access, address: 192.0.2.129/25, "
		     "aliases: [192.0.2.130, 192.0.2.131, 192.0.2.132]}\n"
		     "  - {name: c, device: net_null2, role: core, address: 198.51.100.1/24}\n",
		     ":2:3: ports: 9 addresses on the access ports, lnsd listens on 8 at most" },
		Bad{ "vlan out of range", "ports:\n  - name: p\n    vlan: 4095\n",
		     ":3:11: vlan: 4095 is out of range (1 to 4094)" },
		Bad{ "prefix6 of one /64",
		     "pools:\n  - name: a\n    ranges: [203.0.113.10]\n    prefix6: "
		     "2001:db8::/64\n",
		     ":2:5: pool 'a': prefix6 must be /32 to /63" },
		Bad{ "prefix6 not a prefix", "pools:\n  - name: a\n    prefix6: 2001:db8::1\n",
		     ":3:14: prefix6: expected an IPv6 prefix/length, not '2001:db8::1'" },
		Bad{ "prefix6 overlapping",
		     "pools:\n  - name: a\n    ranges: [203.0.113.10]\n    prefix6: 2001:db8::/48\n"
		     "  - name: b\n    ranges: [203.0.113.11]\n    prefix6: 2001:db8:0:100::/56\n",
		     ":5:5: pool 'b': prefix6 overlaps pool 'a'" },
		Bad{ "ipv6 without a prefix6",
		     "pools:\n  - name: a\n    ranges: [203.0.113.10]\nprofiles:\n  - name: p\n    "
		     "pool: a\n    ipv6: true\n",
		     ":5:5: profile 'p': ipv6 needs a pool with a prefix6" },
		Bad{ "dns6 not IPv6", "profiles:\n  - name: p\n    dns6: [198.51.100.53]\n",
		     ":3:12: dns6: expected an IPv6 address, not '198.51.100.53'" },
		Bad{ "too few mbufs", "dpdk:\n  mbufs: 100\n",
		     ":2:3: dpdk: mbufs 100 is below 1023" },
		Bad{ "top level a list", "- a\n- b\n", ":1:1: the configuration must be a map" },
		Bad{ "rtx order", "l2tp:\n  rtx_initial_ms: 5000\n  rtx_max_ms: 1000\n",
		     "rtx_max_ms is below rtx_initial_ms" },
		Bad{ "lcores that do not parse", "dpdk:\n  lcores: 0-x\n",
		     ":2:11: dpdk.lcores '0-x': a number was expected" },
		Bad{ "lcores: a bare range before @", "dpdk:\n  lcores: 0-2@0\n",
		     "a range before '@' needs brackets: (0-2)@0" },
		Bad{ "lcores: one named twice", "dpdk:\n  lcores: \"0@0,(1,0)@1\"\n",
		     "an lcore is named twice" },
		Bad{ "lcores: an unclosed bracket", "dpdk:\n  lcores: \"(0,1@1\"\n",
		     "a ')' is missing" },
		Bad{ "lcores: beyond RTE_MAX_LCORE", "dpdk:\n  lcores: 0,128\n",
		     "an lcore is 0 to 127" },
		Bad{ "fewer lcores than workers", "dpdk:\n  workers: 2\n  lcores: 0-1\n",
		     ":3:11: dpdk.lcores '0-1' names 2 lcores: 2 workers need 3" },
		Bad{ "more workers than lnsd has room for", "dpdk:\n  workers: 17\n",
		     "workers: 17 is out of range (1 to 16)" },
		Bad{ "a PCI port with hugepages off",
		     "dpdk:\n  hugepages: false\nports:\n  - {name: a, device: 0000:3b:00.0, role: "
		     "both, address: 192.0.2.1/24}\n",
		     ":2:14: dpdk.hugepages: false, but a port is a PCI device" },
		Bad{ "local_address not an address", "ppp:\n  local_address: core\n",
		     ":2:18: local_address: expected an IPv4 address, not 'core'" },
		Bad{ "a pool holds the IPCP address lnsd gives itself",
		     "ppp:\n  local_address: 203.0.113.1\npools:\n  - name: subs\n"
		     "    ranges: [203.0.113.0/24]\n",
		     ":4:5: pool 'subs' holds 203.0.113.1, the IPCP address lnsd gives itself "
		     "(ppp.local_address)" },
		Bad{ "a pool holds a profile's local_address",
		     "profiles:\n  - name: p\n    local_address: 203.0.113.9\npools:\n"
		     "  - name: subs\n    ranges: [203.0.113.2-203.0.113.20]\n",
		     ":5:5: pool 'subs' holds 203.0.113.9, the IPCP address lnsd gives itself "
		     "(local_address of profile p)" }));

// One-armed: one port with role both, or access and core on one device's two VLANs.
TEST(Config, OneArmedPortsLoad)
{
	auto both = load("ports:\n  - name: trunk\n    device: net_null0\n    role: both\n"
			 "    vlan: 100\n    address: 192.0.2.1/24\n    gateway: 192.0.2.254\n");
	ASSERT_NE(nullptr, both->c) << both->all();
	EXPECT_EQ(CFG_PORT_BOTH, both->c->ports[0].role);
	EXPECT_EQ(100, both->c->ports[0].vlan);
	auto vlans =
		load("ports:\n  - name: lacs\n    device: net_null0\n    role: access\n"
		     "    vlan: 100\n    address: 192.0.2.1/24\n  - name: net\n    device: "
		     "net_null0\n    role: core\n    vlan: 200\n    address: 198.51.100.1/24\n");
	ASSERT_NE(nullptr, vlans->c) << vlans->all();
	EXPECT_EQ(2u, vlans->c->n_ports);
	EXPECT_EQ(200, vlans->c->ports[1].vlan);
}

// Several ports a side: two LAC-facing links and two core links, and role both beside a core port.
TEST(Config, SeveralPortsPerSideLoad)
{
	auto l = load("ports:\n"
		      "  - {name: lac1, device: net_null0, role: access, address: 192.0.2.1/25}\n"
		      "  - {name: lac2, device: net_null1, role: access, address: 192.0.2.129/25}\n"
		      "  - {name: up1, device: net_null2, role: core, address: 198.51.100.1/25,"
		      " gateway: 198.51.100.2}\n"
		      "  - {name: up2, device: net_null3, role: core, address: 198.51.100.129/25,"
		      " gateway: 198.51.100.130}\n");
	ASSERT_NE(nullptr, l->c) << l->all();
	EXPECT_EQ(4u, l->c->n_ports);
	EXPECT_EQ(CFG_PORT_CORE, l->c->ports[3].role);
	// no l2tp.listen: every access address, in the ports' order
	ASSERT_EQ(2u, l->c->l2tp.n_listen);
	EXPECT_EQ(0xC0000201u, l->c->l2tp.listen[0]);
	EXPECT_EQ(0xC0000281u, l->c->l2tp.listen[1]);
	auto mixed =
		load("ports:\n"
		     "  - {name: a, device: net_null0, role: both, address: 192.0.2.1/24}\n"
		     "  - {name: b, device: net_null1, role: core, address: 198.51.100.1/24}\n");
	ASSERT_NE(nullptr, mixed->c) << mixed->all();
}

// The IPCP address lnsd gives itself: never one LACs dial unless told, and then with a warning.
const char *const two_ports =
	"ports:\n"
	"  - {name: acc, device: net_null0, role: access, address: 192.0.2.1/24,"
	" aliases: [192.0.2.5]}\n"
	"  - {name: core, device: net_null1, role: core, address: "
	"198.51.100.1/24}\n";

TEST(Config, LocalAddressDefaultsToTheFirstCorePort)
{
	auto l = load(std::string(two_ports) + "profiles:\n  - name: default\n  - name: own\n"
					       "    local_address: 203.0.113.1\n");
	ASSERT_NE(nullptr, l->c) << l->all();
	EXPECT_EQ(0u, l->errs.n_warnings) << l->errs.warning[0];
	EXPECT_EQ(0xC6336401u, l->c->ppp.local_address);
	EXPECT_EQ(0xC6336401u, l->c->profiles[0].local_address); // the global one
	EXPECT_EQ(0xCB007101u, l->c->profiles[1].local_address);
	auto g = load(std::string(two_ports) + "ppp:\n  local_address: 203.0.113.254\n"
					       "profiles:\n  - name: default\n");
	ASSERT_NE(nullptr, g->c) << g->all();
	EXPECT_EQ(0xCB0071FEu, g->c->profiles[0].local_address);
}

TEST(Config, LocalAddressThatLacsDialIsAWarningWithItsPosition)
{
	auto l = load(std::string(two_ports) +
		      "ppp:\n  local_address: 192.0.2.1\n"
		      "profiles:\n  - name: p\n    local_address: 192.0.2.5\n");
	ASSERT_NE(nullptr, l->c) << l->all(); // it loads: the operator may know better
	ASSERT_EQ(2u, l->errs.n_warnings);
	EXPECT_NE(nullptr,
		  strstr(l->errs.warning[0], (l->path + ":5:18: warning: ppp.local_address "
							"192.0.2.1 is an address LACs dial")
						     .c_str()))
		<< l->errs.warning[0];
	EXPECT_NE(nullptr,
		  strstr(l->errs.warning[1], (l->path + ":8:20: warning: local_address "
							"192.0.2.5 is an address LACs dial")
						     .c_str()))
		<< l->errs.warning[1];
	// one-armed on one address: the default is that address, and the warning says to set one
	auto both = load("ports:\n  - name: trunk\n    device: net_null0\n    role: both\n"
			 "    address: 192.0.2.1/24\n");
	ASSERT_NE(nullptr, both->c) << both->all();
	EXPECT_EQ(0xC0000201u, both->c->ppp.local_address);
	ASSERT_EQ(1u, both->errs.n_warnings);
	EXPECT_NE(nullptr, strstr(both->errs.warning[0], ":4:11: warning: ppp.local_address, not "
							 "given, is this role both port's"))
		<< both->errs.warning[0];
}

// dpdk.lcores as EAL takes it, parsed here so that a mistake gets a position, not EAL's usage.
TEST(Config, LcoresListAndMap)
{
	auto def = load("dpdk:\n  workers: 2\n");
	ASSERT_NE(nullptr, def->c) << def->all();
	EXPECT_STREQ("0-2", def->c->dpdk.lcores);
	EXPECT_FALSE(def->c->dpdk.lcores_map);
	EXPECT_EQ(3u, def->c->dpdk.n_lcores);
	EXPECT_TRUE(cfg_uses_cpu(&def->c->dpdk, 2));

	auto map = load("dpdk:\n  workers: 2\n  lcores: \"0@0,1@1,2@1\"\n");
	ASSERT_NE(nullptr, map->c) << map->all();
	const cfg_dpdk &d = map->c->dpdk;
	EXPECT_TRUE(d.lcores_map);
	ASSERT_EQ(3u, d.n_lcores);
	EXPECT_EQ(2, d.lcore_ids[2]);
	EXPECT_TRUE(cfg_uses_cpu(&d, 0));
	EXPECT_TRUE(cfg_uses_cpu(&d, 1));
	EXPECT_FALSE(cfg_uses_cpu(&d, 2)) << "lcore 2 runs on CPU 1";
	EXPECT_EQ(3u, d.lcores_at.line);

	auto groups = load("dpdk:\n  workers: 4\n  lcores: \"(0-2)@(0,1),3,4@(2-3)\"\n");
	ASSERT_NE(nullptr, groups->c) << groups->all();
	EXPECT_EQ(5u, groups->c->dpdk.n_lcores);
	for (unsigned c : { 0u, 1u, 2u, 3u })
		EXPECT_TRUE(cfg_uses_cpu(&groups->c->dpdk, c)) << c;
	EXPECT_FALSE(cfg_uses_cpu(&groups->c->dpdk, 4)) << "lcore 4 runs on CPUs 2-3";
}

// A port is a PCI device when its device is an address as EAL's allow-list takes it.
TEST(Config, PciDevicesAndTheirHugepages)
{
	EXPECT_TRUE(cfg_device_is_pci("0000:3b:00.0"));
	EXPECT_TRUE(cfg_device_is_pci("3b:00.1"));
	EXPECT_TRUE(cfg_device_is_pci("0000:af:00.0,rxq_pkt_fill_thresh=1"));
	EXPECT_FALSE(cfg_device_is_pci("net_af_packet0,iface=x"));
	EXPECT_FALSE(cfg_device_is_pci("0000:3b:00.8"));
	EXPECT_FALSE(cfg_device_is_pci("000:3b:00.0"));
	auto l = load(
		"ports:\n"
		"  - {name: a, device: \"0000:3b:00.0\", role: access, address: 192.0.2.1/24}\n"
		"  - {name: c, device: net_tap0, role: core, address: 198.51.100.1/24}\n");
	ASSERT_NE(nullptr, l->c) << l->all();
	EXPECT_TRUE(l->c->ports[0].pci);
	EXPECT_FALSE(l->c->ports[1].pci);
	EXPECT_EQ(3u, l->c->ports[1].at.line);
	EXPECT_TRUE(l->c->dpdk.hugepages) << "a NIC cannot DMA into --no-huge memory";
	EXPECT_TRUE(l->c->ports[0].rx_checksum_offload);
	EXPECT_FALSE(l->c->ports[0].tx_checksum_offload) << "it saves nothing: docs/dataplane.md";
	auto v = load(std::string(two_ports));
	ASSERT_NE(nullptr, v->c) << v->all();
	EXPECT_FALSE(v->c->dpdk.hugepages) << "virtual devices keep --no-huge";
}

TEST(Config, Ipv6PoolAndProfile)
{
	auto l = load("pools:\n  - name: subs\n    ranges: [203.0.113.10-203.0.113.20]\n"
		      "    prefix6: 2001:db8:100:ff::1/48\nprofiles:\n  - name: p\n    pool: subs\n"
		      "    ipv6: true\n    dns6: [2001:db8::53]\n    ra_interval_s: 30\n");
	ASSERT_NE(nullptr, l->c) << l->all();
	const cfg_pool *pool = cfg_find_pool(l->c, "subs");
	ASSERT_NE(nullptr, pool);
	const uint8_t want[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00 }; // host bits cleared
	EXPECT_EQ(0, memcmp(want, pool->prefix6, 16));
	EXPECT_EQ(48, pool->prefix6_len);
	EXPECT_TRUE(l->c->profiles[0].ipv6);
	EXPECT_EQ(1u, l->c->profiles[0].n_dns6);
	EXPECT_EQ(0x53, l->c->profiles[0].dns6[0][15]);
	EXPECT_EQ(30u, l->c->profiles[0].ra_interval_s);
}

TEST(Config, CorePortIpv6)
{
	auto l = load("ports:\n  - name: core\n    device: net_null0\n    role: core\n"
		      "    address: 198.51.100.1/24\n    address6: 2001:db8:ffff::1/64\n"
		      "    gateway6: 2001:db8:ffff::2\n  - name: access\n    device: net_null1\n"
		      "    role: access\n    address: 192.0.2.1/24\n");
	ASSERT_NE(nullptr, l->c) << l->all();
	EXPECT_EQ(1, l->c->ports[0].ipv6[15]); // the address, not its network
	EXPECT_EQ(64, l->c->ports[0].ipv6_len);
	EXPECT_EQ(2, l->c->ports[0].gateway6[15]);
	auto bad = load("ports:\n  - name: a\n    device: net_null0\n    role: access\n"
			"    address: 192.0.2.1/24\n    gateway6: 2001:db8::2\n");
	EXPECT_EQ(nullptr, bad->c);
	EXPECT_NE(std::string::npos,
		  bad->all().find(":2:5: port 'a': address6 and gateway6 are for the core side"))
		<< bad->all();
	auto typo = load("ports:\n  - name: c\n    gateway6: 2001:db8::zz\n");
	EXPECT_NE(std::string::npos,
		  typo->all().find(":3:15: gateway6: expected an IPv6 address, not '2001:db8::zz'"))
		<< typo->all();
}

TEST(Config, MissingFileSaysSo)
{
	cfg_errors errs;
	EXPECT_EQ(nullptr, cfg_load("/nonexistent/lnsd.yaml", &errs));
	ASSERT_EQ(1u, errs.n);
	EXPECT_NE(nullptr, strstr(errs.msg[0], "No such file"));
}

TEST(Config, ManyErrorsAreAllReported)
{
	auto l = load("l2tp:\n  rx_window: 0\n  hello_interval_s: x\n  bogus: 1\n");
	EXPECT_EQ(nullptr, l->c);
	EXPECT_EQ(3u, l->errs.n) << l->all();
}

TEST(Config, SeedRadiusExampleLoads)
{
	cfg_errors errs;
	lns_config *c = cfg_load(LNSD_SOURCE_DIR "/config/seed-radius.yaml", &errs);
	ASSERT_NE(nullptr, c) << (errs.n ? errs.msg[0] : "");
	const cfg_profile *p = cfg_find_profile(c, "hgw", 3, 0xC0000202);
	ASSERT_NE(nullptr, p);
	EXPECT_EQ(CFG_AAA_RADIUS, p->aaa);
	EXPECT_EQ(CFG_REALM_KEEP, p->realm);
	ASSERT_EQ(1u, c->radius.n_servers);
	EXPECT_EQ(0x7F000001u, c->radius.servers[0].address);
	EXPECT_EQ(1812, c->radius.servers[0].auth_port);
	EXPECT_EQ(1813, c->radius.servers[0].acct_port);
	EXPECT_STREQ("testing123", c->radius.servers[0].secret);
	EXPECT_TRUE(c->radius.servers[0].require_message_authenticator); // Blast-RADIUS
	EXPECT_STREQ("l2tp-gw", c->radius.nas_identifier);
	EXPECT_EQ(60u, c->radius.interim_interval_s);
	EXPECT_EQ(0u, c->n_users);
	cfg_free(c);
}

TEST(Config, RadiusSectionIsValidated)
{
	auto l = load("radius:\n  servers:\n    - address: 127.0.0.1\n  retries: 11\n"
		      "  timeout: 5\nprofiles:\n  - name: p\n    aaa: radius\n    realm: cut\n");
	EXPECT_EQ(nullptr, l->c);
	std::string e = l->all();
	EXPECT_NE(std::string::npos, e.find("radius server: address and secret are required")) << e;
	EXPECT_NE(std::string::npos, e.find("retries: 11 is out of range (0 to 10)")) << e;
	EXPECT_NE(std::string::npos, e.find("unknown key 'timeout' in radius")) << e;
	EXPECT_NE(std::string::npos, e.find("realm: 'cut' is not one of the choices")) << e;

	auto none = load("profiles:\n  - name: p\n    aaa: radius\n");
	EXPECT_EQ(nullptr, none->c);
	EXPECT_NE(std::string::npos,
		  none->all().find(":2:5: profile 'p' authenticates by RADIUS, but the radius "
				   "section names no servers"))
		<< none->all();

	std::string text = "radius:\n  servers:\n";
	for (int i = 1; i <= 5; i++)
		text += "    - {address: 127.0.0." + std::to_string(i) + ", secret: a}\n";
	auto five = load(text);
	EXPECT_EQ(nullptr, five->c);
	EXPECT_NE(std::string::npos, five->all().find("at most 4 radius servers")) << five->all();
}

// Unsigned answers only from a server said to be unable to sign; DAE clients have no such key.
TEST(Config, RequireMessageAuthenticatorPerServer)
{
	auto l = load(
		"radius:\n  servers:\n    - {address: 127.0.0.1, secret: a}\n"
		"    - {address: 127.0.0.2, secret: b, require_message_authenticator: false}\n");
	ASSERT_NE(nullptr, l->c) << l->all();
	EXPECT_TRUE(l->c->radius.servers[0].require_message_authenticator);
	EXPECT_FALSE(l->c->radius.servers[1].require_message_authenticator);
	auto dae = load("radius:\n  servers:\n    - {address: 127.0.0.1, secret: a}\n"
			"  dae_listen: 127.0.0.1\n  dae_clients:\n    - {address: 127.0.0.1, "
			"secret: a, require_message_authenticator: false}\n");
	EXPECT_EQ(nullptr, dae->c);
	EXPECT_NE(std::string::npos,
		  dae->all().find(":6:39: unknown key 'require_message_authenticator' in dae "
				  "client (expected one of: address, secret)"))
		<< dae->all();
}

TEST(Config, ManagementSection)
{
	auto l = load("management:\n  socket: /tmp/x.sock\n  metrics_listen: 127.0.0.1\n"
		      "  metrics_port: 9100\n  telemetry: false\n");
	ASSERT_NE(nullptr, l->c) << l->all();
	EXPECT_STREQ("/tmp/x.sock", l->c->management.socket);
	EXPECT_EQ(0x7F000001u, l->c->management.metrics_listen);
	EXPECT_EQ(9100, l->c->management.metrics_port);
	EXPECT_FALSE(l->c->management.telemetry);
	auto d = load("l2tp:\n  host_name: x\n");
	ASSERT_NE(nullptr, d->c);
	EXPECT_STREQ("/run/lnsd.sock", d->c->management.socket);
	EXPECT_EQ(0u, d->c->management.metrics_listen);
	EXPECT_TRUE(d->c->management.telemetry);
	auto bad = load("management:\n  metrics_port: 0\n  sockets: /x\n");
	EXPECT_EQ(nullptr, bad->c);
	EXPECT_NE(std::string::npos, bad->all().find("metrics_port: 0 is out of range"))
		<< bad->all();
	EXPECT_NE(std::string::npos, bad->all().find(":3:3: unknown key 'sockets' in management"))
		<< bad->all();
}
