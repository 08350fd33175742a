#include "compiler/net/ip.h"

#include <arpa/inet.h>

#include <cstring>

namespace fwc::net {

bool parse_ipv4(std::string_view text, uint32_t& out) {
  // Strict dotted quad: four decimal octets, no leading zeros, nothing else.
  uint32_t value = 0;
  size_t pos = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (pos >= text.size() || text[pos] != '.') return false;
      ++pos;
    }
    size_t start = pos;
    uint32_t part = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      part = part * 10 + static_cast<uint32_t>(text[pos] - '0');
      if (part > 255 || pos - start >= 3) return false;
      ++pos;
    }
    if (pos == start) return false;
    if (pos - start > 1 && text[start] == '0') return false;
    value = (value << 8) | part;
  }
  if (pos != text.size()) return false;
  out = value;
  return true;
}

bool parse_ipv6(std::string_view text, u128& out) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN - 1) return false;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  unsigned char bytes[16];
  if (inet_pton(AF_INET6, buf, bytes) != 1) return false;
  u128 v = 0;
  for (unsigned char b : bytes) v = (v << 8) | b;
  out = v;
  return true;
}

bool parse_address(std::string_view text, Address& out) {
  uint32_t v4;
  if (parse_ipv4(text, v4)) {
    out = {Family::v4, v4};
    return true;
  }
  u128 v6;
  if (text.find(':') != std::string_view::npos && parse_ipv6(text, v6)) {
    out = {Family::v6, v6};
    return true;
  }
  return false;
}

CidrParse parse_cidr(std::string_view text) {
  CidrParse result;
  size_t slash = text.find('/');
  Address addr;
  if (!parse_address(text.substr(0, slash), addr)) return result;
  unsigned len = width(addr.family);
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    result.error_offset = slash + 1;
    if (digits.empty() || digits.size() > 3) {
      result.status = CidrStatus::bad_prefix;
      return result;
    }
    len = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') {
        result.status = CidrStatus::bad_prefix;
        return result;
      }
      len = len * 10 + static_cast<unsigned>(c - '0');
    }
    if (len > width(addr.family) || (digits.size() > 1 && digits[0] == '0')) {
      result.status = CidrStatus::bad_prefix;
      return result;
    }
  }
  u128 mask = host_mask(addr.family, len);
  result.cidr = {addr.family, addr.value & ~mask, static_cast<uint8_t>(len)};
  result.status = (addr.value & mask) ? CidrStatus::host_bits_set : CidrStatus::ok;
  return result;
}

namespace {
constexpr u128 kMappedPrefix = u128(0xffff) << 32;  // ::ffff:0:0/96
}  // namespace

bool is_v4_mapped(const Address& a) {
  return a.family == Family::v6 && (a.value >> 32) == (kMappedPrefix >> 32);
}

bool is_v4_mapped(const Cidr& c) {
  return c.family == Family::v6 && c.len >= 96 && (c.addr >> 32) == (kMappedPrefix >> 32);
}

Address unmapped(const Address& a) {
  if (!is_v4_mapped(a)) return a;
  return {Family::v4, a.value & 0xffffffffu};
}

bool parse_peer_address(std::string_view text, Address& out) {
  size_t zone = text.find('%');
  if (zone != std::string_view::npos) {
    // A zone index qualifies an IPv6 address and is not empty.
    if (text.find(':') == std::string_view::npos || zone + 1 == text.size()) return false;
    text = text.substr(0, zone);
  }
  Address a;
  if (!parse_address(text, a)) return false;
  out = unmapped(a);
  return true;
}

std::string format_address(Family f, u128 value) {
  char buf[INET6_ADDRSTRLEN];
  if (f == Family::v4) {
    uint32_t v = static_cast<uint32_t>(value);
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
    return buf;
  }
  unsigned char bytes[16];
  for (int i = 15; i >= 0; --i) {
    bytes[i] = static_cast<unsigned char>(value & 0xff);
    value >>= 8;
  }
  inet_ntop(AF_INET6, bytes, buf, sizeof buf);
  return buf;
}

std::string format_cidr(const Cidr& c) {
  std::string out = format_address(c.family, c.addr);
  if (c.len != width(c.family)) out += "/" + std::to_string(c.len);
  return out;
}

}  // namespace fwc::net
