#include "backends/nftables/nft_lowering.h"

namespace fwc::nft::lowering {

Rule ct(uint32_t states) {
  Rule r;
  r.ct_state = states;
  return r;
}

Rule icmp(Family f, std::vector<uint8_t> types, bool nd_hoplimit) {
  Rule r;
  r.icmp = IcmpMatch{f, std::move(types), nd_hoplimit};
  return r;
}

// ICMP and ICMPv6 type numbers.
constexpr uint8_t kEchoReply4 = 0, kUnreach4 = 3, kEchoRequest4 = 8, kTimeExceeded4 = 11, kParamProblem4 = 12;
constexpr uint8_t kUnreach6 = 1, kTooBig6 = 2, kTimeExceeded6 = 3, kParamProblem6 = 4, kEchoRequest6 = 128,
                  kEchoReply6 = 129;
const std::vector<uint8_t> kNeighbourDiscovery = {133, 134, 135, 136, 137};

void Lowering::fixed(Chain& c, Rule r, Verdict v, const std::string& comment) {
  r.verdict = v;
  r.comment = comment;
  c.rules.push_back(std::move(r));
}

void Lowering::icmp_rules(Chain& c, bool outbound) {
  if (outbound) {
    fixed(c, icmp(Family::v6, kNeighbourDiscovery), Verdict::accept, "IPv6 neighbour discovery");
    fixed(c,
          icmp(Family::v6, {kTooBig6, kUnreach6, kTimeExceeded6, kParamProblem6, kEchoRequest6, kEchoReply6}),
          Verdict::accept, "essential ICMPv6");
    fixed(c, icmp(Family::v4, {kUnreach4, kTimeExceeded4, kParamProblem4, kEchoRequest4, kEchoReply4}),
          Verdict::accept, "essential ICMP");
    return;
  }
  fixed(c, icmp(Family::v6, {kTooBig6}), Verdict::accept, "ICMPv6 packet-too-big");
  switch (rs_.icmp) {
    case ir::IcmpMode::all:
      fixed(c, icmp(Family::v4, {}), Verdict::accept, "defaults.icmp all");
      fixed(c, icmp(Family::v6, {}), Verdict::accept, "defaults.icmp all");
      break;
    case ir::IcmpMode::essential:
    case ir::IcmpMode::no_ping: {
      bool ping = rs_.icmp == ir::IcmpMode::essential;
      std::vector<uint8_t> v4{kUnreach4, kTimeExceeded4, kParamProblem4};
      std::vector<uint8_t> v6{kUnreach6, kTimeExceeded6, kParamProblem6};
      if (ping) {
        v4.push_back(kEchoRequest4);
        v6.push_back(kEchoRequest6);
      }
      std::string label = ping ? "defaults.icmp essential" : "defaults.icmp no-ping";
      fixed(c, icmp(Family::v4, v4), Verdict::accept, label);
      fixed(c, icmp(Family::v6, v6), Verdict::accept, label);
      break;
    }
  }
}

ir::Flow Lowering::fixed(ir::Hook h, ir::Step s) {
  Chain& c = chain_;
  switch (s) {
    case ir::Step::established:
      fixed(c, ct(ct_established | ct_related), Verdict::accept, "established, related");
      break;
    case ir::Step::neighbour_discovery:
      fixed(c, icmp(Family::v6, kNeighbourDiscovery, true), Verdict::accept, "IPv6 neighbour discovery");
      break;
    case ir::Step::invalid:
      fixed(c, ct(ct_invalid), Verdict::drop, "invalid state");
      break;
    case ir::Step::loopback: {
      Rule lo;
      (h == ir::Hook::output ? lo.oif : lo.iif) = "lo";
      fixed(c, lo, Verdict::accept, "loopback");
      break;
    }
    case ir::Step::essential_icmp:
      icmp_rules(c, h == ir::Hook::output);
      break;
    default:
      break;
  }
  return ir::Flow::next;
}

}  // namespace fwc::nft::lowering
