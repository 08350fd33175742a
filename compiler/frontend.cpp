#include "compiler/frontend.h"

#include "compiler/check/lint_checks.h"
#include "compiler/check/resolve.h"
#include "compiler/parse/loader.h"

namespace fwc {

namespace {
// `errors_before`: the engine may already hold other files' errors (lint of
// several files); only this policy's errors stop its stages.
std::optional<ir::Policy> run_stages(std::optional<ast::Policy> ast, DiagnosticEngine& diags,
                                     bool run_lint_checks, size_t errors_before, const NameOptions& name_options) {
  if (!ast) return std::nullopt;
  names::Resolved hosts;
  hosts.mode = name_options.mode;
  if (name_options.mode == names::Mode::resolved && name_options.lookup)
    hosts = names::resolve_hosts(*ast, *name_options.lookup, name_options.last_good, diags);
  // Resolution runs after loader errors too: the loader dropped what it
  // could not read and marked what was lost, so the rest is still checked
  // and one run reports every problem.
  ir::Policy policy = check::resolve(*ast, diags, hosts);
  if (diags.error_count() > errors_before) return std::nullopt;
  if (run_lint_checks) check::lint_policy(policy, diags);
  return policy;
}
}  // namespace

std::optional<ir::Policy> compile_policy(const std::string& path, DiagnosticEngine& diags,
                                         bool run_lint_checks, const NameOptions& name_options) {
  size_t before = diags.error_count();
  return run_stages(parse::load_policy_file(path, diags), diags, run_lint_checks, before, name_options);
}

std::optional<ir::Policy> compile_policy_text(const std::string& text, const std::string& file_name,
                                              DiagnosticEngine& diags, bool run_lint_checks,
                                              const NameOptions& name_options) {
  size_t before = diags.error_count();
  return run_stages(parse::load_policy_text(text, file_name, diags), diags, run_lint_checks, before, name_options);
}

}  // namespace fwc
