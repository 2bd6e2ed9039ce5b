// SPDX-License-Identifier: BSD-2-Clause
// CHAP-MD5 and MS-CHAPv2 arithmetic: RFC 2759 §9.2's vectors first, the
// seed's proxied CHAP answer, then UTF-8 passwords, malformed UTF-8 and the
// 256-character limit.
//
// Expected values not taken from an RFC were computed outside this code:
// MD5 with Python's hashlib, e.g.
//   python3 -c "import hashlib; print(hashlib.md5(bytes([6]) + b'cisco').hexdigest())"
// and NT hashes (MD4 of UTF-16LE) with OpenSSL's legacy provider, e.g.
//   python3 -c "import sys; sys.stdout.buffer.write('\u00e9'.encode('utf-16-le'))" |
//     openssl dgst -md4 -provider legacy -provider default
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "ppp_auth_crypto.h"
}
#include "../common/seed_vectors.h"

namespace
{

std::vector<uint8_t>
hex(const char *h)
{
	std::vector<uint8_t> v;
	for (size_t i = 0; h[i] && h[i + 1]; i += 2)
		v.push_back((uint8_t)std::stoi(std::string(h + i, 2), nullptr, 16));
	return v;
}

std::vector<uint8_t>
nt_hash(const std::string &password)
{
	uint8_t out[16];
	mschap_nt_password_hash(out, password.data(), password.size());
	return std::vector<uint8_t>(out, out + 16);
}

std::vector<uint8_t>
chap(uint8_t id, const std::string &secret, const std::vector<uint8_t> &ch)
{
	uint8_t out[CHAP_MD5_LEN];
	chap_md5_response(out, id, secret.data(), secret.size(), ch.data(), ch.size());
	return std::vector<uint8_t>(out, out + CHAP_MD5_LEN);
}

// RFC 2759 §9.2
const auto auth_challenge = hex("5B5D7C7D7B3F2F3E3C2C602132262628");
const auto peer_challenge = hex("21402324255E262A28295F2B3A337C7E");
const char rfc_user[] = "User";
const char rfc_password[] = "clientPass";

} // namespace

TEST(MsChapV2, Rfc2759Vectors)
{
	EXPECT_EQ(hex("44EBBA8D5312B8D611474411F56989AE"), nt_hash(rfc_password));

	uint8_t nt[MSCHAPV2_NT_RESP_LEN];
	mschapv2_nt_response(nt, auth_challenge.data(), peer_challenge.data(), rfc_user, 4,
			     rfc_password, 10);
	EXPECT_EQ(hex("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF"),
		  std::vector<uint8_t>(nt, nt + MSCHAPV2_NT_RESP_LEN));

	char s[MSCHAPV2_AUTH_RESP_LEN + 1];
	memset(s, 'x', sizeof(s));
	mschapv2_authenticator_response(s, rfc_password, 10, nt, peer_challenge.data(),
					auth_challenge.data(), rfc_user, 4);
	EXPECT_STREQ("S=407A5589115FD0D6209F510FE9C04566932CDA56", s);
	EXPECT_EQ('\0', s[MSCHAPV2_AUTH_RESP_LEN]);
}

TEST(MsChapV2, EveryInputChangesTheResponse)
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
	// the challenges are not interchangeable: PeerChallenge is hashed first (§8.2)
	mschapv2_nt_response(bad, peer_challenge.data(), auth_challenge.data(), "User", 4,
			     "clientPass", 10);
	EXPECT_NE(0, memcmp(good, bad, 24));

	char s1[MSCHAPV2_AUTH_RESP_LEN + 1], s2[MSCHAPV2_AUTH_RESP_LEN + 1];
	mschapv2_authenticator_response(s1, "clientPass", 10, good, peer_challenge.data(),
					auth_challenge.data(), "User", 4);
	mschapv2_authenticator_response(s2, "clientPass", 10, bad, peer_challenge.data(),
					auth_challenge.data(), "User", 4);
	EXPECT_STRNE(s1, s2);
}

TEST(MsChapV2, EmptyUserAndPasswordAreDefined)
{
	// MD4 of nothing: the well-known NT hash of the empty password
	EXPECT_EQ(hex("31D6CFE0D16AE931B73C59D7E0C089C0"), nt_hash(""));
	EXPECT_EQ(nt_hash(""), nt_hash(std::string("x", 0)));

	uint8_t a[24], b[24];
	mschapv2_nt_response(a, auth_challenge.data(), peer_challenge.data(), nullptr, 0, nullptr,
			     0);
	mschapv2_nt_response(b, auth_challenge.data(), peer_challenge.data(), "", 0, "", 0);
	EXPECT_EQ(0, memcmp(a, b, 24));
	char s[MSCHAPV2_AUTH_RESP_LEN + 1];
	mschapv2_authenticator_response(s, nullptr, 0, a, peer_challenge.data(),
					auth_challenge.data(), nullptr, 0);
	EXPECT_EQ(size_t(MSCHAPV2_AUTH_RESP_LEN), strlen(s));
	EXPECT_EQ(0, strncmp(s, "S=", 2));
	for (size_t i = 2; i < MSCHAPV2_AUTH_RESP_LEN; i++)
		EXPECT_TRUE(isdigit((unsigned char)s[i]) || (s[i] >= 'A' && s[i] <= 'F')) << s;
}

// RFC 2759 §8.3 wants the password in Unicode; lnsd's input is UTF-8.
TEST(MsChapV2, Utf8PasswordsHashAsUtf16le)
{
	// "é" is C3 A9 in UTF-8, U+00E9
	EXPECT_EQ(hex("E77286D072C7858E9110CC3A011D2AC8"), nt_hash("\xc3\xa9"));
	// "€" is E2 82 AC, U+20AC: a unit whose high byte is not zero
	EXPECT_EQ(hex("030926B781938DB4365D46ADC7CFBCB8"), nt_hash("\xe2\x82\xac"));
	// U+1F600 is F0 9F 98 80 in UTF-8 and the surrogate pair D83D DE00 in UTF-16
	EXPECT_EQ(hex("4B58A10CC20A4E7D808D218E1F80AABC"), nt_hash("\xf0\x9f\x98\x80"));
	// every width in one password: "pässwörd€😀"
	EXPECT_EQ(hex("343B5F56098BEF0DE4739D82D102F3CA"),
		  nt_hash("p\xc3\xa4"
			  "ssw\xc3\xb6"
			  "rd\xe2\x82\xac\xf0\x9f\x98\x80"));
}

// Bytes that do not start well-formed UTF-8 (Unicode Table 3-7) are taken
// one by one as Latin-1: the expected hash is that of the same bytes read as
// U+0000..U+00FF. Each row pins one way to be ill-formed.
TEST(MsChapV2, IllFormedUtf8IsReadAsLatin1)
{
	struct row {
		const char *why;
		std::string in;
		const char *nt_hash;
	} rows[] = {
		{ "lone Latin-1 byte E9 (not UTF-8) is U+00E9, same as C3 A9", "\xe9",
		  "E77286D072C7858E9110CC3A011D2AC8" },
		{ "overlong C0 80 (NUL) is not decoded", std::string("\xc0\x80", 2),
		  "040E2CC26DC58C25F71CD33E2CF91F5D" },
		{ "encoded surrogate ED A0 80 is not decoded", "\xed\xa0\x80",
		  "6E72F370CC4C21F8AA5464EF9C19BB62" },
		{ "F4 90 80 80 (above U+10FFFF) is not decoded", "\xf4\x90\x80\x80",
		  "B045EB4829CA7C16439316AF6A778E2B" },
		{ "F5 can never lead a sequence", "\xf5", "D8639D4E9701A5B8D78806F756941B04" },
		{ "truncated E2 82 at the end of input", "\xe2\x82",
		  "4659B918F92F1C37E9936E29C2F9FF01" },
	};
	for (const auto &r : rows)
		EXPECT_EQ(hex(r.nt_hash), nt_hash(r.in)) << r.why;
}

// RFC 2759 §8.3: at most 256 Unicode characters; lnsd cuts at 256 UTF-16 units.
TEST(MsChapV2, PasswordIsCutAt256Units)
{
	const auto h255 = hex("ABC2C63D3A2DE78DE2D695C6B14C5E57"); // MD4 of "a" x 255 in UTF-16LE
	const auto h256 = hex("9118F6CE48955B5CA2BE01329E7F959E"); // MD4 of "a" x 256 in UTF-16LE

	EXPECT_EQ(h255, nt_hash(std::string(255, 'a')));
	EXPECT_EQ(h256, nt_hash(std::string(256, 'a')));
	EXPECT_EQ(h256, nt_hash(std::string(257, 'a')));
	EXPECT_EQ(h256, nt_hash(std::string(4096, 'a')));
	// a surrogate pair that would cross the limit is dropped whole, not split
	EXPECT_EQ(h255, nt_hash(std::string(255, 'a') + "\xf0\x9f\x98\x80"));
	// a two-byte UTF-8 character is one unit
	EXPECT_EQ(nt_hash(std::string(255, 'a') + "\xc3\xa9"),
		  nt_hash(std::string(255, 'a') + "\xc3\xa9" + "tail"));
}

// RFC 1994 §4.1: MD5(Identifier, secret, Challenge Value).
TEST(ChapMd5, SeedProxyResponseIsMd5OfIdCiscoAndChallenge)
{
	// the seed's value agrees with Python hashlib.md5(bytes([6]) + b'cisco' + challenge)
	const std::vector<uint8_t> challenge(seed_proxy_challenge, seed_proxy_challenge + 16);
	EXPECT_EQ(std::vector<uint8_t>(seed_proxy_response, seed_proxy_response + 16),
		  chap(6, "cisco", challenge));
	EXPECT_NE(std::vector<uint8_t>(seed_proxy_response, seed_proxy_response + 16),
		  chap(7, "cisco", challenge));
}

TEST(ChapMd5, EdgeCases)
{
	// computed with Python hashlib.md5(bytes([6]) + b'cisco')
	EXPECT_EQ(hex("F4C985365C15150D0368A84F4E9FB511"), chap(6, "cisco", {}));
	uint8_t out[CHAP_MD5_LEN];
	chap_md5_response(out, 6, "cisco", 5, nullptr, 0);
	EXPECT_EQ(hex("F4C985365C15150D0368A84F4E9FB511"), std::vector<uint8_t>(out, out + 16));
	// hashlib.md5(bytes([0]) + bytes(range(16))): empty secret, id 0
	std::vector<uint8_t> seq;
	for (uint8_t i = 0; i < 16; i++)
		seq.push_back(i);
	EXPECT_EQ(hex("56965570FF778B1A1EA22AAD590505F8"), chap(0, "", seq));
	// hashlib.md5(bytes([255]) + b'secret' + bytes.fromhex('0102030405060708')): id 255, 8-byte
	// challenge
	EXPECT_EQ(hex("350A7031E7C6126B6F92D323B974D96E"),
		  chap(255, "secret", hex("0102030405060708")));
}

TEST(AuthEqual, ComparesEveryByte)
{
	EXPECT_TRUE(auth_equal("abcd", "abcd", 4));
	EXPECT_FALSE(auth_equal("abcd", "abce", 4));
	EXPECT_FALSE(auth_equal("xbcd", "abcd", 4));
	EXPECT_FALSE(auth_equal("ab\x80\x01", "ab\x01\x80", 4));
	EXPECT_TRUE(auth_equal("a", "b", 0));
	EXPECT_TRUE(auth_equal(nullptr, nullptr, 0));
	// a difference only in the high bit, and only in the last of many bytes
	std::vector<uint8_t> x(1000, 0x55), y(1000, 0x55);
	EXPECT_TRUE(auth_equal(x.data(), y.data(), x.size()));
	y.back() ^= 0x80;
	EXPECT_FALSE(auth_equal(x.data(), y.data(), x.size()));
	EXPECT_TRUE(auth_equal(x.data(), y.data(), x.size() - 1));
}
