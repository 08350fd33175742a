#include "compiler/frontend.h"

#include "compiler/check/lint_checks.h"
#include "compiler/check/resolve.h"
#include "compiler/parse/loader.h"

namespace fwc {

std::optional<ir::Policy> compile_policy(const std::string& path, DiagnosticEngine& diags,
                                         bool run_lint_checks) {
  auto ast = parse::load_policy_file(path, diags);
  if (!ast || diags.has_errors()) return std::nullopt;
  ir::Policy policy = check::resolve(*ast, diags);
  if (diags.has_errors()) return std::nullopt;
  if (run_lint_checks) check::lint_policy(policy, diags);
  return policy;
}

}  // namespace fwc
