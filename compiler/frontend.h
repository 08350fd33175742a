#pragma once
#include <optional>
#include <string>

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace fwc {

// The front end's stages in order: load (YAML → AST), resolve (AST → IR)
// and lint checks. Stops after the first stage that reports errors.
std::optional<ir::Policy> compile_policy(const std::string& path, DiagnosticEngine& diags,
                                         bool run_lint_checks = true);
// The same from text in memory (tests, fuzzing); `file_name` names it in
// diagnostics and anchors relative `file:`/`include` paths.
std::optional<ir::Policy> compile_policy_text(const std::string& text, const std::string& file_name,
                                              DiagnosticEngine& diags, bool run_lint_checks = true);

}  // namespace fwc
