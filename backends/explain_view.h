#pragma once
#include <string>

#include "compiler/eval/explain.h"
#include "compiler/ir/ir.h"

// `fwc explain --target T`: what the target's output implies for a packet.
// Host targets enforce the policy's own evaluation order, so the command
// evaluates the policy itself (the host view); a target whose output
// decides differently (cloud firewalls only allow) brings its own view.
namespace fwc::backend {

struct ExplainView {
  virtual ~ExplainView() = default;
  // The answer for one packet: lines of text, or one line of JSON; both
  // end with a newline.
  virtual std::string text(const eval::Packet& pkt) const = 0;
  virtual std::string json(const eval::Packet& pkt) const = 0;
};

// Lines every view shares, each ending with a newline:
// "accept  (inbound[1] web at policy.yaml:12)"
std::string verdict_line(ir::Verdict v, const ir::Origin& decided_by);
// "  also allowed by inbound[3] ops at policy.yaml:30"
std::string also_allowed_line(const ir::Origin& o);
// "file:line:col" of a rule, empty when it has no position (a default).
std::string location(const ir::Origin& o);

}  // namespace fwc::backend
