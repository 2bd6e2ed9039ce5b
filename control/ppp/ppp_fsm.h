/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The RFC 1661 option negotiation automaton (§4), shared by LCP, IPCP and
 * IPv6CP: ten states, the events Up, Down, Open, Close, TO+, TO-, RCR+,
 * RCR-, RCA, RCN, RTR, RTA, RUC, RXJ+, RXJ-, RXR, and the actions of §4.4,
 * with the restart timer and the Max-Configure, Max-Terminate and
 * Max-Failure counters of §4.6. What differs per protocol lives behind
 * struct ppp_fsm_ops; sans-IO like the rest: time comes in as `now`.
 */
#ifndef PPP_FSM_H
#define PPP_FSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ppp_wire.h"

#define PPP_FSM_STATES(X)                   \
	X(INITIAL, "Initial", "Initial")    \
	X(STARTING, "Starting", "Starting") \
	X(CLOSED, "Closed", "Closed")       \
	X(STOPPED, "Stopped", "Listen")     \
	X(CLOSING, "Closing", "Closing")    \
	X(STOPPING, "Stopping", "Stopping") \
	X(REQSENT, "Req-Sent", "REQsent")   \
	X(ACKRCVD, "Ack-Rcvd", "ACKrcvd")   \
	X(ACKSENT, "Ack-Sent", "ACKsent")   \
	X(OPENED, "Opened", "Open")

enum ppp_fsm_state {
#define X(id, rfc, cisco) PPP_FSM_##id,
	PPP_FSM_STATES(X)
#undef X
};

/* RFC 1661's name, and the one Cisco's traces print ("Listen", "REQsent"). */
const char *ppp_fsm_state_str(enum ppp_fsm_state s);
const char *ppp_fsm_state_trace(enum ppp_fsm_state s);

struct ppp_fsm;

/* What a Configure-Request gets (§5.1-5.4). */
enum ppp_cr_verdict {
	PPP_CR_ACK = PPP_CONFACK,
	PPP_CR_NAK = PPP_CONFNAK,
	PPP_CR_REJ = PPP_CONFREJ,
};

struct ppp_fsm_ops {
	/* irc at the start of a negotiation: what we will ask for. */
	void (*reset)(struct ppp_fsm *f);
	/* Our Configure-Request options. */
	void (*add_request)(struct ppp_fsm *f, struct ppp_writer *w);
	/* The peer nak'd or rejected options: adjust what we ask for. */
	void (*got_nak)(struct ppp_fsm *f, const uint8_t *opts, size_t len);
	void (*got_rej)(struct ppp_fsm *f, const uint8_t *opts, size_t len);
	/*
	 * The peer's Configure-Request (options already checked well formed):
	 * write the options of the answer into reply and say which answer it
	 * is. may_nak turns false after Max-Failure Naks: then reject instead.
	 */
	enum ppp_cr_verdict (*got_request)(struct ppp_fsm *f, const uint8_t *opts, size_t len,
					   struct ppp_writer *reply, bool may_nak);
	void (*up)(struct ppp_fsm *f);	     /* tlu */
	void (*down)(struct ppp_fsm *f);     /* tld */
	void (*starting)(struct ppp_fsm *f); /* tls */
	void (*finished)(struct ppp_fsm *f); /* tlf */
	/* Codes beyond 1-7 (LCP's Echo, Discard, Protocol-Reject): true if known. */
	bool (*other_code)(struct ppp_fsm *f, const struct ppp_cp *p);
	/* One line describing an option for the trace: "MagicNumber 0x6EE4E865". */
	void (*describe)(struct ppp_fsm *f, const struct ppp_opt *o, char *out, size_t cap);
	/* Sends one packet of this protocol (header included). */
	void (*send)(struct ppp_fsm *f, const uint8_t *pkt, size_t len);
};

struct ppp_fsm_cfg {
	uint32_t restart_ms;   /* default 3000 */
	uint8_t max_configure; /* default 10 */
	uint8_t max_terminate; /* default 2 */
	uint8_t max_failure;   /* default 5 */
};

void ppp_fsm_cfg_defaults(struct ppp_fsm_cfg *cfg);

struct ppp_fsm_stats {
	uint64_t rx_packets, tx_packets;
	uint64_t rx_bad;	/* malformed: Length, options */
	uint64_t rx_bad_ack;	/* Ack/Nak/Rej not matching our request */
	uint64_t rx_unexpected; /* not legal in the state: silently discarded */
	uint64_t tx_code_rejects;
	uint64_t timeouts;
};

struct ppp_fsm {
	const char *name;  /* "LCP", "IPCP", "IPV6CP" */
	const char *trace; /* log prefix: the session's identity */
	uint16_t proto;
	enum ppp_fsm_state state;
	const struct ppp_fsm_ops *ops;
	void *ctx;
	struct ppp_fsm_cfg cfg;
	uint8_t next_id;
	uint8_t req_id; /* Identifier of our last Configure-Request */
	uint8_t term_id;
	uint8_t restart_count;
	uint8_t nak_count; /* Naks sent in a row, for Max-Failure */
	uint64_t timer;	   /* restart timer deadline, UINT64_MAX when stopped */
	uint64_t now;
	bool failed;	  /* TO- in a negotiation: Max-Configure reached */
	uint8_t req[255]; /* our last Configure-Request: an Ack must match it (§5.2) */
	uint8_t req_len;
	struct ppp_fsm_stats stats;
};

void ppp_fsm_init(struct ppp_fsm *f, const char *name, uint16_t proto,
		  const struct ppp_fsm_cfg *cfg, const struct ppp_fsm_ops *ops, void *ctx,
		  const char *trace);

void ppp_fsm_up(struct ppp_fsm *f, uint64_t now);
void ppp_fsm_down(struct ppp_fsm *f, uint64_t now);
void ppp_fsm_open(struct ppp_fsm *f, uint64_t now);
void ppp_fsm_close(struct ppp_fsm *f, uint64_t now);
/* One received packet of this protocol (after the protocol field). */
void ppp_fsm_input(struct ppp_fsm *f, uint64_t now, const uint8_t *pkt, size_t len);
void ppp_fsm_timeout(struct ppp_fsm *f, uint64_t now);

static inline uint64_t
ppp_fsm_next_timeout(const struct ppp_fsm *f)
{
	return f->timer;
}

/*
 * Proxy LCP (RFC 2661 §4.4.5): the LAC negotiated for us, so the automaton
 * goes straight to Opened without a packet (tlu runs).
 */
void ppp_fsm_force_open(struct ppp_fsm *f, uint64_t now);

/*
 * The answer to a peer's Configure-Request, built option by option: §5.2-5.4
 * say a Reject carries only the rejected options and wins over a Nak, which
 * carries only the nak'd ones; otherwise the request is acknowledged whole.
 */
struct ppp_cr_answer {
	uint8_t nak[256], rej[256];
	struct ppp_writer wnak, wrej;
};

void ppp_cr_answer_init(struct ppp_cr_answer *a);
/* Rejects an option as it came. */
void ppp_cr_reject(struct ppp_cr_answer *a, const struct ppp_opt *o);
enum ppp_cr_verdict ppp_cr_answer_finish(struct ppp_cr_answer *a, const uint8_t *opts, size_t len,
					 struct ppp_writer *reply);

/* RXJ-: the peer rejects this whole protocol (LCP Protocol-Reject, §5.7). */
void ppp_fsm_protocol_rejected(struct ppp_fsm *f, uint64_t now);

/* Sends a Code-Reject for this packet (RUC) or a packet of another code. */
void ppp_fsm_send_packet(struct ppp_fsm *f, uint8_t code, uint8_t id, const uint8_t *data,
			 size_t len);

#endif
