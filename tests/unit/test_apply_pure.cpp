// The pure parts of `fwc apply`: SSH_CONNECTION, node matching, the
// lock-out guard and the live-table diff.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "backends/nftables/live/model.h"
#include "compiler/frontend.h"
#include "compiler/host/host_match.h"
#include "compiler/ir/selection.h"
#include "policy_run.h"

using namespace fwc;
using test::demo_policy;

namespace {

net::Address addr(const char* s) {
  net::Address a;
  REQUIRE(net::parse_address(s, a));
  return a;
}

const char* kNodes = R"(nodes:
  node1: {address: 198.51.100.1, roles: [server]}
  node2: {addresses: [198.51.100.2, 2001:db8::2], roles: [worker], hostname: web2.example.org}
inbound:
  - allow: [22/tcp]
    from: [203.0.113.0/24]
    roles: [server]
)";

}  // namespace

TEST_CASE("SSH_CONNECTION is parsed, IPv4, IPv6 and mapped") {
  auto c = host::parse_ssh_connection("203.0.113.5 51234 198.51.100.1 22");
  REQUIRE(c);
  CHECK(c->client.family == net::Family::v4);
  CHECK(net::format_address(c->client.family, c->client.value) == "203.0.113.5");
  CHECK(c->client_port == 51234);
  CHECK(c->server_port == 22);
  auto v6 = host::parse_ssh_connection("2001:db8::5 40000 2001:db8::1 2222");
  REQUIRE(v6);
  CHECK(v6->client.family == net::Family::v6);
  CHECK(v6->server_port == 2222);
  auto mapped = host::parse_ssh_connection("::ffff:203.0.113.9 1 ::ffff:198.51.100.1 22");
  REQUIRE(mapped);
  CHECK(mapped->client.family == net::Family::v4);
  CHECK_FALSE(host::parse_ssh_connection(""));
  CHECK_FALSE(host::parse_ssh_connection("203.0.113.5 51234 198.51.100.1"));
  CHECK_FALSE(host::parse_ssh_connection("203.0.113.5 51234 198.51.100.1 0"));
  CHECK_FALSE(host::parse_ssh_connection("203.0.113.5 x 198.51.100.1 22"));
  CHECK_FALSE(host::parse_ssh_connection("bogus 1 198.51.100.1 22"));
}

TEST_CASE("the node is found by address or hostname") {
  auto p = demo_policy(kNodes);
  host::Identity self{{addr("127.0.0.1"), addr("198.51.100.1")}, "other"};
  auto m = host::match_nodes(p, self);
  REQUIRE(m.size() == 1);
  CHECK(m[0].node == "node1");
  CHECK(m[0].why == "address 198.51.100.1");
  m = host::match_nodes(p, {{addr("2001:db8::2")}, "x"});
  REQUIRE(m.size() == 1);
  CHECK(m[0].node == "node2");
  m = host::match_nodes(p, {{}, "web2"});
  REQUIRE(m.size() == 1);
  CHECK(m[0].node == "node2");
  m = host::match_nodes(p, {{}, "node1.example.org"});
  REQUIRE(m.size() == 1);
  CHECK(m[0].node == "node1");
  CHECK(host::match_nodes(p, {{addr("203.0.113.1")}, "elsewhere"}).empty());
  CHECK(host::match_nodes(p, {{addr("198.51.100.1"), addr("198.51.100.2")}, ""}).size() == 2);
}

TEST_CASE("the lock-out guard names the deciding rule") {
  auto p = demo_policy(kNodes);
  auto server = ir::select(p, {ir::Selection::Kind::node, "node1"});
  auto worker = ir::select(p, {ir::Selection::Kind::node, "node2"});
  auto ok = host::parse_ssh_connection("203.0.113.5 50000 198.51.100.1 22");
  auto outsider = host::parse_ssh_connection("198.51.100.77 50000 198.51.100.1 22");
  REQUIRE(ok);
  REQUIRE(outsider);
  CHECK(host::lockout_problem(server, *ok).empty());
  std::string why = host::lockout_problem(server, *outsider);
  CHECK(why.find("198.51.100.77") != std::string::npos);
  CHECK(why.find("port 22/tcp") != std::string::npos);
  CHECK(why.find("defaults") != std::string::npos);
  CHECK_FALSE(host::lockout_problem(worker, *ok).empty());
}

namespace {
nft::live::Model model_with(const std::vector<const char*>& cidrs,
                            const std::vector<std::pair<const char*, const char*>>& rules) {
  nft::live::Model m;
  m.exists = true;
  m.chains.push_back({"input", "hook 1"});
  nft::live::SetEntry s;
  s.name = "blocked_v4";
  s.sig = "type 7";
  s.addresses = true;
  for (const char* c : cidrs) s.addrs.add(net::parse_cidr(c).cidr);
  s.addrs.normalize();
  m.sets.push_back(s);
  for (auto [comment, sig] : rules) m.rules.push_back({"input", comment, sig, 0, 0});
  return m;
}
}  // namespace

TEST_CASE("the live diff lists rules by comment and summarises sets") {
  using nft::live::diff;
  auto a = model_with({"198.51.100.0/24", "203.0.113.7"}, {{"block", "x"}, {"web (p.yaml:3)", "y"}});
  CHECK(diff(a, a).empty());
  auto b = model_with({"198.51.100.0/25", "203.0.113.8"}, {{"block", "x"}, {"web (p.yaml:3)", "z"}, {"ssh", "s"}});
  auto lines = diff(a, b);
  auto has = [&](const std::string& l) { return std::find(lines.begin(), lines.end(), l) != lines.end(); };
  INFO(Catch::Detail::stringify(lines));
  CHECK(has("~ rule in chain input: web (p.yaml:3) (changed)"));
  CHECK(has("+ rule in chain input: ssh"));
  CHECK(has("+ set blocked_v4: 1 element added"));
  CHECK(has("    + 203.0.113.8"));
  CHECK(has("- set blocked_v4: 2 elements removed"));
  CHECK(has("    - 198.51.100.128/25"));
  auto reordered = model_with({"198.51.100.0/24", "203.0.113.7"}, {{"web (p.yaml:3)", "y"}, {"block", "x"}});
  lines = diff(a, reordered);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "~ chain input: rule order changed");
  nft::live::Model none;
  lines = diff(none, a);
  CHECK(lines.front() == "+ table inet fwc (not installed yet)");
  CHECK(diff(a, none).front() == "- table inet fwc");
}

TEST_CASE("large set differences are summarised with counts") {
  nft::live::Model live = model_with({}, {}), want = model_with({}, {});
  for (int i = 0; i < 100; ++i) {
    std::string c = "203.0.113." + std::to_string(i * 2);
    want.sets[0].addrs.add(net::parse_cidr(c).cidr);
  }
  want.sets[0].addrs.normalize();
  nft::live::DiffOptions o;
  o.max_elements = 3;
  auto lines = nft::live::diff(live, want, o);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "+ set blocked_v4: 100 elements added (first 3 shown)");
}

TEST_CASE("sets read without elements compare by fingerprint") {
  nft::live::Model live = model_with({}, {}), want = model_with({"203.0.113.0/24"}, {});
  live.sets[0].elements_known = false;
  live.sets[0].digest = "00000000000000aa/1";
  want.sets[0].digest = "00000000000000aa/1";
  CHECK(nft::live::diff(live, want).empty());
  want.sets[0].digest = "00000000000000bb/3";
  auto lines = nft::live::diff(live, want);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "~ set blocked_v4: elements changed (live 1, policy 3 CIDRs)");
}
