#pragma once
// Keyed hash of a probe's 4-tuple (SipHash-2-4, truncated to 32 bits): the
// TCP sequence number of a SYN probe. A reply belongs to a probe of this
// scan when its ack - 1 (or the sequence number an ICMP error quotes)
// equals the cookie of its tuple, so matching needs no table of probes.
#include <cstdint>

#include "validator/prober/packet.h"

namespace fwc::prober {

struct CookieKey {
  uint64_t k0 = 0, k1 = 0;
  static CookieKey random();
};

uint64_t siphash24(const CookieKey& key, const uint8_t* data, size_t len);

uint32_t cookie(const CookieKey& key, const IpAddr& src, const IpAddr& dst, uint16_t sport,
                uint16_t dport, L4 proto);

}  // namespace fwc::prober
