#include "compiler/eval/regions.h"

#include <set>

#include "compiler/ir/walk.h"

namespace fwc::eval {

const char* axis_name(Axis a) {
  switch (a) {
    case Axis::tcp: return "tcp";
    case Axis::udp: return "udp";
    case Axis::other: break;
  }
  return "other";
}

const net::AddrSet& loopback_sources() {
  static const net::AddrSet lo = [] {
    net::AddrSet s;
    s.add(net::Cidr{net::Family::v4, net::u128{127} << 24, 8});
    s.add(net::Cidr{net::Family::v6, 1, 128});
    s.normalize();
    return s;
  }();
  return lo;
}

bool same_rule(const ir::Origin& a, const ir::Origin& b) {
  return a.label == b.label && a.loc.line == b.loc.line && a.loc.col == b.loc.col;
}

std::string outcome_name(const Outcome& o) {
  std::string out = ir::verdict_name(o.verdict);
  if (o.limited) out += " (rate-limited)";
  return out;
}

bool holds(const net::PortSet& ports, const PortSegment& segment) {
  if (ports.all) return true;
  if (segment.axis == Axis::other) return false;
  return ports.contains(segment.axis == Axis::tcp ? net::Proto::tcp : net::Proto::udp, segment.ports.lo);
}

namespace {

using Cuts = std::set<uint32_t>;  // the first port of each segment

void add_cuts(const net::PortSet& ports, Cuts& tcp, Cuts& udp) {
  for (const auto& r : ports.tcp) tcp.insert({r.lo, uint32_t{r.hi} + 1});
  for (const auto& r : ports.udp) udp.insert({r.lo, uint32_t{r.hi} + 1});
}

void add_cuts(const ir::Chain& c, Cuts& tcp, Cuts& udp) {
  for (const auto& b : c.blocks)
    if (b.ports) add_cuts(*b.ports, tcp, udp);
  for (const auto& m : c.meters) add_cuts(m.ports, tcp, udp);
  for (const auto& a : c.allows) add_cuts(a.ports, tcp, udp);
  for (const auto& o : c.otherwise) add_cuts(o.ports, tcp, udp);
}

void segments_of(Axis axis, Cuts cuts, std::vector<PortSegment>& out) {
  cuts.insert({0, 65536});
  for (auto it = cuts.begin(); std::next(it) != cuts.end(); ++it)
    out.push_back({axis, {static_cast<uint16_t>(*it), static_cast<uint16_t>(*std::next(it) - 1)}});
}

// Carries the peers not yet decided through the chain: each rule that
// holds the segment decides the part of them it matches.
class RegionSink : public ir::ChainSink {
 public:
  RegionSink(const PortSegment& segment, ir::Hook hook) : segment_(segment), hook_(hook) {}
  std::vector<Region> out;

  ir::Flow fixed(ir::Hook, ir::Step s) override {
    // A new TCP/UDP connection meets only the loopback step.
    if (s != ir::Step::loopback) return ir::Flow::next;
    decide(loopback_sources(), {ir::Verdict::accept, false}, {"loopback", {}, "traffic on lo is always accepted", {}});
    return ir::Flow::next;
  }
  ir::Flow block(ir::Hook, const ir::Block& b) override {
    if (!b.dynamic && (!b.ports || holds(*b.ports, segment_))) decide(b.peer.addrs, {b.action, false}, b.origin);
    return done();
  }
  ir::Flow meter(ir::Hook, const ir::Meter& m) override {
    if (holds(m.ports, segment_)) metered_.append(m.src.addrs);
    return ir::Flow::next;
  }
  ir::Flow allow(ir::Hook, const ir::Allow& a) override {
    if (!holds(a.ports, segment_)) return ir::Flow::next;
    if (!normalized_) metered_.normalize(), normalized_ = true;
    net::AddrSet hit = pending_.intersect(hook_ == ir::Hook::output ? a.dst.addrs : a.src.addrs);
    net::AddrSet limited = hit.intersect(metered_);
    hit.subtract(limited);
    decide(limited, {ir::Verdict::accept, true}, a.origin);
    decide(hit, {ir::Verdict::accept, false}, a.origin);
    return done();
  }
  ir::Flow otherwise(ir::Hook, const ir::Otherwise& o) override {
    if (holds(o.ports, segment_)) decide(pending_, {o.action, false}, o.origin);
    return done();
  }
  void fallback(ir::Hook, const ir::Chain& c) override { decide(pending_, {c.policy, false}, c.default_origin); }

 private:
  // Decides the still pending part of `sources`.
  void decide(const net::AddrSet& sources, Outcome outcome, const ir::Origin& origin) {
    net::AddrSet hit = pending_.intersect(sources);
    if (hit.empty()) return;
    pending_.subtract(hit);
    for (auto& r : out)
      if (r.outcome == outcome && same_rule(r.origin, origin)) {
        r.sources.unite(hit);
        return;
      }
    out.push_back({std::move(hit), outcome, origin});
  }
  ir::Flow done() const { return pending_.empty() ? ir::Flow::stop : ir::Flow::next; }

  const PortSegment& segment_;
  ir::Hook hook_;
  net::AddrSet pending_ = net::AddrSet::any();
  net::AddrSet metered_;
  bool normalized_ = false;
};

}  // namespace

std::vector<PortSegment> port_segments(const std::vector<const ir::Chain*>& chains) {
  Cuts tcp, udp;
  for (const ir::Chain* c : chains) add_cuts(*c, tcp, udp);
  std::vector<PortSegment> out;
  segments_of(Axis::tcp, tcp, out);
  segments_of(Axis::udp, udp, out);
  out.push_back({Axis::other, {0, 0}});
  return out;
}

std::vector<Region> regions(const ir::Chain& chain, const PortSegment& segment, ir::Hook hook) {
  RegionSink sink(segment, hook);
  ir::walk(hook, chain, sink);
  return std::move(sink.out);
}

}  // namespace fwc::eval
