#pragma once
#include <string>
#include <vector>

#include "backends/nftables/live/model.h"

// `fwc refresh`: what it takes to bring the live table to the policy when
// only the elements of refreshable sets (networks from host names and
// `file:` lists) may change.
namespace fwc::nft::live {

struct SetChange {
  std::string set;
  net::Family family = net::Family::v4;
  net::AddrSet gained, lost;            // what the policy adds and drops
  std::vector<net::Cidr> remove, add;   // the elements to delete, then add
};

struct RefreshPlan {
  // Anything but those elements differs (or no table is installed): the
  // diff lines, and refresh changes nothing.
  std::vector<std::string> other;
  std::vector<SetChange> sets;  // only sets whose elements differ
  bool needs_apply() const { return !other.empty(); }
};

// `live` must hold the elements of the refreshable sets (a full read).
// Elements are CIDRs as fwc writes them: each interval of the set cut into
// CIDRs. A changed interval's old elements are deleted and the new
// interval's added, so the live set keeps that form.
RefreshPlan plan_refresh(const Model& live, const Model& want, const std::vector<std::string>& refreshable);

}  // namespace fwc::nft::live
