#pragma once
#include <string>

#include "cli/apply_common.h"
#include "cli/commands.h"

// `fwc apply` and `fwc remove`, run against the kernel. Shared by fwc and
// fwc-testhooks; only the hooks differ (cmd_apply.cpp).
namespace fwc::cli {

struct ApplyOptions {
  std::string policy;
  bool dry_run = false;
  bool force = false;
  bool always = false;
  unsigned confirm = 0;
  bool strict = false;  // other firewalls' warnings refuse the apply
  std::string state_dir;
  SelectionOptions selection;
};

// What fwc-testhooks changes in an apply (tests/e2e); the shipped fwc
// changes nothing.
struct ApplyHooks {
  virtual ~ApplyHooks() = default;
  // Makes the batch carry an element the kernel refuses.
  virtual bool inject_bad_element() const { return false; }
  // Runs between building the batch and sending it.
  virtual void pause_before_commit() const {}
};

int run_apply(const ApplyOptions& o, const ApplyHooks& hooks);
int run_remove(bool dry, const std::string& state_dir, const ApplyHooks& hooks);

// The steps of run_apply.
// FWC_TIMING=1: the time since the last phase on stderr (for the benchmarks).
void phase(const char* what);
// One attempt; `retry` when a concurrent change elsewhere in the ruleset
// made the kernel refuse it.
int apply_once(const ApplyOptions& o, const ApplyHooks& hooks, const applying::Prepared& pr,
               const nft::live::Model& want, bool& retry);

}  // namespace fwc::cli
