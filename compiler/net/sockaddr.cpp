#include "compiler/net/sockaddr.h"

#include <netinet/in.h>

namespace fwc::net {

std::optional<Address> address_of(const sockaddr* sa) {
  if (!sa) return std::nullopt;
  if (sa->sa_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
    return Address{Family::v4, ntohl(sin->sin_addr.s_addr)};
  }
  if (sa->sa_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
    u128 v = 0;
    for (uint8_t b : sin6->sin6_addr.s6_addr) v = (v << 8) | b;
    return Address{Family::v6, v};
  }
  return std::nullopt;
}

}  // namespace fwc::net
