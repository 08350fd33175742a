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

}  // namespace

AddrSet AddrSet::any() {
  AddrSet s;
  s.v4_.push_back({0, family_max(Family::v4)});
  s.v6_.push_back({0, family_max(Family::v6)});
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

void AddrSet::normalize() {
  merge_sorted(v4_);
  merge_sorted(v6_);
}

void AddrSet::unite(const AddrSet& other) {
  append(other);
  normalize();
}

void AddrSet::append(const AddrSet& other) {
  v4_.insert(v4_.end(), other.v4_.begin(), other.v4_.end());
  v6_.insert(v6_.end(), other.v6_.begin(), other.v6_.end());
}

void AddrSet::subtract(const AddrSet& other) {
  v4_ = subtract_intervals(v4_, other.v4_);
  v6_ = subtract_intervals(v6_, other.v6_);
}

bool AddrSet::contains(const Address& a) const {
  const auto& v = intervals(a.family);
  auto it = std::upper_bound(v.begin(), v.end(), a.value,
                             [](u128 value, const Interval& iv) { return value < iv.lo; });
  return it != v.begin() && std::prev(it)->hi >= a.value;
}

bool AddrSet::covers(const AddrSet& other) const {
  return intervals_cover(v4_, other.v4_) && intervals_cover(v6_, other.v6_);
}

bool AddrSet::is_all(Family f) const {
  const auto& v = intervals(f);
  return v.size() == 1 && v[0].lo == 0 && v[0].hi == family_max(f);
}

void interval_to_cidrs(Family f, Interval iv, std::vector<Cidr>& out) {
  const unsigned w = width(f);
  u128 lo = iv.lo;
  for (;;) {
    // Largest aligned block starting at lo that stays within hi.
    unsigned host = 0;
    while (host < w) {
      u128 size_mask = host + 1 >= 128 ? ~u128(0) : (u128(1) << (host + 1)) - 1;
      if ((lo & size_mask) != 0) break;
      if ((lo | size_mask) > iv.hi) break;
      ++host;
    }
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
