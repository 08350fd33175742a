// Live block sets (`block: - dynamic: NAME`) and `never:`: the loader's
// checks, the lowering on every target, explain and the lock-out guard.
#include <catch2/catch.hpp>

#include <string>

#include "backends/backend.h"
#include "backends/nftables/nft_backend.h"
#include "compiler/eval/explain.h"
#include "compiler/host/host_match.h"
#include "compiler/ir/selection.h"
#include "compiler/ir/units.h"
#include "policy_run.h"

using namespace fwc;
using fwc::test::ruleset;

namespace {

const char* kPolicy = R"(fwc: 1
name: live
networks:
  operators: [203.0.113.10, "2001:db8:1::/64"]
never: [operators, 198.51.100.200]
block:
  - name: flood
    dynamic: abuse
    timeout: 1h
    max: 1000
  - dynamic: manual
    action: reject
    log: "manual: "
inbound:
  - allow: [22/tcp]
    from: operators
  - allow: [80/tcp]
    from: any
)";

std::string artefacts(const char* target, const ir::Ruleset& rs, DiagnosticEngine& diags) {
  auto out = backend::find_backend(target)->make()->compile(rs, diags);
  REQUIRE(out);
  std::string all;
  for (const auto& a : *out) all += a.text;
  return all;
}

eval::Packet tcp(const std::string& src, uint16_t port) {
  eval::Packet p;
  REQUIRE(net::parse_address(src, p.src));
  p.proto = net::Proto::tcp;
  p.port = port;
  return p;
}

}  // namespace

TEST_CASE("live blocks: durations as operators write them", "[live]") {
  CHECK(ir::parse_duration("90s") == 90u);
  CHECK(ir::parse_duration("5m") == 300u);
  CHECK(ir::parse_duration("1h") == 3600u);
  CHECK(ir::parse_duration("2d") == 172800u);
  CHECK(ir::parse_duration("366d") == 366u * 86400);
  for (const char* bad : {"", "h", "0s", "1", "1w", "-1h", "1.5h", "367d", "99999999999d", " 1h"})
    CHECK_FALSE(ir::parse_duration(bad));
  CHECK(ir::format_duration(3600) == "1h");
  CHECK(ir::format_duration(5400) == "90m");
  CHECK(ir::format_duration(61) == "61s");
}

TEST_CASE("live blocks: the loader's checks", "[live]") {
  auto bad = [](const std::string& rule, const char* code) {
    auto r = test::compile("fwc: 1\nname: t\nblock:\n  - " + rule + "\n");
    INFO(rule);
    return r.with(code).size();
  };
  CHECK(bad("{dynamic: abuse, from: [198.51.100.1]}", "FWC-E010") == 1);
  CHECK(bad("{dynamic: abuse, services: [22/tcp]}", "FWC-E010") == 1);
  CHECK(bad("{dynamic: Abuse}", "FWC-E010") == 1);
  CHECK(bad("{dynamic: a-name-that-is-far-too-long-for-a-set}", "FWC-E010") == 1);
  CHECK(bad("{dynamic: abuse, timeout: 1w}", "FWC-E010") == 1);
  CHECK(bad("{dynamic: abuse, max: 0}", "FWC-E010") == 1);
  CHECK(bad("{timeout: 1h, from: [198.51.100.1]}", "FWC-E004") == 1);
  auto twice = test::compile("fwc: 1\nname: t\nblock:\n  - dynamic: abuse\n  - dynamic: abuse\n");
  CHECK(twice.one("FWC-E009").loc.line == 5);
  auto fine = test::compile("fwc: 1\nname: t\nblock:\n  - {dynamic: abuse, timeout: 30m, max: 10}\n");
  INFO(fine.diags.render_all());
  REQUIRE(fine.diags.error_count() == 0);
  const auto& b = fine.policy->inbound_blocks.at(0);
  REQUIRE(b.dynamic);
  CHECK(b.dynamic->name == "abuse");
  CHECK(b.dynamic->timeout == 1800);
  CHECK(b.dynamic->max == 10);
}

TEST_CASE("live blocks: a static block covering never: is an error", "[live]") {
  auto r = test::compile(
      "fwc: 1\nname: t\nnetworks: {ops: [198.51.100.0/28]}\nnever: [ops]\n"
      "block:\n  - from: [198.51.100.0/24]\n  - to: [198.51.100.0/24]\n  - from: [203.0.113.0/24]\n");
  auto d = r.one("FWC-E016");
  CHECK(d.loc.line == 6);
  CHECK(d.message.find("198.51.100.0") != std::string::npos);
  CHECK(test::compile("fwc: 1\nname: t\nnever: [nowhere]\n").with("FWC-E007").size() == 1);
}

TEST_CASE("live blocks: nftables sets, rules and the never exclusion", "[live][nft]") {
  DiagnosticEngine diags;
  std::string nft = artefacts("nftables", ruleset(kPolicy), diags);
  CHECK(diags.warning_count() == 0);
  CHECK(nft.find("set dyn_abuse_v4 {\n\t\ttype ipv4_addr\n\t\tflags interval,timeout\n\t\tsize 1000\n\t\ttimeout 1h\n") !=
        std::string::npos);
  CHECK(nft.find("set dyn_manual_v6 {\n\t\ttype ipv6_addr\n\t\tflags interval,timeout\n\t\tsize 65536\n\t\tcomment") !=
        std::string::npos);
  CHECK(nft.find("ip saddr @dyn_abuse_v4 ip saddr != @never_v4 counter drop") != std::string::npos);
  CHECK(nft.find("ip6 saddr @dyn_abuse_v6 ip6 saddr != @never_v6 counter drop") != std::string::npos);
  CHECK(nft.find("ip saddr @dyn_manual_v4 ip saddr != @never_v4 limit rate") != std::string::npos);
  CHECK(nft.find("198.51.100.200") != std::string::npos);  // in never_v4
  // Live blocks come before the allow rules.
  CHECK(nft.find("@dyn_abuse_v4") < nft.find("tcp dport 80 accept"));
}

TEST_CASE("live blocks: iptables ipsets with timeouts, never reloaded", "[live][iptables]") {
  DiagnosticEngine diags;
  std::string out = artefacts("iptables", ruleset(kPolicy), diags);
  CHECK(out.find("create fwc-dyn-abuse-4 hash:net family inet timeout 3600 maxelem 1000 -exist") != std::string::npos);
  CHECK(out.find("create fwc-dyn-manual-6 hash:net family inet6 timeout 0 maxelem 65536 -exist") != std::string::npos);
  CHECK(out.find("swap fwc-dyn-") == std::string::npos);
  CHECK(out.find("-m set --match-set fwc-dyn-abuse-4 src -m set ! --match-set fwc-never-4 src") != std::string::npos);
}

TEST_CASE("live blocks: targets without live sets say so (W107)", "[live]") {
  for (const char* target : {"ufw", "firewalld", "digitalocean", "hetzner", "aws"}) {
    DiagnosticEngine diags;
    artefacts(target, ruleset(kPolicy), diags);
    size_t w107 = 0;
    for (const auto& d : diags.all())
      if (d.code == "FWC-W107" && d.message.find("dynamic block set") != std::string::npos) ++w107;
    INFO(target << "\n" << diags.render_all());
    CHECK(w107 == 2);
  }
}

TEST_CASE("live blocks: explain names the live sets a packet meets", "[live][explain]") {
  ir::Ruleset rs = ruleset(kPolicy);
  auto d = eval::explain(rs, tcp("198.51.100.7", 80));
  CHECK(d.verdict == ir::Verdict::accept);
  REQUIRE(d.live_sets.size() == 2);
  CHECK(d.live_sets[0].name == "abuse");
  CHECK(d.live_sets[1].action == ir::Verdict::reject);
  // never: sources are not subject to live sets.
  CHECK(eval::explain(rs, tcp("198.51.100.200", 80)).live_sets.empty());
  CHECK(eval::explain(rs, tcp("2001:db8:1::5", 22)).live_sets.empty());
}

TEST_CASE("live blocks: the lock-out guard keeps SSH open from never:", "[live][lockout]") {
  ir::Ruleset rs = ruleset(kPolicy);
  // 198.51.100.200 is in never: but no rule lets it reach SSH.
  std::string why = host::never_lockout_problem(rs);
  CHECK(why.find("198.51.100.200") != std::string::npos);
  CHECK(why.find("22/tcp") != std::string::npos);
  std::string fixed = kPolicy;
  fixed.replace(fixed.find("    from: operators"), 19, "    from: [operators, 198.51.100.200]");
  CHECK(host::never_lockout_problem(ruleset(fixed)).empty());
}
