#pragma once
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"
#include "compiler/names/lookup.h"
#include "compiler/parse/ast.h"

namespace fwc::check {

// AST → IR policy: resolves names (networks, services, roles, nodes),
// detects cycles and duplicates, parses addresses and ports, reads `file:`
// lists and computes every network's address set. Reports all problems.
// Host names in networks take their addresses from `hosts` (or are refused,
// FWC-E017, when its mode says so).
ir::Policy resolve(const ast::Policy& policy, DiagnosticEngine& diags, const names::Resolved& hosts = {});

}  // namespace fwc::check
