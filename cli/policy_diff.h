#pragma once
#include <string>

#include "cli/commands.h"

// `fwc diff OLD NEW` and `fwc diff --git REV POLICY`: where two versions of
// a policy decide new connections differently (docs/contract.md,
// "Semantic diff").
namespace fwc::cli {

struct PolicyDiffOptions {
  std::string before, after;  // policy files; with `git_rev`, `before` is unused
  std::string git_rev;        // compare `after` as it is at this revision
  std::string format = "text";
  ir::Selection only;  // --node / --role
};

// Exit::ok without a verdict change, Exit::findings with one, Exit::bad_input
// when a policy has errors (its diagnostics printed) or --git cannot read it.
int run_policy_diff(const PolicyDiffOptions& o);

}  // namespace fwc::cli
