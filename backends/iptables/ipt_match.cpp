#include "backends/iptables/ipt_lowering.h"

namespace fwc::ipt {

using net::Family;

// Rules naming the same network share its set (same interval storage).
std::string Lowering::set_for(const net::AddrSet& addrs, const std::string& hint) {
  Family f = table_->family;
  return shared_sets_.name_for(f, addrs, [&] {
    IpSet s;
    // Room is left for the staging suffix the ipset file loads the set under.
    s.name = set_names_.take("fwc-", sanitize_name(hint), f == Family::v4 ? "-4" : "-6");
    s.family = f;
    s.addrs = addrs;
    s.entries = addrs.cidr_count(f);
    m_.sets.push_back(s);
    return s.name;
  });
}

// A live block set: an ipset with timeouts that the ipset file creates
// when missing and never reloads, matched by source unless the source is
// in `never:` (a static set, present even when empty).
void Lowering::live_block(const ir::Block& b) {
  Family f = table_->family;
  const ir::DynamicSet& d = *b.dynamic;
  // The published chain matches the input chain's set.
  std::string& name = live_sets_[d.name + (f == Family::v4 ? " 4" : " 6")];
  if (name.empty()) {
    IpSet s;
    s.name = set_names_.take("fwc-", "dyn-" + sanitize_name(d.name), f == Family::v4 ? "-4" : "-6");
    s.family = f;
    s.live = true;
    s.timeout = d.timeout;
    s.maxelem = d.max;
    m_.sets.push_back(s);
    name = s.name;
  }
  Rule r;
  r.comment = comment_for(b.origin);
  r.src = AddrMatch{false, false, name, {}};
  r.src_except = AddrMatch{false, true, set_for(rs_.never, "never"), {}};
  r.target = target_of(b.action);
  if (b.log) {
    Rule verdict;
    verdict.comment = r.comment;
    verdict.target = r.target;
    std::vector<Rule> body{log_rule(b.origin, *b.log, true), verdict};
    r.target = Target::jump;
    r.jump = sub_chain(b.origin, std::move(body));
  }
  chain_->rules.push_back(std::move(r));
}

std::optional<AddrMatch> Lowering::addr_match(const ir::Peer& peer, bool dst, const std::string& hint) {
  Family f = table_->family;
  if (peer.addrs.empty(f)) return std::nullopt;
  AddrMatch m;
  m.dst = dst;
  if (peer.any(f)) return m;  // the whole family: no address match
  if (backend::wants_set(peer.addrs, f))
    m.set = set_for(peer.addrs, peer.name.empty() ? hint : peer.name);
  else
    m.cidrs = peer.addrs.cidrs(f);
  return m;
}

void Lowering::expand(const ir::Peer& peer, bool dst, const std::optional<net::PortSet>& ports,
                      const Rule& base, const std::string& set_hint) {
  auto a = addr_match(peer, dst, set_hint);
  if (!a) return;  // nothing of this family
  auto emit_one = [&](std::optional<PortMatch> pm) {
    Rule r = base;
    (dst ? r.dst : r.src) = a;
    r.port = std::move(pm);
    chain_->rules.push_back(std::move(r));
  };
  if (!ports || ports->all) {
    emit_one(std::nullopt);
    return;
  }
  for (net::Proto p : {net::Proto::tcp, net::Proto::udp}) {
    if (published_) {  // --ctorigdstport takes one port or range
      for (const auto& range : ports->of(p)) emit_one(PortMatch{p, {range}, true});
      continue;
    }
    for (auto& group : multiport_groups(ports->of(p))) emit_one(PortMatch{p, std::move(group)});
  }
}

uint64_t ipset_maxelem(size_t entries) {
  // Powers of 16 from ipset's default: `create -exist` refuses a set whose
  // maxelem differs, so the size changes as rarely as possible.
  uint64_t m = 65536;
  while (m < entries) m *= 16;
  return m;
}

uint64_t ipset_hashsize(size_t entries) {
  uint64_t h = 1024;
  while (h * 4 < entries) h *= 2;
  return h;
}

}  // namespace fwc::ipt
