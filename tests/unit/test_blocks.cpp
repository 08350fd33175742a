// The pure parts of `fwc block` (cli/blocks.h) and of carrying dynamic set
// elements into a replacing batch (cli/block_carry.h), without a kernel.
#include <catch2/catch.hpp>
#include <linux/netfilter/nf_tables.h>

#include "backends/nftables/netlink/nl_snapshot.h"
#include "cli/block_carry.h"
#include "cli/blocks.h"
#include "net_literals.h"

using namespace fwc;
namespace nl = fwc::nft::netlink;
namespace blocks = fwc::cli::blocks;
namespace carry = fwc::cli::block_carry;

using fwc::test::cidr;

namespace {

nl::SetInfo set_info(const char* name) {
  nl::SetInfo s;
  s.name = name;
  return s;
}

nl::Snapshot as_snapshot(const nl::Batch& b) {
  nl::Snapshot s;
  s.exists = true;
  s.msgs.assign(b.data(), b.data() + b.size());
  return s;
}

}  // namespace

TEST_CASE("time left: hours, minutes and seconds", "[blocks]") {
  CHECK(blocks::format_duration(3723000) == "1h2m3s");
  CHECK(blocks::format_duration(400) == "0s");
  CHECK(blocks::format_duration(86400000) == "1d");
}

TEST_CASE("dynamic sets are the dyn_NAME_v4/_v6 pairs", "[blocks]") {
  const auto d = blocks::dynamic_sets({set_info("never_v4"), set_info("dyn_abuse_v4"), set_info("dyn_abuse_v6"),
                                       set_info("dyn_half_v4"), set_info("dyn_v4"), set_info("admins_v4")});
  REQUIRE(d.size() == 1);
  CHECK(d[0].name == "abuse");
  CHECK(d[0].kernel_name(net::Family::v6) == "dyn_abuse_v6");
  std::string err;
  CHECK(blocks::pick(d, "", err) == &d[0]);
  CHECK(blocks::pick(d, "other", err) == nullptr);
  CHECK(err.find("abuse") != std::string::npos);
  CHECK(blocks::pick({}, "", err) == nullptr);
  const auto two = blocks::dynamic_sets(
      {set_info("dyn_a_v4"), set_info("dyn_a_v6"), set_info("dyn_b_v4"), set_info("dyn_b_v6")});
  CHECK(blocks::pick(two, "", err) == nullptr);
  CHECK(err.find("--set") != std::string::npos);
  CHECK(blocks::pick(two, "b", err) == &two[1]);
}

TEST_CASE("entries overlapping a never: network are named", "[blocks]") {
  std::vector<nl::Element> never(2);
  never[0].cidr = cidr("198.51.100.0/28");
  never[1].cidr = cidr("2001:db8::/48");
  const auto hit = blocks::overlapping(
      {cidr("198.51.100.3"), cidr("198.51.100.16"), cidr("198.51.100.0/24"), cidr("2001:db8:1::1"),
       cidr("2001:db8::5")},
      never);
  REQUIRE(hit.size() == 3);
  CHECK(hit[0].rfind("198.51.100.3 ", 0) == 0);
  CHECK(hit[1].rfind("198.51.100.0/24 ", 0) == 0);
  CHECK(hit[2].rfind("2001:db8::5 ", 0) == 0);
}

TEST_CASE("command-line entries: addresses and CIDRs, host bits refused", "[blocks]") {
  std::vector<net::Cidr> out;
  std::string err;
  CHECK(blocks::read_entries({"198.51.100.7", "203.0.113.0/24", "2001:db8::1"}, out, err));
  CHECK(out.size() == 3);
  out.clear();
  CHECK_FALSE(blocks::read_entries({"198.51.100.7/24"}, out, err));
  CHECK(err.find("198.51.100.0/24") != std::string::npos);
  CHECK_FALSE(blocks::read_entries({"example.org"}, out, err));
  out.clear();
  CHECK_FALSE(blocks::read_entries({}, out, err));
}

TEST_CASE("live elements are carried into the sets a batch creates", "[blocks]") {
  nl::Batch b = nl::build_element_changes({}, 1, 1);  // stands for a replace batch
  std::vector<carry::LiveSet> live(2);
  live[0].set = "dyn_abuse_v4";
  live[0].elements.resize(2);
  live[0].elements[0].cidr = cidr("198.51.100.77");
  live[0].elements[0].expires_ms = 1234;
  live[0].elements[0].timeout_ms = 60000;
  live[0].elements[0].comment = "ssh";
  live[0].elements[1].cidr = cidr("203.0.113.0/24");
  live[0].elements[1].expires_ms = 0;  // due now
  live[1].set = "dyn_gone_v4";
  live[1].elements.resize(1);
  live[1].elements[0].cidr = cidr("203.0.113.9");
  FILE* notes = std::tmpfile();
  CHECK(carry::carry(b, live, {"never_v4", "dyn_abuse_v4"}, notes) == 2);
  std::rewind(notes);
  char line[256] = {};
  CHECK(std::fgets(line, sizeof line, notes) != nullptr);
  CHECK(std::string(line).find("dyn_gone_v4") != std::string::npos);
  std::fclose(notes);
  nl::ElementParser p("dyn_abuse_v4");
  as_snapshot(b).each([&](const nlmsghdr* nlh) { p.feed(nlh); });
  const auto got = p.result();
  REQUIRE(got.size() == 2);
  CHECK(got[0].expires_ms == 1234u);
  CHECK(got[0].timeout_ms == 60000u);
  CHECK(got[0].comment == "ssh");
  CHECK(got[1].expires_ms == 1u);
  nl::ElementParser gone("dyn_gone_v4");
  as_snapshot(b).each([&](const nlmsghdr* nlh) { gone.feed(nlh); });
  CHECK(gone.result().empty());
}

TEST_CASE("a saved table's dynamic elements are set apart from the rest", "[blocks]") {
  std::vector<nl::Element> add(1);
  add[0].cidr = cidr("198.51.100.77");
  add[0].comment = "saved";
  const nl::Batch b =
      nl::build_element_changes({{"dyn_abuse_v4", {}, add}, {"admins_v4", {}, {add[0]}}}, std::nullopt, 1);
  const nl::Snapshot snap = as_snapshot(b);
  const nl::Snapshot rest = carry::without_dynamic_elements(snap);
  nl::ElementParser dyn("dyn_abuse_v4"), admins("admins_v4");
  rest.each([&](const nlmsghdr* nlh) {
    dyn.feed(nlh);
    admins.feed(nlh);
  });
  CHECK(dyn.result().empty());
  CHECK(admins.result().size() == 1);
}
