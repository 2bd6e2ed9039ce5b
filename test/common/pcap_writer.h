// SPDX-License-Identifier: BSD-2-Clause
// Writes UDP payloads as Ethernet/IPv4/UDP frames into a classic pcap file,
// so that what engines say to each other in tests can be read by tshark.
#ifndef PCAP_WRITER_H
#define PCAP_WRITER_H

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

extern "C" {
#include "l2tp_wire.h"
}

class PcapWriter
{
      public:
	explicit PcapWriter(const std::string &path) : f_(fopen(path.c_str(), "wb"))
	{
		if (!f_)
			return;
		uint8_t h[24] = {};
		le32(h, 0xa1b2c3d4);
		le16(h + 4, 2);
		le16(h + 6, 4);
		le32(h + 16, 65535);
		le32(h + 20, 1); // LINKTYPE_ETHERNET
		fwrite(h, 1, sizeof(h), f_);
	}

	~PcapWriter()
	{
		if (f_)
			fclose(f_);
	}

	bool ok() const
	{
		return f_ != nullptr;
	}

	// src/dst are IPv4 addresses as 4 bytes, ports in host order.
	void udp(uint64_t now_ms, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
		 uint16_t dport, const uint8_t *payload, size_t len)
	{
		std::vector<uint8_t> f(14 + 20 + 8 + len);
		uint8_t *eth = f.data(), *ip = eth + 14, *udp = ip + 20;
		const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 1 },
			      mac_b[6] = { 0x02, 0, 0, 0, 0, 2 };
		std::copy(mac_b, mac_b + 6, eth);
		std::copy(mac_a, mac_a + 6, eth + 6);
		put_be16(eth + 12, 0x0800);
		ip[0] = 0x45;
		put_be16(ip + 2, (uint16_t)(20 + 8 + len));
		put_be16(ip + 4, ip_id_++);
		ip[8] = 64;
		ip[9] = 17;
		std::copy(src, src + 4, ip + 12);
		std::copy(dst, dst + 4, ip + 16);
		put_be16(ip + 10, checksum(ip, 20));
		put_be16(udp, sport);
		put_be16(udp + 2, dport);
		put_be16(udp + 4, (uint16_t)(8 + len));
		std::copy(payload, payload + len, udp + 8);
		put_be16(udp + 6, udp_checksum(ip, udp, 8 + len));
		record(now_ms, f);
	}

      private:
	FILE *f_;
	uint16_t ip_id_ = 1;

	static void le16(uint8_t *p, uint16_t v)
	{
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
	}
	static void le32(uint8_t *p, uint32_t v)
	{
		le16(p, (uint16_t)v);
		le16(p + 2, (uint16_t)(v >> 16));
	}
	static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s = 0)
	{
		for (size_t i = 0; i + 1 < n; i += 2)
			s += get_be16(p + i);
		if (n & 1)
			s += (uint32_t)p[n - 1] << 8;
		return s;
	}
	static uint16_t fold(uint32_t s)
	{
		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		return (uint16_t)~s;
	}
	static uint16_t checksum(const uint8_t *p, size_t n)
	{
		return fold(sum16(p, n));
	}
	static uint16_t udp_checksum(const uint8_t *ip, const uint8_t *udp, size_t n)
	{
		uint32_t s = sum16(ip + 12, 8);
		s += 17 + (uint32_t)n;
		uint16_t c = fold(sum16(udp, n, s));
		return c == 0 ? 0xffff : c;
	}
	void record(uint64_t now_ms, const std::vector<uint8_t> &frame)
	{
		if (!f_)
			return;
		uint8_t h[16];
		le32(h, (uint32_t)(now_ms / 1000));
		le32(h + 4, (uint32_t)(now_ms % 1000 * 1000));
		le32(h + 8, (uint32_t)frame.size());
		le32(h + 12, (uint32_t)frame.size());
		fwrite(h, 1, sizeof(h), f_);
		fwrite(frame.data(), 1, frame.size(), f_);
	}
};

#endif
