/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * L2TP control message bodies: AVPs (RFC 2661 §4.1, §4.4), hidden AVPs
 * (§4.3), and which AVPs each message type must carry (§6).
 *
 * Decoding is table-driven: l2tp_msg_decode() walks the AVPs once and fills
 * a struct l2tp_msg with a presence bit and a typed value or a view into the
 * packet per AVP type. Hidden values are unhidden into the message's own
 * arena, so the input buffer is never written.
 */
#ifndef L2TP_AVP_H
#define L2TP_AVP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2tp_wire.h"

#define L2TP_AVP_HDR_LEN 6
#define L2TP_AVP_FLAG_M	 0x8000
#define L2TP_AVP_FLAG_H	 0x4000
#define L2TP_AVP_RSVD	 0x3c00
#define L2TP_AVP_LEN	 0x03ff
#define L2TP_AVP_MAX	 39 /* highest RFC 2661 attribute type */

enum l2tp_avp_type {
#define X(id, type, name, kind, min, max, m, hide) L2TP_AVP_##id = type,
#include "l2tp_avp.def"
#undef X
};

enum l2tp_avp_kind {
	L2TP_AVP_KIND_U16,
	L2TP_AVP_KIND_U32,
	L2TP_AVP_KIND_U64,
	L2TP_AVP_KIND_BYTES,
	L2TP_AVP_KIND_RESULT,
	L2TP_AVP_KIND_Q931,
	L2TP_AVP_KIND_CALL_ERRORS,
	L2TP_AVP_KIND_ACCM,
	L2TP_AVP_KIND_EMPTY,
};

struct l2tp_avp_info {
	const char *name;
	enum l2tp_avp_kind kind;
	uint16_t min_len, max_len; /* of the value, after unhiding */
	bool mandatory;		   /* the M bit lnsd sends */
	bool may_hide;
};

/* NULL for a type RFC 2661 does not define. */
const struct l2tp_avp_info *l2tp_avp_info(uint16_t type);
const char *l2tp_avp_name(uint16_t type);

enum l2tp_msg_type {
#define X(id, type, scope, must, may) L2TP_MSG_##id = type,
#include "l2tp_msgtype.def"
#undef X
	L2TP_MSG_ZLB = 0xffff, /* no AVPs at all: an acknowledgement */
};

const char *l2tp_msg_type_str(uint16_t type); /* "SCCRQ", … or "type-N" */
bool l2tp_msg_type_known(uint16_t type);
/* True for messages about a call (§4.1: their errors clear the call only). */
bool l2tp_msg_is_session_scoped(uint16_t type);

/* StopCCN result codes (§4.4.2). */
enum l2tp_stopccn_result {
	L2TP_STOPCCN_CLEAR = 1,
	L2TP_STOPCCN_GENERAL_ERROR = 2,
	L2TP_STOPCCN_ALREADY_EXISTS = 3,
	L2TP_STOPCCN_NOT_AUTHORIZED = 4,
	L2TP_STOPCCN_BAD_PROTOCOL_VERSION = 5,
	L2TP_STOPCCN_SHUTTING_DOWN = 6,
	L2TP_STOPCCN_FSM_ERROR = 7,
};

/* CDN result codes (§4.4.2). */
enum l2tp_cdn_result {
	L2TP_CDN_LOST_CARRIER = 1,
	L2TP_CDN_GENERAL_ERROR = 2,
	L2TP_CDN_ADMIN = 3,
	L2TP_CDN_NO_FACILITIES_TEMP = 4,
	L2TP_CDN_NO_FACILITIES_PERM = 5,
	L2TP_CDN_INVALID_DEST = 6,
	L2TP_CDN_NO_CARRIER = 7,
	L2TP_CDN_BUSY = 8,
	L2TP_CDN_NO_DIALTONE = 9,
	L2TP_CDN_TIMEOUT = 10,
	L2TP_CDN_NO_FRAMING = 11,
};

/* General error codes (§4.4.2). */
enum l2tp_error_code {
	L2TP_ERR_NONE = 0,
	L2TP_ERR_NO_CONTROL_CONNECTION = 1,
	L2TP_ERR_BAD_LENGTH = 2,
	L2TP_ERR_BAD_VALUE = 3,
	L2TP_ERR_NO_RESOURCES = 4,
	L2TP_ERR_BAD_SESSION_ID = 5,
	L2TP_ERR_VENDOR = 6,
	L2TP_ERR_TRY_ANOTHER = 7,
	L2TP_ERR_UNKNOWN_MANDATORY_AVP = 8,
};

const char *l2tp_stopccn_result_str(uint16_t code);
const char *l2tp_cdn_result_str(uint16_t code);
const char *l2tp_error_code_str(uint16_t code);

/* Framing and bearer bits (§4.4.3). */
#define L2TP_FRAMING_SYNC   0x1
#define L2TP_FRAMING_ASYNC  0x2
#define L2TP_BEARER_DIGITAL 0x1
#define L2TP_BEARER_ANALOG  0x2

/* Proxy Authen Type values (§4.4.5). */
enum l2tp_proxy_auth_type {
	L2TP_PROXY_AUTH_RESERVED = 0,
	L2TP_PROXY_AUTH_TEXT = 1,
	L2TP_PROXY_AUTH_CHAP = 2,
	L2TP_PROXY_AUTH_PAP = 3,
	L2TP_PROXY_AUTH_NONE = 4,
	L2TP_PROXY_AUTH_MSCHAPV1 = 5,
};

struct l2tp_avp_val {
	uint64_t num;	    /* U16, U32, U64 kinds */
	const uint8_t *ptr; /* the value bytes (unhidden), every kind */
	uint16_t len;
	bool mandatory;
	bool hidden;
};

struct l2tp_result {
	uint16_t result;
	int32_t error; /* -1 when the AVP carries no error code */
	const uint8_t *message;
	uint16_t message_len;
};

struct l2tp_q931 {
	uint16_t cause;
	uint8_t msg_code;
	const uint8_t *advisory;
	uint16_t advisory_len;
};

struct l2tp_call_errors {
	uint32_t crc, framing, hw_overruns, buffer_overruns, timeout, alignment;
};

struct l2tp_accm {
	uint32_t send, recv;
};

struct l2tp_msg {
	uint16_t type;	     /* enum l2tp_msg_type; L2TP_MSG_ZLB for no AVPs */
	bool type_mandatory; /* M bit of the Message Type AVP */
	uint64_t present;    /* bit (1 << type) per RFC 2661 AVP present */
	struct l2tp_avp_val avp[L2TP_AVP_MAX + 1];
	uint16_t n_skipped;	      /* vendor or unknown AVPs without M: ignored */
	uint16_t n_duplicates;	      /* repeated AVPs: the first one counts */
	uint16_t n_unknown_mandatory; /* lenient decode: unknown AVPs with M, skipped */
	uint16_t bad_avp;	      /* on failure: the AVP type that failed */
	uint32_t bad_vendor;	      /* and its vendor ID */
	uint16_t arena_used;
	uint8_t arena[L2TP_CTRL_MAX_LEN]; /* unhidden values live here */
};

static inline bool
l2tp_msg_has(const struct l2tp_msg *m, unsigned type)
{
	return type <= L2TP_AVP_MAX && (m->present >> type & 1);
}

static inline uint64_t
l2tp_msg_num(const struct l2tp_msg *m, unsigned type)
{
	return l2tp_msg_has(m, type) ? m->avp[type].num : 0;
}

/*
 * Decodes the AVPs of one control message body (the bytes after the
 * header, up to the header's Length). secret may be NULL when the tunnel
 * has none; hidden AVPs then fail with L2TP_ST_AVP_HIDDEN_NO_SECRET.
 * On failure m->bad_avp names the AVP at fault. An empty body is a ZLB.
 * Does not check §6's mandatory AVPs: see l2tp_msg_check().
 */
enum l2tp_status l2tp_msg_decode(struct l2tp_msg *m, const uint8_t *body, size_t len,
				 const uint8_t *secret, size_t secret_len);

/*
 * As l2tp_msg_decode(), but unknown AVPs with the M bit are skipped and
 * counted in m->n_unknown_mandatory (the first one's type in m->bad_avp is
 * not kept): for peers whose quirk the operator has chosen to tolerate.
 */
enum l2tp_status l2tp_msg_decode_lenient(struct l2tp_msg *m, const uint8_t *body, size_t len,
					 const uint8_t *secret, size_t secret_len);

/*
 * §6: every mandatory AVP of a known message type is present. Returns
 * L2TP_ST_OK, or L2TP_ST_MISSING_MANDATORY_AVP with m->bad_avp set.
 */
enum l2tp_status l2tp_msg_check(struct l2tp_msg *m);

/* Composite values. Each returns false when the AVP is absent. */
bool l2tp_msg_result(const struct l2tp_msg *m, struct l2tp_result *out);
bool l2tp_msg_q931(const struct l2tp_msg *m, struct l2tp_q931 *out);
bool l2tp_msg_call_errors(const struct l2tp_msg *m, struct l2tp_call_errors *out);
bool l2tp_msg_accm(const struct l2tp_msg *m, struct l2tp_accm *out);

/*
 * Builds a control message. Append AVPs in order, then l2tp_w_finish()
 * writes the header. Writes past cap are refused and make finish fail, so
 * callers check once at the end. AVP types in hide_mask are sent hidden
 * (§4.3) with the writer's secret and the last Random Vector written.
 */
struct l2tp_writer {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool failed;
	uint64_t hide_mask;
	const uint8_t *secret;
	size_t secret_len;
	const uint8_t *vector; /* points into buf: the last Random Vector */
	size_t vector_len;
};

void l2tp_w_init(struct l2tp_writer *w, uint8_t *buf, size_t cap);
void l2tp_w_set_secret(struct l2tp_writer *w, const uint8_t *secret, size_t len);
/* Raw AVP with explicit flags and vendor: for vendor AVPs and tests. */
void l2tp_w_raw(struct l2tp_writer *w, uint16_t flags, uint16_t vendor, uint16_t type,
		const void *value, size_t len);
void l2tp_w_u16(struct l2tp_writer *w, uint16_t type, uint16_t v);
void l2tp_w_u32(struct l2tp_writer *w, uint16_t type, uint32_t v);
void l2tp_w_u64(struct l2tp_writer *w, uint16_t type, uint64_t v);
void l2tp_w_bytes(struct l2tp_writer *w, uint16_t type, const void *value, size_t len);
void l2tp_w_str(struct l2tp_writer *w, uint16_t type, const char *s);
void l2tp_w_empty(struct l2tp_writer *w, uint16_t type);
/* Result Code; error < 0 leaves out the error code (and the message). */
void l2tp_w_result(struct l2tp_writer *w, uint16_t result, int error, const char *message);
void l2tp_w_accm(struct l2tp_writer *w, uint32_t send, uint32_t recv);
void l2tp_w_random_vector(struct l2tp_writer *w, const uint8_t *vector, size_t len);
/* Returns the message length, or -1 when something did not fit. */
int l2tp_w_finish(struct l2tp_writer *w, uint16_t tunnel_id, uint16_t session_id, uint16_t ns,
		  uint16_t nr);

/*
 * §4.3 hiding, exposed for tests and tools: XORs in place. Hide from the
 * first block on; unhide uses the ciphertext chain. len is the hidden
 * subformat length (2-byte original length, value, padding).
 */
void l2tp_avp_hide(uint8_t *data, size_t len, uint16_t type, const uint8_t *secret,
		   size_t secret_len, const uint8_t *vector, size_t vector_len);
void l2tp_avp_unhide(uint8_t *out, const uint8_t *in, size_t len, uint16_t type,
		     const uint8_t *secret, size_t secret_len, const uint8_t *vector,
		     size_t vector_len);

/* Challenge Response (§4.4.3): MD5(message type byte, secret, challenge). */
void l2tp_challenge_response(uint8_t out[16], uint8_t msg_type, const uint8_t *secret,
			     size_t secret_len, const uint8_t *challenge, size_t challenge_len);

#endif
