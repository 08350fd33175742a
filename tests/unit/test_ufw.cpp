// The ufw backend: lowering to the script model and emitting the shell
// script of ufw commands (backends/ufw/ufw_backend.h).
#include <algorithm>
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "backends/ufw/ufw_backend.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"

using namespace fwc;

namespace {

ir::Ruleset ruleset(const std::string& body, const ir::Selection& sel = {}) {
  DiagnosticEngine diags;
  auto p = compile_policy_text("fwc: 1\nname: demo\n" + body, "policy.yaml", diags, false);
  INFO(diags.render_all());
  REQUIRE(p);
  REQUIRE(diags.error_count() == 0);
  return ir::select(*p, sel);
}

struct Compiled {
  std::string text;
  std::vector<Diagnostic> diags;
  bool ok = false;
};

// The policy body starts at line 3 of policy.yaml (after `fwc:` and `name:`).
Compiled compile(const std::string& body, const ir::Selection& sel = {}) {
  DiagnosticEngine diags;
  auto backend = ufw::make_backend();
  auto artefacts = backend->compile(ruleset(body, sel), diags);
  Compiled c;
  c.diags = diags.sorted();
  c.ok = artefacts.has_value();
  if (artefacts) {
    REQUIRE(artefacts->size() == 1);
    CHECK((*artefacts)[0].suffix == "ufw.sh");
    c.text = (*artefacts)[0].text;
  }
  return c;
}

std::string script(const std::string& body) {
  Compiled c = compile(body);
  REQUIRE(c.ok);
  return c.text;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}
bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The rule commands (ufw allow|deny|reject|limit|route ...), in order.
std::vector<std::string> rules(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& l : lines_of(text))
    if (starts_with(l, "ufw allow ") || starts_with(l, "ufw deny ") || starts_with(l, "ufw reject ") ||
        starts_with(l, "ufw limit ") || starts_with(l, "ufw route "))
      out.push_back(l);
  return out;
}

// The approximation warnings reported at one line of policy.yaml.
std::vector<std::string> warnings_at(const Compiled& c, uint32_t line) {
  std::vector<std::string> out;
  for (const auto& d : c.diags)
    if (d.severity == Severity::warning && d.code == ufw::kApproximation && d.loc.line == line)
      out.push_back(d.message);
  return out;
}

size_t approximations(const Compiled& c) {
  return static_cast<size_t>(std::count_if(
      c.diags.begin(), c.diags.end(), [](const Diagnostic& d) { return d.code == ufw::kApproximation; }));
}

}  // namespace

TEST_CASE("ufw: output is deterministic", "[ufw]") {
  const std::string body = R"(networks:
  blocked: [198.51.100.0/24, "2001:db8:bad::/48"]
  ops: [203.0.113.10, 203.0.113.11]
block:
  - from: blocked
    log: "blocked: "
inbound:
  - allow: [22/tcp]
    from: ops
  - allow: [443/tcp, 53/udp]
    from: any
)";
  ir::Ruleset rs = ruleset(body);
  DiagnosticEngine d1, d2;
  std::string a = ufw::emit(ufw::lower(rs, d1));
  std::string b = ufw::emit(ufw::lower(rs, d2));
  CHECK(a == b);
  CHECK(script(body) == a);
}

TEST_CASE("ufw: a POSIX shell script that deletes old rules, sets defaults and ends by enabling", "[ufw]") {
  std::string text = script("inbound:\n  - allow: [22/tcp]\n    from: 192.0.2.10\n");
  auto lines = lines_of(text);
  REQUIRE(lines.size() > 5);
  CHECK(lines[0] == "#!/bin/sh");
  CHECK(starts_with(lines[1], "# fwc: policy demo (policy.yaml), all nodes"));
  CHECK(contains(text, "\nset -e\n"));
  CHECK(contains(text, "ufw --force reset"));  // the comment says why it is not used
  CHECK(std::none_of(lines.begin(), lines.end(),
                     [](const std::string& l) { return l == "ufw --force reset"; }));
  CHECK(contains(text, "\nwhile ufw --force delete 1 >/dev/null 2>&1; do :; done\n"));
  CHECK(contains(text, "grep -q '^IPV6=yes' /etc/default/ufw"));
  CHECK(contains(text, "\nufw default deny incoming\nufw default allow outgoing\n"));
  CHECK(contains(text, "\nufw logging off\n"));
  CHECK(!contains(text, "routed\n"));  // forwarding not managed: left alone
  CHECK(lines.back() == "ufw --force enable");
  // Deleting comes before the defaults, the defaults before the rules.
  CHECK(text.find("ufw --force delete") < text.find("ufw default deny incoming"));
  CHECK(text.find("ufw default deny incoming") < text.find("ufw allow "));
}

TEST_CASE("ufw: defaults follow the policy", "[ufw]") {
  std::string text = script(R"(defaults: {inbound: reject, outbound: drop, forward: accept}
outbound:
  - allow: [53/udp]
    to: any
)");
  CHECK(
      contains(text, "\nufw default reject incoming\nufw default deny outgoing\nufw default allow routed\n"));
  CHECK(contains(text, "\nufw default allow outgoing\n") == false);
}

TEST_CASE("ufw: block lists come first, then limits, allows and otherwise clauses", "[ufw][order]") {
  const std::string body = R"(networks:
  blocked: [198.51.100.0/24, "2001:db8:bad::/48"]
rate_limits:
  - name: ssh-brute
    services: [22/tcp]
    rate: 3/minute
    per_source: true
inbound:
  - name: peers
    allow: [9901/tcp]
    from: [192.0.2.1]
    otherwise: {action: reject}
  - name: ssh
    allow: [22/tcp]
    from: any
block:
  - name: bad
    from: blocked
)";
  std::string text = script(body);
  auto r = rules(text);
  REQUIRE(r.size() == 5);
  CHECK(r[0] == "ufw deny from 198.51.100.0/24 to any comment 'block[0] bad (policy.yaml:19)'");
  CHECK(r[1] == "ufw deny from 2001:db8:bad::/48 to any comment 'block[0] bad (policy.yaml:19)'");
  CHECK(starts_with(r[2], "ufw limit from any to any port 22 proto tcp comment 'rate_limits[0] ssh-brute"));
  CHECK(starts_with(r[3], "ufw allow from 192.0.2.1 to any port 9901 proto tcp comment 'inbound[0] peers"));
  // inbound[1] ssh has the limit rule's match: the limit accepts what it would.
  CHECK(contains(text, "# inbound[1] ssh (policy.yaml:15)\n# 1 of its ufw rules would repeat the match"));
  CHECK(starts_with(r[4],
                    "ufw reject from any to any port 9901 proto tcp comment 'inbound[0] peers otherwise"));
}

TEST_CASE("ufw: every rule carries a comment naming the policy rule and its line", "[ufw]") {
  const std::string body = R"(networks:
  ops: [203.0.113.10, "2001:db8:1::/64"]
inbound:
  - name: ssh-ops
    allow: [22/tcp]
    from: ops
  - allow: [80/tcp]
    from: any
)";
  auto r = rules(script(body));
  REQUIRE(r.size() == 3);
  CHECK(r[0] ==
        "ufw allow from 203.0.113.10 to any port 22 proto tcp comment 'inbound[0] ssh-ops (policy.yaml:6)'");
  CHECK(
      r[1] ==
      "ufw allow from 2001:db8:1::/64 to any port 22 proto tcp comment 'inbound[0] ssh-ops (policy.yaml:6)'");
  CHECK(r[2] == "ufw allow from any to any port 80 proto tcp comment 'inbound[1] (policy.yaml:9)'");
}

TEST_CASE("ufw: ports, protocols and families in ufw's syntax", "[ufw]") {
  const std::string body = R"(inbound:
  - allow: [4646-4647/tcp, 4648/tcp, 4648/udp]
    from: [10.0.0.0/24]
  - allow: [53/tcp, 53/udp]
    from: any4
  - allow: [443/tcp]
    from: any6
  - allow: [all]
    from: [192.0.2.7]
)";
  auto r = rules(script(body));
  REQUIRE(r.size() == 5);
  CHECK(starts_with(r[0], "ufw allow from 10.0.0.0/24 to any port 4646:4648 proto tcp comment"));
  CHECK(starts_with(r[1], "ufw allow from 10.0.0.0/24 to any port 4648 proto udp comment"));
  // One port on both protocols: one rule without proto (ufw adds both).
  CHECK(starts_with(r[2], "ufw allow from 0.0.0.0/0 to any port 53 comment"));
  CHECK(starts_with(r[3], "ufw allow from ::/0 to any port 443 proto tcp comment"));
  CHECK(starts_with(r[4], "ufw allow from 192.0.2.7 to any comment"));
}

TEST_CASE("ufw: port lists stay within multiport's 15 slots", "[ufw]") {
  std::string allow = "[";
  for (int p = 1; p <= 20; ++p) allow += (p > 1 ? ", " : "") + std::to_string(p * 100) + "/tcp";
  allow += ", 3000-3010/tcp]";
  auto r = rules(script("inbound:\n  - allow: " + allow + "\n    from: any\n"));
  REQUIRE(r.size() == 2);
  CHECK(contains(r[0], " port 100,200,300,400,500,600,700,800,900,1000,1100,1200,1300,1400,1500 proto tcp "));
  CHECK(contains(r[1], " port 1600,1700,1800,1900,2000,3000:3010 proto tcp "));
}

TEST_CASE("ufw: rules repeating an earlier rule's match are left out", "[ufw]") {
  const std::string body = R"(block:
  - from: [192.0.2.9]
inbound:
  - allow: [all]
    from: [192.0.2.9]
  - allow: [22/tcp]
    from: [203.0.113.10]
  - allow: [22/tcp]
    from: [203.0.113.10]
)";
  std::string text = script(body);
  auto r = rules(text);
  // ufw would turn the block into an allow (same match, other action), and skip the repeat.
  REQUIRE(r.size() == 2);
  CHECK(starts_with(r[0], "ufw deny from 192.0.2.9 to any comment"));
  CHECK(starts_with(r[1], "ufw allow from 203.0.113.10 to any port 22 proto tcp comment 'inbound[1]"));
  CHECK(contains(text, "# 1 of its ufw rules would repeat the match of a rule above"));
}

TEST_CASE("ufw: log prefixes cannot be set: warning at the rule, ufw's own log kept", "[ufw][warnings]") {
  const std::string body = R"(defaults:
  log: "fwc-drop: "
block:
  - from: [198.51.100.0/24]
    log: "blocked: "
inbound:
  - allow: [22/tcp]
    from: any
    log: "ssh-new: "
)";
  Compiled c = compile(body);
  REQUIRE(c.ok);
  auto r = rules(c.text);
  REQUIRE(r.size() == 2);
  CHECK(starts_with(r[0], "ufw deny log from 198.51.100.0/24 to any comment"));
  CHECK(starts_with(r[1], "ufw allow log from any to any port 22 proto tcp comment"));
  CHECK(contains(c.text, "\nufw logging low\n"));
  auto at_defaults = warnings_at(c, 4);
  REQUIRE(at_defaults.size() == 1);
  CHECK(contains(at_defaults[0], "'fwc-drop: '"));
  auto at_block = warnings_at(c, 6);  // the ICMP note and the log prefix
  REQUIRE(at_block.size() == 2);
  CHECK(std::any_of(at_block.begin(), at_block.end(), [](const std::string& m) {
    return contains(m, "'[UFW BLOCK] '") && contains(m, "'blocked: '");
  }));
  auto at_allow = warnings_at(c, 9);
  REQUIRE(at_allow.size() == 1);
  CHECK(contains(at_allow[0], "'[UFW ALLOW] '"));
  CHECK(contains(at_allow[0], "'ssh-new: '"));
  // The script says so too, next to the rule.
  CHECK(contains(c.text, "# approximation: ufw cannot set log prefixes"));
}

TEST_CASE("ufw: a policy ufw expresses exactly compiles without warnings", "[ufw][warnings]") {
  Compiled c = compile(R"(networks:
  ops: [203.0.113.10]
inbound:
  - allow: [22/tcp]
    from: ops
  - allow: [80/tcp, 443/tcp]
    from: any
)");
  REQUIRE(c.ok);
  CHECK(c.diags.empty());
  CHECK(contains(c.text, "\nufw logging off\n"));
}

TEST_CASE("ufw: blocks of all traffic warn that ICMP still passes", "[ufw][warnings]") {
  Compiled c = compile(R"(block:
  - from: [198.51.100.0/24]
  - from: [192.0.2.0/24]
    services: [22/tcp]
  - from: [203.0.113.0/24]
    services: [all]
)");
  REQUIRE(c.ok);
  auto w = warnings_at(c, 4);
  REQUIRE(w.size() == 1);
  CHECK(contains(w[0], "ICMP"));
  CHECK(warnings_at(c, 5).empty());  // a block of some ports only: ICMP is not its business
  CHECK(warnings_at(c, 7).size() == 1);
  auto r = rules(c.text);
  REQUIRE(r.size() == 3);
  CHECK(r[1] == "ufw deny from 192.0.2.0/24 to any port 22 proto tcp comment 'block[1] (policy.yaml:5)'");
  CHECK(r[2] == "ufw deny from 203.0.113.0/24 to any comment 'block[2] (policy.yaml:7)'");
}

TEST_CASE("ufw: defaults.icmp no-ping and all are approximations at the defaults", "[ufw][warnings]") {
  Compiled no_ping = compile("defaults:\n  icmp: no-ping\n");
  REQUIRE(no_ping.ok);
  auto w = warnings_at(no_ping, 4);
  REQUIRE(w.size() == 1);
  CHECK(contains(w[0], "echo-request"));
  Compiled all = compile("defaults:\n  icmp: all\n");
  REQUIRE(all.ok);
  REQUIRE(warnings_at(all, 4).size() == 1);
  Compiled essential = compile("defaults:\n  icmp: essential\n");
  CHECK(essential.diags.empty());
  CHECK(contains(essential.text, "# defaults.icmp essential: ufw's before.rules already accept"));
}

TEST_CASE("ufw: a slow per-source meter becomes 'limit' where allow rules accept", "[ufw][meters]") {
  const std::string body = R"(networks:
  customers: [198.51.100.0/24, "2001:db8:c::/48"]
rate_limits:
  - name: ssh-brute
    services: [22/tcp, 2222/tcp]
    from: any
    rate: 5/minute
    per_source: true
    log: "ssh-rate: "
inbound:
  - allow: [22/tcp]
    from: customers
  - allow: [22/tcp, 80/tcp]
    from: [203.0.113.10]
    log: "ops: "
)";
  Compiled c = compile(body);
  REQUIRE(c.ok);
  auto r = rules(c.text);
  REQUIRE(r.size() == 4);
  // Only sources and ports the allow rules accept: 'limit' accepts under its
  // rate. The allow rules' own rules with the same match are left out.
  CHECK(starts_with(
      r[0], "ufw limit from 198.51.100.0/24 to any port 22 proto tcp comment 'rate_limits[0] ssh-brute"));
  CHECK(starts_with(r[1], "ufw limit from 2001:db8:c::/48 to any port 22 proto tcp comment"));
  CHECK(starts_with(r[2], "ufw limit log from 203.0.113.10 to any port 22 proto tcp comment"));
  CHECK(starts_with(r[3], "ufw allow log from 203.0.113.10 to any port 22,80 proto tcp"));
  CHECK(contains(c.text, "\nufw logging low\n"));
  auto w = warnings_at(c, 6);
  REQUIRE(w.size() == 1);
  CHECK(contains(w[0], "6th new connection within 30 seconds"));
  CHECK(contains(w[0], "5/minute"));
  CHECK(contains(w[0], "'ssh-rate: '"));
}

TEST_CASE("ufw: fast or shared meters are left out with a warning", "[ufw][meters]") {
  const std::string body = R"(rate_limits:
  - name: flood
    services: [443/tcp]
    rate: 100/second
    per_source: true
  - name: global
    services: [53/udp]
    rate: 1/minute
  - name: bursty
    services: [25/tcp]
    rate: 2/minute
    burst: 50
    per_source: true
inbound:
  - allow: [443/tcp, 53/udp, 25/tcp]
    from: any
)";
  Compiled c = compile(body);
  REQUIRE(c.ok);
  auto r = rules(c.text);
  CHECK(std::none_of(r.begin(), r.end(), [](const std::string& l) { return starts_with(l, "ufw limit"); }));
  REQUIRE(warnings_at(c, 4).size() == 1);
  CHECK(contains(warnings_at(c, 4)[0], "left out"));
  CHECK(contains(warnings_at(c, 4)[0], "100/second"));
  REQUIRE(warnings_at(c, 8).size() == 1);
  CHECK(contains(warnings_at(c, 8)[0], "no shared rate meter"));
  REQUIRE(warnings_at(c, 11).size() == 1);
  CHECK(contains(warnings_at(c, 11)[0], "burst 50"));
}

TEST_CASE("ufw: large networks warn, huge ones are an error at the rule", "[ufw][sets]") {
  auto block_of = [](int n) {
    std::string list = "[";
    for (int i = 0; i < n; ++i)
      list += (i ? ", " : "") + std::string("10.") + std::to_string(i / 256 * 2 % 256) + "." +
              std::to_string(i % 256) + ".0/25";
    return "block:\n  - name: big\n    from: " + list + "]\n    services: [22/tcp]\n";
  };
  Compiled small = compile(block_of(100));
  REQUIRE(small.ok);
  CHECK(approximations(small) == 0);
  CHECK(rules(small.text).size() == 100);
  Compiled many = compile(block_of(101));
  REQUIRE(many.ok);
  auto w = warnings_at(many, 4);
  REQUIRE(w.size() == 1);
  CHECK(contains(w[0], "101 CIDRs"));
  CHECK(rules(many.text).size() == 101);
  Compiled huge = compile(block_of(10001));
  CHECK(!huge.ok);
  REQUIRE(!huge.diags.empty());
  CHECK(huge.diags[0].severity == Severity::error);
  CHECK(huge.diags[0].code == std::string(ufw::kTooLarge));
  CHECK(huge.diags[0].loc.line == 4);
}

TEST_CASE("ufw: outbound and forwarded rules", "[ufw]") {
  const std::string body = R"(networks:
  backends: [10.1.0.0/24, "fd00:1::/64"]
defaults: {outbound: reject, forward: drop}
block:
  - to: [198.51.100.0/24]
    action: reject
outbound:
  - allow: [53/udp]
    to: [192.0.2.53]
forward:
  - allow: [80/tcp]
    from: any
    to: backends
)";
  Compiled c = compile(body);
  REQUIRE(c.ok);
  auto r = rules(c.text);
  REQUIRE(r.size() == 4);
  CHECK(starts_with(r[0], "ufw reject out from any to 198.51.100.0/24 comment 'block[0]"));
  CHECK(starts_with(r[1], "ufw allow out from any to 192.0.2.53 port 53 proto udp comment 'outbound[0]"));
  CHECK(starts_with(r[2], "ufw route allow from any to 10.1.0.0/24 port 80 proto tcp comment 'forward[0]"));
  CHECK(starts_with(r[3], "ufw route allow from any to fd00:1::/64 port 80 proto tcp comment 'forward[0]"));
  CHECK(contains(c.text, "\nufw default reject outgoing\nufw default deny routed\n"));
  // Outgoing ICMP and forwarded ICMP differ from fwc's chains: both warned at the defaults.
  CHECK(warnings_at(c, 5).size() == 2);
  // ICMP to blocked destinations: ufw refuses it, fwc lets it out first.
  REQUIRE(warnings_at(c, 7).size() == 1);
  CHECK(contains(warnings_at(c, 7)[0], "pings"));
}

TEST_CASE("ufw: comments lose single quotes (ufw refuses them)", "[ufw]") {
  ir::Ruleset rs = ruleset("inbound:\n  - allow: [22/tcp]\n    from: any\n");
  rs.input.allows[0].origin.label = "inbound[0] o'brien";
  DiagnosticEngine diags;
  auto r = rules(ufw::emit(ufw::lower(rs, diags)));
  REQUIRE(r.size() == 1);
  CHECK(contains(r[0], "comment 'inbound[0] obrien (policy.yaml:4)'"));
}

TEST_CASE("ufw: command text", "[ufw]") {
  ufw::Command c;
  c.action = "deny";
  c.dir = ufw::Command::Dir::out;
  c.log = true;
  c.to = "198.51.100.0/24";
  c.port = "25";
  c.proto = "tcp";
  c.comment = "block[0]";
  CHECK(ufw::command_text(c) ==
        "ufw deny out log from any to 198.51.100.0/24 port 25 proto tcp comment 'block[0]'");
  c.dir = ufw::Command::Dir::route;
  c.log = false;
  c.action = "allow";
  c.comment.clear();
  CHECK(ufw::command_text(c) == "ufw route allow from any to 198.51.100.0/24 port 25 proto tcp");
}
