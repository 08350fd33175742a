// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d): how hosts show IPv4 peers on
// dual-stack sockets. The lock-out guard and explain take them as the IPv4
// address; a block list holding them is warned about (FWC-W108).
#include <catch2/catch.hpp>
#include <string>

#include "compiler/eval/explain.h"
#include "compiler/frontend.h"
#include "compiler/host/host_match.h"
#include "compiler/ir/selection.h"

using namespace fwc;

namespace {

ir::Policy compile(const std::string& body, DiagnosticEngine& diags) {
  auto p = compile_policy_text("fwc: 1\nname: demo\n" + body, "policy.yaml", diags, true);
  INFO(diags.render_all());
  REQUIRE(p);
  REQUIRE(diags.error_count() == 0);
  return *p;
}

const char* kOperators = R"(networks:
  operators: 203.0.113.10
block:
  - from: 198.51.100.66
inbound:
  - name: ssh
    allow: [22/tcp]
    from: operators
)";

}  // namespace

TEST_CASE("peer addresses: every mapped form is the IPv4 address", "[ip][mapped]") {
  for (const char* text : {"::ffff:198.51.100.10", "::FFFF:198.51.100.10", "0:0:0:0:0:ffff:198.51.100.10",
                           "0000:0000:0000:0000:0000:FFFF:198.51.100.10", "::ffff:c633:640a",
                           "::FFFF:C633:640A", "::ffff:198.51.100.10%eth0", "198.51.100.10"}) {
    INFO(text);
    net::Address a;
    REQUIRE(net::parse_peer_address(text, a));
    CHECK(a.family == net::Family::v4);
    CHECK(net::format_address(a.family, a.value) == "198.51.100.10");
  }
}

TEST_CASE("peer addresses: IPv6 stays IPv6, zones dropped, junk refused", "[ip][mapped]") {
  net::Address a;
  REQUIRE(net::parse_peer_address("2001:DB8::5%eth0", a));
  CHECK(a.family == net::Family::v6);
  CHECK(net::format_address(a.family, a.value) == "2001:db8::5");
  // ::ffff:0:0/96 only: the NAT64 and IPv4-compatible forms are IPv6.
  REQUIRE(net::parse_peer_address("64:ff9b::c633:640a", a));
  CHECK(a.family == net::Family::v6);
  REQUIRE(net::parse_peer_address("::c633:640a", a));
  CHECK(a.family == net::Family::v6);
  for (const char* bad : {"", "::ffff:198.51.100", "::ffff:198.51.100.300", "198.51.100.10%eth0",
                          "2001:db8::5%", "::gggg:1.2.3.4", "1.2.3.4 "}) {
    INFO(bad);
    CHECK_FALSE(net::parse_peer_address(bad, a));
  }
}

TEST_CASE("SSH_CONNECTION: mapped and expanded forms of the client", "[guard][mapped]") {
  for (const char* env :
       {"::ffff:203.0.113.10 50000 ::ffff:198.51.100.1 22", "::FFFF:203.0.113.10 50000 198.51.100.1 22",
        "0:0:0:0:0:ffff:203.0.113.10 50000 198.51.100.1 22", "::ffff:cb00:710a 50000 ::ffff:c633:6401 22"}) {
    INFO(env);
    auto c = host::parse_ssh_connection(env);
    REQUIRE(c);
    CHECK(c->client.family == net::Family::v4);
    CHECK(net::format_address(c->client.family, c->client.value) == "203.0.113.10");
    CHECK(c->server.family == net::Family::v4);
  }
}

TEST_CASE("the guard: a mapped operator passes, a mapped blocked client is refused", "[guard][mapped]") {
  DiagnosticEngine diags;
  ir::Ruleset rs = ir::select(compile(kOperators, diags), {});
  CHECK(host::check_session(rs, "::ffff:203.0.113.10 50000 ::ffff:198.51.100.1 22").problem.empty());
  CHECK(host::check_session(rs, "::ffff:cb00:710a 50000 198.51.100.1 22").problem.empty());
  auto blocked = host::check_session(rs, "::FFFF:198.51.100.66 50000 198.51.100.1 22");
  CHECK_THAT(blocked.problem, Catch::Contains("198.51.100.66") && Catch::Contains("block[0]"));
  CHECK_THAT(blocked.hint, Catch::Contains("--force"));
}

TEST_CASE("the guard: an SSH_CONNECTION that does not parse is refused, not skipped", "[guard]") {
  DiagnosticEngine diags;
  ir::Ruleset rs = ir::select(compile(kOperators, diags), {});
  for (const char* env :
       {"garbage", "203.0.113.10 50000 198.51.100.1", "203.0.113.10 x 198.51.100.1 22",
        "::ffff:203.0.113 50000 198.51.100.1 22", "203.0.113.10 50000 198.51.100.1 22 extra"}) {
    INFO(env);
    auto r = host::check_session(rs, env);
    CHECK_THAT(r.problem, Catch::Contains("SSH_CONNECTION") && Catch::Contains("cannot check"));
    CHECK_THAT(r.hint, Catch::Contains("--force"));
  }
  // Control characters are not echoed.
  auto r = host::check_session(rs, "bad\x1b[2Jvalue");
  CHECK(r.problem.find('\x1b') == std::string::npos);
}

TEST_CASE("explain: a mapped source answers as its IPv4 address", "[explain][mapped]") {
  DiagnosticEngine diags;
  ir::Ruleset rs = ir::select(compile(kOperators, diags), {});
  for (const char* pair : {"203.0.113.10", "198.51.100.66", "192.0.2.1"}) {
    net::Address v4, mapped;
    REQUIRE(net::parse_address(pair, v4));
    REQUIRE(net::parse_address("::ffff:" + std::string(pair), mapped));
    INFO(pair);
    auto a = eval::explain(rs, {v4, net::Proto::tcp, 22});
    auto b = eval::explain(rs, {mapped, net::Proto::tcp, 22});
    CHECK(a.verdict == b.verdict);
    CHECK(a.stage == b.stage);
    CHECK(a.origin.label == b.origin.label);
  }
  net::Address operators;
  REQUIRE(net::parse_address("::ffff:203.0.113.10", operators));
  CHECK(eval::explain(rs, {operators, net::Proto::tcp, 22}).verdict == ir::Verdict::accept);
}

TEST_CASE("FWC-W108: a block list holding IPv4-mapped entries", "[lint][W108]") {
  DiagnosticEngine diags;
  compile(R"(networks:
  operators: 203.0.113.10
  scanners: [198.51.100.0/24, "::ffff:192.0.2.0/120"]
block:
  - from: ["::ffff:203.0.113.66", 2001:db8::/32]
  - from: scanners
  - from: [2001:db8::/32, "::/0"]
inbound:
  - allow: [22/tcp]
    from: ["::ffff:203.0.113.10", operators]
)",
          diags);
  INFO(diags.render_all());
  std::vector<Diagnostic> w;
  for (const auto& d : diags.sorted())
    if (d.code == std::string(code::mapped_address)) w.push_back(d);
  REQUIRE(w.size() == 2);  // not for ::/0, nor in allow rules
  CHECK(w[0].loc.str() == "policy.yaml:7:12");
  CHECK_THAT(w[0].message, Catch::Contains("block[0]") && Catch::Contains("::ffff:203.0.113.66"));
  CHECK_THAT(w[0].hint, Catch::Contains("203.0.113.66"));
  CHECK(w[1].loc.str() == "policy.yaml:8:11");
  CHECK_THAT(w[1].message, Catch::Contains("'scanners' holds") && Catch::Contains("::ffff:192.0.2.0"));
}
