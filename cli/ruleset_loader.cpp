#include "cli/ruleset_loader.h"

#include "cli/commands.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"

namespace fwc::cli {

namespace {

struct EveryNode : DefaultSelection {
  bool pick(const ir::Policy& p, std::vector<ir::Selection>& out) const override {
    out = ir::all_selections(p);
    return true;
  }
};

}  // namespace

const DefaultSelection& every_node() {
  static const EveryNode every;
  return every;
}

std::optional<LoadedRules> load_rules(const std::string& policy_path, const RulesetRequest& request,
                                      DiagnosticEngine& diags) {
  auto policy = compile_policy(policy_path, diags, false, request.names);
  if (request.cloud_target) diags.drop_warnings(code::no_host_addrs);
  if (!policy) {
    print_diagnostics(diags, stderr);
    return std::nullopt;
  }
  std::vector<ir::Selection> selections{request.selection};
  const bool unchosen = request.selection.kind == ir::Selection::Kind::none;
  if (unchosen && request.otherwise && !request.otherwise->pick(*policy, selections)) return std::nullopt;
  for (const auto& s : selections) ir::validate_selection(*policy, s, diags);
  if (diags.has_errors()) {
    print_diagnostics(diags, stderr);
    return std::nullopt;
  }
  LoadedRules loaded{std::move(*policy), {}};
  for (const auto& s : selections) loaded.rulesets.push_back(ir::select(loaded.policy, s));
  return loaded;
}

}  // namespace fwc::cli
