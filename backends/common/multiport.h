#pragma once
#include <cstddef>
#include <vector>

#include "compiler/net/portset.h"

namespace fwc::backend {

// The kernel's multiport match holds 15 slots; a single port takes one, a
// range two. iptables rules and ufw commands (which load as multiport
// matches) both split longer port lists this way.
inline constexpr size_t kMultiportSlots = 15;

// `ports` in order, split into groups of at most kMultiportSlots slots.
std::vector<std::vector<net::PortRange>> multiport_groups(const std::vector<net::PortRange>& ports);

}  // namespace fwc::backend
