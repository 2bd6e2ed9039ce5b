// SPDX-License-Identifier: BSD-2-Clause
// The seed's long messages rebuilt from the fields its traces print (see
// seed_vectors.h): shared by the codec and the engine tests.
#ifndef SEED_MSGS_H
#define SEED_MSGS_H

#include <cstring>
#include <vector>

extern "C" {
#include "l2tp_avp.h"
}
#include "seed_vectors.h"

namespace seed
{

using Bytes = std::vector<uint8_t>;

inline const uint8_t *secret = reinterpret_cast<const uint8_t *>(SEED_SECRET);
inline const size_t secret_len = 5;

inline Bytes
finish_msg(l2tp_writer &w, uint16_t tid, uint16_t sid, uint16_t ns, uint16_t nr)
{
	int n = l2tp_w_finish(&w, tid, sid, ns, nr);
	return Bytes(w.buf, w.buf + (n > 0 ? n : 0));
}

inline Bytes
exact(const uint8_t *p, size_t n)
{
	return Bytes(p, p + n);
}

inline Bytes
seed_sccrq()
{
	static uint8_t buf[512];
	l2tp_writer w;
	l2tp_w_init(&w, buf, sizeof(buf));
	l2tp_w_u16(&w, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_SCCRQ);
	l2tp_w_u16(&w, L2TP_AVP_PROTOCOL_VERSION, 0x0100);
	l2tp_w_u32(&w, L2TP_AVP_FRAMING_CAP, 3);
	l2tp_w_u32(&w, L2TP_AVP_BEARER_CAP, 3);
	l2tp_w_u16(&w, L2TP_AVP_FIRMWARE_REV, 0x1130);
	l2tp_w_str(&w, L2TP_AVP_HOST_NAME, "hgw");
	l2tp_w_str(&w, L2TP_AVP_VENDOR_NAME, "Cisco Systems, Inc.");
	l2tp_w_u16(&w, L2TP_AVP_ASSIGNED_TUNNEL_ID, SEED_LAC_TUNNEL);
	l2tp_w_u16(&w, L2TP_AVP_RX_WINDOW_SIZE, 800);
	l2tp_w_bytes(&w, L2TP_AVP_CHALLENGE, seed_sccrq_challenge, 16);
	return finish_msg(w, 0, 0, 0, 0);
}

inline Bytes
seed_sccrp()
{
	static uint8_t buf[512];
	uint8_t resp[16];
	l2tp_writer w;
	l2tp_challenge_response(resp, L2TP_MSG_SCCRP, secret, secret_len, seed_sccrq_challenge, 16);
	l2tp_w_init(&w, buf, sizeof(buf));
	l2tp_w_u16(&w, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_SCCRP);
	l2tp_w_u16(&w, L2TP_AVP_PROTOCOL_VERSION, 0x0100);
	l2tp_w_u32(&w, L2TP_AVP_FRAMING_CAP, 3);
	l2tp_w_u32(&w, L2TP_AVP_BEARER_CAP, 3);
	l2tp_w_u16(&w, L2TP_AVP_FIRMWARE_REV, 0x1120);
	l2tp_w_str(&w, L2TP_AVP_HOST_NAME, "l2tp-gw");
	l2tp_w_str(&w, L2TP_AVP_VENDOR_NAME, "Cisco Systems, Inc.");
	l2tp_w_u16(&w, L2TP_AVP_ASSIGNED_TUNNEL_ID, SEED_LNS_TUNNEL);
	l2tp_w_u16(&w, L2TP_AVP_RX_WINDOW_SIZE, 300);
	l2tp_w_bytes(&w, L2TP_AVP_CHALLENGE, seed_sccrp_challenge, 16);
	l2tp_w_bytes(&w, L2TP_AVP_CHALLENGE_RESPONSE, resp, 16);
	return finish_msg(w, SEED_LAC_TUNNEL, 0, 0, 1);
}

inline Bytes
seed_icrq()
{
	static uint8_t buf[512];
	l2tp_writer w;
	l2tp_w_init(&w, buf, sizeof(buf));
	l2tp_w_u16(&w, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_ICRQ);
	l2tp_w_u16(&w, L2TP_AVP_ASSIGNED_SESSION_ID, SEED_LAC_CALL);
	l2tp_w_u32(&w, L2TP_AVP_CALL_SERIAL_NUMBER, 0xD114C7C5);
	l2tp_w_u32(&w, L2TP_AVP_BEARER_TYPE, 1);
	l2tp_w_str(&w, L2TP_AVP_CALLING_NUMBER, "2085730592");
	l2tp_w_str(&w, L2TP_AVP_CALLED_NUMBER, "614629");
	l2tp_w_raw(&w, 0, 9, 100, "Serial0:0", 9); // Cisco's Client NAS Port
	return finish_msg(w, SEED_LNS_TUNNEL, 0, 2, 1);
}

inline Bytes
seed_iccn()
{
	static uint8_t buf[512];
	l2tp_writer w;
	l2tp_w_init(&w, buf, sizeof(buf));
	l2tp_w_u16(&w, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_ICCN);
	l2tp_w_u32(&w, L2TP_AVP_TX_CONNECT_SPEED, 64000);
	l2tp_w_u32(&w, L2TP_AVP_RX_CONNECT_SPEED, 64000);
	l2tp_w_u32(&w, L2TP_AVP_FRAMING_TYPE, 2);
	l2tp_w_bytes(&w, L2TP_AVP_LAST_SENT_LCP_CONFREQ, seed_last_sent_lcp,
		     sizeof(seed_last_sent_lcp));
	l2tp_w_bytes(&w, L2TP_AVP_LAST_RCVD_LCP_CONFREQ, seed_last_rcvd_lcp,
		     sizeof(seed_last_rcvd_lcp));
	l2tp_w_bytes(&w, L2TP_AVP_PROXY_AUTHEN_CHALLENGE, seed_proxy_challenge, 16);
	l2tp_w_u16(&w, L2TP_AVP_PROXY_AUTHEN_ID, 6);
	l2tp_w_str(&w, L2TP_AVP_PROXY_AUTHEN_NAME, "2500-1");
	l2tp_w_bytes(&w, L2TP_AVP_PROXY_AUTHEN_RESPONSE, seed_proxy_response, 16);
	l2tp_w_u16(&w, L2TP_AVP_PROXY_AUTHEN_TYPE, L2TP_PROXY_AUTH_CHAP);
	return finish_msg(w, SEED_LNS_TUNNEL, SEED_LNS_CALL, 3, 2);
}

} // namespace seed

#endif
