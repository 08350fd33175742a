#pragma once
#include <string>
#include <vector>

#include "cli/ruleset_loader.h"
#include "cli/verify_plan.h"

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

// Adds the ports of the tests that apply to the probed selection to the
// plan (UDP ones when UDP is probed). Nothing without a policy.
void add_test_ports(const LoadedRules* rules, bool udp, PortPlan& plan);

// Judges each applicable test whose `from` holds `vantage` on `rows`;
// counts the others. True when any test failed.
bool judge_tests(const LoadedRules* rules, const net::Address& vantage, bool udp, const std::vector<Row>& rows,
                 TestResults& out);

}  // namespace fwc::cli::verify
