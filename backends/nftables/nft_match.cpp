#include "backends/nftables/nft_lowering.h"

namespace fwc::nft::lowering {

// Rules naming the same network share its set (same interval storage).
std::string Lowering::set_for(Family f, const net::AddrSet& addrs, const std::string& hint) {
  return shared_sets_.name_for(f, addrs, [&] {
    Set s;
    s.name = unique_name(sanitize_name(hint) + (f == Family::v4 ? "_v4" : "_v6"));
    s.family = f;
    s.addrs = addrs;
    t_.sets.push_back(s);
    return s.name;
  });
}

// The `never:` addresses of one family, as the set live blocks exclude
// (present even when empty: `fwc block` reads it to refuse them).
std::string Lowering::never_set(Family f) {
  std::string name = f == Family::v4 ? "never_v4" : "never_v6";
  for (const auto& s : t_.sets)
    if (s.name == name) return name;
  Set s;
  s.name = names_.take("", name);
  s.family = f;
  s.addrs = rs_.never;
  s.comment = "never: addresses no live block set drops";
  t_.sets.push_back(s);
  return s.name;
}

// A live block set: `dyn_NAME_v4`/`_v6` (the names fwc block looks for),
// matched by source, never when the source is in `never:`.
void Lowering::live_block(const ir::Block& b) {
  const ir::DynamicSet& d = *b.dynamic;
  Rule base;
  base.comment = comment_for(b.origin);
  for (Family f : {Family::v4, Family::v6}) {
    std::string& name = live_sets_[{d.name, static_cast<int>(f)}];
    if (name.empty()) {
      Set s;
      s.name = names_.take("", "dyn_" + sanitize_name(d.name) + (f == Family::v4 ? "_v4" : "_v6"));
      s.family = f;
      s.live = true;
      s.size = d.max;
      if (d.timeout) s.timeout = nft_duration(d.timeout);
      s.comment = "dynamic " + d.name;
      t_.sets.push_back(s);
      name = s.name;
    }
    Rule r = base;
    r.addr = AddrMatch{false, false, f, name, {}};
    r.addr2 = AddrMatch{false, true, f, never_set(f), {}};
    if (b.log) {
      Rule l = r;
      l.limit = LimitStmt{b.log->rate, 0, false};
      l.log = LogStmt{b.log->prefix, b.log->level};
      chain_.rules.push_back(std::move(l));
    }
    r.verdict = verdict_of(b.action);
    chain_.rules.push_back(std::move(r));
  }
}

// A network whose addresses come from host names or lists has one set per
// family, even an empty one, named after the network: refresh finds it by
// that name and fills it when the answers change.
std::string Lowering::refreshable_set_for(Family f, const ir::Peer& peer, const std::string& hint) {
  std::string key = (f == Family::v4 ? "4 " : "6 ") +
                    (peer.name.empty() ? hint + " " + std::to_string(reinterpret_cast<uintptr_t>(peer.addrs.identity(f)))
                                       : "network " + peer.name);
  if (auto it = refreshable_sets_.find(key); it != refreshable_sets_.end()) return it->second;
  Set s;
  s.name = unique_name(sanitize_name(peer.name.empty() ? hint : peer.name) + (f == Family::v4 ? "_v4" : "_v6"));
  s.family = f;
  s.addrs = peer.addrs;
  s.refreshable = true;
  t_.sets.push_back(s);
  refreshable_sets_.emplace(key, s.name);
  return s.name;
}

std::string Lowering::unique_name(const std::string& base) {
  return names_.take("", base);
}

std::optional<AddrMatch> Lowering::addr_match(const ir::Peer& peer, Family f, bool daddr,
                                              const std::string& hint) {
  if (peer.addrs.empty(f) && !peer.refreshable) return std::nullopt;
  AddrMatch m;
  m.daddr = daddr;
  m.family = f;
  if (peer.any(f)) return m;  // family only
  if (peer.refreshable) {
    m.set = refreshable_set_for(f, peer, hint);
    return m;
  }
  if (backend::wants_set(peer.addrs, f))
    m.set = set_for(f, peer.addrs, peer.name.empty() ? hint : peer.name);
  else
    m.elems = peer.addrs.cidrs(f);
  return m;
}

void Lowering::expand(Chain& c, const ir::Peer& peer, bool daddr, const std::optional<net::PortSet>& ports,
                      const Rule& base, const std::string& set_hint) {
  std::vector<std::optional<AddrMatch>> addrs;
  if (peer.any(Family::v4) && peer.any(Family::v6)) {
    addrs.push_back(std::nullopt);
  } else {
    for (Family f : {Family::v4, Family::v6})
      if (auto m = addr_match(peer, f, daddr, set_hint)) addrs.push_back(m);
  }
  for (const auto& a : addrs) {
    auto emit_one = [&](std::optional<PortMatch> pm) {
      Rule r = base;
      r.addr = a;
      r.port = std::move(pm);
      c.rules.push_back(std::move(r));
    };
    if (!ports || ports->all) {
      emit_one(std::nullopt);
      continue;
    }
    for (net::Proto p : {net::Proto::tcp, net::Proto::udp})
      if (!ports->of(p).empty()) emit_one(PortMatch{p, ports->of(p), published_});
  }
}

// A log statement with its own rate limit sits in a rule of its own just
// before the verdict rule: a limit in the verdict rule would let packets
// over the log rate skip the verdict.
void Lowering::logged(Chain& c, const Rule& base, const std::optional<ir::Log>& log, bool rate_limited) {
  if (!log) return;
  Rule r = base;
  r.verdict = Verdict::none;
  if (rate_limited) r.limit = LimitStmt{log->rate, 0, false};
  r.log = LogStmt{log->prefix, log->level};
  c.rules.push_back(std::move(r));
}

void Lowering::refuse(Chain& c, const ir::Peer& peer, bool daddr, const std::optional<net::PortSet>& ports,
                      const ir::Origin& origin, const std::optional<ir::Log>& log, ir::Verdict action) {
  Rule base;
  base.comment = comment_for(origin);
  if (log) {
    Rule l = base;
    l.limit = LimitStmt{log->rate, 0, false};
    l.log = LogStmt{log->prefix, log->level};
    expand(c, peer, daddr, ports, l, rule_stem(origin));
  }
  base.verdict = verdict_of(action);
  expand(c, peer, daddr, ports, base, rule_stem(origin));
}

}  // namespace fwc::nft::lowering
