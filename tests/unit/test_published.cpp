// Published ports (defaults.published): the walk, the nftables and iptables
// lowerings, the ufw warning, the lint note and explain --published.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "backends/iptables/ipt_backend.h"
#include "backends/nftables/nft_backend.h"
#include "backends/ufw/ufw_backend.h"
#include "compiler/eval/explain.h"
#include "compiler/ir/selection.h"
#include "compiler/ir/walk.h"
#include "policy_run.h"

using namespace fwc;
using fwc::test::ruleset;
using fwc::test::compile;

namespace {

const std::string kPolicy = R"(fwc: 1
name: demo
defaults: {inbound: drop}
block:
  - from: 203.0.113.66
  - dynamic: abuse
rate_limits:
  - name: web-rate
    services: [3000/tcp]
    rate: 10/second
    per_source: true
inbound:
  - name: web
    allow: [3000/tcp, 4000-4010/tcp]
    from: any
  - name: ops
    allow: [22/tcp, 30080/tcp]
    from: 198.51.100.10
)";

std::string with_published(const std::string& policy, const std::string& value) {
  std::string out = policy;
  out.replace(out.find("{inbound: drop}"), 15, "{inbound: drop, published: " + value + "}");
  return out;
}
std::string ignoring(const std::string& policy) { return with_published(policy, "ignore"); }

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

eval::Decision published(const ir::Ruleset& rs, const char* src, uint16_t port) {
  net::Address a;
  REQUIRE(net::parse_address(src, a));
  eval::Packet p{a, net::Proto::tcp, port};
  p.published = true;
  return eval::explain(rs, p);
}

}  // namespace

TEST_CASE("published: the walk has no host-stack steps", "[published]") {
  auto s = ir::steps(ir::Hook::published);
  for (ir::Step st : {ir::Step::loopback, ir::Step::neighbour_discovery, ir::Step::essential_icmp,
                      ir::Step::synproxy, ir::Step::invalid})
    CHECK(std::find(s.begin(), s.end(), st) == s.end());
  REQUIRE(s.size() == 6);
  CHECK(s.front() == ir::Step::established);
  CHECK(s.back() == ir::Step::fallback);
  CHECK(std::string(ir::hook_name(ir::Hook::published)) == "published");
}

TEST_CASE("published: nftables chain before the forward chains, original ports", "[published][nft]") {
  DiagnosticEngine d;
  std::string out = nft::emit(nft::lower(ruleset(kPolicy), d));
  INFO(out);
  REQUIRE(has(out, "chain published {\n\t\ttype filter hook forward priority filter - 10; policy accept;\n"));
  std::string chain = out.substr(out.find("chain published"));
  CHECK(has(chain, "ct status & dnat == 0 counter accept"));
  CHECK(has(chain, "meta l4proto tcp ct original proto-dst { 3000, 4000-4010 } counter accept"));
  CHECK(has(chain, "ip saddr 198.51.100.10 meta l4proto tcp ct original proto-dst { 22, 30080 } counter accept"));
  CHECK_FALSE(has(chain, " dport "));
  CHECK_FALSE(has(chain, "iif \"lo\""));
  CHECK(has(chain, "ip saddr 203.0.113.66 counter drop"));
  // The input chain's live set and meter set, not copies.
  CHECK(count(out, "set dyn_abuse_v4 {") == 1);
  CHECK(count(out, "ip saddr @dyn_abuse_v4") == 2);
  CHECK(count(out, "set meter_web_rate_v4 {") == 1);
  CHECK(count(out, "add @meter_web_rate_v4") == 2);
  // Its last rule is the inbound default.
  CHECK(has(chain, "counter drop comment \"defaults.inbound"));
}

TEST_CASE("published: ignore leaves no chain", "[published][nft][ipt]") {
  DiagnosticEngine d;
  auto rs = ruleset(ignoring(kPolicy));
  CHECK_FALSE(rs.published);
  CHECK_FALSE(has(nft::emit(nft::lower(rs, d)), "published"));
  auto m = ipt::lower(rs, d);
  CHECK_FALSE(has(ipt::emit_rules(m, net::Family::v4), "-j FWC-PUBLISHED"));
}

TEST_CASE("published: iptables chain jumped to for DNAT'd connections", "[published][ipt]") {
  DiagnosticEngine d;
  auto m = ipt::lower(ruleset(kPolicy), d);
  std::string v4 = ipt::emit_rules(m, net::Family::v4);
  INFO(v4);
  CHECK(has(v4, ":FWC-PUBLISHED - [0:0]\n"));
  // Inserted last, so that it runs first in FORWARD.
  CHECK(v4.find("-I INPUT 1 -j FWC-INPUT") < v4.find("-I FORWARD 1 -m conntrack --ctstate DNAT -j FWC-PUBLISHED"));
  CHECK(has(v4, "-A FWC-PUBLISHED -p tcp -m conntrack --ctorigdstport 4000:4010 -m comment"));
  CHECK(has(v4, "-A FWC-PUBLISHED -s 198.51.100.10 -p tcp -m conntrack --ctorigdstport 30080 -m comment"));
  CHECK_FALSE(has(v4, "-A FWC-PUBLISHED -j ACCEPT"));
  CHECK(count(v4, "-A FWC-PUBLISHED -m conntrack --ctstate RELATED,ESTABLISHED") == 1);
  CHECK(has(v4, "--ctstate RELATED,ESTABLISHED -m comment --comment \"established, related\" -j RETURN"));
  CHECK(count(ipt::emit_ipset(m), "create fwc-dyn-abuse-4 ") == 1);
  CHECK(count(v4, "--match-set fwc-dyn-abuse-4 src") == 2);
}

TEST_CASE("published: explain decides by chain published", "[published][explain]") {
  auto rs = ruleset(kPolicy);
  auto a = published(rs, "198.51.100.10", 30080);
  CHECK(a.verdict == ir::Verdict::accept);
  CHECK(a.chain == "published");
  CHECK(published(rs, "198.51.100.11", 30080).verdict == ir::Verdict::drop);
  CHECK(published(rs, "203.0.113.66", 3000).stage == eval::Stage::block);
  CHECK(published(rs, "198.51.100.11", 8080).stage == eval::Stage::fallback);
  // The input chain's loopback step is not part of it.
  CHECK(published(rs, "127.0.0.1", 8080).verdict == ir::Verdict::drop);
  auto ignored = published(ruleset(ignoring(kPolicy)), "198.51.100.11", 8080);
  CHECK(ignored.verdict == ir::Verdict::accept);
  CHECK(ignored.chain == "forward");
  CHECK(ignored.origin.label == "defaults.published");
}

TEST_CASE("published: ufw cannot express it (W107) when the policy asks for it", "[published][ufw]") {
  auto warnings = [](const std::string& policy) {
    DiagnosticEngine d;
    ufw::lower(ruleset(policy), d);
    size_t n = 0;
    for (const auto& x : d.all())
      if (x.code == "FWC-W107" && has(x.message, "published by Docker")) ++n;
    return n;
  };
  CHECK(warnings(with_published(kPolicy, "govern")) == 1);
  CHECK(warnings(kPolicy) == 0);  // the default: quiet (apply names Docker when present)
  CHECK(warnings(ignoring(kPolicy)) == 0);
}

TEST_CASE("published: forward rules with govern get FWC-W110", "[published][lint]") {
  const std::string fwd = "forward:\n  - allow: 80/tcp\n    from: 10.0.0.0/8\n    to: 10.1.0.0/16\n";
  CHECK(compile(kPolicy + fwd).with("FWC-W110").size() == 1);
  CHECK(compile(ignoring(kPolicy) + fwd).with("FWC-W110").empty());
  CHECK(compile(kPolicy).with("FWC-W110").empty());
  std::string acked = kPolicy;
  acked.replace(acked.find("{inbound: drop}"), 15, "{inbound: drop, ignore: [FWC-W110]}");
  CHECK(compile(acked + fwd).with("FWC-W110").empty());
}
