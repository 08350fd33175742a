#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace fwc::backend {

// One file a target produces; its name is the node's base name + "." + suffix
// (e.g. "nft", or "v4.rules", "v6.rules" and "ipset" for iptables).
struct Artifact {
  std::string suffix;
  std::string text;
};

// One target: lowers a node's ruleset into the text its consumers read.
// Backends see only the IR. Constructs a target cannot express are
// diagnostics tied to the policy rule, never exceptions.
struct ExplainView;

struct Backend {
  virtual ~Backend() = default;
  virtual std::optional<std::vector<Artifact>> compile(const ir::Ruleset& rs, DiagnosticEngine& diags) = 0;
  // What `explain --target` shows for this target (backends/explain_view.h).
  // nullptr: the target enforces the policy's own evaluation (the host
  // view), or it cannot hold the ruleset (then `diags` has the errors).
  virtual std::unique_ptr<ExplainView> explain_view(const ir::Ruleset& rs, DiagnosticEngine& diags);
};

// The shape of a host target: lower the ruleset to the target's model,
// stop when lowering reported errors, print the model's files.
template <typename Model>
class LoweringBackend : public Backend {
 public:
  using Lower = Model (*)(const ir::Ruleset&, DiagnosticEngine&);
  using Emit = std::vector<Artifact> (*)(const Model&);
  LoweringBackend(Lower lower, Emit emit) : lower_(lower), emit_(emit) {}
  std::optional<std::vector<Artifact>> compile(const ir::Ruleset& rs, DiagnosticEngine& diags) override {
    Model m = lower_(rs, diags);
    if (diags.has_errors()) return std::nullopt;
    return emit_(m);
  }

 private:
  Lower lower_;
  Emit emit_;
};

struct BackendInfo {
  const char* name;
  const char* description;
  std::unique_ptr<Backend> (*make)();
  // Cloud firewalls match provider references (tags, groups), so findings
  // about networks without host addresses do not apply to them.
  bool cloud = false;
};

const std::vector<BackendInfo>& registry();
const BackendInfo* find_backend(std::string_view name);

}  // namespace fwc::backend
