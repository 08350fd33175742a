// The firewalld backend: lowering to zone/policy/ipset model and emitting
// the firewall-offline-cmd script (backends/firewalld/firewalld_backend.h).
#include <algorithm>
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "backends/firewalld/firewalld_backend.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"

using namespace fwc;

namespace {

const std::string kPrologue = "fwc: 1\nname: demo\n";

ir::Ruleset ruleset(const std::string& body, const ir::Selection& sel = {}) {
  DiagnosticEngine diags;
  auto p = compile_policy_text(kPrologue + body, "policy.yaml", diags, false);
  INFO(diags.render_all());
  REQUIRE(p);
  REQUIRE(diags.error_count() == 0);
  return ir::select(*p, sel);
}

struct Lowered {
  firewalld::Config cfg;
  DiagnosticEngine diags;
};

Lowered lower(const std::string& body) {
  Lowered l;
  l.cfg = firewalld::lower(ruleset(body), l.diags);
  INFO(l.diags.render_all());
  REQUIRE(l.diags.error_count() == 0);
  return l;
}

std::string script(const std::string& body) {
  return firewalld::emit(lower(body).cfg);
}

// 1-based line of the first occurrence of `needle` in the policy text.
uint32_t line_of(const std::string& body, const std::string& needle) {
  std::string text = kPrologue + body;
  size_t pos = text.find(needle);
  REQUIRE(pos != std::string::npos);
  return static_cast<uint32_t>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n') + 1);
}

std::vector<const Diagnostic*> approximations(const DiagnosticEngine& d) {
  std::vector<const Diagnostic*> out;
  for (const auto& x : d.all())
    if (x.code == firewalld::kApproximation) out.push_back(&x);
  return out;
}

bool warned_at(const DiagnosticEngine& d, uint32_t line, const std::string& words) {
  return std::any_of(d.all().begin(), d.all().end(), [&](const Diagnostic& x) {
    return x.severity == Severity::warning && x.code == firewalld::kApproximation && x.loc.line == line &&
           x.message.find(words) != std::string::npos;
  });
}

std::vector<std::string> texts(const firewalld::Container& c) {
  std::vector<std::string> out;
  for (const auto& g : c.groups)
    for (const auto& r : g.rules) out.push_back(firewalld::rich_text(r));
  return out;
}

const firewalld::Group* group(const firewalld::Container& c, const std::string& comment_start) {
  for (const auto& g : c.groups)
    if (g.comment.rfind(comment_start, 0) == 0) return &g;
  return nullptr;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

std::vector<std::string> ports(const firewalld::Container& c) {
  std::vector<std::string> out;
  for (const auto& p : c.ports) out.push_back(net::format_range(p.range) + "/" + net::proto_name(p.proto));
  return out;
}

const std::string kNetworks = R"(networks:
  big: [10.0.0.1, 10.0.0.3, 10.0.0.5, 10.0.0.7, 10.0.0.9, "fd00::1", "fd00::3"]
  four: [10.1.0.1, 10.1.0.3, 10.1.0.5, 10.1.0.7]
)";

const std::string kEverything = kNetworks + R"(defaults:
  inbound: reject
  outbound: drop
  forward: drop
  log: {prefix: "fwc-drop: ", level: notice}
block:
  - from: big
    log: "blocked: "
  - from: 192.0.2.0/24
    services: [22/tcp]
    action: reject
  - to: 203.0.113.0/24
rate_limits:
  - name: dns
    services: [53/udp]
    rate: 100/second
inbound:
  - allow: [443/tcp, 53/udp]
    from: any
  - allow: [8080/tcp]
    from: four
    log: "admin: "
    otherwise: {action: reject, log: "8080: "}
outbound:
  - allow: [53/udp]
    to: any
forward:
  - allow: [80/tcp]
    from: any
    to: [10.0.1.0/24]
)";

}  // namespace

TEST_CASE("firewalld: output is deterministic", "[firewalld]") {
  ir::Ruleset rs = ruleset(kEverything);
  DiagnosticEngine d1, d2;
  std::string a = firewalld::emit(firewalld::lower(rs, d1));
  std::string b = firewalld::emit(firewalld::lower(rs, d2));
  CHECK(a == b);
  CHECK(script(kEverything) == a);  // compiling again from text gives the same bytes
}

TEST_CASE("firewalld: the script's header and the replaceable command", "[firewalld]") {
  std::string text = script("inbound:\n  - allow: [22/tcp]\n    from: 192.0.2.10\n");
  CHECK_THAT(text, Catch::StartsWith("#!/bin/sh\n# fwc: policy demo (policy.yaml), all nodes\n"));
  CHECK_THAT(text, Catch::Contains("\nFWCMD=${FWCMD:-firewall-offline-cmd}\n"));
  CHECK_THAT(text, Catch::Contains("firewall-cmd --permanent"));
  CHECK_THAT(text, Catch::Contains("# `firewall-cmd --reload`"));
  CHECK_THAT(text, Catch::Contains("set -euf\n"));
  // Every configuration command goes through FWCMD.
  CHECK(count(text, "\nfw --") >= 4);
  // The zone is rebuilt from scratch and made the default zone.
  CHECK_THAT(text, Catch::Contains("fw --delete-zone=fwc"));
  CHECK_THAT(text, Catch::Contains("\nfw --new-zone=fwc\n"));
  CHECK_THAT(text, Catch::Contains("fw --set-default-zone=fwc"));
  CHECK_THAT(text, Catch::Contains("$runtime --reload"));
  CHECK(text.find("fw --new-zone=fwc") < text.find("fw --set-default-zone=fwc\nfi"));
  // No ipsets: no temporary directory either.
  CHECK(text.find("mktemp") == std::string::npos);
}

TEST_CASE("firewalld: rich rules run in the evaluation order of explain", "[firewalld][order]") {
  Lowered l = lower(kEverything);
  const firewalld::Container& z = l.cfg.zone;
  CHECK(z.name == "fwc");
  CHECK(z.target == "DROP");  // a reject default is a final rich rule, see below
  // Priorities: ND < blocks in policy order < ICMP < meters < allows < otherwise < default.
  std::vector<std::pair<std::string, int>> order;
  for (const auto& g : z.groups) {
    REQUIRE_FALSE(g.rules.empty());
    int p = g.rules.front().priority;
    for (const auto& r : g.rules) CHECK(r.priority >= p);  // never decreasing within a group
    order.push_back({g.comment, p});
  }
  auto prio = [&](const std::string& start) {
    for (const auto& [c, p] : order)
      if (c.rfind(start, 0) == 0) return p;
    FAIL("no group " << start);
    return 0;
  };
  CHECK(prio("IPv6 neighbour discovery") == -32768);
  CHECK(prio("block[0]") == -32000);
  CHECK(prio("block[1]") == -31999);
  CHECK(prio("ICMPv6 packet-too-big") == -20000);
  CHECK(prio("rate_limits[0] dns") == -10000);
  CHECK(prio("inbound[1]") == -4999);
  CHECK(prio("inbound[1] otherwise") == 1);
  CHECK(prio("defaults.inbound") == 32767);
  for (size_t i = 1; i < order.size(); ++i) {
    INFO(order[i - 1].first << " before " << order[i].first);
    CHECK(order[i - 1].second <= order[i].second);
  }
  // Negative priorities run before the zone's ports, positive ones after.
  CHECK(ports(z) == std::vector<std::string>{"443/tcp", "53/udp"});

  auto t = texts(z);
  CHECK(has(
      t,
      R"(rule priority="-32000" family="ipv4" source ipset="fwc-big-4" log prefix="blocked: " level="info" limit value="5/m" drop)"));
  CHECK(has(
      t,
      R"(rule priority="-32000" family="ipv6" source address="fd00::1" log prefix="blocked: " level="info" limit value="5/m" drop)"));
  CHECK(has(
      t,
      R"(rule priority="-31999" family="ipv4" source address="192.0.2.0/24" port port="22" protocol="tcp" reject)"));
  CHECK(has(
      t,
      R"(rule priority="-4999" family="ipv4" source address="10.1.0.1" port port="8080" protocol="tcp" log prefix="admin: " level="info" accept)"));
  CHECK(has(
      t,
      R"(rule priority="1" port port="8080" protocol="tcp" log prefix="8080: " level="info" limit value="5/m" reject)"));
  // The reject default is nft's plain reject, logged at the default's level and rate.
  CHECK(has(t, R"(rule priority="32767" log prefix="fwc-drop: " level="notice" limit value="5/m" reject)"));
  // ICMP: packet-too-big for IPv6, essential types for both families.
  CHECK(has(t, R"(rule priority="-20000" family="ipv6" icmp-type name="packet-too-big" accept)"));
  CHECK(has(t, R"(rule priority="-20000" icmp-type name="echo-request" accept)"));
  CHECK(has(t, R"(rule priority="-32768" family="ipv6" icmp-type name="neighbour-solicitation" accept)"));
}

TEST_CASE("firewalld: allows open to any source are zone ports unless a later allow logs them",
          "[firewalld]") {
  Lowered l = lower(R"(inbound:
  - allow: [80/tcp, 8000-8100/tcp]
    from: any
  - allow: [8050/tcp, 9000/udp]
    from: any
  - allow: [443/tcp]
    from: any
  - allow: [443/tcp]
    from: 198.51.100.0/24
    log: "https: "
  - allow: [53/udp]
    from: any4
  - allow: [all]
    from: 203.0.113.10
)");
  const auto& z = l.cfg.zone;
  // 8050 is inside 8000-8100 already: only what is new is added.
  CHECK(ports(z) == std::vector<std::string>{"80/tcp", "8000-8100/tcp", "9000/udp"});
  auto t = texts(z);
  // 443 from any stays a rich rule before the logged allow, as in nftables.
  CHECK(has(t, R"(rule priority="-4998" port port="443" protocol="tcp" accept)"));
  CHECK(has(
      t,
      R"(rule priority="-4997" family="ipv4" source address="198.51.100.0/24" port port="443" protocol="tcp" log prefix="https: " level="info" accept)"));
  CHECK(has(t, R"(rule priority="-4996" family="ipv4" port port="53" protocol="udp" accept)"));
  CHECK(has(t, R"(rule priority="-4995" family="ipv4" source address="203.0.113.10" accept)"));
  CHECK(approximations(l.diags).empty());
}

TEST_CASE("firewalld: more than 4 CIDRs per family become an ipset named after the network",
          "[firewalld][ipsets]") {
  Lowered l = lower(kNetworks + R"(inbound:
  - allow: [22/tcp]
    from: big
  - allow: [443/tcp]
    from: four
  - allow: [80/tcp]
    from: big
  - name: inline-list
    allow: [25/tcp]
    from: [192.0.2.1, 192.0.2.3, 192.0.2.5, 192.0.2.7, 192.0.2.9]
)");
  const auto& sets = l.cfg.ipsets;
  REQUIRE(sets.size() == 2);  // big: 5 IPv4 → ipset (shared); 2 IPv6 → inline; four: 4 → inline
  CHECK(sets[0].name == "fwc-big-4");
  CHECK(sets[0].family == net::Family::v4);
  CHECK(sets[0].addrs.cidr_count(net::Family::v4) == 5);
  CHECK(sets[1].name == "fwc-inline-list-4");  // no single network: named after the rule
  auto t = texts(l.cfg.zone);
  CHECK(has(
      t,
      R"(rule priority="-5000" family="ipv4" source ipset="fwc-big-4" port port="22" protocol="tcp" accept)"));
  CHECK(has(
      t,
      R"(rule priority="-4998" family="ipv4" source ipset="fwc-big-4" port port="80" protocol="tcp" accept)"));
  CHECK(has(
      t,
      R"(rule priority="-5000" family="ipv6" source address="fd00::1" port port="22" protocol="tcp" accept)"));
  CHECK(std::count_if(t.begin(), t.end(), [](const std::string& s) {
          return s.find("priority=\"-4999\"") != std::string::npos;
        }) == 4);

  std::string text = firewalld::emit(l.cfg);
  CHECK_THAT(text, Catch::Contains(
                       "fw --new-ipset=fwc-big-4 --type=hash:net --option=family=inet\n"
                       "cat >\"$tmp/fwc-big-4\" <<'EOF'\n10.0.0.1\n10.0.0.3\n10.0.0.5\n10.0.0.7\n"
                       "10.0.0.9\nEOF\nfw --ipset=fwc-big-4 --add-entries-from-file=\"$tmp/fwc-big-4\"\n"));
  CHECK_THAT(text, Catch::Contains("tmp=$(mktemp -d)\ntrap 'rm -rf \"$tmp\"' EXIT\n"));
  // ipsets exist before the rules that name them.
  CHECK(text.find("--new-ipset=fwc-big-4") < text.find("ipset=\"fwc-big-4\""));
}

TEST_CASE("firewalld: ipset names fit the kernel's 31 characters and stay distinct", "[firewalld][ipsets]") {
  Lowered l = lower(R"(networks:
  a-very-long-network-name-for-a-list-of-partners: [10.0.0.1, 10.0.0.3, 10.0.0.5, 10.0.0.7, 10.0.0.9]
  a-very-long-network-name-for-a-list-of-partners2: [10.2.0.1, 10.2.0.3, 10.2.0.5, 10.2.0.7, 10.2.0.9]
inbound:
  - allow: [22/tcp]
    from: a-very-long-network-name-for-a-list-of-partners
  - allow: [23/tcp]
    from: a-very-long-network-name-for-a-list-of-partners2
)");
  REQUIRE(l.cfg.ipsets.size() == 2);
  for (const auto& s : l.cfg.ipsets) CHECK(s.name.size() <= firewalld::kIpsetNameMax);
  CHECK(l.cfg.ipsets[0].name == "fwc-a-very-long-network-name-4");
  CHECK(l.cfg.ipsets[1].name == "fwc-a-very-long-network-nam-2-4");
}

TEST_CASE("firewalld: a big ipset gets a maxelem", "[firewalld][ipsets]") {
  std::string list;
  for (int i = 0; i < 70000; ++i)
    list += "  - 10." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256) + "." +
            std::to_string(i / 65536 * 2) + "\n";
  std::string text = script("networks:\n  many:\n" + list + "block:\n  - from: many\n");
  CHECK_THAT(text, Catch::Contains("fw --new-ipset=fwc-many-4 --type=hash:net --option=family=inet "
                                   "--option=maxelem=131072\n"));
  CHECK_THAT(text, Catch::Contains("# network many: 70000 entries\n"));
}

TEST_CASE("firewalld: a per-source meter is not enforced, with a warning at its line",
          "[firewalld][meters]") {
  const std::string body = R"(rate_limits:
  - name: api
    services: [8443/tcp]
    rate: 30/minute
    per_source: true
inbound:
  - allow: [8443/tcp]
    from: any
)";
  Lowered l = lower(body);
  CHECK(warned_at(l.diags, line_of(body, "- name: api"), "cannot keep a meter per source"));
  for (const auto& t : texts(l.cfg.zone)) CHECK(t.find("limit value=\"30/m\"") == std::string::npos);
  CHECK(ports(l.cfg.zone) == std::vector<std::string>{"8443/tcp"});
}

TEST_CASE("firewalld: a global meter accepts under the rate what the allows accept, then refuses",
          "[firewalld][meters]") {
  const std::string body = R"(rate_limits:
  - name: web
    services: [443/tcp]
    rate: 100/second
    log: "web-rate: "
inbound:
  - allow: [443/tcp]
    from: any
)";
  Lowered l = lower(body);
  auto t = texts(l.cfg.zone);
  CHECK(has(t, R"(rule priority="-10000" port port="443" protocol="tcp" accept limit value="100/s")"));
  CHECK(has(
      t,
      R"(rule priority="-9999" port port="443" protocol="tcp" log prefix="web-rate: " level="info" drop)"));
  CHECK(approximations(l.diags).empty());  // one rule, one bucket, burst 5: exact
  const firewalld::Group* under = group(l.cfg.zone, "rate_limits[0] web");
  REQUIRE(under);
  CHECK(under->rules.size() == 1);
}

TEST_CASE("firewalld: meter approximations are warnings at the meter's line", "[firewalld][meters]") {
  const std::string body = R"(networks:
  peers: [198.51.100.10, 198.51.100.12]
rate_limits:
  - name: dns
    services: [53/udp, 53/tcp]
    rate: 1000/second
    burst: 200
  - name: rpc
    services: [9901/tcp]
    rate: 10/second
  - name: again
    services: [53/udp]
    rate: 1/day
inbound:
  - allow: [53/udp, 53/tcp]
    from: any
  - allow: [9901/tcp]
    from: peers
    log: "rpc: "
    otherwise: {action: drop}
)";
  Lowered l = lower(body);
  uint32_t dns = line_of(body, "- name: dns");
  uint32_t rpc = line_of(body, "- name: rpc");
  uint32_t again = line_of(body, "- name: again");
  CHECK(warned_at(l.diags, dns, "no burst setting"));
  CHECK(warned_at(l.diags, dns, "one 1000/second bucket per rich rule"));  // tcp and udp
  CHECK(warned_at(l.diags, rpc, "only counts connections the allow rules accept"));
  CHECK(warned_at(l.diags, rpc, "also logged with the allow rule's prefix \"rpc: \""));
  CHECK(warned_at(l.diags, again, "overlaps rate_limits[0] dns"));
  CHECK(warned_at(l.diags, again, "refuses the rate 1/day"));
  auto t = texts(l.cfg.zone);
  // The peers share one ipset, so one bucket.
  CHECK(has(
      t,
      R"(rule priority="-9998" family="ipv4" source ipset="fwc-meter-rpc-4" port port="9901" protocol="tcp" log prefix="rpc: " level="info" accept limit value="10/s")"));
  CHECK(has(
      t,
      R"(rule priority="-9997" family="ipv4" source ipset="fwc-meter-rpc-4" port port="9901" protocol="tcp" drop)"));
  CHECK(has(t, R"(rule priority="-9996" port port="53" protocol="udp" accept limit value="2/d")"));
  for (const auto* d : approximations(l.diags)) CHECK(d->loc.line > 0);
}

TEST_CASE("firewalld: a default accept lets meters accept under the rate from anyone",
          "[firewalld][meters]") {
  Lowered l = lower(R"(defaults: {inbound: accept}
rate_limits:
  - services: [25/tcp]
    rate: 10/minute
)");
  CHECK(l.cfg.zone.target == "ACCEPT");
  auto t = texts(l.cfg.zone);
  CHECK(has(t, R"(rule priority="-10000" port port="25" protocol="tcp" accept limit value="10/m")"));
  CHECK(has(t, R"(rule priority="-9999" port port="25" protocol="tcp" drop)"));
  CHECK(approximations(l.diags).empty());
  // Nothing logs or rejects at the end of an accepting zone.
  CHECK(group(l.cfg.zone, "defaults.inbound") == nullptr);
}

TEST_CASE("firewalld: log prefixes and levels in firewalld's terms", "[firewalld]") {
  const std::string body = R"(defaults:
  log: {prefix: "drop=1 ", level: err, rate: 10/hour}
block:
  - from: 192.0.2.0/24
    log: "it's blocked: "
)";
  Lowered l = lower(body);
  auto t = texts(l.cfg.zone);
  CHECK(has(t, R"(rule priority="32767" log prefix="drop_1 " level="error" limit value="10/h")"));
  CHECK(warned_at(l.diags, line_of(body, "log: {prefix"), "cannot carry '=' in a log prefix"));
  CHECK(has(
      t,
      R"(rule priority="-32000" family="ipv4" source address="192.0.2.0/24" log prefix="it's blocked: " level="info" limit value="10/h" drop)"));
  std::string text = firewalld::emit(l.cfg);
  CHECK_THAT(
      text,
      Catch::Contains(
          R"(--add-rich-rule='rule priority="-32000" family="ipv4" source address="192.0.2.0/24" log prefix="it'\''s blocked: " level="info" limit value="10/h" drop')"));
}

TEST_CASE("firewalld: outbound and forward chains are policy objects", "[firewalld][output]") {
  Lowered l = lower(kEverything);
  REQUIRE(l.cfg.out);
  REQUIRE(l.cfg.fwd);
  const auto& out = *l.cfg.out;
  CHECK(out.name == "fwc-out");
  CHECK(out.ingress == "HOST");
  CHECK(out.egress == "ANY");
  CHECK(out.target == "DROP");
  CHECK(ports(out) == std::vector<std::string>{"53/udp"});
  auto t = texts(out);
  CHECK(
      has(t,
          R"(rule priority="-32000" family="ipv4" destination address="203.0.113.0/24" log prefix="fwc-drop: " level="info" limit value="5/m" drop)") ==
      false);  // a `to` rule without log
  CHECK(has(t, R"(rule priority="-32000" family="ipv4" destination address="203.0.113.0/24" drop)"));
  CHECK(has(t, R"(rule priority="-32768" icmp-type name="echo-reply" accept)"));
  const auto& fwd = *l.cfg.fwd;
  CHECK(fwd.name == "fwc-fwd");
  CHECK(fwd.ingress == "ANY");
  CHECK(fwd.egress == "ANY");
  CHECK(has(
      texts(fwd),
      R"(rule priority="-5000" family="ipv4" destination address="10.0.1.0/24" port port="80" protocol="tcp" accept)"));

  std::string text = firewalld::emit(l.cfg);
  CHECK_THAT(text, Catch::Contains("fw --new-policy=fwc-out\n"));
  CHECK_THAT(text,
             Catch::Contains(
                 "fw --policy=fwc-out --add-ingress-zone=HOST\nfw --policy=fwc-out --add-egress-zone=ANY\n"));
  CHECK_THAT(text, Catch::Contains("fw --policy=fwc-fwd --set-target=DROP\n"));
}

TEST_CASE("firewalld: no policy objects when outbound and forward are not managed", "[firewalld][output]") {
  Lowered l = lower("inbound:\n  - allow: [22/tcp]\n    from: 192.0.2.10\n");
  CHECK_FALSE(l.cfg.out);
  CHECK_FALSE(l.cfg.fwd);
  std::string text = firewalld::emit(l.cfg);
  CHECK(text.find("--new-policy") == std::string::npos);
}

TEST_CASE("firewalld: an outbound block keeps its log", "[firewalld][output]") {
  Lowered l = lower(R"(block:
  - to: [198.51.100.0/24]
    action: reject
    log: "exfil: "
)");
  REQUIRE(l.cfg.out);
  CHECK(l.cfg.out->target == "ACCEPT");
  CHECK(has(
      texts(*l.cfg.out),
      R"(rule priority="-32000" family="ipv4" destination address="198.51.100.0/24" log prefix="exfil: " level="info" limit value="5/m" reject)"));
}

TEST_CASE("firewalld: an example policy compiles without approximations", "[firewalld]") {
  DiagnosticEngine diags;
  auto p = compile_policy(std::string(FWC_SOURCE_DIR) + "/policies/heroctl.yaml", diags, false);
  REQUIRE(p);
  for (const auto& sel : ir::all_selections(*p)) {
    auto backend = firewalld::make_backend();
    auto out = backend->compile(ir::select(*p, sel), diags);
    REQUIRE(out);
    REQUIRE(out->size() == 1);
    CHECK((*out)[0].suffix == "firewalld.sh");
  }
  INFO(diags.render_all());
  CHECK(approximations(diags).empty());
}
