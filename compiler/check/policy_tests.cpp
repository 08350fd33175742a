#include "compiler/check/policy_tests.h"

#include <algorithm>
#include <set>

#include "compiler/diag/printable.h"
#include "compiler/eval/regions.h"
#include "compiler/ir/selection.h"

namespace fwc::check {

namespace {

using net::Family;
using net::Proto;
using net::u128;

// Where some rule's address set starts or stops covering addresses.
struct Cuts {
  std::set<u128> v4, v6;
  void add(const net::AddrSet& s) {
    for (Family f : {Family::v4, Family::v6})
      for (const auto& iv : s.intervals(f)) {
        auto& cuts = f == Family::v4 ? v4 : v6;
        cuts.insert(iv.lo);
        if (iv.hi < net::family_max(f)) cuts.insert(iv.hi + 1);
      }
  }
  // An IPv4-mapped IPv6 source (::ffff:a.b.c.d) is evaluated as a.b.c.d:
  // the IPv4 cuts repeat inside ::ffff:0:0/96.
  void add_mapped() {
    const u128 base = u128(0xffff) << 32;
    v6.insert(base);
    v6.insert(base + (u128(1) << 32));
    for (u128 c : v4) v6.insert(base + c);
  }
};

// The address cuts of a chain; its port cuts are eval::port_segments'.
void add_chain_cuts(const ir::Chain& c, Cuts& addr) {
  for (const auto& b : c.blocks) addr.add(b.peer.addrs);
  for (const auto& m : c.meters) addr.add(m.src.addrs);
  for (const auto& a : c.allows) {
    addr.add(a.src.addrs);
    if (a.synproxy) addr.add(*a.synproxy);
  }
}

// The first port of each of the chain's port segments that `r` meets.
void port_representatives(const std::vector<eval::PortSegment>& segments, Proto proto, net::PortRange r,
                          std::vector<uint16_t>& out) {
  const eval::Axis axis = proto == Proto::tcp ? eval::Axis::tcp : eval::Axis::udp;
  for (const auto& seg : segments)
    if (seg.axis == axis && seg.ports.hi >= r.lo && seg.ports.lo <= r.hi) out.push_back(std::max(seg.ports.lo, r.lo));
}

// The first value of each range piece between cuts, inside [lo, hi].
template <typename T, typename Cut>
void representatives(T lo, T hi, const std::set<Cut>& cuts, std::vector<T>& out) {
  out.push_back(lo);
  for (auto it = cuts.upper_bound(static_cast<Cut>(lo)); it != cuts.end() && *it <= static_cast<Cut>(hi); ++it)
    out.push_back(static_cast<T>(*it));
}

std::string packet_text(const eval::Packet& pkt, const ir::PolicyTest& t) {
  std::string src = net::format_address(pkt.src.family, pkt.src.value);
  std::string out = std::to_string(pkt.port) + "/" + net::proto_name(pkt.proto) + " from " + src;
  if (src != t.from_text) out += " (" + printable(t.from_text) + ")";
  return pkt.published ? out + ", published" : out;
}

// The first packet of the test that meets another verdict, reported.
bool run_test(const ir::Policy& p, const ir::PolicyTest& t, DiagnosticEngine& diags) {
  // A test that checks nothing must not pass: loopback only, a network of
  // host names (not looked up by lint) or of cloud references only.
  if (t.from.empty()) {
    diags.error(code::policy_test_failed, t.loc,
                "policy test " + printable(t.label) + " checks nothing: '" + printable(t.from_text) +
                    "' holds no address it can check",
                "loopback is left out (traffic on lo is always accepted) and lint does not look host names up: "
                "name addresses or a network of addresses");
    return false;
  }
  for (const auto& sel : test_selections(p, t)) {
    ir::Ruleset rs = ir::select(p, sel);
    auto packets = test_packets(rs, t);
    if (!packets) {
      diags.error(code::policy_test_failed, t.loc,
                  "policy test " + printable(t.label) + " cannot be checked on " + sel.label() +
                      ": its sources and ports fall into more than " + std::to_string(kMaxTestPackets) +
                      " regions the rules treat differently",
                  "narrow 'from' or 'port'");
      return false;
    }
    for (const auto& pkt : *packets) {
      eval::Decision d = eval::explain(rs, pkt);
      if (expect_met(t.expect, d.verdict)) continue;
      diags.error(code::policy_test_failed, t.loc,
                  "policy test " + printable(t.label) + " failed: " + packet_text(pkt, t) + " to " + sel.label() +
                      ": expected " + ir::expect_name(t.expect) + ", got " + ir::verdict_name(d.verdict),
                  "decided by " + printable(d.origin.label) +
                      (d.origin.loc.line > 0 ? " at " + printable(d.origin.where()) : std::string()));
      return false;
    }
  }
  return true;
}

}  // namespace

bool expect_met(ir::Expect expect, ir::Verdict verdict) {
  switch (expect) {
    case ir::Expect::accept: return verdict == ir::Verdict::accept;
    case ir::Expect::drop: return verdict == ir::Verdict::drop;
    case ir::Expect::reject: return verdict == ir::Verdict::reject;
    case ir::Expect::blocked: return verdict != ir::Verdict::accept;
  }
  return false;
}

std::vector<ir::Selection> test_selections(const ir::Policy& p, const ir::PolicyTest& t) {
  using Kind = ir::Selection::Kind;
  if (!t.node.empty()) return {{Kind::node, t.node}};
  std::vector<ir::Selection> out;
  for (const auto& n : p.nodes)
    if (t.role.empty() || std::find(n.roles.begin(), n.roles.end(), t.role) != n.roles.end())
      out.push_back({Kind::node, n.name});
  if (out.empty()) out.push_back(t.role.empty() ? ir::Selection{} : ir::Selection{Kind::role, t.role});
  return out;
}

std::optional<std::vector<eval::Packet>> test_packets(const ir::Ruleset& rs, const ir::PolicyTest& t) {
  Cuts addr;
  add_chain_cuts(rs.input, addr);
  addr.add(rs.never);
  addr.add_mapped();
  std::vector<net::Address> sources;
  for (Family f : {Family::v4, Family::v6}) {
    std::vector<u128> values;
    for (const auto& iv : t.from.intervals(f))
      representatives<u128, u128>(iv.lo, iv.hi, f == Family::v4 ? addr.v4 : addr.v6, values);
    for (u128 v : values) sources.push_back({f, v});
  }
  const std::vector<eval::PortSegment> segments = eval::port_segments({&rs.input});
  std::vector<eval::Packet> out;
  for (Proto proto : {Proto::tcp, Proto::udp}) {
    std::vector<uint16_t> ports;
    for (const auto& r : t.ports.of(proto)) port_representatives(segments, proto, r, ports);
    if (!ports.empty() && sources.size() > (kMaxTestPackets - out.size()) / ports.size()) return std::nullopt;
    for (const auto& src : sources)
      for (uint16_t port : ports) out.push_back({src, proto, port, t.published});
  }
  return out;
}

PolicyTestTally check_policy_tests(const ir::Policy& p, DiagnosticEngine& diags) {
  PolicyTestTally tally;
  for (const auto& t : p.tests) (run_test(p, t, diags) ? tally.passed : tally.failed)++;
  return tally;
}

}  // namespace fwc::check
