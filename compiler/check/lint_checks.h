#pragma once
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace fwc::check {

// Safety checks on a resolved policy: allow rules shadowed by block lists,
// admin ports open to everyone, lock-out (no SSH path). All are warnings.
void lint_policy(const ir::Policy& policy, DiagnosticEngine& diags);

}  // namespace fwc::check
