// Lint warnings on resolved policies (compiler/check/lint_checks.h).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "compiler/frontend.h"

using namespace fwc;

namespace {

struct Lint {
  DiagnosticEngine diags;
  bool compiled = false;

  std::vector<Diagnostic> with(const std::string& code) const {
    std::vector<Diagnostic> out;
    for (const auto& d : diags.all())
      if (d.code == code) out.push_back(d);
    return out;
  }
};

// Compiles and lints; the policy itself must be free of errors.
Lint lint(const std::string& body) {
  Lint l;
  l.compiled = compile_policy_text("fwc: 1\nname: demo\n" + body, "policy.yaml", l.diags).has_value();
  INFO(l.diags.render_all());
  REQUIRE(l.compiled);
  REQUIRE(l.diags.error_count() == 0);
  return l;
}

// Every policy below lets SSH in from the operators unless the test is about
// SSH, so that W104 stays out of the way. Appended right after "inbound:" (or
// after a rule); it adds three lines.
const std::string kSsh = "\n  - name: ssh\n    allow: [22/tcp]\n    from: 192.0.2.10";

}  // namespace

// ------------------------------------------------------------------ W102

TEST_CASE("W102: an allow rule fully shadowed by a block", "[lint][W102]") {
  Lint l = lint(R"(
block:
  - from: 203.0.113.0/24
inbound:)" + kSsh + R"(
  - name: partner
    allow: [443/tcp]
    from: 203.0.113.10
)");
  auto v = l.with(code::shadowed);
  REQUIRE(v.size() == 1);
  CHECK_THAT(v[0].message, Catch::StartsWith("inbound[1] partner"));
  CHECK(v[0].severity == Severity::warning);
  CHECK(v[0].loc.line == 10);  // "  - name: partner", after the blank line 3 and the SSH rule
}

TEST_CASE("W102: two blocks together shadow an allow rule", "[lint][W102]") {
  Lint l = lint(R"(
block:
  - from: 203.0.113.0/25
  - from: 203.0.113.128/25
    action: reject
inbound:)" + kSsh + R"(
  - allow: [443/tcp]
    from: 203.0.113.0/24
)");
  CHECK(l.with(code::shadowed).size() == 1);
}

TEST_CASE("W102: not when the allow rule is only partly shadowed", "[lint][W102]") {
  Lint l = lint(R"(
block:
  - from: 203.0.113.0/24
inbound:)" + kSsh + R"(
  - allow: [443/tcp]
    from: [203.0.113.0/24, 198.51.100.7]
  - allow: [443/tcp]
    from: 203.0.113.0/23
  - allow: [443/tcp]
    from: any4
)");
  CHECK(l.with(code::shadowed).empty());
}

TEST_CASE("W102: not when the block is limited to other ports", "[lint][W102]") {
  Lint l = lint(R"(
block:
  - from: 203.0.113.0/24
    services: [80/tcp, 443/udp]
inbound:)" + kSsh + R"(
  - allow: [443/tcp]
    from: 203.0.113.10
  - allow: [80/tcp, 8080/tcp]
    from: 203.0.113.10
)");
  CHECK(l.with(code::shadowed).empty());
}

TEST_CASE("W102: a block limited to the rule's ports does shadow it", "[lint][W102]") {
  Lint l = lint(R"(
services:
  web: [80/tcp, 443/tcp]
block:
  - from: 203.0.113.0/24
    services: [web, 53/udp]
inbound:)" + kSsh + R"(
  - allow: [443/tcp]
    from: 203.0.113.10
  - allow: [all]
    from: 203.0.113.10
)");
  auto v = l.with(code::shadowed);
  REQUIRE(v.size() == 1);  // not the `all` rule: the block leaves other ports open
  CHECK_THAT(v[0].message, Catch::StartsWith("inbound[1]"));
}

TEST_CASE("W102: acknowledged with ignore", "[lint][W102]") {
  Lint l = lint(R"(
block:
  - from: 203.0.113.0/24
inbound:)" + kSsh + R"(
  - allow: [443/tcp]
    from: 203.0.113.10
    ignore: [FWC-W102]
)");
  CHECK(l.with(code::shadowed).empty());
}

// ------------------------------------------------------------------ W103

TEST_CASE("W103: each admin port open to any", "[lint][W103]") {
  for (int port : {22, 8080, 8443, 2375, 6443, 10250}) {
    INFO("port " << port);
    Lint l = lint("inbound:\n  - allow: [" + std::to_string(port) +
                  "/tcp]\n    from: any\n" + (port == 22 ? "" : kSsh));
    auto v = l.with(code::admin_open);
    REQUIRE(v.size() == 1);
    CHECK_THAT(v[0].message, Catch::Contains(std::to_string(port) + "/tcp"));
    CHECK(v[0].loc.line == 4);
    CHECK(v[0].loc.col == 5);
  }
}

TEST_CASE("W103: a range over several admin ports names them all", "[lint][W103]") {
  Lint l = lint("inbound:\n  - allow: [8000-9000/tcp]\n    from: any4\n" + kSsh);
  auto v = l.with(code::admin_open);
  REQUIRE(v.size() == 1);
  CHECK_THAT(v[0].message, Catch::Contains("8080, 8443"));
  CHECK_THAT(v[0].message, !Catch::Contains("22,"));
}

TEST_CASE("W103: IPv6-only and spelled-out any count as any", "[lint][W103]") {
  Lint l = lint(R"(inbound:
  - allow: [6443/tcp]
    from: any6
  - allow: [10250/tcp]
    from: [0.0.0.0/1, 128.0.0.0/1]
)" + kSsh);
  CHECK(l.with(code::admin_open).size() == 2);
}

TEST_CASE("W103: not when restricted, not for other ports or UDP", "[lint][W103]") {
  Lint l = lint(R"(
networks:
  operators: [192.0.2.0/24, "2001:db8::/48"]
inbound:
  - allow: [22/tcp, 8080/tcp, 6443/tcp]
    from: operators
  - allow: [80/tcp, 443/tcp, 22/udp, 8080/udp]
    from: any
  - allow: [2375/tcp]
    from: [0.0.0.0/1]
)");
  CHECK(l.with(code::admin_open).empty());
}

TEST_CASE("W103: not when the rule acknowledges it", "[lint][W103]") {
  Lint l = lint(R"(inbound:
  - name: public-ssh
    allow: [22/tcp]
    from: any
    ignore: [FWC-W103]
  - name: public-k8s
    allow: [6443/tcp]
    from: any
    ignore: [FWC-W102]
)");
  auto v = l.with(code::admin_open);
  REQUIRE(v.size() == 1);  // only the rule that acknowledges something else
  CHECK_THAT(v[0].message, Catch::StartsWith("inbound[1] public-k8s"));
}

TEST_CASE("W103: `all` from any opens every admin port", "[lint][W103]") {
  Lint l = lint("inbound:\n  - allow: [all]\n    from: any\n");
  auto v = l.with(code::admin_open);
  REQUIRE(v.size() == 1);
  CHECK_THAT(v[0].message, Catch::Contains("22, 8080, 8443, 2375, 6443, 10250"));
}

// ------------------------------------------------------------------ W104

TEST_CASE("W104: none when SSH is allowed", "[lint][W104]") {
  Lint l = lint("inbound:" + kSsh);
  CHECK(l.with(code::lockout).empty());
  Lint all = lint("inbound:\n  - allow: [all]\n    from: 192.0.2.0/24\n");
  CHECK(all.with(code::lockout).empty());
}

TEST_CASE("W104: a policy without any SSH rule", "[lint][W104]") {
  Lint l = lint("inbound:\n  - allow: [443/tcp]\n    from: any\n");
  auto v = l.with(code::lockout);
  REQUIRE(v.size() == 1);
  CHECK_THAT(v[0].message, Catch::StartsWith("all nodes:"));
  CHECK_THAT(v[0].message, Catch::Contains("drop"));
}

TEST_CASE("W104: one per node that lacks SSH", "[lint][W104]") {
  Lint l = lint(R"(
nodes:
  node1: {address: 10.0.0.1, roles: [server]}
  node2: {address: 10.0.0.2, roles: [worker]}
  node3: {address: 10.0.0.3, roles: [server, worker]}
inbound:
  - allow: [22/tcp]
    from: 192.0.2.10
    roles: [server]
  - allow: [443/tcp]
    from: any
)");
  auto v = l.with(code::lockout);
  REQUIRE(v.size() == 1);
  CHECK_THAT(v[0].message, Catch::StartsWith("node node2:"));
}

TEST_CASE("W104: a role without nodes is checked as a role", "[lint][W104]") {
  Lint l = lint(R"(
roles: [edge, core]
nodes:
  node1: {address: 10.0.0.1, roles: [core]}
inbound:
  - allow: [22/tcp]
    from: 192.0.2.10
    roles: [core]
)");
  auto v = l.with(code::lockout);
  REQUIRE(v.size() == 1);
  CHECK_THAT(v[0].message, Catch::StartsWith("role edge:"));
}

TEST_CASE("W104: none when the inbound default accepts", "[lint][W104]") {
  Lint l = lint("defaults:\n  inbound: accept\ninbound:\n  - allow: [443/tcp]\n    from: any\n");
  CHECK(l.with(code::lockout).empty());
}

TEST_CASE("W104: defaults.ssh moves the port", "[lint][W104]") {
  Lint moved = lint("defaults:\n  ssh: 2222/tcp\ninbound:" + kSsh);  // 22 open, 2222 not
  auto v = moved.with(code::lockout);
  REQUIRE(v.size() == 1);
  CHECK(v[0].loc.line == 4);  // the defaults mapping
  CHECK(v[0].loc.col == 3);

  Lint ok = lint(R"(
services:
  admin-ssh: 2222/tcp
defaults:
  ssh: admin-ssh
inbound:
  - allow: [2200-2300/tcp]
    from: 192.0.2.10
)");
  CHECK(ok.with(code::lockout).empty());
}

TEST_CASE("W104: SSH allowed only from blocked sources", "[lint][W104]") {
  Lint l = lint(R"(
block:
  - from: 192.0.2.0/24
inbound:)" + kSsh);
  CHECK(l.with(code::lockout).size() == 1);
  CHECK(l.with(code::shadowed).size() == 1);

  // A block on other ports leaves the path open.
  Lint ok = lint(R"(
block:
  - from: 192.0.2.0/24
    services: [80/tcp]
inbound:)" + kSsh);
  CHECK(ok.with(code::lockout).empty());
}

// ------------------------------------------------------------------ W101

TEST_CASE("W101: host bits set, with the fixed CIDR in the hint", "[lint][W101]") {
  Lint l = lint(R"(
networks:
  office: 10.0.0.5/24
  lab: {addresses: ["fd00::1/64"], except: [10.0.0.7/30]}
inbound:
  - allow: [22/tcp]
    from: [office, lab, 192.0.2.77/28]
)");
  auto v = l.with(code::host_bits);
  REQUIRE(v.size() == 4);  // office, lab's address, lab's except, the rule's entry
  CHECK(v[0].loc.line == 5);
  CHECK(v[0].loc.col == 11);
  CHECK_THAT(v[0].hint, Catch::Contains("10.0.0.0/24"));
  CHECK_THAT(v[1].hint, Catch::Contains("fd00::/64"));
  CHECK_THAT(v[2].hint, Catch::Contains("10.0.0.4/30"));
  CHECK_THAT(v[3].hint, Catch::Contains("192.0.2.64/28"));
  CHECK(v[0].severity == Severity::warning);

  // Rule entries too; exact CIDRs are silent.
  Lint rule = lint("inbound:\n  - allow: [22/tcp]\n    from: [192.0.2.77/28, 192.0.2.0/28]\n");
  auto w = rule.with(code::host_bits);
  REQUIRE(w.size() == 1);
  CHECK(w[0].loc.col == 12);
  CHECK_THAT(w[0].hint, Catch::Contains("192.0.2.64/28"));
}
