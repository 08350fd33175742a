// The verdict map (compiler/eval/regions.h) and the semantic diff of two
// policy versions (compiler/eval/region_diff.h), checked against explain.
#include <catch2/catch.hpp>

#include <string>

#include "compiler/eval/explain.h"
#include "compiler/eval/region_diff.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"
#include "policy_run.h"

using namespace fwc;
using test::demo_policy;
using eval::Axis;
using ir::Verdict;

namespace {

net::AddrSet addrs(std::initializer_list<const char*> cidrs) {
  net::AddrSet s;
  for (const char* c : cidrs) {
    net::CidrParse p = net::parse_cidr(c);
    REQUIRE(p.status == net::CidrStatus::ok);
    s.add(p.cidr);
  }
  s.normalize();
  return s;
}

std::string cidrs(const net::AddrSet& s) {
  std::string out;
  for (auto f : {net::Family::v4, net::Family::v6})
    for (const auto& c : s.cidrs(f)) out += (out.empty() ? "" : " ") + net::format_cidr(c);
  return out;
}

using Ranges = std::vector<net::PortRange>;

eval::PortSegment tcp(uint16_t lo, uint16_t hi) { return {Axis::tcp, {lo, hi}}; }

// The region of `regions` holding `src`.
const eval::Region& at(const std::vector<eval::Region>& regions, const char* src) {
  net::Address a;
  REQUIRE(net::parse_address(src, a));
  for (const auto& r : regions)
    if (r.sources.contains(a)) return r;
  FAIL("no region holds " << src);
  return regions.front();
}

std::vector<eval::RegionChange> diff(const std::string& before, const std::string& after,
                                     const ir::Selection& sel = {}) {
  return eval::diff_chains(ir::select(demo_policy(before), sel).input, ir::select(demo_policy(after), sel).input);
}

}  // namespace

TEST_CASE("regions: segments are cut at every rule's port boundaries", "[regions]") {
  ir::Policy p = demo_policy(R"(inbound:
  - allow: [8000-8100/tcp]
    from: any
  - allow: [8080/tcp, 53/udp]
    from: 198.51.100.0/24
)");
  auto rs = ir::select(p, {});
  auto segs = eval::port_segments({&rs.input});
  // tcp: 0-7999, 8000-8079, 8080, 8081-8100, 8101-65535; udp: 0-52, 53, 54-65535; other.
  REQUIRE(segs.size() == 9);
  CHECK(segs[1] == tcp(8000, 8079));
  CHECK(segs[2] == tcp(8080, 8080));
  CHECK(segs[6].axis == Axis::udp);
  CHECK(segs[6].ports == net::PortRange{53, 53});
  CHECK(segs.back().axis == Axis::other);
}

TEST_CASE("regions: the regions of a segment agree with explain (IPv4 and IPv6, except hole)", "[regions]") {
  ir::Policy p = demo_policy(R"(networks:
  office:
    addresses: [198.51.100.0/24, "2001:db8:1::/48"]
    except: [198.51.100.128/25, "2001:db8:1:ff::/64"]
block:
  - from: 203.0.113.0/24
    action: reject
inbound:
  - name: admin
    allow: [22/tcp]
    from: office
)");
  auto rs = ir::select(p, {});
  auto regions = eval::regions(rs.input, tcp(22, 22));
  for (const char* src : {"198.51.100.7", "198.51.100.200", "2001:db8:1::1", "2001:db8:1:ff::1", "203.0.113.5",
                          "192.0.2.1", "127.0.0.1"}) {
    INFO(src);
    eval::Packet pkt;
    REQUIRE(net::parse_address(src, pkt.src));
    pkt.port = 22;
    auto d = eval::explain(rs, pkt);
    const auto& r = at(regions, src);
    CHECK(r.outcome.verdict == d.verdict);
    CHECK(r.origin.label == d.origin.label);
  }
  CHECK(cidrs(at(regions, "198.51.100.7").sources) ==
        "198.51.100.0/25 2001:db8:1::/57 2001:db8:1:80::/58 2001:db8:1:c0::/59 2001:db8:1:e0::/60 "
        "2001:db8:1:f0::/61 2001:db8:1:f8::/62 2001:db8:1:fc::/63 2001:db8:1:fe::/64 2001:db8:1:100::/56 "
        "2001:db8:1:200::/55 2001:db8:1:400::/54 2001:db8:1:800::/53 2001:db8:1:1000::/52 2001:db8:1:2000::/51 "
        "2001:db8:1:4000::/50 2001:db8:1:8000::/49");
  // Sources are disjoint and cover everything.
  net::AddrSet all;
  for (const auto& r : regions) {
    CHECK_FALSE(all.overlaps(r.sources));
    all.unite(r.sources);
  }
  CHECK(all == net::AddrSet::any());
}

TEST_CASE("regions: a meter marks the accepted region rate-limited", "[regions]") {
  ir::Policy p = demo_policy(R"(rate_limits:
  - services: [443/tcp]
    from: 198.51.100.0/24
    rate: 10/second
inbound:
  - allow: [443/tcp]
    from: any
)");
  auto regions = eval::regions(ir::select(p, {}).input, tcp(443, 443));
  CHECK(at(regions, "198.51.100.1").outcome == eval::Outcome{Verdict::accept, true});
  CHECK(at(regions, "192.0.2.1").outcome == eval::Outcome{Verdict::accept, false});
}

TEST_CASE("region diff: opening an admin port to an office range", "[regions][diff]") {
  const std::string before = R"(inbound:
  - allow: [443/tcp]
    from: any
)";
  auto changes = diff(before, before + R"(  - name: admin
    allow: [8080/tcp]
    from: [203.0.113.0/24, "2001:db8::/48"]
)");
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].axis == Axis::tcp);
  CHECK(changes[0].ports == Ranges{{8080, 8080}});
  CHECK(cidrs(changes[0].sources) == "203.0.113.0/24 2001:db8::/48");
  CHECK(changes[0].before.verdict == Verdict::drop);
  CHECK(changes[0].after.verdict == Verdict::accept);
  CHECK(changes[0].new_origin.label == "inbound[1] admin");
  CHECK(changes[0].old_origin.label == "defaults.inbound");
  CHECK(diff(before, before).empty());
}

TEST_CASE("region diff: a block added in front of an allow covers all traffic", "[regions][diff]") {
  const std::string allow = R"(inbound:
  - allow: [all]
    from: 198.51.100.0/24
)";
  auto changes = diff(allow, "block:\n  - from: 198.51.100.66\n" + allow);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].all_traffic);
  CHECK(cidrs(changes[0].sources) == "198.51.100.66");
  CHECK(changes[0].before.verdict == Verdict::accept);
  CHECK(changes[0].after.verdict == Verdict::drop);
  CHECK(changes[0].new_origin.label == "block[0]");
}

TEST_CASE("region diff: adjacent port segments merge, split ranges stay apart", "[regions][diff]") {
  // The second new rule cuts the port axis at 8010 but decides nothing
  // the first does not: one change on 8000-8019.
  auto merged = diff(R"(inbound:
  - allow: [8000-8019/tcp]
    from: any
)",
                     R"(inbound:
  - allow: [8000-8019/tcp]
    from: 198.51.100.0/24
  - allow: [8010/tcp]
    from: 198.51.100.0/25
)");
  REQUIRE(merged.size() == 1);
  CHECK(merged[0].ports == Ranges{{8000, 8019}});
  CHECK_FALSE(merged[0].sources.overlaps(addrs({"198.51.100.0/24"})));
  CHECK(merged[0].sources.covers(addrs({"0.0.0.0/2", "8000::/1"})));  // loopback stays accepted

  auto split = diff(R"(inbound:
  - allow: [8000-8009/tcp]
    from: any
  - allow: [8010-8019/tcp]
    from: any
)",
                    R"(inbound:
  - allow: [8005-8014/tcp]
    from: 198.51.100.0/24
)");
  // 8000-8004 and 8015-8019 close for everyone, 8005-8014 for all but
  // 198.51.100.0/24; the old deciding rule changes at 8010, so that range
  // stays two changes.
  REQUIRE(split.size() == 4);
  CHECK(split[0].ports == Ranges{{8000, 8004}});
  CHECK(split[0].sources.covers(addrs({"198.51.100.0/24", "128.0.0.0/1", "8000::/1"})));
  CHECK(split[1].ports == Ranges{{8005, 8009}});
  CHECK(split[2].ports == Ranges{{8010, 8014}});
  CHECK(split[1].sources == split[2].sources);
  CHECK(split[1].old_origin.label == "inbound[0]");
  CHECK(split[2].old_origin.label == "inbound[1]");
  CHECK(split[3].ports == Ranges{{8015, 8019}});
}

TEST_CASE("region diff: drop and reject differ", "[regions][diff]") {
  auto changes = diff("defaults:\n  inbound: drop\n", "defaults:\n  inbound: reject\n");
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].all_traffic);
  CHECK(changes[0].before.verdict == Verdict::drop);
  CHECK(changes[0].after.verdict == Verdict::reject);
  // Loopback is accepted in both.
  CHECK_FALSE(changes[0].sources.overlaps(addrs({"127.0.0.1"})));
}

TEST_CASE("region diff: a rule moved to a role changes the other nodes only", "[regions][diff]") {
  const std::string nodes = R"(roles: [web, db]
nodes:
  web1: {address: 198.51.100.10, roles: [web]}
  db1: {address: 198.51.100.20, roles: [db]}
)";
  auto before = demo_policy(nodes + R"(inbound:
  - name: pg
    allow: [5432/tcp]
    from: 203.0.113.0/24
  - allow: [443/tcp]
    from: any
    roles: [web]
)");
  auto after = demo_policy(nodes + R"(inbound:
  - name: pg
    allow: [5432/tcp]
    from: 203.0.113.0/24
    roles: [db]
  - allow: [443/tcp]
    from: any
    roles: [web]
)");
  auto diffs = eval::diff_policies(before, after, {});
  REQUIRE(diffs.size() == 2);
  CHECK(diffs[0].selection.name == "web1");
  REQUIRE(diffs[0].changes.size() == 1);
  CHECK(diffs[0].changes[0].ports == Ranges{{5432, 5432}});
  CHECK(diffs[0].changes[0].after.verdict == Verdict::drop);
  CHECK(diffs[1].selection.name == "db1");
  CHECK(diffs[1].changes.empty());
  // --node restricts the comparison; a node only in one version is reported.
  auto only = eval::diff_policies(before, after, {ir::Selection::Kind::node, "db1"});
  REQUIRE(only.size() == 1);
  CHECK(only[0].changes.empty());
  auto grown = demo_policy(nodes + "  web2: {address: 198.51.100.11, roles: [web]}\n" + R"(inbound:
  - allow: [443/tcp]
    from: any
    roles: [web]
)");
  auto added = eval::diff_policies(before, grown, {});
  REQUIRE(added.size() == 3);
  CHECK(added[2].selection.name == "web2");
  CHECK(added[2].presence == eval::SelectionDiff::Presence::added);
}

TEST_CASE("region diff: a meter added shows as a rate-limited accept", "[regions][diff]") {
  const std::string allow = R"(inbound:
  - allow: [443/tcp, 443/udp]
    from: any
)";
  auto changes = diff(allow, allow + R"(rate_limits:
  - name: flood
    services: [443/tcp]
    from: "2001:db8::/32"
    rate: 50/second
)");
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].axis == Axis::tcp);
  CHECK(changes[0].ports == Ranges{{443, 443}});
  CHECK(cidrs(changes[0].sources) == "2001:db8::/32");
  CHECK(changes[0].before == eval::Outcome{Verdict::accept, false});
  CHECK(changes[0].after == eval::Outcome{Verdict::accept, true});
  CHECK(eval::outcome_name(changes[0].after) == "accept (rate-limited)");
}

TEST_CASE("region diff: an except hole opened in an allowed network", "[regions][diff]") {
  auto changes = diff(R"(networks:
  office: ["198.51.100.0/24", "2001:db8:1::/48"]
inbound:
  - allow: [22/tcp]
    from: office
)",
                      R"(networks:
  office:
    addresses: ["198.51.100.0/24", "2001:db8:1::/48"]
    except: [198.51.100.64/26, "2001:db8:1:1::/64"]
inbound:
  - allow: [22/tcp]
    from: office
)");
  REQUIRE(changes.size() == 1);
  CHECK(cidrs(changes[0].sources) == "198.51.100.64/26 2001:db8:1:1::/64");
  CHECK(changes[0].before.verdict == Verdict::accept);
  CHECK(changes[0].after.verdict == Verdict::drop);
  CHECK(changes[0].old_origin.label == "inbound[0]");
  CHECK(changes[0].new_origin.label == "defaults.inbound");
}

TEST_CASE("region diff: roles without nodes are compared per role", "[regions][diff]") {
  const std::string head = "roles: [edge, core]\ninbound:\n";
  auto before = demo_policy(head + "  - allow: [443/tcp]\n    from: any\n    roles: [edge]\n");
  auto after = demo_policy(head + "  - allow: [443/tcp]\n    from: any\n    roles: [core]\n");
  auto diffs = eval::diff_policies(before, after, {});
  REQUIRE(diffs.size() == 2);
  for (const auto& d : diffs) {
    INFO(d.selection.label());
    CHECK(d.selection.kind == ir::Selection::Kind::role);
    REQUIRE(d.changes.size() == 1);
    CHECK(d.changes[0].ports == Ranges{{443, 443}});
    CHECK(d.changes[0].after.verdict == (d.selection.name == "core" ? Verdict::accept : Verdict::drop));
  }
}
