#include "backends/firewalld/firewalld_lowering.h"

// What the lowering writes whatever the policy's rules: the containers'
// heads and the fixed ICMP steps of the evaluation order.
namespace fwc::firewalld {

namespace {

RichRule icmp_accept(int priority, std::optional<net::Family> family) {
  RichRule r;
  r.priority = priority;
  r.family = family;
  r.element = Element::icmp_type;
  r.action = Action::accept;
  return r;
}

void add_types(Group& g, RichRule r, std::initializer_list<const char*> types) {
  for (const char* t : types) {
    r.name = t;
    g.rules.push_back(r);
  }
}

constexpr std::initializer_list<const char*> kNeighbourDiscovery = {
    "router-solicitation", "router-advertisement", "neighbour-solicitation", "neighbour-advertisement",
    "redirect"};

}  // namespace

Container container_for(ir::Hook h, const ir::Ruleset& rs) {
  Container c;
  c.short_text = "fwc: policy " + rs.policy_name + ", " + rs.selection;
  if (h == ir::Hook::input) {
    c.is_zone = true;
    c.name = kZone;
    return c;
  }
  bool output = h == ir::Hook::output;
  c.is_zone = false;
  c.name = output ? kOutPolicy : kFwdPolicy;
  c.short_text += output ? ", outbound" : ", forward";
  c.ingress = output ? "HOST" : "ANY";
  c.egress = "ANY";
  return c;
}

Group neighbour_discovery_group() {
  Group g{"IPv6 neighbour discovery, before the block lists", {}};
  add_types(g, icmp_accept(band::kNeighbour, net::Family::v6), kNeighbourDiscovery);
  return g;
}

Group inbound_icmp_group(ir::IcmpMode mode) {
  Group g{"ICMPv6 packet-too-big; defaults.icmp ", {}};
  add_types(g, icmp_accept(band::kIcmp, net::Family::v6), {"packet-too-big"});
  RichRule r = icmp_accept(band::kIcmp, std::nullopt);
  if (mode == ir::IcmpMode::all) {
    g.comment += "all";
    r.element = Element::protocol;
    r.family = net::Family::v4;
    add_types(g, r, {"icmp"});
    r.family = net::Family::v6;
    add_types(g, r, {"ipv6-icmp"});
    return g;
  }
  bool ping = mode == ir::IcmpMode::essential;
  g.comment += ping ? "essential" : "no-ping";
  if (ping) add_types(g, r, {"echo-request"});
  add_types(g, r, {"destination-unreachable", "time-exceeded", "parameter-problem"});
  return g;
}

Group outbound_icmp_group() {
  Group g{"IPv6 neighbour discovery, essential ICMP and ICMPv6", {}};
  RichRule r = icmp_accept(band::kNeighbour, net::Family::v6);
  add_types(g, r, kNeighbourDiscovery);
  add_types(g, r, {"packet-too-big"});
  r.family.reset();
  add_types(g, r,
            {"destination-unreachable", "time-exceeded", "parameter-problem", "echo-request", "echo-reply"});
  return g;
}

}  // namespace fwc::firewalld
