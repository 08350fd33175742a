#pragma once
#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace fwc::eval {

struct Packet {
  net::Address src;
  net::Proto proto = net::Proto::tcp;
  uint16_t port = 0;
  // The connection was sent to this host's address and DNAT'd to a local
  // container or pod (a published port, a NodePort): `port` is the port
  // it was sent to, and the published chain decides it.
  bool published = false;
};

enum class Stage { loopback, block, allow, otherwise, fallback };
const char* stage_name(Stage s);

struct Decision {
  ir::Verdict verdict = ir::Verdict::drop;
  Stage stage = Stage::fallback;
  ir::Origin origin;                // the deciding rule
  std::vector<ir::Origin> meters;   // meters the packet passes through (accepted under the rate)
  // Per entry of `meters`: 0 for a rate meter, else the connection limit
  // (the connection passes unless its source already holds that many).
  std::vector<uint32_t> meter_connections;
  // The allow rule whose SYN proxy answers the SYN (TCP), if any.
  std::optional<ir::Origin> synproxy;
  std::vector<ir::Origin> also;     // other allow rules that would accept it too
  // Live block sets met before the decision: their entries are runtime
  // state, so the packet is refused there when its source is listed.
  struct LiveSet {
    std::string name;
    ir::Origin origin;
    ir::Verdict action = ir::Verdict::drop;
  };
  std::vector<LiveSet> live_sets;
  bool logged = false;
  std::string chain = "input";  // the chain that decides: input or published
  // When the deciding rule matched the source through a network's host name
  // or `file:` list: "peers via alpha.example.com", "cdn via file x.txt".
  std::string via;
};

// The first packet of a new inbound connection, evaluated with exactly the
// order the host backends generate (docs/contract.md, "Evaluation order").
// An IPv4-mapped IPv6 source (::ffff:a.b.c.d) is evaluated as a.b.c.d.
Decision explain(const ir::Ruleset& rs, const Packet& pkt);

}  // namespace fwc::eval
