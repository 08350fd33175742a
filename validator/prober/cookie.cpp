#include "validator/prober/cookie.h"

#include <cstring>
#include <random>

namespace fwc::prober {

CookieKey CookieKey::random() {
  std::random_device rd;
  CookieKey k;
  k.k0 = uint64_t(rd()) << 32 | rd();
  k.k1 = uint64_t(rd()) << 32 | rd();
  return k;
}

namespace {

uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

struct Sip {
  uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1, v1 = rotl(v1, 13), v1 ^= v0, v0 = rotl(v0, 32);
    v2 += v3, v3 = rotl(v3, 16), v3 ^= v2;
    v0 += v3, v3 = rotl(v3, 21), v3 ^= v0;
    v2 += v1, v1 = rotl(v1, 17), v1 ^= v2, v2 = rotl(v2, 32);
  }
  void block(uint64_t m) {
    v3 ^= m;
    round(), round();
    v0 ^= m;
  }
};

uint64_t load_le(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t(p[i]) << (8 * i);
  return v;
}

}  // namespace

uint64_t siphash24(const CookieKey& key, const uint8_t* data, size_t len) {
  Sip s{key.k0 ^ 0x736f6d6570736575ULL, key.k1 ^ 0x646f72616e646f6dULL,
        key.k0 ^ 0x6c7967656e657261ULL, key.k1 ^ 0x7465646279746573ULL};
  size_t full = len / 8 * 8;
  for (size_t i = 0; i < full; i += 8) s.block(load_le(data + i, 8));
  s.block(load_le(data + full, len - full) | uint64_t(len & 0xff) << 56);
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint32_t cookie(const CookieKey& key, const IpAddr& src, const IpAddr& dst, uint16_t sport,
                uint16_t dport, L4 proto) {
  uint8_t buf[37];
  std::memcpy(buf, src.b.data(), 16);
  std::memcpy(buf + 16, dst.b.data(), 16);
  buf[32] = uint8_t(sport >> 8), buf[33] = uint8_t(sport);
  buf[34] = uint8_t(dport >> 8), buf[35] = uint8_t(dport);
  buf[36] = uint8_t(proto);
  uint64_t h = siphash24(key, buf, sizeof buf);
  return uint32_t(h ^ (h >> 32));
}

}  // namespace fwc::prober
