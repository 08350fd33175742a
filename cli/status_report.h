#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "backends/nftables/live/model.h"
#include "cli/coexist_report.h"

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

// The dynamic block sets: entries and size of each, and the blocks added
// by `fwc block` and expired since (added - unblocked - still present).
struct DynamicSet {
  std::string name;
  uint64_t elements = 0, max = 0;
};
struct Blocks {
  std::vector<DynamicSet> sets;
  uint64_t added = 0, expired = 0;
};

void print_prometheus(const nft::live::Model& m, const Rollback& rb, const Blocks& b);
// Every field has one JSON type, whatever the table holds. `others`: the
// other tables that filter this host (null: not read).
void print_json(const nft::live::Model& m, const Rollback& rb, const Blocks& b, const coexist::Report* others);
void print_text(const nft::live::Model& m, const Rollback& rb, const Blocks& b, const coexist::Report* others);

}  // namespace fwc::cli::status
