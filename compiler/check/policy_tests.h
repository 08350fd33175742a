#pragma once
#include <optional>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/eval/explain.h"
#include "compiler/ir/ir.h"

namespace fwc::check {

struct PolicyTestTally {
  size_t passed = 0;
  size_t failed = 0;
};

// Whether a verdict is what a test expects (`blocked`: drop or reject).
bool expect_met(ir::Expect expect, ir::Verdict verdict);

// The selections a test covers: its node, every node of its role (the
// role itself when no node has it), or every node (the whole policy when
// it has none).
std::vector<ir::Selection> test_selections(const ir::Policy& p, const ir::PolicyTest& t);

// One packet per region of the test's sources × ports inside which no rule
// of `rs` changes (the region walk): evaluating these decides every packet
// of the test. Empty when the test's sources hold no addresses; nothing
// when there are more than kMaxTestPackets (a test cut that fine is refused,
// not sampled).
inline constexpr size_t kMaxTestPackets = 4000000;
std::optional<std::vector<eval::Packet>> test_packets(const ir::Ruleset& rs, const ir::PolicyTest& t);

// Evaluates every test of the policy (lint): a test that does not hold is
// FWC-E020 at its entry, naming the packet, the verdict and the deciding rule.
PolicyTestTally check_policy_tests(const ir::Policy& p, DiagnosticEngine& diags);

}  // namespace fwc::check
