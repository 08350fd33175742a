// Host names in networks (compiler/names): telling them from addresses, the
// lookup step with a fake resolver, provenance, the last good answer,
// min_entries, compile refusal, and the named sets nftables keeps them in.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "backends/nftables/nft_backend.h"
#include "compiler/eval/explain.h"
#include "compiler/ir/selection.h"
#include "compiler/names/fake_lookup.h"
#include "compiler/names/host_name.h"
#include "policy_run.h"

using namespace fwc;

namespace {

net::Address addr(const std::string& s) {
  net::Address a;
  REQUIRE(net::parse_address(s, a));
  return a;
}

const std::string kPolicy = R"(fwc: 1
name: demo
networks:
  peers: [Alpha.Example.com, 198.51.100.10]
inbound:
  - {allow: [9000/tcp], from: peers}
)";

struct Resolving {
  names::FakeLookup lookup;
  names::MemoryLastGood last_good;
  test::Run run(const std::string& text, const std::string& file = "policy.yaml") {
    test::Run r;
    r.policy = compile_policy_text(text, file, r.diags, false, {names::Mode::resolved, &lookup, &last_good});
    return r;
  }
};

const ir::Network& network(const ir::Policy& p, const std::string& name) {
  auto it = std::find_if(p.networks.begin(), p.networks.end(), [&](const ir::Network& n) { return n.name == name; });
  REQUIRE(it != p.networks.end());
  return *it;
}

}  // namespace

TEST_CASE("host names: told apart from addresses", "[names]") {
  CHECK(names::is_host_name("alpha.example.com"));
  CHECK(names::is_host_name("a-1.b2.test"));
  CHECK(names::is_host_name("1.example.com"));
  CHECK_FALSE(names::is_host_name("10.0.0.1"));
  CHECK_FALSE(names::is_host_name("10.0.0.300"));
  CHECK_FALSE(names::is_host_name("10.0.0.1a"));  // last label starts with a digit
  CHECK_FALSE(names::is_host_name("localhost"));  // one label: a network name
  CHECK_FALSE(names::is_host_name("-a.example.com"));
  CHECK_FALSE(names::is_host_name("a..example.com"));
  CHECK_FALSE(names::is_host_name("a_b.example.com"));
  CHECK_FALSE(names::is_host_name(std::string(64, 'a') + ".com"));
  std::string long_name;
  while (long_name.size() < 260) long_name += "abcdefghi.";
  CHECK_FALSE(names::is_host_name(long_name + "com"));
  CHECK(names::is_host_name(long_name.substr(0, 250) + "com"));  // 253 characters
  CHECK(names::canonical("Alpha.Example.COM") == "alpha.example.com");
}

TEST_CASE("host names: a malformed dotted address stays an address error", "[names]") {
  Resolving r;
  auto run = r.run("fwc: 1\nname: demo\nnetworks:\n  peers: [10.0.0.300]\n");
  run.one(code::bad_address);
  CHECK(r.lookup.asked.empty());
}

TEST_CASE("host names: compile refuses them without --resolve", "[names]") {
  auto run = test::compile(kPolicy);
  auto d = run.one(code::static_names);
  CHECK(d.loc.line == 4);
  CHECK(d.message.find("alpha.example.com") != std::string::npos);
  CHECK_FALSE(run.policy);
}

TEST_CASE("host names: resolved, lower-cased, with provenance", "[names]") {
  Resolving r;
  r.lookup.answers["alpha.example.com"] = {{addr("198.51.100.20"), addr("2001:db8::20")}, ""};
  auto run = r.run(kPolicy);
  INFO(run.diags.render_all());
  REQUIRE(run.policy);
  CHECK(r.lookup.asked == std::vector<std::string>{"alpha.example.com"});
  const auto& peers = network(*run.policy, "peers");
  CHECK(peers.refreshable);
  REQUIRE(peers.sources.size() == 1);
  CHECK(peers.sources[0].kind == ir::AddrSource::Kind::name);
  CHECK(peers.sources[0].what == "alpha.example.com");
  CHECK(peers.sources[0].addrs.contains(addr("198.51.100.20")));
  CHECK_FALSE(peers.sources[0].addrs.contains(addr("198.51.100.10")));
  CHECK(peers.addrs.contains(addr("198.51.100.10")));
  CHECK(peers.addrs.contains(addr("2001:db8::20")));
  CHECK(run.policy->inbound[0].src.refreshable);
  // explain names the source the packet matched through.
  auto rs = ir::select(*run.policy, {});
  CHECK(eval::explain(rs, {addr("198.51.100.20"), net::Proto::tcp, 9000}).via == "peers via alpha.example.com");
  CHECK(eval::explain(rs, {addr("198.51.100.10"), net::Proto::tcp, 9000}).via.empty());
  CHECK(r.last_good.kept.count("alpha.example.com"));
}

TEST_CASE("host names: a failed or empty lookup keeps the last good answer", "[names]") {
  Resolving r;
  r.last_good.kept["alpha.example.com"] = {addr("198.51.100.30")};
  SECTION("failed") { r.lookup.answers["alpha.example.com"] = {{}, "timed out"}; }
  SECTION("empty") { r.lookup.answers["alpha.example.com"] = {{}, ""}; }
  auto run = r.run(kPolicy);
  REQUIRE(run.policy);
  auto w = run.one(code::stale_lookup);
  CHECK(w.message.find("alpha.example.com") != std::string::npos);
  CHECK(network(*run.policy, "peers").addrs.contains(addr("198.51.100.30")));
}

TEST_CASE("host names: no answer and no last good one is an error", "[names]") {
  Resolving r;
  auto run = r.run(kPolicy);
  run.one(code::lookup_failed);
  CHECK_FALSE(run.policy);
}

TEST_CASE("host names: a network's own name wins, rules name no hosts", "[names]") {
  Resolving r;
  auto run = r.run(R"(fwc: 1
name: demo
networks:
  edge.internal: [198.51.100.40]
  peers: [edge.internal]
inbound:
  - {allow: [9000/tcp], from: other.example.com}
)");
  CHECK(r.lookup.asked.empty());
  run.one(code::unknown_ref);
}

TEST_CASE("host names: min_entries counts what names and lists gave", "[names]") {
  test::TempDir dir;
  dir.write("list.txt", "198.51.100.1\n198.51.100.2\n");
  Resolving r;
  r.lookup.answers["alpha.example.com"] = {{addr("198.51.100.50")}, ""};
  auto policy = [](int min) {
    return "fwc: 1\nname: demo\nnetworks:\n  cdn: {addresses: [alpha.example.com], file: list.txt, min_entries: " +
           std::to_string(min) + "}\ninbound:\n  - {allow: [443/tcp], from: cdn}\n";
  };
  auto ok = r.run(policy(3), dir.file("policy.yaml"));
  INFO(ok.diags.render_all());
  REQUIRE(ok.policy);
  const auto& cdn = network(*ok.policy, "cdn");
  REQUIRE(cdn.sources.size() == 2);
  CHECK(cdn.sources[1].kind == ir::AddrSource::Kind::file);
  CHECK(cdn.sources[1].describe() == "file list.txt");
  auto rs = ir::select(*ok.policy, {});
  CHECK(eval::explain(rs, {addr("198.51.100.2"), net::Proto::tcp, 443}).via == "cdn via file list.txt");
  auto few = r.run(policy(4), dir.file("policy.yaml"));
  auto e = few.one(code::too_few_entries);
  CHECK(e.loc.line == 4);
  CHECK_FALSE(few.policy);
}

TEST_CASE("host names: lint checks them without looking them up", "[names]") {
  test::Run run;
  names::FakeLookup lookup;
  run.policy = compile_policy_text(kPolicy, "policy.yaml", run.diags, true, {names::Mode::unresolved, &lookup, nullptr});
  INFO(run.diags.render_all());
  CHECK(run.diags.error_count() == 0);
  CHECK(lookup.asked.empty());
}

TEST_CASE("host names: nftables keeps them in named sets, empty families included", "[names][nft]") {
  Resolving r;
  r.lookup.answers["alpha.example.com"] = {{addr("198.51.100.20")}, ""};
  auto run = r.run(kPolicy);
  REQUIRE(run.policy);
  DiagnosticEngine diags;
  auto rs = ir::select(*run.policy, {});
  nft::Table t = nft::lower(rs, diags);
  std::vector<std::string> refreshable;
  for (const auto& s : t.sets)
    if (s.refreshable) refreshable.push_back(s.name);
  CHECK(refreshable == std::vector<std::string>{"peers_v4", "peers_v6"});
  std::string text = nft::emit(t);
  CHECK(text.find("ip saddr @peers_v4") != std::string::npos);
  CHECK(text.find("ip6 saddr @peers_v6") != std::string::npos);
  CHECK(text.find("host names resolved at compile time: alpha.example.com") != std::string::npos);
}
