#include "backends/cloud/cloud_model.h"

namespace fwc::cloud {

namespace {

bool admits_traffic(const Rule& r, const eval::Packet& pkt) {
  switch (r.proto) {
    case Proto::all:
      return true;
    case Proto::icmp:
      return false;  // explain evaluates TCP and UDP only
    case Proto::tcp:
      if (pkt.proto != net::Proto::tcp) return false;
      break;
    case Proto::udp:
      if (pkt.proto != net::Proto::udp) return false;
      break;
  }
  return pkt.port >= r.ports.lo && pkt.port <= r.ports.hi;
}

std::string containing_cidr(const net::AddrSet& s, const net::Address& a) {
  for (const auto& c : s.cidrs(a.family)) {
    net::u128 mask = net::host_mask(c.family, c.len);
    if ((a.value & ~mask) == c.addr) return cidr_text(c);
  }
  return {};
}

}  // namespace

// Payload rules are a union: the first one that admits the packet decides,
// and nothing else can refuse it.
Decision explain(const Group& g, const eval::Packet& pkt) {
  Decision d;
  for (const Rule& r : g.inbound) {
    if (!admits_traffic(r, pkt)) continue;
    if (r.peers.cidrs.contains(pkt.src)) {
      d.verdict = ir::Verdict::accept;
      d.rule = &r;
      d.via = containing_cidr(r.peers.cidrs, pkt.src);
      return d;
    }
    for (const auto& ref : r.peers.refs) {
      if (!ref.members.contains(pkt.src)) continue;
      d.verdict = ir::Verdict::accept;
      d.rule = &r;
      d.via = ref.str();
      d.assumed = true;
      d.network = ref.network;
      return d;
    }
  }
  return d;
}

}  // namespace fwc::cloud
