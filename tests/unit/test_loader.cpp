// Loading and resolving policies from text: one test per diagnostic code,
// list files, includes and rendering (compiler/frontend.h, docs/contract.md).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "compiler/frontend.h"
#include "tests/unit/policy_run.h"
#include "compiler/ir/selection.h"

using namespace fwc;
using test::compile;
using test::Run;
using test::TempDir;

namespace {

// "file:line:col" of a diagnostic.
std::string where(const Diagnostic& d) { return d.loc.str(); }

}  // namespace

// ---------------------------------------------------------------- errors

TEST_CASE("a valid policy compiles without diagnostics", "[loader]") {
  Run r = compile(R"(fwc: 1
name: demo
networks:
  operators: 203.0.113.10
services:
  ssh: 22/tcp
inbound:
  - allow: [ssh]
    from: operators
)");
  INFO(r.diags.render_all());
  REQUIRE(r.policy);
  CHECK(r.diags.all().empty());
  CHECK(r.policy->name == "demo");
  REQUIRE(r.policy->inbound.size() == 1);
  CHECK(r.policy->inbound[0].ports.contains(net::Proto::tcp, 22));
  CHECK(r.policy->inbound[0].src.name == "operators");
}

TEST_CASE("FWC-E001 YAML syntax error", "[loader][E001]") {
  Run r = compile("fwc: 1\nname: demo\ndescription: a: b\n");
  CHECK_FALSE(r.policy);
  Diagnostic d = r.one(code::yaml_syntax);
  // "a: b" is not a plain scalar: the parser stops at the second ':'.
  CHECK(d.loc.line == 3);
  CHECK(d.loc.col == 15);
  CHECK(r.diags.error_count() == 1);
}

TEST_CASE("FWC-E002 wrong type", "[loader][E002]") {
  Run r = compile("fwc: 1\nname: demo\nnetworks: [203.0.113.10]\n");
  CHECK_FALSE(r.policy);
  Diagnostic d = r.one(code::wrong_type);
  CHECK(where(d) == "policy.yaml:3:11");
  CHECK_THAT(d.message, Catch::Contains("networks") && Catch::Contains("map"));

  // A map where a list of addresses belongs.
  Run r2 = compile(R"(fwc: 1
name: demo
inbound:
  - allow: [22/tcp]
    from: {operators: 203.0.113.10}
)");
  CHECK(where(r2.one(code::wrong_type)) == "policy.yaml:5:11");

  // An empty document.
  Run r3 = compile("");
  CHECK(r3.one(code::wrong_type).loc.line == 1);
}

TEST_CASE("FWC-E003 unknown key, with a did-you-mean hint", "[loader][E003]") {
  Run r = compile(R"(fwc: 1
name: demo
netwroks:
  operators: 203.0.113.10
)");
  CHECK_FALSE(r.policy);
  Diagnostic d = r.one(code::unknown_key);
  CHECK(where(d) == "policy.yaml:3:1");
  CHECK(d.length == 8);
  CHECK_THAT(d.message, Catch::Contains("netwroks"));
  CHECK(d.hint == "did you mean 'networks'?");

  // Nested: a rule key.
  Run r2 = compile(R"(fwc: 1
name: demo
inbound:
  - alow: [22/tcp]
    from: any
)");
  Diagnostic d2 = r2.one(code::unknown_key);
  CHECK(where(d2) == "policy.yaml:4:5");
  CHECK(d2.hint == "did you mean 'allow'?");

  // Nothing close: no hint.
  Run r3 = compile("fwc: 1\nname: demo\nzzzzzzzz: 1\n");
  CHECK(r3.one(code::unknown_key).hint.empty());
}

TEST_CASE("FWC-E004 missing required key", "[loader][E004]") {
  SECTION("no fwc version: at the first key of the document") {
    Run r = compile("name: demo\n");
    CHECK(where(r.one(code::missing_key)) == "policy.yaml:1:1");
  }
  SECTION("an inbound rule without 'from': at the rule's first key") {
    Run r = compile(R"(fwc: 1
name: demo
inbound:
  - allow: [22/tcp]
    from: any
  - name: no-from
    allow: [443/tcp]
)");
    Diagnostic d = r.one(code::missing_key);
    CHECK(where(d) == "policy.yaml:6:5");
    CHECK_THAT(d.message, Catch::Contains("from"));
  }
}

TEST_CASE("FWC-E005 bad address or CIDR", "[loader][E005]") {
  Run r = compile(R"(fwc: 1
name: demo
networks:
  office: 10.0.0.300
  lab:
    addresses: [198.51.100.0/24, 198.51.100.0/33]
)");
  CHECK_FALSE(r.policy);
  auto v = r.with(code::bad_address);
  REQUIRE(v.size() == 2);
  CHECK(where(v[0]) == "policy.yaml:4:11");
  CHECK(v[0].length == 10);
  CHECK(where(v[1]) == "policy.yaml:6:34");
  CHECK(v[1].hint == "IPv4 prefixes are 0-32");

  Run n = compile(R"(fwc: 1
name: demo
nodes:
  node1: {address: 10.0.0.1/32}
)");
  CHECK(where(n.one(code::bad_address)) == "policy.yaml:4:20");
}

TEST_CASE("FWC-E006 bad port, range or protocol", "[loader][E006]") {
  Run r = compile(R"(fwc: 1
name: demo
services:
  web: 0/tcp
  dns: 53/icmp
  range: 90-80/tcp
inbound:
  - allow: [22/tcp, 80]
    from: 10.0.0.1
)");
  CHECK_FALSE(r.policy);
  auto v = r.with(code::bad_port);
  REQUIRE(v.size() == 4);
  CHECK(where(v[0]) == "policy.yaml:4:8");
  CHECK(where(v[1]) == "policy.yaml:5:8");
  CHECK(where(v[2]) == "policy.yaml:6:10");
  CHECK(where(v[3]) == "policy.yaml:8:21");
  CHECK(v[3].hint == "write 80/tcp or 80/udp");
}

TEST_CASE("FWC-E007 unknown reference", "[loader][E007]") {
  Run r = compile(R"(fwc: 1
name: demo
networks:
  operators: 203.0.113.10
services:
  https: 443/tcp
nodes:
  node1: {address: 10.0.0.1, roles: [server]}
inbound:
  - allow: [22/tcp]
    from: operatrs
  - allow: [htps]
    from: operators
  - allow: [https]
    from: operators
    roles: [servr]
  - allow: [https]
    from: [node:node2]
    nodes: [node1]
)");
  CHECK_FALSE(r.policy);
  auto v = r.with(code::unknown_ref);
  REQUIRE(v.size() == 4);
  CHECK(where(v[0]) == "policy.yaml:11:11");
  CHECK(v[0].hint == "did you mean 'operators'?");
  CHECK(where(v[1]) == "policy.yaml:12:13");
  CHECK(v[1].hint == "did you mean 'https'?");
  CHECK(where(v[2]) == "policy.yaml:16:13");
  CHECK(v[2].hint == "did you mean 'server'?");
  CHECK(where(v[3]) == "policy.yaml:18:12");
  CHECK_THAT(v[3].message, Catch::Contains("node2"));
}

TEST_CASE("FWC-E008 reference cycles name the path", "[loader][E008]") {
  SECTION("networks") {
    Run r = compile(R"(fwc: 1
name: demo
networks:
  a: [198.51.100.1, b]
  b: [198.51.100.2, a]
)");
    CHECK_FALSE(r.policy);
    Diagnostic d = r.one(code::ref_cycle);
    CHECK(where(d) == "policy.yaml:5:21");
    CHECK_THAT(d.message, Catch::Contains("a → b → a"));
  }
  SECTION("a network naming itself") {
    Run r = compile("fwc: 1\nname: demo\nnetworks:\n  loop: [10.0.0.1, loop]\n");
    Diagnostic d = r.one(code::ref_cycle);
    CHECK(where(d) == "policy.yaml:4:20");
    CHECK_THAT(d.message, Catch::Contains("loop → loop"));
  }
  SECTION("three networks") {
    Run r = compile(R"(fwc: 1
name: demo
networks:
  x: [y]
  y: [z]
  z: [10.0.0.1, x]
)");
    Diagnostic d = r.one(code::ref_cycle);
    CHECK(where(d) == "policy.yaml:6:17");
    CHECK_THAT(d.message, Catch::Contains("x → y → z → x"));
  }
  SECTION("services") {
    Run r = compile(R"(fwc: 1
name: demo
services:
  web: [80/tcp, web-all]
  web-all: [443/tcp, web]
)");
    CHECK_FALSE(r.policy);
    Diagnostic d = r.one(code::ref_cycle);
    CHECK(where(d) == "policy.yaml:5:22");
    CHECK_THAT(d.message, Catch::Contains("web → web-all → web"));
  }
}

TEST_CASE("FWC-E009 duplicate names and keys", "[loader][E009]") {
  SECTION("a network key twice") {
    Run r = compile(R"(fwc: 1
name: demo
networks:
  operators: 203.0.113.10
  office: 198.51.100.0/24
  operators: 203.0.113.11
)");
    CHECK_FALSE(r.policy);
    Diagnostic d = r.one(code::duplicate);
    CHECK(where(d) == "policy.yaml:6:3");
    CHECK_THAT(d.message, Catch::Contains("operators"));
  }
  SECTION("top-level and rule keys twice") {
    Run r = compile(R"(name: demo
fwc: 1
name: again
inbound:
  - allow: [22/tcp]
    from: any
    from: 10.0.0.1
)");
    auto v = r.with(code::duplicate);
    REQUIRE(v.size() == 2);
    CHECK(where(v[0]) == "policy.yaml:3:1");
    CHECK(where(v[1]) == "policy.yaml:7:5");
  }
  SECTION("a role listed twice") {
    Run r = compile("fwc: 1\nname: demo\nroles: [web, web]\n");
    CHECK(where(r.one(code::duplicate)) == "policy.yaml:3:14");
  }
  SECTION("a built-in network name") {
    Run r = compile("fwc: 1\nname: demo\nnetworks:\n  any: 10.0.0.0/8\n");
    CHECK(where(r.one(code::duplicate)) == "policy.yaml:4:3");
  }
}

TEST_CASE("FWC-E010 bad value", "[loader][E010]") {
  Run r = compile(R"(fwc: 1
name: demo
defaults:
  inbound: dorp
rate_limits:
  - services: [443/tcp]
    rate: 100/fortnight
)");
  CHECK_FALSE(r.policy);
  auto v = r.with(code::bad_value);
  REQUIRE(v.size() == 2);
  CHECK(where(v[0]) == "policy.yaml:4:12");
  CHECK(v[0].hint == "did you mean 'drop'?");
  CHECK(where(v[1]) == "policy.yaml:7:11");

  Run n = compile("fwc: 1\nname: 1demo\n");
  CHECK(where(n.one(code::bad_value)) == "policy.yaml:2:7");

  // `ignore` takes only warnings a rule can acknowledge.
  Run i = compile(R"(fwc: 1
name: demo
inbound:
  - allow: [22/tcp]
    from: any
    ignore: [FWC-E007, FWC-W103]
)");
  Diagnostic d = i.one(code::bad_value);
  CHECK(where(d) == "policy.yaml:6:14");
  CHECK_THAT(d.message, Catch::Contains("FWC-E007"));
}

TEST_CASE("FWC-E011 cannot read a list file", "[loader][E011]") {
  TempDir dir;
  Run r = compile(R"(fwc: 1
name: demo
networks:
  blocked: {file: lists/none.txt}
)",
                  dir.file("policy.yaml"));
  CHECK_FALSE(r.policy);
  Diagnostic d = r.one(code::file_error);
  CHECK(d.loc.line == 4);
  CHECK(d.loc.col == 19);
  CHECK(*d.loc.file == dir.file("policy.yaml"));
  CHECK_THAT(d.message, Catch::Contains(dir.file("lists/none.txt")));
}

TEST_CASE("FWC-E012 unsupported version", "[loader][E012]") {
  Run r = compile("fwc: 2\nname: demo\n");
  CHECK_FALSE(r.policy);
  Diagnostic d = r.one(code::bad_version);
  CHECK(where(d) == "policy.yaml:1:6");
  CHECK_THAT(d.message, Catch::Contains("'2'"));
}

TEST_CASE("FWC-E013 selection needed or invalid", "[loader][E013]") {
  Run r = compile(R"(fwc: 1
name: demo
nodes:
  node1: {address: 10.0.0.1, roles: [server]}
  node2: {address: 10.0.0.2, roles: [worker]}
inbound:
  - allow: [22/tcp]
    from: 203.0.113.10
  - allow: [443/tcp]
    from: any
    roles: [server]
)");
  REQUIRE(r.policy);
  CHECK(r.policy->has_scoped_rules());

  DiagnosticEngine d1;
  CHECK_FALSE(ir::validate_selection(*r.policy, {}, d1));
  REQUIRE(d1.error_count() == 1);
  CHECK(d1.all()[0].code == code::selection);
  CHECK(d1.all()[0].loc.line == 0);  // about the command, not a place in the file
  CHECK_THAT(d1.all()[0].hint, Catch::Contains("--node node1") && Catch::Contains("--role worker"));

  DiagnosticEngine d2;
  CHECK_FALSE(ir::validate_selection(*r.policy, {ir::Selection::Kind::node, "node3"}, d2));
  REQUIRE(d2.error_count() == 1);
  CHECK(d2.all()[0].code == code::selection);

  DiagnosticEngine d3;
  CHECK_FALSE(ir::validate_selection(*r.policy, {ir::Selection::Kind::role, "sever"}, d3));
  REQUIRE(d3.error_count() == 1);
  CHECK(d3.all()[0].hint == "did you mean 'server'?");

  DiagnosticEngine ok;
  CHECK(ir::validate_selection(*r.policy, {ir::Selection::Kind::node, "node2"}, ok));
  CHECK(ir::validate_selection(*r.policy, {ir::Selection::Kind::role, "server"}, ok));
  CHECK(ok.all().empty());
}

// -------------------------------------------------------------- warnings

TEST_CASE("FWC-W101 host bits set", "[loader][W101]") {
  Run r = compile(R"(fwc: 1
name: demo
networks:
  office: 10.0.0.5/24
inbound:
  - allow: [22/tcp]
    from: office
)");
  REQUIRE(r.policy);
  Diagnostic d = r.one(code::host_bits);
  CHECK(d.severity == Severity::warning);
  CHECK(where(d) == "policy.yaml:4:11");
  CHECK_THAT(d.hint, Catch::Contains("10.0.0.0/24"));
  // The network is taken as the /24.
  CHECK(r.policy->networks[0].addrs.cidrs(net::Family::v4).size() == 1);
  CHECK(net::format_cidr(r.policy->networks[0].addrs.cidrs(net::Family::v4)[0]) == "10.0.0.0/24");
}

TEST_CASE("FWC-W102 shadowed allow rule", "[loader][W102]") {
  Run r = compile(R"(fwc: 1
name: demo
block:
  - from: 203.0.113.0/24
inbound:
  - allow: [22/tcp]
    from: 198.51.100.0/24
  - allow: [443/tcp]
    from: 203.0.113.10
)");
  REQUIRE(r.policy);
  Diagnostic d = r.one(code::shadowed);
  CHECK(where(d) == "policy.yaml:8:5");
  CHECK_THAT(d.message, Catch::Contains("inbound[1]"));
}

TEST_CASE("FWC-W103 admin port open to any", "[loader][W103]") {
  Run r = compile(R"(fwc: 1
name: demo
inbound:
  - name: everyone-ssh
    allow: [22/tcp]
    from: any
)");
  REQUIRE(r.policy);
  Diagnostic d = r.one(code::admin_open);
  CHECK(where(d) == "policy.yaml:4:5");
  CHECK_THAT(d.message, Catch::Contains("22"));
}

TEST_CASE("FWC-W104 lock-out", "[loader][W104]") {
  Run r = compile(R"(fwc: 1
name: demo
defaults:
  inbound: reject
inbound:
  - allow: [443/tcp]
    from: any
)");
  REQUIRE(r.policy);
  Diagnostic d = r.one(code::lockout);
  CHECK(where(d) == "policy.yaml:4:3");  // the defaults mapping
  CHECK_THAT(d.message, Catch::Contains("reject"));
}

TEST_CASE("FWC-W105 network without host addresses", "[loader][W105]") {
  Run r = compile(R"(fwc: 1
name: demo
networks:
  peers: {aws: {security_group: self}}
inbound:
  - allow: [22/tcp]
    from: peers
)");
  REQUIRE(r.policy);
  Diagnostic d = r.one(code::no_host_addrs);
  CHECK(where(d) == "policy.yaml:7:11");
  CHECK_THAT(d.message, Catch::Contains("peers"));

  // A rule can acknowledge it.
  Run quiet = compile(R"(fwc: 1
name: demo
networks:
  peers: {aws: {security_group: self}}
inbound:
  - allow: [22/tcp]
    from: peers
    ignore: [FWC-W105]
)");
  REQUIRE(quiet.policy);
  CHECK(quiet.with(code::no_host_addrs).empty());
}

// ------------------------------------------------------- several at once

TEST_CASE("several errors are reported in one run", "[loader]") {
  Run r = compile(R"(fwc: 1
name: demo
netwroks:
  operators: 203.0.113.10
defaults:
  inbound: dorp
  icmp: some
rate_limits:
  - services: [443/tcp]
    rate: 5/second
    burst: lots
inbound:
  - from: any
)");
  CHECK_FALSE(r.policy);
  INFO(r.diags.render_all());
  CHECK(r.diags.error_count() >= 3);
  CHECK(r.with(code::unknown_key).size() == 1);
  CHECK(r.with(code::bad_value).size() == 2);
  CHECK(r.with(code::wrong_type).size() == 1);  // burst
  CHECK(r.with(code::missing_key).size() == 1);  // allow

  // sorted() orders by position.
  auto s = r.diags.sorted();
  for (size_t i = 1; i < s.size(); ++i)
    CHECK(std::make_pair(s[i - 1].loc.line, s[i - 1].loc.col) <= std::make_pair(s[i].loc.line, s[i].loc.col));
}

TEST_CASE("resolve errors are all reported too", "[loader]") {
  Run r = compile(R"(fwc: 1
name: demo
networks:
  a: 10.0.0.300
  b: [nowhere]
services:
  web: 70000/tcp
inbound:
  - allow: [web]
    from: [a, b]
)");
  CHECK_FALSE(r.policy);
  CHECK(r.with(code::bad_address).size() == 1);
  CHECK(r.with(code::unknown_ref).size() == 1);
  CHECK(r.with(code::bad_port).size() == 1);
  CHECK(r.diags.error_count() == 3);
}

// ------------------------------------------------------- files, includes

TEST_CASE("file: lists are read relative to the policy", "[loader][file]") {
  TempDir dir;
  dir.write("lists/blocked.txt", "# scanners\n198.51.100.0/24\n\n  203.0.113.7   # one host\n2001:db8::/32\n");
  Run r = compile(R"(fwc: 1
name: demo
networks:
  blocked: {file: lists/blocked.txt}
  more: {file: [lists/blocked.txt], addresses: [192.0.2.1], except: [198.51.100.128/25]}
)",
                  dir.file("policy.yaml"));
  INFO(r.diags.render_all());
  REQUIRE(r.policy);
  CHECK(r.diags.error_count() == 0);
  CHECK(r.with(code::host_bits).empty());
  const net::AddrSet& s = r.policy->networks[0].addrs;
  net::Address a;
  REQUIRE(net::parse_address("198.51.100.77", a));
  CHECK(s.contains(a));
  REQUIRE(net::parse_address("203.0.113.7", a));
  CHECK(s.contains(a));
  REQUIRE(net::parse_address("203.0.113.8", a));
  CHECK_FALSE(s.contains(a));
  REQUIRE(net::parse_address("2001:db8::1", a));
  CHECK(s.contains(a));
  CHECK(s.cidr_count(net::Family::v4) == 2);

  const net::AddrSet& m = r.policy->networks[1].addrs;
  std::vector<std::string> got;
  for (const auto& c : m.cidrs(net::Family::v4)) got.push_back(net::format_cidr(c));
  CHECK(got == std::vector<std::string>{"192.0.2.1", "198.51.100.0/25", "203.0.113.7"});
}

TEST_CASE("a bad line in a list file is located in the list file", "[loader][file]") {
  TempDir dir;
  std::string list = dir.write("lists/bad.txt", "# two bad entries\n198.51.100.0/24\n\n  10.0.0.300  # typo\n192.0.2.0/24\n\t2001:db8::/129\n10.9.9.9/8\n");
  Run r = compile(R"(fwc: 1
name: demo
networks:
  blocked: {file: lists/bad.txt}
)",
                  dir.file("policy.yaml"));
  CHECK_FALSE(r.policy);
  auto v = r.with(code::bad_address);
  REQUIRE(v.size() == 2);
  CHECK(v[0].loc.str() == list + ":4:3");
  CHECK(v[0].length == 10);
  CHECK_THAT(v[0].message, Catch::Contains("'10.0.0.300'"));
  // The later bad lines are counted and located by number, not quoted.
  CHECK(v[1].loc.str() == list + ":6:2");
  CHECK(v[1].message == "1 more bad line in this list (line 6)");
  // The host-bits line is a warning in the list file too.
  Diagnostic w = r.one(code::host_bits);
  CHECK(w.loc.str() == list + ":7:1");
  CHECK_THAT(w.hint, Catch::Contains("10.0.0.0/8"));
  // A list file is not policy text: its lines are never rendered.
  CHECK(r.diags.render(v[0]) == list + ":4:3: error: not an IP address or CIDR: '10.0.0.300' [FWC-E005]\n");
}

TEST_CASE("list files: CRLF line ends, and a cap on reported bad lines", "[loader][file]") {
  TempDir dir;
  std::string crlf = dir.write("lists/crlf.txt", "192.0.2.1\r\n192.0.2.2/31\r\n# note\r\n");
  std::string bad;
  for (int i = 1; i <= 13; ++i) bad += "10.0.0." + std::to_string(300 + i) + "\n";
  std::string bad_path = dir.write("lists/bad.txt", bad);

  Run ok = compile("fwc: 1\nname: demo\nnetworks:\n  crlf: {file: lists/crlf.txt}\n", dir.file("policy.yaml"));
  INFO(ok.diags.render_all());
  REQUIRE(ok.policy);
  CHECK(ok.diags.error_count() == 0);
  std::vector<std::string> got;
  for (const auto& c : ok.policy->networks[0].addrs.cidrs(net::Family::v4)) got.push_back(net::format_cidr(c));
  CHECK(got == std::vector<std::string>{"192.0.2.1", "192.0.2.2/31"});

  Run r = compile("fwc: 1\nname: demo\nnetworks:\n  bad: {file: lists/bad.txt}\n", dir.file("policy.yaml"));
  CHECK_FALSE(r.policy);
  auto v = r.with(code::bad_address);
  REQUIRE(v.size() == 2);  // the first located, then one count of the other twelve
  CHECK(v[0].loc.str() == bad_path + ":1:1");
  CHECK(v[1].loc.str() == bad_path + ":2:1");
  CHECK(v[1].message == "12 more bad lines in this list (lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ...)");
}

TEST_CASE("include: merges fragments; duplicates point into the fragment", "[loader][include]") {
  TempDir dir;
  dir.write("fragments/common.yaml", "fwc: 1\nservices:\n  https: 443/tcp\nnetworks:\n  operators: 203.0.113.10\n");
  std::string dup = dir.write("fragments/dup.yaml", "# redefines http\nservices:\n  https2: 8443/tcp\n  http: 8080/tcp\n");

  SECTION("names from the fragment resolve") {
    Run r = compile(R"(fwc: 1
name: demo
include: [fragments/common.yaml]
inbound:
  - allow: [https]
    from: operators
)",
                    dir.file("policy.yaml"));
    INFO(r.diags.render_all());
    REQUIRE(r.policy);
    REQUIRE(r.policy->inbound.size() == 1);
    CHECK(r.policy->inbound[0].ports.contains(net::Proto::tcp, 443));
    CHECK(r.policy->inbound[0].src.name == "operators");
  }
  SECTION("a name defined twice") {
    Run r = compile(R"(fwc: 1
name: demo
include: [fragments/dup.yaml]
services:
  http: 80/tcp
)",
                    dir.file("policy.yaml"));
    CHECK_FALSE(r.policy);
    Diagnostic d = r.one(code::duplicate);
    CHECK(d.loc.str() == dup + ":4:3");
  }
  SECTION("a missing fragment") {
    Run r = compile("fwc: 1\nname: demo\ninclude: [fragments/none.yaml]\n", dir.file("policy.yaml"));
    CHECK_FALSE(r.policy);
    Diagnostic d = r.one(code::file_error);
    CHECK(d.loc.line == 3);
    CHECK(d.loc.col == 11);
  }
  SECTION("a fragment may not hold rules") {
    std::string bad = dir.write("fragments/rules.yaml", "networks:\n  a: 10.0.0.1\ninbound: []\n");
    Run r = compile("fwc: 1\nname: demo\ninclude: fragments/rules.yaml\n", dir.file("policy.yaml"));
    CHECK_FALSE(r.policy);
    CHECK(r.one(code::unknown_key).loc.str() == bad + ":3:1");
  }
}

// ------------------------------------------------------------- rendering

TEST_CASE("render shows the source line and a caret under the column", "[loader][render]") {
  Run r = compile(R"(fwc: 1
name: demo
networks:
  operators: 203.0.113.10
inbound:
  - allow: [22/tcp]
    from: operatrs
)");
  Diagnostic d = r.one(code::unknown_ref);
  std::string text = r.diags.render(d);
  std::string expected =
      "policy.yaml:7:11: error: unknown network 'operatrs' [FWC-E007]\n"
      "      from: operatrs\n"
      + std::string(2 + 10, ' ') + "^" + std::string(7, '~') + "\n" +  // margin, 10 columns, 8 characters
      "  hint: did you mean 'operators'?\n";
  CHECK(text == expected);
  CHECK(r.diags.render_all() == expected);

  // Columns are counted from 1: an error at column 1 has its caret right
  // after the margin.
  Run r2 = compile("fwc: 1\nname: demo\nnetwroks: {}\n");
  std::string t2 = r2.diags.render(r2.one(code::unknown_key));
  CHECK_THAT(t2, Catch::Contains("\n  netwroks: {}\n  ^" + std::string(7, '~') + "\n"));

  // A diagnostic without a position has no source excerpt.
  DiagnosticEngine e;
  e.error(code::selection, SourceLoc{std::make_shared<const std::string>("p.yaml"), 0, 0}, "choose");
  CHECK(e.render(e.all()[0]) == "p.yaml: error: choose [FWC-E013]\n");
}
