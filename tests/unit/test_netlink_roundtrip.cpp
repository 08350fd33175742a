// The batch `fwc apply` sends, read back without a kernel: its messages go
// through the filter that keeps the kernel's dump replies, then into the
// live model `fwc diff` and `fwc status` read; the model must be the table
// that was lowered (backends/nftables/netlink, backends/nftables/live).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "backends/nftables/netlink/nl_snapshot.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"

using namespace fwc;
namespace nl = fwc::nft::netlink;

namespace {

const char* kPolicy = R"(fwc: 1
name: roundtrip
networks:
  partners: [192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 100.64.0.0/10, 172.16.0.0/12,
             "2001:db8:1::/48", "2001:db8:2::/48"]
  admins: [203.0.113.10]
defaults: {inbound: drop}
rate_limits:
  - name: dns-flood
    services: [53/udp, 53/tcp]
    rate: 1000/second
    burst: 200
  - name: api-per-partner
    service: 8443/tcp
    from: partners
    rate: 30/minute
    per_source: true
inbound:
  - name: api
    allow: [8000-8099/tcp, 8443/tcp]
    from: partners
  - allow: [53/udp, 53/tcp]
    from: any
  - name: ssh
    allow: [22/tcp]
    from: admins
)";

nft::Table lowered() {
  DiagnosticEngine diags;
  auto p = compile_policy_text(kPolicy, "policy.yaml", diags, false);
  INFO(diags.render_all());
  REQUIRE(p);
  nft::Table t = nft::lower(ir::select(*p, {}), diags);
  REQUIRE(diags.error_count() == 0);
  return t;
}

// The batch's messages as a dump would return them: through keep_reply.
nl::Snapshot as_dump(const nl::Batch& b) {
  nl::Snapshot sent;
  sent.msgs.assign(b.data(), b.data() + b.size());
  nl::Snapshot dump;
  dump.exists = true;
  sent.each([&](const nlmsghdr* nlh) { nl::keep_reply(dump, nlh); });
  return dump;
}

const nft::live::SetEntry* find_set(const nft::live::Model& m, const std::string& name) {
  for (const auto& s : m.sets)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace

TEST_CASE("a netlink batch read back is the lowered table", "[netlink]") {
  const nft::Table t = lowered();
  REQUIRE_FALSE(t.sets.empty());
  REQUIRE_FALSE(t.limits.empty());
  const nl::Batch b = nl::build_replace(t, {}, 1);
  const nft::live::Model got = nl::model_of(as_dump(b));
  CHECK(got.exists);

  REQUIRE(got.chains.size() == t.chains.size());
  std::vector<std::pair<std::string, std::string>> want_rules, got_rules;
  for (size_t i = 0; i < t.chains.size(); ++i) {
    CHECK(got.chains[i].name == t.chains[i].name);
    for (const auto& r : t.chains[i].rules) want_rules.emplace_back(t.chains[i].name, r.comment);
  }
  for (const auto& r : got.rules) got_rules.emplace_back(r.chain, r.comment);
  CHECK(got_rules == want_rules);

  REQUIRE(got.sets.size() == t.sets.size());
  for (const auto& s : t.sets) {
    INFO("set " << s.name);
    const auto* e = find_set(got, s.name);
    REQUIRE(e);
    CHECK(e->family == s.family);
    CHECK(e->addresses == !s.meter);
    if (s.meter) continue;
    CHECK(e->elements_known);
    CHECK(e->digest == nl::set_digest(s));
    CHECK(e->addrs.intervals(s.family) == s.addrs.intervals(s.family));
  }

  REQUIRE(got.objects.size() == t.limits.size());
  for (size_t i = 0; i < t.limits.size(); ++i) CHECK(got.objects[i].name == t.limits[i].name);

  // What `fwc apply` compares with: the batch without elements, the sets attached.
  nl::BuildOptions bare;
  bare.elements = false;
  nft::live::Model want = nl::model_of(nl::build_replace(t, bare, 1));
  nl::attach_sets(want, t);
  CHECK(nft::live::diff(got, want).empty());
}

TEST_CASE("keep_reply keeps only the objects of table inet fwc", "[netlink]") {
  const nl::Batch b = nl::build_replace(nft::Table{}, {}, 1);
  CHECK(b.messages() > 0);
  CHECK(as_dump(b).msgs.empty());  // tables and batch delimiters are no dump replies
}
