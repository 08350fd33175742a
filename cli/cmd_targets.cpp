#include "backends/backend.h"
#include "cli/commands.h"

namespace fwc::cli {

Run setup_targets(CLI::App&) {
  return [] {
    for (const auto& b : backend::registry()) std::printf("%-14s %s\n", b.name, b.description);
    return int(Exit::ok);
  };
}

}  // namespace fwc::cli
