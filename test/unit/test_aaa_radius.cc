// SPDX-License-Identifier: BSD-2-Clause
// The RADIUS client: first the pure mapping of AAA requests to RADIUS
// packets and of answers back (aaa_radius_msg), then the AAA threads
// (aaa_radius) against fake RADIUS servers on 127.0.0.1 that check every
// request's signature, record what they got and answer by a per-test
// policy: accept, reject, stay silent, hold until released, sign with the
// wrong secret, leave out Message-Authenticator, send a wrong-ID answer
// first, or answer only once the retransmission arrives.
//
// Timeouts are short (100 ms, one retry); every wait is on a condition
// with a bound, never a sleep that races. The three tests at the end pin
// defects these tests found in aaa_radius.c (the fd, stop, accounting order).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nettle/hmac.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include "aaa_radius.h"
#include "aaa_radius_msg.h"
#include "lns_log.h"
#include "lns_md5.h"
#include "radius_wire.h"
}

namespace
{

using Bytes = std::vector<uint8_t>;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

const char kSecret[] = "s3cret-for-tests";

// ---------------------------------------------------------------------------
// Log lines, kept so that tests can check what was logged (the sink is set
// once, before any AAA thread exists).

std::mutex log_mu;
std::vector<std::string> log_lines;
std::vector<enum log_level> log_levels;

void
capture_log(void *, enum log_category, enum log_level level, const char *line)
{
	std::lock_guard<std::mutex> g(log_mu);
	log_lines.push_back(line);
	log_levels.push_back(level);
}

const bool log_captured = (log_set_sink(capture_log, nullptr), true);

bool
logged(const std::string &part)
{
	std::lock_guard<std::mutex> g(log_mu);
	for (const auto &l : log_lines)
		if (l.find(part) != std::string::npos)
			return true;
	return false;
}

// Lines at this level that hold every part.
size_t
count_logged(enum log_level level, std::initializer_list<std::string> parts)
{
	std::lock_guard<std::mutex> g(log_mu);
	size_t n = 0;
	for (size_t i = 0; i < log_lines.size(); i++) {
		bool all = log_levels[i] == level;
		for (const auto &p : parts)
			all = all && log_lines[i].find(p) != std::string::npos;
		n += all;
	}
	return n;
}

// ---------------------------------------------------------------------------
// Packets as the tests see them.

struct Attr {
	uint8_t type;
	uint32_t vendor;
	Bytes val;
};

struct Packet {
	Bytes wire;
	std::vector<Attr> attrs;

	Packet() = default;
	explicit Packet(Bytes w) : wire(std::move(w))
	{
		radius_attr_it it;
		radius_avp a;

		radius_attr_first(&it, wire.data(), wire.size());
		while (radius_attr_next(&it, &a))
			attrs.push_back({ a.type, a.vendor, Bytes(a.val, a.val + a.len) });
	}
	Packet(const uint8_t *p, size_t len) : Packet(Bytes(p, p + len))
	{
	}

	uint8_t code() const
	{
		return wire.at(0);
	}
	uint8_t id() const
	{
		return wire.at(1);
	}
	const uint8_t *authenticator() const
	{
		return wire.data() + 4;
	}

	const Attr *find(uint8_t type, uint32_t vendor = 0) const
	{
		for (const auto &a : attrs)
			if (a.type == type && a.vendor == vendor)
				return &a;
		return nullptr;
	}
	size_t count(uint8_t type, uint32_t vendor = 0) const
	{
		size_t n = 0;
		for (const auto &a : attrs)
			n += a.type == type && a.vendor == vendor;
		return n;
	}
	// -1: absent or not 4 bytes
	int64_t u32(uint8_t type, uint32_t vendor = 0) const
	{
		const Attr *a = find(type, vendor);
		if (a == nullptr || a->val.size() != 4)
			return -1;
		return (int64_t)a->val[0] << 24 | a->val[1] << 16 | a->val[2] << 8 | a->val[3];
	}
	std::string str(uint8_t type, uint32_t vendor = 0) const
	{
		const Attr *a = find(type, vendor);
		return a ? std::string(a->val.begin(), a->val.end()) : std::string("<absent>");
	}
	Bytes bytes(uint8_t type, uint32_t vendor = 0) const
	{
		const Attr *a = find(type, vendor);
		return a ? a->val : Bytes();
	}
};

// A tagged string as RFC 2868 sends it with tag 0.
std::string
tag0(const char *s)
{
	return std::string(1, '\0') + s;
}

Bytes
hmac_md5(const char *secret, const Bytes &data)
{
	hmac_md5_ctx ctx;
	Bytes out(MD5_DIGEST_SIZE);

	hmac_md5_set_key(&ctx, strlen(secret), (const uint8_t *)secret);
	hmac_md5_update(&ctx, data.size(), data.data());
	hmac_md5_digest(&ctx, out.size(), out.data());
	return out;
}

// RFC 3579 §3.2 for an Access-Request: HMAC-MD5 over the packet as sent with
// the Message-Authenticator value zeroed. Required, and the last attribute.
bool
access_request_signed(const Bytes &pkt, const char *secret)
{
	size_t off = RADIUS_HDR_LEN, ma = 0, last = 0;

	if (pkt.size() < RADIUS_HDR_LEN || (size_t)(pkt[2] << 8 | pkt[3]) != pkt.size())
		return false;
	while (off + 2 <= pkt.size() && pkt[off + 1] >= 2) {
		last = off;
		if (pkt[off] == RADIUS_MESSAGE_AUTHENTICATOR && pkt[off + 1] == 18)
			ma = off + 2;
		off += pkt[off + 1];
	}
	if (off != pkt.size() || ma == 0 || ma != last + 2)
		return false;
	Bytes copy = pkt;
	std::fill(copy.begin() + ma, copy.begin() + ma + 16, 0);
	return hmac_md5(secret, copy) == Bytes(pkt.begin() + ma, pkt.begin() + ma + 16);
}

// An Accounting-Request: request authenticator and Message-Authenticator.
bool
accounting_request_signed(const Bytes &pkt, const char *secret)
{
	size_t len = pkt.size();

	return radius_check_request(pkt.data(), &len, secret, true) == RADIUS_OK &&
	       len == pkt.size();
}

// RFC 2865 §5.2 undone: MD5(secret + previous block) chained from the authenticator.
std::string
unhide_password(const Bytes &hidden, const char *secret, const uint8_t *authenticator)
{
	std::string out;
	const uint8_t *prev = authenticator;

	if (hidden.empty() || hidden.size() % 16 != 0)
		return "<bad length>";
	for (size_t off = 0; off < hidden.size(); off += 16) {
		uint8_t b[LNS_MD5_LEN];
		lns_iov parts[] = { { secret, strlen(secret) }, { prev, 16 } };

		lns_md5(b, parts, 2);
		for (size_t i = 0; i < 16; i++)
			out += (char)(hidden[off + i] ^ b[i]);
		prev = hidden.data() + off;
	}
	while (!out.empty() && out.back() == '\0')
		out.pop_back();
	return out;
}

Bytes
wire(const radius_pkt &p, size_t len)
{
	return Bytes(p.buf, p.buf + len);
}

// ---------------------------------------------------------------------------
// What lnsd would ask.

constexpr uint32_t
ip4(unsigned a, unsigned b, unsigned c, unsigned d)
{
	return a << 24 | b << 16 | c << 8 | d;
}

aaa_nas
test_nas()
{
	aaa_nas n{};

	snprintf(n.identifier, sizeof(n.identifier), "lnsd-test");
	n.ip = ip4(192, 0, 2, 1);
	return n;
}

aaa_call
test_call(uint32_t nas_port = 4242, const char *session = "0123456789abcdef")
{
	aaa_call c{};

	snprintf(c.user, sizeof(c.user), "alice@example.net");
	snprintf(c.session_id, sizeof(c.session_id), "%s", session);
	c.nas_port = nas_port;
	snprintf(c.called, sizeof(c.called), "lns.example.net");
	snprintf(c.calling, sizeof(c.calling), "lac-port-7");
	c.tx_speed = 1000000;
	c.rx_speed = 2000000;
	c.lac_ip = ip4(198, 51, 100, 7);
	c.lns_ip = ip4(192, 0, 2, 1);
	snprintf(c.lac_name, sizeof(c.lac_name), "lac-1");
	snprintf(c.lns_name, sizeof(c.lns_name), "lns-1");
	c.lac_tunnel_id = 321;
	c.tunnel_id = 123;
	return c;
}

aaa_auth_request
pap_request(uint32_t generation = 1, const char *password = "correct horse")
{
	aaa_auth_request r{};

	r.ref = { 7, 9, generation };
	r.call = test_call(generation);
	r.proto = PPP_AUTH_PAP;
	r.password_len = (uint8_t)strlen(password);
	memcpy(r.password, password, r.password_len);
	return r;
}

aaa_auth_request
chap_request()
{
	aaa_auth_request r = pap_request();

	r.proto = PPP_AUTH_CHAP_MD5;
	r.password_len = 0;
	r.chap_id = 0x42;
	r.challenge_len = 16;
	for (unsigned i = 0; i < 16; i++) {
		r.challenge[i] = (uint8_t)(0xc0 + i);
		r.response[i] = (uint8_t)(0x10 + i);
	}
	r.response_len = 16;
	return r;
}

// RFC 2759 Response: peer challenge 16, reserved 8, NT-Response 24, flags 1
aaa_auth_request
mschapv2_request()
{
	aaa_auth_request r = pap_request();

	r.proto = PPP_AUTH_MSCHAPV2;
	r.password_len = 0;
	r.chap_id = 0x17;
	r.challenge_len = 16;
	for (unsigned i = 0; i < 16; i++)
		r.challenge[i] = (uint8_t)(0xa0 + i);
	for (unsigned i = 0; i < 16; i++)
		r.response[i] = (uint8_t)(0x30 + i); // peer challenge
	for (unsigned i = 0; i < 24; i++)
		r.response[24 + i] = (uint8_t)(0x60 + i); // NT-Response
	r.response[48] = 0x5a;				  // flags
	r.response_len = 49;
	return r;
}

aaa_acct_request
acct_request(aaa_acct_type type, const char *session = "00000000000000a1")
{
	aaa_acct_request r{};

	r.type = type;
	r.call = test_call(4242, session);
	r.framed_ip = ip4(100, 64, 0, 9);
	return r;
}

const uint8_t kRequestAuth[RADIUS_AUTH_LEN] = { 0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78,
						0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0 };

Packet
build_auth(const aaa_auth_request &r, uint8_t id = 0x21)
{
	static radius_pkt p;
	aaa_nas nas = test_nas();
	size_t n = aaa_radius_auth_request(&p, &nas, &r, id, kRequestAuth, kSecret);

	EXPECT_GT(n, 0u);
	return Packet(wire(p, n));
}

Packet
build_acct(const aaa_acct_request &r, uint32_t delay = 0, uint8_t id = 0x33)
{
	static radius_pkt p;
	aaa_nas nas = test_nas();
	size_t n = aaa_radius_acct_request(&p, &nas, &r, delay, id, kSecret);

	EXPECT_GT(n, 0u);
	return Packet(wire(p, n));
}

// ---------------------------------------------------------------------------
// aaa_radius_msg: requests

TEST(AaaRadiusMsg, PapAccessRequestDescribesTheCallAndTheTunnel)
{
	aaa_auth_request r = pap_request();
	Packet p = build_auth(r);

	EXPECT_EQ(p.code(), RADIUS_ACCESS_REQUEST);
	EXPECT_EQ(p.id(), 0x21);
	EXPECT_EQ(Bytes(p.authenticator(), p.authenticator() + 16),
		  Bytes(kRequestAuth, kRequestAuth + 16));
	EXPECT_EQ(p.str(RADIUS_USER_NAME), "alice@example.net");
	EXPECT_EQ(p.str(RADIUS_NAS_IDENTIFIER), "lnsd-test");
	EXPECT_EQ(p.u32(RADIUS_NAS_IP_ADDRESS), ip4(192, 0, 2, 1));
	EXPECT_EQ(p.u32(RADIUS_NAS_PORT), 1);	     // generation 1 as the port here
	EXPECT_EQ(p.u32(RADIUS_NAS_PORT_TYPE), 5);   // Virtual
	EXPECT_EQ(p.u32(RADIUS_SERVICE_TYPE), 2);    // Framed
	EXPECT_EQ(p.u32(RADIUS_FRAMED_PROTOCOL), 1); // PPP
	EXPECT_EQ(p.str(RADIUS_CALLED_STATION_ID), "lns.example.net");
	EXPECT_EQ(p.str(RADIUS_CALLING_STATION_ID), "lac-port-7");
	EXPECT_EQ(p.str(RADIUS_CONNECT_INFO), "1000000/2000000");
	EXPECT_EQ(p.str(RADIUS_ACCT_SESSION_ID), "0123456789abcdef");
	EXPECT_EQ(p.bytes(RADIUS_TUNNEL_TYPE), (Bytes{ 0, 0, 0, 3 }));	      // tag 0, L2TP
	EXPECT_EQ(p.bytes(RADIUS_TUNNEL_MEDIUM_TYPE), (Bytes{ 0, 0, 0, 1 })); // tag 0, IPv4
	EXPECT_EQ(p.str(RADIUS_TUNNEL_CLIENT_ENDPOINT), tag0("198.51.100.7"));
	EXPECT_EQ(p.str(RADIUS_TUNNEL_SERVER_ENDPOINT), tag0("192.0.2.1"));
	EXPECT_EQ(p.str(RADIUS_TUNNEL_CLIENT_AUTH_ID), tag0("lac-1"));
	EXPECT_EQ(p.str(RADIUS_TUNNEL_SERVER_AUTH_ID), tag0("lns-1"));
	EXPECT_EQ(p.str(RADIUS_TUNNEL_ASSIGNMENT_ID), tag0("321"));
	EXPECT_EQ(p.str(RADIUS_ACCT_TUNNEL_CONNECTION), "123");
	EXPECT_EQ(p.bytes(RADIUS_USER_PASSWORD).size(), 16u);
	EXPECT_EQ(unhide_password(p.bytes(RADIUS_USER_PASSWORD), kSecret, kRequestAuth),
		  "correct horse");
	EXPECT_EQ(p.count(RADIUS_CHAP_PASSWORD), 0u);
	EXPECT_EQ(p.count(RADIUS_ACCT_STATUS_TYPE), 0u);
	ASSERT_FALSE(p.attrs.empty());
	EXPECT_EQ(p.attrs.back().type, RADIUS_MESSAGE_AUTHENTICATOR);
	EXPECT_TRUE(access_request_signed(p.wire, kSecret));
	EXPECT_FALSE(access_request_signed(p.wire, "another secret"));
}

TEST(AaaRadiusMsg, PapPasswordOfSeveralBlocksAndEmptyPasswordDecrypt)
{
	Packet longer = build_auth(pap_request(1, "a password of 33 characters, yes!"));
	Packet empty = build_auth(pap_request(1, ""));

	EXPECT_EQ(longer.bytes(RADIUS_USER_PASSWORD).size(), 48u);
	EXPECT_EQ(unhide_password(longer.bytes(RADIUS_USER_PASSWORD), kSecret, kRequestAuth),
		  "a password of 33 characters, yes!");
	EXPECT_EQ(empty.bytes(RADIUS_USER_PASSWORD).size(), 16u);
	EXPECT_EQ(unhide_password(empty.bytes(RADIUS_USER_PASSWORD), kSecret, kRequestAuth), "");
}

TEST(AaaRadiusMsg, ConnectInfoIsOneSpeedWhenBothWaysAgree)
{
	aaa_auth_request r = pap_request();

	r.call.rx_speed = r.call.tx_speed;
	EXPECT_EQ(build_auth(r).str(RADIUS_CONNECT_INFO), "1000000");
	r.call.tx_speed = 0;
	EXPECT_EQ(build_auth(r).count(RADIUS_CONNECT_INFO), 0u);
}

TEST(AaaRadiusMsg, ChapAccessRequestCarriesIdentResponseAndChallenge)
{
	aaa_auth_request r = chap_request();
	Packet p = build_auth(r);
	Bytes want = { 0x42 };

	want.insert(want.end(), r.response, r.response + 16);
	EXPECT_EQ(p.bytes(RADIUS_CHAP_PASSWORD), want);
	EXPECT_EQ(p.bytes(RADIUS_CHAP_CHALLENGE), Bytes(r.challenge, r.challenge + 16));
	EXPECT_EQ(p.count(RADIUS_USER_PASSWORD), 0u);
	EXPECT_TRUE(access_request_signed(p.wire, kSecret));
}

TEST(AaaRadiusMsg, ResponseOfTheWrongLengthIsNotBuilt)
{
	static radius_pkt p;
	aaa_nas nas = test_nas();
	aaa_auth_request chap = chap_request(), ms = mschapv2_request();

	chap.response_len = 15;
	EXPECT_EQ(aaa_radius_auth_request(&p, &nas, &chap, 1, kRequestAuth, kSecret), 0u);
	chap.response_len = 0;
	EXPECT_EQ(aaa_radius_auth_request(&p, &nas, &chap, 1, kRequestAuth, kSecret), 0u);
	ms.response_len = 48;
	EXPECT_EQ(aaa_radius_auth_request(&p, &nas, &ms, 1, kRequestAuth, kSecret), 0u);
}

TEST(AaaRadiusMsg, MsChapV2AccessRequestCarriesMicrosoftAttributes)
{
	aaa_auth_request r = mschapv2_request();
	Packet p = build_auth(r);
	Bytes want = { 0x17, 0x5a }; // ident, flags

	want.insert(want.end(), r.response, r.response + 16);	   // peer challenge
	want.insert(want.end(), 8, 0);				   // reserved
	want.insert(want.end(), r.response + 24, r.response + 48); // NT-Response
	EXPECT_EQ(p.bytes(RADIUS_MS_CHAP_CHALLENGE, RADIUS_VENDOR_MS),
		  Bytes(r.challenge, r.challenge + 16));
	EXPECT_EQ(p.bytes(RADIUS_MS_CHAP2_RESPONSE, RADIUS_VENDOR_MS), want);
	EXPECT_EQ(p.count(RADIUS_USER_PASSWORD), 0u);
	EXPECT_EQ(p.count(RADIUS_CHAP_PASSWORD), 0u);
	EXPECT_TRUE(access_request_signed(p.wire, kSecret));
}

TEST(AaaRadiusMsg, AccountingStartHasNoCountersAndIsSigned)
{
	aaa_acct_request r = acct_request(AAA_ACCT_START);
	Packet p;

	r.class_len = 3;
	memcpy(r.class_, "\x01\x00\x02", 3);
	p = build_acct(r, 7);
	EXPECT_EQ(p.code(), RADIUS_ACCOUNTING_REQUEST);
	EXPECT_EQ(p.id(), 0x33);
	EXPECT_EQ(p.u32(RADIUS_ACCT_STATUS_TYPE), 1);
	EXPECT_EQ(p.str(RADIUS_ACCT_SESSION_ID), "00000000000000a1");
	EXPECT_EQ(p.str(RADIUS_USER_NAME), "alice@example.net");
	EXPECT_EQ(p.u32(RADIUS_ACCT_DELAY_TIME), 7);
	EXPECT_EQ(p.u32(RADIUS_ACCT_AUTHENTIC), 1); // RADIUS
	EXPECT_EQ(p.u32(RADIUS_FRAMED_IP_ADDRESS), ip4(100, 64, 0, 9));
	EXPECT_EQ(p.bytes(RADIUS_CLASS), (Bytes{ 1, 0, 2 }));
	EXPECT_EQ(p.str(RADIUS_TUNNEL_CLIENT_ENDPOINT), tag0("198.51.100.7"));
	for (uint8_t t :
	     { RADIUS_ACCT_SESSION_TIME, RADIUS_ACCT_INPUT_OCTETS, RADIUS_ACCT_OUTPUT_OCTETS,
	       RADIUS_ACCT_INPUT_PACKETS, RADIUS_ACCT_OUTPUT_PACKETS, RADIUS_ACCT_INPUT_GIGAWORDS,
	       RADIUS_ACCT_OUTPUT_GIGAWORDS, RADIUS_ACCT_TERMINATE_CAUSE })
		EXPECT_EQ(p.count(t), 0u) << "attribute " << (int)t;
	EXPECT_EQ(p.attrs.back().type, RADIUS_MESSAGE_AUTHENTICATOR);
	size_t len = p.wire.size();
	EXPECT_EQ(radius_check_request(p.wire.data(), &len, kSecret, false), RADIUS_OK);
	EXPECT_TRUE(accounting_request_signed(p.wire, kSecret));
	EXPECT_FALSE(accounting_request_signed(p.wire, "another secret"));
}

TEST(AaaRadiusMsg, InterimCarriesCountersWithoutGigawordsBelowFourGigabytes)
{
	aaa_acct_request r = acct_request(AAA_ACCT_INTERIM);
	Packet p;

	r.session_time_s = 3600;
	r.counters = { 0xffffffffull, 1000, 11, 12 };
	p = build_acct(r);
	EXPECT_EQ(p.u32(RADIUS_ACCT_STATUS_TYPE), 3);
	EXPECT_EQ(p.u32(RADIUS_ACCT_SESSION_TIME), 3600);
	EXPECT_EQ(p.u32(RADIUS_ACCT_INPUT_OCTETS), 0xffffffffll);
	EXPECT_EQ(p.u32(RADIUS_ACCT_OUTPUT_OCTETS), 1000);
	EXPECT_EQ(p.u32(RADIUS_ACCT_INPUT_PACKETS), 11);
	EXPECT_EQ(p.u32(RADIUS_ACCT_OUTPUT_PACKETS), 12);
	EXPECT_EQ(p.count(RADIUS_ACCT_INPUT_GIGAWORDS), 0u);
	EXPECT_EQ(p.count(RADIUS_ACCT_OUTPUT_GIGAWORDS), 0u);
	EXPECT_EQ(p.count(RADIUS_ACCT_TERMINATE_CAUSE), 0u);
	EXPECT_TRUE(accounting_request_signed(p.wire, kSecret));
}

TEST(AaaRadiusMsg, StopCarriesGigawordsAndTerminateCause)
{
	aaa_acct_request r = acct_request(AAA_ACCT_STOP);
	Packet p;

	r.session_time_s = 86400;
	r.counters = { 5ull << 32 | 7, 1ull << 32, 100000, 200000 };
	r.terminate_cause = 1; // User-Request
	p = build_acct(r);
	EXPECT_EQ(p.u32(RADIUS_ACCT_STATUS_TYPE), 2);
	EXPECT_EQ(p.u32(RADIUS_ACCT_SESSION_TIME), 86400);
	EXPECT_EQ(p.u32(RADIUS_ACCT_INPUT_OCTETS), 7);
	EXPECT_EQ(p.u32(RADIUS_ACCT_INPUT_GIGAWORDS), 5);
	EXPECT_EQ(p.u32(RADIUS_ACCT_OUTPUT_OCTETS), 0);
	EXPECT_EQ(p.u32(RADIUS_ACCT_OUTPUT_GIGAWORDS), 1);
	EXPECT_EQ(p.u32(RADIUS_ACCT_INPUT_PACKETS), 100000);
	EXPECT_EQ(p.u32(RADIUS_ACCT_OUTPUT_PACKETS), 200000);
	EXPECT_EQ(p.u32(RADIUS_ACCT_TERMINATE_CAUSE), 1);
	EXPECT_TRUE(accounting_request_signed(p.wire, kSecret));
}

TEST(AaaRadiusMsg, AccountingOnAndOffSayOnlyTheNas)
{
	static radius_pkt b;
	aaa_nas nas = test_nas();

	for (bool on : { true, false }) {
		size_t n = aaa_radius_onoff_request(&b, &nas, on, 5, kSecret);
		ASSERT_GT(n, 0u);
		Packet p(wire(b, n));
		EXPECT_EQ(p.code(), RADIUS_ACCOUNTING_REQUEST);
		EXPECT_EQ(p.u32(RADIUS_ACCT_STATUS_TYPE), on ? 7 : 8);
		EXPECT_EQ(p.str(RADIUS_NAS_IDENTIFIER), "lnsd-test");
		EXPECT_EQ(p.u32(RADIUS_NAS_IP_ADDRESS), ip4(192, 0, 2, 1));
		EXPECT_EQ(p.count(RADIUS_USER_NAME), 0u);
		EXPECT_TRUE(accounting_request_signed(p.wire, kSecret));
	}
}

// ---------------------------------------------------------------------------
// aaa_radius_msg: answers

struct Answer {
	radius_pkt p;
	explicit Answer(uint8_t code)
	{
		radius_begin(&p, code, 0x21, nullptr);
	}
	Answer &u32(uint8_t t, uint32_t v)
	{
		radius_put_u32(&p, t, v);
		return *this;
	}
	Answer &str(uint8_t t, const char *s)
	{
		radius_put_str(&p, t, s);
		return *this;
	}
	Answer &raw(uint8_t t, const Bytes &v)
	{
		radius_put(&p, t, v.data(), v.size());
		return *this;
	}
	Answer &ms(uint8_t t, const Bytes &v)
	{
		radius_put_vsa(&p, RADIUS_VENDOR_MS, t, v.data(), v.size());
		return *this;
	}
	aaa_auth_answer read(const aaa_auth_request &r = pap_request())
	{
		size_t n = radius_finish(&p, kSecret, kRequestAuth);
		aaa_auth_answer a;

		EXPECT_GT(n, 0u);
		size_t len = n;
		EXPECT_EQ(radius_check_answer(p.buf, &len, kSecret, kRequestAuth), RADIUS_OK);
		memset(&a, 0xa5, sizeof(a)); // read_answer must set everything
		aaa_radius_read_answer(p.buf, n, &r, &a);
		return a;
	}
};

Bytes
ms_u32(uint32_t v)
{
	return { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
}

TEST(AaaRadiusMsg, AcceptCarriesAddressTimersDnsAndRef)
{
	aaa_auth_request r = pap_request(77);
	aaa_auth_answer a = Answer(RADIUS_ACCESS_ACCEPT)
				    .u32(RADIUS_FRAMED_IP_ADDRESS, ip4(100, 64, 1, 2))
				    .u32(RADIUS_FRAMED_IP_NETMASK, ip4(255, 255, 255, 255))
				    .str(RADIUS_FRAMED_POOL, "residential")
				    .u32(RADIUS_SESSION_TIMEOUT, 86400)
				    .u32(RADIUS_IDLE_TIMEOUT, 600)
				    .u32(RADIUS_ACCT_INTERIM_INTERVAL, 300)
				    .ms(RADIUS_MS_PRIMARY_DNS_SERVER, ms_u32(ip4(192, 0, 2, 53)))
				    .ms(RADIUS_MS_SECONDARY_DNS_SERVER, ms_u32(ip4(192, 0, 2, 54)))
				    .read(r);

	EXPECT_EQ(a.verdict, AAA_ACCEPT);
	EXPECT_EQ(a.ref.tunnel_id, 7);
	EXPECT_EQ(a.ref.session_id, 9);
	EXPECT_EQ(a.ref.generation, 77u);
	EXPECT_EQ(a.framed_ip, ip4(100, 64, 1, 2));
	EXPECT_EQ(a.netmask, 0xffffffffu);
	EXPECT_STREQ(a.pool, "residential");
	EXPECT_EQ(a.session_timeout_s, 86400u);
	EXPECT_EQ(a.idle_timeout_s, 600u);
	EXPECT_EQ(a.interim_s, 300u);
	EXPECT_EQ(a.dns[0], ip4(192, 0, 2, 53));
	EXPECT_EQ(a.dns[1], ip4(192, 0, 2, 54));
	EXPECT_EQ(a.n_routes, 0);
	EXPECT_EQ(a.class_len, 0);
	EXPECT_STREQ(a.message, "");
	EXPECT_STREQ(a.mschapv2_success, "");
}

TEST(AaaRadiusMsg, BareAcceptLeavesEverythingUnset)
{
	aaa_auth_answer a = Answer(RADIUS_ACCESS_ACCEPT).read();

	EXPECT_EQ(a.verdict, AAA_ACCEPT);
	EXPECT_EQ(a.framed_ip, 0u); // the pool
	EXPECT_EQ(a.netmask, 0u);
	EXPECT_STREQ(a.pool, "");
	EXPECT_EQ(a.session_timeout_s, 0u);
	EXPECT_EQ(a.dns[0], 0u);
}

TEST(AaaRadiusMsg, FramedIpSpecialValuesPassThrough)
{
	EXPECT_EQ(Answer(RADIUS_ACCESS_ACCEPT)
			  .u32(RADIUS_FRAMED_IP_ADDRESS, 0xffffffff)
			  .read()
			  .framed_ip,
		  AAA_IP_USER_CHOOSES);
	EXPECT_EQ(Answer(RADIUS_ACCESS_ACCEPT)
			  .u32(RADIUS_FRAMED_IP_ADDRESS, 0xfffffffe)
			  .read()
			  .framed_ip,
		  AAA_IP_FROM_POOL);
}

TEST(AaaRadiusMsg, FramedRoutesGivePrefixesFirstFourAndMalformedIgnored)
{
	aaa_auth_answer a = Answer(RADIUS_ACCESS_ACCEPT)
				    .str(RADIUS_FRAMED_ROUTE, "203.0.113.128/28 0.0.0.0 1")
				    .str(RADIUS_FRAMED_ROUTE, "bogus")
				    .str(RADIUS_FRAMED_ROUTE, "300.0.0.0/8")
				    .str(RADIUS_FRAMED_ROUTE, "10.0.0.0/33")
				    .str(RADIUS_FRAMED_ROUTE, "10.0.0.0/0")
				    .str(RADIUS_FRAMED_ROUTE, "198.51.100.77/24 0.0.0.0 1")
				    .str(RADIUS_FRAMED_ROUTE, "192.0.2.9")
				    .str(RADIUS_FRAMED_ROUTE, "100.64.7.0/24")
				    .str(RADIUS_FRAMED_ROUTE, "100.64.8.0/24")
				    .read();

	ASSERT_EQ(a.n_routes, 4);
	EXPECT_EQ(a.routes[0].prefix, ip4(203, 0, 113, 128));
	EXPECT_EQ(a.routes[0].len, 28);
	EXPECT_EQ(a.routes[1].prefix, ip4(198, 51, 100, 0)); // host bits cleared
	EXPECT_EQ(a.routes[1].len, 24);
	EXPECT_EQ(a.routes[2].prefix, ip4(192, 0, 2, 9)); // no length: a host
	EXPECT_EQ(a.routes[2].len, 32);
	EXPECT_EQ(a.routes[3].prefix, ip4(100, 64, 7, 0));
	EXPECT_EQ(a.routes[3].len, 24);
}

TEST(AaaRadiusMsg, ClassIsKeptAsBinaryUpTo253Bytes)
{
	Bytes cls(253);

	for (size_t i = 0; i < cls.size(); i++)
		cls[i] = (uint8_t)(i * 7); // zeros included
	aaa_auth_answer a = Answer(RADIUS_ACCESS_ACCEPT).raw(RADIUS_CLASS, cls).read();

	ASSERT_EQ(a.class_len, 253);
	EXPECT_EQ(Bytes(a.class_, a.class_ + a.class_len), cls);
}

TEST(AaaRadiusMsg, ReplyMessagesAreConcatenated)
{
	aaa_auth_answer a = Answer(RADIUS_ACCESS_REJECT)
				    .str(RADIUS_REPLY_MESSAGE, "Your account ")
				    .str(RADIUS_REPLY_MESSAGE, "is suspended")
				    .read();

	EXPECT_EQ(a.verdict, AAA_REJECT);
	EXPECT_STREQ(a.message, "Your account is suspended");
}

TEST(AaaRadiusMsg, MsChapV2SuccessBecomesTheAuthenticatorResponse)
{
	const char s[] = "S=0123456789ABCDEF0123456789ABCDEF01234567";
	Bytes v = { 0x17 };

	v.insert(v.end(), s, s + 42);
	aaa_auth_answer a = Answer(RADIUS_ACCESS_ACCEPT)
				    .ms(RADIUS_MS_CHAP2_SUCCESS, v)
				    .read(mschapv2_request());

	EXPECT_EQ(a.verdict, AAA_ACCEPT);
	EXPECT_STREQ(a.mschapv2_success, s);
}

TEST(AaaRadiusMsg, MsChapV2AcceptWithoutSuccessIsAReject)
{
	aaa_auth_answer a = Answer(RADIUS_ACCESS_ACCEPT)
				    .u32(RADIUS_FRAMED_IP_ADDRESS, ip4(100, 64, 1, 2))
				    .read(mschapv2_request());

	EXPECT_EQ(a.verdict, AAA_REJECT);
	EXPECT_STRNE(a.message, "");
	EXPECT_STREQ(a.mschapv2_success, "");
}

TEST(AaaRadiusMsg, MsChapErrorIsTheRejectMessage)
{
	const char e[] = "E=691 R=0 C=00112233445566778899AABBCCDDEEFF V=3 M=denied";
	Bytes v = { 0x17 };

	v.insert(v.end(), e, e + strlen(e));
	aaa_auth_answer a =
		Answer(RADIUS_ACCESS_REJECT).ms(RADIUS_MS_CHAP_ERROR, v).read(mschapv2_request());

	EXPECT_EQ(a.verdict, AAA_REJECT);
	EXPECT_STREQ(a.message, e);
}

// ---------------------------------------------------------------------------
// A fake RADIUS server: one thread, one UDP socket on 127.0.0.1 serving
// both authentication and accounting.

class FakeRadius
{
      public:
	enum class Mode {
		Accept,	     // Access-Accept (Framed-IP-Address 10.0.0.0 + NAS-Port), Acct-Response
		Reject,	     // Access-Reject; accounting answered
		Silent,	     // nothing
		Hold,	     // kept until release_held(), then answered as Accept
		WrongSecret, // signed with another secret
		NoMessageAuth, // no Message-Authenticator (response authenticator right)
		WrongIdFirst,  // an answer with another ID, then the right one
	};

	explicit FakeRadius(Mode m = Mode::Accept) : mode_(m)
	{
		sockaddr_in sa{};
		socklen_t sl = sizeof(sa);

		fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (fd_ < 0 || bind(fd_, (sockaddr *)&sa, sizeof(sa)) != 0 ||
		    getsockname(fd_, (sockaddr *)&sa, &sl) != 0)
			ADD_FAILURE() << "fake server socket: " << strerror(errno);
		port_ = ntohs(sa.sin_port);
		thread_ = std::thread([this] { run(); });
	}
	~FakeRadius()
	{
		stop_ = true;
		thread_.join();
		close(fd_);
	}
	FakeRadius(const FakeRadius &) = delete;
	FakeRadius &operator=(const FakeRadius &) = delete;

	uint16_t port() const
	{
		return port_;
	}
	void set_mode(Mode m)
	{
		std::lock_guard<std::mutex> g(mu_);
		mode_ = m;
	}
	// The next n requests are answered only when their retransmission arrives:
	// then the first copy's answer, and the retransmission's (a duplicate).
	void answer_late(int n)
	{
		std::lock_guard<std::mutex> g(mu_);
		late_left_ = n;
	}
	void release_held()
	{
		std::lock_guard<std::mutex> g(mu_);
		release_ = true;
	}
	// What came, in order (code 0: every code).
	std::vector<Packet> received(uint8_t code = 0) const
	{
		std::lock_guard<std::mutex> g(mu_);
		std::vector<Packet> v;
		for (const auto &p : received_)
			if (code == 0 || p.code() == code)
				v.push_back(p);
		return v;
	}
	size_t n_received(uint8_t code = 0) const
	{
		return received(code).size();
	}
	int unsigned_requests() const
	{
		return unsigned_;
	}
	int duplicates_sent() const
	{
		return duplicates_sent_;
	}

      private:
	struct Held {
		Packet req;
		sockaddr_in from;
	};

	void run()
	{
		while (!stop_) {
			pollfd pfd = { fd_, POLLIN, 0 };
			uint8_t buf[RADIUS_MAX_LEN];
			sockaddr_in from{};
			socklen_t fl = sizeof(from);

			if (poll(&pfd, 1, 5) > 0) {
				ssize_t n =
					recvfrom(fd_, buf, sizeof(buf), 0, (sockaddr *)&from, &fl);
				if (n > 0)
					handle(Packet(buf, (size_t)n), from);
			}
			std::vector<Held> release;
			{
				std::lock_guard<std::mutex> g(mu_);
				if (release_) {
					release.swap(held_);
					release_ = false;
				}
			}
			for (const auto &h : release)
				send(answer(h.req, Mode::Accept), h.from);
		}
	}

	void handle(const Packet &req, const sockaddr_in &from)
	{
		bool ok = req.code() == RADIUS_ACCESS_REQUEST
				  ? access_request_signed(req.wire, kSecret)
				  : accounting_request_signed(req.wire, kSecret);
		std::vector<Bytes> out;
		Mode m;

		{
			std::lock_guard<std::mutex> g(mu_);
			received_.push_back(req);
			unsigned_ += !ok;
			for (auto it = late_.begin(); it != late_.end(); ++it)
				if (it->req.wire == req.wire) { // the retransmission
					send(answer(it->req, Mode::Accept), from);
					send(answer(req, Mode::Accept), from);
					late_.erase(it);
					duplicates_sent_++;
					return;
				}
			if (late_left_ > 0) {
				late_left_--;
				late_.push_back({ req, from });
				return;
			}
			if (mode_ == Mode::Hold) {
				held_.push_back({ req, from });
				return;
			}
			m = mode_;
		}
		switch (m) {
		case Mode::Silent:
		case Mode::Hold:
			break;
		case Mode::WrongIdFirst: {
			Bytes wrong = answer(req, Mode::Accept, (uint8_t)(req.id() + 1));
			send(wrong, from);
			send(answer(req, Mode::Accept), from);
			break;
		}
		default:
			send(answer(req, m), from);
		}
	}

	Bytes answer(const Packet &req, Mode m, int id = -1) const
	{
		radius_pkt p;
		bool access = req.code() == RADIUS_ACCESS_REQUEST;
		uint8_t code = !access		   ? RADIUS_ACCOUNTING_RESPONSE
			       : m == Mode::Reject ? RADIUS_ACCESS_REJECT
						   : RADIUS_ACCESS_ACCEPT;

		radius_begin(&p, code, id < 0 ? req.id() : (uint8_t)id, nullptr);
		if (code == RADIUS_ACCESS_ACCEPT) {
			radius_put_u32(&p, RADIUS_FRAMED_IP_ADDRESS,
				       ip4(10, 0, 0, 0) + (uint32_t)req.u32(RADIUS_NAS_PORT));
			radius_put_str(&p, RADIUS_REPLY_MESSAGE, "welcome");
		} else if (code == RADIUS_ACCESS_REJECT) {
			radius_put_str(&p, RADIUS_REPLY_MESSAGE, "denied");
		}
		if (m == Mode::NoMessageAuth) {
			// header length, then MD5(code id length request-auth attributes secret)
			uint8_t a[LNS_MD5_LEN];
			p.buf[2] = (uint8_t)(p.len >> 8);
			p.buf[3] = (uint8_t)p.len;
			lns_iov parts[] = { { p.buf, 4 },
					    { req.authenticator(), RADIUS_AUTH_LEN },
					    { p.buf + RADIUS_HDR_LEN, p.len - RADIUS_HDR_LEN },
					    { kSecret, strlen(kSecret) } };
			lns_md5(a, parts, 4);
			memcpy(p.buf + 4, a, sizeof(a));
			return Bytes(p.buf, p.buf + p.len);
		}
		size_t n = radius_finish(&p, m == Mode::WrongSecret ? "not-the-secret" : kSecret,
					 req.authenticator());
		return Bytes(p.buf, p.buf + n);
	}

	void send(const Bytes &b, const sockaddr_in &to) const
	{
		if (sendto(fd_, b.data(), b.size(), 0, (const sockaddr *)&to, sizeof(to)) < 0)
			ADD_FAILURE() << "fake server sendto: " << strerror(errno);
	}

	int fd_ = -1;
	uint16_t port_ = 0;
	std::thread thread_;
	std::atomic<bool> stop_{ false };
	mutable std::mutex mu_;
	Mode mode_;
	int late_left_ = 0;
	bool release_ = false;
	std::vector<Held> late_, held_;
	std::vector<Packet> received_;
	std::atomic<int> unsigned_{ 0 }, duplicates_sent_{ 0 };
};

using Mode = FakeRadius::Mode;

// ---------------------------------------------------------------------------
// The client and waiting on it.

cfg_radius
client_cfg(std::initializer_list<const FakeRadius *> servers)
{
	cfg_radius c{};

	for (const FakeRadius *s : servers) {
		cfg_radius_server &cs = c.servers[c.n_servers++];
		cs.address = INADDR_LOOPBACK;
		cs.auth_port = cs.acct_port = s->port();
		cs.require_message_authenticator = true; // the configuration's default
		snprintf(cs.secret, sizeof(cs.secret), "%s", kSecret);
	}
	c.timeout_ms = 100;
	c.retries = 1;
	c.threads = 1;
	c.queue = 64;
	c.acct_backlog = 64;
	return c;
}

struct ClientDeleter {
	void operator()(aaa_radius *r) const
	{
		aaa_radius_destroy(r, 0);
	}
};
using Client = std::unique_ptr<aaa_radius, ClientDeleter>;

Client
make_client(const cfg_radius &c)
{
	aaa_nas nas = test_nas();
	Client r(aaa_radius_create(&c, &nas));

	EXPECT_NE(r, nullptr);
	return r;
}

struct aaa_radius_stats
stats(aaa_radius *r)
{
	struct aaa_radius_stats s;

	aaa_radius_stats(r, &s);
	return s;
}

int64_t
ms_since(Clock::time_point t0)
{
	return std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
}

template <class Pred>
bool
wait_until(Pred pred, int timeout_ms = 5000)
{
	auto deadline = Clock::now() + milliseconds(timeout_ms);

	while (!pred()) {
		if (Clock::now() >= deadline)
			return false;
		std::this_thread::sleep_for(milliseconds(2));
	}
	return true;
}

// Answers until want have come or 5 s have passed, waiting on aaa_radius_fd().
std::vector<aaa_auth_answer>
collect(aaa_radius *r, size_t want, int timeout_ms = 5000)
{
	std::vector<aaa_auth_answer> got;
	auto deadline = Clock::now() + milliseconds(timeout_ms);
	static thread_local aaa_auth_answer buf[64];

	for (;;) {
		unsigned n = aaa_radius_answers(r, buf, 64);
		got.insert(got.end(), buf, buf + n);
		auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
		if (got.size() >= want || left.count() <= 0)
			return got;
		pollfd pfd = { aaa_radius_fd(r), POLLIN, 0 };
		poll(&pfd, 1, (int)std::min<int64_t>(left.count(), 50));
	}
}

aaa_auth_answer
one_answer(aaa_radius *r)
{
	std::vector<aaa_auth_answer> a = collect(r, 1);

	EXPECT_EQ(a.size(), 1u);
	return a.empty() ? aaa_auth_answer{} : a[0];
}

int
auth(aaa_radius *r, const aaa_auth_request &q)
{
	return aaa_radius_auth(r, &q);
}

int
acct(aaa_radius *r, const aaa_acct_request &q)
{
	return aaa_radius_acct(r, &q);
}

bool
fd_readable(aaa_radius *r)
{
	pollfd pfd = { aaa_radius_fd(r), POLLIN, 0 };

	return poll(&pfd, 1, 0) == 1;
}

class AaaRadiusClient : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		std::lock_guard<std::mutex> g(log_mu);
		log_lines.clear();
		log_levels.clear();
	}
};

TEST_F(AaaRadiusClient, AcceptArrivesWithItsRefThroughTheFd)
{
	FakeRadius srv(Mode::Accept);
	Client r = make_client(client_cfg({ &srv }));

	ASSERT_EQ(auth(r.get(), pap_request(11)), 0);
	ASSERT_TRUE(wait_until([&] { return stats(r.get()).auth_accepted == 1; }));
	EXPECT_TRUE(fd_readable(r.get()));
	aaa_auth_answer a = one_answer(r.get());
	EXPECT_FALSE(fd_readable(r.get()));
	EXPECT_EQ(a.verdict, AAA_ACCEPT);
	EXPECT_EQ(a.ref.tunnel_id, 7);
	EXPECT_EQ(a.ref.session_id, 9);
	EXPECT_EQ(a.ref.generation, 11u);
	EXPECT_EQ(a.framed_ip, ip4(10, 0, 0, 11));
	EXPECT_STREQ(a.message, "welcome");

	std::vector<Packet> got = srv.received();
	ASSERT_EQ(got.size(), 1u);
	EXPECT_EQ(got[0].code(), RADIUS_ACCESS_REQUEST);
	EXPECT_EQ(got[0].str(RADIUS_USER_NAME), "alice@example.net");
	EXPECT_EQ(unhide_password(got[0].bytes(RADIUS_USER_PASSWORD), kSecret,
				  got[0].authenticator()),
		  "correct horse");
	EXPECT_EQ(srv.unsigned_requests(), 0);
	struct aaa_radius_stats s = stats(r.get());
	EXPECT_EQ(s.auth_sent, 1u);
	EXPECT_EQ(s.timeouts, 0u);
	EXPECT_EQ(s.auth_latency_n, 1u);
	EXPECT_EQ(s.server, 0u);
}

TEST_F(AaaRadiusClient, RejectArrivesWithItsRefAndMessage)
{
	FakeRadius srv(Mode::Reject);
	Client r = make_client(client_cfg({ &srv }));

	ASSERT_EQ(auth(r.get(), pap_request(12)), 0);
	aaa_auth_answer a = one_answer(r.get());
	EXPECT_EQ(a.verdict, AAA_REJECT);
	EXPECT_EQ(a.ref.generation, 12u);
	EXPECT_STREQ(a.message, "denied");
	EXPECT_EQ(a.framed_ip, 0u);
	EXPECT_EQ(stats(r.get()).auth_rejected, 1u);
	EXPECT_EQ(srv.unsigned_requests(), 0);
}

TEST_F(AaaRadiusClient, SilentServerFailsOverAndTheNextIsThenTriedFirst)
{
	FakeRadius silent(Mode::Silent), good(Mode::Accept);
	Client r = make_client(client_cfg({ &silent, &good }));

	ASSERT_EQ(auth(r.get(), pap_request(1)), 0);
	EXPECT_EQ(one_answer(r.get()).verdict, AAA_ACCEPT);
	struct aaa_radius_stats s = stats(r.get());
	EXPECT_EQ(s.failovers, 1u);
	EXPECT_EQ(s.timeouts, 2u); // first try and one retry
	EXPECT_EQ(s.auth_sent, 3u);
	EXPECT_EQ(s.server, 1u);
	std::vector<Packet> tried = silent.received();
	ASSERT_EQ(tried.size(), 2u);
	EXPECT_EQ(tried[0].wire, tried[1].wire); // a retransmission is the same packet

	ASSERT_EQ(auth(r.get(), pap_request(2)), 0);
	aaa_auth_answer a = one_answer(r.get());
	EXPECT_EQ(a.verdict, AAA_ACCEPT);
	EXPECT_EQ(a.ref.generation, 2u);
	EXPECT_EQ(silent.n_received(), 2u); // not asked again
	EXPECT_EQ(good.n_received(), 2u);
	EXPECT_EQ(stats(r.get()).failovers, 1u);
	EXPECT_EQ(silent.unsigned_requests() + good.unsigned_requests(), 0);
}

TEST_F(AaaRadiusClient, NoServerAnsweringIsUnavailableWithAMessage)
{
	FakeRadius a(Mode::Silent), b(Mode::Silent);
	Client r = make_client(client_cfg({ &a, &b }));

	ASSERT_EQ(auth(r.get(), pap_request(5)), 0);
	aaa_auth_answer ans = one_answer(r.get());
	EXPECT_EQ(ans.verdict, AAA_UNAVAILABLE);
	EXPECT_EQ(ans.ref.generation, 5u);
	EXPECT_STRNE(ans.message, "");
	struct aaa_radius_stats s = stats(r.get());
	EXPECT_EQ(s.auth_unavailable, 1u);
	EXPECT_EQ(s.timeouts, 4u);
	EXPECT_GE(s.failovers, 1u);
	EXPECT_EQ(a.n_received(), 2u);
	EXPECT_EQ(b.n_received(), 2u);
}

TEST_F(AaaRadiusClient, AnswerSignedWithTheWrongSecretIsRefused)
{
	FakeRadius srv(Mode::WrongSecret);
	Client r = make_client(client_cfg({ &srv }));

	ASSERT_EQ(auth(r.get(), pap_request(3)), 0);
	EXPECT_EQ(one_answer(r.get()).verdict, AAA_UNAVAILABLE);
	struct aaa_radius_stats s = stats(r.get());
	EXPECT_EQ(s.bad_answers, 2u); // one per attempt
	EXPECT_EQ(s.timeouts, 2u);
	EXPECT_EQ(s.auth_accepted, 0u);
	EXPECT_TRUE(logged("answer refused"));
}

// Debian 12's FreeRADIUS signs nothing by default: the call fails with the true reason,
// the operator is told once which server and both fixes, and the counters say it per server.
TEST_F(AaaRadiusClient, AcceptWithoutMessageAuthenticatorIsRefusedAndSaysWhy)
{
	FakeRadius srv(Mode::NoMessageAuth);
	Client r = make_client(client_cfg({ &srv }));
	std::string name = "127.0.0.1:" + std::to_string(srv.port());

	ASSERT_EQ(auth(r.get(), pap_request(4)), 0);
	aaa_auth_answer a = one_answer(r.get());
	EXPECT_EQ(a.verdict, AAA_UNAVAILABLE);
	EXPECT_STREQ(a.message, "RADIUS answers refused: not signed (no Message-Authenticator)");
	ASSERT_EQ(auth(r.get(), pap_request(5)), 0);
	EXPECT_EQ(one_answer(r.get()).verdict, AAA_UNAVAILABLE);
	struct aaa_radius_stats s = stats(r.get());
	EXPECT_EQ(s.unsigned_refused, 4u); // one per attempt
	EXPECT_EQ(s.bad_answers, 0u);
	EXPECT_EQ(s.auth_accepted, 0u);
	ASSERT_EQ(s.n_servers, 1u);
	EXPECT_EQ(s.servers[0].unsigned_refused, 4u);
	EXPECT_EQ(s.servers[0].requests, 4u);
	EXPECT_EQ(s.servers[0].answers, 0u);
	EXPECT_EQ(1u, count_logged(LOG_ERR, { "RADIUS server " + name, "answers unsigned",
					      "Message-Authenticator := 0x00",
					      "require_message_authenticator: false" }))
		<< "once, at error level, with the server and both fixes";
	char shown[32];
	aaa_radius_server_name(r.get(), 0, shown, sizeof(shown));
	EXPECT_EQ(name, shown);
}

// A legacy server that cannot sign, configured as such: taken and counted, told once.
TEST_F(AaaRadiusClient, UnsignedAnswersFromALegacyServerAreTakenWhenConfigured)
{
	FakeRadius srv(Mode::NoMessageAuth);
	cfg_radius c = client_cfg({ &srv });
	c.servers[0].require_message_authenticator = false;
	Client r = make_client(c);

	for (uint32_t g = 1; g <= 2; g++) {
		ASSERT_EQ(auth(r.get(), pap_request(g)), 0);
		EXPECT_EQ(one_answer(r.get()).verdict, AAA_ACCEPT);
	}
	struct aaa_radius_stats s = stats(r.get());
	EXPECT_EQ(s.unsigned_accepted, 2u);
	EXPECT_EQ(s.unsigned_refused, 0u);
	EXPECT_EQ(s.servers[0].unsigned_accepted, 2u);
	EXPECT_EQ(s.servers[0].answers, 2u);
	EXPECT_EQ(1u, count_logged(LOG_WARN, { "answers unsigned", "taken" }));
}

TEST_F(AaaRadiusClient, AnswerWithAnotherIdIsSkippedAndTheRightOneTaken)
{
	FakeRadius srv(Mode::WrongIdFirst);
	Client r = make_client(client_cfg({ &srv }));

	ASSERT_EQ(auth(r.get(), pap_request(6)), 0);
	aaa_auth_answer a = one_answer(r.get());
	EXPECT_EQ(a.verdict, AAA_ACCEPT);
	EXPECT_EQ(a.ref.generation, 6u);
	struct aaa_radius_stats s = stats(r.get());
	EXPECT_EQ(s.unexpected_answers, 1u);
	EXPECT_EQ(s.bad_answers, 0u);
	EXPECT_EQ(s.timeouts, 0u);
}

TEST_F(AaaRadiusClient, LateAnswerIsTakenByTheRetryAndItsDuplicateLaterSkipped)
{
	FakeRadius srv(Mode::Accept);
	Client r = make_client(client_cfg({ &srv }));

	srv.answer_late(1);
	ASSERT_EQ(auth(r.get(), pap_request(1)), 0);
	EXPECT_EQ(one_answer(r.get()).verdict, AAA_ACCEPT);
	struct aaa_radius_stats s = stats(r.get());
	EXPECT_EQ(s.timeouts, 1u);
	EXPECT_EQ(s.auth_sent, 2u);
	EXPECT_EQ(s.auth_accepted, 1u);

	// the second answer to the same request waits in the socket: the next
	// exchange, with a new ID, must skip it
	ASSERT_TRUE(wait_until([&] { return srv.duplicates_sent() == 1; }));
	ASSERT_EQ(auth(r.get(), pap_request(2)), 0);
	aaa_auth_answer a = one_answer(r.get());
	EXPECT_EQ(a.verdict, AAA_ACCEPT);
	EXPECT_EQ(a.ref.generation, 2u);
	s = stats(r.get());
	EXPECT_EQ(s.unexpected_answers, 1u);
	EXPECT_EQ(s.timeouts, 1u);
	EXPECT_EQ(s.auth_accepted, 2u);
	std::vector<Packet> got = srv.received();
	ASSERT_EQ(got.size(), 3u);
	EXPECT_NE(got[2].id(), got[0].id());
}

TEST_F(AaaRadiusClient, QueueBoundRefusesUntilAnswersAreCollected)
{
	FakeRadius srv(Mode::Silent);
	cfg_radius c = client_cfg({ &srv });

	c.queue = 2;
	c.timeout_ms = 50;
	Client r = make_client(c);
	ASSERT_EQ(auth(r.get(), pap_request(1)), 0);
	ASSERT_EQ(auth(r.get(), pap_request(2)), 0);
	EXPECT_EQ(auth(r.get(), pap_request(3)), -ENOSPC);
	EXPECT_EQ(stats(r.get()).auth_queue_full, 1u);

	// answered but not collected still holds the room
	ASSERT_TRUE(wait_until([&] { return stats(r.get()).auth_unavailable == 2; }));
	EXPECT_EQ(auth(r.get(), pap_request(4)), -ENOSPC);
	EXPECT_EQ(stats(r.get()).auth_queue_full, 2u);

	std::vector<aaa_auth_answer> a = collect(r.get(), 2);
	ASSERT_EQ(a.size(), 2u);
	std::set<uint32_t> gens = { a[0].ref.generation, a[1].ref.generation };
	EXPECT_EQ(gens, (std::set<uint32_t>{ 1, 2 }));
	EXPECT_EQ(a[0].verdict, AAA_UNAVAILABLE);
	EXPECT_EQ(a[1].verdict, AAA_UNAVAILABLE);
	EXPECT_EQ(auth(r.get(), pap_request(5)), 0);
	EXPECT_EQ(one_answer(r.get()).ref.generation, 5u);
}

TEST_F(AaaRadiusClient, AccountingNoServerTookIsRequeuedThenDelivered)
{
	FakeRadius srv(Mode::Silent);
	Client r = make_client(client_cfg({ &srv }));

	ASSERT_EQ(acct(r.get(), acct_request(AAA_ACCT_START, "00000000000000b1")), 0);
	ASSERT_TRUE(wait_until([&] { return stats(r.get()).acct_requeued >= 1; }));
	srv.set_mode(Mode::Accept);
	ASSERT_TRUE(wait_until([&] { return stats(r.get()).acct_answered == 1; }));
	struct aaa_radius_stats s = stats(r.get());
	EXPECT_GE(s.acct_sent, 3u);
	EXPECT_GE(s.timeouts, 2u);
	EXPECT_EQ(s.acct_queued, 0u);
	EXPECT_EQ(s.acct_dropped, 0u);

	std::vector<Packet> got = srv.received(RADIUS_ACCOUNTING_REQUEST);
	ASSERT_GE(got.size(), 3u);
	for (const Packet &p : got) {
		EXPECT_EQ(p.u32(RADIUS_ACCT_STATUS_TYPE), 1);
		EXPECT_EQ(p.str(RADIUS_ACCT_SESSION_ID), "00000000000000b1");
		EXPECT_GE(p.u32(RADIUS_ACCT_DELAY_TIME), 0);
	}
	EXPECT_EQ(got[0].u32(RADIUS_ACCT_DELAY_TIME), 0);
	// kept and sent again: a new packet with a new ID, not a retransmission
	EXPECT_NE(got.back().id(), got[0].id());
	EXPECT_EQ(srv.unsigned_requests(), 0);
}

TEST_F(AaaRadiusClient, AcctDelayTimeCountsTheTimeSpentQueued)
{
	FakeRadius srv(Mode::Hold);
	cfg_radius c = client_cfg({ &srv });

	c.timeout_ms = 5000; // the held exchange outlasts the wait below
	Client r = make_client(c);
	ASSERT_EQ(auth(r.get(), pap_request(1)), 0);
	ASSERT_TRUE(wait_until([&] { return srv.n_received() == 1; })); // the thread is busy
	ASSERT_EQ(acct(r.get(), acct_request(AAA_ACCT_START, "00000000000000c1")), 0);
	auto queued = Clock::now();
	ASSERT_TRUE(wait_until([&] { return ms_since(queued) >= 1100; }));
	srv.set_mode(Mode::Accept);
	srv.release_held();
	EXPECT_EQ(one_answer(r.get()).verdict, AAA_ACCEPT);
	ASSERT_TRUE(wait_until([&] { return stats(r.get()).acct_answered == 1; }));
	std::vector<Packet> got = srv.received(RADIUS_ACCOUNTING_REQUEST);
	ASSERT_EQ(got.size(), 1u);
	EXPECT_GE(got[0].u32(RADIUS_ACCT_DELAY_TIME), 1);
}

TEST_F(AaaRadiusClient, AccountingBacklogBoundDropsAndCounts)
{
	FakeRadius srv(Mode::Hold);
	cfg_radius c = client_cfg({ &srv });

	c.timeout_ms = 5000;
	c.acct_backlog = 1;
	Client r = make_client(c);
	ASSERT_EQ(auth(r.get(), pap_request(1)), 0); // holds the only thread
	ASSERT_TRUE(wait_until([&] { return srv.n_received() == 1; }));
	EXPECT_EQ(acct(r.get(), acct_request(AAA_ACCT_START, "00000000000000d1")), 0);
	EXPECT_EQ(acct(r.get(), acct_request(AAA_ACCT_START, "00000000000000d2")), -ENOSPC);
	EXPECT_EQ(aaa_radius_acct_onoff(r.get(), true), -ENOSPC);
	struct aaa_radius_stats s = stats(r.get());
	EXPECT_EQ(s.acct_dropped, 2u);
	EXPECT_EQ(s.acct_queued, 1u);
	EXPECT_TRUE(logged("backlog full"));

	srv.set_mode(Mode::Accept);
	srv.release_held();
	EXPECT_EQ(one_answer(r.get()).verdict, AAA_ACCEPT);
	ASSERT_TRUE(wait_until([&] { return stats(r.get()).acct_answered == 1; }));
	std::vector<Packet> got = srv.received(RADIUS_ACCOUNTING_REQUEST);
	ASSERT_EQ(got.size(), 1u);
	EXPECT_EQ(got[0].str(RADIUS_ACCT_SESSION_ID), "00000000000000d1");
}

TEST_F(AaaRadiusClient, DestroyDeliversQueuedAccountingBeforeReturning)
{
	FakeRadius srv(Mode::Silent);
	Client r = make_client(client_cfg({ &srv }));
	const char *sessions[] = { "00000000000000e1", "00000000000000e2", "00000000000000e3" };

	for (const char *id : sessions)
		ASSERT_EQ(acct(r.get(), acct_request(AAA_ACCT_STOP, id)), 0);
	ASSERT_EQ(aaa_radius_acct_onoff(r.get(), false), 0);
	ASSERT_TRUE(wait_until([&] { return stats(r.get()).acct_requeued >= 1; }));
	srv.set_mode(Mode::Accept); // the server is back for the shutdown
	auto t0 = Clock::now();
	aaa_radius_destroy(r.release(), 3000);
	EXPECT_LT(ms_since(t0), 3000); // done when the queue is empty

	std::vector<Packet> got = srv.received(RADIUS_ACCOUNTING_REQUEST);
	std::set<std::string> stops;
	bool off = false;
	for (const Packet &p : got) {
		if (p.u32(RADIUS_ACCT_STATUS_TYPE) == 2)
			stops.insert(p.str(RADIUS_ACCT_SESSION_ID));
		off |= p.u32(RADIUS_ACCT_STATUS_TYPE) == 8;
	}
	EXPECT_EQ(stops, (std::set<std::string>(sessions, sessions + 3)));
	EXPECT_TRUE(off);
	EXPECT_FALSE(logged("lost at shutdown"));
}

TEST_F(AaaRadiusClient, StopWithADeadServerReturnsInTimeAndKeepsCountersReadable)
{
	FakeRadius srv(Mode::Silent);
	cfg_radius c = client_cfg({ &srv });

	c.threads = 2;
	Client r = make_client(c);
	ASSERT_EQ(acct(r.get(), acct_request(AAA_ACCT_STOP, "00000000000000f1")), 0);
	ASSERT_EQ(acct(r.get(), acct_request(AAA_ACCT_STOP, "00000000000000f2")), 0);
	ASSERT_EQ(aaa_radius_acct_onoff(r.get(), false), 0);
	auto t0 = Clock::now();
	aaa_radius_stop(r.get(), 300);
	// drain time plus at most one exchange (2 x 100 ms), with room for a slow machine
	EXPECT_LT(ms_since(t0), 300 + 200 + 400);
	struct aaa_radius_stats s = stats(r.get());
	EXPECT_EQ(s.acct_queued, 3u); // lost, logged; destroy frees them
	EXPECT_EQ(s.acct_answered, 0u);
	EXPECT_TRUE(logged("lost at shutdown"));
	EXPECT_EQ(auth(r.get(), pap_request(1)), -ENOSPC);
	EXPECT_EQ(acct(r.get(), acct_request(AAA_ACCT_STOP)), -ENOSPC);
	t0 = Clock::now();
	r.reset(); // destroy after stop: nothing left to wait for
	EXPECT_LT(ms_since(t0), 100);
}

TEST_F(AaaRadiusClient, ManyAuthenticationsAreEachAnsweredOnceWithTheirRef)
{
	const uint32_t n = 500;
	FakeRadius srv(Mode::Accept);
	cfg_radius c = client_cfg({ &srv });

	c.threads = 4;
	c.queue = n;
	Client r = make_client(c);
	for (uint32_t g = 1; g <= n; g++)
		ASSERT_EQ(auth(r.get(), pap_request(g)), 0);
	std::vector<aaa_auth_answer> got = collect(r.get(), n, 20000);
	ASSERT_EQ(got.size(), n);
	std::map<uint32_t, int> seen;
	for (const aaa_auth_answer &a : got) {
		seen[a.ref.generation]++;
		EXPECT_EQ(a.verdict, AAA_ACCEPT);
		// the server put 10.0.0.0 + NAS-Port, the port being the generation
		EXPECT_EQ(a.framed_ip, ip4(10, 0, 0, 0) + a.ref.generation);
	}
	EXPECT_EQ(seen.size(), n);
	for (const auto &kv : seen)
		EXPECT_EQ(kv.second, 1) << "generation " << kv.first;
	EXPECT_EQ(collect(r.get(), 1, 50).size(), 0u); // nothing more
	struct aaa_radius_stats s = stats(r.get());
	EXPECT_EQ(s.auth_accepted, n);
	EXPECT_EQ(s.auth_latency_n, n);
	EXPECT_EQ(srv.unsigned_requests(), 0);
}

TEST_F(AaaRadiusClient, UnbuildableRequestIsUnavailableAndNothingIsSent)
{
	FakeRadius srv(Mode::Accept);
	Client r = make_client(client_cfg({ &srv }));
	aaa_auth_request q = chap_request();

	q.response_len = 15;
	q.ref.generation = 8;
	ASSERT_EQ(auth(r.get(), q), 0);
	aaa_auth_answer a = one_answer(r.get());
	EXPECT_EQ(a.verdict, AAA_UNAVAILABLE);
	EXPECT_EQ(a.ref.generation, 8u);
	EXPECT_EQ(stats(r.get()).auth_sent, 0u);
	EXPECT_EQ(srv.n_received(), 0u);
}

// Known defects of aaa_radius.c, disabled until fixed (see the report that
// came with these tests); run with --gtest_also_run_disabled_tests.

// aaa_radius_answers() reads the eventfd to zero before taking up to max
// answers: with more waiting than max, the fd is no longer readable although
// answers wait (aaa_radius.h: "becomes readable when answers wait").
TEST_F(AaaRadiusClient, FdStaysReadableWhileAnswersWait)
{
	FakeRadius srv(Mode::Accept);
	Client r = make_client(client_cfg({ &srv }));
	aaa_auth_answer a;

	ASSERT_EQ(auth(r.get(), pap_request(1)), 0);
	ASSERT_EQ(auth(r.get(), pap_request(2)), 0);
	ASSERT_TRUE(wait_until([&] { return stats(r.get()).auth_accepted == 2; }));
	ASSERT_EQ(aaa_radius_answers(r.get(), &a, 1), 1u);
	EXPECT_TRUE(fd_readable(r.get())); // one answer still waits
	ASSERT_EQ(aaa_radius_answers(r.get(), &a, 1), 1u);
	EXPECT_FALSE(fd_readable(r.get()));
}

// next_job() hands out queued authentications even when stopping: with a
// dead server, aaa_radius_stop() exchanges every queued one (here 5 x 200 ms)
// instead of "drain_ms and the exchange in progress".
TEST_F(AaaRadiusClient, StopDoesNotExchangeQueuedAuthentications)
{
	FakeRadius srv(Mode::Silent);
	Client r = make_client(client_cfg({ &srv }));

	for (uint32_t g = 1; g <= 5; g++)
		ASSERT_EQ(auth(r.get(), pap_request(g)), 0);
	auto t0 = Clock::now();
	aaa_radius_stop(r.get(), 0);
	EXPECT_LT(ms_since(t0), 200 + 400);
	EXPECT_LE(srv.n_received(), 2u); // the exchange in progress, if any
}

// run_acct() puts a record no server took back at the head of the queue: with
// two threads, Start and Stop fail together and the later one to fail (Stop)
// goes in front, so the server gets the Stop before the Start.
TEST_F(AaaRadiusClient, AccountingKeepsStartBeforeStopAcrossThreads)
{
	FakeRadius srv(Mode::Silent);
	cfg_radius c = client_cfg({ &srv });

	c.threads = 2;
	Client r = make_client(c);
	ASSERT_EQ(acct(r.get(), acct_request(AAA_ACCT_START, "00000000000000a9")), 0);
	ASSERT_EQ(acct(r.get(), acct_request(AAA_ACCT_STOP, "00000000000000a9")), 0);
	ASSERT_TRUE(wait_until([&] { return stats(r.get()).acct_requeued >= 2; }));
	size_t before = srv.n_received(); // both wait in the queue: nothing in flight
	srv.set_mode(Mode::Accept);
	ASSERT_TRUE(wait_until([&] { return stats(r.get()).acct_answered == 2; }));
	std::vector<Packet> got = srv.received();
	ASSERT_GE(got.size(), before + 2);
	EXPECT_EQ(got[before].u32(RADIUS_ACCT_STATUS_TYPE), 1) << "Stop delivered before Start";
}

} // namespace
