#pragma once
#include <sys/socket.h>

#include <optional>

#include "compiler/net/ip.h"

namespace fwc::net {

// The address a socket address holds (IPv4 or IPv6); none for other
// families or a null pointer. Interface lists and resolver answers both
// arrive as sockaddrs.
std::optional<Address> address_of(const sockaddr* sa);

}  // namespace fwc::net
