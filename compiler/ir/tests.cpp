#include "compiler/ir/tests.h"

namespace fwc::ir {

const char* expect_name(Expect e) {
  switch (e) {
    case Expect::accept: return "accept";
    case Expect::drop: return "drop";
    case Expect::reject: return "reject";
    case Expect::blocked: return "blocked";
  }
  return "?";
}

std::string PolicyTest::target() const {
  if (!node.empty()) return "node " + node;
  if (!role.empty()) return "role " + role;
  return "every node";
}

}  // namespace fwc::ir
