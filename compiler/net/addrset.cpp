#include "compiler/net/addrset.h"

#include <algorithm>

namespace fwc::net {

namespace {

void merge_sorted(std::vector<Interval>& v) {
  std::sort(v.begin(), v.end(), [](const Interval& a, const Interval& b) { return a.lo < b.lo; });
  size_t out = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    // Adjacent intervals merge too ("+1" must not overflow at the top).
    if (out > 0 && (v[out - 1].hi == ~u128(0) || v[i].lo <= v[out - 1].hi + 1)) {
      v[out - 1].hi = std::max(v[out - 1].hi, v[i].hi);
    } else {
      v[out++] = v[i];
    }
  }
  v.resize(out);
}

std::vector<Interval> subtract_intervals(const std::vector<Interval>& a,
                                         const std::vector<Interval>& b) {
  std::vector<Interval> out;
  size_t j = 0;
  for (Interval cur : a) {
    while (j < b.size() && b[j].hi < cur.lo) ++j;
    size_t k = j;
    bool alive = true;
    while (alive && k < b.size() && b[k].lo <= cur.hi) {
      if (b[k].lo > cur.lo) out.push_back({cur.lo, b[k].lo - 1});
      if (b[k].hi >= cur.hi) alive = false;
      else cur.lo = b[k].hi + 1;
      ++k;
    }
    if (alive) out.push_back(cur);
  }
  return out;
}

bool intervals_cover(const std::vector<Interval>& outer, const std::vector<Interval>& inner) {
  size_t j = 0;
  for (const Interval& iv : inner) {
    while (j < outer.size() && outer[j].hi < iv.lo) ++j;
    if (j == outer.size() || outer[j].lo > iv.lo || outer[j].hi < iv.hi) return false;
  }
  return true;
}

// Both sorted and disjoint: one pass over the two lists.
template <typename OnCommon>
void common_parts(const std::vector<Interval>& a, const std::vector<Interval>& b, OnCommon on_common) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    u128 lo = std::max(a[i].lo, b[j].lo), hi = std::min(a[i].hi, b[j].hi);
    if (lo <= hi && !on_common(Interval{lo, hi})) return;
    (a[i].hi < b[j].hi ? i : j)++;
  }
}

}  // namespace

AddrSet AddrSet::intersect(const AddrSet& other) const {
  AddrSet out;
  for (Family f : {Family::v4, Family::v6})
    common_parts(intervals(f), other.intervals(f), [&](Interval iv) {
      out.add_interval(f, iv);
      return true;
    });
  return out;  // already sorted, disjoint and non-adjacent
}

bool AddrSet::overlaps(const AddrSet& other) const {
  bool found = false;
  for (Family f : {Family::v4, Family::v6})
    common_parts(intervals(f), other.intervals(f), [&](Interval) { return !(found = true); });
  return found;
}

const std::vector<Interval>& AddrSet::intervals(Family f) const {
  static const Intervals kEmpty;
  const auto& p = f == Family::v4 ? v4_ : v6_;
  return p ? *p : kEmpty;
}

AddrSet::Intervals& AddrSet::mut(Family f) {
  auto& p = f == Family::v4 ? v4_ : v6_;
  if (!p) p = std::make_shared<Intervals>();
  else if (p.use_count() > 1) p = std::make_shared<Intervals>(*p);
  return *p;
}

bool AddrSet::operator==(const AddrSet& other) const {
  return intervals(Family::v4) == other.intervals(Family::v4) &&
         intervals(Family::v6) == other.intervals(Family::v6);
}

AddrSet AddrSet::any() {
  AddrSet s;
  s.mut(Family::v4).push_back({0, family_max(Family::v4)});
  s.mut(Family::v6).push_back({0, family_max(Family::v6)});
  return s;
}

AddrSet AddrSet::any_of(Family f) {
  AddrSet s;
  s.mut(f).push_back({0, family_max(f)});
  return s;
}

void AddrSet::add(const Cidr& c) {
  mut(c.family).push_back({c.addr, c.addr | host_mask(c.family, c.len)});
}

void AddrSet::add_interval(Family f, Interval iv) { mut(f).push_back(iv); }

namespace {
bool is_normal(const std::vector<Interval>& v) {
  for (size_t i = 1; i < v.size(); ++i)
    if (v[i - 1].hi == ~u128(0) || v[i].lo <= v[i - 1].hi + 1) return false;
  return true;
}
}  // namespace

void AddrSet::normalize() {
  // Already-normal storage is left alone, so copies keep sharing it.
  for (Family f : {Family::v4, Family::v6})
    if (!is_normal(intervals(f))) merge_sorted(mut(f));
}

void AddrSet::unite(const AddrSet& other) {
  append(other);
  normalize();
}

void AddrSet::append(const AddrSet& other) {
  for (Family f : {Family::v4, Family::v6}) {
    const auto& theirs = other.intervals(f);
    if (theirs.empty()) continue;
    if (intervals(f).empty()) {
      (f == Family::v4 ? v4_ : v6_) = (f == Family::v4 ? other.v4_ : other.v6_);  // share, no copy
      continue;
    }
    auto& mine = mut(f);
    mine.insert(mine.end(), theirs.begin(), theirs.end());
  }
}

void AddrSet::subtract(const AddrSet& other) {
  for (Family f : {Family::v4, Family::v6})
    if (!intervals(f).empty() && !other.intervals(f).empty())
      mut(f) = subtract_intervals(intervals(f), other.intervals(f));
}

bool AddrSet::contains(const Address& a) const {
  const auto& v = intervals(a.family);
  auto it = std::upper_bound(v.begin(), v.end(), a.value,
                             [](u128 value, const Interval& iv) { return value < iv.lo; });
  return it != v.begin() && std::prev(it)->hi >= a.value;
}

bool AddrSet::covers(const AddrSet& other) const {
  return intervals_cover(intervals(Family::v4), other.intervals(Family::v4)) &&
         intervals_cover(intervals(Family::v6), other.intervals(Family::v6));
}

bool AddrSet::is_all(Family f) const {
  const auto& v = intervals(f);
  return v.size() == 1 && v[0].lo == 0 && v[0].hi == family_max(f);
}

namespace {
unsigned trailing_zeros(u128 v, unsigned w) {
  if (v == 0) return w;
  uint64_t low = static_cast<uint64_t>(v);
  if (low) return static_cast<unsigned>(__builtin_ctzll(low));
  return 64 + static_cast<unsigned>(__builtin_ctzll(static_cast<uint64_t>(v >> 64)));
}
unsigned floor_log2(u128 v) {  // v > 0
  uint64_t high = static_cast<uint64_t>(v >> 64);
  if (high) return 127 - static_cast<unsigned>(__builtin_clzll(high));
  return 63 - static_cast<unsigned>(__builtin_clzll(static_cast<uint64_t>(v)));
}
}  // namespace

void interval_to_cidrs(Family f, Interval iv, std::vector<Cidr>& out) {
  const unsigned w = width(f);
  if (iv.lo == 0 && iv.hi == family_max(f)) {
    out.push_back({f, 0, 0});
    return;
  }
  u128 lo = iv.lo;
  for (;;) {
    // Largest aligned block starting at lo that stays within hi: limited by
    // lo's alignment and by the number of addresses left.
    unsigned host = std::min(trailing_zeros(lo, w), floor_log2(iv.hi - lo + 1));
    out.push_back({f, lo, static_cast<uint8_t>(w - host)});
    u128 last = lo | host_mask(f, w - host);
    if (last >= iv.hi) break;
    lo = last + 1;
  }
}

std::vector<Cidr> AddrSet::cidrs(Family f) const {
  std::vector<Cidr> out;
  for (const Interval& iv : intervals(f)) interval_to_cidrs(f, iv, out);
  return out;
}

size_t AddrSet::cidr_count(Family f) const {
  size_t n = 0;
  std::vector<Cidr> tmp;
  for (const Interval& iv : intervals(f)) {
    tmp.clear();
    interval_to_cidrs(f, iv, tmp);
    n += tmp.size();
  }
  return n;
}

}  // namespace fwc::net
