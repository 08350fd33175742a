#pragma once
#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace fwc::eval {

struct Packet {
  net::Address src;
  net::Proto proto = net::Proto::tcp;
  uint16_t port = 0;
};

enum class Stage { loopback, block, allow, otherwise, fallback };
const char* stage_name(Stage s);

struct Decision {
  ir::Verdict verdict = ir::Verdict::drop;
  Stage stage = Stage::fallback;
  ir::Origin origin;                // the deciding rule
  std::vector<ir::Origin> meters;   // meters the packet passes through (accepted under the rate)
  std::vector<ir::Origin> also;     // other allow rules that would accept it too
  bool logged = false;
  // When the deciding rule matched the source through a network's host name
  // or `file:` list: "peers via alpha.example.com", "cdn via file x.txt".
  std::string via;
};

// The first packet of a new inbound connection, evaluated with exactly the
// order the host backends generate (docs/contract.md, "Evaluation order").
// An IPv4-mapped IPv6 source (::ffff:a.b.c.d) is evaluated as a.b.c.d.
Decision explain(const ir::Ruleset& rs, const Packet& pkt);

}  // namespace fwc::eval
