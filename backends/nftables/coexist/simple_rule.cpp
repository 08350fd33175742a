#include "backends/nftables/coexist/simple_rule.h"

namespace fwc::nft::coexist {

namespace {

bool matches(const SimpleRule& r, const eval::Packet& p) {
  if (r.family && *r.family != p.src.family) return false;
  if (r.saddr && (r.saddr->family != p.src.family || r.saddr->value != p.src.value)) return false;
  const uint8_t proto = p.proto == net::Proto::tcp ? 6 : 17;
  if (r.l4proto && *r.l4proto != proto) return false;
  if (r.dport && (*r.dport != p.port || !r.l4proto)) return false;  // a port needs its protocol
  return true;
}

const char* verdict_text(SimpleRule::Verdict v) {
  switch (v) {
    case SimpleRule::Verdict::accept:
      return "accept";
    case SimpleRule::Verdict::drop:
      return "drop";
    case SimpleRule::Verdict::reject:
      return "reject";
    case SimpleRule::Verdict::none:
      break;
  }
  return "";
}

}  // namespace

std::string evaluate(const std::vector<SimpleRule>& rules, bool policy_drop, const eval::Packet& p) {
  for (size_t i = 0; i < rules.size(); ++i)
    if (rules[i].verdict != SimpleRule::Verdict::none && matches(rules[i], p))
      return std::string(verdict_text(rules[i].verdict)) + " (rule " + std::to_string(i + 1) + ")";
  return policy_drop ? "drop (its policy)" : "accept (its policy)";
}

}  // namespace fwc::nft::coexist
