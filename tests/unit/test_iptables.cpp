// The iptables backend: lowering to the chain model and emitting the
// iptables-restore, ip6tables-restore and ipset restore files
// (backends/iptables/ipt_backend.h).
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "backends/iptables/ipt_backend.h"
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

ipt::Model lower(const ir::Ruleset& rs) {
  DiagnosticEngine diags;
  ipt::Model m = ipt::lower(rs, diags);
  INFO(diags.render_all());
  REQUIRE(diags.error_count() == 0);
  return m;
}

// Lowers and hands back the warnings too.
ipt::Model lower(const ir::Ruleset& rs, std::vector<Diagnostic>& warnings) {
  DiagnosticEngine diags;
  ipt::Model m = ipt::lower(rs, diags);
  REQUIRE(diags.error_count() == 0);
  warnings = diags.sorted();
  return m;
}

std::string v4(const std::string& body) {
  return ipt::emit_rules(lower(ruleset(body)), net::Family::v4);
}
std::string v6(const std::string& body) {
  return ipt::emit_rules(lower(ruleset(body)), net::Family::v6);
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
bool contains(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}

// The rule lines ("-A CHAIN ...") of one chain.
std::vector<std::string> chain_rules(const std::string& text, const std::string& chain) {
  std::vector<std::string> out;
  for (const auto& line : lines_of(text))
    if (starts_with(line, "-A " + chain + " ")) out.push_back(line);
  return out;
}

std::vector<std::string> matching(const std::vector<std::string>& lines, const std::string& needle) {
  std::vector<std::string> out;
  for (const auto& l : lines)
    if (contains(l, needle)) out.push_back(l);
  return out;
}

// The value after `option` in a rule line ("--hashlimit-name NAME").
std::string option_value(const std::string& line, const std::string& option) {
  size_t at = line.find(option + " ");
  if (at == std::string::npos) return "";
  at += option.size() + 1;
  return line.substr(at, line.find(' ', at) - at);
}

// Five IPv4 addresses that do not merge, and two IPv6 ones.
const std::string kNetworks = R"(networks:
  big: [10.0.0.1, 10.0.0.3, 10.0.0.5, 10.0.0.7, 10.0.0.9, "fd00::1", "fd00::3"]
  four: [10.1.0.1, 10.1.0.3, 10.1.0.5, 10.1.0.7]
)";

}  // namespace

TEST_CASE("iptables: output is deterministic", "[iptables]") {
  const std::string body = kNetworks + R"(block:
  - from: big
    log: "blocked: "
rate_limits:
  - name: api
    services: [8443/tcp]
    from: four
    rate: 30/minute
    per_source: true
    log: "api-rate: "
inbound:
  - allow: [22/tcp]
    from: four
  - allow: [443/tcp, 53/udp]
    from: any
    otherwise: {action: reject, log: "other: "}
)";
  ir::Ruleset rs = ruleset(body);
  ipt::Model a = lower(rs), b = lower(rs), c = lower(ruleset(body));
  for (net::Family f : {net::Family::v4, net::Family::v6}) {
    CHECK(ipt::emit_rules(a, f) == ipt::emit_rules(b, f));
    CHECK(ipt::emit_rules(a, f) == ipt::emit_rules(c, f));  // compiling again from text: the same bytes
  }
  CHECK(ipt::emit_ipset(a) == ipt::emit_ipset(b));
  CHECK(ipt::emit_ipset(a) == ipt::emit_ipset(c));
}

TEST_CASE("iptables: fwc's own chains, jumped to once from the built-in chains", "[iptables][chains]") {
  const std::string rules = "inbound:\n  - allow: [22/tcp]\n    from: 192.0.2.10\n";
  std::string text = v4(rules);
  auto lines = lines_of(text);
  REQUIRE(!lines.empty());
  CHECK(lines[0] == "# fwc: policy demo (policy.yaml), all nodes");
  auto filter = std::find(lines.begin(), lines.end(), "*filter");
  REQUIRE(filter != lines.end());
  // Every fwc chain is declared (emptied on a reload), managed or not.
  CHECK(*(filter + 1) == ":FWC-INPUT - [0:0]");
  CHECK(*(filter + 2) == ":FWC-OUTPUT - [0:0]");
  CHECK(*(filter + 3) == ":FWC-FORWARD - [0:0]");
  CHECK(lines.back() == "COMMIT");
  // Built-in chains are never declared (that would set their policy) nor flushed.
  for (const char* builtin : {":INPUT", ":OUTPUT", ":FORWARD", "-F", "-X", "-P"})
    for (const auto& l : lines) CHECK_FALSE(starts_with(l, builtin));
  // Only INPUT is managed here: one jump, to the top of the chain.
  CHECK(std::count(lines.begin(), lines.end(), "-I INPUT 1 -j FWC-INPUT") == 1);
  CHECK(matching(lines, "-j FWC-OUTPUT").empty());
  CHECK(matching(lines, "-j FWC-FORWARD").empty());
  // The header tells how to drop the duplicate jump a reload leaves.
  CHECK_THAT(text, Catch::Contains("#   iptables -D INPUT -j FWC-INPUT\n"));
  CHECK_THAT(v6(rules), Catch::Contains("#   ip6tables -D INPUT -j FWC-INPUT\n"));

  // fwc's chain ends with the default verdict; the built-in policy is untouched.
  auto input = chain_rules(text, "FWC-INPUT");
  REQUIRE(!input.empty());
  CHECK(input.back() == "-A FWC-INPUT -m comment --comment \"defaults.inbound (policy.yaml:1)\" -j DROP");

  std::string managed = v4("defaults: {outbound: drop, forward: reject}\n" + rules);
  auto mlines = lines_of(managed);
  CHECK(std::count(mlines.begin(), mlines.end(), "-I OUTPUT 1 -j FWC-OUTPUT") == 1);
  CHECK(std::count(mlines.begin(), mlines.end(), "-I FORWARD 1 -j FWC-FORWARD") == 1);
  CHECK(chain_rules(managed, "FWC-OUTPUT").back() ==
        "-A FWC-OUTPUT -m comment --comment \"defaults.outbound (policy.yaml:3)\" -j DROP");
  CHECK(chain_rules(managed, "FWC-FORWARD").back() ==
        "-A FWC-FORWARD -m comment --comment \"defaults.forward (policy.yaml:3)\" -j REJECT "
        "--reject-with icmp-port-unreachable");
}

TEST_CASE("iptables: chain names stay within the kernel's 28 characters", "[iptables][chains]") {
  const std::string long_name(64, 'x');
  ipt::Model m = lower(ruleset(R"(block:
  - name: )" + long_name + R"(
    from: 198.51.100.0/24
    log: "b1: "
  - name: )" + long_name.substr(0, 40) +
                               R"(
    from: 198.51.100.0/24
    log: "b2: "
  - name: INPUT
    from: 203.0.113.0/24
    log: "b3: "
)"));
  std::set<std::string> names;
  for (const auto& c : m.v4.chains) {
    INFO(c.name);
    CHECK(c.name.size() <= ipt::kChainNameMax);
    CHECK(names.insert(c.name).second);
  }
  // fwc's three and FWC-PUBLISHED, then one chain per logging block rule (the
  // truncated names clash and get a suffix; a rule named INPUT cannot take FWC-INPUT).
  CHECK(names.size() == 7);
  CHECK(names.count("FWC-PUBLISHED") == 1);
  CHECK(m.v4.chains[0].name == "FWC-INPUT");
  CHECK(names.count("FWC-INPUT-2") == 1);
  // The IPv6 table has no rule for these IPv4-only blocks.
  CHECK(m.v6.chains.size() == 4);
}

TEST_CASE("iptables: multiport stays within 15 ports, a range counting two", "[iptables][ports]") {
  using R = net::PortRange;
  std::vector<R> singles;
  for (uint16_t p = 1; p <= 16; ++p) singles.push_back({p, p});
  auto g = ipt::multiport_groups(singles);
  REQUIRE(g.size() == 2);
  CHECK(g[0].size() == 15);
  CHECK(g[1].size() == 1);

  std::vector<R> ranges;
  for (uint16_t p = 0; p < 8; ++p) ranges.push_back({uint16_t(100 + 10 * p), uint16_t(105 + 10 * p)});
  g = ipt::multiport_groups(ranges);
  REQUIRE(g.size() == 2);
  CHECK(g[0].size() == 7);  // 14 slots; the 8th range would need 16
  CHECK(g[1].size() == 1);

  // 7 ranges and one port fill exactly 15 slots.
  ranges.back() = {500, 500};
  CHECK(ipt::multiport_groups(ranges).size() == 1);
  CHECK(ipt::multiport_groups({}).empty());

  // In the rules: 16 TCP ports that do not merge, and one UDP range.
  std::string services;
  for (int p = 1001; p <= 1031; p += 2) services += std::to_string(p) + "/tcp, ";
  std::string text = v4("inbound:\n  - allow: [" + services + "7000-7010/udp]\n    from: any\n");
  auto rules = matching(chain_rules(text, "FWC-INPUT"), "inbound[0]");
  REQUIRE(rules.size() == 3);
  CHECK_THAT(rules[0],
             Catch::Contains("-p tcp -m multiport --dports 1001,1003,1005,1007,1009,1011,1013,1015,1017,"
                             "1019,1021,1023,1025,1027,1029 "));
  CHECK_THAT(rules[1], Catch::Contains("-p tcp -m tcp --dport 1031 "));
  CHECK_THAT(rules[2], Catch::Contains("-p udp -m udp --dport 7000:7010 "));

  // Ports that do not merge are listed one by one.
  text = v4("inbound:\n  - allow: [22/tcp, 80/tcp, 443/tcp]\n    from: any\n");
  CHECK_THAT(text, Catch::Contains("-A FWC-INPUT -p tcp -m multiport --dports 22,80,443 -m comment"));
}

TEST_CASE("iptables: more than 4 CIDRs per family become an ipset", "[iptables][sets]") {
  ipt::Model m = lower(ruleset(kNetworks + R"(inbound:
  - allow: [22/tcp]
    from: big
  - allow: [443/tcp]
    from: four
  - allow: [80/tcp]
    from: big
)"));
  // big: 5 IPv4 CIDRs → a set (shared by both rules); 2 IPv6 → inline. four: 4 → inline.
  REQUIRE(m.sets.size() == 1);
  CHECK(m.sets[0].name == "fwc-big-4");
  CHECK(m.sets[0].family == net::Family::v4);
  CHECK(m.sets[0].entries == 5);

  std::string text4 = ipt::emit_rules(m, net::Family::v4);
  CHECK_THAT(text4,
             Catch::Contains("-A FWC-INPUT -m set --match-set fwc-big-4 src -p tcp -m tcp --dport 22 "));
  CHECK_THAT(text4,
             Catch::Contains("-A FWC-INPUT -m set --match-set fwc-big-4 src -p tcp -m tcp --dport 80 "));
  CHECK_THAT(text4, Catch::Contains(
                        "-A FWC-INPUT -s 10.1.0.1,10.1.0.3,10.1.0.5,10.1.0.7 -p tcp -m tcp --dport 443 "));
  std::string text6 = ipt::emit_rules(m, net::Family::v6);
  CHECK_THAT(text6, Catch::Contains("-A FWC-INPUT -s fd00::1,fd00::3 -p tcp -m tcp --dport 22 "));
  CHECK_FALSE(contains(text6, "10.1.0.1"));  // each file holds its own family only
  CHECK_FALSE(contains(text4, "fd00::"));

  std::string sets = ipt::emit_ipset(m);
  CHECK_THAT(sets,
             Catch::Contains("create fwc-big-4 hash:net family inet hashsize 1024 maxelem 65536 -exist\n"));
  CHECK_THAT(sets, Catch::Contains("destroy fwc-big-4.new -exist\n"
                                   "create fwc-big-4.new hash:net family inet hashsize 1024 maxelem 65536\n"
                                   "add fwc-big-4.new 10.0.0.1\n"
                                   "add fwc-big-4.new 10.0.0.3\n"));
  CHECK_THAT(sets, Catch::EndsWith("add fwc-big-4.new 10.0.0.9\n"
                                   "swap fwc-big-4.new fwc-big-4\n"
                                   "destroy fwc-big-4.new\n"));
  // Every set exists before the first one is refilled.
  CHECK(sets.find("create fwc-big-4 ") < sets.find("destroy fwc-big-4.new"));
}

TEST_CASE("iptables: ipset names stay within 31 characters with room for staging", "[iptables][sets]") {
  std::string entries = "[10.0.0.1, 10.0.0.3, 10.0.0.5, 10.0.0.7, 10.0.0.9]";
  std::string a(60, 'a');
  ipt::Model m = lower(ruleset("networks:\n  " + a + "1: " + entries + "\n  " + a + "2: " + entries + "\n  " +
                               a + "3: [10.2.0.1, 10.2.0.3, 10.2.0.5, 10.2.0.7, 10.2.0.9]\n" +
                               "inbound:\n  - allow: [22/tcp]\n    from: " + a + "1\n" +
                               "  - allow: [23/tcp]\n    from: " + a + "3\n"));
  REQUIRE(m.sets.size() == 2);  // networks 1 and 2 are the same addresses, but only 1 and 3 are used
  std::set<std::string> names;
  for (const auto& s : m.sets) {
    INFO(s.name);
    CHECK((s.name + ipt::kSetStagingSuffix).size() <= ipt::kSetNameMax);
    CHECK(starts_with(s.name, "fwc-aaaa"));
    CHECK(names.insert(s.name).second);
  }
}

TEST_CASE("iptables: ipset sizes follow the entry count", "[iptables][sets]") {
  CHECK(ipt::ipset_maxelem(5) == 65536);
  CHECK(ipt::ipset_maxelem(65536) == 65536);
  CHECK(ipt::ipset_maxelem(65537) == 1048576);
  CHECK(ipt::ipset_maxelem(100000) == 1048576);
  CHECK(ipt::ipset_maxelem(2000000) == 16777216);
  CHECK(ipt::ipset_hashsize(5) == 1024);
  CHECK(ipt::ipset_hashsize(100000) == 32768);
  for (size_t n : {1u, 4096u, 100000u, 3000000u}) {
    INFO(n);
    CHECK(ipt::ipset_maxelem(n) >= n);
    uint64_t h = ipt::ipset_hashsize(n);
    CHECK((h & (h - 1)) == 0);  // a power of two
  }
}

TEST_CASE("iptables: meters use hashlimit with names of at most 15 characters", "[iptables][meters]") {
  const std::string body = R"(rate_limits:
  - name: a-rather-long-meter-name
    services: [8443/tcp, 8443/udp]
    rate: 30/minute
    burst: 10
    per_source: true
    action: reject
    log: "api-rate: "
  - name: a-rather-long-meter-name-too
    services: [9443/tcp]
    from: 198.51.100.0/24
    rate: 100/second
  - services: [53/udp]
    rate: 5/hour
    per_source: true
inbound:
  - allow: [8443/tcp, 9443/tcp, 53/udp]
    from: any
)";
  std::string text = v4(body);
  auto input = chain_rules(text, "FWC-INPUT");
  auto meters = matching(input, "-m hashlimit");
  REQUIRE(meters.size() == 4);  // tcp and udp, then one, then one
  std::set<std::string> names;
  for (const auto& l : meters) {
    INFO(l);
    CHECK_THAT(l, Catch::Contains("-m conntrack --ctstate NEW -m hashlimit --hashlimit-above "));
    std::string name = option_value(l, "--hashlimit-name");
    CHECK(!name.empty());
    CHECK(name.size() <= ipt::kHashlimitNameMax);
    names.insert(name);
  }
  CHECK(names.size() == 3);  // the two rules of one meter share its table
  CHECK(option_value(meters[0], "--hashlimit-name") == option_value(meters[1], "--hashlimit-name"));

  // Per source: srcip mode; the bucket outlives its last packet like the nftables meter.
  CHECK_THAT(meters[0],
             Catch::Contains("--hashlimit-above 30/minute --hashlimit-burst 10 --hashlimit-mode srcip"));
  CHECK(option_value(meters[0], "--hashlimit-htable-expire") == "120000");
  CHECK(option_value(meters[3], "--hashlimit-htable-expire") == "7200000");
  // Global: no mode, one bucket.
  CHECK_THAT(meters[2], Catch::Contains("-s 198.51.100.0/24 -p tcp -m tcp --dport 9443 "));
  CHECK_FALSE(contains(meters[2], "--hashlimit-mode"));
  CHECK(starts_with(meters[2].substr(meters[2].rfind(" -j ")), " -j DROP"));

  // A logged meter jumps to a chain that logs (not limited) and refuses:
  // the meter is evaluated once per packet.
  std::string chain = meters[0].substr(meters[0].rfind(" -j ") + 4);
  CHECK(chain == "FWC-a-rather-long-meter-name");
  auto body_rules = chain_rules(text, chain);
  REQUIRE(body_rules.size() == 2);
  CHECK_THAT(body_rules[0], Catch::EndsWith("-j LOG --log-prefix \"api-rate: \" --log-level info"));
  CHECK_FALSE(contains(body_rules[0], "-m limit"));
  CHECK_THAT(body_rules[1], Catch::EndsWith("-j REJECT --reject-with icmp-port-unreachable"));

  // Changing a meter's parameters renames its table: the kernel would
  // otherwise keep the old table (and rate) of the same name on a reload.
  std::string changed = body;
  changed.replace(changed.find("30/minute"), 9, "60/minute");
  auto meters2 = matching(chain_rules(v4(changed), "FWC-INPUT"), "-m hashlimit");
  REQUIRE(meters2.size() == 4);
  CHECK(option_value(meters2[0], "--hashlimit-name") != option_value(meters[0], "--hashlimit-name"));
  CHECK(option_value(meters2[2], "--hashlimit-name") == option_value(meters[2], "--hashlimit-name"));
}

TEST_CASE("iptables: a global meter over both families is a located warning", "[iptables][meters]") {
  std::vector<Diagnostic> w;
  lower(ruleset("rate_limits:\n  - name: dns\n    services: [53/udp]\n    rate: 100/second\n"), w);
  REQUIRE(w.size() == 1);
  CHECK(w[0].severity == Severity::warning);
  CHECK(w[0].code == ipt::kApproximated);
  CHECK(w[0].loc.line == 4);
  CHECK_THAT(w[0].message, Catch::Contains("one bucket per address family"));
  // One family, or per source: nothing to warn about.
  lower(ruleset("rate_limits:\n  - services: [53/udp]\n    from: any4\n    rate: 100/second\n"), w);
  CHECK(w.empty());
  lower(ruleset("rate_limits:\n  - services: [53/udp]\n    rate: 100/second\n    per_source: true\n"), w);
  CHECK(w.empty());
}

TEST_CASE("iptables: a log prefix longer than 29 characters is truncated with a warning", "[iptables][log]") {
  const std::string prefix = "this-prefix-is-much-longer-than-29: ";  // 36 characters
  std::vector<Diagnostic> w;
  ipt::Model m = lower(ruleset(R"(defaults:
  log: "default-drop: "
block:
  - name: noisy
    from: 198.51.100.0/24
    log: ")" + prefix + R"("
)"),
                       w);
  REQUIRE(w.size() == 1);
  CHECK(w[0].code == ipt::kApproximated);
  CHECK(w[0].loc.line == 6);  // the block rule
  CHECK_THAT(w[0].message, Catch::Contains("29"));
  std::string text = ipt::emit_rules(m, net::Family::v4);
  CHECK_THAT(text, Catch::Contains("--log-prefix \"" + prefix.substr(0, 29) + "\" --log-level info"));
  CHECK_FALSE(contains(text, prefix));
  CHECK_THAT(text, Catch::Contains("--log-prefix \"default-drop: \""));

  // Exactly 29 characters pass unchanged and silently.
  const std::string fits(29, 'p');
  lower(ruleset("block:\n  - from: 198.51.100.0/24\n    log: \"" + fits + "\"\n"), w);
  CHECK(w.empty());
}

TEST_CASE("iptables: rates beyond what the kernel accepts are capped with a warning", "[iptables][log]") {
  std::vector<Diagnostic> w;
  ipt::Model m = lower(ruleset(R"(defaults:
  log: {prefix: "drop: ", rate: 20000/second}
rate_limits:
  - services: [80/tcp]
    from: any4
    rate: 2000000/second
)"),
                       w);
  CHECK(w.size() == 2);
  std::string text = ipt::emit_rules(m, net::Family::v4);
  CHECK_THAT(text, Catch::Contains("-m limit --limit 10000/second "));
  CHECK_THAT(text, Catch::Contains("--hashlimit-above 1000000/second "));
}

TEST_CASE("iptables: evaluation order matches the nftables backend", "[iptables][order]") {
  const std::string body = R"(defaults:
  log: "dropped: "
block:
  - from: [203.0.113.0/24, "2001:db8:bad::/48"]
    log: "blocked: "
rate_limits:
  - services: [443/tcp]
    rate: 10/second
    per_source: true
inbound:
  - allow: [443/tcp]
    from: any
    otherwise: {action: drop}
  - allow: [22/tcp]
    from: [198.51.100.0/24, "2001:db8:1::/48"]
)";
  for (bool six : {false, true}) {
    INFO((six ? "IPv6" : "IPv4"));
    auto input = chain_rules(six ? v6(body) : v4(body), "FWC-INPUT");
    std::vector<std::string> stages = {"established, related"};
    if (six) stages.push_back("IPv6 neighbour discovery");
    for (const char* s :
         {"invalid state", "loopback", "block[0]", "defaults.icmp essential", "rate_limits[0]", "inbound[0]",
          "inbound[1]", "inbound[0] otherwise", "defaults.inbound"})
      stages.push_back(s);
    if (six) stages.insert(stages.begin() + 5, "ICMPv6 packet-too-big");
    size_t at = 0;
    for (const auto& stage : stages) {
      INFO(stage);
      auto first = std::find_if(input.begin() + at, input.end(),
                                [&](const std::string& l) { return contains(l, "--comment \"" + stage); });
      REQUIRE(first != input.end());
      at = first - input.begin();
    }
    // The default: the rate-limited log, then the verdict, last.
    REQUIRE(input.size() >= 2);
    CHECK_THAT(input[input.size() - 2], Catch::Contains("-m limit --limit 5/minute"));
    CHECK_THAT(input[input.size() - 2],
               Catch::EndsWith("-j LOG --log-prefix \"dropped: \" --log-level info"));
    CHECK_THAT(input.back(), Catch::EndsWith("-j DROP"));
    // Neighbour discovery (IPv6 only) passes with hop limit 255, before the invalid-state check.
    auto nd = matching(input, "neighbour-solicitation");
    CHECK(nd.size() == (six ? 1u : 0u));
    if (six) CHECK_THAT(nd[0], Catch::Contains("-m hl --hl-eq 255"));
  }
}

TEST_CASE("iptables: reject is ICMP port unreachable in both families", "[iptables]") {
  const std::string body = R"(defaults: {inbound: reject}
block:
  - from: [203.0.113.0/24, "2001:db8:bad::/48"]
    action: reject
)";
  std::string t4 = v4(body), t6 = v6(body);
  CHECK_THAT(t4,
             Catch::Contains("-s 203.0.113.0/24 -m comment --comment \"block[0] (policy.yaml:5)\" -j REJECT "
                             "--reject-with icmp-port-unreachable\n"));
  CHECK_THAT(
      t6, Catch::Contains("-s 2001:db8:bad::/48 -m comment --comment \"block[0] (policy.yaml:5)\" -j REJECT "
                          "--reject-with icmp6-port-unreachable\n"));
  CHECK_THAT(chain_rules(t4, "FWC-INPUT").back(),
             Catch::EndsWith("-j REJECT --reject-with icmp-port-unreachable"));
  CHECK_FALSE(contains(t4, "tcp-reset"));
}

TEST_CASE("iptables: every rule line carries a comment naming the policy rule", "[iptables]") {
  std::string text = v4(kNetworks + R"(block:
  - from: big
    log: "blocked: "
inbound:
  - name: web
    allow: [80/tcp]
    from: any
)");
  for (const auto& line : lines_of(text)) {
    if (!starts_with(line, "-A ")) continue;
    INFO(line);
    CHECK_THAT(line, Catch::Contains(" -m comment --comment \""));
  }
  CHECK_THAT(text, Catch::Contains("--comment \"inbound[0] web (policy.yaml:10)\" -j ACCEPT"));
}
