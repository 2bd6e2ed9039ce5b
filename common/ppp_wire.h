/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PPP wire formats (RFC 1661): the frame's address/control and protocol
 * fields, control protocol packets (code, identifier, length) and their
 * options. Pure functions over byte buffers, every read bounds-checked.
 */
#ifndef PPP_WIRE_H
#define PPP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PPP_ADDRESS 0xff
#define PPP_CONTROL 0x03

/* Protocol field values (RFC 1661, 1332, 1334, 1994, 5072). */
#define PPP_PROTO_IP	 0x0021
#define PPP_PROTO_IPV6	 0x0057
#define PPP_PROTO_IPCP	 0x8021
#define PPP_PROTO_IPV6CP 0x8057
#define PPP_PROTO_LCP	 0xc021
#define PPP_PROTO_PAP	 0xc023
#define PPP_PROTO_CHAP	 0xc223

enum ppp_code {
	PPP_CONFREQ = 1,
	PPP_CONFACK = 2,
	PPP_CONFNAK = 3,
	PPP_CONFREJ = 4,
	PPP_TERMREQ = 5,
	PPP_TERMACK = 6,
	PPP_CODEREJ = 7,
	PPP_PROTREJ = 8, /* LCP only, and the rest below */
	PPP_ECHOREQ = 9,
	PPP_ECHOREP = 10,
	PPP_DISCREQ = 11,
	PPP_IDENT = 12,	  /* RFC 1570 */
	PPP_TIMEREM = 13, /* RFC 1570 */
};

#define PPP_CP_HDR_LEN	4
#define PPP_OPT_HDR_LEN 2

/* "CONFREQ" etc. as Cisco's traces print them. */
const char *ppp_code_str(uint8_t code);
const char *ppp_proto_str(uint16_t proto);

enum ppp_parse {
	PPP_PARSE_OK,
	PPP_PARSE_SHORT,      /* frame too short for its fields */
	PPP_PARSE_BAD_LENGTH, /* packet Length below 4 or past the frame */
	PPP_PARSE_BAD_OPTION, /* option length below 2 or past the packet */
};

struct ppp_frame {
	uint16_t proto;
	const uint8_t *info; /* the packet after the protocol field */
	size_t info_len;
	bool has_acf; /* FF 03 was present */
	bool pfc;     /* one-byte protocol field */
};

/*
 * Reads the address/control field (optional: ACFC) and the protocol field
 * (one byte when its low bit is set: PFC, RFC 1661 §6.5-6.6).
 */
enum ppp_parse ppp_frame_parse(struct ppp_frame *f, const uint8_t *buf, size_t len);

struct ppp_cp {
	uint8_t code;
	uint8_t id;
	uint16_t length;     /* the Length field */
	const uint8_t *data; /* after the 4-byte header, Length - 4 bytes */
	size_t data_len;
};

/* A control packet; octets past Length are padding and ignored (§5). */
enum ppp_parse ppp_cp_parse(struct ppp_cp *p, const uint8_t *buf, size_t len);

struct ppp_opt {
	uint8_t type;
	uint8_t len; /* including the 2-byte header */
	const uint8_t *val;
};

/*
 * Option iteration: returns 1 with *o filled and *pos advanced, 0 at the
 * end, -1 for an option whose length is below 2 or runs past len.
 */
int ppp_opt_next(const uint8_t *buf, size_t len, size_t *pos, struct ppp_opt *o);
/* Whole-list check: every option well formed. */
bool ppp_opts_valid(const uint8_t *buf, size_t len);

/* Building: refused writes make ppp_w_failed() true, checked once at the end. */
struct ppp_writer {
	uint8_t *buf;
	size_t cap;
	size_t len;
	size_t cp_start; /* where the open control packet begins */
	bool failed;
};

void ppp_w_init(struct ppp_writer *w, uint8_t *buf, size_t cap);
/* FF 03 and the two-byte protocol field. */
void ppp_w_frame(struct ppp_writer *w, uint16_t proto);
void ppp_w_cp_begin(struct ppp_writer *w, uint8_t code, uint8_t id);
void ppp_w_cp_end(struct ppp_writer *w);
void ppp_w_bytes(struct ppp_writer *w, const void *data, size_t len);
void ppp_w_u8(struct ppp_writer *w, uint8_t v);
void ppp_w_u16(struct ppp_writer *w, uint16_t v);
void ppp_w_u32(struct ppp_writer *w, uint32_t v);
void ppp_w_opt(struct ppp_writer *w, uint8_t type, const void *val, size_t len);
void ppp_w_opt_u16(struct ppp_writer *w, uint8_t type, uint16_t v);
void ppp_w_opt_u32(struct ppp_writer *w, uint8_t type, uint32_t v);

static inline bool
ppp_w_failed(const struct ppp_writer *w)
{
	return w->failed;
}

/* Hex of an option as Cisco prints it: "0x05066EE4E865". */
void ppp_hex(char *out, size_t cap, const uint8_t *data, size_t len);

#endif
