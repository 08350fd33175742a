#pragma once
#include <optional>

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace fwc::ir {

// Checks the selection against the policy (unknown node/role, scoped rules
// without a selection) and reports problems as FWC-E013.
bool validate_selection(const Policy& p, const Selection& sel, DiagnosticEngine& diags);

// The rules one node (or a node of one role) enforces, in evaluation order.
Ruleset select(const Policy& p, const Selection& sel);

// Every selection lint should look at: each node, each role without nodes,
// or the whole policy when nothing is scoped.
std::vector<Selection> all_selections(const Policy& p);

}  // namespace fwc::ir
