// The semantic diff beyond the input chain (compiler/eval/region_diff.h,
// setting_diff.h): outbound regions over destinations, forward rules and
// the defaults that decide traffic without a rule.
#include <catch2/catch.hpp>

#include <string>

#include "compiler/eval/region_diff.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"
#include "policy_run.h"

using namespace fwc;
using test::demo_policy;
using eval::Axis;
using ir::Verdict;

namespace {

bool holds(const net::AddrSet& s, const char* addr) {
  net::Address a;
  REQUIRE(net::parse_address(addr, a));
  return s.contains(a);
}

eval::SelectionDiff diff(const std::string& before, const std::string& after) {
  auto all = eval::diff_policies(demo_policy(before), demo_policy(after), {});
  REQUIRE(all.size() == 1);
  return all.front();
}

const std::string kOpen = R"(inbound:
  - allow: [443/tcp]
    from: any
)";

}  // namespace

TEST_CASE("outbound regions: rules match destinations, IPv4 and IPv6", "[regions][outbound]") {
  ir::Policy p = demo_policy(R"(defaults:
  outbound: drop
block:
  - to: [203.0.113.0/24]
    action: reject
outbound:
  - name: dns
    allow: [53/udp]
    to: [198.51.100.53, "2001:db8:53::53"]
)");
  const ir::Ruleset rs = ir::select(p, {});
  REQUIRE(rs.output);
  const ir::Chain& out = *rs.output;
  const auto regions = eval::regions(out, {Axis::udp, {53, 53}}, ir::Hook::output);
  auto at = [&](const char* dst) -> const eval::Region& {
    for (const auto& r : regions)
      if (holds(r.sources, dst)) return r;
    FAIL("no region holds " << dst);
    return regions.front();
  };
  CHECK(at("198.51.100.53").origin.label == "outbound[0] dns");
  CHECK(at("2001:db8:53::53").outcome.verdict == Verdict::accept);
  CHECK(at("198.51.100.54").outcome.verdict == Verdict::drop);
  CHECK(at("2001:db8:53::54").origin.label == "defaults.outbound");
  CHECK(at("203.0.113.9").outcome.verdict == Verdict::reject);
  CHECK(at("127.0.0.1").outcome.verdict == Verdict::accept);  // lo
  // The same chain read as input matches the rule's (empty) sources: nothing.
  const auto as_input = eval::regions(out, {Axis::udp, {53, 53}});
  for (const auto& r : as_input) CHECK_FALSE(r.origin.label == "outbound[0] dns");
}

TEST_CASE("outbound diff: an egress allowlist against the implicit accept-all", "[regions][outbound][diff]") {
  const auto d = diff(kOpen, kOpen + R"(defaults:
  outbound: drop
outbound:
  - name: mirror
    allow: [443/tcp]
    to: ["2001:db8:80::/64", 203.0.113.80]
)");
  CHECK(d.changes.empty());
  CHECK(d.changed());
  REQUIRE_FALSE(d.outbound.empty());
  bool https = false;
  for (const auto& c : d.outbound) {
    CHECK(c.before.verdict == Verdict::accept);
    CHECK(c.after.verdict == Verdict::drop);
    CHECK(c.old_origin.label == "outbound not restricted");
    CHECK_FALSE(holds(c.sources, "127.0.0.1"));
    if (c.axis != Axis::tcp || c.ports != std::vector<net::PortRange>{{443, 443}}) continue;
    https = true;
    CHECK_FALSE(holds(c.sources, "203.0.113.80"));
    CHECK_FALSE(holds(c.sources, "2001:db8:80::1"));
    CHECK(holds(c.sources, "2001:db8:81::1"));
    CHECK(holds(c.sources, "192.0.2.1"));
  }
  CHECK(https);
  // And back: the restriction removed is the reverse change.
  const auto back = diff(kOpen + "defaults:\n  outbound: drop\n", kOpen);
  REQUIRE(back.outbound.size() == 1);
  CHECK(back.outbound.front().all_traffic);
  CHECK(back.outbound.front().after.verdict == Verdict::accept);
}

TEST_CASE("forward diff: rules added, removed and changed, the default", "[regions][forward][diff]") {
  const std::string before = kOpen + R"(forward:
  - name: web
    allow: [80/tcp]
    from: any
    to: [198.51.100.0/24]
  - name: dns
    allow: [53/udp]
    from: any
    to: [198.51.100.53]
  - name: old
    allow: [25/tcp]
    from: any
    to: [198.51.100.25]
)";
  const std::string after = kOpen + R"(defaults:
  forward: reject
forward:
  - name: dns
    allow: [53/udp]
    from: any
    to: [198.51.100.53]
  - name: web
    allow: [443/tcp]
    from: any
    to: [198.51.100.0/24]
  - name: ssh
    allow: [22/tcp]
    from: [203.0.113.0/24]
    to: ["2001:db8:22::/64"]
)";
  const auto d = diff(before, after);
  CHECK(d.changes.empty());
  CHECK(d.outbound.empty());
  REQUIRE(d.forward.size() == 3);  // dns moved, not changed
  CHECK((d.forward[0].before && d.forward[0].after));
  CHECK(d.forward[0].after->origin.label == "forward[1] web");
  CHECK((!d.forward[1].before && d.forward[1].after->origin.label == "forward[2] ssh"));
  CHECK((d.forward[2].before->origin.label == "forward[2] old" && !d.forward[2].after));
  REQUIRE(d.settings.size() == 1);
  CHECK(d.settings[0].setting == "forward default");
  CHECK(d.settings[0].before == "drop");
  CHECK(d.settings[0].after == "reject");
  CHECK_FALSE(d.settings[0].more_accepted);
}

TEST_CASE("forward diff: a forward chain added against unmanaged forwarding", "[regions][forward][diff]") {
  const auto d = diff(kOpen, kOpen + "defaults:\n  forward: drop\n");
  REQUIRE(d.settings.size() == 1);
  CHECK(d.settings[0].before == "accept");
  CHECK(d.settings[0].after == "drop");
  CHECK(d.settings[0].less_accepted);
  CHECK(d.settings[0].origin.label == "defaults.forward");
}

TEST_CASE("setting diff: icmp and published ports", "[regions][diff]") {
  const auto d = diff(kOpen, kOpen + "defaults:\n  icmp: all\n  published: ignore\n");
  REQUIRE(d.settings.size() == 2);
  CHECK(d.settings[0].setting == "icmp");
  CHECK(d.settings[0].before == "essential");
  CHECK(d.settings[0].after == "all");
  CHECK(d.settings[0].more_accepted);
  CHECK(d.settings[0].origin.loc.line == 7);  // the icmp key
  CHECK(d.settings[1].setting == "published ports");
  CHECK(d.settings[1].after == "ignore");
  CHECK(d.settings[1].more_accepted);
  CHECK(diff(kOpen, kOpen + "defaults:\n  icmp: no-ping\n").settings.at(0).less_accepted);
  // Nothing changed: nothing to report.
  CHECK_FALSE(diff(kOpen, kOpen).changed());
}
