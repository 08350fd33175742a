#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "cli/verify_plan.h"
#include "cli/verify_tests.h"
#include "validator/prober/scanner.h"

// `fwc verify --format text|json|junit`: the report of one run.
namespace fwc::cli::verify {

struct Report {
  std::string target, source, method, policy, selection, note, privileges;
  bool with_policy = false;
  prober::ScanReport rep;
  std::vector<Row> rows;
  TestResults tests;  // the policy's `tests:` observable from here
};

// A table; long lists show only the rows worth reading and count the rest.
void print_text_report(const Report& c, FILE* to);
// One JSON object, streamed: a full sweep has 65,535 rows.
void print_json_report(const Report& c, FILE* to);
// A JUnit XML test suite, a test case per port.
void print_junit_report(const Report& c, FILE* to);

}  // namespace fwc::cli::verify
