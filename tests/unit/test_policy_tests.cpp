// The policy's `tests:` section: parsing, resolution, lint's evaluation
// (compiler/check/policy_tests.h) and verify's judgement (cli/verify_tests.h).
#include <catch2/catch.hpp>

#include <string>

#include "cli/verify_tests.h"
#include "compiler/check/policy_tests.h"
#include "policy_run.h"

using namespace fwc;
using fwc::test::compile;

namespace {

const std::string kPolicy = R"(fwc: 1
name: demo
networks:
  operators: 203.0.113.10
  office: {addresses: [198.51.100.0/24], except: [198.51.100.77]}
services:
  admin: [8080/tcp, 8443/tcp]
roles: [server, worker]
nodes:
  node1: {address: 10.0.0.1, roles: [server]}
  node2: {address: 10.0.0.2, roles: [worker]}
inbound:
  - name: web
    allow: [443/tcp]
    from: any
  - name: admin
    allow: [admin, 22/tcp]
    from: [operators, office]
    roles: [server]
tests:
)";

struct Checked {
  test::Run run;
  check::PolicyTestTally tally;
};

Checked check_tests(const std::string& tests) {
  Checked c{compile(kPolicy + tests), {}};
  INFO(c.run.diags.render_all());
  REQUIRE(c.run.policy);
  c.tally = check::check_policy_tests(*c.run.policy, c.run.diags);
  return c;
}

}  // namespace

TEST_CASE("policy tests: entries resolve to addresses, ports and a target", "[policy-tests]") {
  auto c = check_tests(R"(  - {name: api, from: operators, to: "role:server", port: admin, expect: allow}
  - {from: 203.0.113.9, to: node2, port: 53/udp, expect: blocked, published: true}
)");
  const auto& t = c.run.policy->tests;
  REQUIRE(t.size() == 2);
  CHECK(t[0].label == "tests[0] api");
  CHECK(t[0].role == "server");
  CHECK(t[0].expect == ir::Expect::accept);
  CHECK(t[0].ports.contains(net::Proto::tcp, 8443));
  CHECK(t[0].loc.line == 21);
  CHECK(t[1].node == "node2");
  CHECK(t[1].published);
  CHECK(t[1].expect == ir::Expect::blocked);
  CHECK(c.tally.passed == 2);
  CHECK(c.tally.failed == 0);
}

TEST_CASE("policy tests: a failing test is FWC-E020 at its entry, naming the deciding rule", "[policy-tests]") {
  auto c = check_tests("  - {name: api-closed, from: operators, to: node1, port: 8080/tcp, expect: drop}\n");
  CHECK(c.tally.failed == 1);
  Diagnostic d = c.run.one(code::policy_test_failed);
  CHECK(d.loc.line == 21);
  CHECK(d.message ==
        "policy test tests[0] api-closed failed: 8080/tcp from 203.0.113.10 (operators) to node node1: "
        "expected drop, got accept");
  CHECK(d.hint == "decided by inbound[1] admin at policy.yaml:16");
}

TEST_CASE("policy tests: every address of a network and every port are checked (region walk)", "[policy-tests]") {
  // office minus one address: the hole is found, and named.
  auto c = check_tests("  - {from: 198.51.100.0/24, to: node1, port: 22/tcp, expect: accept}\n");
  CHECK(c.tally.failed == 1);
  CHECK_THAT(c.run.one(code::policy_test_failed).message, Catch::Contains("from 198.51.100.77 (198.51.100.0/24)"));
  CHECK(c.run.one(code::policy_test_failed).hint == "decided by defaults.inbound at policy.yaml:1");
  // A range crossing an allowed port fails on that port only.
  auto r = check_tests("  - {from: 192.0.2.1, port: 440-450/tcp, expect: drop}\n");
  CHECK_THAT(r.run.one(code::policy_test_failed).message, Catch::Contains("443/tcp from 192.0.2.1"));
  // The office minus its hole passes on node1 but not on node2 (no role).
  auto every = check_tests("  - {from: office, port: admin, expect: accept}\n");
  CHECK_THAT(every.run.one(code::policy_test_failed).message, Catch::Contains("to node node2"));
}

TEST_CASE("policy tests: packets per region, not per address", "[policy-tests]") {
  auto c = check_tests("  - {from: any4, to: node1, port: 1-65535/tcp, expect: blocked}\n");
  ir::Ruleset rs = ir::select(*c.run.policy, {ir::Selection::Kind::node, "node1"});
  auto packets = check::test_packets(rs, c.run.policy->tests[0]).value();
  // Sources: below, inside and above 198.51.100.0/24 (with the hole split
  // out) and 203.0.113.10; ports: around 22, 443, 8080, 8443.
  CHECK(packets.size() < 200);
  CHECK(packets.size() > 20);
  CHECK(c.tally.failed == 1);
}

TEST_CASE("policy tests: expect words", "[policy-tests]") {
  CHECK(check::expect_met(ir::Expect::blocked, ir::Verdict::reject));
  CHECK(check::expect_met(ir::Expect::blocked, ir::Verdict::drop));
  CHECK_FALSE(check::expect_met(ir::Expect::blocked, ir::Verdict::accept));
  CHECK_FALSE(check::expect_met(ir::Expect::drop, ir::Verdict::reject));
  CHECK(check::expect_met(ir::Expect::accept, ir::Verdict::accept));
}

TEST_CASE("policy tests: malformed entries are located errors", "[policy-tests]") {
  auto r = compile(kPolicy + R"(  - {from: operators, port: 443/tcp, exepct: drop}
  - {from: operators, port: 443/tcp, expect: dropped}
  - {from: operatros, port: 443/tcp, expect: drop}
  - {from: operators, port: 443, expect: drop, to: node9}
  - {from: operators, port: all, expect: drop}
  - just-a-string
)");
  CHECK_FALSE(r.policy);
  auto unknown = r.one(code::unknown_key);
  CHECK(unknown.loc.line == 21);
  CHECK(unknown.hint == "did you mean 'expect'?");
  auto bad = r.with(code::bad_value);  // 'dropped'; 'all'
  REQUIRE(bad.size() == 2);
  CHECK(bad[0].loc.line == 22);
  CHECK(bad[1].loc.line == 25);
  auto refs = r.with(code::unknown_ref);  // operatros; node9
  REQUIRE(refs.size() == 2);
  CHECK(r.one(code::bad_port).loc.line == 24);
  CHECK(r.one(code::missing_key).loc.line == 21);  // the first entry's expect
  CHECK(r.one(code::wrong_type).loc.line == 26);
}

TEST_CASE("verify: a test is judged on what its ports answered", "[policy-tests][verify]") {
  auto c = check_tests(R"(  - {name: api-closed, from: 198.51.100.0/24, port: 8080/tcp, expect: drop}
  - {name: web, from: any, port: 443/tcp, expect: accept}
  - {name: elsewhere, from: 203.0.113.10, port: 22/tcp, expect: drop}
)");
  cli::LoadedRules rules{*c.run.policy, {ir::select(*c.run.policy, {ir::Selection::Kind::node, "node1"})}};
  cli::verify::PortPlan plan{{22}, {}};
  cli::verify::add_test_ports(rules.policy, rules.ruleset(), false, plan);
  CHECK(plan.tcp == std::vector<uint16_t>{22, 443, 8080});
  auto row = [](uint16_t port, prober::State s) {
    cli::verify::Row r;
    r.r.port = port;
    r.r.proto = prober::L4::tcp;
    r.r.state = s;
    return r;
  };
  std::vector<cli::verify::Row> rows{row(22, prober::State::filtered), row(443, prober::State::open),
                                     row(8080, prober::State::closed)};
  net::Address vantage{net::Family::v4, (uint32_t(198) << 24) | (51u << 16) | (100u << 8) | 5u};
  cli::verify::TestResults out;
  CHECK(cli::verify::judge_tests(rules.policy, rules.ruleset(), vantage, false, rows, out));
  REQUIRE(out.rows.size() == 2);
  CHECK(out.rows[0].verdict == "failure");
  CHECK_THAT(out.rows[0].note, Catch::Contains("8080/tcp closed: not filtered"));
  CHECK(out.rows[1].verdict == "ok");
  CHECK(out.not_observable == 1);
  rows[2] = row(8080, prober::State::filtered);
  cli::verify::TestResults again;
  CHECK_FALSE(cli::verify::judge_tests(rules.policy, rules.ruleset(), vantage, false, rows, again));
}

TEST_CASE("policy tests: loopback is left out, IPv4-mapped sources are IPv4", "[policy-tests]") {
  // Traffic on lo is always accepted; `any` means the other sources.
  auto any = check_tests("  - {from: any, to: node2, port: 8080/tcp, expect: drop}\n");
  CHECK(any.tally.passed == 1);
  // ::ffff:203.0.113.10 is the operator as a dual-stack socket shows it.
  auto mapped = check_tests(R"(  - {from: "::ffff:203.0.113.10", to: node1, port: admin, expect: accept}
  - {from: "::ffff:203.0.113.0/120", to: node1, port: 22/tcp, expect: drop}
)");
  CHECK(mapped.tally.passed == 1);
  CHECK_THAT(mapped.run.one(code::policy_test_failed).message,
             Catch::Contains("22/tcp from ::ffff:203.0.113.10 (::ffff:203.0.113.0/120)"));
  // Only loopback: nothing to check, which is an error rather than a pass.
  auto lo = check_tests("  - {from: 127.0.0.1, port: 8080/tcp, expect: drop}\n");
  CHECK_THAT(lo.run.one(code::policy_test_failed).message, Catch::Contains("checks nothing"));
}

TEST_CASE("policy tests: any6 means IPv6 peers, not IPv4-mapped ones", "[policy-tests]") {
  // The operator is allowed SSH over IPv4 (and so as ::ffff:203.0.113.10),
  // but no IPv6 peer is.
  auto c = check_tests("  - {from: any6, to: node1, port: 22/tcp, expect: drop}\n");
  CHECK(c.tally.passed == 1);
  CHECK_FALSE(c.run.policy->tests[0].from.contains({net::Family::v6, (net::u128(0xffff) << 32) | 1}));
}
