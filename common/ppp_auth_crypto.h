/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The arithmetic of PPP authentication, over nettle: CHAP-MD5 (RFC 1994)
 * and MS-CHAPv2 (RFC 2759). Used by the PPP client role to answer
 * challenges and by local authentication to check answers. Pure functions.
 */
#ifndef PPP_AUTH_CRYPTO_H
#define PPP_AUTH_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHAP_MD5_LEN	       16
#define MSCHAPV2_CHALLENGE_LEN 16
#define MSCHAPV2_NT_RESP_LEN   24
/* "S=" followed by 40 upper-case hex digits (RFC 2759 §8.7) */
#define MSCHAPV2_AUTH_RESP_LEN 42

/* RFC 1994 §4.1: MD5(id, secret, challenge). */
void chap_md5_response(uint8_t out[CHAP_MD5_LEN], uint8_t id, const void *secret, size_t secret_len,
		       const uint8_t *challenge, size_t challenge_len);

/* RFC 2759 §8.3 NtPasswordHash: MD4 of the password in UTF-16LE (ASCII/UTF-8 in). */
void mschap_nt_password_hash(uint8_t out[16], const char *password, size_t password_len);

/*
 * RFC 2759 §8.1 GenerateNTResponse: the 24-byte NT-Response for user name
 * (without any domain prefix), the authenticator's and the peer's
 * challenges, and the password.
 */
void mschapv2_nt_response(uint8_t out[MSCHAPV2_NT_RESP_LEN],
			  const uint8_t auth_challenge[MSCHAPV2_CHALLENGE_LEN],
			  const uint8_t peer_challenge[MSCHAPV2_CHALLENGE_LEN], const char *user,
			  size_t user_len, const char *password, size_t password_len);

/*
 * RFC 2759 §8.7 GenerateAuthenticatorResponse: writes "S=<40 hex>" (42
 * characters, then a NUL) into out.
 */
void mschapv2_authenticator_response(char out[MSCHAPV2_AUTH_RESP_LEN + 1], const char *password,
				     size_t password_len,
				     const uint8_t nt_response[MSCHAPV2_NT_RESP_LEN],
				     const uint8_t peer_challenge[MSCHAPV2_CHALLENGE_LEN],
				     const uint8_t auth_challenge[MSCHAPV2_CHALLENGE_LEN],
				     const char *user, size_t user_len);

/* Constant-time comparison of two byte strings of equal length. */
bool auth_equal(const void *a, const void *b, size_t len);

#endif
