#pragma once
// Packet building and parsing for the prober: IPv4/IPv6 with TCP, UDP,
// ICMP and ICMPv6. Everything works on layer-3 bytes (no link header).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fwc::prober {

using Bytes = std::vector<uint8_t>;

struct IpAddr {
  bool v6 = false;
  std::array<uint8_t, 16> b{};  // v4: first 4 bytes
  bool operator==(const IpAddr&) const = default;
  static std::optional<IpAddr> parse(const std::string& text);
  std::string str() const;
  size_t size() const { return v6 ? 16 : 4; }
};

enum class L4 : uint8_t { tcp = 6, udp = 17 };

namespace tcpflag {
constexpr uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10;
}

// The probes the scanner sends.
Bytes build_tcp(const IpAddr& src, const IpAddr& dst, uint16_t sport, uint16_t dport, uint32_t seq,
                uint32_t ack, uint8_t flags, uint16_t ip_id = 0);
Bytes build_udp(const IpAddr& src, const IpAddr& dst, uint16_t sport, uint16_t dport,
                const Bytes& payload, uint16_t ip_id = 0);
// An ICMP (v4) or ICMPv6 error quoting `quoted` (an IP packet), sent from
// `from` to the quoted packet's source.
Bytes build_icmp_error(const IpAddr& from, const Bytes& quoted, uint8_t type, uint8_t code);

// What a received packet says, as far as the scanner cares.
struct Parsed {
  enum class Kind { other, tcp, udp, icmp_error } kind = Kind::other;
  IpAddr src, dst;
  uint16_t sport = 0, dport = 0;
  uint32_t seq = 0, ack = 0;
  uint8_t flags = 0;
  // icmp_error: type/code and the quoted probe's header fields.
  bool icmp6 = false;
  uint8_t icmp_type = 0, icmp_code = 0;
  L4 quoted_proto = L4::tcp;
  IpAddr quoted_src, quoted_dst;
  uint16_t quoted_sport = 0, quoted_dport = 0;
  uint32_t quoted_seq = 0;
  bool quoted_has_seq = false;  // at least 8 bytes of the TCP header quoted
};

Parsed parse(const uint8_t* data, size_t len);
inline Parsed parse(const Bytes& b) { return parse(b.data(), b.size()); }

}  // namespace fwc::prober
