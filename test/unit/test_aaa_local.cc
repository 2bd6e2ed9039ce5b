// SPDX-License-Identifier: BSD-2-Clause
// The daemon's local building blocks: address pools, per-peer admission
// control, and local authentication (the seed's proxied CHAP answer, RFC
// 2759's MS-CHAPv2 vector, PAP).
#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <vector>

extern "C" {
#include "admission.h"
#include "local_auth.h"
#include "pool.h"
}
#include "../common/seed_vectors.h"

TEST(Pool, NeverHandsAnAddressOutTwiceAndHonoursExclusions)
{
	pool_range r[2] = { { 0xCB007101, 0xCB007104 }, { 0xCB007110, 0xCB007111 } };
	pool_range ex[1] = { { 0xCB007102, 0xCB007102 } };
	pool *p = pool_create("subs", r, 2, ex, 1);
	ASSERT_NE(nullptr, p);
	EXPECT_EQ(5u, pool_stats(p)->size);
	std::set<uint32_t> got;
	for (int i = 0; i < 5; i++) {
		uint32_t a = pool_alloc(p);
		ASSERT_NE(0u, a);
		EXPECT_TRUE(got.insert(a).second);
		EXPECT_NE(0xCB007102u, a);
	}
	EXPECT_EQ(0u, pool_alloc(p));
	EXPECT_EQ(1u, pool_stats(p)->exhausted);
	EXPECT_EQ(0, pool_free(p, 0xCB007103));
	EXPECT_EQ(-EINVAL, pool_free(p, 0xCB007103)); // twice
	EXPECT_EQ(-EINVAL, pool_free(p, 0xCB007102)); // excluded
	EXPECT_EQ(2u, pool_stats(p)->bad_free);
	EXPECT_EQ(0xCB007103u, pool_alloc(p));
	EXPECT_EQ(0, pool_free(p, 0xCB007110));
	EXPECT_EQ(0, pool_take(p, 0xCB007110));
	EXPECT_EQ(-EADDRINUSE, pool_take(p, 0xCB007110));
	EXPECT_EQ(-EINVAL, pool_take(p, 0xC0000201));
	EXPECT_TRUE(pool_contains(p, 0xCB007111));
	EXPECT_FALSE(pool_contains(p, 0xCB007102));
	pool_destroy(p);
}

TEST(Pool, ReusesAFreedAddressLast)
{
	pool_range r[1] = { { 1, 4 } };
	pool *p = pool_create("x", r, 1, nullptr, 0);
	uint32_t a = pool_alloc(p);
	pool_free(p, a);
	EXPECT_NE(a, pool_alloc(p));
	pool_destroy(p);
}

TEST(Admission, RateAndSetupCap)
{
	admission a;
	admission_init(&a, 10, 3, 1000);
	EXPECT_TRUE(admission_try(&a, 1000));
	EXPECT_TRUE(admission_try(&a, 1000));
	EXPECT_TRUE(admission_try(&a, 1000));
	EXPECT_FALSE(admission_try(&a, 1000)); // 3 in setup
	EXPECT_EQ(1u, a.refused_setup);
	for (int i = 0; i < 3; i++)
		admission_done(&a);
	int ok = 0;
	for (int i = 0; i < 20; i++) {
		if (admission_try(&a, 1000)) {
			ok++;
			admission_done(&a);
		}
	}
	EXPECT_EQ(7, ok); // the bucket held 10, 3 were spent
	EXPECT_EQ(13u, a.refused_rate);
	EXPECT_FALSE(admission_try(&a, 1099)); // one token per 100 ms
	EXPECT_TRUE(admission_try(&a, 1100));
	admission a2;
	admission_init(&a2, 0, 0, 0);
	for (int i = 0; i < 1000; i++)
		EXPECT_TRUE(admission_try(&a2, 0));
}

TEST(LocalAuth, SeedProxiedChapWithPasswordCisco)
{
	ppp_auth_request r = {};
	r.proto = PPP_AUTH_CHAP_MD5;
	r.proxied = true;
	r.name = reinterpret_cast<const uint8_t *>("2500-1");
	r.name_len = 6;
	r.chap_id = 6;
	r.challenge = seed_proxy_challenge;
	r.challenge_len = 16;
	r.response = seed_proxy_response;
	r.response_len = 16;
	char s[MSCHAPV2_AUTH_RESP_LEN + 1];
	EXPECT_TRUE(local_auth_verify(&r, "cisco", s));
	EXPECT_FALSE(local_auth_verify(&r, "hello", s));
	r.chap_id = 7;
	EXPECT_FALSE(local_auth_verify(&r, "cisco", s));
}

TEST(LocalAuth, MsChapV2Rfc2759VectorAndPap)
{
	static const uint8_t auth_chal[16] = { 0x5B, 0x5D, 0x7C, 0x7D, 0x7B, 0x3F, 0x2F, 0x3E,
					       0x3C, 0x2C, 0x60, 0x21, 0x32, 0x26, 0x26, 0x28 };
	static const uint8_t peer_chal[16] = { 0x21, 0x40, 0x23, 0x24, 0x25, 0x5E, 0x26, 0x2A,
					       0x28, 0x29, 0x5F, 0x2B, 0x3A, 0x33, 0x7C, 0x7E };
	static const uint8_t nt[24] = { 0x82, 0x30, 0x9E, 0xCD, 0x8D, 0x70, 0x8B, 0x5E,
					0xA0, 0x8F, 0xAA, 0x39, 0x81, 0xCD, 0x83, 0x54,
					0x42, 0x33, 0x11, 0x4A, 0x3D, 0x85, 0xD6, 0xDF };
	uint8_t resp[49] = {};
	memcpy(resp, peer_chal, 16);
	memcpy(resp + 24, nt, 24);
	ppp_auth_request r = {};
	r.proto = PPP_AUTH_MSCHAPV2;
	r.name = reinterpret_cast<const uint8_t *>("User");
	r.name_len = 4;
	r.challenge = auth_chal;
	r.challenge_len = 16;
	r.response = resp;
	r.response_len = 49;
	char s[MSCHAPV2_AUTH_RESP_LEN + 1];
	ASSERT_TRUE(local_auth_verify(&r, "clientPass", s));
	EXPECT_STREQ("S=407A5589115FD0D6209F510FE9C04566932CDA56", s);
	EXPECT_FALSE(local_auth_verify(&r, "clientPas", s));

	ppp_auth_request pap = {};
	pap.proto = PPP_AUTH_PAP;
	pap.password = reinterpret_cast<const uint8_t *>("s3cret");
	pap.password_len = 6;
	EXPECT_TRUE(local_auth_verify(&pap, "s3cret", s));
	EXPECT_FALSE(local_auth_verify(&pap, "s3cre", s));
	EXPECT_FALSE(local_auth_verify(&pap, "s3cretx", s));
}
