#include "compiler/eval/explain.h"

namespace fwc::eval {

const char* stage_name(Stage s) {
  switch (s) {
    case Stage::loopback: return "loopback";
    case Stage::block: return "block";
    case Stage::allow: return "allow";
    case Stage::otherwise: return "otherwise";
    case Stage::fallback: break;
  }
  return "default";
}

namespace {
bool is_loopback(const net::Address& a) {
  if (a.family == net::Family::v4) return (a.value >> 24) == 127;
  return a.value == 1;
}
}  // namespace

Decision explain(const ir::Ruleset& rs, const Packet& packet) {
  // A mapped source is an IPv4 peer as a dual-stack socket shows it.
  const Packet pkt{net::unmapped(packet.src), packet.proto, packet.port};
  const ir::Chain& in = rs.input;
  Decision d;
  if (is_loopback(pkt.src)) {
    d.verdict = ir::Verdict::accept;
    d.stage = Stage::loopback;
    d.origin = {"loopback", {}, "traffic on lo is always accepted", {}};
    return d;
  }
  for (const auto& b : in.blocks) {
    if (!b.peer.addrs.contains(pkt.src)) continue;
    if (b.ports && !b.ports->contains(pkt.proto, pkt.port)) continue;
    d.verdict = b.action;
    d.stage = Stage::block;
    d.origin = b.origin;
    d.logged = b.log.has_value();
    return d;
  }
  for (const auto& m : in.meters) {
    if (m.src.addrs.contains(pkt.src) && m.ports.contains(pkt.proto, pkt.port)) d.meters.push_back(m.origin);
  }
  bool decided = false;
  for (const auto& a : in.allows) {
    if (!a.src.addrs.contains(pkt.src) || !a.ports.contains(pkt.proto, pkt.port)) continue;
    if (decided) {
      d.also.push_back(a.origin);
      continue;
    }
    decided = true;
    d.verdict = ir::Verdict::accept;
    d.stage = Stage::allow;
    d.origin = a.origin;
    d.logged = a.log.has_value();
  }
  if (decided) return d;
  d.meters.clear();  // a refused packet is not "rate-limited"
  for (const auto& o : in.otherwise) {
    if (!o.ports.contains(pkt.proto, pkt.port)) continue;
    d.verdict = o.action;
    d.stage = Stage::otherwise;
    d.origin = o.origin;
    d.logged = o.log.has_value();
    return d;
  }
  d.verdict = in.policy;
  d.stage = Stage::fallback;
  d.origin = in.default_origin;
  d.logged = in.log.has_value() && in.policy != ir::Verdict::accept;
  return d;
}

}  // namespace fwc::eval
