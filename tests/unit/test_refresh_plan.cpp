// `fwc refresh`'s plan (backends/nftables/live/refresh_plan.h): only the
// elements of refreshable sets may differ; changed intervals are rewritten
// whole so the live set keeps fwc's element form.
#include <catch2/catch.hpp>

#include "backends/nftables/live/refresh_plan.h"

using namespace fwc;
using nft::live::Model;
using nft::live::SetEntry;

namespace {

net::AddrSet set_of(std::initializer_list<const char*> cidrs) {
  net::AddrSet s;
  for (const char* c : cidrs) s.add(net::parse_cidr(c).cidr);
  s.normalize();
  return s;
}

Model model(const net::AddrSet& peers, const std::string& rule_sig = "ip saddr @peers_v4 accept") {
  Model m;
  m.exists = true;
  m.chains.push_back({"input", "hook input"});
  SetEntry s;
  s.name = "peers_v4";
  s.sig = "ipv4_addr interval";
  s.addresses = true;
  s.addrs = peers;
  m.sets.push_back(s);
  m.rules.push_back({"input", "inbound[0]", rule_sig, 0, 0});
  return m;
}

std::vector<std::string> text(const std::vector<net::Cidr>& v) {
  std::vector<std::string> out;
  out.reserve(v.size());
  for (const auto& c : v) out.push_back(net::format_cidr(c));
  return out;
}

}  // namespace

TEST_CASE("refresh plan: changed elements only", "[refresh]") {
  auto plan = nft::live::plan_refresh(model(set_of({"198.51.100.2"})), model(set_of({"198.51.100.9"})), {"peers_v4"});
  REQUIRE_FALSE(plan.needs_apply());
  REQUIRE(plan.sets.size() == 1);
  CHECK(text(plan.sets[0].remove) == std::vector<std::string>{"198.51.100.2"});
  CHECK(text(plan.sets[0].add) == std::vector<std::string>{"198.51.100.9"});
  CHECK(plan.sets[0].gained.cidr_count(net::Family::v4) == 1);
  CHECK(plan.sets[0].lost.cidr_count(net::Family::v4) == 1);
}

TEST_CASE("refresh plan: an interval that grows is rewritten whole", "[refresh]") {
  auto plan = nft::live::plan_refresh(model(set_of({"198.51.100.2", "203.0.113.0/24"})),
                                      model(set_of({"198.51.100.2", "198.51.100.3", "203.0.113.0/24"})),
                                      {"peers_v4"});
  REQUIRE(plan.sets.size() == 1);
  CHECK(text(plan.sets[0].remove) == std::vector<std::string>{"198.51.100.2"});
  CHECK(text(plan.sets[0].add) == std::vector<std::string>{"198.51.100.2/31"});
}

TEST_CASE("refresh plan: nothing to do, or more than elements", "[refresh]") {
  auto same = nft::live::plan_refresh(model(set_of({"198.51.100.2"})), model(set_of({"198.51.100.2"})), {"peers_v4"});
  CHECK_FALSE(same.needs_apply());
  CHECK(same.sets.empty());
  auto rule = nft::live::plan_refresh(model(set_of({"198.51.100.2"})),
                                      model(set_of({"198.51.100.3"}), "ip saddr @peers_v4 drop"), {"peers_v4"});
  CHECK(rule.needs_apply());
  auto fixed = nft::live::plan_refresh(model(set_of({"198.51.100.2"})), model(set_of({"198.51.100.3"})), {});
  CHECK(fixed.needs_apply());
  Model none;
  CHECK(nft::live::plan_refresh(none, model(set_of({"198.51.100.2"})), {"peers_v4"}).needs_apply());
}
