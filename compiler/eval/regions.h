#pragma once
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/ir/walk.h"

// The static verdict map of a chain: for every (protocol, port range) x
// peer address region, what a new connection meets (the peer is the source
// on the input chain, the destination on the output chain) (docs/contract.md,
// "Semantic diff"). Computed with address-set algebra, walking the rules
// in the evaluation order of compiler/ir/walk.h, so it agrees with explain.
namespace fwc::eval {

// The port axis: TCP and UDP ports, and every other protocol as one
// segment (only rules on all traffic reach it; ICMP is left to defaults.icmp).
enum class Axis { tcp, udp, other };
const char* axis_name(Axis a);

struct PortSegment {
  Axis axis = Axis::tcp;
  net::PortRange ports{0, 65535};  // {0, 0} for Axis::other
  bool operator==(const PortSegment&) const = default;
};

// What a new connection from one region meets. Meters (rate and connection
// limits) do not change the verdict; an accepted region behind one is
// `limited`. Live block sets hold nothing at compile time and decide nothing.
struct Outcome {
  ir::Verdict verdict = ir::Verdict::drop;
  bool limited = false;
  bool operator==(const Outcome&) const = default;
};
std::string outcome_name(const Outcome& o);  // "accept", "accept (rate-limited)", "drop"

// 127.0.0.0/8 and ::1: traffic from (input) or to (output) them is on lo,
// always accepted.
const net::AddrSet& loopback_sources();

// The same rule (label and position): origins of two compilations compare alike.
bool same_rule(const ir::Origin& a, const ir::Origin& b);

struct Region {
  net::AddrSet sources;  // the peers: destinations on the output chain
  Outcome outcome;
  ir::Origin origin;  // the deciding rule (the first allow rule of the union)
};

// The chain's rules cut the port axis at every boundary of their port
// sets; `extra` chains' boundaries are added, so two maps line up.
std::vector<PortSegment> port_segments(const std::vector<const ir::Chain*>& chains);

// The regions of one segment (every port of it is decided alike), in the
// order they are decided; their peers are disjoint and cover every address.
// `hook` is Hook::input (rules match sources) or Hook::output (rules match
// destinations; loopback is traffic to 127.0.0.0/8 and ::1).
std::vector<Region> regions(const ir::Chain& chain, const PortSegment& segment, ir::Hook hook = ir::Hook::input);

// Whether a rule's port set holds the segment (a segment is never cut by it).
bool holds(const net::PortSet& ports, const PortSegment& segment);

}  // namespace fwc::eval
