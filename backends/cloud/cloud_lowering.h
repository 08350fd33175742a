#pragma once
#include <functional>
#include <string>
#include <vector>

#include "backends/cloud/cloud_model.h"

// Pieces of the cloud lowering shared between its source files.
namespace fwc::cloud::detail {

// Reports an approximation (FWC-W107) at a policy line.
using Warn = std::function<void(const ir::Origin& at, const std::string& message, const std::string& hint)>;

// "the DigitalOcean firewall", "the AWS security group", ...
std::string firewall_noun(Provider p);

bool overlaps(const net::AddrSet& a, const net::AddrSet& b);

// Cloud firewalls cannot deny: each block takes its addresses out of the
// sources (or destinations) of the allow rules it overlaps, splitting port
// ranges where it names services. A block whose subtraction would push the
// group over a provider limit is left out, with a warning that only the
// host firewall enforces it; so are native references, which cannot be
// narrowed. Returns whether any block changed the rules.
bool apply_blocks(Group& g, bool outbound, const std::vector<ir::Block>& blocks, const Warn& warn);

}  // namespace fwc::cloud::detail
