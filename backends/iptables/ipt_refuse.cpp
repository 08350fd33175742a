#include "backends/iptables/ipt_lowering.h"

namespace fwc::ipt {

void Lowering::refuse(const ir::Peer& peer, bool dst, const std::optional<net::PortSet>& ports,
                      const ir::Origin& origin, const std::optional<ir::Log>& log, ir::Verdict action) {
  if (peer.addrs.empty(table_->family)) return;  // nothing of this family
  Rule base;
  base.comment = comment_for(origin);
  base.target = target_of(action);
  if (log) {
    std::vector<Rule> body{log_rule(origin, *log, true), base};
    base.target = Target::jump;
    base.jump = sub_chain(origin, std::move(body));
  }
  expand(peer, dst, ports, base, rule_stem(origin));
}

// A chain of the rule's own (the same name in both families).
std::string Lowering::sub_chain(const ir::Origin& origin, std::vector<Rule> rules) {
  auto it = chain_by_label_.find(origin.label);
  if (it == chain_by_label_.end())
    it = chain_by_label_.emplace(origin.label, chain_names_.take("FWC-", rule_stem(origin), "")).first;
  // Declared once per family: the published chain jumps to the input chain's.
  for (const Chain& c : table_->chains)
    if (c.name == it->second) return it->second;
  table_->chains.push_back(Chain{it->second, std::move(rules)});
  return it->second;
}

Rule Lowering::log_rule(const ir::Origin& origin, const ir::Log& log, bool rate_limited) {
  Rule r;
  r.comment = comment_for(origin);
  r.target = Target::log;
  r.log_prefix = log.prefix;
  if (r.log_prefix.size() > kLogPrefixMax) {
    r.log_prefix = log.prefix.substr(0, kLogPrefixMax);
    approximations_.report(origin, "log prefix",
                           "log prefix \"" + log.prefix + "\" is longer than the " +
                               std::to_string(kLogPrefixMax) + " characters iptables keeps; written as \"" +
                               r.log_prefix + "\"",
                           "shorten the prefix to at most " + std::to_string(kLogPrefixMax) + " characters");
  }
  // LOG knows the syslog levels by their long names.
  r.log_level = ir::level_long_name(log.level);
  if (rate_limited) r.limit = checked_rate(log.rate, kLimitMaxPerSecond, "log rate", origin);
  return r;
}

// A rate beyond what the match accepts is written as its maximum.
ir::Rate Lowering::checked_rate(const ir::Rate& r, uint64_t max_per_second, const char* what,
                                const ir::Origin& origin) {
  uint64_t max = max_per_second * r.unit_seconds();
  if (r.count <= max) return r;
  ir::Rate out{max, r.unit};
  approximations_.report(
      origin, what,
      std::string(what) + " " + r.str() + " is faster than iptables accepts; written as " + out.str());
  return out;
}

}  // namespace fwc::ipt
