#include "cli/verify_tests.h"

#include <algorithm>
#include <map>
#include <set>

namespace fwc::cli::verify {

namespace {

namespace pr = prober;

// A test's ports are probed one by one: a long range is left to a sweep.
constexpr size_t kMaxTestPorts = 1024;

bool applies(const ir::Policy& p, const ir::Selection& sel, const ir::PolicyTest& t) {
  using Kind = ir::Selection::Kind;
  if (!t.node.empty()) return sel.kind == Kind::node && sel.name == t.node;
  if (t.role.empty()) return true;
  if (sel.kind == Kind::role) return sel.name == t.role;
  const ir::Node* node = sel.kind == Kind::node ? p.find_node(sel.name) : nullptr;
  return node && std::find(node->roles.begin(), node->roles.end(), t.role) != node->roles.end();
}

// The test's ports to probe, or nothing when there are too many or some
// are UDP and UDP is not probed.
std::vector<std::pair<pr::L4, uint16_t>> probe_ports(const ir::PolicyTest& t, bool udp) {
  std::vector<std::pair<pr::L4, uint16_t>> out;
  for (auto proto : {net::Proto::tcp, net::Proto::udp}) {
    const auto l4 = proto == net::Proto::tcp ? pr::L4::tcp : pr::L4::udp;
    for (const auto& r : t.ports.of(proto)) {
      if (l4 == pr::L4::udp && !udp) return {};
      for (unsigned port = r.lo; port <= r.hi; ++port) {
        if (out.size() == kMaxTestPorts) return {};
        out.emplace_back(l4, uint16_t(port));
      }
    }
  }
  return out;
}

struct Judged {
  int rank = 0;  // 0 ok, 1 warning, 2 failure
  std::string note;
};

// What one port's answer says about a test's expectation (the same reading
// as the per-port rows: a drop must be filtered, a reject may answer).
Judged judge_state(ir::Expect e, pr::State s, bool is_udp) {
  const bool accept = e == ir::Expect::accept;
  switch (s) {
    case pr::State::open:
      return accept ? Judged{} : Judged{2, "exposed: it answers"};
    case pr::State::closed:
      if (accept) return {1, "allowed, but nothing is listening"};
      if (e == ir::Expect::drop)
        return {2, std::string("not filtered: the host answered with ") + (is_udp ? "port unreachable" : "a reset")};
      return {};
    case pr::State::filtered:
      if (accept) return {2, "unreachable: it is filtered"};
      return e == ir::Expect::reject ? Judged{1, "filtered, where a reject answers"} : Judged{};
    case pr::State::open_filtered:
      return accept ? Judged{0, "no answer: open or filtered, cannot tell"} : Judged{};
    case pr::State::unknown:
      break;
  }
  return {1, "not probed"};
}

const char* verdict_of(int rank) { return rank == 2 ? "failure" : rank == 1 ? "warning" : "ok"; }

}  // namespace

void add_test_ports(const ir::Policy& policy, const ir::Ruleset& probed, bool udp, PortPlan& plan) {
  std::set<uint16_t> tcp(plan.tcp.begin(), plan.tcp.end()), udp_ports(plan.udp.begin(), plan.udp.end());
  for (const auto& t : policy.tests) {
    if (!applies(policy, probed.selected, t)) continue;
    for (auto [l4, port] : probe_ports(t, udp)) (l4 == pr::L4::tcp ? tcp : udp_ports).insert(port);
  }
  plan.tcp.assign(tcp.begin(), tcp.end());
  plan.udp.assign(udp_ports.begin(), udp_ports.end());
}

bool judge_tests(const ir::Policy& policy, const ir::Ruleset& probed, const net::Address& vantage, bool udp,
                 const std::vector<Row>& rows, TestResults& out) {
  std::map<std::pair<pr::L4, uint16_t>, pr::State> seen;
  for (const auto& row : rows) seen[{row.r.proto, row.r.port}] = row.r.state;
  bool failed = false;
  for (const auto& t : policy.tests) {
    if (!applies(policy, probed.selected, t)) continue;
    auto ports = probe_ports(t, udp);
    if (!t.from.contains(vantage) || ports.empty()) {
      ++out.not_observable;
      continue;
    }
    // The worst port decides; among equals the first with something to say.
    Judged worst;
    for (auto [l4, port] : ports) {
      auto it = seen.find({l4, port});
      const pr::State state = it == seen.end() ? pr::State::unknown : it->second;
      Judged j = judge_state(t.expect, state, l4 == pr::L4::udp);
      if (j.rank < worst.rank || (j.rank == worst.rank && (j.note.empty() || !worst.note.empty()))) continue;
      worst.rank = j.rank;
      worst.note = std::to_string(port) + (l4 == pr::L4::tcp ? "/tcp " : "/udp ") + pr::state_name(state) +
                   (j.note.empty() ? "" : ": " + j.note);
    }
    failed |= worst.rank == 2;
    out.rows.push_back({t.label, t.port_text, ir::expect_name(t.expect), verdict_of(worst.rank), worst.note});
  }
  return failed;
}

}  // namespace fwc::cli::verify
