#include "backends/common/multiport.h"

namespace fwc::backend {

std::vector<std::vector<net::PortRange>> multiport_groups(const std::vector<net::PortRange>& ports) {
  std::vector<std::vector<net::PortRange>> out;
  size_t used = kMultiportSlots;
  for (const auto& r : ports) {
    size_t slots = r.lo == r.hi ? 1 : 2;
    if (used + slots > kMultiportSlots) {
      out.emplace_back();
      used = 0;
    }
    out.back().push_back(r);
    used += slots;
  }
  return out;
}

}  // namespace fwc::backend
