// `explain --target digitalocean|aws|hetzner`: the verdict cloud::explain
// gives must be the one the printed payload implies. The payloads are read
// back here and evaluated on their own terms.
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <set>
#include <string>

#include "backends/aws/aws_backend.h"
#include "backends/cloud/cloud_model.h"
#include "backends/digitalocean/do_backend.h"
#include "backends/hetzner/hetzner_backend.h"
#include "compiler/eval/explain.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"
#include "policy_run.h"

using namespace fwc;
using cloud::Provider;
using nlohmann::json;

namespace {

ir::Ruleset ruleset(const std::string& body) { return ir::select(test::demo_policy(body), {}); }

eval::Packet packet(const std::string& src, const std::string& port) {
  eval::Packet pkt;
  REQUIRE(net::parse_address(src, pkt.src));
  net::PortSpecParse p = net::parse_port_spec(port);
  REQUIRE(p.status == net::PortSpecStatus::ok);
  pkt.proto = p.proto;
  pkt.port = p.range.lo;
  return pkt;
}

bool in_cidr(const std::string& text, const net::Address& a) {
  net::CidrParse c = net::parse_cidr(text);
  REQUIRE(c.status == net::CidrStatus::ok);
  if (c.cidr.family != a.family) return false;
  return (a.value & ~net::host_mask(a.family, c.cidr.len)) == c.cidr.addr;
}

bool any_cidr(const json& list, const char* key, const net::Address& a) {
  for (const auto& e : list)
    if (in_cidr(key ? e[key].get<std::string>() : e.get<std::string>(), a)) return true;
  return false;
}

bool in_range(const std::string& ports, uint16_t port) {
  if (ports == "0") return true;
  size_t dash = ports.find('-');
  int lo = std::stoi(ports.substr(0, dash));
  int hi = dash == std::string::npos ? lo : std::stoi(ports.substr(dash + 1));
  return port >= lo && port <= hi;
}

// What each payload admits, read from the JSON alone.
bool do_admits(const json& body, const eval::Packet& pkt) {
  for (const auto& r : body["inbound_rules"]) {
    if (r["protocol"] != net::proto_name(pkt.proto) || !in_range(r["ports"], pkt.port)) continue;
    if (r["sources"].contains("addresses") && any_cidr(r["sources"]["addresses"], nullptr, pkt.src))
      return true;
  }
  return false;
}

bool hetzner_admits(const json& body, const eval::Packet& pkt) {
  for (const auto& r : body["rules"]) {
    if (r["direction"] != "in" || r["protocol"] != net::proto_name(pkt.proto) ||
        !in_range(r["port"], pkt.port))
      continue;
    if (any_cidr(r["source_ips"], nullptr, pkt.src)) return true;
  }
  return false;
}

bool aws_admits(const json& body, const eval::Packet& pkt) {
  for (const auto& p : body["IpPermissions"]) {
    std::string proto = p["IpProtocol"];
    if (proto != "-1") {
      if (proto != net::proto_name(pkt.proto)) continue;
      if (pkt.port < p["FromPort"].get<int>() || pkt.port > p["ToPort"].get<int>()) continue;
    }
    if (p.contains("IpRanges") && any_cidr(p["IpRanges"], "CidrIp", pkt.src)) return true;
    if (p.contains("Ipv6Ranges") && any_cidr(p["Ipv6Ranges"], "CidrIpv6", pkt.src)) return true;
  }
  return false;
}

bool payload_admits(const cloud::Group& g, const eval::Packet& pkt) {
  switch (g.provider) {
    case Provider::digitalocean:
      return do_admits(json::parse(digitalocean::payload(g)), pkt);
    case Provider::hetzner:
      return hetzner_admits(json::parse(hetzner::payload(g)), pkt);
    case Provider::aws:
      break;
  }
  std::string ingress = aws::ingress_payload(g);
  return !ingress.empty() && aws_admits(json::parse(ingress), pkt);
}

const char* const kPolicy = R"(networks:
  office: [198.51.100.0/24, "2001:db8:1::/48"]
  scanners: [203.0.113.0/28]
block:
  - from: scanners
    services: [22/tcp]
  - from: ["2001:db8:1:bad::/64"]
    services: [22/tcp, 8000-8100/tcp]
inbound:
  - name: admin
    allow: [22/tcp, 8000-8100/tcp]
    from: [office, 203.0.113.0/24]
  - name: dns
    allow: [53/udp, 53/tcp]
    from: any
  - name: everything
    allow: [all]
    from: [192.0.2.99]
)";

}  // namespace

TEST_CASE("explain --target agrees with the payload, and here with the host view", "[cloud][explain]") {
  ir::Ruleset rs = ruleset(kPolicy);
  struct Case {
    const char* src;
    const char* port;
    bool accepted;
  };
  const Case cases[] = {
      {"198.51.100.9", "22/tcp", true},
      {"198.51.100.9", "8100/tcp", true},
      {"198.51.100.9", "8101/tcp", false},
      {"198.51.100.9", "22/udp", false},
      {"203.0.113.5", "22/tcp", false},  // blocked for 22 only
      {"203.0.113.5", "8050/tcp", true},
      {"203.0.113.20", "22/tcp", true},
      {"2001:db8:1::5", "22/tcp", true},
      {"2001:db8:1:bad::5", "22/tcp", false},
      {"2001:db8:1:bad::5", "8050/tcp", false},
      {"2001:db8:1:bad::5", "53/udp", true},
      {"192.0.2.1", "53/udp", true},
      {"192.0.2.1", "53/tcp", true},
      {"192.0.2.1", "22/tcp", false},
      {"192.0.2.99", "9999/udp", true},
      {"2001:db8:2::1", "8000/tcp", false},
  };
  for (Provider p : {Provider::digitalocean, Provider::hetzner, Provider::aws}) {
    DiagnosticEngine diags;
    auto g = cloud::lower(rs, p, diags);
    REQUIRE(g);
    for (const Case& c : cases) {
      INFO(cloud::provider_name(p) << " " << c.src << " " << c.port);
      eval::Packet pkt = packet(c.src, c.port);
      cloud::Decision d = cloud::explain(*g, pkt);
      bool accepted = d.verdict == ir::Verdict::accept;
      CHECK(accepted == payload_admits(*g, pkt));
      CHECK(accepted == c.accepted);
      CHECK(accepted == (eval::explain(rs, pkt).verdict == ir::Verdict::accept));
      if (accepted) {
        REQUIRE(d.rule);
        CHECK_FALSE(d.via.empty());
      } else {
        CHECK_FALSE(d.rule);
      }
    }
  }
}

TEST_CASE("explain --target follows the payload where the cloud approximates", "[cloud][explain]") {
  // Hetzner: the cluster's own addresses there are wider than on the hosts.
  ir::Ruleset rs = ruleset(R"(networks:
  cluster:
    addresses: [10.0.0.0/24]
    digitalocean: {tags: [cluster]}
    hetzner: {addresses: [10.0.0.0/16]}
inbound:
  - allow: [4646/tcp]
    from: cluster
)");
  DiagnosticEngine diags;
  auto h = cloud::lower(rs, Provider::hetzner, diags);
  REQUIRE(h);
  eval::Packet wider = packet("10.0.9.9", "4646/tcp");
  CHECK(cloud::explain(*h, wider).verdict == ir::Verdict::accept);
  CHECK(payload_admits(*h, wider));
  CHECK(eval::explain(rs, wider).verdict == ir::Verdict::drop);

  // DigitalOcean decides by tag; explain takes the network's addresses as its members.
  auto d = cloud::lower(rs, Provider::digitalocean, diags);
  REQUIRE(d);
  cloud::Decision member = cloud::explain(*d, packet("10.0.0.7", "4646/tcp"));
  CHECK(member.verdict == ir::Verdict::accept);
  CHECK(member.assumed);
  CHECK(member.via == "tag cluster");
  CHECK(member.network == "cluster");
  CHECK(cloud::explain(*d, packet("10.0.9.9", "4646/tcp")).verdict == ir::Verdict::drop);

  // A block left to the host firewall: the payload, and explain, admit the source.
  std::string feed = "[";
  for (int i = 0; i < 120; ++i) feed += (i ? ", " : "") + std::string("198.51.100.") + std::to_string(2 * i);
  ir::Ruleset blocked =
      ruleset("block:\n  - from: " + feed + "]\ninbound:\n  - allow: [443/tcp]\n    from: any\n");
  auto hb = cloud::lower(blocked, Provider::hetzner, diags);
  REQUIRE(hb);
  eval::Packet listed = packet("198.51.100.4", "443/tcp");
  CHECK(cloud::explain(*hb, listed).verdict == ir::Verdict::accept);
  CHECK(payload_admits(*hb, listed));
  CHECK(eval::explain(blocked, listed).verdict == ir::Verdict::drop);
  // DigitalOcean's larger field takes the subtraction: dropped there too.
  auto db = cloud::lower(blocked, Provider::digitalocean, diags);
  REQUIRE(db);
  CHECK(cloud::explain(*db, listed).verdict == ir::Verdict::drop);
  CHECK_FALSE(payload_admits(*db, listed));
}

namespace {

// Every CIDR a payload names, as text, wherever it appears in the JSON.
void collect_cidrs(const json& j, std::vector<std::string>& out) {
  if (j.is_string()) {
    if (net::parse_cidr(j.get<std::string>()).status == net::CidrStatus::ok) out.push_back(j.get<std::string>());
  } else if (j.is_structured()) {
    for (const auto& e : j) collect_cidrs(e, out);
  }
}

json payload_json(const cloud::Group& g) {
  switch (g.provider) {
    case Provider::digitalocean:
      return json::parse(digitalocean::payload(g));
    case Provider::hetzner:
      return json::parse(hetzner::payload(g));
    case Provider::aws:
      break;
  }
  std::string ingress = aws::ingress_payload(g);
  return ingress.empty() ? json::object() : json::parse(ingress);
}

// Sources at the edges of every CIDR the payload names (first, last, and the
// addresses just outside), and a few that no example policy names.
std::vector<net::Address> edge_sources(const json& payload) {
  std::vector<std::string> cidrs;
  collect_cidrs(payload, cidrs);
  std::vector<net::Address> out;
  for (const char* fixed : {"192.0.2.1", "198.51.100.77", "203.0.113.10", "2001:db8:ffff::1"}) {
    net::Address a;
    REQUIRE(net::parse_address(fixed, a));
    out.push_back(a);
  }
  for (const auto& text : cidrs) {
    net::Cidr c = net::parse_cidr(text).cidr;
    net::u128 last = c.addr | net::host_mask(c.family, c.len);
    net::u128 top = c.family == net::Family::v4 ? net::u128{0xffffffffu} : ~net::u128{0};
    out.push_back({c.family, c.addr});
    out.push_back({c.family, last});
    if (c.addr != 0) out.push_back({c.family, c.addr - 1});
    if (last != top) out.push_back({c.family, last + 1});
  }
  return out;
}

// Ports at the edges of the payload's port fields, on both protocols.
std::vector<std::pair<net::Proto, uint16_t>> edge_ports(const json& payload) {
  std::set<int> ports = {22, 80, 443, 4648, 9999};
  std::function<void(const json&)> walk = [&](const json& j) {
    if (!j.is_structured()) return;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (j.is_object() && (it.key() == "ports" || it.key() == "port") && it->is_string() && *it != "all" &&
          *it != "0") {
        std::string s = *it;
        size_t dash = s.find('-');
        for (int p : {std::stoi(s.substr(0, dash)), std::stoi(s.substr(dash == std::string::npos ? 0 : dash + 1))})
          ports.insert({p - 1, p, p + 1});
      } else if (j.is_object() && (it.key() == "FromPort" || it.key() == "ToPort") && it->is_number()) {
        int p = *it;
        ports.insert({p - 1, p, p + 1});
      }
      walk(*it);
    }
  };
  walk(payload);
  std::vector<std::pair<net::Proto, uint16_t>> out;
  for (int p : ports)
    if (p >= 1 && p <= 65535)
      for (net::Proto proto : {net::Proto::tcp, net::Proto::udp}) out.emplace_back(proto, static_cast<uint16_t>(p));
  return out;
}

}  // namespace

TEST_CASE("explain --target agrees with the payload for every example policy", "[cloud][explain]") {
  size_t compared = 0, admitted = 0, mismatches = 0;
  std::string first_mismatch;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(FWC_SOURCE_DIR) + "/policies")) {
    if (entry.path().extension() != ".yaml") continue;
    DiagnosticEngine diags;
    auto policy = compile_policy(entry.path().string(), diags, false);
    REQUIRE(policy);
    for (const ir::Selection& sel : ir::all_selections(*policy)) {
      ir::Ruleset rs = ir::select(*policy, sel);
      for (Provider p : {Provider::digitalocean, Provider::hetzner, Provider::aws}) {
        DiagnosticEngine cd;
        auto g = cloud::lower(rs, p, cd);
        if (!g) continue;  // past a provider limit: no payload to compare with
        json payload = payload_json(*g);
        for (const net::Address& src : edge_sources(payload)) {
          for (auto [proto, port] : edge_ports(payload)) {
            eval::Packet pkt;
            pkt.src = src;
            pkt.proto = proto;
            pkt.port = port;
            cloud::Decision d = cloud::explain(*g, pkt);
            bool accepted = d.verdict == ir::Verdict::accept;
            bool admits = p == Provider::digitalocean ? do_admits(payload, pkt)
                          : p == Provider::hetzner    ? hetzner_admits(payload, pkt)
                                                      : !payload.empty() && aws_admits(payload, pkt);
            // A native reference (tag, security group) admits by membership,
            // which no CIDR in the payload shows; everything else must match.
            bool agree = accepted == admits || (accepted && d.assumed);
            if (!agree && first_mismatch.empty())
              first_mismatch = entry.path().filename().string() + " " + g->name + " on " +
                               cloud::provider_name(p) + ": " + net::proto_name(proto) + " " +
                               std::to_string(port) + (accepted ? " accepted via " + d.via : " dropped") +
                               (admits ? ", payload admits" : ", payload does not admit");
            mismatches += !agree;
            ++compared;
            admitted += accepted;
          }
        }
      }
    }
  }
  INFO(first_mismatch);
  CHECK(mismatches == 0);
  CHECK(compared > 10000);
  CHECK(admitted > 100);
  CHECK(admitted < compared);
}
