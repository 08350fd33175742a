#pragma once
#include <cstdio>
#include <string>

#include "cli/verify_probe.h"
#include "cli/verify_report.h"
#include "compiler/ir/ir.h"

// `fwc verify`: one target's probe run judged against the policy, the
// report `fwc verify ADDR` prints and each node's part of `--all`.
namespace fwc::cli::verify {

// The report of `run` at `target`, each port judged against `ruleset`
// (null: no policy, the ports only listed). False when the source the
// probes went from is not an address (a bug: the prober picked it).
bool judged_report(ProbeRun&& run, const std::string& target, const ir::Ruleset* ruleset,
                   const std::string& policy_path, Report& out);

// Whether any port of `c` failed its judgement.
bool has_failures(const Report& c);

// `c` in `format`: text, json or junit.
void print_report(const Report& c, const std::string& format, FILE* to);

}  // namespace fwc::cli::verify
