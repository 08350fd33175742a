#include "backends/common/escape.h"
#include "backends/firewalld/firewalld_lowering.h"

namespace fwc::firewalld {

using net::AddrSet;
using net::Family;
using net::PortRange;
using net::PortSet;
using net::Proto;

bool Builder::band_ok(const ir::Origin& o, int priority, int end, const char* what) {
  if (priority < end) return true;
  diags_.error(
      code::bad_value, o.loc,
      std::string("firewalld: too many ") + what + " for its rich-rule priority band (" + o.label + ")");
  return false;
}

std::string Builder::limit_of(const ir::Origin& o, const ir::Rate& r) {
  uint64_t count = r.count;
  if (count == 1 && r.unit == ir::RateUnit::day) {
    warn(o, "firewalld refuses the rate 1/day; written as 2/day",
         "choose a rate of at least 2/day, or 1/hour, for the same meaning on every target");
    count = 2;
  }
  return std::to_string(count) + "/" + ir::unit_name(r.unit)[0];
}

std::optional<RichLog> Builder::log_of(const ir::Origin& o, const ir::Log& l, bool limited) {
  RichLog out;
  out.prefix = escape::rich_value(l.prefix);
  if (out.prefix != l.prefix) {
    warn(o,
         "firewalld's rich-rule parser cannot carry '=' in a log prefix; written as \"" + out.prefix + "\"",
         "use a log prefix without '='");
  }
  out.level = ir::level_long_name(l.level);
  if (limited) out.limit = limit_of(o, l.rate);
  return out;
}

// Rules naming the same network share its ipset (same interval storage).
std::string Builder::ipset_for(Family f, const AddrSet& addrs, const std::string& hint,
                               const std::string& comment) {
  return shared_sets_.name_for(f, addrs, [&] {
    std::string name =
        ipset_names_.take(kIpsetPrefix, naming::sanitize(hint, "-."), f == Family::v4 ? "-4" : "-6");
    cfg_.ipsets.push_back(IpSet{name, f, addrs, comment});
    return name;
  });
}

std::vector<Builder::Side> Builder::sides(const Match& m, const std::string& comment, size_t inline_limit) {
  if (!m.addrs) return {Side{}};
  const AddrSet& addrs = *m.addrs;
  if (addrs.is_all(Family::v4) && addrs.is_all(Family::v6)) return {Side{}};
  std::vector<Side> out;
  for (Family f : {Family::v4, Family::v6}) {
    if (addrs.empty(f)) continue;
    if (addrs.is_all(f)) {
      out.push_back({f, std::nullopt});
      continue;
    }
    if (backend::wants_set(addrs, f, inline_limit)) {
      out.push_back({f, Addr{"", ipset_for(f, addrs, m.hint, comment)}});
      continue;
    }
    for (const auto& c : addrs.cidrs(f)) out.push_back({f, Addr{net::format_cidr(c), ""}});
  }
  return out;
}

namespace {

// `r` once, or once per port range of `ports`.
void per_port(Group& g, const RichRule& r, const std::optional<PortSet>& ports) {
  if (!ports || ports->all) {
    g.rules.push_back(r);
    return;
  }
  for (Proto p : {Proto::tcp, Proto::udp}) {
    for (const PortRange& range : ports->of(p)) {
      RichRule pr = r;
      pr.element = Element::port;
      pr.proto = p;
      pr.ports = range;
      g.rules.push_back(std::move(pr));
    }
  }
}

}  // namespace

void Builder::expand(Group& g, const Match& src, const Match& dst, const std::optional<PortSet>& ports,
                     const RichRule& base, const std::string& set_comment, size_t inline_limit) {
  std::vector<Side> srcs = sides(src, set_comment, inline_limit);
  std::vector<Side> dsts = sides(dst, set_comment, inline_limit);
  for (const Side& s : srcs) {
    for (const Side& d : dsts) {
      if (s.family && d.family && *s.family != *d.family) continue;
      RichRule r = base;
      r.family = s.family ? s.family : d.family;
      r.source = s.addr;
      r.destination = d.addr;
      per_port(g, r, ports);
    }
  }
}

void Builder::add_group(Container& c, Group g) {
  auto& seen = rule_texts_[c.name];
  std::vector<RichRule> kept;
  for (auto& r : g.rules)
    if (seen.insert(rich_text(r)).second) kept.push_back(std::move(r));
  if (kept.empty()) return;
  g.rules = std::move(kept);
  c.groups.push_back(std::move(g));
}

// Ports open to every source: only what earlier entries do not cover yet.
void Builder::add_ports(Container& c, const PortSet& ports, const std::string& comment) {
  PortSet& done = port_done_[c.name];
  PortSet fresh = ports.subtract(done);
  for (Proto p : {Proto::tcp, Proto::udp})
    for (PortRange r : fresh.of(p)) c.ports.push_back({comment, p, r});
  done.unite(ports);
}

}  // namespace fwc::firewalld
