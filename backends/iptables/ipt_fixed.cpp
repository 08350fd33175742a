#include "backends/iptables/ipt_lowering.h"

namespace fwc::ipt {

namespace {

constexpr const char* kNeighbourDiscovery[] = {"router-solicitation", "router-advertisement",
                                               "neighbour-solicitation", "neighbour-advertisement",
                                               "redirect"};

std::string icmp(const char* type) {
  return std::string("-p icmp -m icmp --icmp-type ") + type;
}
std::string icmp6(const char* type) {
  return std::string("-p ipv6-icmp -m icmp6 --icmpv6-type ") + type;
}

}  // namespace

void Lowering::add(const std::string& match, Target target, const std::string& comment) {
  Rule r;
  r.match = match;
  r.target = target;
  r.comment = comment;
  chain_->rules.push_back(std::move(r));
}

ir::Flow Lowering::fixed(ir::Hook h, ir::Step s) {
  switch (s) {
    case ir::Step::established:
      add("-m conntrack --ctstate RELATED,ESTABLISHED", Target::accept, "established, related");
      break;
    case ir::Step::neighbour_discovery:
      if (table_->family == net::Family::v6)
        for (const char* type : kNeighbourDiscovery)
          add(icmp6(type) + " -m hl --hl-eq 255", Target::accept, "IPv6 neighbour discovery");
      break;
    case ir::Step::invalid:
      add("-m conntrack --ctstate INVALID", Target::drop, "invalid state");
      break;
    case ir::Step::loopback:
      add(h == ir::Hook::output ? "-o lo" : "-i lo", Target::accept, "loopback");
      break;
    case ir::Step::essential_icmp:
      icmp_rules(h == ir::Hook::output);
      break;
    default:
      break;
  }
  return ir::Flow::next;
}

void Lowering::icmp_rules(bool outbound) {
  bool v6 = table_->family == net::Family::v6;
  if (outbound) {
    if (v6) {
      for (const char* type : kNeighbourDiscovery)
        add(icmp6(type), Target::accept, "IPv6 neighbour discovery");
      for (const char* type : {"packet-too-big", "destination-unreachable", "time-exceeded",
                               "parameter-problem", "echo-request", "echo-reply"})
        add(icmp6(type), Target::accept, "essential ICMPv6");
    } else {
      for (const char* type :
           {"destination-unreachable", "time-exceeded", "parameter-problem", "echo-request", "echo-reply"})
        add(icmp(type), Target::accept, "essential ICMP");
    }
    return;
  }
  if (v6) add(icmp6("packet-too-big"), Target::accept, "ICMPv6 packet-too-big");
  if (rs_.icmp == ir::IcmpMode::all) {
    add(v6 ? "-p ipv6-icmp" : "-p icmp", Target::accept, "defaults.icmp all");
    return;
  }
  std::vector<const char*> types = {"destination-unreachable", "time-exceeded", "parameter-problem"};
  if (rs_.icmp == ir::IcmpMode::essential) types.push_back("echo-request");
  std::string label =
      rs_.icmp == ir::IcmpMode::essential ? "defaults.icmp essential" : "defaults.icmp no-ping";
  for (const char* type : types) add(v6 ? icmp6(type) : icmp(type), Target::accept, label);
}

}  // namespace fwc::ipt
