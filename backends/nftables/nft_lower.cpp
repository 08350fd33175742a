#include <map>

#include "backends/common/escape.h"
#include "backends/common/naming.h"
#include "backends/common/shared_sets.h"
#include "backends/nftables/nft_backend.h"
#include "compiler/ir/walk.h"

namespace fwc::nft {

namespace {

using net::Family;

// Networks with more entries than this (per family) become named interval
// sets; smaller ones are written inline where the rule reads them.
constexpr size_t kInlineLimit = 4;

Verdict verdict_of(ir::Verdict v) {
  switch (v) {
    case ir::Verdict::accept: return Verdict::accept;
    case ir::Verdict::reject: return Verdict::reject;
    case ir::Verdict::drop: break;
  }
  return Verdict::drop;
}

// "2m", "2h": the largest unit that divides the duration.
std::string nft_duration(uint64_t seconds) {
  for (auto [unit, suffix] : {std::pair<uint64_t, char>{86400, 'd'}, {3600, 'h'}, {60, 'm'}})
    if (seconds % unit == 0) return std::to_string(seconds / unit) + suffix;
  return std::to_string(seconds) + "s";
}

using naming::rule_stem;

std::string sanitize_name(const std::string& s) { return naming::sanitize(s); }

std::string comment_for(const ir::Origin& o) { return escape::nft_string(naming::origin_text(o), kCommentMax); }

// A sink of the chain walk: each step of the evaluation order becomes nft
// rules of the chain being built.
class Lowering : public ir::ChainSink {
 public:
  Lowering(const ir::Ruleset& rs, DiagnosticEngine& diags) : rs_(rs), diags_(diags) {}
  Table run();

  void begin(ir::Hook h, const ir::Chain& c) override;
  ir::Flow fixed(ir::Hook h, ir::Step s) override;
  ir::Flow block(ir::Hook h, const ir::Block& b) override;
  ir::Flow meter(ir::Hook h, const ir::Meter& m) override;
  ir::Flow allow(ir::Hook h, const ir::Allow& a) override;
  ir::Flow otherwise(ir::Hook h, const ir::Otherwise& o) override;
  void fallback(ir::Hook h, const ir::Chain& c) override;

 private:
  void forward_allow(const ir::Allow& a, const Rule& base);
  static void fixed(Chain& c, Rule r, Verdict v, const std::string& comment);
  void icmp_rules(Chain& c, bool outbound);
  // One rule per address family present in `peer` (or a single family-free
  // rule when the peer is everything), each expanded per protocol.
  void expand(Chain& c, const ir::Peer& peer, bool daddr, const std::optional<net::PortSet>& ports,
              const Rule& base, const std::string& set_hint);
  std::optional<AddrMatch> addr_match(const ir::Peer& peer, Family f, bool daddr, const std::string& hint);
  std::string set_for(Family f, const net::AddrSet& addrs, const std::string& hint);
  // Sets and limit objects share one namespace of names in the table.
  std::string unique_name(const std::string& base);
  void logged(Chain& c, const Rule& base, const std::optional<ir::Log>& log, bool rate_limited);
  void meter_rules(Chain& c, const ir::Meter& m);
  // A refusing rule (block, otherwise): its rate-limited log rule, then the verdict.
  void refuse(Chain& c, const ir::Peer& peer, bool daddr, const std::optional<net::PortSet>& ports,
              const ir::Origin& origin, const std::optional<ir::Log>& log, ir::Verdict action);

  const ir::Ruleset& rs_;
  DiagnosticEngine& diags_;
  Table t_;
  Chain chain_;  // the chain being walked
  backend::SharedSets shared_sets_;
  naming::UniqueNames names_;
};

Rule ct(uint32_t states) {
  Rule r;
  r.ct_state = states;
  return r;
}

Rule icmp(Family f, std::vector<uint8_t> types, bool nd_hoplimit = false) {
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

// Rules naming the same network share its set (same interval storage).
std::string Lowering::set_for(Family f, const net::AddrSet& addrs, const std::string& hint) {
  return shared_sets_.name_for(f, addrs, [&] {
    Set s;
    s.name = unique_name(sanitize_name(hint) + (f == Family::v4 ? "_v4" : "_v6"));
    s.family = f;
    s.addrs = addrs;
    t_.sets.push_back(s);
    return s.name;
  });
}

std::string Lowering::unique_name(const std::string& base) { return names_.take("", base); }

std::optional<AddrMatch> Lowering::addr_match(const ir::Peer& peer, Family f, bool daddr,
                                              const std::string& hint) {
  if (peer.addrs.empty(f)) return std::nullopt;
  AddrMatch m;
  m.daddr = daddr;
  m.family = f;
  if (peer.any(f)) return m;  // family only
  if (peer.addrs.intervals(f).size() > kInlineLimit || peer.addrs.cidr_count(f) > kInlineLimit)
    m.set = set_for(f, peer.addrs, peer.name.empty() ? hint : peer.name);
  else m.elems = peer.addrs.cidrs(f);
  return m;
}

void Lowering::expand(Chain& c, const ir::Peer& peer, bool daddr, const std::optional<net::PortSet>& ports,
                      const Rule& base, const std::string& set_hint) {
  std::vector<std::optional<AddrMatch>> addrs;
  if (peer.any(Family::v4) && peer.any(Family::v6)) {
    addrs.push_back(std::nullopt);
  } else {
    for (Family f : {Family::v4, Family::v6})
      if (auto m = addr_match(peer, f, daddr, set_hint)) addrs.push_back(m);
  }
  for (const auto& a : addrs) {
    auto emit_one = [&](std::optional<PortMatch> pm) {
      Rule r = base;
      r.addr = a;
      r.port = std::move(pm);
      c.rules.push_back(std::move(r));
    };
    if (!ports || ports->all) {
      emit_one(std::nullopt);
      continue;
    }
    for (net::Proto p : {net::Proto::tcp, net::Proto::udp})
      if (!ports->of(p).empty()) emit_one(PortMatch{p, ports->of(p)});
  }
}

// A log statement with its own rate limit sits in a rule of its own just
// before the verdict rule: a limit in the verdict rule would let packets
// over the log rate skip the verdict.
void Lowering::logged(Chain& c, const Rule& base, const std::optional<ir::Log>& log, bool rate_limited) {
  if (!log) return;
  Rule r = base;
  r.verdict = Verdict::none;
  if (rate_limited) r.limit = LimitStmt{log->rate, 0, false};
  r.log = LogStmt{log->prefix, log->level};
  c.rules.push_back(std::move(r));
}

void Lowering::icmp_rules(Chain& c, bool outbound) {
  if (outbound) {
    fixed(c, icmp(Family::v6, kNeighbourDiscovery), Verdict::accept, "IPv6 neighbour discovery");
    fixed(c, icmp(Family::v6, {kTooBig6, kUnreach6, kTimeExceeded6, kParamProblem6, kEchoRequest6, kEchoReply6}),
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

void Lowering::meter_rules(Chain& c, const ir::Meter& m) {
  Rule base;
  base.ct_new = true;
  base.verdict = verdict_of(m.action);
  base.comment = comment_for(m.origin);
  if (m.log) base.log = LogStmt{m.log->prefix, m.log->level};
  std::string hint = rule_stem(m.origin);
  if (!m.per_source) {
    // One bucket for the whole meter, whatever families and protocols its
    // rules are split into.
    LimitObject lim{unique_name("meter_" + sanitize_name(hint)), m.rate, m.burst, comment_for(m.origin)};
    base.limit_object = lim.name;
    t_.limits.push_back(lim);
    expand(c, m.src, false, m.ports, base, "meter_src_" + sanitize_name(hint));
    return;
  }
  // Per source: a dynamic set keyed by source address, one per family.
  for (Family f : {Family::v4, Family::v6}) {
    if (m.src.addrs.empty(f)) continue;
    Set s;
    s.name = unique_name("meter_" + sanitize_name(hint) + (f == Family::v4 ? "_v4" : "_v6"));
    s.family = f;
    s.meter = true;
    s.timeout = nft_duration(ir::meter_expiry_seconds(m.rate.unit));
    s.comment = comment_for(m.origin);
    Rule r = base;
    r.meter = MeterStmt{s.name, f, m.rate, m.burst};
    t_.sets.push_back(std::move(s));
    ir::Peer only_f;
    only_f.name = m.src.name;
    only_f.addrs = m.src.addrs;
    only_f.addrs.subtract(net::AddrSet::any_of(f == Family::v4 ? Family::v6 : Family::v4));
    // The meter's key already fixes the family, so "any" needs no address match.
    expand(c, only_f, false, m.ports, r, "meter_src_" + sanitize_name(hint));
  }
}

void Lowering::refuse(Chain& c, const ir::Peer& peer, bool daddr, const std::optional<net::PortSet>& ports,
                      const ir::Origin& origin, const std::optional<ir::Log>& log, ir::Verdict action) {
  Rule base;
  base.comment = comment_for(origin);
  if (log) {
    Rule l = base;
    l.limit = LimitStmt{log->rate, 0, false};
    l.log = LogStmt{log->prefix, log->level};
    expand(c, peer, daddr, ports, l, rule_stem(origin));
  }
  base.verdict = verdict_of(action);
  expand(c, peer, daddr, ports, base, rule_stem(origin));
}

void Lowering::begin(ir::Hook h, const ir::Chain&) {
  chain_ = Chain{};
  chain_.name = ir::hook_name(h);
}

ir::Flow Lowering::fixed(ir::Hook h, ir::Step s) {
  Chain& c = chain_;
  switch (s) {
    case ir::Step::established: fixed(c, ct(ct_established | ct_related), Verdict::accept, "established, related"); break;
    case ir::Step::neighbour_discovery:
      fixed(c, icmp(Family::v6, kNeighbourDiscovery, true), Verdict::accept, "IPv6 neighbour discovery");
      break;
    case ir::Step::invalid: fixed(c, ct(ct_invalid), Verdict::drop, "invalid state"); break;
    case ir::Step::loopback: {
      Rule lo;
      (h == ir::Hook::output ? lo.oif : lo.iif) = "lo";
      fixed(c, lo, Verdict::accept, "loopback");
      break;
    }
    case ir::Step::essential_icmp: icmp_rules(c, h == ir::Hook::output); break;
    default: break;
  }
  return ir::Flow::next;
}

ir::Flow Lowering::block(ir::Hook h, const ir::Block& b) {
  refuse(chain_, b.peer, h == ir::Hook::output, b.ports, b.origin, b.log, b.action);
  return ir::Flow::next;
}

ir::Flow Lowering::meter(ir::Hook, const ir::Meter& m) {
  meter_rules(chain_, m);
  return ir::Flow::next;
}

ir::Flow Lowering::allow(ir::Hook h, const ir::Allow& a) {
  Rule base;
  base.comment = comment_for(a.origin);
  base.verdict = Verdict::accept;
  if (h == ir::Hook::forward) {
    forward_allow(a, base);
    return ir::Flow::next;
  }
  bool outbound = h == ir::Hook::output;
  const ir::Peer& peer = outbound ? a.dst : a.src;
  if (a.log && !outbound) {
    Rule l = base;
    l.verdict = Verdict::none;
    l.ct_new = true;
    l.log = LogStmt{a.log->prefix, a.log->level};
    expand(chain_, peer, outbound, a.ports, l, rule_stem(a.origin));
  }
  expand(chain_, peer, outbound, a.ports, base, rule_stem(a.origin));
  return ir::Flow::next;
}

// Expands over the source first, then narrows each rule by destination.
void Lowering::forward_allow(const ir::Allow& a, const Rule& base) {
  Chain tmp;
  expand(tmp, a.src, false, a.ports, base, rule_stem(a.origin) + "_src");
  for (Rule& r : tmp.rules) {
    Family f = r.addr ? r.addr->family : Family::v4;
    bool both = !r.addr;
    for (Family df : {Family::v4, Family::v6}) {
      if (!both && df != f) continue;
      if (a.dst.addrs.empty(df)) continue;
      Rule nr = r;
      nr.addr2 = addr_match(a.dst, df, true, rule_stem(a.origin) + "_dst");
      chain_.rules.push_back(std::move(nr));
    }
  }
}

ir::Flow Lowering::otherwise(ir::Hook, const ir::Otherwise& o) {
  ir::Peer everyone;
  everyone.addrs = net::AddrSet::any();
  refuse(chain_, everyone, false, o.ports, o.origin, o.log, o.action);
  return ir::Flow::next;
}

void Lowering::fallback(ir::Hook, const ir::Chain& ic) {
  Chain& c = chain_;
  Rule base;
  base.comment = comment_for(ic.default_origin);
  if (ic.log && ic.policy != ir::Verdict::accept) logged(c, base, ic.log, true);
  base.verdict = verdict_of(ic.policy);
  c.rules.push_back(base);
  c.policy = ic.policy == ir::Verdict::accept ? Verdict::accept : Verdict::drop;
  t_.chains.push_back(std::move(chain_));
}

Table Lowering::run() {
  t_.header.push_back(naming::policy_header(rs_));
  t_.header.push_back("Generated by fwc; do not edit. Loading it replaces table inet fwc atomically");
  t_.header.push_back("and touches no other table.");
  ir::walk(rs_, *this);
  (void)diags_;
  return std::move(t_);
}

}  // namespace

Table lower(const ir::Ruleset& rs, DiagnosticEngine& diags) { return Lowering(rs, diags).run(); }

}  // namespace fwc::nft
