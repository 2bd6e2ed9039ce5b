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
#include "seed_build.h"
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
	seed_w_sccrq(&w);
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
	seed_w_icrq(&w);
	return finish_msg(w, SEED_LNS_TUNNEL, 0, 2, 1);
}

inline Bytes
seed_iccn()
{
	static uint8_t buf[512];
	l2tp_writer w;
	l2tp_w_init(&w, buf, sizeof(buf));
	seed_w_iccn(&w);
	return finish_msg(w, SEED_LNS_TUNNEL, SEED_LNS_CALL, 3, 2);
}

} // namespace seed

#endif
