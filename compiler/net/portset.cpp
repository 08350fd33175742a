#include "compiler/net/portset.h"

#include <algorithm>

namespace fwc::net {

const char* proto_name(Proto p) { return p == Proto::tcp ? "tcp" : "udp"; }

namespace {
void merge(std::vector<PortRange>& v) {
  std::sort(v.begin(), v.end(), [](const PortRange& a, const PortRange& b) { return a.lo < b.lo; });
  size_t out = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (out > 0 && v[i].lo <= static_cast<uint32_t>(v[out - 1].hi) + 1) {
      v[out - 1].hi = std::max(v[out - 1].hi, v[i].hi);
    } else {
      v[out++] = v[i];
    }
  }
  v.resize(out);
}

bool ranges_cover(const std::vector<PortRange>& outer, const std::vector<PortRange>& inner) {
  for (const PortRange& r : inner) {
    bool found = std::any_of(outer.begin(), outer.end(),
                             [&](const PortRange& o) { return o.lo <= r.lo && o.hi >= r.hi; });
    if (!found) return false;
  }
  return true;
}

bool ranges_intersect(const std::vector<PortRange>& a, const std::vector<PortRange>& b) {
  for (const PortRange& x : a)
    for (const PortRange& y : b)
      if (x.lo <= y.hi && y.lo <= x.hi) return true;
  return false;
}

bool parse_port(std::string_view s, uint16_t& out, std::string& detail) {
  if (s.empty() || s.size() > 6) {
    detail = s.empty() ? "empty port" : "port out of range";
    return false;
  }
  uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      detail = "'" + std::string(s) + "' is not a port number";
      return false;
    }
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  if (v < 1 || v > 65535) {
    detail = "port " + std::string(s) + " is out of range 1-65535";
    return false;
  }
  out = static_cast<uint16_t>(v);
  return true;
}
}  // namespace

void PortSet::normalize() {
  merge(tcp);
  merge(udp);
  if (all) {
    tcp.clear();
    udp.clear();
  }
}

void PortSet::unite(const PortSet& other) {
  all = all || other.all;
  tcp.insert(tcp.end(), other.tcp.begin(), other.tcp.end());
  udp.insert(udp.end(), other.udp.begin(), other.udp.end());
  normalize();
}

bool PortSet::contains(Proto p, uint16_t port) const {
  if (all) return true;
  const auto& v = of(p);
  return std::any_of(v.begin(), v.end(), [&](const PortRange& r) { return r.lo <= port && port <= r.hi; });
}

bool PortSet::covers(const PortSet& other) const {
  if (all) return true;
  if (other.all) return false;
  return ranges_cover(tcp, other.tcp) && ranges_cover(udp, other.udp);
}

bool PortSet::intersects(const PortSet& other) const {
  if (empty() || other.empty()) return false;
  if (all || other.all) return true;
  return ranges_intersect(tcp, other.tcp) || ranges_intersect(udp, other.udp);
}

namespace {

// Both sorted and merged.
std::vector<PortRange> ranges_common(const std::vector<PortRange>& a, const std::vector<PortRange>& b) {
  std::vector<PortRange> out;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    uint16_t lo = std::max(a[i].lo, b[j].lo), hi = std::min(a[i].hi, b[j].hi);
    if (lo <= hi) out.push_back({lo, hi});
    (a[i].hi < b[j].hi ? i : j)++;
  }
  return out;
}

std::vector<PortRange> ranges_minus(const std::vector<PortRange>& from, const std::vector<PortRange>& minus) {
  std::vector<PortRange> out;
  for (PortRange r : from) {
    uint32_t lo = r.lo;
    for (const PortRange& m : minus) {
      if (m.hi < lo || m.lo > r.hi) continue;
      if (m.lo > lo) out.push_back({static_cast<uint16_t>(lo), static_cast<uint16_t>(m.lo - 1)});
      lo = static_cast<uint32_t>(m.hi) + 1;
      if (lo > r.hi) break;
    }
    if (lo <= r.hi) out.push_back({static_cast<uint16_t>(lo), r.hi});
  }
  return out;
}

const std::vector<PortRange>& every_port() {
  static const std::vector<PortRange> all{{0, 65535}};
  return all;
}

}  // namespace

PortSet PortSet::intersect(const PortSet& other) const {
  if (all) return other;
  if (other.all) return *this;
  PortSet out;
  out.tcp = ranges_common(tcp, other.tcp);
  out.udp = ranges_common(udp, other.udp);
  return out;
}

PortSet PortSet::subtract(const PortSet& other) const {
  PortSet out;
  if (other.all) return out;
  for (Proto p : {Proto::tcp, Proto::udp}) out.of(p) = ranges_minus(all ? every_port() : of(p), other.of(p));
  return out;
}

PortSpecParse parse_port_spec(std::string_view text) {
  PortSpecParse r;
  if (text.empty() || text[0] < '0' || text[0] > '9') return r;
  size_t slash = text.find('/');
  std::string_view ports = text.substr(0, slash);
  if (slash == std::string_view::npos) {
    r.status = PortSpecStatus::missing_proto;
    r.detail = "port '" + std::string(text) + "' has no protocol";
    return r;
  }
  std::string_view proto = text.substr(slash + 1);
  if (proto == "tcp") r.proto = Proto::tcp;
  else if (proto == "udp") r.proto = Proto::udp;
  else {
    r.status = PortSpecStatus::bad_proto;
    r.detail = "unknown protocol '" + std::string(proto) + "' (expected tcp or udp)";
    return r;
  }
  size_t dash = ports.find('-');
  std::string_view lo = ports.substr(0, dash);
  std::string_view hi = dash == std::string_view::npos ? lo : ports.substr(dash + 1);
  if (!parse_port(lo, r.range.lo, r.detail) || !parse_port(hi, r.range.hi, r.detail)) {
    r.status = PortSpecStatus::bad_port;
    return r;
  }
  if (r.range.lo > r.range.hi) {
    r.status = PortSpecStatus::reversed;
    r.detail = "port range " + std::string(ports) + " is reversed";
    return r;
  }
  r.status = PortSpecStatus::ok;
  return r;
}

std::string format_range(PortRange r, char sep) {
  if (r.lo == r.hi) return std::to_string(r.lo);
  return std::to_string(r.lo) + sep + std::to_string(r.hi);
}

}  // namespace fwc::net
