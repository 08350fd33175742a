#pragma once
#include <string>
#include <vector>

#include "cli/verify_plan.h"
#include "compiler/ir/ir.h"

// `fwc verify -p`: the policy's `tests:` that the probe can observe (they
// apply to the probed node and their `from` holds the probing address),
// judged on what the ports answered.
namespace fwc::cli::verify {

struct TestRow {
  std::string label;   // "tests[2] api-never-from-internet"
  std::string ports;   // as written: "8080/tcp", "admin"
  std::string expect;  // accept | drop | reject | blocked
  std::string verdict;  // ok | warning | failure
  std::string note;    // the port that decided and what it answered
};

struct TestResults {
  std::vector<TestRow> rows;
  size_t not_observable = 0;  // apply to the node, but not from this address (or too many ports)
};

// Adds the ports of the tests that apply to `probed` (the ruleset of the
// probed node or role) to the plan (UDP ones when UDP is probed).
void add_test_ports(const ir::Policy& policy, const ir::Ruleset& probed, bool udp, PortPlan& plan);

// Judges each test applying to `probed` whose `from` holds `vantage` on
// `rows`; counts the others. True when any test failed.
bool judge_tests(const ir::Policy& policy, const ir::Ruleset& probed, const net::Address& vantage, bool udp,
                 const std::vector<Row>& rows, TestResults& out);

}  // namespace fwc::cli::verify
