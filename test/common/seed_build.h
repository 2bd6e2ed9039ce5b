/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The AVPs of the seed LAC's SCCRQ, ICRQ and ICCN, as its traces print
 * them, into a writer the caller has set up: for the C++ tests
 * (seed_msgs.h) and the replay against a running LNS (seed_replay.c).
 */
#ifndef SEED_BUILD_H
#define SEED_BUILD_H

#include "l2tp_avp.h"
#include "seed_vectors.h"

static inline void
seed_w_sccrq(struct l2tp_writer *w)
{
	l2tp_w_u16(w, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_SCCRQ);
	l2tp_w_u16(w, L2TP_AVP_PROTOCOL_VERSION, 0x0100);
	l2tp_w_u32(w, L2TP_AVP_FRAMING_CAP, 3);
	l2tp_w_u32(w, L2TP_AVP_BEARER_CAP, 3);
	l2tp_w_u16(w, L2TP_AVP_FIRMWARE_REV, 0x1130);
	l2tp_w_str(w, L2TP_AVP_HOST_NAME, "hgw");
	l2tp_w_str(w, L2TP_AVP_VENDOR_NAME, "Cisco Systems, Inc.");
	l2tp_w_u16(w, L2TP_AVP_ASSIGNED_TUNNEL_ID, SEED_LAC_TUNNEL);
	l2tp_w_u16(w, L2TP_AVP_RX_WINDOW_SIZE, 800);
	l2tp_w_bytes(w, L2TP_AVP_CHALLENGE, seed_sccrq_challenge, 16);
}

static inline void
seed_w_icrq(struct l2tp_writer *w)
{
	l2tp_w_u16(w, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_ICRQ);
	l2tp_w_u16(w, L2TP_AVP_ASSIGNED_SESSION_ID, SEED_LAC_CALL);
	l2tp_w_u32(w, L2TP_AVP_CALL_SERIAL_NUMBER, 0xD114C7C5);
	l2tp_w_u32(w, L2TP_AVP_BEARER_TYPE, 1);
	l2tp_w_str(w, L2TP_AVP_CALLING_NUMBER, "2085730592");
	l2tp_w_str(w, L2TP_AVP_CALLED_NUMBER, "614629");
	l2tp_w_raw(w, 0, 9, 100, "Serial0:0", 9); /* Cisco's Client NAS Port */
}

/* With proxy LCP and proxy CHAP for user 2500-1 (password cisco). */
static inline void
seed_w_iccn(struct l2tp_writer *w)
{
	l2tp_w_u16(w, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_ICCN);
	l2tp_w_u32(w, L2TP_AVP_TX_CONNECT_SPEED, 64000);
	l2tp_w_u32(w, L2TP_AVP_RX_CONNECT_SPEED, 64000);
	l2tp_w_u32(w, L2TP_AVP_FRAMING_TYPE, 2);
	l2tp_w_bytes(w, L2TP_AVP_LAST_SENT_LCP_CONFREQ, seed_last_sent_lcp,
		     sizeof(seed_last_sent_lcp));
	l2tp_w_bytes(w, L2TP_AVP_LAST_RCVD_LCP_CONFREQ, seed_last_rcvd_lcp,
		     sizeof(seed_last_rcvd_lcp));
	l2tp_w_bytes(w, L2TP_AVP_PROXY_AUTHEN_CHALLENGE, seed_proxy_challenge, 16);
	l2tp_w_u16(w, L2TP_AVP_PROXY_AUTHEN_ID, 6);
	l2tp_w_str(w, L2TP_AVP_PROXY_AUTHEN_NAME, "2500-1");
	l2tp_w_bytes(w, L2TP_AVP_PROXY_AUTHEN_RESPONSE, seed_proxy_response, 16);
	l2tp_w_u16(w, L2TP_AVP_PROXY_AUTHEN_TYPE, L2TP_PROXY_AUTH_CHAP);
}

#endif
