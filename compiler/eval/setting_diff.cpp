#include "compiler/eval/setting_diff.h"

#include <algorithm>

namespace fwc::eval {

namespace {

const std::vector<ir::Allow>& forward_rules(const ir::Ruleset& rs) {
  static const std::vector<ir::Allow> none;
  return rs.forward ? rs.forward->allows : none;
}

bool same_match(const ir::Allow& a, const ir::Allow& b) {
  return a.src.addrs == b.src.addrs && a.dst.addrs == b.dst.addrs && a.ports == b.ports;
}

// The rule's name: its label after "forward[N] ", empty for an unnamed rule.
std::string rule_name(const ir::Allow& a) {
  const auto space = a.origin.label.find(' ');
  return space == std::string::npos ? "" : a.origin.label.substr(space + 1);
}

// The rules of `rules` no rule of `other` matches alike.
std::vector<const ir::Allow*> unmatched(const std::vector<ir::Allow>& rules, const std::vector<ir::Allow>& other) {
  std::vector<const ir::Allow*> out;
  for (const auto& r : rules)
    if (std::none_of(other.begin(), other.end(), [&](const ir::Allow& o) { return same_match(r, o); }))
      out.push_back(&r);
  return out;
}

const char* icmp_name(ir::IcmpMode m) {
  switch (m) {
    case ir::IcmpMode::no_ping: return "no-ping";
    case ir::IcmpMode::all: return "all";
    case ir::IcmpMode::essential: break;
  }
  return "essential";
}

// How much ICMP each mode lets in: essential < all; no-ping < essential.
int icmp_rank(ir::IcmpMode m) { return m == ir::IcmpMode::no_ping ? 0 : m == ir::IcmpMode::essential ? 1 : 2; }

void add_setting(std::vector<SettingChange>& out, std::string setting, std::string before, std::string after,
                 int more, const ir::Origin& origin) {
  if (before == after) return;
  out.push_back({std::move(setting), std::move(before), std::move(after), more > 0, more < 0, origin});
}

ir::Verdict forward_default(const ir::Ruleset& rs) {
  return rs.forward ? rs.forward->policy : ir::Verdict::accept;
}

int verdict_rank(ir::Verdict v) { return v == ir::Verdict::accept ? 1 : 0; }

}  // namespace

std::vector<ForwardRuleChange> diff_forward_rules(const ir::Ruleset& before, const ir::Ruleset& after) {
  const auto& old_rules = forward_rules(before);
  const auto& new_rules = forward_rules(after);
  std::vector<const ir::Allow*> gone = unmatched(old_rules, new_rules);
  std::vector<ForwardRuleChange> out;
  for (const ir::Allow* n : unmatched(new_rules, old_rules)) {
    const std::string name = rule_name(*n);
    auto was = std::find_if(gone.begin(), gone.end(),
                            [&](const ir::Allow* o) { return !name.empty() && rule_name(*o) == name; });
    if (was == gone.end()) {
      out.push_back({std::nullopt, *n});
      continue;
    }
    out.push_back({**was, *n});
    gone.erase(was);
  }
  for (const ir::Allow* o : gone) out.push_back({*o, std::nullopt});
  return out;
}

std::vector<SettingChange> diff_settings(const ir::Ruleset& before, const ir::Ruleset& after) {
  std::vector<SettingChange> out;
  const ir::Verdict fb = forward_default(before), fa = forward_default(after);
  const ir::Origin forward_origin = after.forward ? after.forward->default_origin
                                    : before.forward ? ir::Origin{"forwarding not managed", {}, {}, {}}
                                                     : ir::Origin{};
  add_setting(out, "forward default", ir::verdict_name(fb), ir::verdict_name(fa), verdict_rank(fa) - verdict_rank(fb),
              forward_origin);
  add_setting(out, "icmp", icmp_name(before.icmp), icmp_name(after.icmp), icmp_rank(after.icmp) - icmp_rank(before.icmp),
              {"defaults.icmp", after.icmp_loc, {}, {}});
  // Governed published ports follow the input rules; ignored ones pass.
  add_setting(out, "published ports", before.published ? "govern" : "ignore", after.published ? "govern" : "ignore",
              before.published ? 1 : -1, {"defaults.published", after.published_loc, {}, {}});
  return out;
}

}  // namespace fwc::eval
