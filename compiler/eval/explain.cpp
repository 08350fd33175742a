#include "compiler/eval/explain.h"

#include "compiler/ir/walk.h"

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

// Decides one packet by walking the input chain in evaluation order: the
// first block, the union of allows, the first otherwise, the default.
class PacketSink : public ir::ChainSink {
 public:
  PacketSink(const Packet& pkt, const net::AddrSet& never, const std::vector<ir::Network>& networks)
      : pkt_(pkt), never_(never), networks_(networks) {}
  Decision decision;

  ir::Flow fixed(ir::Hook, ir::Step s) override {
    // A new TCP/UDP connection meets only the loopback step.
    if (s != ir::Step::loopback || !is_loopback(pkt_.src)) return ir::Flow::next;
    decide(ir::Verdict::accept, Stage::loopback, {"loopback", {}, "traffic on lo is always accepted", {}}, false);
    return ir::Flow::stop;
  }
  ir::Flow block(ir::Hook, const ir::Block& b) override {
    if (b.dynamic) {
      if (!never_.contains(pkt_.src)) decision.live_sets.push_back({b.dynamic->name, b.origin, b.action});
      return ir::Flow::next;
    }
    if (!b.peer.addrs.contains(pkt_.src) || (b.ports && !b.ports->contains(pkt_.proto, pkt_.port)))
      return ir::Flow::next;
    decide(b.action, Stage::block, b.origin, b.log.has_value());
    decision.via = via(b.peer);
    return ir::Flow::stop;
  }
  ir::Flow meter(ir::Hook, const ir::Meter& m) override {
    if (m.src.addrs.contains(pkt_.src) && m.ports.contains(pkt_.proto, pkt_.port)) {
      decision.meters.push_back(m.origin);
      decision.meter_connections.push_back(m.connections);
    }
    return ir::Flow::next;
  }
  // The proxy answers the handshake; the connection it then opens reaches
  // the listener over loopback. Its sources are the rule's minus those a
  // block rule or meter covers, so the allow rule decides it as well.
  ir::Flow synproxy(ir::Hook, const ir::Allow& a) override {
    if (!decision.synproxy && pkt_.proto == net::Proto::tcp && a.synproxy && a.synproxy->contains(pkt_.src) &&
        a.ports.contains(pkt_.proto, pkt_.port))
      decision.synproxy = a.origin;
    return ir::Flow::next;
  }
  ir::Flow allow(ir::Hook, const ir::Allow& a) override {
    if (!a.src.addrs.contains(pkt_.src) || !a.ports.contains(pkt_.proto, pkt_.port)) return ir::Flow::next;
    if (allowed_) decision.also.push_back(a.origin);
    else {
      decide(ir::Verdict::accept, Stage::allow, a.origin, a.log.has_value());
      decision.via = via(a.src);
    }
    allowed_ = true;
    return ir::Flow::next;
  }
  ir::Flow allows_done(ir::Hook) override {
    if (allowed_) return ir::Flow::stop;
    decision.meters.clear();  // a refused packet is not "rate-limited"
    decision.meter_connections.clear();
    return ir::Flow::next;
  }
  ir::Flow otherwise(ir::Hook, const ir::Otherwise& o) override {
    if (!o.ports.contains(pkt_.proto, pkt_.port)) return ir::Flow::next;
    decide(o.action, Stage::otherwise, o.origin, o.log.has_value());
    return ir::Flow::stop;
  }
  void fallback(ir::Hook, const ir::Chain& c) override {
    decide(c.policy, Stage::fallback, c.default_origin, c.log.has_value() && c.policy != ir::Verdict::accept);
  }

 private:
  void decide(ir::Verdict v, Stage s, ir::Origin origin, bool logged) {
    decision.verdict = v;
    decision.stage = s;
    decision.origin = std::move(origin);
    decision.logged = logged;
  }
  // The first source of the peer's networks that holds the packet's source.
  std::string via(const ir::Peer& peer) const {
    if (!peer.refreshable) return {};
    for (const auto& name : peer.networks)
      for (const auto& n : networks_)
        if (n.name == name)
          for (const auto& src : n.sources)
            if (src.addrs.contains(pkt_.src)) return n.name + " via " + src.describe();
    return {};
  }
  const Packet& pkt_;
  const net::AddrSet& never_;
  const std::vector<ir::Network>& networks_;
  bool allowed_ = false;
};

}  // namespace

Decision explain(const ir::Ruleset& rs, const Packet& packet) {
  // A mapped source is an IPv4 peer as a dual-stack socket shows it.
  const Packet pkt{net::unmapped(packet.src), packet.proto, packet.port, packet.published};
  if (pkt.published && !rs.published) {
    // defaults.published: ignore: no chain of fwc's meets the connection.
    Decision d;
    d.verdict = ir::Verdict::accept;
    d.origin = {"defaults.published", rs.published_loc,
                "ignore: the other forward rules of the host decide", {}};
    d.chain = "forward";
    return d;
  }
  PacketSink sink(pkt, rs.never, rs.networks);
  ir::Hook hook = pkt.published ? ir::Hook::published : ir::Hook::input;
  ir::walk(hook, rs.input, sink);
  sink.decision.chain = ir::hook_name(hook);
  return sink.decision;
}

}  // namespace fwc::eval
