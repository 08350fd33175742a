#pragma once
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace fwc::check {

// FWC-W106: inbound and outbound allow rules whose every peer and port,
// on every node they apply to, other allow rules of the same direction
// (with the same logging and SYN proxy) accept too.
void redundant_allows(const ir::Policy& policy, DiagnosticEngine& diags);

}  // namespace fwc::check
