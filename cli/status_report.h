#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "backends/nftables/live/model.h"

// What `fwc status` reports: the live table's rules grouped by the policy
// rule they lower from, and the state of a --confirm rollback.
namespace fwc::cli::status {

// "inbound[1] public-web (p.yaml:12)" → "inbound[1] public-web".
std::string rule_name(const std::string& comment);

// One policy rule in one chain: the nftables rules it lowers to, added up.
struct PolicyRule {
  std::string chain, comment;
  uint64_t packets = 0, bytes = 0;  // its verdict rules
  uint64_t logged = 0;              // packets its log rules logged
  bool logs = false;                // it has log rules
};

// In chain order; the nftables rules grouped by comment, or with `by_name`
// by the rule's name (its comment without the source location).
std::vector<PolicyRule> policy_rules(const nft::live::Model& m, bool by_name);

struct Rollback {
  bool pending = false, armed = false;
  long long watcher = 0, deadline = 0;
};

Rollback rollback_of(const std::string& state_dir);

void print_prometheus(const nft::live::Model& m, const Rollback& rb);
// Every field has one JSON type, whatever the table holds.
void print_json(const nft::live::Model& m, const Rollback& rb);
void print_text(const nft::live::Model& m, const Rollback& rb);

}  // namespace fwc::cli::status
