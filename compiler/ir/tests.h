#pragma once
#include <string>

#include "compiler/diag/source_loc.h"
#include "compiler/net/addrset.h"
#include "compiler/net/portset.h"

// The policy's `tests:` section, resolved: what lint checks with the
// evaluator and verify checks on the wire.
namespace fwc::ir {

// `blocked`: drop or reject.
enum class Expect { accept, drop, reject, blocked };
const char* expect_name(Expect e);

struct PolicyTest {
  std::string label;  // "tests[2] admin-closed"
  SourceLoc loc;      // the entry's mapping
  std::string from_text;  // as written: "internet", "203.0.113.9"
  net::AddrSet from;      // every address of it must get the verdict
  std::string node, role;  // `to`: one node, one role, or (both empty) every node
  std::string port_text;   // as written: "8080/tcp", "https"
  net::PortSet ports;      // every port of it must get the verdict
  Expect expect = Expect::drop;
  bool published = false;  // a connection DNAT'd to a published port
  std::string target() const;  // "node node1", "role server", "every node"
};

}  // namespace fwc::ir
