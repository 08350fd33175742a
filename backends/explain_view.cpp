#include "backends/explain_view.h"

#include "backends/backend.h"
#include "compiler/diag/printable.h"

namespace fwc::backend {

std::string verdict_line(ir::Verdict v, const ir::Origin& decided_by) {
  std::string out = std::string(ir::verdict_name(v)) + "  (" + printable(decided_by.label);
  if (decided_by.loc.known()) out += " at " + printable(decided_by.where());
  return out + ")\n";
}

std::string also_allowed_line(const ir::Origin& o) {
  return "  also allowed by " + printable(o.label) + " at " + printable(o.where()) + "\n";
}

std::string location(const ir::Origin& o) {
  return o.loc.known() ? o.loc.str() : std::string();
}

std::unique_ptr<ExplainView> Backend::explain_view(const ir::Ruleset&, DiagnosticEngine&) {
  return nullptr;
}

}  // namespace fwc::backend
