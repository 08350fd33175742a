#pragma once
#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/verify_probe.h"
#include "cli/verify_report.h"

// `fwc verify --all`: every node of the policy (or of a role) probed at
// its own addresses, side by side under one rate cap, each judged against
// its own ruleset as `fwc verify ADDR -p POLICY --node NAME` would.
namespace fwc::cli::verify {

struct FleetOptions {
  std::string policy, role, ports = "policy", format = "text";
  ProbeSettings probing;
  size_t parallel = 16;  // targets probed at once
};

// One probe target: a node at one of its addresses.
struct FleetTarget {
  std::string node;
  std::string address;  // empty: the node has none in the policy
  size_t ruleset = 0;   // the node's, in the loaded rules
  std::string error;    // why it was not probed (empty: it was)
  Report report;        // when probed
};

// Runs `fwc verify --all`; the exit status: 3 when a target could not be
// probed, else 1 when any failed, else 0.
int run_fleet(const FleetOptions& o);

// The reports of every target, then a summary by node.
void print_fleet_text(const std::vector<FleetTarget>& targets, FILE* to);
// One JSON document: {"nodes": [each target's single-target report with
// "node" added, or {"node", "target", "error"}], and the counts}.
void print_fleet_json(const std::vector<FleetTarget>& targets, FILE* to);
// JUnit <testsuites>, one <testsuite> per target.
void print_fleet_junit(const std::vector<FleetTarget>& targets, FILE* to);

}  // namespace fwc::cli::verify
