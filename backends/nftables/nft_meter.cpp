#include "backends/nftables/nft_lowering.h"

namespace fwc::nft::lowering {

void Lowering::meter_rules(Chain& c, const ir::Meter& m) {
  Rule base;
  base.ct_new = true;
  base.verdict = verdict_of(m.action);
  base.comment = comment_for(m.origin);
  if (m.log) base.log = LogStmt{m.log->prefix, m.log->level};
  std::string hint = rule_stem(m.origin);
  if (!m.per_source) {
    // One bucket for the whole meter, whatever families and protocols its
    // rules are split into.
    LimitObject lim{unique_name("meter_" + sanitize_name(hint)), m.rate, m.burst, comment_for(m.origin)};
    base.limit_object = lim.name;
    t_.limits.push_back(lim);
    expand(c, m.src, false, m.ports, base, "meter_src_" + sanitize_name(hint));
    return;
  }
  // Per source: a dynamic set keyed by source address, one per family.
  for (Family f : {Family::v4, Family::v6}) {
    if (m.src.addrs.empty(f)) continue;
    Set s;
    s.name = unique_name("meter_" + sanitize_name(hint) + (f == Family::v4 ? "_v4" : "_v6"));
    s.family = f;
    s.meter = true;
    s.timeout = nft_duration(ir::meter_expiry_seconds(m.rate.unit));
    s.comment = comment_for(m.origin);
    Rule r = base;
    r.meter = MeterStmt{s.name, f, m.rate, m.burst};
    t_.sets.push_back(std::move(s));
    ir::Peer only_f;
    only_f.name = m.src.name;
    only_f.addrs = m.src.addrs;
    only_f.addrs.subtract(net::AddrSet::any_of(f == Family::v4 ? Family::v6 : Family::v4));
    // The meter's key already fixes the family, so "any" needs no address match.
    expand(c, only_f, false, m.ports, r, "meter_src_" + sanitize_name(hint));
  }
}

}  // namespace fwc::nft::lowering
