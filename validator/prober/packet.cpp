#include "validator/prober/packet.h"

#include <arpa/inet.h>

#include <cstring>

namespace fwc::prober {

std::optional<IpAddr> IpAddr::parse(const std::string& text) {
  IpAddr a;
  if (inet_pton(AF_INET, text.c_str(), a.b.data()) == 1) return a;
  a.v6 = true;
  if (inet_pton(AF_INET6, text.c_str(), a.b.data()) == 1) return a;
  return std::nullopt;
}

std::string IpAddr::str() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, b.data(), buf, sizeof buf);
  return buf;
}

namespace {

void put16(uint8_t* p, uint16_t v) { p[0] = uint8_t(v >> 8), p[1] = uint8_t(v); }
void put32(uint8_t* p, uint32_t v) { put16(p, uint16_t(v >> 16)), put16(p + 2, uint16_t(v)); }
uint16_t get16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
uint32_t get32(const uint8_t* p) { return uint32_t(get16(p)) << 16 | get16(p + 2); }

uint32_t sum_words(const uint8_t* p, size_t n, uint32_t sum = 0) {
  for (; n > 1; p += 2, n -= 2) sum += get16(p);
  if (n) sum += uint32_t(p[0]) << 8;
  return sum;
}

uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(~sum);
}

// Sum of the pseudo header of either family.
uint32_t pseudo(const IpAddr& src, const IpAddr& dst, uint8_t proto, size_t len) {
  uint32_t s = sum_words(src.b.data(), src.size());
  s = sum_words(dst.b.data(), dst.size(), s);
  s += proto;
  s += uint32_t(len >> 16) + uint32_t(len & 0xffff);
  return s;
}

constexpr uint8_t kIcmp6 = 58;

// An IP header for `payload_len` bytes of `proto`; returns its size.
size_t put_ip(Bytes& out, const IpAddr& src, const IpAddr& dst, uint8_t proto, size_t payload_len,
              uint16_t ip_id) {
  if (!src.v6) {
    out.assign(20 + payload_len, 0);
    uint8_t* h = out.data();
    h[0] = 0x45;
    put16(h + 2, uint16_t(20 + payload_len));
    put16(h + 4, ip_id);
    h[8] = 64;
    h[9] = proto;
    std::memcpy(h + 12, src.b.data(), 4);
    std::memcpy(h + 16, dst.b.data(), 4);
    put16(h + 10, fold(sum_words(h, 20)));
    return 20;
  }
  out.assign(40 + payload_len, 0);
  uint8_t* h = out.data();
  h[0] = 0x60;
  put16(h + 4, uint16_t(payload_len));
  h[6] = proto;
  h[7] = 64;
  std::memcpy(h + 8, src.b.data(), 16);
  std::memcpy(h + 24, dst.b.data(), 16);
  return 40;
}

}  // namespace

Bytes build_tcp(const IpAddr& src, const IpAddr& dst, uint16_t sport, uint16_t dport, uint32_t seq,
                uint32_t ack, uint8_t flags, uint16_t ip_id) {
  // 20-byte header plus an MSS option, as a SYN from a normal stack carries.
  const bool mss = flags & tcpflag::syn;
  const size_t tl = mss ? 24 : 20;
  Bytes out;
  size_t off = put_ip(out, src, dst, uint8_t(L4::tcp), tl, ip_id);
  uint8_t* t = out.data() + off;
  put16(t, sport);
  put16(t + 2, dport);
  put32(t + 4, seq);
  put32(t + 8, ack);
  t[12] = uint8_t((tl / 4) << 4);
  t[13] = flags;
  put16(t + 14, 1024);
  if (mss) t[20] = 2, t[21] = 4, put16(t + 22, 1460);
  put16(t + 16, fold(sum_words(t, tl, pseudo(src, dst, uint8_t(L4::tcp), tl))));
  return out;
}

Bytes build_udp(const IpAddr& src, const IpAddr& dst, uint16_t sport, uint16_t dport,
                const Bytes& payload, uint16_t ip_id) {
  const size_t ul = 8 + payload.size();
  Bytes out;
  size_t off = put_ip(out, src, dst, uint8_t(L4::udp), ul, ip_id);
  uint8_t* u = out.data() + off;
  put16(u, sport);
  put16(u + 2, dport);
  put16(u + 4, uint16_t(ul));
  if (!payload.empty()) std::memcpy(u + 8, payload.data(), payload.size());
  uint16_t c = fold(sum_words(u, ul, pseudo(src, dst, uint8_t(L4::udp), ul)));
  put16(u + 6, c == 0 ? 0xffff : c);
  return out;
}

Bytes build_icmp_error(const IpAddr& from, const Bytes& quoted, uint8_t type, uint8_t code) {
  IpAddr to;
  to.v6 = from.v6;
  std::memcpy(to.b.data(), quoted.data() + (from.v6 ? 8 : 12), to.size());
  const size_t ql = std::min<size_t>(quoted.size(), from.v6 ? 1232 : 548);
  const size_t il = 8 + ql;
  Bytes out;
  size_t off = put_ip(out, from, to, from.v6 ? kIcmp6 : 1, il, 0);
  uint8_t* m = out.data() + off;
  m[0] = type;
  m[1] = code;
  std::memcpy(m + 8, quoted.data(), ql);
  uint32_t s = from.v6 ? pseudo(from, to, kIcmp6, il) : 0;
  put16(m + 2, fold(sum_words(m, il, s)));
  return out;
}

namespace {

// Finds the L4 header of an IP packet: sets proto and returns its offset,
// or 0 when it cannot be found (truncated, a later fragment, ...).
size_t l4_offset(const uint8_t* d, size_t n, uint8_t& proto, IpAddr& src, IpAddr& dst) {
  if (n < 20) return 0;
  if ((d[0] >> 4) == 4) {
    size_t ihl = size_t(d[0] & 0x0f) * 4;
    if (ihl < 20 || n < ihl) return 0;
    if (get16(d + 6) & 0x1fff) return 0;  // not the first fragment
    proto = d[9];
    src.v6 = dst.v6 = false;
    std::memcpy(src.b.data(), d + 12, 4);
    std::memcpy(dst.b.data(), d + 16, 4);
    return ihl;
  }
  if ((d[0] >> 4) != 6 || n < 40) return 0;
  src.v6 = dst.v6 = true;
  std::memcpy(src.b.data(), d + 8, 16);
  std::memcpy(dst.b.data(), d + 24, 16);
  uint8_t nh = d[6];
  size_t off = 40;
  for (int hops = 0; hops < 8; ++hops) {
    if (nh == 0 || nh == 43 || nh == 60) {  // hop-by-hop, routing, destination options
      if (n < off + 8) return 0;
      nh = d[off];
      off += (size_t(d[off + 1]) + 1) * 8;
    } else if (nh == 44) {  // fragment
      if (n < off + 8 || (get16(d + off + 2) & 0xfff8)) return 0;
      nh = d[off];
      off += 8;
    } else {
      break;
    }
  }
  proto = nh;
  return off <= n ? off : 0;
}

bool is_icmp_error(bool v6, uint8_t type) {
  return v6 ? (type >= 1 && type <= 4) : (type == 3 || type == 11 || type == 12);
}

}  // namespace

Parsed parse(const uint8_t* d, size_t n) {
  Parsed p;
  uint8_t proto = 0;
  size_t off = l4_offset(d, n, proto, p.src, p.dst);
  if (!off) return p;
  const uint8_t* l = d + off;
  size_t ln = n - off;
  if (proto == uint8_t(L4::tcp) && ln >= 20) {
    p.kind = Parsed::Kind::tcp;
    p.sport = get16(l), p.dport = get16(l + 2);
    p.seq = get32(l + 4), p.ack = get32(l + 8);
    p.flags = l[13];
  } else if (proto == uint8_t(L4::udp) && ln >= 8) {
    p.kind = Parsed::Kind::udp;
    p.sport = get16(l), p.dport = get16(l + 2);
  } else if ((proto == 1 && !p.src.v6) || (proto == kIcmp6 && p.src.v6)) {
    if (ln < 8 || !is_icmp_error(p.src.v6, l[0])) return p;
    p.icmp6 = p.src.v6;
    p.icmp_type = l[0], p.icmp_code = l[1];
    uint8_t qproto = 0;
    size_t qoff = l4_offset(l + 8, ln - 8, qproto, p.quoted_src, p.quoted_dst);
    if (!qoff || p.quoted_src.v6 != p.src.v6) return p;
    if (qproto != uint8_t(L4::tcp) && qproto != uint8_t(L4::udp)) return p;
    const uint8_t* q = l + 8 + qoff;
    size_t qn = ln - 8 - qoff;
    if (qn < 4) return p;
    p.kind = Parsed::Kind::icmp_error;
    p.quoted_proto = L4(qproto);
    p.quoted_sport = get16(q), p.quoted_dport = get16(q + 2);
    if (qproto == uint8_t(L4::tcp) && qn >= 8) p.quoted_seq = get32(q + 4), p.quoted_has_seq = true;
  }
  return p;
}

}  // namespace fwc::prober
