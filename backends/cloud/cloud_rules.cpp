#include <algorithm>

#include "backends/cloud/cloud_lowering.h"

namespace fwc::cloud::detail {

void RuleAdder::add(std::vector<Rule>& rules, Proto proto, net::PortRange ports, const Peers& peers,
                    const ir::Origin& o) const {
  if (peers.empty()) return;
  if (proto == Proto::icmp || proto == Proto::all) ports = kAllPorts;
  const size_t limit = limits_of(p_).addresses;
  for (Rule& r : rules) {
    if (r.proto != proto || !(r.ports == ports)) continue;
    Peers merged = r.peers;
    merged.unite(peers);
    if (limit && merged.address_count() > limit) continue;
    r.peers = std::move(merged);
    auto same = [&](const ir::Origin& x) { return x.label == o.label && x.loc.line == o.loc.line; };
    if (std::none_of(r.origins.begin(), r.origins.end(), same)) r.origins.push_back(o);
    return;
  }
  rules.push_back({proto, ports, peers, {o}});
}

void RuleAdder::add_all(std::vector<Rule>& rules, const Peers& peers, const ir::Origin& o,
                        bool warn_protocols) const {
  if (p_ == Provider::aws) return add(rules, Proto::all, kAllPorts, peers, o);
  add(rules, Proto::tcp, kAllPorts, peers, o);
  add(rules, Proto::udp, kAllPorts, peers, o);
  add(rules, Proto::icmp, kAllPorts, peers, o);
  if (warn_protocols)
    approx_.report(
        o, {},
        o.label + ": " + fw_ +
            " gets tcp, udp and icmp rules only; other protocols that 'all' allows stay blocked there");
}

void RuleAdder::add_ports(std::vector<Rule>& rules, const net::PortSet& ports, const Peers& peers,
                          const ir::Origin& o) const {
  if (ports.all) return add_all(rules, peers, o, true);
  for (const auto& r : ports.tcp) add(rules, Proto::tcp, r, peers, o);
  for (const auto& r : ports.udp) add(rules, Proto::udp, r, peers, o);
}

}  // namespace fwc::cloud::detail
