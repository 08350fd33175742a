#include "backends/nftables/nft_lowering.h"

namespace fwc::nft::lowering {

// A per-source meter's set of family `f`; the published chain counts in
// the input chain's.
std::string Lowering::meter_set(const ir::Meter& m, Family f, const std::string& hint) {
  std::string& name = meter_names_[{&m, static_cast<int>(f)}];
  if (!name.empty()) return name;
  Set s;
  s.name = unique_name("meter_" + sanitize_name(hint) + (f == Family::v4 ? "_v4" : "_v6"));
  s.family = f;
  s.meter = true;
  // A connection count's entries end with their connections, not by time.
  if (!m.connections) s.timeout = nft_duration(ir::meter_expiry_seconds(m.rate.unit));
  s.comment = comment_for(m.origin);
  name = s.name;
  t_.sets.push_back(std::move(s));
  return name;
}

void Lowering::meter_rules(Chain& c, const ir::Meter& m) {
  Rule base;
  base.ct_new = true;
  base.verdict = verdict_of(m.action);
  base.comment = comment_for(m.origin);
  if (m.log) base.log = LogStmt{m.log->prefix, m.log->level};
  std::string hint = rule_stem(m.origin);
  if (!m.per_source && !m.connections) {
    // One bucket for the whole meter, whatever families and protocols its
    // rules are split into.
    std::string& name = meter_names_[{&m, 2}];
    if (name.empty()) {
      LimitObject lim{unique_name("meter_" + sanitize_name(hint)), m.rate, m.burst, comment_for(m.origin)};
      t_.limits.push_back(lim);
      name = lim.name;
    }
    base.limit_object = name;
    expand(c, m.src, false, m.ports, base, "meter_src_" + sanitize_name(hint));
    return;
  }
  // Per source: a dynamic set keyed by source address, one per family.
  for (Family f : {Family::v4, Family::v6}) {
    if (m.src.addrs.empty(f)) continue;
    Rule r = base;
    r.meter = MeterStmt{meter_set(m, f, hint), f, m.rate, m.burst, m.connections};
    ir::Peer only_f;
    only_f.name = m.src.name;
    only_f.addrs = m.src.addrs;
    only_f.addrs.subtract(net::AddrSet::any_of(f == Family::v4 ? Family::v6 : Family::v4));
    // The meter's key already fixes the family, so "any" needs no address match.
    expand(c, only_f, false, m.ports, r, "meter_src_" + sanitize_name(hint));
  }
}

// The SYN proxy: the connection's first SYN is left untracked in a raw
// prerouting chain, and that SYN and the handshake's ACK (invalid to
// conntrack) are answered by the kernel's SYN proxy before the invalid drop.
ir::Flow Lowering::synproxy(ir::Hook, const ir::Allow& a) {
  if (!a.synproxy || a.synproxy->empty()) return ir::Flow::next;
  ir::Peer proxied;
  proxied.addrs = *a.synproxy;
  if (*a.synproxy == a.src.addrs) proxied.name = a.src.name;
  std::string hint = rule_stem(a.origin) + "_synproxy";
  if (!raw_) {
    raw_ = Chain{};
    raw_->name = "prerouting";
    raw_->raw = true;
    raw_->policy = Verdict::accept;
  }
  Rule untrack;
  untrack.tcp_syn = true;
  untrack.notrack = true;
  untrack.comment = comment_for(a.origin);
  expand(*raw_, proxied, false, a.ports, untrack, hint);
  Rule proxy = ct(ct_invalid | ct_untracked);
  proxy.synproxy = true;
  proxy.comment = comment_for(a.origin);
  expand(chain_, proxied, false, a.ports, proxy, hint);
  return ir::Flow::next;
}

}  // namespace fwc::nft::lowering
