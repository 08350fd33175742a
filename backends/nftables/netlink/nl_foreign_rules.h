#pragma once
#include <vector>

#include "backends/nftables/coexist/foreign.h"
#include "backends/nftables/coexist/simple_rule.h"
#include "backends/nftables/netlink/nl_session.h"

// The rules of one chain of another table, as simple rules when each is one
// (fwc explain --live).
namespace fwc::nft::netlink {

// `modelled` is false when some rule is not a simple rule.
bool read_simple_rules(Session& s, const coexist::ForeignChain& c, std::vector<coexist::SimpleRule>& out,
                       bool& modelled, Outcome& err);

}  // namespace fwc::nft::netlink
