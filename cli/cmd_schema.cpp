#include <cstdio>

#include "cli/commands.h"
#include "fwc_embedded_schema.h"

namespace fwc::cli {

// The policy language's JSON Schema (schema/fwc-policy.schema.json), for
// editors with a YAML language server and for CI checks.
Run setup_schema(CLI::App&) {
  return [] {
    std::fwrite(embedded::policy_schema.data(), 1, embedded::policy_schema.size(), stdout);
    return std::fflush(stdout) == 0 ? int(Exit::ok) : int(Exit::runtime_failure);
  };
}

}  // namespace fwc::cli
