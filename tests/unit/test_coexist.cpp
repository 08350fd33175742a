// The classifier of other tools' tables and the warnings it leads to, on
// chains as the kernel would report them (no kernel here).
#include <catch2/catch.hpp>
#include <string>

#include "backends/nftables/coexist/classify.h"

using namespace fwc::nft::coexist;

namespace {

ForeignChain base(const std::string& family, const std::string& table, const std::string& name,
                  const std::string& hook, int32_t prio, bool drop) {
  ForeignChain c;
  c.family = family;
  c.table = table;
  c.name = name;
  c.base = true;
  c.hook = hook;
  c.priority = prio;
  c.type = "filter";
  c.policy_drop = drop;
  return c;
}

ForeignChain regular(const std::string& family, const std::string& table, const std::string& name) {
  ForeignChain c;
  c.family = family;
  c.table = table;
  c.name = name;
  return c;
}

// firewalld >= 1.0: filter_INPUT accepts by policy and jumps to a chain
// whose last rule rejects.
ForeignRuleset firewalld() {
  ForeignRuleset rs;
  auto input = base("inet", "firewalld", "filter_INPUT", "input", 10, false);
  input.rules = 6;
  input.jumps = {"filter_INPUT_ZONES"};
  auto zones = regular("inet", "firewalld", "filter_INPUT_ZONES");
  zones.jumps = {"filter_IN_public"};
  auto pub = regular("inet", "firewalld", "filter_IN_public");
  pub.drops = true;
  rs.chains = {input, zones, pub};
  return rs;
}

const Finding* find(const std::vector<Finding>& f, Tool t) {
  for (const auto& x : f)
    if (x.tool == t) return &x;
  return nullptr;
}

}  // namespace

TEST_CASE("coexist: firewalld's reject reached through jumps warns with the remedy", "[coexist]") {
  const auto rs = firewalld();
  const auto found = classify(rs);
  REQUIRE(found.size() == 1);
  CHECK(found[0].tool == Tool::firewalld);
  CHECK(found[0].input_drop == 0);
  const auto cons = consequences(found, rs, "8080/tcp from any", true);
  REQUIRE(cons.size() == 1);
  CHECK(std::string(cons[0].kind) == "other-firewall");
  CHECK_FALSE(cons[0].note);
  CHECK(cons[0].text ==
        "firewalld (table inet firewalld, chain filter_INPUT, hook input priority filter+10, policy accept, 6 "
        "rules, reaches a drop or reject rule) also filters input: traffic the policy accepts can still be "
        "dropped there - e.g. 8080/tcp from any. Remedy: apply through firewalld (fwc apply --backend "
        "firewalld) or stop firewalld.");
  // Nothing accepted on input: nothing to warn about.
  CHECK(consequences(found, rs, "", true).empty());
}

TEST_CASE("coexist: an input chain that accepts everything is no warning", "[coexist]") {
  ForeignRuleset rs;
  auto c = base("ip", "mine", "in", "input", 0, false);
  c.rules = 2;
  rs.chains = {c, regular("ip", "mine", "unused")};
  rs.chains[1].drops = true;  // not reachable from the base chain
  const auto found = classify(rs);
  REQUIRE(found.size() == 1);
  CHECK(found[0].tool == Tool::unknown);
  CHECK(found[0].label() == "unknown table ip mine");
  CHECK(found[0].input_drop == -1);
  CHECK(consequences(found, rs, "22/tcp from any", true).empty());
}

TEST_CASE("coexist: an unknown table with a drop policy; names are escaped", "[coexist]") {
  ForeignRuleset rs;
  rs.chains = {base("ip6", "evil\x1b[31m", "in", "input", -200, true)};
  const auto found = classify(rs);
  const auto cons = consequences(found, rs, "443/tcp from any", true);
  REQUIRE(cons.size() == 1);
  CHECK(cons[0].text.find('\x1b') == std::string::npos);
  CHECK(cons[0].text.rfind("unknown table ip6 evil\\x1b[31m (table ip6 evil\\x1b[31m, chain in, hook input "
                           "priority -200, policy drop, 0 rules) also filters input",
                           0) == 0);
  // Other hooks and families that do not see IP input are not input filters.
  rs.chains = {base("ip", "t", "out", "output", 0, true), base("arp", "a", "in", "input", 0, true),
               base("netdev", "n", "ing", "ingress", 0, true)};
  CHECK(consequences(classify(rs), rs, "443/tcp from any", true).empty());
}

TEST_CASE("coexist: iptables-nft tables name ufw, Docker and kube-proxy by their chains", "[coexist]") {
  ForeignRuleset rs;
  auto input = base("ip", "filter", "INPUT", "input", 0, true);
  input.jumps = {"ufw-before-input"};
  auto nat_pre = base("ip", "nat", "PREROUTING", "prerouting", -100, false);
  nat_pre.type = "nat";
  nat_pre.jumps = {"DOCKER"};
  auto docker = regular("ip", "nat", "DOCKER");
  docker.nat = true;
  rs.chains = {input, regular("ip", "filter", "ufw-before-input"), regular("ip", "filter", "DOCKER-USER"),
               nat_pre, docker, regular("ip", "nat", "KUBE-SERVICES")};
  const auto found = classify(rs);
  REQUIRE(find(found, Tool::ufw));
  REQUIRE(find(found, Tool::docker));
  REQUIRE(find(found, Tool::kube_proxy));
  CHECK(find(found, Tool::ufw)->input_drop == 0);
  CHECK(find(found, Tool::docker)->table == "filter");  // the first of Docker's two tables
  const auto cons = consequences(found, rs, "80/tcp from any", true);
  REQUIRE(cons.size() == 3);
  CHECK(std::string(cons[0].kind) == "other-firewall");
  CHECK(cons[0].text.find("Remedy: apply through ufw") != std::string::npos);
  CHECK(std::string(cons[1].kind) == "container-nat");
  CHECK(cons[1].note);  // the published chain governs that traffic
  CHECK(cons[1].text ==
        "Docker (tables ip filter, ip nat) DNATs published container ports and forwards them; the policy's "
        "inbound rules govern that traffic in chain published (defaults.published: govern).");
  CHECK(cons[2].text.rfind("kube-proxy (tables ip nat)", 0) == 0);
  CHECK_FALSE(cons[2].note);  // it DNATs pods' own traffic to services as well
  CHECK(cons[2].text.find("Remedy: allow the pod network") != std::string::npos);
  // defaults.published: ignore: nothing of the policy sees it, a warning.
  const auto ignored = consequences(found, rs, "80/tcp from any", false);
  REQUIRE(ignored.size() == 3);
  CHECK_FALSE(ignored[1].note);
  CHECK(ignored[1].text ==
        "Docker (tables ip filter, ip nat) DNATs published container ports and forwards them: the policy's "
        "inbound rules never see that traffic (defaults.published: ignore). Remedy: set defaults.published: "
        "govern (see \"Published ports\" in fwc(1)).");
  rs.chains = {base("ip", "kube-proxy", "filter-input", "input", 0, false)};
  CHECK(classify(rs)[0].tool == Tool::kube_proxy);
}

TEST_CASE("coexist: fail2ban and CrowdSec are notes; legacy iptables is a warning", "[coexist]") {
  ForeignRuleset rs;
  auto f2b = base("inet", "f2b-table", "f2b-chain", "input", -1, false);
  f2b.rules = 1;
  f2b.drops = true;
  auto cs = base("ip", "crowdsec", "crowdsec-chain-input", "input", -10, false);
  rs.chains = {f2b, cs};
  rs.sets = {{"inet", "f2b-table", "addr-set-sshd"}, {"ip", "crowdsec", "crowdsec-blacklists"}};
  const auto found = classify(rs);
  REQUIRE(found.size() == 2);
  CHECK(found[0].tool == Tool::fail2ban);
  CHECK(found[1].tool == Tool::crowdsec);
  auto cons = consequences(found, rs, "22/tcp from any", true);
  REQUIRE(cons.size() == 2);
  CHECK(cons[0].note);
  CHECK(cons[0].text ==
        "fail2ban (table inet f2b-table; chain f2b-chain, hook input priority filter-1, policy accept, 1 rule) "
        "drops the sources it lists, whatever the policy accepts; fwc never touches its tables, sets or "
        "elements.");
  CHECK(std::string(cons[1].kind) == "blocklist-tool");
  rs.legacy_v6 = true;
  cons = consequences(found, rs, "22/tcp from any", true);
  REQUIRE(cons.size() == 3);
  CHECK(std::string(cons[2].kind) == "iptables-legacy");
  CHECK_FALSE(cons[2].note);
  CHECK(cons[2].text.find("iptables-legacy rules present (IPv6), not readable over nftables") == 0);
}

TEST_CASE("coexist: priorities by nft's names", "[coexist]") {
  CHECK(priority_name("inet", 0) == "filter");
  CHECK(priority_name("inet", 10) == "filter+10");
  CHECK(priority_name("ip", -1) == "filter-1");
  CHECK(priority_name("ip", -100) == "dstnat");
  CHECK(priority_name("ip", -155) == "mangle-5");
  CHECK(priority_name("ip", -250) == "-250");
  CHECK(priority_name("bridge", -200) == "filter");
  CHECK(priority_name("netdev", 0) == "0");
}

#include "backends/nftables/coexist/simple_rule.h"

TEST_CASE("coexist: explain --live evaluates simple saddr/dport rules", "[coexist]") {
  fwc::eval::Packet p;
  REQUIRE(fwc::net::parse_address("203.0.113.7", p.src));
  p.proto = fwc::net::Proto::tcp;
  p.port = 8080;
  SimpleRule from_bad;  // ip saddr 203.0.113.7 drop
  REQUIRE(fwc::net::parse_address("203.0.113.7", from_bad.saddr.emplace()));
  from_bad.verdict = SimpleRule::Verdict::drop;
  SimpleRule web;  // tcp dport 8080 accept
  web.l4proto = 6;
  web.dport = 8080;
  web.verdict = SimpleRule::Verdict::accept;
  SimpleRule counter;  // no verdict
  CHECK(evaluate({}, true, p) == "drop (its policy)");
  CHECK(evaluate({counter}, false, p) == "accept (its policy)");
  CHECK(evaluate({counter, from_bad, web}, false, p) == "drop (rule 2)");
  CHECK(evaluate({web, from_bad}, true, p) == "accept (rule 1)");
  p.proto = fwc::net::Proto::udp;  // 8080/udp: neither rule
  CHECK(evaluate({web}, true, p) == "drop (its policy)");
  REQUIRE(fwc::net::parse_address("2001:db8::7", p.src));
  CHECK(evaluate({from_bad}, false, p) == "accept (its policy)");
  SimpleRule v6only;
  v6only.family = fwc::net::Family::v6;
  v6only.verdict = SimpleRule::Verdict::reject;
  CHECK(evaluate({v6only}, false, p) == "reject (rule 1)");
}
