// SPDX-License-Identifier: BSD-2-Clause
// RADIUS codec: RFC 2865 §7.1's published packets first, then User-Password
// block chaining, the signing order of RFC 3579 §3.2 / RFC 5176 §3.1,
// answer and request checks (Blast-RADIUS), malformed framing, attribute
// walking and the size limits.
//
// Expected bytes not taken from RFC 2865 were computed outside this code
// with Python's hashlib/hmac and these helpers (S = b"testing123",
// RA = bytes.fromhex("a1b2c3d4e5f60718293a4b5c6d7e8f90")):
//
//   md5 = lambda b: hashlib.md5(b).digest()
//   attr = lambda t, v: bytes([t, 2 + len(v)]) + v
//   u32 = lambda v: struct.pack(">I", v)
//   def hide(secret, ra, pw):            # RFC 2865 §5.2
//       pw += b"\0" * (16 if not pw else -len(pw) % 16)
//       out, prev = b"", ra
//       for i in range(0, len(pw), 16):
//           prev = bytes(a ^ b for a, b in zip(pw[i:i+16], md5(secret + prev)))
//           out += prev
//       return out
//   def finish(code, ident, auth, attrs, secret, request_auth=None, signed=False):
//       # MA appended last, HMAC over the packet with the header authenticator
//       # as sent (zeros for a signed request, the request's for an answer),
//       # then the MD5 authenticator over the packet holding that MA
//       body = attrs + attr(80, bytes(16))
//       hdr = request_auth or (bytes(16) if signed else auth)
//       pkt = bytes([code, ident]) + struct.pack(">H", 20 + len(body)) + hdr + body
//       pkt = pkt[:-16] + hmac.new(secret, pkt, hashlib.md5).digest()
//       if request_auth or signed:
//           pkt = pkt[:4] + md5(pkt[:4] + hdr + pkt[20:] + secret) + pkt[20:]
//       return pkt
//   def resp(code, ident, req_auth, attrs, secret, ma_at=None, ma_key=None, ma_auth=None):
//       # an answer by hand; MA inserted at attribute offset ma_at, its HMAC
//       # keyed with ma_key (default secret) over a header holding ma_auth
//       # (default req_auth); then the response authenticator
//       if ma_at is not None:
//           attrs = attrs[:ma_at] + attr(80, bytes(16)) + attrs[ma_at:]
//       hdr = bytes([code, ident]) + struct.pack(">H", 20 + len(attrs))
//       pkt = hdr + (ma_auth or req_auth) + attrs
//       if ma_at is not None:
//           o = 22 + ma_at
//           pkt = pkt[:o] + hmac.new(ma_key or secret, pkt, hashlib.md5).digest() + pkt[o+16:]
//       return pkt[:4] + md5(pkt[:4] + req_auth + pkt[20:] + secret) + pkt[20:]
//   def req_by_hand(code, ident, attrs, secret):  # signed request, no MA added
//       pkt = bytes([code, ident]) + struct.pack(">H", 20 + len(attrs)) + bytes(16) + attrs
//       return pkt[:4] + md5(pkt + secret) + pkt[20:]
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "radius_wire.h"
}

namespace
{

using Bytes = std::vector<uint8_t>;

Bytes
hex(const char *h)
{
	Bytes v;
	std::string s;
	for (; *h; h++)
		if (*h != ' ')
			s += *h;
	for (size_t i = 0; i + 1 < s.size(); i += 2)
		v.push_back((uint8_t)std::stoi(s.substr(i, 2), nullptr, 16));
	return v;
}

Bytes
wire(const radius_pkt &p)
{
	return Bytes(p.buf, p.buf + p.len);
}

Bytes
operator+(Bytes a, const Bytes &b)
{
	a.insert(a.end(), b.begin(), b.end());
	return a;
}

const char S[] = "testing123";
const Bytes RA = hex("a1b2c3d4e5f60718293a4b5c6d7e8f90");

// RFC 2865 §7.1
const char RFC_SECRET[] = "xyzzy5461";
const Bytes RFC_RA = hex("0f403f9473978057bd83d5cb98f4227a");
const Bytes RFC_REQUEST = hex("01000038 0f403f9473978057bd83d5cb98f4227a"
			      "01066e656d6f 02120dbe708d93d413ce3196e43f782a0aee"
			      "0406c0a80110 050600000003");
const Bytes RFC_ACCEPT = hex("02000026 86fe220e7624ba2a1005f6bf9b55e0b2"
			     "060600000001 0f0600000000 0e06c0a80103");

// The datagram in an exactly-sized heap block: ASan catches any read past it.
struct Datagram {
	std::unique_ptr<uint8_t[]> buf;
	size_t len;
	explicit Datagram(const Bytes &b) : buf(new uint8_t[b.size()]), len(b.size())
	{
		if (!b.empty())
			memcpy(buf.get(), b.data(), b.size());
	}
};

radius_check
check_answer(const Bytes &pkt, const char *secret, const Bytes &ra, size_t *out_len = nullptr)
{
	Datagram d(pkt);
	size_t len = d.len;
	radius_check r = radius_check_answer(d.buf.get(), &len, secret, ra.data());
	if (out_len != nullptr)
		*out_len = len;
	return r;
}

radius_check
check_request(const Bytes &pkt, const char *secret, bool require_ma, size_t *out_len = nullptr)
{
	Datagram d(pkt);
	size_t len = d.len;
	radius_check r = radius_check_request(d.buf.get(), &len, secret, require_ma);
	if (out_len != nullptr)
		*out_len = len;
	return r;
}

struct Avp {
	uint8_t type;
	uint32_t vendor;
	Bytes val;
};

// Every attribute the iterator yields, over an exactly-sized copy.
std::vector<Avp>
walk(const Bytes &pkt)
{
	Datagram d(pkt);
	radius_attr_it it;
	radius_avp a;
	std::vector<Avp> out;
	radius_attr_first(&it, d.buf.get(), d.len);
	while (radius_attr_next(&it, &a))
		out.push_back({ a.type, a.vendor, Bytes(a.val, a.val + a.len) });
	EXPECT_FALSE(radius_attr_next(&it, &a)) << "the end stays the end";
	return out;
}

// Header with a length field of 20 + attrs, zero authenticator (framing tests).
Bytes
framed(uint8_t code, const Bytes &attrs)
{
	size_t n = 20 + attrs.size();
	Bytes h = { code, 1, (uint8_t)(n >> 8), (uint8_t)n };
	h.resize(20);
	return h + attrs;
}

Bytes
password_attr(const char *secret, const Bytes &ra, const Bytes &pw)
{
	radius_pkt p;
	radius_begin(&p, RADIUS_ACCESS_REQUEST, 0, ra.data());
	radius_put_password(&p, secret, pw.data(), pw.size());
	EXPECT_FALSE(p.overflow);
	return Bytes(p.buf + 20, p.buf + p.len);
}

} // namespace

// --- User-Password (RFC 2865 §5.2) ---

TEST(Password, Rfc2865Section71ExampleRequestByteForByte)
{
	radius_pkt p;
	const uint8_t nas_ip[] = { 192, 168, 1, 16 };
	radius_begin(&p, RADIUS_ACCESS_REQUEST, 0, RFC_RA.data());
	radius_put_str(&p, RADIUS_USER_NAME, "nemo");
	radius_put_password(&p, RFC_SECRET, (const uint8_t *)"arctangent", 10);
	radius_put(&p, RADIUS_NAS_IP_ADDRESS, nas_ip, sizeof(nas_ip));
	radius_put_u32(&p, RADIUS_NAS_PORT, 3);
	// before finish: the RFC's bytes except the length field, which finish sets
	Bytes attrs(p.buf + 20, p.buf + p.len);
	EXPECT_EQ(attrs, Bytes(RFC_REQUEST.begin() + 20, RFC_REQUEST.end()));
	// python: hide(b"xyzzy5461", RFC_RA, b"arctangent") == the RFC's hidden bytes
	EXPECT_EQ(Bytes(attrs.begin() + 8, attrs.begin() + 24),
		  hex("0dbe708d93d413ce3196e43f782a0aee"));

	// python: finish(1, 0, RFC_RA, RFC_REQUEST[20:], b"xyzzy5461")
	EXPECT_EQ(radius_finish(&p, RFC_SECRET, nullptr), 74u);
	EXPECT_EQ(wire(p), hex("0100004a0f403f9473978057bd83d5cb98f4227a01066e656d6f02120dbe708d"
			       "93d413ce3196e43f782a0aee0406c0a80110050600000003"
			       "501263b78a6b9d2f149989fbf57ea21d194c"));
}

TEST(Password, EmptyIsOneBlockOfPadding)
{
	// python: hide(S, RA, b"")  (= md5(S + RA))
	EXPECT_EQ(password_attr(S, RA, {}), hex("0212 0ffca4ea2d8a4440c4aacd7f6efb9263"));
}

TEST(Password, SixteenBytesIsExactlyOneBlock)
{
	// python: hide(S, RA, b"0123456789abcdef")
	Bytes pw((const uint8_t *)"0123456789abcdef", (const uint8_t *)"0123456789abcdef" + 16);
	EXPECT_EQ(password_attr(S, RA, pw), hex("0212 3fcd96d919bf7277fc93ac1d0d9ff705"));
}

TEST(Password, SeventeenBytesChainsTheSecondBlockOnTheFirstCiphertext)
{
	// python: hide(S, RA, b"0123456789abcdefg")
	Bytes pw((const uint8_t *)"0123456789abcdefg", (const uint8_t *)"0123456789abcdefg" + 17);
	EXPECT_EQ(password_attr(S, RA, pw), hex("0222 3fcd96d919bf7277fc93ac1d0d9ff705"
						"2a1adcb260a77c1e3d59dbaead582991"));
}

TEST(Password, MaximumOf128BytesIsEightChainedBlocks)
{
	// python: hide(S, RA, (b"abcdefghijklmnopqrstuvwxyz0123456789" * 4)[:128])
	std::string s;
	for (int i = 0; i < 4; i++)
		s += "abcdefghijklmnopqrstuvwxyz0123456789";
	Bytes pw(s.begin(), s.begin() + 128);
	EXPECT_EQ(password_attr(S, RA, pw),
		  hex("0282"
		      "6e9ec78e48ec2328adc0a6130395fd13efac6627d6f6fda168175ded5df7147e"
		      "58399ec52de1e75426d1a406649ba06aaf9c9d153ea0a6d8b6901e062ec7ed73"
		      "ba93ef84e93a46618a940724bfa591741fdfd9749945dd43aede91daa4bb2253"
		      "2f0096f4f4a6d1b4e972eeeed56d62ac9e76aab5aef5f05e77dfa61f8b11926e"));
}

TEST(Password, Over128BytesIsRefusedByFinish)
{
	radius_pkt p;
	Bytes pw(129, 'x');
	radius_begin(&p, RADIUS_ACCESS_REQUEST, 1, RA.data());
	radius_put_password(&p, S, pw.data(), pw.size());
	EXPECT_TRUE(p.overflow);
	EXPECT_EQ(radius_finish(&p, S, nullptr), 0u);
}

// --- Signing (RFC 3579 §3.2, RFC 2866 §3, RFC 5176 §2.3/§3.1) ---

TEST(Sign, AccessRequestKeepsItsAuthenticatorAndEndsWithMessageAuthenticator)
{
	radius_pkt p;
	radius_begin(&p, RADIUS_ACCESS_REQUEST, 0, RFC_RA.data());
	radius_put(&p, RADIUS_USER_NAME, "nemo", 4);
	size_t n = radius_finish(&p, RFC_SECRET, nullptr);
	ASSERT_EQ(n, 20u + 6 + 18);
	EXPECT_EQ(p.len, n);
	EXPECT_EQ(p.buf[2] << 8 | p.buf[3], (int)n);
	EXPECT_EQ(Bytes(p.buf + 4, p.buf + 20), RFC_RA);
	EXPECT_EQ(p.buf[n - 18], RADIUS_MESSAGE_AUTHENTICATOR);
	EXPECT_EQ(p.buf[n - 17], 18);
	// python: hmac.new(b"xyzzy5461", bytes.fromhex("0100002c" + RFC_RA.hex() +
	//         "01066e656d6f5012" + "00"*16), hashlib.md5).hexdigest()
	EXPECT_EQ(Bytes(p.buf + n - 16, p.buf + n), hex("1eb6b8e12756f9c7b8ff19fbdaea15d5"));
}

TEST(Sign, AccountingRequestMaOverZeroAuthenticatorThenRequestAuthenticator)
{
	radius_pkt p;
	const Bytes junk(16, 0xff); // whatever the caller passes is replaced
	radius_begin(&p, RADIUS_ACCOUNTING_REQUEST, 7, junk.data());
	radius_put_u32(&p, RADIUS_ACCT_STATUS_TYPE, 1);
	radius_put_str(&p, RADIUS_ACCT_SESSION_ID, "0000002a");
	radius_put_str(&p, RADIUS_USER_NAME, "alice");
	radius_put_u32(&p, RADIUS_NAS_PORT, 42);
	// python: finish(4, 7, None, attr(40,u32(1)) + attr(44,b"0000002a") +
	//                attr(1,b"alice") + attr(5,u32(42)), S, signed=True)
	EXPECT_EQ(radius_finish(&p, S, nullptr), 67u);
	EXPECT_EQ(wire(p), hex("0407004389aa75f8b99a403dfb15d9296e5a788a2806000000012c0a30303030"
			       "303032610107616c69636505060000002a"
			       "5012c117109da3fd33d6086e277cd4f83ab5"));
	// the codec's own checker agrees (same signing as a Disconnect-Request)
	EXPECT_EQ(check_request(wire(p), S, true), RADIUS_OK);
}

const Bytes DISCONNECT_REQUEST =
	// python: dm = finish(40, 0x33, None, attr(1,b"alice") + attr(44,b"0000002a"), S,
	//                     signed=True)
	hex("2833003747b119fc117ec6e2cbbe05166434383c0107616c6963652c0a3030303030303261"
	    "501276644a8015ae6e76f1382145fb36fdff");

TEST(Sign, DisconnectRequestIsSignedLikeAccountingAndPassesCheckRequest)
{
	radius_pkt p;
	radius_begin(&p, RADIUS_DISCONNECT_REQUEST, 0x33, nullptr);
	radius_put_str(&p, RADIUS_USER_NAME, "alice");
	radius_put_str(&p, RADIUS_ACCT_SESSION_ID, "0000002a");
	ASSERT_EQ(radius_finish(&p, S, nullptr), DISCONNECT_REQUEST.size());
	EXPECT_EQ(wire(p), DISCONNECT_REQUEST);
	size_t len = 0;
	EXPECT_EQ(check_request(wire(p), S, true, &len), RADIUS_OK);
	EXPECT_EQ(len, DISCONNECT_REQUEST.size());
	EXPECT_EQ(check_request(wire(p), "testing124", true), RADIUS_BAD_AUTHENTICATOR);
}

TEST(Sign, CoaRequestIsSignedLikeAccounting)
{
	radius_pkt p;
	const Bytes junk(16, 0x5a);
	radius_begin(&p, RADIUS_COA_REQUEST, 0x37, junk.data());
	radius_put_str(&p, RADIUS_USER_NAME, "alice");
	radius_put_u32(&p, RADIUS_SESSION_TIMEOUT, 3600);
	// python: finish(43, 0x37, None, attr(1,b"alice") + attr(27,u32(3600)), S, signed=True)
	ASSERT_EQ(radius_finish(&p, S, nullptr), 51u);
	EXPECT_EQ(wire(p), hex("2b3700331306586e72b2cfebf8b5705534baf1350107616c6963651b0600000e10"
			       "50123e39d80d9f377aaa277f19c582329e38"));
	EXPECT_EQ(check_request(wire(p), S, true), RADIUS_OK);
}

TEST(Sign, DisconnectAckAnswerHasResponseAuthenticatorAndMa)
{
	const Bytes req_auth(DISCONNECT_REQUEST.begin() + 4, DISCONNECT_REQUEST.begin() + 20);
	radius_pkt p;
	radius_begin(&p, RADIUS_DISCONNECT_ACK, 0x33, nullptr);
	// python: finish(41, 0x33, None, b"", S, request_auth=dm[4:20])
	ASSERT_EQ(radius_finish(&p, S, req_auth.data()), 38u);
	EXPECT_EQ(wire(p), hex("29330026b6639d9a3941939ef3d61b817a91b4fb"
			       "5012fea6e2ace211f1acabbc37b1c30dea5f"));
	EXPECT_EQ(check_answer(wire(p), S, req_auth), RADIUS_OK);
	EXPECT_EQ(check_answer(wire(p), S, RA), RADIUS_BAD_AUTHENTICATOR) << "another request";
}

TEST(Sign, CoaNakAndAccessAcceptAnswersMatchPython)
{
	const Bytes req_auth(DISCONNECT_REQUEST.begin() + 4, DISCONNECT_REQUEST.begin() + 20);
	radius_pkt p;
	radius_begin(&p, RADIUS_COA_NAK, 0x34, nullptr);
	radius_put_u32(&p, RADIUS_ERROR_CAUSE, 503);
	// python: finish(45, 0x34, None, attr(101,u32(503)), S, request_auth=dm[4:20])
	ASSERT_EQ(radius_finish(&p, S, req_auth.data()), 44u);
	EXPECT_EQ(wire(p), hex("2d34002c926e7dffc14d7a6c378007a77f726c766506000001f7"
			       "5012c35eeb85b95636d79ddcc7d44003946e"));
	EXPECT_EQ(check_answer(wire(p), S, req_auth), RADIUS_OK);

	const uint8_t ip[] = { 10, 0, 0, 5 };
	radius_begin(&p, RADIUS_ACCESS_ACCEPT, 0x2a, nullptr);
	radius_put_u32(&p, RADIUS_SERVICE_TYPE, 2);
	radius_put_u32(&p, RADIUS_FRAMED_PROTOCOL, 1);
	radius_put(&p, RADIUS_FRAMED_IP_ADDRESS, ip, sizeof(ip));
	// python: finish(2, 0x2a, None, attr(6,u32(2)) + attr(7,u32(1)) +
	//                attr(8,bytes([10,0,0,5])), S, request_auth=RA)
	ASSERT_EQ(radius_finish(&p, S, RA.data()), 56u);
	EXPECT_EQ(wire(p), hex("022a0038b3bd3c222977c7b417c0f8a140437ca606060000000207060000000108"
			       "060a000005501293c3dab032d2c1a2546084bd36227453"));
	EXPECT_EQ(check_answer(wire(p), S, RA), RADIUS_OK);
}

// --- radius_check_request ---

TEST(CheckRequest, MissingMaRefusedOnlyWhenRequired)
{
	// python: req_by_hand(40, 0x35, attr(1,b"alice") + attr(44,b"0000002a"), S)
	const Bytes dm = hex("283500252b3866ecf055a39b276463607d68e4f6"
			     "0107616c6963652c0a3030303030303261");
	EXPECT_EQ(check_request(dm, S, true), RADIUS_NO_MESSAGE_AUTH);
	EXPECT_EQ(check_request(dm, S, false), RADIUS_OK);
	EXPECT_EQ(check_request(dm, "testing124", false), RADIUS_BAD_AUTHENTICATOR);
}

TEST(CheckRequest, WrongMaWithRightAuthenticatorIsBadMessageAuth)
{
	// python: req_by_hand(40, 0x36, attr(1,b"alice") + attr(44,b"0000002a") +
	//         attr(80, bytes.fromhex("00112233445566778899aabbccddeeff")), S)
	const Bytes dm = hex("2836003788dd7657b5e37ee1adc6bc88b5860a5d0107616c6963652c0a3030303030"
			     "3032615012 00112233445566778899aabbccddeeff");
	EXPECT_EQ(check_request(dm, S, false), RADIUS_BAD_MESSAGE_AUTH);
	EXPECT_EQ(check_request(dm, S, true), RADIUS_BAD_MESSAGE_AUTH);
}

TEST(CheckRequest, AnyFlippedBitIsRefused)
{
	for (size_t i = 0; i < DISCONNECT_REQUEST.size(); i++) {
		Bytes b = DISCONNECT_REQUEST;
		b[i] ^= 0x10;
		EXPECT_NE(check_request(b, S, false), RADIUS_OK) << "byte " << i;
	}
}

// --- radius_check_answer ---

// python: resp(2, 0x2a, RA, attr(6,u32(2)) + attr(8,bytes([10,0,0,5])) +
//              attr(18,b"welcome"), S, ma_at=6)   -- MA in the middle
const Bytes ACCEPT_MA_MID = hex("022a003b6a66860e84fc90d741a91109d120a321060600000002"
				"5012a920c37dabf62bac25e8523dd3ee48b9"
				"08060a000005120977656c636f6d65");

TEST(CheckAnswer, Rfc2865Section71AcceptHasRightAuthenticatorButNoMa)
{
	// the published response authenticator checks out; without
	// Message-Authenticator an Access-Accept is still refused
	EXPECT_EQ(check_answer(RFC_ACCEPT, RFC_SECRET, RFC_RA), RADIUS_NO_MESSAGE_AUTH);
	EXPECT_EQ(check_answer(RFC_ACCEPT, "xyzzy5462", RFC_RA), RADIUS_BAD_AUTHENTICATOR);
}

TEST(CheckAnswer, HandBuiltAccessAcceptWithMaAnywhereIsAccepted)
{
	size_t len = 0;
	EXPECT_EQ(check_answer(ACCEPT_MA_MID, S, RA, &len), RADIUS_OK);
	EXPECT_EQ(len, ACCEPT_MA_MID.size());
}

TEST(CheckAnswer, AccessAnswersWithoutMaAreRefused)
{
	// python: resp(2, 0x2a, RA, attr(6,u32(2)) + attr(8,bytes([10,0,0,5])) +
	//              attr(18,b"welcome"), S)
	EXPECT_EQ(check_answer(hex("022a00290650d3a60b84abea4ee0308c47a935da06060000000208060a00"
				   "0005120977656c636f6d65"),
			       S, RA),
		  RADIUS_NO_MESSAGE_AUTH);
	// python: resp(3, 0x2a, RA, attr(18,b"denied"), S)
	EXPECT_EQ(check_answer(hex("032a001c91af1b8c67aa543181799b9562abf9c2120864656e696564"), S,
			       RA),
		  RADIUS_NO_MESSAGE_AUTH);
	// python: resp(11, 0x2a, RA, attr(24,b"st") + attr(18,b"otp?"), S)
	EXPECT_EQ(check_answer(hex("0b2a001e85ca27d97ad6632496b6697dc1ab36b61804737412066f74703f"),
			       S, RA),
		  RADIUS_NO_MESSAGE_AUTH);
}

TEST(CheckAnswer, AccessRejectWithValidMaIsAccepted)
{
	// python: resp(3, 0x2a, RA, attr(18,b"denied"), S, ma_at=0)
	EXPECT_EQ(check_answer(hex("032a002ec3500c3956ab46a447f1cb1ce7ceac4f"
				   "5012906e83f5e8a30692ba4b5f72acff70eb120864656e696564"),
			       S, RA),
		  RADIUS_OK);
}

TEST(CheckAnswer, AccountingResponseMaOptionalButCheckedWhenPresent)
{
	// request authenticator of the Accounting-Request in Sign.AccountingRequest...
	const Bytes acct_ra = hex("89aa75f8b99a403dfb15d9296e5a788a");
	// python: resp(5, 7, acct[4:20], b"", S)
	EXPECT_EQ(check_answer(hex("0507001437fbe84f57101352108b43acc69e88b8"), S, acct_ra),
		  RADIUS_OK);
	// python: resp(5, 7, acct[4:20], b"", S, ma_at=0, ma_key=b"wrong")
	EXPECT_EQ(check_answer(hex("050700265ee6beb68994df57c1d558fddf5dc7ba"
				   "50122a4c103885299cb1f7e0255f01ce6ac9"),
			       S, acct_ra),
		  RADIUS_BAD_MESSAGE_AUTH);
}

TEST(CheckAnswer, WrongMaUnderRightResponseAuthenticatorIsBadMessageAuth)
{
	// MA computed over a zero header authenticator instead of the request's
	// python: resp(2, 0x2a, RA, <attrs of ACCEPT_MA_MID>, S, ma_at=6, ma_auth=bytes(16))
	EXPECT_EQ(check_answer(hex("022a003b06ac4795e8505f1c7593a6bef95cb1b7060600000002"
				   "501233c701faa06c99f6b3799e4cc4645d2f"
				   "08060a000005120977656c636f6d65"),
			       S, RA),
		  RADIUS_BAD_MESSAGE_AUTH);
	// MA keyed with another secret
	// python: resp(2, 0x2a, RA, <same attrs>, S, ma_at=6, ma_key=b"testing124")
	EXPECT_EQ(check_answer(hex("022a003b9f1d2d498c12b7d83bf2969ef00fb253060600000002"
				   "5012d9f94b5772587bc2beac4e0b929c25ed"
				   "08060a000005120977656c636f6d65"),
			       S, RA),
		  RADIUS_BAD_MESSAGE_AUTH);
}

TEST(CheckAnswer, FlippedBitWrongSecretOrWrongRequestIsBadAuthenticator)
{
	Bytes b = ACCEPT_MA_MID;
	b[b.size() - 1] ^= 0x01; // last byte of Reply-Message
	EXPECT_EQ(check_answer(b, S, RA), RADIUS_BAD_AUTHENTICATOR);
	EXPECT_EQ(check_answer(ACCEPT_MA_MID, "testing124", RA), RADIUS_BAD_AUTHENTICATOR);
	Bytes other = RA;
	other[15] ^= 0x80;
	EXPECT_EQ(check_answer(ACCEPT_MA_MID, S, other), RADIUS_BAD_AUTHENTICATOR);
	for (size_t i = 0; i < ACCEPT_MA_MID.size(); i++) {
		b = ACCEPT_MA_MID;
		b[i] ^= 0x04;
		EXPECT_NE(check_answer(b, S, RA), RADIUS_OK) << "byte " << i;
	}
}

TEST(CheckAnswer, TrailingBytesAreIgnoredAndLenIsTheRadiusLength)
{
	size_t len = 0;
	EXPECT_EQ(check_answer(ACCEPT_MA_MID + hex("deadbeef00"), S, RA, &len), RADIUS_OK);
	EXPECT_EQ(len, ACCEPT_MA_MID.size());
	// the datagram is bounded by the length field even when it could run on
	Bytes cut = ACCEPT_MA_MID;
	cut[3] -= 1;
	EXPECT_EQ(check_answer(cut + hex("00"), S, RA), RADIUS_BAD_ATTRIBUTE);
}

// --- Framing (same for answers and requests; checked before any hash) ---

TEST(Framing, ShortOrLyingLengthIsBadLength)
{
	const Bytes ok = framed(RADIUS_ACCESS_ACCEPT, {});
	EXPECT_EQ(check_answer({}, S, RA), RADIUS_BAD_LENGTH);
	EXPECT_EQ(check_answer(Bytes(ok.begin(), ok.begin() + 1), S, RA), RADIUS_BAD_LENGTH);
	EXPECT_EQ(check_answer(Bytes(ok.begin(), ok.begin() + 19), S, RA), RADIUS_BAD_LENGTH);
	EXPECT_EQ(check_request(Bytes(ok.begin(), ok.begin() + 19), S, false), RADIUS_BAD_LENGTH);

	Bytes b = ok;
	b[3] = 19; // length field below a header
	EXPECT_EQ(check_answer(b, S, RA), RADIUS_BAD_LENGTH);
	b[3] = 0;
	EXPECT_EQ(check_answer(b, S, RA), RADIUS_BAD_LENGTH);

	b = framed(RADIUS_ACCESS_ACCEPT, hex("0106616c6963"));
	b.pop_back(); // length field one beyond the datagram
	EXPECT_EQ(check_answer(b, S, RA), RADIUS_BAD_LENGTH);
	EXPECT_EQ(check_request(b, S, false), RADIUS_BAD_LENGTH);

	b = framed(RADIUS_ACCESS_ACCEPT, Bytes(4077, 0)); // attrs irrelevant
	b[2] = 0x10;
	b[3] = 0x01; // 4097 > RADIUS_MAX_LEN, datagram big enough
	ASSERT_EQ(b.size(), 4097u);
	EXPECT_EQ(check_answer(b, S, RA), RADIUS_BAD_LENGTH);
}

TEST(Framing, MalformedAttributesAreBadAttribute)
{
	const struct {
		const char *what, *attrs;
	} rows[] = {
		{ "attribute length 0", "0100" },
		{ "attribute length 1", "0101" },
		{ "length 0 after a good one", "0103610500" },
		{ "runs one byte past the end", "01066162 6364"
						"01 08 6162636465" },
		{ "type byte alone at the end", "0103 61 05" },
		{ "Message-Authenticator of 17", "5011 00000000000000000000000000000000" },
		{ "Message-Authenticator of 19", "5013 0000000000000000000000000000000000" },
		{ "Message-Authenticator of 2", "5002" },
	};
	for (const auto &r : rows) {
		Bytes b = framed(RADIUS_ACCESS_ACCEPT, hex(r.attrs));
		EXPECT_EQ(check_answer(b, S, RA), RADIUS_BAD_ATTRIBUTE) << r.what;
		b[0] = RADIUS_DISCONNECT_REQUEST;
		EXPECT_EQ(check_request(b, S, true), RADIUS_BAD_ATTRIBUTE) << r.what;
	}
}

// --- Walking attributes ---

TEST(Walk, PlainAttributesOfTheRfcAccept)
{
	auto v = walk(RFC_ACCEPT);
	ASSERT_EQ(v.size(), 3u);
	EXPECT_EQ(v[0].type, RADIUS_SERVICE_TYPE);
	EXPECT_EQ(v[0].vendor, 0u);
	EXPECT_EQ(v[0].val, hex("00000001"));
	EXPECT_EQ(v[1].type, 15); // Login-Service
	EXPECT_EQ(v[1].val, hex("00000000"));
	EXPECT_EQ(v[2].type, 14); // Login-IP-Host
	EXPECT_EQ(v[2].val, hex("c0a80103"));
}

TEST(Walk, U32ValueOnlyForFourBytes)
{
	const uint8_t v4[] = { 0x12, 0x34, 0x56, 0x78 }, v5[] = { 0, 0, 0, 0, 1 };
	radius_avp a = { RADIUS_SESSION_TIMEOUT, 0, v4, 4 };
	uint32_t x = 0xdeadbeef;
	EXPECT_TRUE(radius_avp_u32(&a, &x));
	EXPECT_EQ(x, 0x12345678u);
	for (uint8_t len : { 0, 3, 5 }) {
		a.val = v5;
		a.len = len;
		x = 7;
		EXPECT_FALSE(radius_avp_u32(&a, &x)) << (int)len;
		EXPECT_EQ(x, 7u);
	}
}

TEST(Walk, MicrosoftVsaIsOpenedAndTheCodecLaysItOut)
{
	radius_pkt p;
	const uint8_t dns[] = { 10, 0, 0, 1 };
	radius_begin(&p, RADIUS_ACCESS_ACCEPT, 1, RA.data());
	radius_put_vsa(&p, RADIUS_VENDOR_MS, RADIUS_MS_PRIMARY_DNS_SERVER, dns, sizeof(dns));
	radius_put_vsa(&p, RADIUS_VENDOR_MS, RADIUS_MS_CHAP2_SUCCESS, "\x01S=AB", 5);
	radius_put_vsa(&p, RADIUS_VENDOR_MS, RADIUS_MS_CHAP_ERROR, "", 0);
	// RFC 2865 §5.26: 26, len, vendor id (311 = 0x137), vendor type, vendor len, value
	EXPECT_EQ(Bytes(p.buf + 20, p.buf + p.len), hex("1a0c 00000137 1c06 0a000001"
							"1a0d 00000137 1a07 01533d4142"
							"1a08 00000137 0202"));
	auto v = walk(wire(p));
	ASSERT_EQ(v.size(), 3u);
	EXPECT_EQ(v[0].type, RADIUS_MS_PRIMARY_DNS_SERVER);
	EXPECT_EQ(v[0].vendor, (uint32_t)RADIUS_VENDOR_MS);
	EXPECT_EQ(v[0].val, hex("0a000001"));
	EXPECT_EQ(v[1].type, RADIUS_MS_CHAP2_SUCCESS); // 26 inside is not reopened
	EXPECT_EQ(v[1].vendor, (uint32_t)RADIUS_VENDOR_MS);
	EXPECT_EQ(v[1].val, hex("01533d4142"));
	EXPECT_EQ(v[2].type, RADIUS_MS_CHAP_ERROR);
	EXPECT_EQ(v[2].vendor, (uint32_t)RADIUS_VENDOR_MS);
	EXPECT_TRUE(v[2].val.empty());
}

TEST(Walk, MalformedVsaIsReturnedRawAsType26Vendor0)
{
	const char *rows[] = {
		"1a0c 00000137 1c07 0a000001",		   // inner length one too long
		"1a0c 00000137 1c05 0a000001",		   // one too short
		"1a09 00000137 1c01 0a",		   // inner length below 2
		"1a07 00000137 1c",			   // no room for an inner header
		"1a06 00000137",			   // vendor id only
		"1a12 00000137 1c060a000001 1d060a000002", // two sub-attributes
	};
	for (const char *r : rows) {
		const Bytes a = hex(r);
		auto v = walk(framed(RADIUS_ACCESS_ACCEPT, a + hex("0603 01")));
		ASSERT_EQ(v.size(), 2u) << r;
		EXPECT_EQ(v[0].type, RADIUS_VENDOR_SPECIFIC) << r;
		EXPECT_EQ(v[0].vendor, 0u) << r;
		EXPECT_EQ(v[0].val, Bytes(a.begin() + 2, a.end())) << r;
		EXPECT_EQ(v[1].type, RADIUS_SERVICE_TYPE) << r << ": walk goes on after it";
	}
}

TEST(Walk, TaggedAttributeLayout)
{
	radius_pkt p;
	radius_begin(&p, RADIUS_ACCESS_ACCEPT, 1, RA.data());
	radius_put_tagged(&p, RADIUS_TUNNEL_TYPE, 1, "\x00\x00\x03", 3); // L2TP
	radius_put_tagged(&p, RADIUS_TUNNEL_CLIENT_ENDPOINT, 0, "192.0.2.1", 9);
	EXPECT_EQ(Bytes(p.buf + 20, p.buf + p.len),
		  hex("4006 01 000003  420c 00 3139322e302e322e31"));
	auto v = walk(wire(p));
	ASSERT_EQ(v.size(), 2u);
	EXPECT_EQ(v[0].type, RADIUS_TUNNEL_TYPE);
	EXPECT_EQ(v[0].val, hex("01000003"));
	EXPECT_EQ(v[1].type, RADIUS_TUNNEL_CLIENT_ENDPOINT);
	EXPECT_EQ(v[1].val, hex("00 3139322e302e322e31"));
}

TEST(Walk, StopsCleanlyAtAMalformedTail)
{
	const Bytes good = hex("0103 61 0506 0000002a");
	for (const char *tail : { "12", "1200", "1201", "1205 6162", "ff" }) {
		auto v = walk(framed(RADIUS_ACCESS_ACCEPT, good + hex(tail)));
		ASSERT_EQ(v.size(), 2u) << tail;
		EXPECT_EQ(v[0].type, RADIUS_USER_NAME);
		EXPECT_EQ(v[1].type, RADIUS_NAS_PORT);
		EXPECT_EQ(v[1].val, hex("0000002a"));
	}
	EXPECT_TRUE(walk(framed(RADIUS_ACCESS_ACCEPT, {})).empty());
	// a length below a header walks nothing, whatever follows
	radius_attr_it it;
	radius_avp a;
	Bytes b = framed(RADIUS_ACCESS_ACCEPT, good);
	radius_attr_first(&it, b.data(), 10);
	EXPECT_FALSE(radius_attr_next(&it, &a));
}

TEST(Put, EmptyValuesMayBePassedAsNull)
{
	// (NULL, 0) is an empty value for every put (UBSan: memcpy's nonnull)
	radius_pkt p;
	radius_begin(&p, RADIUS_ACCESS_REQUEST, 1, RA.data());
	radius_put(&p, RADIUS_CLASS, nullptr, 0);
	radius_put_tagged(&p, RADIUS_TUNNEL_ASSIGNMENT_ID, 2, nullptr, 0);
	radius_put_vsa(&p, RADIUS_VENDOR_MS, RADIUS_MS_CHAP_ERROR, nullptr, 0);
	radius_put_password(&p, S, nullptr, 0);
	EXPECT_FALSE(p.overflow);
	// python: hide(S, RA, b"") for the password
	EXPECT_EQ(Bytes(p.buf + 20, p.buf + p.len),
		  hex("1902 5203 02 1a08 00000137 0202 0212 0ffca4ea2d8a4440c4aacd7f6efb9263"));
}

// --- Size limits ---

TEST(Overflow, AttributeValueAbove253IsRefused)
{
	radius_pkt p;
	const Bytes big(254, 'a');
	const std::string s(254, 'a');

	radius_begin(&p, RADIUS_ACCESS_REQUEST, 1, RA.data());
	radius_put(&p, RADIUS_CLASS, big.data(), 253);
	EXPECT_EQ(p.buf[21], 255);
	EXPECT_EQ(radius_finish(&p, S, nullptr), 20u + 255 + 18);

	const struct {
		const char *what;
		void (*put)(radius_pkt *, const Bytes &, const std::string &);
	} rows[] = {
		{ "put 254",
		  [](radius_pkt *q, const Bytes &b, const std::string &) {
			  radius_put(q, RADIUS_CLASS, b.data(), 254);
		  } },
		{ "put_str 254",
		  [](radius_pkt *q, const Bytes &, const std::string &t) {
			  radius_put_str(q, RADIUS_REPLY_MESSAGE, t.c_str());
		  } },
		{ "tagged 253 (+tag = 254)",
		  [](radius_pkt *q, const Bytes &b, const std::string &) {
			  radius_put_tagged(q, RADIUS_TUNNEL_ASSIGNMENT_ID, 1, b.data(), 253);
		  } },
		{ "vsa 248 (+6 = 254)",
		  [](radius_pkt *q, const Bytes &b, const std::string &) {
			  radius_put_vsa(q, RADIUS_VENDOR_MS, 1, b.data(), 248);
		  } },
	};
	for (const auto &r : rows) {
		radius_begin(&p, RADIUS_ACCESS_REQUEST, 1, RA.data());
		r.put(&p, big, s);
		radius_put_str(&p, RADIUS_USER_NAME, "fits"); // overflow is sticky
		EXPECT_EQ(radius_finish(&p, S, nullptr), 0u) << r.what;
	}

	// the largest that fit: 252 + tag, 247 + vendor header
	radius_begin(&p, RADIUS_ACCESS_REQUEST, 1, RA.data());
	radius_put_tagged(&p, RADIUS_TUNNEL_ASSIGNMENT_ID, 1, big.data(), 252);
	radius_put_vsa(&p, RADIUS_VENDOR_MS, 1, big.data(), 247);
	EXPECT_EQ(p.buf[21], 255);
	EXPECT_EQ(p.buf[20 + 255 + 1], 255);
	EXPECT_EQ(p.buf[20 + 255 + 7], 249); // vendor length
	EXPECT_EQ(radius_finish(&p, S, nullptr), 20u + 255 + 255 + 18);
}

// 15 Class attributes of 253 bytes (i repeated) and one of 231 (0xee): with
// Message-Authenticator exactly 4096 bytes.
void
fill_to_the_brim(radius_pkt *p, size_t last)
{
	radius_begin(p, RADIUS_ACCOUNTING_REQUEST, 9, nullptr);
	for (int i = 0; i < 15; i++) {
		Bytes v(253, (uint8_t)i);
		radius_put(p, RADIUS_CLASS, v.data(), v.size());
	}
	Bytes v(last, 0xee);
	radius_put(p, RADIUS_CLASS, v.data(), v.size());
}

TEST(Overflow, PacketFillingExactly4096BytesIsSignedAndChecks)
{
	radius_pkt p;
	fill_to_the_brim(&p, 231);
	ASSERT_EQ(radius_finish(&p, S, nullptr), (size_t)RADIUS_MAX_LEN);
	// python: full = finish(4, 9, None, b"".join(attr(25, bytes([i]) * 253)
	//         for i in range(15)) + attr(25, b"\xee" * 231), S, signed=True)
	//         full[4:20].hex(), full[-16:].hex()
	EXPECT_EQ(Bytes(p.buf + 4, p.buf + 20), hex("22004335f2f04bb6c1f2ba26fefb6200"));
	EXPECT_EQ(Bytes(p.buf + 4096 - 16, p.buf + 4096), hex("26915453b6537271fe0b27219a894011"));
	size_t len = 0;
	EXPECT_EQ(check_request(wire(p), S, true, &len), RADIUS_OK);
	EXPECT_EQ(len, (size_t)RADIUS_MAX_LEN);
	EXPECT_EQ(walk(wire(p)).size(), 17u);
}

TEST(Overflow, OneByteMoreOrAnotherAttributeIsRefused)
{
	radius_pkt p;
	fill_to_the_brim(&p, 232);
	EXPECT_TRUE(p.overflow);
	EXPECT_EQ(radius_finish(&p, S, nullptr), 0u);

	fill_to_the_brim(&p, 231);
	radius_put(&p, RADIUS_CLASS, "", 0);
	EXPECT_EQ(radius_finish(&p, S, nullptr), 0u);
}

TEST(CheckStr, EveryResultHasItsOwnText)
{
	const radius_check all[] = { RADIUS_OK,
				     RADIUS_BAD_LENGTH,
				     RADIUS_BAD_ATTRIBUTE,
				     RADIUS_BAD_AUTHENTICATOR,
				     RADIUS_NO_MESSAGE_AUTH,
				     RADIUS_BAD_MESSAGE_AUTH };
	for (size_t i = 0; i < 6; i++) {
		ASSERT_NE(radius_check_str(all[i]), nullptr);
		EXPECT_STRNE(radius_check_str(all[i]), "?");
		for (size_t j = 0; j < i; j++)
			EXPECT_STRNE(radius_check_str(all[i]), radius_check_str(all[j]));
	}
}
