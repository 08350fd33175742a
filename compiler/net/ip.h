#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace fwc::net {

using u128 = unsigned __int128;

enum class Family : uint8_t { v4, v6 };

// An address of either family, held in the low bits of a 128-bit integer.
struct Address {
  Family family = Family::v4;
  u128 value = 0;
};

struct Cidr {
  Family family = Family::v4;
  u128 addr = 0;  // network address (host bits cleared)
  uint8_t len = 0;
};

enum class CidrStatus { ok, host_bits_set, bad_address, bad_prefix };

struct CidrParse {
  CidrStatus status = CidrStatus::bad_address;
  Cidr cidr;            // valid for ok and host_bits_set (host bits already cleared)
  size_t error_offset = 0;  // where in the text the problem starts
};

bool parse_ipv4(std::string_view text, uint32_t& out);
bool parse_ipv6(std::string_view text, u128& out);
bool parse_address(std::string_view text, Address& out);
// "addr" or "addr/len"; a bare address is a /32 or /128.
CidrParse parse_cidr(std::string_view text);

// IPv4-mapped IPv6 (::ffff:0:0/96) is how dual-stack sockets show IPv4
// peers; on the wire such traffic is IPv4.
bool is_v4_mapped(const Address& a);
bool is_v4_mapped(const Cidr& c);  // the block lies inside ::ffff:0:0/96
// A mapped address as the IPv4 address it stands for; others unchanged.
Address unmapped(const Address& a);
// An address as a host reports a peer (SSH_CONNECTION, --from): any form
// parse_address takes, an IPv6 zone index ("%eth0") dropped, a mapped
// address taken as its IPv4 address.
bool parse_peer_address(std::string_view text, Address& out);

inline unsigned width(Family f) { return f == Family::v4 ? 32 : 128; }
inline u128 family_max(Family f) {
  return f == Family::v4 ? u128(0xffffffffu) : ~u128(0);
}
// Mask of the host bits of a prefix of length len.
inline u128 host_mask(Family f, unsigned len) {
  unsigned host = width(f) - len;
  if (host == 0) return 0;
  if (host >= 128) return ~u128(0);
  return (u128(1) << host) - 1;
}

std::string format_address(Family f, u128 value);
std::string format_cidr(const Cidr& c);  // bare address for /32 and /128

}  // namespace fwc::net
