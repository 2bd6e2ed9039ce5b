// SPDX-License-Identifier: BSD-2-Clause
// L2TP header and AVP codec: the seed's messages first, then hidden AVPs,
// then a table of malformed inputs (each row names the clause it pins).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "l2tp_avp.h"
#include "l2tp_wire.h"
}
#include "../common/seed_msgs.h"

namespace
{

using Bytes = std::vector<uint8_t>;
using namespace seed;

Bytes
finish(l2tp_writer &w, uint16_t tid, uint16_t sid, uint16_t ns, uint16_t nr)
{
	Bytes b = finish_msg(w, tid, sid, ns, nr);
	EXPECT_FALSE(b.empty());
	return b;
}

bool
starts_with(const Bytes &b, const uint8_t *prefix, size_t n)
{
	return b.size() >= n && memcmp(b.data(), prefix, n) == 0;
}

struct Decoded {
	l2tp_hdr hdr;
	l2tp_msg msg;
	l2tp_status hst, mst;
};

// Heap-allocated: struct l2tp_msg carries a 4 KiB arena.
std::unique_ptr<Decoded>
decode(const uint8_t *buf, size_t len)
{
	auto d = std::make_unique<Decoded>();
	d->hst = l2tp_hdr_parse(&d->hdr, buf, len);
	d->mst = L2TP_ST_OK;
	if (d->hst == L2TP_ST_OK)
		d->mst = l2tp_msg_decode(&d->msg, buf + d->hdr.hdr_len,
					 l2tp_hdr_payload_len(&d->hdr), secret, secret_len);
	return d;
}

std::string
bytes_str(const l2tp_msg &m, unsigned type)
{
	return std::string(reinterpret_cast<const char *>(m.avp[type].ptr), m.avp[type].len);
}

} // namespace

TEST(SeedChallenge, ResponsesVerifyWithSecretHello)
{
	uint8_t out[16];
	l2tp_challenge_response(out, L2TP_MSG_SCCRP, secret, secret_len, seed_sccrq_challenge, 16);
	EXPECT_EQ(0, memcmp(out, seed_sccrp_response, 16));
	l2tp_challenge_response(out, L2TP_MSG_SCCCN, secret, secret_len, seed_sccrp_challenge, 16);
	EXPECT_EQ(0, memcmp(out, seed_scccn_response, 16));
}

TEST(SeedEncode, LongMessagesMatchTheSeedsPrefixAndLength)
{
	Bytes b = seed_sccrq();
	EXPECT_EQ(128u, b.size());
	EXPECT_TRUE(starts_with(b, seed_sccrq_prefix, sizeof(seed_sccrq_prefix)));
	b = seed_sccrp();
	EXPECT_EQ(154u, b.size());
	EXPECT_TRUE(starts_with(b, seed_sccrp_prefix, sizeof(seed_sccrp_prefix)));
	b = seed_icrq();
	EXPECT_EQ(91u, b.size());
	EXPECT_TRUE(starts_with(b, seed_icrq_prefix, sizeof(seed_icrq_prefix)));
	b = seed_iccn();
	EXPECT_EQ(151u, b.size());
	EXPECT_TRUE(starts_with(b, seed_iccn_prefix, sizeof(seed_iccn_prefix)));
}

TEST(SeedEncode, CompleteDumpsAreReproducedByteForByte)
{
	uint8_t buf[256];
	l2tp_writer w;

	l2tp_w_init(&w, buf, sizeof(buf));
	l2tp_w_u16(&w, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_SCCCN);
	l2tp_w_bytes(&w, L2TP_AVP_CHALLENGE_RESPONSE, seed_scccn_response, 16);
	EXPECT_EQ(Bytes(seed_scccn, seed_scccn + sizeof(seed_scccn)),
		  finish(w, SEED_LNS_TUNNEL, 0, 1, 1));

	l2tp_w_init(&w, buf, sizeof(buf));
	l2tp_w_u16(&w, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_ICRP);
	l2tp_w_u16(&w, L2TP_AVP_ASSIGNED_SESSION_ID, SEED_LNS_CALL);
	EXPECT_EQ(Bytes(seed_icrp, seed_icrp + sizeof(seed_icrp)),
		  finish(w, SEED_LAC_TUNNEL, SEED_LAC_CALL, 1, 3));

	l2tp_w_init(&w, buf, sizeof(buf));
	l2tp_w_u16(&w, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_CDN);
	l2tp_w_u16(&w, L2TP_AVP_ASSIGNED_SESSION_ID, SEED_LAC_CALL);
	l2tp_w_result(&w, L2TP_CDN_LOST_CARRIER, L2TP_ERR_NONE, nullptr);
	EXPECT_EQ(Bytes(seed_cdn, seed_cdn + sizeof(seed_cdn)),
		  finish(w, SEED_LNS_TUNNEL, SEED_LNS_CALL, 4, 2));

	l2tp_w_init(&w, buf, sizeof(buf));
	l2tp_w_u16(&w, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_STOPCCN);
	l2tp_w_u16(&w, L2TP_AVP_ASSIGNED_TUNNEL_ID, SEED_LNS_TUNNEL);
	l2tp_w_result(&w, L2TP_STOPCCN_CLEAR, -1, nullptr);
	EXPECT_EQ(Bytes(seed_stopccn, seed_stopccn + sizeof(seed_stopccn)),
		  finish(w, SEED_LAC_TUNNEL, 0, 2, 5));

	l2tp_w_init(&w, buf, sizeof(buf));
	EXPECT_EQ(Bytes(seed_zlb_after_scccn, seed_zlb_after_scccn + 12),
		  finish(w, SEED_LAC_TUNNEL, 0, 1, 2));
	l2tp_w_init(&w, buf, sizeof(buf));
	EXPECT_EQ(Bytes(seed_zlb_after_stopccn, seed_zlb_after_stopccn + 12),
		  finish(w, SEED_LNS_TUNNEL, 0, 5, 3));
}

TEST(SeedDecode, ScccnFieldsAsTheTracePrintsThem)
{
	auto d = decode(seed_scccn, sizeof(seed_scccn));
	ASSERT_EQ(L2TP_ST_OK, d->hst);
	ASSERT_EQ(L2TP_ST_OK, d->mst);
	char line[128];
	l2tp_hdr_format(&d->hdr, line, sizeof(line));
	EXPECT_STREQ("flg TLS, ver 2, len 42, tnl 55270, cl 0, ns 1, nr 1", line);
	EXPECT_EQ(L2TP_MSG_SCCCN, d->msg.type);
	EXPECT_STREQ("SCCCN", l2tp_msg_type_str(d->msg.type));
	ASSERT_TRUE(l2tp_msg_has(&d->msg, L2TP_AVP_CHALLENGE_RESPONSE));
	EXPECT_EQ(0, memcmp(d->msg.avp[L2TP_AVP_CHALLENGE_RESPONSE].ptr, seed_scccn_response, 16));
	EXPECT_EQ(L2TP_ST_OK, l2tp_msg_check(&d->msg));
}

TEST(SeedDecode, IcrpCdnStopccnAndZlbs)
{
	auto d = decode(seed_icrp, sizeof(seed_icrp));
	ASSERT_EQ(L2TP_ST_OK, d->mst);
	EXPECT_EQ(L2TP_MSG_ICRP, d->msg.type);
	EXPECT_EQ(45u, l2tp_msg_num(&d->msg, L2TP_AVP_ASSIGNED_SESSION_ID));
	EXPECT_EQ(17688, d->hdr.tunnel_id);
	EXPECT_EQ(7, d->hdr.session_id);
	EXPECT_EQ(1, d->hdr.ns);
	EXPECT_EQ(3, d->hdr.nr);

	d = decode(seed_cdn, sizeof(seed_cdn));
	ASSERT_EQ(L2TP_ST_OK, d->mst);
	EXPECT_EQ(L2TP_MSG_CDN, d->msg.type);
	EXPECT_EQ(7u, l2tp_msg_num(&d->msg, L2TP_AVP_ASSIGNED_SESSION_ID));
	l2tp_result r;
	ASSERT_TRUE(l2tp_msg_result(&d->msg, &r));
	EXPECT_EQ(1, r.result);
	EXPECT_EQ(0, r.error);
	EXPECT_STREQ("Loss of carrier", l2tp_cdn_result_str(r.result));
	EXPECT_EQ(L2TP_ST_OK, l2tp_msg_check(&d->msg));

	d = decode(seed_stopccn, sizeof(seed_stopccn));
	ASSERT_EQ(L2TP_ST_OK, d->mst);
	EXPECT_EQ(L2TP_MSG_STOPCCN, d->msg.type);
	EXPECT_EQ(55270u, l2tp_msg_num(&d->msg, L2TP_AVP_ASSIGNED_TUNNEL_ID));
	ASSERT_TRUE(l2tp_msg_result(&d->msg, &r));
	EXPECT_EQ(1, r.result);
	EXPECT_EQ(-1, r.error);
	EXPECT_STREQ("Request to clear control connection", l2tp_stopccn_result_str(r.result));

	for (const uint8_t *z : { seed_zlb_after_scccn, seed_zlb_after_iccn, seed_zlb_after_cdn,
				  seed_zlb_after_stopccn }) {
		d = decode(z, 12);
		ASSERT_EQ(L2TP_ST_OK, d->mst);
		EXPECT_EQ(L2TP_MSG_ZLB, d->msg.type);
	}
	d = decode(seed_zlb_after_iccn, 12);
	char line[128];
	l2tp_hdr_format(&d->hdr, line, sizeof(line));
	EXPECT_STREQ("flg TLS, ver 2, len 12, tnl 17688, cl 0, ns 2, nr 4", line);
}

TEST(SeedDecode, RebuiltLongMessagesCarryTheTracedFields)
{
	Bytes b = seed_sccrq();
	auto d = decode(b.data(), b.size());
	ASSERT_EQ(L2TP_ST_OK, d->mst);
	EXPECT_EQ(L2TP_ST_OK, l2tp_msg_check(&d->msg));
	EXPECT_EQ("hgw", bytes_str(d->msg, L2TP_AVP_HOST_NAME));
	EXPECT_EQ(256u, l2tp_msg_num(&d->msg, L2TP_AVP_PROTOCOL_VERSION));
	EXPECT_EQ(800u, l2tp_msg_num(&d->msg, L2TP_AVP_RX_WINDOW_SIZE));
	EXPECT_EQ(17688u, l2tp_msg_num(&d->msg, L2TP_AVP_ASSIGNED_TUNNEL_ID));
	EXPECT_FALSE(d->msg.avp[L2TP_AVP_FIRMWARE_REV].mandatory);

	b = seed_icrq();
	d = decode(b.data(), b.size());
	ASSERT_EQ(L2TP_ST_OK, d->mst);
	EXPECT_EQ(1u, d->msg.n_skipped); // Cisco AVP 100 without M
	EXPECT_EQ("2085730592", bytes_str(d->msg, L2TP_AVP_CALLING_NUMBER));
	EXPECT_EQ("614629", bytes_str(d->msg, L2TP_AVP_CALLED_NUMBER));
	EXPECT_EQ(0xD114C7C5u, l2tp_msg_num(&d->msg, L2TP_AVP_CALL_SERIAL_NUMBER));

	b = seed_iccn();
	d = decode(b.data(), b.size());
	ASSERT_EQ(L2TP_ST_OK, d->mst);
	EXPECT_EQ(L2TP_ST_OK, l2tp_msg_check(&d->msg));
	EXPECT_EQ(64000u, l2tp_msg_num(&d->msg, L2TP_AVP_TX_CONNECT_SPEED));
	EXPECT_EQ(2u, l2tp_msg_num(&d->msg, L2TP_AVP_FRAMING_TYPE));
	EXPECT_EQ(6u, l2tp_msg_num(&d->msg, L2TP_AVP_PROXY_AUTHEN_ID));
	EXPECT_EQ(2u, l2tp_msg_num(&d->msg, L2TP_AVP_PROXY_AUTHEN_TYPE));
	EXPECT_EQ("2500-1", bytes_str(d->msg, L2TP_AVP_PROXY_AUTHEN_NAME));
	EXPECT_EQ(0,
		  memcmp(d->msg.avp[L2TP_AVP_PROXY_AUTHEN_RESPONSE].ptr, seed_proxy_response, 16));
	EXPECT_TRUE(d->msg.avp[L2TP_AVP_PROXY_AUTHEN_RESPONSE].mandatory);
	EXPECT_EQ(11, d->msg.avp[L2TP_AVP_LAST_SENT_LCP_CONFREQ].len);
}

TEST(Hidden, FixedVectorHidesAndUnhides)
{
	// Computed independently (Python hashlib) from §4.3's description.
	static const uint8_t expected[24] = { 0x10, 0xd7, 0x43, 0x87, 0x64, 0x9d, 0xea, 0x86,
					      0xd1, 0xb7, 0xc1, 0x76, 0x24, 0x27, 0x95, 0xbb,
					      0x36, 0x80, 0x94, 0xbc, 0x3d, 0xb1, 0xa6, 0x5e };
	uint8_t rv[16];
	for (int i = 0; i < 16; i++)
		rv[i] = (uint8_t)i;
	const char *value = "2085730592@example.net";
	uint8_t buf[256];
	l2tp_writer w;
	l2tp_w_init(&w, buf, sizeof(buf));
	l2tp_w_set_secret(&w, secret, secret_len);
	w.hide_mask = UINT64_C(1) << L2TP_AVP_CALLING_NUMBER;
	l2tp_w_u16(&w, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_ICRQ);
	l2tp_w_u16(&w, L2TP_AVP_ASSIGNED_SESSION_ID, 7);
	l2tp_w_u32(&w, L2TP_AVP_CALL_SERIAL_NUMBER, 1);
	l2tp_w_random_vector(&w, rv, 16);
	l2tp_w_str(&w, L2TP_AVP_CALLING_NUMBER, value);
	Bytes b = finish(w, 1, 0, 0, 0);
	ASSERT_EQ(12u + 8 + 8 + 10 + 22 + 30, b.size());
	const uint8_t *avp = b.data() + b.size() - 30;
	EXPECT_EQ(L2TP_AVP_FLAG_M | L2TP_AVP_FLAG_H | 30, get_be16(avp));
	EXPECT_EQ(0, memcmp(avp + 6, expected, 24));

	auto d = decode(b.data(), b.size());
	ASSERT_EQ(L2TP_ST_OK, d->mst);
	EXPECT_TRUE(d->msg.avp[L2TP_AVP_CALLING_NUMBER].hidden);
	EXPECT_EQ(value, bytes_str(d->msg, L2TP_AVP_CALLING_NUMBER));
}

TEST(Hidden, RoundTripEveryHideableTypeAndLength)
{
	uint8_t rv[7] = { 9, 8, 7, 6, 5, 4, 3 };
	for (unsigned len = 1; len <= 70; len++) {
		std::vector<uint8_t> value(len);
		for (unsigned i = 0; i < len; i++)
			value[i] = (uint8_t)(i * 31 + len);
		uint8_t buf[512];
		l2tp_writer w;
		l2tp_w_init(&w, buf, sizeof(buf));
		l2tp_w_set_secret(&w, secret, secret_len);
		w.hide_mask = UINT64_C(1) << L2TP_AVP_PROXY_AUTHEN_CHALLENGE;
		l2tp_w_u16(&w, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_ICCN);
		l2tp_w_random_vector(&w, rv, sizeof(rv));
		l2tp_w_bytes(&w, L2TP_AVP_PROXY_AUTHEN_CHALLENGE, value.data(), len);
		Bytes b = finish(w, 1, 2, 0, 0);
		auto d = decode(b.data(), b.size());
		ASSERT_EQ(L2TP_ST_OK, d->mst) << len;
		const l2tp_avp_val &v = d->msg.avp[L2TP_AVP_PROXY_AUTHEN_CHALLENGE];
		ASSERT_EQ(len, v.len);
		EXPECT_EQ(0, memcmp(v.ptr, value.data(), len));
		// the input buffer is never written: the ciphertext is still there
		EXPECT_NE(0, memcmp(b.data() + b.size() - len, value.data(), len));
	}
}

TEST(Hidden, WithoutSecretOrVectorIsRefused)
{
	uint8_t rv[4] = { 1, 2, 3, 4 };
	uint8_t buf[256];
	l2tp_writer w;
	l2tp_w_init(&w, buf, sizeof(buf));
	l2tp_w_set_secret(&w, secret, secret_len);
	w.hide_mask = UINT64_C(1) << L2TP_AVP_HOST_NAME;
	l2tp_w_u16(&w, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_SCCRQ);
	l2tp_w_random_vector(&w, rv, 4);
	l2tp_w_str(&w, L2TP_AVP_HOST_NAME, "lac");
	Bytes b = finish(w, 0, 0, 0, 0);
	l2tp_hdr h;
	ASSERT_EQ(L2TP_ST_OK, l2tp_hdr_parse(&h, b.data(), b.size()));
	auto m = std::make_unique<l2tp_msg>();
	EXPECT_EQ(L2TP_ST_AVP_HIDDEN_NO_SECRET,
		  l2tp_msg_decode(m.get(), b.data() + 12, b.size() - 12, nullptr, 0));

	// a writer with no vector refuses to hide rather than send in clear
	l2tp_w_init(&w, buf, sizeof(buf));
	l2tp_w_set_secret(&w, secret, secret_len);
	w.hide_mask = UINT64_C(1) << L2TP_AVP_HOST_NAME;
	l2tp_w_u16(&w, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_SCCRQ);
	l2tp_w_str(&w, L2TP_AVP_HOST_NAME, "lac");
	EXPECT_EQ(-1, l2tp_w_finish(&w, 0, 0, 0, 0));
}

TEST(Header, DataHeaderEveryFlagCombination)
{
	for (int flags = 0; flags < 16; flags++) {
		l2tp_data_hdr_opts o = {};
		o.length = flags & 1;
		o.sequence = flags & 2;
		o.offset = (flags & 4) ? 3 : 0;
		o.priority = flags & 8;
		o.ns = 0x1234;
		o.nr = 0x5678;
		uint8_t buf[64];
		size_t n = l2tp_hdr_put_data(buf, sizeof(buf), 0xabcd, 0x0102, 5, &o);
		ASSERT_GT(n, 0u);
		memset(buf + n, 0xee, 5);
		l2tp_hdr h;
		ASSERT_EQ(L2TP_ST_OK, l2tp_hdr_parse(&h, buf, n + 5)) << flags;
		EXPECT_FALSE(l2tp_hdr_is_control(&h));
		EXPECT_EQ(0xabcd, h.tunnel_id);
		EXPECT_EQ(0x0102, h.session_id);
		EXPECT_EQ(n, h.hdr_len);
		EXPECT_EQ(5, l2tp_hdr_payload_len(&h));
		if (o.sequence) {
			EXPECT_EQ(0x1234, h.ns);
			EXPECT_EQ(0x5678, h.nr);
		}
	}
}

// Malformed input: every row is refused with its own status, never read
// past the end (ASan checks that: each input is copied to an exact-size
// heap buffer).
struct MalformedCase {
	const char *why;
	Bytes input;
	l2tp_status expect;
};

class Malformed : public ::testing::TestWithParam<MalformedCase>
{
};

TEST_P(Malformed, IsRefusedWithItsReason)
{
	const MalformedCase &c = GetParam();
	std::unique_ptr<uint8_t[]> exact(new uint8_t[c.input.size() + 1]);
	if (!c.input.empty())
		memcpy(exact.get(), c.input.data(), c.input.size());
	auto d = decode(exact.get(), c.input.size());
	l2tp_status got = d->hst != L2TP_ST_OK ? d->hst : d->mst;
	if (got == L2TP_ST_OK && d->msg.type != L2TP_MSG_ZLB)
		got = l2tp_msg_check(&d->msg);
	EXPECT_EQ(c.expect, got) << c.why << ": got " << l2tp_status_str(got);
}

#define HDR(len, ...) 0xC8, 0x02, 0x00, (len), 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
#define MSGTYPE(t)    0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, (t)

INSTANTIATE_TEST_SUITE_P(
	Table, Malformed,
	::testing::Values(MalformedCase{ "§3.1 empty datagram", {}, L2TP_ST_SHORT_HEADER },
			  MalformedCase{ "§3.1 control header cut at 11 bytes",
					 { 0xC8, 0x02, 0x00, 0x0C, 0, 1, 0, 0, 0, 0, 0 },
					 L2TP_ST_SHORT_HEADER },
			  MalformedCase{ "seed note: version 1 is L2F",
					 { 0xC8, 0x01, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0 },
					 L2TP_ST_VERSION_L2F },
			  MalformedCase{ "version 3 is L2TPv3",
					 { 0xC8, 0x03, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0 },
					 L2TP_ST_VERSION_L2TPV3 },
			  MalformedCase{ "§3.1 control without S",
					 { 0xC0, 0x02, 0, 8, 0, 0, 0, 0 },
					 L2TP_ST_CTRL_BAD_FLAGS },
			  MalformedCase{ "§3.1 control with O",
					 { 0xCA, 0x02, 0, 14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
					 L2TP_ST_CTRL_BAD_FLAGS },
			  MalformedCase{ "length field larger than the datagram",
					 { HDR(13) },
					 L2TP_ST_LENGTH_PAST_END },
			  MalformedCase{ "length field smaller than the header",
					 { HDR(11) },
					 L2TP_ST_LENGTH_TOO_SMALL },
			  MalformedCase{ "data offset past the end",
					 { 0x02, 0x02, 0, 1, 0, 1, 0x00, 0x09, 0 },
					 L2TP_ST_OFFSET_PAST_END },
			  MalformedCase{ "AVP header cut off",
					 { HDR(16), 0x80, 0x08, 0x00, 0x00 },
					 L2TP_ST_AVP_TRUNCATED },
			  MalformedCase{ "npppd 13-year bug: AVP length below 6",
					 { HDR(18), 0x80, 0x05, 0, 0, 0, 0 },
					 L2TP_ST_AVP_LEN_BELOW_6 },
			  MalformedCase{ "AVP length zero",
					 { HDR(18), 0x80, 0x00, 0, 0, 0, 0 },
					 L2TP_ST_AVP_LEN_BELOW_6 },
			  MalformedCase{ "AVP length past the end",
					 { HDR(20), 0x80, 0x09, 0, 0, 0, 0, 0, 1 },
					 L2TP_ST_AVP_LEN_PAST_END },
			  MalformedCase{ "§4.4.1 first AVP not Message Type",
					 { HDR(20), 0x80, 0x08, 0, 0, 0, 9, 0, 1 },
					 L2TP_ST_FIRST_AVP_NOT_MSGTYPE },
			  MalformedCase{ "§4.4.1 Message Type of 3 bytes",
					 { HDR(21), 0x80, 0x09, 0, 0, 0, 0, 0, 1, 0 },
					 L2TP_ST_AVP_BAD_VALUE_LEN },
			  MalformedCase{ "§4.1 unknown AVP with M",
					 { HDR(28), MSGTYPE(6), 0x80, 0x08, 0, 0, 0, 20, 0, 0 },
					 L2TP_ST_AVP_UNKNOWN_MANDATORY },
			  MalformedCase{ "§4.1 vendor AVP with M",
					 { HDR(28), MSGTYPE(6), 0x80, 0x08, 0, 9, 0, 1, 0, 0 },
					 L2TP_ST_AVP_UNKNOWN_MANDATORY },
			  MalformedCase{ "§4.1 known AVP of impossible size",
					 { HDR(27), MSGTYPE(6), 0x80, 0x07, 0, 0, 0, 9, 0 },
					 L2TP_ST_AVP_BAD_VALUE_LEN },
			  MalformedCase{ "§6.1 SCCRQ without Host Name etc.",
					 { HDR(20), MSGTYPE(1) },
					 L2TP_ST_MISSING_MANDATORY_AVP },
			  MalformedCase{ "§6.14 CDN without Result Code",
					 { HDR(28), MSGTYPE(14), 0x80, 0x08, 0, 0, 0, 14, 0, 7 },
					 L2TP_ST_MISSING_MANDATORY_AVP },
			  MalformedCase{
				  "§4.3 hidden AVP before any Random Vector",
				  { HDR(30), MSGTYPE(6), 0xC0, 0x0A, 0, 0, 0, 7, 1, 2, 3, 4 },
				  L2TP_ST_AVP_HIDDEN_NO_VECTOR },
			  MalformedCase{ "unknown message type",
					 { HDR(20), MSGTYPE(5) },
					 L2TP_ST_MSGTYPE_UNKNOWN }));

TEST(Strings, EveryStatusHasText)
{
	for (int i = 0; i < L2TP_ST_COUNT; i++) {
		EXPECT_STRNE("?", l2tp_status_str((l2tp_status)i));
		EXPECT_STRNE("?", l2tp_status_name((l2tp_status)i));
	}
	EXPECT_STREQ("StopCCN", l2tp_msg_type_str(L2TP_MSG_STOPCCN));
	EXPECT_STREQ("Host Name", l2tp_avp_name(L2TP_AVP_HOST_NAME));
	EXPECT_EQ(nullptr, l2tp_avp_info(20));
}

// A peer's quirk, when tolerated: unknown AVPs with M are skipped and counted.
TEST(Avp, LenientDecodeSkipsAndCountsUnknownMandatoryAvps)
{
	// HELLO, then a vendor AVP with M and an unassigned type-20 AVP with M
	const uint8_t body[] = { 0x80, 0x08, 0, 0, 0, 0,  0,   6,	 // Message Type HELLO
				 0x80, 0x09, 0, 9, 0, 1,  'a', 'b', 'c', // vendor 9, M
				 0x80, 0x06, 0, 0, 0, 20,		 // type 20, M
				 0x00, 0x06, 0, 0, 0, 100 };		 // type 100, no M
	l2tp_msg m;
	EXPECT_EQ(L2TP_ST_AVP_UNKNOWN_MANDATORY,
		  l2tp_msg_decode(&m, body, sizeof(body), nullptr, 0));
	ASSERT_EQ(L2TP_ST_OK, l2tp_msg_decode_lenient(&m, body, sizeof(body), nullptr, 0));
	EXPECT_EQ(L2TP_MSG_HELLO, m.type);
	EXPECT_EQ(2u, m.n_unknown_mandatory);
	EXPECT_EQ(1u, m.n_skipped);
	// a known AVP that is broken is still an error
	const uint8_t bad[] = { 0x80, 0x08, 0, 0, 0, 0, 0, 6, 0x80, 0x07, 0, 0, 0, 9, 0 };
	EXPECT_EQ(L2TP_ST_AVP_BAD_VALUE_LEN,
		  l2tp_msg_decode_lenient(&m, bad, sizeof(bad), nullptr, 0));
}
