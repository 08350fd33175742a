// FWC-W106: allow rules fully covered by other allow rules (lint).
#include <catch2/catch.hpp>

#include "policy_run.h"

using fwc::test::compile;

namespace {
const std::string kHead = "fwc: 1\nname: demo\n";
}

TEST_CASE("lint W106: the later of two identical rules is redundant", "[lint][redundant]") {
  auto r = compile(kHead + R"(inbound:
  - name: ssh
    allow: [22/tcp]
    from: 198.51.100.0/24
  - name: ssh-again
    allow: [22/tcp]
    from: 198.51.100.0/24
)");
  auto d = r.one("FWC-W106");
  CHECK(d.message.find("inbound[1] ssh-again") != std::string::npos);
  CHECK(d.loc.line == 7);
}

TEST_CASE("lint W106: covered by the union of other rules, per port", "[lint][redundant]") {
  auto r = compile(kHead + R"(inbound:
  - allow: [8000-8010/tcp]
    from: 198.51.100.0/25
  - allow: [8005-8020/tcp]
    from: 198.51.100.128/25
  - allow: [8000-8020/tcp]
    from: [198.51.100.0/25, 198.51.100.128/25]
  - name: narrow
    allow: [8006/tcp]
    from: 198.51.100.7
defaults:
  ignore: [FWC-W104]
)");
  // Later rules first: `narrow` is covered; the third is not (the first
  // two leave 198.51.100.0/25 on 8011-8020 out); the first two are covered
  // by the third. Removing all three reported rules changes nothing.
  auto found = r.with("FWC-W106");
  REQUIRE(found.size() == 3);
  CHECK(found[0].message.find("inbound[3] narrow") != std::string::npos);
  CHECK(found[1].message.find("inbound[1] ") != std::string::npos);
  CHECK(found[2].message.find("inbound[0] ") != std::string::npos);
}

TEST_CASE("lint W106: logging, scoping and acknowledgement", "[lint][redundant]") {
  auto logged = compile(kHead + R"(inbound:
  - allow: [443/tcp]
    from: any
  - allow: [443/tcp]
    from: 198.51.100.0/24
    log: "web: "
)");
  CHECK(logged.with("FWC-W106").empty());
  auto scoped = compile(kHead + R"(roles: [web, db]
nodes:
  web1: {address: 198.51.100.10, roles: [web]}
  db1: {address: 198.51.100.20, roles: [db]}
inbound:
  - allow: [443/tcp]
    from: any
    roles: [web]
  - allow: [443/tcp]
    from: 203.0.113.0/24
)");
  // The second rule also applies to db1, where nothing covers it.
  CHECK(scoped.with("FWC-W106").empty());
  auto acked = compile(kHead + R"(inbound:
  - allow: [443/tcp]
    from: any
  - allow: [443/tcp]
    from: 198.51.100.0/24
    ignore: [FWC-W106]
)");
  CHECK(acked.with("FWC-W106").empty());
}
