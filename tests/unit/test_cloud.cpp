// Cloud targets: the common model (backends/cloud/cloud_model.h), provider
// limits, approximation warnings, native references, and the payloads the
// DigitalOcean, Hetzner and AWS backends print from it.
#include <catch2/catch.hpp>
#include <string>

#include "backends/aws/aws_backend.h"
#include "backends/cloud/cloud_model.h"
#include "backends/digitalocean/do_backend.h"
#include "backends/hetzner/hetzner_backend.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"

using namespace fwc;
using cloud::Provider;
using nlohmann::json;

namespace {

struct Lowered {
  std::optional<cloud::Group> group;
  DiagnosticEngine diags;
};

Lowered lower(const std::string& body, Provider p, const ir::Selection& sel = {}) {
  DiagnosticEngine front;
  auto policy = compile_policy_text("fwc: 1\nname: demo\n" + body, "policy.yaml", front, false);
  INFO(front.render_all());
  REQUIRE(policy);
  REQUIRE(front.error_count() == 0);
  Lowered out;
  out.group = cloud::lower(ir::select(*policy, sel), p, out.diags);
  return out;
}

cloud::Group lowered_ok(const std::string& body, Provider p) {
  Lowered l = lower(body, p);
  INFO(l.diags.render_all());
  REQUIRE(l.group);
  REQUIRE(l.diags.error_count() == 0);
  return *l.group;
}

// The first diagnostic whose message contains `needle`.
const Diagnostic* find(const DiagnosticEngine& d, const std::string& needle) {
  for (const auto& x : d.all())
    if (x.message.find(needle) != std::string::npos) return &x;
  return nullptr;
}

// n IPv4 hosts from 10.0.0.0, `step` apart (step 2: none adjacent, so none aggregate).
std::string hosts(int n, int step, int first_octet = 10) {
  std::string out = "[";
  for (int i = 0; i < n; ++i) {
    int v = i * step;
    out += (i ? ", " : "") + std::to_string(first_octet) + "." + std::to_string((v >> 16) & 255) + "." +
           std::to_string((v >> 8) & 255) + "." + std::to_string(v & 255);
  }
  return out + "]";
}

std::string ipv6_hosts(int n) {
  std::string out = "[";
  for (int i = 0; i < n; ++i)
    out += std::string(i ? ", " : "") + "\"2001:db8::" + std::to_string(2 * i + 1) + "\"";
  return out + "]";
}

// `count` separate TCP ports (1001, 1003, ...): one cloud rule each.
std::string ports(int count) {
  std::string out = "[";
  for (int i = 0; i < count; ++i) out += (i ? ", " : "") + std::to_string(1001 + 2 * i) + "/tcp";
  return out + "]";
}

}  // namespace

TEST_CASE("cloud: DigitalOcean allows 50 rules per firewall, outbound allow-all included",
          "[cloud][limits]") {
  const std::string head = "defaults: {icmp: no-ping}\ninbound:\n  - name: many\n    allow: ";
  // 47 inbound rules and the three outbound allow-all rules: exactly 50.
  CHECK(lower(head + ports(47) + "\n    from: any\n", Provider::digitalocean).group);

  Lowered l = lower(head + ports(60) + "\n    from: any\n", Provider::digitalocean);
  CHECK_FALSE(l.group);
  const Diagnostic* d = find(l.diags, "rules per firewall");
  REQUIRE(d);
  CHECK(d->code == "FWC-E014");
  CHECK(d->message ==
        "inbound[0] many: DigitalOcean allows 50 rules per firewall; firewall 'demo' needs 63 (13 over)");
  CHECK(d->loc.line == 5);
  CHECK(d->hint.find("2 firewalls of at most 50 rules would hold them") != std::string::npos);
}

TEST_CASE("cloud: Hetzner allows 50 rules; open outbound needs none", "[cloud][limits]") {
  const std::string head = "defaults: {icmp: no-ping}\ninbound:\n  - name: many\n    allow: ";
  CHECK(lower(head + ports(50) + "\n    from: any\n", Provider::hetzner).group);
  Lowered l = lower(head + ports(51) + "\n    from: any\n", Provider::hetzner);
  CHECK_FALSE(l.group);
  const Diagnostic* d = find(l.diags, "rules per firewall");
  REQUIRE(d);
  CHECK(d->message ==
        "inbound[0] many: Hetzner allows 50 rules per firewall; firewall 'demo' needs 51 (1 over)");
}

TEST_CASE("cloud: addresses per sources field, counted after aggregation", "[cloud][limits]") {
  auto body = [](const std::string& from) {
    return "inbound:\n  - name: web\n    allow: [443/tcp]\n    from: " + from + "\n";
  };
  CHECK(lower(body(hosts(1000, 2)), Provider::digitalocean).group);
  // 2,048 adjacent hosts are one /21.
  cloud::Group g = lowered_ok(body(hosts(2048, 1)), Provider::digitalocean);
  CHECK(cloud::cidr_texts(g.inbound[0].peers.cidrs) == std::vector<std::string>{"10.0.0.0/21"});

  Lowered l = lower(body(hosts(1001, 2)), Provider::digitalocean);
  CHECK_FALSE(l.group);
  const Diagnostic* d = find(l.diags, "per sources field");
  REQUIRE(d);
  CHECK(d->code == "FWC-E014");
  CHECK(d->message ==
        "inbound[0] web: DigitalOcean allows 1,000 addresses per sources field; tcp 443 needs 1,001 after "
        "aggregation (1 over)");
  CHECK(d->loc.line == 4);
  CHECK(d->hint ==
        "split the addresses into 2 networks of at most 1,000 addresses, each in a rule of its own");

  Lowered h = lower(body(hosts(101, 2)), Provider::hetzner);
  CHECK_FALSE(h.group);
  d = find(h.diags, "per source_ips");
  REQUIRE(d);
  CHECK(d->message ==
        "inbound[0] web: Hetzner allows 100 CIDRs per source_ips; tcp 443 needs 101 after aggregation (1 "
        "over)");
  CHECK(lower(body(hosts(100, 2)), Provider::hetzner).group);
}

TEST_CASE("cloud: rules for one port merge only while the field stays within the limit", "[cloud][limits]") {
  std::string body = "inbound:\n  - allow: [443/tcp]\n    from: " + hosts(600, 2) +
                     "\n  - allow: [443/tcp]\n    from: " + hosts(600, 2, 11) + "\n";
  cloud::Group g = lowered_ok(body, Provider::digitalocean);
  REQUIRE(g.inbound.size() == 3);  // two for 443, and ICMP
  CHECK(g.inbound[0].peers.address_count() == 600);
  CHECK(g.inbound[1].peers.address_count() == 600);
}

TEST_CASE("cloud: AWS counts rules per direction, IPv4 and IPv6 apart", "[cloud][limits]") {
  auto body = [](const std::string& from) {
    return "defaults: {icmp: no-ping}\ninbound:\n  - name: api\n    allow: [8443/tcp]\n    from: " + from +
           "\n";
  };
  // 60 IPv4 and 60 IPv6 CIDRs fit.
  std::string both = hosts(60, 2);
  both.pop_back();
  both += ", " + ipv6_hosts(60).substr(1);
  CHECK(lower(body(both), Provider::aws).group);

  Lowered l = lower(body(hosts(61, 2)), Provider::aws);
  CHECK_FALSE(l.group);
  const Diagnostic* d = find(l.diags, "rules per security group");
  REQUIRE(d);
  CHECK(
      d->message ==
      "inbound[0] api: AWS allows 60 inbound IPv4 rules per security group; group 'demo' needs 61 (1 over)");
  CHECK(d->hint.find("2 security groups of at most 60 rules would hold them") == 0);

  Lowered big = lower(body(hosts(400, 2)), Provider::aws);
  d = find(big.diags, "rules per security group");
  REQUIRE(d);
  CHECK(d->message.find("needs 400 (340 over)") != std::string::npos);
  CHECK(d->hint.find("more than the 5 security groups") != std::string::npos);
}

TEST_CASE("cloud: approximations are warnings at the policy lines", "[cloud][warnings]") {
  const std::string body = R"(defaults:
  inbound: reject
  log: "drop: "
block:
  - name: scanners
    from: [198.51.100.66]
    action: reject
    log: "blocked: "
rate_limits:
  - name: web-rate
    services: [443/tcp]
    rate: 10/second
inbound:
  - name: web
    allow: [443/tcp]
    from: any
    log: "web: "
    otherwise: {action: reject}
)";
  for (Provider p : {Provider::digitalocean, Provider::aws, Provider::hetzner}) {
    Lowered l = lower(body, p);
    INFO(l.diags.render_all());
    REQUIRE(l.group);
    CHECK(l.diags.error_count() == 0);
    struct Expect {
      const char* text;
      uint32_t line;
    };
    for (Expect e : {Expect{"defaults.inbound: ", 4}, Expect{"defaults.log: ", 5},
                     Expect{"block[0] scanners: the", 7}, Expect{"rate_limits[0] web-rate: ", 12},
                     Expect{"inbound[0] web: ", 16}, Expect{"inbound[0] web otherwise: ", 20}}) {
      INFO(e.text);
      const Diagnostic* d = find(l.diags, e.text);
      REQUIRE(d);
      CHECK(d->code == "FWC-W107");
      CHECK(d->severity == Severity::warning);
      CHECK(d->loc.line == e.line);
      CHECK(d->message.find("only the host firewall") != std::string::npos);
    }
    CHECK(find(l.diags, "cannot limit connection rates"));
    CHECK(find(l.diags, "cannot reject"));
    CHECK(find(l.diags, "does not log"));
  }
}

TEST_CASE("cloud: block lists are taken out of the allowed sources", "[cloud][block]") {
  cloud::Group g = lowered_ok(R"(block:
  - from: [198.51.100.0/25]
    services: [443/tcp]
inbound:
  - allow: [442-444/tcp]
    from: [198.51.100.0/24]
)",
                              Provider::hetzner);
  // 442, 443 without the blocked half, 444, and ICMP.
  REQUIRE(g.inbound.size() == 4);
  CHECK(g.inbound[0].what() == "tcp 442");
  CHECK(cloud::cidr_texts(g.inbound[0].peers.cidrs) == std::vector<std::string>{"198.51.100.0/24"});
  CHECK(g.inbound[1].what() == "tcp 443");
  CHECK(cloud::cidr_texts(g.inbound[1].peers.cidrs) == std::vector<std::string>{"198.51.100.128/25"});
  CHECK(g.inbound[2].what() == "tcp 444");
}

TEST_CASE("cloud: a block that would exceed a limit is left to the host firewall", "[cloud][block]") {
  Lowered l = lower("block:\n  - name: feed\n    from: " + hosts(120, 2, 198) +
                        "\ninbound:\n  - allow: [443/tcp]\n    from: any\n",
                    Provider::hetzner);
  INFO(l.diags.render_all());
  REQUIRE(l.group);
  const Diagnostic* d = find(l.diags, "would exceed its limits");
  REQUIRE(d);
  CHECK(d->code == "FWC-W107");
  CHECK(d->loc.line == 4);
  CHECK(d->message.find("block[0] feed: the Hetzner firewall cannot deny") == 0);
  CHECK(d->message.find("(Hetzner allows 100 CIDRs per source_ips; tcp 443 needs") != std::string::npos);
  // The payload keeps admitting them, and says so through explain.
  CHECK(cloud::cidr_texts(l.group->inbound[0].peers.cidrs) == std::vector<std::string>{"0.0.0.0/0", "::/0"});
}

TEST_CASE("cloud: native references win over addresses", "[cloud][native]") {
  const std::string body = R"(networks:
  cluster:
    addresses: [10.0.0.0/24]
    digitalocean: {tags: [c1], droplet_ids: [77]}
    aws: {security_group: self}
    hetzner: {addresses: [10.0.0.0/16]}
  ops:
    addresses: [192.0.2.10]
    aws: {security_group: sg-0abc1234}
inbound:
  - allow: [4646/tcp]
    from: [cluster, 192.0.2.7]
  - allow: [22/tcp]
    from: ops
)";
  json dj = json::parse(digitalocean::payload(lowered_ok(body, Provider::digitalocean)));
  json src = dj["inbound_rules"][0]["sources"];
  CHECK(src["tags"] == json::array({"c1"}));
  CHECK(src["droplet_ids"] == json::array({77}));
  CHECK(src["addresses"] == json::array({"192.0.2.7/32"}));
  CHECK(dj["inbound_rules"][1]["sources"]["addresses"] == json::array({"192.0.2.10/32"}));

  json hj = json::parse(hetzner::payload(lowered_ok(body, Provider::hetzner)));
  CHECK(hj["rules"][0]["source_ips"] == json::array({"10.0.0.0/16", "192.0.2.7/32"}));

  json aj = json::parse(aws::ingress_payload(lowered_ok(body, Provider::aws)));
  json perm = aj["IpPermissions"][0];
  CHECK(aj["GroupId"] == "${SG_DEMO}");
  CHECK(perm["UserIdGroupPairs"][0]["GroupId"] == "${SG_DEMO}");
  CHECK(perm["IpRanges"][0]["CidrIp"] == "192.0.2.7/32");
  CHECK(aj["IpPermissions"][1]["UserIdGroupPairs"][0]["GroupId"] == "sg-0abc1234");
  CHECK_FALSE(aj["IpPermissions"][1].contains("IpRanges"));
}

TEST_CASE("cloud: a network with no representation on a target is an error at the rule", "[cloud][native]") {
  const std::string body = R"(networks:
  peers: {digitalocean: {tags: [peers]}}
inbound:
  - name: gossip
    allow: [7946/udp]
    from: peers
)";
  CHECK(lower(body, Provider::digitalocean).group);
  for (Provider p : {Provider::hetzner, Provider::aws}) {
    Lowered l = lower(body, p);
    CHECK_FALSE(l.group);
    const Diagnostic* d = find(l.diags, "has no representation");
    REQUIRE(d);
    CHECK(d->code == "FWC-E014");
    CHECK(d->loc.line == 6);
    CHECK(d->message == std::string("inbound[0] gossip: network 'peers' has no representation on ") +
                            cloud::provider_title(p) + ": it holds no addresses and has no " +
                            cloud::provider_name(p) + " reference");
  }
}

TEST_CASE("cloud: outbound", "[cloud][outbound]") {
  // DigitalOcean refuses outbound traffic no rule allows: accept gets allow-all rules.
  json dj = json::parse(digitalocean::payload(
      lowered_ok("inbound:\n  - allow: [22/tcp]\n    from: [192.0.2.1]\n", Provider::digitalocean)));
  REQUIRE(dj["outbound_rules"].size() == 3);
  for (const auto& r : dj["outbound_rules"]) {
    CHECK(r["ports"] == "0");
    CHECK(r["destinations"]["addresses"] == json::array({"0.0.0.0/0", "::/0"}));
  }
  CHECK(dj["outbound_rules"][2]["protocol"] == "icmp");
  // Hetzner lets everything out while no outbound rule is given.
  json hj = json::parse(hetzner::payload(
      lowered_ok("inbound:\n  - allow: [22/tcp]\n    from: [192.0.2.1]\n", Provider::hetzner)));
  for (const auto& r : hj["rules"]) CHECK(r["direction"] == "in");
  // Restricted outbound: the AWS group's default egress rule goes.
  const std::string restricted =
      "defaults: {outbound: drop}\noutbound:\n  - allow: [53/udp]\n    to: [192.0.2.53]\n";
  cloud::Group g = lowered_ok(restricted, Provider::aws);
  CHECK_FALSE(g.outbound_open);
  CHECK(json::parse(aws::revoke_egress_payload(g))["IpPermissions"][0]["IpRanges"][0]["CidrIp"] ==
        "0.0.0.0/0");
  CHECK(json::parse(aws::egress_payload(g))["IpPermissions"][0]["FromPort"] == 53);
  CHECK(aws::revoke_egress_payload(
            lowered_ok("inbound:\n  - allow: [22/tcp]\n    from: [192.0.2.1]\n", Provider::aws))
            .empty());
}

TEST_CASE("cloud: group names follow the cloud settings and the selection", "[cloud]") {
  const std::string body = R"(nodes:
  web_1: {address: 192.0.2.1, roles: [web]}
inbound:
  - allow: [443/tcp]
    from: any
    roles: [web]
cloud:
  digitalocean: {name: shop}
)";
  Lowered l = lower(body, Provider::digitalocean, {ir::Selection::Kind::node, "web_1"});
  REQUIRE(l.group);
  CHECK(l.group->name == "shop-web-1");
  Lowered a = lower(body, Provider::aws, {ir::Selection::Kind::role, "web"});
  REQUIRE(a.group);
  CHECK(a.group->name == "demo-web");
  CHECK(aws::placeholder(a.group->name) == "${SG_DEMO_WEB}");
}
