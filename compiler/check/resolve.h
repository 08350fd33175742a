#pragma once
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"
#include "compiler/parse/ast.h"

namespace fwc::check {

// AST → IR policy: resolves names (networks, services, roles, nodes),
// detects cycles and duplicates, parses addresses and ports, reads `file:`
// lists and computes every network's address set. Reports all problems.
ir::Policy resolve(const ast::Policy& policy, DiagnosticEngine& diags);

}  // namespace fwc::check
