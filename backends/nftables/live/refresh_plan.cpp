#include "backends/nftables/live/refresh_plan.h"

#include <algorithm>

namespace fwc::nft::live {

namespace {

// `x` lies below `y` with at least one address between them.
bool apart(const net::Interval& x, const net::Interval& y) { return x.hi < y.lo && y.lo - x.hi > 1; }

// The intervals of `set` that overlap or touch an interval of `changed`,
// as CIDRs: rewriting them whole keeps the set's elements in fwc's form.
std::vector<net::Cidr> touched(const net::AddrSet& set, const net::AddrSet& changed, net::Family f) {
  const auto& diff = changed.intervals(f);
  std::vector<net::Cidr> out;
  for (const auto& iv : set.intervals(f)) {
    auto it = std::partition_point(diff.begin(), diff.end(), [&](const net::Interval& d) { return apart(d, iv); });
    if (it == diff.end() || apart(iv, *it)) continue;
    net::interval_to_cidrs(f, iv, out);
  }
  return out;
}

// A refreshable set's elements left out, so the rest compares as usual.
Model without_elements(const Model& m, const std::vector<std::string>& refreshable) {
  Model out = m;
  for (auto& s : out.sets) {
    if (std::find(refreshable.begin(), refreshable.end(), s.name) == refreshable.end()) continue;
    s.addrs = {};
    s.digest.clear();
    s.count = -1;
    s.elements_known = true;
  }
  return out;
}

}  // namespace

RefreshPlan plan_refresh(const Model& live, const Model& want, const std::vector<std::string>& refreshable) {
  RefreshPlan plan;
  if (!live.exists) {
    plan.other.push_back("+ table inet fwc (not installed yet)");
    return plan;
  }
  plan.other = diff(without_elements(live, refreshable), without_elements(want, refreshable));
  if (!plan.other.empty()) return plan;
  for (const auto& w : want.sets) {
    if (std::find(refreshable.begin(), refreshable.end(), w.name) == refreshable.end()) continue;
    const auto l = std::find_if(live.sets.begin(), live.sets.end(), [&](const SetEntry& e) { return e.name == w.name; });
    if (!l->elements_known) {
      plan.other.push_back("~ set " + w.name + ": elements not read");
      return plan;
    }
    SetChange c{w.name, w.family, w.addrs, l->addrs, {}, {}};
    c.gained.subtract(l->addrs);
    c.lost.subtract(w.addrs);
    if (c.gained.empty(w.family) && c.lost.empty(w.family)) continue;
    net::AddrSet changed = c.gained;
    changed.append(c.lost);
    changed.normalize();
    c.remove = touched(l->addrs, changed, w.family);
    c.add = touched(w.addrs, changed, w.family);
    plan.sets.push_back(std::move(c));
  }
  return plan;
}

}  // namespace fwc::nft::live
