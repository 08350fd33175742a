// The evaluator: eval::explain on ir::select of a compiled policy
// (docs/contract.md, "Evaluation order").
#include <catch2/catch.hpp>

#include <string>

#include "compiler/eval/explain.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"
#include "policy_run.h"

using namespace fwc;
using test::demo_policy;
using eval::Stage;
using ir::Verdict;

namespace {

eval::Packet packet(const std::string& src, const std::string& port) {
  eval::Packet pkt;
  REQUIRE(net::parse_address(src, pkt.src));
  net::PortSpecParse p = net::parse_port_spec(port);
  REQUIRE(p.status == net::PortSpecStatus::ok);
  pkt.proto = p.proto;
  pkt.port = p.range.lo;
  return pkt;
}

eval::Decision ask(const ir::Policy& p, const std::string& src, const std::string& port,
                   const ir::Selection& sel = {}) {
  return eval::explain(ir::select(p, sel), packet(src, port));
}

ir::Selection node(const std::string& n) { return {ir::Selection::Kind::node, n}; }
ir::Selection role(const std::string& r) { return {ir::Selection::Kind::role, r}; }

}  // namespace

TEST_CASE("explain: an allow rule accepts", "[explain]") {
  ir::Policy p = demo_policy(R"(inbound:
  - name: web
    allow: [443/tcp]
    from: any
)");
  eval::Decision d = ask(p, "198.51.100.7", "443/tcp");
  CHECK(d.verdict == Verdict::accept);
  CHECK(d.stage == Stage::allow);
  CHECK(d.origin.label == "inbound[0] web");
  CHECK(d.origin.loc.line == 4);
  CHECK(d.also.empty());
  CHECK(d.meters.empty());

  // Other port, other protocol: the default.
  CHECK(ask(p, "198.51.100.7", "444/tcp").stage == Stage::fallback);
  CHECK(ask(p, "198.51.100.7", "443/udp").verdict == Verdict::drop);
}

TEST_CASE("explain: block beats allow", "[explain][block]") {
  ir::Policy p = demo_policy(R"(block:
  - name: scanners
    from: [203.0.113.0/24]
inbound:
  - allow: [443/tcp]
    from: any
)");
  eval::Decision d = ask(p, "203.0.113.9", "443/tcp");
  CHECK(d.verdict == Verdict::drop);
  CHECK(d.stage == Stage::block);
  CHECK(d.origin.label == "block[0] scanners");
  CHECK(d.meters.empty());
  CHECK(d.also.empty());
  // Outside the block list the allow rule applies.
  CHECK(ask(p, "203.0.114.9", "443/tcp").verdict == Verdict::accept);
}

TEST_CASE("explain: a block limited to services", "[explain][block]") {
  ir::Policy p = demo_policy(R"(block:
  - from: 203.0.113.0/24
    services: [22/tcp]
    action: reject
inbound:
  - allow: [22/tcp, 443/tcp]
    from: any
)");
  eval::Decision ssh = ask(p, "203.0.113.9", "22/tcp");
  CHECK(ssh.verdict == Verdict::reject);
  CHECK(ssh.stage == Stage::block);
  eval::Decision web = ask(p, "203.0.113.9", "443/tcp");
  CHECK(web.verdict == Verdict::accept);
  CHECK(web.stage == Stage::allow);
}

TEST_CASE("explain: blocks are tried in policy order", "[explain][block]") {
  ir::Policy p = demo_policy(R"(block:
  - from: 203.0.113.0/24
    action: reject
  - from: 203.0.113.9
    action: drop
)");
  eval::Decision d = ask(p, "203.0.113.9", "80/tcp");
  CHECK(d.verdict == Verdict::reject);
  CHECK(d.origin.label == "block[0]");
}

TEST_CASE("explain: an outbound block (`to`) does not touch inbound traffic", "[explain][block]") {
  ir::Policy p = demo_policy(R"(block:
  - to: 203.0.113.0/24
inbound:
  - allow: [443/tcp]
    from: any
)");
  CHECK(ask(p, "203.0.113.9", "443/tcp").verdict == Verdict::accept);
}

TEST_CASE("explain: reject verdicts", "[explain]") {
  ir::Policy p = demo_policy(R"(defaults:
  inbound: reject
block:
  - from: 192.0.2.66
    action: reject
inbound:
  - allow: [22/tcp]
    from: 192.0.2.0/24
)");
  eval::Decision blocked = ask(p, "192.0.2.66", "22/tcp");
  CHECK(blocked.verdict == Verdict::reject);
  CHECK(blocked.stage == Stage::block);
  eval::Decision fallback = ask(p, "198.51.100.1", "22/tcp");
  CHECK(fallback.verdict == Verdict::reject);
  CHECK(fallback.stage == Stage::fallback);
  CHECK(fallback.origin.label == "defaults.inbound");
  CHECK(fallback.origin.loc.line == 4);  // the defaults mapping (its first key)
  CHECK(std::string(eval::stage_name(fallback.stage)) == "default");
}

TEST_CASE("explain: otherwise clauses", "[explain][otherwise]") {
  ir::Policy p = demo_policy(R"(inbound:
  - name: monitors
    allow: [8080/tcp]
    from: 192.0.2.0/24
    otherwise:
      action: reject
      log: "mon-drop: "
  - allow: [8080/tcp]
    from: 198.51.100.0/24
)");
  // Allowed by the rule itself, or by another allow rule: no otherwise.
  CHECK(ask(p, "192.0.2.5", "8080/tcp").stage == Stage::allow);
  CHECK(ask(p, "198.51.100.5", "8080/tcp").stage == Stage::allow);
  // Anyone else to the service: the otherwise action, logged.
  eval::Decision d = ask(p, "203.0.113.5", "8080/tcp");
  CHECK(d.verdict == Verdict::reject);
  CHECK(d.stage == Stage::otherwise);
  CHECK(d.origin.label == "inbound[0] monitors otherwise");
  CHECK(d.logged);
  // Other services: the default.
  eval::Decision other = ask(p, "203.0.113.5", "8081/tcp");
  CHECK(other.verdict == Verdict::drop);
  CHECK(other.stage == Stage::fallback);
  CHECK_FALSE(other.logged);
}

TEST_CASE("explain: the default verdict", "[explain][default]") {
  for (const char* action : {"drop", "reject", "accept"}) {
    INFO(action);
    ir::Policy p = demo_policy(std::string("defaults:\n  inbound: ") + action + "\n  log: \"fwc-drop: \"\n");
    eval::Decision d = ask(p, "198.51.100.1", "5432/tcp");
    CHECK(ir::verdict_name(d.verdict) == std::string(action));
    CHECK(d.stage == Stage::fallback);
    // The default is logged when it refuses.
    CHECK(d.logged == (std::string(action) != "accept"));
  }
  // Without defaults: drop, not logged.
  ir::Policy p = demo_policy("inbound: []\n");
  eval::Decision d = ask(p, "198.51.100.1", "5432/udp");
  CHECK(d.verdict == Verdict::drop);
  CHECK_FALSE(d.logged);
}

TEST_CASE("explain: loopback is always accepted", "[explain][loopback]") {
  ir::Policy p = demo_policy(R"(block:
  - from: any
)");
  for (const char* src : {"127.0.0.1", "127.1.2.3", "::1"}) {
    INFO(src);
    eval::Decision d = ask(p, src, "22/tcp");
    CHECK(d.verdict == Verdict::accept);
    CHECK(d.stage == Stage::loopback);
  }
  // Not loopback: blocked.
  CHECK(ask(p, "128.0.0.1", "22/tcp").stage == Stage::block);
  CHECK(ask(p, "::2", "22/tcp").stage == Stage::block);
}

TEST_CASE("explain: meters are listed only when the packet is accepted", "[explain][meters]") {
  ir::Policy p = demo_policy(R"(networks:
  customers: [198.51.100.0/24]
rate_limits:
  - name: https-meter
    services: [443/tcp]
    rate: 100/second
  - name: customer-meter
    services: [443/tcp, 8443/tcp]
    from: customers
    rate: 10/second
    per_source: true
inbound:
  - allow: [443/tcp]
    from: [customers, 192.0.2.0/24]
  - allow: [80/tcp]
    from: any
)");
  eval::Decision customer = ask(p, "198.51.100.9", "443/tcp");
  CHECK(customer.verdict == Verdict::accept);
  REQUIRE(customer.meters.size() == 2);
  CHECK(customer.meters[0].label == "rate_limits[0] https-meter");
  CHECK(customer.meters[1].label == "rate_limits[1] customer-meter");

  eval::Decision other = ask(p, "192.0.2.9", "443/tcp");
  CHECK(other.verdict == Verdict::accept);
  REQUIRE(other.meters.size() == 1);
  CHECK(other.meters[0].label == "rate_limits[0] https-meter");

  // Refused: no meters, even though the meters match the packet.
  eval::Decision refused = ask(p, "203.0.113.9", "443/tcp");
  CHECK(refused.verdict == Verdict::drop);
  CHECK(refused.meters.empty());
  eval::Decision refused2 = ask(p, "198.51.100.9", "8443/tcp");
  CHECK(refused2.verdict == Verdict::drop);
  CHECK(refused2.meters.empty());

  // Accepted on an unmetered port.
  eval::Decision web = ask(p, "198.51.100.9", "80/tcp");
  CHECK(web.verdict == Verdict::accept);
  CHECK(web.meters.empty());
}

TEST_CASE("explain: role and node scoping", "[explain][scope]") {
  ir::Policy p = demo_policy(R"(nodes:
  node1: {address: 10.0.0.1, roles: [server]}
  node2: {address: 10.0.0.2, roles: [worker]}
  node3: {address: 10.0.0.3}
inbound:
  - name: rpc
    allow: [4646/tcp]
    from: 10.0.0.0/24
    roles: [server]
  - name: metrics
    allow: [9100/tcp]
    from: 10.0.0.0/24
    nodes: [node3]
  - name: ssh
    allow: [22/tcp]
    from: 192.0.2.10
)");
  CHECK(ask(p, "10.0.0.9", "4646/tcp", node("node1")).verdict == Verdict::accept);
  CHECK(ask(p, "10.0.0.9", "4646/tcp", node("node2")).verdict == Verdict::drop);
  CHECK(ask(p, "10.0.0.9", "4646/tcp", node("node3")).verdict == Verdict::drop);
  CHECK(ask(p, "10.0.0.9", "4646/tcp", role("server")).verdict == Verdict::accept);
  CHECK(ask(p, "10.0.0.9", "4646/tcp", role("worker")).verdict == Verdict::drop);

  CHECK(ask(p, "10.0.0.9", "9100/tcp", node("node3")).verdict == Verdict::accept);
  CHECK(ask(p, "10.0.0.9", "9100/tcp", node("node1")).verdict == Verdict::drop);
  CHECK(ask(p, "10.0.0.9", "9100/tcp", node("node2")).verdict == Verdict::drop);

  // Unscoped rules apply everywhere.
  for (const char* n : {"node1", "node2", "node3"}) {
    INFO(n);
    CHECK(ask(p, "192.0.2.10", "22/tcp", node(n)).verdict == Verdict::accept);
  }
  CHECK(ir::select(p, node("node2")).selection == "node node2");
}

TEST_CASE("explain: `role:` and `node:` entries as sources", "[explain][scope]") {
  ir::Policy p = demo_policy(R"(nodes:
  node1: {address: 10.0.0.1, roles: [server]}
  node2: {addresses: [10.0.0.2, "fd00::2"], roles: [server]}
  node3: {address: 10.0.0.3, roles: [worker]}
inbound:
  - allow: [4647/tcp]
    from: role:server
  - allow: [4648/tcp]
    from: node:node3
)");
  CHECK(ask(p, "10.0.0.1", "4647/tcp").verdict == Verdict::accept);
  CHECK(ask(p, "fd00::2", "4647/tcp").verdict == Verdict::accept);
  CHECK(ask(p, "10.0.0.3", "4647/tcp").verdict == Verdict::drop);
  CHECK(ask(p, "10.0.0.3", "4648/tcp").verdict == Verdict::accept);
  CHECK(ask(p, "10.0.0.2", "4648/tcp").verdict == Verdict::drop);
}

TEST_CASE("explain: except holes", "[explain][except]") {
  ir::Policy p = demo_policy(R"(networks:
  blocked: [10.0.0.250]
  cluster:
    addresses: [10.0.0.0/24, "fd00::/64"]
    except: [blocked, "fd00::bad"]
inbound:
  - allow: [all]
    from: cluster
)");
  CHECK(ask(p, "10.0.0.249", "4646/tcp").verdict == Verdict::accept);
  CHECK(ask(p, "10.0.0.251", "4646/tcp").verdict == Verdict::accept);
  CHECK(ask(p, "10.0.0.250", "4646/tcp").verdict == Verdict::drop);
  CHECK(ask(p, "fd00::bac", "4646/tcp").verdict == Verdict::accept);
  CHECK(ask(p, "fd00::bad", "4646/tcp").verdict == Verdict::drop);

  // `any` with a hole.
  ir::Policy q = demo_policy(R"(networks:
  everyone-but:
    addresses: [any]
    except: [203.0.113.0/24]
inbound:
  - allow: [443/tcp]
    from: everyone-but
)");
  CHECK(ask(q, "203.0.112.255", "443/tcp").verdict == Verdict::accept);
  CHECK(ask(q, "203.0.113.0", "443/tcp").verdict == Verdict::drop);
  CHECK(ask(q, "2001:db8::1", "443/tcp").verdict == Verdict::accept);
}

TEST_CASE("explain: IPv6 sources, any4 and any6", "[explain][ipv6]") {
  ir::Policy p = demo_policy(R"(inbound:
  - allow: [443/tcp]
    from: "2001:db8::/32"
  - allow: [80/tcp]
    from: any4
  - allow: [8080/tcp]
    from: any6
)");
  CHECK(ask(p, "2001:db8:1::5", "443/tcp").verdict == Verdict::accept);
  CHECK(ask(p, "2001:db9::5", "443/tcp").verdict == Verdict::drop);
  CHECK(ask(p, "32.1.13.184", "443/tcp").verdict == Verdict::drop);  // 0x20010db8 as IPv4

  CHECK(ask(p, "198.51.100.1", "80/tcp").verdict == Verdict::accept);
  CHECK(ask(p, "2001:db8::1", "80/tcp").verdict == Verdict::drop);
  // Mapped is how a dual-stack socket shows an IPv4 peer: answered as IPv4.
  CHECK(ask(p, "::ffff:198.51.100.1", "80/tcp").verdict == Verdict::accept);
  CHECK(ask(p, "::ffff:198.51.100.1", "8080/tcp").verdict == Verdict::drop);

  CHECK(ask(p, "2001:db8::1", "8080/tcp").verdict == Verdict::accept);
  CHECK(ask(p, "fe80::1", "8080/tcp").verdict == Verdict::accept);
  CHECK(ask(p, "198.51.100.1", "8080/tcp").verdict == Verdict::drop);
}

TEST_CASE("explain: `all` services", "[explain][all]") {
  ir::Policy p = demo_policy(R"(inbound:
  - allow: [all]
    from: 192.0.2.0/24
)");
  CHECK(ask(p, "192.0.2.1", "1/tcp").verdict == Verdict::accept);
  CHECK(ask(p, "192.0.2.1", "65535/udp").verdict == Verdict::accept);
  CHECK(ask(p, "192.0.2.1", "53/udp").stage == Stage::allow);
  CHECK(ask(p, "192.0.3.1", "53/udp").verdict == Verdict::drop);
}

TEST_CASE("explain: the first matching allow rule decides, the others are `also`", "[explain][also]") {
  ir::Policy p = demo_policy(R"(networks:
  ops: 192.0.2.0/24
inbound:
  - name: web
    allow: [80/tcp]
    from: any
  - name: ops-all
    allow: [all]
    from: ops
  - name: ops-ssh
    allow: [22/tcp, 80/tcp]
    from: ops
    log: "ssh: "
  - name: anyone-ssh
    allow: [22/tcp]
    from: any
    ignore: [FWC-W103]
)");
  eval::Decision d = ask(p, "192.0.2.1", "22/tcp");
  CHECK(d.verdict == Verdict::accept);
  CHECK(d.origin.label == "inbound[1] ops-all");
  CHECK_FALSE(d.logged);
  REQUIRE(d.also.size() == 2);
  CHECK(d.also[0].label == "inbound[2] ops-ssh");
  CHECK(d.also[1].label == "inbound[3] anyone-ssh");

  eval::Decision web = ask(p, "192.0.2.1", "80/tcp");
  CHECK(web.origin.label == "inbound[0] web");
  REQUIRE(web.also.size() == 2);
  CHECK(web.also[0].label == "inbound[1] ops-all");
  CHECK(web.also[1].label == "inbound[2] ops-ssh");

  eval::Decision outsider = ask(p, "198.51.100.1", "22/tcp");
  CHECK(outsider.origin.label == "inbound[3] anyone-ssh");
  CHECK(outsider.also.empty());
}
