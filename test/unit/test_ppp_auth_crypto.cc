// SPDX-License-Identifier: BSD-2-Clause
// CHAP-MD5 and MS-CHAPv2 arithmetic: RFC 2759 §9.2's vectors and the
// seed's proxied CHAP answer.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "ppp_auth_crypto.h"
}
#include "../common/seed_vectors.h"

namespace
{

std::vector<uint8_t> hex(const char *h)
{
	std::vector<uint8_t> v;
	for (size_t i = 0; h[i] && h[i + 1]; i += 2)
		v.push_back((uint8_t)std::stoi(std::string(h + i, 2), nullptr, 16));
	return v;
}

const auto auth_challenge = hex("5B5D7C7D7B3F2F3E3C2C602132262628");
const auto peer_challenge = hex("21402324255E262A28295F2B3A337C7E");

} // namespace

TEST(ChapMd5, SeedProxyResponseIsMd5OfIdCiscoAndChallenge)
{
	uint8_t out[16];
	chap_md5_response(out, 6, "cisco", 5, seed_proxy_challenge, 16);
	EXPECT_EQ(0, memcmp(out, seed_proxy_response, 16));
	chap_md5_response(out, 7, "cisco", 5, seed_proxy_challenge, 16);
	EXPECT_NE(0, memcmp(out, seed_proxy_response, 16));
}

TEST(MsChapV2, Rfc2759Vectors)
{
	uint8_t hash[16];
	mschap_nt_password_hash(hash, "clientPass", 10);
	EXPECT_EQ(hex("44EBBA8D5312B8D611474411F56989AE"), std::vector<uint8_t>(hash, hash + 16));

	uint8_t nt[24];
	mschapv2_nt_response(nt, auth_challenge.data(), peer_challenge.data(), "User", 4,
			     "clientPass", 10);
	EXPECT_EQ(hex("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF"),
		  std::vector<uint8_t>(nt, nt + 24));

	char s[MSCHAPV2_AUTH_RESP_LEN + 1];
	mschapv2_authenticator_response(s, "clientPass", 10, nt, peer_challenge.data(),
					auth_challenge.data(), "User", 4);
	EXPECT_STREQ("S=407A5589115FD0D6209F510FE9C04566932CDA56", s);
}

TEST(MsChapV2, WrongPasswordOrUserChangesTheResponse)
{
	uint8_t good[24], bad[24];
	mschapv2_nt_response(good, auth_challenge.data(), peer_challenge.data(), "User", 4,
			     "clientPass", 10);
	mschapv2_nt_response(bad, auth_challenge.data(), peer_challenge.data(), "User", 4,
			     "clientPas", 9);
	EXPECT_NE(0, memcmp(good, bad, 24));
	mschapv2_nt_response(bad, auth_challenge.data(), peer_challenge.data(), "user", 4,
			     "clientPass", 10);
	EXPECT_NE(0, memcmp(good, bad, 24));
}

TEST(MsChapV2, Utf8PasswordsHashAsUtf16)
{
	// "é" in UTF-8 is C3 A9 and U+00E9 in UTF-16; a Latin-1 E9 byte (not
	// valid UTF-8) is taken as its Latin-1 value: the same code point.
	uint8_t a[16], b[16], c[16];
	mschap_nt_password_hash(a, "\xc3\xa9", 2);
	mschap_nt_password_hash(b, "\xe9", 1);
	mschap_nt_password_hash(c, "e", 1);
	EXPECT_EQ(0, memcmp(a, b, 16));
	EXPECT_NE(0, memcmp(a, c, 16));
	// the empty password has the well-known NT hash 31D6CFE0D16AE931B73C59D7E0C089C0
	mschap_nt_password_hash(a, "", 0);
	EXPECT_EQ(hex("31D6CFE0D16AE931B73C59D7E0C089C0"), std::vector<uint8_t>(a, a + 16));
}

TEST(AuthEqual, ComparesEveryByte)
{
	EXPECT_TRUE(auth_equal("abcd", "abcd", 4));
	EXPECT_FALSE(auth_equal("abcd", "abce", 4));
	EXPECT_FALSE(auth_equal("xbcd", "abcd", 4));
	EXPECT_TRUE(auth_equal("a", "b", 0));
}
