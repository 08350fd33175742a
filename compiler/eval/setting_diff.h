#pragma once
#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"

// What two versions of a ruleset change beyond the input and output verdict
// maps (docs/contract.md, "Semantic diff"): the forward chain rule by rule
// (source x destination x port does not fit the 2-D region map), and the
// settings that decide traffic without a rule of their own.
namespace fwc::eval {

// A forward allow rule added (only `after`), removed (only `before`) or
// changed (both: the same name, other sources, destinations or ports).
// Rules with the same addresses and ports are the same rule wherever
// they stand: the allow rules of a chain are a union.
struct ForwardRuleChange {
  std::optional<ir::Allow> before, after;
};

// A setting with another value: "forward default" (defaults.forward; a
// version that does not manage forwarding accepts), "icmp" (defaults.icmp),
// "published ports" (defaults.published).
struct SettingChange {
  std::string setting;
  std::string before, after;  // "drop", "no-ping", "govern"
  bool more_accepted = false;  // the new value lets more through
  bool less_accepted = false;  // the new value lets less through
  ir::Origin origin;           // where the new version sets it
};

std::vector<ForwardRuleChange> diff_forward_rules(const ir::Ruleset& before, const ir::Ruleset& after);
std::vector<SettingChange> diff_settings(const ir::Ruleset& before, const ir::Ruleset& after);

}  // namespace fwc::eval
