/* SPDX-License-Identifier: BSD-2-Clause */
#include "ppp_auth_crypto.h"

#include <nettle/des.h>
#include <nettle/md4.h>
#include <nettle/sha1.h>
#include <stdio.h>
#include <string.h>

#include "lns_md5.h"

#define MSCHAP_MAX_PASSWORD 256 /* UTF-16 units (RFC 2759 §8.3) */

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
 * One code point from UTF-8 at *pos. A byte that does not start a valid
 * sequence is taken as its Latin-1 value, so any byte string hashes to
 * something definite.
 */
static uint32_t
utf8_next(const uint8_t *s, size_t len, size_t *pos)
{
	uint8_t c = s[*pos];
	size_t need = c >= 0xf0 && c < 0xf5 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 && c < 0xe0 ? 1 : 0;
	uint32_t cp = need == 3 ? c & 0x07u : need == 2 ? c & 0x0fu : c & 0x1fu;

	if (c < 0x80 || need == 0 || len - *pos <= need) {
		(*pos)++;
		return c;
	}
	for (size_t i = 1; i <= need; i++) {
		if ((s[*pos + i] & 0xc0) != 0x80) {
			(*pos)++;
			return c;
		}
		cp = cp << 6 | (s[*pos + i] & 0x3fu);
	}
	*pos += need + 1;
	return cp;
}

static size_t
put_utf16le(uint8_t *out, size_t units, uint32_t cp)
{
	if (cp < 0x10000) {
		out[2 * units] = (uint8_t)cp;
		out[2 * units + 1] = (uint8_t)(cp >> 8);
		return 1;
	}
	cp -= 0x10000;
	out[2 * units] = (uint8_t)(0xd800 + (cp >> 10));
	out[2 * units + 1] = (uint8_t)((0xd800 + (cp >> 10)) >> 8);
	out[2 * units + 2] = (uint8_t)(0xdc00 + (cp & 0x3ff));
	out[2 * units + 3] = (uint8_t)((0xdc00 + (cp & 0x3ff)) >> 8);
	return 2;
}

/* RFC 2759 §8.3: MD4 of the password in Unicode (UTF-16LE), 256 units at most. */
void
mschap_nt_password_hash(uint8_t out[16], const char *password, size_t password_len)
{
	uint8_t unicode[2 * MSCHAP_MAX_PASSWORD + 2];
	const uint8_t *s = (const uint8_t *)password;
	size_t units = 0, pos = 0;
	struct md4_ctx ctx;

	while (pos < password_len && units + 2 <= MSCHAP_MAX_PASSWORD)
		units += put_utf16le(unicode, units, utf8_next(s, password_len, &pos));
	md4_init(&ctx);
	md4_update(&ctx, 2 * units, unicode);
	md4_digest(&ctx, 16, out);
}

/* RFC 2759 §8.2 */
static void
challenge_hash(uint8_t out[8], const uint8_t peer[16], const uint8_t auth[16], const char *user,
	       size_t user_len)
{
	struct sha1_ctx ctx;
	uint8_t digest[SHA1_DIGEST_SIZE];

	sha1_init(&ctx);
	sha1_update(&ctx, 16, peer);
	sha1_update(&ctx, 16, auth);
	sha1_update(&ctx, user_len, (const uint8_t *)user);
	sha1_digest(&ctx, sizeof(digest), digest);
	memcpy(out, digest, 8);
}

/* RFC 2759 §8.6 DesEncrypt: a 7-byte key spread over 8 bytes with parity. */
static void
des_block_7(uint8_t out[8], const uint8_t clear[8], const uint8_t key7[7])
{
	uint8_t key[8];
	struct des_ctx ctx;

	key[0] = key7[0];
	for (int i = 1; i < 7; i++)
		key[i] = (uint8_t)(key7[i - 1] << (8 - i) | key7[i] >> i);
	key[7] = (uint8_t)(key7[6] << 1);
	des_fix_parity(8, key, key);
	des_set_key(&ctx, key); /* a weak key cannot matter here: the result is still defined */
	des_encrypt(&ctx, 8, out, clear);
}

void
mschapv2_nt_response(uint8_t out[MSCHAPV2_NT_RESP_LEN],
		     const uint8_t auth_challenge[MSCHAPV2_CHALLENGE_LEN],
		     const uint8_t peer_challenge[MSCHAPV2_CHALLENGE_LEN], const char *user,
		     size_t user_len, const char *password, size_t password_len)
{
	uint8_t challenge[8], z[21] = { 0 };

	challenge_hash(challenge, peer_challenge, auth_challenge, user, user_len);
	mschap_nt_password_hash(z, password, password_len);
	des_block_7(out, challenge, z);
	des_block_7(out + 8, challenge, z + 7);
	des_block_7(out + 16, challenge, z + 14);
}

void
mschapv2_authenticator_response(char out[MSCHAPV2_AUTH_RESP_LEN + 1], const char *password,
				size_t password_len,
				const uint8_t nt_response[MSCHAPV2_NT_RESP_LEN],
				const uint8_t peer_challenge[MSCHAPV2_CHALLENGE_LEN],
				const uint8_t auth_challenge[MSCHAPV2_CHALLENGE_LEN],
				const char *user, size_t user_len)
{
	static const uint8_t magic1[39] = "Magic server to client signing constant";
	static const uint8_t magic2[41] = "Pad to make it do more than one iteration";
	uint8_t hash[16], hash_hash[16], challenge[8], digest[SHA1_DIGEST_SIZE];
	struct md4_ctx md4;
	struct sha1_ctx sha;

	mschap_nt_password_hash(hash, password, password_len);
	md4_init(&md4);
	md4_update(&md4, 16, hash);
	md4_digest(&md4, 16, hash_hash);
	sha1_init(&sha);
	sha1_update(&sha, 16, hash_hash);
	sha1_update(&sha, MSCHAPV2_NT_RESP_LEN, nt_response);
	sha1_update(&sha, sizeof(magic1), magic1);
	sha1_digest(&sha, sizeof(digest), digest);
	challenge_hash(challenge, peer_challenge, auth_challenge, user, user_len);
	sha1_init(&sha);
	sha1_update(&sha, sizeof(digest), digest);
	sha1_update(&sha, 8, challenge);
	sha1_update(&sha, sizeof(magic2), magic2);
	sha1_digest(&sha, sizeof(digest), digest);
	out[0] = 'S';
	out[1] = '=';
	for (int i = 0; i < 20; i++)
		snprintf(out + 2 + 2 * i, 3, "%02X", digest[i]);
}

bool
auth_equal(const void *a, const void *b, size_t len)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t diff = 0;

	for (size_t i = 0; i < len; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}
