#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace fwc::backend {

// One target: lowers a node's ruleset into the text its consumer reads.
// Backends see only the IR. Constructs a target cannot express are
// diagnostics tied to the policy rule, never exceptions.
struct Backend {
  virtual ~Backend() = default;
  virtual std::optional<std::string> compile(const ir::Ruleset& rs, DiagnosticEngine& diags) = 0;
};

struct BackendInfo {
  const char* name;
  const char* description;
  const char* file_extension;
  std::unique_ptr<Backend> (*make)();
};

const std::vector<BackendInfo>& registry();
const BackendInfo* find_backend(std::string_view name);

}  // namespace fwc::backend
