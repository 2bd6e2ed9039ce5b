// SPDX-License-Identifier: BSD-2-Clause
// Dynamic Authorization (RFC 5176): requests read into what they name and
// change, the Error-Cause for what lnsd cannot do, and signed answers.
#include <gtest/gtest.h>

#include <string>

extern "C" {
#include "aaa_dae.h"
#include "radius_wire.h"
}

namespace
{

const char *secret = "testing123";
const aaa_nas nas = { "l2tp-gw", 0xC0000201 };

// A request as a RADIUS server sends it, signed by the codec (its own tests pin the signing).
struct Request {
	radius_pkt p;
	explicit Request(uint8_t code)
	{
		radius_begin(&p, code, 42, nullptr);
	}
	Request &str(uint8_t type, const std::string &s)
	{
		radius_put(&p, type, s.data(), s.size());
		return *this;
	}
	Request &u32(uint8_t type, uint32_t v)
	{
		radius_put_u32(&p, type, v);
		return *this;
	}
	aaa_dae_error parse(aaa_dae_request *out)
	{
		size_t len = radius_finish(&p, secret, nullptr);
		EXPECT_GT(len, 0u);
		if (p.buf[0] != RADIUS_ACCESS_REQUEST) { // not signed as a request is
			EXPECT_EQ(RADIUS_OK, radius_check_request(p.buf, &len, secret, true));
		}
		return aaa_dae_parse(p.buf, len, &nas, out);
	}
};

} // namespace

TEST(Dae, DisconnectNamesTheSessionByAnyIdentification)
{
	aaa_dae_request r;
	Request q(RADIUS_DISCONNECT_REQUEST);
	q.str(RADIUS_USER_NAME, "2500-1")
		.str(RADIUS_ACCT_SESSION_ID, "EC02262900000001")
		.u32(RADIUS_FRAMED_IP_ADDRESS, 0xCB00714D)
		.str(RADIUS_NAS_IDENTIFIER, "l2tp-gw")
		.u32(RADIUS_NAS_IP_ADDRESS, 0xC0000201)
		.u32(RADIUS_EVENT_TIMESTAMP, 1700000000);
	ASSERT_EQ(AAA_DAE_OK, q.parse(&r));
	EXPECT_TRUE(r.disconnect);
	EXPECT_TRUE(r.has_user && r.has_session_id && r.has_framed_ip);
	EXPECT_STREQ("2500-1", r.user);
	EXPECT_STREQ("EC02262900000001", r.session_id);
	EXPECT_EQ(0xCB00714Du, r.framed_ip);
	EXPECT_FALSE(r.has_session_timeout);
}

TEST(Dae, CoaCarriesTheNewLimits)
{
	aaa_dae_request r;
	Request q(RADIUS_COA_REQUEST);
	q.u32(RADIUS_FRAMED_IP_ADDRESS, 0xCB00714D)
		.u32(RADIUS_SESSION_TIMEOUT, 3)
		.u32(RADIUS_IDLE_TIMEOUT, 0)
		.u32(RADIUS_ACCT_INTERIM_INTERVAL, 300);
	ASSERT_EQ(AAA_DAE_OK, q.parse(&r));
	EXPECT_FALSE(r.disconnect);
	EXPECT_TRUE(r.has_session_timeout && r.has_idle_timeout && r.has_interim);
	EXPECT_EQ(3u, r.session_timeout_s);
	EXPECT_EQ(0u, r.idle_timeout_s);
	EXPECT_EQ(300u, r.interim_s);
}

TEST(Dae, WhatCannotBeDoneIsRefusedWithItsErrorCause)
{
	aaa_dae_request r;
	EXPECT_EQ(
		AAA_DAE_MISSING_ATTRIBUTE,
		Request(RADIUS_DISCONNECT_REQUEST).str(RADIUS_NAS_IDENTIFIER, "l2tp-gw").parse(&r));
	EXPECT_EQ(AAA_DAE_NAS_MISMATCH, Request(RADIUS_DISCONNECT_REQUEST)
						.str(RADIUS_USER_NAME, "a")
						.str(RADIUS_NAS_IDENTIFIER, "elsewhere")
						.parse(&r));
	EXPECT_EQ(AAA_DAE_NAS_MISMATCH, Request(RADIUS_DISCONNECT_REQUEST)
						.str(RADIUS_USER_NAME, "a")
						.u32(RADIUS_NAS_IP_ADDRESS, 0xC0000209)
						.parse(&r));
	// a limit in a Disconnect, an attribute lnsd does not act on, a vendor's
	EXPECT_EQ(AAA_DAE_UNSUPPORTED_ATTRIBUTE, Request(RADIUS_DISCONNECT_REQUEST)
							 .str(RADIUS_USER_NAME, "a")
							 .u32(RADIUS_SESSION_TIMEOUT, 5)
							 .parse(&r));
	EXPECT_EQ(AAA_DAE_UNSUPPORTED_ATTRIBUTE, Request(RADIUS_COA_REQUEST)
							 .str(RADIUS_USER_NAME, "a")
							 .str(RADIUS_FRAMED_ROUTE, "203.0.113.0/28")
							 .parse(&r));
	Request v(RADIUS_COA_REQUEST);
	v.str(RADIUS_USER_NAME, "a");
	radius_put_vsa(&v.p, RADIUS_VENDOR_MS, RADIUS_MS_PRIMARY_DNS_SERVER, "\x01\x02\x03\x04", 4);
	EXPECT_EQ(AAA_DAE_UNSUPPORTED_ATTRIBUTE, v.parse(&r));
	// a session ID longer than any of ours names nothing here; a bad address is invalid
	EXPECT_EQ(AAA_DAE_SESSION_NOT_FOUND,
		  Request(RADIUS_DISCONNECT_REQUEST)
			  .str(RADIUS_ACCT_SESSION_ID, "0123456789ABCDEF0")
			  .parse(&r));
	EXPECT_EQ(
		AAA_DAE_INVALID_REQUEST,
		Request(RADIUS_DISCONNECT_REQUEST).str(RADIUS_FRAMED_IP_ADDRESS, "abc").parse(&r));
	EXPECT_EQ(AAA_DAE_INVALID_REQUEST,
		  Request(RADIUS_ACCESS_REQUEST).str(RADIUS_USER_NAME, "a").parse(&r));
}

TEST(Dae, AnswersAreAckOrNakWithErrorCauseSignedForTheRequest)
{
	struct Case {
		uint8_t req;
		aaa_dae_error e;
		uint8_t code;
	} cases[] = {
		{ RADIUS_DISCONNECT_REQUEST, AAA_DAE_OK, RADIUS_DISCONNECT_ACK },
		{ RADIUS_DISCONNECT_REQUEST, AAA_DAE_SESSION_NOT_FOUND, RADIUS_DISCONNECT_NAK },
		{ RADIUS_COA_REQUEST, AAA_DAE_OK, RADIUS_COA_ACK },
		{ RADIUS_COA_REQUEST, AAA_DAE_UNSUPPORTED_ATTRIBUTE, RADIUS_COA_NAK },
	};
	for (const Case &c : cases) {
		Request q(c.req);
		q.str(RADIUS_USER_NAME, "a");
		ASSERT_GT(radius_finish(&q.p, secret, nullptr), 0u);
		radius_pkt a;
		size_t len = aaa_dae_answer(&a, q.p.buf, c.e, secret);
		ASSERT_GT(len, 0u);
		EXPECT_EQ(c.code, a.buf[0]);
		EXPECT_EQ(42, a.buf[1]); // the request's identifier
		EXPECT_EQ(RADIUS_OK, radius_check_answer(a.buf, &len, secret, q.p.buf + 4));
		radius_attr_it it;
		radius_avp v;
		uint32_t cause = 0;
		radius_attr_first(&it, a.buf, len);
		while (radius_attr_next(&it, &v)) {
			if (v.type == RADIUS_ERROR_CAUSE) {
				ASSERT_TRUE(radius_avp_u32(&v, &cause));
			}
		}
		EXPECT_EQ((uint32_t)c.e, cause);
	}
}
