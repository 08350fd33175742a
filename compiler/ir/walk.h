#pragma once
#include <span>

#include "compiler/ir/ir.h"

// The evaluation order (docs/contract.md, "Evaluation order"), written once.
// Every host backend lowers a chain by walking it with a sink of its own,
// and the explain evaluator walks it with a sink that decides one packet,
// so a backend cannot order its rules differently from what explain says.
namespace fwc::ir {

// `published`: the input chain's rules applied to connections DNAT'd from
// this host's own addresses to local containers or pods (docs/contract.md,
// "Published ports"); the walk of the whole ruleset does not visit it,
// the backends that can express it walk it themselves.
enum class Hook { input, output, forward, published };
const char* hook_name(Hook h);

// One step of a chain, in the order the packet meets it.
enum class Step {
  established,          // ct state established,related: accept
  neighbour_discovery,  // IPv6 neighbour discovery (hop limit 255): accept
  synproxy,             // SYN proxy ports: untracked SYN / invalid ACK answered by the kernel
  invalid,              // ct state invalid: drop
  loopback,             // the loopback interface: accept
  essential_icmp,       // per defaults.icmp (input); ND and essential ICMP (output)
  blocks,               // block rules in policy order
  meters,               // rate meters in policy order
  allows,               // allow rules (a union)
  otherwise,            // otherwise clauses in policy order
  fallback,             // the chain's default
};

// The steps of a hook's chain, in order.
std::span<const Step> steps(Hook h);

// What a walk calls. A sink that decides early (the packet evaluator)
// returns Flow::stop; the lowerings always continue.
enum class Flow { next, stop };

struct ChainSink {
  virtual ~ChainSink() = default;
  virtual void begin(Hook, const Chain&) {}
  // A fixed step: established, neighbour_discovery, invalid, loopback, essential_icmp.
  virtual Flow fixed(Hook, Step) { return Flow::next; }
  virtual Flow block(Hook, const Block&) { return Flow::next; }
  virtual Flow meter(Hook, const Meter&) { return Flow::next; }
  virtual Flow allow(Hook, const Allow&) { return Flow::next; }
  // Each inbound allow rule with `synproxy` (Step::synproxy), in policy order.
  virtual Flow synproxy(Hook, const Allow&) { return Flow::next; }
  // Called once after the last allow rule (the union is complete).
  virtual Flow allows_done(Hook) { return Flow::next; }
  virtual Flow otherwise(Hook, const Otherwise&) { return Flow::next; }
  virtual void fallback(Hook, const Chain&) {}
};

// Visits `chain` as hook `h` in evaluation order; stops where the sink says.
void walk(Hook h, const Chain& chain, ChainSink& sink);

// Input, then output and forward when the ruleset manages them.
void walk(const Ruleset& rs, ChainSink& sink);

// The input chain as Hook::published, when the ruleset governs published
// ports (Ruleset::published); does nothing otherwise.
void walk_published(const Ruleset& rs, ChainSink& sink);

}  // namespace fwc::ir
