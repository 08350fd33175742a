#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/ruleset_loader.h"
#include "compiler/eval/explain.h"
#include "compiler/ir/ir.h"
#include "validator/prober/scanner.h"

// `fwc verify`: which ports to probe, and what the policy expects of each.
namespace fwc::cli::verify {

struct PortPlan {
  std::vector<uint16_t> tcp, udp;  // ascending
};

// The ports of `--ports SPEC`: "policy" (the ports the policy names, or
// 1-1024 without a policy, and a sample of commonly exposed ones), "all",
// or a list like "22,80,8000-8100"; UDP ones only with `udp`. Nothing,
// after a message, for a bad list. `ruleset`: which of the policy's
// rulesets names the ports (`verify --all` loads one per node).
std::optional<PortPlan> plan_ports(const std::string& spec, const LoadedRules* policy, bool udp,
                                   size_t ruleset = 0);

// One probed port and what the policy says of it.
struct Row {
  prober::PortResult r;
  std::string expected;  // allowed | blocked | "" (no policy)
  std::string rule;
  std::string verdict;  // ok | warning | failure
  std::string note;
};

// Judges what was observed against the policy's decision for the port.
void compare(Row& row, const eval::Decision& d);

}  // namespace fwc::cli::verify
