#pragma once
#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/frontend.h"
#include "compiler/ir/ir.h"

// What compile, explain, verify, apply and diff share: the policy loaded,
// resolved and cut down to the rules the chosen node or role enforces.
namespace fwc::cli {

// Picks the selections to load when --node and --role name nothing.
struct DefaultSelection {
  virtual ~DefaultSelection() = default;
  // Replaces `out` (the empty selection); false, after saying why on
  // standard error, when no choice can be made.
  virtual bool pick(const ir::Policy& p, std::vector<ir::Selection>& out) const = 0;
};

// Every node (each role without nodes; the whole policy when nothing is
// scoped): `compile -o DIR/` without a selection.
const DefaultSelection& every_node();

struct RulesetRequest {
  ir::Selection selection;  // --node / --role as given
  // Cloud firewalls match provider references, so networks without host
  // addresses (FWC-W105) are moot for them.
  bool cloud_target = false;
  // Used when `selection` names nothing; without it, the whole policy.
  const DefaultSelection* otherwise = nullptr;
  // Host names in networks: refused unless the command resolves them.
  NameOptions names{};
};

struct LoadedRules {
  ir::Policy policy;
  std::vector<ir::Ruleset> rulesets;  // one per selection, in order
  // The one ruleset of a request without `every_node()`.
  const ir::Ruleset& ruleset() const { return rulesets.front(); }
};

// Loads and resolves the policy at `policy_path` (without lint checks) and
// selects the rules of each chosen selection. On errors, prints the
// diagnostics and returns nothing (the command exits Exit::bad_input);
// otherwise `diags` keeps the warnings for the caller to print or not.
std::optional<LoadedRules> load_rules(const std::string& policy_path, const RulesetRequest& request,
                                      DiagnosticEngine& diags);

}  // namespace fwc::cli
