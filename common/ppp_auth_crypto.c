/* SPDX-License-Identifier: BSD-2-Clause */
#include "ppp_auth_crypto.h"

#include <nettle/des.h>
#include <nettle/md4.h>
#include <nettle/memops.h>
#include <nettle/sha1.h>
#include <string.h>

#include "lns_md5.h"

/* RFC 2759 §8.3: the password is "0 to 256 unicode characters". */
#define MSCHAP_MAX_PASSWORD  256 /* UTF-16 units */
#define MSCHAP_PW_HASH_LEN   16
#define MSCHAP_CHAL_HASH_LEN 8
#define UNICODE_FIRST_ASTRAL 0x10000
#define UTF16_HIGH_SURROGATE 0xd800
#define UTF16_LOW_SURROGATE  0xdc00

/* RFC 1994 §4.1: MD5 over the Identifier, the secret and the Challenge Value. */
void
chap_md5_response(uint8_t out[CHAP_MD5_LEN], uint8_t id, const void *secret, size_t secret_len,
		  const uint8_t *challenge, size_t challenge_len)
{
	const struct lns_iov parts[] = {
		{ &id, 1 },
		{ secret, secret_len },
		{ challenge, challenge_len },
	};

	lns_md5(out, parts, 3);
}

/*
 * How many continuation bytes follow the UTF-8 lead byte c, and the range
 * allowed for the first of them (Unicode 15, Table 3-7: this excludes
 * overlong forms, the surrogates U+D800..U+DFFF and anything above
 * U+10FFFF). 0 for ASCII and for bytes that cannot lead a sequence.
 */
static size_t
utf8_lead(uint8_t c, uint8_t *lo, uint8_t *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		return 1;
	if (c >= 0xe0 && c <= 0xef) {
		if (c == 0xe0)
			*lo = 0xa0;
		if (c == 0xed)
			*hi = 0x9f;
		return 2;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (c == 0xf0)
			*lo = 0x90;
		if (c == 0xf4)
			*hi = 0x8f;
		return 3;
	}
	return 0;
}

/*
 * One code point from the UTF-8 at s[*pos], advancing *pos past it. A byte
 * that does not start a well-formed sequence (a stray continuation byte,
 * C0/C1/F5..FF, an overlong form, an encoded surrogate, a truncated
 * sequence) is taken alone as its Latin-1 value U+0080..U+00FF, and
 * decoding resumes at the next byte: a Latin-1 password thus hashes as its
 * characters, and every byte string hashes to something definite. (The
 * alternative, U+FFFD, would make all invalid passwords of a length equal.)
 */
static uint32_t
utf8_next(const uint8_t *s, size_t len, size_t *pos)
{
	uint8_t c = s[*pos], lo, hi;
	size_t need = utf8_lead(c, &lo, &hi);
	uint32_t cp = c & (0x7fu >> (need + 1));

	if (need == 0 || len - *pos <= need) {
		(*pos)++;
		return c;
	}
	for (size_t i = 1; i <= need; i++) {
		uint8_t b = s[*pos + i];

		if (b < lo || b > hi) {
			(*pos)++;
			return c;
		}
		cp = cp << 6 | (b & 0x3fu);
		lo = 0x80;
		hi = 0xbf;
	}
	*pos += need + 1;
	return cp;
}

static void
put_le16(uint8_t *p, uint32_t unit)
{
	p[0] = (uint8_t)unit;
	p[1] = (uint8_t)(unit >> 8);
}

/* Writes cp as UTF-16LE at p (RFC 2781 §2.1); returns the units used, 1 or 2. */
static size_t
put_utf16le(uint8_t *p, uint32_t cp)
{
	if (cp < UNICODE_FIRST_ASTRAL) {
		put_le16(p, cp);
		return 1;
	}
	cp -= UNICODE_FIRST_ASTRAL;
	put_le16(p, UTF16_HIGH_SURROGATE | cp >> 10);
	put_le16(p + 2, UTF16_LOW_SURROGATE | (cp & 0x3ff));
	return 2;
}

/*
 * RFC 2759 §8.3 NtPasswordHash: MD4 of the password in UTF-16LE. The input
 * is UTF-8 (so ASCII is one unit per byte); invalid bytes are read as
 * Latin-1 (see utf8_next). Past the RFC's 256 characters the password is
 * cut at 256 UTF-16 units; a character needing a surrogate pair that would
 * cross that limit is dropped whole, never split.
 */
void
mschap_nt_password_hash(uint8_t out[16], const char *password, size_t password_len)
{
	uint8_t unicode[2 * MSCHAP_MAX_PASSWORD];
	const uint8_t *s = (const uint8_t *)password;
	size_t units = 0, pos = 0;
	struct md4_ctx ctx;

	while (pos < password_len) {
		size_t next = pos;
		uint32_t cp = utf8_next(s, password_len, &next);

		if (units + (cp < UNICODE_FIRST_ASTRAL ? 1 : 2) > MSCHAP_MAX_PASSWORD)
			break;
		units += put_utf16le(unicode + 2 * units, cp);
		pos = next;
	}
	md4_init(&ctx);
	md4_update(&ctx, 2 * units, unicode);
	md4_digest(&ctx, MD4_DIGEST_SIZE, out);
	explicit_bzero(unicode, sizeof(unicode));
	explicit_bzero(&ctx, sizeof(ctx));
}

/* RFC 2759 §8.2 ChallengeHash: SHA1(PeerChallenge, AuthenticatorChallenge, UserName)[0..7]. */
static void
challenge_hash(uint8_t out[MSCHAP_CHAL_HASH_LEN], const uint8_t peer[MSCHAPV2_CHALLENGE_LEN],
	       const uint8_t auth[MSCHAPV2_CHALLENGE_LEN], const char *user, size_t user_len)
{
	struct sha1_ctx ctx;

	sha1_init(&ctx);
	sha1_update(&ctx, MSCHAPV2_CHALLENGE_LEN, peer);
	sha1_update(&ctx, MSCHAPV2_CHALLENGE_LEN, auth);
	sha1_update(&ctx, user_len, (const uint8_t *)user);
	sha1_digest(&ctx, MSCHAP_CHAL_HASH_LEN, out); /* nettle truncates */
}

/*
 * RFC 2759 §8.6 DesEncrypt (RFC 2433 MakeKey): the 56 key bits of key7 are
 * spread over 8 bytes, 7 bits each, and the low bit of each made odd parity.
 * A weak key is still a defined key: des_set_key's verdict is ignored.
 */
static void
des_encrypt_7(uint8_t out[8], const uint8_t clear[8], const uint8_t key7[7])
{
	uint8_t key[DES_KEY_SIZE];
	struct des_ctx ctx;

	key[0] = key7[0];
	for (int i = 1; i < 7; i++)
		key[i] = (uint8_t)(key7[i - 1] << (8 - i) | key7[i] >> i);
	key[7] = (uint8_t)(key7[6] << 1);
	des_fix_parity(DES_KEY_SIZE, key, key);
	(void)des_set_key(&ctx, key);
	des_encrypt(&ctx, DES_BLOCK_SIZE, out, clear);
	explicit_bzero(key, sizeof(key));
	explicit_bzero(&ctx, sizeof(ctx));
}

/*
 * RFC 2759 §8.1 GenerateNTResponse and §8.5 ChallengeResponse: the
 * challenge hash DES-encrypted under each 7-byte third of the password hash
 * padded with zeros to 21 bytes.
 */
void
mschapv2_nt_response(uint8_t out[MSCHAPV2_NT_RESP_LEN],
		     const uint8_t auth_challenge[MSCHAPV2_CHALLENGE_LEN],
		     const uint8_t peer_challenge[MSCHAPV2_CHALLENGE_LEN], const char *user,
		     size_t user_len, const char *password, size_t password_len)
{
	uint8_t challenge[MSCHAP_CHAL_HASH_LEN], z[21] = { 0 };

	challenge_hash(challenge, peer_challenge, auth_challenge, user, user_len);
	mschap_nt_password_hash(z, password, password_len);
	des_encrypt_7(out, challenge, z);
	des_encrypt_7(out + 8, challenge, z + 7);
	des_encrypt_7(out + 16, challenge, z + 14);
	explicit_bzero(z, sizeof(z));
}

/* "S=" and 20 bytes as 40 upper-case hex digits, then a NUL (RFC 2759 §8.7). */
static void
format_auth_response(char out[MSCHAPV2_AUTH_RESP_LEN + 1], const uint8_t digest[SHA1_DIGEST_SIZE])
{
	static const char digits[] = "0123456789ABCDEF";

	out[0] = 'S';
	out[1] = '=';
	for (size_t i = 0; i < SHA1_DIGEST_SIZE; i++) {
		out[2 + 2 * i] = digits[digest[i] >> 4];
		out[3 + 2 * i] = digits[digest[i] & 0x0f];
	}
	out[MSCHAPV2_AUTH_RESP_LEN] = '\0';
}

/*
 * RFC 2759 §8.7 GenerateAuthenticatorResponse:
 *   Digest = SHA1(MD4(PasswordHash), NT-Response, Magic1)
 *   Digest = SHA1(Digest, ChallengeHash, Magic2)
 * The magic strings are hashed without a terminating NUL.
 */
void
mschapv2_authenticator_response(char out[MSCHAPV2_AUTH_RESP_LEN + 1], const char *password,
				size_t password_len,
				const uint8_t nt_response[MSCHAPV2_NT_RESP_LEN],
				const uint8_t peer_challenge[MSCHAPV2_CHALLENGE_LEN],
				const uint8_t auth_challenge[MSCHAPV2_CHALLENGE_LEN],
				const char *user, size_t user_len)
{
	static const char magic1[] = "Magic server to client signing constant";
	static const char magic2[] = "Pad to make it do more than one iteration";
	uint8_t hash[MSCHAP_PW_HASH_LEN], hash_hash[MD4_DIGEST_SIZE];
	uint8_t challenge[MSCHAP_CHAL_HASH_LEN], digest[SHA1_DIGEST_SIZE];
	struct md4_ctx md4;
	struct sha1_ctx sha;

	mschap_nt_password_hash(hash, password, password_len);
	md4_init(&md4);
	md4_update(&md4, sizeof(hash), hash);
	md4_digest(&md4, sizeof(hash_hash), hash_hash);
	explicit_bzero(hash, sizeof(hash));

	sha1_init(&sha);
	sha1_update(&sha, sizeof(hash_hash), hash_hash);
	sha1_update(&sha, MSCHAPV2_NT_RESP_LEN, nt_response);
	sha1_update(&sha, sizeof(magic1) - 1, (const uint8_t *)magic1);
	sha1_digest(&sha, sizeof(digest), digest);
	explicit_bzero(hash_hash, sizeof(hash_hash));

	challenge_hash(challenge, peer_challenge, auth_challenge, user, user_len);
	sha1_init(&sha);
	sha1_update(&sha, sizeof(digest), digest);
	sha1_update(&sha, sizeof(challenge), challenge);
	sha1_update(&sha, sizeof(magic2) - 1, (const uint8_t *)magic2);
	sha1_digest(&sha, sizeof(digest), digest);
	format_auth_response(out, digest);
}

/* Compares every byte whatever the first difference (nettle's memeql_sec). */
bool
auth_equal(const void *a, const void *b, size_t len)
{
	return memeql_sec(a, b, len) != 0;
}
