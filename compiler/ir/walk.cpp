#include "compiler/ir/walk.h"

namespace fwc::ir {

const char* hook_name(Hook h) {
  switch (h) {
    case Hook::input: return "input";
    case Hook::output: return "output";
    case Hook::published: return "published";
    case Hook::forward: break;
  }
  return "forward";
}

// The one place the order lives. Neighbour discovery comes before block
// lists and before the invalid-state check so that it is never dropped;
// outbound, ICMP goes out before the `to` block rules are consulted.
std::span<const Step> steps(Hook h) {
  using S = Step;
  static constexpr Step kInput[] = {S::established, S::neighbour_discovery, S::synproxy,
                                    S::invalid,     S::loopback,            S::blocks,
                                    S::essential_icmp, S::meters,           S::allows,
                                    S::otherwise,   S::fallback};
  static constexpr Step kOutput[] = {S::established, S::loopback, S::essential_icmp, S::blocks,
                                     S::meters,      S::allows,   S::otherwise,      S::fallback};
  static constexpr Step kForward[] = {S::established, S::blocks, S::meters, S::allows, S::otherwise, S::fallback};
  // Published ports: the input chain's decisions without the steps that
  // concern this host's own stack (loopback, ND, ICMP, SYN proxy); invalid
  // packets are left to the forward chains that follow.
  static constexpr Step kPublished[] = {S::established, S::blocks, S::meters, S::allows, S::otherwise, S::fallback};
  switch (h) {
    case Hook::input: return kInput;
    case Hook::output: return kOutput;
    case Hook::published: return kPublished;
    case Hook::forward: break;
  }
  return kForward;
}

namespace {

template <typename T, typename Visit>
Flow each(const std::vector<T>& rules, Visit visit) {
  for (const T& r : rules)
    if (visit(r) == Flow::stop) return Flow::stop;
  return Flow::next;
}

Flow visit(Hook h, Step s, const Chain& c, ChainSink& sink) {
  switch (s) {
    case Step::blocks: return each(c.blocks, [&](const Block& b) { return sink.block(h, b); });
    case Step::meters: return each(c.meters, [&](const Meter& m) { return sink.meter(h, m); });
    case Step::synproxy:
      return each(c.allows, [&](const Allow& a) { return a.synproxy ? sink.synproxy(h, a) : Flow::next; });
    case Step::allows:
      if (each(c.allows, [&](const Allow& a) { return sink.allow(h, a); }) == Flow::stop) return Flow::stop;
      return sink.allows_done(h);
    case Step::otherwise: return each(c.otherwise, [&](const Otherwise& o) { return sink.otherwise(h, o); });
    case Step::fallback: sink.fallback(h, c); return Flow::stop;
    default: return sink.fixed(h, s);
  }
}

}  // namespace

void walk(Hook h, const Chain& chain, ChainSink& sink) {
  sink.begin(h, chain);
  for (Step s : steps(h))
    if (visit(h, s, chain, sink) == Flow::stop) return;
}

void walk(const Ruleset& rs, ChainSink& sink) {
  walk(Hook::input, rs.input, sink);
  if (rs.output) walk(Hook::output, *rs.output, sink);
  if (rs.forward) walk(Hook::forward, *rs.forward, sink);
}

void walk_published(const Ruleset& rs, ChainSink& sink) {
  if (rs.published) walk(Hook::published, rs.input, sink);
}

}  // namespace fwc::ir
