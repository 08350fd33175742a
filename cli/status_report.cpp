#include "cli/status_report.h"

#include "cli/apply_state.h"

namespace fwc::cli::status {

namespace {

// A logged policy rule lowers to a log rule (with its own rate limit)
// before the verdict rule, both under the policy rule's comment: the log
// rule has a log statement and no verdict. Its counter is of packets
// logged, not of packets the policy rule decided.
bool logs_only(const nft::live::RuleEntry& r) {
  return r.sig.find("[log") != std::string::npos && r.sig.find("[immediate") == std::string::npos &&
         r.sig.find("[reject") == std::string::npos;
}

}  // namespace

std::string rule_name(const std::string& comment) {
  if (comment.empty()) return "(unnamed)";
  size_t open = comment.rfind(" (");
  if (open != std::string::npos && comment.back() == ')') return comment.substr(0, open);
  return comment;
}

std::vector<PolicyRule> policy_rules(const nft::live::Model& m, bool by_name) {
  auto key = [by_name](const std::string& comment) { return by_name ? rule_name(comment) : comment; };
  std::vector<PolicyRule> out;
  std::map<std::pair<std::string, std::string>, size_t> at;
  for (const auto& r : m.rules) {
    auto [it, fresh] = at.try_emplace({r.chain, key(r.comment)}, out.size());
    if (fresh) out.push_back({r.chain, key(r.comment)});
    PolicyRule& p = out[it->second];
    if (logs_only(r)) {
      p.logged += r.packets;
      p.logs = true;
      continue;
    }
    p.packets += r.packets;
    p.bytes += r.bytes;
  }
  return out;
}

Rollback rollback_of(const std::string& state_dir) {
  auto p = state::read_pending(state::paths(state_dir));
  if (!p) return {};
  return {true, p->armed, p->watcher.pid, p->deadline};
}

}  // namespace fwc::cli::status
