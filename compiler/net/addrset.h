#pragma once
#include <memory>
#include <vector>

#include "compiler/net/ip.h"

namespace fwc::net {

struct Interval {
  u128 lo = 0;
  u128 hi = 0;  // inclusive
  bool operator==(const Interval&) const = default;
};

// A set of addresses of both families, kept as sorted, disjoint,
// non-adjacent intervals per family. All set algebra of the compiler
// (union of entries, `except`, shadowing, membership) happens here; CIDR
// lists are derived from the intervals, so the output is always minimal.
//
// Copies share their interval storage until one of them changes (copy on
// write): a million-entry block list flows from the policy through rules,
// node rulesets and backends without being duplicated.
class AddrSet {
 public:
  static AddrSet any();
  static AddrSet any_of(Family f);

  // Bulk insertion: add freely, then normalize() once.
  void add(const Cidr& c);
  void add_interval(Family f, Interval iv);
  void reserve(Family f, size_t n) { mut(f).reserve(intervals(f).size() + n); }
  void normalize();

  void unite(const AddrSet& other);
  void append(const AddrSet& other);  // like unite, but leaves normalize() to the caller
  void subtract(const AddrSet& other);

  bool contains(const Address& a) const;
  bool covers(const AddrSet& other) const;  // other ⊆ this
  AddrSet intersect(const AddrSet& other) const;
  bool overlaps(const AddrSet& other) const;  // the intersection is not empty
  bool empty() const { return intervals(Family::v4).empty() && intervals(Family::v6).empty(); }
  bool empty(Family f) const { return intervals(f).empty(); }
  bool is_all(Family f) const;

  const std::vector<Interval>& intervals(Family f) const;
  // Identifies the shared storage: equal for copies of one set (cheap dedupe).
  const void* identity(Family f) const { return (f == Family::v4 ? v4_ : v6_).get(); }
  std::vector<Cidr> cidrs(Family f) const;
  size_t cidr_count(Family f) const;

  bool operator==(const AddrSet& other) const;

 private:
  using Intervals = std::vector<Interval>;
  Intervals& mut(Family f);
  std::shared_ptr<Intervals> v4_, v6_;  // null: empty
};

// Smallest list of CIDRs covering exactly [lo, hi].
void interval_to_cidrs(Family f, Interval iv, std::vector<Cidr>& out);

}  // namespace fwc::net
