#pragma once
#include <cstdio>
#include <string>

#include "cli/verify_probe.h"
#include "cli/verify_report.h"
#include "compiler/ir/ir.h"

// `fwc verify`: one target's probe run judged against the policy, the
// report `fwc verify ADDR` prints and each node's part of `--all`.
namespace fwc::cli::verify {

// The policy a run is judged against: the ruleset of the probed node (or
// role) and the policy's `tests:`. Without a policy both are null.
struct Judging {
  const ir::Policy* policy = nullptr;
  const ir::Ruleset* ruleset = nullptr;
  std::string path;  // the policy file, as given
  bool udp = false;  // UDP was probed
};

// The report of `run` at `target`, each port judged against the ruleset and
// the tests observable from the probing address judged on the ports (no
// policy: the ports only listed). False when the source the probes went
// from is not an address (a bug: the prober picked it).
bool judged_report(ProbeRun&& run, const std::string& target, const Judging& judging, Report& out);

// Whether any port or policy test of `c` failed its judgement.
bool has_failures(const Report& c);

// `c` in `format`: text, json or junit.
void print_report(const Report& c, const std::string& format, FILE* to);

}  // namespace fwc::cli::verify
