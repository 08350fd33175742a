#pragma once
#include <optional>
#include <string>

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"
#include "compiler/names/lookup.h"

namespace fwc {

// How the host names of networks are treated (compiler/names/lookup.h):
// refused by default; `lookup` (with `mode` resolved) answers them, falling
// back to `last_good` when a lookup fails.
struct NameOptions {
  names::Mode mode = names::Mode::refuse;
  names::HostLookup* lookup = nullptr;
  names::LastGood* last_good = nullptr;
};

// The front end's stages in order: load (YAML → AST), host name lookups,
// resolve (AST → IR) and lint checks. Stops after the first stage that
// reports errors.
std::optional<ir::Policy> compile_policy(const std::string& path, DiagnosticEngine& diags,
                                         bool run_lint_checks = true, const NameOptions& name_options = {});
// The same from text in memory (tests, fuzzing); `file_name` names it in
// diagnostics and anchors relative `file:`/`include` paths.
std::optional<ir::Policy> compile_policy_text(const std::string& text, const std::string& file_name,
                                              DiagnosticEngine& diags, bool run_lint_checks = true,
                                              const NameOptions& name_options = {});

}  // namespace fwc
